// explain.cpp - --explain: the derivation at one point, as a handout works it.
//
// The computational graph is the program at statement granularity: its
// vertices are the inputs and the values --print gives a statement (source
// names, shared values, outputs); an edge joins a vertex to each vertex its
// formula reads. The local partial of an edge v <- u is the derivative of
// v's formula with respect to u, the other vertices held fixed: a reverse
// sweep over the nodes inlined into v, with the same local-partials table as
// every mode (ad/derivative_rules.h). The backward pass then sums, for each
// vertex u, dL/du = sum over users v of dL/dv * dv/du (reverse order), and
// forward mode sums dv/dx = sum over operands u of dv/du * du/dx.
#include "emit/explain.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "ad/local_partials.h"
#include "emit/explain_arrays.h"
#include "emit/explain_notation.h"
#include "emit/expr_render.h"
#include "ir/builder.h"
#include "ir/interp.h"
#include "support/version.h"

namespace gradc {

namespace {

/// Value `to` reads vertex `from`; `partial` is d to / d from, a node.
struct Edge {
  NodeId from, to, partial;
};

/// The program's computational graph with its local partials, evaluated.
struct CompGraph {
  Graph g;                       ///< the program's graph plus the local partials
  Schedule s;                    ///< its steps are the non-input vertices
  std::vector<NodeId> vertices;  ///< live inputs, then steps: ascending id
  std::vector<Edge> edges;       ///< grouped by `to`, in vertex order
  std::vector<double> value;     ///< every node of g at the point
};

/// An adjoint or tangent at the point. `masked` marks the exact zero of a
/// branch not taken (SPEC 1): every term of it went through a local partial
/// `c ? p : 0` whose c fails here. A product with a masked factor is a masked
/// 0 even where the other factor is inf or NaN, as in the compiled kernels
/// (the builder keeps (c ? a : 0)*y as c ? a*y : 0).
struct Derivative {
  double value = 0;
  bool masked = false;
};

/// The local partial `partial` at the point: masked where it is `c ? p : 0`
/// and c fails (NaN is true, as in C).
Derivative partial_at(const Graph& g, const std::vector<double>& value, NodeId partial) {
  bool masked = g.is_masked(partial) && value[g[partial].a] == 0.0;
  return {value[partial], masked};
}

/// sum += a*b: a product with a masked factor adds an exact 0 (even where
/// the other factor is inf or NaN); the sum stays masked while every term
/// is. A sum starts as {0, true}.
void add_product(Derivative& sum, Derivative a, Derivative b) {
  bool masked = a.masked || b.masked;
  if (!masked) sum.value += a.value * b.value;
  sum.masked = sum.masked && masked;
}

bool is_vertex(const Graph& g, const Schedule& s, NodeId n) {
  return g[n].op == Op::Input || (n < s.materialized.size() && s.materialized[n]);
}

// The edges into vertex v: its local partials with respect to the vertices
// its formula reads (structurally zero ones are no edges).
void add_edges(Builder& b, const Schedule& s, NodeId v, std::vector<Edge>& edges) {
  const Graph& g = b.graph();
  for (auto [u, partial] : local_partials(b, v, [&](NodeId n) { return is_vertex(g, s, n); }))
    if (!g.is_const(partial, 0.0)) edges.push_back({u, v, partial});
}

// The name the explanation gives element i of definition d: d, d[0], d[1,0].
std::string element_name(const Variable& d, size_t i) {
  return d.is_scalar() ? d.name : d.name + element_suffix(d.shape, i);
}

// Is element i of d a step of that name (the forward pass's line for it is
// the step's)? Else the forward pass lists it apart.
bool own_step(const Schedule& s, const Variable& d, size_t i) {
  const NodeId v = d.nodes[i];
  return s.materialized[v] && s.name(v) == element_name(d, i);
}

// The forward kernel's names, and every element of an array definition as a
// vertex of its own (`s[0]`, `s[1,0]`), as a handout names them.
NameHints vertex_names(const Compiled& c) {
  NameHints hints = *c.forward_hints;
  const Graph& g = c.prog.graph;
  for (const Variable& v : c.prog.definitions) {
    if (v.is_scalar()) continue;
    for (size_t i = 0; i < v.nodes.size(); ++i) {
      NodeId n = v.nodes[i];
      if (g.is_const(n) || g[n].op == Op::Input) continue;
      std::string name = element_name(v, i);
      hints.reserved.insert(name);
      hints.claim(n, name);
    }
  }
  return hints;
}

// Drop the edges into vertices from which no path of edges leads to an
// output: a value only stop_gradient reads (the max that logsumexp and
// softmax subtract), or one a rewrite bypassed. No derivative flows through
// them, so a handout would not work out their partials.
void keep_edges_to_outputs(CompGraph& cg, const std::vector<NodeId>& outputs) {
  std::unordered_set<NodeId> reaches(outputs.begin(), outputs.end());
  // Edges are grouped by `to` in ascending vertex order; a vertex's users
  // come after it, so one pass from the last edge back settles every vertex.
  for (auto e = cg.edges.rbegin(); e != cg.edges.rend(); ++e)
    if (reaches.count(e->to)) reaches.insert(e->from);
  std::erase_if(cg.edges, [&](const Edge& e) { return !reaches.count(e.to); });
}

CompGraph build_graph(const Compiled& c, const std::vector<double>& point) {
  CompGraph cg{c.prog.graph, {}, {}, {}, {}};
  cg.s = make_schedule(cg.g, c.outputs, vertex_names(c));
  cg.vertices = cg.s.inputs;
  cg.vertices.insert(cg.vertices.end(), cg.s.steps.begin(), cg.s.steps.end());
  if (cg.s.steps.size() <= kMaxExplainedValues) {
    Builder b(cg.g);
    for (NodeId v : cg.s.steps) add_edges(b, cg.s, v, cg.edges);
    keep_edges_to_outputs(cg, c.outputs);
  }
  cg.s.materialized.resize(cg.g.size(), false);  // the partials are inlined
  cg.value = evaluate(cg.g, point);
  return cg;
}


/// A sum of products a*b shown as the handouts show it: the symbols, the
/// numbers, then the sum (`dw/db*∂b/∂a + ... = 6*2 + ... = 22`). A product
/// with a masked factor is a masked 0, shown as `0` where the other factor
/// is inf or NaN (the branch not taken); the sum is masked when every term is.
struct Terms {
  std::vector<std::string> symbols, numbers;
  Derivative sum{0, true};
  void add(const Notation& n, const std::string& sa, const std::string& sb, Derivative a,
           Derivative b) {
    symbols.push_back(sa + n.times() + sb);
    bool shown_zero = (a.masked || b.masked) && !std::isfinite(a.value * b.value);
    numbers.push_back(shown_zero ? "0" : n.factor(a.value) + n.times() + n.factor(b.value));
    add_product(sum, a, b);
  }
  bool empty() const { return symbols.empty(); }
  std::string text(const Notation& n) const {
    std::string rhs = join(symbols, " + ") + " = " + join(numbers, " + ");
    if (numbers.size() > 1 || numbers[0] != n.number(sum.value)) rhs += " = " + n.number(sum.value);
    return rhs;
  }
  static std::string join(const std::vector<std::string>& parts, const char* sep) {
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
    return out;
  }
};

/// Writes the sections of one explanation.
class Explainer {
 public:
  Explainer(const Compiled& c, CompGraph& cg, const ExplainOptions& o)
      : c_(c), cg_(cg), n_(o.latex),
        r_(cg.g, cg.s, o.latex ? Dialect::Latex : Dialect::Gradc, &c.prog),
        plain_(cg.g, cg.s, Dialect::Gradc, &c.prog) {
    for (const Edge& e : cg_.edges) {
      uses_[e.from].push_back(&e);
      operands_[e.to].push_back(&e);
    }
    for (NodeId w : c.wrt_nodes) wrt_.insert(w);
  }

