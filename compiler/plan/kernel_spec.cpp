// kernel_spec.cpp - names of the kernel kinds and queries over a spec's
// arguments.
#include "plan/kernel_spec.h"

#include <algorithm>

namespace gradc {

std::string_view kernel_kind_name(KernelKind k) {
  switch (k) {
    case KernelKind::Forward: return "f";
    case KernelKind::Grad: return "grad";
    case KernelKind::Jvp: return "jvp";
    case KernelKind::Vjp: return "vjp";
    case KernelKind::Hess: return "hess";
    case KernelKind::Hvp: return "hvp";
    case KernelKind::Sparse: return "sparse";
  }
  return "?";
}

std::optional<KernelKind> kernel_kind_from_name(std::string_view name) {
  for (KernelKind k : kAllKernelKinds)
    if (kernel_kind_name(k) == name) return k;
  return std::nullopt;
}

std::optional<KernelSelection> select_kernels(const std::vector<std::string>& names,
                                              std::string& problem) {
  KernelSelection s;
  problem.clear();
  for (auto name = names.begin(); name != names.end(); ++name) {
    const std::optional<KernelKind> kind = kernel_kind_from_name(*name);
    if (name->empty())
      problem = "an empty kernel name (two commas, or one at an end)";
    else if (!kind && *name != "batch")
      problem = "unknown kernel '" + *name + "' (f, grad, jvp, vjp, hess, hvp, sparse, batch)";
    else if (std::find(names.begin(), name, *name) != name)
      problem = "kernel '" + *name + "' is named twice";
    if (!problem.empty()) return std::nullopt;
    if (kind) s.kinds.push_back(*kind);
    else s.batch = true;
  }
  if (s.kinds.empty()) {
    problem = "no kernel named (f, grad, jvp, vjp, hess, hvp, sparse), to which batch adds "
              "their batch variants (NAME_batch, NAME_grad_batch, ...)";
    return std::nullopt;
  }
  return s;
}

std::string_view kernel_suffix(KernelKind k) {
  switch (k) {
    case KernelKind::Forward: return "";
    case KernelKind::Grad: return "_grad";
    case KernelKind::Jvp: return "_jvp";
    case KernelKind::Vjp: return "_vjp";
    case KernelKind::Hess: return "_hess";
    case KernelKind::Hvp: return "_hvp";
    case KernelKind::Sparse: return "_grad_sparse";
  }
  return "?";
}

std::string_view kernel_summary(KernelKind k) {
  switch (k) {
    case KernelKind::Forward: return "the outputs";
    case KernelKind::Grad: return "the outputs and their Jacobian";
    case KernelKind::Jvp: return "the outputs and the Jacobian-vector product J v (forward mode)";
    case KernelKind::Vjp: return "the outputs and the vector-Jacobian product u^T J (reverse mode)";
    case KernelKind::Hess: return "the outputs, the Jacobian and every second derivative";
    case KernelKind::Hvp: return "the outputs, the Jacobian and the Hessian-vector product H v";
    case KernelKind::Sparse:
      return "the outputs and the Jacobian's structural nonzeros (compressed columns)";
  }
  return "?";
}

std::vector<NodeId> KernelSpec::roots() const {
  std::vector<NodeId> roots;
  for (const KernelArray& a : args) roots.insert(roots.end(), a.roots.begin(), a.roots.end());
  return roots;
}

std::vector<const KernelArray*> KernelSpec::directions() const {
  std::vector<const KernelArray*> out;
  for (const KernelArray& a : args)
    if (!a.result && a.name != "in") out.push_back(&a);
  return out;
}

const KernelArray* KernelSpec::arg(std::string_view name) const {
  for (const KernelArray& a : args)
    if (a.name == name) return &a;
  return nullptr;
}

uint32_t KernelSpec::read_arg_of(uint64_t input) const {
  for (uint32_t a = 0; a < args.size(); ++a)
    if (!args[a].result && input >= args[a].first_input && input < args[a].first_input + args[a].size)
      return a;
  return UINT32_MAX;
}

std::string entry_comment(const KernelArray& a, size_t i, const AxisNames& names) {
  if (!a.dense_index.empty()) i = a.dense_index.at(i);
  // Split the row-major index into one index per axis, last axis fastest.
  std::vector<std::string_view> parts(a.axes.size());
  for (size_t ax = a.axes.size(); ax-- > 0;) {
    const std::vector<std::string>& along = names.of(a.axes[ax]);
    if (along.empty()) return a.entry_format;
    parts[ax] = along[i % along.size()];
    i /= along.size();
  }
  std::string out;
  for (size_t p = 0; p < a.entry_format.size(); ++p) {
    char c = a.entry_format[p];
    if (c == '{' && p + 2 < a.entry_format.size() && a.entry_format[p + 2] == '}') {
      size_t ax = size_t(a.entry_format[p + 1] - '0');
      if (ax < parts.size()) {
        out += parts[ax];
        p += 2;
        continue;
      }
    }
    out += c;
  }
  return out;
}

size_t KernelSpec::num_results() const {
  size_t n = 0;
  for (const KernelArray& a : args) n += a.result ? a.size : 0;
  return n;
}

}  // namespace gradc
