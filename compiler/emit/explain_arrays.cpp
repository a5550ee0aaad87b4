// explain_arrays.cpp - the chain rule over whole variables.
//
// Every node belongs to the first variable (inputs, then definitions in
// source order) that has it as an element. The Jacobian of definition v with
// respect to an earlier variable u holds, for each element of v, its local
// partials with respect to u's elements: a reverse sweep over the nodes
// inlined into the element, stopping at nodes of earlier variables (the same
// local-partials table as every mode). The backward pass then sums, for each
// variable u, delta_u = sum over the definitions v that read it of
// J_{v,u}^T delta_v, from the output back.
#include "emit/explain_arrays.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <unordered_map>

#include "ad/local_partials.h"
#include "emit/explain.h"
#include "emit/explain_notation.h"
#include "ir/builder.h"
#include "ir/interp.h"

namespace gradc {

namespace {

/// Entry (i, j) of a Jacobian: d v_i / d u_j, a node.
struct Entry {
  size_t i, j;
  NodeId partial;
};

/// Inputs then definitions, with the owner of every node.
struct Variables {
  std::vector<const Variable*> all;
  std::unordered_map<NodeId, std::pair<size_t, size_t>> owner;  ///< node -> (variable, element)
};

Variables variables(const Program& p) {
  Variables vs;
  for (const Variable& v : p.inputs) vs.all.push_back(&v);
  for (const Variable& v : p.definitions) vs.all.push_back(&v);
  for (size_t k = 0; k < vs.all.size(); ++k)
    for (size_t e = 0; e < vs.all[k]->size(); ++e)
      if (!p.graph.is_const(vs.all[k]->nodes[e])) vs.owner.try_emplace(vs.all[k]->nodes[e], k, e);
  return vs;
}

// d element / d (nodes of variables before `v`): (variable, element) -> partial.
std::map<std::pair<size_t, size_t>, NodeId> element_partials(Builder& b, const Variables& vs,
                                                             size_t v, NodeId element) {
  auto leaf = [&](NodeId n) {
    auto it = vs.owner.find(n);
    return it != vs.owner.end() && it->second.first < v;
  };
  std::map<std::pair<size_t, size_t>, NodeId> out;
  for (auto [node, partial] : local_partials(b, element, leaf)) out.emplace(vs.owner.at(node), partial);
  return out;
}

// What a Jacobian looks like: identity, diagonal, small and dense, or its
// number of nonzeros.
std::string jacobian_text(const Notation& n, size_t rows, size_t cols,
                          const std::vector<std::pair<std::pair<size_t, size_t>, double>>& entries) {
  bool diagonal = rows == cols, identity = rows == cols && entries.size() == rows;
  for (const auto& [ij, v] : entries) {
    diagonal &= ij.first == ij.second;
    identity &= ij.first == ij.second && v == 1.0;
  }
  if (identity) return "identity";
  if (diagonal && rows > 1) {
    std::vector<double> d(rows, 0.0);
    for (const auto& [ij, v] : entries) d[ij.first] = v;
    return "diagonal " + n.values({uint32_t(rows)}, d);
  }
  if (rows * cols <= 12) {
    std::vector<double> m(rows * cols, 0.0);
    for (const auto& [ij, v] : entries) m[ij.first * cols + ij.second] = v;
    return n.values({uint32_t(rows), uint32_t(cols)}, m);
  }
  return fmt::format("{} nonzero entries", entries.size());
}

// The index in vs.all of the definition that is the output variable holding
// `output` (its one element), if the output has a definition of its own.
std::optional<size_t> own_definition(const Program& p, const Variables& vs, NodeId output) {
  auto named = std::find_if(p.outputs.begin(), p.outputs.end(), [&](const Variable& o) {
    return o.size() == 1 && o.nodes[0] == output;
  });
  if (named == p.outputs.end()) return std::nullopt;
  for (size_t v = p.inputs.size(); v < vs.all.size(); ++v)
    if (vs.all[v]->name == named->name && vs.all[v]->nodes == named->nodes) return v;
  return std::nullopt;
}

// `text` followed by the variable's shape, `y [3]`, where it is an array.
std::string with_shape(const std::string& text, const Variable& var) {
  return var.is_scalar() ? text : fmt::format("{} {}", text, shape_text(var.shape));
}

}  // namespace

std::optional<ArrayExplanation> explain_arrays(const Compiled& c, const std::vector<double>& point,
                                               bool latex) {
  const Program& p = c.prog;
  bool arrays = std::any_of(p.definitions.begin(), p.definitions.end(),
                            [](const Variable& v) { return !v.is_scalar(); });
  if (!arrays || c.outputs.size() != 1) return std::nullopt;
  Graph g = p.graph;
  Variables vs = variables(p);
  auto out_owner = vs.owner.find(c.outputs[0]);
  if (out_owner == vs.owner.end() || out_owner->second.first < p.inputs.size()) return std::nullopt;
  // The last layer: the output variable's own definition where it has one
  // (`out = y[1]`, `out = y`: its element is y's, a layer that picks it),
  // else the definition that computes the output's value.
  const size_t L = own_definition(p, vs, c.outputs[0]).value_or(out_owner->second.first);
  const size_t out_element = L == out_owner->second.first ? out_owner->second.second : 0;
  // The Jacobians, J[v][u] = entries, for the definitions up to the output.
  Builder b(g);
  std::vector<std::map<size_t, std::vector<Entry>>> J(vs.all.size());
  for (size_t v = p.inputs.size(); v <= L; ++v) {
    const Variable& var = *vs.all[v];
    for (size_t i = 0; i < var.size(); ++i) {
      NodeId e = var.nodes[i];
      if (g.is_const(e)) continue;
      auto own = vs.owner.at(e);
      if (own.first != v) {  // an element that is another variable's: d v_i / d u_j = 1
        J[v][own.first].push_back({i, own.second, b.one()});
        continue;
      }
      for (const auto& [uj, partial] : element_partials(b, vs, v, e))
        if (!g.is_const(partial, 0.0)) J[v][uj.first].push_back({i, uj.second, partial});
    }
  }
  std::vector<double> value = evaluate(g, point);
  Notation n(latex);
  auto name = [&](size_t k) { return n.text(vs.all[k]->name); };
  auto dims = [&](size_t k) { return vs.all[k]->size(); };

  // Backward: delta_u = sum over v of J_{v,u}^T delta_v. A variable no
  // delta reaches is on no path to the output (only stop_gradient reads
  // it, or a rewrite such as log(softmax(z)) into its stable form bypassed
  // it): it has no layer.
  std::vector<std::vector<double>> delta(vs.all.size());
  std::vector<std::vector<size_t>> users(vs.all.size());
  delta[L].assign(dims(L), 0.0);
  delta[L][out_element] = 1.0;
  for (size_t v = L + 1; v-- > 0;) {
    if (delta[v].empty()) continue;
    for (const auto& [u, entries] : J[v]) {
      if (delta[u].empty()) delta[u].assign(dims(u), 0.0);
      users[u].push_back(v);
      for (const Entry& e : entries) delta[u][e.j] += delta[v][e.i] * value[e.partial];
    }
  }

  std::vector<std::string> forward, layers, backward, chains, off_path;
  for (size_t v = p.inputs.size(); v <= L; ++v) {
    const Variable& var = *vs.all[v];
    std::vector<double> x;
    for (NodeId e : var.nodes) x.push_back(value[e]);
    std::string formula = var.formula.empty() ? "..." : var.formula;
    if (latex) formula = "\\texttt{" + n.text(formula) + "}";
    forward.push_back(n.equation(with_shape(name(v), var),
                                 formula + " = " + n.values(var.shape, x)));
    if (delta[v].empty()) {
      off_path.push_back(var.name);
      continue;
    }
    for (const auto& [u, entries] : J[v]) {
      std::vector<std::pair<std::pair<size_t, size_t>, double>> vals;
      for (const Entry& e : entries) vals.push_back({{e.i, e.j}, value[e.partial]});
      std::string what = fmt::format("[{} x {}]: {}", dims(v), dims(u),
                                     jacobian_text(n, dims(v), dims(u), vals));
      layers.push_back(n.equation(n.partial(name(v), name(u)),
                                  latex ? "\\text{" + n.text(what) + "}" : what));
    }
  }
  if (!off_path.empty()) {
    std::string list;
    for (const std::string& v : off_path) list += (list.empty() ? "" : ", ") + v;
    const std::string note = fmt::format("{} {} on no path to {} once simplified, so no layer; "
                                         "--print shows the formulas as computed", list,
                                         off_path.size() == 1 ? "is" : "are", vs.all[L]->name);
    layers.push_back(latex ? fmt::format("&\\text{{({})}}", n.text(note)) : fmt::format("({})", note));
  }
  const std::string out_name = name(L);
  for (size_t u = L + 1; u-- > 0;) {
    if (delta[u].empty()) continue;
    std::string rhs;
    if (u == L) {  // the seed: 1, or the one-hot vector of the output's element
      rhs = n.values(vs.all[u]->shape, delta[u]);
    } else {
      for (size_t k = 0; k < users[u].size(); ++k) {
        size_t v = users[u][k];
        rhs += (k ? " + " : "") + fmt::format("({}){} {}", n.partial(name(v), name(u)),
                                              latex ? "^{T}" : "^T", n.total(out_name, name(v)));
      }
      rhs += " = " + n.values(vs.all[u]->shape, delta[u]);
    }
    const Variable& var = *vs.all[u];
    backward.push_back(n.equation(with_shape(n.total(out_name, name(u)), var), rhs));
  }
  // The shapes multiplied along the path from the output to each wrt
  // variable (where there is one path; joining paths are a sum).
  for (const Variable* w : p.wrt_variables()) {
    auto it = vs.owner.find(w->nodes[0]);
    if (it == vs.owner.end() || delta[it->second.first].empty()) continue;
    const size_t u = it->second.first;
    std::vector<bool> reaches(L + 1, false);  // does variable x read u, directly or not?
    reaches[u] = true;
    for (size_t x = u + 1; x <= L; ++x)
      for (const auto& [y, entries] : J[x]) reaches[x] = reaches[x] || reaches[y];
    std::string factors, shapes;
    bool one_path = true;
    for (size_t at = L; at != u && one_path;) {
      std::vector<size_t> toward;
      for (const auto& [x, entries] : J[at])
        if (reaches[x]) toward.push_back(x);
      one_path = toward.size() == 1;
      if (!one_path) break;
      factors += fmt::format("({})", n.partial(name(at), name(toward[0])));
      shapes += fmt::format("{}[{} x {}]", shapes.empty() ? "" : " ", dims(at), dims(toward[0]));
      at = toward[0];
    }
    chains.push_back(n.equation(n.total(out_name, n.text(w->name)),
                                one_path ? factors + (latex ? "\\text{: " + shapes + "}" : ": " + shapes)
                                         : factors + (latex ? "\\text{... (paths join: a sum of products)}"
                                                            : "... (paths join: a sum of products)")));
  }
  // The gradient in the Jacobian's column order, one line per variable.
  std::vector<double> jacobian;
  std::vector<std::string> gradient;
  for (const Variable* w : p.wrt_variables()) {
    std::vector<double> g;
    for (NodeId e : w->nodes) {
      auto it = vs.owner.find(e);
      bool known = it != vs.owner.end() && !delta[it->second.first].empty();
      g.push_back(known ? delta[it->second.first][it->second.second] : 0.0);
    }
    jacobian.insert(jacobian.end(), g.begin(), g.end());
    // The result: whole up to kExplainedResultValues (the steps above cut at 24).
    gradient.push_back(n.equation(n.total(out_name, n.text(w->name)),
                                  n.values(w->shape, g, kExplainedResultValues)));
  }
  std::string text =
         n.section("Forward pass: every variable, its formula as written and its value", forward) +
         n.section("Layers: the Jacobian of each definition with respect to each variable it "
                   "reads, [rows x columns] = [its size x their size]", layers) +
         n.section(n.text(fmt::format("Backward pass: the delta of each variable, d{}/du = the sum "
                                      "over the definitions v that read u of (dv/du)^T d{}/dv",
                                      vs.all[L]->name, vs.all[L]->name)), backward) +
         n.section("The chain rule: the Jacobians multiplied along each path, output first", chains) +
         n.section("The gradient", gradient);
  return ArrayExplanation{std::move(text), vs.all[L]->name, std::move(jacobian)};
}

}  // namespace gradc
