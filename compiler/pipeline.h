// pipeline.h - the fixed pass order from source text to a differentiated
// program, written out in one function (compile) with a timing per pass.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "support/diagnostics.h"
#include "support/limits.h"
#include "compiled.h"

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
  /// Told each pass as it starts (its name) and ends (null): the command's
  /// progress line (driver/progress.h).
  std::function<void(const std::string* pass)> on_pass;

 private:
  std::vector<Entry> entries_;
  std::chrono::steady_clock::time_point begin_;
  bool running_ = false;
};

/// Largest Jacobian (outputs x wrt scalars) that compile accepts.
inline constexpr size_t kMaxJacobianEntries = (size_t(1) << 24) >> kLimitShift;
/// Largest Hessian (outputs x wrt scalars x wrt scalars) that compile accepts.
inline constexpr size_t kMaxHessianEntries = (size_t(1) << 22) >> kLimitShift;

struct CompileOptions {
  std::optional<std::vector<std::string>> wrt;  ///< --wrt, overriding the program's
  const char* wrt_option = "--wrt";  ///< how errors name where `wrt` came from
  /// Inputs added to the wrt list (the program's or --wrt's), such as the
  /// variable of --plot. A name that is not an input is skipped: the caller
  /// reports it in its own words.
  std::vector<std::string> also_wrt;
  /// The kernels to build (--kernels), in any order; f and grad always exist.
  std::vector<KernelKind> kernels = {KernelKind::Forward, KernelKind::Grad};
  DiffMode mode = DiffMode::Auto;  ///< --mode: how the Jacobian is accumulated
  /// --kernels=...,batch: code outputs also define NAME_batch and
  /// NAME_grad_batch (SPEC 3), the f and grad kernels over many points.
  bool batch = false;
  /// --max-nodes: the graph (program and derivatives) never grows past this;
  /// a program that needs more is an error, reported before memory runs out.
  size_t max_nodes = kDefaultMaxNodes;
  /// --part-nodes: kernels larger than this are split into part functions
  /// (plan/kernel_plan.h).
  size_t part_nodes = kPartNodes;
  /// --reroll-min: runs of repeated statements covering at least this many
  /// nodes become loops (plan/reroll.h); 0 turns loops off.
  size_t reroll_min = kRerollMinNodes;
  /// Lane groups (plan/lanes.h) in one-point C++ gradients if they save at
  /// least this many operations; SIZE_MAX: none.
  size_t lanes_min_saving = kLanesMinSaving;
  /// --exact-division: keep every `x/d` a division. By default a denominator
  /// of four or more divisions is inverted once (ir/reciprocals.h).
  bool exact_division = false;
  /// Keep Program::ops, the operations as written: only print_dot needs
  /// them (the driver asks for them with --print=dot).
  bool record_ops = true;
};

/// Parse, check and differentiate `file`. Errors go to `diag`.
std::optional<Compiled> compile(const SourceFile& file, Diagnostics& diag,
                                const CompileOptions& opts, PassTimer& timer);

}  // namespace gradc
