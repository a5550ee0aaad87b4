// interp.cpp - evaluate nodes in id (topological) order.
#include "ir/interp.h"

#include "ir/scalar_math.h"

namespace gradc {

std::vector<double> evaluate(const Graph& g, const std::vector<double>& inputs) {
  return evaluate(g, inputs, {});
}

std::vector<double> evaluate(const Graph& g, const std::vector<double>& inputs,
                             const std::vector<std::pair<NodeId, double>>& overrides) {
  std::vector<double> v(g.size());
  size_t next = 0;  // the next override, by id
  for (NodeId id = 0; id < g.size(); ++id) {
    if (next < overrides.size() && overrides[next].first == id) {
      v[id] = overrides[next++].second;
      continue;
    }
    const Node& n = g[id];
    switch (op_info(n.op).arity) {
      case 0:  // an input not given (a direction vector nobody asked for) is NaN
        v[id] = n.op == Op::Const ? g.const_value(id)
                : n.a < inputs.size() ? inputs[n.a]
                                      : std::nan("");
        break;
      case 1: v[id] = math::apply(n.op, v[n.a]); break;
      case 2: v[id] = math::apply(n.op, v[n.a], v[n.b]); break;
      default: v[id] = math::select(v[n.a], v[n.b], v[n.c]); break;
    }
  }
  return v;
}

}  // namespace gradc
