// builtins.cpp - tables of reserved names, built from ops.def.
#include "builtins.h"

#include <array>

namespace gradc {

std::optional<Builtin> find_builtin(std::string_view name) {
  if (name == "pow") return Builtin{Op::Pow, 2};
  if (name == "where") return Builtin{Op::Select, 3};
#define GRADC_OP(n, arity, spelling, comm, syntax) \
  if (Syntax::syntax == Syntax::Call && name == spelling) return Builtin{Op::n, arity};
#include "ops.def"
  return std::nullopt;
}

bool is_array_function(std::string_view name) {
  static constexpr std::array<std::string_view, 7> names = {
      "sum", "mean", "dot", "norm", "softmax", "logsumexp", "transpose"};
  for (auto n : names)
    if (n == name) return true;
  return false;
}

bool is_keyword(std::string_view name) {
  return name == "input" || name == "output" || name == "wrt";
}

}  // namespace gradc
