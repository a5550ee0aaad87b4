// test_examples.cpp - every scalar examples/*.expr (the course exercises)
// against its hand-derived gradient, computed here independently with <cmath>,
// at seeded random points, through every backend (interpreter, g++ C++, LLVM
// JIT, clang-19 .ll, .o; each within 1e-14 of the interpreter); and --check.
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <random>
#include <sstream>

#include "naming.h"
#include "backends.h"
#include "build_config.h"  // kGradcBinary
#include "kernel_harness.h"

namespace {

using Point = std::map<std::string, double>;

gradc::Compiled load(const std::string& stem) {
  std::ifstream f(std::string(GRADC_EXAMPLES_DIR) + "/" + stem + ".expr");
  REQUIRE_MESSAGE(f, "missing examples/" << stem << ".expr");
  std::stringstream ss;
  ss << f.rdbuf();
  std::string errors;
  auto c = gradc_test::compile_text(ss.str(), &errors, stem + ".expr");
  REQUIRE_MESSAGE(c, errors);
  return std::move(*c);
}

const char* const kStems[] = {"card", "relu_net", "skip_bce", "two_unit_bce", "sigmoid_bce"};

// The examples, compiled once, and their kernels from every backend (the
// interpreter first), one batch per backend.
struct Examples {
  std::vector<gradc::Compiled> compiled;  // in kStems order
  std::vector<std::unique_ptr<gradc_test::BackendKernels>> backends;
};

const Examples& examples() {
  static const Examples all = [] {
    Examples e;
    for (const char* stem : kStems) e.compiled.push_back(load(stem));
    std::vector<gradc_test::NamedProgram> batch;
    for (size_t i = 0; i < e.compiled.size(); ++i)
      batch.push_back({std::string("ex_") + kStems[i], &e.compiled[i]});
    gradc_test::BackendOptions opts;
    opts.units = 0;  // each C++ source verbatim
    e.backends = gradc_test::build_backends(batch, gradc_test::kAllBackends, opts);
    return e;
  }();
  return all;
}

// One example's kernels from one backend: `Eval`s are read off them.
struct Kernel {
  const gradc::Compiled& c;
  const gradc_test::BackendKernels& backend;
  size_t index;
};

// The example `stem` from each backend, the interpreter first.
std::vector<Kernel> kernels_of(const std::string& stem) {
  const Examples& e = examples();
  size_t index = 0;
  while (index < std::size(kStems) && kStems[index] != stem) ++index;
  REQUIRE_MESSAGE(index < std::size(kStems), "no example " << stem);
  std::vector<Kernel> out;
  for (const auto& b : e.backends) {
    REQUIRE_MESSAGE(b->ok(), b->label() << ": " << b->log());
    out.push_back({e.compiled[index], *b, index});
  }
  return out;
}

// An evaluation of an example by one backend, read by name; checked
// against the interpreter within 1e-14 on the way.
struct Eval {
  const gradc::Compiled& c;
  gradc_test::Values v;

  Eval(const Kernel& k, const Point& p) : c(k.c) {
    std::vector<double> in;
    for (const gradc::Variable& var : c.prog.inputs) {
      REQUIRE_MESSAGE(p.count(var.name), "unexpected input " << var.name);
      in.push_back(p.at(var.name));
    }
    REQUIRE(in.size() == p.size());
    std::vector<double> fwd;
    v = k.backend.call(k.index, in, &fwd);
    gradc_test::Values ref = gradc_test::interpret(c, in);
    for (size_t i = 0; i < v.out.size(); ++i) {
      CHECK_MESSAGE(gradc_test::close(v.out[i], ref.out[i], 1e-14, 1e-300),
                    c.names.outputs[i] << ": interpreter " << ref.out[i] << ", kernel " << v.out[i]);
      CHECK_MESSAGE(gradc_test::close(fwd[i], ref.out[i], 1e-14, 1e-300),
                    c.names.outputs[i] << ": interpreter " << ref.out[i] << ", forward kernel "
                                      << fwd[i]);
    }
    for (size_t i = 0; i < v.jac.size(); ++i)
      CHECK_MESSAGE(gradc_test::close(v.jac[i], ref.jac[i], 1e-14, 1e-300),
                    gradc::derivative_entry_names(c)[i] << ": interpreter " << ref.jac[i] << ", kernel "
                                          << v.jac[i]);
  }
  size_t out_index(const std::string& name) const {
    for (size_t i = 0; i < c.prog.outputs.size(); ++i)
      if (c.prog.outputs[i].name == name) return i;
    FAIL("no output " << name);
    return 0;
  }
  double out(const std::string& name) const { return v.out[out_index(name)]; }
  /// d name / d input (must be in wrt).
  double d(const std::string& name, const std::string& input) const {
    size_t k = c.num_wrt();
    for (size_t j = 0; j < k; ++j)
      if (c.prog.inputs[c.prog.wrt[j]].name == input) return v.jac[out_index(name) * k + j];
    FAIL("no derivative with respect to " << input);
    return 0;
  }
};

double sigmoid(double z) { return 1 / (1 + std::exp(-z)); }
double relu(double a) { return a > 0 ? a : 0; }
double step(double a) { return a > 0 ? 1 : 0; }

#define CHECK_NEAR(actual, expected, what)                                             \
  CHECK_MESSAGE(gradc_test::close((actual), (expected), 1e-10, 1e-11),                 \
                (what) << ": gradc " << (actual) << ", by hand " << (expected))

constexpr int kPoints = 300;

struct Rng {
  std::mt19937_64 gen{12345};
  double uniform(double lo = -2, double hi = 2) {
    return std::uniform_real_distribution<double>(lo, hi)(gen);
  }
  // A label: 0, 1, or a soft label in (0, 1).
  double label() {
    int r = std::uniform_int_distribution<int>(0, 2)(gen);
    return r == 2 ? uniform(0, 1) : r;
  }
};

}  // namespace

