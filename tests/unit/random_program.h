// random_program.h - a seeded generator of random valid scalar gradc programs
// for the property tests: several inputs and statements, reuse of earlier
// names, every smooth and non-smooth scalar built-in, and sometimes several
// outputs and a `wrt` subset.
#pragma once

#include <cstdint>
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

}  // namespace gradc_test
