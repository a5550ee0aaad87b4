// pipeline.cpp - parse -> set wrt -> reverse-mode Jacobian -> names.
#include "pipeline.h"

#include "builder.h"
#include "parser.h"
#include "reverse_diff.h"

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

std::vector<NodeId> Compiled::all_roots() const {
  std::vector<NodeId> roots = outputs;
  roots.insert(roots.end(), jacobian.begin(), jacobian.end());
  return roots;
}

namespace {

// Source names: inputs and the first definition of each node, all fixed.
NameHints source_hints(const Program& p) {
  NameHints h;
  for (const Variable& v : p.inputs) h.suggest(v.node, v.name, true);
  for (const Variable& v : p.definitions) {
    h.reserved.insert(v.name);
    if (!p.graph.is_const(v.node)) h.suggest(v.node, v.name, true);
  }
  for (const Variable& v : p.inputs) h.reserved.insert(v.name);
  return h;
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
  for (const Variable& v : p.outputs) c.outputs.push_back(v.node);
  c.forward_hints = source_hints(p);
  c.grad_hints = c.forward_hints;

  // Derivative names dOUT_dIN, kept clear of the program's own names.
  std::unordered_set<std::string> used = c.grad_hints.reserved;
  for (const Variable& out : p.outputs)
    for (uint32_t j : p.wrt)
      c.derivative_names.push_back(unique_name("d" + out.name + "_d" + p.inputs[j].name, used));

  timer.start("differentiate");
  std::vector<NodeId> wrt_nodes;
  for (uint32_t j : p.wrt) wrt_nodes.push_back(p.inputs[j].node);
  std::unordered_map<NodeId, std::string> source_name;
  for (const Variable& v : p.definitions) source_name.try_emplace(v.node, v.name);
  Builder b(p.graph);
  std::vector<std::pair<NodeId, std::string>> adjoint_names;
  c.jacobian = reverse_jacobian(b, c.outputs, wrt_nodes, [&](size_t out, NodeId node, NodeId adj) {
    auto it = source_name.find(node);
    if (it != source_name.end() && adj >= c.forward_nodes)
      adjoint_names.emplace_back(adj, "d" + p.outputs[out].name + "_d" + it->second);
  });

  // Derivative names go only to nodes the differentiation made: a value the
  // forward program already computes keeps its own name (`dw_dz = t1`).
  timer.start("name");
  for (size_t i = 0; i < c.jacobian.size(); ++i) {
    c.grad_hints.reserved.insert(c.derivative_names[i]);
    if (c.jacobian[i] >= c.forward_nodes)
      c.grad_hints.suggest(c.jacobian[i], c.derivative_names[i], true);
  }
  for (auto& [node, name] : adjoint_names) c.grad_hints.suggest(node, name, false);
  timer.stop();
  return c;
}

}  // namespace gradc
