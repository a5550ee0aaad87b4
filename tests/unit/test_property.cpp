// test_property.cpp - property tests over 1,000 random programs: gradients
// against central differences, the interpreter against g++-built kernels
// (batched into 4 translation units), and the --print text round trip.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <random>

#include "kernel_harness.h"
#include "print.h"
#include "random_program.h"

namespace {

constexpr int kPrograms = 1000;
constexpr uint64_t kFirstSeed = 1000;
constexpr int kPoints = 3;

struct Case {
  uint64_t seed;
  std::string text;
  gradc::Compiled c;
  std::vector<std::vector<double>> points;  // in [-2, 2], ABI order
};

// The corpus is built once and shared by the test cases below.
const std::vector<Case>& corpus() {
  static const std::vector<Case> cases = [] {
    std::vector<Case> out;
    std::mt19937_64 rng(77);
    std::uniform_real_distribution<double> u(-2, 2);
    for (int i = 0; i < kPrograms; ++i) {
      uint64_t seed = kFirstSeed + uint64_t(i);
      std::string text = gradc_test::random_program(seed), errors;
      auto c = gradc_test::compile_text(text, &errors, fmt::format("p{}.expr", seed));
      REQUIRE_MESSAGE(c, "seed " << seed << " does not compile:\n" << text << "\n" << errors);
      Case k{seed, text, std::move(*c), {}};
      for (int p = 0; p < kPoints; ++p) {
        std::vector<double> x(k.c.prog.inputs.size());
        for (double& xi : x) xi = u(rng);
        k.points.push_back(std::move(x));
      }
      out.push_back(std::move(k));
    }
    return out;
  }();
  return cases;
}

bool all_finite(const gradc_test::Values& v) {
  for (double d : v.out)
    if (!std::isfinite(d)) return false;
  for (double d : v.jac)
    if (!std::isfinite(d)) return false;
  return true;
}

std::string where(const Case& k, const std::vector<double>& x) {
  return fmt::format("seed {} at {}\n{}", k.seed, gradc_test::point_text(k.c, x), k.text);
}

// Interpreter against the kernels of `lib` at every point; returns the
// number of values compared.
int compare_all(const gradc_test::KernelLibrary& lib) {
  const std::vector<Case>& cases = corpus();
  int compared = 0;
  for (const Case& k : cases) {
    gradc_test::KernelFns f = lib.get(fmt::format("prop{}", k.seed));
    REQUIRE((f.forward && f.grad));
    size_t m = k.c.outputs.size(), nw = k.c.num_wrt();
    for (const std::vector<double>& x : k.points) {
      gradc_test::Values ref = gradc_test::interpret(k.c, x);
      std::vector<double> fwd;
      gradc_test::Values got = f.call(x, m, nw, &fwd);
      for (size_t i = 0; i < m; ++i, ++compared) {
        CHECK_MESSAGE(gradc_test::close(ref.out[i], got.out[i], 1e-14, 1e-300),
                      "grad out[" << i << "]: " << ref.out[i] << " vs " << got.out[i] << ", "
                                  << where(k, x));
        CHECK_MESSAGE(gradc_test::close(ref.out[i], fwd[i], 1e-14, 1e-300),
                      "forward out[" << i << "]: " << ref.out[i] << " vs " << fwd[i] << ", "
                                     << where(k, x));
      }
      for (size_t i = 0; i < m * nw; ++i, ++compared)
        CHECK_MESSAGE(gradc_test::close(ref.jac[i], got.jac[i], 1e-14, 1e-300),
                      k.c.derivative_names[i] << ": " << ref.jac[i] << " vs " << got.jac[i]
                                              << ", " << where(k, x));
    }
  }
  return compared;
}

}  // namespace

TEST_CASE("the generator is deterministic and covers the language") {
  CHECK(gradc_test::random_program(5) == gradc_test::random_program(5));
  CHECK(gradc_test::random_program(5) != gradc_test::random_program(6));
  std::string all;
  for (const Case& k : corpus()) all += k.text;
  for (const char* s : {"exp(", "log(", "sin(", "cos(", "tanh(", "sigmoid(", "softplus(",
                        "sqrt(", "relu(", "abs(", "max(", "min(", " ? ", "where(", "pow(",
                        "^", "**", " < ", " > ", "&&", "||", "!(", "atan2(", "gelu(", "erf(",
                        "leaky_relu(", "log1p(", "cbrt(", "expm1(", "sinh(", "cosh(", "input ",
                        "output ", "wrt ", "/", "--", "; ", "asin(", "> 0.05 ?"}) {
    size_t count = 0;
    for (size_t at = all.find(s); at != std::string::npos; at = all.find(s, at + 1)) ++count;
    CHECK_MESSAGE(count >= 20, "'" << s << "' appears only " << count << " times");
  }
}

