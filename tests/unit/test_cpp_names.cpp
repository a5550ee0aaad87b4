// test_cpp_names.cpp - the names the generated C++ may use: the reserved
// lists (cpp_reserved.h), the renaming of program variables (CppNames) and
// the check of kernel names (kernel_name_problem). tests/names compiles the
// whole class through g++ and clang++.
#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "emit/cpp_names.h"
#include "emit/cpp_reserved.h"
#include "emit/expr_render.h"
#include "unit_support.h"

using namespace gradc;

namespace {

bool is_identifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// Every source name of `scope` with its C++ name.
std::map<std::string, std::string> renamings(const std::vector<std::string>& scope) {
  CppNames names(scope);
  std::map<std::string, std::string> out;
  for (const std::string& n : scope) out[n] = names(n);
  return out;
}

// One-to-one, plain, and plain names kept.
void check_mapping(const std::map<std::string, std::string>& m) {
  std::set<std::string> cpp;
  for (const auto& [source, name] : m) {
    INFO(source, " -> ", name);
    CHECK(is_plain_cpp_local(name));
    CHECK(name.find("__") == std::string::npos);
    if (is_plain_cpp_local(source)) CHECK(name == source);
    CHECK(cpp.insert(name).second);
  }
}

}  // namespace

TEST_CASE("cpp_reserved: the generated lists are sorted identifiers the rules do not cover") {
  for (ReservedList l : {ReservedList::CodeMacros, ReservedList::CallerMacros,
                         ReservedList::CHeaderMacros, ReservedList::LibrarySymbols,
                         ReservedList::LibraryGlobals}) {
    std::span<const std::string_view> list = reserved_list(l);
    CHECK(list.size() > 100);
    CHECK(std::adjacent_find(list.begin(), list.end(), std::greater_equal<>()) == list.end());
    for (std::string_view n : list) {
      INFO(std::string(n));
      CHECK(is_identifier(n));
      CHECK_FALSE(is_reserved_identifier(n));
    }
  }
  for (std::string_view n : reserved_list(ReservedList::CodeMacros)) {
    CHECK(is_code_macro(n));
    CHECK_FALSE(std::binary_search(reserved_list(ReservedList::CallerMacros).begin(),
                                   reserved_list(ReservedList::CallerMacros).end(), n));
  }
  for (const char* m : {"M_PI", "NAN", "INFINITY", "HUGE_VAL", "FP_NAN", "math_errhandling",
                        "unix", "linux", "i386", "NULL", "RAND_MAX", "EXIT_SUCCESS"})
    CHECK_MESSAGE(is_code_macro(m), m);
  // Every C library header of C++17 a caller may include: <csignal>,
  // <ctime>, <clocale>, <cfenv>, <cwchar>, <cinttypes>, <cstdarg> too.
  for (const char* m : {"EOF", "assert", "offsetof", "errno", "INT_MAX", "DBL_EPSILON", "SIGINT",
                        "SIG_ERR", "CLOCKS_PER_SEC", "TIME_UTC", "LC_ALL", "FE_ALL_EXCEPT",
                        "FE_DFL_ENV", "WEOF", "PRId64", "SCNd32", "va_start", "va_arg"}) {
    CHECK_MESSAGE(is_header_macro(m), m);
    CHECK_FALSE(is_code_macro(m));  // <cmath> does not define these: variables may use them
  }
  for (const char* f : {"fmod", "lgamma", "nan", "y0", "j1", "exp10", "isnan", "puts", "strcmp",
                        "rand", "select", "sin", "write", "time", "FILE", "size_t", "_exit",
                        "_start", "pow10"})
    CHECK_MESSAGE(is_c_library_symbol(f), f);
  for (const char* ok : {"fmod2", "kernel", "Y0", "x", "model", "step"})
    CHECK_FALSE(is_c_library_symbol(ok));
  for (const char* k : {"int", "and", "xor_eq", "char8_t", "co_await", "typeof"})
    CHECK(is_cpp_keyword(k));
  for (const char* k : {"restrict", "final", "import", "main", "x"}) CHECK_FALSE(is_cpp_keyword(k));
  for (const char* r : {"__x", "a__b", "x__", "_X", "__cplusplus", "_Complex"})
    CHECK(is_reserved_identifier(r));
  for (const char* r : {"_x", "_1", "_", "x_", "a_b"}) CHECK_FALSE(is_reserved_identifier(r));
}

