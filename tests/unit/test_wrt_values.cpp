// test_wrt_values.cpp - `wrt h` for an intermediate value h (SPEC 1): the
// derivative is backprop's delta dOUT/dh, everything h depends on held
// fixed. Checked against closed forms, against dC/db1 (equal to dC/ds1 when
// s1 = W1 @ x + b1), against central differences that move h, in both
// modes, through every compiled backend, and with inputs in wrt beside it.
#include <cmath>

#include "backends.h"
#include "gradc_runtime.h"
#include "check_values.h"
#include "unit_support.h"

using namespace gradc;
using unit::compile_mode;

TEST_CASE("dw/ds1 of w = sin(s1), s1 = x*y: cos(s1), in both modes") {
  for (DiffMode mode : {DiffMode::Reverse, DiffMode::Forward}) {
    Compiled c = compile_mode("input x, y\ns1 = x*y\nw = sin(s1)\nwrt s1", mode);
    REQUIRE(c.num_wrt() == 1);
    CHECK(c.names.wrt == std::vector<std::string>{"s1"});
    for (auto [x, y] : {std::pair{0.3, 2.0}, {-1.0, 0.5}, {2.0, 2.0}}) {
      unit::Values v = unit::run(c, {x, y});
      CHECK(v.jac[0] == doctest::Approx(std::cos(x * y)).epsilon(1e-15));
    }
  }
}

TEST_CASE("backprop's delta: dC/ds1 equals dC/db1 when s1 = W1 @ x + b1") {
  const std::string net =
      "input W1[3,2], b1[3], x[2], W2[1,3], y[1]\n"
      "s1 = W1 @ x + b1\n"
      "a1 = relu(s1)\n"
      "C = sum((W2 @ a1 - y)^2)\n";
  unit::Points pts(5);
  for (DiffMode mode : {DiffMode::Reverse, DiffMode::Forward}) {
    Compiled delta = compile_mode(net + "wrt s1", mode);
    Compiled bias = compile_mode(net + "wrt b1", mode);
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<double> in(6 + 3 + 2 + 3 + 1);
      for (double& v : in) v = pts.uniform(-1, 1);
      unit::Values d = unit::run(delta, in), b = unit::run(bias, in);
      REQUIRE(d.jac.size() == 3);
      for (size_t i = 0; i < 3; ++i) CHECK(d.jac[i] == b.jac[i]);
    }
  }
}

// dOUT/dh counts the uses of h the program writes, whatever the builder
// does: h's expression written again, or made by a rewrite (a/d ->
// a*(1/d) for shared denominators, sqrt(s)*sqrt(s) -> s, the sigmoid
// pair), is not h. Each case has its closed form, in both modes, with
// exact division or shared reciprocals, named by `wrt` or by --wrt.
TEST_CASE("no rewrite and no second spelling of h's expression counts as a use of h") {
  struct Case {
    const char* program;  // without its wrt statement
    const char* value;
    std::vector<double> in;
    double want;
  };
  const Case cases[] = {
      // 1/x written again: dw/dh = 1, not 2.
      {"input x\nh = 1/x\nw = h + 1/x", "h", {2}, 1.0},
      {"input x, y\ns1 = x*y\nw = s1 + x*y", "s1", {2, 3}, 1.0},
      // Four divisions by x share one 1/x: not h.
      {"input x, a, b, c\nh = 1/x\nw = h + a/x + b/x + c/x", "h", {2, 3, 5, 7}, 1.0},
      // a/x, made again by the rewrite of a*(1/x): dw/dq = 2q = a*... = 3.
      {"input x, a, b, c, e\nq = a/x\nw = q*q + b/x + c/x + e/x + a*(1/x)", "q", {2, 3, 5, 7, 1}, 3.0},
      // r*r with r = sqrt(s) is not s: dw/dr = 2r + 1 = 5.
      {"input s\nr = sqrt(s)\nw = r*r + r", "r", {4}, 5.0},
      // -y*sigmoid(-z) + (1-y)*sigmoid(z) is s1 - y by the pair rule, but
      // s2 does not depend on s1: dw/ds1 = 1 - y.
      {"input z, y\ns1 = sigmoid(z)\ns2 = sigmoid(-z)\nw = -y*s2 + (1 - y)*s1", "s1", {0.3, 0.25}, 0.75},
      // Two values of one expression are two columns.
      {"input x, y\na = x*y\nb = x*y\nw = a*b", "a", {2, 3}, 6.0},
      // The elements of an array value: h[0] and h[1] are both x.
      {"input x\nh = [x, x]\nw = h[0]*h[1] + 3*h[1]", "h", {2}, NAN},
  };
  for (const Case& c : cases) {
    for (DiffMode mode : {DiffMode::Reverse, DiffMode::Forward})
      for (bool exact : {false, true})
        for (bool option : {false, true}) {
          CompileOptions opts;
          opts.mode = mode;
          opts.exact_division = exact;
          std::string text = c.program;
          if (option) opts.wrt = std::vector<std::string>{c.value};
          else text += std::string("\nwrt ") + c.value;
          INFO(text, "\nmode ", int(mode), ", exact division ", exact, ", --wrt ", option);
          Compiled compiled = unit::compile_ok(text, opts);
          unit::Values v = unit::run(compiled, c.in);
          if (std::isnan(c.want)) {  // h = [x, x]: dw/dh[0] = h[1] = 2, dw/dh[1] = h[0] + 3 = 5
            REQUIRE(v.jac.size() == 2);
            CHECK(v.jac[0] == 2.0);
            CHECK(v.jac[1] == 5.0);
          } else {
            REQUIRE(v.jac.size() == 1);
            CHECK(v.jac[0] == doctest::Approx(c.want).epsilon(1e-15));
          }
        }
  }
}

