// stop_gradient.cpp - stop_gradient as the identity in kernels (stop_gradient.h).
#include "ir/stop_gradient.h"

#include "ir/rewrite.h"

namespace gradc {

std::vector<NodeId> strip_stop_gradients(Graph& g, const std::vector<NodeId>& roots) {
  const std::vector<char> live = reachable(g, roots);
  bool any = false;
  for (size_t id = 0; id < g.size() && !any; ++id)
    any = live[id] && (g[NodeId(id)].op == Op::NoGrad || g[NodeId(id)].op == Op::WrtValue);
  if (!any) return {};
  return rebuild(g, [](NodeId, const Node& node) -> NodeId {
    if (node.op == Op::NoGrad) return node.a;                         // stop_gradient(v) -> v
    if (node.op == Op::WrtValue) return node.a;                       // a wrt mark -> v
    if (node.op == Op::Select && node.b == node.c) return node.b;     // c ? v : v -> v
    return kNoNode;
  });
}

}  // namespace gradc
