// stop_gradient.h - in a kernel, stop_gradient is the identity.
//
// stop_gradient(v) has v's value and no derivative; once the derivatives
// are built, only values matter, so the kernels read v itself. A select
// whose branches are then the same value is that value: pow's derivative
// builds x != 0 ? y : stop_gradient(y) (ad/derivative_rules.cpp), y's value
// with y's tangent only where x != 0, and a kernel computes y.
#pragma once
#include <vector>

#include "ir/ir.h"

namespace gradc {

/// Among the nodes reachable from `roots`, replace every stop_gradient(v)
/// and every value wrt names (Op::WrtValue, whose own node only the
/// derivatives need) by v, and every select of one value by it. Returns the map from each node
/// that existed before to its replacement, or an empty map when nothing
/// reachable is a stop_gradient.
std::vector<NodeId> strip_stop_gradients(Graph& g, const std::vector<NodeId>& roots);

}  // namespace gradc
