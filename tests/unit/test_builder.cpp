// test_builder.cpp - the IR (hash-consing, canonical order of commutative
// operands, ids in topological order) and the builder's identities and
// constant folding; random expressions check every rewrite keeps the value.
#include <functional>
#include <limits>

#include "ir/builder.h"
#include "ir/scalar_math.h"
#include "emit/print.h"
#include "unit_support.h"

using namespace gradc;

namespace {

struct Fixture {
  Graph g;
  Builder b{g};
  NodeId x = b.input(0), y = b.input(1), z = b.input(2);
  NodeId k(double v) { return b.constant(v); }
};

bool all_constants_finite(const Graph& g) {
  for (NodeId id = 0; id < g.size(); ++id)
    if (g.is_const(id) && !std::isfinite(g.const_value(id))) return false;
  return true;
}

}  // namespace

TEST_CASE("hash-consing: structurally equal nodes are one node") {
  Fixture f;
  NodeId s1 = f.b.unary(Op::Sin, f.x);
  size_t size = f.g.size();
  CHECK(f.b.unary(Op::Sin, f.x) == s1);
  CHECK(f.g.add(Node{Op::Sin, f.x}) == s1);
  CHECK(f.b.input(0) == f.x);
  CHECK(f.g.size() == size);
  CHECK(f.b.unary(Op::Sin, f.y) != s1);
  CHECK(f.k(1.5) == f.k(1.5));
  CHECK(f.g.const_value(f.k(1.5)) == 1.5);
  // Constants are identified by bit pattern: 0 and -0 differ.
  CHECK(f.k(0.0) != f.k(-0.0));
  CHECK(std::signbit(f.g.const_value(f.k(-0.0))));
  // A whole expression built twice adds nothing the second time.
  auto build = [&] { return f.b.add(f.b.mul(f.x, f.b.unary(Op::Exp, f.y)), f.b.div(f.z, f.x)); };
  NodeId e = build();
  size = f.g.size();
  CHECK(build() == e);
  CHECK(f.g.size() == size);
}

TEST_CASE("commutative operands are put in canonical order, so x*y and y*x are one node") {
  Fixture f;
  CHECK(f.b.mul(f.x, f.y) == f.b.mul(f.y, f.x));
  CHECK(f.b.add(f.x, f.y) == f.b.add(f.y, f.x));
  CHECK(f.b.mul(f.x, f.k(2)) == f.b.mul(f.k(2), f.x));
  CHECK(f.b.add(f.x, f.k(2)) == f.b.add(f.k(2), f.x));
  for (Op op : {Op::Max, Op::Min, Op::Eq, Op::Ne, Op::And, Op::Or}) {
    INFO(std::string(op_info(op).name));
    CHECK(op_info(op).commutative);
    CHECK(f.b.binary(op, f.x, f.y) == f.b.binary(op, f.y, f.x));
    CHECK(f.g.add(Node{op, f.z, f.x}) == f.g.add(Node{op, f.x, f.z}));
  }
  for (Op op : {Op::Sub, Op::Div, Op::Pow, Op::Lt, Op::Le, Op::Gt, Op::Ge, Op::Atan2, Op::LeakyRelu}) {
    INFO(std::string(op_info(op).name));
    CHECK_FALSE(op_info(op).commutative);
    CHECK(f.b.binary(op, f.x, f.y) != f.b.binary(op, f.y, f.x));
  }
  // Through the parser: the two spellings are one node.
  unit::Parse p = unit::parse_text("a = x*y\nb = y*x\nc = (x + 1)*(y - 2)\nd = (y - 2)*(1 + x)\noutput a, b, c, d");
  REQUIRE(p.program);
  CHECK(p.program->outputs[0].scalar() == p.program->outputs[1].scalar());
  CHECK(p.program->outputs[2].scalar() == p.program->outputs[3].scalar());
}

TEST_CASE("identities: x+0, x*1, x*0, x-x, --x, x/1") {
  Fixture f;
  NodeId e = f.b.unary(Op::Exp, f.x);
  CHECK(f.b.add(e, f.b.zero()) == e);
  CHECK(f.b.add(f.b.zero(), e) == e);
  CHECK(f.b.sub(e, f.b.zero()) == e);
  CHECK(f.b.mul(e, f.b.one()) == e);
  CHECK(f.b.mul(f.b.one(), e) == e);
  CHECK(f.b.mul(e, f.b.zero()) == f.b.zero());
  CHECK(f.b.mul(f.b.zero(), e) == f.b.zero());
  CHECK(f.b.sub(e, e) == f.b.zero());
  CHECK(f.b.neg(f.b.neg(e)) == e);
  CHECK(f.b.div(e, f.b.one()) == e);
  CHECK(f.b.make(Op::Add, e, f.b.zero()) == e);
  // The same through the parser.
  unit::Parse p = unit::parse_text(
      "input x\na = (x + 0)*1\nb = x - x\nc = --x\nd = x/1\ne = 0*sin(x)\noutput a, b, c, d, e");
  REQUIRE(p.program);
  const Program& prog = *p.program;
  NodeId in = prog.inputs[0].scalar();
  CHECK(prog.outputs[0].scalar() == in);
  CHECK(prog.graph.is_const(prog.outputs[1].scalar(), 0.0));
  CHECK(prog.outputs[2].scalar() == in);
  CHECK(prog.outputs[3].scalar() == in);
  CHECK(prog.graph.is_const(prog.outputs[4].scalar(), 0.0));
}

