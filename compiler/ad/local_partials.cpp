// local_partials.cpp - a reverse sweep from one node down to chosen leaves.
#include "ad/local_partials.h"

#include <algorithm>
#include <unordered_map>

#include "ad/derivative_rules.h"

namespace gradc {

std::vector<std::pair<NodeId, NodeId>> local_partials(Builder& b, NodeId root,
                                                      const std::function<bool(NodeId)>& is_leaf) {
  const Graph& g = b.graph();
  std::vector<NodeId> inner, stack{root};
  while (!stack.empty()) {  // no recursion: a formula may be long
    NodeId n = stack.back();
    stack.pop_back();
    inner.push_back(n);
    for (int i = 0; i < arity(g[n]); ++i) {
      NodeId o = operand(g[n], i);
      if (!g.is_const(o) && !is_leaf(o)) stack.push_back(o);
    }
  }
  std::sort(inner.begin(), inner.end(), std::greater<>());  // users before operands
  inner.erase(std::unique(inner.begin(), inner.end()), inner.end());
  std::unordered_map<NodeId, NodeId> adjoint{{root, b.one()}};
  std::vector<NodeId> leaves;
  for (NodeId n : inner) {
    auto it = adjoint.find(n);
    if (it == adjoint.end()) continue;
    NodeId seed = it->second;
    auto add = [&](NodeId o, NodeId p) {
      if (p == kNoNode) return;
      auto [at, fresh] = adjoint.try_emplace(o, p);
      if (!fresh) at->second = b.add(at->second, p);
      if (fresh && is_leaf(o)) leaves.push_back(o);
    };
    for_each_chain_edge(g, n, [&](const ChainEdge& e) {
      if (!g.is_const(e.x)) add(e.x, e.times(b, seed));
    });
  }
  std::sort(leaves.begin(), leaves.end());
  std::vector<std::pair<NodeId, NodeId>> out;
  for (NodeId u : leaves) out.emplace_back(u, adjoint.at(u));
  return out;
}

}  // namespace gradc
