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
std::vector<PlanItem> plan_items(const Graph& g, const KernelSpec& spec, const Schedule& s) {
  // Bucket the stores by root (counting sort: linear).
  std::vector<PlanItem> stores;
  for (uint32_t a = 0; a < spec.args.size(); ++a)
    for (size_t i = 0; i < spec.args[a].roots.size(); ++i)
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

// Cut the items into parts of at most `part_nodes` nodes each.
std::vector<size_t> plan_parts(const Graph& g, const Schedule& s,
                               const std::vector<PlanItem>& items, size_t part_nodes) {
  std::vector<size_t> begin{0};
  std::vector<NodeId> nodes;
  size_t weight = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    size_t w = 1;
    if (items[i].kind == PlanItem::Step) {
      expression_nodes(g, s, items[i].node, nodes);
      w = nodes.size();
    }
    if (weight > 0 && weight + w > part_nodes) {
      begin.push_back(i);
      weight = 0;
    }
    weight += w;
  }
  begin.push_back(items.size());
  return begin;
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

KernelPlan make_kernel_plan(const Graph& g, const KernelSpec& spec, size_t part_nodes) {
  KernelPlan p;
  p.spec = &spec;
  p.schedule = make_schedule(g, spec.roots(), *spec.hints);
  p.items = plan_items(g, spec, p.schedule);
  p.part_begin = plan_parts(g, p.schedule, p.items, part_nodes);
  p.def_part.assign(g.size(), KernelPlan::kNone);
  p.slot.assign(g.size(), KernelPlan::kNone);
  if (!p.split()) return p;
  for (uint32_t part = 0; part < p.num_parts(); ++part)
    for (size_t i = p.part_begin[part]; i < p.part_begin[part + 1]; ++i)
      if (p.items[i].kind == PlanItem::Step) p.def_part[p.items[i].node] = part;
  // The last part that reads each value computed in an earlier part.
  std::vector<uint32_t> last_read(g.size(), KernelPlan::kNone);
  std::vector<NodeId> refs;
  for (uint32_t part = 0; part < p.num_parts(); ++part)
    for (size_t i = p.part_begin[part]; i < p.part_begin[part + 1]; ++i) {
      item_references(g, p.schedule, p.items[i], refs);
      for (NodeId id : refs)
        if (p.def_part[id] != KernelPlan::kNone && p.def_part[id] < part) last_read[id] = part;
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
