// dump.cpp - text dumps of the DAG and of the kernel plans (see dump.h).
#include "emit/dump.h"

#include <fmt/format.h>

#include <unordered_map>

#include "front/value.h"
#include "plan/kernel_plan.h"

namespace gradc {

namespace {

// Source names of forward nodes, for the `; name` comments.
std::unordered_map<NodeId, std::string> source_names(const Compiled& c) {
  std::unordered_map<NodeId, std::string> names;
  for (const std::vector<Variable>* vars : {&c.prog.inputs, &c.prog.definitions})
    for (const Variable& v : *vars)
      for (size_t i = 0; i < v.size(); ++i)
        names.try_emplace(v.nodes[i], v.name + element_suffix(v.shape, i));
  return names;
}

// How a loop reads a leaf: `%12` (invariant), `in:%3+2i` (input scalar
// node 3's index plus 2 per iteration), `s:%40-1i` (an earlier loop's value,
// one iteration back per iteration), `carry:%50<-%61`, `table:%7..%93`
// (values of the first and last iterations).
std::string loop_leaf_text(const LoopLeaf& leaf) {
  switch (leaf.kind) {
    case LoopLeaf::Invariant: return fmt::format("%{}", leaf.node);
    case LoopLeaf::Input: return fmt::format("in:%{}{:+}i", leaf.node, leaf.stride);
    case LoopLeaf::Scratch: return fmt::format("s:%{}{:+}i", leaf.node, leaf.stride);
    case LoopLeaf::Carry: return fmt::format("carry:%{}<-%{}", leaf.node, leaf.carry);
    case LoopLeaf::Table: return fmt::format("table:%{}..%{}", leaf.node, leaf.table.back());
  }
  return "";
}

}  // namespace

std::string dump_graph(const Compiled& c, size_t begin, size_t end) {
  const Graph& g = c.prog.graph;
  std::unordered_map<NodeId, std::string> names = source_names(c);
  std::string out;
  for (NodeId id = NodeId(begin); id < end && id < g.size(); ++id) {
    const Node& n = g[id];
    std::string rhs;
    if (n.op == Op::Const) rhs = fmt::format("const {}", g.const_value(id));
    else if (n.op == Op::Input) rhs = fmt::format("input {}", n.a);
    else {
      rhs = std::string(op_info(n.op).name);
      for (int i = 0; i < arity(n); ++i) rhs += fmt::format("{} %{}", i ? "," : "", operand(n, i));
    }
    auto name = names.find(id);
    out += fmt::format("%{} = {}{}\n", id, rhs, name != names.end() ? "  ; " + name->second : "");
  }
  return out;
}

std::string dump_plans(const Compiled& c) {
  const Graph& g = c.prog.graph;
  std::string out;
  for (const KernelSpec& k : c.kernels) {
    KernelPlan plan = make_kernel_plan(g, k, c.plan_options());
    out += fmt::format("kernel {} (", kernel_kind_name(k.kind));
    for (size_t a = 0; a < k.args.size(); ++a)
      out += fmt::format("{}{}{}[{}]", a ? ", " : "", k.args[a].result ? "" : "const ",
                         k.args[a].name, k.args[a].size);
    out += fmt::format("): {} statements of {} live nodes, {} part(s), {} scratch slot(s)\n",
                       plan.schedule.steps.size(), plan.schedule.live_nodes, plan.num_parts(),
                       plan.num_slots);
    for (size_t a = 0; a < k.args.size(); ++a)
      if (plan.zero_filled[a]) out += fmt::format("  zero-fill {}[{}]\n", k.args[a].name, k.args[a].size);
    for (size_t p = 0; p < plan.num_parts(); ++p) {
      if (plan.split()) out += fmt::format(" part {}\n", p + 1);
      const PlanLoop* loop = nullptr;  // the loop whose body is being listed
      for (size_t i = plan.part_begin[p]; i < plan.part_begin[p + 1]; ++i) {
        if (loop && i == loop->first + loop->body) {
          i = loop->end() - 1;
          loop = nullptr;
          continue;
        }
        if (uint32_t l = plan.loop_at[i]; l != KernelPlan::kNone) {
          loop = &plan.loops[l];
          out += fmt::format("  loop {} x {} items:", loop->count, loop->body);
          for (const LoopLeaf& leaf : loop->leaves) out += fmt::format(" {}", loop_leaf_text(leaf));
          out += "\n";
        }
        const char* indent = loop ? "    " : "  ";
        const PlanItem& item = plan.items[i];
        if (item.kind == PlanItem::Store) {
          std::string step = loop ? fmt::format(" ({:+} per iteration)",
                                                loop->store_stride[i - loop->first])
                                  : "";
          out += fmt::format("{}store {}[{}]{} = %{}\n", indent, k.args[item.array].name,
                             item.index, step, item.node);
          continue;
        }
        uint32_t slot = plan.slot[item.node];
        out += fmt::format("{}%{} {}{}\n", indent, item.node, plan.schedule.name(item.node),
                           slot != KernelPlan::kNone
                               ? fmt::format(" -> s[{}{}]", slot, loop ? " + i" : "")
                               : "");
      }
    }
  }
  return out;
}

std::string dump_after(const Compiled& c, const std::string& pass) {
  if (pass == "parse")
    return "; after parse: the forward DAG\n" + dump_graph(c, 0, c.forward_nodes);
  if (pass == "differentiate")
    return fmt::format("; after differentiate: forward nodes %0..%{}, derivative nodes after\n",
                       c.forward_nodes - 1) +
           dump_graph(c, 0, c.prog.graph.size());
  if (pass == "plan") return "; after plan: each kernel's statements, stores and parts\n" + dump_plans(c);
  return "";
}

}  // namespace gradc
