// ir.cpp - the op table and the single hash-consing entry point.
#include "ir/ir.h"

#include <algorithm>
#include <bit>
#include <utility>

namespace gradc {

namespace {
constexpr OpInfo kOpInfo[] = {
#define GRADC_OP(name, arity, spelling, comm, syntax) \
  {#name, arity, spelling, comm, Syntax::syntax},
#include "ir/ops.def"
};
}  // namespace

const OpInfo& op_info(Op op) { return kOpInfo[static_cast<int>(op)]; }

NodeId Graph::add(Node n) {
  if (op_info(n.op).commutative) {
    // A constant goes first in a product (`2*x`) and last elsewhere
    // (`a + 1`, `a != 0`), as people write them. Otherwise operands keep
    // the order they were written in, and `y*x` finds an existing `x*y`.
    bool const_a = is_const(n.a), const_b = is_const(n.b);
    if (const_a != const_b) {
      if (const_a != (n.op == Op::Mul)) std::swap(n.a, n.b);
    } else if (NodeId id = find(Node{n.op, n.b, n.a, n.c}); id != kNoNode) {
      return id;
    }
  }
  if (NodeId id = find(n); id != kNoNode) return id;
  if (nodes_.size() >= limit_) throw NodeLimitExceeded{limit_};
  if (2 * (nodes_.size() + 1) > table_.size()) grow_table();
  NodeId id = NodeId(nodes_.size());
  nodes_.push_back(n);
  insert_into_table(id);
  return id;
}

NodeId Graph::find(const Node& n) const {
  if (table_.empty()) return kNoNode;
  size_t mask = table_.size() - 1;
  for (size_t slot = NodeHash{}(n) & mask;; slot = (slot + 1) & mask) {
    NodeId id = table_[slot];
    if (id == kNoNode || nodes_[id] == n) return id;
  }
}

void Graph::truncate(size_t n) {
  if (n >= nodes_.size()) return;
  nodes_.resize(n);
  std::erase_if(nonfinite_, [&](const auto& entry) { return entry.first >= n; });
  std::erase_if(masked_sums_, [&](const auto& entry) { return entry.first >= n || entry.second >= n; });
  std::erase_if(inverse_powers_, [&](const auto& entry) { return entry.first >= n; });
  for (NodeId& id : nonfinite_nodes_)
    if (id != kNoNode && id >= n) id = kNoNode;
  std::fill(table_.begin(), table_.end(), kNoNode);
  for (NodeId id = 0; id < n; ++id) insert_into_table(id);
}

void Graph::insert_into_table(NodeId id) {
  const size_t mask = table_.size() - 1;
  size_t slot = NodeHash{}(nodes_[id]) & mask;
  while (table_[slot] != kNoNode) slot = (slot + 1) & mask;
  table_[slot] = id;
}

void Graph::grow_table() {
  std::vector<NodeId> old = std::move(table_);
  table_.assign(std::max<size_t>(64, old.size() * 2), kNoNode);
  for (NodeId id : old)
    if (id != kNoNode) insert_into_table(id);
}

NodeId Graph::constant(double v) {
  uint64_t bits = std::bit_cast<uint64_t>(v);
  auto [it, inserted] = const_index_.try_emplace(bits, uint32_t(consts_.size()));
  if (inserted) consts_.push_back(v);
  return add(Node{Op::Const, it->second});
}

bool is_boolean_op(Op op) {
  switch (op) {
    case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: case Op::Eq: case Op::Ne:
    case Op::And: case Op::Or: case Op::Not:
      return true;
    case Op::Const: case Op::Input: case Op::Neg: case Op::Exp: case Op::Log: case Op::Log1p:
    case Op::Expm1: case Op::Sqrt: case Op::Cbrt: case Op::Sin: case Op::Cos: case Op::Tan:
    case Op::Asin: case Op::Acos: case Op::Atan: case Op::Sinh: case Op::Cosh: case Op::Tanh:
    case Op::Erf: case Op::Erfc: case Op::Abs: case Op::Sign: case Op::Floor: case Op::Ceil: case Op::Sigmoid:
    case Op::Softplus: case Op::Relu: case Op::Gelu: case Op::NoGrad: case Op::WrtValue:
    case Op::Add: case Op::Sub:
    case Op::Mul: case Op::Div: case Op::Pow: case Op::Atan2: case Op::Max: case Op::Min:
    case Op::LeakyRelu: case Op::Select:
      return false;
  }
  return false;
}

}  // namespace gradc
