// array_ops.cpp - arrays unrolled into scalar nodes. Reductions are left
// folds, in index order, as a person would write the sum by hand; a sum of
// more than kSumBlock terms is a tree of kSumBlock-term folds (sum_nodes).
#include "front/array_ops.h"

#include <fmt/format.h>

#include <optional>

namespace gradc {

size_t shape_size(const Shape& shape) {
  size_t n = 1;
  for (uint32_t d : shape) n *= d;
  return n;
}

std::string shape_text(const Shape& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) out += fmt::format("{}{}", i ? "," : "", shape[i]);
  return out + "]";
}

// What an operand of the wrong kind is, for "needs a vector, got ...".
static std::string operand_text(const Shape& shape) {
  return shape.empty() ? "a scalar" : shape_text(shape);
}

std::string element_suffix(const Shape& shape, size_t flat, const char* sep) {
  if (shape.empty()) return "";
  std::vector<size_t> idx(shape.size());
  for (size_t k = shape.size(); k-- > 0;) {
    idx[k] = flat % shape[k];
    flat /= shape[k];
  }
  std::string out = "[";
  for (size_t k = 0; k < idx.size(); ++k) out += fmt::format("{}{}", k ? sep : "", idx[k]);
  return out + "]";
}

// A bracket of level k opens where a block of block[k] elements starts.
std::string nested_list(const Shape& shape, size_t n, std::string_view open,
                        std::string_view close, const std::function<std::string(size_t)>& element) {
  std::vector<size_t> block(shape.size());
  for (size_t k = shape.size(), size = 1; k-- > 0;) block[k] = size *= shape[k];
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) out += ", ";
    for (size_t size : block)
      if (i % size == 0) out += open;
    out += element(i);
    for (size_t size : block)
      if ((i + 1) % size == 0) out += close;
  }
  return out;
}

namespace {

Value array(Shape shape, std::vector<NodeId> elems) {
  if (shape.empty()) return Value::of(elems.at(0));
  return Value{std::move(shape), std::move(elems), kNoNode, false, -1};
}

Value fail(Builder& b, std::string& error, std::string message) {
  error = std::move(message);
  return Value::poison(b.zero());
}

// a[0] + a[1] + ...: left folds of kSumBlock consecutive terms, then the
// same on the blocks' sums, until one is left (a tree of kSumBlock-term
// left folds, in the spirit of NumPy's pairwise summation): a chain of
// about (kSumBlock - 1) * log_kSumBlock(n) dependent additions instead of
// n - 1, with an error bound that grows with that depth instead of n, and
// each level one repeated shape, which the planner re-rolls into a loop. A
// sum of at most kSumBlock terms is the left fold, and so is every sum with
// `pairwise` false (the entries of a matrix product: many chains side by
// side).
NodeId sum_nodes(Builder& b, const std::vector<NodeId>& xs, bool pairwise = true) {
  if (xs.empty()) return b.zero();
  const size_t block = pairwise ? kSumBlock : xs.size();
  std::vector<NodeId> level = xs;
  while (level.size() > 1) {
    size_t sums = 0;
    for (size_t first = 0; first < level.size(); first += block) {
      NodeId acc = level[first];
      for (size_t i = first + 1; i < std::min(level.size(), first + block); ++i)
        acc = b.add(acc, level[i]);
      level[sums++] = acc;
    }
    level.resize(sums);
  }
  return level[0];
}

NodeId max_nodes(Builder& b, const std::vector<NodeId>& xs) {
  NodeId acc = xs[0];
  for (size_t i = 1; i < xs.size(); ++i) acc = b.binary(Op::Max, acc, xs[i]);
  return acc;
}

// sum_p a[p*sa] * c[p*sc] over p < n (a dot product with strides),
// pairwise or as a left fold (sum_nodes)
NodeId dot_nodes(Builder& b, const Value& a, size_t a0, size_t sa, const Value& c, size_t c0,
                 size_t sc, size_t n, bool pairwise) {
  std::vector<NodeId> terms(n);
  for (size_t p = 0; p < n; ++p) terms[p] = b.mul(a.at(a0 + p * sa), c.at(c0 + p * sc));
  return sum_nodes(b, terms, pairwise);
}

// The shift m = stop_gradient(max(v)) that keeps exp() from overflowing;
// its derivative cancels exactly, so none flows through it.
NodeId stable_shift(Builder& b, const std::vector<NodeId>& v) {
  return b.unary(Op::NoGrad, max_nodes(b, v));
}

// logsumexp's shift: the max where it is finite, else 0 (as SciPy's and
// JAX's logsumexp), so that all -inf gives -inf and an inf gives inf rather
// than exp(inf - inf) = NaN.
NodeId finite_shift(Builder& b, const std::vector<NodeId>& v) {
  NodeId m = max_nodes(b, v);
  return b.unary(Op::NoGrad, b.select(b.is_finite(m), m, b.zero()));
}

}  // namespace

