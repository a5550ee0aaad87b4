// test_schedule.cpp - liveness, which nodes get a statement (roots, shared
// values, named values, expressions past the inline limits), statement order,
// and naming: fixed and loose hints, fresh t1, t2, ... and unique_name.
#include "ir/builder.h"
#include "plan/schedule.h"
#include "unit_support.h"

using namespace gradc;

namespace {

struct Fixture {
  Graph g;
  Builder b{g};
  NodeId x = b.input(0), y = b.input(1);
  NameHints hints;
  Fixture() {
    hints.suggest(x, "x", true);
    hints.suggest(y, "y", true);
    hints.reserved = {"x", "y"};
  }
};

}  // namespace

TEST_CASE("live_nodes: exactly what the roots depend on") {
  Fixture f;
  NodeId a = f.b.mul(f.x, f.y);
  NodeId dead = f.b.unary(Op::Exp, f.y);
  NodeId root = f.b.unary(Op::Sin, a);
  std::vector<bool> live = live_nodes(f.g, {root});
  CHECK(live[root]);
  CHECK(live[a]);
  CHECK(live[f.x]);
  CHECK(live[f.y]);
  CHECK_FALSE(live[dead]);
  std::vector<bool> only_x = live_nodes(f.g, {f.x});
  CHECK(only_x[f.x]);
  CHECK_FALSE(only_x[f.y]);
}

TEST_CASE("a value used twice gets one statement; single-use values are inlined") {
  Fixture f;
  NodeId a = f.b.mul(f.x, f.y);
  NodeId s = f.b.unary(Op::Sin, a), c = f.b.unary(Op::Cos, a);
  NodeId root = f.b.add(s, c);
  Schedule sch = make_schedule(f.g, {root}, f.hints);
  CHECK(sch.materialized[a]);
  CHECK_FALSE(sch.materialized[root]);  // a root without a fixed name is used once: its store
  CHECK_FALSE(sch.materialized[s]);
  CHECK_FALSE(sch.materialized[c]);
  CHECK(sch.steps == std::vector<NodeId>{a});
  CHECK(sch.inputs == std::vector<NodeId>{f.x, f.y});
  CHECK(sch.name(f.x) == "x");
  CHECK(sch.name(a) == "t1");
  CHECK(sch.live_nodes == 6);  // x, y, a, sin, cos, +
}

TEST_CASE("roots get a statement when they have a fixed name or are shared; constants never do") {
  Fixture f;
  NodeId e = f.b.unary(Op::Exp, f.x), s = f.b.unary(Op::Sin, f.y), c = f.b.unary(Op::Cos, f.y);
  NodeId k = f.b.constant(3);
  f.hints.suggest(e, "e", true);
  f.hints.reserved.insert("e");
  NodeId uses_c = f.b.mul(c, f.x);
  Schedule sch = make_schedule(f.g, {e, k, f.y, s, c, uses_c}, f.hints);
  CHECK(sch.materialized[e]);        // fixed name
  CHECK_FALSE(sch.materialized[s]);  // stored once: inlined into its store
  CHECK(sch.materialized[c]);        // a root that another root uses too
  CHECK_FALSE(sch.materialized[k]);
  CHECK(sch.steps == std::vector<NodeId>{e, c});
  CHECK(sch.name(e) == "e");
  CHECK(sch.inputs == std::vector<NodeId>{f.x, f.y});
}

TEST_CASE("fixed hints are used exactly; loose hints are made unique; fresh names skip reserved ones") {
  Fixture f;
  NodeId a = f.b.unary(Op::Exp, f.x), c = f.b.unary(Op::Sin, f.y);
  NodeId shared = f.b.mul(a, c);
  NodeId r1 = f.b.add(shared, f.x), r2 = f.b.sub(shared, f.y), r3 = f.b.mul(shared, shared);
  f.hints.suggest(a, "a", true);
  f.hints.suggest(shared, "x", false);  // loose, and clashes with the input
  f.hints.suggest(r1, "out", true);
  f.hints.reserved.insert({"a", "out", "t1"});
  NodeId r4 = f.b.add(r2, r3);  // uses r2 and r3 again, so they get statements
  Schedule sch = make_schedule(f.g, {r1, r2, r3, r4}, f.hints);
  CHECK(sch.materialized[a]);  // named in the source
  CHECK(sch.name(a) == "a");
  CHECK(sch.name(r1) == "out");
  CHECK(sch.name(shared) == "x_2");
  CHECK(sch.name(r2) == "t2");  // t1 is reserved
  CHECK(sch.name(r3) == "t3");
  CHECK_FALSE(sch.materialized[c]);
  // A loose hint on a node that is inlined anyway is not used.
  Fixture g;
  NodeId inner = g.b.unary(Op::Sin, g.x);
  NodeId root = g.b.unary(Op::Cos, inner);
  g.hints.suggest(inner, "loose", false);
  Schedule s2 = make_schedule(g.g, {root}, g.hints);
  CHECK_FALSE(s2.materialized[inner]);
}

TEST_CASE("steps are in ascending id order, so operands come first") {
  Fixture f;
  NodeId v = f.x;
  std::vector<NodeId> roots;
  for (int i = 0; i < 10; ++i) {
    v = f.b.add(f.b.mul(v, v), f.y);
    roots.push_back(v);
  }
  Schedule sch = make_schedule(f.g, roots, f.hints);
  CHECK(std::is_sorted(sch.steps.begin(), sch.steps.end()));
  for (NodeId id : sch.steps)
    for (int i = 0; i < arity(f.g[id]); ++i) {
      NodeId op = operand(f.g[id], i);
      if (sch.materialized[op]) CHECK(op < id);
    }
}

TEST_CASE("a long single-use chain is cut into statements by the inline limits") {
  Fixture f;
  NodeId v = f.x;
  const int n = 60;
  for (int i = 0; i < n; ++i) v = f.b.unary(Op::Sin, v);
  Schedule sch = make_schedule(f.g, {v}, f.hints);
  // Each statement is its own op over at most kMaxInlineHeight inlined levels.
  CHECK(sch.steps.size() >= size_t(n / (kMaxInlineHeight + 1)));
  CHECK(sch.steps.size() < size_t(n));
  // A wide single-use tree is cut by size.
  Fixture w;
  NodeId sum = w.b.unary(Op::Exp, w.x);
  for (int i = 0; i < 30; ++i) sum = w.b.add(sum, w.b.unary(Op::Sin, w.b.add(w.y, w.b.constant(i + 1))));
  Schedule ws = make_schedule(w.g, {sum}, w.hints);
  CHECK(ws.steps.size() + 1 >= 30 * 3 / kMaxInlineSize);  // + 1: the root's own store
}

TEST_CASE("unique_name: base, then base_2, base_3, ...") {
  std::unordered_set<std::string> used{"b"};
  CHECK(unique_name("a", used) == "a");
  CHECK(unique_name("a", used) == "a_2");
  CHECK(unique_name("a", used) == "a_3");
  CHECK(unique_name("b", used) == "b_2");
  CHECK(used.count("a_3") == 1);
}
