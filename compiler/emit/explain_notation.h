// explain_notation.h - how --explain writes: plain text or LaTeX (partials,
// total derivatives, numbers to 6 significant digits, sections).
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <string>
#include <vector>

#include "front/value.h"

namespace gradc {

/// How the derivation is written: plain text or LaTeX.
class Notation {
 public:
  Notation(bool latex) : latex_(latex) {}
  bool latex() const { return latex_; }
  /// The local partial of an edge, d v / d u with round d's.
  std::string partial(const std::string& v, const std::string& u) const {
    return latex_ ? fmt::format("\\frac{{\\partial {}}}{{\\partial {}}}", v, u)
                  : fmt::format("∂{}/∂{}", v, u);
  }
  /// A total derivative (an adjoint, a tangent, a result): d y / d x.
  std::string total(const std::string& y, const std::string& x) const {
    return latex_ ? fmt::format("\\frac{{d {}}}{{d {}}}", y, x) : fmt::format("d{}/d{}", y, x);
  }
  std::string times() const { return latex_ ? " \\cdot " : "*"; }
  /// A value, to 6 significant digits.
  std::string number(double v) const {
    if (std::isnan(v)) return latex_ ? "\\mathrm{NaN}" : "nan";
    if (std::isinf(v)) return latex_ ? (v < 0 ? "-\\infty" : "\\infty") : (v < 0 ? "-inf" : "inf");
    std::string t = fmt::format("{:.6g}", v == 0 ? 0.0 : v);  // no -0
    if (latex_) {
      if (size_t e = t.find('e'); e != std::string::npos)
        t = fmt::format("{} \\times 10^{{{}}}", t.substr(0, e), std::stoi(t.substr(e + 1)));
    }
    return t;
  }
  /// A factor of a product, parenthesized when negative.
  std::string factor(double v) const {
    std::string t = number(v);
    return v < 0 ? (latex_ ? "\\left(" + t + "\\right)" : "(" + t + ")") : t;
  }
  /// A value of `shape` (elements v[0..], row-major) as a nested list; one
  /// of more than `limit` elements as its first 6 and a count, where its
  /// nonzeros are counted (a long gradient that starts with zeros is not
  /// all zero): `[0, 0, 2, 0, 0, 0, ... (100 values, 3 nonzero)]`.
  std::string values(const Shape& shape, const std::vector<double>& v, size_t limit = 24) const {
    if (v.size() > limit) {
      std::string head;
      for (size_t i = 0; i < 6; ++i) head += number(v[i]) + ", ";
      size_t nonzero = 0;
      for (double x : v) nonzero += x != 0;
      return fmt::format("[{}... ({} values, {} nonzero)]", head, v.size(), nonzero);
    }
    return nested_list(shape, v.size(), "[", "]", [&](size_t i) { return number(v[i]); });
  }
  /// A section of equations, and the document around the sections.
  std::string section(const std::string& title, const std::vector<std::string>& lines) const {
    if (!latex_) {
      std::string out = "\n" + title + "\n";
      for (const std::string& l : lines) out += "  " + l + "\n";
      return out;
    }
    std::string out = fmt::format("\n\\paragraph{{{}}}\n", title);
    if (lines.empty()) return out;
    out += "\\begin{align*}\n";
    for (size_t i = 0; i < lines.size(); ++i)
      out += "  " + lines[i] + (i + 1 < lines.size() ? " \\\\\n" : "\n");
    return out + "\\end{align*}\n";
  }
  /// `lhs = rhs`, aligned at the '=' in LaTeX.
  std::string equation(const std::string& lhs, const std::string& rhs) const {
    return lhs + (latex_ ? " &= " : " = ") + rhs;
  }
  /// Text in a section title or sentence.
  /// In LaTeX, every character that is special in text mode escaped, so
  /// titles and formulas as written (`(dv/du)^T`, `a < b || c`) compile.
  std::string text(const std::string& t) const {
    if (!latex_) return t;
    std::string out;
    for (char ch : t) {
      switch (ch) {
        case '_': case '#': case '%': case '&': case '$': case '{': case '}':
          out += '\\';
          out += ch;
          break;
        case '^': out += "\\textasciicircum{}"; break;
        case '~': out += "\\textasciitilde{}"; break;
        case '\\': out += "\\textbackslash{}"; break;
        case '<': out += "\\textless{}"; break;
        case '>': out += "\\textgreater{}"; break;
        case '|': out += "\\textbar{}"; break;
        default: out += ch;
      }
    }
    return out;
  }

 private:
  bool latex_;
};

}  // namespace gradc
