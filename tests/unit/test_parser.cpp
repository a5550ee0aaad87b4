// test_parser.cpp - the language of SPEC 1: inputs (implicit and declared),
// outputs, wrt, precedence and associativity, `pi`, `**`; every error case
// with its message; recovery; the nesting and error-count limits.
#include <numbers>

#include "unit_support.h"

using namespace gradc;

namespace {

Program parse_ok(const std::string& text) {
  unit::Parse p = unit::parse_text(text);
  INFO(text, "\n", p.errors);
  REQUIRE(p.program.has_value());
  CHECK(p.error_count == 0);
  return std::move(*p.program);
}

// Value of the (first) output of `text` at the given inputs.
double value_of(const std::string& text, const std::vector<double>& in = {}) {
  Program p = parse_ok(text);
  return evaluate(p.graph, in)[p.outputs.at(0).scalar()];
}

}  // namespace

TEST_CASE("without an input statement, inputs are the undefined names in order of first use") {
  Program p = parse_ok("a = z*y + x\nb = a*w + y*z");
  CHECK(unit::names(p.inputs) == std::vector<std::string>{"z", "y", "x", "w"});
  for (uint32_t i = 0; i < p.inputs.size(); ++i) {
    CHECK(p.graph[p.inputs[i].scalar()].op == Op::Input);
    CHECK(p.graph[p.inputs[i].scalar()].a == i);  // ABI index
  }
  CHECK(unit::names(p.definitions) == std::vector<std::string>{"a", "b"});
  CHECK(p.wrt == std::vector<uint32_t>{0, 1, 2, 3});  // default: all inputs
}

TEST_CASE("the input statement gives the ABI order, used or not") {
  Program p = parse_ok("input b, a\ninput c\nw = a - b");
  CHECK(unit::names(p.inputs) == std::vector<std::string>{"b", "a", "c"});
  CHECK(evaluate(p.graph, {1.0, 10.0, 100.0})[p.outputs[0].scalar()] == 9.0);
  CHECK(p.wrt == std::vector<uint32_t>{0, 1, 2});
}

TEST_CASE("outputs: the output statement, in its order; else the last name defined") {
  Program p = parse_ok("a = x*2\nb = x + 1\nc = a*b\noutput b, a");
  CHECK(unit::names(p.outputs) == std::vector<std::string>{"b", "a"});
  CHECK(evaluate(p.graph, {3.0})[p.outputs[0].scalar()] == 4.0);
  Program d = parse_ok("a = x*2\nb = a + 1\n");
  CHECK(unit::names(d.outputs) == std::vector<std::string>{"b"});
  Program late = parse_ok("output y2\ny1 = x\ny2 = 2*x");  // resolved at the end
  CHECK(unit::names(late.outputs) == std::vector<std::string>{"y2"});
  Program in = parse_ok("input x\noutput x");  // an input may be an output
  CHECK(in.outputs[0].scalar() == in.inputs[0].scalar());
}

TEST_CASE("wrt lists inputs; the columns are in ABI order") {
  Program p = parse_ok("input x, y, z\nw = x*y*z\nwrt z, x");
  CHECK(p.wrt == std::vector<uint32_t>{0, 2});
}

TEST_CASE("statements end at ; or a newline; comments and blank statements are allowed") {
  Program p = parse_ok(";;\n# comment\na = x // trailing\n\n;b = a + 1; c = b*2;;\n");
  CHECK(unit::names(p.definitions) == std::vector<std::string>{"a", "b", "c"});
  CHECK(value_of("a = 1; b = 2\r\nc = a + b") == 3.0);
}

TEST_CASE("constants and literals: pi, 2.5, .5, 1e-3, 6.02E23") {
  CHECK(value_of("w = pi") == std::numbers::pi);
  CHECK(value_of("w = 2*pi*x", {0.5}) == std::numbers::pi);
  CHECK(value_of("w = 2.5 + .5 + 1e-3") == 3.001);
  CHECK(value_of("w = 6.02E23") == 6.02e23);
}

TEST_CASE("precedence and associativity follow SPEC 1") {
  CHECK(value_of("w = -x^2", {3}) == -9);    // -(x^2)
  CHECK(value_of("w = 2^-x", {1}) == 0.5);   // 2^(-x)
  CHECK(value_of("w = x**2", {3}) == 9);     // ** is ^
  CHECK(value_of("w = 2^3^2") == 512);       // right-associative
  CHECK(value_of("w = 2**3**2") == 512);
  CHECK(value_of("w = -2^2") == -4);
  CHECK(value_of("w = 1 + 2*3") == 7);
  CHECK(value_of("w = 8/4/2") == 1);        // left-associative
  CHECK(value_of("w = 8 - 4 - 2") == 2);
  CHECK(value_of("w = !x + 1", {0}) == 2);  // (!x) + 1
  CHECK(value_of("w = 1 + 2 < 4") == 1);    // (1+2) < 4
  CHECK(value_of("w = x || y && z", {1, 0, 0}) == 1);  // && binds tighter
}

