// test_check.cpp - check_gradient (--check): passes correct Jacobians, fails
// wrong ones naming the derivative and the point, redraws points where the
// function is not finite, and is deterministic for a seed.
#include "gradc_check.h"
#include "unit_support.h"

using namespace gradc;

namespace {

// w = x*y + sin(x), with its correct gradient, optionally spoiled.
GradFunction xy_sin(double error_dx = 0, double error_dy = 0) {
  return [=](const std::vector<double>& in, std::vector<double>& out, std::vector<double>& jac) {
    double x = in[0], y = in[1];
    out[0] = x * y + std::sin(x);
    jac[0] = y + std::cos(x) + error_dx;
    jac[1] = x + error_dy;
  };
}

CheckShape shape_xy() {
  CheckShape s;
  s.inputs = {"x", "y"};
  s.outputs = {"w"};
  s.wrt = {0, 1};
  return s;
}

// The interpreter's outputs and Jacobian of a compiled program.
GradFunction interpreted(const Compiled& c) {
  return [&c](const std::vector<double>& in, std::vector<double>& out, std::vector<double>& jac) {
    unit::Values v = unit::run(c, in);
    out = v.out;
    jac = v.jac;
  };
}

CheckShape shape_of(const Compiled& c) {
  CheckShape s;
  for (const Variable& v : c.prog.inputs) s.inputs.push_back(v.name);
  for (const Variable& v : c.prog.outputs) s.outputs.push_back(v.name);
  s.wrt = c.prog.wrt;
  return s;
}

}  // namespace

TEST_CASE("a correct gradient passes") {
  CheckResult r = check_gradient(xy_sin(), shape_xy(), CheckOptions{});
  INFO(r.message);
  CHECK(r.ok);
  CHECK(r.message.find("5 random points") != std::string::npos);
}

TEST_CASE("a wrong derivative fails, naming the derivative and the point") {
  CheckResult r = check_gradient(xy_sin(0, 1e-3), shape_xy(), CheckOptions{});
  CHECK_FALSE(r.ok);
  CHECK(r.message.find("d w / d y") != std::string::npos);
  CHECK(r.message.find("x=") != std::string::npos);
  CHECK(r.message.find("y=") != std::string::npos);
  CheckResult dx = check_gradient(xy_sin(0.5, 0), shape_xy(), CheckOptions{});
  CHECK_FALSE(dx.ok);
  CHECK(dx.message.find("d w / d x") != std::string::npos);
}

TEST_CASE("a small relative error is caught; rounding noise is not") {
  GradFunction scaled = [](const std::vector<double>& in, std::vector<double>& out,
                           std::vector<double>& jac) {
    out[0] = std::exp(3 * in[0]);
    jac[0] = 3 * out[0] * (1 + 1e-3);
  };
  CheckShape s;
  s.inputs = {"x"};
  s.outputs = {"w"};
  s.wrt = {0};
  CHECK_FALSE(check_gradient(scaled, s, CheckOptions{}).ok);
  GradFunction exact = [](const std::vector<double>& in, std::vector<double>& out,
                          std::vector<double>& jac) {
    out[0] = std::exp(3 * in[0]) * 1e6;
    jac[0] = 3 * out[0];
  };
  CheckResult r = check_gradient(exact, s, CheckOptions{20, 7});
  INFO(r.message);
  CHECK(r.ok);
}

TEST_CASE("a mismatch in one output of several names that output") {
  GradFunction f = [](const std::vector<double>& in, std::vector<double>& out, std::vector<double>& jac) {
    out[0] = in[0] * in[0];
    out[1] = in[0] * in[1];
    jac[0] = 2 * in[0];
    jac[1] = 0;
    jac[2] = in[1];
    jac[3] = 2 * in[0];  // wrong: d v / d y = x
  };
  CheckShape s;
  s.inputs = {"x", "y"};
  s.outputs = {"u", "v"};
  s.wrt = {0, 1};
  CheckResult r = check_gradient(f, s, CheckOptions{});
  CHECK_FALSE(r.ok);
  CHECK(r.message.find("d v / d y") != std::string::npos);
}

TEST_CASE("points are redrawn where the function is not finite; never finite is a failure") {
  GradFunction logs = [](const std::vector<double>& in, std::vector<double>& out,
                         std::vector<double>& jac) {
    out[0] = std::log(in[0]) + std::sqrt(in[1]);
    jac[0] = 1 / in[0];
    jac[1] = 0.5 / std::sqrt(in[1]);
  };
  CheckResult ok = check_gradient(logs, shape_xy(), CheckOptions{});
  INFO(ok.message);
  CHECK(ok.ok);
  GradFunction never = [](const std::vector<double>&, std::vector<double>& out, std::vector<double>& jac) {
    out[0] = std::nan("");
    jac[0] = jac[1] = 0;
  };
  CheckResult bad = check_gradient(never, shape_xy(), CheckOptions{});
  CHECK_FALSE(bad.ok);
  CHECK(bad.message.find("could not find a point") != std::string::npos);
}

TEST_CASE("only the wrt columns are checked, named by their input") {
  GradFunction f = [](const std::vector<double>& in, std::vector<double>& out, std::vector<double>& jac) {
    out[0] = in[0] * in[1] * in[2];
    jac[0] = in[1] * in[2] + 1;  // d/dx, wrong
    jac[1] = in[0] * in[1];      // d/dz
  };
  CheckShape s;
  s.inputs = {"x", "y", "z"};
  s.outputs = {"w"};
  s.wrt = {2};
  GradFunction only_z = [&](const std::vector<double>& in, std::vector<double>& out,
                            std::vector<double>& jac) {
    std::vector<double> full(2);
    f(in, out, full);
    jac[0] = full[1];
  };
  CHECK(check_gradient(only_z, s, CheckOptions{}).ok);
  s.wrt = {0, 2};
  CheckResult r = check_gradient(f, s, CheckOptions{});
  CHECK_FALSE(r.ok);
  CHECK(r.message.find("d w / d x") != std::string::npos);
}

TEST_CASE("deterministic for a seed; different seeds test different points") {
  CheckResult a = check_gradient(xy_sin(0, 1e-3), shape_xy(), CheckOptions{5, 3});
  CheckResult b = check_gradient(xy_sin(0, 1e-3), shape_xy(), CheckOptions{5, 3});
  CheckResult c = check_gradient(xy_sin(0, 1e-3), shape_xy(), CheckOptions{5, 4});
  CHECK(a.message == b.message);
  CHECK(a.message != c.message);
}

TEST_CASE("the compiler's own derivatives pass the check") {
  for (const char* prog :
       {"a = x*y + z; b = a*(x+x); w = a*b + b",
        "input x, w, b, y\np = sigmoid(w*x + b)\nloss = -(y*log(p) + (1 - y)*log(1 - p))\nwrt w, b",
        "input x, y\nu = atan2(y, x) + max(x, y)*tanh(x)\nv = x > 0 ? sqrt(x)*y : relu(y)\noutput u, v",
        "w = log(x) + asin(y/3) + pow(x, y) + gelu(z) + softplus(-z)"}) {
    Compiled c = unit::compile_ok(prog);
    CheckResult r = check_gradient(interpreted(c), shape_of(c), CheckOptions{10, 5});
    INFO(std::string(prog), "\n", r.message);
    CHECK(r.ok);
  }
}
