// program.h - a parsed gradc program: the forward DAG plus its names.
#pragma once

#include <string>
#include <vector>

#include "support/diagnostics.h"
#include "ir/ir.h"
#include "front/value.h"

namespace gradc {

/// A name in the program bound to a scalar or array of nodes.
struct Variable {
  std::string name;
  Shape shape;                 ///< empty for a scalar
  std::vector<NodeId> nodes;   ///< the elements, row-major (one for a scalar)
  Loc loc;
  std::string formula;             ///< definitions: the expression as written

  bool is_scalar() const { return shape.empty(); }
  size_t size() const { return nodes.size(); }
  /// The node of a scalar variable (its first element otherwise).
  NodeId scalar() const { return nodes.at(0); }
};

/// One operation of the program as written, on whole values (`W @ x`, `+`,
/// `relu`, an input): the graph --print=dot draws, one node per operation
/// however many elements it unrolls into.
struct OpRecord {
  std::string label;              ///< `@`, `+`, `relu`, `[1]`, an input's name
  std::vector<int32_t> operands;  ///< records read, in operand order (-1: a constant)
  std::vector<double> constants;  ///< the values of the constant operands
  Shape shape;
  std::vector<std::string> names; ///< the variables defined as this value
  bool input = false;
};

/// Everything the front end knows about a program.
struct Program {
  Graph graph;
  std::vector<Variable> inputs;       ///< ABI order; nodes are Input nodes
  std::vector<Variable> definitions;  ///< every `name = expr`, in source order
  std::vector<Variable> outputs;      ///< in output order
  std::vector<uint32_t> wrt;          ///< indices into inputs, ascending (ABI order)
  /// Intermediate values named in `wrt` (SPEC 1): their derivative is
  /// backprop's delta dOUT/dh. Their Jacobian columns follow the inputs',
  /// in definition order.
  std::vector<Variable> wrt_values;
  size_t forward_nodes = 0;           ///< graph size after parsing
  std::vector<OpRecord> ops;          ///< the operations as written (for --print=dot)
  std::vector<int32_t> output_ops;    ///< the record of each output (-1: a constant)
  std::vector<std::string> functions; ///< the names of the program's functions (for messages)

  /// Number of input scalars (n of the ABI).
  size_t num_input_scalars() const;
  /// The offset in `in` of input `var`'s first scalar.
  size_t input_offset(uint32_t var) const { return graph[inputs[var].nodes[0]].a; }
  /// The input variable holding input scalar `index` (a binary search).
  uint32_t input_of_scalar(size_t index) const;
  /// The variables of the Jacobian's columns, in order: the inputs in
  /// `wrt` (ABI order), then wrt_values.
  std::vector<const Variable*> wrt_variables() const;
};

/// A name in `wrt` (or --wrt) and where it was written.
struct WrtName {
  std::string name;
  Loc loc;
};

/// Set the program's wrt lists from `names`: inputs (p.wrt, in ABI order)
/// and intermediate values (p.wrt_values, in definition order). Reports
/// unknown, repeated and constant names: at their place in the program's
/// `wrt` statement, or naming `option` ("--wrt", "JitOptions::wrt") when it
/// is not null. Returns false on error, leaving the lists as they were.
bool choose_wrt(Program& p, const std::vector<WrtName>& names, Diagnostics& diag,
                const char* option);

/// Replace the program's wrt list by `names`, given by `option`. Reports an
/// error for a name that is neither an input nor a definition. Returns false on error.
bool set_wrt(Program& p, const std::vector<std::string>& names, Diagnostics& diag,
             const char* option = "--wrt");

}  // namespace gradc