// NumPy broadcasting: shapes are aligned at their last axes; along each
// axis the sizes are equal or one of them is 1 (that operand repeats). A
// scalar is shape [] and combines with anything.
std::optional<Shape> broadcast_shape(std::span<const Value* const> args) {
  Shape out;
  for (const Value* a : args) {
    const Shape& s = a->shape;
    if (s.size() > out.size()) out.insert(out.begin(), s.size() - out.size(), 1);
    for (size_t k = 0; k < s.size(); ++k) {
      uint32_t& d = out[out.size() - s.size() + k];
      if (d == 1) d = s[k];
      else if (s[k] != 1 && s[k] != d) return std::nullopt;
    }
  }
  return out;
}

namespace {

// Flat index into `from` of element `flat` of the broadcast shape `to`.
size_t broadcast_index(const Shape& from, const Shape& to, size_t flat) {
  size_t index = 0, stride = 1;
  for (size_t k = 0; k < from.size(); ++k) {
    size_t axis = from.size() - 1 - k, to_axis = to.size() - 1 - k;
    size_t i = flat % to[to_axis];
    flat /= to[to_axis];
    if (from[axis] != 1) index += i * stride;
    stride *= from[axis];
  }
  return index;
}

}  // namespace

Value elementwise(Builder& b, Op op, std::span<const Value* const> args,
                  std::string_view what, std::string& error) {
  std::optional<Shape> shape = broadcast_shape(args);
  if (!shape) {
    std::vector<std::string> arrays;  // the scalars fit any shape: not named
    for (const Value* a : args)
      if (!a->is_scalar()) arrays.push_back(shape_text(a->shape));
    std::string shapes;
    for (size_t i = 0; i < arrays.size(); ++i)
      shapes += (i == 0 ? "" : i + 1 == arrays.size() ? " and " : ", ") + arrays[i];
    return fail(b, error, fmt::format("shape mismatch in '{}': {}", what, shapes));
  }
  size_t size = shape_size(*shape);
  if (size > kMaxArrayElements)
    return fail(b, error, fmt::format("'{}' broadcasts to {}, more than {} elements", what,
                                      shape_text(*shape), kMaxArrayElements));
  auto element = [&](size_t k, size_t i) {
    if (k >= args.size()) return kNoNode;
    const Value& a = *args[k];
    if (a.is_scalar()) return a.scalar;
    return a.shape == *shape ? a.elems[i] : a.elems[broadcast_index(a.shape, *shape, i)];
  };
  auto apply = [&](size_t i) { return b.make(op, element(0, i), element(1, i), element(2, i)); };
  if (shape->empty()) return Value::of(apply(0));
  std::vector<NodeId> out(size);
  for (size_t i = 0; i < size; ++i) out[i] = apply(i);
  return array(std::move(*shape), std::move(out));
}

