// test_logistic.cpp - sigmoid and softplus of one value written out on one
// shared exp(-|z|) (ir/logistic.h): the same bits as the helpers at every
// kind of value, one exponential and one log1p in the cross-entropy kernels,
// and kernels equal to the interpreter.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "ir/interp.h"
#include "ir/logistic.h"
#include "ir/scalar_math.h"
#include "jit_compiled.h"
#include "kernel_harness.h"

using gradc::Graph;
using gradc::Node;
using gradc::NodeId;
using gradc::Op;
using gradc_test::same_bits;

namespace {

// Operations of `op` among the nodes reachable from `roots`.
int count_ops(const Graph& g, const std::vector<NodeId>& roots, Op op) {
  std::vector<char> live(g.size(), 0);
  for (NodeId r : roots) live[r] = 1;
  int count = 0;
  for (size_t id = g.size(); id-- > 0;) {
    if (!live[id]) continue;
    const Node& n = g[NodeId(id)];
    count += n.op == op;
    const NodeId operands[3] = {n.a, n.b, n.c};
    for (int k = 0; k < gradc::arity(n); ++k) live[operands[k]] = 1;
  }
  return count;
}

}  // namespace

TEST_CASE("written out on a shared exp(-|z|), sigmoid and softplus keep their bits") {
  Graph g;
  const NodeId z = g.input(0), minus_z = g.add(Node{Op::Neg, z});
  const std::vector<NodeId> roots = {g.add(Node{Op::Sigmoid, z}), g.add(Node{Op::Softplus, z}),
                                     g.add(Node{Op::Softplus, minus_z}),
                                     g.add(Node{Op::Sigmoid, minus_z})};
  const std::vector<NodeId> map = gradc::share_logistic_exp(g, roots);
  std::vector<NodeId> lowered;
  for (NodeId r : roots) lowered.push_back(map[r]);
  for (NodeId r : lowered) CHECK(g[r].op != Op::Sigmoid);
  CHECK(count_ops(g, lowered, Op::Exp) == 1);
  CHECK(count_ops(g, lowered, Op::Log1p) == 1);
  CHECK(count_ops(g, lowered, Op::Sigmoid) + count_ops(g, lowered, Op::Softplus) == 0);

  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> values = {0.0, -0.0, 1.0, -1.0, 36.7, -36.7, 37.5, 709.0, -745.0, 800.0,
                                -800.0, 1e-300, -1e-300, 5e-324, inf, -inf, std::nan("")};
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(-50, 50);
  for (int i = 0; i < 2000; ++i) values.push_back(u(rng));
  int compared = 0;
  for (double v : values) {
    const std::vector<double> at = gradc::evaluate(g, {v});
    const double want[4] = {gradc::math::sigmoid(v), gradc::math::softplus(v), gradc::math::softplus(-v),
                            gradc::math::sigmoid(-v)};
    for (int k = 0; k < 4; ++k) {
      CAPTURE(v);
      CAPTURE(k);
      CHECK(same_bits(at[lowered[k]], want[k]));
      ++compared;
    }
  }
  CHECK(compared == 4 * int(values.size()));
}

TEST_CASE("one of them alone keeps its helper") {
  Graph g;
  const NodeId z = g.input(0);
  const std::vector<NodeId> roots = {g.add(Node{Op::Sigmoid, z}),
                                     g.add(Node{Op::Softplus, g.input(1)})};
  const std::vector<NodeId> map = gradc::share_logistic_exp(g, roots);
  CHECK(map.empty());  // nothing rewritten: each keeps its node
}

TEST_CASE("the rewrite copies only what the roots reach") {
  // A chain of 1,000 values after softplus(z), which its derivative's
  // sigmoid(z) shares exp(-|z|) with, and one of 1,000 that no root reads
  // (a value the derivatives made and did not keep): the first is rebuilt
  // on the written-out softplus, the second is left alone (ir/rewrite.h).
  Graph g;
  const NodeId z = g.input(0), x = g.input(1);
  NodeId live = g.add(Node{Op::Softplus, z}), dead = live;
  for (int i = 0; i < 1000; ++i) {
    live = g.add(Node{Op::Mul, live, x});
    dead = g.add(Node{Op::Add, dead, x});
  }
  const std::vector<NodeId> roots = {live, g.add(Node{Op::Sigmoid, z})};
  const size_t before = g.size();
  const std::vector<NodeId> map = gradc::share_logistic_exp(g, roots);
  REQUIRE(!map.empty());
  CHECK(map[dead] == dead);
  CHECK(g.size() - before < 1000 + 20);  // the live chain and the written-out forms
  const std::vector<double> at = gradc::evaluate(g, {0.3, 1.0001});
  CHECK(same_bits(at[map[live]], at[live]));
}

TEST_CASE("cross-entropy kernels take one exponential; their results are the interpreter's") {
  for (const char* example : {"two_unit_bce", "sigmoid_bce", "skip_bce"}) {
    CAPTURE(example);
    std::string errors;
    auto c = gradc_test::compile_text(
        gradc_test::read_file(fmt::format("{}/{}.expr", GRADC_EXAMPLES_DIR, example)), &errors,
        fmt::format("{}.expr", example));
    REQUIRE_MESSAGE(c, errors);
    const gradc::KernelSpec* grad = c->kernel(gradc::KernelKind::Grad);
    REQUIRE(grad);
    CHECK(count_ops(c->prog.graph, grad->roots(), Op::Exp) == 1);
    CHECK(count_ops(c->prog.graph, grad->roots(), Op::Log1p) == 1);
    // The program's own roots keep the helpers, for --print and --explain.
    CHECK(count_ops(c->prog.graph, c->all_roots(), Op::Softplus) >= 2);

    gradc::Kernel k = gradc::jit_compiled(*c, {});
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> u(-40, 40);
    for (int point = 0; point < 200; ++point) {
      std::vector<double> x(c->names.inputs.size());
      for (double& xi : x) xi = u(rng);
      const gradc_test::Values want = gradc_test::interpret(*c, x);
      gradc_test::Values got{std::vector<double>(want.out.size()), std::vector<double>(want.jac.size())};
      k.grad(x.data(), got.out.data(), got.jac.data());
      for (size_t i = 0; i < want.out.size(); ++i) CHECK(same_bits(got.out[i], want.out[i]));
      for (size_t i = 0; i < want.jac.size(); ++i) CHECK(same_bits(got.jac[i], want.jac[i]));
    }
  }
}