TEST_CASE("CppNames: renamings, pinned") {
  const std::pair<const char*, const char*> table[] = {
      {"M_PI", "M_PI_"},   {"NAN", "NAN_"},       {"INFINITY", "INFINITY_"},
      {"HUGE_VAL", "HUGE_VAL_"}, {"FP_NAN", "FP_NAN_"}, {"math_errhandling", "math_errhandling_"},
      {"unix", "unix_"},   {"linux", "linux_"},   {"int", "int_"},
      {"typeof", "typeof_"}, {"in", "in_"},        {"jac_nz", "jac_nz_"},
      {"s", "s_"},         {"std", "std_"},       {"gradc_sigmoid", "sigmoid_"},
      {"__cplusplus", "cplusplus_"}, {"_Complex", "Complex_"}, {"a__b", "a_b_"},
      {"x__", "x_"},       {"__", "v_"},          {"__1x", "v1x_"},
      // macros of the headers a caller includes, which a unity build puts
      // before the kernels
      {"errno", "errno_"}, {"EOF", "EOF_"},       {"assert", "assert_"},
      {"stdout", "stdout_"},
      // kept: library functions (the code calls std::fabs), names that only
      // the global namespace reserves, names no header defines as a macro
      {"x", "x"},          {"W", "W"},            {"fabs", "fabs"},
      {"main", "main"},
      {"restrict", "restrict"}, {"_abc", "_abc"}, {"_1", "_1"},
      {"_", "_"},          {"x_", "x_"},          {"Gradc_x", "Gradc_x"},
      // gradc's own prefixes (its helpers, lane type and macros) are dropped
      {"gradc_x", "x_"},   {"gradc_v2", "v2_"},   {"GRADC_LANES_V2", "LANES_V2_"},
      {"GRADC_PORTABLE", "PORTABLE_"}, {"gradc_", "vgradc_"}, {"GRADC_", "vGRADC_"},
      {"gradc__GRADC_x", "x_"}, {"gradc_2", "v2_"}, {"GRADC_HELPER_GRADC_RELU", "HELPER_GRADC_RELU_"},
  };
  for (auto [source, cpp] : table) {
    CppNames names({source});
    CHECK_MESSAGE(names(source) == cpp, source);
  }
}

TEST_CASE("CppNames: one-to-one where renamings meet the program's own names") {
  std::vector<std::string> scope = {"int", "int_", "int_2", "in",  "in_", "__x", "x_",
                                    "x",   "_x_", "M_PI", "M_PI_", "_X", "X_", "X_2"};
  std::map<std::string, std::string> m = renamings(scope);
  check_mapping(m);
  CHECK(m["int_"] == "int_");
  CHECK(m["int"] == "int_3");
  CHECK(m["in"] == "in_2");
  CHECK(m["__x"] == "x_2");
  CHECK(m["M_PI"] == "M_PI_3");  // M_PI_ is the program's, M_PI_2 a macro
  CHECK(m["_X"] == "X_3");
  // The same whatever the order of the scope and of the lookups.
  std::mt19937 rng(7);
  for (int round = 0; round < 5; ++round) {
    std::shuffle(scope.begin(), scope.end(), rng);
    CppNames names(scope);
    for (auto it = scope.rbegin(); it != scope.rend(); ++it) CHECK(names(*it) == m[*it]);
  }
  // A name outside the scope is named on first use, clear of the others.
  CppNames late({"M_PI"});
  CHECK(late("M_PI") == "M_PI_");
  CHECK(late("M_PI_") == "M_PI_3");
  CHECK(late("y") == "y");
}

TEST_CASE("CppNames: one-to-one on random names and on every reserved name") {
  std::mt19937 rng(11);
  const std::string alphabet = "ab_AX1";
  for (int round = 0; round < 200; ++round) {
    std::vector<std::string> scope;
    for (int i = 0; i < 30; ++i) {
      std::string n;
      size_t len = 1 + rng() % 5;
      while (n.size() < len) n += alphabet[rng() % alphabet.size()];
      if (std::isdigit(static_cast<unsigned char>(n[0]))) n = "_" + n;
      if (rng() % 4 == 0) n = (rng() % 2 ? "gradc_" : "GRADC_") + n;
      scope.push_back(n);
    }
    check_mapping(renamings(scope));
  }
  std::vector<std::string> all;
  for (ReservedList l : {ReservedList::Keywords, ReservedList::CodeMacros,
                         ReservedList::CallerMacros, ReservedList::LibrarySymbols,
                         ReservedList::LibraryGlobals})
    for (std::string_view n : reserved_list(l)) {
      all.emplace_back(n);
      all.push_back(std::string(n) + "_");
      all.push_back("__" + std::string(n));
      all.push_back("gradc_" + std::string(n));
      all.push_back("GRADC_" + std::string(n));
    }
  check_mapping(renamings(all));
}

TEST_CASE("the names the kernels declare themselves are never plain") {
  CompileOptions opts;
  opts.kernels = {KernelKind::Forward, KernelKind::Grad, KernelKind::Jvp, KernelKind::Vjp,
                  KernelKind::Hess,    KernelKind::Hvp,  KernelKind::Sparse};
  Compiled c = unit::compile_ok("w = sigmoid(x*y) + relu(x)", opts);
  for (const KernelSpec& k : c.kernels)
    for (const KernelArray& a : k.args) CHECK_MESSAGE(!is_plain_cpp_local(a.name), a.name);
  CHECK_FALSE(is_plain_cpp_local("s"));  // the scratch array of a split kernel
  for (Op op : {Op::Sigmoid, Op::Softplus, Op::Gelu, Op::Sign, Op::Relu, Op::LeakyRelu, Op::Max,
                Op::Min})
    CHECK_FALSE(is_plain_cpp_local(std::string(cpp_helper_name(op))));
}

