// reciprocals.cpp - shared denominators (reciprocals.h).
#include "ir/reciprocals.h"

namespace gradc {

std::vector<NodeId> share_reciprocals(Graph& g, const std::vector<NodeId>& roots) {
  const size_t n = g.size();
  // Operands have smaller ids than the nodes that read them (the graph is
  // append-only), so one sweep down from the largest id marks everything
  // reachable from the roots.
  std::vector<char> live(n, 0);
  for (NodeId r : roots) live[r] = 1;
  for (size_t id = n; id-- > 0;) {
    if (!live[id]) continue;
    const Node& node = g[NodeId(id)];
    const NodeId operands[3] = {node.a, node.b, node.c};
    for (int k = 0; k < arity(node); ++k) live[operands[k]] = 1;
  }
  // Live divisions per denominator (a constant expression is not one: x/3
  // stays a division, as it is exact more often than x*(1/3)).
  std::vector<uint32_t> divisions(n, 0);
  for (size_t id = 0; id < n; ++id) {
    const Node& node = g[NodeId(id)];
    double v;
    if (live[id] && node.op == Op::Div && !g.constant_value(node.b, v)) ++divisions[node.b];
  }

  std::vector<NodeId> map(n);
  for (size_t id = 0; id < n; ++id) map[id] = NodeId(id);
  bool any = false;
  for (size_t id = 0; id < n && !any; ++id)
    any = live[id] && g[NodeId(id)].op == Op::Div && divisions[g[NodeId(id)].b] >= kSharedReciprocalMin;
  if (!any) return map;

  // Every node is rebuilt over its operands' replacements, the unreachable
  // ones too: the builder's notes below may name one as a condition.
  const NodeId one = g.constant(1.0);
  for (size_t id = 0; id < n; ++id) {
    const Node node = g[NodeId(id)];  // a copy: adding nodes may move the arena
    NodeId operands[3] = {node.a, node.b, node.c};
    bool changed = false;
    for (int k = 0; k < arity(node); ++k) {
      changed |= map[operands[k]] != operands[k];
      operands[k] = map[operands[k]];
    }
    if (node.op == Op::Div && divisions[node.b] >= kSharedReciprocalMin) {
      // x/d = x * (1/d); the reciprocal is itself the division 1/d.
      const NodeId reciprocal = g.add(Node{Op::Div, one, operands[1]});
      map[id] = operands[0] == one ? reciprocal : g.add(Node{Op::Mul, operands[0], reciprocal});
    } else if (changed) {
      map[id] = g.add(Node{node.op, operands[0], operands[1], operands[2]});
    }
  }
  // What the builder knows about a node holds for its rebuilt copy: a
  // masked sum is still +0 wherever its (rebuilt) condition is false.
  for (size_t id = 0; id < n; ++id)
    if (map[id] != NodeId(id))
      if (NodeId condition = g.masked_sum_condition(NodeId(id)); condition != kNoNode)
        g.set_masked_sum(map[id], map[condition]);
  return map;
}

}  // namespace gradc
