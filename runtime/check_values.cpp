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

namespace {

// A random point where the kernel's outputs and derivatives are finite
// (like check_gradient: redrawn up to 50 times); false if none was found.
bool draw_point(std::mt19937_64& rng, const HessFunction& f, std::vector<double>& in,
                std::vector<double>& out, std::vector<double>& jac, std::vector<double>& hess) {
  std::uniform_real_distribution<double> uniform(-2.0, 2.0);
  for (int attempt = 0; attempt < 50; ++attempt) {
    for (double& x : in) x = uniform(rng);
    f(in, out, jac, hess);
    if (all_finite(out) && all_finite(jac) && all_finite(hess)) return true;
  }
  return false;
}

// The first Jacobian column of an intermediate value (the inputs' come first).
size_t first_value_column(const Compiled& c) {
  size_t first = 0;
  for (uint32_t j : c.prog.wrt) first += c.prog.inputs[j].size();
  return first;
}

// Is `analytic` within check_gradient's tolerance of the central difference
// (fp - fm) / (2 step)? `numeric` is set to the difference.
bool agrees(double analytic, double fp, double fm, double step, const CheckOptions& opts,
            double& numeric) {
  numeric = (fp - fm) / (2 * step);
  double rounding = 4e-16 * std::max(std::fabs(fp), std::fabs(fm)) / step;
  double tol =
      opts.atol + opts.rtol * std::max(std::fabs(analytic), std::fabs(numeric)) + rounding;
  return std::fabs(analytic - numeric) <= tol;
}

// The step of a central difference at x.
double step_at(double x) { return 6e-6 * std::max(1.0, std::fabs(x)); }

}  // namespace

CheckResult check_wrt_values(const Compiled& c, const JacobianFunction& f, const CheckOptions& opts) {
  const size_t n = c.prog.num_input_scalars(), m = c.outputs.size(), k = c.num_wrt();
  const size_t first = first_value_column(c);
  HessFunction with_hess = [&f](const std::vector<double>& in, std::vector<double>& out,
                                std::vector<double>& jac, std::vector<double>& hess) {
    f(in, out, jac);
    hess.clear();
  };
  std::mt19937_64 rng(opts.seed ^ 0x9e3779b97f4a7c15ULL);
  std::vector<double> in(n), out, jac, hess;
  size_t compared = 0;
  for (int point = 0; point < opts.points; ++point) {
    if (!draw_point(rng, with_hess, in, out, jac, hess)) continue;
    std::vector<double> base = evaluate(c.prog.graph, in);
    for (size_t j = first; j < k; ++j) {
      NodeId h = c.wrt_nodes[j];
      double x = base[h], step = step_at(x);
      std::vector<double> plus = evaluate(c.prog.graph, in, {{h, x + step}});
      std::vector<double> minus = evaluate(c.prog.graph, in, {{h, x - step}});
      for (size_t i = 0; i < m; ++i) {
        double numeric, analytic = jac[i * k + j];
        ++compared;
        if (!agrees(analytic, plus[c.outputs[i]], minus[c.outputs[i]], step, opts, numeric))
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

// d2 OUT_i / d a d b where a or b is a value: the entries of the gradient
// row (a's column) differenced along b. Moving an input, the kernel gives
// the gradient; moving a value, the interpreter evaluates the program's
// Jacobian nodes with the value set (what it depends on held fixed). The
// two orders agree: with h(x) + delta for the value, the entry is a mixed
// partial of one function of (x, delta) at delta = 0.
CheckResult check_wrt_value_hessian(const Compiled& c, const HessFunction& f,
                                    const CheckOptions& opts) {
  const size_t n = c.prog.num_input_scalars(), m = c.outputs.size(), k = c.num_wrt();
  const size_t first = first_value_column(c);
  std::mt19937_64 rng(opts.seed ^ 0x7f4a7c159e3779b9ULL);
  std::vector<double> in(n), out, jac, hess, side_out, side_hess;
  std::vector<double> plus_jac, minus_jac;
  size_t compared = 0;
  for (int point = 0; point < opts.points; ++point) {
    if (!draw_point(rng, f, in, out, jac, hess)) continue;
    std::vector<double> base = evaluate(c.prog.graph, in);
    for (size_t b = 0; b < k; ++b) {  // the direction of the difference
      double x = b < first ? in[c.prog.graph[c.wrt_nodes[b]].a] : base[c.wrt_nodes[b]];
      double step = step_at(x);
      if (b < first) {  // an input: the kernel's gradient on either side
        std::vector<double> moved = in;
        moved[c.prog.graph[c.wrt_nodes[b]].a] = x + step;
        f(moved, side_out, plus_jac, side_hess);
        moved[c.prog.graph[c.wrt_nodes[b]].a] = x - step;
        f(moved, side_out, minus_jac, side_hess);
      } else {  // a value: the interpreter's Jacobian with the value moved
        plus_jac.assign(m * k, 0);
        minus_jac.assign(m * k, 0);
        std::vector<double> plus = evaluate(c.prog.graph, in, {{c.wrt_nodes[b], x + step}});
        std::vector<double> minus = evaluate(c.prog.graph, in, {{c.wrt_nodes[b], x - step}});
        for (size_t e = 0; e < m * k; ++e) {
          plus_jac[e] = plus[c.jacobian[e]];
          minus_jac[e] = minus[c.jacobian[e]];
        }
      }
      for (size_t i = 0; i < m; ++i)
        for (size_t a = b < first ? first : 0; a < k; ++a) {  // inputs by inputs: check_hessian's
          const size_t e = i * k + a;
          double numeric, analytic = hess[e * k + b];
          ++compared;
          if (!agrees(analytic, plus_jac[e], minus_jac[e], step, opts, numeric))
            return {false, fmt::format("d2 {} / d {} d {} at point {} (central differences of "
                                       "d {} / d {} along {}): the kernel gives {:.17g}, central "
                                       "differences {:.17g}", c.names.outputs[i], c.names.wrt[a],
                                       c.names.wrt[b], point + 1, c.names.outputs[i],
                                       c.names.wrt[a], c.names.wrt[b], analytic, numeric)};
        }
    }
  }
  size_t entries = m * (k * k - first * first);
  return {true, fmt::format("{} second derivative{} with respect to intermediate values checked "
                            "at {} random points (seed {}): all match central differences of the "
                            "gradient", entries, entries == 1 ? "" : "s",
                            compared / std::max<size_t>(entries, 1), opts.seed)};
}

}  // namespace gradc