TEST_CASE("?: is right-associative and loosest; where(c, a, b) is the same node") {
  const char* prog = "w = x > 0 ? 1 : x < -1 ? 2 : 3";
  CHECK(value_of(prog, {1}) == 1);
  CHECK(value_of(prog, {-2}) == 2);
  CHECK(value_of(prog, {-0.5}) == 3);
  CHECK(value_of("w = x ? y ? 1 : 2 : 3", {1, 0}) == 2);
  CHECK(value_of("w = x || y ? 5 : 6", {0, 1}) == 5);
  CHECK(value_of("w = 1 + x ? 7 : 8", {-1}) == 8);  // (1 + x) ? ...
  Program p = parse_ok("input x, y\na = where(x > 0, x, y)\nb = x > 0 ? x : y\noutput a, b");
  CHECK(p.outputs[0].scalar() == p.outputs[1].scalar());
}

TEST_CASE("built-in calls of every arity") {
  CHECK(value_of("w = atan2(1, 0)") == std::numbers::pi / 2);
  CHECK(value_of("w = pow(2, 3)") == 8);
  CHECK(value_of("w = max(x, 2) + min(x, 2)", {5}) == 7);
  CHECK(value_of("w = leaky_relu(x, 0.1)", {-2}) == doctest::Approx(-0.2));
  CHECK(value_of("w = where(x, 1, 2)", {0}) == 2);
  CHECK(value_of("w = +x", {4}) == 4);
}

namespace {

struct ErrorCase {
  const char* program;
  const char* message;  // a substring of the rendered diagnostics
};

const ErrorCase kErrors[] = {
    {"a = \nb = 1", "expected an expression, got end of line"},
    {"a = 1 +", "expected an expression, got end of file"},
    {"a = (x + 1", "expected ')' to close the '('"},
    {"a = x + 1)", "extra ')'"},
    {"a = x y", "expected end of statement, got 'y'"},
    {"3 = x", "expected a statement"},
    {"a == 1", "expected '=' to define 'a'"},
    {"a = x\na = y", "redefinition of 'a'"},
    {"input x\nx = 1", "redefinition of 'x'"},
    {"input x, x\nw = x", "redefinition of 'x'"},
    {"a = b\nb = 1", "use of 'b' before its definition"},
    {"input x\na = x + z", "use of undeclared name 'z'"},
    {"exp = 1", "'exp' is a built-in function and cannot be defined"},
    {"where = 1", "'where' is a built-in function"},
    {"pi = 3", "'pi' is a built-in constant"},
    {"input pi\nw = 1", "'pi' is a built-in constant"},
    {"input output\nw = 1", "keyword"},
    {"wrt = 1", "'wrt' is a keyword"},
    {"input = 1", "'input' is a keyword"},
    {"output x", "output 'x' is not defined"},
    {"input sin\nw = 1", "'sin' is a built-in function"},
    {"a = foo(x)", "unknown function 'foo'"},
    {"a = pi(2)", "'pi' is not a function"},
    {"b = 1\na = b(2)", "'b' is not a function"},
    {"a = exp(x, y)", "'exp' takes 1 argument, got 2"},
    {"a = atan2(x)", "'atan2' takes 2 arguments, got 1"},
    {"a = where(x, y)", "'where' takes 3 arguments, got 2"},
    {"a = exp()", "'exp' takes 1 argument, got 0"},
    {"a = sin(x", "expected ')' to close the call to 'sin'"},
    {"a = x < y < z", "cannot be chained"},
    {"a = x ? y", "expected ':'"},
    {"a = input + 1", "'input' is a keyword, not a value"},
    {"a = exp + 1", "built-in function 'exp' cannot be used as a variable"},
    {"a = x\noutput q", "output 'q' is not defined"},
    {"a = x\noutput a, a", "'a' is listed as an output twice"},
    {"a = x\nwrt q", "'q' in 'wrt' is neither an input nor a value the program defines"},
    {"a = x\nwrt x, x", "'x' is listed in 'wrt' twice"},
    {"c = 2\na = x*c\nwrt c", "'c' in 'wrt': 'c' is a constant, which no input can change"},
    {"", "the program is empty"},
    {"# only a comment\n;;\n", "the program is empty"},
    {"input x", "the program has no output"},
    {"a = x $ 2", "unexpected character '$'"},
    {"a = 2x", "malformed number '2x'"},
    {"a = ,", "expected an expression, got ','"},
};

}  // namespace

