// kernel_plan.h - the one plan both kernel writers (C++ and LLVM) follow:
// which values get a statement (the schedule), the order of statements and
// stores, how a large kernel is split into part functions, and which values
// cross parts through a scratch array.
//
// Runs of items that repeat one shape become loops (reroll.h); the items
// stay listed in full, and a loop's body is its iteration 0. A value a loop
// computes and anything outside its own iteration reads (later code, a later
// loop) is kept in the scratch array: body entry j of iteration i in slot
// slot[node of entry j in iteration 0] + i.
//
// Items are the schedule's statements in id order (a topological order),
// each followed by the stores of its value, so an entry leaves the registers
// as soon as it is known. A large kernel is split into parts of at most
// kPartNodes nodes (a statement counts the nodes inlined into it): C++
// compilers and LLVM's instruction selection and register allocation grow
// faster than linearly in the size of one function. A value computed in one
// part and read by a later one gets a scratch slot; a slot is reused once
// the last part that reads its value has run.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/ir.h"
#include "plan/kernel_spec.h"
#include "plan/lanes.h"
#include "plan/reroll.h"
#include "plan/schedule.h"

namespace gradc {

/// Nodes (inlined ones included) and stores per part function.
inline constexpr size_t kPartNodes = 1000;

/// A kernel's scratch array (values passed between parts, kept by loops)
/// lives on the stack whatever its size: kernels allocate nothing (SPEC 3).
/// One of more than this many doubles (32 KiB) is named in the generated
/// code's first comment, so that a user running kernels on threads with
/// small stacks knows what they need (docs/semantics.md).
inline constexpr uint32_t kLargeScratchSlots = 4096;

/// One thing a kernel does: compute a scheduled value, or store a root.
struct PlanItem {
  enum Kind : uint8_t { Step, Store } kind;
  uint32_t array = 0;  ///< Store: index into spec.args
  NodeId node;         ///< Step: the value computed; Store: the root stored
  size_t index = 0;    ///< Store: the entry of the array
};

/// A result array with at least this many entries that are structurally
/// zero, and at least as many zeros as other entries, is set to zero by one
/// loop (a memset) before the kernel stores its other entries (a sparse
/// Hessian: extended Rosenbrock n = 1,000 has 2,000 nonzeros of 10^6).
inline constexpr size_t kZeroFillMin = 32;

/// How a plan is made (--part-nodes, --reroll-min).
struct PlanOptions {
  size_t part_nodes = kPartNodes;
  /// 0: no loops, and no zero fill (kZeroFillMin), which is a loop too
  /// (--reroll-min=0, and the batch forms, whose loop over points a loop
  /// in its body would keep scalar).
  size_t reroll_min = kRerollMinNodes;
  /// Pair the two rows of a two-output Jacobian into lane groups
  /// (plan/lanes.h) where the kernel is one part without loops and they
  /// save at least this many operations (SIZE_MAX: never): for a writer
  /// that computes a group with one vector operation.
  size_t lanes_min_saving = SIZE_MAX;
};

struct KernelPlan {
  static constexpr uint32_t kNone = UINT32_MAX;
  const KernelSpec* spec = nullptr;
  Schedule schedule;
  std::vector<PlanItem> items;
  std::vector<size_t> part_begin;  ///< part p is items [part_begin[p], part_begin[p+1])
  std::vector<uint32_t> def_part;  ///< by node id: the part whose Step computes it
  std::vector<uint32_t> slot;      ///< by node id: scratch slot, if a later part reads it
  uint32_t num_slots = 0;
  std::vector<PlanLoop> loops;     ///< in item order; never cut by a part boundary
  std::vector<uint32_t> loop_at;   ///< by item: the loop starting there, or kNone
  std::vector<uint32_t> node_loop; ///< by node id: the loop whose body computes it
  /// By array: set to zero (every entry, one loop) at the start of the first
  /// part; its entries that are structurally zero have no Store item.
  std::vector<bool> zero_filled;
  /// The lane groups (PlanOptions::lanes); the items keep each
  /// materialized group's Steps together.
  LanePlan lanes;

  size_t num_parts() const { return part_begin.size() - 1; }
  bool split() const { return num_parts() > 1; }
  /// Do the kernel's functions need a scratch array?
  bool has_scratch() const { return split() || num_slots > 0; }
  /// Is any array zero-filled?
  bool zero_fills() const {
    for (bool z : zero_filled)
      if (z) return true;
    return false;
  }
  /// Does code in part `part` outside the loop computing node `id` read it
  /// from the scratch array?
  bool from_scratch(NodeId id, size_t part) const {
    return slot[id] != kNone && (def_part[id] < part || node_loop[id] != kNone);
  }
};

/// Plan the kernel `spec` over `g`.
KernelPlan make_kernel_plan(const Graph& g, const KernelSpec& spec,
                            const PlanOptions& opts = {});

/// The scheduled values and Input nodes that `item`'s text reads: a Step's
/// operands or a Store's root, looking through inlined nodes.
void item_references(const Graph& g, const Schedule& s, const PlanItem& item,
                     std::vector<NodeId>& out);

/// What `item` weighs in a part (and toward --reroll-min): a Step the nodes
/// of its expression, a Store 1. `scratch` is reused storage.
size_t item_weight(const Graph& g, const Schedule& s, const PlanItem& item,
                   std::vector<NodeId>& scratch);

/// The nodes the expression of `id` consists of: `id` and the non-scheduled
/// nodes inlined into it, ascending (operands first). Constants, inputs and
/// scheduled operands are not included.
void expression_nodes(const Graph& g, const Schedule& s, NodeId id, std::vector<NodeId>& out);

}  // namespace gradc
