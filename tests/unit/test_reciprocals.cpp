// test_reciprocals.cpp - shared denominators (ir/reciprocals.h): which
// divisions become products with one reciprocal, that --exact-division keeps
// them, that the values stay within a few ulp of IEEE division on 1,000
// random programs, and the special values the documentation promises.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <regex>

#include "ir/reciprocals.h"
#include "kernel_harness.h"
#include "random_program.h"

using gradc::Graph;
using gradc::Node;
using gradc::NodeId;
using gradc::Op;
using gradc_test::compile_text;

namespace {

gradc::Compiled compiled(const std::string& text, bool exact) {
  gradc::CompileOptions opts;
  opts.exact_division = exact;
  std::string errors;
  auto c = compile_text(text, &errors, "test.expr", opts);
  REQUIRE_MESSAGE(c, errors);
  return std::move(*c);
}

// The divisions among the nodes the kernels read (outputs and Jacobian), as
// "numerator/denominator" node pairs, counted per denominator.
std::map<NodeId, int> divisions_by_denominator(const gradc::Compiled& c) {
  const Graph& g = c.prog.graph;
  std::vector<char> live(g.size(), 0);
  for (NodeId r : c.all_roots()) live[r] = 1;
  std::map<NodeId, int> count;
  for (size_t id = g.size(); id-- > 0;) {
    if (!live[id]) continue;
    const Node& n = g[NodeId(id)];
    const NodeId operands[3] = {n.a, n.b, n.c};
    for (int k = 0; k < gradc::arity(n); ++k) live[operands[k]] = 1;
    if (n.op == Op::Div) ++count[n.b];
  }
  return count;
}

// Equal, or both NaN, or within `ulps` units in the last place.
bool within_ulps(double a, double b, double ulps) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (a == b) return true;
  if (!std::isfinite(a) || !std::isfinite(b)) return false;
  const double scale = std::max(std::fabs(a), std::fabs(b));
  return std::fabs(a - b) <= ulps * std::numeric_limits<double>::epsilon() * scale;
}

// A random program (tests/unit/random_program.h) that also divides four
// of its values by another, shd_d, with the result among its outputs.
std::string with_shared_denominator(uint64_t seed) {
  const std::string text = gradc_test::random_program(seed);
  std::vector<std::string> names;
  static const std::regex definition(R"((^|\n|; )([A-Za-z_]\w*) = )");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), definition);
       it != std::sregex_iterator(); ++it)
    names.push_back((*it)[2]);
  REQUIRE(!names.empty());
  std::mt19937_64 rng(seed);
  auto any = [&] { return names[rng() % names.size()]; };
  size_t end = std::min(text.find("\noutput "), text.find("\nwrt "));
  if (end == std::string::npos) end = text.size();
  std::string tail = text.substr(end);
  if (size_t at = tail.find("output "); at != std::string::npos) tail.insert(at + 7, "shd_w, ");
  return text.substr(0, end) +
         fmt::format("\nshd_d = {0}*{0} + 0.5\nshd_a = {1}/shd_d\nshd_b = ({2} + 1)/shd_d\n"
                     "shd_c = ({1} - 2*{2} + 0.5)/shd_d\nshd_e = 2/shd_d\n"
                     "shd_w = shd_a*shd_b + shd_a - 2*shd_b + shd_c*shd_e\n",
                     any(), any(), any()) +
         tail;
}

}  // namespace

TEST_CASE("a denominator of four divisions is inverted once; one of three is not") {
  const std::string text =
      "input x, y, z, v\na = x/z\nb = y/z\nc = (x + y)/z\nd = (x - 2*y)/z\n"
      "e = x/v\nf = y/v\ng = (x + y)/v\nw = a*b + c*d + e*f*g\n";
  const gradc::Compiled c = compiled(text, false);
  const Graph& g = c.prog.graph;
  std::map<NodeId, int> divisions = divisions_by_denominator(c);
  const NodeId z = c.prog.inputs[2].scalar(), v = c.prog.inputs[3].scalar();
  // By z: only the reciprocal 1/z, in the forward program and every
  // derivative. By v: the three quotients and the derivatives' 1/v.
  CHECK(divisions[z] == 1);
  CHECK(divisions[v] == 4);
  // The forward value a is x * (1/z).
  const Node a = g[c.prog.definitions[0].scalar()];
  CHECK(a.op == Op::Mul);
  CHECK(g[a.b].op == Op::Div);
  CHECK(g.is_const(g[a.b].a, 1.0));
  CHECK(g[a.b].b == z);
  CHECK(g[c.prog.definitions[4].scalar()].op == Op::Div);  // e = x/v

  const gradc::Compiled exact = compiled(text, true);
  std::map<NodeId, int> exact_divisions = divisions_by_denominator(exact);
  CHECK(exact_divisions[z] == 5);  // four quotients and the derivatives' 1/z
  CHECK(exact.prog.graph[exact.prog.definitions[0].scalar()].op == Op::Div);
}

