// llvm_kernel.h - one kernel function as LLVM IR, following its KernelPlan
// (plan/kernel_plan.h), the same plan the C++ writer follows: input loads,
// each scheduled value (with the nodes inlined into it) once, in id order,
// its stores right after it. A split kernel becomes internal noinline part
// functions called in order, with values crossing parts passed through a
// scratch array on the kernel's stack.
#pragma once

#include <string>
#include <vector>

#include "compiled.h"
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
  /// P > 0: the block form of a batch kernel (build_llvm_block_kernel): its
  /// arrays hold P points one after another, as the batch ABI lays them
  /// out, and every value is a vector of P doubles, one point per lane.
  uint32_t block_points = 0;
  /// With block_points: the lanes of the vector math library's functions
  /// the target can call (8, 4 or 2; 0: none, each lane calls libm).
  unsigned vector_math_lanes = 0;
  /// With block_points: an input tile of 2 to 7 entries (an array's last)
  /// is read by masked vector loads (AVX2, AVX-512), not entry by entry.
  bool masked_tiles = false;
};

/// Define `extern "C" void fn_name(<the spec's arrays>)` in `m`.
llvm::Function* build_llvm_kernel(const Compiled& c, const KernelPlan& plan,
                                  const std::string& fn_name, const LlvmKernelOptions& opts,
                                  llvm::Module& m);

/// The block form of a kernel whose plan is neither split nor looped:
/// `void fn_name(<the spec's arrays>)`, internal, computing opts.block_points
/// (kBatchLanes) points at once. It reads each input tile (8 entries of 8
/// points) where an entry of it is first used, transposing it into the
/// vectors of those 8 entries, and writes each result tile, transposed
/// back, as soon as its 8 entries are computed: no buffer of transposed
/// points in memory (llvm_batch.h). Its math functions are the vector
/// library's (opts.vector_math_lanes), or libm's lane by lane.
llvm::Function* build_llvm_block_kernel(const Compiled& c, const KernelPlan& plan,
                                        const std::string& fn_name,
                                        const LlvmKernelOptions& opts, llvm::Module& m);

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
