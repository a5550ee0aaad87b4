// test_interp.cpp - the reference evaluator: every op against <cmath> written
// out independently here, inputs by ABI index, one value per node, and ?:
// taking only the selected branch's value.
#include <functional>
#include <numbers>

#include "ir/builder.h"
#include "unit_support.h"

using namespace gradc;

namespace {

double truth(bool b) { return b ? 1.0 : 0.0; }

// The meaning of each op, written from SPEC 1 and the C library.
double reference(Op op, double a, double b, double c) {
  switch (op) {
    case Op::Neg: return -a;
    case Op::Not: return truth(a == 0);
    case Op::Exp: return std::exp(a);
    case Op::Log: return std::log(a);
    case Op::Log1p: return std::log1p(a);
    case Op::Expm1: return std::expm1(a);
    case Op::Sqrt: return std::sqrt(a);
    case Op::Cbrt: return std::cbrt(a);
    case Op::Sin: return std::sin(a);
    case Op::Cos: return std::cos(a);
    case Op::Tan: return std::tan(a);
    case Op::Asin: return std::asin(a);
    case Op::Acos: return std::acos(a);
    case Op::Atan: return std::atan(a);
    case Op::Sinh: return std::sinh(a);
    case Op::Cosh: return std::cosh(a);
    case Op::Tanh: return std::tanh(a);
    case Op::Erf: return std::erf(a);
    case Op::Erfc: return std::erfc(a);
    case Op::Abs: return std::fabs(a);
    case Op::Sign: return a > 0 ? 1.0 : a < 0 ? -1.0 : 0.0;
    case Op::Floor: return std::floor(a);
    case Op::Ceil: return std::ceil(a);
    case Op::NoGrad: return a;  // stop_gradient: the value unchanged
    case Op::WrtValue: return a;  // a value wrt names: itself
    case Op::Sigmoid: return 1 / (1 + std::exp(-a));
    case Op::Softplus: return std::log(1 + std::exp(a));
    case Op::Relu: return a > 0 ? a : 0;
    case Op::Gelu: return a * 0.5 * std::erfc(-a / std::sqrt(2.0));
    case Op::Add: return a + b;
    case Op::Sub: return a - b;
    case Op::Mul: return a * b;
    case Op::Div: return a / b;
    case Op::Pow: return std::pow(a, b);
    case Op::Lt: return truth(a < b);
    case Op::Le: return truth(a <= b);
    case Op::Gt: return truth(a > b);
    case Op::Ge: return truth(a >= b);
    case Op::Eq: return truth(a == b);
    case Op::Ne: return truth(a != b);
    case Op::And: return truth(a != 0 && b != 0);
    case Op::Or: return truth(a != 0 || b != 0);
    case Op::Atan2: return std::atan2(a, b);
    case Op::Max: return a > b ? a : b;
    case Op::Min: return a < b ? a : b;
    case Op::LeakyRelu: return a > 0 ? a : a * b;
    case Op::Select: return a != 0 ? b : c;
    case Op::Const: case Op::Input: break;
  }
  return std::nan("");
}

}  // namespace

TEST_CASE("every op evaluates as SPEC 1 and <cmath> say") {
  unit::Points pts(21);
  for (int o = 0; o < kNumOps; ++o) {
    Op op = Op(o);
    int ar = op_info(op).arity;
    if (ar == 0) continue;
    for (int k = 0; k < 20; ++k) {
      // Arguments inside every op's domain: a in (0.05, 0.95), b in (1, 3).
      double a = pts.uniform(0.05, 0.95), b = pts.uniform(1, 3), c = k % 2;
      // Negative arguments too, where the domain allows.
      if (k % 4 == 3 && op != Op::Log && op != Op::Sqrt && op != Op::Pow) a = -a;
      Graph g;
      NodeId x = g.input(0), y = g.input(1), z = g.input(2);
      NodeId n = ar == 1 ? g.add(Node{op, x}) : ar == 2 ? g.add(Node{op, x, y})
                                                         : g.add(Node{op, z, x, y});
      std::vector<double> v = evaluate(g, {a, b, c});
      REQUIRE(v.size() == g.size());
      INFO(std::string(op_info(op).name), "(", a, ", ", b, ", ", c, ")");
      double expected = ar == 3 ? reference(op, c, a, b) : reference(op, a, b, 0);
      CHECK(unit::close_exact(v[n], expected));
    }
  }
}

