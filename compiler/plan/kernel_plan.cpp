// kernel_plan.cpp - items, parts and scratch slots of one kernel (see
// kernel_plan.h); each a loop over ids or items, no recursion.
#include "plan/kernel_plan.h"

#include <algorithm>

namespace gradc {

namespace {

bool is_leaf(const Node& n) { return n.op == Op::Const || n.op == Op::Input; }

// Statements in id order, each followed by the stores of its value. A root
// that is a leaf is stored first; a root that is inlined (an array output's
// element used only by its store) is stored where its id falls, after every
// statement it reads.
// The entries of a zero-filled array (`zero_filled`, by array) that are
// structurally zero have no store.
std::vector<PlanItem> plan_items(const Graph& g, const KernelSpec& spec, const Schedule& s,
                                 const std::vector<bool>& zero_filled) {
  // Bucket the stores by root (counting sort: linear).
  std::vector<PlanItem> stores;
  for (uint32_t a = 0; a < spec.args.size(); ++a)
    for (size_t i = 0; i < spec.args[a].roots.size(); ++i)
      if (!zero_filled[a] || !g.is_plus_zero(spec.args[a].roots[i]))
        stores.push_back({PlanItem::Store, a, spec.args[a].roots[i], i});
  std::vector<uint32_t> first(g.size() + 1, 0);
  for (const PlanItem& st : stores) ++first[st.node + 1];
  for (size_t id = 0; id < g.size(); ++id) first[id + 1] += first[id];
  std::vector<PlanItem> by_node(stores.size());
  std::vector<uint32_t> next(first.begin(), first.end() - 1);
  for (const PlanItem& st : stores) by_node[next[st.node]++] = st;

  std::vector<PlanItem> items;
  auto stores_of = [&](NodeId id) {
    for (uint32_t i = first[id]; i < first[id + 1]; ++i) items.push_back(by_node[i]);
  };
  for (NodeId id = 0; id < g.size(); ++id)
    if (is_leaf(g[id])) stores_of(id);
  for (NodeId id = 0; id < g.size(); ++id) {
    if (is_leaf(g[id])) continue;
    if (s.materialized[id]) items.push_back({PlanItem::Step, 0, id, 0});
    stores_of(id);
  }
  return items;
}

// Cut the items into parts of at most `part_nodes` nodes each; a loop counts
// as its body and is never cut.
std::vector<size_t> plan_parts(const Graph& g, const Schedule& s,
                               const std::vector<PlanItem>& items,
                               const std::vector<PlanLoop>& loops, size_t part_nodes) {
  std::vector<size_t> begin{0};
  std::vector<NodeId> nodes;
  size_t weight = 0, next_loop = 0;
  for (size_t i = 0; i < items.size();) {
    size_t end = i + 1, w = 0;
    if (next_loop < loops.size() && loops[next_loop].first == i) {
      const PlanLoop& loop = loops[next_loop++];
      end = loop.end();
      for (size_t j = i; j < i + loop.body; ++j) w += item_weight(g, s, items[j], nodes);
    } else {
      w = item_weight(g, s, items[i], nodes);
    }
    if (weight > 0 && weight + w > part_nodes) {
      begin.push_back(i);
      weight = 0;
    }
    weight += w;
    i = end;
  }
  begin.push_back(items.size());
  return begin;
}

// The scratch arrays of the loops: body entry j of loop l gets one slot per
// iteration if anything outside the loop reads its values, and each table
// leaf one per iteration.
void plan_loop_arrays(const Graph& g, KernelPlan& p) {
  std::vector<uint32_t> item_loop(p.items.size(), KernelPlan::kNone);
  for (uint32_t l = 0; l < p.loops.size(); ++l) {
    const PlanLoop& loop = p.loops[l];
    p.loop_at[loop.first] = l;
    for (size_t i = loop.first; i < loop.end(); ++i) {
      item_loop[i] = l;
      if (p.items[i].kind == PlanItem::Step) p.node_loop[p.items[i].node] = l;
    }
  }
  if (p.loops.empty()) return;
  std::vector<uint32_t> def_item(g.size(), KernelPlan::kNone);
  for (size_t i = 0; i < p.items.size(); ++i)
    if (p.items[i].kind == PlanItem::Step) def_item[p.items[i].node] = uint32_t(i);
  std::vector<std::vector<bool>> kept(p.loops.size());
  for (uint32_t l = 0; l < p.loops.size(); ++l) kept[l].assign(p.loops[l].body, false);
  std::vector<NodeId> refs;
  for (size_t i = 0; i < p.items.size(); ++i) {
    item_references(g, p.schedule, p.items[i], refs);
    for (NodeId id : refs) {
      uint32_t l = g[id].op == Op::Input ? KernelPlan::kNone : p.node_loop[id];
      if (l == KernelPlan::kNone || l == item_loop[i]) continue;
      kept[l][(def_item[id] - p.loops[l].first) % p.loops[l].body] = true;
    }
  }
  for (uint32_t l = 0; l < p.loops.size(); ++l) {
    PlanLoop& loop = p.loops[l];
    for (uint32_t j = 0; j < loop.body; ++j) {
      if (!kept[l][j]) continue;
      for (uint32_t it = 0; it < loop.count; ++it)
        p.slot[p.items[loop.first + size_t(it) * loop.body + j].node] = p.num_slots + it;
      p.num_slots += loop.count;
    }
    for (LoopLeaf& leaf : loop.leaves)
      if (leaf.kind == LoopLeaf::Table) {
        leaf.slot = p.num_slots;
        p.num_slots += loop.count;
      }
  }
}

}  // namespace

void item_references(const Graph& g, const Schedule& s, const PlanItem& item,
                     std::vector<NodeId>& out) {
  out.clear();
  std::vector<NodeId> todo;
  if (item.kind == PlanItem::Step) {
    const Node& n = g[item.node];
    for (int i = 0; i < arity(n); ++i) todo.push_back(operand(n, i));
  } else {
    todo.push_back(item.node);
  }
  while (!todo.empty()) {  // inlined expressions have bounded depth
    NodeId id = todo.back();
    todo.pop_back();
    const Node& n = g[id];
    if (n.op == Op::Const) continue;
    if (n.op == Op::Input || s.materialized[id]) {
      out.push_back(id);
      continue;
    }
    for (int i = 0; i < arity(n); ++i) todo.push_back(operand(n, i));
  }
}

size_t item_weight(const Graph& g, const Schedule& s, const PlanItem& item,
                   std::vector<NodeId>& scratch) {
  if (item.kind == PlanItem::Store) return 1;
  expression_nodes(g, s, item.node, scratch);
  return scratch.size();
}

void expression_nodes(const Graph& g, const Schedule& s, NodeId id, std::vector<NodeId>& out) {
  out.clear();
  std::vector<NodeId> todo{id};
  while (!todo.empty()) {
    NodeId x = todo.back();
    todo.pop_back();
    out.push_back(x);
    const Node& n = g[x];
    for (int i = 0; i < arity(n); ++i) {
      NodeId o = operand(n, i);
      if (!is_leaf(g[o]) && !s.materialized[o]) todo.push_back(o);
    }
  }
  std::sort(out.begin(), out.end());
}

// Which result arrays to zero-fill (kZeroFillMin): those with at least
// that many entries that are +0, and no more other entries than zeros.
std::vector<bool> plan_zero_fills(const Graph& g, const KernelSpec& spec, const PlanOptions& opts) {
  std::vector<bool> fill(spec.args.size(), false);
  if (opts.reroll_min == 0) return fill;  // no loops at all
  for (size_t a = 0; a < spec.args.size(); ++a) {
    const KernelArray& array = spec.args[a];
    if (!array.result) continue;
    size_t zeros = 0;
    for (NodeId root : array.roots) zeros += g.is_plus_zero(root) ? 1 : 0;
    fill[a] = zeros >= kZeroFillMin && 2 * zeros >= array.roots.size();
  }
  return fill;
}

// The lane groups of a kernel of one part without loops, with the items
// reordered for them; nothing changes if there are none or they cannot be
// ordered.
static void plan_lanes(const Graph& g, const KernelSpec& spec, size_t min_saving, KernelPlan& p) {
  Schedule s = p.schedule;
  LanePlan lanes = find_lane_groups(g, spec, s, min_saving);
  if (lanes.empty()) return;
  std::vector<PlanItem> items = plan_items(g, spec, s, p.zero_filled);
  if (!order_for_lanes(g, s, lanes, items)) return;
  p.schedule = std::move(s);
  p.items = std::move(items);
  p.lanes = std::move(lanes);
  p.part_begin = {0, p.items.size()};
}

KernelPlan make_kernel_plan(const Graph& g, const KernelSpec& spec, const PlanOptions& opts) {
  KernelPlan p;
  p.spec = &spec;
  p.schedule = make_schedule(g, spec.roots(), *spec.hints);
  p.zero_filled = plan_zero_fills(g, spec, opts);
  p.items = plan_items(g, spec, p.schedule, p.zero_filled);
  p.loops = find_loops(g, spec, p.schedule, p.items, opts.reroll_min);
  p.part_begin = plan_parts(g, p.schedule, p.items, p.loops, opts.part_nodes);
  if (opts.lanes_min_saving != SIZE_MAX && p.loops.empty() && !p.split())
    plan_lanes(g, spec, opts.lanes_min_saving, p);
  p.def_part.assign(g.size(), KernelPlan::kNone);
  p.slot.assign(g.size(), KernelPlan::kNone);
  p.loop_at.assign(p.items.size(), KernelPlan::kNone);
  p.node_loop.assign(g.size(), KernelPlan::kNone);
  plan_loop_arrays(g, p);
  if (!p.split()) return p;
  for (uint32_t part = 0; part < p.num_parts(); ++part)
    for (size_t i = p.part_begin[part]; i < p.part_begin[part + 1]; ++i)
      if (p.items[i].kind == PlanItem::Step) p.def_part[p.items[i].node] = part;
  // The last part that reads each value computed in an earlier part (a
  // loop's values that are read elsewhere have their slots already).
  std::vector<uint32_t> last_read(g.size(), KernelPlan::kNone);
  std::vector<NodeId> refs;
  for (uint32_t part = 0; part < p.num_parts(); ++part)
    for (size_t i = p.part_begin[part]; i < p.part_begin[part + 1]; ++i) {
      item_references(g, p.schedule, p.items[i], refs);
      for (NodeId id : refs)
        if (p.def_part[id] != KernelPlan::kNone && p.def_part[id] < part &&
            p.node_loop[id] == KernelPlan::kNone)
          last_read[id] = part;
    }
  // Slots as intervals [defining part, last reading part], coloured greedily
  // in part order (optimal for intervals): a slot freed after part l serves
  // a value defined in part l + 1 or later.
  std::vector<std::vector<uint32_t>> frees(p.num_parts() + 1);  // slots free from part
  std::vector<uint32_t> free_slots;
  for (uint32_t part = 0; part < p.num_parts(); ++part) {
    for (uint32_t slot : frees[part]) free_slots.push_back(slot);
    for (size_t i = p.part_begin[part]; i < p.part_begin[part + 1]; ++i) {
      const PlanItem& item = p.items[i];
      if (item.kind != PlanItem::Step || last_read[item.node] == KernelPlan::kNone) continue;
      uint32_t slot = p.num_slots;
      if (free_slots.empty()) {
        ++p.num_slots;
      } else {
        slot = free_slots.back();
        free_slots.pop_back();
      }
      p.slot[item.node] = slot;
      frees[last_read[item.node] + 1].push_back(slot);
    }
  }
  return p;
}

}  // namespace gradc
