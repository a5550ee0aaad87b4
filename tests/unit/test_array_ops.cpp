// test_array_ops.cpp - the stable array built-ins log_softmax(v) and
// log_sigmoid(x): values and derivatives at +-800 against long double
// references, and their shape rules.
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
