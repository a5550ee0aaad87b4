// emit_cpp.cpp - writes the scheduled kernels as formatted C++17.
#include "emit/emit_cpp.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

#include "emit/cpp_kernel.h"
#include "plan/kernel_plan.h"
#include "emit/expr_render.h"
#include "support/version.h"

namespace gradc {

namespace {

// "x, y, z" (up to 12 names, then "..."; `count` says how many in all)
std::string name_list(const std::vector<std::string>& names, bool count = true) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i == 12) return out + (count ? fmt::format(", ... ({} in all)", names.size()) : ", ...");
    out += (i ? ", " : "") + names[i];
  }
  return out.empty() ? "(none)" : out;
}

// "x, y (k = 2)"; past 12 names "a, ..., l, ... (13 variables, k = 500)".
std::string wrt_list(const std::vector<std::string>& names, size_t k) {
  if (names.size() <= 12) return fmt::format("{} (k = {})", name_list(names), k);
  return fmt::format("{} ({} variables, k = {})", name_list(names, false), names.size(), k);
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
  for (const Variable* v : c.prog.wrt_variables()) {
    n.wrt.push_back(v->name);
    n.wrt_sizes.push_back(v->size());
  }
  return n;
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

// "in, out, jac"
std::string argument_names(const KernelSpec& k) {
  std::string out;
  for (const KernelArray& a : k.args) out += (out.empty() ? "" : ", ") + a.name;
  return out;
}

size_t total(const std::vector<size_t>& sizes) {
  size_t n = 0;
  for (size_t s : sizes) n += s;
  return n;
}

}  // namespace

// The declarations of every kernel, each with what its arrays hold.
std::string kernel_declarations(const Compiled& c, const std::string& name) {
  std::string out;
  for (const KernelSpec& k : c.kernels) {
    if (!c.emits(k.kind)) continue;
    out += fmt::format("/// {}{}: {}.\n", name, kernel_suffix(k.kind), kernel_summary(k.kind));
    for (const KernelArray& a : k.args)
      if (!a.doc.empty()) out += fmt::format("///   {}\n", a.doc);
    out += fmt::format("void {}{}({});\n", name, kernel_suffix(k.kind), cpp_parameters(k));
    if (c.emits_batch(k.kind)) {
      out += fmt::format("/// {0}{1}_batch: {0}{1} at each of count points, stored one after\n"
                         "///   another (in[count*{2}], ...).\n",
                         name, kernel_suffix(k.kind), k.args[0].size);
      out += fmt::format("void {}{}_batch(size_t count, {});\n", name, kernel_suffix(k.kind),
                         cpp_parameters(k));
    }
  }
  return out;
}

// The kernels' prototypes for the .cpp, which does not include its header:
// each extern "C" function declared before its definition, as
// -Wmissing-declarations (GCC) and -Wmissing-prototypes (clang) ask.
std::string kernel_prototypes(const Compiled& c, const std::string& name) {
  std::string out;
  for (const KernelSpec& k : c.kernels) {
    if (!c.emits(k.kind)) continue;
    out += fmt::format("void {}{}({});\n", name, kernel_suffix(k.kind), cpp_parameters(k));
    if (c.emits_batch(k.kind))
      out += fmt::format("void {}{}_batch(std::size_t count, {});\n", name, kernel_suffix(k.kind),
                         cpp_parameters(k));
  }
  return out.empty() ? out : fmt::format("extern \"C\" {{\n{}}}\n\n", out);
}

std::string cpp_header(const Compiled& c, const std::string& name, const std::string& source_file) {
  Names n = abi_names(c);
  size_t inputs = total(n.input_sizes), m = total(n.output_sizes), k = total(n.wrt_sizes);
  // The name as it is (not upper-cased): kernels k and K need two guards.
  std::string guard = "GRADC_" + name + "_HPP";
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
      "// Kernels (gradc ABI): inputs in[{}] = {}; outputs out[{}] = {};\n"
      "// derivatives with respect to the k = {} scalars of {}.\n"
      "// A kernel's arrays must not overlap (the LLVM kernels declare them noalias).\n"
      "#ifndef {}\n#define {}\n\n{}"
      "#ifdef __cplusplus\nextern \"C\" {{\n#endif\n\n",
      kVersion, source_file, inputs, name_list(n.inputs), m, name_list(n.outputs), k,
      name_list(n.wrt), guard, guard, c.emits_any_batch() ? "#include <stddef.h>\n\n" : "");
  h += kernel_declarations(c, name);
  h += fmt::format(
      "\n#ifdef __cplusplus\n}}  // extern \"C\"\n#endif\n\n"
      "// C++17: inline variables (MSVC sets __cplusplus only with /Zc:__cplusplus).\n"
      "#if defined(__cplusplus) && \\\n"
      "    (__cplusplus >= 201703L || (defined(_MSVC_LANG) && _MSVC_LANG >= 201703L))\n"
      "/// {}'s sizes in scalars (num_*), and its input, output and wrt variables\n"
      "/// in ABI order with their sizes (arrays flattened row-major).\n"
      "namespace {}_info {{\n"
      "inline constexpr int num_inputs = {};\n"
      "inline constexpr int num_outputs = {};\n"
      "inline constexpr int num_wrt = {};\n",
      name, name, inputs, m, k);
  h += names_decl("input", n.inputs) + sizes_decl("input", n.input_sizes) +
       names_decl("output", n.outputs) + sizes_decl("output", n.output_sizes) +
       names_decl("wrt", n.wrt) + sizes_decl("wrt", n.wrt_sizes);
  if (c.emits(KernelKind::Sparse)) {  // the pattern of NAME_grad_sparse's jac_nz
    std::vector<size_t> colptr(c.jac_colptr.begin(), c.jac_colptr.end()),
        rowind(c.jac_rowind.begin(), c.jac_rowind.end());
    h += fmt::format(
        "/// {}_grad_sparse's jac_nz in compressed columns: column j's rows are\n"
        "/// jac_rowind[jac_colptr[j] .. jac_colptr[j+1]).\n"
        "inline constexpr int jac_nnz = {};\n"
        "inline constexpr int jac_colptr[] = {{{}}};\n",
        name, rowind.size(), size_array(colptr));
    h += rowind.empty() ? "inline constexpr const int* jac_rowind = nullptr;\n"
                        : fmt::format("inline constexpr int jac_rowind[] = {{{}}};\n", size_array(rowind));
  }
  h += fmt::format("}}  // namespace {}_info\n#endif  // C++17\n\n#endif  // {}\n", name, guard);
  return h;
}

