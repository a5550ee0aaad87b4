// llvm_kernel.h - one kernel function as LLVM IR, following its KernelPlan
// (plan/kernel_plan.h), the same plan the C++ writer follows: input loads,
// each scheduled value (with the nodes inlined into it) once, in id order,
// its stores right after it. A split kernel becomes internal noinline part
// functions called in order, with values crossing parts passed through a
// scratch array on the kernel's stack.
#pragma once

#include <string>
#include <vector>

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
  /// 0: the ABI's arrays. B > 0: the lanes form of a batch kernel
  /// (build_llvm_lane_parts): entry i of each array, the scratch array
  /// too, is at [i*B], so that B points side by side, each at its own
  /// offset, are read and written with consecutive addresses.
  uint32_t lane_stride = 0;
};

/// Define `extern "C" void fn_name(<the spec's arrays>)` in `m`.
llvm::Function* build_llvm_kernel(const Compiled& c, const KernelPlan& plan,
                                  const std::string& fn_name, const LlvmKernelOptions& opts,
                                  llvm::Module& m);

/// The lanes form of the kernel (opts.lane_stride > 0): internal, always
/// inlined functions, one per part of `plan` (`fn_name.partN`; one function
/// `fn_name` if the plan is not split), each taking the spec's arrays and,
/// when split, the scratch array of plan.num_slots values per lane, all
/// lane-strided. Calling the parts in order on the same arrays computes
/// the kernel for one lane.
std::vector<llvm::Function*> build_llvm_lane_parts(const Compiled& c, const KernelPlan& plan,
                                                   const std::string& fn_name,
                                                   const LlvmKernelOptions& opts,
                                                   llvm::Module& m);

}  // namespace gradc
