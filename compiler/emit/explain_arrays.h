// explain_arrays.h - --explain for array programs: the chain rule at the
// level of whole variables, as the handouts work a network: the Jacobian of
// each definition with respect to each variable it reads (its shape, and its
// values where it is small or structured), the delta vectors of the
// backward pass, and the shapes multiplied along each chain.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiled.h"

namespace gradc {

/// The array-level derivation of one scalar output.
struct ArrayExplanation {
  std::string text;
  std::string output;            ///< the name it gives the output (`out`, `y`)
  std::vector<double> jacobian;  ///< 1 x k: the gradient the deltas reach
};

/// The array-level derivation of `c`'s one scalar output at `point` in
/// reverse mode, or nullopt where it does not apply (no array definition,
/// or not exactly one scalar output that a definition computes). The
/// output's own definition is the last layer: `out = y[1]` and `out = y`
/// are layers of their own, with the Jacobian that picks the element.
std::optional<ArrayExplanation> explain_arrays(const Compiled& c, const std::vector<double>& point,
                                               bool latex);

}  // namespace gradc
