// test_derivative_rules.cpp - the derivative of every op in ops.def, end to end
// (parse, compile, interpret) against central differences and a closed form
// written here with <cmath>, and through the compiled backends (within 1e-14 of
// the interpreter); the SPEC 1 derivative conventions exactly; wrt.
#include <functional>
#include <limits>
#include <numbers>

#include "naming.h"
#include "backends.h"
#include "ir/builder.h"
#include "ad/derivative_rules.h"
#include "ir/scalar_math.h"
#include "unit_support.h"
#include "untaken_branches.h"

using namespace gradc;
using unit::close_exact;
using unit::close_fd;

namespace {

constexpr int kPoints = 24;
constexpr double kPi = std::numbers::pi;

double step(bool b) { return b ? 1.0 : 0.0; }

struct UnaryCase {
  const char* program;  // one input x
  double lo, hi;        // the domain the points are drawn from
  std::function<double(double)> derivative;
};

const std::vector<UnaryCase>& unary_cases() {
  static const std::vector<UnaryCase> cases = {
      {"w = exp(x)", -3, 3, [](double x) { return std::exp(x); }},
      {"w = log(x)", 0.05, 5, [](double x) { return 1 / x; }},
      {"w = log1p(x)", -0.9, 5, [](double x) { return 1 / (1 + x); }},
      {"w = expm1(x)", -3, 3, [](double x) { return std::exp(x); }},
      {"w = sqrt(x)", 0.05, 5, [](double x) { return 0.5 / std::sqrt(x); }},
      {"w = cbrt(x)", 0.1, 5, [](double x) { return 1 / (3 * std::pow(x, 2.0 / 3.0)); }},
      {"w = cbrt(x)", -5, -0.1, [](double x) { return 1 / (3 * std::pow(-x, 2.0 / 3.0)); }},
      {"w = sin(x)", -4, 4, [](double x) { return std::cos(x); }},
      {"w = cos(x)", -4, 4, [](double x) { return -std::sin(x); }},
      {"w = tan(x)", -1.3, 1.3, [](double x) { return 1 / (std::cos(x) * std::cos(x)); }},
      {"w = asin(x)", -0.95, 0.95, [](double x) { return 1 / std::sqrt(1 - x * x); }},
      {"w = acos(x)", -0.95, 0.95, [](double x) { return -1 / std::sqrt(1 - x * x); }},
      {"w = atan(x)", -5, 5, [](double x) { return 1 / (1 + x * x); }},
      {"w = sinh(x)", -3, 3, [](double x) { return std::cosh(x); }},
      {"w = cosh(x)", -3, 3, [](double x) { return std::sinh(x); }},
      {"w = tanh(x)", -3, 3, [](double x) { return 1 / (std::cosh(x) * std::cosh(x)); }},
      {"w = erf(x)", -3, 3, [](double x) { return 2 / std::sqrt(kPi) * std::exp(-x * x); }},
      {"w = erfc(x)", -3, 3, [](double x) { return -2 / std::sqrt(kPi) * std::exp(-x * x); }},
      {"w = abs(x)", -3, 3, [](double x) { return x > 0 ? 1.0 : -1.0; }},
      {"w = sign(x)", -3, 3, [](double) { return 0.0; }},
      {"w = floor(x)", -3, 3, [](double) { return 0.0; }},
      {"w = ceil(x)", -3, 3, [](double) { return 0.0; }},
      {"w = sigmoid(x)", -8, 8,
       [](double x) { return std::exp(-x) / ((1 + std::exp(-x)) * (1 + std::exp(-x))); }},
      {"w = softplus(x)", -8, 8, [](double x) { return 1 / (1 + std::exp(-x)); }},
      {"w = relu(x)", -3, 3, [](double x) { return step(x > 0); }},
      {"w = gelu(x)", -4, 4,
       [](double x) {  // Phi(x) + x*phi(x), Phi written with erfc
         return 0.5 * std::erfc(-x / std::sqrt(2.0)) +
                x * std::exp(-x * x / 2) / std::sqrt(2 * kPi);
       }},
      {"w = -x", -3, 3, [](double) { return -1.0; }},
      {"w = +x", -3, 3, [](double) { return 1.0; }},
      {"w = !x", -3, 3, [](double) { return 0.0; }},
  };
  return cases;
}

struct D2 {
  double dx, dy;
};

struct BinaryCase {
  const char* body;  // inputs x, y (declared in that order)
  double xlo, xhi, ylo, yhi;
  std::function<D2(double, double)> derivative;
};

D2 pow_partials(double x, double y) { return {y * std::pow(x, y - 1), std::pow(x, y) * std::log(x)}; }

const std::vector<BinaryCase>& binary_cases() {
  static const std::vector<BinaryCase> cases = {
      {"w = x + y", -3, 3, -3, 3, [](double, double) { return D2{1, 1}; }},
      {"w = x - y", -3, 3, -3, 3, [](double, double) { return D2{1, -1}; }},
      {"w = x * y", -3, 3, -3, 3, [](double x, double y) { return D2{y, x}; }},
      {"w = x / y", -3, 3, 0.2, 3, [](double x, double y) { return D2{1 / y, -x / (y * y)}; }},
      {"w = x / y", -3, 3, -3, -0.2, [](double x, double y) { return D2{1 / y, -x / (y * y)}; }},
      {"w = x ^ y", 0.1, 3, -2, 2, pow_partials},
      {"w = x ** y", 0.1, 3, -2, 2, pow_partials},
      {"w = pow(x, y)", 0.1, 3, -2, 2, pow_partials},
      {"w = atan2(y, x)", -2, 2, 0.2, 2,
       [](double x, double y) { return D2{-y / (x * x + y * y), x / (x * x + y * y)}; }},
      {"w = atan2(y, x)", 0.2, 2, -2, 2,
       [](double x, double y) { return D2{-y / (x * x + y * y), x / (x * x + y * y)}; }},
      {"w = max(x, y)", -3, 3, -3, 3, [](double x, double y) { return D2{step(x > y), step(y > x)}; }},
      {"w = min(x, y)", -3, 3, -3, 3, [](double x, double y) { return D2{step(x < y), step(y < x)}; }},
      {"w = leaky_relu(x, y)", -3, 3, 0.01, 0.5,
       [](double x, double y) { return D2{x > 0 ? 1 : y, x > 0 ? 0 : x}; }},
      {"w = x < y", -3, 3, -3, 3, [](double, double) { return D2{0, 0}; }},
      {"w = x <= y", -3, 3, -3, 3, [](double, double) { return D2{0, 0}; }},
      {"w = x > y", -3, 3, -3, 3, [](double, double) { return D2{0, 0}; }},
      {"w = x >= y", -3, 3, -3, 3, [](double, double) { return D2{0, 0}; }},
      {"w = x == y", -3, 3, -3, 3, [](double, double) { return D2{0, 0}; }},
      {"w = x != y", -3, 3, -3, 3, [](double, double) { return D2{0, 0}; }},
      {"w = x && y", -3, 3, -3, 3, [](double, double) { return D2{0, 0}; }},
      {"w = x || y", -3, 3, -3, 3, [](double, double) { return D2{0, 0}; }},
      {"w = x > y ? x*y : x + y", -3, 3, -3, 3,
       [](double x, double y) { return x > y ? D2{y, x} : D2{1, 1}; }},
      {"w = where(x > y, sin(x), cos(y))", -3, 3, -3, 3,
       [](double x, double y) { return x > y ? D2{std::cos(x), 0} : D2{0, -std::sin(y)}; }},
      {"w = y ? x*x : 3*x", -3, 3, -3, 3, [](double x, double) { return D2{2 * x, 0}; }},
      {"w = exp(sin(x)*y)", -3, 3, -1, 1,
       [](double x, double y) {
         double w = std::exp(std::sin(x) * y);
         return D2{w * std::cos(x) * y, w * std::sin(x)};
       }},
      {"w = x*(x > y) + y*(x && y)", -3, 3, -3, 3,
       [](double x, double y) { return D2{step(x > y), 1}; }},
  };
  return cases;
}

}  // namespace

