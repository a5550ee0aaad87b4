// ir.h - the gradc IR: one hash-consed DAG of scalar operations.
//
// Nodes live in an arena addressed by 32-bit ids. Operands always have
// smaller ids than their users, so id order is a topological order and every
// pass is a loop over ids (no recursion). Structurally equal nodes are one
// node: Graph::add is the only place nodes are created.
#pragma once

#include <cmath>

#include "support/limits.h"

#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gradc {

/// Every IR operation; see ops.def.
enum class Op : uint8_t {
#define GRADC_OP(name, arity, spelling, comm, syntax) name,
#include "ir/ops.def"
};

/// How an op is written in source.
enum class Syntax : uint8_t { Leaf, Prefix, Infix, Call, Ternary };

/// Static facts about an op, from ops.def.
struct OpInfo {
  std::string_view name;      ///< the enum name, e.g. "Add"
  int arity;                  ///< number of operands (0..3)
  std::string_view spelling;  ///< source spelling, e.g. "+" or "exp"
  bool commutative;           ///< operands may be swapped
  Syntax syntax;
};

/// Look up the facts about `op`.
const OpInfo& op_info(Op op);

/// Is `op` a comparison or logic op (its value is always 0 or 1)?
bool is_boolean_op(Op op);

/// Number of ops in ops.def.
constexpr int kNumOps = 0
#define GRADC_OP(name, arity, spelling, comm, syntax) +1
#include "ir/ops.def"
    ;

using NodeId = uint32_t;
inline constexpr NodeId kNoNode = UINT32_MAX;

/// One DAG node. Unused operands are kNoNode. For Const, `a` indexes the
/// constant pool; for Input, `a` is the input's scalar index (ABI order).
struct Node {
  Op op;
  NodeId a = kNoNode, b = kNoNode, c = kNoNode;
  bool operator==(const Node&) const = default;
};

struct NodeHash {
  size_t operator()(const Node& n) const {
    uint64_t h = uint64_t(n.op) * 0x9E3779B97F4A7C15ull;
    h ^= (uint64_t(n.a) + 0x632BE59BD9B4E019ull + (h << 6) + (h >> 2));
    h ^= (uint64_t(n.b) * 0xC2B2AE3D27D4EB4Full + (h << 6) + (h >> 2));
    h ^= (uint64_t(n.c) * 0x165667B19E3779F9ull + (h << 6) + (h >> 2));
    return size_t(h ^ (h >> 29));
  }
};

/// The arena of nodes plus the hash-cons table and constant pool.
/// Thrown by Graph::add when the graph would grow past its node limit
/// (--max-nodes): the stage that was growing it reports the error.
struct NodeLimitExceeded {
  size_t limit;
};

/// The default node limit (--max-nodes): at about 150 bytes per node for the
/// whole compilation to C++ (bench/README.md), about 1.5 GB.
/// (Divided by 2^kLimitShift, as every size limit, in the fuzz build.)
inline constexpr size_t kDefaultMaxNodes = size_t(10'000'000) >> kLimitShift;

class Graph {
 public:
  /// Stop growing at `n` nodes: add() throws NodeLimitExceeded instead.
  void set_node_limit(size_t n) { limit_ = n; }
  /// Forget every node from id `n` on (an abandoned attempt's: no id of
  /// them may be held anywhere): O(n), the hash-cons table is rebuilt.
  void truncate(size_t n);
  size_t node_limit() const { return limit_; }
  /// Return the id of the node equal to `n`, creating it if new. For
  /// commutative ops `x*y` and `y*x` are one node (the first one written);
  /// a constant operand goes first in a product and last otherwise.
  NodeId add(Node n);
  /// The node for constant `v` (constants are identified by bit pattern).
  NodeId constant(double v);
  /// The node for input number `index`.
  NodeId input(uint32_t index) { return add(Node{Op::Input, index}); }

