// gradc_check.h - derivatives against central finite differences: what
// `gradc --check` runs, and what apps call to check their own kernels (see
// check_kernel in gradc_runtime.h for JIT-compiled ones). Part of the
// installed runtime API: standard library only.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gradc_kernel.h"

#ifndef GRADC_API
#define GRADC_API __attribute__((visibility("default")))
#endif

namespace gradc {

/// A function under test: fills out[m] and jac[m*k] from in[n].
using GradFunction = std::function<void(const std::vector<double>& in, std::vector<double>& out,
                                        std::vector<double>& jac)>;

/// A function under test with second derivatives: also hess[m*k*k],
/// hess[(i*k + j)*k + l] = d2 out_i / d wrt_j d wrt_l.
using HessFunction =
    std::function<void(const std::vector<double>& in, std::vector<double>& out,
                       std::vector<double>& jac, std::vector<double>& hess)>;

struct CheckOptions {
  int points = 5;          ///< random points to test at
  uint64_t seed = 1;       ///< seed of the point generator
  double rtol = 1e-5;      ///< relative tolerance
  double atol = 1e-7;      ///< absolute tolerance
};

/// Sizes and names of what is checked, for messages.
struct CheckShape {
  std::vector<std::string> inputs, outputs;
  std::vector<uint32_t> wrt;  ///< input indices of the derivative columns
};

struct CheckResult {
  bool ok = false;
  std::string message;  ///< a summary, or what failed and where
};

/// Compare f's Jacobian with central differences at `opts.points` random
/// points (uniform in [-2, 2]; where the function or a derivative is not
/// finite there, redrawn, then from (0, 2]). Tolerance per entry:
/// atol + rtol*max(|analytic|, |numeric|) + the rounding error of the
/// difference quotient itself (~ eps*|f|/h). std::invalid_argument if
/// `opts.points` is below 1 or a tolerance is negative or not finite (a NaN
/// tolerance would let every entry pass).
GRADC_API CheckResult check_gradient(const GradFunction& f, const CheckShape& shape,
                                     const CheckOptions& opts = {});

/// Compare f's second derivatives with central differences of its gradient
/// at random points, as check_gradient does for first derivatives.
GRADC_API CheckResult check_hessian(const HessFunction& f, const CheckShape& shape,
                                    const CheckOptions& opts = {});

/// The same for a kernel through the ABI (SPEC 3), e.g. one compiled ahead of
/// time with `gradc -o` and declared by its header.
GRADC_API CheckResult check_gradient(gradc_grad_fn f, const CheckShape& shape,
                                     const CheckOptions& opts = {});

}  // namespace gradc
