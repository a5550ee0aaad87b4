// print.cpp - the three --print formats, all over one schedule of the fused
// (outputs + Jacobian) kernel.
#include "emit/print.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "emit/expr_render.h"
#include "emit/latex_names.h"
#include "front/value.h"
#include "support/version.h"

namespace gradc {

namespace {

struct Equation {
  std::string name, rhs;
  NodeId node = kNoNode;  ///< the scheduled value it defines (a step), if any
};

// `[a, b]`, `[[a, b], [c, d]]`: the elements of an array in its shape.
std::string literal(ExprRenderer& r, const Shape& shape, const std::vector<NodeId>& nodes,
                    bool latex) {
  return nested_list(shape, nodes.size(), latex ? "\\left[" : "[", latex ? "\\right]" : "]",
                     [&](size_t i) { return r.reference(nodes[i]); });
}

// The program's second names for values (`g = x`, `k = h`): scalar
// definitions of a node that is an input or already named by an earlier
// definition, by node, in source order. Constants are folded instead.
std::unordered_map<NodeId, std::vector<std::string>> aliases(const Compiled& c) {
  const Graph& g = c.prog.graph;
  const NameHints& hints = c.print_hints();
  std::unordered_map<NodeId, std::vector<std::string>> out;
  for (const Variable& v : c.prog.definitions) {
    if (!v.is_scalar() || g.is_const(v.scalar())) continue;
    auto hint = hints.hint.find(v.scalar());
    if (g[v.scalar()].op == Op::Input || (hint != hints.hint.end() && hint->second.name != v.name))
      out[v.scalar()].push_back(v.name);
  }
  return out;
}

// Statements of the fused kernel, each followed by the aliases of its value
// (the aliases of inputs come first), then one statement per root variable
// whose value goes by another name (`dw_dz = b`, `dw_dy = 0`, `dL_dW = [...]`).
// From its alias statement on, a value is referred to by the alias. An alias
// that nothing reads afterwards is left out (unless it is an output), so
// that the printed program draws no unused-definition warning.
std::vector<Equation> equations(const Compiled& c, const Schedule& s, ExprRenderer& r,
                                std::vector<std::string>& root_names, bool latex) {
  std::vector<Equation> eqs;
  std::unordered_map<NodeId, std::vector<std::string>> alias_names = aliases(c);
  std::unordered_set<std::string> output_names;
  for (const Variable& v : c.prog.outputs) output_names.insert(v.name);
  struct AliasEq {
    size_t eq;       // index in eqs
    NodeId node;
    bool needed;     // read while in force, or an output
  };
  std::vector<AliasEq> alias_eqs;
  std::unordered_map<NodeId, size_t> current;  // node -> its alias statement in force
  auto close_alias = [&](NodeId node) {
    auto it = current.find(node);
    if (it != current.end()) alias_eqs[it->second].needed |= r.alias_uses(node) > 0;
  };
  auto name_aliases = [&](NodeId node) {
    auto it = alias_names.find(node);
    if (it == alias_names.end()) return;
    std::string first = r.reference(node);  // no alias yet: the value's first name
    for (const std::string& alias : it->second) {
      close_alias(node);
      eqs.push_back({alias, first});
      alias_eqs.push_back({eqs.size() - 1, node, output_names.count(alias) > 0});
      current[node] = alias_eqs.size() - 1;
      r.rename(node, alias);
    }
  };
  for (NodeId id : s.inputs) name_aliases(id);
  for (NodeId id : s.steps) {
    eqs.push_back({s.name(id), r.definition(id), id});
    name_aliases(id);
  }
  std::unordered_set<std::string> defined;  // names the statements so far define
  for (const Equation& e : eqs) defined.insert(e.name);
  auto root = [&](const std::string& name, const Shape& shape, const std::vector<NodeId>& nodes) {
    root_names.push_back(name);
    if (!shape.empty()) {
      eqs.push_back({name, literal(r, shape, nodes, latex)});
      return;
    }
    std::string ref = r.reference(nodes[0]);
    if (ref != r.name(name)) eqs.push_back({name, ref});
  };
  for (const Variable& v : c.prog.outputs) {
    bool is_input = std::any_of(c.prog.inputs.begin(), c.prog.inputs.end(),
                                [&](const Variable& in) { return in.name == v.name; });
    if (is_input || defined.count(v.name)) root_names.push_back(v.name);  // has its statement
    else root(v.name, v.shape, v.nodes);
  }
  for (const DerivativeVar& d : c.derivatives) root(d.name, d.shape, d.nodes);
  for (const DerivativeVar& d : c.second_derivatives) root(d.name, d.shape, d.nodes);
  for (auto& [node, names] : alias_names) close_alias(node);
  std::vector<bool> drop(eqs.size(), false);
  for (const AliasEq& a : alias_eqs) drop[a.eq] = !a.needed;
  std::vector<Equation> kept;
  for (size_t i = 0; i < eqs.size(); ++i)
    if (!drop[i]) kept.push_back(std::move(eqs[i]));
  return kept;
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
  return out;
}

std::vector<std::string> wrt_names(const Compiled& c) {
  std::vector<std::string> names;
  for (const Variable* v : c.prog.wrt_variables()) names.push_back(v->name);
  return names;
}

}  // namespace

std::string print_text(const Compiled& c, const std::string& source_file) {
  Schedule s = make_schedule(c.prog.graph, c.all_roots(), c.print_hints());
  ExprRenderer r(c.prog.graph, s, Dialect::Gradc, &c.prog);
  std::vector<std::string> roots, inputs;
  for (const Variable& v : c.prog.inputs)
    inputs.push_back(v.is_scalar() ? v.name : v.name + shape_text(v.shape));
  std::string out = fmt::format("# gradc {}: {} and its derivatives", kVersion, source_file);
  out += c.num_wrt() ? fmt::format(" with respect to {}\n", joined(wrt_names(c))) : " (none)\n";
  if (!inputs.empty()) out += "input " + joined(inputs) + "\n";
  for (const Equation& e : equations(c, s, r, roots, false)) out += e.name + " = " + e.rhs + "\n";
  out += "output " + joined(roots) + "\n";
  return out;
}

std::string print_latex(const Compiled& c, const std::string& source_file) {
  Schedule s = make_schedule(c.prog.graph, c.all_roots(), c.print_hints());
  ExprRenderer r(c.prog.graph, s, Dialect::Latex, &c.prog);
  r.set_latex_names(LatexNames(c));
  std::vector<std::string> roots;
  std::string out = fmt::format("% gradc {}: {}\n\\begin{{align*}}\n", kVersion, source_file);
  std::vector<Equation> eqs = equations(c, s, r, roots, true);
  // A comparison that every case writes out inline ("if s_{1} > 0") leaves
  // its own statement unread: left out, unless it is an output.
  std::unordered_set<std::string> root_set(roots.begin(), roots.end());
  std::erase_if(eqs, [&](const Equation& e) {
    return e.node != kNoNode && is_boolean_op(c.prog.graph[e.node].op) &&
           r.name_uses(e.node) == 0 && !root_set.count(e.name);
  });
  for (size_t i = 0; i < eqs.size(); ++i)
    out += fmt::format("  {} &= {}{}\n", r.name(eqs[i].name), eqs[i].rhs,
                       i + 1 < eqs.size() ? " \\\\" : "");
  return out + "\\end{align*}\n";
}

// DOT's quoted strings: `"` and `\` escaped, a line break as `\n`.
static std::string dot_quoted(const std::string& text) {
  std::string out(1, '"');
  for (char ch : text) {
    if (ch == '"' || ch == '\\') out += '\\';
    if (ch == '\n' || ch == '\r') out.append("\\n");
    else out += ch;
  }
  out += '"';
  return out;
}

// How an operand of a record is labelled on its edge: the position where it
// matters (`-`, `/`, `@`, `^`, comparisons, `?:`), else nothing.
static std::string operand_label(const std::string& op, size_t position, size_t count) {
  if (op == "?:" || op == "where") return position == 0 ? "if" : position == 1 ? "then" : "else";
  static const std::unordered_set<std::string> ordered = {
      "-", "/", "@", "^", "**", "<", "<=", ">", ">=", "atan2", "pow", "leaky_relu"};
  return count > 1 && ordered.count(op) ? std::to_string(position + 1) : "";
}

std::string print_dot(const Compiled& c, const std::string& source_file) {
  // The program's computational graph as the handouts draw it: one node per
  // operation as written (on whole arrays: `W1 @ x` is one node however many
  // products it unrolls into), named by the definitions that hold its value;
  // an edge per operand, labelled with its position where the order
  // matters. Inputs are boxes (filled: in wrt), outputs have a double border.
  const Program& p = c.prog;
  std::unordered_set<std::string> wrt;
  for (const Variable* v : p.wrt_variables()) wrt.insert(v->name);
  std::vector<bool> live(p.ops.size(), false), output(p.ops.size(), false);
  std::vector<int32_t> stack;
  for (int32_t o : p.output_ops)
    if (o >= 0) {
      output[size_t(o)] = true;
      stack.push_back(o);
    }
  while (!stack.empty()) {  // the records the outputs need (no recursion)
    int32_t r = stack.back();
    stack.pop_back();
    if (live[size_t(r)]) continue;
    live[size_t(r)] = true;
    for (int32_t o : p.ops[size_t(r)].operands)
      if (o >= 0) stack.push_back(o);
  }
  std::string out = fmt::format("// gradc {}: {}, one node per operation (arrays whole)\n"
                                "digraph gradc {{\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n"
                                "  edge [fontname=\"Helvetica\", fontsize=10];\n",
                                kVersion, source_file);
  for (size_t r = 0; r < p.ops.size(); ++r) {
    if (!live[r]) continue;
    const OpRecord& op = p.ops[r];
    std::string label;
    for (const std::string& n : op.names) label += fmt::format("{}{}", label.empty() ? "" : " = ", n);
    if (!op.shape.empty()) label += fmt::format("{}{}", label.empty() ? "" : " ", shape_text(op.shape));
    if (!op.input) {
      std::string what = op.label;
      for (double k : op.constants) what += fmt::format(" {}", k);
      label += label.empty() ? what : "\n" + what;
    }
    bool filled = op.input && std::any_of(op.names.begin(), op.names.end(),
                                          [&](const std::string& n) { return wrt.count(n) > 0; });
    out += fmt::format("  n{} [label={}, shape={}{}{}];\n", r, dot_quoted(label),
                       op.input ? "box" : "ellipse", output[r] ? ", peripheries=2" : "",
                       filled ? ", style=filled, fillcolor=\"#dde8f7\"" : "");
    for (size_t k = 0; k < op.operands.size(); ++k) {
      if (op.operands[k] < 0) continue;
      std::string position = operand_label(op.label, k, op.operands.size());
      out += position.empty() ? fmt::format("  n{} -> n{};\n", op.operands[k], r)
                              : fmt::format("  n{} -> n{} [label={}];\n", op.operands[k], r,
                                            dot_quoted(position));
    }
  }
  for (const DerivativeVar& d : c.derivatives)  // what --print computes, as a legend
    out += fmt::format("  // derivative {}: d {} / d {}\n", d.name, p.outputs[d.output].name,
                       p.wrt_variables()[d.input]->name);
  return out + "}\n";
}

}  // namespace gradc
