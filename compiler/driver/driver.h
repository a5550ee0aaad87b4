// driver.h - runs what the command line asked for: emit, print, eval, check.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "ir/ir.h"  // kDefaultMaxNodes
#include "plan/kernel_plan.h"  // kPartNodes
#include "support/diagnostics.h"  // Diagnostics::kMaxErrors

namespace gradc {

/// --plot VAR=LO:HI, as parsed by main.cpp (parse_plot_range, plot.h).
struct PlotRange {
  std::string var;              ///< as shown: "x", "W[1,2]"
  std::string name;             ///< the input's name: "x", "W"
  std::vector<size_t> index;    ///< the element's indices (none for a scalar)
  double lo = 0, hi = 1;        ///< finite, lo < hi
  std::string lo_text, hi_text; ///< as written ("-2pi")
};

/// Everything the command line can ask for (parsed by main.cpp).
struct CliOptions {
  std::string input;                       ///< .expr path, or "-" for stdin
  std::optional<std::string> output;       ///< -o
  std::optional<std::string> emit;         ///< --emit
  std::optional<std::string> name;         ///< --name
  std::optional<std::vector<std::string>> wrt;  ///< --wrt
  std::optional<std::string> print;        ///< --print[=format]
  std::optional<std::string> eval;         ///< --eval (with --plot: the other inputs)
  std::optional<std::string> explain;      ///< --explain[=text|latex] (at the --eval point)
  std::optional<PlotRange> plot;           ///< --plot (with -o FILE.svg)
  bool check = false;                      ///< --check
  int check_points = 5;                    ///< --check-points
  int error_limit = Diagnostics::kMaxErrors;  ///< --error-limit (0: none)
  size_t max_nodes = kDefaultMaxNodes;     ///< --max-nodes
  size_t part_nodes = kPartNodes;          ///< --part-nodes
  size_t reroll_min = kRerollMinNodes;     ///< --reroll-min
  size_t lanes_min = kLanesMinSaving;      ///< --lanes-min (SIZE_MAX: off)
  uint64_t seed = 1;                       ///< --seed
  bool hessian = false;                    ///< --hessian
  std::vector<std::string> kernels = {"f", "grad"};  ///< --kernels (checked names)
  std::string mode = "auto";               ///< --mode
  int opt_level = 2;                       ///< -O0..-O3
  bool opt_given = false;                  ///< -O was given (else --eval/--check pick)
  bool fast_math = false;                  ///< --fast-math (LLVM outputs and the JIT)
  bool exact_division = false;             ///< --exact-division (ir/reciprocals.h)
  std::optional<std::string> target;       ///< --target=TRIPLE (LLVM outputs)
  std::optional<std::string> cpu;          ///< --cpu=NAME (LLVM outputs)
  bool interp = false;                     ///< --interp: --eval/--check without the JIT
  bool stats = false;                      ///< --stats / -v
  std::optional<std::string> dump_after;   ///< --dump-after=PASS (to stderr)
  /// --progress / --no-progress; unset: a progress line when standard error
  /// is a terminal (driver/progress.h)
  std::optional<bool> progress;
  std::vector<std::string> given;          ///< the options given, as spelled in --help
  /// Was option `flag` ("--seed") given?
  bool gave(std::string_view flag) const {
    for (const std::string& g : given)
      if (g == flag) return true;
    return false;
  }
};

/// Exit statuses (SPEC 2).
enum ExitCode { kExitOk = 0, kExitError = 1, kExitUsage = 2 };

class Progress;

/// Run the request; diagnostics to `err`, results to `out`; the passes are
/// reported to `progress` when there is one.
int run_driver(const CliOptions& opts, std::ostream& out, std::ostream& err,
               Progress* progress = nullptr);

}  // namespace gradc
