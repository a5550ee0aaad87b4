// test_expr_render.cpp - expressions as gradc, C++ and LaTeX text: the fewest
// parentheses that keep the tree (random trees re-parse to the same value),
// C++ spellings and helpers, names and literals in each dialect.
#include <numbers>

#include "ir/builder.h"
#include "emit/expr_render.h"
#include "unit_support.h"

using namespace gradc;

namespace {

// Raw nodes (no builder rewriting) over inputs x, y, z, rendered as roots.
struct Fixture {
  Graph g;
  NodeId x = g.input(0), y = g.input(1), z = g.input(2);
  NameHints hints;
  Fixture() {
    hints.suggest(x, "x", true);
    hints.suggest(y, "y", true);
    hints.suggest(z, "z", true);
    hints.reserved = {"x", "y", "z"};
  }
  NodeId n(Op op, NodeId a, NodeId b = kNoNode, NodeId c = kNoNode) { return g.add(Node{op, a, b, c}); }
  NodeId k(double v) { return g.constant(v); }
  std::string render(NodeId root, Dialect d = Dialect::Gradc) {
    Schedule s = make_schedule(g, {root}, hints);
    ExprRenderer r(g, s, d);
    return r.definition(root);
  }
};

}  // namespace

TEST_CASE("gradc dialect: parentheses exactly where the tree needs them") {
  Fixture f;
  // (Commutative operands are stored in id order, so the older node is first.)
  CHECK(f.render(f.n(Op::Mul, f.z, f.n(Op::Add, f.x, f.y))) == "z*(x + y)");
  CHECK(f.render(f.n(Op::Add, f.x, f.n(Op::Mul, f.y, f.z))) == "x + y*z");
  CHECK(f.render(f.n(Op::Sub, f.x, f.n(Op::Sub, f.y, f.z))) == "x - (y - z)");
  CHECK(f.render(f.n(Op::Sub, f.n(Op::Sub, f.x, f.y), f.z)) == "x - y - z");
  CHECK(f.render(f.n(Op::Div, f.x, f.n(Op::Mul, f.y, f.z))) == "x/(y*z)");
  CHECK(f.render(f.n(Op::Div, f.n(Op::Div, f.x, f.y), f.z)) == "x/y/z");
  CHECK(f.render(f.n(Op::Div, f.x, f.n(Op::Div, f.y, f.z))) == "x/(y/z)");
  CHECK(f.render(f.n(Op::Mul, f.z, f.n(Op::Div, f.x, f.y))) == "z*(x/y)");
  CHECK(f.render(f.n(Op::Pow, f.x, f.n(Op::Pow, f.y, f.z))) == "x^y^z");
  CHECK(f.render(f.n(Op::Pow, f.n(Op::Pow, f.x, f.y), f.z)) == "(x^y)^z");
  CHECK(f.render(f.n(Op::Neg, f.n(Op::Pow, f.x, f.y))) == "-x^y");
  CHECK(f.render(f.n(Op::Pow, f.n(Op::Neg, f.x), f.y)) == "(-x)^y");
  CHECK(f.render(f.n(Op::Pow, f.x, f.n(Op::Neg, f.y))) == "x^-y");
  CHECK(f.render(f.n(Op::Neg, f.n(Op::Mul, f.x, f.y))) == "-(x*y)");
  CHECK(f.render(f.n(Op::Lt, f.n(Op::Add, f.x, f.y), f.z)) == "x + y < z");
  CHECK(f.render(f.n(Op::Lt, f.n(Op::Lt, f.x, f.y), f.z)) == "(x < y) < z");
  CHECK(f.render(f.n(Op::And, f.z, f.n(Op::Or, f.x, f.y))) == "z && (x || y)");
  CHECK(f.render(f.n(Op::Or, f.x, f.n(Op::And, f.y, f.z))) == "x || y && z");
  CHECK(f.render(f.n(Op::Not, f.n(Op::Lt, f.x, f.y))) == "!(x < y)");
  CHECK(f.render(f.n(Op::Select, f.n(Op::Gt, f.x, f.y), f.x, f.n(Op::Select, f.z, f.y, f.z))) ==
        "x > y ? x : z ? y : z");
  CHECK(f.render(f.n(Op::Select, f.n(Op::Select, f.x, f.y, f.z), f.x, f.y)) == "(x ? y : z) ? x : y");
  CHECK(f.render(f.n(Op::Sub, f.n(Op::Select, f.x, f.y, f.z), f.x)) == "(x ? y : z) - x");
}

