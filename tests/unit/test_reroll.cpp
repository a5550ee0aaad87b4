// test_reroll.cpp - loops from repeated statements (plan/reroll.h). Every
// kernel kind of programs that repeat shapes (extended Rosenbrock, layers,
// recurrences, scalar inputs in a row, the examples, random array programs)
// is built with as many loops as the planner finds (--reroll-min=1) and as
// straight-line code (--reroll-min=0): through the JIT and through C++ built
// by g++ -Werror, both must give the same results, and the interpreter's.
// The corpus must exercise every kind of loop leaf. Extended Rosenbrock at
// n = 1000 must come out as a few short loops.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include "naming.h"
#include "emit/emit_cpp.h"
#include "gradc_runtime.h"
#include "jit_compiled.h"
#include "backends.h"  // kSanitized
#include "kernel_harness.h"
#include "plan/kernel_plan.h"
#include "random_array_program.h"

using namespace gradc_test;
using gradc::KernelKind;

namespace {

std::string rosenbrock(int n) {
  std::string text = fmt::format("input x[{}]\n", n), terms;
  for (int i = 0; i < n; i += 2) {
    text += fmt::format("t{} = 100*(x[{}] - x[{}]^2)^2 + (1 - x[{}])^2\n", i / 2, i + 1, i, i);
    terms += fmt::format("{}t{}", i ? ", " : "", i / 2);
  }
  return text + "f = sum([" + terms + "])\noutput f\n";
}

// A pendulum rolled out by Euler steps: each step reads the previous one.
std::string recurrence(int steps) {
  std::string text = "input c, th0, w0\n", outs;
  for (int i = 1; i <= steps; ++i) {
    text += fmt::format("th{0} = th{1} + 0.1*w{1}\nw{0} = w{1} - 0.1*c*sin(th{0})\n", i, i - 1);
    outs += fmt::format("{}th{}", i > 1 ? ", " : "", i);
  }
  return text + "output " + outs + "\n";
}

// Scalar inputs in a row: a loop over them reads `in` itself.
std::string scalar_row(int n) {
  std::string text = "input ";
  for (int i = 0; i < n; ++i) text += fmt::format("{}a{}", i ? ", " : "", i);
  text += "\nw = 0";
  for (int i = 0; i + 1 < n; ++i) text += fmt::format(" + sin(a{})*a{}", i, i + 1);
  return text + "\n";
}

struct Program {
  std::string name, text;
  gradc::Compiled loops, straight;
};

const std::vector<Program>& corpus() {
  static const std::vector<Program> programs = [] {
    std::vector<Program> out;
    auto add = [&](const std::string& name, const std::string& text, bool second_order = true) {
      gradc::CompileOptions opts;
      opts.kernels = {std::begin(gradc::kAllKernelKinds), std::end(gradc::kAllKernelKinds)};
      if (!second_order)
        opts.kernels = {KernelKind::Forward, KernelKind::Grad, KernelKind::Jvp, KernelKind::Vjp,
                        KernelKind::Sparse};
      std::string errors;
      opts.reroll_min = 1;
      auto loops = compile_text(text, &errors, name + ".expr", opts);
      opts.reroll_min = 0;
      auto straight = compile_text(text, &errors, name + ".expr", opts);
      REQUIRE_MESSAGE((loops && straight), name << ":\n" << text << errors);
      out.push_back({name, text, std::move(*loops), std::move(*straight)});
    };
    add("rosen", rosenbrock(48));
    add("recurrence", recurrence(12));
    add("scalars", scalar_row(12));
    add("layer", "input W[6,5], x[5], b[6], y[6]\nh = tanh(W @ x + b)\nL = sum((h - y)^2)\n");
    std::ifstream ba(GRADC_EXAMPLES_DIR "/../bench/workloads/ba/ba.expr");
    add("ba", std::string(std::istreambuf_iterator<char>(ba), {}), false);
    std::vector<std::filesystem::path> examples;
    for (const auto& e : std::filesystem::directory_iterator(GRADC_EXAMPLES_DIR))
      if (e.path().extension() == ".expr") examples.push_back(e.path());
    std::sort(examples.begin(), examples.end());
    for (const auto& path : examples) {
      std::ifstream in(path);
      add("ex_" + path.stem().string(), std::string(std::istreambuf_iterator<char>(in), {}));
    }
    // (Their second-order kernels, often thousands of entries, would only
    // make the test slow; in a sanitized build, where LLVM runs several
    // times slower, the programs above cover every path of the loop code.)
    for (uint64_t seed = 5000; seed < (kSanitized ? 5000 : 5024); ++seed)
      add(fmt::format("a{}", seed), random_array_program(seed), false);
    return out;
  }();
  return programs;
}

// Each result of kernel `spec` from `a` and `b` at two random points.
void compare_kernel(const std::string& label, const gradc::KernelSpec& spec, void* a, void* b) {
  std::mt19937_64 rng(7);
  compare_point_kernels(label, spec, a, b, rng, 2,
                        [](double x, double y) { return close(x, y, 1e-13, 1e-300); });
}

// A table costs a copy per iteration: at most one per kNodesPerTable nodes
// of an iteration (reroll.h).
void check_table_bound(const gradc::Compiled& c, const gradc::KernelPlan& plan,
                       const gradc::PlanLoop& loop, const std::string& name) {
  size_t nodes = 0, tables = 0;
  std::vector<gradc::NodeId> scratch;
  for (uint32_t j = 0; j < loop.body; ++j)
    nodes += gradc::item_weight(c.prog.graph, plan.schedule, plan.items[loop.first + j], scratch);
  for (const gradc::LoopLeaf& leaf : loop.leaves) tables += leaf.kind == gradc::LoopLeaf::Table;
  CHECK_MESSAGE(tables * gradc::kNodesPerTable <= nodes,
                name << ": " << tables << " tables for " << nodes << " nodes an iteration");
}

}  // namespace

