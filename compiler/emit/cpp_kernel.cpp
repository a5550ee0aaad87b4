// cpp_kernel.cpp - kernel bodies as C++ statements, split into parts as the
// plan says (see cpp_kernel.h).
#include "emit/cpp_kernel.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <unordered_map>
#include <unordered_set>

namespace gradc {

namespace {

// `  // NAME` after the statement that declares `cpp`, the C++ name of the
// program's `name`, if it was renamed.
std::string source_name_comment(const std::string& cpp, const std::string& name) {
  return cpp == name ? "" : "  // " + name;
}

// `const double x = in[0];` for a scalar input, a pointer for an array
// input, each once and only if `used` (by input scalar) says it is read.
std::string input_declarations(const Program& p, const ExprRenderer& r,
                               std::vector<uint32_t> used_vars) {
  std::sort(used_vars.begin(), used_vars.end());
  used_vars.erase(std::unique(used_vars.begin(), used_vars.end()), used_vars.end());
  std::string out;
  for (uint32_t var : used_vars) {
    const Variable& v = p.inputs[var];
    const size_t offset = p.input_offset(var);
    std::string cpp = r.name(v.name);
    if (v.is_scalar())
      out += fmt::format("  const double {} = in[{}];{}\n", cpp, offset,
                         source_name_comment(cpp, v.name));
    else
      out += fmt::format("  const double* const {} = in + {};  // {}{}, row-major\n", cpp, offset,
                         v.name, shape_text(v.shape));
  }
  return out;
}

// `2*i + 1`, `i`, `47 - 2*i`: base + stride*var.
std::string affine_text(int64_t base, int64_t stride, const std::string& var) {
  if (stride == 0) return std::to_string(base);
  std::string term = std::llabs(stride) == 1 ? var : fmt::format("{}*{}", std::llabs(stride), var);
  if (stride > 0) return base == 0 ? term : fmt::format("{} + {}", term, base);
  return base == 0 ? "-" + term : fmt::format("{} - {}", base, term);
}

// `x` as an operand of a binary operator: as it is if it is a name, a
// subscript or a non-negative number, else in parentheses.
std::string atom(const std::string& x) {
  for (char ch : x)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '.' || ch == '[' ||
          ch == ']'))
      return fmt::format("({})", x);
  return x;
}

class KernelWriter {
 public:
  KernelWriter(const Compiled& c, const KernelPlan& plan, ExprRenderer& r);

  /// Input loads, then the items of part `part`; parameters the part does
  /// not use are voided, so the code is warning-free.
  std::string body(size_t part);

 private:
  /// What a part's code reads: input scalars (their declarations), arrays
  /// and the scratch array.
  struct Usage {
    std::vector<uint32_t> input_vars;  ///< program inputs read (repeats allowed)
    std::vector<bool> args;
    bool scratch = false;
  };
  /// The loops that set the plan's zero-filled arrays to zero (marked used).
  std::string zero_fill_text(Usage& use) const;
  /// How a loop's Input leaf is written: through its program variable if the
  /// whole range lies in one array variable (`x[2*i + 1]`), else through the
  /// kernel argument (`in[i + 3]`); records what that reads.
  std::string loop_input_text(const LoopLeaf& leaf, uint32_t count, Usage* use);
  /// The read argument holding input scalar `index`.
  size_t input_arg(uint32_t index) const;
  void account(const PlanItem& item, size_t part, const PlanLoop* loop, Usage& use);
  void account_value(NodeId id, size_t part, Usage& use);
  std::string item_text(const PlanItem& item, const PlanLoop* loop);
  /// The vector expression computing lane group `group` (plan/lanes.h).
  std::string vector_expr(uint32_t group);
  /// Lane operands x (lane 0) and y (lane 1) as a vector operand: a
  /// group's variable or expression, a pack `gradc_v2{x, y}`, or the one
  /// scalar both lanes read (a pack of it if `splat`, as `?:` needs).
  std::string vector_operand(NodeId x, NodeId y, bool splat);
  std::string loop_text(uint32_t l, size_t part);
  /// A name no value, input or parameter of the kernel has: `wanted`,
  /// `wanted_2`, ... (`carry`, ... if `wanted` cannot be a local).
  std::string fresh_name(const std::string& wanted);
  /// "  // reverse sweep: ...\n" before the first statement that computes
  /// only derivative values (`derivative`), once per kernel; else "".
  std::string sweep_comment_before(bool derivative);

