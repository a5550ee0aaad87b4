// schedule.h - what the emitters consume: which nodes a kernel needs, which
// get a statement of their own, and what each is called.
//
// A node gets a statement (is "materialized") when it is a root, is used
// more than once, carries a source name, or its inlined expression would grow
// past a small size; everything else is inlined into its single user. So
// each distinct subexpression is computed once, and expressions stay short.
#pragma once

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ir/ir.h"

namespace gradc {

/// Preferred names for nodes. A fixed name (a source name, an output or a
/// derivative `dw_dx`) always gets a statement under exactly that name; the
/// caller keeps fixed names unique and lists them in `reserved`. A loose name
/// (the adjoint of a named value, `dw_da`) is used only if the node gets a
/// statement anyway, made unique if needed.
struct NameHints {
  struct Hint {
    std::string name;
    bool fixed;
  };
  std::unordered_map<NodeId, Hint> hint;      ///< node -> preferred name
  std::unordered_set<std::string> reserved;   ///< never used for other names
  /// Set the hint for `node` unless it already has one.
  void suggest(NodeId node, std::string name, bool fixed) {
    hint.try_emplace(node, Hint{std::move(name), fixed});
  }
  /// Give `node` the fixed name `name` unless it already has a fixed one
  /// (a scalar definition takes a value from an array element's loose name).
  void claim(NodeId node, std::string name) {
    auto [it, fresh] = hint.try_emplace(node, Hint{name, true});
    if (!fresh && !it->second.fixed) it->second = Hint{std::move(name), true};
  }
};

struct Schedule {
  std::vector<NodeId> inputs;     ///< live Input nodes, ascending id
  std::vector<NodeId> steps;      ///< materialized nodes, ascending id (a topological order)
  std::vector<bool> materialized; ///< by node id
  std::unordered_map<NodeId, std::string> names;  ///< of inputs and materialized nodes
  size_t live_nodes = 0;          ///< live non-constant nodes (operation count + inputs)

  const std::string& name(NodeId id) const { return names.at(id); }
};

/// Limits on an inlined expression before it gets a statement of its own.
inline constexpr int kMaxInlineHeight = 6;
inline constexpr int kMaxInlineSize = 12;

/// Plan the computation of `roots`. Scalar input names come from `hints`;
/// fresh names are `t1, t2, ...`, skipping reserved ones.
Schedule make_schedule(const Graph& g, const std::vector<NodeId>& roots,
                       const NameHints& hints);

/// The nodes that `roots` depend on, by id.
std::vector<bool> live_nodes(const Graph& g, const std::vector<NodeId>& roots);

/// The number of operations (live non-leaf nodes) computing `roots`.
size_t count_operations(const Graph& g, const std::vector<NodeId>& roots);

/// `base` if unused, else `base_2`, `base_3`, ...; records the result.
std::string unique_name(const std::string& base, std::unordered_set<std::string>& used);

}  // namespace gradc