TEST_CASE("every unary function and prefix operator matches central differences and its closed form") {
  unit::Points pts(11);
  for (const UnaryCase& tc : unary_cases()) {
    Compiled c = unit::compile_ok(tc.program);
    REQUIRE(c.jacobian.size() == 1);
    for (int k = 0; k < kPoints; ++k) {
      double x = pts.uniform(tc.lo, tc.hi);
      INFO(std::string(tc.program), " at x = ", x);
      unit::Values v = unit::run(c, {x});
      CHECK(close_fd(v.jac[0], unit::central_diff(c, {x}, 0, 0)));
      CHECK(close_exact(v.jac[0], tc.derivative(x)));
    }
  }
}

TEST_CASE("every binary function, operator and selection matches central differences and its closed form") {
  unit::Points pts(12);
  for (const BinaryCase& tc : binary_cases()) {
    Compiled c = unit::compile_ok(std::string("input x, y\n") + tc.body);
    REQUIRE(c.jacobian.size() == 2);
    for (int k = 0; k < kPoints; ++k) {
      double x = pts.uniform(tc.xlo, tc.xhi), y = pts.uniform(tc.ylo, tc.yhi);
      INFO(std::string(tc.body), " at x = ", x, ", y = ", y);
      unit::Values v = unit::run(c, {x, y});
      D2 d = tc.derivative(x, y);
      CHECK(close_fd(v.jac[0], unit::central_diff(c, {x, y}, 0, 0)));
      CHECK(close_fd(v.jac[1], unit::central_diff(c, {x, y}, 0, 1)));
      CHECK(close_exact(v.jac[0], d.dx));
      CHECK(close_exact(v.jac[1], d.dy));
    }
  }
}