  std::string name(NodeId v) { return r_.reference(v); }
  // A formula as the source writes it (LaTeX: in typewriter type).
  std::string as_written(const std::string& formula) const {
    return n_.latex() ? "\\texttt{" + n_.text(formula) + "}" : formula;
  }
  double value(NodeId n) const { return cg_.value[n]; }
  Derivative partial(const Edge* e) const { return partial_at(cg_.g, cg_.value, e->partial); }

  // In the program's order: each definition where its value is computed,
  // after the steps (temporaries) it needs. A definition whose value
  // another name already holds, an input or a constant, or that nothing
  // computes once simplified (`log(exp(b))` is `b`) is listed too, with its
  // formula as written: every intermediate the program names appears.
  std::string forward_pass() {
    std::vector<std::string> lines;
    const std::vector<NodeId>& steps = cg_.s.steps;
    std::unordered_map<NodeId, size_t> step_index;
    for (size_t k = 0; k < steps.size(); ++k) step_index.emplace(steps[k], k);
    // A step the program defines shows its formula as written first where
    // simplification changed it (`J = -(y*log(yhat) + ...) = y*softplus(-z2)
    // - ...`), spaces aside.
    std::unordered_map<NodeId, std::string> written;
    for (const Variable& d : c_.prog.definitions)
      if (d.is_scalar() && !d.formula.empty() && own_step(cg_.s, d, 0))
        written.emplace(d.scalar(), d.formula);
    auto unspaced = [](std::string t) {
      std::erase_if(t, [](char ch) { return std::isspace(static_cast<unsigned char>(ch)) != 0; });
      return t;
    };
    size_t shown = 0;  // steps listed so far
    auto show_steps_to = [&](size_t end) {
      for (; shown < end; ++shown) {
        const NodeId v = steps[shown];
        std::string rhs = r_.definition(v) + " = " + n_.number(value(v));
        if (auto w = written.find(v);
            w != written.end() && unspaced(w->second) != unspaced(plain_.definition(v)))
          rhs = as_written(w->second) + " = " + rhs;
        lines.push_back(n_.equation(name(v), rhs));
      }
    };
    for (const Variable& d : c_.prog.definitions) {
      size_t end = 0;
      for (NodeId e : d.nodes)
        if (auto it = step_index.find(e); it != step_index.end()) end = std::max(end, it->second + 1);
      show_steps_to(end);
      // Each element (an array's are vertices of their own: vertex_names)
      // that is not a step of its own name.
      for (size_t i = 0; i < d.nodes.size(); ++i) {
        if (own_step(cg_.s, d, i)) continue;  // the step's line
        const NodeId v = d.nodes[i];
        const std::string written = d.is_scalar() ? d.formula : "";
        std::string rhs = written.empty() ? "" : as_written(written);
        std::string ref = name(v);
        if (ref != written) rhs += (rhs.empty() ? "" : " = ") + ref;
        if (!cg_.g.is_const(v)) rhs += " = " + n_.number(value(v));
        if (!cg_.s.materialized[v] && !cg_.g.is_const(v) && cg_.g[v].op != Op::Input)
          rhs += n_.latex() ? "\\quad\\text{(not computed: no output needs it)}"
                            : "  (not computed: no output needs it)";
        lines.push_back(n_.equation(r_.name(element_name(d, i)), rhs));
      }
    }
    show_steps_to(steps.size());
    std::unordered_set<std::string> defined;  // listed above as definitions
    for (const Variable& d : c_.prog.definitions) defined.insert(d.name);
    // Outputs that are inputs or constants (a definition's are listed
    // above), element by element: c_.outputs flattens c_.prog.outputs.
    size_t i = 0;
    for (const Variable& out : c_.prog.outputs)
      for (size_t e = 0; e < out.size(); ++e, ++i) {
        const NodeId v = c_.outputs[i];
        if (cg_.s.materialized[v] || defined.count(out.name)) continue;
        const std::string lhs = r_.name(c_.names.outputs[i]), ref = r_.reference(v);
        std::string rhs = ref;  // a constant: its value
        if (!cg_.g.is_const(v))  // `x = 1` for the input x itself, not `x = x = 1`
          rhs = (ref == lhs ? "" : ref + " = ") + n_.number(value(v));
        lines.push_back(n_.equation(lhs, rhs));
      }
    return n_.section("Forward pass: every intermediate value, its formula and its value", lines);
  }

