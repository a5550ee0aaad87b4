// pipeline.cpp - parse -> set wrt -> Jacobian (forward or reverse mode) ->
// names -> kernel specs.
#include "pipeline.h"

#include <algorithm>

#include "ad/hessian.h"
#include "ir/builder.h"
#include "ir/reciprocals.h"
#include "front/parser.h"
#include "front/value.h"
#include "kernels.h"
#include "naming.h"

namespace gradc {

void PassTimer::start(std::string name) {
  stop();
  entries_.push_back(Entry{std::move(name), 0});
  begin_ = std::chrono::steady_clock::now();
  running_ = true;
  if (on_pass) on_pass(&entries_.back().name);
}

void PassTimer::stop() {
  if (!running_) return;
  entries_.back().ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin_).count();
  running_ = false;
  if (on_pass) on_pass(nullptr);
}

// Add input `name` to p.wrt (kept ascending: ABI order), if it is an input.
static void add_wrt(Program& p, const std::string& name) {
  for (uint32_t i = 0; i < p.inputs.size(); ++i) {
    if (p.inputs[i].name != name) continue;
    auto at = std::lower_bound(p.wrt.begin(), p.wrt.end(), i);
    if (at == p.wrt.end() || *at != i) p.wrt.insert(at, i);
  }
}

// Shared denominators (ir/reciprocals.h) in the forward program, before it
// is differentiated, so that every kernel, the interpreter and the
// derivatives see one graph.
static void share_program_reciprocals(Program& p) {
  std::vector<NodeId> roots;
  for (const Variable& v : p.outputs) roots.insert(roots.end(), v.nodes.begin(), v.nodes.end());
  for (const Variable& v : p.wrt_values) roots.insert(roots.end(), v.nodes.begin(), v.nodes.end());
  const std::vector<NodeId> map = share_reciprocals(p.graph, roots);
  if (map.empty()) return;
  // (Inputs are leaves: they keep their nodes.)
  for (std::vector<Variable>* vars : {&p.definitions, &p.outputs, &p.wrt_values})
    for (Variable& v : *vars)
      for (NodeId& node : v.nodes) node = map[node];
  p.forward_nodes = p.graph.size();
}

static void differentiate_and_plan(Compiled& c, const std::vector<uint32_t>& output_var,
                                   bool second_order, const CompileOptions& opts,
                                   PassTimer& timer);

static std::optional<Compiled> run_passes(const SourceFile& file, Diagnostics& diag,
                                          const CompileOptions& opts, PassTimer& timer) {
  timer.start("parse");
  std::optional<Program> parsed =
      parse_program(file, diag, opts.max_nodes, opts.wrt ? &*opts.wrt : nullptr, opts.record_ops);
  if (!parsed) return std::nullopt;
  if (opts.wrt && !set_wrt(*parsed, *opts.wrt, diag, opts.wrt_option)) return std::nullopt;
  for (const std::string& name : opts.also_wrt) add_wrt(*parsed, name);

  // Every stage from here may grow the graph past its limit (--max-nodes):
  // Graph::add throws NodeLimitExceeded, reported as one error.
  // Too large a Jacobian, Hessian or derivative graph is the outputs'
  // doing: the error points at the first output's definition (file-level
  // if it has none).
  const Loc where = parsed->outputs.empty() ? Loc{} : parsed->outputs[0].loc;
  auto size_error = [&](const std::string& message) {
    if (where.line != 0) diag.error(where, "{}", message);
    else diag.error_noloc("{}", message);
  };
  auto too_large = [&](const NodeLimitExceeded& e, size_t program_nodes) {
    timer.stop();
    size_error(fmt::format("the derivatives need more than {} nodes, the limit (the program has "
                           "{}); --max-nodes=N raises it, and memory grows with it (about 150 "
                           "bytes per node); or differentiate with respect to fewer inputs "
                           "('wrt' or --wrt)",
                           e.limit, program_nodes));
  };
  try {
    if (!opts.exact_division) share_program_reciprocals(*parsed);
  } catch (const NodeLimitExceeded& e) {
    too_large(e, parsed->graph.size());
    return std::nullopt;
  }
  Compiled c;
  c.prog = std::move(*parsed);
  Program& p = c.prog;
  c.forward_nodes = p.graph.size();
  std::vector<uint32_t> output_var;  // output scalar -> output variable
  for (uint32_t o = 0; o < p.outputs.size(); ++o)
    for (NodeId n : p.outputs[o].nodes) {
      c.outputs.push_back(n);
      output_var.push_back(o);
    }
  const std::vector<const Variable*> wrt_vars = p.wrt_variables();
  for (const Variable* v : wrt_vars) c.wrt_nodes.insert(c.wrt_nodes.end(), v->nodes.begin(), v->nodes.end());
  // Every Jacobian entry is a node and a name: refuse sizes that cannot fit.
  if (c.outputs.size() * c.wrt_nodes.size() > kMaxJacobianEntries) {
    size_error(fmt::format("the Jacobian would have {} x {} = {} entries, more than the limit of "
                           "{}; differentiate with respect to fewer inputs ('wrt' or --wrt)",
                           c.outputs.size(), c.wrt_nodes.size(),
                           c.outputs.size() * c.wrt_nodes.size(), kMaxJacobianEntries));
    return std::nullopt;
  }
  const bool second_order = std::find(opts.kernels.begin(), opts.kernels.end(),
                                      KernelKind::Hess) != opts.kernels.end();
  const size_t m = c.outputs.size(), k = c.wrt_nodes.size();
  if (second_order && m * k * k > kMaxHessianEntries) {
    size_error(fmt::format("the Hessian would have {} x {} x {} = {} entries, more than the "
                           "limit of {}; differentiate with respect to fewer inputs ('wrt' or "
                           "--wrt), or use the Hessian-vector product (--kernels=hvp)",
                           m, k, k, m * k * k, kMaxHessianEntries));
    return std::nullopt;
  }
  c.names.outputs = scalar_names(p.outputs);
  c.names.inputs = scalar_names(p.inputs);
  for (const Variable* v : wrt_vars)
    for (size_t i = 0; i < v->size(); ++i) c.names.wrt.push_back(v->name + element_suffix(v->shape, i));

  try {
    differentiate_and_plan(c, output_var, second_order, opts, timer);
  } catch (const NodeLimitExceeded& e) {
    too_large(e, c.forward_nodes);
    return std::nullopt;
  }
  return c;
}

