// test_modes.cpp - forward mode against reverse mode: the same Jacobian (to
// rounding, and finite in the same entries) on the 1,000 random scalar
// programs, also at kinks and infinite partials, and 300 random array
// programs, --mode=auto choosing the mode with fewer operations, and the
// costs the modes are chosen for (one tangent sweep per wrt scalar, one
// adjoint sweep per output scalar, each over its own cone only).
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <random>

#include "random_array_program.h"
#include "random_program.h"
#include "kernel_harness.h"
#include "unit_support.h"

using gradc_test::all_finite;

using namespace gradc;
using unit::compile_mode;

namespace {

// Where the inputs of check_modes_agree come from.
enum class Points {
  Uniform,  ///< uniform in [-2, 2]
  Kinks,    ///< each from 0, ±0.5, ±1, 2: ties, kinks, and infinite partials in
            ///< the untaken branches of the generator's guarded selections
};

// Forward and reverse mode agree at `points` random points: an entry is
// finite in both or in neither (an untaken branch leaks in neither mode), and
// finite entries agree to rounding. Returns the number of entries compared.
int check_modes_agree(const std::string& text, uint64_t seed, int points,
                      Points from = Points::Uniform) {
  Compiled fwd = compile_mode(text, DiffMode::Forward);
  Compiled rev = compile_mode(text, DiffMode::Reverse);
  REQUIRE(fwd.mode == DiffMode::Forward);
  REQUIRE(rev.mode == DiffMode::Reverse);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-2, 2);
  const double kinks[] = {0.0, 1.0, -1.0, 0.5, -0.5, 2.0};
  int compared = 0;
  for (int p = 0; p < points; ++p) {
    std::vector<double> in(fwd.names.inputs.size());
    for (double& x : in) x = from == Points::Uniform ? u(rng) : kinks[rng() % 6];
    unit::Values f = unit::run(fwd, in), r = unit::run(rev, in);
    REQUIRE(f.out.size() == r.out.size());  // the same forward program, NaN included
    for (size_t i = 0; i < f.out.size(); ++i)
      REQUIRE((f.out[i] == r.out[i] || (std::isnan(f.out[i]) && std::isnan(r.out[i]))));
    if (!all_finite(f.out)) continue;  // overflow: no comparison
    for (size_t i = 0; i < f.jac.size(); ++i, ++compared)
      CHECK_MESSAGE((std::isfinite(f.jac[i]) == std::isfinite(r.jac[i]) &&
                     (!std::isfinite(f.jac[i]) || unit::close(f.jac[i], r.jac[i], 1e-9, 1e-12))),
                    "seed " << seed << " entry " << i << ": forward " << f.jac[i] << ", reverse "
                            << r.jac[i] << " at " << fmt::format("{}", fmt::join(in, ", "))
                            << "\n" << text);
  }
  return compared;
}

}  // namespace

TEST_CASE("forward and reverse mode agree on 1,000 random scalar programs") {
  for (uint64_t seed = 1000; seed < 2000; ++seed)
    check_modes_agree(gradc_test::random_program(seed), seed, 3);
}

TEST_CASE("forward and reverse mode leak alike at kinks and infinite partials: 1,000 programs") {
  int compared = 0;
  for (uint64_t seed = 1000; seed < 2000; ++seed)
    compared += check_modes_agree(gradc_test::random_program(seed), seed, 24, Points::Kinks);
  MESSAGE(compared, " entries compared");
  CHECK(compared > 50000);
}

TEST_CASE("forward and reverse mode agree on 300 random array programs") {
  for (uint64_t seed = 5000; seed < 5300; ++seed)
    check_modes_agree(gradc_test::random_array_program(seed), seed, 2);
}

TEST_CASE("auto builds both modes and keeps the one with fewer operations") {
  for (uint64_t seed = 1000; seed < 1200; ++seed) {
    std::string text = gradc_test::random_program(seed);
    Compiled c = compile_mode(text, DiffMode::Auto);
    Compiled fwd = compile_mode(text, DiffMode::Forward);
    Compiled rev = compile_mode(text, DiffMode::Reverse);
    REQUIRE(fwd.forward_mode_ops);
    REQUIRE(rev.reverse_mode_ops);
    CHECK_FALSE(fwd.reverse_mode_ops);  // a fixed mode builds only itself
    size_t best = std::min(*fwd.forward_mode_ops, *rev.reverse_mode_ops);
    size_t chosen = c.mode == DiffMode::Forward ? *c.forward_mode_ops : *c.reverse_mode_ops;
    INFO("seed ", seed, "\n", text);
    CHECK(chosen == best);
    // The operation count is the live operations of the fused kernel.
    CHECK(chosen == count_operations(c.prog.graph, c.all_roots()));
  }
}

