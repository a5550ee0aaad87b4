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

int array_function_arity(std::string_view name) {
  struct Entry {
    std::string_view name;
    int arity;
  };
  static constexpr Entry table[] = {{"sum", 1},     {"mean", 1},      {"dot", 2},
                                    {"norm", 1},    {"softmax", 1},   {"logsumexp", 1},
                                    {"transpose", 1}, {"log_softmax", 1}, {"log_sigmoid", 1}};
  for (const Entry& e : table)
    if (e.name == name) return e.arity;
  return -1;
}

bool is_keyword(std::string_view name) {
  return name == "input" || name == "output" || name == "wrt";
}

}  // namespace gradc
