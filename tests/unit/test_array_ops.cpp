// test_array_ops.cpp - the stable array built-ins log_softmax(v) and
// log_sigmoid(x): values and derivatives at +-800 against long double
// references, and their shape rules; the order of long sums (a tree of
// 16-term left folds): chain depth, accuracy, matrix products' left folds;
// logsumexp at infinite entries.
#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "unit_support.h"

using namespace gradc;

namespace {

using LD = long double;
bool near(double got, LD want) { return unit::close(got, double(want), 1e-14, 1e-300); }

}  // namespace

TEST_CASE("log_softmax(v) = v - logsumexp(v): finite values and Jacobian at +-800") {
  gradc::Compiled c = unit::compile_ok("input z[4]\nw = log_softmax(z)");
  for (std::vector<double> z : {std::vector<double>{800, 0, 0, 0}, {-800, 0, 1, 2},
                                {800, -800, 799, 0.5}, {1, 2, 3, 4}}) {
    LD m = *std::max_element(z.begin(), z.end()), total = 0;
    for (double zi : z) total += std::exp(LD(zi) - m);
    LD lse = m + std::log(total);
    unit::Values v = unit::run(c, z);
    for (size_t i = 0; i < 4; ++i) {
      INFO("z = ", z[0], " ", z[1], " ", z[2], " ", z[3], ", i = ", i);
      CHECK(near(v.out[i], z[i] - lse));
      for (size_t j = 0; j < 4; ++j)  // d/dz_j (z_i - lse) = [i == j] - softmax_j
        CHECK(unit::close(v.jac[i * 4 + j], double((i == j) - std::exp(z[j] - lse)), 1e-14, 1e-300));
    }
  }
  CHECK(unit::compile_text("input A[2,2]\nw = log_softmax(A)").errors.find(
            "'log_softmax' needs a vector, got [2,2]") != std::string::npos);
}

TEST_CASE("logsumexp with infinite entries is what SciPy and JAX give: -inf, inf, not NaN") {
  gradc::Compiled c = unit::compile_ok("input v[3]\nw = logsumexp(v)");
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(unit::run(c, {-inf, -inf, -inf}).out[0] == -inf);  // log(0)
  CHECK(unit::run(c, {inf, 0, 1}).out[0] == inf);
  CHECK(unit::run(c, {-inf, 0, -inf}).out[0] == 0.0);
  CHECK(near(unit::run(c, {-inf, 1000, 999}).out[0], 1000 + std::log1p(std::exp(-1.0L))));
  unit::Values v = unit::run(c, {1000, 0, 1});  // the finite shift still avoids overflow
  CHECK(v.out[0] == 1000.0);
  CHECK(v.jac == std::vector<double>{1.0, 0.0, 0.0});
  CHECK(std::isnan(unit::run(c, {NAN, 0, 1}).out[0]));
}

TEST_CASE("log_sigmoid(x) = -softplus(-x): elementwise, finite at +-800") {
  gradc::Compiled c = unit::compile_ok("input x[5]\nw = log_sigmoid(x)");
  std::vector<double> x = {-800, -37, 0, 37, 800};
  unit::Values v = unit::run(c, x);
  for (size_t i = 0; i < x.size(); ++i) {
    INFO("x = ", x[i]);
    LD xi = x[i], want = xi > 0 ? -std::log1p(std::exp(-xi)) : xi - std::log1p(std::exp(xi));
    CHECK(near(v.out[i], want));
    CHECK(near(v.jac[i * x.size() + i], 1 / (1 + std::exp(xi))));  // sigmoid(-x)
  }
  gradc::Compiled s = unit::compile_ok("w = log_sigmoid(x)");
  CHECK(near(unit::run(s, {-800.0}).out[0], -800.0L));
  CHECK(unit::run(s, {800.0}).jac[0] == 0.0);
}

