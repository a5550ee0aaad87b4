// builtins.cpp - tables of reserved names, built from ops.def.
#include "front/builtins.h"


namespace gradc {

std::optional<Builtin> find_builtin(std::string_view name) {
  if (name == "pow") return Builtin{Op::Pow, 2};
  if (name == "where") return Builtin{Op::Select, 3};
#define GRADC_OP(n, arity, spelling, comm, syntax) \
  if (Syntax::syntax == Syntax::Call && name == spelling) return Builtin{Op::n, arity};
#include "ir/ops.def"
  return std::nullopt;
}

namespace {
struct Entry {
  std::string_view name;
  int arity;
};
constexpr Entry kArrayFunctions[] = {{"sum", 1},     {"mean", 1},      {"dot", 2},
                                    {"norm", 1},    {"softmax", 1},   {"logsumexp", 1},
                                    {"transpose", 1}, {"log_softmax", 1}, {"log_sigmoid", 1}};
}  // namespace

int array_function_arity(std::string_view name) {
  for (const Entry& e : kArrayFunctions)
    if (e.name == name) return e.arity;
  return -1;
}

std::vector<std::string_view> function_names() {
  std::vector<std::string_view> names = {"pow", "where"};
#define GRADC_OP(n, arity, spelling, comm, syntax) \
  if (Syntax::syntax == Syntax::Call) names.push_back(spelling);
#include "ir/ops.def"
  for (const Entry& e : kArrayFunctions) names.push_back(e.name);
  return names;
}

bool is_extension_builtin(std::string_view name) {
  return name == "stop_gradient" || name == "log_softmax" || name == "log_sigmoid" ||
         name == "erfc";  // gelu's derivative prints it
}

bool is_reserved_builtin(std::string_view name) {
  return (find_builtin(name) || is_array_function(name)) && !is_extension_builtin(name);
}

bool is_keyword(std::string_view name) {
  return name == "input" || name == "output" || name == "wrt";
}

}  // namespace gradc
