// jacobian.cpp - forward or reverse mode, and the automatic choice between
// them by counted operations.
#include "ad/jacobian.h"

#include "ad/forward_diff.h"
#include "ad/reverse_diff.h"
#include "plan/schedule.h"

#include <algorithm>

namespace gradc {

std::string_view diff_mode_name(DiffMode m) {
  switch (m) {
    case DiffMode::Auto: return "auto";
    case DiffMode::Forward: return "forward";
    case DiffMode::Reverse: return "reverse";
  }
  return "?";
}

namespace {

struct Attempt {
  std::optional<std::vector<NodeId>> jacobian;
  std::vector<std::pair<NodeId, std::string>> names;
  size_t visits = 0;  ///< nodes the sweeps visited
};

// One mode, stopping once `budget` is exceeded.
Attempt attempt(Builder& b, const std::vector<NodeId>& outputs, const std::vector<NodeId>& wrt,
                DiffMode mode, const DerivativeNamer& namer, const SweepBudget& budget) {
  Attempt a;
  const size_t before = b.graph().size();
  auto hook = [&](size_t sweep, NodeId node, NodeId deriv) {
    if (!namer || deriv < before) return;  // a value the program already has keeps its name
    if (std::optional<std::string> name = namer(mode, sweep, node))
      a.names.emplace_back(deriv, std::move(*name));
  };
  a.jacobian = mode == DiffMode::Forward
                   ? forward_jacobian(b, outputs, wrt, hook, budget, &a.visits)
                   : reverse_jacobian(b, outputs, wrt, hook, budget, &a.visits);
  if (a.jacobian)  // results need no mask around a masked sum (Builder::unmasked_root)
    for (NodeId& entry : *a.jacobian) entry = b.unmasked_root(entry);
  return a;
}

size_t kernel_ops(const Graph& g, const std::vector<NodeId>& outputs,
                  const std::vector<NodeId>& jac) {
  std::vector<NodeId> roots = outputs;
  roots.insert(roots.end(), jac.begin(), jac.end());
  return count_operations(g, roots);
}

}  // namespace

JacobianResult build_jacobian(Builder& b, const std::vector<NodeId>& outputs,
                              const std::vector<NodeId>& wrt, DiffMode mode,
                              const DerivativeNamer& namer) {
  JacobianResult r;
  auto record = [&](DiffMode m, size_t ops) { (m == DiffMode::Forward ? r.forward_ops : r.reverse_ops) = ops; };
  DiffMode first = mode != DiffMode::Auto ? mode
                   : wrt.size() < outputs.size() ? DiffMode::Forward
                                                 : DiffMode::Reverse;
  size_t start = b.graph().size();
  Attempt a = attempt(b, outputs, wrt, first, namer, {});  // bounded by the graph's node limit
  size_t first_ops = kernel_ops(b.graph(), outputs, *a.jacobian);
  record(first, first_ops);
  r.mode = first;
  r.jacobian = std::move(*a.jacobian);
  r.names = std::move(a.names);
  if (mode != DiffMode::Auto) return r;

  // The other mode may make twice the nodes of the first (plus room for the
  // dead nodes that simplification leaves in small programs) and visit four
  // times as many nodes before it is stopped: a mode that needs far more
  // sweeps never runs to the end, even when hash-consing keeps its graph
  // small. It never takes more than half the room left under the graph's
  // node limit, so the stages after it still fit.
  DiffMode second = first == DiffMode::Forward ? DiffMode::Reverse : DiffMode::Forward;
  const size_t size = b.graph().size(), made = size - start;
  const size_t room = b.graph().node_limit() - size;
  SweepBudget budget{
      .max_nodes = size + std::min(room / 2, 2 * made + start + kAutoSlackNodes),
      .max_visits = 4 * a.visits + start + kAutoSlackNodes};
  Attempt other = attempt(b, outputs, wrt, second, namer, budget);
  // The mode not taken leaves no nodes behind: at 20,000 random statements
  // an abandoned forward attempt was two thirds of the whole graph.
  if (!other.jacobian) {
    b.graph().truncate(size);
    return r;
  }
  size_t second_ops = kernel_ops(b.graph(), outputs, *other.jacobian);
  record(second, second_ops);
  if (second_ops < first_ops) {
    r.mode = second;
    r.jacobian = std::move(*other.jacobian);
    r.names = std::move(other.names);
  } else {
    b.graph().truncate(size);
  }
  return r;
}

}  // namespace gradc