TEST_CASE("integer powers become multiplications; other constant exponents stay powers") {
  Fixture f;
  CHECK(f.b.pow(f.x, f.k(2)) == f.b.mul(f.x, f.x));
  CHECK(f.b.pow(f.x, f.k(1)) == f.x);
  CHECK(f.b.pow(f.x, f.k(0)) == f.b.one());
  CHECK(f.b.pow(f.x, f.k(-1)) == f.b.div(f.b.one(), f.x));
  CHECK(f.b.pow(f.x, f.k(0.5)) == f.b.unary(Op::Sqrt, f.x));
  CHECK(f.g[f.b.pow(f.x, f.k(2.5))].op == Op::Pow);
  CHECK(f.g[f.b.pow(f.x, f.y)].op == Op::Pow);
  for (int n = -16; n <= 16; ++n) {
    Graph g;
    Builder b(g);
    NodeId p = b.pow(b.input(0), b.constant(n));
    for (NodeId id = 0; id < g.size(); ++id) CHECK(g[id].op != Op::Pow);
    double x = 1.1;
    INFO("x^", n);
    CHECK(unit::close_exact(evaluate(g, {x})[p], std::pow(x, n)));
  }
}

TEST_CASE("constant folding") {
  Fixture f;
  CHECK(f.b.add(f.k(2), f.k(3)) == f.k(5));
  CHECK(f.b.sub(f.k(2), f.k(3)) == f.k(-1));
  CHECK(f.b.mul(f.k(2), f.k(3)) == f.k(6));
  CHECK(f.b.div(f.k(1), f.k(4)) == f.k(0.25));
  CHECK(f.b.pow(f.k(2), f.k(10)) == f.k(1024));
  CHECK(f.b.neg(f.k(2)) == f.k(-2));
  CHECK(f.b.unary(Op::Exp, f.k(0)) == f.k(1));
  CHECK(f.b.unary(Op::Sqrt, f.k(9)) == f.k(3));
  CHECK(f.b.binary(Op::Lt, f.k(1), f.k(2)) == f.k(1));
  CHECK(f.b.binary(Op::Ge, f.k(1), f.k(2)) == f.k(0));
  CHECK(f.b.binary(Op::Max, f.k(1), f.k(2)) == f.k(2));
  CHECK(f.b.binary(Op::Atan2, f.k(0), f.k(1)) == f.k(0));
  CHECK(f.b.select(f.k(1), f.x, f.y) == f.x);
  CHECK(f.b.select(f.k(0), f.x, f.y) == f.y);
  CHECK(f.b.select(f.z, f.x, f.x) == f.x);
  unit::Parse p = unit::parse_text("w = 2*3 + 1 - 2^3^2/512");
  REQUIRE(p.program);
  CHECK(p.program->graph.is_const(p.program->outputs[0].scalar(), 6.0));
}

TEST_CASE("folding never creates a non-finite constant") {
  Fixture f;
  NodeId checks[] = {
      f.b.div(f.k(1), f.k(0)),          f.b.sub(f.k(-1e308), f.k(1e308)),
      f.b.unary(Op::Log, f.k(0)),       f.b.unary(Op::Sqrt, f.k(-1)),
      f.b.unary(Op::Exp, f.k(1000)),    f.b.mul(f.k(1e200), f.k(1e200)),
      f.b.add(f.k(1.5e308), f.k(1.5e308)), f.b.pow(f.k(10), f.k(400)),
      f.b.unary(Op::Acos, f.k(2)),
  };
  for (NodeId id : checks) CHECK_FALSE(f.g.is_const(id));
  CHECK(all_constants_finite(f.g));
  std::vector<double> v = evaluate(f.g, {0, 0, 0});
  CHECK(std::isinf(v[checks[0]]));
  CHECK(std::isinf(v[checks[1]]));
  CHECK(std::isnan(v[checks[3]]));
}

