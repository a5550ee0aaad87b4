// llvm_backend_entry.cpp - the runtime library's side of llvm_backend.h:
// emit_llvm and the JIT for the gradc command, which opens this library
// only when it needs LLVM.
#include "llvm_backend.h"

#include <llvm/Support/ErrorHandling.h>

#include <cstdlib>
#include <cstring>
#include <new>

#include "emit/emit_llvm.h"
#include "jit_compiled.h"

namespace gradc {
namespace {

// While alive, LLVM's failed allocations (report_bad_alloc_error, which
// would print "LLVM ERROR: out of memory" and abort) call the process's
// std::new_handler, where the gradc command reports and exits
// (driver/out_of_memory.h); without one, LLVM's abort as before.
class LlvmAllocationsToNewHandler {
 public:
  LlvmAllocationsToNewHandler() { llvm::install_bad_alloc_error_handler(&to_new_handler); }
  ~LlvmAllocationsToNewHandler() { llvm::remove_bad_alloc_error_handler(); }
  LlvmAllocationsToNewHandler(const LlvmAllocationsToNewHandler&) = delete;
  LlvmAllocationsToNewHandler& operator=(const LlvmAllocationsToNewHandler&) = delete;

 private:
  static void to_new_handler(void*, const char*, bool) {
    if (std::new_handler h = std::get_new_handler()) h();
    std::abort();  // LLVM cannot go on without the memory
  }
};

class RuntimeLlvmBackend final : public LlvmBackend {
 public:
  LlvmOutput emit(const Compiled& c, const std::string& name, const std::string& source_file,
                  LlvmFormat format, const LlvmOptions& opts,
                  std::exception_ptr& failure) const override {
    LlvmAllocationsToNewHandler oom;
    try {
      return emit_llvm(c, name, source_file, format, opts);
    } catch (...) {
      failure = std::current_exception();
      return {};
    }
  }

  JitKernels jit(const Compiled& c, int opt_level, bool fast_math, bool batch) const override {
    JitKernels out;
    LlvmAllocationsToNewHandler oom;
    try {
      JitOptions jo;
      jo.opt_level = opt_level;
      jo.fast_math = fast_math;
      if (batch) jo.kernels.push_back("batch");
      auto k = std::make_shared<const Kernel>(jit_compiled(c, jo));
      out.grad = k->grad_function();
      out.hess = k->hess_function();
      out.grad_batch = k->grad_batch_function();
      out.hess_batch = k->hess_batch_function();
      out.owner = std::move(k);
    } catch (...) {
      out.failure = std::current_exception();
    }
    return out;
  }
};

}  // namespace
}  // namespace gradc

extern "C" GRADC_API const gradc::LlvmBackend* gradc_llvm_backend_v1(const char* tag) {
  static const gradc::RuntimeLlvmBackend backend;
  return std::strcmp(tag, gradc::llvm_backend_tag().c_str()) == 0 ? &backend : nullptr;
}
