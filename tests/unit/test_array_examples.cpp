// test_array_examples.cpp - the array examples (examples/*.expr) against closed-form
// gradients computed here with plain loops at seeded random points, through every
// backend (interpreter, g++ and clang++ C++, LLVM JIT, clang-19 .ll, .o; each within
// 1e-14 of the interpreter); gradc --check on each; softmax/logsumexp stay finite.
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>

#include "naming.h"
#include "backends.h"
#include "build_config.h"  // kGradcBinary
#include "kernel_harness.h"

namespace {

using Vec = std::vector<double>;
using Dims = std::vector<size_t>;

/// A variable of the ABI as this test expects it: name and shape.
struct Decl {
  std::string name;
  Dims shape;  // empty for a scalar
};

size_t elements(const Dims& d) {
  size_t n = 1;
  for (size_t x : d) n *= x;
  return n;
}

/// Inputs by name, each flattened row-major.
using Point = std::map<std::string, Vec>;

/// The hand-derived values at one point: outputs by name, and the derivative
/// of output `o` with respect to input `i` as a row-major array of shape
/// shape(o) + shape(i).
struct Expected {
  std::map<std::string, Vec> outputs;
  std::map<std::pair<std::string, std::string>, Vec> derivs;
  int active = 0, inactive = 0;  // ReLU units on either side of the kink
};

struct Example {
  std::string stem;
  std::vector<Decl> inputs;   // in declaration (ABI) order
  std::vector<Decl> outputs;  // in output order
  std::function<Expected(const Point&)> expected;
  std::vector<std::string> labels;  // inputs drawn from [0, 1] instead of [-2, 2]
};

double relu(double a) { return a > 0 ? a : 0; }
double mask(double a) { return a > 0 ? 1 : 0; }
double sigmoid(double z) { return 1 / (1 + std::exp(-z)); }

// --- the closed forms, with plain loops --------------------------------------

// regression_net: s1 = W1 x + b1, a1 = 3 relu(s1), yhat = W2 a1 + b2,
// C = 0.5 |yhat - y|^2.
Expected regression_net(const Point& p) {
  const Vec &W1 = p.at("W1"), &b1 = p.at("b1"), &x = p.at("x"), &W2 = p.at("W2"),
            &b2 = p.at("b2"), &y = p.at("y");
  Expected r;
  Vec s1(3), a1(3), e(2), g(3);
  for (int i = 0; i < 3; ++i) {
    s1[i] = b1[i];
    for (int j = 0; j < 4; ++j) s1[i] += W1[i * 4 + j] * x[j];
    a1[i] = 3 * relu(s1[i]);
    (s1[i] > 0 ? r.active : r.inactive)++;
  }
  double C = 0;
  for (int k = 0; k < 2; ++k) {
    double yhat = b2[k];
    for (int i = 0; i < 3; ++i) yhat += W2[k * 3 + i] * a1[i];
    e[k] = yhat - y[k];
    C += 0.5 * e[k] * e[k];
  }
  for (int i = 0; i < 3; ++i) {  // g = 3 R W2^T e = dC/ds1
    double w2te = 0;
    for (int k = 0; k < 2; ++k) w2te += W2[k * 3 + i] * e[k];
    g[i] = 3 * mask(s1[i]) * w2te;
  }
  Vec dW1(12), dx(4, 0.0), dW2(6), dy(2);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) {
      dW1[i * 4 + j] = g[i] * x[j];
      dx[j] += W1[i * 4 + j] * g[i];
    }
  for (int k = 0; k < 2; ++k) {
    for (int i = 0; i < 3; ++i) dW2[k * 3 + i] = e[k] * a1[i];
    dy[k] = -e[k];
  }
  r.outputs["C"] = {C};
  r.derivs[{"C", "W1"}] = dW1;
  r.derivs[{"C", "b1"}] = g;
  r.derivs[{"C", "x"}] = dx;
  r.derivs[{"C", "W2"}] = dW2;
  r.derivs[{"C", "b2"}] = e;
  r.derivs[{"C", "y"}] = dy;
  return r;
}