TEST_CASE("card: w = a*b + b with a = x*y + z, b = a*(x + x)") {
  for (const Kernel& k : kernels_of("card")) {
    CAPTURE(k.backend.label());
    Rng r;
    for (int i = 0; i < kPoints; ++i) {
      double x = r.uniform(), y = r.uniform(), z = r.uniform();
      Eval e(k, {{"x", x}, {"y", y}, {"z", z}});
      double a = x * y + z, b = 2 * a * x;
      double dw_da = b + (a + 1) * 2 * x;  // w = a*b + b, b = 2ax
      CHECK_NEAR(e.out("w"), a * b + b, "w");
      CHECK_NEAR(e.d("w", "x"), dw_da * y + (a + 1) * 2 * a, "dw/dx");
      CHECK_NEAR(e.d("w", "y"), dw_da * x, "dw/dy");
      CHECK_NEAR(e.d("w", "z"), dw_da, "dw/dz");
    }
  }
}

TEST_CASE("relu_net: dy/dW1_i = W2_i*x on active units, else 0") {
  for (const Kernel& k : kernels_of("relu_net")) {
    CAPTURE(k.backend.label());
    Rng r;
    int active = 0, inactive = 0;
    for (int i = 0; i < kPoints; ++i) {
      Point p{{"x", r.uniform()}, {"b2", r.uniform()}};
      for (int u = 0; u < 3; ++u)
        for (const char* w : {"W1_", "b1_", "W2_"}) p[w + std::to_string(u)] = r.uniform();
      Eval e(k, p);
      double x = p["x"], y = p["b2"], dx = 0;
      for (int u = 0; u < 3; ++u) {
        std::string s = std::to_string(u);
        double pre = p["W1_" + s] * x + p["b1_" + s], w2 = p["W2_" + s];
        y += w2 * relu(pre);
        dx += w2 * p["W1_" + s] * step(pre);
        (pre > 0 ? active : inactive)++;
        CHECK_NEAR(e.d("y", "W1_" + s), pre > 0 ? w2 * x : 0.0, "dy/dW1_" + s);
        CHECK_NEAR(e.d("y", "b1_" + s), pre > 0 ? w2 : 0.0, "dy/db1_" + s);
        CHECK_NEAR(e.d("y", "W2_" + s), relu(pre), "dy/dW2_" + s);
      }
      CHECK_NEAR(e.out("y"), y, "y");
      CHECK_NEAR(e.d("y", "b2"), 1.0, "dy/db2");
      CHECK_NEAR(e.d("y", "x"), dx, "dy/dx");
    }
    CHECK(active > 100);  // both cases of the rule were exercised
    CHECK(inactive > 100);
  }
}

