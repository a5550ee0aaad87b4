// test_functions.cpp - user functions `f(a, b) = EXPR` (SPEC 1): inlined at
// each call into the same DAG as the handouts' `out = h(f(x), g(x))`, on
// scalars and arrays; every error case; no exponential work and no deep
// recursion however the calls nest.
#include <sstream>

#include "unit_support.h"

using namespace gradc;
using unit::parse_ok;

TEST_CASE("a call is its body with the parameters bound: the same DAG as writing it out") {
  Program f = parse_ok("f(x) = x^2\ng(x) = sin(x)\nh(u, v) = u*v\nout = h(f(x), g(x))");
  Program written = parse_ok("out = x^2*sin(x)");
  CHECK(f.graph.size() == written.graph.size());
  for (double x : {-1.5, 0.0, 0.3, 2.0})
    CHECK(evaluate(f.graph, {x})[f.outputs[0].scalar()] ==
          evaluate(written.graph, {x})[written.outputs[0].scalar()]);
  CHECK(unit::names(f.inputs) == std::vector<std::string>{"x"});
  CHECK(unit::names(f.definitions) == std::vector<std::string>{"out"});
  // A parameter shadows a global of the same name; other globals are seen.
  Program s = parse_ok("input x, a\nf(x) = x + a\nw = f(2*x)");
  CHECK(evaluate(s.graph, {3, 10})[s.outputs[0].scalar()] == 16);
  // No parameters; functions calling earlier functions.
  Program c = parse_ok("two() = 2\nsq(a) = a*a\nquad(a) = sq(sq(a))*two()\nw = quad(x)");
  CHECK(evaluate(c.graph, {3})[c.outputs[0].scalar()] == 162);
}

TEST_CASE("functions take and return arrays; derivatives flow through calls") {
  Compiled c = unit::compile_ok(
      "input W[2,3], x[3], b[2]\n"
      "layer(A, v, c) = relu(A @ v + c)\n"
      "mse(p) = mean(p*p)\n"
      "loss = mse(layer(W, x, b))");
  Compiled written = unit::compile_ok("input W[2,3], x[3], b[2]\nloss = mean(relu(W @ x + b)^2)");
  unit::Points pts(7);
  std::vector<double> in(11);
  for (double& v : in) v = pts.uniform(-1, 1);
  unit::Values a = unit::run(c, in), w = unit::run(written, in);
  CHECK(unit::close_exact(a.out[0], w.out[0]));
  REQUIRE(a.jac.size() == w.jac.size());
  for (size_t j = 0; j < a.jac.size(); ++j) CHECK(unit::close_exact(a.jac[j], w.jac[j]));
}

TEST_CASE("a body may span lines inside brackets, and calls nest") {
  Program p = parse_ok("f(a, b) = (a*b +\n"
                       "          a - b)\n"
                       "w = f(f(x, 2), 3)");
  // f(x, 2) = 3x - 2; f(3x - 2, 3) = 4(3x - 2) - 3
  CHECK(evaluate(p.graph, {1.5})[p.outputs[0].scalar()] == 4 * 2.5 - 3);
}

struct ErrorCase {
  const char* program;
  const char* message;
};

const ErrorCase kFunctionErrors[] = {
    {"input x\nf(a) = a*q\nw = f(x)", "use of undeclared name 'q'"},
    {"g(a, a) = a\nw = g(1, 2)", "'a' is a parameter of 'g' twice"},
    {"h(sin) = 1\nw = h(2)", "'sin' is a built-in function and cannot be a parameter of 'h'"},
    {"h(pi) = 1\nw = h(2)", "'pi' is a built-in constant and cannot be a parameter of 'h'"},
    {"k(a) = k(a)\nw = k(x)", "'k' calls itself: functions are inlined, so recursion is not supported"},
    {"input x\nw = late(x)\nlate(a) = a", "call of 'late' before its definition"},
    {"f(a) = a\nw = f(x, x)", "'f' takes 1 argument, got 2"},
    {"f(a) = a\nf(b) = b\nw = f(x)", "redefinition of function 'f'"},
    {"f(a) = a\nf = 2", "redefinition of 'f' (a function defined at line 1, column 1)"},
    {"f = 2\nf(a) = a", "redefinition of 'f'"},
    {"sin(a) = a\nw = sin(x)", "'sin' is a built-in function and cannot be defined as a function"},
    {"input x, v[3]\nm(a) = a + [1, 2]\nw = m(v)",
     "shape mismatch in '+': [3] and [2] (in the call of 'm' at line 3, column 5)"},
    {"f(a) = a +\nw = f(x)", "expected an expression, got end of line"},
    // A function's name is not a value, before or after its definition,
    // with or without an input statement (it was a new implicit input).
    {"f(a) = a*2\ny = f(x) + f", "'f' is a function (defined at line 1, column 1): call it as f(...)"},
    {"y = x + f\nf(a) = a*2\nz = f(x)", "'f' is a function defined later (at line 2, column 1)"},
    {"input x\nf(a) = a*2\ny = f(x) + f", "'f' is a function (defined at line 2, column 1)"},
    {"input x\nf(t) = t*t\ny = f(x)\noutput f", "output 'f' is a function, not a value"},
    {"input x\nf(t) = t*t\ny = f(x)\nwrt f", "'f' in 'wrt' is a function, not a value"},
};

