// plot_svg.h - the SVG picture of --plot: one panel per output scalar, each
// with the output and its derivative along one input, axes with round tick
// values, kinks drawn as corners and jumps as breaks. Written by hand (SVG is
// XML): no plotting library at build or run time, and the same bytes every run.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "emit/plot_sample.h"

namespace gradc {

/// Everything the picture shows.
struct PlotPicture {
  std::vector<std::string> title;  ///< lines; the first in bold
  std::string var;                 ///< the x axis ("x", "v[1]")
  double lo = 0, hi = 1;           ///< the x range
  const PlotSamples* samples = nullptr;
  /// Per panel: the legend's names of the value and its derivative ("w", "dw/dx").
  std::vector<std::pair<std::string, std::string>> labels;
};

/// The SVG document (UTF-8, 800 pixels wide).
std::string plot_svg(const PlotPicture& p);

/// Tick positions at round values (1, 2 or 5 times a power of ten) within
/// [lo, hi], about `target` of them, and their labels: as many decimals as
/// the step needs, "-" as the minus sign U+2212, and numbers from 1e6 up or
/// below 1e-4 as 1.5e6.
struct PlotTicks {
  std::vector<double> at;
  std::vector<std::string> labels;
};
PlotTicks plot_ticks(double lo, double hi, int target);

/// The y range of a panel from its finite samples: all of them, unless a
/// few (near a pole, such as 1/x at 0) would squash the rest, with a 5%
/// margin; a constant c gets c +- |c|/10 (+-1 for 0).
std::pair<double, double> plot_y_range(std::vector<double> finite);

/// `text` for XML character data or an attribute value: & < > " ' escaped,
/// bytes that are not valid UTF-8 and control characters as U+FFFD.
std::string xml_text(std::string_view text);

}  // namespace gradc
