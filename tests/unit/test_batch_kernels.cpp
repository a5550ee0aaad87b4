// test_batch_kernels.cpp - the batch variant of every kernel kind (SPEC 3:
// NAME_jvp_batch, NAME_vjp_batch, NAME_hess_batch, NAME_hvp_batch,
// NAME_grad_sparse_batch, as well as NAME_batch and NAME_grad_batch): called
// with each argument array holding `count` points one after another, each
// point's results must equal the one-point kernel's on that point's slices,
// up to the vector math library's accuracy; nothing is written past the
// arrays; count 0 writes nothing. Through the JIT, LLVM objects for the
// host CPU (vectorized) and C++ built by clang++ with the vectorizing flags.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <random>

#include "emit/emit_cpp.h"
#include "emit/emit_llvm.h"
#include "gradc_runtime.h"
#include "jit_compiled.h"
#include "backends.h"  // kSanitized
#include "kernel_harness.h"
#include "random_program.h"

using namespace gradc_test;
using gradc::KernelKind;

namespace {

struct Program {
  std::string name;
  gradc::Compiled c;
};

// Programs with every kernel and its batch variant: the bundle-adjustment
// residual (its Hessian kernels split into parts), kinks and branches whose
// other side is NaN, math functions with vector variants, arrays whose
// block buffers exceed the stack bound, and random programs.
// Compiled once per process (the test cases share them).
const std::vector<Program>& corpus() {
  static const std::vector<Program> programs = [] {
    std::vector<Program> out;
    auto add = [&](const std::string& name, const std::string& text,
                   std::vector<KernelKind> kinds = {std::begin(gradc::kAllKernelKinds),
                                                    std::end(gradc::kAllKernelKinds)}) {
      gradc::CompileOptions opts;
      opts.batch = true;
      opts.kernels = kinds;
      std::string errors;
      auto c = compile_text(text, &errors, name + ".expr", opts);
      REQUIRE_MESSAGE(c, name << ":\n" << text << errors);
      out.push_back({name, std::move(*c)});
    };
    std::ifstream ba(GRADC_EXAMPLES_DIR "/../bench/workloads/ba/ba.expr");
    add("ba", std::string(std::istreambuf_iterator<char>(ba), {}));
    add("branch", "input x, y\nw = x > 0 ? sqrt(x)*y : -x*log(y*y + 1)\nv = relu(x - y)*x*y");
    add("math", "input x, y\nw = tanh(x)*exp(y) + atan2(y, x) + sin(x*y) + log1p(x*x)");
    // Arrays too large for the stack in a block of 8 points (624 entries):
    // the block buffers are allocated per call. (Its Hessian, 13,824 entries,
    // would only make the test slow.)
    add("wide", "input x[24]\nw = sin(x)*x[0] + exp(x/4)",
        {KernelKind::Forward, KernelKind::Grad, KernelKind::Jvp, KernelKind::Vjp,
         KernelKind::Sparse});
    // Random programs; none in a sanitized build, where the ones above cover
    // every path of gradc's batch code and LLVM runs several times slower.
    for (uint64_t seed = 9100; seed < (kSanitized ? 9100 : 9108); ++seed)
      add(fmt::format("r{}", seed), random_program(seed));
    // pow, which libmvec has at 2 and 4 lanes (the IR test below).
    add("powers", "input x, y, z\nf = pow(x, y) + pow(y, z) + pow(z, x)");
    return out;
  }();
  return programs;
}

// The one-point kernel of `kind`, or its batch variant.
using Lookup = std::function<void*(KernelKind kind, bool batch)>;

void check_kernel_batch(const std::string& label, const gradc::KernelSpec& spec,
                        void* one, void* batch) {
  REQUIRE_MESSAGE(one, label << ": no one-point kernel");
  REQUIRE_MESSAGE(batch, label << ": no batch kernel");
  const double sentinel = -12345.0;
  std::mt19937_64 rng(11);
  for (size_t count : {size_t(0), size_t(1), size_t(5), size_t(8), size_t(19)}) {
    // Every array for `count` points, the results one entry longer (the sentinel).
    std::vector<std::vector<double>> arrays;
    for (const gradc::KernelArray& a : spec.args)
      arrays.push_back(a.result ? std::vector<double>(count * a.size + 1, sentinel)
                                : random_vector(rng, count * a.size));
    std::vector<double*> ptrs;
    for (auto& v : arrays) ptrs.push_back(v.data());
    call_batch(batch, count, ptrs);
    for (size_t a = 0; a < spec.args.size(); ++a)
      if (spec.args[a].result)
        CHECK_MESSAGE(arrays[a].back() == sentinel,
                      label << " count " << count << ": wrote past " << spec.args[a].name);
    for (size_t p = 0; p < count; ++p) {
      std::vector<std::vector<double>> point;
      for (size_t a = 0; a < spec.args.size(); ++a) {
        const size_t n = spec.args[a].size;
        point.push_back(spec.args[a].result
                            ? std::vector<double>(n, sentinel)
                            : std::vector<double>(arrays[a].begin() + p * n,
                                                  arrays[a].begin() + (p + 1) * n));
      }
      std::vector<double*> pp;
      for (auto& v : point) pp.push_back(v.data());
      call_point(one, pp);
      double scale = 1;  // the point's largest finite result
      for (size_t a = 0; a < spec.args.size(); ++a)
        if (spec.args[a].result)
          for (double v : point[a]) scale = std::max(scale, std::isfinite(v) ? std::abs(v) : 0.0);
      for (size_t a = 0; a < spec.args.size(); ++a) {
        if (!spec.args[a].result) continue;
        const size_t n = spec.args[a].size;
        for (size_t e = 0; e < n; ++e) {
          double got = arrays[a][p * n + e], want = point[a][e];
          bool same = std::isnan(want) ? std::isnan(got)
                      : std::isinf(want) ? got == want
                                         : std::abs(got - want) <= 1e-11 * scale;
          CHECK_MESSAGE(same, label << " count " << count << " point " << p << " "
                                    << spec.args[a].name << "[" << e << "]: " << got << " vs "
                                    << want);
        }
      }
    }
  }
}

size_t check_every_kernel(const std::string& label, const gradc::Compiled& c,
                          const Lookup& lookup) {
  size_t checked = 0;
  for (const gradc::KernelSpec& spec : c.kernels) {
    std::string kind(gradc::kernel_kind_name(spec.kind));
    check_kernel_batch(label + " " + kind, spec, lookup(spec.kind, false), lookup(spec.kind, true));
    ++checked;
  }
  return checked;
}

Lookup library_lookup(const SharedObject& lib, const std::string& name) {
  return [&lib, name](KernelKind kind, bool batch) {
    return lib.symbol(name + std::string(gradc::kernel_suffix(kind)) + (batch ? "_batch" : ""));
  };
}

}  // namespace

