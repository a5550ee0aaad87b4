// derivative_rules.cpp - local partials, one case per op, math beside each.
// Notation: n is the node's value, x (and y) its operands, s the seed.
#include "ad/derivative_rules.h"

#include <cmath>

#include "support/diagnostics.h"

namespace gradc {

namespace {

// s/d as s * (1/d): one reciprocal per denominator, shared by every adjoint
// and tangent through it (a multiply each instead of a divide; the result
// may differ from s/d in the last bit, docs/semantics.md). A constant
// denominator keeps s/c, which is exact where 1/c is not.
NodeId over(Builder& b, NodeId s, NodeId d) {
  return b.graph().is_const(d) ? b.div(s, d) : b.mul(s, b.div(b.one(), d));
}

// s*f for a partial f that is an operand: a constant 0 there is a
// structural zero, the +0 of a mask, so s*0 is 0 even for a seed that is a
// constant inf (the tangent of z/0), as a zero seed contributes nothing
// (partial_times), and x > 0 ? -k : s*0 stays the masked value x > 0 ? -k : 0
// for a seed -k (IEEE's (-k)*0 = -0 is no mask: Graph::is_masked).
NodeId times(Builder& b, NodeId s, NodeId f) {
  return b.graph().is_const(f, 0.0) ? b.zero() : b.mul(s, f);
}

// d/dx of the unary ops, times s.
NodeId unary_partial(Builder& b, Op op, NodeId n, NodeId x, NodeId s) {
  auto k = [&](double v) { return b.constant(v); };
  auto sq = [&](NodeId v) { return b.mul(v, v); };
  switch (op) {
    case Op::Neg: return b.neg(s);                                  // d(-x) = -1
    case Op::Exp: return b.mul(s, n);                               // exp' = exp
    case Op::Log: return b.div(s, x);                               // log' = 1/x
    case Op::Log1p: return b.div(s, b.add(k(1), x));                // 1/(1+x)
    case Op::Expm1: return b.mul(s, b.unary(Op::Exp, x));           // exp(x)
    case Op::Sqrt: return b.mul(s, over(b, k(0.5), n));             // 1/(2 sqrt x), one per node
    case Op::Cbrt: return b.div(s, b.mul(k(3), sq(n)));             // 1/(3 cbrt(x)^2)
    case Op::Sin: return b.mul(s, b.unary(Op::Cos, x));             // cos x
    case Op::Cos: return b.neg(b.mul(s, b.unary(Op::Sin, x)));      // -sin x
    case Op::Tan: return b.mul(s, b.add(k(1), sq(n)));              // 1 + tan^2 x
    case Op::Asin:                                                  // 1/sqrt(1-x^2)
      return b.div(s, b.unary(Op::Sqrt, b.sub(k(1), sq(x))));
    case Op::Acos:                                                  // -1/sqrt(1-x^2)
      return b.neg(b.div(s, b.unary(Op::Sqrt, b.sub(k(1), sq(x)))));
    case Op::Atan: return b.div(s, b.add(k(1), sq(x)));             // 1/(1+x^2)
    case Op::Sinh: return b.mul(s, b.unary(Op::Cosh, x));           // cosh x
    case Op::Cosh: return b.mul(s, b.unary(Op::Sinh, x));           // sinh x
    case Op::Tanh: return b.mul(s, b.sub(k(1), sq(n)));             // 1 - tanh^2 x
    case Op::Erf:                                                   // 2/sqrt(pi) e^(-x^2)
      return b.mul(s, b.mul(k(1.1283791670955126), b.unary(Op::Exp, b.neg(sq(x)))));
    case Op::Erfc:                                                  // -2/sqrt(pi) e^(-x^2)
      return b.mul(s, b.mul(k(-1.1283791670955126), b.unary(Op::Exp, b.neg(sq(x)))));
    case Op::Abs: return b.mul(s, b.unary(Op::Sign, x));            // sign x (0 at 0)
    case Op::Sigmoid: return b.mul(s, b.mul(n, b.sub(k(1), n)));    // s(1-s)
    case Op::Softplus: return b.mul(s, b.unary(Op::Sigmoid, x));    // sigmoid x
    case Op::Relu:                                                  // x > 0 ? 1 : 0
      return b.select(b.binary(Op::Gt, x, b.zero()), s, b.zero());
    case Op::Gelu: {  // Phi(x) + x phi(x), Phi(x) = (1 + erf(x/sqrt2))/2, phi = e^(-x^2/2)/sqrt(2pi)
      // Phi(x) as erfc(-x/sqrt2)/2: 1 + erf(x/sqrt2) loses every digit for
      // x below about -8 (the two terms below both tiny), as JAX's gelu.
      NodeId cdf = b.mul(k(0.5), b.unary(Op::Erfc, b.mul(k(-0.70710678118654752), x)));
      NodeId pdf = b.mul(k(0.3989422804014327), b.unary(Op::Exp, b.mul(k(-0.5), sq(x))));
      return b.mul(s, b.add(cdf, b.mul(x, pdf)));
    }
    // No derivative: logic and step functions.
    case Op::Not: case Op::Sign: case Op::Floor: case Op::Ceil: return kNoNode;
    case Op::NoGrad: return kNoNode;                                // stop_gradient' = 0
    case Op::WrtValue: return s;                                    // identity: h' = 1
    case Op::Const: case Op::Input: case Op::Add: case Op::Sub: case Op::Mul: case Op::Div:
    case Op::Pow: case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: case Op::Eq: case Op::Ne:
    case Op::And: case Op::Or: case Op::Atan2: case Op::Max: case Op::Min: case Op::LeakyRelu:
    case Op::Select: break;
  }
  throw InternalError("unary_partial: not a unary op");
}

// d/dx_i of the binary ops, times s.
NodeId binary_partial(Builder& b, Op op, NodeId n, NodeId x, NodeId y, int i, NodeId s) {
  auto k = [&](double v) { return b.constant(v); };
  auto other = i == 0 ? y : x, self = i == 0 ? x : y;
  switch (op) {
    case Op::Add: return s;                                         // d(x+y) = 1, 1
    case Op::Sub: return i == 0 ? s : b.neg(s);                     // 1, -1
    case Op::Mul:                                                   // y, x
      // x*x: d/dx = 2x, taken once for both operands: one product per
      // adjoint or tangent (s*(2x)) instead of two to add (s*x + s*x).
      if (x == y) return i == 0 ? times(b, s, b.add(x, x)) : kNoNode;
      return times(b, s, other);
    case Op::Div: {  // d(x/y) = 1/y, -x/y^2 = -(1/y)*n
      NodeId scaled = over(b, s, y);
      return i == 0 ? scaled : b.neg(b.mul(scaled, n));
    }
    case Op::Pow:
      if (i == 0) {
        // y x^(y-1), and 0 where y == 0 and x^(y-1) is not finite (x^0 = 1
        // for every x, as pow(x, 0) and JAX/PyTorch; at x = 0 the formula
        // is 0*inf). Where x^(y-1) is finite the formula is taken even at
        // y == 0 (its value 0 there), so its tangent in y, x^(y-1), gives
        // the mixed second derivative 1/x at y = 0, as d/dx(x^y log x) does.
        // Where x == 0 the exponent enters without its tangent (stop_gradient
        // of y has y's value): d/dy's guard makes it 0 at x == 0, flat in x,
        // so the mixed second derivative is 0 there in either order.
        NodeId x_nonzero = b.binary(Op::Ne, x, b.zero());
        NodeId e = b.select(x_nonzero, y, b.unary(Op::NoGrad, y));
        NodeId p = b.pow(x, b.sub(e, k(1)));
        return b.select(b.binary(Op::Or, b.binary(Op::Ne, y, b.zero()), b.is_finite(p)),
                        b.mul(s, b.mul(e, p)), b.zero());
      }
      // x^y log x where x != 0; 0 at x == 0 (SPEC 1)
      return b.select(b.binary(Op::Ne, x, b.zero()), b.mul(s, b.mul(n, b.unary(Op::Log, x))),
                      b.zero());
    case Op::Atan2: {  // atan2(y, x): d/dy = x/(x^2+y^2), d/dx = -y/(x^2+y^2)
      NodeId r2 = b.add(b.mul(x, x), b.mul(y, y));
      return i == 0 ? b.div(times(b, s, y), r2) : b.neg(b.div(times(b, s, x), r2));
    }
    case Op::Max: case Op::Min: {  // all to the winner, half each on a tie
      // self wins or ties where the result is self: n == self. That also
      // follows fmax/fmin past a NaN operand (max(y, NaN) is y, so y gets
      // the whole derivative; a NaN operand gets none), where other <= self
      // would be false for both. The tie test and the shared seed are the
      // same nodes for both operands.
      NodeId wins_or_ties = b.binary(Op::Eq, n, self);
      NodeId share = b.select(b.binary(Op::Eq, x, y), b.mul(k(0.5), s), s);
      return b.select(wins_or_ties, share, b.zero());
    }
    case Op::LeakyRelu: {  // x > 0 ? x : slope*x; d/dx = x>0 ? 1 : slope, d/dslope = x>0 ? 0 : x
      NodeId pos = b.binary(Op::Gt, x, b.zero());  // a constant slope 0: times' zero
      return i == 0 ? b.select(pos, s, times(b, s, y)) : b.select(pos, b.zero(), times(b, s, x));
    }
    // No derivative: comparisons and logic.
    case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: case Op::Eq: case Op::Ne:
    case Op::And: case Op::Or: return kNoNode;
    case Op::Const: case Op::Input: case Op::Neg: case Op::Not: case Op::Exp: case Op::Log:
    case Op::Log1p: case Op::Expm1: case Op::Sqrt: case Op::Cbrt: case Op::Sin: case Op::Cos:
    case Op::Tan: case Op::Asin: case Op::Acos: case Op::Atan: case Op::Sinh: case Op::Cosh:
    case Op::Tanh: case Op::Erf: case Op::Erfc: case Op::Abs: case Op::Sign: case Op::Floor: case Op::Ceil:
    case Op::Sigmoid: case Op::Softplus: case Op::Relu: case Op::Gelu: case Op::NoGrad:
    case Op::WrtValue: case Op::Select: break;
  }
  throw InternalError("binary_partial: not a binary op");
}

// seed * d n / d operand_i for a seed that is not masked.
NodeId unmasked_partial_times(Builder& b, NodeId id, int operand_index, NodeId seed) {
  const Node n = b.graph()[id];  // a copy: building nodes may move the arena
  switch (arity(n)) {
    case 1: return unary_partial(b, n.op, id, n.a, seed);
    case 2: return binary_partial(b, n.op, id, n.a, n.b, operand_index, seed);
    case 3:  // c ? a : b - the value and derivative come from the taken branch
      if (operand_index == 0) return kNoNode;
      return operand_index == 1 ? b.select(n.a, seed, b.zero()) : b.select(n.a, b.zero(), seed);
    default: throw InternalError("partial_times: a leaf has no operands");
  }
}

// times(s) for a seed that is not masked, with the seed's rules: a zero
// seed contributes nothing (kNoNode), and a masked seed c ? s : 0 gives
// c ? times(s) : 0.
template <class Times>
NodeId with_seed_mask(Builder& b, NodeId seed, const Times& times) {
  if (b.graph().is_const(seed, 0.0)) return kNoNode;
  if (b.pushes_mask(seed)) {
    const Node sn = b.graph()[seed];  // a copy: building nodes may move the arena
    NodeId inner = times(sn.b);
    return inner == kNoNode ? kNoNode : b.select(sn.a, inner, b.zero());
  }
  return times(seed);
}

}  // namespace

NodeId partial_times(Builder& b, NodeId id, int operand_index, NodeId seed) {
  // A masked seed (c ? s : 0: the adjoint or tangent of an untaken branch)
  // stays masked through the partial: (c ? s : 0)*p is c ? s*p : 0, exactly
  // 0 where c fails (SPEC 1). The builder does that for products too, but
  // not where p is a constant inf or NaN (the 1/0 of x/0), which it keeps
  // IEEE; here the zero is structural, so x > 0 ? x : y/0 has d/dy = 0 at
  // x = 1. A masked seed's s is itself unmasked (Builder::select), so this
  // is one level.
  // A zero seed is a structural zero (the derivative of pow(0, b) in b, an
  // adjoint that summed to 0): it contributes nothing, even through an
  // infinite partial (0 times the 1/0 of y/0 is 0, not NaN), as x*0 is 0,
  // so forward and reverse mode agree where such a zero meets a constant
  // inf (not where infinite terms cancel: inf - inf is NaN in either).
  // Under Builder::KeepMasks the masked seed is an ordinary factor
  // (Builder::pushes_mask).
  return with_seed_mask(b, seed, [&](NodeId s) {
    return unmasked_partial_times(b, id, operand_index, s);
  });
}

NodeId ChainEdge::times(Builder& b, NodeId seed) const {
  if (operand >= 0) return partial_times(b, f, operand, seed);
  const double n = b.graph().inverse_power(f)->exponent;
  return seed_times(b, seed, b.mul(b.constant(-n), b.div(f, x)));  // d x^-n = -n x^-n / x
}

NodeId seed_times(Builder& b, NodeId seed, NodeId factor) {
  // As partial_times (with_seed_mask); a constant zero factor contributes
  // nothing, and a masked seed keeps its mask even where the factor is a
  // constant inf (the builder would leave (c ? s : 0)*inf IEEE).
  if (b.graph().is_const(factor, 0.0)) return kNoNode;
  return with_seed_mask(b, seed, [&](NodeId s) { return b.mul(s, factor); });
}

bool has_finite_partials(Op op) {
  switch (op) {
    case Op::Const: case Op::Input:  // leaves: finite_cone checks a constant's value
    case Op::Neg: case Op::Add: case Op::Sub: case Op::Mul:  // partials 1, -1, the other operand
    case Op::Not: case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: case Op::Eq: case Op::Ne:
    case Op::And: case Op::Or: case Op::Sign: case Op::Floor: case Op::Ceil:
    case Op::NoGrad:                                  // no partial
    case Op::WrtValue:                                // 1
    case Op::Abs: case Op::Relu: case Op::Max: case Op::Min: case Op::LeakyRelu:
    case Op::Select:                                  // 0, 1, 1/2, -1, a slope, a mask
    case Op::Sin: case Op::Cos:                       // cos x, -sin x
    case Op::Atan:                                    // 1/(1+x^2) <= 1
    case Op::Tanh: case Op::Sigmoid:                  // 1 - n^2, n(1-n)
    case Op::Softplus:                                // sigmoid x (softplus <= |x| + log 2)
    case Op::Erf: case Op::Erfc: case Op::Gelu:                      // e^(-x^2) terms
      return true;
    case Op::Div: case Op::Log: case Op::Log1p: case Op::Sqrt: case Op::Cbrt:  // poles at 0 / -1
    case Op::Tan: case Op::Asin: case Op::Acos:       // poles, domain edges
    case Op::Pow: case Op::Atan2:                     // x^(y-1), 1/(x^2+y^2)
    case Op::Exp: case Op::Expm1: case Op::Sinh: case Op::Cosh:  // overflow from x ~ 710
      return false;
  }
  throw InternalError("has_finite_partials: unknown op");
}

bool finite_cone(const Graph& g, NodeId id, const std::vector<bool>& finite) {
  // A constant, or a constant expression the builder keeps as a node
  // because its value is not finite (1e200*1e200, 1/0): finite or not by
  // its value, whatever its op.
  if (double v; g.constant_value(id, v)) return std::isfinite(v);
  const Node& n = g[id];
  if (!has_finite_partials(n.op)) return false;
  for (int i = 0; i < arity(n); ++i)
    if (!finite[operand(n, i)]) return false;
  return true;
}

bool masks_as_selection(Op op) {
  switch (op) {
    case Op::Select: case Op::Max: case Op::Min: case Op::LeakyRelu: case Op::Pow:
      return true;
    case Op::Relu:  // the step the mask-once rule is for
    case Op::Const: case Op::Input: case Op::Neg: case Op::Not: case Op::Exp: case Op::Log:
    case Op::Log1p: case Op::Expm1: case Op::Sqrt: case Op::Cbrt: case Op::Sin: case Op::Cos:
    case Op::Tan: case Op::Asin: case Op::Acos: case Op::Atan: case Op::Sinh: case Op::Cosh:
    case Op::Tanh: case Op::Erf: case Op::Erfc: case Op::Abs: case Op::Sign: case Op::Floor: case Op::Ceil:
    case Op::Sigmoid: case Op::Softplus: case Op::Gelu: case Op::NoGrad: case Op::WrtValue:
    case Op::Add: case Op::Sub: case Op::Mul: case Op::Div: case Op::Lt: case Op::Le: case Op::Gt:
    case Op::Ge: case Op::Eq: case Op::Ne: case Op::And: case Op::Or: case Op::Atan2:
      return false;
  }
  throw InternalError("masks_as_selection: unknown op");
}

}  // namespace gradc
