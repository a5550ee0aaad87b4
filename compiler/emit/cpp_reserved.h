// cpp_reserved.h - the names the C and C++ implementation owns: keywords,
// identifiers the standard reserves, macros of the C library headers, and C
// library symbols. Generated code must not declare them as they are (see
// cpp_names.h for what gradc does about it). The keyword lists are written
// from the standard in cpp_reserved.cpp; the others are generated from the
// toolchain by scripts/gen_cpp_reserved.py into cpp_reserved_lists.inc.
#pragma once

#include <span>
#include <string_view>

namespace gradc {

/// A C++ keyword or alternative token ([lex.key], [lex.digraph]), or `typeof`
/// (a keyword of g++ and clang++ under -std=gnu++NN).
bool is_cpp_keyword(std::string_view name);

/// A keyword of C that C++ lacks (`restrict`; C23's `typeof_unqual`): the
/// kernel header is C too, so a kernel cannot be named so.
bool is_c_only_keyword(std::string_view name);

/// Reserved by the standard in every scope ([lex.name]): it contains "__" or
/// starts with '_' and an uppercase letter (`__cplusplus`, `_Complex`).
/// A leading '_' and a lowercase letter or digit is reserved only in the
/// global namespace; such names are not reported here.
bool is_reserved_identifier(std::string_view name);

/// An object-like macro defined by <cmath>, <cstdlib>, <cstddef> or
/// <cstdint> (g++ or clang++, -std=c++17 or gnu++17) or predefined on a Linux
/// target (`M_PI`, `NAN`, `unix`): code that includes <cmath> cannot declare
/// it anywhere.
bool is_code_macro(std::string_view name);

/// Any macro, object-like or function-like, of the C library headers a
/// caller may include next to a kernel's header (every one of C++17,
/// <cassert> to <cwctype>; `assert`, `EOF`, `SIGINT`), the code macros
/// included, and those of a C program including the header (`I`,
/// `complex`, `noreturn`).
bool is_header_macro(std::string_view name);

/// A symbol of the C library: a global function, variable, typedef or
/// enumerator those headers declare (glibc with _GNU_SOURCE, as g++ and
/// clang++ compile C++), a dynamic symbol of libc.so.6 or libm.so.6 (`y0`,
/// `select`, `write`), or a symbol of the C start files (`_start`).
bool is_c_library_symbol(std::string_view name);

/// The lists themselves, for tests: keywords in the standard's order, the
/// others sorted. Code macros and caller macros are disjoint. LibraryGlobals
/// are the library symbols that are types, variables or enumerators
/// (`size_t`, `signgam`): a local of the name draws g++'s -Wshadow.
/// CHeaderMacros are the macros only a C caller has (kernel names only:
/// the generated C++ code never meets them).
enum class ReservedList {
  Keywords, CodeMacros, CallerMacros, CHeaderMacros, LibrarySymbols, LibraryGlobals
};
std::span<const std::string_view> reserved_list(ReservedList list);

}  // namespace gradc
