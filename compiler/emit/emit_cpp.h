// emit_cpp.h - the C++ backend: NAME and NAME_grad as extern "C" functions
// (SPEC 3), plus the header that declares them.
#pragma once

#include <string>

#include "compiled.h"

namespace gradc {

/// What a C++ backend run produces.
struct CppFiles {
  std::string source;  ///< the .cpp: self-contained, standard library only
  std::string header;  ///< the .hpp: declarations, sizes and names
};

/// Generate the kernels of `c` under the function name `name` (one with no
/// kernel_name_problem, cpp_names.h).
/// `source_file` is the .expr path, for the comments.
CppFiles emit_cpp(const Compiled& c, const std::string& name, const std::string& source_file);

/// The header alone (the .hpp beside every code output): declarations of
/// NAME and NAME_grad, constexpr sizes, and names in ABI order.
std::string cpp_header(const Compiled& c, const std::string& name, const std::string& source_file);

}  // namespace gradc
