// kernels.cpp - one spec per kernel kind; a new kernel is one more case.
#include "kernels.h"

#include <algorithm>
#include <unordered_map>

#include "ad/forward_diff.h"
#include "ad/hessian.h"
#include "ad/reverse_diff.h"
#include "ir/logistic.h"
#include "ir/stop_gradient.h"

namespace gradc {

namespace {

KernelArray read_array(std::string name, Axis axis, size_t size, uint32_t first_input) {
  KernelArray a;
  a.name = std::move(name);
  a.axes = {axis};
  a.size = size;
  a.first_input = first_input;
  return a;
}

KernelArray result_array(std::string name, std::vector<Axis> axes, std::vector<NodeId> roots,
                         std::string doc, std::string entry_format) {
  KernelArray a;
  a.name = std::move(name);
  a.result = true;
  a.axes = std::move(axes);
  a.size = roots.size();
  a.roots = std::move(roots);
  a.doc = std::move(doc);
  a.entry_format = std::move(entry_format);
  return a;
}

// Input nodes first, first+1, ... for a direction vector of `size` scalars.
std::vector<NodeId> direction_inputs(Builder& b, uint32_t first, size_t size) {
  std::vector<NodeId> nodes;
  for (size_t i = 0; i < size; ++i) nodes.push_back(b.input(first + uint32_t(i)));
  return nodes;
}

// jv = J v: one tangent sweep, d wrt_j = v_j for every j at once.
std::vector<NodeId> jvp_roots(const Compiled& c, Builder& b) {
  std::vector<NodeId> v = direction_inputs(b, first_v_input(c), c.num_wrt()), jv;
  std::vector<Seed> seeds;
  for (size_t j = 0; j < v.size(); ++j) seeds.push_back({c.wrt_nodes[j], v[j]});
  ForwardSweeps(b, c.outputs).sweep(seeds, jv);
  for (NodeId& entry : jv) entry = b.unmasked_root(entry);
  return jv;
}

// uj = u^T J: one adjoint sweep, adjoint of out_i = u_i for every i at once.
std::vector<NodeId> vjp_roots(const Compiled& c, Builder& b) {
  std::vector<NodeId> u = direction_inputs(b, first_u_input(c), c.outputs.size()), uj;
  std::vector<Seed> seeds;
  for (size_t i = 0; i < u.size(); ++i) seeds.push_back({c.outputs[i], u[i]});
  ReverseSweeps(b, c.wrt_nodes).sweep(seeds, uj);
  for (NodeId& entry : uj) entry = b.unmasked_root(entry);
  return uj;
}

KernelSpec kernel_spec(const Compiled& c, Builder& b, KernelKind kind) {
  KernelSpec k{kind, {}, c.forward_hints, ""};
  k.args.push_back(read_array("in", Axis::Input, c.names.inputs.size(), 0));
  KernelArray out = result_array("out", {Axis::Output}, c.outputs, "out[i] = output i", "{0}");
  KernelArray jac = result_array("jac", {Axis::Output, Axis::Wrt}, c.jacobian,
                                 "jac[i*k + j] = d out_i / d wrt_j", "d {0} / d {1}");
  switch (kind) {
    case KernelKind::Forward:
      k.args.push_back(std::move(out));
      break;
    case KernelKind::Grad:
      k.hints = c.grad_hints;
      k.sweep_comment = c.mode == DiffMode::Forward
                            ? "forward sweep: tangents of the values above, one per wrt scalar"
                            : "reverse sweep: adjoints of the values above, one per output scalar";
      k.args.push_back(std::move(out));
      k.args.push_back(std::move(jac));
      break;
    case KernelKind::Jvp:
      k.sweep_comment = "forward sweep: tangents along v";
      k.args.push_back(read_array("v", Axis::Wrt, c.num_wrt(), first_v_input(c)));
      k.args.push_back(std::move(out));
      k.args.push_back(result_array("jv", {Axis::Output}, jvp_roots(c, b),
                                    "jv[i] = sum_j d out_i / d wrt_j * v[j]  (J v)",
                                    "d {0} along v"));
      k.args[1].doc = "v[j]: the direction, one entry per wrt scalar";
      break;
    case KernelKind::Vjp:
      k.sweep_comment = "reverse sweep: adjoints of sum_i u[i]*out[i]";
      k.args.push_back(read_array("u", Axis::Output, c.outputs.size(), first_u_input(c)));
      k.args.push_back(std::move(out));
      k.args.push_back(result_array("uj", {Axis::Wrt}, vjp_roots(c, b),
                                    "uj[j] = sum_i u[i] * d out_i / d wrt_j  (u^T J)",
                                    "u . d out / d {0}"));
      k.args[1].doc = "u[i]: the weights, one entry per output scalar";
      break;
    case KernelKind::Hess:
      k.hints = c.hessian_hints;
      k.sweep_comment = "derivative sweeps: first, then second derivatives";
      k.args.push_back(std::move(out));
      k.args.push_back(std::move(jac));
      k.args.push_back(result_array(
          "hess", {Axis::Output, Axis::Wrt, Axis::Wrt}, c.hessian,
          "hess[(i*k + j)*k + l] = d2 out_i / d wrt_j d wrt_l (symmetric pairs computed once)",
          "d2 {0} / d {1} d {2}"));
      break;
    case KernelKind::Sparse: {
      k.hints = c.grad_hints;
      k.sweep_comment = c.mode == DiffMode::Forward ? "forward sweep: tangents" : "reverse sweep: adjoints";
      KernelArray nz = result_array(
          "jac_nz", {Axis::Output, Axis::Wrt}, {},
          "jac_nz[p]: the structural nonzeros of jac in compressed-column order (see jac_colptr, "
          "jac_rowind)",
          "d {0} / d {1}");
      const size_t k_wrt = c.num_wrt();
      for (size_t j = 0; j < k_wrt; ++j)
        for (uint32_t p = c.jac_colptr[j]; p < c.jac_colptr[j + 1]; ++p) {
          nz.dense_index.push_back(uint32_t(c.jac_rowind[p] * k_wrt + j));
          nz.roots.push_back(c.jacobian[c.jac_rowind[p] * k_wrt + j]);
        }
      nz.size = nz.roots.size();
      k.args.push_back(std::move(out));
      k.args.push_back(std::move(nz));
      break;
    }
    case KernelKind::Hvp: {
      k.sweep_comment = "derivative sweeps: the gradient, then its tangent along v";
      k.args.push_back(read_array("v", Axis::Wrt, c.num_wrt(), first_v_input(c)));
      k.args[1].doc = "v[l]: the direction, one entry per wrt scalar";
      std::vector<NodeId> v = direction_inputs(b, first_v_input(c), c.num_wrt());
      k.args.push_back(std::move(out));
      k.args.push_back(std::move(jac));
      k.args.push_back(result_array("hv", {Axis::Output, Axis::Wrt},
                                    hessian_vector(b, c.jacobian, c.wrt_nodes, v),
                                    "hv[i*k + j] = sum_l d2 out_i / d wrt_j d wrt_l * v[l]  (H v)",
                                    "d {1} (d {0}) along v"));
      break;
    }
  }
  return k;
}

}  // namespace

uint32_t first_v_input(const Compiled& c) { return uint32_t(c.names.inputs.size()); }
uint32_t first_u_input(const Compiled& c) { return uint32_t(c.names.inputs.size() + c.num_wrt()); }

void build_sparsity_pattern(Compiled& c) {
  const Graph& g = c.prog.graph;
  const size_t m = c.outputs.size(), k = c.num_wrt();
  c.jac_colptr.assign(1, 0);
  c.jac_rowind.clear();
  for (size_t j = 0; j < k; ++j) {
    for (size_t i = 0; i < m; ++i)
      if (!g.is_const(c.jacobian[i * k + j], 0.0)) c.jac_rowind.push_back(uint32_t(i));
    c.jac_colptr.push_back(uint32_t(c.jac_rowind.size()));
  }
}

// Moves the kernel specs onto the nodes a kernel rewrite made (`map`: old
// node -> new): their roots, their name hints (a rewritten node keeps the
// name its original was to have), and which new nodes are derivative code.
static void move_kernels(Compiled& c, const std::vector<NodeId>& map) {
  std::vector<char> derivative(c.prog.graph.size(), 0);  // images of derivative nodes
  for (size_t id = 0; id < map.size(); ++id)
    if (map[id] >= c.derivative_nodes_end && c.is_derivative_node(NodeId(id))) derivative[map[id]] = 1;
  c.rewritten_derivative = std::move(derivative);
  std::unordered_map<const NameHints*, std::shared_ptr<const NameHints>> renamed;
  for (KernelSpec& k : c.kernels) {
    for (KernelArray& a : k.args)
      for (NodeId& r : a.roots) r = map[r];
    std::shared_ptr<const NameHints>& hints = renamed[k.hints.get()];
    if (!hints) {
      auto copy = std::make_shared<NameHints>(*k.hints);
      for (const auto& [node, hint] : k.hints->hint)
        if (node < map.size() && map[node] != node) copy->hint.try_emplace(map[node], hint);
      hints = std::move(copy);
    }
    k.hints = hints;
  }
}

// What the kernels compute, written out where that shares work
// (ir/logistic.h), and with stop_gradient and the wrt values' own nodes as
// the identity (ir/stop_gradient.h). The program's own roots (outputs, Jacobian), which
// --print and --explain show, keep the helpers and the stop_gradients; both
// evaluate to the same bits.
static void share_kernel_work(Compiled& c) {
  using Rewrite = std::vector<NodeId> (*)(Graph&, const std::vector<NodeId>&);
  for (Rewrite rewrite : {Rewrite(share_logistic_exp), Rewrite(strip_stop_gradients)}) {
    std::vector<NodeId> roots;
    for (const KernelSpec& k : c.kernels)
      for (const KernelArray& a : k.args) roots.insert(roots.end(), a.roots.begin(), a.roots.end());
    if (const std::vector<NodeId> map = rewrite(c.prog.graph, roots); !map.empty()) move_kernels(c, map);
  }
}

void build_kernel_specs(Compiled& c, Builder& b) {
  build_sparsity_pattern(c);
  for (KernelKind kind : kAllKernelKinds)
    if (kind == KernelKind::Forward || kind == KernelKind::Grad || c.emits(kind))
      c.kernels.push_back(kernel_spec(c, b, kind));
  c.derivative_nodes_end = c.prog.graph.size();  // every sweep is built
  share_kernel_work(c);
}

}  // namespace gradc
