// reverse_diff.cpp - adjoint accumulation in one loop over node ids.
#include "ad/reverse_diff.h"

#include "ad/derivative_rules.h"

namespace gradc {

std::vector<NodeId> reverse_jacobian(Builder& b, const std::vector<NodeId>& outputs,
                                     const std::vector<NodeId>& wrt, const AdjointHook& hook) {
  const Graph& g = b.graph();
  const size_t size = g.size();  // sweeps visit only nodes that exist now

  // depends[id]: does node id depend on any wrt input? Only those need
  // adjoints. Operands have smaller ids, so one forward loop suffices.
  std::vector<bool> depends(size, false);
  for (NodeId w : wrt) depends[w] = true;
  for (NodeId id = 0; id < size; ++id) {
    const Node& n = g[id];
    for (int i = 0; i < arity(n); ++i) depends[id] = depends[id] || depends[operand(n, i)];
  }

  std::vector<NodeId> jac(outputs.size() * wrt.size(), b.zero());
  std::vector<NodeId> adj(size, kNoNode);
  for (size_t out = 0; out < outputs.size(); ++out) {
    NodeId root = outputs[out];
    if (!depends[root]) continue;
    std::fill(adj.begin(), adj.end(), kNoNode);  // wrt inputs may have ids above root
    adj[root] = b.one();
    for (NodeId id = root + 1; id-- > 0;) {
      if (adj[id] == kNoNode) continue;
      if (hook) hook(out, id, adj[id]);
      const Node n = g[id];  // a copy: the builder may grow the arena
      for (int i = 0; i < arity(n); ++i) {
        NodeId x = operand(n, i);
        if (!depends[x]) continue;
        NodeId contribution = partial_times(b, id, i, adj[id]);
        if (contribution == kNoNode) continue;
        adj[x] = adj[x] == kNoNode ? contribution : b.add(adj[x], contribution);
      }
    }
    for (size_t j = 0; j < wrt.size(); ++j)
      if (adj[wrt[j]] != kNoNode) jac[out * wrt.size() + j] = adj[wrt[j]];
  }
  return jac;
}

}  // namespace gradc