// Same value, NaN included (all NaNs are one value here).
bool same_value(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

TEST_CASE("constant expressions fold to their IEEE value, inf and NaN included") {
  // Each formula over constants (and x = 1 or -1 where written) is compiled;
  // its interpreter value must be what IEEE arithmetic gives for the formula
  // as written. Operands come in at run time, so the C++ compiler folds nothing.
  volatile double zero_v = 0, one_v = 1;
  const double zero = zero_v, one = one_v, inf = one / zero;
  struct Case {
    const char* formula;
    double x, ieee;
  };
  const Case cases[] = {
      {"0/0", 1, zero / zero},
      {"0*(1/0)", 1, zero * inf},
      {"(1/0)*0", 1, inf * zero},
      {"0*log(0)", 1, zero * std::log(zero)},
      {"1/0 - 1/0", 1, inf - inf},
      {"log(0) - log(0)", 1, std::log(zero) - std::log(zero)},
      {"sqrt(-1)*0", 1, std::sqrt(-one) * zero},
      {"0^(-1)*0", 1, std::pow(zero, -one) * zero},
      {"exp(1000)*0", 1, std::exp(1000 * one) * zero},
      {"(1/0)/(1/0)", 1, inf / inf},         // x/x -> 1 is for non-constant x only
      {"(0/0) - (0/0)", 1, zero / zero},     // x-x -> 0 likewise
      {"0/(0/0)", 1, zero / (zero / zero)},  // 0/x -> 0 likewise
      {"(0/0)*1 + 0", 1, zero / zero},
      {"1/0 + 1", 1, inf},
      {"-(1/0)", 1, -inf},
      {"1*(1/0) - (1/0)*1", 1, inf - inf},
      {"1/(1/0)", 1, 0.0},                   // finite again: a Const
      {"max(0/0, 1)", 1, 1.0},               // fmax ignores NaN
      {"(0/0) == (0/0)", 1, 0.0},
      {"(0/0) ? 2 : 3", 1, 2.0},             // NaN is true
      {"(1/0)^0", 1, 1.0},
      {"1^(0/0)", 1, 1.0},
      // A constant that is known to be 0, inf or NaN stops the rewrites
      // that assume a finite operand:
      {"x/(1/0)*(1/0)", 1, (one / inf) * inf},               // (a/b)*b -> a
      {"(x > 0 ? x : 0)*(1/0)", -1, zero * inf},             // (c ? a : 0)*y
      {"(x > 0 ? x : 0)/0", -1, zero / zero},                // (c ? a : 0)/y
      {"(x > 0 ? x : 0)*(1/0)", 1, inf},
  };
  for (const Case& c : cases) {
    INFO(c.formula);
    gradc::Compiled compiled = unit::compile_ok(std::string("input x\nw = ") + c.formula);
    CHECK(all_constants_finite(compiled.prog.graph));
    double got = unit::run(compiled, {c.x}).out[0];
    CHECK(same_value(got, c.ieee));
  }
}

TEST_CASE("scaled sums and products never fold a factor to a non-finite constant") {
  // 1e200*(1e200*x) is 0 at x = 0 (IEEE); a folded (inf)*x would give NaN.
  Fixture f;
  NodeId p = f.b.mul(f.k(1e200), f.b.mul(f.k(1e200), f.x));
  NodeId s = f.b.add(f.b.mul(f.k(1e308), f.x), f.b.mul(f.k(1e308), f.x));
  CHECK(all_constants_finite(f.g));
  std::vector<double> v = evaluate(f.g, {0.0, 0, 0});
  CHECK(v[p] == 0.0);
  CHECK(v[s] == 0.0);
  // The same program through the compiler.
  unit::Values r = unit::run(unit::compile_ok("w = 1e200*(1e200*x)"), {0.0});
  CHECK(r.out[0] == 0.0);
  // Nor to 0 by underflow: 1e-200*(1e-200*x) at x = 1e300 is 1e-100, not 0.
  unit::Values t = unit::run(unit::compile_ok("w = 1e-200*(1e-200*x)"), {1e300});
  CHECK(unit::close(t.out[0], 1e-100, 1e-12, 0));
}

TEST_CASE("operands always have smaller ids than their users") {
  Fixture f;
  NodeId a = f.b.mul(f.b.add(f.x, f.y), f.b.unary(Op::Sin, f.z));
  f.b.select(f.b.binary(Op::Gt, a, f.x), f.b.pow(a, f.y), f.b.neg(a));
  for (NodeId id = 0; id < f.g.size(); ++id)
    for (int i = 0; i < arity(f.g[id]); ++i) CHECK(operand(f.g[id], i) < id);
}

namespace {

// A random expression tree, built once raw (Graph::add, no rewriting) and
// once through the Builder; both graphs are then evaluated and compared.
class RandomExpr {
 public:
  RandomExpr(uint64_t seed) : pts_(seed) {}
  Graph raw, built;

  // Returns {raw id, built id}.
  std::pair<NodeId, NodeId> gen(int depth) {
    static constexpr double kConsts[] = {0, 1, -1, 2, 0.5, 3, -2.5, 1e200};
    static constexpr Op kOps[] = {Op::Neg, Op::Add, Op::Sub, Op::Mul, Op::Div, Op::Pow, Op::Sin,
                                  Op::Sqrt, Op::Abs, Op::Select, Op::Max, Op::Min, Op::Lt, Op::Gt,
                                  Op::Eq, Op::Not, Op::And, Op::Or, Op::Relu, Op::Exp, Op::Add,
                                  Op::Mul, Op::Sub, Op::Select};
    Builder b(built);
    if (depth == 0 || pick(4) == 0) {
      if (pick(2) == 0) {
        uint32_t i = uint32_t(pick(3));
        return {raw.input(i), built.input(i)};
      }
      double c = kConsts[pick(std::size(kConsts))];
      return {raw.constant(c), built.constant(c)};
    }
    Op op = kOps[pick(std::size(kOps))];
    int ar = op_info(op).arity;
    auto a = gen(depth - 1);
    std::pair<NodeId, NodeId> bb{kNoNode, kNoNode}, c{kNoNode, kNoNode};
    if (op == Op::Pow && pick(2) == 0) {  // a constant exponent, often an integer
      static constexpr double kExps[] = {2, 3, -1, -2, 0, 1, 0.5, 4};
      double e = kExps[pick(8)];
      bb = {raw.constant(e), built.constant(e)};
    } else if (ar >= 2) {
      bb = gen(depth - 1);
    }
    if (ar == 3) c = gen(depth - 1);
    return {raw.add(Node{op, a.first, bb.first, c.first}), b.make(op, a.second, bb.second, c.second)};
  }

 private:
  size_t pick(size_t n) { return size_t(pts_.uniform(0, double(n))) % n; }
  unit::Points pts_;
};

}  // namespace

TEST_CASE("random expressions: the builder's rewrites keep every finite value") {
  int compared = 0;
  for (uint64_t seed = 1; seed <= 3000; ++seed) {
    RandomExpr r(seed);
    auto [raw_root, built_root] = r.gen(5);
    unit::Points pts(seed * 7919);
    for (int k = 0; k < 3; ++k) {
      std::vector<double> in{pts.uniform(-2, 2), pts.uniform(-2, 2), pts.uniform(-2, 2)};
      std::vector<double> rv = evaluate(r.raw, in), bv = evaluate(r.built, in);
      double scale = 1;
      bool finite = true;
      for (double v : rv) {
        finite = finite && std::isfinite(v);
        scale = std::max(scale, std::fabs(v));
      }
      if (!finite) continue;  // the rewrites may differ from IEEE on inf/NaN
      ++compared;
      INFO("seed ", seed, " point ", in[0], ", ", in[1], ", ", in[2]);
      CHECK(std::fabs(rv[raw_root] - bv[built_root]) <= 1e-9 * scale);
    }
    CHECK(all_constants_finite(r.built));
  }
  CHECK(compared > 2000);
}

// --- stable rewrites (docs/semantics.md): textbook losses stay finite -------

namespace {

using LD = long double;
LD softplus_ld(LD z) { return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z)); }
LD sigmoid_ld(LD z) { return z >= 0 ? 1 / (1 + std::exp(-z)) : std::exp(z) / (1 + std::exp(z)); }
/// Close to a long double reference: relative 1e-14, absolute 1e-300.
bool near(double got, LD want) { return unit::close(got, double(want), 1e-14, 1e-300); }

}  // namespace

