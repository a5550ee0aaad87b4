// kernel_harness.h - shared helper of the numeric tests: compile gradc source,
// run the reference interpreter, and build generated C++ kernels with a real
// compiler into a shared object that is dlopen'ed and called through the ABI
// (backends.h builds the LLVM backends' kernels on the same pieces).
#pragma once

#include <cmath>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "pipeline.h"

namespace gradc {
class Kernel;
}

namespace gradc_test {

/// Compile gradc source text; nullopt (and the diagnostics in `errors`) on error.
std::optional<gradc::Compiled> compile_text(const std::string& text, std::string* errors = nullptr,
                                            const std::string& file = "test.expr",
                                            const gradc::CompileOptions& opts = {});

/// Outputs and Jacobian (row-major, m*k) of one evaluation.
struct Values {
  std::vector<double> out, jac;
};

/// The reference interpreter (gradc::evaluate) read out at the kernel roots.
Values interpret(const gradc::Compiled& c, const std::vector<double>& in);

/// Outputs, Jacobian and a second-order result (the Hessian, m*k*k, or H v, m*k).
struct SecondOrder {
  std::vector<double> out, jac, second;
};

/// The interpreter's value of NAME_hess (kind Hess) or NAME_hvp (Hvp, with
/// direction v).
SecondOrder interpret_second(const gradc::Compiled& c, gradc::KernelKind kind,
                             const std::vector<double>& in, const std::vector<double>& v = {});

/// The interpreter's value of product kernel `kind` (Jvp or Vjp) at `in`
/// with direction `dir` (v or u): `out`, and the product in `jac`.
Values interpret_product(const gradc::Compiled& c, gradc::KernelKind kind,
                         const std::vector<double>& in, const std::vector<double>& dir);

/// Values of the forward nodes (ids below c.forward_nodes) only.
std::vector<double> forward_values(const gradc::Compiled& c, const std::vector<double>& in);

/// One generated C++ source and the kernel name its functions carry.
struct KernelSource {
  std::string name;
  std::string cpp;
};

/// gradc::emit_cpp(c, name, ...).source, paired with its name.
KernelSource generate(const gradc::Compiled& c, const std::string& name);

/// The two ABI entry points (SPEC 3) of one kernel.
struct KernelFns {
  void (*forward)(const double* in, double* out) = nullptr;
  void (*grad)(const double* in, double* out, double* jac) = nullptr;
  /// NAME_jvp and NAME_vjp; null where the program has none.
  void (*jvp)(const double* in, const double* v, double* out, double* jv) = nullptr;
  void (*vjp)(const double* in, const double* u, double* out, double* uj) = nullptr;
  /// NAME_grad_sparse; null where the program has none.
  void (*grad_sparse)(const double* in, double* out, double* jac_nz) = nullptr;
  /// NAME_hess and NAME_hvp; null where the program has none.
  void (*hess)(const double* in, double* out, double* jac, double* hess) = nullptr;
  void (*hvp)(const double* in, const double* v, double* out, double* jac, double* hv) = nullptr;
  /// NAME_batch and NAME_grad_batch; null where the program has none.
  void (*forward_batch)(size_t count, const double* in, double* out) = nullptr;
  void (*grad_batch)(size_t count, const double* in, double* out, double* jac) = nullptr;
  /// Call both entry points; `forward_out` receives NAME's outputs.
  Values call(const std::vector<double>& in, size_t m, size_t k,
              std::vector<double>* forward_out = nullptr) const;
};

/// A kernel of any kind (or its batch variant, with `count` points first),
/// called with its arrays in the spec's order (2 to 5 of them).
void call_point(void* fn, const std::vector<double*>& arrays);
void call_batch(void* fn, size_t count, const std::vector<double*>& arrays);

/// Call one-point kernels `a` and `b` of `spec` (one kernel from two
/// backends) on the same `points` random arguments, results prefilled with
/// -12345, and check every entry of every array with `same(from_a, from_b)`
/// (`label` names the kernel in failures). Returns the entries compared.
size_t compare_point_kernels(const std::string& label, const gradc::KernelSpec& spec, void* a,
                             void* b, std::mt19937_64& rng, int points,
                             bool (*same)(double, double));

/// The JIT's function for kernel `kind` (its batch variant if `batch`), or null.
void* jit_function(const gradc::Kernel& k, gradc::KernelKind kind, bool batch);

/// Write `bytes` to `path` (binary); false on failure.
bool write_file(const std::string& path, const std::string& bytes);
/// The bytes of `path`; empty if it cannot be read.
std::string read_file(const std::string& path);

/// A fresh temporary directory (`gradc-<tag>-XXXXXX`), removed with
/// everything in it when destroyed.
class TempDir {
 public:
  explicit TempDir(const std::string& tag);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  bool ok() const { return !path_.empty(); }
  const std::string& path() const { return path_; }
  /// path()/name
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

/// A shell command's exit status, everything it printed, and its wall time.
struct CommandResult {
  int status = -1;
  std::string printed;
  double seconds = 0;
  /// Exit status 0 and nothing printed (a warning is a failure too).
  bool clean() const { return status == 0 && printed.empty(); }
};

/// Run `command` (a shell command list) with sh, the stdout and stderr of
/// all of it captured through `log_file`.
CommandResult run_command(const std::string& command, const std::string& log_file);

/// dlopen(path, RTLD_NOW | RTLD_LOCAL); dlclose'd when destroyed.
class SharedObject {
 public:
  SharedObject() = default;
  ~SharedObject();
  SharedObject(const SharedObject&) = delete;
  SharedObject& operator=(const SharedObject&) = delete;
  /// Load `path`; false (and dlerror() in `error`) on failure.
  bool open(const std::string& path, std::string& error);
  bool loaded() const { return handle_ != nullptr; }
  /// The kernel `name` and `name`_grad; null pointers if missing.
  KernelFns get(const std::string& name) const;
  /// Any symbol (dlsym), or null.
  void* symbol(const std::string& name) const;

