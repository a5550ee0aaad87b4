// test_reverse_diff.cpp - reverse_jacobian on hand-built DAGs: fan-out
// accumulation, row-major m x k layout, outputs that do not depend on wrt,
// the adjoint hook, a very deep chain (no recursion), and statement-level
// preaccumulation against the plain sweeps.
#include <cmath>
#include <random>

#include "ir/builder.h"
#include "ad/reverse_diff.h"
#include "unit_support.h"

using namespace gradc;

namespace {

std::vector<double> values_of(const Graph& g, const std::vector<NodeId>& ids,
                              const std::vector<double>& in) {
  std::vector<double> v = evaluate(g, in), out;
  for (NodeId id : ids) out.push_back(v[id]);
  return out;
}

}  // namespace

TEST_CASE("gradient of x*y + sin(x): contributions through both uses of x add up") {
  Graph g;
  Builder b(g);
  NodeId x = b.input(0), y = b.input(1);
  NodeId f = b.add(b.mul(x, y), b.unary(Op::Sin, x));
  std::vector<NodeId> jac = *reverse_jacobian(b, {f}, {x, y});
  REQUIRE(jac.size() == 2);
  unit::Points pts(31);
  for (int k = 0; k < 20; ++k) {
    double xv = pts.uniform(-3, 3), yv = pts.uniform(-3, 3);
    std::vector<double> d = values_of(g, jac, {xv, yv});
    CHECK(unit::close_exact(d[0], yv + std::cos(xv)));
    CHECK(unit::close_exact(d[1], xv));
  }
}

TEST_CASE("a value used many times: w = a*a*a with a = x*y") {
  Graph g;
  Builder b(g);
  NodeId x = b.input(0), y = b.input(1);
  NodeId a = b.mul(x, y);
  NodeId w = b.mul(b.mul(a, a), a);
  std::vector<NodeId> jac = *reverse_jacobian(b, {w}, {x, y});
  std::vector<double> d = values_of(g, jac, {2.0, 3.0});
  CHECK(unit::close_exact(d[0], 3 * 36.0 * 3.0));  // 3 a^2 * y
  CHECK(unit::close_exact(d[1], 3 * 36.0 * 2.0));  // 3 a^2 * x
}

TEST_CASE("m x k layout: jac[i*k + j] = d out_i / d wrt_j, in the given wrt order") {
  Graph g;
  Builder b(g);
  NodeId x = b.input(0), y = b.input(1), z = b.input(2);
  NodeId o0 = b.mul(x, z), o1 = b.add(y, b.unary(Op::Exp, z)), o2 = b.constant(4);
  std::vector<NodeId> jac = *reverse_jacobian(b, {o0, o1, o2}, {z, x});
  REQUIRE(jac.size() == 6);
  std::vector<double> d = values_of(g, jac, {2.0, 3.0, 5.0});
  CHECK(d[0] == 2.0);                                 // d o0 / d z = x
  CHECK(d[1] == 5.0);                                 // d o0 / d x = z
  CHECK(unit::close_exact(d[2], std::exp(5.0)));      // d o1 / d z
  CHECK(d[3] == 0.0);                                 // d o1 / d x
  CHECK(d[4] == 0.0);                                 // a constant output
  CHECK(d[5] == 0.0);
  CHECK(g.is_const(jac[4], 0.0));
  CHECK(g.is_const(jac[5], 0.0));
}

TEST_CASE("an output that is a wrt input itself has derivative 1 to it and 0 to the others") {
  Graph g;
  Builder b(g);
  NodeId x = b.input(0), y = b.input(1);
  std::vector<NodeId> jac = *reverse_jacobian(b, {x}, {x, y});
  CHECK(g.is_const(jac[0], 1.0));
  CHECK(g.is_const(jac[1], 0.0));
}

TEST_CASE("a wrt input made after an output's root gets no stale adjoint from an earlier output") {
  Graph g;
  Builder b(g);
  NodeId x = b.input(0);
  NodeId o1 = b.unary(Op::Sin, x);
  NodeId y = b.input(1);  // id above o1
  NodeId o0 = b.mul(x, y);
  std::vector<NodeId> jac = *reverse_jacobian(b, {o0, o1}, {x, y});
  std::vector<double> d = values_of(g, jac, {2.0, 3.0});
  CHECK(d[0] == 3.0);
  CHECK(d[1] == 2.0);
  CHECK(unit::close_exact(d[2], std::cos(2.0)));
  CHECK(d[3] == 0.0);  // d sin(x) / d y
}

