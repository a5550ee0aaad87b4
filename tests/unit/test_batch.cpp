// test_batch.cpp - the batch kernels NAME_batch and NAME_grad_batch (SPEC 3):
// through the JIT (host CPU), LLVM objects for the generic and the host CPU,
// and C++ built by clang++ with the vectorizing flags the source names and
// by g++; at counts that are and are not multiples of the vector width;
// point by point against the one-point kernels (the same numbers up to the
// vector math library's accuracy); the untaken branch of ?: never leaking
// NaN into a lane (the untaken-branch programs of untaken_branches.h, lanes
// at their blow-up points between lanes that take the other side); nothing
// written for count 0; every lanes loop marked parallel as LLVM reads it.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <cstring>
#include <random>

#include "emit/emit_cpp.h"
#include "emit/emit_llvm.h"

#include <llvm/Analysis/LoopInfo.h>
#include <llvm/AsmParser/Parser.h>
#include <llvm/IR/Dominators.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/SourceMgr.h>
#include "gradc_runtime.h"
#include "jit_compiled.h"
#include "backends.h"  // kSanitized
#include "kernel_harness.h"
#include "random_program.h"
#include "untaken_branches.h"

using namespace gradc_test;

namespace {

bool unit_close(double a, double b) { return close(a, b, 1e-13, 1e-15); }

gradc::CompileOptions with_batch() {
  gradc::CompileOptions opts;
  opts.batch = true;
  return opts;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

struct Program {
  std::string name, text;
  gradc::Compiled c;
};

std::vector<Program> corpus() {
  std::vector<Program> out;
  auto add = [&](const std::string& name, const std::string& text) {
    std::string errors;
    auto c = compile_text(text, &errors, name + ".expr", with_batch());
    REQUIRE_MESSAGE(c, name << ":\n" << text << errors);
    out.push_back({name, text, std::move(*c)});
  };
  add("ba", read_text(GRADC_EXAMPLES_DIR "/../bench/workloads/ba/ba.expr"));
  add("mlp", read_text(GRADC_EXAMPLES_DIR "/classifier.expr"));
  add("branch", "input x, y\nw = x > 0 ? sqrt(x)*y : -x*log(y*y + 1)\nv = relu(x - y)*x");
  add("math", "input x, y\nw = tanh(x) + atan2(y, x) + erf(x) + cbrt(y) + log1p(x*x) + "
              "expm1(y) + asin(x/3) + tan(y) + acos(x/3) + sinh(y) + cosh(x) + atan(y)");
  // A diagonal Jacobian: the one-point kernel zero-fills it (kZeroFillMin),
  // the batch kernels store each zero.
  add("diagonal", "input x[40]\ny = x*x*x + 1");
  // 40 random programs; 10 in a sanitized build, where LLVM's in-process
  // code generation for the JIT and the objects is several times slower.
  for (uint64_t seed = 9000; seed < (gradc_test::kSanitized ? 9010 : 9040); ++seed)
    add(fmt::format("b{}", seed), random_program(seed));
  return out;
}

// The JIT's one-point and batch kernels of `c` (`kernel` owns their code).
struct JitBatch {
  gradc::Kernel kernel;
  KernelFns fns;
};
JitBatch jit_batch(const gradc::Compiled& c) {
  gradc::JitOptions jo;
  jo.kernels = {"f", "grad", "batch"};
  JitBatch j{gradc::jit_compiled(c, jo), {}};
  j.fns.forward = j.kernel.forward_function();
  j.fns.grad = j.kernel.grad_function();
  j.fns.forward_batch = j.kernel.forward_batch_function();
  j.fns.grad_batch = j.kernel.grad_batch_function();
  return j;
}

// A batch kernel's results against the one-point kernel's, point by point:
// equal up to the vector math (libmvec: a few ulp per call), measured
// against the largest magnitude of the point's row of results.
void check_batch(const std::string& label, const gradc::Compiled& c, const KernelFns& f) {
  REQUIRE_MESSAGE(bool(f.forward_batch), label << ": no NAME_batch");
  REQUIRE_MESSAGE(bool(f.grad_batch), label << ": no NAME_grad_batch");
  const size_t n = c.names.inputs.size(), m = c.outputs.size(), k = c.num_wrt();
  std::mt19937_64 rng(7);
  // Below kBatchTailMin (1, 3): one by one; 4 and 7: one block padded with
  // copies of the last point; 8: one block; 9: a block, then one point
  // alone; 12 and 37: blocks, then a padded block (a split kernel's last
  // count % 8 points go one by one).
  for (size_t count : std::initializer_list<size_t>{0, 1, 3, 4, 7, 8, 9, 12, 37}) {
    std::vector<double> in;
    for (size_t p = 0; p < count; ++p) {
      std::vector<double> x = random_vector(rng, n);
      in.insert(in.end(), x.begin(), x.end());
    }
    const double sentinel = -12345.0;
    std::vector<double> out(count * m + 1, sentinel), jac(count * m * k + 1, sentinel),
        fout(count * m + 1, sentinel);
    f.grad_batch(count, in.data(), out.data(), jac.data());
    f.forward_batch(count, in.data(), fout.data());
    CHECK_MESSAGE(out.back() == sentinel, label << ": wrote past out[count*m]");
    CHECK_MESSAGE(jac.back() == sentinel, label << ": wrote past jac[count*m*k]");
    CHECK_MESSAGE(fout.back() == sentinel, label << ": NAME_batch wrote past out[count*m]");
    for (size_t p = 0; p < count; ++p) {
      std::vector<double> x(in.begin() + p * n, in.begin() + (p + 1) * n), o1(m), j1(m * k), f1(m);
      f.grad(x.data(), o1.data(), j1.data());
      f.forward(x.data(), f1.data());
      double scale = 1;
      for (double v : o1) scale = std::max(scale, std::isfinite(v) ? std::abs(v) : 0.0);
      for (double v : j1) scale = std::max(scale, std::isfinite(v) ? std::abs(v) : 0.0);
      auto same = [&](double got, double want) {
        if (std::isnan(want) || std::isinf(want)) return std::isnan(want) ? std::isnan(got) : got == want;
        return std::abs(got - want) <= 1e-11 * scale;
      };
      for (size_t i = 0; i < m; ++i) {
        CHECK_MESSAGE(same(out[p * m + i], o1[i]), label << " count " << count << " point " << p
                      << " out[" << i << "]: " << out[p * m + i] << " vs " << o1[i]);
        CHECK_MESSAGE(same(fout[p * m + i], f1[i]), label << " count " << count << " point " << p
                      << " NAME_batch out[" << i << "]: " << fout[p * m + i] << " vs " << f1[i]);
      }
      for (size_t e = 0; e < m * k; ++e)
        CHECK_MESSAGE(same(jac[p * m * k + e], j1[e]), label << " count " << count << " point "
                      << p << " jac[" << e << "]: " << jac[p * m * k + e] << " vs " << j1[e]);
    }
  }
}

}  // namespace

TEST_CASE("batch kernels equal the one-point kernels point by point: JIT (host CPU)") {
  for (const Program& p : corpus()) {
    JitBatch j = jit_batch(p.c);
    check_batch("jit " + p.name, p.c, j.fns);
  }
}

TEST_CASE("batch kernels equal the one-point kernels point by point: LLVM objects, generic and host CPU") {
  std::vector<Program> programs = corpus();
  for (const char* cpu : {"generic", "native"}) {
    LinkedLibrary b("batch");
    bool ok = b.build(named_files(programs, ".o", [&](const Program& p) {
      return llvm_object(p.c, p.name, cpu);
    }), GRADC_GXX " -shared");
    REQUIRE_MESSAGE(ok, b.log);
    for (const Program& p : programs) check_batch(fmt::format("{} .o {}", cpu, p.name), p.c, b.lib.get(p.name));
  }
}

namespace {

// SPEC 1 lane by lane: each untaken-branch program (untaken_branches.h)
// over 13 points (a block of 8 lanes and a padded tail block of 5):
// the even points at the program's blow-up point, where the derivative
// with respect to y is exactly 0 and the value is the taken side's; the odd
// ones with x moved by -2, most of them onto the other side, whose lanes
// may be inf or NaN. Each point as the one-point kernel computes it.
void check_untaken_lanes(const std::string& label, const KernelFns& f, const unit::UntakenCase& tc) {
  const size_t count = 13;  // a block of kBatchLanes (8) points, then a padded block of 5
  std::vector<double> in, out(count), jac(2 * count);
  for (size_t p = 0; p < count; ++p) {
    in.push_back(p % 2 == 0 ? tc.in[0] : tc.in[0] - 2);
    in.push_back(p % 2 == 0 ? tc.in[1] : tc.in[1] + 0.125 * double(p));
  }
  f.grad_batch(count, in.data(), out.data(), jac.data());
  for (size_t p = 0; p < count; ++p) {
    INFO(label, ": ", tc.program, "\npoint ", p, " at x = ", in[2 * p], ", y = ", in[2 * p + 1]);
    double o1 = 0, j1[2] = {0, 0};
    f.grad(&in[2 * p], &o1, j1);
    auto same = [](double got, double want) {
      if (std::isnan(want) || std::isinf(want)) return std::isnan(want) ? std::isnan(got) : got == want;
      return std::abs(got - want) <= 1e-12 * std::max(1.0, std::abs(want));
    };
    CHECK(same(out[p], o1));
    CHECK(same(jac[2 * p], j1[0]));
    CHECK(same(jac[2 * p + 1], j1[1]));
    if (p % 2 == 0) {
      CHECK(out[p] == tc.value);
      CHECK(jac[2 * p] == tc.d_dx);
      CHECK(jac[2 * p + 1] == 0.0);
    }
  }
}

// Every `step`-th case. The cases vary fastest in the outer selection (6
// of them), then the inner one (11), then the blow-up (3), so a step prime
// to 2, 3 and 11 still takes every outer and inner selection.
std::vector<unit::UntakenCase> untaken_cases_for_batch(size_t step) {
  std::vector<unit::UntakenCase> all = unit::untaken_branch_cases(), some;
  for (size_t i = 0; i < all.size(); i += step) some.push_back(all[i]);
  return some;
}

}  // namespace

TEST_CASE("the untaken branch leaks into no lane of a batch kernel: JIT (host CPU)") {
  for (const unit::UntakenCase& tc : untaken_cases_for_batch(gradc_test::kSanitized ? 7 : 1)) {
    std::string errors;
    auto c = compile_text(tc.program, &errors, "u.expr", with_batch());
    REQUIRE_MESSAGE(c, tc.program << errors);
    JitBatch j = jit_batch(*c);
    check_untaken_lanes("jit", j.fns, tc);
  }
}

TEST_CASE("the untaken branch leaks into no lane of a batch kernel: C++ (clang++, vectorizing flags)") {
  // A fifth of the cases (a 25th in a sanitized build): one clang++ -O3
  // build of them all.
  std::vector<unit::UntakenCase> cases = untaken_cases_for_batch(gradc_test::kSanitized ? 25 : 5);
  std::vector<Program> programs;
  for (size_t i = 0; i < cases.size(); ++i) {
    std::string errors;
    auto c = compile_text(cases[i].program, &errors, "u.expr", with_batch());
    REQUIRE_MESSAGE(c, cases[i].program << errors);
    programs.push_back({fmt::format("u{}", i), cases[i].program, std::move(*c)});
  }
  LinkedLibrary b("untaken-batch");
  auto source = [](const Program& p) { return gradc::emit_cpp(p.c, p.name, p.name + ".expr").source; };
  REQUIRE_MESSAGE(b.build(named_files(programs, ".cpp", source),
                          std::string(GRADC_CLANGXX) + " -O3 -march=native -fveclib=libmvec "
                          "-fno-math-errno -std=c++17 -fPIC -shared"),
                  b.log);
  for (size_t i = 0; i < programs.size(); ++i)
    check_untaken_lanes("clang++", b.lib.get(programs[i].name), cases[i]);
}

TEST_CASE("batch kernels in C++: warning-free with g++ and clang++, vectorized by clang++ as the source says") {
  std::vector<Program> programs = corpus();
  auto source = [](const Program& p) { return gradc::emit_cpp(p.c, p.name, p.name + ".expr").source; };
  const std::string flags = "-std=c++17 -fPIC -shared -Wall -Wextra -pedantic -Wmissing-declarations -Werror";
  for (const std::string& command :
       {std::string(GRADC_GXX) + " -O2 " + flags,
        std::string(GRADC_CLANGXX) + " -O3 -march=native -fveclib=libmvec -fno-math-errno " + flags}) {
    LinkedLibrary b("batch");
    REQUIRE_MESSAGE(b.build(named_files(programs, ".cpp", source), command), command << "\n" << b.log);
    for (const Program& p : programs) check_batch(command.substr(0, 20) + " " + p.name, p.c, b.lib.get(p.name));
  }
  // The comment that names the flags is there, and clang++ does vectorize.
  const Program& ba = programs[0];
  std::string text = source(ba);
  CHECK(text.find("-fveclib=libmvec -fno-math-errno") != std::string::npos);
  TempDir dir("batch-remarks");
  REQUIRE(write_file(dir.file("ba.cpp"), text));
  CommandResult r = run_command(
      fmt::format("cd {} && {} -std=c++17 -O3 -march=haswell -fveclib=libmvec -fno-math-errno -c "
                  "ba.cpp -Rpass=loop-vectorize", dir.path(), GRADC_CLANGXX),
      dir.file("log"));
  CHECK_MESSAGE(r.printed.find("ba_grad_batch") == std::string::npos, r.printed);  // no complaint
  CHECK_MESSAGE(r.printed.find("vectorized loop (vectorization width: 4") != std::string::npos,
                r.printed);
}

TEST_CASE("Kernel::eval_batch and grad_batch: the batch kernels, or logic_error without \"batch\"") {
  gradc::Kernel plain = gradc::jit_compile("input x, y\nw = sin(x)*y");
  double in[2] = {0.5, 2}, out[1], jac[2];
  CHECK_THROWS_AS(plain.grad_batch(1, in, out, jac), std::logic_error);
  CHECK_THROWS_AS(plain.eval_batch(1, in, out), std::logic_error);
  gradc::JitOptions jo;
  jo.kernels = {"f", "grad", "batch"};
  gradc::Kernel k = gradc::jit_compile("input x, y\nw = sin(x)*y", jo);
  std::vector<double> pts = {0.5, 2, -1, 3, 2, -0.5}, outs(3), jacs(6), fouts(3);
  k.grad_batch(3, pts.data(), outs.data(), jacs.data());
  k.eval_batch(3, pts.data(), fouts.data());
  for (int p = 0; p < 3; ++p) {
    double x = pts[2 * p], y = pts[2 * p + 1];
    CHECK(unit_close(outs[p], std::sin(x) * y));
    CHECK(unit_close(fouts[p], std::sin(x) * y));
    CHECK(unit_close(jacs[2 * p], std::cos(x) * y));
    CHECK(unit_close(jacs[2 * p + 1], std::sin(x)));
  }
}

TEST_CASE("an LLVM batch kernel computes several points per instruction") {
  std::vector<Program> programs = corpus();
  gradc::LlvmOptions lo;
  lo.cpu = "haswell";
  gradc::LlvmOutput o = gradc::emit_llvm(programs[0].c, "ba", "ba.expr", gradc::LlvmFormat::Text, lo);
  REQUIRE(o.error.empty());
  size_t begin = o.bytes.find("define void @ba_grad_batch");
  REQUIRE(begin != std::string::npos);
  std::string body = o.bytes.substr(begin, o.bytes.find("\n}\n", begin) - begin);
  CHECK(body.find("<4 x double>") != std::string::npos);        // AVX2: 4 points per vector
  CHECK(body.find("@_ZGVdN4v_sin") != std::string::npos);       // libmvec's 4-wide sin
  CHECK(body.find("gather") == std::string::npos);              // consecutive lanes, no gathers
  CHECK(o.bytes.find("link with -lmvec") != std::string::npos);
  // Every libm function that glibc's libmvec has is called in its 4-wide form.
  std::string errors;
  auto math = compile_text("input x, y\nw = tanh(x) + atan2(y, x) + erf(x) + cbrt(y) + "
                           "log1p(x*x) + expm1(y) + asin(x/3) + tan(y)", &errors, "m.expr",
                           with_batch());
  REQUIRE_MESSAGE(math, errors);
  std::string ir = gradc::emit_llvm(*math, "m", "m.expr", gradc::LlvmFormat::Text, lo).bytes;
  std::string grad_batch = ir.substr(ir.find("define void @m_grad_batch"));
  for (const char* f : {"_ZGVdN4v_tanh", "_ZGVdN4vv_atan2", "_ZGVdN4v_erf", "_ZGVdN4v_cbrt",
                        "_ZGVdN4v_log1p", "_ZGVdN4v_expm1", "_ZGVdN4v_tan", "_ZGVdN4v_exp"})
    CHECK_MESSAGE(grad_batch.find(std::string("@") + f + "(") != std::string::npos, f);
  // AVX2 has no 8-double registers: libmvec's 8-wide functions (zmm
  // arguments) are never called; a block's 8 points go through the 4-wide
  // ones in two halves.
  CHECK(ir.find("_ZGVe") == std::string::npos);
  CHECK(o.bytes.find("_ZGVe") == std::string::npos);

  // With AVX-512, 8 points per vector and libmvec's 8-wide functions
  // (all of them: LLVM's own table has no 8-wide double functions).
  lo.cpu = "x86-64-v4";
  std::string ba512 = gradc::emit_llvm(programs[0].c, "ba", "ba.expr", gradc::LlvmFormat::Text, lo).bytes;
  REQUIRE(ba512.find("define void @ba_grad_batch") != std::string::npos);
  std::string ba_batch = ba512.substr(ba512.find("define void @ba_grad_batch"));
  CHECK(ba_batch.find("<8 x double>") != std::string::npos);
  for (const char* f : {"_ZGVeN8v_sin", "_ZGVeN8v_cos"})
    CHECK_MESSAGE(ba512.find(std::string("@") + f + "(") != std::string::npos, f);
  std::string ir512 = gradc::emit_llvm(*math, "m", "m.expr", gradc::LlvmFormat::Text, lo).bytes;
  for (const char* f : {"_ZGVeN8v_tanh", "_ZGVeN8vv_atan2", "_ZGVeN8v_erf", "_ZGVeN8v_cbrt",
                        "_ZGVeN8v_log1p", "_ZGVeN8v_expm1", "_ZGVeN8v_tan", "_ZGVeN8v_exp"})
    CHECK_MESSAGE(ir512.find(std::string("@") + f + "(") != std::string::npos, f);
}

TEST_CASE("a batch kernel of one part computes its blocks in vectors, with no buffer of transposed points") {
  // The block form (llvm_kernel.h): each input tile is 8 vector loads of
  // the user's points where its first entry is used, each result tile 8
  // vector stores once computed; nothing goes through a transposed copy on
  // the stack (the lanes form's `.lanes` arrays).
  std::vector<Program> programs = corpus();
  gradc::LlvmOptions lo;
  lo.cpu = "x86-64-v4";
  lo.opt_level = 0;  // as gradc built it
  std::string ir = gradc::emit_llvm(programs[0].c, "ba", "ba.expr", gradc::LlvmFormat::Text, lo).bytes;
  REQUIRE(ir.find("define internal void @ba_grad.block(") != std::string::npos);
  std::string block = ir.substr(ir.find("define internal void @ba_grad.block("));
  block = block.substr(0, block.find("\n}\n"));
  CHECK(block.find("alloca") == std::string::npos);
  CHECK(block.find("load <8 x double>") != std::string::npos);
  CHECK(block.find("store <8 x double>") != std::string::npos);
  std::string batch = ir.substr(ir.find("define void @ba_grad_batch("));
  batch = batch.substr(0, batch.find("\n}\n"));
  CHECK(batch.find(".lanes") == std::string::npos);
  CHECK(batch.find("call void @ba_grad.block(") != std::string::npos);
  // At -O0 a block's math calls libm lane by lane (results equal the
  // one-point kernel's to the bit); from -O1 on, libmvec's.
  CHECK(block.find("@_ZGVe") == std::string::npos);
  CHECK(block.find("@sin(") != std::string::npos);
  lo.opt_level = 1;
  ir = gradc::emit_llvm(programs[0].c, "ba", "ba.expr", gradc::LlvmFormat::Text, lo).bytes;
  CHECK(ir.find("@_ZGVeN8v_sin(") != std::string::npos);
  // A last input tile of 2 to 7 entries: masked loads where the CPU has
  // them (never masked stores, measured slower); else entry by entry.
  std::string errors;
  auto two = compile_text("input x, y\nw = x*y + sin(x)", &errors, "two.expr", with_batch());
  REQUIRE_MESSAGE(two, errors);
  lo.opt_level = 0;
  std::string masked = gradc::emit_llvm(*two, "two", "two.expr", gradc::LlvmFormat::Text, lo).bytes;
  CHECK(masked.find("@llvm.masked.load") != std::string::npos);
  CHECK(masked.find("@llvm.masked.store") == std::string::npos);
  lo.cpu = "x86-64";
  std::string plain = gradc::emit_llvm(*two, "two", "two.expr", gradc::LlvmFormat::Text, lo).bytes;
  CHECK(plain.find("@llvm.masked.load") == std::string::npos);
  CHECK(plain.find("define internal void @two_grad.block(") != std::string::npos);
  // libmvec is glibc's: a musl target's block form calls libm lane by lane.
  lo.cpu = "haswell";
  lo.opt_level = 2;
  lo.target = "x86_64-linux-musl";
  std::string musl = gradc::emit_llvm(*two, "two", "two.expr", gradc::LlvmFormat::Text, lo).bytes;
  CHECK(musl.find("_ZGV") == std::string::npos);
  lo.target = "x86_64-pc-linux-gnu";
  std::string gnu = gradc::emit_llvm(*two, "two", "two.expr", gradc::LlvmFormat::Text, lo).bytes;
  CHECK(gnu.find("@_ZGVdN4v_sin(") != std::string::npos);
}

TEST_CASE("a split kernel's last count % 8 points go one by one, without tail arrays") {
  // Its lanes gain too little over its one-point kernel for a block padded
  // with copies of the last point to pay (llvm_batch.cpp); a kernel of one
  // part still runs 4 to 7 points left as one more block.
  std::string chain = "input x[4]\nt0 = x[0]\n";
  for (int i = 1; i < 300; ++i)
    chain += fmt::format("t{} = sin(t{})*x[{}] + tanh(t{})\n", i, i - 1, i % 4, i / 2);
  chain += "y = t299 + t1*t2\n";
  std::string errors;
  auto c = compile_text(chain, &errors, "p.expr", with_batch());
  REQUIRE_MESSAGE(c, errors);
  gradc::LlvmOptions lo;
  lo.opt_level = 0;
  lo.cpu = "haswell";
  std::string ir = gradc::emit_llvm(*c, "p", "p.expr", gradc::LlvmFormat::Text, lo).bytes;
  auto body_of = [&](const std::string& name) {
    size_t begin = ir.find("define void @" + name + "(");
    REQUIRE(begin != std::string::npos);
    return ir.substr(begin, ir.find("\n}\n", begin) - begin);
  };
  const std::string split = body_of("p_grad_batch");
  CHECK(split.find(".lanes") != std::string::npos);  // the lanes form
  CHECK(split.find(".tail") == std::string::npos);
  auto small = compile_text("input x, y\nw = sin(x)*y", &errors, "s.expr", with_batch());
  REQUIRE_MESSAGE(small, errors);
  const std::string one_part = gradc::emit_llvm(*small, "s", "s.expr", gradc::LlvmFormat::Text, lo).bytes;
  CHECK(one_part.find("define void @s_grad_batch(") != std::string::npos);
  CHECK(one_part.find(".tail") != std::string::npos);
  // Every count still gives the one-point kernel's results, through the JIT.
  JitBatch j = jit_batch(*c);
  check_batch("jit split chain", *c, j.fns);
}

TEST_CASE("every lanes loop is one LLVM sees as parallel, in split kernels") {
  // A kernel split into parts runs its lanes form (a block form would be
  // one function of the whole kernel). A parallel loop's every memory
  // access (the inlined part's loads, stores and calls) carries its access
  // group: else the vectorizer and loop-load elimination compare every
  // pair of accesses, seconds for a large kernel. -O0 keeps the loops as
  // gradc built them (the parts inlined, nothing vectorized yet).
  std::string chain = "input x[4]\nt0 = x[0]\n";
  for (int i = 1; i < 300; ++i)
    chain += fmt::format("t{} = sin(t{})*x[{}] + tanh(t{})\n", i, i - 1, i % 4, i / 2);
  chain += "y = t299 + t1*t2\n";
  {
    const std::string& program = chain;
    std::string errors;
    gradc::CompileOptions opts = with_batch();
    opts.kernels = {gradc::KernelKind::Forward, gradc::KernelKind::Grad, gradc::KernelKind::Hvp};
    auto c = compile_text(program, &errors, "p.expr", opts);
    REQUIRE_MESSAGE(c, errors);
    gradc::LlvmOptions lo;
    lo.opt_level = 0;
    lo.cpu = "haswell";
    gradc::LlvmOutput o = gradc::emit_llvm(*c, "p", "p.expr", gradc::LlvmFormat::Text, lo);
    REQUIRE(o.error.empty());
    llvm::LLVMContext ctx;
    llvm::SMDiagnostic diag;
    std::unique_ptr<llvm::Module> m = llvm::parseAssemblyString(o.bytes, diag, ctx);
    REQUIRE(m);
    int lanes_loops = 0, blocks = 0;
    for (llvm::Function& f : *m) {
      if (f.isDeclaration()) continue;
      blocks += f.getName().ends_with(".block");
      llvm::DominatorTree dt(f);
      llvm::LoopInfo loops(dt);
      for (llvm::Loop* loop : loops.getLoopsInPreorder())
        if (loop->getHeader()->getName().starts_with("lane") &&
            !loop->getHeader()->getName().starts_with("lane.")) {  // not the transposes
          ++lanes_loops;
          CHECK_MESSAGE(loop->isAnnotatedParallel(), f.getName().str());
        }
    }
    // f, grad and hvp are split: each has lanes loops, none a block form.
    CHECK(blocks == 0);
    CHECK(lanes_loops >= 3);
  }
}

TEST_CASE("a one-point kernel gives the same bits with or without batch kernels beside it") {
  // Loops (reroll) that call sin, exp, tanh: with batch kernels the module
  // declares libmvec, which must not reach the one-point kernels' loops.
  const char* programs[] = {"input x[40]\ny = sin(x)*x\n",
                            "input x[48], w\nh = tanh(w*x) + exp(-x*x)\nL = sum(h*h)\n"};
  for (const char* text : programs) {
    gradc::CompileOptions opts;
    opts.reroll_min = 4;
    std::string errors;
    auto c = compile_text(text, &errors, "p.expr", opts);
    opts.batch = true;
    auto with = compile_text(text, &errors, "p.expr", opts);
    REQUIRE_MESSAGE((c && with), text << errors);
    gradc::JitOptions beside;
    beside.kernels = {"f", "grad", "batch"};
    gradc::Kernel a = gradc::jit_compiled(*c, {}), b = gradc::jit_compiled(*with, beside);
    const size_t n = c->names.inputs.size(), m = c->outputs.size(), k = c->num_wrt();
    std::mt19937_64 rng(5);
    for (int point = 0; point < 20; ++point) {
      std::vector<double> in = random_vector(rng, n), out_a(m), out_b(m), jac_a(m * k), jac_b(m * k);
      a.grad_function()(in.data(), out_a.data(), jac_a.data());
      b.grad_function()(in.data(), out_b.data(), jac_b.data());
      INFO(text);
      CHECK(std::memcmp(out_a.data(), out_b.data(), m * sizeof(double)) == 0);
      CHECK(std::memcmp(jac_a.data(), jac_b.data(), m * k * sizeof(double)) == 0);
    }
  }
}
