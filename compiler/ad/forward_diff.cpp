// forward_diff.cpp - tangent propagation over the cone between the seeds
// and the targets, in ascending id order.
#include "ad/forward_diff.h"

#include <algorithm>

#include "ad/derivative_rules.h"
#include "plan/schedule.h"

namespace gradc {

ForwardSweeps::ForwardSweeps(Builder& b, const std::vector<NodeId>& targets)
    : b_(b), size_(b.graph().size()), targets_(targets) {
  const Graph& g = b.graph();
  // Users of each node that a target depends on, as compressed rows.
  std::vector<bool> needed = live_nodes(g, targets);
  user_begin_.assign(size_ + 1, 0);
  for (NodeId id = 0; id < size_; ++id) {
    if (!needed[id]) continue;
    const Node& n = g[id];
    for (int i = 0; i < arity(n); ++i) ++user_begin_[operand(n, i) + 1];
  }
  for (size_t id = 0; id < size_; ++id) user_begin_[id + 1] += user_begin_[id];
  users_.resize(user_begin_[size_]);
  std::vector<uint32_t> next(user_begin_.begin(), user_begin_.end() - 1);
  for (NodeId id = 0; id < size_; ++id) {
    if (!needed[id]) continue;
    const Node& n = g[id];
    for (int i = 0; i < arity(n); ++i) users_[next[operand(n, i)]++] = id;
  }
  stamp_.assign(size_, 0);
  tan_.assign(size_, kNoNode);
}

bool ForwardSweeps::sweep(const std::vector<Seed>& seeds, std::vector<NodeId>& target_tangents,
                          const TangentHook& hook, const SweepBudget& budget) {
  const Graph& g = b_.graph();
  ++sweep_;
  // The cone: nodes reachable from the seeds through their users.
  cone_.clear();
  auto visit = [&](NodeId id) {
    if (id >= size_ || stamp_[id] == sweep_) return;
    stamp_[id] = sweep_;
    tan_[id] = kNoNode;
    cone_.push_back(id);
  };
  for (const Seed& s : seeds) visit(s.first);
  for (size_t i = 0; i < cone_.size(); ++i)
    for (uint32_t u = user_begin_[cone_[i]]; u < user_begin_[cone_[i] + 1]; ++u) visit(users_[u]);
  for (const Seed& s : seeds)
    if (s.first < size_)
      tan_[s.first] = tan_[s.first] == kNoNode ? s.second : b_.add(tan_[s.first], s.second);
  visits_ += cone_.size();
  if (visits_ > budget.max_visits) return false;
  std::sort(cone_.begin(), cone_.end());

  auto tangent_of = [&](NodeId x) { return stamp_[x] == sweep_ ? tan_[x] : kNoNode; };
  for (NodeId id : cone_) {
    const Node n = g[id];  // a copy: the builder may grow the arena
    NodeId t = tan_[id];   // a seed's own tangent
    if (n.op == Op::Select) {
      // d(c ? a : b) = c ? da : db: the value and the tangent come from the
      // taken branch (SPEC 1), so an untaken NaN never leaks.
      NodeId ta = tangent_of(n.b), tb = tangent_of(n.c);
      if (ta != kNoNode || tb != kNoNode) {
        NodeId d = b_.select(n.a, ta == kNoNode ? b_.zero() : ta, tb == kNoNode ? b_.zero() : tb);
        t = t == kNoNode ? d : b_.add(t, d);
      }
    } else {
      for_each_chain_edge(g, id, [&](const ChainEdge& e) {
        NodeId tx = tangent_of(e.x);
        if (tx == kNoNode) return;
        NodeId contribution = e.times(b_, tx);  // d n / d x * dx
        if (contribution == kNoNode) return;
        t = t == kNoNode ? contribution : b_.add(t, contribution);
      });
    }
    tan_[id] = t;
    if (hook && t != kNoNode) hook(sweep_ - 1, id, t);
    if (g.size() > budget.max_nodes) return false;
  }
  target_tangents.assign(targets_.size(), b_.zero());
  for (size_t i = 0; i < targets_.size(); ++i)
    if (NodeId t = tangent_of(targets_[i]); t != kNoNode) target_tangents[i] = t;
  return true;
}

std::optional<std::vector<NodeId>> forward_jacobian(Builder& b, const std::vector<NodeId>& outputs,
                                                    const std::vector<NodeId>& wrt,
                                                    const TangentHook& hook, const SweepBudget& budget,
                                                    size_t* visits) {
  ForwardSweeps sweeps(b, outputs);
  const size_t k = wrt.size();
  std::vector<NodeId> jac(outputs.size() * k, b.zero()), column;
  for (size_t j = 0; j < k; ++j) {
    if (!sweeps.sweep({{wrt[j], b.one()}}, column, hook, budget)) return std::nullopt;
    for (size_t i = 0; i < outputs.size(); ++i) jac[i * k + j] = column[i];
  }
  if (visits) *visits = sweeps.visits();
  return jac;
}

}  // namespace gradc
