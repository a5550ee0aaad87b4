// value.h - what an expression evaluates to at compile time: a scalar node,
// or a fixed-size array of nodes (row-major). Arrays are unrolled into the
// scalar DAG as they are built, so every later pass sees scalars only.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <string>
#include <vector>

#include "ir/ir.h"

namespace gradc {

/// Dimensions of an array, outermost first; empty for a scalar.
using Shape = std::vector<uint32_t>;

/// Number of elements of `shape` (1 for a scalar).
size_t shape_size(const Shape& shape);
/// `[2,3]`, or `[]` for a scalar (as in messages).
std::string shape_text(const Shape& shape);
/// Index suffix of element `flat` of `shape`: `[0,1]` (empty for a scalar).
std::string element_suffix(const Shape& shape, size_t flat, const char* sep = ",");

/// Elements 0..n-1 written as nested lists in `shape`, row-major:
/// `[[e0, e1], [e2, e3]]` (with the given brackets); a scalar is just `e0`.
std::string nested_list(const Shape& shape, size_t n, std::string_view open,
                        std::string_view close, const std::function<std::string(size_t)>& element);

/// A scalar (shape empty, `scalar` set) or an array (`elems`, row-major).
/// Scalars allocate nothing, which keeps scalar programs fast.
struct Value {
  Shape shape;
  std::vector<NodeId> elems;  ///< arrays only
  NodeId scalar = kNoNode;    ///< scalars only
  bool poisoned = false;      ///< stands in for a value whose error is reported
  int32_t op = -1;            ///< the Program::ops record that made it (-1: a constant)

  static Value of(NodeId n) { return Value{{}, {}, n, false, -1}; }
  /// A placeholder after an error: operations on it report nothing more.
  static Value poison(NodeId zero) { return Value{{}, {}, zero, true, -1}; }
  bool is_scalar() const { return shape.empty(); }
  size_t size() const { return is_scalar() ? 1 : elems.size(); }
  NodeId at(size_t i) const { return is_scalar() ? scalar : elems[i]; }
  /// All elements in order (one for a scalar).
  std::vector<NodeId> nodes() const { return is_scalar() ? std::vector<NodeId>{scalar} : elems; }
};

}  // namespace gradc
