// reverse_diff.h - symbolic reverse mode over the DAG: adjoints flow from
// seeded roots down to the wrt inputs, one loop over descending ids that
// visits only the nodes between them.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include "ir/builder.h"

namespace gradc {

/// Called when the adjoint of forward node `node` is complete in sweep
/// number `sweep`; lets the caller name adjoints (`dw_da`).
using AdjointHook = std::function<void(size_t sweep, NodeId node, NodeId adjoint)>;

/// A (node, seed) pair: the sweep starts with d/d node = seed.
using Seed = std::pair<NodeId, NodeId>;

/// Limits on a run of sweeps (forward or reverse): stop once the graph has
/// more than `max_nodes` nodes, or once the sweeps have visited more than
/// `max_visits` nodes in all (the work, which hash-consing does not show in
/// the graph's size). The automatic mode choice bounds its second attempt
/// with both.
struct SweepBudget {
  size_t max_nodes = std::numeric_limits<size_t>::max();
  size_t max_visits = std::numeric_limits<size_t>::max();
};

/// Reverse sweeps over one graph, sharing their bookkeeping.
///
/// ReLU gates: relu(x)'s partial masks the adjoint, g = x > 0 ? s : 0. Where
/// every partial below x is finite for finite inputs (finite_cone) and no
/// selection the program makes (`?:`, max, ...) has masked the adjoint, g
/// is applied once: the nodes below multiply g as it is (g*p, IEEE), under
/// Builder::KeepMasks, instead of masking each product (x > 0 ? s*p : 0),
/// which costs a select per Jacobian entry. The two are equal wherever p is
/// finite; docs/semantics.md has the rule. A selection's mask is pushed
/// into every product as before, so its untaken branch never leaks (SPEC 1).
///
/// A sweep costs
/// O(c log c) for the c nodes between its roots and the wrt inputs, never a
/// pass over the whole graph, so a program with 10^5 small outputs
/// differentiates in about the time of its forward pass.
class ReverseSweeps {
 public:
  /// Sweeps over the nodes that exist now, towards `wrt`.
  ReverseSweeps(Builder& b, const std::vector<NodeId>& wrt);
  /// Seed the adjoints of `seeds` and accumulate them down to the wrt
  /// inputs: `wrt_adjoints[j]` is the adjoint of wrt[j] (zero if nothing
  /// reaches it). Adjoints are accumulated, never overwritten, so fan-out is
  /// handled by construction. False once `budget` is exceeded.
  bool sweep(const std::vector<Seed>& seeds, std::vector<NodeId>& wrt_adjoints,
             const AdjointHook& hook = {}, const SweepBudget& budget = {});
  /// Nodes visited by all sweeps so far (the sum of their cones).
  size_t visits() const { return visits_; }

  /// From now on, push each statement's adjoint straight to its leaves:
  /// a node computed by +, -, * and negation from values used only there
  /// (a statement such as L = 1 + k1*rsq + k2*rsq*rsq) gets the local
  /// partial of each leaf once, as a forward value every sweep shares
  /// (dL/drsq = k1 + 2*k2*rsq), and a sweep multiplies its adjoint by it:
  /// one product per leaf instead of one per edge. ADIFOR's and
  /// Tapenade's statement-level preaccumulation. The partials cost at most
  /// a product and a sum per edge, once; the statement's interior nodes
  /// get no adjoint of their own (nor a hook call: `--print` names no
  /// dOUT_dv for them). A wrt value is never interior; a statement with a
  /// partial that is a constant inf or NaN goes edge by edge.
  void preaccumulate_statements();

 private:
  Builder& b_;
  size_t size_;
  std::vector<NodeId> wrt_;
  std::vector<bool> depends_;    // by id: depends on a wrt input
  std::vector<bool> finite_;     // by id: finite_cone (ad/derivative_rules.h)
  std::vector<bool> selected_;   // by id: the adjoint holds a mask of a selection
  std::vector<uint32_t> stamp_;  // by id: the sweep that last visited it
  std::vector<NodeId> adj_;      // by id: adjoint, valid where stamp_ == sweep_
  std::vector<NodeId> cone_;
  // preaccumulate_statements: by id, part of its user's statement; the
  // leaves of the statement being expanded and their partials.
  std::vector<bool> interior_;
  std::vector<NodeId> local_;
  std::vector<NodeId> leaves_;
  std::vector<std::pair<NodeId, NodeId>> stack_;
  bool statement_partials(NodeId root);
  void accumulate(NodeId x, NodeId contribution, bool selected);
  bool has_interior_operand(NodeId id) const;
  uint32_t sweep_ = 0;
  size_t visits_ = 0;
};

/// Whether reverse_jacobian preaccumulates statements
/// (ReverseSweeps::preaccumulate_statements): Auto from two outputs on.
enum class Preaccumulation { Auto, Off, On };

/// The Jacobian d outputs / d wrt as nodes, row-major: result[i*k + j] is
/// d outputs[i] / d wrt[j] (k = wrt.size()). One reverse sweep per output.
/// nullopt once `budget` is exceeded; `visits` (if given) receives the
/// sweeps' visits.
std::optional<std::vector<NodeId>> reverse_jacobian(
    Builder& b, const std::vector<NodeId>& outputs, const std::vector<NodeId>& wrt,
    const AdjointHook& hook = {}, const SweepBudget& budget = {}, size_t* visits = nullptr,
    Preaccumulation statements = Preaccumulation::Auto);

}  // namespace gradc
