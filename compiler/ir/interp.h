// interp.h - the reference evaluator over the DAG; the test oracle that every
// backend is checked against.
#pragma once

#include <vector>

#include "ir/ir.h"

namespace gradc {

/// Values of every node of `g` (indexed by id) given the input scalars in
/// ABI order (then the direction vectors v and u of the product kernels;
/// inputs beyond `inputs` are NaN). One loop over ids, using scalar_math.h for each op.
std::vector<double> evaluate(const Graph& g, const std::vector<double>& inputs);

/// The same with the values of some nodes set from outside (ascending ids):
/// every user sees `overrides[i].second` as node `overrides[i].first`'s
/// value. Differentiating with respect to an intermediate value (SPEC 1:
/// `wrt h`) is checked by moving h this way, everything it depends on fixed.
std::vector<double> evaluate(const Graph& g, const std::vector<double>& inputs,
                             const std::vector<std::pair<NodeId, double>>& overrides);

}  // namespace gradc
