// emit_cpp.cpp - writes the scheduled kernels as formatted C++17.
#include "emit_cpp.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string_view>

#include "expr_render.h"
#include "version.h"

namespace gradc {

namespace {

// C library functions a kernel name must not shadow (extern "C" names share
// one namespace with libm).
constexpr std::string_view kLibcNames[] = {
    "exp", "log", "log1p", "expm1", "sqrt", "cbrt", "sin", "cos", "tan", "asin", "acos",
    "atan", "sinh", "cosh", "tanh", "erf", "fabs", "floor", "ceil", "pow", "atan2", "fmax",
    "fmin", "abs", "exit", "malloc", "free", "printf", "memcpy", "memset", "strlen", "log2",
    "log10", "exp2", "round", "trunc", "erfc", "hypot", "fma", "time",
};

bool contains(auto& list, std::string_view s) {
  for (auto x : list)
    if (x == s) return true;
  return false;
}

// "x, y, z" (up to 12 names, then "...")
std::string name_list(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i == 12) return out + fmt::format(", ... ({} in all)", names.size());
    out += (i ? ", " : "") + names[i];
  }
  return out.empty() ? "(none)" : out;
}

struct Names {
  std::vector<std::string> inputs, outputs, wrt;      // variable names
  std::vector<size_t> input_sizes, output_sizes, wrt_sizes;
};

Names abi_names(const Compiled& c) {
  Names n;
  for (const Variable& v : c.prog.inputs) {
    n.inputs.push_back(v.name);
    n.input_sizes.push_back(v.size());
  }
  for (const Variable& v : c.prog.outputs) {
    n.outputs.push_back(v.name);
    n.output_sizes.push_back(v.size());
  }
  for (uint32_t j : c.prog.wrt) {
    n.wrt.push_back(c.prog.inputs[j].name);
    n.wrt_sizes.push_back(c.prog.inputs[j].size());
  }
  return n;
}

// `const double x = in[0];` for a scalar input, a pointer for an array
// input, each once and only if the kernel reads it.
std::string input_declarations(const Program& p, const Schedule& s) {
  std::vector<bool> used(p.num_input_scalars(), false);
  for (NodeId id : s.inputs) used[p.graph[id].a] = true;
  std::string out;
  size_t offset = 0;
  for (const Variable& v : p.inputs) {
    bool any = std::find(used.begin() + long(offset), used.begin() + long(offset + v.size()),
                         true) != used.begin() + long(offset + v.size());
    if (any && v.is_scalar())
      out += fmt::format("  const double {} = in[{}];\n", cpp_identifier(v.name), offset);
    else if (any)
      out += fmt::format("  const double* const {} = in + {};  // {}{}, row-major\n",
                         cpp_identifier(v.name), offset, v.name, shape_text(v.shape));
    offset += v.size();
  }
  return out.empty() ? "  (void)in;\n" : out;
}

// One kernel body: input loads, one statement per scheduled node, stores.
std::string kernel_body(const Compiled& c, const Schedule& s, ExprRenderer& r, bool grad) {
  std::string body = input_declarations(c.prog, s);
  bool in_reverse = false;
  for (NodeId id : s.steps) {
    if (!in_reverse && id >= c.forward_nodes) {
      body += "  // reverse sweep: adjoints of the values above\n";
      in_reverse = true;
    }
    body += fmt::format("  const double {} = {};\n", cpp_identifier(s.name(id)), r.definition(id));
  }
  for (size_t i = 0; i < c.outputs.size(); ++i)
    body += fmt::format("  out[{}] = {};  // {}\n", i, r.reference(c.outputs[i]), c.output_names[i]);
  if (!grad) return body;
  size_t k = c.num_wrt();
  if (c.jacobian.empty()) body += "  (void)jac;\n";
  for (size_t i = 0; i < c.jacobian.size(); ++i)
    body += fmt::format("  jac[{}] = {};  // d {} / d {}\n", i, r.reference(c.jacobian[i]),
                        c.output_names[i / k], c.wrt_names[i % k]);
  return body;
}

std::string string_array(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) out += fmt::format("{}\"{}\"", i ? ", " : "", names[i]);
  return out;
}

std::string size_array(const std::vector<size_t>& sizes) {
  std::string out;
  for (size_t i = 0; i < sizes.size(); ++i) out += fmt::format("{}{}", i ? ", " : "", sizes[i]);
  return out;
}

size_t total(const std::vector<size_t>& sizes) {
  size_t n = 0;
  for (size_t s : sizes) n += s;
  return n;
}