TEST_CASE("every kernel's batch variant equals it point by point: JIT (host CPU)") {
  for (const Program& p : corpus()) {
    gradc::JitOptions jo;
    jo.kernels = {"batch"};
    gradc::Kernel k = gradc::jit_compiled(p.c, jo);
    Lookup lookup = [&k](KernelKind kind, bool batch) { return jit_function(k, kind, batch); };
    CHECK(check_every_kernel("jit " + p.name, p.c, lookup) == p.c.kernels.size());
  }
}

TEST_CASE("every kernel's batch variant equals it point by point: LLVM objects (host CPU)") {
  const std::vector<Program>& programs = corpus();
  LinkedLibrary b("batch-kernels-o");
  bool ok = b.build(named_files(programs, ".o", [](const Program& p) {
    return llvm_object(p.c, p.name, "native");
  }), GRADC_GXX " -shared");
  REQUIRE_MESSAGE(ok, b.log);
  for (const Program& p : programs)
    CHECK(check_every_kernel(".o " + p.name, p.c, library_lookup(b.lib, p.name)) == p.c.kernels.size());
}

TEST_CASE("LLVM IR beside batch kernels, compiled later by clang: the one-point kernels are the object's") {
  // The libmvec variants LLVM notes on math calls to vectorize the batch
  // loops are not left in the .ll (or .bc): clang would take them as
  // licence to vectorize the one-point kernels too, with AVX2's variants on
  // a CPU without AVX2 (wrong Hessians through SSE registers) and libmvec's
  // last bits. Generic CPU, as clang compiles it by default.
  const std::vector<Program>& programs = corpus();
  LinkedLibrary ll("batch-kernels-ll"), obj("batch-kernels-ll-o");
  gradc::LlvmOptions lo;
  bool ok = ll.build(named_files(programs, ".ll", [&](const Program& p) {
    gradc::LlvmOutput o = gradc::emit_llvm(p.c, p.name, p.name + ".expr", gradc::LlvmFormat::Text, lo);
    CHECK_MESSAGE(o.bytes.find("vector-function-abi-variant") == std::string::npos, p.name);
    return o.bytes;
  }), GRADC_CLANG " -O2 -fPIC -shared");
  REQUIRE_MESSAGE(ok, ll.log);
  ok = obj.build(named_files(programs, ".o", [](const Program& p) {
    return llvm_object(p.c, p.name, "");
  }), GRADC_GXX " -shared");
  REQUIRE_MESSAGE(ok, obj.log);
  std::mt19937_64 rng(23);
  size_t compared = 0;
  for (const Program& p : programs) {
    CHECK(check_every_kernel(".ll " + p.name, p.c, library_lookup(ll.lib, p.name)) == p.c.kernels.size());
    for (const gradc::KernelSpec& spec : p.c.kernels) {  // .ll against .o, bit for bit
      const std::string fn = p.name + std::string(gradc::kernel_suffix(spec.kind));
      compared += compare_point_kernels(fn, spec, ll.lib.symbol(fn), obj.lib.symbol(fn), rng, 4,
                                        same_bits);
    }
  }
  CHECK(compared > 1000);
}

