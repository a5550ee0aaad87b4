// check.cpp - central differences with a step scaled to each input.
#include "gradc_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

namespace gradc {

namespace {

bool all_finite(const std::vector<double>& v) {
  return std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
}

std::string point_text(const CheckShape& s, const std::vector<double>& x) {
  std::string out;
  for (size_t i = 0; i < x.size(); ++i)
    out += fmt::format("{}{}={}", i ? ", " : "", s.inputs[i], x[i]);
  return out;
}

// (f(x + h e_j) - f(x - h e_j)) / 2h for every output; nullopt if either
// side is not finite (the point is too near the edge of the domain).
bool central_difference(const GradFunction& f, std::vector<double> x, uint32_t j, double h,
                        size_t m, size_t k, std::vector<double>& fd) {
  std::vector<double> plus(m), minus(m), jac(m * k);
  double x0 = x[j];
  x[j] = x0 + h;
  f(x, plus, jac);
  x[j] = x0 - h;
  f(x, minus, jac);
  if (!all_finite(plus) || !all_finite(minus)) return false;
  fd.resize(m);
  for (size_t i = 0; i < m; ++i) fd[i] = (plus[i] - minus[i]) / (2 * h);
  return true;
}

}  // namespace

CheckResult check_gradient(const GradFunction& f, const CheckShape& s, const CheckOptions& opts) {
  const size_t n = s.inputs.size(), m = s.outputs.size(), k = s.wrt.size();
  std::mt19937_64 rng(opts.seed);
  std::uniform_real_distribution<double> wide(-2.0, 2.0), positive(0.05, 2.0);
  constexpr double eps = std::numeric_limits<double>::epsilon();
  double worst = 0;  // largest error / tolerance seen
  for (int point = 0; point < opts.points; ++point) {
    std::vector<double> x(n), out(m), jac(m * k);
    bool found = false;
    for (int attempt = 0; attempt < 200 && !found; ++attempt) {
      for (double& xi : x) xi = attempt < 20 ? wide(rng) : positive(rng);
      f(x, out, jac);
      found = all_finite(out) && all_finite(jac);
    }
    if (!found)
      return {false, "could not find a point where every output and derivative is finite"};
    for (size_t j = 0; j < k; ++j) {
      uint32_t input = s.wrt[j];
      double h = 1e-6 * std::max(1.0, std::fabs(x[input]));
      // A kink within h of the point can spoil one step size; a real
      // mismatch shows at both.
      std::vector<double> fd, fd_small;
      if (!central_difference(f, x, input, h, m, k, fd)) continue;
      bool have_small = central_difference(f, x, input, h / 16, m, k, fd_small);
      for (size_t i = 0; i < m; ++i) {
        double ad = jac[i * k + j];
        auto ratio = [&](double num, double step) {
          double tol = opts.atol + opts.rtol * std::max(std::fabs(ad), std::fabs(num)) +
                       8 * eps * std::max(1.0, std::fabs(out[i])) / step;
          return std::fabs(ad - num) / tol;
        };
        double r = ratio(fd[i], h);
        if (r > 1 && have_small) r = std::min(r, ratio(fd_small[i], h / 16));
        worst = std::max(worst, r);
        if (r > 1)
          return {false, fmt::format("d {} / d {} = {} but central differences give {} at {}",
                                     s.outputs[i], s.inputs[input], ad, fd[i], point_text(s, x))};
      }
    }
  }
  return {true, fmt::format("{} derivative{} checked at {} random points (seed {}): all match "
                            "central differences (worst error {:.2g} of tolerance)",
                            m * k, m * k == 1 ? "" : "s", opts.points, opts.seed, worst)};
}

CheckResult check_gradient(gradc_grad_fn f, const CheckShape& s, const CheckOptions& opts) {
  auto call = [f](const std::vector<double>& in, std::vector<double>& out,
                  std::vector<double>& jac) { f(in.data(), out.data(), jac.data()); };
  return check_gradient(GradFunction(call), s, opts);
}

}  // namespace gradc
