// reciprocals.cpp - shared denominators (reciprocals.h).
#include "ir/reciprocals.h"

#include "ir/rewrite.h"

namespace gradc {

std::vector<NodeId> share_reciprocals(Graph& g, const std::vector<NodeId>& roots) {
  bool divides = false;  // most programs divide little: no liveness to compute
  for (size_t id = 0; id < g.size() && !divides; ++id) divides = g[NodeId(id)].op == Op::Div;
  if (!divides) return {};
  const std::vector<char> live = reachable(g, roots);
  // Live divisions per denominator (a constant expression is not one: x/3
  // stays a division, as it is exact more often than x*(1/3)).
  std::vector<uint32_t> divisions(g.size(), 0);
  bool any = false;
  for (size_t id = 0; id < g.size(); ++id) {
    const Node& node = g[NodeId(id)];
    double v;
    if (live[id] && node.op == Op::Div && !g.constant_value(node.b, v))
      any |= ++divisions[node.b] >= kSharedReciprocalMin;
  }
  if (!any) return {};
  // divisions[] is indexed by the old ids, which the replacement callback
  // receives.
  const NodeId one = g.constant(1.0);
  return rebuild(g, live, [&](NodeId id, const Node& node) -> NodeId {
    if (node.op != Op::Div || divisions[g[id].b] < kSharedReciprocalMin) return kNoNode;
    // x/d = x * (1/d); the reciprocal is itself the division 1/d.
    const NodeId reciprocal = g.add(Node{Op::Div, one, node.b});
    return node.a == one ? reciprocal : g.add(Node{Op::Mul, node.a, reciprocal});
  });
}

}  // namespace gradc
