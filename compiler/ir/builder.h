// builder.h - smart constructors: every node the compiler makes goes through
// here, so constants are folded and identities simplified as the DAG grows.
//
// Constant expressions fold to their IEEE value: when every operand is a
// constant (or a constant expression kept as a node because its value is not
// finite, such as `1/0`), the result is the IEEE result, so `0/0`,
// `0*(1/0)`, `0*log(0)` and `1/0 - 1/0` stay NaN. The rewrites below apply
// only where an operand is not constant.
//
// Floating-point assumptions (also in docs/semantics.md). The rewrites below
// are exact for finite, non-NaN operands up to the sign of a zero result;
// where a non-constant operand is inf or NaN at run time they may differ
// from IEEE evaluation of the formula:
//   x*0 -> 0, 0/x -> 0, x-x -> 0, x/x -> 1    (wrong when x is inf/NaN or 0 for x/x;
//                                              x*0 and 0/x are +0 where IEEE gives -0)
//   (a/b)*b -> a                              (wrong when b is 0, inf or NaN; rounding;
//                                              never applied where b is known to be)
//   (c ? a : 0)*y -> c ? a*y : 0              (a zero branch stays zero; not applied
//   (c ? a : 0)/y -> c ? a/y : 0               where y is known to be 0, inf or NaN)
//   (c1 ? a : 0) + (c2 ? b : 0) -> (c1 || c2) ? ((c1 ? a : 0) + (c2 ? b : 0)) : 0
//   c ? (d1 ? a : 0) : (d2 ? b : 0) -> ((c && d1) || (!c && d2)) ? (c ? a : b) : 0
//                                              (exact; d1 == d2 gives d1 ? ... : 0)
//   c ? (d ? a : 0) : b -> (!c || d) ? (c ? a : b) : 0, c ? a : (d ? b : 0) -> (c || d) ? ... (exact)
//   c ? (d ? p : b) : b -> (c && d) ? p : b, c ? a : (d ? a : q) -> (c || d) ? a : q,
//   c ? (d ? b : q) : b -> (c && !d) ? q : b, c ? a : (d ? q : a) -> (c || !d) ? a : q (exact)
// The masked-value rules are what keep the untaken branch of `?:`, relu, max
// and friends from leaking NaN or inf into a derivative (SPEC 1).
//   -(a-b) -> b-a, x+x -> 2*x                  (sign of a zero result may differ)
//   x^2 -> x*x, x^-1 -> 1/x, x^0.5 -> sqrt(x)  (pow special cases at -0, -inf)
//   (b + c1) + c2 -> b + (c1+c2)               (reassociation: rounding)
//   x - (x - b) -> b, x + (b - x) -> b         (rounding; inf/NaN x)
//   a*sigmoid(-z) + b*sigmoid(z) -> sigmoid(z) + a   where b - a simplifies
//                                              to 1 (sigmoid(-z) = 1 - sigmoid(z):
//                                              the derivative of the binary cross-
//                                              entropy of sigmoid(z) becomes p - y;
//                                              absolute error eps, as every p - y)
// Folding never creates a non-finite Const: `1/0` stays a division node,
// recorded in the Graph as a constant expression whose value is inf.
#pragma once

#include "ir/ir.h"

namespace gradc {

/// Gives a variable a value for the lifetime of this object, then the one
/// it had (the builder's flags and counters around a nested build).
template <typename T>
class Scoped {
 public:
  Scoped(T& var, T value) : var_(var), was_(var) { var = value; }
  ~Scoped() { var_ = was_; }
  Scoped(const Scoped&) = delete;
  Scoped& operator=(const Scoped&) = delete;

 private:
  T& var_;
  T was_;
};

/// Builds simplified, hash-consed nodes in a Graph.
class Builder {
 public:
  explicit Builder(Graph& g) : g_(g) {}
  Graph& graph() { return g_; }

  NodeId constant(double v) { return g_.constant(v); }
  NodeId zero() { return g_.constant(0.0); }
  NodeId one() { return g_.constant(1.0); }
  NodeId input(uint32_t index) { return g_.input(index); }

  /// Any op, dispatched to the smart constructor for it.
  NodeId make(Op op, NodeId a, NodeId b = kNoNode, NodeId c = kNoNode);

  NodeId neg(NodeId x);
  NodeId add(NodeId x, NodeId y);
  NodeId sub(NodeId x, NodeId y);
  NodeId mul(NodeId x, NodeId y);
  NodeId div(NodeId x, NodeId y);
  NodeId pow(NodeId x, NodeId y);
  NodeId unary(Op op, NodeId x);
  NodeId binary(Op op, NodeId x, NodeId y);
  NodeId select(NodeId c, NodeId a, NodeId b);
  /// The condition `abs(x) <= DBL_MAX`: true for finite x, false for inf
  /// and NaN (a guard for a shift or a formula that is only safe there).
  NodeId is_finite(NodeId x);

