// check_values.cpp - central differences that move an intermediate value.
#include "check_values.h"

#include <fmt/format.h>

#include <cmath>
#include <random>

#include "ir/interp.h"

namespace gradc {

namespace {

bool all_finite(const std::vector<double>& v) {
  for (double x : v)
    if (!std::isfinite(x)) return false;
  return true;
}

}  // namespace

HessFunction leading_columns(HessFunction f, size_t all, size_t columns) {
  return [f = std::move(f), all, columns](const std::vector<double>& in, std::vector<double>& out,
                                          std::vector<double>& jac, std::vector<double>& hess) {
    std::vector<double> full_jac, full_hess;
    f(in, out, full_jac, full_hess);
    const size_t m = out.size();
    jac.resize(m * columns);
    hess.resize(full_hess.empty() ? 0 : m * columns * columns);
    for (size_t i = 0; i < m; ++i)
      for (size_t j = 0; j < columns; ++j) {
        jac[i * columns + j] = full_jac[i * all + j];
        for (size_t l = 0; l < columns && !hess.empty(); ++l)
          hess[(i * columns + j) * columns + l] = full_hess[(i * all + j) * all + l];
      }
  };
}

CheckResult check_wrt_values(const Compiled& c, const JacobianFunction& f, const CheckOptions& opts) {
  const size_t n = c.prog.num_input_scalars(), m = c.outputs.size(), k = c.num_wrt();
  size_t first = 0;  // the first column of an intermediate value
  for (uint32_t j : c.prog.wrt) first += c.prog.inputs[j].size();
  std::mt19937_64 rng(opts.seed ^ 0x9e3779b97f4a7c15ULL);
  std::uniform_real_distribution<double> uniform(-2.0, 2.0);
  std::vector<double> in(n), out, jac;
  size_t compared = 0;
  for (int point = 0; point < opts.points; ++point) {
    // Like check_gradient: redraw where a value or derivative is not finite.
    bool finite = false;
    for (int attempt = 0; attempt < 50 && !finite; ++attempt) {
      for (double& x : in) x = uniform(rng);
      f(in, out, jac);
      finite = all_finite(out) && all_finite(jac);
    }
    if (!finite) continue;
    std::vector<double> base = evaluate(c.prog.graph, in);
    for (size_t j = first; j < k; ++j) {
      NodeId h = c.wrt_nodes[j];
      double x = base[h], step = 6e-6 * std::max(1.0, std::fabs(x));
      std::vector<double> plus = evaluate(c.prog.graph, in, {{h, x + step}});
      std::vector<double> minus = evaluate(c.prog.graph, in, {{h, x - step}});
      for (size_t i = 0; i < m; ++i) {
        double fp = plus[c.outputs[i]], fm = minus[c.outputs[i]];
        double numeric = (fp - fm) / (2 * step), analytic = jac[i * k + j];
        double rounding = 4e-16 * std::max(std::fabs(fp), std::fabs(fm)) / step;
        double tol = opts.atol + opts.rtol * std::max(std::fabs(analytic), std::fabs(numeric)) +
                     rounding;
        ++compared;
        if (!(std::fabs(analytic - numeric) <= tol))
          return {false, fmt::format("d {} / d {} at point {} (the value {} moved, what it depends "
                                     "on held fixed): the kernel gives {:.17g}, central "
                                     "differences {:.17g}", c.names.outputs[i], c.names.wrt[j],
                                     point + 1, c.names.wrt[j], analytic, numeric)};
      }
    }
  }
  size_t entries = m * (k - first);
  return {true, fmt::format("{} derivative{} with respect to intermediate values checked at {} "
                            "random points (seed {}): all match central differences that move "
                            "the value, what it depends on held fixed", entries,
                            entries == 1 ? "" : "s", compared / std::max<size_t>(entries, 1),
                            opts.seed)};
}

}  // namespace gradc