// classifier: A = X W1 + b1 (per row), H = tanh(A), z = H w2 + b2,
// p = sigmoid(z), L = mean BCE(p, y) over N = 4 samples.
Expected classifier(const Point& pt) {
  const Vec &X = pt.at("X"), &W1 = pt.at("W1"), &b1 = pt.at("b1"), &w2 = pt.at("w2"),
            &y = pt.at("y");
  const double b2 = pt.at("b2")[0];
  const int N = 4, F = 2, U = 3;
  Vec H(N * U), z(N), g(N), D(N * U);
  double L = 0;
  for (int n = 0; n < N; ++n) {
    z[n] = b2;
    for (int j = 0; j < U; ++j) {
      double a = b1[j];
      for (int f = 0; f < F; ++f) a += X[n * F + f] * W1[f * U + j];
      H[n * U + j] = std::tanh(a);
      z[n] += H[n * U + j] * w2[j];
    }
    double p = sigmoid(z[n]);
    L += -(y[n] * std::log(p) + (1 - y[n]) * std::log(1 - p)) / N;
    g[n] = (p - y[n]) / N;  // dL/dz_n
  }
  Expected r;
  Vec dW1(F * U, 0.0), db1(U, 0.0), dw2(U, 0.0), dX(N * F, 0.0), dy(N);
  double db2 = 0;
  for (int n = 0; n < N; ++n) {
    db2 += g[n];
    dy[n] = -z[n] / N;
    for (int j = 0; j < U; ++j) {
      double h = H[n * U + j];
      dw2[j] += g[n] * h;
      D[n * U + j] = g[n] * w2[j] * (1 - h * h);
    }
  }
  for (int n = 0; n < N; ++n)
    for (int j = 0; j < U; ++j) {
      db1[j] += D[n * U + j];
      for (int f = 0; f < F; ++f) {
        dW1[f * U + j] += X[n * F + f] * D[n * U + j];
        dX[n * F + f] += D[n * U + j] * W1[f * U + j];
      }
    }
  r.outputs["L"] = {L};
  r.derivs[{"L", "X"}] = dX;
  r.derivs[{"L", "W1"}] = dW1;
  r.derivs[{"L", "b1"}] = db1;
  r.derivs[{"L", "w2"}] = dw2;
  r.derivs[{"L", "b2"}] = {db2};
  r.derivs[{"L", "y"}] = dy;
  return r;
}

// softmax_ce: z = W x + b, L = -log(softmax(z)[2]).
Expected softmax_ce(const Point& pt) {
  const Vec &W = pt.at("W"), &b = pt.at("b"), &x = pt.at("x");
  Vec z(3), p(3), dz(3);
  double zmax = -INFINITY, s = 0;
  for (int i = 0; i < 3; ++i) {
    z[i] = b[i];
    for (int j = 0; j < 4; ++j) z[i] += W[i * 4 + j] * x[j];
    zmax = std::max(zmax, z[i]);
  }
  for (int i = 0; i < 3; ++i) s += std::exp(z[i] - zmax);
  for (int i = 0; i < 3; ++i) {
    p[i] = std::exp(z[i] - zmax) / s;
    dz[i] = p[i] - (i == 2 ? 1.0 : 0.0);  // p - e_2
  }
  Vec dW(12), dx(4, 0.0);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) {
      dW[i * 4 + j] = dz[i] * x[j];
      dx[j] += W[i * 4 + j] * dz[i];
    }
  Expected r;
  r.outputs["L"] = {-std::log(p[2])};
  r.derivs[{"L", "W"}] = dW;
  r.derivs[{"L", "b"}] = dz;
  r.derivs[{"L", "x"}] = dx;
  return r;
}