TEST_CASE("gradc dialect: calls, literals, pi and negative constants") {
  Fixture f;
  CHECK(f.render(f.n(Op::Atan2, f.x, f.y)) == "atan2(x, y)");
  CHECK(f.render(f.n(Op::LeakyRelu, f.x, f.k(0.1))) == "leaky_relu(x, 0.1)");
  CHECK(f.render(f.n(Op::Sigmoid, f.n(Op::Add, f.x, f.y))) == "sigmoid(x + y)");
  CHECK(f.render(f.n(Op::Mul, f.k(2), f.x)) == "2*x");
  CHECK(f.render(f.n(Op::Mul, f.k(std::numbers::pi), f.x)) == "pi*x");
  CHECK(f.render(f.n(Op::Pow, f.k(-2), f.x)) == "(-2)^x");
  CHECK(f.render(f.n(Op::Div, f.x, f.k(-2))) == "x/-2");
  CHECK(f.render(f.n(Op::Mul, f.k(1e-7), f.x)) == "1e-07*x");
}

TEST_CASE("shared operands are referred to by their statement's name") {
  Fixture f;
  NodeId a = f.n(Op::Mul, f.x, f.y);
  NodeId s1 = f.n(Op::Sin, a);
  NodeId c1 = f.n(Op::Cos, a);
  NodeId root = f.n(Op::Add, s1, c1);
  Schedule s = make_schedule(f.g, {root}, f.hints);
  ExprRenderer r(f.g, s, Dialect::Gradc);
  CHECK(r.definition(a) == "x*y");
  CHECK(r.definition(root) == "sin(t1) + cos(t1)");
  CHECK(r.reference(root) == "sin(t1) + cos(t1)");  // an unnamed root is stored once: inlined
  CHECK(r.reference(f.k(2.5)) == "2.5");
}

TEST_CASE("C++ dialect: std:: functions, helpers, conditions and double literals") {
  Fixture f;
  CHECK(f.render(f.n(Op::Pow, f.x, f.y), Dialect::Cpp) == "std::pow(x, y)");
  CHECK(f.render(f.n(Op::Abs, f.x), Dialect::Cpp) == "std::fabs(x)");
  CHECK(f.render(f.n(Op::Max, f.x, f.y), Dialect::Cpp) == "gradc_max(x, y)");
  CHECK(f.render(f.n(Op::Sin, f.x), Dialect::Cpp) == "std::sin(x)");
  CHECK(f.render(f.n(Op::Mul, f.k(2), f.x), Dialect::Cpp) == "2.0 * x");
  CHECK(f.render(f.n(Op::Neg, f.n(Op::Neg, f.x)), Dialect::Cpp) == "-(-x)");
  CHECK(f.render(f.n(Op::Lt, f.x, f.y), Dialect::Cpp) == "(x < y ? 1.0 : 0.0)");
  CHECK(f.render(f.n(Op::Select, f.n(Op::Gt, f.x, f.y), f.x, f.y), Dialect::Cpp) == "x > y ? x : y");
  CHECK(f.render(f.n(Op::Select, f.z, f.x, f.y), Dialect::Cpp) == "z != 0.0 ? x : y");
  NodeId sig = f.n(Op::Sigmoid, f.x);
  Schedule s = make_schedule(f.g, {sig}, f.hints);
  ExprRenderer r(f.g, s, Dialect::Cpp);
  CHECK(r.definition(sig) == "gradc_sigmoid(x)");
  CHECK(r.helpers_used().count(Op::Sigmoid) == 1);
  CHECK(r.number(3) == "3.0");
  CHECK(r.number(0.25) == "0.25");
  CHECK(r.name("int") == "int_");
  CHECK(r.name("x") == "x");
}

TEST_CASE("cpp_helper_name and cpp_helper_source") {
  CHECK(cpp_helper_name(Op::Sin).empty());
  for (Op op : {Op::Sigmoid, Op::Softplus, Op::Gelu, Op::Sign, Op::Relu, Op::LeakyRelu}) {
    std::string name(cpp_helper_name(op));
    INFO(std::string(op_info(op).name));
    CHECK(name.starts_with("gradc_"));
    CHECK(std::string(cpp_helper_source(op)).find(name + "(double") != std::string::npos);
  }
}