TEST_CASE("skip_bce: dJ/dz2 = yhat - y and dJ/dx sums the unit's path and the skip") {
  for (const Kernel& k : kernels_of("skip_bce")) {
    CAPTURE(k.backend.label());
    Rng r;
    for (int i = 0; i < kPoints; ++i) {
      Point p{{"x", r.uniform()}, {"W1", r.uniform()}, {"b1", r.uniform()},
              {"W2", r.uniform()}, {"b2", r.uniform()}, {"y", r.label()}};
      Eval e(k, p);
      double x = p["x"], W1 = p["W1"], W2 = p["W2"], y = p["y"];
      double z1 = W1 * x + p["b1"], z2 = W2 * relu(z1) + p["b2"] + x, yhat = sigmoid(z2);
      double g = yhat - y;  // dJ/dz2
      CHECK_NEAR(e.out("z2"), z2, "z2");
      CHECK_NEAR(e.out("J"), -(y * std::log(yhat) + (1 - y) * std::log(1 - yhat)), "J");
      CHECK_NEAR(e.d("J", "b2"), g, "dJ/db2");
      CHECK_NEAR(e.d("J", "W2"), g * relu(z1), "dJ/dW2");
      CHECK_NEAR(e.d("J", "W1"), g * W2 * x * step(z1), "dJ/dW1");
      CHECK_NEAR(e.d("J", "b1"), g * W2 * step(z1), "dJ/db1");
      CHECK_NEAR(e.d("J", "x"), g * (W2 * W1 * step(z1) + 1), "dJ/dx");
      CHECK_NEAR(e.d("J", "y"), -z2, "dJ/dy");
      // z2 is an output too: its own gradient is the linear part.
      CHECK_NEAR(e.d("z2", "b2"), 1.0, "dz2/db2");
      CHECK_NEAR(e.d("z2", "x"), W2 * W1 * step(z1) + 1, "dz2/dx");
    }
  }
}

TEST_CASE("two_unit_bce: dL/dv_i = (yhat - y)*relu(w_i*x + b_i)") {
  for (const Kernel& k : kernels_of("two_unit_bce")) {
    CAPTURE(k.backend.label());
    Rng r;
    for (int i = 0; i < kPoints; ++i) {
      Point p{{"x", r.uniform()},  {"w1", r.uniform()}, {"b1", r.uniform()},
              {"w2", r.uniform()}, {"b2", r.uniform()}, {"v1", r.uniform()},
              {"v2", r.uniform()}, {"c", r.uniform()},  {"y", r.label()}};
      Eval e(k, p);
      double x = p["x"], y = p["y"];
      double a1 = p["w1"] * x + p["b1"], a2 = p["w2"] * x + p["b2"];
      double z = p["v1"] * relu(a1) + p["v2"] * relu(a2) + p["c"], yhat = sigmoid(z);
      double g = yhat - y;
      CHECK_NEAR(e.out("L"), -(y * std::log(yhat) + (1 - y) * std::log(1 - yhat)), "L");
      CHECK_NEAR(e.d("L", "v1"), g * relu(a1), "dL/dv1");
      CHECK_NEAR(e.d("L", "v2"), g * relu(a2), "dL/dv2");
      CHECK_NEAR(e.d("L", "c"), g, "dL/dc");
      CHECK_NEAR(e.d("L", "w1"), g * p["v1"] * x * step(a1), "dL/dw1");
      CHECK_NEAR(e.d("L", "b1"), g * p["v1"] * step(a1), "dL/db1");
      CHECK_NEAR(e.d("L", "w2"), g * p["v2"] * x * step(a2), "dL/dw2");
      CHECK_NEAR(e.d("L", "b2"), g * p["v2"] * step(a2), "dL/db2");
      CHECK_NEAR(e.d("L", "x"),
                 g * (p["v1"] * p["w1"] * step(a1) + p["v2"] * p["w2"] * step(a2)), "dL/dx");
      CHECK_NEAR(e.d("L", "y"), -z, "dL/dy");
    }
  }
}

TEST_CASE("sigmoid_bce: wrt w, b gives dloss/dw = (p - y)*x and dloss/db = p - y") {
  for (const Kernel& k : kernels_of("sigmoid_bce")) {
    CAPTURE(k.backend.label());
    const gradc::Compiled& c = k.c;
    REQUIRE(c.num_wrt() == 2);  // wrt w, b: two columns, in ABI order
    CHECK(c.prog.inputs[c.prog.wrt[0]].name == "w");
    CHECK(c.prog.inputs[c.prog.wrt[1]].name == "b");
    Rng r;
    for (int i = 0; i < kPoints; ++i) {
      Point pt{{"x", r.uniform()}, {"w", r.uniform()}, {"b", r.uniform()}, {"y", r.label()}};
      Eval e(k, pt);
      double x = pt["x"], y = pt["y"], p = sigmoid(pt["w"] * x + pt["b"]);
      CHECK_NEAR(e.out("loss"), -(y * std::log(p) + (1 - y) * std::log(1 - p)), "loss");
      CHECK_NEAR(e.d("loss", "w"), (p - y) * x, "dloss/dw");
      CHECK_NEAR(e.d("loss", "b"), p - y, "dloss/db");
    }
  }
}

TEST_CASE("every example passes gradc --check") {
  for (const char* stem : kStems) {
    std::string cmd = std::string(gradc_test::kGradcBinary) + " " + GRADC_EXAMPLES_DIR + "/" + stem +
                      ".expr --check > /dev/null 2>&1";
    int status = std::system(cmd.c_str());
    CHECK_MESSAGE((WIFEXITED(status) && WEXITSTATUS(status) == 0), cmd << " -> " << status);
  }
}