  std::string local_partials() {
    std::vector<std::string> lines;
    for (const Edge& e : cg_.edges) {
      std::string formula = r_.reference(e.partial);
      std::string rhs = cg_.g.is_const(e.partial) ? formula : formula + " = " + n_.number(value(e.partial));
      lines.push_back(n_.equation(n_.partial(name(e.to), name(e.from)), rhs));
    }
    return n_.section("Local partial derivatives: one per edge of the computational graph", lines);
  }

  // dL/du = sum over the users v of u: dL/dv * dv/du, from L back.
  std::string backward_pass(size_t out, std::vector<double>& adjoint_of_wrt) {
    NodeId root = c_.outputs[out];
    std::string L = c_.names.outputs[out], dL = r_.name(L);
    std::vector<std::string> lines;
    std::unordered_map<NodeId, Derivative> adjoint;
    if (is_vertex(cg_.g, cg_.s, root)) {
      adjoint[root] = {1, false};
      lines.push_back(n_.equation(n_.total(dL, name(root)), "1"));
    }
    for (auto it = cg_.vertices.rbegin(); it != cg_.vertices.rend(); ++it) {
      NodeId u = *it;
      if (u == root || (cg_.g[u].op == Op::Input && !wrt_.count(u))) continue;
      Terms terms;
      for (const Edge* e : uses_[u])
        if (auto a = adjoint.find(e->to); a != adjoint.end())
          terms.add(n_, n_.total(dL, name(e->to)), n_.partial(name(e->to), name(u)), a->second,
                    partial(e));
      if (terms.empty()) continue;
      adjoint[u] = terms.sum;
      lines.push_back(n_.equation(n_.total(dL, name(u)), terms.text(n_)));
    }
    for (size_t j = 0; j < c_.wrt_nodes.size(); ++j) {
      auto a = adjoint.find(c_.wrt_nodes[j]);
      adjoint_of_wrt[j] = a == adjoint.end() ? 0.0 : a->second.value;
    }
    return n_.section(n_.text(fmt::format("Backward pass for {}: each adjoint d{}/du is the sum "
                                          "over the uses of u, from {} back", L, L, L)), lines);
  }

