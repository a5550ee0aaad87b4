// explain.h - --explain (SPEC 6): the derivation at one point, worked the
// way a course handout works it: the forward pass, the local partial of
// every edge of the computational graph, the backward pass (or, in forward
// mode, the tangents) with numbers, and the resulting derivatives.
#pragma once

#include <string>
#include <vector>

#include "compiled.h"

namespace gradc {

/// Largest number of intermediate values explained step by step; a larger
/// program gets its forward values' count and the derivatives only.
inline constexpr size_t kMaxExplainedValues = 400;
/// Largest number of derivatives --explain's result lists (an array's, or
/// one line each); beyond it, the first few and a count (--eval prints all).
inline constexpr size_t kExplainedResultValues = 100;

struct ExplainOptions {
  bool latex = false;         ///< --explain=latex: a LaTeX fragment
  bool dot = false;           ///< --explain=dot: the derivative graph as Graphviz DOT
  bool forward_mode = false;  ///< --mode=forward: tangents instead of adjoints
};

/// The derivation, and the Jacobian it arrives at (m x k, row-major: the
/// numbers of its last section, unrounded, for tests to compare).
struct Explanation {
  std::string text;
  std::vector<double> jacobian;
  bool step_by_step = true;  ///< false past kMaxExplainedValues
};

/// The derivation of `c`'s outputs and derivatives at the input scalars
/// `point` (ABI order).
Explanation explain(const Compiled& c, const std::vector<double>& point,
                    const ExplainOptions& opts, const std::string& source_file);

}  // namespace gradc