TEST_CASE("NumPy broadcasting: X @ W + b adds b to every row; sizes equal or 1 from the last axis") {
  // Values: every element against the written-out form.
  gradc::Compiled c = unit::compile_ok(
      "input X[4,2], W[2,3], b[3], col[4,1], s\nY = X @ W + b\nZ = Y * col - s\noutput Y, Z");
  unit::Points pts(3);
  std::vector<double> in(8 + 6 + 3 + 4 + 1);
  for (double& v : in) v = pts.uniform(-2, 2);
  const double *X = &in[0], *W = &in[8], *b = &in[14], *col = &in[17], s = in[21];
  unit::Values v = unit::run(c, in);
  REQUIRE(v.out.size() == 24);
  for (size_t i = 0; i < 4; ++i)
    for (size_t j = 0; j < 3; ++j) {
      double y = X[i * 2] * W[j] + X[i * 2 + 1] * W[3 + j] + b[j];
      CHECK(unit::close_exact(v.out[i * 3 + j], y));
      CHECK(unit::close_exact(v.out[12 + i * 3 + j], y * col[i] - s));
    }
  // d sum(Y) / d b_j = 4 rows: the Jacobian adds up over the broadcast axis.
  gradc::Compiled g = unit::compile_ok("input X[4,2], W[2,3], b[3]\nw = sum(X @ W + b)\nwrt b");
  for (double d : unit::run(g, std::vector<double>(17, 0.5)).jac) CHECK(d == 4.0);
  // Shapes: [2,1] with [3] is [2,3]; [1] with [4,1] is [4,1]; scalars anywhere.
  for (auto [text, elems] : {std::pair{"input a[2,1], b[3]\nw = a + b", 6},
                            std::pair{"input a[1], b[4,1]\nw = a*b", 4},
                            std::pair{"input a[2,3], b[2,1], c[3]\nw = where(a > 0, b, c)", 6}}) {
    gradc::Compiled k = unit::compile_ok(text);
    CHECK(k.outputs.size() == size_t(elems));
  }
  // Sizes that differ and are not 1 name both shapes.
  for (auto [text, message] :
       {std::pair{"input A[2,3], w[2]\nf = A + w", "shape mismatch in '+': [2,3] and [2]"},
        std::pair{"input A[4,2], B[3,2]\nf = A*B", "shape mismatch in '*': [4,2] and [3,2]"},
        std::pair{"input a[2,3], b[2], c[3]\nw = where(a > 0, b, c)",
                  "shape mismatch in 'where': [2,3], [2] and [3]"}}) {
    unit::Compilation r = unit::compile_text(text);
    INFO(std::string(text), "\n", r.errors);
    CHECK_FALSE(r.compiled.has_value());
    CHECK(r.errors.find(message) != std::string::npos);
  }
}

namespace {

// The most additions on any path from `root` down to a non-addition (the
// chain of dependent additions a sum compiles to). Nodes are numbered
// after their operands, so one pass in id order suffices.
size_t addition_depth(const gradc::Graph& g, gradc::NodeId root) {
  std::vector<size_t> depth(root + 1, 0);
  for (gradc::NodeId id = 0; id <= root; ++id) {
    const gradc::Node& n = g[id];
    if (n.op != gradc::Op::Add) continue;
    depth[id] = 1 + std::max(depth[n.a], depth[n.b]);
  }
  return depth[root];
}

}  // namespace

TEST_CASE("sums of more than 16 terms: left folds of 16, then the same on the blocks' sums") {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> pick(-1, 1);
  for (size_t n : {1, 2, 15, 16, 17, 31, 33, 255, 256, 257, 500, 4097}) {
    INFO("n = ", n);
    gradc::Compiled c = unit::compile_ok(
        fmt::format("input a[{}], M[2,{}]\ns = sum(a)\nd = dot(a, a)\nv = a @ a\nr = M @ a\n"
                    "output s, d, v, r\nwrt a", n, n));
    // The chain: 15 additions per level of 16, one level per factor of 16.
    size_t levels = 0;
    for (size_t left = n; left > 1; left = (left + 15) / 16) ++levels;
    const size_t bound = 15 * levels;
    CHECK(addition_depth(c.prog.graph, c.outputs[0]) <= bound);
    CHECK(addition_depth(c.prog.graph, c.outputs[1]) <= bound);
    CHECK(addition_depth(c.prog.graph, c.outputs[2]) <= bound);
    // Up to 16 terms, and each entry of a matrix product, a left fold.
    CHECK(addition_depth(c.prog.graph, c.outputs[3]) == n - 1);
    if (n <= 16) CHECK(addition_depth(c.prog.graph, c.outputs[0]) == n - 1);
    // Values: the exact sums (long double) within the tree's error bound,
    // depth * eps * sum |terms|; the gradient is exact.
    for (int trial = 0; trial < 3; ++trial) {
      std::vector<double> in(3 * n);
      for (double& x : in) x = pick(rng) * std::ldexp(1.0, int(rng() % 20) - 10);
      LD sum = 0, abs_sum = 0, dot = 0, abs_dot = 0;
      for (size_t i = 0; i < n; ++i) {
        sum += in[i], abs_sum += std::abs(LD(in[i]));
        dot += LD(in[i]) * in[i], abs_dot += LD(in[i]) * in[i];
      }
      unit::Values v = unit::run(c, in);
      const double eps = std::ldexp(1.0, -52);
      CHECK(std::abs(v.out[0] - sum) <= double(bound) * eps * abs_sum);
      CHECK(std::abs(v.out[1] - dot) <= double(bound + 1) * eps * abs_dot);
      CHECK(v.out[2] == v.out[1]);  // a @ a is dot(a, a), term for term
      for (size_t i = 0; i < n; ++i) {
        CHECK(v.jac[i] == 1.0);                  // ds/da_i
        CHECK(v.jac[n + i] == 2.0 * in[i]);      // dd/da_i
      }
    }
  }
}