// A pendulum rollout: one parameter, every angle an output.
std::string pendulum(int steps) {
  std::string text = "input c, th0, w0\nwrt c\n";
  std::string outputs;
  for (int i = 1; i <= steps; ++i) {
    text += fmt::format("th{} = th{} + 0.01*w{}\nw{} = w{} - 0.01*(c*sin(th{}))\n", i, i - 1,
                        i - 1, i, i - 1, i);
    outputs += fmt::format("{}th{}", i > 1 ? ", " : "", i);
  }
  return text + "output " + outputs + "\n";
}

TEST_CASE("many outputs, one wrt: auto picks forward mode, a few times the forward pass") {
  Compiled c = compile_mode(pendulum(300), DiffMode::Auto);
  CHECK(c.mode == DiffMode::Forward);
  REQUIRE(c.forward_mode_ops);
  size_t forward_pass = count_operations(c.prog.graph, c.outputs);
  CHECK(*c.forward_mode_ops <= 3 * forward_pass);
  // Reverse mode needs one sweep per output: quadratic in the steps. Auto
  // stops building it once it is over its budget.
  CHECK_FALSE(Compiled(compile_mode(pendulum(1000), DiffMode::Auto)).reverse_mode_ops);
  Compiled rev = compile_mode(pendulum(60), DiffMode::Reverse);
  Compiled fwd = compile_mode(pendulum(60), DiffMode::Forward);
  CHECK(*rev.reverse_mode_ops > 5 * *fwd.forward_mode_ops);
}

TEST_CASE("one output, many wrt: auto picks reverse mode") {
  std::string text = "s0 = x0\n";
  for (int i = 1; i <= 50; ++i) text += fmt::format("s{} = s{}*sin(x{}) + x{}^2\n", i, i - 1, i, i);
  Compiled c = compile_mode(text, DiffMode::Auto);
  CHECK(c.mode == DiffMode::Reverse);
  Compiled fwd = compile_mode(text, DiffMode::Forward);
  CHECK(*c.reverse_mode_ops < *fwd.forward_mode_ops);
}

TEST_CASE("auto stops the other mode by its work, even when hash-consing keeps its graph small") {
  // One output, 1,640 inputs: each forward sweep walks a row's sum and the
  // total (about 80 nodes) but makes almost no new node. Forward mode would
  // visit about 130,000 nodes to reverse mode's few thousand: stopped.
  const char* text = "input W[40,40], x[40]\ny = sum(relu(W @ x))";
  Compiled c = compile_mode(text, DiffMode::Auto);
  CHECK(c.mode == DiffMode::Reverse);
  CHECK(c.reverse_mode_ops);
  CHECK_FALSE(c.forward_mode_ops);
  Compiled fwd = compile_mode(text, DiffMode::Forward);  // still complete when asked for
  REQUIRE(fwd.forward_mode_ops);
  CHECK(*fwd.forward_mode_ops >= *c.reverse_mode_ops);
}

TEST_CASE("the mode auto does not take leaves no nodes in the graph") {
  // Reverse mode is taken in both programs; forward mode is stopped by its
  // budget in the first and completes (with more operations) in the second.
  // Either way the graph ends as --mode=reverse leaves it: the abandoned
  // sweeps' nodes are truncated (Graph::truncate), not kept as dead weight.
  std::string chain = "s0 = x0\n";
  for (int i = 1; i <= 50; ++i) chain += fmt::format("s{} = s{}*sin(x{}) + x{}^2\n", i, i - 1, i, i);
  for (const std::string& text : {std::string("input W[40,40], x[40]\ny = sum(relu(W @ x))"), chain}) {
    Compiled automatic = compile_mode(text, DiffMode::Auto);
    Compiled reverse = compile_mode(text, DiffMode::Reverse);
    REQUIRE(automatic.mode == DiffMode::Reverse);
    CHECK(automatic.prog.graph.size() == reverse.prog.graph.size());
    CHECK(automatic.jacobian == reverse.jacobian);
  }
}