  /// A value that nothing else reads (a kernel's result) needs no mask
  /// around a masked sum (C ? S : 0 is S, bit for bit, when C is the
  /// condition S was made with): S for that form, else x.
  NodeId unmasked_root(NodeId x) const;

  /// While one of these lives (with `on`), a masked value `c ? v : 0` is an
  /// ordinary operand of `*`, `/`, unary `-` and `+`: `(c ? v : 0)*y` stays
  /// that product, as IEEE evaluates it, instead of becoming `c ? v*y : 0`,
  /// and two masked terms add without a mask around their sum (a bare step
  /// `c ? 1 : 0` is still pushed: pushes_mask). Reverse mode
  /// turns it on below a ReLU whose operand is computed by operations with
  /// finite partials (ad/reverse_diff.cpp), so the ReLU's mask is applied
  /// once to the adjoint rather than to every product below it.
  class KeepMasks {
   public:
    KeepMasks(Builder& b, bool on) : keep_(b.keep_masks_, on) {}

   private:
    Scoped<bool> keep_;
  };
  /// Is `x` a masked value that products, quotients, negation and sums push
  /// their operation into? Not while a KeepMasks is on, unless it is a bare
  /// step `c ? 1 : 0`: `c ? p : 0` costs what `(c ? 1 : 0)*p` does, and
  /// stays a mask.
  bool pushes_mask(NodeId x) const {
    return g_.is_masked(x) && (!keep_masks_ || g_.is_const(g_[x].b, 1.0));
  }

 private:
  bool is(NodeId id, double v) const { return g_.is_const(id, v); }
  bool is_const(NodeId id) const { return g_.is_const(id); }
  double value(NodeId id) const { return g_.const_value(id); }
  /// The constant node for `v` if it is finite, else kNoNode (no folding).
  NodeId folded(double v);
  /// If every operand is a constant expression (Graph::constant_value), the
  /// IEEE value of `op` on them: a Const when finite, else the unfolded
  /// node, recorded as a non-finite constant expression. Else kNoNode.
  NodeId fold(Op op, NodeId a, NodeId b = kNoNode);
  /// Is `id` a constant expression whose value is 0, inf or NaN?
  bool is_nonfinite_or_zero(NodeId id) const;
  NodeId raw(Op op, NodeId a, NodeId b = kNoNode, NodeId c = kNoNode) {
    return g_.add(Node{op, a, b, c});
  }
  /// (c ? u : v) op (c' ? p : q) as one select when c' is c or !c (op: Add,
  /// Sub), else kNoNode.
  NodeId merge_selects(Op op, NodeId x, NodeId y);
  /// Is sigmoid_pair looking for a pair (it does not look again inside)?
  bool finding_sigmoid_pair_ = false;
  /// How many merge_selects calls are under way (see kMaxMergeDepth).
  int merge_depth_ = 0;
  static constexpr int kMaxMergeDepth = 4;
  /// Is one of c, d the Not of the other?
  bool complementary(NodeId c, NodeId d) const;
  /// Is x a masked value `c ? v : 0`?
  bool is_masked(NodeId x) const { return g_.is_masked(x); }
  NodeId integer_power(NodeId x, long n);
  /// Is `u` x^n exactly as integer_power multiplies it out, nothing
  /// simplified away? (Where 1/u may be differentiated as pow.)
  bool is_multiplied_power(NodeId u, NodeId x, long n) const;
  /// `x && y` or `x || y` with boolean algebra applied.
  NodeId logic(Op op, NodeId x, NodeId y);
  /// Is x's value always 0 or 1 (a comparison or logic op)?
  bool is_truth(NodeId x) const;
  /// `op` (Log or Log1p) of x rewritten stably, or kNoNode.
  NodeId stable_log(Op op, NodeId x);
  /// Can x be negated without a new Neg node (constant, -a, a-b, k*a)?
  bool absorbs_sign(NodeId x) const;
  /// If x is `b + c` or `b - c` with constant c, set c (negated for `-`)
  /// and b and return true.
  bool offset(NodeId x, double& c, NodeId& base) const;
  /// If x is `k*y` with constant k, set k and y and return true.
  bool scaled(NodeId x, double& k, NodeId& y) const;
  /// If x is `w*op(u)`, `op(u)*w`, `op(u)` (w = 1) or the negation of one
  /// of these (w negated), set w and u.
  bool weighted(NodeId x, Op op, NodeId& w, NodeId& u);
  /// `x + y` (or `x - y` if `subtract`) when it is a*sigmoid(-z) +
  /// b*sigmoid(z) with b - a = 1: sigmoid(z) + a; else kNoNode.
  NodeId sigmoid_pair(NodeId x, NodeId y, bool subtract);

  Graph& g_;
  bool keep_masks_ = false;  // KeepMasks
};

}  // namespace gradc