TEST_CASE("stable rewrites: sqrt(s)^2, log(sigmoid), log(1 - sigmoid), log(exp), log(exp/s)") {
  Fixture f;
  NodeId s = f.b.add(f.b.mul(f.x, f.x), f.y);
  NodeId r = f.b.unary(Op::Sqrt, s);
  CHECK(f.b.mul(r, r) == s);                                    // sqrt(s)*sqrt(s) -> s
  CHECK(f.b.pow(r, f.k(2)) == s);                               // sqrt(s)^2 -> s
  NodeId sig = f.b.unary(Op::Sigmoid, f.x);
  NodeId sp_neg = f.b.unary(Op::Softplus, f.b.neg(f.x)), sp = f.b.unary(Op::Softplus, f.x);
  CHECK(f.b.unary(Op::Log, sig) == f.b.neg(sp_neg));            // -softplus(-x)
  CHECK(f.b.unary(Op::Log, f.b.sub(f.k(1), sig)) == f.b.neg(sp));  // -softplus(x)
  NodeId e = f.b.unary(Op::Exp, f.x);
  CHECK(f.b.unary(Op::Log, e) == f.x);
  CHECK(f.b.unary(Op::Log, f.b.add(f.k(1), e)) == sp);          // log(1 + exp(x))
  CHECK(f.b.unary(Op::Log1p, e) == sp);
  CHECK(f.b.unary(Op::Log, f.b.div(e, f.y)) == f.b.sub(f.x, f.b.unary(Op::Log, f.y)));
  // Through the parser: norm(v)^2 is dot(v, v), the same node.
  unit::Parse p = unit::parse_text("input v[3]\na = norm(v)^2\nb = dot(v, v)\noutput a, b");
  REQUIRE(p.program);
  CHECK(p.program->outputs[0].scalar() == p.program->outputs[1].scalar());
}

TEST_CASE("sigmoid + binary cross-entropy: value and dL/dz = p - y, finite at z = +-800") {
  gradc::Compiled c = unit::compile_ok(
      "input z, y\np = sigmoid(z)\nL = -(y*log(p) + (1 - y)*log(1 - p))\nwrt z");
  for (double z : {-800.0, -37.0, -1.0, 0.0, 2.5, 37.0, 800.0}) {
    for (double y : {0.0, 0.3, 1.0}) {
      INFO("z = ", z, ", y = ", y);
      unit::Values v = unit::run(c, {z, y});
      CHECK(near(v.out[0], y * softplus_ld(-z) + (1 - y) * softplus_ld(z)));
      // p - y: exact to one rounding of p (absolute 2^-53 on a scale of 1,
      // as every p - y), not relative where it cancels (z = 37, y = 1)
      LD want = (1 - y) * sigmoid_ld(z) - y * sigmoid_ld(-z);
      CHECK(std::abs(v.jac[0] - double(want)) <= 0x1p-53);
      CHECK(std::isfinite(v.jac[0]));
    }
  }
  // The derivative is the textbook p - y, whichever way the loss is written.
  for (const char* loss : {"-(y*log(p) + (1 - y)*log(1 - p))", "-((1 - y)*log(1 - p) + y*log(p))",
                           "-y*log(p) - (1 - y)*log(1 - p)", "(y - 1)*log(1 - p) - y*log(p)"}) {
    std::string text = gradc::print_text(
        unit::compile_ok(std::string("input z, y\np = sigmoid(z)\nL = ") + loss + "\nwrt z"), "b");
    INFO(loss, "\n", text);
    CHECK(text.find("\ndL_dz = p - y\n") != std::string::npos);
  }
}

