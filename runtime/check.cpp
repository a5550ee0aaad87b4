// check.cpp - central differences with a step scaled to each input: of the
// outputs for first derivatives, of the gradient for second derivatives.
#include "gradc_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <utility>

namespace gradc {

namespace {

// What is checked: r values v(x) and their derivatives d[row*k + j] =
// d v_row / d x_{wrt j}, both filled by one call.
using Evaluate = std::function<void(const std::vector<double>& x, std::vector<double>& v,
                                    std::vector<double>& d)>;

bool all_finite(const std::vector<double>& v) {
  return std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
}

std::string point_text(const CheckShape& s, const std::vector<double>& x) {
  std::string out;
  for (size_t i = 0; i < x.size(); ++i)
    out += fmt::format("{}{}={}", i ? ", " : "", s.inputs[i], x[i]);
  return out;
}

// (v(x + h e_j) - v(x - h e_j)) / 2h for every value; false if either side
// is not finite (the point is too near the edge of the domain).
bool central_difference(const Evaluate& f, std::vector<double> x, uint32_t j, double h,
                        size_t rows, size_t k, std::vector<double>& fd) {
  std::vector<double> plus(rows), minus(rows), d(rows * k);
  double x0 = x[j];
  x[j] = x0 + h;
  f(x, plus, d);
  x[j] = x0 - h;
  f(x, minus, d);
  if (!all_finite(plus) || !all_finite(minus)) return false;
  fd.resize(rows);
  for (size_t i = 0; i < rows; ++i) fd[i] = (plus[i] - minus[i]) / (2 * h);
  return true;
}

// The derivatives of f against central differences of its values at
// random points; `name(row, j)` says which derivative failed.
CheckResult check_derivatives(const Evaluate& f, size_t rows, const CheckShape& s,
                              const CheckOptions& opts,
                              const std::function<std::string(size_t, size_t)>& name,
                              const char* what) {
  if (opts.points < 1)
    throw std::invalid_argument(fmt::format("check: points is {}; at least 1 is needed", opts.points));
  for (auto [name, tol] : {std::pair{"rtol", opts.rtol}, std::pair{"atol", opts.atol}})
    if (!(tol >= 0) || !std::isfinite(tol))  // NaN fails both, and every entry would pass
      throw std::invalid_argument(
          fmt::format("check: {} is {}; a tolerance must be finite and not negative", name, tol));
  const size_t n = s.inputs.size(), k = s.wrt.size();
  if (rows * k == 0)  // `w = 2`: no input, so no point to draw and nothing to compare
    return {true, fmt::format("nothing to compare: the program has no {}",
                              k == 0 ? "input to differentiate with respect to" : "output")};
  std::mt19937_64 rng(opts.seed);
  std::uniform_real_distribution<double> wide(-2.0, 2.0), positive(0.05, 2.0);
  constexpr double eps = std::numeric_limits<double>::epsilon();
  double worst = 0;  // largest error / tolerance seen
  for (int point = 0; point < opts.points; ++point) {
    std::vector<double> x(n), v(rows), d(rows * k);
    bool found = false;
    for (int attempt = 0; attempt < 200 && !found; ++attempt) {
      for (double& xi : x) xi = attempt < 20 ? wide(rng) : positive(rng);
      f(x, v, d);
      found = all_finite(v) && all_finite(d);
    }
    if (!found)
      return {false, "could not find a point where every output and derivative is finite"};
    for (size_t j = 0; j < k; ++j) {
      uint32_t input = s.wrt[j];
      double h = 1e-6 * std::max(1.0, std::fabs(x[input]));
      // A kink within h of the point can spoil one step size; a real
      // mismatch shows at both.
      std::vector<double> fd, fd_small;
      if (!central_difference(f, x, input, h, rows, k, fd)) continue;
      bool have_small = central_difference(f, x, input, h / 16, rows, k, fd_small);
      for (size_t i = 0; i < rows; ++i) {
        double ad = d[i * k + j];
        auto ratio = [&](double num, double step) {
          double tol = opts.atol + opts.rtol * std::max(std::fabs(ad), std::fabs(num)) +
                       8 * eps * std::max(1.0, std::fabs(v[i])) / step;
          return std::fabs(ad - num) / tol;
        };
        double r = ratio(fd[i], h);
        if (r > 1 && have_small) r = std::min(r, ratio(fd_small[i], h / 16));
        worst = std::max(worst, r);
        if (r > 1)
          return {false, fmt::format("{} = {} but central differences give {} at {}", name(i, j),
                                     ad, fd[i], point_text(s, x))};
      }
    }
  }
  size_t count = rows * k;
  return {true, fmt::format("{} {}{} checked at {} random points (seed {}): all match "
                            "central differences (worst error {:.2g} of tolerance)",
                            count, what, count == 1 ? "" : "s", opts.points, opts.seed, worst)};
}

}  // namespace

CheckResult check_gradient(const GradFunction& f, const CheckShape& s, const CheckOptions& opts) {
  return check_derivatives(
      [&f](const std::vector<double>& x, std::vector<double>& out, std::vector<double>& jac) {
        f(x, out, jac);
      },
      s.outputs.size(), s, opts,
      [&s](size_t i, size_t j) {
        return fmt::format("d {} / d {}", s.outputs[i], s.inputs[s.wrt[j]]);
      },
      "derivative");
}

CheckResult check_hessian(const HessFunction& f, const CheckShape& s, const CheckOptions& opts) {
  const size_t m = s.outputs.size(), k = s.wrt.size();
  // The values are the gradient entries, their derivatives the Hessian.
  std::vector<double> out(m);
  return check_derivatives(
      [&](const std::vector<double>& x, std::vector<double>& jac, std::vector<double>& hess) {
        f(x, out, jac, hess);
      },
      m * k, s, opts,
      [&s, k](size_t row, size_t l) {
        return fmt::format("d2 {} / d {} d {}", s.outputs[row / k], s.inputs[s.wrt[row % k]],
                           s.inputs[s.wrt[l]]);
      },
      "second derivative");
}

CheckResult check_gradient(gradc_grad_fn f, const CheckShape& s, const CheckOptions& opts) {
  auto call = [f](const std::vector<double>& in, std::vector<double>& out,
                  std::vector<double>& jac) { f(in.data(), out.data(), jac.data()); };
  return check_gradient(GradFunction(call), s, opts);
}

}  // namespace gradc
