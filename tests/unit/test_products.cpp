// test_products.cpp - the product kernels NAME_jvp (J v, one tangent sweep)
// and NAME_vjp (u^T J, one adjoint sweep), and NAME_grad_sparse (the
// Jacobian's structural nonzeros), on 300 random scalar programs and
// 100 random array programs: the interpreter's products against J v and
// u^T J from the full Jacobian, and every compiled backend (g++ and
// clang++ with -Werror, the JIT, .ll, .o) against the interpreter.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <random>

#include "backends.h"
#include "random_array_program.h"
#include "random_program.h"

using gradc::KernelKind;
using namespace gradc_test;

namespace {

struct Product {
  std::string name, text;
  gradc::Compiled c;
};

// Programs compiled with every kernel (f, grad, jvp, vjp).
const std::vector<Product>& corpus() {
  static const std::vector<Product> programs = [] {
    std::vector<Product> out;
    gradc::CompileOptions opts;
    opts.kernels = {KernelKind::Forward, KernelKind::Grad, KernelKind::Jvp, KernelKind::Vjp,
                    KernelKind::Sparse};
    auto add = [&](const std::string& name, const std::string& text) {
      std::string errors;
      auto c = compile_text(text, &errors, name + ".expr", opts);
      REQUIRE_MESSAGE(c, name << " does not compile:\n" << text << errors);
      out.push_back({name, text, std::move(*c)});
    };
    for (uint64_t seed = 3000; seed < 3300; ++seed) add(fmt::format("jp{}", seed), random_program(seed));
    for (uint64_t seed = 7000; seed < 7100; ++seed)
      add(fmt::format("ja{}", seed), random_array_program(seed));
    return out;
  }();
  return programs;
}

std::vector<NamedProgram> batch() {
  std::vector<NamedProgram> out;
  const size_t share = gradc_test::backend_share(corpus().size());
  for (size_t i = 0; i < share; ++i)
    out.push_back({corpus()[i].name, &corpus()[i].c});
  return out;
}

// |got - sum_j a_j b_j| within rounding of the sum's terms.
bool matches_sum(double got, double sum, double magnitude) {
  return std::fabs(got - sum) <= 1e-10 * magnitude + 1e-12;
}

}  // namespace

TEST_CASE("jvp and vjp equal J v and u^T J of the full Jacobian (interpreter)") {
  std::mt19937_64 rng(11);
  for (const Product& p : corpus()) {
    const size_t m = p.c.outputs.size(), k = p.c.num_wrt();
    for (int point = 0; point < 3; ++point) {
      std::vector<double> in = random_vector(rng, p.c.names.inputs.size());
      std::vector<double> v = random_vector(rng, k), u = random_vector(rng, m);
      Values full = interpret(p.c, in);
      if (!all_finite(full.out) || !all_finite(full.jac)) continue;
      Values jv = interpret_product(p.c, KernelKind::Jvp, in, v);
      Values uj = interpret_product(p.c, KernelKind::Vjp, in, u);
      CHECK(jv.out == full.out);
      CHECK(uj.out == full.out);
      INFO(p.name, "\n", p.text);
      for (size_t i = 0; i < m; ++i) {
        double sum = 0, magnitude = 0;
        for (size_t j = 0; j < k; ++j) {
          sum += full.jac[i * k + j] * v[j];
          magnitude += std::fabs(full.jac[i * k + j] * v[j]);
        }
        CHECK_MESSAGE(matches_sum(jv.jac[i], sum, magnitude), "jv[" << i << "] = " << jv.jac[i]
                                                                    << ", J v = " << sum);
      }
      for (size_t j = 0; j < k; ++j) {
        double sum = 0, magnitude = 0;
        for (size_t i = 0; i < m; ++i) {
          sum += u[i] * full.jac[i * k + j];
          magnitude += std::fabs(u[i] * full.jac[i * k + j]);
        }
        CHECK_MESSAGE(matches_sum(uj.jac[j], sum, magnitude), "uj[" << j << "] = " << uj.jac[j]
                                                                    << ", u^T J = " << sum);
      }
    }
  }
}

TEST_CASE("every compiled backend's jvp and vjp agree with the interpreter") {
  std::vector<BackendSpec> specs;
  for (Backend b : kCompiledBackends) specs.push_back({b});
  BackendOptions clang;
  clang.cxx = GRADC_CLANGXX;
  specs.push_back({Backend::Cpp, clang});
  auto backends = build_backends(batch(), specs);
  for (const auto& b : backends) REQUIRE_MESSAGE(b->ok(), b->label() << ":\n" << b->log());
  std::mt19937_64 rng(12);
  for (size_t i = 0; i < batch().size(); ++i) {
    const Product& p = corpus()[i];
    std::vector<double> in = random_vector(rng, p.c.names.inputs.size());
    std::vector<double> v = random_vector(rng, p.c.num_wrt());
    std::vector<double> u = random_vector(rng, p.c.outputs.size());
    Values dense = interpret(p.c, in);
    for (const auto& b : backends) {  // jac_nz: the dense Jacobian at the pattern, column by column
      Values got = b->call_sparse(i, in);
      INFO(b->label(), " ", p.name, " grad_sparse\n", p.text);
      const size_t k = p.c.num_wrt();
      for (size_t j = 0; j < k; ++j)
        for (uint32_t q = p.c.jac_colptr[j]; q < p.c.jac_colptr[j + 1]; ++q)
          CHECK(close(got.jac[q], dense.jac[p.c.jac_rowind[q] * k + j], 1e-14, 1e-300));
      // every entry left out is exactly zero
      size_t zeros = 0;
      for (double d : dense.jac) zeros += d == 0.0;
      CHECK(zeros >= dense.jac.size() - got.jac.size());
    }
    for (KernelKind kind : {KernelKind::Jvp, KernelKind::Vjp}) {
      const std::vector<double>& dir = kind == KernelKind::Jvp ? v : u;
      Values want = interpret_product(p.c, kind, in, dir);
      for (const auto& b : backends) {
        Values got = b->call_product(i, kind, in, dir);
        INFO(b->label(), " ", p.name, kind == KernelKind::Jvp ? " jvp" : " vjp", "\n", p.text);
        REQUIRE(got.out.size() == want.out.size());
        REQUIRE(got.jac.size() == want.jac.size());
        for (size_t e = 0; e < want.out.size(); ++e) CHECK(close(got.out[e], want.out[e], 1e-14, 0));
        for (size_t e = 0; e < want.jac.size(); ++e)
          CHECK_MESSAGE(close(got.jac[e], want.jac[e], 1e-14, 1e-300),
                        "entry " << e << ": " << got.jac[e] << " vs " << want.jac[e]);
      }
    }
  }
}
