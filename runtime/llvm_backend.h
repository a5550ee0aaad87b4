// llvm_backend.h - what the gradc command needs from LLVM (the .ll/.bc/.o
// writers and the JIT of --eval and --check), behind an interface with no
// LLVM types. libLLVM is 52 MB and costs 60-100 ms to load, nearly all of
// gradc's time on a small program, so the command is not linked with it:
// it opens the runtime library, which implements this interface
// (runtime/llvm_backend_entry.cpp), the first time an output or a run needs
// LLVM (driver/llvm_loader.cpp). Internal: not installed.
//
// Only function pointers, standard types and gradc's own structs cross the
// boundary, both sides built from the same sources (llvm_backend_tag checks
// it). Exceptions do not cross it: each call returns what it threw as an
// exception_ptr for the command to rethrow.
#pragma once

#include <exception>
#include <memory>
#include <string>

#include "emit/llvm_options.h"
#include "gradc_kernel.h"
#include "compiled.h"
#include "support/version.h"

namespace gradc {

/// JIT-compiled kernels of one program for the command's --eval and
/// --check: `owner` keeps their code alive.
struct JitKernels {
  std::shared_ptr<const void> owner;
  gradc_grad_fn grad = nullptr;
  gradc_hess_fn hess = nullptr;              ///< null unless c has a Hessian
  gradc_grad_batch_fn grad_batch = nullptr;  ///< null unless compiled with batch
  gradc_hess_batch_fn hess_batch = nullptr;  ///< null unless c has a Hessian and batch
  std::exception_ptr failure;                ///< what the JIT threw, if anything
};

class LlvmBackend {
 public:
  /// emit_llvm (emit/emit_llvm.h); `failure` holds what it threw.
  virtual LlvmOutput emit(const Compiled& c, const std::string& name,
                          const std::string& source_file, LlvmFormat format,
                          const LlvmOptions& opts, std::exception_ptr& failure) const = 0;
  /// jit_compiled (runtime/jit_compiled.h) at `opt_level`, with the batch
  /// kernels if `batch`.
  virtual JitKernels jit(const Compiled& c, int opt_level, bool fast_math, bool batch) const = 0;

 protected:
  ~LlvmBackend() = default;
};

/// The runtime library's entry point, extern "C": the backend, or null if
/// `tag` (the caller's llvm_backend_tag()) differs from the library's own.
inline constexpr const char* kLlvmBackendSymbol = "gradc_llvm_backend_v1";
using LlvmBackendEntry = const LlvmBackend* (*)(const char* tag);

/// Both sides of the boundary must be built from the same sources by the
/// same compiler: gradc's version, the compiler's, and the size of what
/// crosses.
inline std::string llvm_backend_tag() {
  return std::string(kVersion) + " " + __VERSION__ + " " + std::to_string(sizeof(Compiled)) +
         " " + std::to_string(sizeof(LlvmOptions)) + " " + std::to_string(sizeof(JitKernels));
}

}  // namespace gradc