TEST_CASE("no wrt: an empty Jacobian; unused wrt input: zero column") {
  Graph g;
  Builder b(g);
  NodeId x = b.input(0), y = b.input(1);
  NodeId f = b.unary(Op::Sin, x);
  CHECK(reverse_jacobian(b, {f}, {})->empty());
  std::vector<NodeId> jac = *reverse_jacobian(b, {f}, {y});
  REQUIRE(jac.size() == 1);
  CHECK(g.is_const(jac[0], 0.0));
}

TEST_CASE("derivatives of several outputs share work through hash-consing") {
  Graph g;
  Builder b(g);
  NodeId x = b.input(0);
  NodeId s = b.unary(Op::Sin, b.mul(x, x));
  // Both outputs need d sin(x^2)/dx = cos(x^2)*2x; it is built once.
  std::vector<NodeId> one = *reverse_jacobian(b, {s}, {x});
  size_t size = g.size();
  std::vector<NodeId> two = *reverse_jacobian(b, {s, s}, {x});
  CHECK(two[0] == one[0]);
  CHECK(two[1] == one[0]);
  CHECK(g.size() == size);
}

TEST_CASE("the hook sees each node's complete adjoint once per output") {
  Graph g;
  Builder b(g);
  NodeId x = b.input(0), y = b.input(1);
  NodeId a = b.mul(x, y);                          // used twice below
  NodeId w = b.add(b.unary(Op::Sin, a), b.unary(Op::Exp, a));
  std::vector<std::pair<size_t, NodeId>> seen;
  NodeId adjoint_of_a = kNoNode;
  reverse_jacobian(b, {w}, {x, y}, [&](size_t out, NodeId node, NodeId adj) {
    seen.emplace_back(out, node);
    if (node == a) adjoint_of_a = adj;
  });
  size_t visits_of_a = 0, visits_of_w = 0;
  for (auto& [out, node] : seen) {
    CHECK(out == 0);
    visits_of_a += node == a;
    visits_of_w += node == w;
  }
  CHECK(visits_of_a == 1);
  CHECK(visits_of_w == 1);
  REQUIRE(adjoint_of_a != kNoNode);
  double av = 0.7 * 1.3;
  CHECK(unit::close_exact(evaluate(g, {0.7, 1.3})[adjoint_of_a], std::cos(av) + std::exp(av)));
}

TEST_CASE("a 200000-deep chain is differentiated without recursion") {
  Graph g;
  Builder b(g);
  NodeId x = b.input(0), v = x;
  const int n = 200000;
  for (int i = 0; i < n; ++i) v = b.unary(Op::Sin, v);
  std::vector<NodeId> jac = *reverse_jacobian(b, {v}, {x});
  // d/dx sin(sin(...sin(x))) = product of cos of each inner value.
  double value = 0.5, d = 1;
  for (int i = 0; i < n; ++i) {
    d *= std::cos(value);
    value = std::sin(value);
  }
  std::vector<double> vals = evaluate(g, {0.5});
  CHECK(unit::close(vals[v], value, 1e-12, 0));
  CHECK(unit::close(vals[jac[0]], d, 1e-9, 0));
}

// Statement-level preaccumulation (ReverseSweeps::preaccumulate_statements).