 private:
  void* handle_ = nullptr;
};

/// Files written to a fresh directory and linked by one command into a
/// shared object with glibc's vector math (libmvec), then loaded: the
/// batch kernels' objects and sources.
struct LinkedLibrary {
  explicit LinkedLibrary(const std::string& tag) : dir(tag) {}
  TempDir dir;
  SharedObject lib;
  std::string log;  ///< what the command printed, or why loading failed
  /// Write `files` (name, bytes) and run `command FILES -o libk.so -lmvec
  /// -lm` on them; false on any failure (the reason in `log`).
  bool build(const std::vector<std::pair<std::string, std::string>>& files,
             const std::string& command);
};

/// The LLVM object (-O2) of `c` with kernels named `name`, for `cpu`; a
/// backend error is a std::runtime_error (a test failure).
std::string llvm_object(const gradc::Compiled& c, const std::string& name, const std::string& cpu);

/// (name + ext, emit(p)) for each p of `programs` (each with a `name`):
/// the files of a LinkedLibrary.
template <class Programs, class Emit>
std::vector<std::pair<std::string, std::string>> named_files(const Programs& programs,
                                                             const std::string& ext, Emit emit) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& p : programs) out.emplace_back(p.name + ext, emit(p));
  return out;
}

/// a and b are the same double to the bit, or both NaN (of any payload):
/// the equality of backends that must agree exactly, signed zeros included.
inline bool same_bits(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof a) == 0;
}

/// The flags every kernel is compiled with (SPEC 3 plus -Werror, and
/// -Wmissing-declarations, which strict projects add).
inline constexpr const char* kKernelFlags =
    "-std=c++17 -O2 -fPIC -shared -Wall -Wextra -pedantic -Wmissing-declarations -Werror";

/// Many kernels compiled by one compiler invocation into one shared object,
/// loaded with dlopen. Sources are spread over `units` translation units
/// (0: one per source). A unit holds its sources one after another, as a
/// unity build does: their static helpers (gradc_sigmoid, ...) are each
/// defined once, under an include guard (emit_cpp).
class KernelLibrary {
 public:
  KernelLibrary(const std::string& compiler, const std::vector<KernelSource>& sources,
                int units = 0);
  ~KernelLibrary();
  KernelLibrary(const KernelLibrary&) = delete;
  KernelLibrary& operator=(const KernelLibrary&) = delete;

  /// Did the compiler succeed (no error, no warning) and dlopen work?
  bool ok() const { return lib_.loaded(); }
  /// The compiler command and everything it printed, or the dlopen error.
  const std::string& log() const { return log_; }
  /// The kernel `name`; null pointers if it is missing.
  KernelFns get(const std::string& name) const;
  /// Seconds the compiler took.
  double compile_seconds() const { return seconds_; }

 private:
  TempDir dir_{"kernels"};
  SharedObject lib_;
  std::string log_;
  double seconds_ = 0;
};

/// Are all of `v` finite?
bool all_finite(const std::vector<double>& v);

/// `n` values uniform in [lo, hi) drawn from `rng`.
std::vector<double> random_vector(std::mt19937_64& rng, size_t n, double lo = -2, double hi = 2);

/// a == b within atol + rtol*max(|a|, |b|); NaN matches NaN, inf matches
/// the same inf.
bool close(double a, double b, double rtol, double atol);

/// Which way every branch of the forward program goes at `in`: the value of
/// each comparison, logical op, floor and ceil; the sign of the argument of
/// abs, sign, relu and leaky_relu and of a - b for max(a, b) and min(a, b);
/// and whether each ?: takes its first branch. Between two points with the
/// same signature the program is one smooth formula (for the ops gradc has).
std::vector<double> branch_signature(const gradc::Compiled& c, const std::vector<double>& in);

/// A central-difference estimate of d out_i / d in_j for every output i.
struct FiniteDifference {
  std::vector<double> d;  ///< one per output
  double scale = 0;       ///< largest |output| seen at the stencil points
};

/// Richardson-extrapolated central difference (error O(h^4)) with
/// h = 1e-4*max(1, |in_j|), from the interpreter at in_j +- h and +- h/2.
/// The kink rule: nullopt when the branch signature at any stencil point
/// differs from the one at `in` (a kink lies within the step) or when an
/// output there is not finite.
std::optional<FiniteDifference> central_difference(const gradc::Compiled& c,
                                                   const std::vector<double>& in, size_t j);

/// Does an analytic derivative `ad` match the estimate `fd` of an output of
/// size `scale`? |ad - fd| <= 1e-6*max(|ad|, |fd|) + 1e-8*(1 + scale).
bool matches_fd(double ad, double fd, double scale);

/// The input scalar index (ABI order, arrays flattened row-major) of each
/// wrt scalar, worked out from the input variables' shapes: the `j` to pass
/// to central_difference for each Jacobian column.
std::vector<size_t> wrt_input_indices(const gradc::Compiled& c);

/// "name=value, ..." for messages.
std::string point_text(const gradc::Compiled& c, const std::vector<double>& in);

}  // namespace gradc_test
