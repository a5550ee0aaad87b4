// cpp_names.cpp - the renaming of program variables and the check of kernel
// names (see cpp_names.h); what the C++ implementation owns is in
// cpp_reserved.cpp.
#include "emit/cpp_names.h"

#include <fmt/format.h>

#include <cctype>

#include <iterator>
#include <set>

#include "emit/cpp_reserved.h"
#include "emit/expr_render.h"
#include "plan/kernel_spec.h"

namespace gradc {

namespace {

// What the generated code declares itself: the kernels' parameters (SPEC 3;
// kernel_spec.cpp and kernels.cpp name them) and the scratch array `s` of a
// split kernel. `std` is not needed by the language (lookup before `::`
// ignores variables) but would read badly.
constexpr std::string_view kOwnNames[] = {"in", "out", "jac", "v",  "u",      "jv",
                                          "uj", "hess", "hv", "jac_nz", "s", "std"};

bool is_identifier(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name)
    if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
      return false;
  return true;
}

// The names a local variable cannot take by list (the rules of
// is_reserved_identifier aside): keywords, every macro of <cmath> and of the
// C headers a caller includes (a unity build puts them before the kernels:
// `errno`, `assert`, `EOF`), the global types and variables of those
// headers (`size_t`: g++'s -Wshadow), the kernels' own names and the
// helpers they call. One hash lookup, as every value of a kernel is checked.
const std::unordered_set<std::string_view>& listed_non_locals() {
  static const std::unordered_set<std::string_view> set = [] {
    std::unordered_set<std::string_view> s(std::begin(kOwnNames), std::end(kOwnNames));
    for (ReservedList l :
         {ReservedList::Keywords, ReservedList::CodeMacros, ReservedList::CallerMacros,
          ReservedList::LibraryGlobals})
      s.insert(reserved_list(l).begin(), reserved_list(l).end());
#define GRADC_OP(n, ...) \
  if (!cpp_helper_name(Op::n).empty()) s.insert(cpp_helper_name(Op::n));
#include "ir/ops.def"
    return s;
  }();
  return set;
}

// Can a renaming (stem + "_", or stem + "_" + digits) be `name`?
bool renaming_form(std::string_view name) {
  size_t digits = name.size();
  while (digits > 0 && name[digits - 1] >= '0' && name[digits - 1] <= '9') --digits;
  return digits > 0 && name[digits - 1] == '_' && (digits == name.size() || digits > 1);
}

// `name` with runs of '_' collapsed and leading and trailing '_' dropped;
// "v" before it if it would be empty or start with a digit.
std::string stem(std::string_view name) {
  std::string s;
  for (char c : name)
    if (c != '_' || (!s.empty() && s.back() != '_')) s += c;
  if (!s.empty() && s.back() == '_') s.pop_back();
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) s = "v" + s;
  return s;
}

// The prefixes of gradc's own names in the generated code: its helpers
// (`gradc_sigmoid`), the lane type (`gradc_v2`) and its macros
// (`GRADC_LANES_V2`, `GRADC_PORTABLE`, `GRADC_HELPER_...`). Macros are
// case-sensitive, so `Gradc_x` is a plain name.
bool has_gradc_prefix(std::string_view name) {
  return name.starts_with("gradc_") || name.starts_with("GRADC_");
}

// `name` without gradc's prefixes (`gradc_GRADC_x` -> `x`); the renaming of
// a name that has one starts from there, as no suffix could clear it.
std::string_view without_gradc_prefix(std::string_view name) {
  while (has_gradc_prefix(name)) name.remove_prefix(6);
  return name;
}

