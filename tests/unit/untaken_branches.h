// untaken_branches.h - programs in which a selection (?:, where, max, min,
// relu, leaky_relu) sits inside the branch that another selection does not
// take, over a value whose partial derivative is infinite there (sqrt at 0,
// or a constant 1/0), and structural zero partials before such an infinite
// partial. SPEC 1: the
// untaken branch never leaks into a derivative, so the derivative with
// respect to y, which only that branch reads, is exactly 0, at first and
// second order and in every mode. Shared by test_derivative_rules.cpp and
// test_hessian.cpp.
#pragma once

#include <cmath>
#include <string>
#include <vector>

namespace unit {

struct UntakenCase {
  std::string program;     // inputs x, y; y is read only by the untaken branch
  std::vector<double> in;  // x = 1, and y where the inner value's partial is inf
  double value;            // the taken side's value
  double d_dx = 1.0;       // d/dx (d/dy is 0)
};

inline std::vector<UntakenCase> untaken_branch_cases() {
  struct Blowup {
    const char* text;  // finite value, infinite partial at y
    double y;
  };
  const Blowup blowups[] = {{"sqrt(y)", 0.0}, {"asin(y)", 1.0}, {"cbrt(y)", 0.0}};
  // Inner selections over the blow-up value b.
  const char* inners[] = {"min(b, y)",          "max(b, y)",          "max(y, b)",
                          "min(y, b)",          "relu(b)",            "leaky_relu(b + 1, 0.1)",
                          "leaky_relu(b - 5, y)", "y > 0.5 ? b : y",  "where(y < 0.5, 2*b, y)",
                          "max(min(b, y), y/2)", "b"};
  // Outer selections at x = 1 that take x's side; B is the untaken side.
  struct Outer {
    const char* text;
    double value;
  };
  const Outer outers[] = {{"x > 0 ? x : B", 1.0},   {"where(x <= 0, B, x)", 1.0},
                          {"max(x + 10, B)", 11.0}, {"min(x - 10, B)", -9.0},
                          {"x > 0 ? x : 2*(B)", 1.0}, {"x > 0 ? x : (x < -5 ? B : 3*B)", 1.0}};
  auto replace = [](std::string s, char name, const std::string& by) {
    for (size_t at = s.find(name); at != std::string::npos; at = s.find(name, at + by.size()))
      s.replace(at, 1, "(" + by + ")");
    return s;
  };
  std::vector<UntakenCase> cases;
  for (const Blowup& b : blowups)
    for (const char* inner : inners)
      for (const Outer& o : outers)
        cases.push_back({"input x, y\nw = " + replace(o.text, 'B', replace(inner, 'b', b.text)),
                         {1.0, b.y}, o.value});
  // A partial that is a constant inf (the 1/0 of y/0), which the builder's
  // IEEE constant rule would multiply into 0*inf = NaN.
  for (const char* untaken : {"x > 0 ? x : y/0", "x > 0 ? x : y*(1/0)", "min(x, y/0)",
                              "max(x, -y/0)", "x > 0 ? x : max(y/0, y)"})
    cases.push_back({std::string("input x, y\nw = ") + untaken, {1.0, 2.0}, 1.0});
  // A structural zero: a selection that takes a masked branch (relu(y) at
  // y = -1) under another selection, into a partial that is infinite at 0.
  // Its derivative is the masked 0 in forward mode as in reverse mode.
  const char* zeros[] = {"x < -5 ? y : relu(y)", "x < -5 ? y : (x < -7 ? y : 0)",
                         "where(x < -5, 2*y, relu(y))", "x < -5 ? y : max(relu(y), y)",
                         "x < -5 ? y : min(relu(y), 3)", "x < -5 ? y : (x < -7 ? y : relu(y))",
                         "x > 5 ? y : leaky_relu(y, 0)", "relu(y) + (x < -5 ? y : 0)"};
  for (const char* outer : {"sqrt(S)", "cbrt(S)", "pow(S, 0.75)", "x > 5 ? x : sqrt(S)"})
    for (const char* zero : zeros)
      cases.push_back({"input x, y\nw = " + replace(outer, 'S', zero), {0.0, -1.0}, 0.0, 0.0});
  // A structural zero partial (pow(0, b) in b is 0 where the base is 0;
  // sign, floor and ceil have none; atan2's partial in y is its constant x = 0) before a constant infinite partial (the
  // 1/0 of y/0): the zero adjoint or tangent contributes nothing, in reverse
  // mode as in forward mode (it once gave 0*inf = NaN in reverse mode only).
  const struct {
    const char* text;
    double value;
  } zero_partials[] = {{"x + pow(0, y/0)", 1.0},       {"x + pow(0, y*(1/0))", 1.0},
                       {"x + pow(0, x + y/0)", 1.0},   {"x*pow(0, y/0) + x", 1.0},
                       {"x + sign(y/0)", 2.0},         {"x + exp(-floor(y/0))", 1.0},
                       {"x + sign(y/0)*0.5", 1.5}, {"x + ceil(-y/0 + 1)*0", 1.0},
                       // atan2's partials are its operands: a constant 0 one times the
                       // constant inf tangent of y/0 is 0 (forward mode made it NaN)
                       {"x + atan2(y/0, 0)", 1.0 + std::atan2(INFINITY, 0.0)},
                       {"x + atan2(0, y/0)", 1.0}};
  for (const auto& z : zero_partials)
    cases.push_back({std::string("input x, y\nw = ") + z.text, {1.0, 2.0}, z.value});
  // leaky_relu with slope 0 under a negative scale: the seed -k times the
  // slope 0 folds to -0, which must still be the mask's zero (it once made
  // x > 0 ? -k : -0, not a mask, and 0*inf = NaN followed in reverse mode;
  // the forward flavour takes the tangent -1 of -x into pow's exponent,
  // whose partial log(y - 3) is NaN).
  const struct {
    const char* text;
    double value;
  } zero_slopes[] = {{"x - leaky_relu(sqrt(y) - 1, 0)", 1.0},
                     {"x - 3*leaky_relu(sqrt(y) - 1, 0)", 1.0},
                     {"x + leaky_relu(cbrt(y) - 1, 0)/-3", 1.0},
                     {"x - leaky_relu(sqrt(y) - 1, 0.0*x)", 1.0},
                     {"x + pow(y - 3, leaky_relu(-x - 1, 0))", 2.0},
                     {"x + pow(y - 3, -leaky_relu(-x - 1, 0))", 2.0}};
  for (const auto& z : zero_slopes)
    cases.push_back({std::string("input x, y\nw = ") + z.text, {1.0, 0.0}, z.value});
  return cases;
}

}  // namespace unit
