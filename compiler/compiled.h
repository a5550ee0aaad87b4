// compiled.h - what the pipeline produces and every writer reads: a
// program, its derivatives (the Jacobian, the Hessian and their names) and
// the kernel specs that compute them, all over one graph.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/limits.h"
#include "ad/jacobian.h"
#include "front/program.h"
#include "plan/kernel_plan.h"
#include "plan/kernel_spec.h"
#include "plan/schedule.h"

namespace gradc {

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

}  // namespace gradc