  const Compiled& c_;
  const size_t num_input_scalars_;  // the program's; a direction's come after
  const KernelPlan& plan_;
  const KernelSpec& spec_;
  ExprRenderer& r_;
  bool sweep_comment_done_ = false;
  std::unordered_set<std::string> taken_;  // C++ names in use, for fresh_name
  std::string loop_var_;                   // the loop counter's name
  const PlanLoop* leaves_of_ = nullptr;    // the loop leaf_index_ indexes
  std::unordered_map<NodeId, const LoopLeaf*> leaf_index_;  // its leaves by node
  std::vector<std::string> group_name_;    // by lane group: its variable
};

KernelWriter::KernelWriter(const Compiled& c, const KernelPlan& plan, ExprRenderer& r)
    : c_(c), num_input_scalars_(c.prog.num_input_scalars()), plan_(plan), spec_(*plan.spec), r_(r) {
  if (plan.loops.empty() && !plan.zero_fills() && plan.lanes.empty()) return;
  for (const auto& [id, name] : plan.schedule.names) taken_.insert(r.name(name));
  for (const Variable& v : c.prog.inputs) taken_.insert(r.name(v.name));
  for (const KernelArray& a : spec_.args) taken_.insert(a.name);
  taken_.insert("s");
  loop_var_ = fresh_name("i");
  // A group's variable is named after its lanes: `dw_dx_dv_dx` holds
  // dw_dx and dv_dx.
  for (const LaneGroup& group : plan.lanes.groups) {
    if (!group.materialized) {
      group_name_.emplace_back();
      continue;
    }
    std::string name = fmt::format("{}_{}", r.name(plan.schedule.name(group.member[0])),
                                   r.name(plan.schedule.name(group.member[1])));
    group_name_.push_back(fresh_name(is_plain_cpp_local(name) ? name : "lanes"));
  }
}

std::string KernelWriter::vector_operand(NodeId x, NodeId y, bool splat) {
  const LanePlan& lanes = plan_.lanes;
  if (x == y) {
    std::string t = r_.reference(x);
    return splat ? fmt::format("gradc_v2{{{0}, {0}}}", t) : atom(t);
  }
  if (uint32_t gx = lanes.pair_group(x, y); gx != LanePlan::kNone)
    return lanes.groups[gx].materialized ? group_name_[gx] : fmt::format("({})", vector_expr(gx));
  return fmt::format("gradc_v2{{{}, {}}}", r_.reference(x), r_.reference(y));
}

std::string KernelWriter::vector_expr(uint32_t group) {
  const Graph& g = c_.prog.graph;
  const LaneGroup& grp = plan_.lanes.groups[group];
  const Node& n = g[grp.member[0]];
  auto lane_pair = [&](int i, bool splat) {
    return vector_operand(lane_operand(g, grp, 0, i), lane_operand(g, grp, 1, i), splat);
  };
  // lane_op (plan/lanes.cpp) admits exactly these.
  if (n.op == Op::Neg) return fmt::format("-{}", lane_pair(0, false));
  if (n.op == Op::Select)
    return fmt::format("{} ? {} : {}", r_.condition(n.a), lane_pair(1, true), lane_pair(2, true));
  const char* infix = n.op == Op::Add   ? " + "
                      : n.op == Op::Sub ? " - "
                      : n.op == Op::Mul ? " * "
                      : n.op == Op::Div ? " / "
                                        : nullptr;
  if (infix) return fmt::format("{}{}{}", lane_pair(0, false), infix, lane_pair(1, false));
  throw InternalError(fmt::format("lane group of op {}", op_info(n.op).spelling));
}

std::string KernelWriter::fresh_name(const std::string& wanted) {
  // A base that cannot be a local as it is (`M_PI_` + `_prev` has a double
  // underscore) would never become one by a suffix.
  const std::string base = is_plain_cpp_local(wanted) ? wanted : "carry";
  std::string name = base;
  for (int k = 2; taken_.count(name) || !is_plain_cpp_local(name); ++k)
    name = fmt::format("{}_{}", base, k);
  taken_.insert(name);
  return name;
}

