// emit_llvm.h - the LLVM backend: NAME and NAME_grad (SPEC 3) in an LLVM
// module, verified, optimized with the new pass manager's default pipeline,
// and written as IR text, bitcode or a native object. The runtime's JIT
// uses the same module builder.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "emit/llvm_options.h"
#include "support/diagnostics.h"
#include "compiled.h"

namespace llvm {
class Function;
class LLVMContext;
class Module;
class TargetMachine;
}  // namespace llvm

namespace gradc {

/// Make LLVM's targets usable (once per process; thread-safe).
void initialize_llvm_targets();

/// Keep LLVM's warnings and remarks out of gradc's output: a batch loop the
/// vectorizer cannot widen (a math function without a vector variant) stays
/// a scalar loop, which is not worth a warning to the user.
void quiet_llvm_diagnostics(llvm::LLVMContext& ctx);

/// A TargetMachine for opts.target (empty: the host), or null with the
/// reason in `error` (an unknown triple).
std::unique_ptr<llvm::TargetMachine> make_target_machine(const LlvmOptions& opts,
                                                         std::string& error);

/// A module built by build_llvm_module.
struct BuiltModule {
  std::unique_ptr<llvm::Module> module;
  /// The functions of kernels split into parts (giant kernels: each kernel
  /// and its parts): optimize_llvm_module gives them a lean pipeline, and
  /// `tm` selects instructions by FastISel if there are any (optimize_llvm_module
  /// empties it: the default pipeline may replace functions).
  std::vector<llvm::Function*> giant;
  /// It has batch kernels: optimize_llvm_module declares the vector math
  /// library (libmvec) for their loops, and only then.
  bool batch = false;
};

/// A module defining c's kernels (`name`, `name_grad`, ...), set up for `tm`, and
/// checked by verifyModule (failure: InternalError, a gradc bug that the
/// CLI reports as an internal error). Not yet optimized. If a kernel is split
/// into parts (a giant kernel), `tm` is switched to FastISel instruction
/// selection.
BuiltModule build_llvm_module(const Compiled& c, const std::string& name,
                              const std::string& source_file, llvm::LLVMContext& ctx,
                              llvm::TargetMachine& tm, const LlvmOptions& opts);

/// Run the new pass manager's default pipeline for `opt_level` (with
/// PipelineTuningOptions' defaults: no SLP vectorization). The functions of
/// giant kernels (at -O1 and above) get a lean function pipeline instead,
/// EarlyCSE and InstCombine: their straight-line parts come out of gradc's
/// DAG already simplified and CSE'd, the default pipeline's GVN costs more
/// than the rest of the backend on them, and their code runs no faster
/// (bench/sections/86-memory.sh). The module's other functions (smaller
/// kernels, the batch loops and their vectorizer) get the default pipeline.
void optimize_llvm_module(BuiltModule& m, llvm::TargetMachine& tm, int opt_level);

/// The whole backend: build, verify, optimize, and write in `format`.
LlvmOutput emit_llvm(const Compiled& c, const std::string& name, const std::string& source_file,
                     LlvmFormat format, const LlvmOptions& opts);

}  // namespace gradc
