// test_property.cpp - property tests over 1,000 random programs: gradients
// against central differences, the interpreter against g++-built kernels
// (batched into 4 translation units), and the --print text round trip.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include "print.h"
#include "property_support.h"
#include "random_program.h"

namespace {

constexpr int kPrograms = 1000;
constexpr uint64_t kFirstSeed = 1000;
constexpr int kPoints = 3;

using Case = gradc_test::PropertyCase;
using gradc_test::where;

// The corpus is built once and shared by the test cases below.
const std::vector<Case>& corpus() {
  static const std::vector<Case> cases = gradc_test::build_corpus(
      gradc_test::random_program, kPrograms, kFirstSeed, kPoints, 77, "p");
  return cases;
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
  gradc_test::FdTally t = gradc_test::check_central_differences(corpus());
  // The skip rules must leave nearly everything checked.
  CHECK(t.checked > 2000);
  CHECK(t.kinks + t.nonfinite < t.checked / 10);
}

TEST_CASE("random programs: the interpreter matches g++- and clang++-built kernels") {
  const std::vector<Case>& cases = corpus();
  std::vector<gradc_test::KernelSource> sources = gradc_test::kernel_sources(cases, "prop");
  for (std::string compiler : {GRADC_GXX, GRADC_CLANGXX}) {
    CAPTURE(compiler);
    gradc_test::KernelLibrary lib(compiler, sources, 4);
    REQUIRE_MESSAGE(lib.ok(), lib.log());
    MESSAGE(fmt::format("{} kernels compiled by {} in {:.1f} s", cases.size(), compiler,
                        lib.compile_seconds()));
    CHECK(gradc_test::compare_kernels(cases, lib, "prop", compiler) > 5000);
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
