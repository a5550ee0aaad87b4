// test_property.cpp - property tests over 1,000 random programs: the Jacobians
// of the interpreter and of every backend (g++-built C++, LLVM JIT, clang-19-built
// .ll, linked .o; one batch each) against central differences, every backend
// against the interpreter within 1e-14, the JIT at -O0 too, the --print round trip.
// (Under ASan the compiled backends take the first 250 programs.)
#include <doctest/doctest.h>
#include <fmt/format.h>

#include "naming.h"
#include "emit/print.h"
#include "property_support.h"
#include "random_program.h"

namespace {

constexpr int kPrograms = 1000;
constexpr uint64_t kFirstSeed = 1000;
constexpr int kPoints = 3;
// The compiled backends get backend_share(kPrograms) programs, with at
// least 5 values (outputs and derivatives at 3 points) each on average.
const size_t kMinValuesCompared = 5 * gradc_test::backend_share(kPrograms);

using Case = gradc_test::PropertyCase;
using gradc_test::where;

// The corpus is built once and shared by the test cases below.
const std::vector<Case>& corpus() {
  static const std::vector<Case> cases = gradc_test::build_corpus(
      gradc_test::random_program, kPrograms, kFirstSeed, kPoints, 77, "p");
  return cases;
}

// The corpus as one batch for the compiled backends (the first quarter only in
// a sanitized build: see gradc_test::kSanitized).
std::vector<gradc_test::NamedProgram> batch() {
  return gradc_test::named_programs(corpus(), "prop", gradc_test::backend_share(corpus().size()));
}

// Every compiled backend's kernels of the batch (the interpreter is the
// reference), built once.
const std::vector<std::unique_ptr<gradc_test::BackendKernels>>& backends() {
  static const auto built = gradc_test::build_backends(batch(), gradc_test::kCompiledBackends);
  return built;
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

TEST_CASE("random programs: every backend's gradients match central differences") {
  gradc_test::FdTally t =
      gradc_test::check_central_differences(corpus(), gradc_test::pointers(backends()));
  // The skip rules must leave nearly everything checked.
  CHECK(t.checked > 2000);
  CHECK(t.kinks + t.nonfinite < t.checked / 10);
}

TEST_CASE("random programs: every backend matches the interpreter within 1e-14") {
  for (const auto& b : backends()) {
    CAPTURE(b->label());
    REQUIRE_MESSAGE(b->ok(), b->log());
    MESSAGE(fmt::format("{} kernels built by {} in {:.1f} s", b->size(), b->label(),
                        b->build_seconds()));
    CHECK(gradc_test::compare_with_interpreter(corpus(), *b) > kMinValuesCompared);
  }
}

TEST_CASE("random programs: JIT kernels at -O0 match the interpreter within 1e-14") {
  // (-O2, the default, is among backends().)
  gradc_test::BackendOptions opts;
  opts.opt_level = 0;
  gradc_test::BackendKernels jit(gradc_test::Backend::Jit, batch(), opts);
  CAPTURE(jit.label());
  REQUIRE_MESSAGE(jit.ok(), jit.log());
  MESSAGE(fmt::format("{} kernels built by {} in {:.1f} s", jit.size(), jit.label(),
                      jit.build_seconds()));
  CHECK(gradc_test::compare_with_interpreter(corpus(), jit) > kMinValuesCompared);
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
    const std::vector<std::string> entry_names = gradc::derivative_entry_names(k.c);
    for (size_t i = 0; i < k.c.jacobian.size(); ++i)
      CHECK(again->prog.outputs[m + i].name == entry_names[i]);
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

TEST_CASE("random programs with a loop wherever statements repeat (--reroll-min=1): the JIT matches the interpreter") {
  size_t with_loops = 0;
  std::vector<Case> cases = gradc_test::rerolled(corpus(), &with_loops);
  MESSAGE(fmt::format("{} of {} programs have loops", with_loops, cases.size()));
  CHECK(with_loops >= 10);  // scalar programs seldom repeat a shape 4 times
  gradc_test::BackendKernels jit(gradc_test::Backend::Jit,
                                 gradc_test::named_programs(cases, "loop", cases.size()));
  REQUIRE_MESSAGE(jit.ok(), jit.log());
  CHECK(gradc_test::compare_with_interpreter(cases, jit) > 5000);
}
