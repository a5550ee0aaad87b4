// reroll.cpp - finding loops among a kernel's plan items (see reroll.h).
// Loops over items and over the bounded-depth expressions inlined into
// them; no recursion.
#include "plan/reroll.h"

#include <cstring>
#include <unordered_map>

#include "plan/kernel_plan.h"

namespace gradc {

namespace {

constexpr uint32_t kNone = UINT32_MAX;
constexpr uint32_t kMinCount = 4;         // iterations a loop needs at least
constexpr uint32_t kMaxBody = 512;        // items per iteration at most
constexpr int kCandidates = 4;            // periods tried per starting item
constexpr size_t kWastedWorkPerItem = 64; // token comparisons spent on failed candidates

// One token of an item's shape, in preorder: an operation, or a leaf (a
// constant, an input, or a value with a statement of its own).
struct Token {
  bool leaf;
  NodeId node;
};

uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h;
}

class Reroller {
 public:
  Reroller(const Graph& g, const KernelSpec& spec, const Schedule& s,
           const std::vector<PlanItem>& items, size_t min_nodes)
      : g_(g), spec_(spec), s_(s), items_(items), min_nodes_(min_nodes) {}

  std::vector<PlanLoop> run();

 private:
  void shape(size_t item, std::vector<Token>& out) const;
  uint64_t shape_hash(size_t item);
  /// The loop starting at `p` with `k` items per iteration (count 0 if none).
  PlanLoop try_loop(size_t p, uint32_t k, size_t& work);
  bool same_leaf(const LoopLeaf& a, const LoopLeaf& b) const {
    return a.kind == b.kind && a.stride == b.stride && a.carry == b.carry && a.table == b.table;
  }
  /// An input, or a value computed before item `p`.
  bool before(NodeId x, size_t p) const {
    return g_[x].op == Op::Input || (s_.materialized[x] && def_item_[x] < p);
  }
  /// Classify the leaf X0 of iteration 0 from its counterpart X1 in
  /// iteration 1: a LoopLeaf, or local (body position in `local`).
  bool classify(size_t p, uint32_t k, NodeId x0, NodeId x1, LoopLeaf& leaf, uint32_t& local) const;
  /// ... as anything but a Table.
  bool affine_leaf(size_t p, uint32_t k, NodeId x0, NodeId x1, LoopLeaf& leaf,
                   uint32_t& local) const;
  /// Does Xi, in iteration i, follow `leaf` (or local position `local`)?
  /// A Table leaf takes Xi as its entry i (or checks it, if it has one).
  bool predicted(size_t p, uint32_t k, uint32_t i, LoopLeaf& leaf, uint32_t local,
                 NodeId xi) const;

