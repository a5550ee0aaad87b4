// derivative_rules.h - the local partial derivative of every op, in one table
// shared by every differentiation mode.
#pragma once

#include "ir/builder.h"

namespace gradc {

/// `seed * d n / d operand_i`, built as nodes. The result is linear in
/// `seed`, so reverse mode passes the adjoint of `n` as the seed (and adds the
/// result into the operand's adjoint), and forward mode passes the operand's
/// tangent. Returns kNoNode where the op carries no derivative to that
/// operand (comparisons, logic, sign, floor, ceil, a select's condition).
/// Selections (`?:`, relu, max, ...) return masked values `c ? v : 0`, which
/// the builder keeps zero through later products, so an untaken branch never
/// leaks NaN or inf.
NodeId partial_times(Builder& b, NodeId n, int operand, NodeId seed);

}  // namespace gradc