TEST_CASE("constant denominators stay divisions; a rebuilt denominator is inverted once") {
  // A constant denominator stays a division; the reciprocal of a
  // denominator that is itself rebuilt (q = z/y, a denominator of four) is
  // taken of the rebuilt value.
  const std::string text =
      "input x, y, z\nq = z/y\nr = z/y + x/y + 1/y + (x + z)/y\n"
      "a = x/q\nb = y/q\nc = 2/q\nd = (x + y)/q\nw = a + b + c*d + x/3 + y/3 + r\n";
  const gradc::Compiled c = compiled(text, false);
  const Graph& g = c.prog.graph;
  std::map<NodeId, int> divisions = divisions_by_denominator(c);
  const NodeId y = c.prog.inputs[1].scalar();
  CHECK(divisions[y] == 1);
  int by_constant = 0;
  for (auto [denominator, count] : divisions)
    if (g.is_const(denominator, 3.0)) by_constant += count;
  CHECK(by_constant == 2);
  // Each remaining division is the reciprocal 1/d or by a constant.
  for (size_t id = 0; id < g.size(); ++id) {
    const Node& n = g[NodeId(id)];
    if (n.op != Op::Div || !divisions.count(n.b)) continue;
    if (!g.is_const(n.b) && divisions[n.b] > 1) FAIL("two divisions by node " << n.b);
  }
}

TEST_CASE("special values: 0, -0, inf and NaN denominators give what IEEE division gives") {
  const std::string text =
      "input x, y, z\na = x/z\nb = y/z\nc = 1/z\ne = (x + y)/z\nw = a + 2*b + c*e\nv = a*b\n"
      "output w, v, a\n";
  const gradc::Compiled shared = compiled(text, false), exact = compiled(text, true);
  const double inf = std::numeric_limits<double>::infinity(), nan = std::nan("");
  int compared = 0;
  for (double z : {0.0, -0.0, inf, -inf, nan, 1e-300, 1e300, -3.0})
    for (double x : {0.0, -0.0, 1.0, -2.5, inf, nan})
      for (double y : {0.0, 7.0, -inf}) {
        const auto s = gradc_test::interpret(shared, {x, y, z});
        const auto e = gradc_test::interpret(exact, {x, y, z});
        for (size_t i = 0; i < s.out.size(); ++i) {
          CAPTURE(x); CAPTURE(y); CAPTURE(z); CAPTURE(i);
          CHECK(within_ulps(s.out[i], e.out[i], 4));
          ++compared;
        }
      }
  CHECK(compared == 8 * 6 * 3 * 3);
  // The documented difference: a subnormal denominator's reciprocal
  // overflows, so a tiny numerator over it is inf instead of finite.
  const double tiny = 1e-310;
  CHECK(std::isfinite(gradc_test::interpret(exact, {1e-300, 1.0, tiny}).out[2]));
  CHECK(std::isinf(gradc_test::interpret(shared, {1e-300, 1.0, tiny}).out[2]));
}

TEST_CASE("random programs: shared reciprocals stay within a few ulp of IEEE division") {
  // Values and derivatives of 1,000 random programs (half of them with a
  // shared denominator added) with and without the rewrite, at random
  // points. A product with a reciprocal is within 1.5 ulp of the quotient,
  // but later operations can magnify that (x - y for nearly equal x and y),
  // so 98% of the values must agree to 8 ulp, and every value to 1e-6 relative
  // or absolute.
  std::mt19937_64 rng(31);
  std::uniform_real_distribution<double> u(-2, 2);
  int programs_rewritten = 0, values = 0, close = 0;
  for (uint64_t seed = 1000; seed < 2000; ++seed) {
    const std::string text = seed % 2 ? gradc_test::random_program(seed)
                                      : with_shared_denominator(seed);
    const gradc::Compiled shared = compiled(text, false), exact = compiled(text, true);
    if (shared.prog.graph.size() == exact.prog.graph.size()) continue;  // nothing shared
    ++programs_rewritten;
    std::vector<double> x(shared.names.inputs.size());
    for (int point = 0; point < 3; ++point) {
      for (double& xi : x) xi = u(rng);
      const auto s = gradc_test::interpret(shared, x);
      const auto e = gradc_test::interpret(exact, x);
      std::vector<double> sv = s.out, ev = e.out;
      sv.insert(sv.end(), s.jac.begin(), s.jac.end());
      ev.insert(ev.end(), e.jac.begin(), e.jac.end());
      REQUIRE(sv.size() == ev.size());
      for (size_t i = 0; i < sv.size(); ++i) {
        ++values;
        if (within_ulps(sv[i], ev[i], 8)) {
          ++close;
          continue;
        }
        CAPTURE(seed); CAPTURE(text); CAPTURE(i); CAPTURE(sv[i]); CAPTURE(ev[i]);
        CHECK(std::fabs(sv[i] - ev[i]) <= 1e-6 * std::max(1.0, std::fabs(ev[i])));
      }
    }
  }
  MESSAGE(fmt::format("{} of 1000 programs share a denominator; {} of {} values within 8 ulp",
                      programs_rewritten, close, values));
  CHECK(programs_rewritten >= 400);
  CHECK(close >= values * 98 / 100);
}