  const Node& operator[](NodeId id) const { return nodes_[id]; }
  size_t size() const { return nodes_.size(); }
  bool is_const(NodeId id) const { return nodes_[id].op == Op::Const; }
  /// The value of a Const node.
  double const_value(NodeId id) const { return consts_[nodes_[id].a]; }
  bool is_const(NodeId id, double v) const {
    return is_const(id) && const_value(id) == v;
  }
  /// Is `id` the constant +0 (not -0, which a program may mean)?
  bool is_plus_zero(NodeId id) const { return is_const(id, 0.0) && !std::signbit(const_value(id)); }
  /// Is `id` a masked value `c ? v : 0`, the zero of a branch not taken (+0)?
  bool is_masked(NodeId id) const {
    return nodes_[id].op == Op::Select && is_plus_zero(nodes_[id].c);
  }
  /// Is `id` a constant expression: a Const, or a node over constant
  /// expressions whose IEEE value is not finite (`1/0`, `log(0)`, `0*(1/0)`),
  /// which the builder keeps as a node? If so, set `v` to its value.
  bool constant_value(NodeId id, double& v) const {
    if (is_const(id)) {
      v = const_value(id);
      return true;
    }
    if (nonfinite_.empty()) return false;
    auto it = nonfinite_.find(id);
    if (it == nonfinite_.end()) return false;
    v = it->second;
    return true;
  }
  /// The first node recorded with non-finite value `v` (NaN, inf or -inf;
  /// all NaNs are one), or kNoNode. Constant expressions with equal values
  /// are interchangeable, so the builder reuses it: `1*(1/0)` is `1/0`.
  NodeId nonfinite_node(double v) const { return nonfinite_nodes_[nonfinite_class(v)]; }
  /// If `id` is a masked sum, an Add of masked terms `c_i ? v_i : 0` (and of
  /// masked sums) that is exactly +0 wherever its condition (the node
  /// c_1 || c_2 ...) is false, that condition; else kNoNode. Builder::add
  /// records them when it sums masked values.
  NodeId masked_sum_condition(NodeId id) const {
    auto it = masked_sums_.find(id);
    return it == masked_sums_.end() ? kNoNode : it->second;
  }
  void set_masked_sum(NodeId id, NodeId condition) { masked_sums_.try_emplace(id, condition); }
  /// A power x^-n (n >= 2) as the builder writes it, 1/x^n: the node of x
  /// and n, so that it is differentiated as pow is, -n x^-n / x (at x = 0:
  /// -inf; the chain rule through 1/u and u = x^n gives inf*0 = NaN).
  struct InversePower {
    NodeId base;
    int exponent;  ///< n, with the value x^-n
  };
  const InversePower* inverse_power(NodeId id) const {
    if (inverse_powers_.empty()) return nullptr;
    auto it = inverse_powers_.find(id);
    return it == inverse_powers_.end() ? nullptr : &it->second;
  }
  void set_inverse_power(NodeId id, NodeId base, int n) { inverse_powers_.try_emplace(id, InversePower{base, n}); }
  /// Record that node `id` is a constant expression with non-finite value `v`.
  void set_nonfinite_value(NodeId id, double v) {
    nonfinite_[id] = v;
    if (nonfinite_node(v) == kNoNode) nonfinite_nodes_[nonfinite_class(v)] = id;
  }

 private:
  void grow_table();
  /// Put node `id` (already in nodes_) into the first free slot of its probe.
  void insert_into_table(NodeId id);
  /// The id of the node equal to `n`, or kNoNode.
  NodeId find(const Node& n) const;
  std::vector<Node> nodes_;
  size_t limit_ = kDefaultMaxNodes;
  // Hash-cons table: open addressing with linear probing over node ids
  // (kNoNode = empty slot); kept at most half full. No per-node allocation.
  std::vector<NodeId> table_;
  std::vector<double> consts_;
  std::unordered_map<uint64_t, uint32_t> const_index_;
  std::unordered_map<NodeId, double> nonfinite_;  // see constant_value
  std::unordered_map<NodeId, NodeId> masked_sums_;  // see masked_sum_condition
  std::unordered_map<NodeId, InversePower> inverse_powers_;  // see inverse_power
  NodeId nonfinite_nodes_[3] = {kNoNode, kNoNode, kNoNode};  // NaN, inf, -inf
  static int nonfinite_class(double v) { return v != v ? 0 : v > 0 ? 1 : 2; }
};

/// The operands of `n` that are present, in order.
inline int arity(const Node& n) { return op_info(n.op).arity; }
inline NodeId operand(const Node& n, int i) {
  return i == 0 ? n.a : i == 1 ? n.b : n.c;
}

}  // namespace gradc