TEST_CASE("LaTeX dialect") {
  Fixture f;
  CHECK(f.render(f.n(Op::Div, f.x, f.y), Dialect::Latex) == "\\frac{x}{y}");
  CHECK(f.render(f.n(Op::Sqrt, f.x), Dialect::Latex) == "\\sqrt{x}");
  CHECK(f.render(f.n(Op::Mul, f.x, f.y), Dialect::Latex) == "x y");  // juxtaposed
  CHECK(f.render(f.n(Op::Mul, f.g.constant(2), f.g.constant(3)), Dialect::Latex) == "2 \\cdot 3");
  CHECK(f.render(f.n(Op::Sin, f.x), Dialect::Latex) == "\\sin\\left(x\\right)");
  CHECK(f.render(f.n(Op::Mul, f.z, f.n(Op::Add, f.x, f.y)), Dialect::Latex) ==
        "z \\left(x + y\\right)");
  Schedule s = make_schedule(f.g, {f.x}, f.hints);
  ExprRenderer r(f.g, s, Dialect::Latex);
  CHECK(r.number(std::numbers::pi) == "\\pi");
  CHECK(r.name("x") == "x");
  // Names as the handouts write them: subscripts, Greek letters, words.
  for (auto [name, latex] : {std::pair{"ab_c", "\\mathit{ab}_{c}"}, {"w1", "w_{1}"},
                             {"W1_0", "W_{1,0}"}, {"theta", "\\theta"}, {"loss", "\\mathit{loss}"},
                             {"h_0", "h_{0}"}, {"x_hat", "x_{\\mathit{hat}}"}, {"a__b", "\\mathit{a\\_\\_b}"},
                             {"a1b", "\\mathit{a1b}"}, {"_x", "\\mathit{\\_x}"}, {"s[0]", "s_{0}"},
                             {"s1[1,2]", "{s_{1}}_{1,2}"}}) {
    INFO(name);
    CHECK(r.name(name) == latex);
  }
}

namespace {

// A random tree of raw nodes over x, y, z with awkward constants.
NodeId random_tree(Graph& g, unit::Points& pts, int depth) {
  static constexpr Op kOps[] = {Op::Neg, Op::Not, Op::Add, Op::Sub, Op::Mul, Op::Div, Op::Pow,
                                Op::Lt, Op::Ge, Op::Eq, Op::And, Op::Or, Op::Select, Op::Sin,
                                Op::Max, Op::Atan2, Op::Sub, Op::Div, Op::Pow, Op::Neg};
  static constexpr double kConsts[] = {2, -1, -2.5, 0.5, 3, std::numbers::pi, 1e-3};
  auto pick = [&](size_t n) { return size_t(pts.uniform(0, double(n))) % n; };
  if (depth == 0 || pick(5) == 0)
    return pick(3) ? g.input(uint32_t(pick(3))) : g.constant(kConsts[pick(std::size(kConsts))]);
  Op op = kOps[pick(std::size(kOps))];
  int ar = op_info(op).arity;
  NodeId a = random_tree(g, pts, depth - 1);
  NodeId b = ar >= 2 ? random_tree(g, pts, depth - 1) : kNoNode;
  NodeId c = ar == 3 ? random_tree(g, pts, depth - 1) : kNoNode;
  return g.add(Node{op, a, b, c});
}

}  // namespace

TEST_CASE("random trees rendered as gradc re-parse to the same value") {
  int compared = 0;
  for (uint64_t seed = 1; seed <= 1500; ++seed) {
    Fixture f;
    unit::Points pts(seed);
    NodeId root = random_tree(f.g, pts, 6);
    if (f.g[root].op == Op::Const || f.g[root].op == Op::Input) continue;
    Schedule s = make_schedule(f.g, {root}, f.hints);
    ExprRenderer r(f.g, s, Dialect::Gradc);
    std::string text = "input x, y, z\n";
    for (NodeId id : s.steps) text += s.name(id) + " = " + r.definition(id) + "\n";
    text += "r = " + r.reference(root) + "\noutput r\n";
    unit::Parse p = unit::parse_text(text);
    INFO("seed ", seed, "\n", text, p.errors);
    REQUIRE(p.program.has_value());
    for (int k = 0; k < 3; ++k) {
      std::vector<double> in{pts.uniform(-2, 2), pts.uniform(-2, 2), pts.uniform(-2, 2)};
      std::vector<double> raw = evaluate(f.g, in);
      if (!std::all_of(raw.begin(), raw.end(), [](double v) { return std::isfinite(v); })) continue;
      double scale = 1;
      for (double v : raw) scale = std::max(scale, std::fabs(v));
      double reparsed = evaluate(p.program->graph, in)[p.program->outputs[0].scalar()];
      CHECK(std::fabs(reparsed - raw[root]) <= 1e-9 * scale);
      ++compared;
    }
  }
  CHECK(compared > 1000);
}
