// logistic.h - sigmoid and softplus of one value share one exponential.
//
// The stable forms (ir/scalar_math.h) each take an exponential of -|z|:
//   sigmoid(z)  = (z >= 0 ? 1 : e) / (e + 1)     with e = exp(-|z|),
//   softplus(z) = relu(z) + log1p(e).
// A binary cross-entropy kernel evaluates sigmoid(z) for its derivative and
// softplus(z) and softplus(-z) for its loss (ir/builder.cpp, stable_log):
// three exponentials and two log1p calls as helper functions, one of each
// when the helpers are written out on shared nodes (exp(-|-z|) is
// exp(-|z|), and both softplus terms take log1p of it). Written out, each
// computes exactly the operations of its helper, so values are unchanged
// bit for bit (tests/unit/test_logistic.cpp).
#pragma once
#include <vector>

#include "ir/ir.h"

namespace gradc {

/// Among the nodes reachable from `roots`, write every sigmoid and softplus
/// out as above when two or more of them take the same |z| (z or -z).
/// Returns the map from each node that existed before to its replacement,
/// or an empty map when nothing is rewritten.
std::vector<NodeId> share_logistic_exp(Graph& g, const std::vector<NodeId>& roots);

}  // namespace gradc