CppFiles emit_cpp(const Compiled& c, const std::string& name, const std::string& source_file) {
  const Graph& g = c.prog.graph;
  std::string kernels, listing;
  std::set<Op> helpers;
  std::string stack_note;  // kernels keeping many values on the stack
  bool lanes = false;  // does a kernel use gradc_v2?
  for (const KernelSpec& k : c.kernels) {
    if (!c.emits(k.kind)) continue;
    // Lane groups (gradients only: plan/lanes.h) in one-point kernels, not
    // in one that a batch loop vectorizes across points.
    const bool one_point = !c.emits_batch(k.kind);
    KernelPlan plan = make_kernel_plan(g, k, c.plan_options(one_point, one_point));
    lanes = lanes || !plan.lanes.empty();
    ExprRenderer r(g, plan.schedule, Dialect::Cpp, &c.prog);
    r.set_directions(k.directions());
    std::string fn = name + std::string(kernel_suffix(k.kind));
    if (plan.num_slots > kLargeScratchSlots)
      stack_note += fmt::format("// {} keeps {} values on the stack ({} KiB).\n", fn, plan.num_slots,
                                (uint64_t{plan.num_slots} * sizeof(double) + 1023) / 1024);
    if (!kernels.empty()) kernels += "\n";
    kernels += cpp_kernel(c, plan, r, fn);
    helpers.insert(r.helpers_used().begin(), r.helpers_used().end());
    listing += fmt::format("//   {}({})  {}\n", fn, argument_names(k), kernel_summary(k.kind));
    if (c.emits_batch(k.kind)) {
      kernels += '\n';
      kernels += cpp_batch_kernel(k, fn, plan.split());
      listing += fmt::format("//   {}_batch(count, {})  {} at count points\n", fn,
                             argument_names(k), fn);
    }
  }
  Names n = abi_names(c);
  CppFiles files;
  files.source = fmt::format(
      "// Generated by gradc {} from {}; do not edit.\n"
      "//\n{}"
      "//   in  = {}\n"
      "//   out = {}\n"
      "//   wrt = {}\n"
      "//\n{}{}",
      kVersion, source_file, listing, name_list(n.inputs), name_list(n.outputs),
      wrt_list(n.wrt, total(n.wrt_sizes)),
      stack_note,
      c.emits_any_batch()
          ? "// Pure functions: no globals, no allocation, no I/O. Needs only <cmath>\n"
            "// and <cstddef>.\n#include <cmath>\n"
          : "// Pure functions: no globals, no allocation, no I/O. Needs only <cmath>.\n"
            "#include <cmath>\n");
  if (c.emits_any_batch())
    files.source +=
        "#include <cstddef>\n"
        "// The _batch loops compute several points per instruction when built\n"
        "// with clang -O3 -fveclib=libmvec -fno-math-errno (-march=native or\n"
        "// another for wider vectors; link with -lmvec): see docs/semantics.md.\n";
  files.source += '\n';
  files.source += kernel_prototypes(c, name);
  // Each helper once per translation unit, so that the files of several
  // programs can be compiled as one (a unity build).
  for (Op op : helpers) {
    std::string guard = "GRADC_HELPER_" + std::string(cpp_helper_name(op));
    for (char& ch : guard) ch = char(std::toupper(static_cast<unsigned char>(ch)));
    files.source += fmt::format("#ifndef {0}\n#define {0}\n{1}#endif\n\n", guard,
                                cpp_helper_source(op));
  }
  if (lanes) files.source += kLaneTypeSource;
  files.source += kernels;
  files.header = cpp_header(c, name, source_file);
  return files;
}

}  // namespace gradc
