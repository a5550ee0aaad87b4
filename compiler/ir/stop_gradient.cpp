// stop_gradient.cpp - stop_gradient as the identity in kernels (stop_gradient.h).
#include "ir/stop_gradient.h"

#include "ir/rewrite.h"

namespace gradc {

// stop_gradient(v) and a value wrt names (Op::WrtValue) are v in a kernel.
static bool identity_in_kernels(Op op) { return op == Op::NoGrad || op == Op::WrtValue; }

std::vector<NodeId> strip_stop_gradients(Graph& g, const std::vector<NodeId>& roots) {
  const std::vector<char> live = reachable(g, roots);
  bool any = false;
  for (size_t id = 0; id < g.size() && !any; ++id) any = live[id] && identity_in_kernels(g[NodeId(id)].op);
  if (!any) return {};
  return rebuild(g, live, [](NodeId, const Node& node) -> NodeId {
    if (identity_in_kernels(node.op)) return node.a;                  // stop_gradient(v) -> v
    if (node.op == Op::Select && node.b == node.c) return node.b;     // c ? v : v -> v
    return kNoNode;
  });
}

}  // namespace gradc