std::string KernelWriter::loop_input_text(const LoopLeaf& leaf, uint32_t count, Usage* use) {
  const uint32_t first = c_.prog.graph[leaf.node].a;
  const int64_t last = int64_t(first) + leaf.stride * int64_t(count - 1);
  // A direction's scalars (jvp's v, vjp's u) follow the program's inputs.
  const uint32_t var = first < num_input_scalars_ ? c_.prog.input_of_scalar(first) : 0;
  const Variable& v = c_.prog.inputs[var];
  const size_t offset = c_.prog.input_offset(var);
  if (first < num_input_scalars_ && !v.is_scalar() && last >= int64_t(offset) &&
      last < int64_t(offset + v.size())) {
    if (use) {  // declares the variable's pointer, which reads `in`
      use->input_vars.push_back(var);
      use->args[input_arg(first)] = true;
    }
    return fmt::format("{}[{}]", r_.name(v.name),
                       affine_text(int64_t(first - offset), leaf.stride, loop_var_));
  }
  const size_t a = input_arg(first);
  if (use) use->args[a] = true;
  return fmt::format("{}[{}]", spec_.args[a].name,
                     affine_text(int64_t(first - spec_.args[a].first_input), leaf.stride, loop_var_));
}

size_t KernelWriter::input_arg(uint32_t index) const {
  uint32_t a = spec_.read_arg_of(index);
  if (a == UINT32_MAX)
    throw InternalError(fmt::format("input scalar {} is not in any argument of the kernel", index));
  return a;
}

// What reading the input or scheduled value `id` outside a loop reads.
void KernelWriter::account_value(NodeId id, size_t part, Usage& use) {
  const Node& node = c_.prog.graph[id];
  if (node.op == Op::Input) {
    if (node.a < num_input_scalars_) use.input_vars.push_back(c_.prog.input_of_scalar(node.a));
    use.args[input_arg(node.a)] = true;
  }
  use.scratch = use.scratch || plan_.from_scratch(id, part);
}

// What `item` reads; in a loop's body (iteration 0), its leaves as the loop
// writes them.
void KernelWriter::account(const PlanItem& item, size_t part, const PlanLoop* loop, Usage& use) {
  const Program& p = c_.prog;
  std::vector<NodeId> refs;
  item_references(p.graph, plan_.schedule, item, refs);
  for (NodeId id : refs) {
    const Node& node = p.graph[id];
    const LoopLeaf* leaf = nullptr;
    if (loop) {
      if (leaves_of_ != loop) {  // index the loop's leaves once
        leaves_of_ = loop;
        leaf_index_.clear();
        for (const LoopLeaf& l : loop->leaves) leaf_index_.emplace(l.node, &l);
      }
      if (auto it = leaf_index_.find(id); it != leaf_index_.end()) leaf = it->second;
    }
    if (leaf && leaf->kind == LoopLeaf::Input) {
      loop_input_text(*leaf, loop->count, &use);
      continue;
    }
    if (leaf && leaf->kind == LoopLeaf::Scratch) {
      use.scratch = true;
      continue;
    }
    if (leaf && leaf->kind == LoopLeaf::Table) {  // copied before the loop
      use.scratch = true;
      for (NodeId x : leaf->table) account_value(x, part, use);
      continue;
    }
    if (loop && !leaf && node.op != Op::Input) continue;  // the same iteration's value
    account_value(id, part, use);
  }
  if (item.kind == PlanItem::Store) use.args[item.array] = true;
  use.scratch = use.scratch || (item.kind == PlanItem::Step && plan_.slot[item.node] != KernelPlan::kNone);
}

