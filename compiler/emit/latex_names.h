// latex_names.h - how gradc's names are written in LaTeX, as the course
// handouts write them: `w1` as w_{1}, `theta` as \theta, and derivatives as
// fractions (`dL_dw1` as \frac{\partial L}{\partial w_{1}}).
#pragma once

#include <string>
#include <unordered_map>
#include <unordered_set>

#include "compiled.h"

namespace gradc {

/// A name as a LaTeX symbol: trailing digits and `_` parts become a
/// subscript (`w1` -> `w_{1}`, `W1_0` -> `W_{1,0}`, `x_hat` ->
/// `x_{\mathit{hat}}`), Greek letter names their letter (`theta` ->
/// `\theta`), other names of several letters `\mathit{loss}`.
std::string latex_symbol(const std::string& name);

/// The LaTeX form of every name a printed program uses: derivative
/// variables and the adjoints and tangents of named values (`dL_da`,
/// `d2L_dx_dy`) as fractions, everything else as latex_symbol.
class LatexNames {
 public:
  explicit LatexNames(const Compiled& c);
  std::string operator()(const std::string& name) const;

 private:
  /// `dO_dN`: O and N program names -> the fraction; else "".
  std::string adjoint_fraction(const std::string& name) const;
  std::unordered_set<std::string> values_;                  ///< the program's names
  std::unordered_map<std::string, std::string> fractions_;  ///< derivative variables
};

}  // namespace gradc