TEST_CASE("preaccumulation: L = 1 + k1*rsq + k2*rsq*rsq gets dL/drsq once for both outputs") {
  // Bundle adjustment's radial distortion: two outputs p0*L and p1*L. Each
  // sweep multiplies its adjoint of L by one shared partial instead of
  // distributing it over rsq's three uses.
  auto build = [](Graph& g, Preaccumulation p) {
    Builder b(g);
    NodeId p0 = b.input(0), p1 = b.input(1), k1 = b.input(2), k2 = b.input(3);
    NodeId rsq = b.add(b.mul(p0, p0), b.mul(p1, p1));
    NodeId L = b.add(b.add(b.one(), b.mul(k1, rsq)), b.mul(b.mul(k2, rsq), rsq));
    std::vector<NodeId> outs{b.mul(p0, L), b.mul(p1, L)};
    size_t before = g.size();
    std::vector<NodeId> jac = *reverse_jacobian(b, outs, {p0, p1, k1, k2}, {}, {}, nullptr, p);
    return std::make_pair(jac, g.size() - before);
  };
  Graph on_graph, off_graph;
  auto [on, made_on] = build(on_graph, Preaccumulation::On);
  auto [off, made_off] = build(off_graph, Preaccumulation::Off);
  CHECK(made_on < made_off);
  unit::Points pts(7);
  for (int k = 0; k < 50; ++k) {
    std::vector<double> in{pts.uniform(-1, 1), pts.uniform(-1, 1), pts.uniform(-0.1, 0.1),
                           pts.uniform(-0.01, 0.01)};
    std::vector<double> a = values_of(on_graph, on, in), b = values_of(off_graph, off, in);
    const double p0 = in[0], p1 = in[1], k1 = in[2], k2 = in[3];
    const double rsq = p0 * p0 + p1 * p1, L = 1 + k1 * rsq + k2 * rsq * rsq;
    const double dL = k1 + 2 * k2 * rsq;  // dL/drsq
    const double expected[] = {L + p0 * dL * 2 * p0, p0 * dL * 2 * p1, p0 * rsq, p0 * rsq * rsq,
                               p1 * dL * 2 * p0,     L + p1 * dL * 2 * p1, p1 * rsq, p1 * rsq * rsq};
    for (size_t i = 0; i < 8; ++i) {
      CHECK(unit::close_exact(a[i], expected[i]));
      CHECK(unit::close_exact(a[i], b[i]));
    }
  }
}

TEST_CASE("preaccumulation agrees with the plain sweeps on 300 random DAGs of three outputs") {
  // Random DAGs of + - * and negation (the statements' ops) mixed with
  // sin, exp, sqrt, ?: and max, whose values and derivatives are finite or
  // not in the same entries either way.
  int differ = 0;  // DAGs whose derivative graphs the preaccumulation changed
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    std::mt19937_64 rng(seed);
    auto pick = [&](size_t n) { return size_t(rng() % n); };
    auto build = [&](Graph& g, Preaccumulation p) {
      rng.seed(seed);
      Builder b(g);
      std::vector<NodeId> v{b.input(0), b.input(1), b.input(2)};
      for (int s = 0; s < 25; ++s) {
        NodeId x = v[v.size() - 1 - pick(std::min<size_t>(v.size(), 6))];
        NodeId y = v[pick(v.size())];
        switch (pick(9)) {
          case 0: v.push_back(b.add(x, y)); break;
          case 1: v.push_back(b.sub(x, y)); break;
          case 2: case 3: v.push_back(b.mul(x, y)); break;
          case 4: v.push_back(b.neg(b.mul(x, b.constant(0.5)))); break;
          case 5: v.push_back(b.unary(Op::Sin, x)); break;
          case 6: v.push_back(b.unary(Op::Sqrt, b.add(b.one(), b.mul(x, x)))); break;
          case 7: v.push_back(b.select(b.binary(Op::Gt, x, y), b.mul(x, x), y)); break;
          default: v.push_back(b.binary(Op::Max, x, b.unary(Op::Exp, y))); break;
        }
      }
      std::vector<NodeId> outs{v[v.size() - 1], v[v.size() - 2], b.mul(v[v.size() - 3], v[5])};
      return *reverse_jacobian(b, outs, {v[0], v[1], v[2]}, {}, {}, nullptr, p);
    };
    Graph on_graph, off_graph;
    std::vector<NodeId> on = build(on_graph, Preaccumulation::On);
    std::vector<NodeId> off = build(off_graph, Preaccumulation::Off);
    differ += on_graph.size() != off_graph.size() || on != off;
    unit::Points pts(seed);
    for (int k = 0; k < 5; ++k) {
      std::vector<double> in{pts.uniform(-1.5, 1.5), pts.uniform(-1.5, 1.5), pts.uniform(-1.5, 1.5)};
      std::vector<double> a = values_of(on_graph, on, in), b = values_of(off_graph, off, in);
      for (size_t i = 0; i < a.size(); ++i)
        CHECK_MESSAGE((std::isfinite(a[i]) == std::isfinite(b[i]) &&
                       (!std::isfinite(a[i]) || unit::close(a[i], b[i], 1e-9, 1e-12))),
                      "seed " << seed << " entry " << i << ": preaccumulated " << a[i]
                              << ", plain " << b[i]);
    }
  }
  CHECK(differ >= 100);  // 150 of the 300 when this was written
}

