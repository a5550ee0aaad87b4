// reverse_diff.h - symbolic reverse mode over the DAG.
#pragma once

#include <functional>
#include <vector>

#include "ir/builder.h"

namespace gradc {

/// Called when the adjoint of forward node `node` is complete for output
/// number `output`; lets the caller name adjoints (`dw_da`).
using AdjointHook = std::function<void(size_t output, NodeId node, NodeId adjoint)>;

/// The Jacobian d outputs / d wrt as nodes, row-major: result[i*k + j] is
/// d outputs[i] / d wrt[j] (k = wrt.size()). One reverse sweep per output,
/// each a single loop over descending ids that accumulates adjoints where a
/// value fans out. Work shared between outputs is shared through
/// hash-consing. No recursion.
std::vector<NodeId> reverse_jacobian(Builder& b, const std::vector<NodeId>& outputs,
                                     const std::vector<NodeId>& wrt,
                                     const AdjointHook& hook = {});

}  // namespace gradc