  // dv/dx = sum over the operands u of v: dv/du * du/dx, from x on.
  std::string tangent_pass(size_t j, std::vector<double>& tangent_of_outputs) {
    NodeId x = c_.wrt_nodes[j];
    std::vector<std::string> lines;
    std::unordered_map<NodeId, Derivative> tangent{{x, {1, false}}};
    lines.push_back(n_.equation(n_.total(name(x), name(x)), "1"));
    for (NodeId v : cg_.s.steps) {
      Terms terms;
      for (const Edge* e : operands_[v])
        if (auto t = tangent.find(e->from); t != tangent.end())
          terms.add(n_, n_.partial(name(v), name(e->from)), n_.total(name(e->from), name(x)),
                    partial(e), t->second);
      if (terms.empty()) continue;
      tangent[v] = terms.sum;
      lines.push_back(n_.equation(n_.total(name(v), name(x)), terms.text(n_)));
    }
    for (size_t i = 0; i < c_.outputs.size(); ++i) {
      auto t = tangent.find(c_.outputs[i]);
      tangent_of_outputs[i] = t == tangent.end() ? 0.0 : t->second.value;
    }
    std::string xs = c_.names.wrt[j];
    return n_.section(n_.text(fmt::format("Forward mode, tangents for {}: each dv/d{} is the sum "
                                          "over the operands u of v, from {} on", xs, xs, xs)), lines);
  }

  // The Jacobian as the passes found it.
  std::string result(const std::vector<double>& jac) {
    std::vector<std::string> lines;
    size_t k = c_.wrt_nodes.size();
    for (size_t i = 0; i < c_.outputs.size(); ++i)
      for (size_t j = 0; j < k; ++j) {
        if (lines.size() == kExplainedResultValues) {
          const size_t nonzero = size_t(std::count_if(jac.begin(), jac.end(), [](double v) { return v != 0; }));
          lines.push_back(n_.text(fmt::format("... ({} derivatives in all, {} nonzero; --eval "
                                              "prints every one)", jac.size(), nonzero)));
          break;
        }
        lines.push_back(n_.equation(n_.total(r_.name(c_.names.outputs[i]), r_.name(c_.names.wrt[j])),
                                    n_.number(jac[i * k + j])));
      }
    std::string title = k == 0 ? "Derivatives: none (the program has nothing in 'wrt')"
                        : c_.outputs.size() == 1 ? "The gradient" : "The Jacobian";
    return n_.section(title, lines);
  }

