// llvm_kernel.h - one kernel function as LLVM IR, following its KernelPlan
// (plan/kernel_plan.h), the same plan the C++ writer follows: input loads,
// each scheduled value (with the nodes inlined into it) once, in id order,
// its stores right after it. A split kernel becomes internal noinline part
// functions called in order, with values crossing parts passed through a
// scratch array on the kernel's stack.
#pragma once

#include <string>

#include "pipeline.h"
#include "plan/kernel_plan.h"

namespace llvm {
class Function;
class Module;
}  // namespace llvm

namespace gradc {

struct LlvmKernelOptions {
  bool fast_math = false;   ///< put the `fast` flags on every FP instruction
  bool value_names = true;  ///< name values after the program (%x, %a, %dw_dx)
  /// 0: the ABI's arrays. B > 0: the lanes form of a batch kernel (an
  /// internal, always inlined function of a plan that is not split): entry i
  /// of each array is at [i*B], so that B points side by side, each at its
  /// own offset, are read and written with consecutive addresses.
  uint32_t lane_stride = 0;
};

/// Define `extern "C" void fn_name(<the spec's arrays>)` in `m`.
llvm::Function* build_llvm_kernel(const Compiled& c, const KernelPlan& plan,
                                  const std::string& fn_name, const LlvmKernelOptions& opts,
                                  llvm::Module& m);

}  // namespace gradc
