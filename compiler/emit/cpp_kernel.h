// cpp_kernel.h - the C++ text of one kernel function (NAME or NAME_grad).
//
// A kernel is its input loads, one `const double` statement per scheduled
// node, and the stores to out[] and jac[]. A large kernel is split into
// static part functions of at most kCppPartItems statements each, called in
// order; values one part computes and a later part reads pass through a
// scratch array on the kernel's stack. C++ compilers spend time superlinear
// in the size of one function (register allocation over long live ranges),
// so this keeps the g++ -O2 time of big programs near linear.
#pragma once

#include <string>

#include "emit/expr_render.h"
#include "pipeline.h"

namespace gradc {

/// Statements (and stores) per part function of a split kernel.
inline constexpr size_t kCppPartItems = 250;

/// The definition of kernel `fn_name`: `extern "C" void fn_name(const double*
/// in, double* out[, double* jac])`, after its part functions if split.
std::string cpp_kernel(const Compiled& c, const Schedule& s, ExprRenderer& r,
                       const std::string& fn_name, bool grad);

}  // namespace gradc
