// test_array_property.cpp - property tests over 300 random array programs:
// the flattened ABI layout, the Jacobians of the interpreter and of every
// backend against central differences, every backend (g++ C++, LLVM JIT at
// -O2 and -O0, clang-19 .ll, .o) against the interpreter, the --print round trip.
// (Under ASan the compiled backends take the first 150 programs.)
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <memory>

#include "naming.h"
#include "emit/print.h"
#include "property_support.h"
#include "random_array_program.h"

namespace {

constexpr int kPrograms = 300;
constexpr uint64_t kFirstSeed = 5000;
constexpr int kPoints = 2;

size_t elements(const gradc::Shape& s) {
  size_t n = 1;
  for (uint32_t d : s) n *= d;
  return n;
}

// `[i,j,...]` of element `flat` of shape `s`, written out here rather than
// taken from gradc; empty for a scalar.
std::string suffix(const gradc::Shape& s, size_t flat) {
  if (s.empty()) return "";
  std::vector<size_t> idx(s.size());
  for (size_t k = s.size(); k-- > 0; flat /= s[k]) idx[k] = flat % s[k];
  return fmt::format("[{}]", fmt::join(idx, ","));
}

using Case = gradc_test::PropertyCase;
using gradc_test::where;

const std::vector<Case>& corpus() {
  static const std::vector<Case> cases = gradc_test::build_corpus(
      [](uint64_t seed) { return gradc_test::random_array_program(seed); }, kPrograms,
      kFirstSeed, kPoints, 4242, "a");
  return cases;
}

// The jacobian entry of dOUT_dIN for output variable `o`, wrt variable `w`
// (an index into prog.wrt), element `flat` of shape(OUT) + shape(IN).
double derivative_entry(const Case& k, const gradc_test::Values& v, size_t o, size_t w,
                        size_t flat) {
  const gradc::Program& p = k.c.prog;
  size_t row = 0, col = 0;
  for (size_t i = 0; i < o; ++i) row += elements(p.outputs[i].shape);
  for (size_t j = 0; j < w; ++j) col += elements(p.inputs[p.wrt[j]].shape);
  size_t in_size = elements(p.inputs[p.wrt[w]].shape);
  return v.jac[(row + flat / in_size) * k.c.num_wrt() + col + flat % in_size];
}

// The corpus as one batch for the compiled backends (the first quarter only in
// a sanitized build: see gradc_test::kSanitized).
std::vector<gradc_test::NamedProgram> batch() {
  return gradc_test::named_programs(corpus(), "arr", gradc_test::backend_share(corpus().size()));
}

// Every compiled backend's kernels of the batch (the interpreter is the
// reference), built once.
const std::vector<std::unique_ptr<gradc_test::BackendKernels>>& backends() {
  static const auto built = gradc_test::build_backends(batch(), gradc_test::kCompiledBackends);
  return built;
}

}  // namespace

TEST_CASE("the array generator is deterministic, shape-correct and covers the language") {
  CHECK(gradc_test::random_array_program(7) == gradc_test::random_array_program(7));
  CHECK(gradc_test::random_array_program(7) != gradc_test::random_array_program(8));
  std::map<std::string, int> features;
  for (int i = 0; i < kPrograms; ++i)
    gradc_test::random_array_program(kFirstSeed + uint64_t(i), &features);
  CHECK(corpus().size() == size_t(kPrograms));  // every program compiled (REQUIREd there)
  for (const char* f :
       {"@ vector-vector", "@ matrix-vector", "@ vector-matrix", "@ matrix-matrix", "transpose",
        "sum", "mean", "dot", "norm", "softmax", "logsumexp", "index v[i]", "index A[i,j]",
        "index A[i]", "index expression", "vector literal", "matrix literal", "broadcast",
        "array condition", "scalar condition", "sum of a scalar", "input of rank 0",
        "input of rank 1", "input of rank 2", "output of rank 0", "output of rank 1",
        "output of rank 2", "wrt"})
    CHECK_MESSAGE(features[f] >= 20, "'" << f << "' used only " << features[f] << " times");
  std::string all;
  for (const Case& k : corpus()) all += k.text;
  for (const char* s : {"tanh(", "sigmoid(", "relu(", "exp(", "log(1 + ", "sqrt(", "where(",
                        " ? ", "max(", "min(", "leaky_relu(", "pow(", "^3", "[[", "&&", "||",
                        "!(", "/", "output "})
    CHECK_MESSAGE(all.find(s) != std::string::npos, "'" << s << "' never appears");
}

