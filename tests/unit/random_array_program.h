// random_array_program.h - a seeded generator of random valid gradc programs
// over small arrays (vectors of length 1-4, matrices up to 3x4) and scalars,
// shape-correct by construction, for the array property tests.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace gradc_test {

/// A random array program, the same for the same seed. Inputs are declared
/// with an `input` statement (scalars, vectors, matrices). Statements use
/// elementwise operators with scalar broadcasting, `@` in all four forms,
/// transpose, sum, mean, dot, norm, softmax, logsumexp, indexing, array
/// literals, elementwise built-ins and `?:`/where with array conditions;
/// outputs are arrays and scalars, sometimes with a `wrt` subset.
/// As in random_program, every input value in [-2, 2] keeps every function
/// in its domain: logarithms, square roots and divisions see values bounded
/// away from zero, norm sees an array with an element bounded away from
/// zero, exp sees bounded arguments.
/// `features`, if given, counts the constructs used, by kind ("@ matrix-vector",
/// "array condition", "broadcast", "output of rank 2", ...).
std::string random_array_program(uint64_t seed, std::map<std::string, int>* features = nullptr);

}  // namespace gradc_test