Value matmul(Builder& b, const Value& a, const Value& c, std::string& error) {
  const Shape &sa = a.shape, &sc = c.shape;
  if (sa.empty() || sc.empty() || sa.size() > 2 || sc.size() > 2)
    return fail(b, error, fmt::format("'@' needs vectors or matrices, got {} and {}",
                                      operand_text(sa), operand_text(sc)));
  size_t inner_a = sa.back(), inner_c = sc[0];
  if (inner_a != inner_c)
    return fail(b, error, fmt::format("shape mismatch in '@': {} and {}", shape_text(sa),
                                      shape_text(sc)));
  size_t rows = sa.size() == 2 ? sa[0] : 1, cols = sc.size() == 2 ? sc[1] : 1;
  if (rows * cols > kMaxArrayElements || rows * cols * inner_a > kMaxUnrolledProducts)
    return fail(b, error, fmt::format("'@' of {} and {} is too large to unroll ({} products; "
                                      "the limit is {})", operand_text(sa), operand_text(sc),
                                      rows * cols * inner_a, kMaxUnrolledProducts));
  // Each product and each sum is a node: refuse before building what cannot
  // fit under the node limit (--max-nodes).
  size_t estimate = 2 * rows * cols * inner_a, have = b.graph().size();
  if (have + estimate > b.graph().node_limit())
    return fail(b, error, fmt::format("'@' of {} and {} unrolls into about {} operations, more than "
                                      "the {} left under the limit of {} nodes (--max-nodes)",
                                      operand_text(sa), operand_text(sc), estimate,
                                      b.graph().node_limit() - std::min(have, b.graph().node_limit()),
                                      b.graph().node_limit()));
  // A product of one entry (vector @ vector) sums pairwise, as dot does;
  // the entries of a larger one are left folds, side by side.
  std::vector<NodeId> out(rows * cols);
  for (size_t i = 0; i < rows; ++i)
    for (size_t j = 0; j < cols; ++j)
      out[i * cols + j] = dot_nodes(b, a, i * inner_a, 1, c, j, cols, inner_a, rows * cols == 1);
  Shape shape;
  if (sa.size() == 2) shape.push_back(uint32_t(rows));
  if (sc.size() == 2) shape.push_back(uint32_t(cols));
  return array(shape, std::move(out));
}

Value array_function(Builder& b, std::string_view name, const std::vector<Value>& args,
                     std::string& error) {
  const Value& v = args[0];
  std::vector<NodeId> xs = v.nodes();
  if (name == "sum") return Value::of(sum_nodes(b, xs));                        // sum_i v_i
  if (name == "mean")                                                            // sum / n
    return Value::of(b.div(sum_nodes(b, xs), b.constant(double(xs.size()))));
  if (name == "norm") {                                                          // sqrt(sum v_i^2)
    for (NodeId& x : xs) x = b.mul(x, x);
    return Value::of(b.unary(Op::Sqrt, sum_nodes(b, xs)));
  }
  if (name == "dot") {
    const Value& u = args[1];
    if (v.shape.size() != 1 || u.shape.size() != 1)
      return fail(b, error, fmt::format("'dot' needs two vectors, got {} and {}",
                                        operand_text(v.shape), operand_text(u.shape)));
    if (v.shape != u.shape)
      return fail(b, error, fmt::format("shape mismatch in 'dot': {} and {}", shape_text(v.shape),
                                        shape_text(u.shape)));
    return Value::of(dot_nodes(b, v, 0, 1, u, 0, 1, xs.size(), true));
  }
  if (name == "logsumexp") {                            // m + log(sum exp(v_i - m)), m = max v
    NodeId m = finite_shift(b, xs);
    for (NodeId& x : xs) x = b.unary(Op::Exp, b.sub(x, m));
    return Value::of(b.add(m, b.unary(Op::Log, sum_nodes(b, xs))));
  }
  if (name == "softmax") {                              // exp(v_i - m) / sum_j exp(v_j - m)
    if (v.shape.size() != 1)
      return fail(b, error, fmt::format("'softmax' needs a vector, got {}", operand_text(v.shape)));
    NodeId m = stable_shift(b, xs);
    for (NodeId& x : xs) x = b.unary(Op::Exp, b.sub(x, m));
    NodeId total = sum_nodes(b, xs);
    for (NodeId& x : xs) x = b.div(x, total);
    return array(v.shape, std::move(xs));
  }
  if (name == "log_softmax") {                          // (v_i - m) - log(sum_j exp(v_j - m))
    if (v.shape.size() != 1)
      return fail(b, error,
                  fmt::format("'log_softmax' needs a vector, got {}", operand_text(v.shape)));
    NodeId m = stable_shift(b, xs);
    std::vector<NodeId> shifted = xs;
    for (NodeId& x : shifted) x = b.sub(x, m);
    for (NodeId& x : xs) x = b.unary(Op::Exp, b.sub(x, m));
    NodeId log_total = b.unary(Op::Log, sum_nodes(b, xs));
    for (size_t i = 0; i < xs.size(); ++i) xs[i] = b.sub(shifted[i], log_total);
    return array(v.shape, std::move(xs));
  }
  if (name == "log_sigmoid") {                          // -softplus(-v_i), elementwise
    for (NodeId& x : xs) x = b.neg(b.unary(Op::Softplus, b.neg(x)));
    return array(v.shape, std::move(xs));
  }
  if (name == "transpose") {
    if (v.shape.size() > 2)
      return fail(b, error,
                  fmt::format("'transpose' needs a matrix, got {}", operand_text(v.shape)));
    if (v.shape.size() < 2) return v;  // scalars and vectors are their own transpose
    size_t r = v.shape[0], c = v.shape[1];
    std::vector<NodeId> out(r * c);
    for (size_t i = 0; i < r; ++i)
      for (size_t j = 0; j < c; ++j) out[j * r + i] = v.elems[i * c + j];
    return array({uint32_t(c), uint32_t(r)}, std::move(out));
  }
  return fail(b, error, fmt::format("unknown array function '{}'", name));
}