TEST_CASE("loops cover every kind of leaf, stores and several loops per kernel") {
  std::map<std::string, int> seen;
  size_t loops = 0, items = 0, looped = 0;
  for (const Program& p : corpus()) {
    for (const gradc::KernelSpec& spec : p.loops.kernels) {
      gradc::KernelPlan plan = gradc::make_kernel_plan(p.loops.prog.graph, spec, p.loops.plan_options());
      items += plan.items.size();
      for (const gradc::PlanLoop& loop : plan.loops) {
        ++loops;
        looped += loop.end() - loop.first;
        CHECK(loop.count >= 4);
        check_table_bound(p.loops, plan, loop, p.name);
        for (const gradc::LoopLeaf& leaf : loop.leaves) {
          const char* kinds[] = {"invariant", "input", "scratch", "carry", "table"};
          ++seen[kinds[leaf.kind]];
          if (leaf.stride < 0) ++seen["negative stride"];
          if (leaf.kind == gradc::LoopLeaf::Input &&
              p.loops.prog.graph[leaf.node].a >= p.loops.prog.num_input_scalars())
            ++seen["direction vector"];
        }
        for (uint32_t j = 0; j < loop.body; ++j)
          if (plan.items[loop.first + j].kind == gradc::PlanItem::Store) ++seen["store"];
      }
    }
    // Loops stay out of the straight-line build.
    for (const gradc::KernelSpec& spec : p.straight.kernels)
      CHECK(gradc::make_kernel_plan(p.straight.prog.graph, spec, p.straight.plan_options())
                .loops.empty());
  }
  MESSAGE(fmt::format("{} loops cover {} of {} plan items", loops, looped, items));
  for (const char* kind : {"invariant", "input", "scratch", "carry", "table", "negative stride",
                           "direction vector", "store"})
    CHECK_MESSAGE(seen[kind] >= 3, kind << " seen " << seen[kind] << " times");
  CHECK(looped * 3 > items);
}

