// cpp_reserved.cpp - the lists behind cpp_reserved.h. Keywords come from the
// C++ standard (N4861, C++20: [lex.key] table 5 and [lex.digraph] table 6;
// C++23 added none) plus GNU's `typeof`; the macro and C library lists come
// from the toolchain, generated into cpp_reserved_lists.inc (sorted).
#include "emit/cpp_reserved.h"

#include <algorithm>
#include <iterator>

namespace gradc {

namespace {

#include "emit/cpp_reserved_lists.inc"

constexpr std::string_view kKeywords[] = {
    // [lex.key]
    "alignas", "alignof", "asm", "auto", "bool", "break", "case", "catch", "char", "char8_t",
    "char16_t", "char32_t", "class", "concept", "const", "consteval", "constexpr", "constinit",
    "const_cast", "continue", "co_await", "co_return", "co_yield", "decltype", "default",
    "delete", "do", "double", "dynamic_cast", "else", "enum", "explicit", "export", "extern",
    "false", "float", "for", "friend", "goto", "if", "inline", "int", "long", "mutable",
    "namespace", "new", "noexcept", "nullptr", "operator", "private", "protected", "public",
    "register", "reinterpret_cast", "requires", "return", "short", "signed", "sizeof", "static",
    "static_assert", "static_cast", "struct", "switch", "template", "this", "thread_local",
    "throw", "true", "try", "typedef", "typeid", "typename", "union", "unsigned", "using",
    "virtual", "void", "volatile", "wchar_t", "while",
    // [lex.digraph]: alternative tokens
    "and", "and_eq", "bitand", "bitor", "compl", "not", "not_eq", "or", "or_eq", "xor", "xor_eq",
    // GNU extension keyword (g++ and clang++, -std=gnu++NN)
    "typeof",
};

// C keywords that C++ lacks (C17 6.4.1, C23 6.4.1): the kernel header is
// read by C compilers too. (_Bool, _Complex, ... are reserved by rule.)
constexpr std::string_view kCOnlyKeywords[] = {"restrict", "typeof_unqual"};

template <size_t N>
bool in_sorted(const std::string_view (&list)[N], std::string_view name) {
  return std::binary_search(std::begin(list), std::end(list), name);
}

}  // namespace

bool is_cpp_keyword(std::string_view name) {
  return std::find(std::begin(kKeywords), std::end(kKeywords), name) != std::end(kKeywords);
}

bool is_c_only_keyword(std::string_view name) {
  return std::find(std::begin(kCOnlyKeywords), std::end(kCOnlyKeywords), name) !=
         std::end(kCOnlyKeywords);
}

bool is_reserved_identifier(std::string_view name) {
  return name.find("__") != std::string_view::npos ||
         (name.size() >= 2 && name[0] == '_' && name[1] >= 'A' && name[1] <= 'Z');
}

bool is_code_macro(std::string_view name) { return in_sorted(kCodeMacros, name); }

bool is_header_macro(std::string_view name) {
  return is_code_macro(name) || in_sorted(kCallerMacros, name) || in_sorted(kCHeaderMacros, name);
}

bool is_c_library_symbol(std::string_view name) { return in_sorted(kLibrarySymbols, name); }

std::span<const std::string_view> reserved_list(ReservedList list) {
  switch (list) {
    case ReservedList::Keywords: return kKeywords;
    case ReservedList::CodeMacros: return kCodeMacros;
    case ReservedList::CallerMacros: return kCallerMacros;
    case ReservedList::CHeaderMacros: return kCHeaderMacros;
    case ReservedList::LibrarySymbols: return kLibrarySymbols;
    case ReservedList::LibraryGlobals: return kLibraryGlobals;
  }
  return {};
}

}  // namespace gradc