TEST_CASE("random programs: gradients match central differences") {
  int checked = 0, kinks = 0, nonfinite = 0;
  for (const Case& k : corpus()) {
    size_t m = k.c.outputs.size(), nw = k.c.num_wrt();
    for (const std::vector<double>& x : k.points) {
      gradc_test::Values v = gradc_test::interpret(k.c, x);
      if (!all_finite(gradc_test::Values{v.out, {}})) {  // overflow: nothing to compare
        nonfinite += int(nw);
        continue;
      }
      // Every argument is in its domain or in an untaken branch, so finite
      // outputs must have finite derivatives (no NaN leaks from a branch).
      CHECK_MESSAGE(all_finite(v), "a derivative is not finite, " << where(k, x));
      for (size_t j = 0; j < nw; ++j) {
        auto fd = gradc_test::central_difference(k.c, x, k.c.prog.wrt[j]);
        if (!fd) {  // the kink rule (see kernel_harness.h)
          ++kinks;
          continue;
        }
        ++checked;
        for (size_t i = 0; i < m; ++i)
          CHECK_MESSAGE(gradc_test::matches_fd(v.jac[i * nw + j], fd->d[i], fd->scale),
                        k.c.derivative_names[i * nw + j]
                            << " = " << v.jac[i * nw + j] << ", central difference "
                            << fd->d[i] << ", " << where(k, x));
      }
    }
  }
  MESSAGE(fmt::format("{} derivative columns checked, {} skipped at a kink, {} at a "
                      "non-finite point",
                      checked, kinks, nonfinite));
  // The skip rules must leave nearly everything checked.
  CHECK(checked > 2000);
  CHECK(kinks + nonfinite < checked / 10);
}

TEST_CASE("random programs: the interpreter matches g++- and clang++-built kernels") {
  const std::vector<Case>& cases = corpus();
  std::vector<gradc_test::KernelSource> sources;
  for (const Case& k : cases)
    sources.push_back(gradc_test::generate(k.c, fmt::format("prop{}", k.seed)));
  for (std::string compiler : {GRADC_GXX, GRADC_CLANGXX}) {
    CAPTURE(compiler);
    gradc_test::KernelLibrary lib(compiler, sources, 4);
    REQUIRE_MESSAGE(lib.ok(), lib.log());
    MESSAGE(fmt::format("{} kernels compiled by {} in {:.1f} s", cases.size(), compiler,
                        lib.compile_seconds()));
    CHECK(compare_all(lib) > 5000);
  }
}

TEST_CASE("random programs: --print text re-parses to the same values and derivatives") {
  for (const Case& k : corpus()) {
    std::string printed = gradc::print_text(k.c, "p.expr"), errors;
    auto again = gradc_test::compile_text(printed, &errors, "printed.expr");
    REQUIRE_MESSAGE(again, "seed " << k.seed << ": printed program does not compile:\n"
                                   << printed << errors << "\noriginal:\n" << k.text);
    // Same inputs in the same order; outputs are the outputs then dOUT_dIN.
    REQUIRE(again->prog.inputs.size() == k.c.prog.inputs.size());
    for (size_t i = 0; i < k.c.prog.inputs.size(); ++i)
      CHECK(again->prog.inputs[i].name == k.c.prog.inputs[i].name);
    size_t m = k.c.outputs.size();
    REQUIRE_MESSAGE(again->outputs.size() == m + k.c.jacobian.size(), printed);
    for (size_t i = 0; i < m; ++i) CHECK(again->prog.outputs[i].name == k.c.prog.outputs[i].name);
    for (size_t i = 0; i < k.c.jacobian.size(); ++i)
      CHECK(again->prog.outputs[m + i].name == k.c.derivative_names[i]);
    for (const std::vector<double>& x : k.points) {
      gradc_test::Values ref = gradc_test::interpret(k.c, x);
      std::vector<double> got = gradc_test::interpret(*again, x).out;
      for (size_t i = 0; i < got.size(); ++i) {
        double want = i < m ? ref.out[i] : ref.jac[i - m];
        CHECK_MESSAGE(gradc_test::close(want, got[i], 1e-12, 1e-12),
                      again->prog.outputs[i].name << ": original " << want << ", printed "
                                                  << got[i] << ", " << where(k, x)
                                                  << "\nprinted:\n" << printed);
      }
    }
  }
}
