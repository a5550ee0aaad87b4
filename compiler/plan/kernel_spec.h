// kernel_spec.h - what one generated function computes, as data (SPEC 3).
//
// A kernel reads argument arrays (`in`, and the direction `v` or `u` of a
// product kernel) and writes result arrays (`out`, `jac`, `jv`, `uj`). Every
// scalar a kernel reads is an Input node of the one graph: the program's
// inputs are Input nodes 0..n-1 (`in`), direction vectors take the indices
// after them. Every entry a kernel writes is a DAG root. Writers (C++, LLVM,
// the header, the JIT, --eval, --print) read these specs; adding a kernel is
// adding a spec.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ir/ir.h"
#include "plan/schedule.h"

namespace gradc {

/// Every kind of kernel, by its --kernels name.
enum class KernelKind : uint8_t {
  Forward,  ///< f:    NAME(in, out)
  Grad,     ///< grad: NAME_grad(in, out, jac)
  Jvp,      ///< jvp:  NAME_jvp(in, v, out, jv), jv = J v
  Vjp,      ///< vjp:  NAME_vjp(in, u, out, uj), uj = u^T J
  Hess,     ///< hess: NAME_hess(in, out, jac, hess), all second derivatives
  Hvp,      ///< hvp:  NAME_hvp(in, v, out, jac, hv), hv = H v
  Sparse,   ///< sparse: NAME_grad_sparse(in, out, jac_nz), the structural nonzeros
};

/// The --kernels name of a kind ("f", "grad", "jvp", "vjp").
std::string_view kernel_kind_name(KernelKind k);
/// The kind named `name` ("jvp"), or nullopt.
std::optional<KernelKind> kernel_kind_from_name(std::string_view name);
/// A list of kernel names as --kernels and JitOptions::kernels give it.
struct KernelSelection {
  std::vector<KernelKind> kinds;  ///< in the order given
  bool batch = false;             ///< "batch": the batch variant of each
};
/// The kernels `names` select, or the problem with them: a name that is
/// unknown or empty, one given twice, or no kernel ("batch" alone) - one
/// rule for the command line and the runtime.
std::optional<KernelSelection> select_kernels(const std::vector<std::string>& names,
                                              std::string& problem);
/// The function name suffix ("", "_grad", "_jvp", "_vjp").
std::string_view kernel_suffix(KernelKind k);
/// What a kind computes, for comments ("the outputs and their Jacobian").
std::string_view kernel_summary(KernelKind k);
/// Every kind, in the order kernels are emitted.
inline constexpr KernelKind kAllKernelKinds[] = {KernelKind::Forward, KernelKind::Grad,
                                                 KernelKind::Jvp,     KernelKind::Vjp,
                                                 KernelKind::Hess,    KernelKind::Hvp,
                                                 KernelKind::Sparse};

/// What the entries of an array are indexed by: one axis per index, the last
/// varying fastest (row-major). `jac` is {Output, Wrt}: jac[i*k + j].
enum class Axis : uint8_t { Input, Output, Wrt };

/// One array parameter of a kernel.
struct KernelArray {
  std::string name;           ///< parameter name: in, v, u, out, jac, jv, uj
  bool result = false;        ///< written by the kernel (else read)
  std::vector<Axis> axes;     ///< what its entries are indexed by
  size_t size = 0;            ///< number of scalars (product of the axes' sizes)
  uint32_t first_input = 0;   ///< read arrays: the Input node index of element 0
  std::vector<NodeId> roots;  ///< result arrays: the DAG node of each entry
  /// A compressed array: the dense (row-major over `axes`) index of each
  /// entry; empty for a dense array.
  std::vector<uint32_t> dense_index;
  std::string doc;            ///< one line for the header: "jac[i*k + j] = d out_i / d wrt_j"
  /// The comment on each stored entry, {0} {1} ... standing for the entry's
  /// name along each axis: "d {0} / d {1}" gives "d w / d x".
  std::string entry_format;
};

/// The scalar names along each axis, in ABI order (`x`, `W[0,1]`).
struct AxisNames {
  std::vector<std::string> inputs, outputs, wrt;
  const std::vector<std::string>& of(Axis a) const {
    return a == Axis::Input ? inputs : a == Axis::Output ? outputs : wrt;
  }
};

/// Entry `i` of `a` described by a.entry_format ("d w / d x").
std::string entry_comment(const KernelArray& a, size_t i, const AxisNames& names);

/// One generated function.
struct KernelSpec {
  KernelKind kind;
  std::vector<KernelArray> args;          ///< in ABI order: read arrays, then results
  std::shared_ptr<const NameHints> hints; ///< preferred names of its values
  std::string sweep_comment;  ///< where its derivative part starts: "reverse sweep: ..."

  /// The result arrays' roots, in argument order.
  std::vector<NodeId> roots() const;
  /// The read arrays other than `in` (the direction vectors).
  std::vector<const KernelArray*> directions() const;
  /// The argument named `name`, or null.
  const KernelArray* arg(std::string_view name) const;
  /// The index in `args` of the read array holding Input node index `input`
  /// (`in`, or a direction vector), or UINT32_MAX if none does.
  uint32_t read_arg_of(uint64_t input) const;
  /// Total number of result entries.
  size_t num_results() const;
};

}  // namespace gradc