TEST_CASE("every kernel's batch variant equals it point by point: C++ (clang++, vectorizing flags)") {
  const std::vector<Program>& programs = corpus();
  LinkedLibrary b("batch-kernels-cpp");
  const std::string command = std::string(GRADC_CLANGXX) +
      " -O3 -march=native -fveclib=libmvec -fno-math-errno -std=c++17 -fPIC -shared -Wall "
      "-Wextra -pedantic -Wmissing-prototypes -Werror";
  bool ok = b.build(named_files(programs, ".cpp", [](const Program& p) {
    return gradc::emit_cpp(p.c, p.name, p.name + ".expr").source;
  }), command);
  REQUIRE_MESSAGE(ok, command << "\n" << b.log);
  for (const Program& p : programs)
    CHECK(check_every_kernel("c++ " + p.name, p.c, library_lookup(b.lib, p.name)) == p.c.kernels.size());
}

TEST_CASE("LLVM batch kernels compute several points per instruction, split kernels' too") {
  const std::vector<Program>& programs = corpus();
  gradc::LlvmOptions lo;
  lo.cpu = "haswell";
  gradc::LlvmOutput o = gradc::emit_llvm(programs[0].c, "ba", "ba.expr", gradc::LlvmFormat::Text, lo);
  REQUIRE(o.error.empty());
  // The definition of @fn (exactly that name, whatever its linkage).
  auto body = [&](const std::string& fn) -> std::string {
    for (size_t at = o.bytes.find("\ndefine "); at != std::string::npos;
         at = o.bytes.find("\ndefine ", at + 1)) {
      size_t eol = o.bytes.find('\n', at + 1);
      if (o.bytes.substr(at, eol - at).find(" @" + fn + "(") != std::string::npos)
        return o.bytes.substr(at, o.bytes.find("\n}\n", at) - at);
    }
    FAIL_CHECK("no definition of @" << fn);
    return "";
  };
  for (const char* fn : {"ba_jvp_batch", "ba_vjp_batch", "ba_grad_sparse_batch"})
    CHECK_MESSAGE(body(fn).find("<4 x double>") != std::string::npos, fn);
  // Block buffers beyond 32 KiB: on the stack too (SPEC 3: kernels
  // allocate nothing), still vectorized.
  {
    const Program& wide = programs[3];
    REQUIRE(wide.name == "wide");
    std::string ir = gradc::emit_llvm(wide.c, "wide", "wide.expr", gradc::LlvmFormat::Text, lo).bytes;
    size_t begin = ir.find("define void @wide_grad_batch(");
    REQUIRE(begin != std::string::npos);
    std::string batch = ir.substr(begin, ir.find("\n}\n", begin) - begin);
    CHECK(batch.find("@malloc(") == std::string::npos);
    CHECK(batch.find("alloca [") != std::string::npos);
    CHECK(batch.find("<4 x double>") != std::string::npos);
  }
  // BA's Hessian kernels are split into parts: each part's lanes loop is a
  // function of its own, vectorized, and the batch kernel calls them in turn.
  for (const char* fn : {"ba_hess_batch", "ba_hvp_batch"}) {
    std::string batch = body(fn);
    CHECK_MESSAGE(batch.find(std::string("@") + fn + ".part2(") != std::string::npos, batch);
    for (const char* part : {".part1", ".part2"})
      CHECK_MESSAGE(body(fn + std::string(part)).find("<4 x double>") != std::string::npos,
                    fn << part);
  }
}