TEST_CASE("every error case is reported with its message and no program") {
  for (const ErrorCase& e : kErrors) {
    unit::Parse p = unit::parse_text(e.program);
    INFO("program: ", std::string(e.program), "\nerrors: ", p.errors);
    CHECK_FALSE(p.program.has_value());
    CHECK(p.error_count >= 1);
    CHECK(p.errors.find(e.message) != std::string::npos);
    CHECK(p.errors.find("test.expr:") == 0);
  }
}

TEST_CASE("an error renders as file:line:col, the line and a caret (SPEC 2)") {
  unit::Parse p = unit::parse_text("input x, y\n\na = x*y + z\n");
  CHECK(p.error_count == 1);
  CHECK(p.errors ==
        "test.expr:3:11: error: use of undeclared name 'z'\n"
        "a = x*y + z\n"
        "          ^\n");
}

TEST_CASE("all errors of a file are reported in one run, in source order") {
  unit::Parse p = unit::parse_text("a = ;\nb = 1 +* 2\nc = foo(1)\nd = x\nd = 2\ne = (1");
  CHECK_FALSE(p.program.has_value());
  CHECK(p.error_count == 5);
  size_t l2 = p.errors.find("test.expr:2:"), l3 = p.errors.find("test.expr:3:"),
         l5 = p.errors.find("test.expr:5:"), l6 = p.errors.find("test.expr:6:");
  CHECK(p.errors.find("test.expr:1:") == 0);
  CHECK(l2 != std::string::npos);
  CHECK(l3 != std::string::npos);
  CHECK(l5 != std::string::npos);
  CHECK(l6 != std::string::npos);
  CHECK((l2 < l3 && l3 < l5 && l5 < l6));
  // An undeclared name is reported once, not at every use.
  unit::Parse once = unit::parse_text("input x\na = z + z\nb = z*x");
  CHECK(once.error_count == 1);
}

TEST_CASE("deep nesting is an error, never a stack overflow") {
  const size_t n = 100000;
  for (std::string text : {"w = " + std::string(n, '(') + "x" + std::string(n, ')'),
                           "w = " + std::string(n, '-') + "x",
                           "w = " + std::string(n, '!') + "x"}) {
    unit::Parse p = unit::parse_text(text);
    CHECK_FALSE(p.program.has_value());
    CHECK(p.error_count == 1);
    CHECK(p.errors.find("nested too deeply") != std::string::npos);
  }
  std::string calls;
  for (size_t i = 0; i < n; ++i) calls += "exp(";
  unit::Parse c = unit::parse_text("w = " + calls + "x");
  CHECK_FALSE(c.program.has_value());
  CHECK(c.errors.find("nested too deeply") != std::string::npos);
  std::string conds = "w = ";
  for (size_t i = 0; i < n; ++i) conds += "x ? 1 : ";
  unit::Parse t = unit::parse_text(conds + "0");
  CHECK_FALSE(t.program.has_value());
  CHECK(t.errors.find("nested too deeply") != std::string::npos);
  std::string pows = "w = x";
  for (size_t i = 0; i < n; ++i) pows += "^x";
  unit::Parse q = unit::parse_text(pows);
  CHECK_FALSE(q.program.has_value());
  CHECK(q.errors.find("nested too deeply") != std::string::npos);
  // Modest nesting is fine.
  CHECK(value_of("w = " + std::string(50, '(') + "x" + std::string(50, ')'), {2}) == 2);
}

TEST_CASE("long flat programs are fine") {
  std::string text = "w = x";
  for (int i = 0; i < 200000; ++i) text += " + x";
  CHECK(value_of(text, {1}) == 200001);
  std::string chain = "a0 = x\n";
  for (int i = 1; i <= 20000; ++i) chain += fmt::format("a{} = a{} + 1\n", i, i - 1);
  CHECK(value_of(chain, {0}) == 20000);
}

TEST_CASE("after 20 errors parsing stops with 'too many errors'") {
  std::string text;
  for (int i = 0; i < 50; ++i) text += fmt::format("a{} = $\n", i);
  unit::Parse p = unit::parse_text(text);
  CHECK_FALSE(p.program.has_value());
  CHECK(p.error_count == Diagnostics::kMaxErrors);
  CHECK(p.errors.find("too many errors emitted") != std::string::npos);
}

TEST_CASE("is_reserved_name: keywords, built-in functions and pi") {
  for (const char* n : {"input", "output", "wrt", "pi", "exp", "atan2", "where", "pow", "max",
                        "leaky_relu", "sum", "softmax"})
    CHECK(is_reserved_name(n));
  for (const char* n : {"x", "w", "exp2", "Pi", "inputs", "e"}) CHECK_FALSE(is_reserved_name(n));
}
