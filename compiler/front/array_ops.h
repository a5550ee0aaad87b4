// array_ops.h - shape-checked construction of array values, unrolled into
// scalar nodes through the Builder. Each function returns the result, or
// sets `error` to a message naming both shapes and returns a scalar zero.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ir/builder.h"
#include "support/limits.h"
#include "front/value.h"

namespace gradc {

/// Largest number of elements one array may have.
inline constexpr size_t kMaxArrayElements = (size_t(1) << 24) >> kLimitShift;
/// Largest number of multiplications one `@` may unroll into.
inline constexpr size_t kMaxUnrolledProducts = (size_t(1) << 25) >> kLimitShift;
/// Terms a sum (`sum`, `mean`, `dot`, `vector @ vector`, `norm`, ...) adds
/// as a left fold; the sums of such blocks are added in left folds of as
/// many again, until one is left (docs/semantics.md). Each entry of a larger
/// matrix product is one left fold.
inline constexpr size_t kSumBlock = 16;

/// The shape `args` broadcast to under NumPy's rules, or nullopt if they do not.
std::optional<Shape> broadcast_shape(std::span<const Value* const> args);
/// Apply a scalar op elementwise under NumPy's broadcasting rules: scalars
/// combine with any array, `X @ W + b` adds the vector `b` to every row.
/// `what` names the op in messages.
Value elementwise(Builder& b, Op op, std::span<const Value* const> args,
                  std::string_view what, std::string& error);

/// `a @ b`: matrix@matrix, matrix@vector, vector@matrix, vector@vector.
Value matmul(Builder& b, const Value& a, const Value& c, std::string& error);
/// The array functions of SPEC 1: sum mean dot norm softmax logsumexp
/// transpose, and log_softmax, log_sigmoid (stable forms), by name (see array_function_arity in builtins.h). `args`
/// has the call's arguments.
Value array_function(Builder& b, std::string_view name, const std::vector<Value>& args,
                     std::string& error);
/// `a[i]`, `a[i, j]`: constant indices; fewer indices than dimensions give
/// a sub-array.
Value index_value(const Value& a, const std::vector<long>& indices, std::string& error);
/// `[e0, e1, ...]`: elements of equal shape stacked along a new first axis.
Value stack_values(const std::vector<Value>& elems, std::string& error);

}  // namespace gradc
