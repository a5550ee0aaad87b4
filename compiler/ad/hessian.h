// hessian.h - second derivatives as forward mode over the first: the
// tangent of each gradient entry along a wrt scalar is a column of the
// Hessian (forward-over-reverse when the Jacobian came from reverse mode).
// The derivative conventions hold at second order because tangents go
// through the same local-partial table: the branch not taken by `?:`, relu
// or max never leaks into a result, and kinks have second derivative 0.
#pragma once

#include <vector>

#include "ir/builder.h"

namespace gradc {

/// hess[(i*k + j)*k + l] = d jac[i*k + j] / d wrt[l], m*k*k entries: one
/// tangent sweep per wrt scalar l, each giving entries l <= j; the entry
/// (i, j, l) with j < l is the same node as (i, l, j), so a symmetric pair
/// is computed once.
std::vector<NodeId> hessian(Builder& b, const std::vector<NodeId>& jacobian,
                            const std::vector<NodeId>& wrt);

/// hv[i*k + j] = sum_l d jac[i*k + j] / d wrt[l] * v[l]: one tangent sweep
/// seeded with the direction v (nodes, one per wrt scalar).
std::vector<NodeId> hessian_vector(Builder& b, const std::vector<NodeId>& jacobian,
                                   const std::vector<NodeId>& wrt, const std::vector<NodeId>& v);

}  // namespace gradc
