// gradc_runtime.h - compile gradc programs in-process and call them.
//
//   gradc::Kernel k = gradc::jit_compile("output w\nw = x*y + sin(x)");
//   auto r = k.grad({1.0, 2.0});   // r.out = {w}, r.jac = {dw/dx, dw/dy}
//
// jit_compile parses, differentiates and compiles a program with the LLVM
// ORC JIT into the same two kernels `gradc -o` writes (SPEC 3), in memory.
// A program error throws CompileError, whose what() is the diagnostics
// exactly as the gradc command prints them. Kernels are immutable and
// cheap to copy; calling them is thread-safe, and so is calling
// jit_compile from several threads at once (each compile has an LLVM
// context of its own). Link with gradc::runtime (find_package(gradc)).
//
// Lifetime and memory: a Kernel and its copies share one in-process JIT
// session, which holds the machine code; it is freed with the last copy.
// A raw function pointer (grad_function(), ...) is valid only while a copy
// lives: keep the Kernel. Each session costs about 0.6 MB however small
// the program, so an app with very many formulas should compile them into
// one program (one Kernel, several outputs) rather than one Kernel each.
// A moved-from Kernel holds nothing: its members throw std::logic_error.
// Memory running out while compiling throws std::bad_alloc, also where the
// JIT cannot map memory for the code; where an allocation of LLVM's own
// fails, LLVM aborts (it is built without exceptions).
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "gradc_check.h"
#include "gradc_kernel.h"

namespace gradc {

struct JitOptions {
  int opt_level = 2;                 ///< 0..3, as gradc -O0..-O3
  bool fast_math = false;            ///< as --fast-math: faster, results may change
  std::vector<std::string> wrt;      ///< as --wrt; empty: the program's own wrt
  /// as --kernels: which kernels to compile ("f", "grad", "jvp", "vjp",
  /// "hess", "hvp", "sparse", and "batch" for the batch variant of each,
  /// several points per instruction); f and grad are always compiled. A
  /// list --kernels refuses (an unknown, empty or repeated name, "batch"
  /// alone, nothing) makes jit_compile throw std::invalid_argument
  std::vector<std::string> kernels = {"f", "grad"};
  std::string file_name = "<input>"; ///< the name diagnostics show
};

/// A program with errors (or a file that cannot be read). what() holds every
/// diagnostic, `file:line:col: error: ...` with the source line and a caret.
class GRADC_API CompileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// An input or output variable of a kernel: its name and shape (empty for a
/// scalar), and where its scalars start in in[] / out[] (row-major).
struct VariableInfo {
  std::string name;
  std::vector<size_t> shape;
  size_t offset = 0;
  size_t size = 1;
};

/// The compiled kernels of one program, with their sizes and names.
class GRADC_API Kernel {
 public:
  /// n, m and k of SPEC 3: input, output and wrt scalars.
  size_t num_inputs() const;
  size_t num_outputs() const;
  size_t num_wrt() const;
  /// One name per scalar, in ABI order: `x`, `W[0,1]`.
  const std::vector<std::string>& input_names() const;
  const std::vector<std::string>& output_names() const;
  const std::vector<std::string>& wrt_names() const;
  /// Index into in[] of each wrt scalar (each Jacobian column); SIZE_MAX
  /// for an element of an intermediate value in `wrt` (SPEC 1: its column
  /// is backprop's delta dOUT/dh; no input moves it alone).
  const std::vector<size_t>& wrt_inputs() const;
  /// The variables as the program declares them.
  const std::vector<VariableInfo>& input_variables() const;
  const std::vector<VariableInfo>& output_variables() const;

  /// The kernels themselves: NAME and NAME_grad of SPEC 3.
  gradc_forward_fn forward_function() const;
  gradc_grad_fn grad_function() const;
  /// out[m] from in[n].
  void eval(const double* in, double* out) const { forward_function()(in, out); }
  /// out[m] and jac[m*k], jac[i*k + j] = d out_i / d wrt_j.
  void grad(const double* in, double* out, double* jac) const { grad_function()(in, out, jac); }

  /// NAME_jvp and NAME_vjp (null unless JitOptions::kernels named them).
  gradc_product_fn jvp_function() const;
  gradc_product_fn vjp_function() const;
  /// out[m] and jv[m] = J v for a direction v[k] (forward mode, one sweep).
  void jvp(const double* in, const double* v, double* out, double* jv) const;
  /// out[m] and uj[k] = u^T J for weights u[m] (reverse mode, one sweep).
  void vjp(const double* in, const double* u, double* out, double* uj) const;