// Differentiate c.prog (Jacobian, Hessian), name the derivatives and build
// the kernel specs.
static void differentiate_and_plan(Compiled& c, const std::vector<uint32_t>& output_var,
                                   bool second_order, const CompileOptions& opts,
                                   PassTimer& timer) {
  Program& p = c.prog;
  NameHints forward_hints = source_hints(p);
  NameHints grad_hints = forward_hints;
  timer.start("differentiate");
  std::unordered_map<NodeId, std::string> source_name;  // scalar definitions
  for (const Variable& v : p.definitions)
    if (v.is_scalar()) source_name.try_emplace(v.scalar(), v.name);
  std::vector<const Variable*> wrt_var;  // wrt scalar -> its variable
  for (const Variable* v : p.wrt_variables()) wrt_var.insert(wrt_var.end(), v->size(), v);
  // Intermediate derivatives of named scalars: adjoints `dw_da` (reverse
  // mode, per output) and tangents `da_dx` (forward mode, per wrt input).
  auto namer = [&](DiffMode mode, size_t sweep, NodeId node) -> std::optional<std::string> {
    auto it = source_name.find(node);
    if (it == source_name.end()) return std::nullopt;
    const Variable& v = mode == DiffMode::Reverse ? p.outputs[output_var[sweep]]
                                                  : *wrt_var[sweep];
    if (!v.is_scalar()) return std::nullopt;
    return mode == DiffMode::Reverse ? "d" + v.name + "_d" + it->second
                                     : "d" + it->second + "_d" + v.name;
  };
  Builder b(p.graph);
  JacobianResult jr = build_jacobian(b, c.outputs, c.wrt_nodes, opts.mode, namer);
  c.jacobian = std::move(jr.jacobian);
  c.mode = jr.mode;
  c.forward_mode_ops = jr.forward_ops;
  c.reverse_mode_ops = jr.reverse_ops;
  if (second_order) c.hessian = hessian(b, c.jacobian, c.wrt_nodes);

  // Derivative names go only to nodes the differentiation made: a value the
  // forward program already computes keeps its own name (`dw_dz = t1`).
  timer.start("name");
  name_derivatives(c, grad_hints.reserved);
  for (const DerivativeVar& d : c.derivatives) {
    grad_hints.reserved.insert(d.name);
    for (size_t i = 0; i < d.nodes.size(); ++i)
      if (d.nodes[i] >= c.forward_nodes)
        grad_hints.suggest(d.nodes[i], element_name(d.name, d.shape, i), d.shape.empty());
  }
  for (auto& [node, name] : jr.names) grad_hints.suggest(node, name, false);
  if (second_order) {  // d2w_dx_dy, fixed like dw_dx
    NameHints hessian_hints = grad_hints;
    name_second_derivatives(c, hessian_hints.reserved);
    for (const DerivativeVar& d : c.second_derivatives)
      for (size_t i = 0; i < d.nodes.size(); ++i)
        if (d.nodes[i] >= c.forward_nodes)
          hessian_hints.suggest(d.nodes[i], element_name(d.name, d.shape, i), d.shape.empty());
    c.hessian_hints = std::make_shared<const NameHints>(std::move(hessian_hints));
  }
  c.forward_hints = std::make_shared<const NameHints>(std::move(forward_hints));
  c.grad_hints = std::make_shared<const NameHints>(std::move(grad_hints));

  timer.start("kernels");
  c.emitted = opts.kernels;
  c.batch = opts.batch;
  c.part_nodes = opts.part_nodes;
  c.reroll_min = opts.reroll_min;
  c.lanes_min_saving = opts.lanes_min_saving;
  build_kernel_specs(c, b);
  timer.stop();
}

std::optional<Compiled> compile(const SourceFile& file, Diagnostics& diag,
                                const CompileOptions& opts, PassTimer& timer) {
  try {
    return run_passes(file, diag, opts, timer);
  } catch (const TooManyErrors&) {  // an error limit below the errors of one pass
    return std::nullopt;
  }
}

}  // namespace gradc