std::string header(const Compiled& c, const std::string& name, const std::string& source_file) {
  Names n = abi_names(c);
  size_t inputs = total(n.input_sizes), m = total(n.output_sizes), k = total(n.wrt_sizes);
  std::string guard = "GRADC_" + name + "_HPP";
  for (char& ch : guard) ch = char(std::toupper(static_cast<unsigned char>(ch)));
  auto names_decl = [](std::string_view what, const std::vector<std::string>& v) {
    if (v.empty()) return fmt::format("inline constexpr const char* const* {}_names = nullptr;\n", what);
    return fmt::format("inline constexpr const char* {}_names[] = {{{}}};\n", what, string_array(v));
  };
  auto sizes_decl = [](std::string_view what, const std::vector<size_t>& v) {
    if (v.empty()) return fmt::format("inline constexpr const int* {}_sizes = nullptr;\n", what);
    return fmt::format("inline constexpr int {}_sizes[] = {{{}}};\n", what, size_array(v));
  };
  std::string h = fmt::format(
      "// Generated by gradc {} from {}; do not edit.\n"
      "// Kernels (gradc ABI): inputs in[{}], outputs out[{}], Jacobian jac[{}*{}] with\n"
      "// jac[i*{} + j] = d out_i / d wrt_j.\n"
      "#ifndef {}\n#define {}\n\n"
      "#ifdef __cplusplus\nextern \"C\" {{\n#endif\n\n"
      "/// out = {} from in = {}.\n"
      "void {}(const double* in, double* out);\n"
      "/// out as above; jac = d({}) / d({}), row-major.\n"
      "void {}_grad(const double* in, double* out, double* jac);\n\n"
      "#ifdef __cplusplus\n}}  // extern \"C\"\n\n"
      "/// {}'s sizes in scalars (num_*), and its input, output and wrt variables\n"
      "/// in ABI order with their sizes (arrays flattened row-major).\n"
      "namespace {}_info {{\n"
      "inline constexpr int num_inputs = {};\n"
      "inline constexpr int num_outputs = {};\n"
      "inline constexpr int num_wrt = {};\n",
      kVersion, source_file, inputs, m, m, k, k, guard, guard, name_list(n.outputs),
      name_list(n.inputs), name, name_list(n.outputs), name_list(n.wrt), name, name, name,
      inputs, m, k);
  h += names_decl("input", n.inputs) + sizes_decl("input", n.input_sizes) +
       names_decl("output", n.outputs) + sizes_decl("output", n.output_sizes) +
       names_decl("wrt", n.wrt) + sizes_decl("wrt", n.wrt_sizes);
  h += fmt::format("}}  // namespace {}_info\n#endif  // __cplusplus\n\n#endif  // {}\n", name, guard);
  return h;
}

}  // namespace

bool is_valid_kernel_name(const std::string& name) {
  if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_'))
    return false;
  for (char ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_') return false;
  bool reserved = cpp_identifier(name) != name && !name.ends_with("_");
  return !reserved && !name.starts_with("gradc_") && !contains(kLibcNames, name);
}

CppFiles emit_cpp(const Compiled& c, const std::string& name, const std::string& source_file) {
  const Graph& g = c.prog.graph;
  Schedule fwd = make_schedule(g, c.outputs, c.forward_hints);
  Schedule grad = make_schedule(g, c.all_roots(), c.grad_hints);
  ExprRenderer rf(g, fwd, Dialect::Cpp, &c.prog), rg(g, grad, Dialect::Cpp, &c.prog);
  std::string fwd_body = kernel_body(c, fwd, rf, false);
  std::string grad_body = kernel_body(c, grad, rg, true);

  Names n = abi_names(c);
  CppFiles files;
  files.source = fmt::format(
      "// Generated by gradc {} from {}; do not edit.\n"
      "//\n"
      "//   {}(in, out)            out = {}\n"
      "//   {}_grad(in, out, jac)  also jac[i*{} + j] = d out_i / d wrt_j\n"
      "//   in  = {}\n"
      "//   wrt = {}\n"
      "//\n"
      "// Pure functions: no globals, no allocation, no I/O. Needs only <cmath>.\n"
      "#include <cmath>\n\n",
      kVersion, source_file, name, name_list(n.outputs), name, total(n.wrt_sizes),
      name_list(n.inputs), name_list(n.wrt));
  std::set<Op> helpers = rf.helpers_used();
  helpers.insert(rg.helpers_used().begin(), rg.helpers_used().end());
  for (Op op : helpers) files.source += std::string(cpp_helper_source(op)) + "\n";
  files.source += fmt::format("extern \"C\" void {}(const double* in, double* out) {{\n{}}}\n\n",
                              name, fwd_body);
  files.source += fmt::format(
      "extern \"C\" void {}_grad(const double* in, double* out, double* jac) {{\n{}}}\n", name,
      grad_body);
  files.header = header(c, name, source_file);
  return files;
}

}  // namespace gradc