Value index_value(const Value& a, const std::vector<long>& indices, std::string& error) {
  if (indices.size() > a.shape.size()) {
    error = fmt::format("{} ind{} for a value of shape {}", indices.size(),
                        indices.size() == 1 ? "ex" : "ices", shape_text(a.shape));
    return Value::of(kNoNode);
  }
  size_t offset = 0, stride = shape_size(a.shape);
  for (size_t k = 0; k < indices.size(); ++k) {
    stride /= a.shape[k];
    if (indices[k] < 0 || size_t(indices[k]) >= a.shape[k]) {
      error = fmt::format("index {} is out of range for dimension {} of shape {} (valid: 0 to {})",
                          indices[k], k, shape_text(a.shape), a.shape[k] - 1);
      return Value::of(kNoNode);
    }
    offset += size_t(indices[k]) * stride;
  }
  Shape rest(a.shape.begin() + long(indices.size()), a.shape.end());
  std::vector<NodeId> out(a.elems.begin() + long(offset), a.elems.begin() + long(offset + stride));
  return array(std::move(rest), std::move(out));
}

Value stack_values(const std::vector<Value>& elems, std::string& error) {
  for (size_t i = 1; i < elems.size(); ++i) {
    if (elems[i].shape != elems[0].shape) {
      error = fmt::format("array literal is ragged: element {} has shape {}, element 0 has {}",
                          i, shape_text(elems[i].shape), shape_text(elems[0].shape));
      return Value::of(kNoNode);
    }
  }
  Shape shape{uint32_t(elems.size())};
  shape.insert(shape.end(), elems[0].shape.begin(), elems[0].shape.end());
  if (shape_size(shape) > kMaxArrayElements) {
    error = fmt::format("array literal of shape {} is too large (more than {} elements)",
                        shape_text(shape), kMaxArrayElements);
    return Value::of(kNoNode);
  }
  std::vector<NodeId> out;
  out.reserve(shape_size(shape));
  for (const Value& e : elems)
    for (size_t i = 0; i < e.size(); ++i) out.push_back(e.at(i));
  return array(std::move(shape), std::move(out));
}

}  // namespace gradc
