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