TEST_CASE("array programs: inputs, outputs, wrt and derivatives are flattened row-major") {
  for (const Case& k : corpus()) {
    const gradc::Program& p = k.c.prog;
    CAPTURE(k.text);
    size_t m = 0, n = 0;
    for (const gradc::Variable& v : p.inputs) n += elements(v.shape);
    for (const gradc::Variable& v : p.outputs) m += elements(v.shape);
    REQUIRE(k.c.outputs.size() == m);
    REQUIRE(k.c.names.inputs.size() == n);
    REQUIRE(k.c.num_wrt() == k.wrt_flat.size());
    REQUIRE(k.c.jacobian.size() == m * k.c.num_wrt());
    for (size_t j = 0; j < k.wrt_flat.size(); ++j) {
      const gradc::Node& node = p.graph[k.c.wrt_nodes[j]];
      CHECK((node.op == gradc::Op::Input && node.a == k.wrt_flat[j]));
    }
    std::vector<std::string> outs, derivs, wrts;
    for (const gradc::Variable& o : p.outputs)
      for (size_t i = 0; i < elements(o.shape); ++i) outs.push_back(o.name + suffix(o.shape, i));
    for (uint32_t w : p.wrt)
      for (size_t i = 0; i < elements(p.inputs[w].shape); ++i)
        wrts.push_back(p.inputs[w].name + suffix(p.inputs[w].shape, i));
    for (const gradc::Variable& o : p.outputs)
      for (size_t i = 0; i < elements(o.shape); ++i)
        for (uint32_t w : p.wrt) {
          gradc::Shape both = o.shape;
          both.insert(both.end(), p.inputs[w].shape.begin(), p.inputs[w].shape.end());
          size_t in_size = elements(p.inputs[w].shape);
          for (size_t j = 0; j < in_size; ++j)
            derivs.push_back(fmt::format("d{}_d{}{}", o.name, p.inputs[w].name,
                                         suffix(both, i * in_size + j)));
        }
    CHECK(k.c.names.outputs == outs);
    CHECK(k.c.names.wrt == wrts);
    CHECK(gradc::derivative_entry_names(k.c) == derivs);
  }
}

TEST_CASE("array programs: every backend's Jacobians match central differences") {
  gradc_test::FdTally t =
      gradc_test::check_central_differences(corpus(), gradc_test::pointers(backends()));
  CHECK(t.checked > 2000);
  CHECK(t.kinks + t.nonfinite < t.checked / 10);
}

TEST_CASE("array programs: every backend matches the interpreter within 1e-14") {
  for (const auto& b : backends()) {
    CAPTURE(b->label());
    REQUIRE_MESSAGE(b->ok(), b->log());
    MESSAGE(fmt::format("{} kernels built by {} in {:.1f} s", b->size(), b->label(),
                        b->build_seconds()));
    // The random points, and equal inputs everywhere: ties in max, min and
    // softmax's shift, relu at 0 (only the backends are compared there).
    CHECK(gradc_test::compare_with_interpreter(corpus(), *b, {0.0, 1.0, -1.0}) > 5000);
  }
}

TEST_CASE("array programs: JIT kernels at -O0 match the interpreter within 1e-14") {
  gradc_test::BackendOptions opts;
  opts.opt_level = 0;
  gradc_test::BackendKernels jit(gradc_test::Backend::Jit, batch(), opts);
  CAPTURE(jit.label());
  REQUIRE_MESSAGE(jit.ok(), jit.log());
  MESSAGE(fmt::format("{} kernels built by {} in {:.1f} s", jit.size(), jit.label(),
                      jit.build_seconds()));
  CHECK(gradc_test::compare_with_interpreter(corpus(), jit, {0.0, 1.0, -1.0}) > 5000);
}

