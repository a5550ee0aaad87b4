// test_lanes.cpp - lane groups (plan/lanes.h): a two-output gradient's two
// reverse sweeps computed side by side in gradc_v2 vectors. The groups
// change how the C++ computes the Jacobian, never what: every two-output
// program of the corpus (bundle adjustment with and without its branch,
// the course's skip connection, random programs) is emitted with every group
// the planner finds (lanes_min_saving = 0) and without lane groups, built
// with g++ and clang++ (-Werror -pedantic) and with the portable struct
// (GRADC_PORTABLE), and every result must be the same to the bit. The
// default threshold must keep the course's small kernels scalar and pair
// bundle adjustment's sweeps.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <climits>
#include <cmath>
#include <cstring>
#include <fstream>
#include <random>
#include <regex>
#include <thread>

#include "emit/emit_cpp.h"
#include "emit/emit_llvm.h"
#include "kernel_harness.h"
#include "plan/kernel_plan.h"
#include "random_program.h"

using namespace gradc_test;
using gradc::KernelKind;

namespace {

struct Program {
  std::string name, text;
  gradc::Compiled lanes, scalar;
};

std::string file_text(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A random program whose two outputs share its work: both read its last
// statement (each times another input, so that the two sweeps through the program
// are seeded differently and run in parallel), and for odd seeds the second
// also reads the one before, a path only its sweep takes.
std::string two_output_program(uint64_t seed) {
  std::string text = random_program(seed);
  text = std::regex_replace(text, std::regex("\noutput [^\n]*"), "");
  text = std::regex_replace(text, std::regex("\nwrt [^\n]*"), "");
  std::smatch inputs;
  if (!std::regex_search(text, inputs, std::regex("input ([^\n]*)"))) return "";
  std::vector<std::string> in;
  std::string list = inputs[1];
  const std::regex name("[A-Za-z_][A-Za-z0-9_]*");
  for (auto it = std::sregex_iterator(list.begin(), list.end(), name); it != std::sregex_iterator(); ++it)
    in.push_back((*it)[0]);
  std::vector<std::string> names;
  std::regex def("(?:\n|; )([A-Za-z_][A-Za-z0-9_]*) = ");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), def); it != std::sregex_iterator(); ++it)
    names.push_back((*it)[1]);
  if (names.size() < 2 || in.size() < 2) return "";
  const std::string& last = names.back();
  const std::string& prev = names[names.size() - 2];
  return text + fmt::format("\nlane_out_a = {0}*{1}\nlane_out_b = {0}*{2}{3}\noutput lane_out_a, lane_out_b\n",
                            last, in[0], in[1], seed % 2 ? " + " + prev : "");
}