TEST_CASE("a local named like a global type or variable of the C library is renamed (-Wshadow)") {
  for (const char* g : {"size_t", "ptrdiff_t", "nullptr_t", "max_align_t", "float_t", "double_t",
                        "div_t", "ldiv_t", "lldiv_t", "int8_t", "time_t", "clock_t", "signgam",
                        "jmp_buf", "sig_atomic_t", "fenv_t", "mbstate_t", "wint_t", "stdin"})
    CHECK_MESSAGE(!is_plain_cpp_local(g), g);
  for (const char* f : {"time", "sin", "index", "y0", "gamma"})  // functions: no warning
    CHECK_MESSAGE(is_plain_cpp_local(f), f);
}

TEST_CASE("kernel_name_problem: every listed name is refused, close names are not") {
  for (ReservedList l : {ReservedList::Keywords, ReservedList::CodeMacros,
                         ReservedList::CallerMacros, ReservedList::CHeaderMacros,
                         ReservedList::LibrarySymbols})
    for (std::string_view n : reserved_list(l)) {
      std::string why = kernel_name_problem(std::string(n));
      CHECK_MESSAGE(!why.empty(), n);
    }
  auto problem = [](const char* n) { return kernel_name_problem(n); };
  for (const char* f : {"fmod", "lgamma", "nan", "y0", "j1", "exp10", "isnan", "puts", "strcmp",
                        "rand", "select", "sin", "_start"})
    CHECK_MESSAGE(problem(f).find("C library") != std::string::npos, f);
  for (const char* m : {"M_PI", "NAN", "unix", "assert", "offsetof", "I", "complex", "CMPLX",
                        "noreturn", "ATOMIC_VAR_INIT"})  // C only: <complex.h>, <stdatomic.h>
    CHECK_MESSAGE(problem(m).find("macro") != std::string::npos, m);
  for (const char* k : {"restrict", "typeof_unqual"})  // C keywords: the header is C too
    CHECK_MESSAGE(problem(k).find("C keyword") != std::string::npos, k);
  for (const char* local : {"I", "complex", "restrict", "noreturn"})  // C++ code never meets them
    CHECK_MESSAGE(is_plain_cpp_local(local), local);
  for (const char* r : {"_Complex", "__x", "_X", "_k2", "_2d"})
    CHECK_MESSAGE(problem(r).find("reserved for the C++ implementation") != std::string::npos, r);
  CHECK(problem("int").find("keyword") != std::string::npos);
  CHECK(problem("gradc_k").find("gradc") != std::string::npos);
  CHECK(problem("GRADC_LANES_V2").find("gradc's own") != std::string::npos);
  CHECK(problem("main").find("entry point") != std::string::npos);
  CHECK(problem("std").find("namespace") != std::string::npos);
  for (const char* bad : {"", "2d", "a-b", "a b"})
    CHECK(problem(bad).find("not an identifier") != std::string::npos);
  // k_ would declare k__grad, a reserved name.
  CHECK(problem("k_") == "the generated code would declare 'k__grad', which is reserved for the "
                         "C++ implementation (it contains '__' or starts with '_' and an "
                         "uppercase letter)");
  for (const char* ok : {"fmod2", "kernel", "Y0", "J1", "grad", "model", "my_kernel", "Model",
                         "k2", "v2d", "fmod_kernel", "step", "x", "errno_kernel"})
    CHECK_MESSAGE(problem(ok).empty(), ok);
}

TEST_CASE("kernel_name_from_file: the file's stem made into an identifier") {
  CHECK(kernel_name_from_file("model") == "model");
  CHECK(kernel_name_from_file("my-model") == "my_model");
  CHECK(kernel_name_from_file("2layer") == "v2layer");
  CHECK(kernel_name_from_file("_x__y_") == "x_y");
  CHECK(kernel_name_from_file("\xc3\xbcn\xc3\xaf") == "n");  // non-ASCII letters
  CHECK(kernel_name_from_file("--") == "v");
  for (const char* stem : {"2layer", "my-model", "_x__y_", "a b", "\xc3\xbc", "--", "1_", "x.y"})
    CHECK_MESSAGE(kernel_name_problem(kernel_name_from_file(stem)).empty(), stem);
}

TEST_CASE("kernel_name_suggestion: a close name that works") {
  CHECK(kernel_name_suggestion("fmod") == "fmod_kernel");
  CHECK(kernel_name_suggestion("__x") == "x_kernel");
  CHECK(kernel_name_suggestion("2d") == "v2d_kernel");
  CHECK(kernel_name_suggestion("a-b") == "a_b_kernel");
  CHECK(kernel_name_suggestion("gradc_k") == "k_kernel");
  CHECK(kernel_name_suggestion("GRADC_gradc_k") == "k_kernel");
  for (const char* bad : {"", "int", "M_PI", "select", "k_", "_Complex", "main", "-"})
    CHECK_MESSAGE(kernel_name_problem(kernel_name_suggestion(bad)).empty(), bad);
}