TEST_CASE("every op's compiled kernels (C++, LLVM JIT, .ll, .o) match the interpreter and the closed form") {
  // Each unary and binary case above as one batch per backend.
  std::vector<Compiled> programs;
  std::vector<gradc_test::NamedProgram> batch;
  for (const UnaryCase& tc : unary_cases()) programs.push_back(unit::compile_ok(tc.program));
  for (const BinaryCase& tc : binary_cases())
    programs.push_back(unit::compile_ok(std::string("input x, y\n") + tc.body));
  for (size_t i = 0; i < programs.size(); ++i)
    batch.push_back({"rule" + std::to_string(i), &programs[i]});
  auto backends = gradc_test::build_backends(batch, gradc_test::kCompiledBackends);
  for (const auto& b : backends) REQUIRE_MESSAGE(b->ok(), b->label() << ": " << b->log());
  unit::Points pts(16);
  const size_t unary = unary_cases().size();
  for (size_t i = 0; i < programs.size(); ++i) {
    const bool is_unary = i < unary;
    for (int k = 0; k < kPoints; ++k) {
      std::vector<double> in;
      std::vector<double> want;  // closed-form derivatives
      if (is_unary) {
        const UnaryCase& tc = unary_cases()[i];
        in = {pts.uniform(tc.lo, tc.hi)};
        want = {tc.derivative(in[0])};
      } else {
        const BinaryCase& tc = binary_cases()[i - unary];
        in = {pts.uniform(tc.xlo, tc.xhi), pts.uniform(tc.ylo, tc.yhi)};
        D2 d = tc.derivative(in[0], in[1]);
        want = {d.dx, d.dy};
      }
      unit::Values ref = unit::run(programs[i], in);
      for (const auto& b : backends) {
        const std::string program =
            is_unary ? unary_cases()[i].program : binary_cases()[i - unary].body;
        INFO(program, " by ", b->label(), " at ", gradc_test::point_text(programs[i], in));
        std::vector<double> fwd;
        gradc_test::Values got = b->call(i, in, &fwd);
        CHECK(gradc_test::close(got.out[0], ref.out[0], 1e-14, 1e-300));
        CHECK(gradc_test::close(fwd[0], ref.out[0], 1e-14, 1e-300));
        for (size_t j = 0; j < want.size(); ++j) {
          CHECK(gradc_test::close(got.jac[j], ref.jac[j], 1e-14, 1e-300));
          CHECK(close_exact(got.jac[j], want[j]));
        }
      }
    }
  }
}

TEST_CASE("partial_times: every op's local partial is linear in the seed and matches a difference quotient") {
  unit::Points pts(13);
  for (int o = 0; o < kNumOps; ++o) {
    Op op = Op(o);
    int ar = op_info(op).arity;
    if (ar == 0) continue;
    Graph g;
    Builder b(g);
    NodeId x = b.input(0), y = b.input(1), c = b.input(2), seed = b.input(3);
    // The node itself, built raw so that the builder cannot rewrite it.
    NodeId n = ar == 1 ? g.add(Node{op, x}) : ar == 2 ? g.add(Node{op, x, y}) : g.add(Node{op, c, x, y});
    REQUIRE(g[n].op == op);
    for (int i = 0; i < ar; ++i) {
      bool none = op == Op::Not || op == Op::Sign || op == Op::Floor || op == Op::Ceil ||
                  op == Op::NoGrad ||
                  op == Op::Lt || op == Op::Le || op == Op::Gt || op == Op::Ge || op == Op::Eq ||
                  op == Op::Ne || op == Op::And || op == Op::Or || (op == Op::Select && i == 0);
      INFO("op ", std::string(op_info(op).name), " operand ", i);
      NodeId unit_seed = partial_times(b, n, i, b.one());
      NodeId var_seed = partial_times(b, n, i, seed);
      CHECK((unit_seed == kNoNode) == none);
      CHECK((var_seed == kNoNode) == none);
      if (none) continue;
      // Points where every op is smooth: 0 < x < 1 < y, selector 0 or 1.
      double xv = pts.uniform(0.1, 0.9), yv = pts.uniform(1.1, 2), cv = pts.uniform(0, 1) < 0.5;
      std::vector<double> vals = evaluate(g, {xv, yv, cv, 2.5});
      CHECK(close_exact(vals[var_seed], 2.5 * vals[unit_seed]));
      auto f = [&](double xx, double yy) {
        if (ar == 1) return math::apply(op, xx);
        if (ar == 2) return math::apply(op, xx, yy);
        return math::select(cv, xx, yy);
      };
      double h = 1e-6;
      double fd = ar == 3 ? (i == 1 ? (f(xv + h, yv) - f(xv - h, yv)) / (2 * h)
                                    : (f(xv, yv + h) - f(xv, yv - h)) / (2 * h))
                  : i == 0 ? (f(xv + h, yv) - f(xv - h, yv)) / (2 * h)
                           : (f(xv, yv + h) - f(xv, yv - h)) / (2 * h);
      CHECK(close_fd(vals[unit_seed], fd));
    }
  }
}

TEST_CASE("relu'(0) = 0, abs'(0) = 0, and sign, floor and ceil have derivative 0 everywhere") {
  Compiled relu = unit::compile_ok("w = relu(x)");
  CHECK(unit::run(relu, {0.0}).jac[0] == 0.0);
  CHECK(unit::run(relu, {1e-300}).jac[0] == 1.0);
  CHECK(unit::run(relu, {-1e-300}).jac[0] == 0.0);
  Compiled abs = unit::compile_ok("w = abs(x)");
  CHECK(unit::run(abs, {0.0}).jac[0] == 0.0);
  CHECK(unit::run(abs, {-0.0}).jac[0] == 0.0);
  CHECK(unit::run(abs, {-2.0}).jac[0] == -1.0);
  for (const char* p : {"w = sign(x)", "w = floor(x)", "w = ceil(x)"}) {
    Compiled c = unit::compile_ok(p);
    for (double x : {-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0}) {
      INFO(std::string(p), " at ", x);
      CHECK(unit::run(c, {x}).jac[0] == 0.0);
    }
  }
}

