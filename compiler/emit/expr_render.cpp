// expr_render.cpp - per-dialect spelling of every op. Precedence levels
// follow SPEC 1: 1 ?:, 2 ||, 3 &&, 4 comparisons, 5 + -, 6 * /, 7 unary,
// 8 ^, 9 calls and primaries.
#include "emit/expr_render.h"

#include <cctype>

#include "emit/latex_names.h"

#include "front/value.h"

#include <fmt/format.h>

#include <array>
#include <numbers>
#include <string_view>

namespace gradc {

namespace {

/// One function of ir/helpers.def, as text.
struct HelperText {
  Op op;
  std::string_view name, comment, parameters, body;
};

constexpr HelperText kHelpers[] = {
#define GRADC_HELPER(op, function, cpp_function, comment, parameters, ...) \
  {Op::op, #cpp_function, comment, #parameters, #__VA_ARGS__},
#include "ir/helpers.def"
#undef GRADC_HELPER
};

const HelperText* helper_text(Op op) {
  for (const HelperText& h : kHelpers)
    if (h.op == op) return &h;
  return nullptr;
}

}  // namespace

std::string_view cpp_helper_name(Op op) {
  const HelperText* h = helper_text(op);
  return h ? h->name : std::string_view();
}

std::string cpp_helper_source(Op op) {
  const HelperText* h = helper_text(op);
  if (!h) return "";
  std::string out = fmt::format("static inline double {}{} {{", h->name, h->parameters);
  if (!h->comment.empty()) out += fmt::format("  // {}", h->comment);
  // The body's tokens, as the preprocessor spells them, one statement a line.
  std::string_view body = h->body;
  while (!body.empty()) {
    size_t end = body.find(';');
    end = end == std::string_view::npos ? body.size() : end + 1;
    std::string_view statement = body.substr(0, end);
    while (!statement.empty() && statement.front() == ' ') statement.remove_prefix(1);
    if (!statement.empty()) out += fmt::format("\n  {}", statement);
    body.remove_prefix(end);
  }
  return out + "\n}\n";
}

ExprRenderer::ExprRenderer(const Graph& g, const Schedule& s, Dialect d, const Program* prog)
    : g_(g), s_(s), d_(d), prog_(prog) {
  if (d == Dialect::Cpp) {  // what a kernel declares: its inputs and scheduled values
    std::vector<std::string> scope;
    for (const auto& [id, name] : s.names)
      if (!name.empty()) scope.push_back(name);  // unnamed: array elements, directions
    if (prog)
      for (const Variable& v : prog->inputs) scope.push_back(v.name);
    cpp_names_ = CppNames(scope);
  }
  if (!prog) return;
  for (uint32_t v = 0; v < prog->inputs.size(); ++v)
    for (uint32_t e = 0; e < prog->inputs[v].size(); ++e) input_slot_.emplace_back(v, e);
}

std::string ExprRenderer::input_text(uint32_t index) const {
  if (index >= input_slot_.size()) {  // an element of a direction vector: v[j], u[i]
    for (const KernelArray* a : directions_)
      if (index >= a->first_input && index < a->first_input + a->size)
        return d_ == Dialect::Latex ? fmt::format("{}_{{{}}}", a->name, index - a->first_input)
                                    : fmt::format("{}[{}]", a->name, index - a->first_input);
    return fmt::format("in[{}]", index);
  }
  auto [var, elem] = input_slot_.at(index);
  const Variable& v = prog_->inputs[var];
  if (v.is_scalar()) return name(v.name);
  switch (d_) {
    case Dialect::Gradc: return v.name + element_suffix(v.shape, elem);  // W[0,1], as names are
    case Dialect::Cpp: return fmt::format("{}[{}]", cpp_names_(v.name), elem);
    case Dialect::Latex: {
      return name(v.name + element_suffix(v.shape, elem, ","));  // W[0,1]: W_{0,1}
    }
  }
  return "";
}

std::string ExprRenderer::name(const std::string& n) const {
  if (d_ == Dialect::Cpp) return cpp_names_(n);
  if (d_ == Dialect::Gradc) return n;
  return latex_names_ ? latex_names_(n) : latex_symbol(n);
}

std::string ExprRenderer::number(double v) const {
  if (d_ == Dialect::Gradc && v == std::numbers::pi) return "pi";
  if (d_ == Dialect::Latex && v == std::numbers::pi) return "\\pi";
  std::string t = fmt::format("{}", v);
  if (d_ == Dialect::Cpp && t.find_first_of(".e") == std::string::npos) t += ".0";
  return t;
}

std::string ExprRenderer::parens(const std::string& t) const {
  return d_ == Dialect::Latex ? "\\left(" + t + "\\right)" : "(" + t + ")";
}

ExprRenderer::Text ExprRenderer::operand(NodeId id) {
  const Node& n = g_[id];
  if (n.op == Op::Const) {
    double v = g_.const_value(id);
    return {number(v), v < 0 || std::signbit(v) ? 7 : 9};
  }
  if (auto it = aliases_.find(id); it != aliases_.end()) {
    ++it->second.uses;
    return {name(it->second.name), 9};
  }
  if (std::string text; external_ && external_(id, text))
    return {text, 9};
  if (n.op == Op::Input && prog_) return {input_text(n.a), 9};
  if (n.op == Op::Input || s_.materialized[id]) {
    if (id >= name_uses_.size()) name_uses_.resize(size_t(id) + 1, 0);
    ++name_uses_[id];
    return {name(s_.name(id)), 9};
  }
  return expr(id);
}

std::string ExprRenderer::wrap(NodeId id, int min_prec) {
  Text t = operand(id);
  return t.prec < min_prec ? parens(t.text) : t.text;
}

ExprRenderer::Text ExprRenderer::infix(const Node& n, std::string_view op, int prec) {
  // Left operand at `prec`, right one tighter, so the tree shape survives a
  // re-parse; comparisons (non-associative) take both sides tighter.
  int left = prec == 4 ? 5 : prec;
  std::string a = wrap(n.a, left), b = wrap(n.b, prec + 1);
  // `a + -0.25*t` and `a - -2*x` read as `a - 0.25*t` and `a + 2*x` (SPEC 5:
  // no `--x`). The same value to the bit: negation is exact, a + -p is
  // a - p, and a leading minus negates the whole product or quotient it
  // starts. Only in the formats people read; C++ keeps the graph's form.
  if (d_ != Dialect::Cpp && (op == " + " || op == " - ") && b.size() > 1 && b[0] == '-') {
    op = op == " + " ? " - " : " + ";
    b.erase(0, 1);
  }
  return {a + std::string(op) + b, prec};
}

ExprRenderer::Text ExprRenderer::expr(NodeId id) {
  const Node& n = g_[id];
  if (n.op == Op::Const || n.op == Op::Input) return operand(id);
  if (n.op == Op::WrtValue) return operand(n.a);  // a value wrt names is its value, in every dialect
  switch (d_) {
    case Dialect::Gradc: return gradc_expr(id, n);
    case Dialect::Cpp: return cpp_expr(id, n);
    case Dialect::Latex: return latex_expr(id, n);
  }
  return {};
}

ExprRenderer::Text ExprRenderer::gradc_expr(NodeId, const Node& n) {
  const OpInfo& info = op_info(n.op);
  switch (n.op) {
    case Op::Neg: case Op::Not: return {std::string(info.spelling) + wrap(n.a, 7), 7};
    case Op::Add: return infix(n, " + ", 5);
    case Op::Sub: return infix(n, " - ", 5);
    case Op::Mul: return infix(n, "*", 6);
    case Op::Div: return infix(n, "/", 6);
    case Op::Pow: return {wrap(n.a, 9) + "^" + wrap(n.b, 7), 8};
    case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: case Op::Eq: case Op::Ne:
      return infix(n, fmt::format(" {} ", info.spelling), 4);
    case Op::And: return infix(n, " && ", 3);
    case Op::Or: return infix(n, " || ", 2);
    case Op::Select:
      return {wrap(n.a, 2) + " ? " + wrap(n.b, 1) + " : " + wrap(n.c, 1), 1};
    case Op::Const: case Op::Input: case Op::Exp: case Op::Log: case Op::Log1p: case Op::Expm1:
    case Op::Sqrt: case Op::Cbrt: case Op::Sin: case Op::Cos: case Op::Tan: case Op::Asin:
    case Op::Acos: case Op::Atan: case Op::Sinh: case Op::Cosh: case Op::Tanh: case Op::Erf: case Op::Erfc:
    case Op::Abs: case Op::Sign: case Op::Floor: case Op::Ceil: case Op::Sigmoid:
    case Op::Softplus: case Op::Relu: case Op::Gelu: case Op::NoGrad: case Op::WrtValue:
    case Op::Atan2:
    case Op::Max: case Op::Min: case Op::LeakyRelu: break;
  }
  std::string args = wrap(n.a, 0);
  if (info.arity == 2) args += ", " + wrap(n.b, 0);
  return {fmt::format("{}({})", info.spelling, args), 9};
}

ExprRenderer::Text ExprRenderer::cpp_condition(NodeId id, bool expand) {
  const Node& n = g_[id];
  bool inlined = n.op != Op::Const && n.op != Op::Input && !s_.materialized[id];
  if (inlined || expand) {
    switch (n.op) {
      case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: case Op::Eq: case Op::Ne:
        return {wrap(n.a, 5) + fmt::format(" {} ", op_info(n.op).spelling) + wrap(n.b, 5), 4};
      case Op::And: case Op::Or: {
        // Parenthesize nested && and || (as -Wparentheses asks).
        auto side = [&](NodeId x) {
          Text t = cpp_condition(x, false);
          return t.prec <= 3 ? parens(t.text) : t.text;
        };
        return {side(n.a) + (n.op == Op::And ? " && " : " || ") + side(n.b),
                n.op == Op::And ? 3 : 2};
      }
      case Op::Not: {
        Text t = cpp_condition(n.a, false);
        return {fmt::format("!{}", t.prec < 7 ? parens(t.text) : t.text), 7};
      }
      case Op::Const: case Op::Input: case Op::Neg: case Op::Exp: case Op::Log: case Op::Log1p:
      case Op::Expm1: case Op::Sqrt: case Op::Cbrt: case Op::Sin: case Op::Cos: case Op::Tan:
      case Op::Asin: case Op::Acos: case Op::Atan: case Op::Sinh: case Op::Cosh: case Op::Tanh:
      case Op::Erf: case Op::Erfc: case Op::Abs: case Op::Sign: case Op::Floor: case Op::Ceil: case Op::Sigmoid:
      case Op::Softplus: case Op::Relu: case Op::Gelu: case Op::NoGrad: case Op::WrtValue:
      case Op::Add:
      case Op::Sub: case Op::Mul: case Op::Div: case Op::Pow: case Op::Atan2: case Op::Max:
      case Op::Min: case Op::LeakyRelu: case Op::Select: break;
    }
  }
  return {wrap(id, 5) + " != 0.0", 4};
}

ExprRenderer::Text ExprRenderer::cpp_expr(NodeId id, const Node& n) {
  const OpInfo& info = op_info(n.op);
  switch (n.op) {
    case Op::NoGrad: case Op::WrtValue: return operand(n.a);  // only the value matters in a kernel
    case Op::Neg: {
      std::string x = wrap(n.a, 7);
      return {fmt::format("-{}", x[0] == '-' ? parens(x) : x), 7};
    }
    case Op::Add: return infix(n, " + ", 5);
    case Op::Sub: return infix(n, " - ", 5);
    case Op::Mul: return infix(n, " * ", 6);
    case Op::Div: return infix(n, " / ", 6);
    case Op::Pow: return {fmt::format("std::pow({}, {})", wrap(n.a, 0), wrap(n.b, 0)), 9};
    case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: case Op::Eq: case Op::Ne:
    case Op::And: case Op::Or: case Op::Not:
      return {parens(cpp_condition(id, true).text + " ? 1.0 : 0.0"), 9};
    case Op::Select:
      return {cpp_condition(n.a, false).text + " ? " + wrap(n.b, 1) + " : " + wrap(n.c, 1), 1};
    case Op::Abs: return {fmt::format("std::fabs({})", wrap(n.a, 0)), 9};
    case Op::Const: case Op::Input: case Op::Exp: case Op::Log: case Op::Log1p: case Op::Expm1:
    case Op::Sqrt: case Op::Cbrt: case Op::Sin: case Op::Cos: case Op::Tan: case Op::Asin:
    case Op::Acos: case Op::Atan: case Op::Sinh: case Op::Cosh: case Op::Tanh: case Op::Erf: case Op::Erfc:
    case Op::Sign: case Op::Floor: case Op::Ceil: case Op::Sigmoid: case Op::Softplus:
    case Op::Relu: case Op::Gelu: case Op::Atan2: case Op::LeakyRelu: case Op::Max:
    case Op::Min: break;
  }
  std::string fn;
  if (std::string_view helper = cpp_helper_name(n.op); !helper.empty()) {
    helpers_.insert(n.op);
    fn = std::string(helper);
  } else {
    fn = "std::" + std::string(info.spelling);
  }
  std::string args = wrap(n.a, 0);
  if (info.arity == 2) args += ", " + wrap(n.b, 0);
  return {fmt::format("{}({})", fn, args), 9};
}

ExprRenderer::Text ExprRenderer::latex_expr(NodeId, const Node& n) {
  const OpInfo& info = op_info(n.op);
  auto call = [&](std::string_view f) {
    std::string args = wrap(n.a, 0);
    if (info.arity == 2) args += ", " + wrap(n.b, 0);
    return Text{fmt::format("{}\\left({}\\right)", f, args), 9};
  };
  switch (n.op) {
    case Op::Neg: return {fmt::format("-{}", wrap(n.a, 7)), 7};
    case Op::Not: return {fmt::format("\\lnot {}", wrap(n.a, 7)), 7};
    case Op::Add: return infix(n, " + ", 5);
    case Op::Sub: return infix(n, " - ", 5);
    case Op::Mul: {  // juxtaposition (`2 x`, `w_{1} x_{1}`); \cdot before a number
      Text t = infix(n, " ", 6);
      std::string right = wrap(n.b, 7);
      bool number = !right.empty() && (std::isdigit(static_cast<unsigned char>(right[0])) ||
                                       right[0] == '-' || right[0] == '.');
      if (number) t.text = wrap(n.a, 6) + " \\cdot " + right;
      return t;
    }
    case Op::Div: return {fmt::format("\\frac{{{}}}{{{}}}", wrap(n.a, 0), wrap(n.b, 0)), 9};
    case Op::Pow: return {fmt::format("{{{}}}^{{{}}}", wrap(n.a, 9), wrap(n.b, 0)), 8};
    case Op::Lt: return infix(n, " < ", 4);
    case Op::Le: return infix(n, " \\le ", 4);
    case Op::Gt: return infix(n, " > ", 4);
    case Op::Ge: return infix(n, " \\ge ", 4);
    case Op::Eq: return infix(n, " = ", 4);
    case Op::Ne: return infix(n, " \\ne ", 4);
    case Op::And: return infix(n, " \\land ", 3);
    case Op::Or: return infix(n, " \\lor ", 2);
    case Op::Select: {  // a comparison or logic condition reads as itself: "if s_1 > 0"
      Op c = g_[n.a].op;
      bool boolean = c == Op::Lt || c == Op::Le || c == Op::Gt || c == Op::Ge || c == Op::Eq ||
                     c == Op::Ne || c == Op::And || c == Op::Or || c == Op::Not;
      // The comparison itself even where it has a statement of its own: a
      // handout's case reads "if s_{1} > 0", not "if t_{2}".
      std::string condition = boolean ? expr(n.a).text : wrap(n.a, 5) + " \\ne 0";
      return {fmt::format("\\begin{{cases}} {} & \\text{{if }} {} \\\\ {} & "
                          "\\text{{otherwise}} \\end{{cases}}",
                          wrap(n.b, 0), condition, wrap(n.c, 0)),
              9};
    }
    case Op::Sqrt: return {fmt::format("\\sqrt{{{}}}", wrap(n.a, 0)), 9};
    case Op::Cbrt: return {fmt::format("\\sqrt[3]{{{}}}", wrap(n.a, 0)), 9};
    case Op::Abs: return {fmt::format("\\left|{}\\right|", wrap(n.a, 0)), 9};
    case Op::Exp: case Op::Log: case Op::Sin: case Op::Cos: case Op::Tan: case Op::Sinh:
    case Op::Cosh: case Op::Tanh: case Op::Max: case Op::Min:
      return call(fmt::format("\\{}", info.spelling));
    case Op::Asin: return call("\\arcsin");
    case Op::Acos: return call("\\arccos");
    case Op::Atan: return call("\\arctan");
    case Op::Const: case Op::Input: case Op::Log1p: case Op::Expm1: case Op::Erf: case Op::Erfc: case Op::Sign:
    case Op::Floor: case Op::Ceil: case Op::Sigmoid: case Op::Softplus: case Op::Relu:
    case Op::Gelu: case Op::NoGrad: case Op::WrtValue: case Op::Atan2: case Op::LeakyRelu: break;
  }
  std::string fn(info.spelling);
  for (size_t i = 0; i < fn.size(); ++i)
    if (fn[i] == '_') fn.replace(i++, 1, "\\_");
  return call(fmt::format("\\operatorname{{{}}}", fn));
}

}  // namespace gradc
