// local_partials.h - the derivative of one value with respect to the values
// its formula reads, the others held fixed: what --explain calls the local
// partial of an edge (statement vertices, or whole-variable elements).
#pragma once

#include <functional>
#include <utility>
#include <vector>

#include "ir/builder.h"

namespace gradc {

/// d root / d leaf for every leaf the formula of `root` reaches: a reverse
/// sweep (seed 1) over the nodes below `root`, stopping at nodes for which
/// `is_leaf` holds (and at constants), with the local-partials table of
/// every mode. Pairs (leaf, partial node), leaves ascending; a partial may
/// be the constant 0 (a masked branch).
std::vector<std::pair<NodeId, NodeId>> local_partials(Builder& b, NodeId root,
                                                      const std::function<bool(NodeId)>& is_leaf);

}  // namespace gradc