TEST_CASE("preaccumulation: a 200000-deep chain of products, no recursion") {
  Graph g;
  Builder b(g);
  NodeId x = b.input(0), y = b.input(1), v = x;
  const int n = 200000;
  for (int i = 0; i < n; ++i) v = b.add(b.mul(v, b.constant(0.99999)), y);  // one statement
  std::vector<NodeId> jac = *reverse_jacobian(b, {v, b.mul(v, v)}, {x, y}, {}, {}, nullptr,
                                              Preaccumulation::On);
  std::vector<double> vals = evaluate(g, {0.5, 0.25});
  const double dx = std::pow(0.99999, n);  // dv/dx; dv/dy = sum of the powers
  CHECK(unit::close(vals[jac[0]], dx, 1e-9, 0));
  CHECK(unit::close(vals[jac[1]], (1 - dx) / (1 - 0.99999), 1e-6, 0));
  CHECK(unit::close(vals[jac[2]], 2 * vals[v] * dx, 1e-9, 0));
}

TEST_CASE("preaccumulation keeps an untaken branch's mask through a constant infinite partial") {
  // v = x > 0 ? x : y*1e200*1e200: the statement's partial in y is the
  // constant inf (1e200*1e200, kept as a node), and the adjoint reaching it
  // is masked by x <= 0. Where x > 0 that branch is not taken, so dv/dy is
  // 0 (SPEC 1), not the 0*inf of IEEE products.
  for (Preaccumulation p : {Preaccumulation::On, Preaccumulation::Off}) {
    Graph g;
    Builder b(g);
    NodeId x = b.input(0), y = b.input(1);
    NodeId big = b.mul(b.mul(y, b.constant(1e200)), b.constant(1e200));
    NodeId v = b.select(b.binary(Op::Gt, x, b.zero()), x, big);
    std::vector<NodeId> jac = *reverse_jacobian(b, {v, b.mul(v, x)}, {x, y}, {}, {}, nullptr, p);
    std::vector<double> d = values_of(g, jac, {1.0, 0.5});
    CHECK(d[0] == 1.0);
    CHECK(d[1] == 0.0);  // dv/dy where the branch with y is not taken
    CHECK(d[2] == 2.0);  // d(v*x)/dx = 2x
    CHECK(d[3] == 0.0);
  }
}

TEST_CASE("preaccumulation: a wrt value inside a statement keeps its own adjoint (wrt h)") {
  // h = x*y has one use, in a = h*z + y: it would be interior to a's
  // statement, but d/dh is asked for.
  for (Preaccumulation p : {Preaccumulation::On, Preaccumulation::Off}) {
    Graph g;
    Builder b(g);
    NodeId x = b.input(0), y = b.input(1), z = b.input(2);
    NodeId h = b.mul(x, y);
    NodeId a = b.add(b.mul(h, z), y);
    std::vector<NodeId> jac = *reverse_jacobian(b, {a, b.mul(z, y)}, {h, x, y, z}, {}, {}, nullptr, p);
    std::vector<double> d = values_of(g, jac, {1.0, 2.0, 3.0});
    CHECK(d[0] == 3.0);  // da/dh = z
    CHECK(d[1] == 6.0);  // da/dx = y*z
    CHECK(d[2] == 4.0);  // da/dy = x*z + 1
    CHECK(d[3] == 2.0);  // da/dz = h
    CHECK(d[4] == 0.0);  // d(z*y)/dh
  }
}

TEST_CASE("preaccumulation: a statement with a constant infinite partial goes edge by edge") {
  // u = y > 1 ? y : y*z*1e200*1e200, t = u*relu(y), b = t*z. At y = z = 0
  // every value is finite and the adjoint reaching u's statement is 0 (the
  // relu is off): (0*1e200)*1e200 is 0 edge by edge, 0*(1e200*1e200) NaN.
  for (Preaccumulation p : {Preaccumulation::On, Preaccumulation::Off}) {
    Graph g;
    Builder b(g);
    NodeId y = b.input(0), z = b.input(1);
    NodeId big = b.mul(b.mul(b.mul(y, z), b.constant(1e200)), b.constant(1e200));
    NodeId u = b.select(b.binary(Op::Gt, y, b.one()), y, big);
    NodeId t = b.mul(u, b.unary(Op::Relu, y));
    std::vector<NodeId> jac = *reverse_jacobian(b, {t, b.mul(t, z)}, {y, z}, {}, {}, nullptr, p);
    for (double v : values_of(g, jac, {0.0, 0.0})) CHECK(v == 0.0);
  }
}