 private:
  const Compiled& c_;
  CompGraph& cg_;
  Notation n_;
  ExprRenderer r_;
  ExprRenderer plain_;  ///< the gradc text of formulas, to compare with the source's
  std::unordered_map<NodeId, std::vector<const Edge*>> uses_, operands_;
  std::unordered_set<NodeId> wrt_;
};

std::string point_text(const Compiled& c, const std::vector<double>& point, const Notation& n) {
  std::string out;
  size_t at = 0;
  for (const Variable& v : c.prog.inputs) {
    std::string value = n.values(v.shape, std::vector<double>(point.begin() + long(at),
                                                              point.begin() + long(at + v.size())));
    out += fmt::format("{}{} = {}", at ? ", " : "", n.text(v.name), value);
    at += v.size();
  }
  return out;
}

// HTML-like DOT labels: <, >, & and quotes escaped.
std::string html(const std::string& text) {
  std::string out;
  for (char ch : text) {
    switch (ch) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += ch;
    }
  }
  return out;
}

// The derivative graph at the point: each vertex with its formula, its
// value (blue) and its adjoint dL/dv for the first output (red); each edge
// labelled with its local partial, formula and value.
std::string derivative_dot(const Compiled& c, CompGraph& cg, const std::string& source_file) {
  Notation n(false);
  ExprRenderer r(cg.g, cg.s, Dialect::Gradc, &c.prog);
  std::unordered_map<NodeId, Derivative> adjoint;
  std::string L = c.outputs.empty() ? "" : c.names.outputs[0];
  if (!c.outputs.empty() && is_vertex(cg.g, cg.s, c.outputs[0])) adjoint[c.outputs[0]] = {1, false};
  std::unordered_map<NodeId, std::vector<const Edge*>> uses;
  for (const Edge& e : cg.edges) uses[e.from].push_back(&e);
  for (auto it = cg.vertices.rbegin(); it != cg.vertices.rend(); ++it) {
    Derivative sum{0, true};
    bool any = false;
    for (const Edge* e : uses[*it])
      if (auto a = adjoint.find(e->to); a != adjoint.end()) {
        add_product(sum, a->second, partial_at(cg.g, cg.value, e->partial));
        any = true;
      }
    if (any) adjoint[*it] = sum;
  }
  std::string out = fmt::format(
      "// gradc {}: {}, the derivative graph at one point: values (blue) and adjoints d{}/dv "
      "(red), edges labelled with local partials\ndigraph gradc {{\n  rankdir=LR;\n"
      "  node [fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n",
      kVersion, source_file, L);
  for (NodeId v : cg.vertices) {
    std::string label = "<b>" + html(r.reference(v)) + "</b>";
    if (cg.g[v].op != Op::Input) label += "<br/>= " + html(r.definition(v));
    label += "<br/><font color=\"#1f5fbf\">" + html(n.number(cg.value[v])) + "</font>";
    if (auto a = adjoint.find(v); a != adjoint.end())
      label += "<br/><font color=\"#c0392b\">" +
               html(n.total(L, r.reference(v)) + " = " + n.number(a->second.value)) + "</font>";
    out += fmt::format("  n{} [label=<{}>, shape={}];\n", v, label,
                       cg.g[v].op == Op::Input ? "box" : "ellipse");
  }
  for (const Edge& e : cg.edges) {
    std::string partial =
        n.partial(r.reference(e.to), r.reference(e.from)) + " = " + r.reference(e.partial);
    if (!cg.g.is_const(e.partial)) partial += " = " + n.number(cg.value[e.partial]);
    out += fmt::format("  n{} -> n{} [label=<{}>];\n", e.from, e.to, html(partial));
  }
  return out + "}\n";
}

}  // namespace

