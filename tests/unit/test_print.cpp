// test_print.cpp - --print output (SPEC 5): the text form re-parses to a
// program giving the same outputs and derivatives (round trip), is simplified,
// shares subexpressions, and uses the program's names; LaTeX and DOT forms.
#include <set>

#include "naming.h"
#include "emit/print.h"
#include "unit_support.h"

using namespace gradc;

namespace {

bool same_value(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (std::isinf(a) || std::isinf(b)) return a == b;
  return unit::close(a, b, 1e-12, 1e-14);
}

// Print `prog`, re-parse the text, and compare every output and derivative.
void check_round_trip(const std::string& prog, double lo, double hi, uint64_t seed) {
  Compiled c = unit::compile_ok(prog);
  std::string text = print_text(c, "p.expr");
  unit::Parse p = unit::parse_text(text);
  INFO("program:\n", prog, "\nprinted:\n", text, "\nerrors:\n", p.errors);
  REQUIRE(p.program.has_value());
  const Program& re = *p.program;
  CHECK(unit::names(re.inputs) == unit::names(c.prog.inputs));
  std::vector<std::string> roots = unit::names(c.prog.outputs);
  const std::vector<std::string> entry_names = gradc::derivative_entry_names(c);
  roots.insert(roots.end(), entry_names.begin(), entry_names.end());
  CHECK(unit::names(re.outputs) == roots);
  REQUIRE(re.outputs.size() == c.outputs.size() + c.jacobian.size());
  unit::Points pts(seed);
  for (int k = 0; k < 20; ++k) {
    std::vector<double> in;
    for (size_t i = 0; i < c.prog.inputs.size(); ++i) in.push_back(pts.uniform(lo, hi));
    unit::Values orig = unit::run(c, in);
    std::vector<double> expected = orig.out;
    expected.insert(expected.end(), orig.jac.begin(), orig.jac.end());
    std::vector<double> v = evaluate(re.graph, in);
    for (size_t i = 0; i < expected.size(); ++i) {
      INFO("root ", roots[i], " at point ", k);
      CHECK(same_value(v[re.outputs[i].scalar()], expected[i]));
    }
  }
}

}  // namespace

TEST_CASE("round trip: the SPEC examples") {
  check_round_trip("a = x*y + z; b = a*(x+x); w = a*b + b", -2, 2, 1);
  check_round_trip(
      "input x, w, b, y\np = sigmoid(w*x + b)\nloss = -(y*log(p) + (1 - y)*log(1 - p))\nwrt w, b",
      -2, 2, 2);
}

TEST_CASE("round trip: every built-in function and operator") {
  check_round_trip(
      "input x, y\n"
      "a = sin(x)*cos(y) + tan(x/4)\n"
      "b = sqrt(y) + cbrt(x) + log1p(y) + expm1(x) + log(y) + exp(-x)\n"
      "c = asin(x/3) + acos(x/3) + atan(y) + sinh(x) + cosh(y) + tanh(x)\n"
      "d = erf(x) + abs(x) + sign(y - 1) + floor(x) + ceil(y) + sigmoid(x) + softplus(y)\n"
      "e = relu(x) + gelu(y) + leaky_relu(x, 0.1) + pow(y, x) + atan2(y, x) + max(x, y) + min(x, y)\n"
      "f = x > y ? a : b - x^3\n"
      "g = where(x < 0 && y >= 1 || !(x == y) && x != 0.5, c, d*e/y)\n"
      "h = (x <= y) + (x >= y) + y**x**0.5\n"
      "output a, b, c, d, e, f, g, h",
      0.2, 2.5, 3);
  check_round_trip("input x, y\nw = x > 0 ? sqrt(x)*y : -x*y", -2, 2, 4);
}

TEST_CASE("round trip: precedence, negative constants and pi") {
  check_round_trip("w = -x^2 + 2^-x - (x - 1)*(-3) + x/(-2) + pi*x - (-x)^2 + x^-1.5", 0.1, 3, 5);
  check_round_trip("w = 1 - (x - (1 - x)) / (x / (2 / x))", 0.5, 3, 6);
}

TEST_CASE("round trip: names that clash with derivative and fresh names") {
  check_round_trip("input x\ndw_dx = x*x\nw = dw_dx + sin(x)\nt1 = w*2 + sin(x)\noutput t1, w", -2, 2, 7);
  check_round_trip("input x, y\nw = x*y\noutput w, x", -2, 2, 8);
  check_round_trip("input x\nw = 3\nv = w*x\noutput w, v", -2, 2, 9);
}

