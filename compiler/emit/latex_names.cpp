// latex_names.cpp - gradc names as LaTeX symbols and fractions.
#include "emit/latex_names.h"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <string_view>
#include <vector>

namespace gradc {

namespace {

bool is_greek(std::string_view s) {
  static constexpr std::array<std::string_view, 35> kGreek = {
      "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota",
      "kappa", "lambda", "mu", "nu", "xi", "rho", "sigma", "tau", "upsilon", "phi",
      "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma",
      "Upsilon", "Phi", "Psi", "Omega", "varepsilon", "varphi"};
  for (std::string_view g : kGreek)
    if (s == g) return true;
  return false;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char ch : s)
    if (!std::isdigit(static_cast<unsigned char>(ch))) return false;
  return true;
}

// Letters only: one letter in math italic, a Greek name its letter, a word
// in \mathit (escaping nothing: letters need no escape).
std::string letters(std::string_view s) {
  if (s.size() == 1) return std::string(s);
  std::string out = is_greek(s) ? "\\" : "\\mathit{";
  out += s;
  if (!is_greek(s)) out += '}';
  return out;
}

std::string escaped(std::string_view s) {
  std::string out = "\\mathit{";
  for (char ch : s) {
    if (ch == '_') out += '\\';
    out += ch;
  }
  return out + "}";
}

}  // namespace

std::string latex_symbol(const std::string& full) {
  // `s1[0]`, `W[0, 1]` (explained array elements): the index joins the subscript.
  std::string name = full, index;
  if (size_t open = full.find('['); open != std::string::npos && full.back() == ']') {
    name = full.substr(0, open);
    for (char ch : full.substr(open + 1, full.size() - open - 2))
      if (ch != ' ') index += ch;
  }
  std::vector<std::string_view> parts;
  std::string_view rest = name;
  for (size_t us; (us = rest.find('_')) != std::string_view::npos; rest = rest.substr(us + 1))
    parts.push_back(rest.substr(0, us));
  parts.push_back(rest);
  std::string_view head = parts[0];
  size_t split = head.size();
  while (split > 0 && std::isdigit(static_cast<unsigned char>(head[split - 1]))) --split;
  std::string_view base = head.substr(0, split);
  for (char ch : base)  // letters, then digits: anything else keeps its spelling
    if (!std::isalpha(static_cast<unsigned char>(ch))) return escaped(full);
  if (base.empty()) return escaped(full);
  std::vector<std::string> subs;
  if (split < head.size()) subs.emplace_back(head.substr(split));
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string_view p = parts[i];
    if (p.empty()) return escaped(full);  // `a__b`, `a_`
    bool word = true;
    for (char ch : p) word &= std::isalpha(static_cast<unsigned char>(ch)) != 0;
    if (!word && !all_digits(p)) return escaped(full);
    subs.push_back(word ? letters(p) : std::string(p));
  }
  std::string out = letters(base);
  if (!index.empty() && !subs.empty()) {  // W1[0,1]: {W_{1}}_{0,1}, never a double subscript
    out = "{" + out + "_{";
    for (size_t i = 0; i < subs.size(); ++i) {
      if (i) out += ',';
      out += subs[i];
    }
    return out + "}}_{" + index + "}";
  }
  if (!index.empty()) subs.push_back(index);
  if (subs.empty()) return out;
  out += "_{";
  for (size_t i = 0; i < subs.size(); ++i) {
    if (i) out += ',';
    out += subs[i];
  }
  return out + "}";
}

LatexNames::LatexNames(const Compiled& c) {
  for (const Variable& v : c.prog.inputs) values_.insert(v.name);
  for (const Variable& v : c.prog.definitions) values_.insert(v.name);
  const std::vector<const Variable*> in = c.prog.wrt_variables();
  const auto& out = c.prog.outputs;
  for (const DerivativeVar& d : c.derivatives)
    fractions_[d.name] = fmt::format("\\frac{{\\partial {}}}{{\\partial {}}}",
                                     latex_symbol(out[d.output].name), latex_symbol(in[d.input]->name));
  for (const DerivativeVar& d : c.second_derivatives) {
    std::string y = latex_symbol(out[d.output].name), a = latex_symbol(in[d.input]->name),
                b = latex_symbol(in[d.input2]->name);
    fractions_[d.name] = d.input == d.input2
        ? fmt::format("\\frac{{\\partial^2 {}}}{{\\partial {}^2}}", y, a)
        : fmt::format("\\frac{{\\partial^2 {}}}{{\\partial {}\\,\\partial {}}}", y, a, b);
  }
}

std::string LatexNames::adjoint_fraction(const std::string& name) const {
  if (name.size() < 5 || name[0] != 'd') return "";
  for (size_t at = name.find("_d", 1); at != std::string::npos; at = name.find("_d", at + 1)) {
    std::string y = name.substr(1, at - 1), x = name.substr(at + 2);
    if (values_.count(y) && values_.count(x))
      return fmt::format("\\frac{{\\partial {}}}{{\\partial {}}}", latex_symbol(y), latex_symbol(x));
  }
  return "";
}

std::string LatexNames::operator()(const std::string& name) const {
  if (auto it = fractions_.find(name); it != fractions_.end()) return it->second;
  // A name the program defines is a symbol, even one spelled like a
  // derivative (`dy_dx = x*x`: the derivative is then dy_dx_2, a fraction).
  if (values_.count(name)) return latex_symbol(name);
  // An element of a derivative array: `dL_dW_0_1` is entry [0,1] of dL_dW.
  size_t end = name.size();
  std::vector<std::string> index;
  while (end > 0) {
    size_t us = name.rfind('_', end - 1);
    if (us == std::string::npos || !all_digits(std::string_view(name).substr(us + 1, end - us - 1)))
      break;
    index.insert(index.begin(), name.substr(us + 1, end - us - 1));
    end = us;
    if (auto it = fractions_.find(name.substr(0, end)); it != fractions_.end()) {
      std::string sub;
      for (size_t i = 0; i < index.size(); ++i) {
        if (i) sub += ',';
        sub += index[i];
      }
      return fmt::format("\\left({}\\right)_{{{}}}", it->second, sub);
    }
  }
  if (std::string f = adjoint_fraction(name); !f.empty()) return f;
  return latex_symbol(name);
}

}  // namespace gradc