TEST_CASE("leaky_relu at 0 takes the slope side, like relu'(0) = 0") {
  Compiled c = unit::compile_ok("input x, s\nw = leaky_relu(x, s)");
  unit::Values v = unit::run(c, {0.0, 0.1});
  CHECK(v.out[0] == 0.0);
  CHECK(v.jac[0] == doctest::Approx(0.1));
  CHECK(v.jac[1] == 0.0);
}

TEST_CASE("comparisons and logical operators carry no derivative, even at a tie") {
  for (const char* op : {"<", "<=", ">", ">=", "==", "!=", "&&", "||"}) {
    Compiled c = unit::compile_ok(std::string("input x, y\nw = x ") + op + " y");
    for (double x : {-1.0, 0.0, 2.0}) {
      INFO(std::string(op), " at x = y = ", x);
      unit::Values v = unit::run(c, {x, x});
      CHECK(v.jac[0] == 0.0);
      CHECK(v.jac[1] == 0.0);
    }
  }
  Compiled masked = unit::compile_ok("input x, y\nw = x*(x > y)");
  CHECK(unit::run(masked, {1.0, 1.0}).jac == std::vector<double>{0.0, 0.0});
  CHECK(unit::run(masked, {2.0, 1.0}).jac == std::vector<double>{1.0, 0.0});
  Compiled bang = unit::compile_ok("w = !x");
  CHECK(unit::run(bang, {0.0}).jac[0] == 0.0);
}

TEST_CASE("max and min: all to the larger (smaller) operand, half to each on a tie") {
  Compiled mx = unit::compile_ok("input x, y\nw = max(x, y)");
  CHECK(unit::run(mx, {1.5, 1.5}).jac == std::vector<double>{0.5, 0.5});
  CHECK(unit::run(mx, {2.0, 1.0}).jac == std::vector<double>{1.0, 0.0});
  CHECK(unit::run(mx, {1.0, 2.0}).jac == std::vector<double>{0.0, 1.0});
  Compiled mn = unit::compile_ok("input x, y\nw = min(x, y)");
  CHECK(unit::run(mn, {-0.5, -0.5}).jac == std::vector<double>{0.5, 0.5});
  CHECK(unit::run(mn, {2.0, 1.0}).jac == std::vector<double>{0.0, 1.0});
  // A tie between two different expressions: half of each one's derivative.
  Compiled mixed = unit::compile_ok("w = max(2*x, x*x)");
  CHECK(unit::run(mixed, {2.0}).jac[0] == doctest::Approx(0.5 * 2 + 0.5 * 4));
  Compiled with_const = unit::compile_ok("input x, y\nw = min(x*y, 2)");
  CHECK(unit::run(with_const, {1.0, 2.0}).jac == std::vector<double>{1.0, 0.5});
  // max(x, x) is x itself.
  CHECK(unit::run(unit::compile_ok("w = max(x, x)"), {3.0}).jac[0] == 1.0);
}

TEST_CASE("an untaken ?: or where branch never leaks NaN or inf into the derivative") {
  struct Case {
    const char* program;
    double x, value, derivative;
  };
  const Case cases[] = {
      {"w = x > 0 ? sqrt(x) : 0", -1, 0, 0},
      {"w = where(x > 0, sqrt(x), 0)", -1, 0, 0},
      {"w = x <= 0 ? 0 : sqrt(x)", -1, 0, 0},
      {"w = x > 0 ? log(x) : 0", 0, 0, 0},
      {"w = x > 0 ? log(x) : 0", -2, 0, 0},
      {"w = x != 0 ? 1/x : 0", 0, 0, 0},
      {"w = x > 0 ? sqrt(x) : x*x", -1, 1, -2},
      {"w = x > 0 ? exp(sqrt(x)) : 3*x", -1, -3, 3},
      {"w = (x > 0 ? sqrt(x) : 0)^2", -1, 0, 0},
      {"w = x > 0 ? sqrt(x) : 0", 4, 2, 0.25},
  };
  for (const Case& tc : cases) {
    INFO(std::string(tc.program), " at x = ", tc.x);
    unit::Values v = unit::run(unit::compile_ok(tc.program), {tc.x});
    CHECK(v.out[0] == tc.value);
    CHECK(v.jac[0] == tc.derivative);
  }
  Compiled two = unit::compile_ok("input x, y\nw = x > 0 ? exp(sqrt(x))*y : y");
  CHECK(unit::run(two, {-1.0, 5.0}).jac == std::vector<double>{0.0, 1.0});
}

