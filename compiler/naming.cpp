// naming.cpp - the names of what a compiled program computes: its variables'
// scalars, the derivative variables dOUT_dIN and d2OUT_dIN1_dIN2, and the
// preferred names the kernels give their values.
#include "naming.h"

#include "front/value.h"

namespace gradc {

// `base` for a scalar, `base_i_j` for element [i,j] of an array.
std::string element_name(const std::string& base, const Shape& shape, size_t flat) {
  std::string suffix = element_suffix(shape, flat, "_");
  if (suffix.empty()) return base;
  return base + "_" + suffix.substr(1, suffix.size() - 2);
}

// Source names: inputs and the first scalar definition of each node. Scalar
// names are fixed (they always get a statement); array elements get loose
// names (`s1_0`), used when the element is shared anyway and no scalar
// definition names it. Later definitions of the same node are aliases
// (print.cpp).
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
      if (v.is_scalar()) h.claim(n, v.name);
      else h.suggest(n, element_name(v.name, v.shape, i), false);
    }
  }
  for (const Variable& v : p.outputs) h.reserved.insert(v.name);
  return h;
}

// Flat names of every scalar of `vars`: `x`, `W[0,1]`.
std::vector<std::string> scalar_names(const std::vector<Variable>& vars,
                                      const std::vector<uint32_t>* only) {
  std::vector<std::string> names;
  auto add = [&](const Variable& v) {
    for (size_t i = 0; i < v.size(); ++i) names.push_back(v.name + element_suffix(v.shape, i));
  };
  if (only) for (uint32_t j : *only) add(vars[j]);
  else for (const Variable& v : vars) add(v);
  return names;
}

// One DerivativeVar per (output, wrt input) pair (the flat name of each
// Jacobian entry: derivative_entry_names). Names are kept clear of the
// program's own.
void name_derivatives(Compiled& c, std::unordered_set<std::string>& used) {
  const Program& p = c.prog;
  size_t k = c.num_wrt(), row = 0;
  const std::vector<const Variable*> wrt = p.wrt_variables();
  for (uint32_t o = 0; o < p.outputs.size(); ++o) {
    const Variable& out = p.outputs[o];
    size_t col = 0;
    for (uint32_t in_index = 0; in_index < wrt.size(); ++in_index) {
      const Variable& in = *wrt[in_index];
      DerivativeVar d{unique_name("d" + out.name + "_d" + in.name, used), o, in_index, out.shape, {}};
      d.shape.insert(d.shape.end(), in.shape.begin(), in.shape.end());
      for (size_t i = 0; i < out.size(); ++i)
        for (size_t j = 0; j < in.size(); ++j) d.nodes.push_back(c.jacobian[(row + i) * k + col + j]);
      col += in.size();
      c.derivatives.push_back(std::move(d));
    }
    row += out.size();
  }
}


std::vector<std::string> derivative_entry_names(const Compiled& c) {
  std::vector<std::string> names(c.jacobian.size());
  const size_t k = c.num_wrt();
  size_t row = 0, col = 0;
  uint32_t output = 0;
  for (const DerivativeVar& d : c.derivatives) {  // per output, its wrt variables in order
    if (d.output != output) {
      row += c.prog.outputs[output].size();
      output = d.output;
      col = 0;
    }
    const size_t out_size = c.prog.outputs[d.output].size(), in_size = d.nodes.size() / out_size;
    for (size_t i = 0; i < out_size; ++i)
      for (size_t j = 0; j < in_size; ++j)
        names[(row + i) * k + col + j] = d.name + element_suffix(d.shape, i * in_size + j);
    col += in_size;
  }
  return names;
}

// One DerivativeVar per (output, wrt input, wrt input) triple: the second
// derivatives d2OUT_dIN1_dIN2 of shape out + in1 + in2, read off the
// m x k x k Hessian.
void name_second_derivatives(Compiled& c, std::unordered_set<std::string>& used) {
  const Program& p = c.prog;
  const size_t k = c.num_wrt();
  size_t row = 0;
  const std::vector<const Variable*> wrt = p.wrt_variables();
  for (uint32_t o = 0; o < p.outputs.size(); ++o) {
    const Variable& out = p.outputs[o];
    size_t col1 = 0;
    for (uint32_t in1 = 0; in1 < wrt.size(); ++in1) {
      const Variable& a = *wrt[in1];
      size_t col2 = 0;
      for (uint32_t in2 = 0; in2 < wrt.size(); ++in2) {
        const Variable& b = *wrt[in2];
        DerivativeVar d{unique_name("d2" + out.name + "_d" + a.name + "_d" + b.name, used), o,
                        in1, out.shape, {}, in2};
        d.shape.insert(d.shape.end(), a.shape.begin(), a.shape.end());
        d.shape.insert(d.shape.end(), b.shape.begin(), b.shape.end());
        for (size_t i = 0; i < out.size(); ++i)
          for (size_t ja = 0; ja < a.size(); ++ja)
            for (size_t jb = 0; jb < b.size(); ++jb)
              d.nodes.push_back(c.hessian[((row + i) * k + col1 + ja) * k + col2 + jb]);
        c.second_derivatives.push_back(std::move(d));
        col2 += b.size();
      }
      col1 += a.size();
    }
    row += out.size();
  }
}

}  // namespace gradc
