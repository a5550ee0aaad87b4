// logistic.cpp - sigmoid and softplus share exp(-|z|) (logistic.h).
#include "ir/logistic.h"

#include "ir/rewrite.h"

namespace gradc {

namespace {

bool is_logistic(Op op) { return op == Op::Sigmoid || op == Op::Softplus; }

// z for z and for -z: the value whose |.| the exponential takes.
NodeId magnitude_of(const Graph& g, NodeId x) { return g[x].op == Op::Neg ? g[x].a : x; }

}  // namespace

std::vector<NodeId> share_logistic_exp(Graph& g, const std::vector<NodeId>& roots) {
  bool logistic = false;  // most programs have none: no liveness to compute
  for (size_t id = 0; id < g.size() && !logistic; ++id) logistic = is_logistic(g[NodeId(id)].op);
  if (!logistic) return {};
  const std::vector<char> live = reachable(g, roots);
  std::vector<uint32_t> uses(g.size(), 0);  // by magnitude_of(operand)
  bool any = false;
  for (size_t id = 0; id < g.size(); ++id)
    if (live[id] && is_logistic(g[NodeId(id)].op))
      any |= ++uses[magnitude_of(g, g[NodeId(id)].a)] >= 2;
  if (!any) return {};
  const NodeId zero = g.constant(0.0), one = g.constant(1.0);
  return rebuild(g, live, [&](NodeId id, const Node& node) -> NodeId {
    if (!is_logistic(node.op) || uses[magnitude_of(g, g[id].a)] < 2) return kNoNode;
    const NodeId z = node.a;
    const NodeId e = g.add(Node{Op::Exp, g.add(Node{Op::Neg, g.add(Node{Op::Abs, magnitude_of(g, z)})})});
    if (node.op == Op::Softplus)  // relu(z) + log1p(e)
      return g.add(Node{Op::Add, g.add(Node{Op::Relu, z}), g.add(Node{Op::Log1p, e})});
    // (z >= 0 ? 1 : e) / (e + 1)
    const NodeId numerator = g.add(Node{Op::Select, g.add(Node{Op::Ge, z, zero}), one, e});
    return g.add(Node{Op::Div, numerator, g.add(Node{Op::Add, e, one})});
  });
}

}  // namespace gradc