// --wrt (and JitOptions::wrt) name the function as one, too.
TEST_CASE("--wrt naming a function says it is one") {
  unit::Parse p = unit::parse_text("input x\nf(t) = t*t\ny = f(x)");
  REQUIRE(p.program);
  std::ostringstream err;
  Diagnostics diag(nullptr, err);
  CHECK_FALSE(set_wrt(*p.program, {"f"}, diag));
  diag.flush();
  CHECK(err.str().find("--wrt names 'f', which is a function, not a value") != std::string::npos);
}

// The error on a definition that cannot be is the only one: the calls that
// follow are calls of what the name already was.
TEST_CASE("a rejected function definition leaves no follow-on errors at its calls") {
  unit::Parse builtin = unit::parse_text("input x\nexp(a) = a\ny = exp(x)");
  INFO(builtin.errors);
  CHECK(builtin.error_count == 1);
  CHECK(builtin.errors.find("'exp' is a built-in function and cannot be defined as a function") !=
        std::string::npos);
  unit::Parse input = unit::parse_text("input x\nx(a) = a\ny = x(x)");
  INFO(input.errors);
  CHECK(input.errors.find("redefinition of 'x' (first declared as an input") != std::string::npos);
  CHECK(input.errors.find("before its definition") == std::string::npos);
  CHECK(input.errors.find("'x' is not a function") != std::string::npos);
}

TEST_CASE("function errors: each with its message, at the right place") {
  for (const ErrorCase& e : kFunctionErrors) {
    std::string text = e.program;
    unit::Parse p = unit::parse_text(text);
    INFO("program: ", text, "\nerrors: ", p.errors);
    CHECK_FALSE(p.program.has_value());
    CHECK(p.errors.find(e.message) != std::string::npos);
  }
  // An error in a body is reported once, at the body, not again per call.
  unit::Parse once = unit::parse_text("input x\nf(a) = a*q\nw = f(x) + f(2*x)");
  CHECK(once.error_count == 1);
  CHECK(once.errors.find("test.expr:2:10: error: use of undeclared name 'q'") == 0);
  // A shape error that depends on the arguments names the call.
  unit::Parse shape = unit::parse_text("input v[3], u[2]\nm(a) = a + [1, 2]\nw = m(u) + m(v)");
  CHECK(shape.error_count == 1);
  CHECK(shape.errors.find("(in the call of 'm' at line 3, column 12)") != std::string::npos);
  // A function never called is a warning, not an error.
  unit::Parse unused = unit::parse_text("f(a) = a\nw = x");
  CHECK(unused.program.has_value());
  CHECK(unused.errors.find("warning: function 'f' is defined but never called") != std::string::npos);
}

TEST_CASE("calls nesting deeply or doubling at each level cost linear work, never a crash") {
  // f_k(x) = f_{k-1}(x) + f_{k-1}(x): 2^60 inlined copies if each call were
  // parsed; equal arguments give equal nodes, so each level is parsed once.
  std::string text = "f0(a) = a*a\n";
  for (int k = 1; k <= 60; ++k) text += fmt::format("f{}(a) = f{}(a) + f{}(a)\n", k, k - 1, k - 1);
  text += "w = f60(x)";
  unit::Parse doubling = unit::parse_text(text);
  INFO(doubling.errors);
  REQUIRE(doubling.program.has_value());
  CHECK(doubling.program->graph.size() < 200);
  // A chain of 10,000 functions each calling the previous: an error past
  // the nesting limit, not a stack overflow.
  std::string chain = "g0(a) = a + 1\n";
  for (int k = 1; k < 10000; ++k) chain += fmt::format("g{}(a) = g{}(a)\n", k, k - 1);
  chain += "w = g9999(x)";
  unit::Parse deep = unit::parse_text(chain);
  CHECK_FALSE(deep.program.has_value());
  CHECK(deep.errors.find("nested too deeply") != std::string::npos);
  // Within the limit it works.
  std::string ok = "g0(a) = a + 1\n";
  for (int k = 1; k < 40; ++k) ok += fmt::format("g{}(a) = g{}(a) + 1\n", k, k - 1);
  ok += "w = g39(x)";
  Program p = parse_ok(ok);
  CHECK(evaluate(p.graph, {0})[p.outputs[0].scalar()] == 40);
}
