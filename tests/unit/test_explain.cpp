// test_explain.cpp - --explain (SPEC 6): the derivation's own arithmetic
// (local partials summed over the graph, backward or forward) reaches the
// Jacobian the compiler builds, on 300 random programs and the course
// examples, in reverse and forward mode; the text has every part SPEC 6
// names; LaTeX output is balanced; big programs are summarized.
#include <fstream>
#include <sstream>

#include "emit/explain.h"
#include "random_array_program.h"
#include "random_program.h"
#include "unit_support.h"

using namespace gradc;

namespace {

std::string read_example(const std::string& name) {
  std::ifstream in(std::string(GRADC_EXAMPLES_DIR) + "/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The explanation's Jacobian against the interpreter's, both modes.
void check_against_jacobian(const Compiled& c, const std::vector<double>& point) {
  unit::Values want = unit::run(c, point);
  for (bool forward : {false, true}) {
    ExplainOptions opts;
    opts.forward_mode = forward;
    Explanation e = explain(c, point, opts, "test.expr");
    REQUIRE(e.jacobian.size() == want.jac.size());
    for (size_t i = 0; i < want.jac.size(); ++i) {
      INFO("entry ", i, forward ? " (forward mode)" : " (reverse mode)", "\n", e.text);
      bool both_nan = std::isnan(e.jacobian[i]) && std::isnan(want.jac[i]);
      CHECK((both_nan || e.jacobian[i] == want.jac[i] ||
             unit::close(e.jacobian[i], want.jac[i], 1e-9, 1e-12)));
    }
  }
}

}  // namespace

TEST_CASE("the explained passes reach the compiled Jacobian: 300 random programs") {
  unit::Points pts(11);
  for (uint64_t seed = 500; seed < 800; ++seed) {
    std::string text = gradc_test::random_program(seed);
    unit::Compilation r = unit::compile_text(text);
    if (!r.compiled) continue;
    std::vector<double> point(r.compiled->prog.num_input_scalars());
    for (double& x : point) x = pts.uniform(-1.5, 1.5);
    INFO("program:\n", text);
    check_against_jacobian(*r.compiled, point);
  }
}

TEST_CASE("the course examples, arrays included, explained in both modes") {
  for (const char* name : {"relu_net.expr", "skip_bce.expr", "regression_net.expr",
                           "softmax_ce.expr", "sigmoid_bce.expr", "two_unit_bce.expr",
                           "card.expr", "jacobian_chain.expr"}) {
    INFO(name);
    Compiled c = unit::compile_ok(read_example(name));
    unit::Points pts(3);
    std::vector<double> point(c.prog.num_input_scalars());
    for (double& x : point) x = pts.uniform(-1, 1);
    check_against_jacobian(c, point);
  }
}

TEST_CASE("the text has the parts of SPEC 6, with numbers, in order") {
  Compiled c = unit::compile_ok("a = x*y + z; b = a*(x+x); w = a*b + b");
  std::string t = explain(c, {1, 2, 3}, {}, "model.expr").text;
  size_t fwd = t.find("Forward pass"), loc = t.find("Local partial derivatives"),
         back = t.find("Backward pass for w"), grad = t.find("The gradient");
  REQUIRE(fwd != std::string::npos);
  CHECK((fwd < loc && loc < back && back < grad && grad != std::string::npos));
  CHECK(t.find("At x = 1, y = 2, z = 3.") != std::string::npos);
  CHECK(t.find("  a = x*y + z = 5\n") != std::string::npos);
  CHECK(t.find("  ∂w/∂b = a + 1 = 6\n") != std::string::npos);
  // An adjoint is the sum over the uses, symbols then numbers then the sum.
  CHECK(t.find("  dw/da = dw/db*∂b/∂a + dw/dw*∂w/∂a = 6*2 + 1*10 = 22\n") != std::string::npos);
  CHECK(t.find("  dw/dx = 104\n", grad) != std::string::npos);
  // Forward mode: tangents per input instead of adjoints.
  ExplainOptions fm;
  fm.forward_mode = true;
  std::string f = explain(c, {1, 2, 3}, fm, "model.expr").text;
  CHECK(f.find("Backward pass") == std::string::npos);
  CHECK(f.find("  db/dx = ∂b/∂x*dx/dx + ∂b/∂a*da/dx = 10*1 + 2*2 = 14\n") != std::string::npos);
}

// SPEC 6: "every intermediate". Simplification may leave a definition no
// node of its own (b = a + 0, q = log(exp(b)), g = x, k = 2*3) or nothing
// to compute (p = exp(b) once q is b): each is listed in the program's
// order, with its formula as written, and a formula that simplification
// changed shows both forms.
TEST_CASE("the forward pass lists every definition, with its formula as written") {
  Compiled c = unit::compile_ok(
      "input x, y\na = x*y\nb = a + 0\np = exp(b)\nq = log(p)\nk = 2*3\ng = x\n"
      "out = q*q + k*g\noutput out");
  for (bool latex : {false, true}) {
    ExplainOptions o;
    o.latex = latex;
    std::string t = explain(c, {1, 2}, o, "e.expr").text;
    INFO(t);
    size_t fwd = t.find("Forward pass"), end = t.find("Local partial");
    REQUIRE(fwd != std::string::npos);
    std::string pass = t.substr(fwd, end - fwd);
    if (!latex) {
      CHECK(pass.find("  a = x*y = 2\n") != std::string::npos);
      CHECK(pass.find("  b = a + 0 = a = 2\n") != std::string::npos);
      CHECK(pass.find("  p = exp(b) = exp(a) = 7.38906  (not computed: no output needs it)\n") !=
            std::string::npos);
      CHECK(pass.find("  q = log(p) = a = 2\n") != std::string::npos);
      CHECK(pass.find("  k = 2*3 = 6\n") != std::string::npos);
      CHECK(pass.find("  g = x = 1\n") != std::string::npos);
      CHECK(pass.find("  out = q*q + k*g = ") != std::string::npos);
    } else {
      CHECK(pass.find("\\texttt{a + 0}") != std::string::npos);
      CHECK(pass.find("\\texttt{log(p)}") != std::string::npos);
    }
    if (latex) continue;
    // A formula across lines, with a comment: one line, the comment dropped.
    Compiled multi = unit::compile_ok("input x, y\na = (x*y +  # first part\n\n   y)\nw = a*a");
    std::string m = explain(multi, {1, 2}, {}, "m.expr").text;
    CHECK(m.find("  a = (x*y + y) = x*y + y = 4\n") != std::string::npos);
    // An array's elements that are not steps of their own are listed too.
    Compiled arr = unit::compile_ok("input v[2], x\nh = v*1\ns = sum(h)*x\noutput s, x");  // two outputs: element by element
    std::string ar = explain(arr, {1, 2, 3}, {}, "a.expr").text;
    CHECK(ar.find("  h[0] = v[0] = 1\n") != std::string::npos);
    CHECK(ar.find("  h[1] = v[1] = 2\n") != std::string::npos);
    // In the program's order.
    size_t at = 0;
    for (const char* name : {"a ", "b ", "p ", "q ", "k ", "g ", "out "}) {
      size_t next = pass.find(std::string("\n  ") + name, at);
      CHECK_MESSAGE(next != std::string::npos, name);
      if (next != std::string::npos) at = next;
    }
  }
}

TEST_CASE("a kink: relu at 0 has local partial 0, shown as its condition") {
  Compiled c = unit::compile_ok("input x, w\ns1 = w*x\nh = relu(s1)\nL = (h - 1)^2\nwrt w");
  Explanation e = explain(c, {1, 0}, {}, "k.expr");
  CHECK(e.text.find("∂h/∂s1 = s1 > 0 ? 1 : 0 = 0") != std::string::npos);
  CHECK(e.jacobian == std::vector<double>{0.0});
}

TEST_CASE("LaTeX: fractions, one align* per section, balanced braces") {
  Compiled c = unit::compile_ok("input W[2,2], x[2]\ns = W @ x\nL = sum(tanh(s))\nwrt W");
  ExplainOptions o;
  o.latex = true;
  std::string t = explain(c, {1, 2, 3, 4, 0.1, 0.2}, o, "a.expr").text;
  CHECK(t.find("\\frac{\\partial") != std::string::npos);
  CHECK(t.find("\\frac{d L}{d") != std::string::npos);
  CHECK(unit::count_of(t, "\\begin{align*}") == unit::count_of(t, "\\end{align*}"));
  // An array program: forward, layers, backward, chains, gradient.
  CHECK(unit::count_of(t, "\\begin{align*}") == 5);
  CHECK(t.find("\\texttt{W @ x}") != std::string::npos);
  int depth = 0;
  for (char ch : t) {
    depth += ch == '{' ? 1 : ch == '}' ? -1 : 0;
    CHECK(depth >= 0);
  }
  CHECK(depth == 0);
  CHECK(t.find("∂") == std::string::npos);  // no Unicode in LaTeX source
}

TEST_CASE("array programs: the chain rule over whole variables, its deltas reach the Jacobian") {
  // 200 random array programs with one scalar output (the others fall back
  // to the element view, which the course examples test): the deltas'
  // gradient equals the compiled Jacobian.
  unit::Points pts(13);
  int array_view = 0;
  for (uint64_t seed = 2000; seed < 2200; ++seed) {
    std::string text = gradc_test::random_array_program(seed);
    unit::Compilation r = unit::compile_text(text);
    if (!r.compiled || r.compiled->outputs.size() != 1) continue;
    std::vector<double> point(r.compiled->prog.num_input_scalars());
    for (double& x : point) x = pts.uniform(-1.5, 1.5);
    INFO("program:\n", text);
    Explanation e = explain(*r.compiled, point, {}, "r.expr");
    array_view += e.text.find("Layers: the Jacobian") != std::string::npos;
    unit::Values want = unit::run(*r.compiled, point);
    REQUIRE(e.jacobian.size() == want.jac.size());
    for (size_t i = 0; i < want.jac.size(); ++i)
      CHECK((e.jacobian[i] == want.jac[i] || unit::close(e.jacobian[i], want.jac[i], 1e-9, 1e-12) ||
             (std::isnan(e.jacobian[i]) && std::isnan(want.jac[i]))));
  }
  CHECK(array_view >= 20);
  // The handout's view of a layer: shapes, structured Jacobians, deltas.
  Compiled c = unit::compile_ok(
      "input W[2,2], b[2], x[2]\ns = W @ x + b\nh = relu(s)\nL = sum(h*h)\nwrt W, b");
  std::string t = explain(c, {1, 2, 3, 4, -0.5, 0.2, 0.5, -0.2}, {}, "a.expr").text;
  CHECK(t.find("  s [2] = W @ x + b = [-0.4, 0.9]\n") != std::string::npos);
  CHECK(t.find("  ∂s/∂b = [2 x 2]: identity\n") != std::string::npos);
  CHECK(t.find("  ∂h/∂s = [2 x 2]: diagonal [0, 1]\n") != std::string::npos);  // relu's mask
  CHECK(t.find("  dL/ds [2] = (∂h/∂s)^T dL/dh = [0, 1.8]\n") != std::string::npos);
  CHECK(t.find("  dL/dW = (∂L/∂h)(∂h/∂s)(∂s/∂W): [1 x 2] [2 x 2] [2 x 4]\n") != std::string::npos);
  CHECK(t.find("  dL/db = [0, 1.8]\n") != std::string::npos);
  // Forward mode keeps the element view, said as such.
  ExplainOptions fm;
  fm.forward_mode = true;
  std::string f = explain(c, {1, 2, 3, 4, -0.5, 0.2, 0.5, -0.2}, fm, "a.expr").text;
  CHECK(f.find("Arrays are shown element by element (s[0], ...).") != std::string::npos);
  CHECK(f.find("  s[0] = W[0,0]*x[0] + W[0,1]*x[1] + b[0] = -0.4\n") != std::string::npos);
}

TEST_CASE("large programs are summarized") {
  std::string big = "input v[1000]\ns = sin(v)*v\nw = sum(s)";
  Compiled b = unit::compile_ok(big);
  std::vector<double> point(1000, 0.5);
  ExplainOptions fm;  // the element view (the array view shows 1000-element arrays truncated)
  fm.forward_mode = true;
  Explanation e = explain(b, point, fm, "big.expr");
  CHECK_FALSE(e.step_by_step);
  CHECK(e.text.find("more than the 400") != std::string::npos);
  CHECK(unit::close(e.jacobian[7], std::sin(0.5) + 0.5 * std::cos(0.5), 1e-15, 0));
}
