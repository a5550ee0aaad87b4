// lexer.h - turns source text into tokens.
//
// Newlines are tokens (they end statements). Comments (`#`, `//`) are
// skipped. Bad characters and malformed numbers are reported here and become
// Error tokens, which the parser skips over without a second message.
#pragma once

#include <string_view>
#include <vector>

#include "support/diagnostics.h"

namespace gradc {

/// Deepest expression nesting accepted (parentheses, calls, prefix
/// operators, `^` chains); the parser reports deeper input, and the lexer
/// stops making tokens for the rest of such a statement.
inline constexpr int kMaxNesting = 256;

enum class Tok : uint8_t {
  Ident, Number, Newline, Semi, Comma, LParen, RParen, LBracket, RBracket,
  Plus, Minus, Star, Slash, Caret, At, Question, Colon, Assign,
  Lt, Le, Gt, Ge, EqEq, Ne, AndAnd, OrOr, Bang, Eof,
  Error,  ///< a bad character or malformed number, already reported
};

/// How a token kind is spelled, for messages ("')'", "end of line").
std::string_view tok_spelling(Tok t);

struct Token {
  Tok kind;
  std::string_view text;  ///< slice of the source text
  Loc loc;
  double number = 0;      ///< value of a Number
};

/// Lex the whole file, or up to the error limit (Diagnostics::
/// error_limit_reached) where its errors fill it; the result always ends
/// with an Eof token.
std::vector<Token> lex(const SourceFile& file, Diagnostics& diag);

}  // namespace gradc