TEST_CASE("softmax cross-entropy and squared norms: finite where the math is") {
  gradc::Compiled ce = unit::compile_ok("input z[4], e[4]\nL = -dot(e, log(softmax(z)))\nwrt z");
  for (double big : {800.0, -800.0}) {
    std::vector<double> z = {big, 0, 0, 0}, e = {0.25, 0.5, 0, 0.25}, in = z;
    in.insert(in.end(), e.begin(), e.end());
    LD m = std::max<LD>(big, 0), total = 0;
    for (double zi : z) total += std::exp(LD(zi) - m);
    LD lse = m + std::log(total), want = 0;
    for (int i = 0; i < 4; ++i) want -= e[i] * (z[i] - lse);
    unit::Values v = unit::run(ce, in);
    INFO("z[0] = ", big);
    CHECK(near(v.out[0], want));
    for (int j = 0; j < 4; ++j)  // dL/dz_j = sum(e)*softmax_j - e_j, sum(e) = 1
      CHECK(unit::close(v.jac[j], double(std::exp(z[j] - lse) - e[j]), 1e-14, 1e-300));
  }
  // Least squares at zero residual: the gradient of norm(r)^2 is 2 r = 0, not 0/0.
  gradc::Compiled ls = unit::compile_ok("input X[2,2], w[2], y[2]\nL = norm(X @ w - y)^2\nwrt w");
  unit::Values v = unit::run(ls, {1, 2, 3, 4, 1, 1, 3, 7});
  CHECK(v.out[0] == 0.0);
  CHECK(v.jac == std::vector<double>{0.0, 0.0});
  v = unit::run(ls, {1, 2, 3, 4, 1, 1, 2, 7});  // residual [1, 0]: dL/dw = 2 X^T r = [2, 4]
  CHECK(v.jac == std::vector<double>{2.0, 4.0});
}

TEST_CASE("log(exp(u)), log(1 + exp(u)) and log1p(exp(u)) stay finite at u = 800") {
  for (const char* program : {"w = log(exp(u))", "w = log(1 + exp(u))", "w = log1p(exp(u))"}) {
    INFO(program);
    gradc::Compiled c = unit::compile_ok(program);
    for (double u : {-800.0, -3.0, 0.5, 800.0}) {
      unit::Values v = unit::run(c, {u});
      bool plain = std::string(program) == "w = log(exp(u))";
      CHECK(near(v.out[0], plain ? LD(u) : softplus_ld(u)));
      CHECK(near(v.jac[0], plain ? 1.0L : sigmoid_ld(u)));
    }
  }
}

TEST_CASE("masked terms sum flat under one mask, unwrapped only under their own condition") {
  Fixture f;
  Builder& b = f.b;
  NodeId c1 = b.binary(Op::Gt, f.x, f.k(0)), c2 = b.binary(Op::Gt, f.y, f.k(0)),
         c3 = b.binary(Op::Gt, f.z, f.k(0));
  NodeId m1 = b.select(c1, b.mul(f.x, f.y), b.zero()), m2 = b.select(c2, b.mul(f.y, f.z), b.zero()),
         m3 = b.select(c3, b.unary(Op::Log, f.z), b.zero());
  NodeId sum = b.add(b.add(m1, m2), m3);
  // (c1 || c2 || c3) ? (m1 + m2 + m3) : 0: one mask, its sum over the three
  // masked terms, not (c12 || c3) ? ((c1 || c2) ? m1 + m2 : 0) + m3 : 0.
  REQUIRE(f.g[sum].op == Op::Select);
  NodeId flat = f.g[sum].b;
  CHECK(b.unmasked_root(sum) == flat);
  int selects = 0;
  for (NodeId id : {f.g[flat].a, f.g[flat].b}) {
    const Node& n = f.g[id];
    if (n.op == Op::Select) ++selects;
    if (n.op == Op::Add)
      for (NodeId t : {n.a, n.b}) selects += f.g[t].op == Op::Select && f.g[f.g[t].a].op != Op::Or;
  }
  CHECK(selects == 3);
  // Under a stronger condition the mask stays: (c && C) ? S : 0 is not S
  // where c is false and C true.
  NodeId c = b.binary(Op::Lt, f.x, f.k(5));
  NodeId gated = b.select(c, sum, b.zero());
  CHECK(b.unmasked_root(gated) == gated);
  // Values: the flat form is exact, and the gated one is 0 where c is false.
  for (std::vector<double> in : {std::vector<double>{1, 2, 3}, {-1, -2, -3}, {-1, 2, -3},
                                 {7, 2, 3}, {0, 0, 0}}) {
    CAPTURE(in[0]);
    std::vector<double> v = evaluate(f.g, in);
    double want = (in[0] > 0 ? in[0] * in[1] : 0) + (in[1] > 0 ? in[1] * in[2] : 0) +
                  (in[2] > 0 ? std::log(in[2]) : 0);
    CHECK(v[sum] == want);
    CHECK(v[flat] == want);
    CHECK(v[gated] == (in[0] < 5 ? want : 0));
  }
}

