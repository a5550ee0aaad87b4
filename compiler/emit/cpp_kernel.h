// cpp_kernel.h - the C++ text of one kernel function, following its
// KernelPlan (plan/kernel_plan.h): input loads, one `const double` statement
// per scheduled value, each followed by the stores of its value. A split
// kernel becomes static part functions called in order, with values crossing
// parts passed through a scratch array `s` on the kernel's stack.
#pragma once

#include <string>

#include "emit/expr_render.h"
#include "compiled.h"
#include "plan/kernel_plan.h"

namespace gradc {

/// The C++ type of a lane group (plan/lanes.h), `gradc_v2`: GCC's and
/// Clang's vector of two doubles, else (or with GRADC_PORTABLE defined) a
/// struct with the same operations; under an include guard.
extern const char* const kLaneTypeSource;

/// The parameter list of a kernel: `const double* in, double* out, ...`.
std::string cpp_parameters(const KernelSpec& spec);

/// The definition of kernel `fn_name` (extern "C"), after its part
/// functions if the plan splits it.
std::string cpp_kernel(const Compiled& c, const KernelPlan& plan, ExprRenderer& r,
                       const std::string& fn_name);

/// The batch kernel `fn_name`_batch (SPEC 3): `fn_name` at each of `count`
/// points, each array holding the points one after another. A loop that
/// clang vectorizes (-O3 -fveclib=libmvec -fno-math-errno, with -march for
/// wider vectors) once `fn_name` is inlined into it, which `flatten` asks
/// for; not for a split kernel, whose parts stay functions.
std::string cpp_batch_kernel(const KernelSpec& spec, const std::string& fn_name, bool split);

}  // namespace gradc