TEST_CASE("inputs and intermediate values together: inputs first, then values in definition order") {
  // w = h*h + x with h = x*y: dw/dx is the total derivative 2*h*y + 1; dw/dh = 2h.
  Compiled c = unit::compile_ok("input x, y\nh = x*y\ng = h + 1\nw = h*h + x + g\nwrt g, x, h");
  CHECK(c.names.wrt == std::vector<std::string>{"x", "h", "g"});
  unit::Values v = unit::run(c, {1.5, 2.0});
  double h = 3.0;
  CHECK(v.jac[0] == 2 * h * 2.0 + 1 + 2.0);  // dw/dx through h and g, and directly
  CHECK(v.jac[1] == 2 * h + 1);              // dw/dh: h*h and g = h + 1
  CHECK(v.jac[2] == 1);                      // dw/dg
  // An output's derivative with respect to itself is 1; an array value
  // gives one column per element.
  Compiled a = unit::compile_ok("input v[3]\ns = 2*v\nw = sum(s*s)\nwrt s");
  unit::Values av = unit::run(a, {1, 2, 3});
  CHECK(av.jac == std::vector<double>{4, 8, 12});
}

TEST_CASE("--wrt names values too; errors for constants, unknown and repeated names") {
  CompileOptions o;
  o.wrt = std::vector<std::string>{"s1"};
  Compiled c = unit::compile_ok("input x, y\ns1 = x*y\nw = exp(s1)", o);
  CHECK(unit::run(c, {1, 2}).jac[0] == doctest::Approx(std::exp(2.0)));
  for (auto [text, message] : {
           std::pair{"c = 2\nw = c*x\nwrt c", "'c' in 'wrt': 'c' is a constant"},
           {"input v[2]\ns = [v[0], 3]\nw = sum(s)\nwrt s", "'s' is a constant (in part)"},
           {"w = x\nwrt q", "'q' in 'wrt' is neither an input nor a value the program defines"},
           {"h = x*x\nw = h\nwrt h, h", "'h' is listed in 'wrt' twice"}}) {
    unit::Compilation r = unit::compile_text(text);
    INFO(text, "\n", r.errors);
    CHECK_FALSE(r.compiled.has_value());
    CHECK(r.errors.find(message) != std::string::npos);
  }
  CompileOptions bad;
  bad.wrt = std::vector<std::string>{"zz"};
  unit::Compilation r = unit::compile_text("h = x*x\nw = h", bad);
  CHECK(r.errors.find("--wrt names 'zz', which is neither an input nor a value of the program") !=
        std::string::npos);
}

TEST_CASE("central differences that move the value agree; a wrong column is caught") {
  Compiled c = unit::compile_ok(
      "input x, y\ns1 = x*y + 1\nh = tanh(s1)\nw = h*h*x + log(1 + h*h)\nwrt s1, h, x");
  auto interp = [&](const std::vector<double>& in, std::vector<double>& out, std::vector<double>& jac) {
    unit::Values v = unit::run(c, in);
    out = v.out;
    jac = v.jac;
  };
  CheckOptions opts;
  opts.points = 8;
  CheckResult ok = check_wrt_values(c, interp, opts);
  INFO(ok.message);
  CHECK(ok.ok);
  auto wrong = [&](const std::vector<double>& in, std::vector<double>& out, std::vector<double>& jac) {
    interp(in, out, jac);
    jac[2] *= 1.001;  // dw/dh off by 0.1%
  };
  CheckResult bad = check_wrt_values(c, wrong, opts);
  CHECK_FALSE(bad.ok);
  CHECK(bad.message.find("d w / d h") != std::string::npos);
}

