// rewrite.h - rebuilding part of the append-only graph with some nodes
// replaced: the shared machinery of the rewrites that run after the
// builder (ir/reciprocals.h, ir/logistic.h).
//
// Nodes are immutable and hash-consed, so replacing a node means rebuilding
// every node that reads it, over its operands' replacements; the old nodes
// stay in the graph, unreachable from the new roots. Both functions are
// linear in the graph's size and use no recursion.
#pragma once
#include <functional>
#include <vector>

#include "ir/ir.h"

namespace gradc {

/// 1 for every node reachable from `roots` (operands included, and a
/// masked sum's condition, which the builder noted: Graph::
/// masked_sum_condition), else 0.
std::vector<char> reachable(const Graph& g, const std::vector<NodeId>& roots);

/// Rebuild the nodes of `g` that are `live` (reachable(g, roots), which
/// each rewrite computes once for its own counts too), in id order; the
/// others are left alone: rebuilding them would only add dead copies.
/// `replace(id, node)` sees the node with its operands already replaced and
/// returns its replacement, or kNoNode to keep it (rebuilt only if an
/// operand changed). Returns the map from each node that existed before to
/// its replacement (itself where not live). What the builder noted about a
/// node (a masked sum's condition, an inverse power) carries over to it.
std::vector<NodeId> rebuild(Graph& g, const std::vector<char>& live,
                            const std::function<NodeId(NodeId, const Node&)>& replace);

}  // namespace gradc
