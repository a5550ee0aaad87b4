// program.h - a parsed gradc program: the forward DAG plus its names.
#pragma once

#include <string>
#include <vector>

#include "diagnostics.h"
#include "ir.h"

namespace gradc {

/// A name in the program bound to a node.
struct Variable {
  std::string name;
  NodeId node = kNoNode;
  Loc loc;
};

/// Everything the front end knows about a program.
struct Program {
  Graph graph;
  std::vector<Variable> inputs;       ///< ABI order; node is the Input node
  std::vector<Variable> definitions;  ///< every `name = expr`, in source order
  std::vector<Variable> outputs;      ///< in output order
  std::vector<uint32_t> wrt;          ///< indices into inputs, ascending (ABI order)
  size_t forward_nodes = 0;           ///< graph size after parsing
};

/// Replace the program's wrt list by `names` (from --wrt). Reports an error
/// for a name that is not an input. Returns false on error.
bool set_wrt(Program& p, const std::vector<std::string>& names, Diagnostics& diag);

}  // namespace gradc
