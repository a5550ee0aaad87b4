// property_support.h - the machinery shared by the property tests over random
// programs (test_property.cpp, test_array_property.cpp): the corpus, Jacobians
// against central differences (the kink rule), and the interpreter against the
// kernels of every backend (backends.h).
#pragma once

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "naming.h"
#include "backends.h"
#include "kernel_harness.h"

namespace gradc_test {

/// One compiled random program and the points it is checked at.
struct PropertyCase {
  uint64_t seed;
  std::string text;
  gradc::Compiled c;
  std::vector<std::vector<double>> points;  // in [-2, 2], ABI order
  std::vector<size_t> wrt_flat;             // input scalar index of each wrt scalar
};

/// The programs `generate(first_seed + i)` for i < `programs`, each of which
/// must compile (as file `<file_prefix><seed>.expr`), with `points` random
/// points apiece drawn in turn from std::mt19937_64(`point_seed`).
inline std::vector<PropertyCase> build_corpus(std::string (*generate)(uint64_t), int programs,
                                              uint64_t first_seed, int points,
                                              uint64_t point_seed, const char* file_prefix) {
  std::vector<PropertyCase> out;
  std::mt19937_64 rng(point_seed);
  std::uniform_real_distribution<double> u(-2, 2);
  for (int i = 0; i < programs; ++i) {
    uint64_t seed = first_seed + uint64_t(i);
    std::string text = generate(seed), errors;
    auto c = compile_text(text, &errors, fmt::format("{}{}.expr", file_prefix, seed));
    REQUIRE_MESSAGE(c, "seed " << seed << " does not compile:\n" << text << "\n" << errors);
    PropertyCase k{seed, text, std::move(*c), {}, {}};
    k.wrt_flat = wrt_input_indices(k.c);
    for (int p = 0; p < points; ++p) {
      std::vector<double> x(k.c.names.inputs.size());
      for (double& xi : x) xi = u(rng);
      k.points.push_back(std::move(x));
    }
    out.push_back(std::move(k));
  }
  return out;
}


/// The seed, the point and the program, for messages.
inline std::string where(const PropertyCase& k, const std::vector<double>& x) {
  return fmt::format("seed {} at {}\n{}", k.seed, point_text(k.c, x), k.text);
}

/// Derivative columns checked against central differences, and skipped.
struct FdTally {
  int checked = 0, kinks = 0, nonfinite = 0;
};

/// Every Jacobian column of every case at each of its points against
/// central differences, skipping a column at a kink (the kink rule, see
/// kernel_harness.h) and all columns at a point with a non-finite output.
/// The interpreter's Jacobian is checked, and that of each of `backends`
/// (built from named_programs(cases, ...)) against the same estimate.
inline FdTally check_central_differences(
    const std::vector<PropertyCase>& cases,
    const std::vector<const BackendKernels*>& backends = {}) {
  FdTally t;
  for (size_t c = 0; c < cases.size(); ++c) {
    const PropertyCase& k = cases[c];
    size_t m = k.c.outputs.size(), nw = k.c.num_wrt();
    for (const std::vector<double>& x : k.points) {
      Values v = interpret(k.c, x);
      if (!all_finite(v.out)) {  // overflow: nothing to compare
        t.nonfinite += int(nw);
        continue;
      }
      // Every argument is in its domain or in an untaken branch, so finite
      // outputs must have finite derivatives (no NaN leaks from a branch).
      CHECK_MESSAGE(all_finite(v.jac), "a derivative is not finite, " << where(k, x));
      std::vector<std::pair<std::string, Values>> results{{"interpreter", v}};
      for (const BackendKernels* b : backends)
        if (c < b->size()) results.emplace_back(b->label(), b->call(c, x));
      for (size_t j = 0; j < nw; ++j) {
        auto fd = central_difference(k.c, x, k.wrt_flat[j]);
        if (!fd) {  // the kink rule
          ++t.kinks;
          continue;
        }
        ++t.checked;
        for (const auto& [label, r] : results)
          for (size_t i = 0; i < m; ++i)
            CHECK_MESSAGE(matches_fd(r.jac[i * nw + j], fd->d[i], fd->scale),
                          label << " " << gradc::derivative_entry_names(k.c)[i * nw + j] << " = "
                                << r.jac[i * nw + j] << ", central difference " << fd->d[i]
                                << ", " << where(k, x));
      }
    }
  }
  MESSAGE(fmt::format("{} derivative columns checked (interpreter, and {} backends on the "
                      "programs they have), {} skipped at a kink, {} at a non-finite point",
                      t.checked, backends.size(), t.kinks, t.nonfinite));
  return t;
}

/// The first `limit` cases (all by default) as one batch for backends.h,
/// kernel `<kernel_prefix><seed>`.
inline std::vector<NamedProgram> named_programs(const std::vector<PropertyCase>& cases,
                                                const char* kernel_prefix,
                                                size_t limit = SIZE_MAX) {
  std::vector<NamedProgram> out;
  for (size_t i = 0; i < std::min(limit, cases.size()); ++i)
    out.push_back({fmt::format("{}{}", kernel_prefix, cases[i].seed), &cases[i].c});
  return out;
}


/// The interpreter against `kernels` (built from named_programs(cases, ...))
/// for every case it has, both entry points, within 1e-14 relative (NaN matches
/// NaN, inf the same inf), at its points and then at each point with all
/// inputs equal to one of `equal_inputs`; returns the number of values compared.
inline int compare_with_interpreter(const std::vector<PropertyCase>& cases,
                                    const BackendKernels& kernels,
                                    const std::vector<double>& equal_inputs = {}) {
  int compared = 0, identical = 0;  // identical: the same double (or both NaN)
  auto same = [](double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); };
  const std::string& label = kernels.label();
  for (size_t c = 0; c < std::min(cases.size(), kernels.size()); ++c) {
    const PropertyCase& k = cases[c];
    size_t m = k.c.outputs.size(), nw = k.c.num_wrt(), n = k.c.names.inputs.size();
    std::vector<std::vector<double>> points = k.points;
    for (double v : equal_inputs) points.emplace_back(n, v);
    for (const std::vector<double>& x : points) {
      Values ref = interpret(k.c, x);
      std::vector<double> fwd;
      Values got = kernels.call(c, x, &fwd);
      for (size_t i = 0; i < m; ++i, ++compared) {
        identical += same(ref.out[i], got.out[i]);
        CHECK_MESSAGE(close(ref.out[i], got.out[i], 1e-14, 1e-300),
                      label << " grad " << k.c.names.outputs[i] << ": " << ref.out[i] << " vs "
                            << got.out[i] << ", " << where(k, x));
        CHECK_MESSAGE(close(ref.out[i], fwd[i], 1e-14, 1e-300),
                      label << " forward " << k.c.names.outputs[i] << ": " << ref.out[i]
                            << " vs " << fwd[i] << ", " << where(k, x));
      }
      for (size_t i = 0; i < m * nw; ++i, ++compared) {
        identical += same(ref.jac[i], got.jac[i]);
        CHECK_MESSAGE(close(ref.jac[i], got.jac[i], 1e-14, 1e-300),
                      label << " " << gradc::derivative_entry_names(k.c)[i] << ": " << ref.jac[i] << " vs "
                            << got.jac[i] << ", " << where(k, x));
      }
    }
  }
  MESSAGE(fmt::format("{}: {} values within 1e-14 of the interpreter, {} of them bit-identical",
                      label, compared, identical));
  return compared;
}

/// Copies of `cases` planned with a loop wherever statements repeat
/// (--reroll-min=1), and how many of them have a loop in some kernel.
inline std::vector<PropertyCase> rerolled(const std::vector<PropertyCase>& cases,
                                          size_t* with_loops) {
  std::vector<PropertyCase> out = cases;
  *with_loops = 0;
  for (PropertyCase& k : out) {
    k.c.reroll_min = 1;
    bool any = false;
    for (const gradc::KernelSpec& spec : k.c.kernels)
      any = any || !gradc::make_kernel_plan(k.c.prog.graph, spec, k.c.plan_options()).loops.empty();
    *with_loops += any;
  }
  return out;
}

/// The pointers of `owned`, for check_central_differences.
inline std::vector<const BackendKernels*> pointers(
    const std::vector<std::unique_ptr<BackendKernels>>& owned) {
  std::vector<const BackendKernels*> out;
  for (const auto& b : owned) out.push_back(b.get());
  return out;
}

}  // namespace gradc_test
