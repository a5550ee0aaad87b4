// reciprocals.h - shared denominators: `a/d`, `b/d`, `c/d`, `e/d` become
// `a*r`, `b*r`, ... with one reciprocal r = 1/d, when that is faster.
//
// Programs divide several values by one denominator: probabilities by their
// sum (softmax), a vector by its norm, coordinates by their depth. A
// division occupies the divider for about 4 cycles (divsd on this machine:
// latency 13-14, one every 4 cycles) where a product takes half a cycle, so
// k divisions cost about 4k cycles of throughput against 4 + k/2; but each
// quotient then waits for the reciprocal and a product, 4 cycles more
// latency. Measured (bench/analysis): a softmax over 10 values runs 14%
// faster with one reciprocal (f 48.5 -> 41.8 ns, grad 61.9 -> 51.7 ns);
// bundle adjustment, 3 divisions by the angle and 2 by the depth, each on
// the critical path, 4% slower. So a denominator is inverted once only when
// it divides kSharedReciprocalMin values or more.
//
// The rewrite changes results in the last bits: x*(1/d) is within about
// 1.5 ulp of x/d (two roundings instead of one). It is exact for the special
// values (d = 0, inf, NaN give the same inf, 0 or NaN), and differs in range
// only where 1/d overflows: for subnormal |d| < 2^-1022, 1/d is inf, so x/d
// with a tiny x becomes inf instead of a finite value. docs/semantics.md
// states this; --exact-division turns the rewrite off.
#pragma once
#include <cstdint>
#include <vector>

#include "ir/ir.h"

namespace gradc {

/// The fewest divisions by one denominator that are rewritten.
inline constexpr uint32_t kSharedReciprocalMin = 4;

/// Rewrite, among the nodes reachable from `roots`, every division by a
/// non-constant denominator that divides kSharedReciprocalMin or more of
/// them into a product
/// with one reciprocal `1/d`. Nodes that read a rewritten node are rebuilt
/// (the graph is append-only: the old ones stay, unreachable). Returns the
/// map from each node that existed before to its replacement (itself when
/// nothing below it changed), or an empty map when nothing is rewritten.
/// Linear in the graph's size, no recursion.
std::vector<NodeId> share_reciprocals(Graph& g, const std::vector<NodeId>& roots);

}  // namespace gradc