TEST_CASE("selects on one or complementary conditions merge; nested ones take their side") {
  Fixture f;
  Builder& b = f.b;
  NodeId c = b.binary(Op::Gt, f.x, f.k(0)), nc = b.unary(Op::Not, c);
  NodeId u = b.mul(f.x, f.y), v = b.add(f.y, f.z), p = b.unary(Op::Sin, f.z), q = b.mul(f.x, f.z);
  NodeId s1 = b.select(c, u, v), s2 = b.select(nc, p, q);
  // (c ? u : v) + (!c ? p : q) -> c ? u + q : v + p, on c (not !c)
  NodeId sum = b.add(s1, s2), diff = b.sub(s2, s1);
  REQUIRE(f.g[sum].op == Op::Select);
  CHECK(f.g[sum].a == c);
  CHECK(f.g[sum].b == b.add(u, q));
  CHECK(f.g[sum].c == b.add(v, p));
  REQUIRE(f.g[diff].op == Op::Select);
  CHECK(f.g[diff].a == c);
  CHECK(f.g[diff].b == b.sub(q, u));
  CHECK(f.g[diff].c == b.sub(p, v));
  // c ? (c ? u : v) : p -> c ? u : p; c ? u : (!c ? p : q) -> c ? u : p
  NodeId nested = b.select(c, s1, p), nested_not = b.select(c, u, s2);
  CHECK(nested == b.select(c, u, p));
  CHECK(nested_not == b.select(c, u, p));
  // The merged (c ? u : 0) + (!c ? v : 0) of a ?:'s derivative is c ? u : v.
  CHECK(b.add(b.select(c, u, b.zero()), b.select(nc, v, b.zero())) == b.select(c, u, v));
}

TEST_CASE("random sums of selects on shared conditions keep their value exactly") {
  // Sums, differences and nested selects over two conditions and their
  // negations, built raw (no rewriting) and through the Builder. The merges
  // are exact, but they bring terms together that other rewrites then
  // round differently (x + x -> 2*x, (b - y) + y -> b): equal to within
  // one rounding of the largest value.
  int merged = 0, compared = 0;
  for (uint64_t seed = 1; seed <= 2000; ++seed) {
    unit::Points pts(seed);
    auto pick = [&](size_t n) { return size_t(pts.uniform(0, double(n))) % n; };
    Graph raw, built;
    Builder b(built);
    std::vector<std::pair<NodeId, NodeId>> conds, values;
    for (uint32_t i = 0; i < 3; ++i) values.push_back({raw.input(i), built.input(i)});
    for (uint32_t i = 0; i < 2; ++i) {
      NodeId zr = raw.constant(0), zb = built.constant(0);
      auto c = std::pair{raw.add(Node{Op::Gt, values[i].first, zr}),
                         b.binary(Op::Gt, values[i].second, zb)};
      conds.push_back(c);
      conds.push_back({raw.add(Node{Op::Not, c.first}), b.unary(Op::Not, c.second)});
    }
    for (int step = 0; step < 12; ++step) {
      auto c = conds[pick(conds.size())];
      auto x = values[pick(values.size())], y = values[pick(values.size())];
      std::pair<NodeId, NodeId> made;
      switch (pick(5)) {
        case 0: case 1:
          made = {raw.add(Node{Op::Select, c.first, x.first, y.first}),
                  b.select(c.second, x.second, y.second)};
          break;
        case 2: {
          NodeId zr = raw.constant(0), zb = built.constant(0);
          made = {raw.add(Node{Op::Select, c.first, x.first, zr}), b.select(c.second, x.second, zb)};
          break;
        }
        case 3: made = {raw.add(Node{Op::Add, x.first, y.first}), b.add(x.second, y.second)}; break;
        default: made = {raw.add(Node{Op::Sub, x.first, y.first}), b.sub(x.second, y.second)}; break;
      }
      values.push_back(made);
    }
    const auto root = values.back();
    merged += built[root.second].op == Op::Select && raw[root.first].op != Op::Select;
    for (int k = 0; k < 4; ++k) {
      std::vector<double> in{pts.uniform(-2, 2), pts.uniform(-2, 2), pts.uniform(-2, 2)};
      if (k == 3) in[pick(2)] = 0;  // on the condition's edge
      const std::vector<double> rv = evaluate(raw, in);
      double scale = 1;
      for (double v : rv) scale = std::max(scale, std::fabs(v));
      const double want = rv[root.first], got = evaluate(built, in)[root.second];
      INFO("seed ", seed, " point ", in[0], ", ", in[1], ", ", in[2]);
      CHECK(std::fabs(got - want) <= 1e-15 * scale);
      ++compared;
    }
  }
  MESSAGE(compared, " values compared; ", merged, " sums became one select");
  CHECK(merged > 50);
}