// skip_vector: y = W2 relu(W1 x) + x, L = d . y.
Expected skip_vector(const Point& pt) {
  const Vec &W1 = pt.at("W1"), &W2 = pt.at("W2"), &x = pt.at("x"), &d = pt.at("d");
  Expected r;
  Vec u(4), rl(4), y(3), q(4);
  for (int j = 0; j < 4; ++j) {
    u[j] = 0;
    for (int k = 0; k < 3; ++k) u[j] += W1[j * 3 + k] * x[k];
    rl[j] = relu(u[j]);
    (u[j] > 0 ? r.active : r.inactive)++;
  }
  double L = 0;
  for (int i = 0; i < 3; ++i) {
    y[i] = x[i];
    for (int j = 0; j < 4; ++j) y[i] += W2[i * 4 + j] * rl[j];
    L += d[i] * y[i];
  }
  for (int j = 0; j < 4; ++j) {  // q = R W2^T d
    double w2td = 0;
    for (int i = 0; i < 3; ++i) w2td += W2[i * 4 + j] * d[i];
    q[j] = mask(u[j]) * w2td;
  }
  Vec dx = d, dW1(12), dW2(12);  // dL/dx = W1^T q + d
  for (int j = 0; j < 4; ++j)
    for (int k = 0; k < 3; ++k) {
      dx[k] += W1[j * 3 + k] * q[j];
      dW1[j * 3 + k] = q[j] * x[k];
    }
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) dW2[i * 4 + j] = d[i] * rl[j];
  r.outputs["L"] = {L};
  r.derivs[{"L", "W1"}] = dW1;
  r.derivs[{"L", "W2"}] = dW2;
  r.derivs[{"L", "x"}] = dx;
  r.derivs[{"L", "d"}] = y;
  return r;
}

// jacobian_sum: h = W1 x + W2 x, W1, W2 [2,3].
Expected jacobian_sum(const Point& pt) {
  const Vec &W1 = pt.at("W1"), &W2 = pt.at("W2"), &x = pt.at("x");
  Vec h(2, 0.0), dx(6), dW(2 * 2 * 3);
  for (int i = 0; i < 2; ++i)
    for (int k = 0; k < 3; ++k) {
      h[i] += (W1[i * 3 + k] + W2[i * 3 + k]) * x[k];
      dx[i * 3 + k] = W1[i * 3 + k] + W2[i * 3 + k];
    }
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j)
      for (int k = 0; k < 3; ++k) dW[(i * 2 + j) * 3 + k] = i == j ? x[k] : 0.0;
  Expected r;
  r.outputs["h"] = h;
  r.derivs[{"h", "W1"}] = dW;
  r.derivs[{"h", "W2"}] = dW;
  r.derivs[{"h", "x"}] = dx;
  return r;
}

// jacobian_chain: g = W2 (W1 x), W1 [4,3], W2 [2,4].
Expected jacobian_chain(const Point& pt) {
  const Vec &W1 = pt.at("W1"), &W2 = pt.at("W2"), &x = pt.at("x");
  Vec u(4, 0.0), g(2, 0.0), dx(6, 0.0), dW1(2 * 4 * 3), dW2(2 * 2 * 4);
  for (int j = 0; j < 4; ++j)
    for (int k = 0; k < 3; ++k) u[j] += W1[j * 3 + k] * x[k];
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 4; ++j) {
      g[i] += W2[i * 4 + j] * u[j];
      for (int k = 0; k < 3; ++k) {
        dx[i * 3 + k] += W2[i * 4 + j] * W1[j * 3 + k];  // (W2 W1)[i,k]
        dW1[(i * 4 + j) * 3 + k] = W2[i * 4 + j] * x[k];
      }
    }
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j)
      for (int l = 0; l < 4; ++l) dW2[(i * 2 + j) * 4 + l] = i == j ? u[l] : 0.0;
  Expected r;
  r.outputs["g"] = g;
  r.derivs[{"g", "W1"}] = dW1;
  r.derivs[{"g", "W2"}] = dW2;
  r.derivs[{"g", "x"}] = dx;
  return r;
}

