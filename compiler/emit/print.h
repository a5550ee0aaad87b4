// print.h - human-readable output of a differentiated program (SPEC 5):
// a round-trippable gradc program, LaTeX equations, or a Graphviz graph.
#pragma once

#include <string>

#include "compiled.h"

namespace gradc {

/// A valid gradc program computing the outputs and every requested
/// derivative (`dw_dx`), shared subexpressions once, ending in `output`.
std::string print_text(const Compiled& c, const std::string& source_file);
/// The same equations in a LaTeX align* environment.
std::string print_latex(const Compiled& c, const std::string& source_file);
/// The program's computational graph as Graphviz DOT: a node per input
/// variable and per operation as written (arrays whole), an edge per
/// operand (--explain=dot draws the derivative graph at a point).
std::string print_dot(const Compiled& c, const std::string& source_file);

}  // namespace gradc
