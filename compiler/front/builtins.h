// builtins.h - the names the language reserves: keywords, built-in
// functions (with their op and arity) and constants.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "ir/ir.h"

namespace gradc {

/// A callable built-in: `exp` -> {Op::Exp, 1}; `where` -> {Op::Select, 3}.
struct Builtin {
  Op op;
  int arity;
};

/// The scalar built-in function called `name`, if any.
std::optional<Builtin> find_builtin(std::string_view name);
/// Number of arguments of the array function `name` (`sum`, `dot`, ...;
/// SPEC 1), or -1 if it is not one.
int array_function_arity(std::string_view name);
/// Is `name` an array function?
inline bool is_array_function(std::string_view name) { return array_function_arity(name) >= 0; }
/// Every function name a program can call (scalar and array built-ins).
std::vector<std::string_view> function_names();
/// `input`, `output`, `wrt`.
bool is_keyword(std::string_view name);
/// gradc's own built-ins beyond SPEC 1's list (`stop_gradient`,
/// `log_softmax`, `log_sigmoid`). SPEC 1 reserves only its listed names, so
/// a program may define or declare these: a value of that name is a value,
/// and a function of that name hides the built-in; calls reach the
/// built-in otherwise.
bool is_extension_builtin(std::string_view name);
/// Is `name` a built-in function that a program cannot define (one of
/// SPEC 1's)?
bool is_reserved_builtin(std::string_view name);

}  // namespace gradc
