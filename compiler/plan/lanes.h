// lanes.h - the Jacobian's rows side by side: a kernel with two outputs has
// two reverse sweeps that mostly repeat each other, value for value (the
// adjoints of the same forward values, multiplied by the same local
// partials). This pass pairs them up, so that a writer can compute each pair
// with one vector operation (two doubles per SSE2 register) where the
// scalar code takes two, and each local partial is read once for both.
//
// A lane group is one value per output (lane), each computed by the same
// operation: the same op, the same scalar operands (shared by both lanes),
// and operands that are lane groups themselves or pairs of values to pack
// into a vector. Groups are found top down from the Jacobian's columns
// (jac[0][j], jac[1][j]), as an SLP vectorizer seeds from adjacent stores,
// with an explicit stack. A writer that ignores the groups still computes
// the right values: the plan's items stay a valid scalar schedule, only
// reordered so that the members of a group come one after another.
//
// A group's vector operation gives each lane exactly what the scalar
// operation gives it (IEEE operations lane by lane), so vector and scalar
// kernels agree to the bit.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/ir.h"
#include "plan/kernel_spec.h"
#include "plan/schedule.h"

namespace gradc {

struct PlanItem;

/// Values per lane group: the two rows of a two-output Jacobian.
inline constexpr uint32_t kLanes = 2;

struct LaneGroup {
  NodeId member[kLanes];  ///< the value of each lane
  /// Computed by a statement of its own (a vector variable); else written
  /// out inside the expression of the one group that reads it (its members
  /// are inlined values, each read once).
  bool materialized = true;
  /// Lane 1's operands in the other order (a commutative op whose operands
  /// pair up crosswise: x*a with b*y).
  bool swapped = false;
};

/// Operand `i` of `group`'s member in `lane`, as it pairs with the other
/// lane's operand `i`.
NodeId lane_operand(const Graph& g, const LaneGroup& group, uint32_t lane, int i);

/// Lane groups are made only if they save at least this many operations:
/// small kernels stay scalar, as the course's handouts show them.
inline constexpr size_t kLanesMinSaving = 16;

/// Operations a lane group may have: those a reverse sweep builds adjoints
/// with.
bool lane_op(Op op);

struct LanePlan {
  static constexpr uint32_t kNone = UINT32_MAX;
  std::vector<LaneGroup> groups;
  std::vector<uint32_t> group_of;  ///< by node id: its group, or kNone
  std::vector<uint8_t> lane_of;    ///< by node id: its lane in that group
  bool empty() const { return groups.empty(); }
  /// The group whose lanes 0 and 1 are x and y (x != y), else kNone.
  uint32_t pair_group(NodeId x, NodeId y) const {
    uint32_t gx = x < group_of.size() ? group_of[x] : kNone;
    return x != y && gx != kNone && y < group_of.size() && gx == group_of[y] && lane_of[x] == 0 &&
                   lane_of[y] == 1
               ? gx
               : kNone;
  }
  /// The group of `id` if it has one and it is materialized, else kNone.
  uint32_t statement_group(NodeId id) const {
    if (id >= group_of.size() || group_of[id] == kNone) return kNone;
    return groups[group_of[id]].materialized ? group_of[id] : kNone;
  }
};

/// The lane groups of kernel `spec` (a `jac` of two rows), kept only if
/// they save `min_saving` operations or more (0: every group), counting a pack of two scalars into a vector and
/// the extraction of lane 1 for a scalar use as one each. Members of
/// materialized groups that the schedule inlines become scheduled values of
/// their own in `s` (named `l1`, `l2`, ...).
LanePlan find_lane_groups(const Graph& g, const KernelSpec& spec, Schedule& s,
                          size_t min_saving = kLanesMinSaving);

/// `items` (a topological order: plan_items) reordered so that the Steps
/// of each materialized group come together, in lane order, and each item
/// comes after what it reads: a topological sort that keeps the original
/// order where it can. False (items unchanged) if the groups cannot be so
/// ordered (a lane that reads the other lane's value).
bool order_for_lanes(const Graph& g, const Schedule& s, const LanePlan& lanes,
                     std::vector<PlanItem>& items);

}  // namespace gradc