const std::vector<Example>& examples() {
  static const std::vector<Example> all = {
      {"regression_net",
       {{"W1", {3, 4}}, {"b1", {3}}, {"x", {4}}, {"W2", {2, 3}}, {"b2", {2}}, {"y", {2}}},
       {{"C", {}}},
       regression_net,
       {}},
      {"classifier",
       {{"X", {4, 2}}, {"W1", {2, 3}}, {"b1", {3}}, {"w2", {3}}, {"b2", {}}, {"y", {4}}},
       {{"L", {}}},
       classifier,
       {"y"}},
      {"softmax_ce", {{"W", {3, 4}}, {"b", {3}}, {"x", {4}}}, {{"L", {}}}, softmax_ce, {}},
      {"skip_vector",
       {{"W1", {4, 3}}, {"W2", {3, 4}}, {"x", {3}}, {"d", {3}}},
       {{"L", {}}},
       skip_vector,
       {}},
      {"jacobian_sum", {{"W1", {2, 3}}, {"W2", {2, 3}}, {"x", {3}}}, {{"h", {2}}}, jacobian_sum, {}},
      {"jacobian_chain",
       {{"W1", {4, 3}}, {"W2", {2, 4}}, {"x", {3}}},
       {{"g", {2}}},
       jacobian_chain,
       {}},
  };
  return all;
}

// --- loading, kernels, comparison ------------------------------------------------

