// random_program.h - a seeded generator of random valid scalar gradc programs
// for the property tests: several inputs and statements, reuse of earlier
// names, every smooth and non-smooth scalar built-in, and sometimes several
// outputs and a `wrt` subset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>

namespace gradc_test {

/// A random program, the same for the same seed. Every input value in
/// [-2, 2] is in the domain of every function used: logarithms, square roots,
/// divisions and non-integer powers only ever see arguments bounded away from
/// zero (e.g. log(1 + e*e), e/(2 + sin(e))) or are guarded by a ?: whose
/// untaken branch is outside the domain (e > 0.05 ? sqrt(e) : f), and exp
/// sees bounded arguments.
/// Values may still overflow for deeply nested products; callers skip
/// non-finite points.
std::string random_program(uint64_t seed);

/// Form `form` (0 to 5; any other: the last) of the expressions > 0.09 for
/// any finite (elementwise) value of the expression `e`, parenthesized:
/// (1 + e*e), (0.5 + sigmoid(e)), (2 + sin(e)), (softplus(e) + 0.1),
/// (1 + abs(e)), exp(tanh(e)), (1.5 + cos(e)).
std::string positive_form(int form, const std::string& e);

/// The random choices the program generators (this one and
/// random_array_program) are built on, all drawn from one seeded engine.
class RandomChoices {
 public:
  explicit RandomChoices(uint64_t seed) : rng_(seed) {}

 protected:
  /// 0 to n - 1.
  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  /// True with probability p.
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  /// An element of `list`.
  template <typename T, size_t N>
  const char* one_of(const T (&list)[N]) { return list[pick(int(N))]; }

  std::mt19937_64 rng_;
};

}  // namespace gradc_test
