// naming.h - the names of what a compiled program computes: its variables'
// scalars (`x`, `W[0,1]`), the derivative variables dOUT_dIN and
// d2OUT_dIN1_dIN2 (kept clear of the program's own names), and the preferred
// names of values (source names fixed, array elements loose).
#pragma once

#include <string>
#include <unordered_set>
#include <vector>

#include "compiled.h"

namespace gradc {

/// `base` for a scalar, `base_i_j` for element [i,j] of an array.
std::string element_name(const std::string& base, const Shape& shape, size_t flat);

/// Source names: inputs and the first definition of each node. Scalar names
/// are fixed (they always get a statement); array elements get loose names
/// (`s1_0`), used when the element is shared anyway.
NameHints source_hints(const Program& p);

/// Flat names of every scalar of `vars` (or of those listed in `only`).
std::vector<std::string> scalar_names(const std::vector<Variable>& vars,
                                      const std::vector<uint32_t>* only = nullptr);

/// c.derivatives (one per output and wrt variable),
/// from c.jacobian; every name is added to `used`.
void name_derivatives(Compiled& c, std::unordered_set<std::string>& used);

/// The name of every entry of c.jacobian, in its order: `dw_dx`,
/// `dy_dW[0,1,2]` (built on demand: m*k strings, for tests and messages).
std::vector<std::string> derivative_entry_names(const Compiled& c);

/// c.second_derivatives (one per output and pair of wrt variables), from
/// c.hessian; every name is added to `used`.
void name_second_derivatives(Compiled& c, std::unordered_set<std::string>& used);

}  // namespace gradc