TEST_CASE("a selection inside an untaken branch leaks nothing either, in every mode") {
  // max's tie share and leaky_relu's slope choose between two multiples of
  // one masked seed; the choice must stay masked (it once let 0*inf = NaN
  // through in reverse mode).
  const std::vector<unit::UntakenCase> cases = unit::untaken_branch_cases();
  CHECK(cases.size() > 150);
  for (DiffMode mode : {DiffMode::Reverse, DiffMode::Forward, DiffMode::Auto}) {
    for (const unit::UntakenCase& tc : cases) {
      INFO(tc.program, "\nmode ", diff_mode_name(mode), " at y = ", tc.in[1]);
      unit::Values v = unit::run(unit::compile_mode(tc.program, mode), tc.in);
      CHECK(v.out[0] == tc.value);
      CHECK(v.jac == std::vector<double>{tc.d_dx, 0.0});
    }
  }
}

namespace {

// Select nodes the Jacobian's entries are computed with.
size_t selects_in_jacobian(const Compiled& c) {
  const Graph& g = c.prog.graph;
  std::vector<char> seen(g.size(), 0);
  std::vector<NodeId> stack(c.jacobian.begin(), c.jacobian.end());
  size_t selects = 0;
  while (!stack.empty()) {
    NodeId id = stack.back();
    stack.pop_back();
    if (seen[id]) continue;
    seen[id] = 1;
    selects += g[id].op == Op::Select;
    for (int i = 0; i < arity(g[id]); ++i) stack.push_back(operand(g[id], i));
  }
  return selects;
}

}  // namespace

TEST_CASE("a ReLU's mask is applied once per value, not once per Jacobian entry") {
  // Two hidden units of a net: d/dv_i = relu(s_i), and the weights' and
  // x's derivatives are the masked adjoint g_i = s_i > 0 ? 2*v_i : 0 times
  // x and w_i, as backpropagation writes it: one select per unit.
  const char* net = "input x, w1, w2, v1, v2\nw = 2*(v1*relu(w1*x) + v2*relu(w2*x))";
  for (DiffMode mode : {DiffMode::Reverse, DiffMode::Auto}) {
    Compiled c = unit::compile_mode(net, mode);
    CHECK(selects_in_jacobian(c) == 2);
    for (double x : {-1.5, 0.0, 0.75}) {
      INFO("x = ", x, " mode ", diff_mode_name(mode));
      const std::vector<double> in{x, 0.5, -2.0, 1.5, 3.0};
      unit::Values v = unit::run(c, in);
      const double on1 = 0.5 * x > 0, on2 = -2.0 * x > 0;
      auto relu = [](double a) { return a > 0 ? a : 0.0; };  // +0 where off
      const std::vector<double> expect{2 * (1.5 * on1 * 0.5 + 3.0 * on2 * -2.0), 2 * 1.5 * on1 * x,
                                       2 * 3.0 * on2 * x, 2 * relu(0.5 * x), 2 * relu(-2.0 * x)};
      for (size_t j = 0; j < expect.size(); ++j) {
        CHECK(v.jac[j] == expect[j]);
        // Reverse mode's g*x is IEEE's product, sign of a zero included: an
        // off unit's weight at x < 0 has derivative -0 (docs/semantics.md).
        if (mode == DiffMode::Reverse) CHECK(std::signbit(v.jac[j]) == std::signbit(expect[j]));
      }
    }
  }
  // A three-layer ReLU net: one select per hidden unit (3 + 2), where
  // masking each product took one per derivative entry.
  Compiled deep = unit::compile_ok(
      "input W1[3,2], W2[2,3], w3[2], x[2]\n"
      "y = dot(w3, 2*relu(W2 @ relu(W1 @ x)))");
  CHECK(selects_in_jacobian(deep) == 5);
}

TEST_CASE("the mask stays on each product where a value below it can be infinite") {
  // Below the ReLU: sqrt's partial is inf at t = 0, where the unit is off
  // (sqrt(0) - 1 < 0). The mask must reach that product: 0, not 0*inf.
  for (DiffMode mode : {DiffMode::Reverse, DiffMode::Forward, DiffMode::Auto}) {
    INFO("mode ", diff_mode_name(mode));
    Compiled c = unit::compile_mode("input t, v\nw = v*relu(sqrt(t) - 1)", mode);
    unit::Values v = unit::run(c, {0.0, 3.0});
    CHECK(v.out[0] == 0.0);
    CHECK(v.jac == std::vector<double>{0.0, 0.0});
  }
  // A constant that overflows (kept as the node 1e200*1e200, value inf) is
  // no finite factor either: 0, as forward mode gives, not 0*inf.
  for (const char* program : {"input x\nw = 3*relu(x*(1e200*1e200))",
                              "input x\nw = 3*relu(x*(1e308 + 1e308))",
                              "input x, y\nw = 3*relu(x*y + x*(1e200*1e200))"}) {
    for (DiffMode mode : {DiffMode::Reverse, DiffMode::Forward}) {
      INFO(program, " mode ", diff_mode_name(mode));
      unit::Values v = unit::run(unit::compile_mode(program, mode), {-2.0, 1.0});
      CHECK(v.out[0] == 0.0);
      for (double d : v.jac) CHECK(d == 0.0);
    }
  }
  // A ?: the program writes keeps its mask on every product even below a
  // ReLU (SPEC 1: the untaken x*y = -inf never leaks), so d/dx is 0, where
  // multiplying the mask 0 by y = inf would give NaN.
  const double inf = std::numeric_limits<double>::infinity();
  Compiled sel = unit::compile_ok("input x, y\nw = 3*relu(x > 0 ? x*y : 0)");
  CHECK(unit::run(sel, {-1.0, inf}).jac == std::vector<double>{0.0, 0.0});
  Compiled bare = unit::compile_ok("input x, y\nw = x > 0 ? 3*x*y : 0");
  CHECK(unit::run(bare, {-1.0, inf}).jac == std::vector<double>{0.0, 0.0});
  // The ReLU alone follows IEEE there, as JAX and PyTorch do: relu'(-inf)
  // = 0 times the partial y = inf is NaN (docs/semantics.md).
  Compiled relu = unit::compile_ok("input x, y\nw = 3*relu(x*y)");
  unit::Values v = unit::run(relu, {-1.0, inf});
  CHECK(v.out[0] == 0.0);
  CHECK(std::isnan(v.jac[0]));
}

