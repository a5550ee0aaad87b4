// compiled.cpp - the kernels of a compiled program and the roots they share.
#include "compiled.h"

#include <algorithm>

namespace gradc {

const KernelSpec* Compiled::kernel(KernelKind k) const {
  for (const KernelSpec& spec : kernels)
    if (spec.kind == k) return &spec;
  return nullptr;
}

bool Compiled::emits(KernelKind k) const {
  return std::find(emitted.begin(), emitted.end(), k) != emitted.end();
}

std::vector<NodeId> Compiled::all_roots() const {
  std::vector<NodeId> roots = outputs;
  roots.insert(roots.end(), jacobian.begin(), jacobian.end());
  roots.insert(roots.end(), hessian.begin(), hessian.end());
  return roots;
}

}  // namespace gradc