TEST_CASE("special values: comparisons and logic give exactly 1 or 0; NaN propagates") {
  Graph g;
  Builder b(g);
  NodeId x = b.input(0), y = b.input(1);
  NodeId lt = g.add(Node{Op::Lt, x, y}), eq = g.add(Node{Op::Eq, x, y});
  NodeId sq = g.add(Node{Op::Sqrt, x}), lg = g.add(Node{Op::Log, x});
  NodeId dv = g.add(Node{Op::Div, y, x}), mx = g.add(Node{Op::Max, x, y});
  NodeId sg = g.add(Node{Op::Sign, y});
  std::vector<double> v = evaluate(g, {0.0, 2.0});
  CHECK(v[lt] == 1.0);
  CHECK(v[eq] == 0.0);
  CHECK(v[sq] == 0.0);
  CHECK(v[lg] == -INFINITY);
  CHECK(v[dv] == INFINITY);
  CHECK(v[mx] == 2.0);
  CHECK(v[sg] == 1.0);
  std::vector<double> w = evaluate(g, {-1.0, 2.0});
  CHECK(std::isnan(w[sq]));
  CHECK(std::isnan(w[lg]));
  CHECK(evaluate(g, {1.0, NAN})[mx] == 1.0);  // fmax ignores a NaN operand
}

TEST_CASE("inputs are read by their ABI index") {
  unit::Parse p = unit::parse_text("input b, a, c\nw = a - 10*b + 100*c");
  REQUIRE(p.program);
  std::vector<double> v = evaluate(p.program->graph, {1.0, 2.0, 3.0});
  CHECK(v[p.program->outputs[0].scalar()] == 2.0 - 10.0 + 300.0);
  CHECK(v[p.program->inputs[0].scalar()] == 1.0);
  CHECK(v[p.program->inputs[2].scalar()] == 3.0);
}

TEST_CASE("?: yields only the selected branch's value, even when the other is NaN or inf") {
  unit::Parse p = unit::parse_text("input x\na = x > 0 ? log(x) : 0\nb = x < 0 ? 1 : sqrt(x)\nc = x ? 1/x : 5\noutput a, b, c");
  REQUIRE(p.program);
  const Program& prog = *p.program;
  std::vector<double> v = evaluate(prog.graph, {-4.0});
  CHECK(v[prog.outputs[0].scalar()] == 0.0);
  CHECK(v[prog.outputs[1].scalar()] == 1.0);
  CHECK(v[prog.outputs[2].scalar()] == -0.25);
  std::vector<double> z = evaluate(prog.graph, {0.0});
  CHECK(z[prog.outputs[2].scalar()] == 5.0);
  CHECK(z[prog.outputs[1].scalar()] == 0.0);
}

TEST_CASE("stable forms: sigmoid and softplus do not overflow for large |x|") {
  unit::Parse p = unit::parse_text("input x\na = sigmoid(x)\nb = softplus(x)\noutput a, b");
  REQUIRE(p.program);
  const Program& prog = *p.program;
  std::vector<double> big = evaluate(prog.graph, {800.0}), small = evaluate(prog.graph, {-800.0});
  CHECK(big[prog.outputs[0].scalar()] == 1.0);
  CHECK(big[prog.outputs[1].scalar()] == 800.0);
  CHECK(small[prog.outputs[0].scalar()] == 0.0);
  CHECK(small[prog.outputs[1].scalar()] == 0.0);
  std::vector<double> mid = evaluate(prog.graph, {30.0});
  CHECK(unit::close_exact(mid[prog.outputs[1].scalar()], 30.0 + std::log1p(std::exp(-30.0))));
}