std::string read_example(const std::string& stem) {
  std::ifstream f(std::string(GRADC_EXAMPLES_DIR) + "/" + stem + ".expr");
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::optional<gradc::Compiled> load(const std::string& stem, std::string* errors) {
  std::string text = read_example(stem);
  if (text.empty()) {
    *errors = "missing or empty examples/" + stem + ".expr";
    return std::nullopt;
  }
  return gradc_test::compile_text(text, errors, stem + ".expr");
}

std::string kernel_name(const std::string& stem) { return "ax_" + stem; }

/// Every array example's kernels from every backend (the interpreter first)
/// and from clang++, built once: one batch per backend, each C++ source verbatim.
struct Kernels {
  std::vector<gradc::Compiled> compiled;  // in examples() order
  std::vector<std::unique_ptr<gradc_test::BackendKernels>> backends;
  std::string errors;  // examples that did not compile
};

const Kernels& kernels() {
  static const Kernels k = [] {
    Kernels r;
    for (const Example& ex : examples()) {
      std::string errors;
      auto c = load(ex.stem, &errors);
      if (!c) {
        r.errors += errors;
        return r;
      }
      r.compiled.push_back(std::move(*c));
    }
    std::vector<gradc_test::NamedProgram> batch;
    for (size_t i = 0; i < r.compiled.size(); ++i)
      batch.push_back({kernel_name(examples()[i].stem), &r.compiled[i]});
    gradc_test::BackendOptions opts, clangxx;
    opts.units = clangxx.units = 0;
    clangxx.cxx = GRADC_CLANGXX;
    std::vector<gradc_test::BackendSpec> specs;
    for (gradc_test::Backend b : gradc_test::kAllBackends) specs.push_back({b, opts});
    specs.push_back({gradc_test::Backend::Cpp, clangxx});
    r.backends = gradc_test::build_backends(batch, specs);
    return r;
  }();
  return k;
}

#define CHECK_NEAR(actual, expected, what)                                                 \
  CHECK_MESSAGE(gradc_test::close((actual), (expected), 1e-10, 1e-10),                     \
                what << ": gradc " << (actual) << ", by hand " << (expected))

/// Compare one backend's outputs and Jacobian at a point with the closed
/// forms, reading them off the ABI layout of SPEC 3 (inputs, then outputs,
/// flattened row-major in declaration order; jac[i*k + j]).
void compare(const Example& ex, const Expected& want, const gradc_test::Values& got,
             const std::vector<double>* forward_out, const std::string& backend,
             const std::string& where) {
  std::map<std::string, size_t> in_off, out_off;
  size_t n = 0, m = 0;
  for (const Decl& d : ex.inputs) in_off[d.name] = n, n += elements(d.shape);
  for (const Decl& d : ex.outputs) out_off[d.name] = m, m += elements(d.shape);
  const size_t k = n;  // wrt: every input (the examples have no wrt statement)
  REQUIRE(got.out.size() == m);
  REQUIRE(got.jac.size() == m * k);
  for (const Decl& o : ex.outputs) {
    const Vec& v = want.outputs.at(o.name);
    REQUIRE(v.size() == elements(o.shape));
    for (size_t a = 0; a < v.size(); ++a) {
      CHECK_NEAR(got.out[out_off[o.name] + a], v[a],
                 backend << " " << o.name << "[" << a << "] at " << where);
      if (forward_out)
        CHECK_NEAR((*forward_out)[out_off[o.name] + a], v[a],
                   backend << " forward kernel " << o.name << "[" << a << "] at " << where);
    }
    for (const Decl& i : ex.inputs) {
      auto it = want.derivs.find({o.name, i.name});
      REQUIRE_MESSAGE(it != want.derivs.end(), "no closed form for d" << o.name << "/d" << i.name);
      const size_t isz = elements(i.shape);
      REQUIRE(it->second.size() == v.size() * isz);
      for (size_t a = 0; a < v.size(); ++a)
        for (size_t b = 0; b < isz; ++b)
          CHECK_NEAR(got.jac[(out_off[o.name] + a) * k + in_off[i.name] + b],
                     it->second[a * isz + b],
                     backend << " d" << o.name << "[" << a << "]/d" << i.name << "[" << b
                             << "] at " << where);
    }
  }
}

void check_example(const std::string& stem) {
  const Example* found = nullptr;
  for (const Example& ex : examples())
    if (ex.stem == stem) found = &ex;
  REQUIRE(found);
  const Example& ex = *found;
  std::string errors;
  auto c = load(stem, &errors);
  REQUIRE_MESSAGE(c, errors);

  // The ABI as declared in the file: inputs in order with their shapes,
  // outputs, and the derivative variables of shape out_shape + in_shape.
  REQUIRE(c->prog.inputs.size() == ex.inputs.size());
  size_t n = 0;
  for (size_t i = 0; i < ex.inputs.size(); ++i) {
    CHECK(c->prog.inputs[i].name == ex.inputs[i].name);
    CHECK(Dims(c->prog.inputs[i].shape.begin(), c->prog.inputs[i].shape.end()) ==
          ex.inputs[i].shape);
    n += elements(ex.inputs[i].shape);
  }
  REQUIRE(c->prog.outputs.size() == ex.outputs.size());
  for (size_t i = 0; i < ex.outputs.size(); ++i) {
    CHECK(c->prog.outputs[i].name == ex.outputs[i].name);
    CHECK(Dims(c->prog.outputs[i].shape.begin(), c->prog.outputs[i].shape.end()) ==
          ex.outputs[i].shape);
  }
  REQUIRE(c->prog.num_input_scalars() == n);
  REQUIRE(c->num_wrt() == n);
  CHECK(c->derivatives.size() == ex.outputs.size() * ex.inputs.size());
  for (const gradc::DerivativeVar& d : c->derivatives) {
    const Decl& o = ex.outputs.at(d.output);
    const Decl& i = ex.inputs.at(d.input);
    Dims shape = o.shape;
    shape.insert(shape.end(), i.shape.begin(), i.shape.end());
    CHECK(d.name == "d" + o.name + "_d" + i.name);
    CHECK(Dims(d.shape.begin(), d.shape.end()) == shape);
    CHECK(d.nodes.size() == elements(shape));
  }

  const Kernels& lib = kernels();
  REQUIRE_MESSAGE(lib.errors.empty(), lib.errors);
  size_t index = 0;
  while (examples()[index].stem != stem) ++index;
  for (const auto& b : lib.backends) REQUIRE_MESSAGE(b->ok(), b->label() << ": " << b->log());

  std::mt19937_64 rng(0xa77a5 + stem.size());
  std::uniform_real_distribution<double> uniform(-2, 2), unit(0, 1);
  const int kPoints = 64;
  int active = 0, inactive = 0;
  for (int point = 0; point < kPoints; ++point) {
    Point p;
    std::vector<double> in;
    std::ostringstream where;
    where << "point " << point << " (";
    for (const Decl& d : ex.inputs) {
      bool label = std::find(ex.labels.begin(), ex.labels.end(), d.name) != ex.labels.end();
      Vec v(elements(d.shape));
      // labels: 0, 1 or a soft label in between
      for (double& x : v) x = label ? std::round(3 * unit(rng)) / 3 : uniform(rng);
      p[d.name] = v;
      in.insert(in.end(), v.begin(), v.end());
      where << d.name << "=" << v[0] << (v.size() > 1 ? ",... " : " ");
    }
    where << ")";
    Expected want = ex.expected(p);
    active += want.active;
    inactive += want.inactive;
    gradc_test::Values ref = gradc_test::interpret(*c, in);
    for (const auto& b : lib.backends) {
      std::vector<double> fwd;
      gradc_test::Values v = b->call(index, in, &fwd);
      compare(ex, want, v, &fwd, b->label(), where.str());
      // and every backend within 1e-14 of the interpreter
      for (size_t i = 0; i < v.out.size(); ++i) {
        CHECK_MESSAGE(gradc_test::close(v.out[i], ref.out[i], 1e-14, 1e-300),
                      b->label() << " " << c->names.outputs[i] << " at " << where.str()
                                 << ": interpreter " << ref.out[i] << ", kernel " << v.out[i]);
        CHECK_MESSAGE(gradc_test::close(fwd[i], ref.out[i], 1e-14, 1e-300),
                      b->label() << " forward " << c->names.outputs[i] << " at " << where.str()
                                 << ": interpreter " << ref.out[i] << ", kernel " << fwd[i]);
      }
      for (size_t i = 0; i < v.jac.size(); ++i)
        CHECK_MESSAGE(gradc_test::close(v.jac[i], ref.jac[i], 1e-14, 1e-300),
                      b->label() << " " << gradc::derivative_entry_names(*c)[i] << " at " << where.str()
                                 << ": interpreter " << ref.jac[i] << ", kernel " << v.jac[i]);
    }
  }
  if (active + inactive > 0) {  // both sides of every ReLU mask were exercised
    CHECK(active > kPoints / 2);
    CHECK(inactive > kPoints / 2);
  }
}

}  // namespace

