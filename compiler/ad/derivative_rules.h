// derivative_rules.h - the local partial derivative of every op, in one table
// shared by every differentiation mode.
#pragma once

#include <vector>

#include "ir/builder.h"

namespace gradc {

/// `seed * d n / d operand_i`, built as nodes. The result is linear in
/// `seed`, so reverse mode passes the adjoint of `n` as the seed (and adds the
/// result into the operand's adjoint), and forward mode passes the operand's
/// tangent. Returns kNoNode where the op carries no derivative to that
/// operand (comparisons, logic, sign, floor, ceil, a select's condition),
/// and for operand 1 of `x*x`, whose operand 0 carries the whole `2x`:
/// callers sum over every operand of the node, as the chain rule does.
/// Selections (`?:`, relu, max, ...) return masked values `c ? v : 0`, which
/// the builder keeps zero through later products, so an untaken branch never
/// leaks NaN or inf.
/// While a Builder::KeepMasks is on, a masked seed is multiplied as it is
/// (`(c ? s : 0)*p`, IEEE) instead of pushed into the partial
/// (`c ? s*p : 0`); reverse mode does that only where every partial below
/// is finite for finite inputs (finite_cone), where the two are equal.
NodeId partial_times(Builder& b, NodeId n, int operand, NodeId seed);

/// seed * factor for a factor that is a forward value (a preaccumulated
/// partial, ReverseSweeps), with partial_times' zero and mask rules:
/// kNoNode for a zero seed or a constant zero factor, and a masked seed
/// `c ? s : 0` gives `c ? s*factor : 0` even where the factor is a
/// constant inf.
NodeId seed_times(Builder& b, NodeId seed, NodeId factor);

/// One edge of the chain rule, from node `f` to a node `x` it is computed
/// from: every sweep (reverse, forward, local_partials) walks a node's edges
/// (for_each_chain_edge) and multiplies a seed along each.
struct ChainEdge {
  NodeId x;         ///< where the edge ends
  NodeId f;         ///< where it starts
  int operand;      ///< x's operand index in f; -1: the x^-n edge below
  /// seed * d f / d x: partial_times, or for the x^-n edge seed_times with
  /// -n f / x (kNoNode where nothing flows).
  NodeId times(Builder& b, NodeId seed) const;
};

/// Call visit(ChainEdge) for each edge of f: one per operand, or one edge
/// straight to x for a node that is x^-n (n >= 2) as 1/x^n (Graph::
/// inverse_power). There the partial is -n f / x, as pow's rule b a^(b-1)
/// gives it (SPEC 1: -inf at x = 0), where the chain rule through 1/u and
/// u = x^n would give inf*0 = NaN. `visit` may grow the graph.
template <class Visit>
void for_each_chain_edge(const Graph& g, NodeId f, Visit&& visit) {
  if (const Graph::InversePower* p = g.inverse_power(f)) {
    visit(ChainEdge{p->base, f, -1});
    return;
  }
  const Node n = g[f];  // a copy: visit may grow the arena
  for (int i = 0; i < arity(n); ++i) visit(ChainEdge{operand(n, i), f, i});
}

/// Is the op's value, and each of its local partials, finite wherever its
/// operands are finite (short of overflow: `+ - *` of values beyond about
/// 1e154)? True for `+ - *`, negation, relu and the other piecewise-linear
/// ops, `?:`, logic, sin, cos, atan, tanh, erf, sigmoid, softplus, gelu;
/// false for `/`, log, sqrt, pow and the others with a pole or a domain
/// edge, and for exp, expm1, sinh and cosh, which overflow at arguments
/// near 710.
bool has_finite_partials(Op op);

/// Is every node `id` is computed from (itself included) an input, a finite
/// constant or an op with finite partials over such nodes, given that answer
/// for its operands in `finite` (by id; operands have smaller ids)? A
/// constant expression whose value is not finite (`1e200*1e200`) is not.
/// Then every local partial below it is finite for finite inputs.
bool finite_cone(const Graph& g, NodeId id, const std::vector<bool>& finite);

/// Does the op's partial mask the seed (`c ? s : 0`) as a selection the
/// program makes, `?:`, max, min, leaky_relu or pow's guards, rather than
/// relu's own step?
bool masks_as_selection(Op op);

}  // namespace gradc