TEST_CASE("printed text: input line, program names, dOUT_dIN, ending with output") {
  Compiled c = unit::compile_ok("a = x*y + z; b = a*(x+x); w = a*b + b");
  std::string text = print_text(c, "card.expr");
  CHECK(text.starts_with("# gradc"));
  CHECK(text.find("\ninput x, y, z\n") != std::string::npos);
  CHECK(text.find("\na = x*y + z\n") != std::string::npos);
  CHECK(text.find("\ndw_dx = ") != std::string::npos);
  CHECK(text.find("\ndw_dz = ") != std::string::npos);
  CHECK(text.ends_with("\noutput w, dw_dx, dw_dy, dw_dz\n"));
}

TEST_CASE("second names of a value (g = x, k = h) are kept, and read from where they are made") {
  const char* programs[] = {
      "input x, y\ng = x\nh = g*y\nw = h + g",                      // alias of an input
      "input x, y\nh = x*y\nk = h\nw = sin(k) + h",                   // alias of a statement
      "input x, y\ng = x\nk = g\nm = k*y\nw = m + k\noutput w, g",  // a chain, one an output
      "input x, y\nA = [x*y, y]\ng = A[0]\nw = g*g + y",            // names an array element
      "input x, y\ng = x\nh = y*y\nw = h + 0*g",                    // read by nothing left
  };
  for (const char* prog : programs) {
    Compiled c = unit::compile_ok(prog);
    std::string text = print_text(c, "a.expr");
    unit::Parse again = unit::parse_text(text);
    INFO("program:\n", prog, "\nprinted:\n", text, "\n", again.errors);
    CHECK(again.errors.find("never used") == std::string::npos);  // every alias printed is read
    check_round_trip(prog, -2, 2, 11);
  }
  auto printed = [](const char* prog) { return print_text(unit::compile_ok(prog), "a.expr"); };
  std::string input_alias = printed(programs[0]);
  CHECK(input_alias.find("\ng = x\nh = g*y\nw = h + g\n") != std::string::npos);
  std::string step_alias = printed(programs[1]);
  CHECK(step_alias.find("\nh = x*y\nk = h\nw = sin(k) + k\n") != std::string::npos);
  std::string chain = printed(programs[2]);
  CHECK(chain.find("\ng = x\n") != std::string::npos);  // an output keeps its statement
  CHECK(chain.find("\nk = x\nm = k*y\nw = m + k\n") != std::string::npos);
  CHECK(unit::count_of(chain, "\ng = ") == 1);
  CHECK(printed(programs[3]).find("\ng = x*y\nw = g*g + y\n") != std::string::npos);
  CHECK(printed(programs[4]).find("\ng = ") == std::string::npos);  // 0*g folded away
}

TEST_CASE("printed text is simplified and shares subexpressions") {
  std::string simple = print_text(unit::compile_ok("w = (x + 0)*1"), "s.expr");
  CHECK(simple.find("\nw = x\n") != std::string::npos);
  CHECK(simple.find("\ndw_dx = 1\n") != std::string::npos);
  CHECK(simple.find("+ 0") == std::string::npos);
  CHECK(simple.find("*1") == std::string::npos);
  std::string folded = print_text(unit::compile_ok("w = --x*(2*3) - x + 0*y"), "f.expr");
  CHECK(folded.find("--") == std::string::npos);
  CHECK(folded.find("2*3") == std::string::npos);
  CHECK(folded.find("0*y") == std::string::npos);
  std::string shared = print_text(unit::compile_ok("w = sin(x*y) + cos(x*y)"), "s.expr");
  CHECK(unit::count_of(shared, "x*y") == 1);
  CHECK(unit::count_of(shared, "sin(") == 1);
  CHECK(unit::count_of(shared, "cos(") == 1);
}

