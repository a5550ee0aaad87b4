// ir.cpp - the op table and the single hash-consing entry point.
#include "ir.h"

#include <bit>
#include <utility>

namespace gradc {

namespace {
constexpr OpInfo kOpInfo[] = {
#define GRADC_OP(name, arity, spelling, comm, syntax) \
  {#name, arity, spelling, comm, Syntax::syntax},
#include "ops.def"
};
}  // namespace

const OpInfo& op_info(Op op) { return kOpInfo[static_cast<int>(op)]; }

NodeId Graph::add(Node n) {
  if (op_info(n.op).commutative) {
    // Canonical order: constants first, then by id.
    auto key = [&](NodeId id) {
      return std::pair{nodes_[id].op != Op::Const, id};
    };
    if (key(n.b) < key(n.a)) std::swap(n.a, n.b);
  }
  auto [it, inserted] = memo_.try_emplace(n, NodeId(nodes_.size()));
  if (inserted) nodes_.push_back(n);
  return it->second;
}

NodeId Graph::constant(double v) {
  uint64_t bits = std::bit_cast<uint64_t>(v);
  auto [it, inserted] = const_index_.try_emplace(bits, uint32_t(consts_.size()));
  if (inserted) consts_.push_back(v);
  return add(Node{Op::Const, it->second});
}

}  // namespace gradc