// The notation line: the total derivative in the names the steps below
// use (`output`: the one the array derivation gives), the outputs listed
// up to kNotationOutputs.
static std::string notation_line(const Compiled& c, bool forward_mode, const std::string* output) {
  std::string total;
  if (forward_mode) {
    total = "dv/dx is the total derivative of v with respect to the input x";
  } else {
    const std::vector<std::string>& names = c.names.outputs;
    total = fmt::format("d{0}/du is the total derivative of {0} with respect to u",
                        output ? *output : names[0]);
    constexpr size_t kNotationOutputs = 8;
    const size_t listed = names.size() <= kNotationOutputs + 1 ? names.size() : kNotationOutputs;
    for (size_t i = 1; i < listed; ++i)
      total += fmt::format("{}{}", i == 1 ? ", and likewise for " : ", ", names[i]);
    if (listed < names.size())
      total += fmt::format(" and the {} other outputs", names.size() - listed);
  }
  return fmt::format("Notation: ∂v/∂u is the local partial of v with respect to u (the other "
                     "values held fixed); {}.\n", total);
}

Explanation explain(const Compiled& c, const std::vector<double>& point,
                    const ExplainOptions& opts, const std::string& source_file) {
  CompGraph cg = build_graph(c, point);
  if (opts.dot) {
    if (cg.s.steps.size() > kMaxExplainedValues)
      return {fmt::format("// gradc {}: {} has {} intermediate values, more than the {} "
                          "--explain draws\ndigraph gradc {{\n}}\n", kVersion, source_file,
                          cg.s.steps.size(), kMaxExplainedValues), {}, false};
    return {derivative_dot(c, cg, source_file), {}, true};
  }
  Notation n(opts.latex);
  Explainer e(c, cg, opts);
  std::string mode = opts.forward_mode ? "forward mode" : "reverse mode";
  std::string out = opts.latex ? fmt::format("% gradc {}: {} explained at one point ({})\n",
                                             kVersion, source_file, mode)
                               : fmt::format("# gradc {}: {} explained at one point ({})\n",
                                             kVersion, source_file, mode);
  std::string at = point.empty() ? "The program has no inputs."
                                 : fmt::format("At {}.", point_text(c, point, n));
  out += opts.latex ? fmt::format("\\noindent {}\n", at) : at + "\n";
  size_t m = c.outputs.size(), k = c.wrt_nodes.size();
  // An array program: the chain rule over whole variables.
  std::optional<ArrayExplanation> arrays;
  if (!opts.forward_mode) arrays = explain_arrays(c, point, opts.latex);
  if (!opts.latex) out += notation_line(c, opts.forward_mode, arrays ? &arrays->output : nullptr);
  if (arrays) return {out + arrays->text, std::move(arrays->jacobian), true};
  std::vector<double> jac(m * k);
  for (const Variable& v : c.prog.definitions)
    if (!v.is_scalar()) {
      out += n.text(fmt::format("Arrays are shown element by element ({}{}, ...).\n", v.name,
                                element_suffix(v.shape, 0)));
      break;
    }
  // The values the forward pass would list: the steps, and the definitions'
  // elements that are not steps of their own.
  size_t values = cg.s.steps.size();
  for (const Variable& d : c.prog.definitions)
    for (size_t i = 0; i < d.nodes.size(); ++i) values += !own_step(cg.s, d, i);
  if (values > kMaxExplainedValues) {
    out += n.text(fmt::format("\nThe program has {} intermediate values, more than the {} "
                              "--explain works through step by step; its derivatives:\n",
                              values, kMaxExplainedValues));
    for (size_t i = 0; i < m * k; ++i) jac[i] = cg.value[c.jacobian[i]];
    out += e.result(jac);
    return {std::move(out), std::move(jac), false};
  }
  out += e.forward_pass();
  out += e.local_partials();
  if (opts.forward_mode) {
    std::vector<double> column(m);
    for (size_t j = 0; j < k; ++j) {
      out += e.tangent_pass(j, column);
      for (size_t i = 0; i < m; ++i) jac[i * k + j] = column[i];
    }
  } else {
    std::vector<double> row(k);
    for (size_t i = 0; i < m && k > 0; ++i) {
      out += e.backward_pass(i, row);
      std::copy(row.begin(), row.end(), jac.begin() + long(i * k));
    }
  }
  out += e.result(jac);
  return {std::move(out), std::move(jac), true};
}

}  // namespace gradc
