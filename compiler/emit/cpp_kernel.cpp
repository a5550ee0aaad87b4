// cpp_kernel.cpp - kernel bodies as C++ statements, split into parts when
// large (see cpp_kernel.h).
#include "emit/cpp_kernel.h"

#include <fmt/format.h>


namespace gradc {

namespace {

// One line of a kernel body: a statement for a scheduled node, or a store.
struct Item {
  enum Kind { Step, Out, Jac } kind;
  NodeId node;
  size_t index;  // into out[] or jac[]
};

std::vector<Item> kernel_items(const Compiled& c, const Schedule& s, bool grad) {
  std::vector<Item> items;
  for (NodeId id : s.steps) items.push_back({Item::Step, id, 0});
  for (size_t i = 0; i < c.outputs.size(); ++i) items.push_back({Item::Out, c.outputs[i], i});
  if (grad)
    for (size_t i = 0; i < c.jacobian.size(); ++i) items.push_back({Item::Jac, c.jacobian[i], i});
  return items;
}

// The materialized nodes and inputs an item's text refers to: its operands
// (or, for a store, its value), looking through inlined nodes.
void references(const Graph& g, const Schedule& s, const Item& item, std::vector<NodeId>& out) {
  out.clear();
  std::vector<NodeId> todo;
  if (item.kind == Item::Step) {
    const Node& n = g[item.node];
    for (int i = 0; i < arity(n); ++i) todo.push_back(operand(n, i));
  } else {
    todo.push_back(item.node);
  }
  while (!todo.empty()) {
    NodeId id = todo.back();
    todo.pop_back();
    const Node& n = g[id];
    if (n.op == Op::Const) continue;
    if (n.op == Op::Input || s.materialized[id]) {
      out.push_back(id);
      continue;
    }
    for (int i = 0; i < arity(n); ++i) todo.push_back(operand(n, i));  // inlined: bounded depth
  }
}

// `const double x = in[0];` for a scalar input, a pointer for an array
// input, each once and only if `used` (by input scalar) says it is read.
std::string input_declarations(const Program& p, const std::vector<bool>& used) {
  std::string out;
  size_t offset = 0;
  for (const Variable& v : p.inputs) {
    bool any = std::find(used.begin() + long(offset), used.begin() + long(offset + v.size()),
                         true) != used.begin() + long(offset + v.size());
    if (any && v.is_scalar())
      out += fmt::format("  const double {} = in[{}];\n", cpp_identifier(v.name), offset);
    else if (any)
      out += fmt::format("  const double* const {} = in + {};  // {}{}, row-major\n",
                         cpp_identifier(v.name), offset, v.name, shape_text(v.shape));
    offset += v.size();
  }
  return out;
}

class KernelWriter {
 public:
  KernelWriter(const Compiled& c, const Schedule& s, ExprRenderer& r, bool grad)
      : c_(c), s_(s), r_(r), grad_(grad), items_(kernel_items(c, s, grad)) {}

  std::string body(size_t begin, size_t end, bool in_part);
  const std::vector<Item>& items() const { return items_; }
  /// Give every value that a later part reads a scratch slot; returns the
  /// number of slots.
  size_t assign_slots();
  /// While writing part `part`, values from earlier parts are `s[slot]`.
  void enter_part(size_t part) { part_ = part; }

 private:
  std::string item_text(const Item& item);
  size_t part_of(size_t item) const { return item / kCppPartItems; }