// Why the kernels cannot define or declare `symbol`, or "".
std::string symbol_problem(const std::string& symbol) {
  if (is_cpp_keyword(symbol)) return "a C++ keyword";
  if (is_c_only_keyword(symbol)) return "a C keyword (the kernels' header is C too)";
  if (is_reserved_identifier(symbol))
    return "reserved for the C++ implementation (it contains '__' or starts with '_' and an "
           "uppercase letter)";
  if (is_header_macro(symbol))
    return "a macro of the C library headers (C or C++) or the compiler";
  if (is_c_library_symbol(symbol))
    return "a name of the C library (libc, libm or its start files), which an extern \"C\" "
           "kernel would collide with";
  if (has_gradc_prefix(symbol))
    return fmt::format("reserved for gradc's own code (it starts with '{}')", symbol.substr(0, 6));
  if (symbol == "main") return "the program's entry point";
  if (symbol == "std") return "the C++ standard library's namespace";
  return "";
}

}  // namespace

bool is_plain_cpp_local(std::string_view name) {
  return is_identifier(name) && !is_reserved_identifier(name) && !has_gradc_prefix(name) &&
         !listed_non_locals().count(name);
}

CppNames::CppNames(const std::vector<std::string>& scope) {
  std::set<std::string> to_rename;  // sorted: renamings do not depend on the order of use
  for (const std::string& n : scope) {
    if (!is_plain_cpp_local(n))
      to_rename.insert(n);
    else if (renaming_form(n))  // only these can meet a renaming
      kept_.insert(n);
  }
  for (const std::string& n : to_rename) rename(n);
}

std::string CppNames::operator()(const std::string& name) const {
  if (!renamed_.empty())
    if (auto it = renamed_.find(name); it != renamed_.end()) return it->second;
  if (is_plain_cpp_local(name) && !given_.count(name)) {
    if (renaming_form(name)) kept_.insert(name);  // a name outside the scope: keep it kept
    return name;
  }
  return rename(name);
}

std::string CppNames::rename(const std::string& name) const {
  std::string base = stem(without_gradc_prefix(stem(name)));
  if (has_gradc_prefix(base + "_")) base = "v" + base;  // `gradc_` -> `vgradc_`: `gradc_2` is gradc's
  std::string cpp = base + "_";
  for (int i = 2; !is_plain_cpp_local(cpp) || kept_.count(cpp) || given_.count(cpp); ++i)
    cpp = fmt::format("{}_{}", base, i);
  given_.insert(cpp);
  renamed_.emplace(name, cpp);
  return cpp;
}

std::string kernel_name_problem(const std::string& name) {
  if (!is_identifier(name))
    return "it is not an identifier (letters, digits and '_', not starting with a digit)";
  if (std::string why = symbol_problem(name); !why.empty()) return "it is " + why;
  if (name.starts_with('_'))
    return "reserved for the C++ implementation at global scope, where the kernels are "
           "(it starts with '_')";
  // The other names the kernels' code declares: NAME_grad, ... (and SPEC 3's
  // batch kernels), and the header's namespace NAME_info.
  std::vector<std::string> suffixes;
  for (KernelKind k : kAllKernelKinds)
    if (k != KernelKind::Forward) suffixes.emplace_back(kernel_suffix(k));
  suffixes.insert(suffixes.end(), {"_batch", "_grad_batch", "_info"});
  for (const std::string& suffix : suffixes)
    if (std::string why = symbol_problem(name + suffix); !why.empty())
      return fmt::format("the generated code would declare '{}{}', which is {}", name, suffix, why);
  return "";
}

std::string kernel_name_from_file(std::string_view file_stem) {
  std::string s;
  for (char c : file_stem)
    s += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return stem(s);  // `my-model` -> `my_model`, `2layer` -> `v2layer`, `_x_` -> `x`
}

std::string kernel_name_suggestion(const std::string& name) {
  // `__x` -> `x`, `2d` -> `v2d`, `GRADC_k` -> `k`
  std::string s = stem(without_gradc_prefix(kernel_name_from_file(name)));
  for (const std::string& candidate : {s + "_kernel", std::string("kernel")})
    if (kernel_name_problem(candidate).empty()) return candidate;
  return "kernel";  // unreachable while "kernel" is no C library name
}

}  // namespace gradc