TEST_CASE("a -0 the program writes is not a mask's zero, and no sign goes into a denominator a - b") {
  const double inf = std::numeric_limits<double>::infinity();
  struct Case {
    const char* program;  // inputs x, y, z
    std::vector<double> in;
    double value;
  };
  const Case cases[] = {
      {"w = 1/(y > 0 ? -0.0 : y)", {0, 1, 0}, -inf},
      {"w = 1/(y <= 0 ? y : -0.0)", {0, 1, 0}, -inf},
      {"w = 1/(x > 0 ? (y > 0 ? y : -0.0) : y)", {1, -1, 0}, -inf},
      {"w = 1/(x > 0 ? (y > 0 ? y : 0) : y)", {1, -1, 0}, inf},
      {"w = exp(-x/(y - z))", {1, 1, 1}, 0.0},     // -(1/+0) = -inf, not 1/(z - y) = inf
      {"w = -x/(y - z)", {1, 1, 1}, -inf},
      {"w = exp(-x/(2*y - z))", {1, 1, 2}, 0.0},
  };
  for (const Case& tc : cases) {
    INFO(tc.program);
    gradc::Compiled c = unit::compile_ok(std::string("input x, y, z\n") + tc.program);
    CHECK(unit::run(c, tc.in).out[0] == tc.value);
  }
}

// --- termination and depth: rewrites that call each other ------------------

namespace {

// Operands that trip the rewrites calling one another: a negation, a
// difference, a scaled value, masks, and constant expressions kept as
// nodes because their value is not finite (1e200*1e200, 1/0, inf - inf).
std::vector<NodeId> tricky_operands(Fixture& f) {
  Builder& b = f.b;
  NodeId inf = b.mul(f.k(1e200), f.k(1e200)), c = b.binary(Op::Gt, f.z, f.k(0));
  return {f.x,
          b.neg(f.x),
          b.sub(f.x, f.y),
          b.mul(f.k(2), f.y),
          f.k(3),
          inf,
          b.neg(inf),
          b.div(f.k(1), f.k(0)),
          b.sub(inf, inf),
          b.mul(inf, f.x),
          b.select(c, f.x, f.k(0)),
          b.select(c, inf, f.k(0)),
          b.select(c, f.y, inf)};
}

}  // namespace

TEST_CASE("the rewrites end on every combination of signs, masks and non-finite constants") {
  // -(inf/y) once looped: neg pushed its sign into the constant expression
  // 1e200*1e200, whose negation is the node -(1e200*1e200), and div moved
  // that sign back out (a hang in forward mode on -log(c ? z : x*1e200*1e200)).
  // Every op over every pair of these operands, then negated, then combined
  // with each operand again, must return (the random expressions above
  // check values, 1e200 among their constants).
  Fixture f;
  Builder& b = f.b;
  const std::vector<NodeId> ops = tricky_operands(f);
  const Op binary_ops[] = {Op::Add, Op::Sub, Op::Mul, Op::Div, Op::Pow, Op::Max};
  std::vector<NodeId> built;
  for (NodeId p : ops)
    for (NodeId q : ops)
      for (Op op : binary_ops) {
        NodeId v = b.binary(op, p, q);
        built.push_back(v);
        built.push_back(b.neg(v));
        built.push_back(b.binary(op, b.neg(p), q));
        built.push_back(b.binary(op, p, b.neg(q)));
        built.push_back(b.select(ops.back(), v, q));
      }
  for (NodeId v : std::vector<NodeId>(built))
    for (NodeId q : ops)
      for (Op op : binary_ops) built.push_back(b.neg(b.binary(op, v, q)));
  MESSAGE(built.size(), " nodes built");
  CHECK(all_constants_finite(f.g));
}

TEST_CASE("a sign pushed into a product or quotient with a non-finite constant keeps its value") {
  Fixture f;
  Builder& b = f.b;
  const double inf = std::numeric_limits<double>::infinity();
  NodeId big = b.mul(f.k(1e200), f.k(1e200));  // inf, kept as a node
  NodeId q = b.neg(b.div(big, f.y)), p = b.neg(b.mul(big, f.y)), r = b.div(b.neg(big), f.y);
  for (double y : {2.0, -2.0}) {
    std::vector<double> v = evaluate(f.g, {1, y, 1});
    CHECK(v[q] == -(inf / y));
    CHECK(v[p] == -(inf * y));
    CHECK(v[r] == -inf / y);
  }
}

