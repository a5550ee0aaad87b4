// pipeline.cpp - parse -> set wrt -> Jacobian (forward or reverse mode) ->
// names -> kernel specs.
#include "pipeline.h"

#include <algorithm>

#include "ir/builder.h"
#include "front/parser.h"
#include "front/value.h"
#include "kernels.h"

namespace gradc {

void PassTimer::start(std::string name) {
  stop();
  entries_.push_back(Entry{std::move(name), 0});
  begin_ = std::chrono::steady_clock::now();
  running_ = true;
}

void PassTimer::stop() {
  if (!running_) return;
  entries_.back().ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin_).count();
  running_ = false;
}

const KernelSpec* Compiled::kernel(KernelKind k) const {
  for (const KernelSpec& spec : kernels)
    if (spec.kind == k) return &spec;
  return nullptr;
}

bool Compiled::emits(KernelKind k) const {
  return std::find(emitted.begin(), emitted.end(), k) != emitted.end();
}

std::vector<NodeId> Compiled::all_roots() const {
  std::vector<NodeId> roots = outputs;
  roots.insert(roots.end(), jacobian.begin(), jacobian.end());
  return roots;
}

namespace {

// `base` for a scalar, `base_i_j` for element [i,j] of an array.
std::string element_name(const std::string& base, const Shape& shape, size_t flat) {
  std::string suffix = element_suffix(shape, flat, "_");
  if (suffix.empty()) return base;
  return base + "_" + suffix.substr(1, suffix.size() - 2);
}

// Source names: inputs and the first definition of each node. Scalar names
// are fixed (they always get a statement); array elements get loose names
// (`s1_0`), used when the element is shared anyway.
NameHints source_hints(const Program& p) {
  NameHints h;
  for (const Variable& v : p.inputs) {
    h.reserved.insert(v.name);
    if (v.is_scalar()) h.suggest(v.scalar(), v.name, true);
  }
  for (const Variable& v : p.definitions) {
    h.reserved.insert(v.name);
    for (size_t i = 0; i < v.size(); ++i) {
      NodeId n = v.nodes[i];
      if (p.graph.is_const(n) || p.graph[n].op == Op::Input) continue;
      h.suggest(n, element_name(v.name, v.shape, i), v.is_scalar());
    }
  }
  for (const Variable& v : p.outputs) h.reserved.insert(v.name);
  return h;
}

// Flat names of every scalar of `vars`: `x`, `W[0,1]`.
std::vector<std::string> scalar_names(const std::vector<Variable>& vars,
                                      const std::vector<uint32_t>* only = nullptr) {
  std::vector<std::string> names;
  auto add = [&](const Variable& v) {
    for (size_t i = 0; i < v.size(); ++i) names.push_back(v.name + element_suffix(v.shape, i));
  };
  if (only) for (uint32_t j : *only) add(vars[j]);
  else for (const Variable& v : vars) add(v);
  return names;
}

// One DerivativeVar per (output, wrt input) pair, and the flat name of every
// Jacobian entry. Names are kept clear of the program's own.
void name_derivatives(Compiled& c, const std::unordered_set<std::string>& reserved) {
  const Program& p = c.prog;
  std::unordered_set<std::string> used = reserved;
  size_t k = c.num_wrt(), row = 0;
  c.derivative_names.assign(c.jacobian.size(), "");
  for (uint32_t o = 0; o < p.outputs.size(); ++o) {
    const Variable& out = p.outputs[o];
    size_t col = 0;
    for (uint32_t in_index : p.wrt) {
      const Variable& in = p.inputs[in_index];
      DerivativeVar d{unique_name("d" + out.name + "_d" + in.name, used), o, in_index, out.shape, {}};
      d.shape.insert(d.shape.end(), in.shape.begin(), in.shape.end());
      for (size_t i = 0; i < out.size(); ++i)
        for (size_t j = 0; j < in.size(); ++j) {
          size_t entry = (row + i) * k + col + j;
          d.nodes.push_back(c.jacobian[entry]);
          c.derivative_names[entry] = d.name + element_suffix(d.shape, d.nodes.size() - 1);
        }
      col += in.size();
      c.derivatives.push_back(std::move(d));
    }
    row += out.size();
  }
}

}  // namespace

std::optional<Compiled> compile(const SourceFile& file, Diagnostics& diag,
                                const CompileOptions& opts, PassTimer& timer) {
  timer.start("parse");
  std::optional<Program> parsed = parse_program(file, diag);
  if (!parsed) return std::nullopt;
  if (opts.wrt && !set_wrt(*parsed, *opts.wrt, diag)) return std::nullopt;

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
  for (uint32_t j : p.wrt)
    c.wrt_nodes.insert(c.wrt_nodes.end(), p.inputs[j].nodes.begin(), p.inputs[j].nodes.end());
  // Every Jacobian entry is a node and a name: refuse sizes that cannot fit.
  if (c.outputs.size() * c.wrt_nodes.size() > kMaxJacobianEntries) {
    diag.error_noloc("the Jacobian would have {} x {} = {} entries, more than the limit of {}; "
                     "differentiate with respect to fewer inputs ('wrt' or --wrt)",
                     c.outputs.size(), c.wrt_nodes.size(),
                     c.outputs.size() * c.wrt_nodes.size(), kMaxJacobianEntries);
    return std::nullopt;
  }
  c.names.outputs = scalar_names(p.outputs);
  c.names.inputs = scalar_names(p.inputs);
  c.names.wrt = scalar_names(p.inputs, &p.wrt);
  NameHints forward_hints = source_hints(p);
  NameHints grad_hints = forward_hints;

  timer.start("differentiate");
  std::unordered_map<NodeId, std::string> source_name;  // scalar definitions
  for (const Variable& v : p.definitions)
    if (v.is_scalar()) source_name.try_emplace(v.scalar(), v.name);
  std::vector<uint32_t> wrt_var;  // wrt scalar -> input variable
  for (uint32_t j : p.wrt) wrt_var.insert(wrt_var.end(), p.inputs[j].size(), j);
  // Intermediate derivatives of named scalars: adjoints `dw_da` (reverse
  // mode, per output) and tangents `da_dx` (forward mode, per wrt input).
  auto namer = [&](DiffMode mode, size_t sweep, NodeId node) -> std::optional<std::string> {
    auto it = source_name.find(node);
    if (it == source_name.end()) return std::nullopt;
    const Variable& v = mode == DiffMode::Reverse ? p.outputs[output_var[sweep]]
                                                  : p.inputs[wrt_var[sweep]];
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
  c.forward_hints = std::make_shared<const NameHints>(std::move(forward_hints));
  c.grad_hints = std::make_shared<const NameHints>(std::move(grad_hints));

  timer.start("kernels");
  c.emitted = opts.kernels;
  build_kernel_specs(c, b);
  timer.stop();
  return c;
}

}  // namespace gradc