TEST_CASE("array programs: --print text re-parses to the same values and derivatives") {
  for (const Case& k : corpus()) {
    const gradc::Program& p = k.c.prog;
    std::string printed = gradc::print_text(k.c, "a.expr"), errors;
    auto again = gradc_test::compile_text(printed, &errors, "printed.expr");
    CHECK_MESSAGE(again, "seed " << k.seed << ": printed program does not compile:\n"
                                 << printed << errors << "\noriginal:\n" << k.text);
    if (!again) continue;  // (failed above) the other programs are still checked
    CAPTURE(printed);
    CAPTURE(k.text);
    // Same inputs (names and shapes); outputs are the outputs, then dOUT_dIN
    // per output and wrt input, of shape shape(OUT) + shape(IN).
    REQUIRE(again->prog.inputs.size() == p.inputs.size());
    for (size_t i = 0; i < p.inputs.size(); ++i) {
      CHECK(again->prog.inputs[i].name == p.inputs[i].name);
      CHECK(again->prog.inputs[i].shape == p.inputs[i].shape);
    }
    struct Expected {
      std::string name;
      gradc::Shape shape;
      size_t o, w;  // w == SIZE_MAX: the output itself
    };
    std::vector<Expected> want;
    for (size_t o = 0; o < p.outputs.size(); ++o)
      want.push_back({p.outputs[o].name, p.outputs[o].shape, o, SIZE_MAX});
    for (size_t o = 0; o < p.outputs.size(); ++o)
      for (size_t w = 0; w < p.wrt.size(); ++w) {
        gradc::Shape s = p.outputs[o].shape;
        const gradc::Shape& in = p.inputs[p.wrt[w]].shape;
        s.insert(s.end(), in.begin(), in.end());
        want.push_back(
            {fmt::format("d{}_d{}", p.outputs[o].name, p.inputs[p.wrt[w]].name), s, o, w});
      }
    REQUIRE(again->prog.outputs.size() == want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      CHECK(again->prog.outputs[i].name == want[i].name);
      CHECK(again->prog.outputs[i].shape == want[i].shape);
    }
    for (const std::vector<double>& x : k.points) {
      gradc_test::Values ref = gradc_test::interpret(k.c, x);
      std::vector<double> got = gradc_test::interpret(*again, x).out;
      size_t at = 0, out_at = 0;
      for (const Expected& e : want) {
        for (size_t i = 0; i < elements(e.shape); ++i, ++at) {
          double expect =
              e.w == SIZE_MAX ? ref.out[out_at + i] : derivative_entry(k, ref, e.o, e.w, i);
          CHECK_MESSAGE(gradc_test::close(expect, got.at(at), 1e-12, 1e-12),
                        e.name << suffix(e.shape, i) << ": original " << expect << ", printed "
                               << got.at(at) << ", " << where(k, x));
        }
        if (e.w == SIZE_MAX) out_at += elements(e.shape);
      }
      CHECK(at == got.size());
    }
  }
}

TEST_CASE("--print of an array input that is also an output re-parses (hand-derived values)") {
  // The smallest form of what the random programs above find: an input
  // listed in `output` must not be redefined by the printed program.
  auto c = gradc_test::compile_text("input x[2], y\nh = x*y\noutput h, x\n");
  REQUIRE(c);
  std::string printed = gradc::print_text(*c, "p.expr"), errors;
  auto again = gradc_test::compile_text(printed, &errors, "printed.expr");
  REQUIRE_MESSAGE(again, printed << errors);
  // h = x*y, x; dh_dx = diag(y), dh_dy = x, dx_dx = I, dx_dy = 0 at x = [1, 2], y = 3.
  std::vector<double> want = {3, 6, 1, 2, 3, 0, 0, 3, 1, 2, 1, 0, 0, 1, 0, 0};
  CHECK(gradc_test::interpret(*again, {1, 2, 3}).out == want);
}

TEST_CASE("array programs with a loop wherever statements repeat (--reroll-min=1): the JIT matches the interpreter") {
  size_t with_loops = 0;
  std::vector<Case> cases = gradc_test::rerolled(corpus(), &with_loops);
  MESSAGE(fmt::format("{} of {} programs have loops", with_loops, cases.size()));
  CHECK(with_loops * 2 > cases.size());
  gradc_test::BackendKernels jit(gradc_test::Backend::Jit,
                                 gradc_test::named_programs(cases, "loop", cases.size()));
  REQUIRE_MESSAGE(jit.ok(), jit.log());
  CHECK(gradc_test::compare_with_interpreter(cases, jit) > 2000);
}