std::string KernelWriter::item_text(const PlanItem& item, const PlanLoop* loop) {
  // In a loop, entry index + stride*i of an array, slot + i of the scratch.
  size_t pos = loop ? size_t(&item - &plan_.items[loop->first]) : 0;
  if (item.kind == PlanItem::Store) {
    const KernelArray& a = spec_.args[item.array];
    if (loop) {
      int64_t stride = loop->store_stride[pos];
      size_t last = size_t(int64_t(item.index) + stride * int64_t(loop->count - 1));
      return fmt::format("    {}[{}] = {};  // {} ... {}\n", a.name,
                         affine_text(int64_t(item.index), stride, loop_var_),
                         r_.reference(item.node), entry_comment(a, item.index, c_.names),
                         entry_comment(a, last, c_.names));
    }
    return fmt::format("  {}[{}] = {};  // {}\n", a.name, item.index, r_.reference(item.node),
                       entry_comment(a, item.index, c_.names));
  }
  const char* indent = loop ? "    " : "  ";
  if (uint32_t group = plan_.lanes.statement_group(item.node); group != LanePlan::kNone) {
    // The group's Steps come together (lane 0 first): one vector statement.
    const LaneGroup& grp = plan_.lanes.groups[group];
    if (item.node != grp.member[0]) return "";
    // A group pairing a forward value with a derivative one is not yet
    // the sweep.
    std::string text = sweep_comment_before(c_.is_derivative_node(grp.member[0]) &&
                                            c_.is_derivative_node(grp.member[1]));
    return text + fmt::format("  const gradc_v2 {} = {};  // {}, {}\n", group_name_[group],
                              vector_expr(group), plan_.schedule.name(grp.member[0]),
                              plan_.schedule.name(grp.member[1]));
  }
  const std::string& source = plan_.schedule.name(item.node);
  std::string name = r_.name(source);
  std::string text = sweep_comment_before(c_.is_derivative_node(item.node));
  text += fmt::format("{}const double {} = {};{}\n", indent, name, r_.definition(item.node),
                      source_name_comment(name, source));
  uint32_t slot = plan_.slot[item.node];
  if (slot != KernelPlan::kNone)
    text += loop ? fmt::format("    s[{}] = {};\n", affine_text(slot, 1, loop_var_), name)
                 : fmt::format("  s[{}] = {};\n", slot, name);
  return text;
}

std::string KernelWriter::sweep_comment_before(bool derivative) {
  if (sweep_comment_done_ || !derivative) return "";
  sweep_comment_done_ = true;
  return fmt::format("  // {}\n", spec_.sweep_comment);
}

// for (int i = 0; i < count; ++i) { iteration i's statements }, its leaves
// written as the loop reads them, running sums in variables of their own.
std::string KernelWriter::loop_text(uint32_t l, size_t part) {
  const PlanLoop& loop = plan_.loops[l];
  const Graph& g = c_.prog.graph;
  std::string text, carries_in, carries_out;
  std::unordered_map<NodeId, std::string> leaf_text;
  for (const LoopLeaf& leaf : loop.leaves) {
    switch (leaf.kind) {
      case LoopLeaf::Invariant: break;  // as outside the loop
      case LoopLeaf::Input: leaf_text[leaf.node] = loop_input_text(leaf, loop.count, nullptr); break;
      case LoopLeaf::Scratch:
        leaf_text[leaf.node] =
            fmt::format("s[{}]", affine_text(plan_.slot[leaf.node], leaf.stride, loop_var_));
        break;
      case LoopLeaf::Table:
        for (size_t i = 0; i < leaf.table.size(); ++i)
          carries_in += fmt::format("  s[{}] = {};\n", leaf.slot + i, r_.reference(leaf.table[i]));
        leaf_text[leaf.node] = fmt::format("s[{}]", affine_text(leaf.slot, 1, loop_var_));
        break;
      case LoopLeaf::Carry: {
        std::string carry = fresh_name(r_.name(plan_.schedule.name(leaf.carry)) + "_prev");
        carries_in += fmt::format("  double {} = {};\n", carry, r_.reference(leaf.node));
        carries_out += fmt::format("    {} = {};\n", carry,
                                   r_.name(plan_.schedule.name(leaf.carry)));
        leaf_text[leaf.node] = carry;
        break;
      }
    }
  }
  std::string names;
  for (uint32_t j = 0; j < loop.body; ++j) {
    const PlanItem& item = plan_.items[loop.first + j];
    if (item.kind != PlanItem::Step) continue;
    names += (names.empty() ? "" : ", ") + r_.name(plan_.schedule.name(item.node));
    text += sweep_comment_before(c_.is_derivative_node(item.node));
  }
  text += fmt::format("  // {} iterations of the {} statement(s) below ({} for {} = 0), from\n"
                      "  // straight-line code that repeats one shape\n",
                      loop.count, loop.body, names.empty() ? "stores" : names, loop_var_);
  text += carries_in;
  text += fmt::format("  for (int {0} = 0; {0} < {1}; ++{0}) {{\n", loop_var_, loop.count);
  r_.set_external([&, part](NodeId id, std::string& t) {
    if (auto it = leaf_text.find(id); it != leaf_text.end()) {
      t = it->second;
      return true;
    }
    if (g[id].op == Op::Input || plan_.node_loop[id] == l || !plan_.from_scratch(id, part))
      return false;
    t = fmt::format("s[{}]", plan_.slot[id]);
    return true;
  });
  for (uint32_t j = 0; j < loop.body; ++j) text += item_text(plan_.items[loop.first + j], &loop);
  text += carries_out + "  }\n";
  r_.set_external([this, part](NodeId id, std::string& t) {
    if (!plan_.from_scratch(id, part)) return false;
    t = fmt::format("s[{}]", plan_.slot[id]);
    return true;
  });
  return text;
}

