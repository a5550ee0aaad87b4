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
#include "ad/jacobian.h"
#include "front/program.h"
#include "plan/kernel_plan.h"
#include "plan/kernel_spec.h"
#include "plan/schedule.h"

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

/// The derivative of one output variable with respect to one wrt input
/// variable, `dOUT_dIN`: an array of shape out_shape + in_shape; or a second
/// derivative `d2OUT_dIN1_dIN2` of shape out_shape + in1_shape + in2_shape.
struct DerivativeVar {
  std::string name;
  uint32_t output;  ///< index into prog.outputs
  uint32_t input;   ///< index into prog.wrt_variables()
  Shape shape;
  std::vector<NodeId> nodes;  ///< row-major
  uint32_t input2 = UINT32_MAX;  ///< second derivatives: the second wrt variable
};

/// A program with its derivatives and the kernels that compute them: forward
/// and derivative roots in one graph. Arrays are flattened row-major: n input
/// scalars, m output scalars, k wrt scalars.
struct Compiled {
  Program prog;
  std::vector<NodeId> outputs;               ///< m output scalars
  /// k wrt scalars: Input nodes, then the nodes of intermediate values in
  /// `wrt` (prog.wrt_values), whose columns are backprop's deltas.
  std::vector<NodeId> wrt_nodes;
  std::vector<NodeId> jacobian;              ///< m*k, row-major
  /// The Jacobian's structural nonzeros (entries that are not the constant
  /// 0) as compressed columns (CasADi, SuiteSparse): column j's rows are
  /// jac_rowind[jac_colptr[j] .. jac_colptr[j+1]).
  std::vector<uint32_t> jac_colptr, jac_rowind;
  AxisNames names;                           ///< `x`, `W[1,2]` along each axis
  std::vector<DerivativeVar> derivatives;    ///< per (output, wrt input) pair
  std::vector<NodeId> hessian;               ///< m*k*k (with --hessian), row-major
  std::vector<DerivativeVar> second_derivatives;  ///< per (output, wrt, wrt) triple
  std::shared_ptr<const NameHints> hessian_hints;  ///< names for the Hessian kernels
  std::shared_ptr<const NameHints> forward_hints;  ///< names for the forward kernel
  std::shared_ptr<const NameHints> grad_hints;     ///< names for the derivative kernels
  size_t forward_nodes = 0;                  ///< graph size before differentiation
  /// Graph size when the kernel specs were built: the nodes after it are the
  /// kernels' own rewrites (ir/logistic.h, ir/stop_gradient.h), derivatives
  /// only where `rewritten_derivative` marks them.
  size_t derivative_nodes_end = SIZE_MAX;
  /// 1 for each node a kernel rewrite made from a derivative node.
  std::vector<char> rewritten_derivative;
  /// Is `id` a node the differentiation made, or a kernel rewrite of one
  /// (where a kernel's derivative code starts, for its comment)?
  bool is_derivative_node(NodeId id) const {
    if (id >= forward_nodes && id < derivative_nodes_end) return true;
    return id < rewritten_derivative.size() && rewritten_derivative[id];
  }
  std::vector<KernelSpec> kernels;           ///< every kernel built (f and grad always)
  std::vector<KernelKind> emitted;           ///< the kernels code outputs contain (--kernels)
  bool batch = false;                        ///< ... each with its batch variant (NAME_grad_batch)
  size_t part_nodes = kPartNodes;            ///< the largest part function (--part-nodes)
  size_t reroll_min = kRerollMinNodes;       ///< the smallest loop (--reroll-min; 0: none)
  size_t lanes_min_saving = kLanesMinSaving; ///< see CompileOptions
  DiffMode mode = DiffMode::Reverse;         ///< how the Jacobian was accumulated
  /// Operations of the forward+Jacobian kernel in each mode (--stats), where built.
  std::optional<size_t> forward_mode_ops, reverse_mode_ops;

  size_t num_wrt() const { return wrt_nodes.size(); }
  /// Roots of the fused kernel: outputs, then the Jacobian (then the
  /// Hessian, with --hessian).
  std::vector<NodeId> all_roots() const;
  /// The names --print gives values (with the d2OUT_dIN1_dIN2 names, with --hessian).
  const NameHints& print_hints() const { return hessian_hints ? *hessian_hints : *grad_hints; }
  /// The kernel of kind `k`, or null if it was not built.
  const KernelSpec* kernel(KernelKind k) const;
  /// Is kernel `k` part of the code outputs (--kernels)?
  bool emits(KernelKind k) const;
  /// Does kernel `k` have a batch variant (NAME_batch, NAME_grad_batch,
  /// NAME_jvp_batch, ...)? With --kernels=...,batch every kernel built has.
  bool has_batch(KernelKind k) const { return batch && kernel(k) != nullptr; }
  /// ... and is it part of the code outputs?
  bool emits_batch(KernelKind k) const { return batch && emits(k); }
  /// How kernel plans are made; without loops (nor zero fills: a loop too)
  /// for code that is vectorized across points (a loop in the body keeps
  /// the point loop scalar), and with --reroll-min=0.
  /// With `lanes`, a two-output Jacobian's rows are paired (plan/lanes.h).
  PlanOptions plan_options(bool loops = true, bool lanes = false) const {
    return {part_nodes, loops ? reroll_min : 0, lanes ? lanes_min_saving : SIZE_MAX};
  }
  /// Does the code output define any batch kernel?
  bool emits_any_batch() const { return batch && !emitted.empty(); }
};

/// Parse, check and differentiate `file`. Errors go to `diag`.
std::optional<Compiled> compile(const SourceFile& file, Diagnostics& diag,
                                const CompileOptions& opts, PassTimer& timer);

}  // namespace gradc
