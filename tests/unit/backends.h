// backends.h - the kernels of a batch of compiled programs from each gradc
// backend, behind one interface, so a numeric test can run every program
// through all of them: the interpreter, the generated C++ built by g++, the
// LLVM JIT, .ll text built by clang-19, and .o objects linked by g++.
// Each backend builds the whole batch with one compiler or linker run.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "build_config.h"  // kSanitized
#include "kernel_harness.h"

namespace gradc_test {

/// How many of `n` random programs the compiled backends get: all, or a
/// quarter in a sanitized build, whose time goes to LLVM's allocations under
/// ASan's allocator rather than to gradc.
inline size_t backend_share(size_t n) { return kSanitized ? (n + 3) / 4 : n; }

enum class Backend {
  Interpreter,  ///< gradc::evaluate, the reference
  Cpp,          ///< emit_cpp, compiled by g++ (BackendOptions::cxx) into one .so
  Jit,          ///< gradc::jit_compiled, one kernel per program
  LlvmText,     ///< emit_llvm Text, `.ll` files built by `clang-19 -shared -fPIC`
                ///< (large batches: linked into one .ll by llvm-link-19 first)
  Object,       ///< emit_llvm Object, `.o` files linked by `g++ -shared`
};

/// Every backend, the interpreter first.
inline const std::vector<Backend> kAllBackends = {Backend::Interpreter, Backend::Cpp,
                                                  Backend::Jit, Backend::LlvmText,
                                                  Backend::Object};

/// The compiled backends (every one but the reference interpreter).
inline const std::vector<Backend> kCompiledBackends = {Backend::Cpp, Backend::Jit,
                                                       Backend::LlvmText, Backend::Object};

const char* backend_name(Backend b);

/// One program of a batch: its kernel name (unique in the batch) and itself.
struct NamedProgram {
  std::string name;
  const gradc::Compiled* c;
};

struct BackendOptions {
  int opt_level = 2;        ///< LLVM backends: emit_llvm / JIT level, and clang's -O
  bool fast_math = false;   ///< LLVM backends: as --fast-math
  std::string cxx = GRADC_GXX;  ///< Cpp: the C++ compiler
  int units = 4;            ///< Cpp: translation units (see KernelLibrary)
  int threads = 2;          ///< in-process LLVM work (JIT, emit_llvm) on this many threads
  /// LlvmText: up to this many programs, clang-19 compiles the .ll files
  /// themselves; more are first linked into one module per thread by
  /// `llvm-link-19 -S` (clang takes ~0.1 s per input file).
  int ll_direct_max = 16;
};

/// The kernels of every program of a batch from one backend.
class BackendKernels {
 public:
  BackendKernels(Backend backend, const std::vector<NamedProgram>& programs,
                 const BackendOptions& opts = {});
  ~BackendKernels();
  BackendKernels(const BackendKernels&) = delete;
  BackendKernels& operator=(const BackendKernels&) = delete;

  Backend backend() const { return backend_; }
  /// The backend's name and the options that differ from the defaults.
  const std::string& label() const { return label_; }
  /// Did the build succeed (no diagnostic at all) and every kernel load?
  bool ok() const { return ok_; }
  /// The commands run and what they printed, or what went wrong.
  const std::string& log() const { return log_; }
  /// The number of programs in the batch.
  size_t size() const { return programs_.size(); }
  /// Seconds to build the batch (code generation, compiling, linking).
  double build_seconds() const { return seconds_; }

  /// Program `i`'s NAME_grad at `in` (out[m], jac[m*k]); NAME's outputs go
  /// to `forward_out` if given. Slots a kernel does not write stay -12345.
  Values call(size_t i, const std::vector<double>& in,
              std::vector<double>* forward_out = nullptr) const;
  /// Program `i`'s NAME_jvp (kind Jvp, dir = v) or NAME_vjp (Vjp, dir = u):
  /// `out`, and the product in `jac`. Slots not written stay -12345.
  Values call_product(size_t i, gradc::KernelKind kind, const std::vector<double>& in,
                      const std::vector<double>& dir) const;
  /// Program `i`'s NAME_grad_sparse: `out`, and jac_nz in `jac`.
  Values call_sparse(size_t i, const std::vector<double>& in) const;
  /// Program `i`'s NAME_hess (kind Hess) or NAME_hvp (Hvp, direction v).
  SecondOrder call_second(size_t i, gradc::KernelKind kind, const std::vector<double>& in,
                          const std::vector<double>& v = {}) const;

 private:
  struct State;
  void build(const BackendOptions& opts);
  Backend backend_;
  std::vector<NamedProgram> programs_;
  std::string label_, log_;
  bool ok_ = false;
  double seconds_ = 0;
  std::unique_ptr<State> state_;
};

/// A backend and its options, for build_backends.
struct BackendSpec {
  Backend backend;
  BackendOptions opts = {};
};

/// One BackendKernels per spec, built concurrently (each on a thread of its
/// own), in the order of `specs`.
std::vector<std::unique_ptr<BackendKernels>> build_backends(
    const std::vector<NamedProgram>& programs, const std::vector<BackendSpec>& specs);

/// The same for each backend in `which`, all with `opts`.
std::vector<std::unique_ptr<BackendKernels>> build_backends(
    const std::vector<NamedProgram>& programs, const std::vector<Backend>& which = kAllBackends,
    const BackendOptions& opts = {});

}  // namespace gradc_test