TEST_CASE("regression_net: dC/dW2 = outer(e, a1), dC/dW1 = outer(3 R W2^T e, x)") {
  check_example("regression_net");
}

TEST_CASE("classifier: mean BCE, dL/dz_i = (p_i - y_i)/N back through tanh") {
  check_example("classifier");
}

TEST_CASE("softmax_ce: dL/db = p - e_y, dL/dW = (p - e_y) x^T, dL/dx = W^T (p - e_y)") {
  check_example("softmax_ce");
}

TEST_CASE("skip_vector: dL/dx = W1^T R W2^T d + d") { check_example("skip_vector"); }

TEST_CASE("jacobian_sum: d(W1 x + W2 x)/dx = W1 + W2, shape [out, in]") {
  check_example("jacobian_sum");
}

TEST_CASE("jacobian_chain: d(W2 (W1 x))/dx = W2 W1, shape [out, in]") {
  check_example("jacobian_chain");
}

TEST_CASE("every array example passes gradc --check") {
  for (const Example& ex : examples()) {
    std::string cmd = std::string(gradc_test::kGradcBinary) + " " + GRADC_EXAMPLES_DIR + "/" + ex.stem +
                      ".expr --check > /dev/null 2>&1";
    int status = std::system(cmd.c_str());
    CHECK_MESSAGE((WIFEXITED(status) && WEXITSTATUS(status) == 0), cmd << " -> " << status);
  }
}