TEST_CASE("max and min follow fmax/fmin past a NaN operand: the derivative goes to the result") {
  // The value ignores the NaN operand, so the derivative is the other's.
  for (const char* program : {"w = min(y, sqrt(x))", "w = max(y, log(x))", "w = max(sqrt(x), y)",
                              "w = min(log(x), y)"}) {
    for (DiffMode mode : {DiffMode::Reverse, DiffMode::Forward}) {
      INFO(program, " mode ", diff_mode_name(mode));
      Compiled c = unit::compile_mode(std::string("input x, y\n") + program, mode);
      unit::Values v = unit::run(c, {-1.0, 3.0});
      CHECK(v.out[0] == 3.0);
      CHECK(v.jac == std::vector<double>{0.0, 1.0});
    }
  }
  // Both NaN: the value is NaN, and neither operand wins.
  Compiled both = unit::compile_ok("input x, y\nw = max(sqrt(x), log(y))");
  unit::Values v = unit::run(both, {-1.0, -1.0});
  CHECK(std::isnan(v.out[0]));
  CHECK(v.jac == std::vector<double>{0.0, 0.0});
}

TEST_CASE("a -0.0 the program writes is a value, not a mask: IEEE's -0*inf in every mode") {
  // The partial of the product with respect to sqrt(t) is the program's own
  // x > 0 ? x : -0.0, which takes -0.0 at x = -1: d/dt = -0.0 * 0.5/sqrt(0),
  // NaN under IEEE (SPEC 1: only the branch not taken is kept out). A zero
  // the derivative rules make is +0 and a mask (partial_times), this one not.
  for (DiffMode mode : {DiffMode::Reverse, DiffMode::Forward, DiffMode::Auto}) {
    INFO("mode ", diff_mode_name(mode));
    Compiled c = unit::compile_mode("input t, x\nw = sqrt(t)*(x > 0 ? x : -0.0)", mode);
    unit::Values v = unit::run(c, {0.0, -1.0});
    CHECK(v.out[0] == 0.0);
    CHECK(std::isnan(v.jac[0]));
    CHECK(v.jac[1] == 0.0);  // x's branch is not taken
  }
}

TEST_CASE("pow: variable exponent has d/db = a^b*log(a), and 0 where a == 0") {
  Compiled c = unit::compile_ok("input a, b\nw = pow(a, b)");
  unit::Values at_zero = unit::run(c, {0.0, 2.0});
  CHECK(at_zero.out[0] == 0.0);
  CHECK(at_zero.jac[0] == 0.0);  // 2*0^1
  CHECK(at_zero.jac[1] == 0.0);
  CHECK(unit::run(c, {0.0, 3.5}).jac[1] == 0.0);
  unit::Values v = unit::run(c, {2.0, 3.0});
  CHECK(close_exact(v.jac[0], 3 * 4.0));
  CHECK(close_exact(v.jac[1], 8 * std::log(2.0)));
}

TEST_CASE("pow: variable exponent has d/da = b*a^(b-1), and 0 where b == 0 (as pow(a, 0))") {
  Compiled c = unit::compile_ok("input a, b\nw = pow(a, b)");
  struct Case {
    double a, b, value, d_da;
  };
  const Case cases[] = {
      {0, 0, 1, 0},  // 0*0^-1 would be NaN; x^0 = 1 everywhere, so 0 (JAX, PyTorch)
      {0, 1, 0, 1},  // 1*0^0
      {0, 2, 0, 0},  // 2*0^1
      {2, 0, 1, 0},
      {-3, 0, 1, 0},
  };
  for (const Case& k : cases) {
    INFO("a = ", k.a, ", b = ", k.b);
    unit::Values v = unit::run(c, {k.a, k.b});
    CHECK(v.out[0] == k.value);
    CHECK(v.jac[0] == k.d_da);
  }
  // The constant-exponent form agrees at the same points.
  CHECK(unit::run(unit::compile_ok("w = pow(x, 0)"), {0.0}).jac[0] == 0.0);
  // Elsewhere: central differences.
  unit::Points pts(33);
  for (int k = 0; k < kPoints; ++k) {
    double a = pts.uniform(0.1, 3), b = pts.uniform(-2, 2);
    INFO("a = ", a, ", b = ", b);
    CHECK(close_fd(unit::run(c, {a, b}).jac[0], unit::central_diff(c, {a, b}, 0, 0)));
  }
}