const std::vector<Program>& corpus() {
  static const std::vector<Program> programs = [] {
    std::vector<Program> out;
    auto add = [&](const std::string& name, const std::string& text) {
      gradc::CompileOptions opts;
      std::string errors;
      opts.lanes_min_saving = 0;  // every group found
      auto lanes = compile_text(text, &errors, name + ".expr", opts);
      opts.lanes_min_saving = SIZE_MAX;
      auto scalar = compile_text(text, &errors, name + ".expr", opts);
      REQUIRE_MESSAGE((lanes && scalar), name << ":\n" << text << errors);
      out.push_back({name, text, std::move(*lanes), std::move(*scalar)});
    };
    add("ba", file_text(GRADC_EXAMPLES_DIR "/../bench/workloads/ba/ba.expr"));
    add("ba_nobranch", file_text(GRADC_EXAMPLES_DIR "/../bench/workloads/ba/ba_nobranch.expr"));
    add("skip_bce", file_text(GRADC_EXAMPLES_DIR "/skip_bce.expr"));
    add("jacobian_chain", file_text(GRADC_EXAMPLES_DIR "/jacobian_chain.expr"));
    for (uint64_t seed = 700; seed < 1000; ++seed)
      if (std::string text = two_output_program(seed); !text.empty())
        add(fmt::format("r{}", seed), text);
    return out;
  }();
  return programs;
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Inputs from [-2, 2], some of them exactly 0, 1, -1 (where a ?: or a
// relu switches, and signed zeros come out).
std::vector<double> test_input(std::mt19937_64& rng, size_t n) {
  std::vector<double> v(n);
  for (double& x : v) {
    switch (rng() % 8) {
      case 0: x = 0.0; break;
      case 1: x = 1.0; break;
      case 2: x = -1.0; break;
      default: x = std::uniform_real_distribution<double>(-2, 2)(rng);
    }
  }
  return v;
}

}  // namespace

TEST_CASE("two-output gradients in lane groups equal the scalar kernels to the bit") {
  const std::vector<Program>& programs = corpus();
  REQUIRE(programs.size() > 80);
  std::vector<std::pair<std::string, std::string>> with, without;
  size_t vectors = 0, with_groups = 0;
  for (const Program& p : programs) {
    with.emplace_back(p.name + ".cpp", gradc::emit_cpp(p.lanes, p.name, p.name).source);
    without.emplace_back(p.name + ".cpp", gradc::emit_cpp(p.scalar, p.name, p.name).source);
    size_t v = count(with.back().second, "  const gradc_v2 ");
    vectors += v;
    with_groups += v > 0;
    CHECK(without.back().second.find("gradc_v2") == std::string::npos);
  }
  // Many share work between their sweeps, in every kind of lane operation.
  CHECK(with_groups > 25);
  CHECK(vectors > 120);
  size_t selects = 0, packs = 0;
  for (const auto& [file, text] : with)
    for (size_t at = text.find("  const gradc_v2 "); at != std::string::npos;
         at = text.find("  const gradc_v2 ", at + 1)) {
      std::string line = text.substr(at, text.find('\n', at) - at);
      selects += line.find(" ? ") != std::string::npos;
      packs += count(line, "gradc_v2{");
    }
  MESSAGE("lane groups: ", vectors, " vector statements in ", with_groups, " of ",
          programs.size(), " programs; ", selects, " with ?:, ", packs, " packs");
  CHECK(selects > 10);
  CHECK(packs > 50);
  // Built five ways: g++ and clang++ with the vector extension, g++ and
  // clang++ with the portable struct (whose operators a program may leave
  // unused: no warning), and g++ without lane groups (the reference).
  LinkedLibrary gxx("lanes-gxx"), clangxx("lanes-clangxx"), portable("lanes-portable"),
      clang_portable("lanes-clang-portable"), scalar("lanes-scalar");
  const std::string flags = std::string(" ") + kKernelFlags;
  const std::string gxx_cmd = std::string(GRADC_GXX) + flags;
  const std::string clang_cmd = std::string(GRADC_CLANGXX) + flags;
  bool ok[5] = {};
  std::thread t1([&] {
    ok[1] = clangxx.build(with, clang_cmd);
    ok[4] = clang_portable.build(with, clang_cmd + " -DGRADC_PORTABLE");
  });
  std::thread t2([&] { ok[2] = portable.build(with, gxx_cmd + " -DGRADC_PORTABLE"); });
  ok[0] = gxx.build(with, gxx_cmd);
  ok[3] = scalar.build(without, gxx_cmd);
  t1.join();
  t2.join();
  REQUIRE_MESSAGE(ok[0], gxx.log);
  REQUIRE_MESSAGE(ok[1], clangxx.log);
  REQUIRE_MESSAGE(ok[2], portable.log);
  REQUIRE_MESSAGE(ok[3], scalar.log);
  REQUIRE_MESSAGE(ok[4], clang_portable.log);
  std::mt19937_64 rng(11);
  size_t compared = 0;
  for (const Program& p : programs) {
    const gradc::Compiled& c = p.lanes;
    const size_t n = c.names.inputs.size(), m = c.outputs.size(), k = c.num_wrt();
    REQUIRE(m == 2);
    const std::string fn = p.name + "_grad";
    void* ref = scalar.lib.symbol(fn);
    REQUIRE(ref);
    for (int point = 0; point < 20; ++point) {
      std::vector<double> in = test_input(rng, n), out0(m, -12345.0), jac0(m * k, -12345.0);
      call_point(ref, {in.data(), out0.data(), jac0.data()});
      for (LinkedLibrary* lib : {&gxx, &clangxx, &portable, &clang_portable}) {
        void* f = lib->lib.symbol(fn);
        REQUIRE(f);
        std::vector<double> out(m, -12345.0), jac(m * k, -12345.0);
        call_point(f, {in.data(), out.data(), jac.data()});
        for (size_t e = 0; e < jac.size(); ++e)
          CHECK_MESSAGE(same_bits(jac[e], jac0[e]), p.name << " jac[" << e << "]: " << jac[e]
                                                           << " vs " << jac0[e] << "\n" << p.text);
        for (size_t e = 0; e < out.size(); ++e) CHECK(same_bits(out[e], out0[e]));
        ++compared;
      }
    }
  }
  CHECK(compared == programs.size() * 20 * 4);
}

TEST_CASE("by default lane groups pair bundle adjustment's sweeps, not a course example's") {
  auto emitted = [](const std::string& path) {
    std::string errors;
    auto c = compile_text(file_text(path), &errors, "k.expr");
    REQUIRE_MESSAGE(c, errors);
    return gradc::emit_cpp(*c, "k", "k.expr").source;
  };
  std::string ba = emitted(GRADC_EXAMPLES_DIR "/../bench/workloads/ba/ba_nobranch.expr");
  CHECK(count(ba, "  const gradc_v2 ") >= 25);  // 30 when this was written
  // The type is defined once, under an include guard, and each vector
  // statement names both lanes.
  CHECK(count(ba, "#ifndef GRADC_LANES_V2") == 1);
  CHECK(ba.find("const gradc_v2 derr_dX_0_0_derr_dX_1_0 = ") != std::string::npos);
  CHECK(ba.find("jac[26] = derr_dX_0_0_derr_dX_1_0[1];") != std::string::npos);
  for (const char* example : {"skip_bce", "jacobian_chain", "softmax_ce"})
    CHECK(emitted(fmt::format("{}/{}.expr", GRADC_EXAMPLES_DIR, example)).find("gradc_v2") ==
          std::string::npos);
}

TEST_CASE("lane groups stay out of batch gradients, split kernels and other kernel kinds") {
  std::string text = file_text(GRADC_EXAMPLES_DIR "/../bench/workloads/ba/ba_nobranch.expr");
  std::string errors;
  gradc::CompileOptions opts;
  opts.kernels = {std::begin(gradc::kAllKernelKinds), std::end(gradc::kAllKernelKinds)};
  auto c = compile_text(text, &errors, "k.expr", opts);
  REQUIRE_MESSAGE(c, errors);
  for (const gradc::KernelSpec& spec : c->kernels) {
    gradc::KernelPlan plan = gradc::make_kernel_plan(c->prog.graph, spec, c->plan_options(true, true));
    CHECK_MESSAGE(plan.lanes.empty() == (spec.kind != KernelKind::Grad),
                  gradc::kernel_kind_name(spec.kind));
    plan = gradc::make_kernel_plan(c->prog.graph, spec, c->plan_options(true, false));
    CHECK(plan.lanes.empty());
  }
  // Split into parts: no groups (they would cross the parts' scratch array).
  c->part_nodes = 50;
  const gradc::KernelSpec* grad = c->kernel(KernelKind::Grad);
  REQUIRE(grad);
  gradc::KernelPlan split = gradc::make_kernel_plan(c->prog.graph, *grad, c->plan_options(true, true));
  CHECK(split.split());
  CHECK(split.lanes.empty());
  // With batch kernels the one-point gradient is the batch loop's body.
  opts.kernels = {KernelKind::Forward, KernelKind::Grad};
  opts.batch = true;
  auto b = compile_text(text, &errors, "k.expr", opts);
  REQUIRE_MESSAGE(b, errors);
  CHECK(gradc::emit_cpp(*b, "k", "k.expr").source.find("gradc_v2") == std::string::npos);
}

TEST_CASE("LLVM: two-output gradients in lane groups equal the scalar kernels to the bit") {
  const std::vector<Program>& programs = corpus();
  std::vector<std::pair<std::string, std::string>> with, without;
  size_t vector_ir = 0;
  for (const Program& p : programs) {
    with.emplace_back(p.name + ".o", llvm_object(p.lanes, p.name, "x86-64"));
    without.emplace_back(p.name + ".o", llvm_object(p.scalar, p.name, "x86-64"));
    gradc::LlvmOptions lo;
    lo.opt_level = 0;  // the IR as the writer made it
    std::string ir = gradc::emit_llvm(p.lanes, p.name, p.name, gradc::LlvmFormat::Text, lo).bytes;
    vector_ir += ir.find("fmul <2 x double>") != std::string::npos ||
                 ir.find("fadd <2 x double>") != std::string::npos;
  }
  CHECK(vector_ir > 25);  // as many programs as have groups in C++
  LinkedLibrary lanes("lanes-llvm"), scalar("lanes-llvm-scalar");
  REQUIRE_MESSAGE(lanes.build(with, std::string(GRADC_GXX) + " -shared"), lanes.log);
  REQUIRE_MESSAGE(scalar.build(without, std::string(GRADC_GXX) + " -shared"), scalar.log);
  std::mt19937_64 rng(12);
  for (const Program& p : programs) {
    const gradc::Compiled& c = p.lanes;
    const size_t n = c.names.inputs.size(), m = c.outputs.size(), k = c.num_wrt();
    void* f = lanes.lib.symbol(p.name + "_grad");
    void* ref = scalar.lib.symbol(p.name + "_grad");
    REQUIRE((f && ref));
    for (int point = 0; point < 20; ++point) {
      std::vector<double> in = test_input(rng, n), out(m), jac(m * k), out0(m), jac0(m * k);
      call_point(f, {in.data(), out.data(), jac.data()});
      call_point(ref, {in.data(), out0.data(), jac0.data()});
      for (size_t e = 0; e < jac.size(); ++e)
        CHECK_MESSAGE(same_bits(jac[e], jac0[e]),
                      p.name << " jac[" << e << "]: " << jac[e] << " vs " << jac0[e]);
      for (size_t e = 0; e < m; ++e) CHECK(same_bits(out[e], out0[e]));
    }
  }
}
