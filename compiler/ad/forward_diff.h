// forward_diff.h - symbolic forward mode over the DAG: tangents flow from
// seeded inputs up to the target roots, one loop over ascending ids that
// visits only the nodes between them. Uses the same local-partial table as
// reverse mode (derivative_rules.h).
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <vector>

#include "ad/reverse_diff.h"
#include "ir/builder.h"

namespace gradc {

/// Called when the tangent of forward node `node` is complete in sweep
/// number `sweep`; lets the caller name tangents (`da_dx`).
using TangentHook = std::function<void(size_t sweep, NodeId node, NodeId tangent)>;

/// Forward sweeps over one graph, sharing their bookkeeping (the users of
/// each node). A sweep costs O(c log c) for the c nodes between its seeds
/// and the targets.
class ForwardSweeps {
 public:
  /// Sweeps over the nodes that exist now, towards `targets`.
  ForwardSweeps(Builder& b, const std::vector<NodeId>& targets);
  /// Seed the tangents of `seeds` (d node = seed) and propagate them:
  /// `target_tangents[i]` is the tangent of targets[i] (zero if no seed
  /// reaches it). False once `budget` is exceeded.
  bool sweep(const std::vector<Seed>& seeds, std::vector<NodeId>& target_tangents,
             const TangentHook& hook = {}, const SweepBudget& budget = {});
  /// Nodes visited by all sweeps so far (the sum of their cones).
  size_t visits() const { return visits_; }

 private:
  Builder& b_;
  size_t size_;
  std::vector<NodeId> targets_;
  std::vector<uint32_t> user_begin_;  // users of id: users_[user_begin_[id] .. user_begin_[id+1])
  std::vector<NodeId> users_;         // (only nodes some target depends on)
  std::vector<uint32_t> stamp_;       // by id: the sweep that last visited it
  std::vector<NodeId> tan_;           // by id: tangent, valid where stamp_ == sweep_
  std::vector<NodeId> cone_;
  uint32_t sweep_ = 0;
  size_t visits_ = 0;
};

/// The Jacobian d outputs / d wrt as nodes, row-major (as reverse_jacobian),
/// by forward mode: one tangent sweep per wrt scalar. nullopt once `budget`
/// is exceeded; `visits` (if given) receives the sweeps' visits.
std::optional<std::vector<NodeId>> forward_jacobian(
    Builder& b, const std::vector<NodeId>& outputs, const std::vector<NodeId>& wrt,
    const TangentHook& hook = {}, const SweepBudget& budget = {}, size_t* visits = nullptr);

}  // namespace gradc