  const Graph& g_;
  const KernelSpec& spec_;
  const Schedule& s_;
  const std::vector<PlanItem>& items_;
  size_t min_nodes_;
  std::vector<uint32_t> def_item_;   // by node: the item of its Step
  std::vector<uint32_t> node_loop_;  // by node: the loop whose body computes it
  std::vector<PlanLoop> loops_;
  std::vector<uint64_t> hash_;  // by item: its shape hash
  std::vector<Token> tokens_;   // scratch for shape_hash
  std::vector<NodeId> expr_;    // scratch for item_weight
};

void Reroller::shape(size_t item, std::vector<Token>& out) const {
  out.clear();
  const PlanItem& it = items_[item];
  auto is_leaf = [&](NodeId x) {
    Op op = g_[x].op;
    return op == Op::Const || op == Op::Input || s_.materialized[x];
  };
  std::vector<NodeId> todo;
  if (it.kind == PlanItem::Step || !is_leaf(it.node)) {
    todo.push_back(it.node);
  } else {
    out.push_back({true, it.node});
    return;
  }
  bool root = true;
  while (!todo.empty()) {  // the inlined expression has bounded depth
    NodeId x = todo.back();
    todo.pop_back();
    if (!root && is_leaf(x)) {
      out.push_back({true, x});
      continue;
    }
    root = false;
    out.push_back({false, x});
    const Node& n = g_[x];
    for (int i = arity(n) - 1; i >= 0; --i) todo.push_back(operand(n, i));
  }
}

uint64_t Reroller::shape_hash(size_t item) {
  std::vector<Token>& t = tokens_;  // reused: one allocation for all items
  shape(item, t);
  const PlanItem& it = items_[item];
  uint64_t h = mix(it.kind, it.kind == PlanItem::Store ? it.array : 0);
  for (const Token& tok : t) {
    const Node& n = g_[tok.node];
    if (!tok.leaf) {
      h = mix(h, 100 + uint64_t(n.op));
    } else if (n.op == Op::Const) {
      double v = g_.const_value(tok.node);
      uint64_t bits;
      std::memcpy(&bits, &v, sizeof bits);
      h = mix(h, bits);
    } else if (n.op == Op::Input) {
      h = mix(h, 1 + spec_.read_arg_of(n.a));
    } else {
      h = mix(h, 7);
    }
  }
  return h;
}

bool Reroller::classify(size_t p, uint32_t k, NodeId x0, NodeId x1, LoopLeaf& leaf,
                        uint32_t& local) const {
  if (affine_leaf(p, k, x0, x1, leaf, local)) return true;
  // Anything else computed before the loop: a table of values.
  if (!before(x0, p) || !before(x1, p)) return false;
  local = kNone;
  leaf = LoopLeaf{};
  leaf.kind = LoopLeaf::Table;
  leaf.node = x0;
  leaf.table = {x0, x1};
  return true;
}

bool Reroller::affine_leaf(size_t p, uint32_t k, NodeId x0, NodeId x1, LoopLeaf& leaf,
                           uint32_t& local) const {
  local = kNone;
  leaf = LoopLeaf{};
  leaf.node = x0;
  const Node& n0 = g_[x0];
  const Node& n1 = g_[x1];
  if (n0.op == Op::Input) {
    if (n1.op != Op::Input) return false;
    leaf.stride = int64_t(n1.a) - int64_t(n0.a);
    if (leaf.stride != 0) leaf.kind = LoopLeaf::Input;
    return leaf.stride == 0 || spec_.read_arg_of(n1.a) == spec_.read_arg_of(n0.a);
  }
  if (!s_.materialized[x0] || !s_.materialized[x1]) return false;
  size_t d0 = def_item_[x0], d1 = def_item_[x1];
  if (d0 >= p && d0 < p + k) {  // computed in iteration 0: the same iteration's value
    local = uint32_t(d0 - p);
    return d1 == d0 + k;
  }
  if (d0 >= p) return false;
  if (x0 == x1) return true;                // invariant
  if (d1 >= p && d1 < p + k) {              // iteration 1 reads iteration 0's value
    leaf.kind = LoopLeaf::Carry;
    leaf.carry = x1;
    return true;
  }
  uint32_t l = node_loop_[x0];
  if (l == kNone || node_loop_[x1] != l) return false;
  const PlanLoop& loop = loops_[l];
  size_t r0 = d0 - loop.first, r1 = d1 - loop.first;
  if (r0 % loop.body != r1 % loop.body) return false;
  leaf.kind = LoopLeaf::Scratch;
  leaf.stride = int64_t(r1 / loop.body) - int64_t(r0 / loop.body);
  return true;
}

bool Reroller::predicted(size_t p, uint32_t k, uint32_t i, LoopLeaf& leaf, uint32_t local,
                         NodeId xi) const {
  if (local != kNone)
    return s_.materialized[xi] && def_item_[xi] == p + size_t(i) * k + local;
  switch (leaf.kind) {
    case LoopLeaf::Invariant: return xi == leaf.node;
    case LoopLeaf::Input: {
      const Node& n = g_[xi];
      int64_t want = int64_t(g_[leaf.node].a) + leaf.stride * i;
      return n.op == Op::Input && int64_t(n.a) == want &&
             spec_.read_arg_of(n.a) == spec_.read_arg_of(g_[leaf.node].a);
    }
    case LoopLeaf::Carry:
      return s_.materialized[xi] && def_item_[xi] == p + size_t(i - 1) * k + (def_item_[leaf.carry] - p);
    case LoopLeaf::Scratch: {
      if (!s_.materialized[xi] || node_loop_[xi] != node_loop_[leaf.node]) return false;
      const PlanLoop& loop = loops_[node_loop_[xi]];
      size_t r0 = def_item_[leaf.node] - loop.first, ri = def_item_[xi] - loop.first;
      return ri % loop.body == r0 % loop.body &&
             int64_t(ri / loop.body) == int64_t(r0 / loop.body) + leaf.stride * i;
    }
    case LoopLeaf::Table:
      if (leaf.table.size() > i) return leaf.table[i] == xi;
      if (!before(xi, p)) return false;
      leaf.table.push_back(xi);
      return true;
  }
  return false;
}

PlanLoop Reroller::try_loop(size_t p, uint32_t k, size_t& work) {
  PlanLoop loop;
  loop.first = p;
  loop.body = k;
  if (p + 2 * size_t(k) > items_.size()) return loop;
  // Items of different shapes never match: a cheap test before the real one.
  for (uint32_t j = 0; j < k; ++j, ++work)
    if (hash_[p + j] != hash_[p + k + j]) return loop;
  // Iteration 0's shapes, and each leaf site classified from iteration 1.
  std::vector<std::vector<Token>> body(k);
  // Each leaf site: its loop.leaves index, or its body position if local.
  struct Site {
    size_t leaf;
    uint32_t local;
  };
  std::vector<std::vector<Site>> sites(k);
  std::unordered_map<NodeId, size_t> leaf_index;                      // x0 -> loop.leaves
  std::vector<Token> other;
  loop.store_stride.assign(k, 0);
  auto same_shape = [&](size_t a, size_t b, const std::vector<Token>& ta,
                        std::vector<Token>& tb) {
    const PlanItem& ia = items_[a];
    const PlanItem& ib = items_[b];
    if (ia.kind != ib.kind || (ia.kind == PlanItem::Store && ia.array != ib.array)) return false;
    shape(b, tb);
    work += tb.size();
    if (ta.size() != tb.size()) return false;
    for (size_t t = 0; t < ta.size(); ++t) {
      if (ta[t].leaf != tb[t].leaf) return false;
      const Node& na = g_[ta[t].node];
      const Node& nb = g_[tb[t].node];
      if (!ta[t].leaf) {
        if (na.op != nb.op) return false;
      } else if (na.op == Op::Const || nb.op == Op::Const) {
        if (na.op != nb.op) return false;
        double va = g_.const_value(ta[t].node), vb = g_.const_value(tb[t].node);
        if (std::memcmp(&va, &vb, sizeof va) != 0) return false;
      }
    }
    return true;
  };
  for (uint32_t j = 0; j < k; ++j) {
    shape(p + j, body[j]);
    if (!same_shape(p + j, p + k + j, body[j], other)) return loop;
    for (size_t t = 0; t < other.size(); ++t) {
      if (!body[j][t].leaf || g_[body[j][t].node].op == Op::Const) continue;
      LoopLeaf leaf;
      uint32_t local;
      if (!classify(p, k, body[j][t].node, other[t].node, leaf, local)) return loop;
      if (local != kNone) {
        sites[j].push_back({0, local});
        continue;
      }
      auto [it, fresh] = leaf_index.try_emplace(leaf.node, loop.leaves.size());
      if (fresh) loop.leaves.push_back(leaf);
      else if (!same_leaf(loop.leaves[it->second], leaf)) return loop;
      sites[j].push_back({it->second, kNone});
    }
    if (items_[p + j].kind == PlanItem::Store) {
      loop.store_stride[j] = int64_t(items_[p + k + j].index) - int64_t(items_[p + j].index);
      if (loop.store_stride[j] == 0) return loop;
    }
  }
  // Further iterations as long as each follows the pattern.
  uint32_t count = 2;
  for (; p + size_t(count + 1) * k <= items_.size(); ++count) {
    bool ok = true;
    for (uint32_t j = 0; j < k && ok; ++j) {
      size_t at = p + size_t(count) * k + j;
      if (!same_shape(p + j, at, body[j], other)) {
        ok = false;
        break;
      }
      if (items_[at].kind == PlanItem::Store &&
          int64_t(items_[at].index) !=
              int64_t(items_[p + j].index) + loop.store_stride[j] * int64_t(count)) {
        ok = false;
        break;
      }
      size_t site = 0;
      for (size_t t = 0; t < other.size() && ok; ++t) {
        if (!body[j][t].leaf || g_[body[j][t].node].op == Op::Const) continue;
        const Site& at_site = sites[j][site++];
        LoopLeaf none;
        ok = predicted(p, k, count, at_site.local == kNone ? loop.leaves[at_site.leaf] : none,
                       at_site.local, other[t].node);
      }
    }
    if (!ok) break;
  }
  loop.count = count;
  for (LoopLeaf& leaf : loop.leaves)  // entries taken from a mismatching iteration
    if (leaf.table.size() > count) leaf.table.resize(count);
  return loop;
}

std::vector<PlanLoop> Reroller::run() {
  size_t n = items_.size();
  if (min_nodes_ == 0 || n < 2 * kMinCount) return {};
  def_item_.assign(g_.size(), kNone);
  node_loop_.assign(g_.size(), kNone);
  for (size_t i = 0; i < n; ++i)
    if (items_[i].kind == PlanItem::Step) def_item_[items_[i].node] = uint32_t(i);
  // next_same[i]: the next item with the same shape hash.
  std::vector<uint32_t> next_same(n, kNone);
  hash_.resize(n);
  for (size_t i = 0; i < n; ++i) hash_[i] = shape_hash(i);
  {
    std::unordered_map<uint64_t, uint32_t> last;
    for (size_t i = n; i-- > 0;) {
      uint64_t h = hash_[i];
      auto [it, fresh] = last.try_emplace(h, uint32_t(i));
      if (!fresh) {
        next_same[i] = it->second;
        it->second = uint32_t(i);
      }
    }
  }
  size_t wasted = 0, budget = kWastedWorkPerItem * n;
  for (size_t p = 0; p < n && wasted <= budget;) {
    PlanLoop best;
    size_t q = p;
    for (int c = 0; c < kCandidates; ++c) {
      q = next_same[q];
      if (q == kNone || q - p > kMaxBody) break;
      size_t work = 0;
      PlanLoop loop = try_loop(p, uint32_t(q - p), work);
      size_t nodes = 0;
      for (uint32_t j = 0; j < loop.body && loop.count >= kMinCount; ++j)
        nodes += item_weight(g_, s_, items_[p + j], expr_);
      size_t tables = 0;
      for (const LoopLeaf& leaf : loop.leaves) tables += leaf.kind == LoopLeaf::Table;
      bool good = loop.count >= kMinCount && nodes * loop.count >= min_nodes_ &&
                  tables * kNodesPerTable <= nodes;
      if (good && loop.count * size_t(loop.body) > best.count * size_t(best.body))
        best = std::move(loop);
      else
        wasted += work;
    }
    if (best.count == 0) {
      ++p;
      continue;
    }
    uint32_t l = uint32_t(loops_.size());
    for (size_t i = best.first; i < best.end(); ++i)
      if (items_[i].kind == PlanItem::Step) node_loop_[items_[i].node] = l;
    p = best.end();
    loops_.push_back(std::move(best));
  }
  return std::move(loops_);
}

}  // namespace

std::vector<PlanLoop> find_loops(const Graph& g, const KernelSpec& spec, const Schedule& s,
                                 const std::vector<PlanItem>& items, size_t min_nodes) {
  return Reroller(g, spec, s, items, min_nodes).run();
}

}  // namespace gradc
