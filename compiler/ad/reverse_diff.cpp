// reverse_diff.cpp - adjoint accumulation over the cone between the seeded
// roots and the wrt inputs, in descending id order.
#include "ad/reverse_diff.h"

#include <algorithm>
#include <cmath>

#include "ad/derivative_rules.h"

namespace gradc {

ReverseSweeps::ReverseSweeps(Builder& b, const std::vector<NodeId>& wrt)
    : b_(b), size_(b.graph().size()), wrt_(wrt) {
  const Graph& g = b.graph();
  // depends[id]: does node id depend on any wrt input? Only those need
  // adjoints. finite[id]: finite_cone. Operands have smaller ids, so one
  // forward loop suffices.
  depends_.assign(size_, false);
  finite_.assign(size_, false);
  for (NodeId w : wrt) depends_[w] = true;
  for (NodeId id = 0; id < size_; ++id) {
    const Node& n = g[id];
    for (int i = 0; i < arity(n); ++i) depends_[id] = depends_[id] || depends_[operand(n, i)];
    finite_[id] = finite_cone(g, id, finite_);
  }
  selected_.assign(size_, false);
  stamp_.assign(size_, 0);
  adj_.assign(size_, kNoNode);
}

namespace {
// The ops of a preaccumulated statement: partials 1, -1 or the other
// operand, forward values that every sweep shares.
bool is_polynomial(Op op) {
  return op == Op::Add || op == Op::Sub || op == Op::Mul || op == Op::Neg;
}
}  // namespace

void ReverseSweeps::preaccumulate_statements() {
  const Graph& g = b_.graph();
  // interior_[x]: x is +, -, * or negation with one use, by a node that is
  // one too: part of that user's statement.
  std::vector<uint32_t> uses(size_, 0);
  std::vector<NodeId> user(size_, kNoNode);
  for (NodeId id = 0; id < size_; ++id) {
    const Node& n = g[id];
    for (int i = 0; i < arity(n); ++i) {
      ++uses[operand(n, i)];
      user[operand(n, i)] = id;
    }
  }
  interior_.assign(size_, false);
  for (NodeId x = 0; x < size_; ++x)
    interior_[x] = uses[x] == 1 && is_polynomial(g[x].op) && is_polynomial(g[user[x]].op);
  for (NodeId w : wrt_)  // a wrt value needs its own adjoint: a leaf (`wrt h`)
    if (w < size_) interior_[w] = false;
  local_.assign(size_, kNoNode);
}

bool ReverseSweeps::has_interior_operand(NodeId id) const {
  const Node& n = b_.graph()[id];
  for (int i = 0; i < arity(n); ++i)
    if (interior_[operand(n, i)]) return true;
  return false;
}

// The local partials of statement `root` (a +, -, * or negation whose
// interior operands are expanded) with respect to its leaves, as forward
// values: leaves_ and local_[leaf]. A statement is a tree (each interior
// node has one use), so a node's partial is complete when its user is
// expanded; an explicit stack, no recursion. Each edge builds at most a
// product and a sum, once (later sweeps walk the statement again and find
// them hash-consed). False, with no partials kept, where a partial is a
// constant that is not finite (1e200*1e200): an adjoint 0 times it is NaN,
// where the edges' products, (0*1e200)*1e200, give 0; such a statement
// takes the sweep edge by edge.
bool ReverseSweeps::statement_partials(NodeId root) {
  const Graph& g = b_.graph();
  leaves_.clear();
  stack_.assign(1, {root, b_.one()});
  while (!stack_.empty()) {
    auto [id, partial] = stack_.back();
    stack_.pop_back();
    const Node n = g[id];  // a copy: the builder may grow the arena
    for (int i = 0; i < arity(n); ++i) {
      NodeId x = operand(n, i);
      if (!depends_[x]) continue;
      NodeId p = partial_times(b_, id, i, partial);  // d root / d x along this edge
      if (p == kNoNode) continue;
      if (double v; g.constant_value(p, v) && !std::isfinite(v)) {
        for (NodeId leaf : leaves_) local_[leaf] = kNoNode;
        leaves_.clear();
        stack_.clear();
        return false;
      }
      if (interior_[x]) {
        stack_.push_back({x, p});
      } else if (local_[x] == kNoNode) {
        local_[x] = p;
        leaves_.push_back(x);
      } else {
        local_[x] = b_.add(local_[x], p);
      }
    }
  }
  return true;
}

// adj_[x] += contribution (nothing for kNoNode), from a node whose adjoint
// holds a selection's mask if `selected`: x's adjoint then does too.
void ReverseSweeps::accumulate(NodeId x, NodeId contribution, bool selected) {
  if (contribution == kNoNode) return;
  selected_[x] = selected_[x] || selected;
  Builder::KeepMasks keep(b_, finite_[x] && !selected_[x]);
  adj_[x] = adj_[x] == kNoNode ? contribution : b_.add(adj_[x], contribution);
}

bool ReverseSweeps::sweep(const std::vector<Seed>& seeds, std::vector<NodeId>& wrt_adjoints,
                          const AdjointHook& hook, const SweepBudget& budget) {
  const Graph& g = b_.graph();
  ++sweep_;
  // The cone: nodes reachable from the roots through operands that depend
  // on a wrt input (an explicit stack: no recursion).
  cone_.clear();
  auto visit = [&](NodeId id) {
    if (id >= size_ || !depends_[id] || stamp_[id] == sweep_) return;
    stamp_[id] = sweep_;
    adj_[id] = kNoNode;
    selected_[id] = false;
    cone_.push_back(id);
  };
  for (const Seed& s : seeds) visit(s.first);
  for (size_t i = 0; i < cone_.size(); ++i) {
    const Node& n = g[cone_[i]];
    for (int k = 0; k < arity(n); ++k) visit(operand(n, k));
  }
  for (const Seed& s : seeds)
    if (s.first < size_ && depends_[s.first]) {
      adj_[s.first] = adj_[s.first] == kNoNode ? s.second : b_.add(adj_[s.first], s.second);
      selected_[s.first] = selected_[s.first] || g.is_masked(s.second);  // a caller's mask
    }
  visits_ += cone_.size();
  if (visits_ > budget.max_visits) return false;
  std::sort(cone_.begin(), cone_.end(), std::greater<NodeId>());

  for (NodeId id : cone_) {
    if (adj_[id] == kNoNode) continue;
    if (hook) hook(sweep_ - 1, id, adj_[id]);
    const Node n = g[id];  // a copy: the builder may grow the arena
    // A ReLU gate in the adjoint stays one factor below here (see the header).
    const bool gate_once = finite_[id] && !selected_[id];
    const bool selected = selected_[id] || masks_as_selection(n.op);
    if (!interior_.empty() && is_polynomial(n.op) && has_interior_operand(id) &&
        statement_partials(id)) {
      // adj * d id / d leaf for each leaf of the statement: one product per
      // leaf in every sweep, the partials shared (preaccumulate_statements).
      for (NodeId x : leaves_) {
        NodeId contribution;
        {
          Builder::KeepMasks keep(b_, gate_once);
          contribution = seed_times(b_, adj_[id], local_[x]);  // adj * d id / d x
        }
        local_[x] = kNoNode;
        accumulate(x, contribution, selected);
      }
      if (g.size() > budget.max_nodes) return false;
      continue;
    }
    for_each_chain_edge(g, id, [&](const ChainEdge& e) {
      if (!depends_[e.x]) return;
      NodeId contribution;
      {
        Builder::KeepMasks keep(b_, gate_once);
        contribution = e.times(b_, adj_[id]);  // adj * d n / d x
      }
      accumulate(e.x, contribution, selected);
    });
    if (g.size() > budget.max_nodes) return false;
  }
  wrt_adjoints.assign(wrt_.size(), b_.zero());
  for (size_t j = 0; j < wrt_.size(); ++j)
    if (stamp_[wrt_[j]] == sweep_ && adj_[wrt_[j]] != kNoNode) wrt_adjoints[j] = adj_[wrt_[j]];
  return true;
}

std::optional<std::vector<NodeId>> reverse_jacobian(Builder& b, const std::vector<NodeId>& outputs,
                                                    const std::vector<NodeId>& wrt,
                                                    const AdjointHook& hook, const SweepBudget& budget,
                                                    size_t* visits, Preaccumulation statements) {
  ReverseSweeps sweeps(b, wrt);
  // A statement's partials are built once for every sweep through it: with
  // one sweep they cost about what its edges do (a chain of products costs
  // more: 0.1-0.2% more operations on random programs), with two or more
  // they are shared, and each sweep's chain of adjoints is shorter (the
  // partials are forward values, computed off that chain).
  if (statements == Preaccumulation::On ||
      (statements == Preaccumulation::Auto && outputs.size() >= 2))
    sweeps.preaccumulate_statements();
  std::vector<NodeId> jac(outputs.size() * wrt.size(), b.zero()), row;
  for (size_t out = 0; out < outputs.size(); ++out) {
    if (!sweeps.sweep({{outputs[out], b.one()}}, row, hook, budget)) return std::nullopt;
    std::copy(row.begin(), row.end(), jac.begin() + long(out * wrt.size()));
  }
  if (visits) *visits = sweeps.visits();
  return jac;
}

}  // namespace gradc
