// check_values.h - --check for derivatives with respect to intermediate
// values (`wrt h`, SPEC 1). No input moves h alone, so the central
// differences move h itself in the interpreter, everything h depends on
// held fixed, and compare with the kernel's column dOUT/dh (and, with
// --hessian, central differences of the gradient with its second
// derivatives).
#pragma once

#include <functional>
#include <vector>

#include "gradc_check.h"
#include "compiled.h"  // internal: not an installed header

namespace gradc {

/// The outputs and Jacobian (m x k) of the kernel under test at a point.
using JacobianFunction = std::function<void(const std::vector<double>& in, std::vector<double>& out,
                                            std::vector<double>& jac)>;

/// `f` with only its first `columns` of `all` Jacobian columns (and those
/// rows and columns of the Hessian, when `f` fills one): the derivatives
/// with respect to inputs, which central differences of inputs can check,
/// when intermediate values in `wrt` follow them.
HessFunction leading_columns(HessFunction f, size_t all, size_t columns);

/// Check the Jacobian columns of c.prog.wrt_values (the last ones) at
/// `opts.points` random points, with check_gradient's tolerance.
CheckResult check_wrt_values(const Compiled& c, const JacobianFunction& f, const CheckOptions& opts);

/// Check the Hessian entries (of `f`, which fills one: --hessian) in whose
/// pair of columns an intermediate value is, by central differences of the
/// gradient: along an input, of the kernel's; along a value, of the
/// program's Jacobian in the interpreter with the value moved. The entries
/// among inputs alone are check_hessian's.
CheckResult check_wrt_value_hessian(const Compiled& c, const HessFunction& f,
                                    const CheckOptions& opts);

}  // namespace gradc
