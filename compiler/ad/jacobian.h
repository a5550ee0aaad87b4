// jacobian.h - the Jacobian of the outputs with respect to the wrt inputs,
// by forward mode (one tangent sweep per wrt scalar), reverse mode (one
// adjoint sweep per output scalar), or whichever needs fewer operations.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ir/builder.h"

namespace gradc {

/// How the Jacobian is accumulated (--mode).
enum class DiffMode : uint8_t { Auto, Forward, Reverse };

/// "auto", "forward", "reverse".
std::string_view diff_mode_name(DiffMode m);

/// A name for the derivative `deriv` of forward node `node`, made in sweep
/// `sweep` of mode `mode` (forward: the wrt scalar; reverse: the output
/// scalar), or nullopt: how intermediate derivatives get names (`dw_da`).
using DerivativeNamer =
    std::function<std::optional<std::string>(DiffMode mode, size_t sweep, NodeId node)>;

struct JacobianResult {
  std::vector<NodeId> jacobian;  ///< m*k, row-major
  DiffMode mode;                 ///< the mode built: Forward or Reverse
  /// Operations (live non-leaf nodes of outputs + Jacobian) of each mode's
  /// kernel; nullopt for a mode not built, or stopped once it had made more
  /// nodes than the other mode's whole Jacobian.
  std::optional<size_t> forward_ops, reverse_ops;
  /// Preferred names of intermediate derivatives of the chosen mode.
  std::vector<std::pair<NodeId, std::string>> names;
};

/// Nodes the second mode of Auto may make (and visit) beyond twice (four
/// times) the first mode's and the program's own.
inline constexpr size_t kAutoSlackNodes = 10000;

/// Build the Jacobian of `outputs` with respect to `wrt` in `mode`. With
/// Auto, the mode with fewer sweeps is built first, then the other one with
/// a node budget of twice what the first made plus the size of the program
/// and a visit budget of four times the first's visits (each plus
/// kAutoSlackNodes); the one with fewer operations is chosen (the first on a
/// tie). The graph's node limit bounds both (NodeLimitExceeded); the second
/// attempt takes at most half the room left under it.
JacobianResult build_jacobian(Builder& b, const std::vector<NodeId>& outputs,
                              const std::vector<NodeId>& wrt, DiffMode mode,
                              const DerivativeNamer& namer = {});

}  // namespace gradc