TEST_CASE("a mostly-zero result array is set to zero by one loop, its zero entries not stored") {
  // (The kernels' values are the straight-line build's, which stores every
  // entry: the tests below compare them, results prefilled with -12345.)
  size_t filled = 0;
  for (const Program& p : corpus()) {
    const gradc::Graph& g = p.loops.prog.graph;
    for (const gradc::KernelSpec& spec : p.loops.kernels) {
      gradc::KernelPlan plan = gradc::make_kernel_plan(g, spec, p.loops.plan_options());
      REQUIRE(plan.zero_filled.size() == spec.args.size());
      for (size_t a = 0; a < spec.args.size(); ++a) {
        size_t zeros = 0;
        for (gradc::NodeId root : spec.args[a].roots) zeros += g.is_plus_zero(root);
        const bool want = spec.args[a].result && zeros >= gradc::kZeroFillMin &&
                          2 * zeros >= spec.args[a].roots.size();
        CHECK_MESSAGE(plan.zero_filled[a] == want, p.name << " " << spec.args[a].name);
        if (!plan.zero_filled[a]) continue;
        ++filled;
        size_t stores = 0;
        for (const gradc::PlanItem& item : plan.items)
          if (item.kind == gradc::PlanItem::Store && item.array == a) {
            ++stores;
            CHECK(!g.is_plus_zero(item.node));
          }
        CHECK(stores == spec.args[a].roots.size() - zeros);
      }
      // Nor with loops off (--reroll-min=0), nor in the batch forms.
      CHECK(!gradc::make_kernel_plan(g, spec, p.loops.plan_options(false)).zero_fills());
      CHECK(!gradc::make_kernel_plan(p.straight.prog.graph, spec, p.straight.plan_options())
                 .zero_fills());
    }
  }
  CHECK(filled >= 3);
  // In C++: one loop, before the entries that are not zero.
  auto c = compile_text(rosenbrock(48), nullptr, "rosen.expr", [] {
    gradc::CompileOptions opts;
    opts.kernels = {KernelKind::Hess};
    return opts;
  }());
  REQUIRE(c);
  std::string text = gradc::emit_cpp(*c, "rosen", "rosen.expr").source;
  CHECK(text.find("  // hess is zero but for the 96 entries stored below\n"
                  "  for (int i = 0; i < 2304; ++i) hess[i] = 0.0;\n") != std::string::npos);
  CHECK(text.find("] = 0.0;  // d2 f") == std::string::npos);
}

TEST_CASE("rerolled kernels equal straight-line ones and the interpreter: JIT") {
  for (const Program& p : corpus()) {
    gradc::Kernel with = gradc::jit_compiled(p.loops, {});
    gradc::Kernel without = gradc::jit_compiled(p.straight, {});
    for (const gradc::KernelSpec& spec : p.loops.kernels)
      compare_kernel(fmt::format("jit {} {}", p.name, gradc::kernel_kind_name(spec.kind)), spec,
                     jit_function(with, spec.kind, false), jit_function(without, spec.kind, false));
    // The gradient against the interpreter at one point.
    std::mt19937_64 rng(3);
    std::vector<double> in = random_vector(rng, p.loops.names.inputs.size());
    Values want = interpret(p.loops, in);
    std::vector<double> out(want.out.size()), jac(want.jac.size());
    with.grad(in.data(), out.data(), jac.data());
    for (size_t i = 0; i < jac.size(); ++i)
      CHECK_MESSAGE(close(jac[i], want.jac[i], 1e-14, 1e-300),
                    p.name << " " << gradc::derivative_entry_names(p.loops)[i] << ": " << jac[i] << " vs "
                           << want.jac[i]);
  }
}

