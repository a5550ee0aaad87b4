// dump.h - the compiler's intermediate stages as text, for --dump-after
// (in the spirit of MLIR's and Halide's pass dumps): the DAG after parsing or
// differentiation, one node a line, and the kernel plans.
#pragma once

#include <string>

#include "compiled.h"

namespace gradc {

/// The passes whose result --dump-after can print.
inline constexpr const char* kDumpPasses[] = {"parse", "differentiate", "plan"};

/// Nodes [begin, end) of the graph, one a line: `%7 = mul %3, %5  ; a`.
std::string dump_graph(const Compiled& c, size_t begin, size_t end);

/// Every kernel's plan: its arrays, parts, statements, stores and slots.
std::string dump_plans(const Compiled& c);

/// What --dump-after=`pass` prints; "" for an unknown pass.
std::string dump_after(const Compiled& c, const std::string& pass);

}  // namespace gradc
