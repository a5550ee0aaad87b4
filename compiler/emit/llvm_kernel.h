// llvm_kernel.h - one kernel function (NAME or NAME_grad) as LLVM IR.
//
// A kernel loads the inputs it reads, computes every live node once in id
// order (a topological order), and stores out[] and jac[]. As in the C++
// backend (cpp_kernel.h), a large kernel is split into internal noinline
// part functions of at most kLlvmPartNodes nodes, called in order, with
// values crossing parts passed through a scratch array on the kernel's
// stack: LLVM's instruction selection and register allocation work per basic
// block and grow faster than linearly in its size.
#pragma once

#include <string>

#include "pipeline.h"

namespace llvm {
class Function;
class Module;
}  // namespace llvm

namespace gradc {

/// Nodes (and stores) per part function of a split kernel.
inline constexpr size_t kLlvmPartNodes = 2000;

struct LlvmKernelOptions {
  bool grad = false;        ///< NAME_grad (out and jac) rather than NAME
  bool fast_math = false;   ///< put the `fast` flags on every FP instruction
  bool value_names = true;  ///< name values after the program (%x, %a, %dw_dx)
};

/// Define `extern "C" void fn_name(const double* in, double* out[, double* jac])`
/// in `m`, computing c's outputs (and Jacobian).
llvm::Function* build_llvm_kernel(const Compiled& c, const std::string& fn_name,
                                  const LlvmKernelOptions& opts, llvm::Module& m);

}  // namespace gradc