TEST_CASE("pow: a constant exponent gives b*a^(b-1); integer exponents become products") {
  Compiled frac = unit::compile_ok("w = x^2.5");
  unit::Points pts(14);
  for (int k = 0; k < kPoints; ++k) {
    double x = pts.uniform(0.01, 4);
    CHECK(close_exact(unit::run(frac, {x}).jac[0], 2.5 * std::pow(x, 1.5)));
  }
  CHECK(unit::run(frac, {0.0}).jac[0] == 0.0);
  for (const char* p : {"w = x^3", "w = pow(x, 3)", "w = x**3", "w = x^(1+2)"}) {
    INFO(std::string(p));
    Compiled c = unit::compile_ok(p);
    for (NodeId id = 0; id < c.prog.graph.size(); ++id) CHECK(c.prog.graph[id].op != Op::Pow);
    unit::Values v = unit::run(c, {-2.0});
    CHECK(v.out[0] == -8.0);
    CHECK(v.jac[0] == 12.0);
  }
  CHECK(close_exact(unit::run(unit::compile_ok("w = x^-2"), {2.0}).jac[0], -2.0 / 8));
  CHECK(close_exact(unit::run(unit::compile_ok("w = x^0.5"), {4.0}).jac[0], 0.25));
  CHECK(close_exact(unit::run(unit::compile_ok("w = x^17"), {1.1}).jac[0], 17 * std::pow(1.1, 16)));
}

TEST_CASE("x^-n is differentiated as pow, -n x^-(n+1), also at its pole and where x^n underflows") {
  // 1/x^n's chain rule, -(1/u)^2 * n x^(n-1), is inf*0 = NaN at x = 0 and
  // wherever x^n underflows; pow's rule (SPEC 1) gives +-inf there, as JAX.
  gradc::CompileOptions second;
  second.kernels = {gradc::KernelKind::Forward, gradc::KernelKind::Grad, gradc::KernelKind::Hess};
  for (int n = 2; n <= 7; ++n)
    for (gradc::DiffMode mode : {gradc::DiffMode::Reverse, gradc::DiffMode::Forward}) {
      second.mode = mode;
      Compiled c = unit::compile_ok(fmt::format("w = x^-{}", n), second);
      REQUIRE(c.hessian.size() == 1);
      for (double x : {0.0, -0.0, 1e-170, -1e-170, 1e-30, 2.5, -1.5, 1e300}) {
        INFO("n = ", n, ", x = ", x, ", mode ", gradc::diff_mode_name(mode));
        const std::vector<double> v = gradc::evaluate(c.prog.graph, {x});
        const double d1 = -n * std::pow(x, -n - 1), d2 = n * (n + 1) * std::pow(x, -n - 2);
        CHECK(!std::isnan(v[c.jacobian[0]]));
        CHECK(!std::isnan(v[c.hessian[0]]));
        if (std::isinf(d1)) CHECK(v[c.jacobian[0]] == d1);
        else CHECK(unit::close(v[c.jacobian[0]], d1, 1e-14, 1e-300));
        if (std::isinf(d2)) CHECK(v[c.hessian[0]] == d2);
        else CHECK(unit::close(v[c.hessian[0]], d2, 1e-14, 1e-300));
      }
    }
  // The same value written out is the same node, differentiated the same way.
  CHECK(unit::run(unit::compile_ok("w = 1/(x*x) + x^-2"), {0.0}).jac[0] == -INFINITY);
  // 1/x keeps its own rule, -(1/x)^2: no division.
  CHECK(unit::run(unit::compile_ok("w = x^-1"), {0.0}).jac[0] == -INFINITY);
  // Where the builder simplifies the power (sqrt(s)^2 is s, (-a)^2 is a^2,
  // a masked value's square a select), 1/x^n is no power of x below the
  // division: the chain rule, not pow's edge to an x the sweeps never reach
  // (each of these gave 0); nor is a 1/s that such a value hash-conses to.
  struct Case {
    const char* program;
    double at, d;
  };
  const Case cases[] = {
      {"input s\ny = sqrt(s)^-2", 2, -0.25},
      {"input a\ny = (-a)^-2", 2, -0.25},
      {"input a\nm = a > 0 ? a : 0\ny = m^-2", 2, -0.25},
      {"input s\ny = 1/s + sqrt(s)^-2 + sqrt(s)", 4, -0.125 + 0.25},
      {"input s\nunused = sqrt(s)^-2\ny = 1/s", 2, -0.25},
      {"input x\ny = x^-3 + x*x^-5", 2, -3.0 / 16 - 4.0 / 32},
  };
  for (const Case& k : cases)
    for (gradc::DiffMode mode : {gradc::DiffMode::Reverse, gradc::DiffMode::Forward}) {
      INFO(k.program, ", mode ", gradc::diff_mode_name(mode));
      CHECK(close_exact(unit::run(unit::compile_mode(k.program, mode), {k.at}).jac[0], k.d));
    }
}