TEST_CASE("rerolled kernels equal straight-line ones: C++ (g++ -Werror)") {
  const std::vector<Program>& programs = corpus();
  std::vector<std::pair<std::string, std::string>> with, without;
  size_t for_loops = 0;
  for (const Program& p : programs) {
    with.emplace_back(p.name + ".cpp", gradc::emit_cpp(p.loops, p.name, p.name).source);
    without.emplace_back(p.name + ".cpp", gradc::emit_cpp(p.straight, p.name, p.name).source);
    const std::string& text = with.back().second;
    for (size_t at = text.find("  for (int "); at != std::string::npos;
         at = text.find("  for (int ", at + 1))
      ++for_loops;
    CHECK(without.back().second.find("  for (int ") == std::string::npos);
  }
  CHECK(for_loops > 100);
  // The two libraries built side by side (one g++ each).
  LinkedLibrary lib_with("reroll-loops"), lib_without("reroll-straight");
  const std::string command = std::string(GRADC_GXX) + " " + kKernelFlags;
  bool ok_without = false;
  std::thread other([&] { ok_without = lib_without.build(without, command); });
  bool ok_with = lib_with.build(with, command);
  other.join();
  REQUIRE_MESSAGE(ok_with, command << "\n" << lib_with.log);
  REQUIRE_MESSAGE(ok_without, command << "\n" << lib_without.log);
  for (const Program& p : programs)
    for (const gradc::KernelSpec& spec : p.loops.kernels) {
      std::string fn = p.name + std::string(gradc::kernel_suffix(spec.kind));
      compare_kernel(fmt::format("c++ {} {}", p.name, gradc::kernel_kind_name(spec.kind)), spec,
                     lib_with.lib.symbol(fn), lib_without.lib.symbol(fn));
    }
}

TEST_CASE("extended Rosenbrock, n = 1000: a few short loops instead of 1,000 statements") {
  auto c = compile_text(rosenbrock(1000));
  REQUIRE(c);
  for (const gradc::KernelSpec& spec : c->kernels) {
    gradc::KernelPlan plan = gradc::make_kernel_plan(c->prog.graph, spec, c->plan_options());
    size_t looped = 0;
    for (const gradc::PlanLoop& loop : plan.loops) looped += loop.end() - loop.first;
    CAPTURE(gradc::kernel_kind_name(spec.kind));
    CHECK(plan.loops.size() <= 4);
    CHECK(looped + 10 >= plan.items.size());
    CHECK(!plan.split());
  }
  std::string cpp = gradc::emit_cpp(*c, "rosen", "rosen.expr").source;
  MESSAGE(fmt::format("rosenbrock_1000 C++: {} bytes", cpp.size()));
  CHECK(cpp.size() < 8000);
}

TEST_CASE("a chain's Hessian is not rerolled into loops that copy more than they compute") {
  // a_i = sin(a_{i-1})*x[i % 20] + a_{i-1}*x[7i % 20]: the Hessian's
  // statements repeat a shape whose operands follow no affine pattern, so a
  // loop would read them from tables copied before it (one copy per operand
  // and iteration); such loops ran 33% slower than straight-line code.
  std::string text = "input x[20]\na0 = x[0]\n";
  for (int i = 1; i < 200; ++i)
    text += fmt::format("a{} = sin(a{})*x[{}] + a{}*x[{}]\n", i, i - 1, i % 20, i - 1, i * 7 % 20);
  text += "output a199\n";
  gradc::CompileOptions opts;
  opts.kernels = {gradc::KernelKind::Hess};
  auto c = compile_text(text, nullptr, "chain.expr", opts);
  REQUIRE(c);
  const gradc::KernelSpec* hess = c->kernel(gradc::KernelKind::Hess);
  REQUIRE(hess);
  gradc::KernelPlan plan = gradc::make_kernel_plan(c->prog.graph, *hess, c->plan_options());
  for (const gradc::PlanLoop& loop : plan.loops) check_table_bound(*c, plan, loop, "chain");
}