std::string KernelWriter::zero_fill_text(Usage& use) const {
  if (!plan_.zero_fills()) return "";
  std::vector<size_t> stored(spec_.args.size(), 0);  // entries stored after the fill
  for (const PlanItem& item : plan_.items)
    if (item.kind == PlanItem::Store) ++stored[item.array];
  std::string text;
  for (size_t a = 0; a < spec_.args.size(); ++a) {
    if (!plan_.zero_filled[a]) continue;
    const KernelArray& array = spec_.args[a];
    text += stored[a] == 0   ? fmt::format("  // {} is zero\n", array.name)
            : stored[a] == 1 ? fmt::format("  // {} is zero but for the entry stored below\n", array.name)
                             : fmt::format("  // {} is zero but for the {} entries stored below\n",
                                           array.name, stored[a]);
    text += fmt::format("  for (int {0} = 0; {0} < {1}; ++{0}) {2}[{0}] = 0.0;\n", loop_var_,
                        array.size, array.name);
    use.args[a] = true;
  }
  return text;
}

std::string KernelWriter::body(size_t part) {
  const Program& p = c_.prog;
  Usage use;
  use.args.assign(spec_.args.size(), false);
  const size_t begin = plan_.part_begin[part], end = plan_.part_begin[part + 1];
  for (size_t i = begin; i < end;) {
    uint32_t l = plan_.loop_at[i];
    if (l == KernelPlan::kNone) {
      account(plan_.items[i++], part, nullptr, use);
      continue;
    }
    const PlanLoop& loop = plan_.loops[l];
    for (uint32_t j = 0; j < loop.body; ++j) account(plan_.items[i + j], part, &loop, use);
    i = loop.end();
  }
  std::string text = input_declarations(p, r_, std::move(use.input_vars));
  if (part == 0) text += zero_fill_text(use);
  r_.set_external([this, part](NodeId id, std::string& t) {
    if (uint32_t group = plan_.lanes.statement_group(id); group != LanePlan::kNone) {
      t = fmt::format("{}[{}]", group_name_[group], plan_.lanes.lane_of[id]);
      return true;
    }
    if (!plan_.from_scratch(id, part)) return false;
    t = fmt::format("s[{}]", plan_.slot[id]);
    return true;
  });
  for (size_t i = begin; i < end;) {
    uint32_t l = plan_.loop_at[i];
    if (l == KernelPlan::kNone) {
      text += item_text(plan_.items[i++], nullptr);
      continue;
    }
    text += loop_text(l, part);
    i = plan_.loops[l].end();
  }
  r_.set_external({});
  for (size_t a = 0; a < spec_.args.size(); ++a)
    if (!use.args[a]) text += fmt::format("  (void){};\n", spec_.args[a].name);
  if (plan_.has_scratch() && !use.scratch) text += "  (void)s;\n";
  return text;
}

}  // namespace

const char* const kLaneTypeSource =
    "// gradc_v2: two doubles side by side, one per output of a two-output\n"
    "// gradient (the lanes of one vector register), where the two reverse\n"
    "// sweeps do the same operations. GCC and Clang: their vector extension;\n"
    "// other compilers, or with GRADC_PORTABLE defined: a struct with the same\n"
    "// operations, lane by lane. The results are the same to the bit.\n"
    "#ifndef GRADC_LANES_V2\n"
    "#define GRADC_LANES_V2\n"
    "#if defined(__GNUC__) && !defined(GRADC_PORTABLE)\n"
    "typedef double gradc_v2 __attribute__((vector_size(16)));\n"
    "#else\n"
    "struct gradc_v2 {\n"
    "  double lane0, lane1;\n"
    "  double operator[](int i) const { return i == 0 ? lane0 : lane1; }\n"
    "};\n"
    "[[maybe_unused]] static inline gradc_v2 operator-(gradc_v2 a) {\n"
    "  return gradc_v2{-a.lane0, -a.lane1};\n"
    "}\n"
    "#define GRADC_V2_OP(op)                                                         \\\n"
    "  [[maybe_unused]] static inline gradc_v2 operator op(gradc_v2 a,               \\\n"
    "                                                      gradc_v2 b) {             \\\n"
    "    return gradc_v2{a.lane0 op b.lane0, a.lane1 op b.lane1};                    \\\n"
    "  }                                                                             \\\n"
    "  [[maybe_unused]] static inline gradc_v2 operator op(gradc_v2 a, double b) {   \\\n"
    "    return gradc_v2{a.lane0 op b, a.lane1 op b};                                \\\n"
    "  }                                                                             \\\n"
    "  [[maybe_unused]] static inline gradc_v2 operator op(double a, gradc_v2 b) {   \\\n"
    "    return gradc_v2{a op b.lane0, a op b.lane1};                                \\\n"
    "  }\n"
    "GRADC_V2_OP(+)\n"
    "GRADC_V2_OP(-)\n"
    "GRADC_V2_OP(*)\n"
    "GRADC_V2_OP(/)\n"
    "#undef GRADC_V2_OP\n"
    "#endif\n"
    "#endif\n\n";