TEST_CASE("LaTeX: one aligned equation per printed statement") {
  Compiled c = unit::compile_ok("a = x/y; w = sqrt(a) + sin(a)");
  std::string latex = print_latex(c, "l.expr"), text = print_text(c, "l.expr");
  CHECK(latex.starts_with("% gradc"));
  CHECK(latex.find("\\begin{align*}") != std::string::npos);
  CHECK(latex.ends_with("\\end{align*}\n"));
  CHECK(latex.find("\\frac{x}{y}") != std::string::npos);
  CHECK(latex.find("\\sqrt{a}") != std::string::npos);
  size_t statements = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    statements += line.find(" = ") != std::string::npos && !line.starts_with("#");
  CHECK(unit::count_of(latex, "&=") == statements);
}

// A value the program names like a derivative (`dy_dx = x*x`) is a symbol;
// only the derivative itself (renamed dy_dx_2 in the text) is a fraction.
TEST_CASE("LaTeX: a program's own name spelled like a derivative is not a fraction") {
  Compiled c = unit::compile_ok("input x\ndy_dx = x*x\ny = sin(dy_dx)");
  std::string latex = print_latex(c, "l.expr");
  INFO(latex);
  CHECK(unit::count_of(latex, "\\frac{\\partial y}{\\partial x}") == 1);
  CHECK(latex.find("\\frac{\\partial y}{\\partial x} &= \\cos") != std::string::npos);
  CHECK(latex.find("\\sin\\left(\\frac") == std::string::npos);
  CHECK(print_text(c, "l.expr").find("dy_dx_2 = ") != std::string::npos);
}

TEST_CASE("DOT: one node per operation as written (arrays whole), operand positions where they matter") {
  Compiled c = unit::compile_ok(
      "input W1[3,4], b1[3], x[4], W2[2,3], y[2]\ns1 = W1 @ x + b1\na1 = 3*relu(s1)\n"
      "yhat = W2 @ a1\nC = 0.5*sum((yhat - y)^2)\nwrt W1, b1");
  std::string dot = print_dot(c, "net.expr");
  CHECK(dot.find("digraph gradc {") != std::string::npos);
  CHECK(dot.ends_with("}\n"));
  // The regression net: 5 inputs and 9 operations, 13 edges (not hundreds
  // of scalar nodes and edges).
  CHECK(unit::count_of(dot, ", shape=box") == 5);
  CHECK(unit::count_of(dot, ", shape=ellipse") == 9);
  CHECK(unit::count_of(dot, " -> ") == 13);
  CHECK(dot.find("[label=\"W1 [3,4]\", shape=box, style=filled") != std::string::npos);
  CHECK(dot.find("[label=\"x [4]\", shape=box];") != std::string::npos);  // not in wrt
  CHECK(dot.find("[label=\"s1 [3]\\n+\", shape=ellipse];") != std::string::npos);
  CHECK(dot.find("[label=\"a1 [3]\\n* 3\", shape=ellipse];") != std::string::npos);  // the constant
  CHECK(dot.find("[label=\"C\\n* 0.5\", shape=ellipse, peripheries=2];") != std::string::npos);
  // `@`, `-` and `^` label their operands 1 and 2; `+` does not.
  CHECK(unit::count_of(dot, "[label=\"1\"]") == 4);  // W1 @, W2 @, yhat -, (...) ^ 2
  CHECK(unit::count_of(dot, "[label=\"2\"]") == 3);  // @ x, @ a1, - y
  // Every edge connects declared nodes, and its source comes first.
  std::istringstream in(dot);
  std::set<std::string> declared;
  for (std::string line; std::getline(in, line);) {
    size_t bracket = line.find(" [label=");
    size_t arrow = line.find(" -> ");
    if (arrow == std::string::npos) {
      if (bracket != std::string::npos) declared.insert(line.substr(2, bracket - 2));
      continue;
    }
    std::string from = line.substr(2, arrow - 2), to = line.substr(arrow + 4);
    to = to.substr(0, to.find_first_of(" ;"));
    CHECK(declared.count(from) == 1);
    CHECK(declared.count(to) == 1);
  }
  // `?:` labels its operands if/then/else; a function's body is its operations.
  Compiled f = unit::compile_ok("input x, y\nsq(a) = a*a\nw = x > 0 ? sq(x) : y - 1");
  std::string fd = print_dot(f, "f.expr");
  for (const char* label : {"[label=\"if\"]", "[label=\"then\"]", "[label=\"else\"]"})
    CHECK(fd.find(label) != std::string::npos);
  CHECK(fd.find("[label=\"w\\n?:\", shape=ellipse, peripheries=2];") != std::string::npos);
}