TEST_CASE("gelu keeps its digits in the tail: x Phi(x) with Phi = erfc(-x/sqrt2)/2") {
  // 1 + erf(x/sqrt2) cancels for x < 0: gelu'(-10) was 1% off (its two
  // terms, Phi and x phi, both tiny), gelu(-3.28) about 150 ulp.
  gradc::CompileOptions second;
  second.kernels = {gradc::KernelKind::Forward, gradc::KernelKind::Grad, gradc::KernelKind::Hess};
  Compiled c = unit::compile_ok("w = gelu(x)", second);
  for (double x : {-10.0, -8.0, -3.28, -1.0, 0.5, 3.0}) {
    INFO("x = ", x);
    const double Phi = 0.5 * std::erfc(-x / std::sqrt(2.0));
    const double phi = std::exp(-x * x / 2) / std::sqrt(2 * kPi);
    const std::vector<double> v = gradc::evaluate(c.prog.graph, {x});
    CHECK(unit::close(v[c.outputs[0]], x * Phi, 1e-13, 0));  // erfc amplifies its argument's rounding by 2t^2
    CHECK(unit::close(v[c.jacobian[0]], Phi + x * phi, 1e-13, 0));
    CHECK(unit::close(v[c.hessian[0]], phi * (2 - x * x), 1e-13, 0));
  }
}

TEST_CASE("sqrt'(0) and log'(0) are +inf (IEEE)") {
  unit::Values s = unit::run(unit::compile_ok("w = sqrt(x)"), {0.0});
  CHECK(s.out[0] == 0.0);
  CHECK(std::isinf(s.jac[0]));
  CHECK(s.jac[0] > 0);
  unit::Values l = unit::run(unit::compile_ok("w = log(x)"), {0.0});
  CHECK(std::isinf(l.out[0]));
  CHECK(l.out[0] < 0);
  CHECK(std::isinf(l.jac[0]));
  CHECK(l.jac[0] > 0);
}

TEST_CASE("several outputs give the full m x k Jacobian, row-major") {
  Compiled c = unit::compile_ok(
      "input x, y, z\na = x*y\nb = sin(z)*x\nc = a + b*z\noutput c, a, b");
  REQUIRE(c.outputs.size() == 3);
  REQUIRE(c.jacobian.size() == 9);
  CHECK(gradc::derivative_entry_names(c) == std::vector<std::string>{"dc_dx", "dc_dy", "dc_dz", "da_dx", "da_dy",
                                                       "da_dz", "db_dx", "db_dy", "db_dz"});
  unit::Points pts(15);
  for (int k = 0; k < kPoints; ++k) {
    double x = pts.uniform(-2, 2), y = pts.uniform(-2, 2), z = pts.uniform(-2, 2);
    std::vector<double> in{x, y, z};
    unit::Values v = unit::run(c, in);
    const double s = std::sin(z), co = std::cos(z);
    const double expected[9] = {y + s * z, x, x * (co * z + s),  // c = xy + x z sin z
                                y,         x, 0,                 // a = xy
                                s,         0, co * x};           // b = x sin z
    for (size_t e = 0; e < 9; ++e) {
      INFO("entry ", e, " at ", x, ", ", y, ", ", z);
      CHECK(close_exact(v.jac[e], expected[e]));
      CHECK(close_fd(v.jac[e], unit::central_diff(c, in, e / 3, e % 3)));
    }
  }
}

TEST_CASE("the wrt statement picks derivative columns, laid out in input order") {
  Compiled c = unit::compile_ok("input x, y, z\nw = x*y*z + z\nwrt z, x");
  CHECK(c.prog.wrt == std::vector<uint32_t>{0, 2});
  CHECK(gradc::derivative_entry_names(c) == std::vector<std::string>{"dw_dx", "dw_dz"});
  unit::Values v = unit::run(c, {2.0, 3.0, 5.0});
  CHECK(v.jac == std::vector<double>{15.0, 7.0});
}

TEST_CASE("set_wrt (and CompileOptions::wrt) overrides the program's wrt") {
  CompileOptions opts;
  opts.wrt = std::vector<std::string>{"y"};
  Compiled c = unit::compile_ok("input x, y, z\nw = x*y*z\nwrt z, x", opts);
  CHECK(c.prog.wrt == std::vector<uint32_t>{1});
  CHECK(unit::run(c, {2.0, 3.0, 5.0}).jac == std::vector<double>{10.0});

  unit::Parse p = unit::parse_text("w = x*y*z");
  REQUIRE(p.program);
  std::ostringstream err;
  Diagnostics diag(nullptr, err);
  CHECK(set_wrt(*p.program, {"z", "x"}, diag));
  CHECK(p.program->wrt == std::vector<uint32_t>{0, 2});
  CHECK_FALSE(set_wrt(*p.program, {"x", "nope"}, diag));
  diag.flush();
  CHECK(err.str().find("'nope'") != std::string::npos);
  CHECK(p.program->wrt == std::vector<uint32_t>{0, 2});  // unchanged on error
}
