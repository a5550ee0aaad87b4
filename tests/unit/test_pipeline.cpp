// test_pipeline.cpp - compile(): parse errors and --wrt errors surface as
// diagnostics, the Compiled layout (roots, dOUT_dIN names kept unique, name
// hints), the pass timer, and linear growth on long programs.
#include "naming.h"
#include "unit_support.h"

using namespace gradc;

TEST_CASE("compile lays out outputs, then the m x k Jacobian, with dOUT_dIN names") {
  Compiled c = unit::compile_ok("input x, y\nu = x*y\nv = sin(x) + y\noutput v, u");
  CHECK(c.outputs.size() == 2);
  CHECK(c.num_wrt() == 2);
  CHECK(c.jacobian.size() == 4);
  CHECK(gradc::derivative_entry_names(c) == std::vector<std::string>{"dv_dx", "dv_dy", "du_dx", "du_dy"});
  CHECK(c.outputs[0] == c.prog.outputs[0].scalar());
  std::vector<NodeId> roots = c.all_roots();
  REQUIRE(roots.size() == 6);
  CHECK(roots[0] == c.outputs[0]);
  CHECK(roots[1] == c.outputs[1]);
  CHECK(roots[2] == c.jacobian[0]);
  CHECK(roots[5] == c.jacobian[3]);
  CHECK(c.forward_nodes == c.prog.forward_nodes);
  CHECK(c.forward_nodes <= c.prog.graph.size());
  unit::Values v = unit::run(c, {2.0, 3.0});
  CHECK(v.out == std::vector<double>{std::sin(2.0) + 3.0, 6.0});
  CHECK(v.jac == std::vector<double>{std::cos(2.0), 1.0, 3.0, 2.0});
}

TEST_CASE("the pipeline's Jacobian matches central differences on the SPEC card example") {
  Compiled c = unit::compile_ok("a = x*y + z; b = a*(x+x); w = a*b + b");
  unit::Points pts(51);
  for (int k = 0; k < 20; ++k) {
    std::vector<double> in{pts.uniform(-2, 2), pts.uniform(-2, 2), pts.uniform(-2, 2)};
    double x = in[0], y = in[1], a = x * y + in[2], b = 2 * a * x;
    double dw_da = b + (a + 1) * 2 * x;  // by hand: w = a*b + b
    unit::Values v = unit::run(c, in);
    CHECK(unit::close_exact(v.jac[0], dw_da * y + (a + 1) * 2 * a));
    CHECK(unit::close_exact(v.jac[1], dw_da * x));
    CHECK(unit::close_exact(v.jac[2], dw_da));
    for (size_t j = 0; j < 3; ++j) CHECK(unit::close_fd(v.jac[j], unit::central_diff(c, in, 0, j)));
  }
}

TEST_CASE("outputs see only their own adjoints, whatever the order of inputs and outputs") {
  // y is first used after a, so its Input node has a larger id than a.
  Compiled c = unit::compile_ok("a = sin(x)\nb = x*y\noutput b, a");
  unit::Values v = unit::run(c, {2.0, 3.0});
  CHECK(v.jac[0] == 3.0);
  CHECK(v.jac[1] == 2.0);
  CHECK(unit::close_exact(v.jac[2], std::cos(2.0)));
  CHECK(v.jac[3] == 0.0);
}

TEST_CASE("derivative names stay clear of the program's own names") {
  Compiled c = unit::compile_ok("input x\ndw_dx = x*x\nw = dw_dx*x");
  CHECK(gradc::derivative_entry_names(c) == std::vector<std::string>{"dw_dx_2"});
  CHECK(c.grad_hints->reserved.count("dw_dx") == 1);
  CHECK(c.grad_hints->reserved.count("dw_dx_2") == 1);
}

