// pipeline.h - the fixed pass order from source text to a differentiated
// program, written out in one function (compile) with a timing per pass.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "diagnostics.h"
#include "program.h"
#include "schedule.h"

namespace gradc {

/// Wall-clock time of each pass, for --stats.
class PassTimer {
 public:
  /// Start timing pass `name` (ends the previous one).
  void start(std::string name);
  /// End the current pass.
  void stop();
  struct Entry {
    std::string name;
    double ms;
  };
  const std::vector<Entry>& entries() const { return entries_; }

 private:
  std::vector<Entry> entries_;
  std::chrono::steady_clock::time_point begin_;
  bool running_ = false;
};

struct CompileOptions {
  std::optional<std::vector<std::string>> wrt;  ///< --wrt, overriding the program's
};

/// A program with its derivatives: forward and derivative roots in one graph.
struct Compiled {
  Program prog;
  std::vector<NodeId> outputs;               ///< m output roots
  std::vector<NodeId> jacobian;              ///< m*k roots, row-major
  std::vector<std::string> derivative_names; ///< m*k names, `dw_dx`
  NameHints forward_hints;                   ///< names for the forward kernel
  NameHints grad_hints;                      ///< names for the fused kernel
  size_t forward_nodes = 0;                  ///< graph size before differentiation

  size_t num_wrt() const { return prog.wrt.size(); }
  /// Roots of the fused kernel: outputs, then the Jacobian.
  std::vector<NodeId> all_roots() const;
};

/// Parse, check and differentiate `file`. Errors go to `diag`.
std::optional<Compiled> compile(const SourceFile& file, Diagnostics& diag,
                                const CompileOptions& opts, PassTimer& timer);

}  // namespace gradc
