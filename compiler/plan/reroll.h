// reroll.h - finds runs of plan items that repeat one shape (the unrolled
// iterations of a loop the source wrote out, as extended Rosenbrock's terms or
// a layer's units) so the writers emit them as a loop instead of straight-line
// code: the code size of such a kernel stays bounded by its distinct shapes.
//
// A loop covers items [first, first + body*count): iteration i consists of
// the items first + i*body + j, j < body, and each has the same expression
// tree (ops and constants) as its counterpart in iteration 0. What differs
// between iterations is named by the loop's leaves, the inputs and earlier
// values that iteration 0's expressions read, each one of:
//   Invariant  the same value in every iteration, computed before the loop;
//   Input      input scalar node.a + stride*i;
//   Scratch    the value of an earlier loop's body entry at iteration
//              it0 + stride*i, which that loop keeps in its scratch array;
//   Carry      iteration i reads body entry `carry` of iteration i-1 (a
//              running sum); iteration 0 reads `node`, computed before;
//   Table      iteration i reads table[i], any input or value computed
//              before the loop (no affine pattern): the table is copied
//              into the scratch array before the loop;
// besides the values of the same iteration (not listed). A Store in the body
// writes entry index + store_stride*i of its array.
//
// The search is linear: each item gets a shape hash; only the next few
// items with the same hash are tried as the period, and the work spent on
// candidates that do not become loops is capped by a budget per item.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/ir.h"
#include "plan/kernel_spec.h"
#include "plan/schedule.h"

namespace gradc {

struct PlanItem;

struct LoopLeaf {
  enum Kind : uint8_t { Invariant, Input, Scratch, Carry, Table };
  Kind kind = Invariant;
  NodeId node = kNoNode;   ///< the value iteration 0 reads
  int64_t stride = 0;      ///< Input: input index step; Scratch: iteration step of its loop
  NodeId carry = kNoNode;  ///< Carry: the body value (iteration 0's node) carried over
  std::vector<NodeId> table;  ///< Table: the value of each iteration
  uint32_t slot = UINT32_MAX; ///< Table: its first scratch slot (set by the plan)
};

struct PlanLoop {
  size_t first = 0;     ///< the first item of iteration 0
  uint32_t body = 0;    ///< items per iteration
  uint32_t count = 0;   ///< iterations
  std::vector<LoopLeaf> leaves;        ///< one per distinct leaf node of iteration 0
  std::vector<int64_t> store_stride;   ///< by body position: a Store's entry step
  size_t end() const { return first + size_t(body) * count; }
};

/// Default for --reroll-min: a run becomes a loop if it covers at least this
/// many nodes (and 4 iterations). Smaller kernels stay straight-line, as the
/// course's handouts show them.
inline constexpr size_t kRerollMinNodes = 128;

/// A Table leaf costs a copy (a load and a store) per iteration before the
/// loop, which straight-line code does not pay, in time and in code. A run
/// becomes a loop only if its tables take at most one entry per
/// kNodesPerTable nodes (item_weight) of an iteration: a Hessian part whose
/// 64 statements read 150 tables ran 33% slower as a loop than straight
/// (208 us against 158 us a call), in a third less code.
inline constexpr size_t kNodesPerTable = 4;

/// The loops over `items` (in item order, disjoint), for runs of at least
/// 4 iterations covering at least `min_nodes` nodes, within the tables'
/// bound (kNodesPerTable); none if min_nodes is 0.
std::vector<PlanLoop> find_loops(const Graph& g, const KernelSpec& spec, const Schedule& s,
                                 const std::vector<PlanItem>& items, size_t min_nodes);

}  // namespace gradc
