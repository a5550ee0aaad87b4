// plot.h - the --plot action: which input scalar is the x axis, the other
// inputs' values (from --eval), the samples, and the SVG file.
#pragma once

#include <ostream>
#include <string>

#include "driver/driver.h"
#include "compiled.h"

namespace gradc {

/// At most this many panels (output scalars) in one picture; more are left
/// out with a warning.
inline constexpr size_t kMaxPlotPanels = 16;

/// Parse --plot's value `VAR=LO:HI` (VAR `x`, `v[1]`, `W[1,2]` or `W[1][2]`;
/// LO and HI numbers, or multiples of pi: `-pi`, `2pi`, `0.5*pi`) into `r`.
/// Returns the problem, or "" if there is none.
std::string parse_plot_range(const std::string& text, PlotRange& r);

/// Plot the outputs of `c` and their derivatives as `o.plot` asks, to the
/// file `o.output` (standard output `out` for `-`). `file` names the program.
int run_plot(const Compiled& c, const CliOptions& o, const std::string& file, std::ostream& out,
             std::ostream& err);

}  // namespace gradc
