// rewrite.cpp - rebuilding the graph with some nodes replaced (rewrite.h).
#include "ir/rewrite.h"

namespace gradc {

std::vector<char> reachable(const Graph& g, const std::vector<NodeId>& roots) {
  // A masked sum's condition is no operand and may have a larger id than
  // the sum, so no single sweep down the ids: an explicit stack.
  std::vector<char> live(g.size(), 0);
  std::vector<NodeId> stack;
  auto visit = [&](NodeId id) {
    if (!live[id]) {
      live[id] = 1;
      stack.push_back(id);
    }
  };
  for (NodeId r : roots) visit(r);
  while (!stack.empty()) {
    const NodeId id = stack.back();
    stack.pop_back();
    const Node& node = g[id];
    const NodeId operands[3] = {node.a, node.b, node.c};
    for (int k = 0; k < arity(node); ++k) visit(operands[k]);
    if (NodeId condition = g.masked_sum_condition(id); condition != kNoNode) visit(condition);
  }
  return live;
}

std::vector<NodeId> rebuild(Graph& g, const std::vector<char>& live,
                            const std::function<NodeId(NodeId, const Node&)>& replace) {
  const size_t n = g.size();
  std::vector<NodeId> map(n);
  for (size_t id = 0; id < n; ++id) {
    map[id] = NodeId(id);
    // A live node's operands are live: none reads the others (nor a node
    // made after `live`, such as the caller's constants).
    if (id >= live.size() || !live[id]) continue;
    Node node = g[NodeId(id)];  // a copy: adding nodes may move the arena
    bool changed = false;
    NodeId* operands[3] = {&node.a, &node.b, &node.c};
    for (int k = 0; k < arity(node); ++k) {
      changed |= map[*operands[k]] != *operands[k];
      *operands[k] = map[*operands[k]];
    }
    const NodeId replacement = replace(NodeId(id), node);
    if (replacement != kNoNode) map[id] = replacement;
    else if (changed) map[id] = g.add(node);
  }
  // A masked sum is still +0 wherever its (rebuilt) condition is false; an
  // inverse power rebuilt as a division is still one.
  for (size_t id = 0; id < n; ++id)
    if (map[id] != NodeId(id)) {
      if (NodeId condition = g.masked_sum_condition(NodeId(id)); condition != kNoNode)
        g.set_masked_sum(map[id], map[condition]);
      if (const Graph::InversePower* p = g.inverse_power(NodeId(id)); p && g[map[id]].op == Op::Div)
        g.set_inverse_power(map[id], map[p->base], p->exponent);
    }
  return map;
}

}  // namespace gradc
