// rewrite.cpp - rebuilding the graph with some nodes replaced (rewrite.h).
#include "ir/rewrite.h"

namespace gradc {

std::vector<char> reachable(const Graph& g, const std::vector<NodeId>& roots) {
  // Operands have smaller ids than the nodes that read them, so one sweep
  // down from the largest id marks everything reachable.
  std::vector<char> live(g.size(), 0);
  for (NodeId r : roots) live[r] = 1;
  for (size_t id = g.size(); id-- > 0;) {
    if (!live[id]) continue;
    const Node& node = g[NodeId(id)];
    const NodeId operands[3] = {node.a, node.b, node.c};
    for (int k = 0; k < arity(node); ++k) live[operands[k]] = 1;
  }
  return live;
}

std::vector<NodeId> rebuild(Graph& g, const std::function<NodeId(NodeId, const Node&)>& replace) {
  const size_t n = g.size();
  std::vector<NodeId> map(n);
  for (size_t id = 0; id < n; ++id) {
    Node node = g[NodeId(id)];  // a copy: adding nodes may move the arena
    bool changed = false;
    NodeId* operands[3] = {&node.a, &node.b, &node.c};
    for (int k = 0; k < arity(node); ++k) {
      changed |= map[*operands[k]] != *operands[k];
      *operands[k] = map[*operands[k]];
    }
    const NodeId replacement = replace(NodeId(id), node);
    map[id] = replacement != kNoNode ? replacement : changed ? g.add(node) : NodeId(id);
  }
  // A masked sum is still +0 wherever its (rebuilt) condition is false.
  for (size_t id = 0; id < n; ++id)
    if (map[id] != NodeId(id))
      if (NodeId condition = g.masked_sum_condition(NodeId(id)); condition != kNoNode)
        g.set_masked_sum(map[id], map[condition]);
  return map;
}

}  // namespace gradc
