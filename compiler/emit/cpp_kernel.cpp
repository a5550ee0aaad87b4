// cpp_kernel.cpp - kernel bodies as C++ statements, split into parts as the
// plan says (see cpp_kernel.h).
#include "emit/cpp_kernel.h"

#include <fmt/format.h>

#include <algorithm>

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
                               const std::vector<bool>& used) {
  std::string out;
  size_t offset = 0;
  for (const Variable& v : p.inputs) {
    bool any = std::find(used.begin() + long(offset), used.begin() + long(offset + v.size()),
                         true) != used.begin() + long(offset + v.size());
    std::string cpp = r.name(v.name);
    if (any && v.is_scalar())
      out += fmt::format("  const double {} = in[{}];{}\n", cpp, offset,
                         source_name_comment(cpp, v.name));
    else if (any)
      out += fmt::format("  const double* const {} = in + {};  // {}{}, row-major\n", cpp, offset,
                         v.name, shape_text(v.shape));
    offset += v.size();
  }
  return out;
}

class KernelWriter {
 public:
  KernelWriter(const Compiled& c, const KernelPlan& plan, ExprRenderer& r)
      : c_(c), plan_(plan), spec_(*plan.spec), r_(r) {}

  /// Input loads, then the items of part `part`; parameters the part does
  /// not use are voided, so the code is warning-free.
  std::string body(size_t part);

 private:
  std::string item_text(const PlanItem& item);

  const Compiled& c_;
  const KernelPlan& plan_;
  const KernelSpec& spec_;
  ExprRenderer& r_;
  bool sweep_comment_done_ = false;
};

std::string KernelWriter::item_text(const PlanItem& item) {
  if (item.kind == PlanItem::Store) {
    const KernelArray& a = spec_.args[item.array];
    return fmt::format("  {}[{}] = {};  // {}\n", a.name, item.index, r_.reference(item.node),
                       entry_comment(a, item.index, c_.names));
  }
  const std::string& source = plan_.schedule.name(item.node);
  std::string name = r_.name(source);
  std::string text;
  if (!sweep_comment_done_ && item.node >= c_.forward_nodes) {
    text = fmt::format("  // {}\n", spec_.sweep_comment);
    sweep_comment_done_ = true;
  }
  text += fmt::format("  const double {} = {};{}\n", name, r_.definition(item.node),
                      source_name_comment(name, source));
  if (plan_.slot[item.node] != KernelPlan::kNone)
    text += fmt::format("  s[{}] = {};\n", plan_.slot[item.node], name);
  return text;
}

std::string KernelWriter::body(size_t part) {
  const Program& p = c_.prog;
  const size_t n = p.num_input_scalars();
  const bool split = plan_.split();
  std::vector<bool> used_inputs(n, false), used_args(spec_.args.size(), false);
  bool uses_s = false;
  std::vector<NodeId> refs;
  for (size_t i = plan_.part_begin[part]; i < plan_.part_begin[part + 1]; ++i) {
    const PlanItem& item = plan_.items[i];
    item_references(p.graph, plan_.schedule, item, refs);
    for (NodeId id : refs) {
      const Node& node = p.graph[id];
      if (node.op == Op::Input && node.a < n) used_inputs[node.a] = true;
      for (size_t a = 0; a < spec_.args.size(); ++a) {
        const KernelArray& arg = spec_.args[a];
        if (node.op == Op::Input && !arg.result && node.a >= arg.first_input &&
            node.a < arg.first_input + arg.size)
          used_args[a] = true;
      }
      uses_s = uses_s || (split && plan_.from_scratch(id, part));
    }
    if (item.kind == PlanItem::Store) used_args[item.array] = true;
    uses_s = uses_s || (split && item.kind == PlanItem::Step &&
                        plan_.slot[item.node] != KernelPlan::kNone);
  }
  std::string text = input_declarations(p, r_, used_inputs);
  for (size_t i = plan_.part_begin[part]; i < plan_.part_begin[part + 1]; ++i)
    text += item_text(plan_.items[i]);
  for (size_t a = 0; a < spec_.args.size(); ++a)
    if (!used_args[a]) text += fmt::format("  (void){};\n", spec_.args[a].name);
  if (split && !uses_s) text += "  (void)s;\n";
  return text;
}

}  // namespace

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
      "  for (std::size_t p = 0; p < count; ++p{4}) {0}({5});\n"
      "}}\n"
      "#if defined(__clang__)\n#pragma clang diagnostic pop\n#endif\n",
      fn_name, sizes, split ? "" : "#if defined(__GNUC__)\n__attribute__((flatten))\n#endif\n",
      cpp_parameters(spec), steps, args);
}

std::string cpp_kernel(const Compiled& c, const KernelPlan& plan, ExprRenderer& r,
                       const std::string& fn_name) {
  KernelWriter w(c, plan, r);
  std::string params = cpp_parameters(*plan.spec);
  if (!plan.split())
    return fmt::format("extern \"C\" void {}({}) {{\n{}}}\n", fn_name, params, w.body(0));
  std::string text, calls, args;
  for (const KernelArray& a : plan.spec->args) args += a.name + ", ";
  size_t parts = plan.num_parts();
  for (size_t part = 0; part < parts; ++part) {
    r.set_external([&plan, part](NodeId id, std::string& t) {
      if (!plan.from_scratch(id, part)) return false;
      t = fmt::format("s[{}]", plan.slot[id]);
      return true;
    });
    text += fmt::format("// {} part {} of {}\nstatic void {}_part{}({}, double* s) {{\n{}}}\n\n",
                        fn_name, part + 1, parts, fn_name, part + 1, params, w.body(part));
    calls += fmt::format("  {}_part{}({}s);\n", fn_name, part + 1, args);
  }
  r.set_external({});
  uint32_t slots = std::max<uint32_t>(plan.num_slots, 1);
  if (!plan.heap_scratch())
    return text + fmt::format(
                      "extern \"C\" void {}({}) {{\n"
                      "  double s[{}];  // values passed between the parts\n{}}}\n",
                      fn_name, params, slots, calls);
  // Too many values for the stack: allocate them per call; without memory
  // every result is NaN (bytes of all ones are a NaN).
  std::string fail;
  for (const KernelArray& a : plan.spec->args)
    if (a.result && a.size > 0)
      fail += fmt::format("    std::memset({}, 0xff, {} * sizeof(double));\n", a.name, a.size);
  return text + fmt::format(
                    "extern \"C\" void {}({}) {{\n"
                    "  // {} values passed between the parts, on the heap to bound the stack.\n"
                    "  double* s = static_cast<double*>(std::malloc({} * sizeof(double)));\n"
                    "  if (!s) {{  // no memory: every result is NaN\n{}    return;\n  }}\n"
                    "{}  std::free(s);\n}}\n",
                    fn_name, params, slots, slots, fail, calls);
}

}  // namespace gradc