TEST_CASE("nested selects sharing an arm are one select on both conditions, exactly") {
  Fixture f;
  Builder& b = f.b;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  NodeId c = b.binary(Op::Gt, f.x, f.k(0)), p = b.unary(Op::Sin, f.y), k = b.mul(f.y, f.z);
  // c ? (d ? p : k) : k -> (c && d) ? p : k, and c ? k : (d ? k : p) ->
  // (c || d) ? k : p; d is any value (NaN and nonzero numbers are true,
  // !NaN is false).
  NodeId d = f.z;
  NodeId both = b.select(c, b.select(d, p, k), k), either = b.select(c, k, b.select(d, k, p));
  // ... and with !d where the shared arm is the inner select's other one.
  NodeId both_not = b.select(c, b.select(d, k, p), k), either_not = b.select(c, k, b.select(d, p, k));
  REQUIRE(f.g[both_not].op == Op::Select);
  CHECK(f.g[both_not].a == b.binary(Op::And, c, b.unary(Op::Not, d)));
  REQUIRE(f.g[either_not].op == Op::Select);
  CHECK(f.g[either_not].a == b.binary(Op::Or, c, b.unary(Op::Not, d)));
  REQUIRE(f.g[both].op == Op::Select);
  CHECK(f.g[both].a == b.binary(Op::And, c, d));
  CHECK(f.g[both].b == p);
  REQUIRE(f.g[either].op == Op::Select);
  CHECK(f.g[either].a == b.binary(Op::Or, c, d));
  CHECK(f.g[either].c == p);
  for (double x : {-1.0, 0.0, 1.0, nan})
    for (double z : {-1.0, 0.0, 2.0, nan}) {
      CAPTURE(x);
      CAPTURE(z);
      std::vector<double> v = evaluate(f.g, {x, 0.5, z});
      const double pv = std::sin(0.5), kv = 0.5 * z;
      auto same = [](double a, double e) { return std::isnan(e) ? std::isnan(a) : a == e; };
      CHECK(same(v[both], x > 0 ? (z != 0 ? pv : kv) : kv));
      CHECK(same(v[either], x > 0 ? kv : (z != 0 ? kv : pv)));
      CHECK(same(v[both_not], x > 0 ? (z != 0 ? kv : pv) : kv));
      CHECK(same(v[either_not], x > 0 ? kv : (z != 0 ? pv : kv)));
    }
  // A chain s_i = c_i ? s_i-1 : k is one select on a chain of conditions.
  NodeId s = f.x;
  for (int i = 1; i <= 50; ++i) s = b.select(b.binary(Op::Gt, f.z, f.k(i)), s, k);
  REQUIRE(f.g[s].op == Op::Select);
  CHECK(f.g[s].b == f.x);
  CHECK(f.g[s].c == k);
}

TEST_CASE("two 200,000-long chains of selects on shared conditions add without deep recursion") {
  // s_i = c_i ? s_i-1 : x*i and t_i = c_i ? t_i-1 : y*i: merging s_n + t_n
  // into one select merges their branches in turn, and did so down the
  // whole chain (a stack overflow). It stops a few levels down.
  Fixture f;
  Builder& b = f.b;
  const int n = 200000;
  NodeId s = f.x, t = f.y;
  for (int i = 1; i <= n; ++i) {
    NodeId c = b.binary(Op::Gt, f.z, f.k(i));
    s = b.select(c, s, b.mul(f.x, f.k(i)));
    t = b.select(c, t, b.mul(f.y, f.k(i)));
  }
  NodeId w = b.add(s, t);
  for (double z : {0.5, 7.5, 1e6}) {
    std::vector<double> v = evaluate(f.g, {1.5, 2.5, z});
    // z > n: every condition holds, s_n = x and t_n = y; else c_n fails.
    double want = z > n ? 1.5 + 2.5 : 4.0 * double(n);
    CHECK(v[w] == want);
  }
}

TEST_CASE("sums of chains of sigmoid(z) and sigmoid(-z) products look for the p - y pair once") {
  // s_i = s_i-1*sigmoid(y), t_i = t_i-1*sigmoid(-y): looking for the
  // (1-y)*sigmoid(z) - y*sigmoid(-z) pair in t_n + s_n built the weights'
  // difference s_n-1 - t_n-1, which looked for a pair again, twice per
  // level: exponential in n (9 s at n = 50), and a stack overflow at 4,000.
  Fixture f;
  Builder& b = f.b;
  NodeId sp = b.unary(Op::Sigmoid, f.y), sm = b.unary(Op::Sigmoid, b.neg(f.y));
  NodeId s = f.x, t = f.x;
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    s = b.mul(s, sp);
    t = b.mul(t, sm);
  }
  NodeId sum = b.add(t, s), diff = b.sub(s, t);
  // At y = 30, s_n = sigmoid(30)^n = 0.99999999..., t_n underflows to 0.
  std::vector<double> v = evaluate(f.g, {1.0, 30, 0});
  double want_s = 1, want_t = 1, p = 1 / (1 + std::exp(-30.0)), q = 1 / (1 + std::exp(30.0));
  for (int i = 0; i < n; ++i) want_s *= p, want_t *= q;
  REQUIRE(want_s < 1 - 1e-9);
  CHECK(unit::close(v[sum], want_t + want_s, 1e-12, 0));
  CHECK(unit::close(v[diff], want_s - want_t, 1e-12, 0));
  // The pair is still found where it is one: (1-y)*sigmoid(z) - y*sigmoid(-z).
  NodeId bce = b.sub(b.mul(b.sub(f.k(1), f.y), b.unary(Op::Sigmoid, f.z)),
                     b.mul(f.y, b.unary(Op::Sigmoid, b.neg(f.z))));
  CHECK(bce == b.sub(b.unary(Op::Sigmoid, f.z), f.y));
}
