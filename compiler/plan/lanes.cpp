// lanes.cpp - lane groups of a two-row Jacobian (see lanes.h): found top down
// with an explicit stack, pruned by counted operations, then the items
// reordered by a topological sort over items and groups.
#include "plan/lanes.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <queue>
#include <unordered_set>

#include "plan/kernel_plan.h"

namespace gradc {

namespace {

bool is_leaf(const Graph& g, NodeId id) { return g[id].op == Op::Const || g[id].op == Op::Input; }

// How well x (lane 0) and y (lane 1) pair as an operand: the same value, or
// the same operation.
int pairing(const Graph& g, NodeId x, NodeId y) {
  if (x == y) return 2;
  return !is_leaf(g, x) && !is_leaf(g, y) && g[x].op == g[y].op ? 1 : 0;
}

}  // namespace

bool lane_op(Op op) {
  switch (op) {
    case Op::Neg: case Op::Add: case Op::Sub: case Op::Mul: case Op::Div: case Op::Select:
      return true;
    case Op::Const: case Op::Input: case Op::Not: case Op::Exp: case Op::Log: case Op::Log1p:
    case Op::Expm1: case Op::Sqrt: case Op::Cbrt: case Op::Sin: case Op::Cos: case Op::Tan:
    case Op::Asin: case Op::Acos: case Op::Atan: case Op::Sinh: case Op::Cosh: case Op::Tanh:
    case Op::Erf: case Op::Erfc: case Op::Abs: case Op::Sign: case Op::Floor: case Op::Ceil: case Op::Sigmoid:
    case Op::Softplus: case Op::Relu: case Op::Gelu: case Op::NoGrad: case Op::WrtValue:
    case Op::Pow: case Op::Lt:
    case Op::Le: case Op::Gt: case Op::Ge: case Op::Eq: case Op::Ne: case Op::And: case Op::Or:
    case Op::Atan2: case Op::Max: case Op::Min: case Op::LeakyRelu:
      return false;
  }
  return false;
}

NodeId lane_operand(const Graph& g, const LaneGroup& group, uint32_t lane, int i) {
  const Node& n = g[group.member[lane]];
  if (lane == 1 && group.swapped && n.op != Op::Select) i = 1 - i;
  return operand(n, i);
}

LanePlan find_lane_groups(const Graph& g, const KernelSpec& spec, Schedule& s,
                          size_t min_saving) {
  LanePlan p;
  const KernelArray* out = spec.arg("out");
  const KernelArray* jac = spec.arg("jac");
  if (spec.kind != KernelKind::Grad || !out || !jac || out->size != kLanes ||
      jac->roots.size() % kLanes != 0)
    return p;
  const size_t k = jac->roots.size() / kLanes;
  p.group_of.assign(g.size(), LanePlan::kNone);
  p.lane_of.assign(g.size(), 0);
  std::vector<bool> root(g.size(), false);
  for (NodeId r : spec.roots()) root[r] = true;

  // Top down from the columns: (x, y) becomes a group if both compute the
  // same lane operation on operands that pair up; its operand pairs are
  // tried next. A pair that does not become a group is packed.
  struct Pair {
    NodeId x, y;
  };
  std::vector<Pair> todo;
  for (size_t j = k; j-- > 0;) todo.push_back({jac->roots[j], jac->roots[k + j]});
  while (!todo.empty()) {
    const Pair t = todo.back();
    todo.pop_back();
    if (t.x == t.y || is_leaf(g, t.x) || is_leaf(g, t.y)) continue;
    if (p.group_of[t.x] != LanePlan::kNone || p.group_of[t.y] != LanePlan::kNone) continue;
    const Node& nx = g[t.x];
    const Node& ny = g[t.y];
    if (nx.op != ny.op || !lane_op(nx.op)) continue;
    LaneGroup group{{t.x, t.y}};
    if (nx.op == Op::Select) {
      if (nx.a != ny.a) continue;  // one condition for both lanes
    } else if (arity(nx) == 2 && op_info(nx.op).commutative) {
      group.swapped = pairing(g, nx.a, ny.b) + pairing(g, nx.b, ny.a) >
                      pairing(g, nx.a, ny.a) + pairing(g, nx.b, ny.b);
    }
    const uint32_t id = uint32_t(p.groups.size());
    p.groups.push_back(group);
    p.group_of[t.x] = p.group_of[t.y] = id;
    p.lane_of[t.x] = 0;
    p.lane_of[t.y] = 1;
    for (int i = arity(nx); i-- > (nx.op == Op::Select ? 1 : 0);)
      todo.push_back({lane_operand(g, group, 0, i), lane_operand(g, group, 1, i)});
  }
  if (p.groups.empty()) return p;

  // Which groups need a statement, and what each costs beyond the one
  // operation it saves: a pack per operand pair that is not a group, an
  // extraction of lane 1 where a scalar reads it.
  std::vector<bool> kept(p.groups.size(), true);
  auto operand_group = [&](const LaneGroup& grp, int i) {
    uint32_t o = p.pair_group(lane_operand(g, grp, 0, i), lane_operand(g, grp, 1, i));
    return o != LanePlan::kNone && kept[o] ? o : LanePlan::kNone;
  };
  std::vector<bool> live = live_nodes(g, spec.roots());
  std::vector<uint32_t> uses(g.size(), 0);
  for (NodeId id = 0; id < g.size(); ++id)
    if (live[id])
      for (int i = 0; i < arity(g[id]); ++i) ++uses[operand(g[id], i)];
  for (int round = 0; round < 2; ++round) {
    std::vector<uint32_t> vector_uses(g.size(), 0);  // reads as a lane of a kept group
    for (size_t gi = 0; gi < p.groups.size(); ++gi) {
      if (!kept[gi]) continue;
      const LaneGroup& grp = p.groups[gi];
      for (int i = 0; i < arity(g[grp.member[0]]); ++i)
        if (uint32_t o = operand_group(grp, i); o != LanePlan::kNone)
          for (NodeId m : p.groups[o].member) ++vector_uses[m];
    }
    long total = 0;
    for (size_t gi = 0; gi < p.groups.size(); ++gi) {
      if (!kept[gi]) continue;
      LaneGroup& grp = p.groups[gi];
      const Node& n = g[grp.member[0]];
      long cost = 0;
      for (int i = n.op == Op::Select ? 1 : 0; i < arity(n); ++i)
        if (lane_operand(g, grp, 0, i) != lane_operand(g, grp, 1, i) &&
            operand_group(grp, i) == LanePlan::kNone)
          ++cost;  // a pack
      bool read_by_scalar = uses[grp.member[1]] > vector_uses[grp.member[1]];
      cost += read_by_scalar ? 1 : 0;
      bool read_by_group = vector_uses[grp.member[0]] + vector_uses[grp.member[1]] > 0;
      grp.materialized = read_by_scalar || uses[grp.member[0]] > vector_uses[grp.member[0]] ||
                         root[grp.member[0]] || root[grp.member[1]] ||
                         s.materialized[grp.member[0]] || s.materialized[grp.member[1]];
      // An inlined group lives in the expression of the group reading it.
      if (!grp.materialized && !read_by_group) cost += 2;
      if (round == 0 && min_saving > 0 && 1 - cost < 0 && !read_by_group) kept[gi] = false;
      else total += 1 - cost;
    }
    if (round == 1 && min_saving > 0 && total < long(min_saving))
      std::fill(kept.begin(), kept.end(), false);
  }
  // Drop what is not kept: an inlined group whose reader is gone goes too
  // (readers come first: groups are made top down).
  LanePlan q;
  q.group_of.assign(g.size(), LanePlan::kNone);
  q.lane_of.assign(g.size(), 0);
  std::vector<bool> read(p.groups.size(), false);
  for (size_t gi = 0; gi < p.groups.size(); ++gi) {
    if (!kept[gi]) continue;
    const LaneGroup& grp = p.groups[gi];
    for (int i = 0; i < arity(g[grp.member[0]]); ++i)
      if (uint32_t o = operand_group(grp, i); o != LanePlan::kNone) read[o] = true;
  }
  for (size_t gi = 0; gi < p.groups.size(); ++gi) {
    if (!kept[gi] || (!p.groups[gi].materialized && !read[gi])) continue;
    for (uint32_t lane = 0; lane < kLanes; ++lane) {
      q.group_of[p.groups[gi].member[lane]] = uint32_t(q.groups.size());
      q.lane_of[p.groups[gi].member[lane]] = uint8_t(lane);
    }
    q.groups.push_back(p.groups[gi]);
  }
  // An inlined group whose reader was dropped cannot stay inlined.
  std::vector<bool> has_reader(q.groups.size(), false);
  for (const LaneGroup& grp : q.groups)
    for (int i = 0; i < arity(g[grp.member[0]]); ++i)
      if (uint32_t o = q.pair_group(lane_operand(g, grp, 0, i), lane_operand(g, grp, 1, i));
          o != LanePlan::kNone)
        has_reader[o] = true;
  for (size_t gi = 0; gi < q.groups.size(); ++gi)
    if (!has_reader[gi]) q.groups[gi].materialized = true;
  // Members of statement groups get statements (named l1, l2, ...).
  std::unordered_set<std::string> used = spec.hints ? spec.hints->reserved
                                                    : std::unordered_set<std::string>{};
  for (const auto& [id, name] : s.names) used.insert(name);
  int fresh = 0;
  for (const LaneGroup& grp : q.groups) {
    if (!grp.materialized) continue;
    for (NodeId m : grp.member) {
      if (s.materialized[m]) continue;
      s.materialized[m] = true;
      s.steps.push_back(m);
      std::string name;
      do name = fmt::format("l{}", ++fresh);
      while (used.count(name));
      used.insert(name);
      s.names[m] = name;
    }
  }
  std::sort(s.steps.begin(), s.steps.end());
  return q;
}

bool order_for_lanes(const Graph& g, const Schedule& s, const LanePlan& lanes,
                     std::vector<PlanItem>& items) {
  if (lanes.empty()) return true;
  // Units: a materialized group's Steps together, every other item alone.
  const uint32_t none = LanePlan::kNone;
  std::vector<uint32_t> unit_of_item(items.size());
  std::vector<uint32_t> group_unit(lanes.groups.size(), none);
  std::vector<size_t> first_item;  // by unit: its earliest item (the priority)
  std::vector<uint32_t> def_unit(g.size(), none);
  for (size_t i = 0; i < items.size(); ++i) {
    const PlanItem& item = items[i];
    uint32_t grp = item.kind == PlanItem::Step ? lanes.statement_group(item.node) : none;
    uint32_t unit = grp != none ? group_unit[grp] : none;
    if (unit == none) {
      unit = uint32_t(first_item.size());
      first_item.push_back(i);
      if (grp != none) group_unit[grp] = unit;
    }
    unit_of_item[i] = unit;
    if (item.kind == PlanItem::Step) def_unit[item.node] = unit;
  }
  // Edges: what each item reads, looking through inlined values.
  const size_t units = first_item.size();
  std::vector<std::vector<uint32_t>> readers(units);
  std::vector<uint32_t> indegree(units, 0);
  std::vector<uint32_t> seen(units, none);
  std::vector<NodeId> todo;
  for (size_t i = 0; i < items.size(); ++i) {
    const PlanItem& item = items[i];
    const uint32_t unit = unit_of_item[i];
    todo.clear();
    if (item.kind == PlanItem::Store) {
      todo.push_back(item.node);
    } else {
      const Node& n = g[item.node];
      for (int k = 0; k < arity(n); ++k) todo.push_back(operand(n, k));
    }
    while (!todo.empty()) {
      NodeId x = todo.back();
      todo.pop_back();
      if (is_leaf(g, x)) continue;
      if (s.materialized[x]) {
        uint32_t d = def_unit[x];
        if (d == unit && item.kind == PlanItem::Step && lanes.statement_group(item.node) != none)
          return false;  // one lane reads the other: no vector computes both at once
        if (d != none && d != unit && seen[d] != uint32_t(i)) {
          seen[d] = uint32_t(i);
          readers[d].push_back(unit);
          ++indegree[unit];
        }
        continue;
      }
      for (int k = 0; k < arity(g[x]); ++k) todo.push_back(operand(g[x], k));
    }
  }
  // Kahn's algorithm, the earliest original item first.
  using Entry = std::pair<size_t, uint32_t>;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> ready;
  for (uint32_t u = 0; u < units; ++u)
    if (indegree[u] == 0) ready.push({first_item[u], u});
  std::vector<std::vector<size_t>> unit_items(units);
  for (size_t i = 0; i < items.size(); ++i) unit_items[unit_of_item[i]].push_back(i);
  std::vector<PlanItem> ordered;
  ordered.reserve(items.size());
  while (!ready.empty()) {
    uint32_t u = ready.top().second;
    ready.pop();
    std::vector<size_t>& its = unit_items[u];
    if (its.size() > 1)  // a group's Steps in lane order
      std::sort(its.begin(), its.end(), [&](size_t a, size_t b) {
        return lanes.lane_of[items[a].node] < lanes.lane_of[items[b].node];
      });
    for (size_t i : its) ordered.push_back(items[i]);
    for (uint32_t r : readers[u])
      if (--indegree[r] == 0) ready.push({first_item[r], r});
  }
  if (ordered.size() != items.size()) return false;  // a cycle through the lanes
  items = std::move(ordered);
  return true;
}

}  // namespace gradc