TEST_CASE("softmax and logsumexp are stable at inputs like +-1000") {
  // The shift by the maximum (docs/semantics.md) keeps every value and every
  // derivative finite where the naive formulas overflow or give 0/0.
  auto c = gradc_test::compile_text(
      "input v[3], w[2], u[2], s[3]\n"
      "a = softmax(v); b = logsumexp(v); c = softmax(w); d = logsumexp(w)\n"
      "e = logsumexp(u); f = logsumexp([1000, 1000]); g = softmax(s); h = logsumexp(s)\n"
      "q = softmax(v)[0]\n"
      "output a, b, c, d, e, f, g, h, q\n");
  REQUIRE(c);
  const std::vector<double> in = {1000, 0, -1000, -1000, -1000, 1000, 1000, 1000, 999, 998};
  const size_t m = 3 + 1 + 2 + 1 + 1 + 1 + 3 + 1 + 1, k = 10;
  REQUIRE(c->outputs.size() == m);
  REQUIRE(c->num_wrt() == k);
  // By hand: softmax([2, 1, 0]) for s (a shift does not change softmax).
  const double z = 1 + std::exp(-1.0) + std::exp(-2.0);
  const double ps[3] = {1 / z, std::exp(-1.0) / z, std::exp(-2.0) / z};
  const double log2 = std::log(2.0);
  // Outputs in order: a[3], b, c[2], d, e, f, g[3], h, q.
  const std::vector<double> want_out = {1, 0, 0, 1000, 0.5, 0.5, -1000 + log2, 1000 + log2,
                                        1000 + log2, ps[0], ps[1], ps[2], 1000 + std::log(z), 1};
  // Nonzero Jacobian entries (row = output scalar, column = input scalar);
  // softmax's Jacobian is diag(p) - p p^T, logsumexp's gradient is p.
  std::map<std::pair<size_t, size_t>, double> want_jac;
  want_jac[{3, 0}] = 1;                        // db/dv = softmax(v) = [1, 0, 0]
  want_jac[{4, 3}] = want_jac[{5, 4}] = 0.25;  // dc/dw
  want_jac[{4, 4}] = want_jac[{5, 3}] = -0.25;
  want_jac[{6, 3}] = want_jac[{6, 4}] = 0.5;  // dd/dw
  want_jac[{7, 5}] = want_jac[{7, 6}] = 0.5;  // de/du
  for (size_t i = 0; i < 3; ++i) {
    for (size_t j = 0; j < 3; ++j)
      want_jac[{9 + i, 7 + j}] = (i == j ? ps[i] : 0.0) - ps[i] * ps[j];  // dg/ds
    want_jac[{12, 7 + i}] = ps[i];                                        // dh/ds
  }

  std::vector<std::pair<std::string, gradc_test::Values>> results;
  for (const auto& b : gradc_test::build_backends({{"stable", &*c}})) {
    REQUIRE_MESSAGE(b->ok(), b->label() << ": " << b->log());
    results.emplace_back(b->label(), b->call(0, in));
  }
  for (const auto& [backend, v] : results) {
    CAPTURE(backend);
    for (size_t i = 0; i < m; ++i) {
      CHECK_MESSAGE(std::isfinite(v.out[i]), "out[" << i << "] = " << v.out[i]);
      CHECK_MESSAGE(gradc_test::close(v.out[i], want_out[i], 1e-14, 1e-14),
                    "out[" << i << "] = " << v.out[i] << ", by hand " << want_out[i]);
      for (size_t j = 0; j < k; ++j) {
        double d = v.jac[i * k + j];
        auto it = want_jac.find({i, j});
        double want = it == want_jac.end() ? 0.0 : it->second;
        CHECK_MESSAGE(std::isfinite(d), "jac[" << i << "," << j << "] = " << d);
        CHECK_MESSAGE(gradc_test::close(d, want, 1e-13, 1e-14),
                      "jac[" << i << "," << j << "] = " << d << ", by hand " << want);
      }
    }
    // logsumexp([1000, 1000]) = 1000 + log 2 to the last bit or so.
    CHECK(gradc_test::close(v.out[8], 1000 + log2, 2e-16, 0));
    CHECK(gradc_test::close(v.out[7], 1000 + log2, 2e-16, 0));
  }
}
