// test_reverse_diff.cpp - reverse_jacobian on hand-built DAGs: fan-out
// accumulation, row-major m x k layout, outputs that do not depend on wrt,
// the adjoint hook, and a very deep chain (no recursion).
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