std::string cpp_parameters(const KernelSpec& spec) {
  std::string params;
  for (const KernelArray& a : spec.args)
    params += fmt::format("{}{}double* {}", params.empty() ? "" : ", ", a.result ? "" : "const ",
                          a.name);
  return params;
}

std::string cpp_batch_kernel(const KernelSpec& spec, const std::string& fn_name, bool split) {
  std::string sizes, steps, args;
  for (const KernelArray& a : spec.args) {
    sizes += fmt::format("{}{}[count*{}]", sizes.empty() ? "" : ", ", a.name, a.size);
    steps += fmt::format(", {} += {}", a.name, a.size);
    args += (args.empty() ? "" : ", ") + a.name;
  }
  // clang's vectorize(enable) lifts the cost model's doubts about a long
  // body; where the loop cannot be vectorized (a math function without a
  // vector variant) it stays scalar, without the warning -Werror would fail.
  return fmt::format(
      "// {0} at each of count points, one after another: {1}.\n"
      "#if defined(__clang__)\n#pragma clang diagnostic push\n"
      "#pragma clang diagnostic ignored \"-Wpass-failed\"\n#endif\n"
      "extern \"C\"\n{2}"
      "void {0}_batch(std::size_t count, {3}) {{\n"
      "#if defined(__clang__)\n#pragma clang loop vectorize(enable)\n#endif\n"
      "  for (std::size_t p = 0; p < count; ++p{4}) ::{0}({5});\n"
      "}}\n"
      "#if defined(__clang__)\n#pragma clang diagnostic pop\n#endif\n",
      fn_name, sizes, split ? "" : "#if defined(__GNUC__)\n__attribute__((flatten))\n#endif\n",
      cpp_parameters(spec), steps, args);
}

std::string cpp_kernel(const Compiled& c, const KernelPlan& plan, ExprRenderer& r,
                       const std::string& fn_name) {
  KernelWriter w(c, plan, r);
  std::string params = cpp_parameters(*plan.spec);
  if (!plan.has_scratch())
    return fmt::format("extern \"C\" void {}({}) {{\n{}}}\n", fn_name, params, w.body(0));
  if (!plan.split())
    return fmt::format("extern \"C\" void {}({}) {{\n  double s[{}];  // values kept by loops\n{}}}\n",
                       fn_name, params, plan.num_slots, w.body(0));
  std::string text, calls, args;
  for (const KernelArray& a : plan.spec->args) args += a.name + ", ";
  size_t parts = plan.num_parts();
  for (size_t part = 0; part < parts; ++part) {
    text += fmt::format("// {} part {} of {}\nstatic void {}_part{}({}, double* s) {{\n{}}}\n\n",
                        fn_name, part + 1, parts, fn_name, part + 1, params, w.body(part));
    calls += fmt::format("  {}_part{}({}s);\n", fn_name, part + 1, args);
  }
  // On the stack however many (SPEC 3: kernels allocate nothing); the
  // file's first comment says how much a kernel keeps there.
  uint32_t slots = std::max<uint32_t>(plan.num_slots, 1);
  return text + fmt::format(
                    "extern \"C\" void {}({}) {{\n"
                    "  double s[{}];  // values passed between the parts and kept by loops\n{}}}\n",
                    fn_name, params, slots, calls);
}

}  // namespace gradc
