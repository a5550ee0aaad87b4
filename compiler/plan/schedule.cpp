// schedule.cpp - liveness, use counts, materialization and naming; each a
// single loop over node ids.
#include "plan/schedule.h"

#include <fmt/format.h>

#include <algorithm>

namespace gradc {

std::string unique_name(const std::string& base, std::unordered_set<std::string>& used) {
  if (used.insert(base).second) return base;
  for (int i = 2;; ++i) {
    std::string candidate = fmt::format("{}_{}", base, i);
    if (used.insert(candidate).second) return candidate;
  }
}

std::vector<bool> live_nodes(const Graph& g, const std::vector<NodeId>& roots) {
  std::vector<bool> live(g.size(), false);
  for (NodeId r : roots) live[r] = true;
  for (NodeId id = NodeId(g.size()); id-- > 0;) {
    if (!live[id]) continue;
    const Node& n = g[id];
    for (int i = 0; i < arity(n); ++i) live[operand(n, i)] = true;
  }
  return live;
}

size_t count_operations(const Graph& g, const std::vector<NodeId>& roots) {
  std::vector<bool> live = live_nodes(g, roots);
  size_t ops = 0;
  for (NodeId id = 0; id < g.size(); ++id)
    ops += live[id] && g[id].op != Op::Const && g[id].op != Op::Input;
  return ops;
}

Schedule make_schedule(const Graph& g, const std::vector<NodeId>& roots,
                       const NameHints& hints) {
  Schedule s;
  std::vector<bool> live = live_nodes(g, roots);
  std::vector<uint32_t> uses(g.size(), 0);
  for (NodeId r : roots) ++uses[r];  // stored once; a fixed name gives it a statement
  for (NodeId id = 0; id < g.size(); ++id) {
    if (!live[id]) continue;
    const Node& n = g[id];
    for (int i = 0; i < arity(n); ++i) ++uses[operand(n, i)];
  }

  // Decide materialization in id order, tracking the height and size of the
  // expression each inlined node would expand to.
  s.materialized.assign(g.size(), false);
  std::vector<uint8_t> height(g.size(), 0), size(g.size(), 0);
  std::unordered_set<std::string> used = hints.reserved;
  int fresh = 0;
  auto fresh_name = [&] {
    std::string name;
    do name = fmt::format("t{}", ++fresh);
    while (used.count(name));
    used.insert(name);
    return name;
  };
  for (NodeId id = 0; id < g.size(); ++id) {
    if (!live[id]) continue;
    const Node& n = g[id];
    if (n.op == Op::Const) continue;
    ++s.live_nodes;
    if (n.op == Op::Input) {
      s.inputs.push_back(id);
      auto hint = hints.hint.find(id);  // array elements are named by the emitters
      s.names[id] = hint != hints.hint.end() ? hint->second.name : "";
      continue;
    }
    int h = 0, sz = 1;
    for (int i = 0; i < arity(n); ++i) {
      h = std::max<int>(h, height[operand(n, i)]);
      sz += size[operand(n, i)];
    }
    auto hint = hints.hint.find(id);
    bool has_hint = hint != hints.hint.end();
    bool fixed = has_hint && hint->second.fixed;
    if (uses[id] >= 2 || fixed || h + 1 > kMaxInlineHeight || sz > kMaxInlineSize) {
      s.materialized[id] = true;
      s.steps.push_back(id);
      s.names[id] = fixed      ? hint->second.name
                    : has_hint ? unique_name(hint->second.name, used)
                               : fresh_name();
    } else {
      height[id] = uint8_t(h + 1);
      size[id] = uint8_t(sz);
    }
  }
  return s;
}

}  // namespace gradc