TEST_CASE("name hints: source names fixed, derivative roots fixed, adjoints loose") {
  Compiled c = unit::compile_ok("input x, y\na = x*y\nw = sin(a)*y");
  const NameHints& fh = *c.forward_hints;
  REQUIRE(fh.hint.count(c.prog.definitions[0].scalar()) == 1);
  CHECK(fh.hint.at(c.prog.definitions[0].scalar()).name == "a");
  CHECK(fh.hint.at(c.prog.definitions[0].scalar()).fixed);
  CHECK(fh.hint.at(c.prog.inputs[1].scalar()).name == "y");
  const NameHints& gh = *c.grad_hints;
  // dw_dx = cos(a)*y*y is a new node named after the derivative.
  REQUIRE(gh.hint.count(c.jacobian[0]) == 1);
  CHECK(gh.hint.at(c.jacobian[0]).name == "dw_dx");
  CHECK(gh.hint.at(c.jacobian[0]).fixed);
  // The adjoint of a, cos(a)*y, is named loosely after it.
  bool found = false;
  for (const auto& [node, hint] : gh.hint)
    if (hint.name == "dw_da") found = !hint.fixed;
  CHECK(found);
}

TEST_CASE("parse errors: no result, the errors in the diagnostics") {
  unit::Compilation r = unit::compile_text("a = (x\nb = y +");
  CHECK_FALSE(r.compiled.has_value());
  CHECK(r.error_count == 2);
  CHECK(r.errors.find("test.expr:1:") != std::string::npos);
  CHECK(r.errors.find("test.expr:2:") != std::string::npos);
}

TEST_CASE("--wrt overrides the program; an unknown name is an error") {
  CompileOptions opts;
  opts.wrt = std::vector<std::string>{"z", "x"};
  Compiled c = unit::compile_ok("w = x*y*z\nwrt y", opts);
  CHECK(c.prog.wrt == std::vector<uint32_t>{0, 2});
  CHECK(gradc::derivative_entry_names(c) == std::vector<std::string>{"dw_dx", "dw_dz"});
  opts.wrt = std::vector<std::string>{"x", "q"};
  unit::Compilation r = unit::compile_text("w = x*y", opts);
  CHECK_FALSE(r.compiled.has_value());
  CHECK(r.errors.find("'q'") != std::string::npos);
}

TEST_CASE("many unknown --wrt names are reported without throwing (no crash, SPEC 2)") {
  CompileOptions opts;
  opts.wrt = std::vector<std::string>{};
  for (int i = 0; i < 30; ++i) opts.wrt->push_back(fmt::format("q{}", i));
  std::optional<unit::Compilation> r;
  CHECK_NOTHROW(r = unit::compile_text("w = x*y", opts));
  if (r) CHECK_FALSE(r->compiled.has_value());
}

TEST_CASE("the pass timer records parse, differentiate, name and kernels") {
  SourceFile file("t.expr", "w = x*y");
  std::ostringstream err;
  Diagnostics diag(&file, err);
  PassTimer timer;
  REQUIRE(compile(file, diag, CompileOptions{}, timer));
  std::vector<std::string> passes;
  for (const auto& e : timer.entries()) {
    passes.push_back(e.name);
    CHECK(e.ms >= 0);
  }
  CHECK(passes == std::vector<std::string>{"parse", "differentiate", "name", "kernels"});
}

TEST_CASE("a 20000-statement chain compiles, and the derivative DAG grows linearly") {
  const int n = 20000;
  std::string text = "input x\na0 = x\n";
  for (int i = 1; i <= n; ++i) text += fmt::format("a{} = sin(a{})*x\n", i, i - 1);
  Compiled c = unit::compile_ok(text);
  CHECK(c.prog.graph.size() < 8 * c.forward_nodes);
  // d a_i = cos(a_{i-1})*x*d a_{i-1} + sin(a_{i-1}), by forward accumulation here.
  double a = 1.0, d = 1, x = 1.0;
  for (int i = 1; i <= n; ++i) {
    d = std::cos(a) * x * d + std::sin(a);
    a = std::sin(a) * x;
  }
  unit::Values v = unit::run(c, {x});
  CHECK(unit::close(v.out[0], a, 1e-12, 1e-300));
  CHECK(unit::close(v.jac[0], d, 1e-9, 1e-300));
}