  const Compiled& c_;
  const Schedule& s_;
  ExprRenderer& r_;
  bool grad_;
  std::vector<Item> items_;
  static constexpr uint32_t kNone = UINT32_MAX;
  // By node id: the part that defines a scheduled value, and its scratch
  // slot if a later part reads it (kNone otherwise).
  std::vector<uint32_t> def_part_, slot_;
  uint32_t slots_ = 0;
  /// Does part `part_` read `id` from the scratch array?
  bool from_scratch(NodeId id) const { return slot_[id] != kNone && def_part_[id] < part_; }
  size_t part_ = 0;
  bool reverse_comment_done_ = false;
};

size_t KernelWriter::assign_slots() {
  def_part_.assign(c_.prog.graph.size(), kNone);
  slot_.assign(c_.prog.graph.size(), kNone);
  for (size_t i = 0; i < items_.size(); ++i)
    if (items_[i].kind == Item::Step) def_part_[items_[i].node] = uint32_t(part_of(i));
  std::vector<NodeId> refs;
  for (size_t i = 0; i < items_.size(); ++i) {
    references(c_.prog.graph, s_, items_[i], refs);
    for (NodeId id : refs)
      if (def_part_[id] != kNone && def_part_[id] < part_of(i) && slot_[id] == kNone)
        slot_[id] = slots_++;
  }
  r_.set_external([this](NodeId id, std::string& text) {
    if (!from_scratch(id)) return false;
    text = fmt::format("s[{}]", slot_[id]);
    return true;
  });
  return slots_;
}

std::string KernelWriter::item_text(const Item& item) {
  const size_t k = c_.num_wrt();
  switch (item.kind) {
    case Item::Step: {
      std::string name = cpp_identifier(s_.name(item.node));
      std::string text;
      if (!reverse_comment_done_ && item.node >= c_.forward_nodes) {
        text = "  // reverse sweep: adjoints of the values above\n";
        reverse_comment_done_ = true;
      }
      text += fmt::format("  const double {} = {};\n", name, r_.definition(item.node));
      if (!slot_.empty() && slot_[item.node] != kNone)
        text += fmt::format("  s[{}] = {};\n", slot_[item.node], name);
      return text;
    }
    case Item::Out:
      return fmt::format("  out[{}] = {};  // {}\n", item.index, r_.reference(item.node),
                         c_.output_names[item.index]);
    case Item::Jac:
      return fmt::format("  jac[{}] = {};  // d {} / d {}\n", item.index, r_.reference(item.node),
                         c_.output_names[item.index / k], c_.wrt_names[item.index % k]);
  }
  return "";
}

// Input loads, then items [begin, end). Parameters a part does not use are
// voided, so the code is warning-free.
std::string KernelWriter::body(size_t begin, size_t end, bool in_part) {
  const Program& p = c_.prog;
  std::vector<bool> used_inputs(p.num_input_scalars(), false);
  bool uses_out = false, uses_jac = false, uses_s = false;
  std::vector<NodeId> refs;
  for (size_t i = begin; i < end; ++i) {
    references(p.graph, s_, items_[i], refs);
    for (NodeId id : refs) {
      if (p.graph[id].op == Op::Input) used_inputs[p.graph[id].a] = true;
      uses_s = uses_s || (in_part && from_scratch(id));
    }
    uses_out = uses_out || items_[i].kind == Item::Out;
    uses_jac = uses_jac || items_[i].kind == Item::Jac;
    uses_s = uses_s || (in_part && items_[i].kind == Item::Step && slot_[items_[i].node] != kNone);
  }
  std::string text = input_declarations(p, used_inputs);
  if (text.empty()) text = "  (void)in;\n";
  for (size_t i = begin; i < end; ++i) text += item_text(items_[i]);
  if (!uses_out) text += "  (void)out;\n";
  if (!uses_jac && (in_part || grad_)) text += "  (void)jac;\n";
  if (in_part && !uses_s) text += "  (void)s;\n";
  return text;
}

}  // namespace

std::string cpp_kernel(const Compiled& c, const Schedule& s, ExprRenderer& r,
                       const std::string& fn_name, bool grad) {
  KernelWriter w(c, s, r, grad);
  std::string params = grad ? "const double* in, double* out, double* jac"
                            : "const double* in, double* out";
  size_t n = w.items().size();
  if (n <= kCppPartItems) {
    return fmt::format("extern \"C\" void {}({}) {{\n{}}}\n", fn_name, params, w.body(0, n, false));
  }
  size_t slots = w.assign_slots(), parts = (n + kCppPartItems - 1) / kCppPartItems;
  std::string text, calls;
  for (size_t part = 0; part < parts; ++part) {
    w.enter_part(part);
    size_t begin = part * kCppPartItems, end = std::min(n, begin + kCppPartItems);
    text += fmt::format(
        "// {} part {} of {}\nstatic void {}_part{}(const double* in, double* out, double* jac, "
        "double* s) {{\n{}}}\n\n",
        fn_name, part + 1, parts, fn_name, part + 1, w.body(begin, end, true));
    calls += fmt::format("  {}_part{}(in, out, {}, s);\n", fn_name, part + 1, grad ? "jac" : "nullptr");
  }
  text += fmt::format(
      "extern \"C\" void {}({}) {{\n"
      "  double s[{}];  // values passed between the parts\n{}}}\n",
      fn_name, params, std::max<size_t>(slots, 1), calls);
  return text;
}

}  // namespace gradc
