// plot_sample.h - the samples behind --plot: outputs and their derivatives
// along one input, on a fixed grid plus the points where a piecewise
// operation switches pieces (relu, abs, max, ?:, floor, a pole of 1/x...),
// located by bisection so that kinks and jumps sit where they are.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/ir.h"

namespace gradc {

/// Points of the fixed grid over [lo, hi] (both ends included).
inline constexpr int kPlotGridPoints = 801;
/// A switch is located to within this fraction of hi - lo (a millionth of
/// a pixel on an 800-pixel plot).
inline constexpr double kPlotSwitchWidth = 1e-9;
/// Switches located per grid step; more in one step are left unlocated.
inline constexpr int kPlotSwitchesPerStep = 8;
/// Evaluations that bisection may spend in all (and no more than about
/// 4e8 node evaluations); switches beyond the budget are left unlocated.
inline constexpr int kPlotBisectionBudget = 32 * kPlotGridPoints;

/// What lies between sample i and sample i + 1.
enum class PlotGap : uint8_t {
  Smooth,     ///< every piecewise operation is on the same piece at both ends
  Switch,     ///< a located switch: the two samples are kPlotSwitchWidth apart
  Unlocated,  ///< some operation switches in between, not located (budget)
};

/// What to sample: the graph, the roots of each panel, and the point.
struct PlotSampling {
  std::vector<NodeId> values;  ///< panel p's output node
  std::vector<NodeId> derivs;  ///< panel p's derivative node (d output / d var)
  std::vector<double> point;   ///< every input scalar (ABI order); `var`'s is replaced
  uint32_t var = 0;            ///< the input scalar along the x axis
  double lo = 0, hi = 1;       ///< the range, lo < hi, hi - lo finite
};

/// The samples in ascending x, and the gaps between them.
struct PlotSamples {
  std::vector<double> x;
  std::vector<std::vector<double>> values, derivs;  ///< [panel][sample]
  std::vector<PlotGap> gaps;                        ///< x.size() - 1 of them
  int unlocated = 0;                                ///< gaps left Unlocated
};

/// Evaluate the panels' roots (with the reference interpreter's arithmetic,
/// scalar_math.h) at the grid points, then locate every switch of a
/// piecewise operation the roots depend on, and every change between a
/// finite and a non-finite root value, between neighbouring grid points.
PlotSamples sample_plot(const Graph& g, const PlotSampling& s);

}  // namespace gradc