TEST_CASE("--check --hessian: second derivatives with a value among the columns; a wrong entry is caught") {
  CompileOptions o;
  o.kernels = {KernelKind::Forward, KernelKind::Grad, KernelKind::Hess};
  // Values by values (s1, h), inputs by values (x with either), as a mixed
  // partial in both orders; h also depends on s1, which is held fixed.
  Compiled c = unit::compile_ok(
      "input x, y\ns1 = x*y + 1\nh = tanh(s1)\nw = h*h*x + log(1 + h*h) + s1*s1*y\nwrt s1, h, x", o);
  REQUIRE(c.num_wrt() == 3);
  REQUIRE(c.hessian.size() == 9);
  auto interp = [&](const std::vector<double>& in, std::vector<double>& out, std::vector<double>& jac,
                    std::vector<double>& hess) {
    std::vector<double> v = evaluate(c.prog.graph, in);
    out = {v[c.outputs[0]]};
    jac.clear();
    hess.clear();
    for (NodeId id : c.jacobian) jac.push_back(v[id]);
    for (NodeId id : c.hessian) hess.push_back(v[id]);
  };
  CheckOptions opts;
  opts.points = 8;
  CheckResult ok = check_wrt_value_hessian(c, interp, opts);
  INFO(ok.message);
  CHECK(ok.ok);
  CHECK(ok.message.find("8 second derivatives with respect to intermediate values") !=
        std::string::npos);  // 3*3 entries less x by x
  // Columns: x (input) first, then s1, h. Off by 0.1% in one entry each: a
  // value by a value, a value by an input (both orders are checked).
  for (auto [entry, name] : {std::pair{size_t{1 * 3 + 2}, "d2 w / d s1 d h"},
                             {size_t{2 * 3 + 0}, "d2 w / d h d x"},
                             {size_t{0 * 3 + 2}, "d2 w / d x d h"}}) {
    auto wrong = [&, entry = entry](const std::vector<double>& in, std::vector<double>& out,
                                    std::vector<double>& jac, std::vector<double>& hess) {
      interp(in, out, jac, hess);
      hess[entry] *= 1.001;
    };
    CheckResult bad = check_wrt_value_hessian(c, wrong, opts);
    INFO(name, ": ", bad.message);
    CHECK_FALSE(bad.ok);
    CHECK(bad.message.find(name) != std::string::npos);
  }
}

TEST_CASE("every compiled backend gives the interpreter's deltas") {
  std::vector<Compiled> programs;
  programs.push_back(unit::compile_ok(
      "input W1[2,2], b1[2], x[2], W2[2]\ns1 = W1 @ x + b1\na1 = tanh(s1)\nL = dot(W2, a1)^2\n"
      "wrt s1, a1, W2"));
  programs.push_back(unit::compile_ok("input x, y\nh = x*y\nw = h > 0 ? sqrt(h) : -h\nwrt h, x"));
  // h's own node beside the shared 1/x the rewrite makes (Op::WrtValue,
  // stripped in the kernels).
  programs.push_back(unit::compile_ok("input x, a, b, c\nh = 1/x\nw = h*h + a/x + b/x + c/x\nwrt h, x"));
  std::vector<gradc_test::NamedProgram> batch;
  for (size_t i = 0; i < programs.size(); ++i) batch.push_back({fmt::format("wv{}", i), &programs[i]});
  unit::Points pts(9);
  for (gradc_test::Backend backend : gradc_test::kCompiledBackends) {
    gradc_test::BackendKernels k(backend, batch);
    INFO(gradc_test::backend_name(backend), "\n", k.log());
    REQUIRE(k.ok());
    for (size_t p = 0; p < programs.size(); ++p)
      for (int trial = 0; trial < 5; ++trial) {
        std::vector<double> in(programs[p].prog.num_input_scalars());
        for (double& v : in) v = pts.uniform(-1, 1);
        unit::Values want = unit::run(programs[p], in);
        gradc_test::Values got = k.call(p, in);
        REQUIRE(got.jac.size() == want.jac.size());
        for (size_t j = 0; j < want.jac.size(); ++j)
          CHECK(unit::close(got.jac[j], want.jac[j], 1e-14, 1e-15));
      }
  }
}

TEST_CASE("the runtime's check_kernel and check_kernel_hessian check the input columns of such kernels") {
  gradc::JitOptions jo;
  jo.kernels = {"f", "grad", "hess"};
  gradc::Kernel k = gradc::jit_compile("input x, y\nh = x*y\nw = sin(h) + x*x*y\nwrt x, h", jo);
  CHECK(k.wrt_inputs() == std::vector<size_t>{0, SIZE_MAX});
  gradc::CheckResult grad = gradc::check_kernel(k);
  CHECK_MESSAGE(grad.ok, grad.message);
  CHECK(grad.message.find("1 derivative checked") != std::string::npos);  // dw/dx only
  gradc::CheckResult hess = gradc::check_kernel_hessian(k);
  CHECK_MESSAGE(hess.ok, hess.message);
  CHECK(hess.message.find("1 second derivative checked") != std::string::npos);
}
