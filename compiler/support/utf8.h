// utf8.h - reading one UTF-8 character, and how wide a terminal shows it:
// for the lexer's errors about non-ASCII characters and for the caret line
// under them.
#pragma once

#include <cstddef>
#include <string_view>
#include <utility>

namespace gradc {

/// One character of UTF-8 text.
struct Utf8Char {
  char32_t code_point;  ///< as far as the bytes go
  size_t length;        ///< bytes it takes: its lead byte and the continuation bytes that follow
  bool valid;           ///< a complete sequence (or ASCII)
};

/// The character whose sequence starts at s[i] (i < s.size()). Invalid, as
/// Unicode's well-formed UTF-8 (table 3-7) has it: a stray continuation
/// byte, a sequence cut short, a lead byte no character starts with (C0,
/// C1, F5-FF), an overlong form (C0 89 for a tab), a surrogate, a value
/// past U+10FFFF. The length of an invalid one covers the bytes that belong
/// to it; its code_point is not a character.
inline Utf8Char decode_utf8(std::string_view s, size_t i) {
  const unsigned char lead = static_cast<unsigned char>(s[i]);
  const size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
  char32_t cp = want == 1 ? lead : lead & (0x7F >> want);
  size_t n = 1;
  for (; n < want && i + n < s.size() && (s[i + n] & 0xC0) == 0x80; ++n)
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + n]) & 0x3F);
  constexpr char32_t kShortest[] = {0, 0, 0x80, 0x800, 0x10000};  // by length
  const bool valid = n == want && (want > 1 || lead < 0x80) && lead < 0xF5 &&
                     cp >= kShortest[want] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
  return {cp, n, valid};
}

/// Does a terminal give this character two columns (East Asian wide and
/// fullwidth characters, emoji), as wcwidth() does?
inline bool is_wide(char32_t cp) {
  constexpr std::pair<char32_t, char32_t> kWide[] = {
      {0x1100, 0x115F},   {0x2E80, 0x303E},   {0x3041, 0x33FF},   {0x3400, 0x4DBF},
      {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},
      {0xFE30, 0xFE4F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x1F300, 0x1F64F},
      {0x1F900, 0x1F9FF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD}};
  for (auto [lo, hi] : kWide)
    if (cp >= lo && cp <= hi) return true;
  return false;
}

}  // namespace gradc
