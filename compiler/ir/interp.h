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

}  // namespace gradc