  /// NAME_grad_sparse (null unless JitOptions::kernels named "sparse"):
  /// out[m] and the Jacobian's structural nonzeros jac_nz[jac_nnz()] in
  /// compressed-column order: column j's rows are
  /// jac_rowind()[jac_colptr()[j] .. jac_colptr()[j+1]).
  gradc_grad_fn grad_sparse_function() const;
  size_t jac_nnz() const { return jac_rowind().size(); }
  const std::vector<size_t>& jac_colptr() const;
  const std::vector<size_t>& jac_rowind() const;

  /// NAME_hess and NAME_hvp (null unless JitOptions::kernels named them).
  gradc_hess_fn hess_function() const;
  gradc_hvp_fn hvp_function() const;
  /// out[m], jac[m*k] and hess[m*k*k], hess[(i*k + j)*k + l] = d2 out_i / d wrt_j d wrt_l.
  void hess(const double* in, double* out, double* jac, double* hess) const;
  /// out[m], jac[m*k] and hv[m*k] = H v for a direction v[k] (one forward
  /// sweep over the gradient).
  void hvp(const double* in, const double* v, double* out, double* jac, double* hv) const;

  /// NAME_batch and NAME_grad_batch (null unless JitOptions::kernels named
  /// "batch"): NAME and NAME_grad at `count` points, each array holding
  /// the points one after another (in[count*n], out[count*m],
  /// jac[count*m*k]), several points per instruction (SIMD across points).
  gradc_forward_batch_fn forward_batch_function() const;
  gradc_grad_batch_fn grad_batch_function() const;
  /// std::logic_error if "batch" was not compiled.
  void eval_batch(size_t count, const double* in, double* out) const;
  void grad_batch(size_t count, const double* in, double* out, double* jac) const;
  /// The batch variants of the other kernels (NAME_jvp_batch, ...): null
  /// unless JitOptions::kernels named both the kernel and "batch". Each
  /// array holds `count` points one after another, as the one-point kernel
  /// lays out one (jvp: in[count*n], v[count*k], out[count*m], jv[count*m]).
  gradc_product_batch_fn jvp_batch_function() const;
  gradc_product_batch_fn vjp_batch_function() const;
  gradc_hess_batch_fn hess_batch_function() const;
  gradc_hvp_batch_fn hvp_batch_function() const;
  gradc_grad_batch_fn grad_sparse_batch_function() const;

  /// The same with vectors; std::invalid_argument if `in` is not n long.
  std::vector<double> eval(const std::vector<double>& in) const;
  struct Result {
    std::vector<double> out;  ///< m values
    std::vector<double> jac;  ///< m*k, row-major
  };
  Result grad(const std::vector<double>& in) const;
  struct ProductResult {
    std::vector<double> out;      ///< m values
    std::vector<double> product;  ///< jvp: J v (m values); vjp: u^T J (k values)
  };
  /// std::invalid_argument if `v` is not k long (`u` not m long);
  /// std::logic_error if the kernel was not compiled.
  ProductResult jvp(const std::vector<double>& in, const std::vector<double>& v) const;
  struct SecondOrderResult {
    std::vector<double> out;     ///< m values
    std::vector<double> jac;     ///< m*k
    std::vector<double> second;  ///< hess: m*k*k; hvp: H v, m*k
  };
  SecondOrderResult hess(const std::vector<double>& in) const;
  SecondOrderResult hvp(const std::vector<double>& in, const std::vector<double>& v) const;
  ProductResult vjp(const std::vector<double>& in, const std::vector<double>& u) const;

  struct Impl;
  explicit Kernel(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

 private:
  /// The compiled kernels; std::logic_error for a Kernel that holds none
  /// (moved from), rather than a null dereference.
  const Impl& impl() const;
  std::shared_ptr<const Impl> impl_;
};

/// Compile gradc source text. Throws CompileError on a program error and
/// std::invalid_argument on bad options.
GRADC_API Kernel jit_compile(std::string_view source, const JitOptions& opts = {});

/// Compile a .expr file (diagnostics name it).
GRADC_API Kernel jit_compile_file(const std::string& path, JitOptions opts = {});

/// check_hessian on a JIT-compiled kernel compiled with "hess": its second
/// derivatives against central differences of its gradient.
GRADC_API CheckResult check_kernel_hessian(const Kernel& kernel, const CheckOptions& opts = {});

/// check_gradient on a JIT-compiled kernel: its Jacobian against central
/// differences at random points.
GRADC_API CheckResult check_kernel(const Kernel& kernel, const CheckOptions& opts = {});

}  // namespace gradc
