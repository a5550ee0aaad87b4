// random_program.cpp - the random program generator: a recursive expression
// grammar whose every production keeps arguments in their function's domain.
// Every composite subexpression is parenthesized, so domain guards such as
// `1 + e*e` hold whatever e is.
#include "random_program.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <random>
#include <vector>

namespace gradc_test {

namespace {

// Names chosen to collide with what the backends use themselves (C++
// keywords and kernel parameters, derivative names `dw_dx`, fresh names `t1`).
constexpr const char* kInputNames[] = {"x", "y", "z", "u", "v", "x0", "x1", "in", "q", "w"};
constexpr const char* kDefNames[] = {"a",    "b",   "c",     "h",   "t1",  "t2",  "s",
                                     "out",  "jac", "dw_dx", "loss", "p",  "r",   "k",
                                     "t3",   "e1",  "int",   "tmp", "d_x", "z2",  "double"};
constexpr const char* kConstants[] = {"0.5", "2",  "3",  "1.5", "0.25", ".75",
                                      "1e-1", "pi", "10", "2.5E-1", "0.3", "(-0.5)"};

class Generator : RandomChoices {
 public:
  explicit Generator(uint64_t seed) : RandomChoices(seed) {}
  std::string program();

 private:
  std::string leaf();
  std::string expr(int depth);
  std::string function(int depth);
  std::string power(int depth);
  std::string positive(int depth);
  std::string bounded(int depth);
  std::string condition(int depth);
  std::string guarded(int depth);

