// builder.cpp - constant folding and algebraic simplification at node
// construction time. See builder.h for the floating-point assumptions.
#include "ir/builder.h"

#include <cmath>
#include <limits>

#include "ir/scalar_math.h"

namespace gradc {

NodeId Builder::folded(double v) {
  return std::isfinite(v) ? g_.constant(v) : kNoNode;
}

bool Builder::is_nonfinite_or_zero(NodeId id) const {
  double v;
  return g_.constant_value(id, v) && (v == 0 || !std::isfinite(v));
}

NodeId Builder::fold(Op op, NodeId a, NodeId b) {
  double va, vb = 0;
  if (!g_.constant_value(a, va) || (b != kNoNode && !g_.constant_value(b, vb))) return kNoNode;
  double v = b == kNoNode ? math::apply(op, va) : math::apply(op, va, vb);
  if (std::isfinite(v)) return g_.constant(v);
  if (NodeId same = g_.nonfinite_node(v); same != kNoNode) return same;
  NodeId id = raw(op, a, b);  // `1/0` stays a division, known to be inf
  g_.set_nonfinite_value(id, v);
  return id;
}

// A factor absorbs a sign when its negation is never a Neg node: a
// constant, -a, a - b, k*y. Not a constant expression kept as a node because
// its value is not finite (1e200*1e200): it negates by folding, into the node
// -(1e200*1e200), and -(inf/y) -> (-inf)/y -> -(inf/y) (div and mul move a
// sign out of an operand) would never end.
bool Builder::absorbs_sign(NodeId x) const {
  double k, v;
  NodeId y;
  Op op = g_[x].op;
  if (op != Op::Const && g_.constant_value(x, v)) return false;
  return op == Op::Const || op == Op::Neg || op == Op::Sub || scaled(x, k, y);
}

bool Builder::offset(NodeId x, double& c, NodeId& base) const {
  const Node n = g_[x];  // a copy: building nodes may move the arena
  if ((n.op == Op::Add || n.op == Op::Sub) && is_const(n.b)) {
    c = n.op == Op::Add ? value(n.b) : -value(n.b);
    base = n.a;
    return true;
  }
  return false;
}

bool Builder::scaled(NodeId x, double& k, NodeId& y) const {
  const Node n = g_[x];  // a copy: building nodes may move the arena
  if (n.op == Op::Mul && is_const(n.a)) {
    k = value(n.a);
    y = n.b;
    return true;
  }
  k = 1.0;
  y = x;
  return false;
}

NodeId Builder::make(Op op, NodeId a, NodeId b, NodeId c) {
  switch (op_info(op).arity) {
    case 1: return unary(op, a);
    case 2: return binary(op, a, b);
    case 3: return select(a, b, c);
    default: return raw(op, a, b, c);
  }
}

NodeId Builder::neg(NodeId x) {
  const Node n = g_[x];  // a copy: building nodes may move the arena
  if (NodeId f = fold(Op::Neg, x); f != kNoNode) return f;
  if (n.op == Op::Neg) return n.a;                      // --x -> x
  if (n.op == Op::Sub) return sub(n.b, n.a);            // -(a-b) -> b-a
  double k;
  NodeId y;
  if (scaled(x, k, y)) return mul(constant(-k), y);     // -(k*y) -> (-k)*y
  if (pushes_mask(x)) return select(n.a, neg(n.b), zero()); // -(c ? a : 0)
  // Push the sign into a factor that absorbs it: -((-2*x)*y) -> (2*x)*y,
  // -((a-b)/c) -> (b-a)/c. Not into a denominator a - b: where a == b it is
  // +0 either way round, so x/(b - a) would be inf where -(x/(a - b)) is -inf.
  if (n.op == Op::Mul || n.op == Op::Div) {
    NodeId a = n.a, b = n.b;
    if (absorbs_sign(a)) return binary(n.op, neg(a), b);
    if (absorbs_sign(b) && !(n.op == Op::Div && g_[b].op == Op::Sub))
      return binary(n.op, a, neg(b));
  }
  return raw(Op::Neg, x);
}

bool Builder::weighted(NodeId x, Op op, NodeId& w, NodeId& u) {
  const Node n = g_[x];  // a copy: building nodes may move the arena
  if (n.op == op) {
    w = one();
    u = n.a;
    return true;
  }
  if (n.op == Op::Neg && g_[n.a].op != Op::Neg && weighted(n.a, op, w, u)) {
    w = neg(w);
    return true;
  }
  if (n.op != Op::Mul) return false;
  if (g_[n.b].op == op) {
    w = n.a;
    u = g_[n.b].a;
    return true;
  }
  if (g_[n.a].op == op) {
    w = n.b;
    u = g_[n.a].a;
    return true;
  }
  return false;
}

// The derivative of the binary cross-entropy of p = sigmoid(z),
// -(y*log(p) + (1-y)*log(1-p)) = y*softplus(-z) + (1-y)*softplus(z) (see
// stable_log), is (1-y)*sigmoid(z) - y*sigmoid(-z). With sigmoid(-z) =
// 1 - sigmoid(z) it is sigmoid(z) - y: the textbook p - y, one subtraction.
//
// Finding the pair builds nodes (the weights, negated, and their difference),
// and building them may look for a pair again, among the weights' own terms:
// on a chain s_i = s_i-1*sigmoid(y), t_i = t_i-1*sigmoid(-y) the search for
// t_n + s_n went down the whole chain, twice per level (x - (-b) tries it,
// then x + b does): exponential time, and recursion as deep as the program.
// So no pair is looked for while one is being looked for; the loss's
// weights (y, 1 - y) need none.
NodeId Builder::sigmoid_pair(NodeId x, NodeId y, bool subtract) {
  if (finding_sigmoid_pair_) return kNoNode;
  NodeId z, a, b;  // the sum is a*sigmoid(-z) + b*sigmoid(z)
  {
    Scoped<bool> finding(finding_sigmoid_pair_, true);
    NodeId wx, ux, wy, uy;
    if (!weighted(x, Op::Sigmoid, wx, ux) || !weighted(y, Op::Sigmoid, wy, uy)) return kNoNode;
    if (subtract) wy = neg(wy);
    if (g_[ux].op == Op::Neg && g_[ux].a == uy) {
      z = uy, a = wx, b = wy;
    } else if (g_[uy].op == Op::Neg && g_[uy].a == ux) {
      z = ux, a = wy, b = wx;
    } else {
      return kNoNode;
    }
    if (!is(sub(b, a), 1.0)) return kNoNode;
  }
  return add(unary(Op::Sigmoid, z), a);
}

// Two selects on one condition, or on complementary ones, are one select:
//   (c ? u : v) + (c ? p : q) -> c ? u + p : v + q
//   (c ? u : v) + (!c ? p : q) -> c ? u + q : v + p
// (and the same for -), exact: each branch adds what the two values add
// when the condition holds or fails. The derivative of a ?: sums adjoint
// terms masked by c and by !c (a masked term is c ? t : 0), in whatever
// order the sweep reaches them; this folds them into one select.
//
// Merging the branches merges selects inside them too, but only
// kMaxMergeDepth levels down: two chains of selects on shared conditions
// (s_i = c_i ? s_i-1 : ..., t_i = c_i ? t_i-1 : ...) would otherwise recurse
// as deep as the program is long, and a DAG of selects would be merged as a
// tree, in exponential time. Below that depth the branches add as they are.
NodeId Builder::merge_selects(Op op, NodeId x, NodeId y) {
  const Node nx = g_[x], ny = g_[y];  // copies: building may move the arena
  if (nx.op != Op::Select || ny.op != Op::Select) return kNoNode;
  if (merge_depth_ >= kMaxMergeDepth) return kNoNode;
  Scoped<int> level(merge_depth_, merge_depth_ + 1);
  auto combine = [&](NodeId a, NodeId b) { return op == Op::Add ? add(a, b) : sub(a, b); };
  if (nx.a == ny.a) return select(nx.a, combine(nx.b, ny.b), combine(nx.c, ny.c));
  if (!complementary(nx.a, ny.a)) return kNoNode;
  // On the condition that is not the negated one: c ? ... rather than !c ? ...
  if (g_[nx.a].op == Op::Not && g_[nx.a].a == ny.a)
    return select(ny.a, combine(nx.c, ny.b), combine(nx.b, ny.c));
  return select(nx.a, combine(nx.b, ny.c), combine(nx.c, ny.b));
}

bool Builder::complementary(NodeId c, NodeId d) const {
  return (g_[d].op == Op::Not && g_[d].a == c) || (g_[c].op == Op::Not && g_[c].a == d);
}

NodeId Builder::add(NodeId x, NodeId y) {
  if (NodeId f = fold(Op::Add, x, y); f != kNoNode) return f;  // IEEE
  if (is(x, 0.0)) return y;                                // 0+y -> y
  if (is(y, 0.0)) return x;                                // x+0 -> x
  if (g_[y].op == Op::Sub && g_[y].b == x) return g_[y].a; // x + (b - x) -> b
  if (g_[x].op == Op::Sub && g_[x].b == y) return g_[x].a; // (b - y) + y -> b
  if (NodeId bce = sigmoid_pair(x, y, false); bce != kNoNode) return bce;
  if (is_const(x)) std::swap(x, y);                        // constant last
  double c;
  NodeId base;
  if (is_const(y) && offset(x, c, base)) {                 // (b + c1) + c2 -> b + (c1+c2)
    if (NodeId f = folded(c + value(y)); f != kNoNode) return add(base, f);
  }
  if (g_[y].op == Op::Neg) return sub(x, g_[y].a);         // x+(-b) -> x-b
  if (is_const(y) && value(y) < 0) return sub(x, constant(-value(y)));  // x+(-2) -> x-2
  if (g_[x].op == Op::Neg) return sub(y, g_[x].a);         // (-a)+y -> y-a
  double kx, ky;
  NodeId bx, by;
  bool sx = scaled(x, kx, bx), sy = scaled(y, ky, by);
  if (bx == by && !is_const(bx) && (sx || sy || x == y)) {  // a*z + b*z -> (a+b)*z
    if (NodeId k = folded(kx + ky); k != kNoNode) return mul(k, bx);
  }
  const Node nx = g_[x], ny = g_[y];  // copies: building may move the arena
  if (NodeId merged = merge_selects(Op::Add, x, y); merged != kNoNode) return merged;
  // Two masked values (c ? u : 0) with different conditions: their sum is
  // masked by c1 || c2, so a later product keeps it zero where neither holds.
  // A masked sum S under its own mask (C ? S : 0, C the very condition S
  // was made with, not a stronger one such as c && C) enters unwrapped: S
  // is already +0 wherever C is false, so k masked terms make one flat sum
  // under one mask, not k - 1 nested ones.
  if (pushes_mask(x) && pushes_mask(y)) {
    NodeId cond = binary(Op::Or, nx.a, ny.a);
    NodeId sum = raw(Op::Add, unmasked_root(x), unmasked_root(y));
    g_.set_masked_sum(sum, cond);
    return select(cond, sum, zero());
  }
  return raw(Op::Add, x, y);
}

NodeId Builder::sub(NodeId x, NodeId y) {
  if (NodeId f = fold(Op::Sub, x, y); f != kNoNode) return f;  // IEEE
  if (is(y, 0.0)) return x;                                // x-0 -> x
  if (is(x, 0.0)) return neg(y);                           // 0-y -> -y
  if (x == y) return zero();                               // x-x -> 0
  if (g_[y].op == Op::Sub && g_[y].a == x) return g_[y].b; // x - (x - b) -> b
  if (NodeId bce = sigmoid_pair(x, y, true); bce != kNoNode) return bce;
  double c;
  NodeId base;
  if (is_const(y) && offset(x, c, base)) {                 // (b + c1) - c2 -> b + (c1-c2)
    if (NodeId f = folded(c - value(y)); f != kNoNode) return add(base, f);
  }
  if (g_[y].op == Op::Neg) return add(x, g_[y].a);         // x-(-b) -> x+b
  if (is_const(y) && value(y) < 0) return add(x, constant(-value(y)));  // x-(-2) -> x+2
  if (NodeId merged = merge_selects(Op::Sub, x, y); merged != kNoNode) return merged;
  double kx, ky;
  NodeId bx, by;
  bool sx = scaled(x, kx, bx), sy = scaled(y, ky, by);
  if (bx == by && !is_const(bx) && (sx || sy)) {           // a*z - b*z -> (a-b)*z
    if (NodeId k = folded(kx - ky); k != kNoNode) return mul(k, bx);
  }
  return raw(Op::Sub, x, y);
}

NodeId Builder::mul(NodeId x, NodeId y) {
  if (NodeId f = fold(Op::Mul, x, y); f != kNoNode) return f;  // IEEE
  if (is(x, 0.0) || is(y, 0.0)) return zero();             // x*0 -> 0
  if (is(x, 1.0)) return y;                                // 1*y -> y
  if (is(y, 1.0)) return x;                                // x*1 -> x
  if (is(x, -1.0)) return neg(y);
  if (is(y, -1.0)) return neg(x);
  const Node nx = g_[x], ny = g_[y];  // copies: building may move the arena
  // (a/y)*y -> a, unless y is known to be 0, inf or NaN (a constant expression)
  if (nx.op == Op::Div && nx.b == y && !is_nonfinite_or_zero(y)) return nx.a;
  if (ny.op == Op::Div && ny.b == x && !is_nonfinite_or_zero(x)) return ny.a;
  if (x == y && nx.op == Op::Sqrt) return nx.a;            // sqrt(s)*sqrt(s) -> s
  if (nx.op == Op::Neg && ny.op == Op::Neg) return mul(nx.a, ny.a);
  if (nx.op == Op::Neg) return neg(mul(nx.a, y));          // (-a)*y -> -(a*y)
  if (ny.op == Op::Neg) return neg(mul(x, ny.a));
  // A select with a zero branch keeps that branch zero: (c ? a : 0)*y ->
  // c ? a*y : 0. This is what stops a NaN in an untaken branch's partials
  // from leaking into the derivative.
  // Not when the other factor is a constant expression known to be inf/NaN.
  if (pushes_mask(x) && !is_nonfinite_or_zero(y)) return select(nx.a, mul(nx.b, y), zero());
  if (pushes_mask(y) && !is_nonfinite_or_zero(x)) return select(ny.a, mul(x, ny.b), zero());
  double k;
  NodeId z;
  // a*(b*z) -> (a*b)*z, unless a*b overflows or underflows.
  auto fold_scale = [&](double a) {
    double ab = a * k;
    return std::isfinite(ab) && (ab != 0 || a == 0 || k == 0) ? mul(constant(ab), z) : kNoNode;
  };
  if (is_const(x) && scaled(y, k, z)) {
    if (NodeId r = fold_scale(value(x)); r != kNoNode) return r;
  } else if (is_const(y) && scaled(x, k, z)) {
    if (NodeId r = fold_scale(value(y)); r != kNoNode) return r;
  }
  return raw(Op::Mul, x, y);
}

NodeId Builder::div(NodeId x, NodeId y) {
  if (NodeId f = fold(Op::Div, x, y); f != kNoNode) return f;  // IEEE
  if (is(y, 1.0)) return x;                                // x/1 -> x
  if (is(y, -1.0)) return neg(x);
  if (is(x, 0.0)) return zero();                           // 0/y -> 0
  if (x == y) return one();                                // x/x -> 1
  if (g_[x].op == Op::Neg) return neg(div(g_[x].a, y));    // (-a)/y -> -(a/y)
  if (g_[y].op == Op::Neg) return neg(div(x, g_[y].a));    // x/(-b) -> -(x/b)
  if (pushes_mask(x) && !is_nonfinite_or_zero(y))       // (c ? a : 0)/y
    return select(g_[x].a, div(g_[x].b, y), zero());
  return raw(Op::Div, x, y);
}

// Is `u` exactly x^n as integer_power multiplies it out, nothing simplified
// away (sqrt(s)*sqrt(s) is s, (-a)*(-a) is a*a, a masked x's square a
// select)? Then x is below u, in every sweep's cone. Square and multiply:
// at most 2 log2(n) nodes visited, no recursion.
bool Builder::is_multiplied_power(NodeId u, NodeId x, long n) const {
  std::vector<long> exponents;  // n, n/2, ..., 1: the squarings from the top
  for (long k = n; k > 1; k /= 2) exponents.push_back(k);
  for (long k : exponents) {
    if (k % 2) {  // sq*x (or x*sq: a product is the node first written)
      if (g_[u].op != Op::Mul || (g_[u].a != x && g_[u].b != x)) return false;
      u = g_[u].b == x ? g_[u].a : g_[u].b;
    }
    if (g_[u].op != Op::Mul || g_[u].a != g_[u].b) return false;  // half*half
    u = g_[u].a;
  }
  return u == x;
}

NodeId Builder::integer_power(NodeId x, long n) {
  if (n < 0) {                                             // x^-n -> 1/x^n
    NodeId f = div(one(), integer_power(x, -n));
    // Differentiated as pow (Graph::inverse_power), where 1/x^n is x's own
    // power below the division; 1/x's own rule is fine.
    if (n <= -2 && g_[f].op == Op::Div && g_[f].a == one() && is_multiplied_power(g_[f].b, x, -n))
      g_.set_inverse_power(f, x, int(-n));
    return f;
  }
  if (n == 0) return one();
  if (n == 1) return x;
  NodeId half = integer_power(x, n / 2);                   // square and multiply
  NodeId sq = mul(half, half);
  return n % 2 ? mul(sq, x) : sq;
}

NodeId Builder::pow(NodeId x, NodeId y) {
  if (NodeId f = fold(Op::Pow, x, y); f != kNoNode) return f;  // IEEE
  if (is(x, 1.0)) return one();                            // 1^y -> 1
  if (is_const(y)) {
    double e = value(y);
    if (e == 0.5) return unary(Op::Sqrt, x);
    if (e == std::trunc(e) && std::fabs(e) <= 16) return integer_power(x, long(e));
  }
  return raw(Op::Pow, x, y);
}

NodeId Builder::unary(Op op, NodeId x) {
  if (op == Op::Neg) return neg(x);
  if (NodeId f = fold(op, x); f != kNoNode) return f;  // IEEE
  const Node n = g_[x];  // a copy: building nodes may move the arena
  if (n.op == op && (op == Op::Abs || op == Op::Relu || op == Op::Floor ||
                     op == Op::Ceil || op == Op::Sign || op == Op::NoGrad))
    return x;                                              // idempotent ops
  if (op == Op::Abs && n.op == Op::Neg) return unary(Op::Abs, n.a);
  if (op == Op::Not && n.op == Op::Not && is_truth(n.a)) return n.a;  // !!a -> a (a is 0/1)
  if (op == Op::Log || op == Op::Log1p) {
    if (NodeId r = stable_log(op, x); r != kNoNode) return r;
  }
  return raw(op, x);
}

// Logarithms of a sigmoid, an exponential or a softmax, rewritten into
// forms that stay finite where the value is (docs/semantics.md), with
// derivatives free of the division by a value that underflows to 0.
NodeId Builder::stable_log(Op op, NodeId x) {
  const Node n = g_[x];  // a copy: building nodes may move the arena
  auto op_of = [&](NodeId id) { return id == kNoNode ? Op::Const : g_[id].op; };
  if (op == Op::Log1p)                                       // log1p(exp(u)) -> softplus(u)
    return n.op == Op::Exp ? unary(Op::Softplus, n.a) : kNoNode;
  if (n.op == Op::Sigmoid)                                   // log(sigmoid(z)) -> -softplus(-z)
    return neg(unary(Op::Softplus, neg(n.a)));
  if (n.op == Op::Exp) return n.a;                           // log(exp(u)) -> u
  if (n.op == Op::Sub && is(n.a, 1.0) && op_of(n.b) == Op::Sigmoid)
    return neg(unary(Op::Softplus, g_[n.b].a));              // log(1 - sigmoid(z)): -softplus(z)
  if (n.op == Op::Add && is(n.b, 1.0) && op_of(n.a) == Op::Exp)
    return unary(Op::Softplus, g_[n.a].a);                   // log(exp(u) + 1) -> softplus(u)
  if (n.op == Op::Div && op_of(n.a) == Op::Exp)
    return sub(g_[n.a].a, unary(Op::Log, n.b));              // log(exp(u)/s) -> u - log(s)
  return kNoNode;
}

NodeId Builder::binary(Op op, NodeId x, NodeId y) {
  switch (op) {
    case Op::Add: return add(x, y);
    case Op::Sub: return sub(x, y);
    case Op::Mul: return mul(x, y);
    case Op::Div: return div(x, y);
    case Op::Pow: return pow(x, y);
    case Op::Const: case Op::Input: case Op::Neg: case Op::Not: case Op::Exp: case Op::Log:
    case Op::Log1p: case Op::Expm1: case Op::Sqrt: case Op::Cbrt: case Op::Sin: case Op::Cos:
    case Op::Tan: case Op::Asin: case Op::Acos: case Op::Atan: case Op::Sinh: case Op::Cosh:
    case Op::Tanh: case Op::Erf: case Op::Erfc: case Op::Abs: case Op::Sign: case Op::Floor: case Op::Ceil:
    case Op::Sigmoid: case Op::Softplus: case Op::Relu: case Op::Gelu: case Op::NoGrad:
    case Op::WrtValue: case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: case Op::Eq: case Op::Ne: case Op::And:
    case Op::Or: case Op::Atan2: case Op::Max: case Op::Min: case Op::LeakyRelu: case Op::Select: break;
  }
  if (NodeId f = fold(op, x, y); f != kNoNode) return f;  // IEEE
  if ((op == Op::Max || op == Op::Min) && x == y) return x;
  if (op == Op::And || op == Op::Or) return logic(op, x, y);
  return raw(op, x, y);
}

// Boolean algebra on conditions, exact for every value (NaN is true, as in
// C): a || !a -> 1, a && !a -> 0; with a 0/1-valued a (a comparison or
// logic op) also a || a -> a, a && a -> a, and the constants 0 and 1 as
// identities or absorbers. Masks built by differentiation (`c ? ... : 0`
// summed with `!c ? ... : 0`) fold this way instead of staying as selects.
NodeId Builder::logic(Op op, NodeId x, NodeId y) {
  auto negates = [&](NodeId p, NodeId q) { return g_[p].op == Op::Not && g_[p].a == q; };
  const bool is_or = op == Op::Or;
  if (negates(x, y) || negates(y, x)) return constant(is_or ? 1.0 : 0.0);
  if (x == y && is_truth(x)) return x;
  for (auto [k, other] : {std::pair{x, y}, std::pair{y, x}}) {
    double v;
    if (!g_.constant_value(k, v) || std::isnan(v)) continue;
    bool truth = v != 0;
    if (truth == is_or) return constant(is_or ? 1.0 : 0.0);  // x || 1, x && 0
    if (is_truth(other)) return other;                       // a || 0, a && 1
  }
  return raw(op, x, y);
}

bool Builder::is_truth(NodeId x) const { return is_boolean_op(g_[x].op); }

NodeId Builder::unmasked_root(NodeId x) const {
  if (!is_masked(x)) return x;
  NodeId cond = g_.masked_sum_condition(g_[x].b);
  return cond != kNoNode && cond == g_[x].a ? g_[x].b : x;
}

NodeId Builder::is_finite(NodeId x) {
  return binary(Op::Le, unary(Op::Abs, x), constant(std::numeric_limits<double>::max()));
}

NodeId Builder::select(NodeId c, NodeId a, NodeId b) {
  if (double v; g_.constant_value(c, v)) return v != 0 ? a : b;  // NaN is true
  if (a == b) return a;
  // A branch that selects on the same condition again takes the same side:
  // c ? (c ? p : q) : b -> c ? p : b, c ? a : (!c ? p : q) -> c ? a : p, ...
  if (const Node na = g_[a]; na.op == Op::Select && (na.a == c || complementary(c, na.a)))
    return select(c, na.a == c ? na.b : na.c, b);
  if (const Node nb = g_[b]; nb.op == Op::Select && (nb.a == c || complementary(c, nb.a)))
    return select(c, a, nb.a == c ? nb.c : nb.b);
  // Masked values are kept in one form, c ? v : 0, with v itself unmasked,
  // so pushing a product through a mask is one step (no recursion chains).
  if (g_.is_plus_zero(a)) return select(unary(Op::Not, c), b, zero());  // c ? 0 : b
  // A branch choosing between the other branch and a value is one select on
  // both conditions (exact, NaN being true in both forms, and !NaN false):
  //   c ? (d ? p : b) : b -> (c && d) ? p : b
  //   c ? (d ? b : q) : b -> (c && !d) ? q : b
  //   c ? a : (d ? a : q) -> (c || d) ? a : q
  //   c ? a : (d ? q : a) -> (c || !d) ? a : q
  // The first with b = 0 keeps nested masks one mask, c ? v : 0 with v
  // unmasked: c ? (d ? v : 0) : 0 -> (c && d) ? v : 0. And a chain
  // s_i = c_i ? s_i-1 : k is a chain of conditions under one select each,
  // not n selects nested in one another, which LLVM's InstCombine
  // reassociates in quadratic time (llvm-project issue 172591: 17 s at -O2
  // for 1,000 such statements).
  if (const Node na = g_[a]; na.op == Op::Select && (na.b == b || na.c == b)) {
    const bool on_d = na.c == b;  // c ? (d ? p : b) : b, else c ? (d ? b : q) : b
    NodeId d = on_d ? na.a : unary(Op::Not, na.a);
    return select(binary(Op::And, c, d), on_d ? na.b : na.c, b);
  }
  if (const Node nb = g_[b]; nb.op == Op::Select && (nb.b == a || nb.c == a)) {
    const bool on_d = nb.b == a;  // c ? a : (d ? a : q), else c ? a : (d ? q : a)
    NodeId d = on_d ? nb.a : unary(Op::Not, nb.a);
    return select(binary(Op::Or, c, d), a, on_d ? nb.c : nb.b);
  }
  // A choice involving a masked value is masked too: zero exactly where it
  // takes a masked branch whose mask fails, so a later product keeps it zero
  // (max's tie share and leaky_relu's slope choose between two multiples of
  // one masked seed; forward mode's tangent of c ? y : relu(y) has one):
  //   c ? (d ? u : 0) : (d ? v : 0)   -> d ? (c ? u : v) : 0
  //   c ? (d1 ? u : 0) : (d2 ? v : 0) -> ((c && d1) || (!c && d2)) ? (c ? u : v) : 0
  //   c ? (d ? u : 0) : v             -> (!c || d) ? (c ? u : v) : 0
  //   c ? u : (d ? v : 0)             -> (c || d) ? (c ? u : v) : 0
  if (is_masked(a) || is_masked(b)) {
    const Node na = g_[a], nb = g_[b];  // copies: building may move the arena
    NodeId mask = !is_masked(b) ? binary(Op::Or, unary(Op::Not, c), na.a)
                  : !is_masked(a) ? binary(Op::Or, c, nb.a)
                  : na.a == nb.a ? na.a
                                 : binary(Op::Or, binary(Op::And, c, na.a),
                                          binary(Op::And, unary(Op::Not, c), nb.a));
    return select(mask, select(c, is_masked(a) ? na.b : a, is_masked(b) ? nb.b : b), zero());
  }
  return raw(Op::Select, c, a, b);
}

}  // namespace gradc
