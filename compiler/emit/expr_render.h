// expr_render.h - renders the expression of a scheduled node as text in one
// of three dialects (gradc source, C++, LaTeX), with the fewest parentheses
// that keep the tree shape. Operands that have statements appear by name;
// the rest are inlined (their depth is bounded by the schedule).
#pragma once

#include <functional>
#include <set>
#include <string>
#include <unordered_map>

#include "emit/cpp_names.h"
#include "ir/ir.h"
#include "front/program.h"
#include "plan/kernel_spec.h"
#include "plan/schedule.h"

namespace gradc {

enum class Dialect { Gradc, Cpp, Latex };

class ExprRenderer {
 public:
  /// With `prog`, inputs are written from its layout (`x`, `W[0, 1]`;
  /// `W[1]` in C++, where an array input is a pointer); without, by the
  /// schedule's names.
  ExprRenderer(const Graph& g, const Schedule& s, Dialect d, const Program* prog = nullptr);

  /// The expression computing node `id` (its operands by name or inlined).
  std::string definition(NodeId id) { return expr(id).text; }
  /// How node `id` is referred to: its name, a literal, or its expression.
  std::string reference(NodeId id) { return operand(id).text; }
  /// C++: node `id` as the condition of `?:` (a comparison as itself).
  std::string condition(NodeId id) { return cpp_condition(id, false).text; }
  /// A hook that may name a scheduled value or an input differently (e.g.
  /// `s[3]` in a later part of a split C++ kernel, `x[2*i + 1]` in a loop):
  /// returns true and sets `text`.
  using External = std::function<bool(NodeId, std::string& text)>;
  void set_external(External f) { external_ = std::move(f); }
  /// The direction vectors (`v`, `u`) of a product kernel: their elements
  /// are written `v[j]`.
  void set_directions(std::vector<const KernelArray*> d) { directions_ = std::move(d); }
  /// From now on node `id` (an input or a scheduled value) is referred to
  /// as `alias`: a program's second name for a value (`g = x`).
  void rename(NodeId id, const std::string& alias) { aliases_[id] = {alias, 0}; }
  /// How often node `id` was referred to by its current alias (0 if none).
  int alias_uses(NodeId id) const {
    auto it = aliases_.find(id);
    return it == aliases_.end() ? 0 : it->second.uses;
  }
  /// C++ helper functions (gradc_sigmoid, ...) that rendered code calls.
  const std::set<Op>& helpers_used() const { return helpers_; }
  /// How often the scheduled value `id` was referred to by its name (a
  /// LaTeX case writes its comparison out instead).
  int name_uses(NodeId id) const { return id < name_uses_.size() ? name_uses_[id] : 0; }
  /// A name as it is written in this dialect (in C++, renamed where it
  /// cannot be a local variable as it is: see CppNames).
  std::string name(const std::string& n) const;
  /// LaTeX: how names are written (default: latex_symbol; print_latex
  /// gives LatexNames, which writes derivatives as fractions).
  void set_latex_names(std::function<std::string(const std::string&)> f) { latex_names_ = std::move(f); }
  /// A double literal as it is written in this dialect.
  std::string number(double v) const;

 private:
  struct Text {
    std::string text;
    int prec;  // 1 = ?: (loosest) ... 9 = primary
  };
  Text expr(NodeId id);
  Text operand(NodeId id);
  std::string wrap(NodeId id, int min_prec);
  Text infix(const Node& n, std::string_view op, int prec);
  Text gradc_expr(NodeId id, const Node& n);
  Text cpp_expr(NodeId id, const Node& n);
  Text latex_expr(NodeId id, const Node& n);
  /// C++: a bool-valued expression for node `id` used as a condition;
  /// `expand` renders a comparison even if it has a statement (its own).
  Text cpp_condition(NodeId id, bool expand);
  std::string parens(const std::string& t) const;
  /// How input scalar `index` is written.
  std::string input_text(uint32_t index) const;

  const Graph& g_;
  const Schedule& s_;
  Dialect d_;
  const Program* prog_;
  std::vector<std::pair<uint32_t, uint32_t>> input_slot_;  ///< scalar -> (variable, element)
  std::set<Op> helpers_;
  std::vector<int> name_uses_;  ///< per node: references by name (name_uses)
  std::function<std::string(const std::string&)> latex_names_;
  External external_;
  struct Alias {
    std::string name;
    int uses;
  };
  std::unordered_map<NodeId, Alias> aliases_;  ///< see rename()
  std::vector<const KernelArray*> directions_;
  CppNames cpp_names_;  ///< C++: the names of this kernel's variables
};

/// The C++ helper function name for an op that needs one, or "".
std::string_view cpp_helper_name(Op op);
/// The C++ source of that helper: the definition scalar_math.h compiles,
/// from ir/helpers.def.
std::string cpp_helper_source(Op op);

}  // namespace gradc