TEST_CASE("a sweep touches only its cone: 20,000 independent outputs stay linear") {
  // Output i depends on x and on its own term; neither mode may make more
  // than a constant number of nodes per output (no sweep over the graph).
  std::string text = "input x, y\n", outputs;
  for (int i = 0; i < 20000; ++i) {
    text += fmt::format("y{} = sin(x*{}) + y*{}\n", i, i + 1, i % 7 + 1);
    outputs += fmt::format("{}y{}", i ? ", " : "", i);
  }
  text += "output " + outputs + "\n";
  for (DiffMode mode : {DiffMode::Forward, DiffMode::Reverse}) {
    Compiled c = compile_mode(text, mode);
    CHECK(c.prog.graph.size() - c.forward_nodes <= 4 * 20000);
    unit::Values v = unit::run(c, {0.5, 2.0});
    CHECK(unit::close_exact(v.jac[2 * 19999], 20000 * std::cos(0.5 * 20000)));
    CHECK(v.jac[2 * 19999 + 1] == 19999 % 7 + 1);
  }
}

TEST_CASE("forward mode names tangents of named values dA_dX; the kernel says which sweep") {
  Compiled c = compile_mode("input x, y\na = sin(x)*y\nb = a*a\nc = a*y\noutput b, c\nwrt x",
                            DiffMode::Forward);
  bool named = false;
  for (const auto& [node, hint] : c.grad_hints->hint) named = named || hint.name == "da_dx";
  CHECK(named);
  REQUIRE(c.kernel(KernelKind::Grad));
  CHECK(c.kernel(KernelKind::Grad)->sweep_comment.find("forward sweep") == 0);
  unit::Values v = unit::run(c, {0.3, 2.0});
  double a = std::sin(0.3) * 2.0, da = std::cos(0.3) * 2.0;
  CHECK(unit::close_exact(v.jac[0], 2 * a * da));
  CHECK(unit::close_exact(v.jac[1], da * 2.0));
}

TEST_CASE("forward mode keeps the untaken branch of ?: out of the derivative") {
  Compiled c = compile_mode("input x\nw = x > 0 ? sqrt(x) : 0\nv = max(x, 1) + relu(x - 2)\n"
                            "output w, v",
                            DiffMode::Forward);
  unit::Values v = unit::run(c, {-1.0});
  CHECK(v.jac[0] == 0.0);  // not NaN from sqrt(-1)
  CHECK(v.jac[1] == 0.0);
  v = unit::run(c, {1.0});  // the tie of max: half to each side
  CHECK(v.jac[0] == 0.5);
  CHECK(v.jac[1] == 0.5);
  v = unit::run(c, {3.0});
  CHECK(v.jac[1] == 2.0);
}

TEST_CASE("both modes end and agree where an untaken branch overflows to a constant inf") {
  // An untaken branch x*1e200*1e200 (its partial the constant expression
  // 1e200*1e200 = inf) under every kind of outer operation, with the signs
  // and masks both sweeps push through it. Forward mode once looped forever
  // on -log(u): a sign moved in and out of the product with the inf. The
  // guards hold for inputs in [-2, 2], so u is finite (in [1, 5]) there.
  const char* guards[] = {
      "u = z > -3 ? z + 3 : x*1e200*1e200",
      "u = z > -x - 5 ? z + 3 : -x*1e200*1e200",
      "u = z < 3 ? 3 - z : 1e200*1e200",
      "u = z > -3 ? z + 3 : (x > 0 ? x*1e200*1e200 : y)",
      "u = z > 5 ? (z > 0 ? z : x*1e200*1e200) : z + 3",
  };
  const char* uses[] = {"w = -log(u)", "w = 1/u",       "w = -u/y",       "w = u*y",
                        "w = -(u*u)",  "w = exp(-u*y)", "w = -sqrt(u)*y", "w = relu(-u) + y",
                        "w = -log(u)/(1 + y*y)", "w = (u > 0 ? -log(u) : x*1e200*1e200)*y"};
  int compared = 0;
  for (const char* guard : guards)
    for (const char* use : uses) {
      std::string text = fmt::format("input x, y, z\n{}\n{}\nv = w*x\noutput w, v", guard, use);
      CAPTURE(text);
      compared += check_modes_agree(text, 7, 24, Points::Kinks);
    }
  CHECK(compared > 6500);  // of 7,200: -u/y is inf at y = 0
}