  std::vector<std::string> inputs_, defined_;
  bool used_variable_ = false;
};

// leaf = input | earlier name (recent ones likelier) | constant
std::string Generator::leaf() {
  int r = pick(20);
  if (r < 3) return one_of(kConstants);
  used_variable_ = true;
  if (r < 11 || defined_.empty()) return inputs_[pick(int(inputs_.size()))];
  size_t back = std::min<size_t>(defined_.size(), 1 + pick(3));
  return defined_[defined_.size() - back];
}

// A value > 0.09 for any finite e.
std::string Generator::positive(int depth) {
  std::string e = expr(depth - 1);
  int form = pick(8);
  if (form == 6) return fmt::format("({}^2 + 0.25)", e);
  return positive_form(form, e);
}

// A value in [-3, 3] (or an input, which is in [-2, 2]).
std::string Generator::bounded(int depth) {
  std::string e = expr(depth - 1);
  switch (pick(7)) {
    case 0: return fmt::format("sin({})", e);
    case 1: return fmt::format("tanh({})", e);
    case 2: return fmt::format("(2*sigmoid({}))", e);
    case 3: return fmt::format("(-({}*{}))", e, e);  // exp(-e^2) underflows to 0: fine
    case 4: return fmt::format("cos({})", e);
    case 5: return fmt::format("atan({})", e);
    default: return inputs_[pick(int(inputs_.size()))];
  }
}

std::string Generator::condition(int depth) {
  auto e = [&] { return expr(depth - 1); };
  switch (pick(8)) {
    case 0: return fmt::format("{} < {}", e(), e());
    case 1: return fmt::format("{} > 0.5", e());
    case 2: return fmt::format("{} <= {}", e(), e());
    case 3: return fmt::format("{} >= -0.3", e());
    case 4: return fmt::format("{} > {} && {} < 0", e(), e(), e());
    case 5: return fmt::format("{} < 0 || {} > 1", e(), e());
    case 6: return fmt::format("!({} > {})", e(), e());
    default: return fmt::format("{} != {}", e(), e());
  }
}

std::string Generator::power(int depth) {
  std::string e = expr(depth - 1);
  switch (pick(9)) {
    // A variable exponent over a positive base, and over one that is 0 at
    // kinks: second derivatives in both orders meet at b = 0 and at a = 0
    // (the kink points make exponents and bases 0).
    case 6: return fmt::format("pow({}, {})", positive(depth), e);
    case 7: return fmt::format("({}^({}*0.5))", positive(depth), e);
    case 8: return fmt::format("pow(abs({}), {})", expr(depth - 1), e);
    case 0: return fmt::format("pow({}, 2)", e);
    case 1: return fmt::format("({}^3)", e);
    case 2: return fmt::format("({}**2)", e);
    case 3: return fmt::format("pow({}, {})", positive(depth), one_of({"0.5", "-1", "-2"}));
    case 4: return fmt::format("({}^{})", positive(depth), one_of({"1.5", "(-0.5)", "2.5"}));
    default: return fmt::format("pow({}, 1/3)", positive(depth));
  }
}

// A function outside its domain in the branch not taken: its NaN must not
// reach the value or the derivative (SPEC 1).
std::string Generator::guarded(int depth) {
  std::string e = expr(depth - 1), other = expr(depth - 1);
  switch (pick(7)) {
    case 0: return fmt::format("({} > 0.05 ? sqrt({}) : {})", e, e, other);
    case 1: return fmt::format("({} > 0.05 ? log({}) : {})", e, e, other);
    case 2: return fmt::format("(abs({}) < 0.95 ? asin({}) : {})", e, e, other);
    // A selection inside the guarded branch: its choice must stay masked.
    case 3: return fmt::format("({} > 0.05 ? {}(sqrt({}), {}) : {})", e, one_of({"max", "min"}), e,
                               expr(depth - 1), other);
    case 4: return fmt::format("({} <= 0.05 ? {} : leaky_relu(log({}), 0.1))", e, other, e);
    // A masked zero (relu of a negative value) chosen by another selection,
    // under sqrt, whose partial is inf at 0: the derivative is that zero.
    case 5: return fmt::format("sqrt({} ? ({}^2 + 0.25) : relu({}))", condition(depth), other, e);
    default: return fmt::format("where({} > 0.05, pow({}, 0.75), {})", e, e, other);
  }
}

// The less common built-ins, each in its domain.
std::string Generator::function(int depth) {
  std::string e = expr(depth - 1);
  switch (pick(10)) {
    case 0: return fmt::format("atan({})", e);
    case 1: return fmt::format("erf({})", e);
    case 2: return fmt::format("gelu({})", e);
    case 3: return fmt::format("leaky_relu({}, 0.1)", e);
    case 4: return fmt::format("log1p({}*{})", e, e);
    case 5: return fmt::format("cbrt({})", positive(depth));
    case 6: return fmt::format("atan2({}, {})", e, positive(depth));
    case 7: return fmt::format("expm1({})", bounded(depth));
    case 8: return fmt::format("sinh({})", bounded(depth));
    default: return fmt::format("cosh({})", bounded(depth));
  }
}

std::string Generator::expr(int depth) {
  if (depth <= 0 || chance(0.15)) return leaf();
  auto e = [&] { return expr(depth - 1); };
  switch (pick(25)) {
    case 0: return fmt::format("({} + {})", e(), e());
    case 1: return fmt::format("({} - {})", e(), e());
    case 2: return fmt::format("({}*{})", e(), e());
    case 3: return fmt::format("({}/{})", e(), positive(depth));
    case 4: return fmt::format("(-{})", e());
    case 5: return fmt::format("exp({})", bounded(depth));
    case 6: return fmt::format("log({})", positive(depth));
    case 7: return fmt::format("sin({})", e());
    case 8: return fmt::format("cos({})", e());
    case 9: return fmt::format("tanh({})", e());
    case 10: return fmt::format("sigmoid({})", e());
    case 11: return fmt::format("softplus({})", e());
    case 12: return fmt::format("sqrt({})", positive(depth));
    case 13: return fmt::format("relu({})", e());
    case 14: return fmt::format("abs({})", e());
    case 15: return fmt::format("max({}, {})", e(), e());
    case 16: return fmt::format("min({}, {})", e(), e());
    case 17: return fmt::format("({} ? {} : {})", condition(depth), e(), e());
    case 18: return fmt::format("where({}, {}, {})", condition(depth), e(), e());
    case 19: return power(depth);
    case 20: return function(depth);
    case 21:  // identities the builder simplifies away
      switch (pick(5)) {
        case 0: return fmt::format("(({})*1)", e());
        case 1: return fmt::format("({} + 0)", e());
        case 2: return fmt::format("(--{})", e());
        case 3: return fmt::format("(+{})", e());
        default: return fmt::format("(0*{} + {})", e(), e());
      }
    case 22: return fmt::format("({} + {}*{})", e(), e(), e());
    case 23: return guarded(depth);
    default: return fmt::format("({} - {}/{})", e(), e(), positive(depth));
  }
}

std::string Generator::program() {
  std::vector<std::string> in_pool(std::begin(kInputNames), std::end(kInputNames));
  std::shuffle(in_pool.begin(), in_pool.end(), rng_);
  inputs_.assign(in_pool.begin(), in_pool.begin() + 1 + pick(4));
  std::vector<std::string> def_pool;
  for (const char* n : kDefNames)
    if (std::find(inputs_.begin(), inputs_.end(), n) == inputs_.end()) def_pool.push_back(n);
  std::shuffle(def_pool.begin(), def_pool.end(), rng_);

  bool declared = chance(0.6);
  std::string text = chance(0.3) ? "# a random program\n" : "";
  if (declared) text += fmt::format("input {}\n", fmt::join(inputs_, ", "));
  int statements = 1 + pick(6);
  for (int i = 0; i < statements; ++i) {
    used_variable_ = false;
    std::string rhs = expr(1 + pick(3));
    if (!used_variable_) rhs = fmt::format("{} + {}", rhs, inputs_[pick(int(inputs_.size()))]);
    text += fmt::format("{} = {}{}", def_pool[i], rhs, chance(0.2) ? "; " : "\n");
    defined_.push_back(def_pool[i]);
  }
  if (statements > 1 && chance(0.35)) {  // several outputs, in any order
    std::vector<std::string> outs = defined_;
    std::shuffle(outs.begin(), outs.end(), rng_);
    outs.resize(std::min<size_t>(outs.size(), 2 + pick(2)));
    if (declared && chance(0.2)) outs.push_back(inputs_[0]);  // an input as an output
    text += fmt::format("\noutput {}\n", fmt::join(outs, ", "));
  }
  if (declared && chance(0.3)) {  // a wrt subset, listed in any order
    std::vector<std::string> wrt = inputs_;
    std::shuffle(wrt.begin(), wrt.end(), rng_);
    wrt.resize(1 + pick(int(wrt.size())));
    text += fmt::format("\nwrt {}\n", fmt::join(wrt, ", "));
  }
  return text;
}

}  // namespace

std::string random_program(uint64_t seed) { return Generator(seed).program(); }

std::string positive_form(int form, const std::string& e) {
  switch (form) {
    case 0: return fmt::format("(1 + {}*{})", e, e);
    case 1: return fmt::format("(0.5 + sigmoid({}))", e);
    case 2: return fmt::format("(2 + sin({}))", e);
    case 3: return fmt::format("(softplus({}) + 0.1)", e);
    case 4: return fmt::format("(1 + abs({}))", e);
    case 5: return fmt::format("exp(tanh({}))", e);
    default: return fmt::format("(1.5 + cos({}))", e);
  }
}

}  // namespace gradc_test
