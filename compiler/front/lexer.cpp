// lexer.cpp - a hand-written scanner over the bytes of a source file.
#include "front/lexer.h"

#include <algorithm>
#include <cctype>

#include "support/number.h"
#include "support/utf8.h"

namespace gradc {

std::string_view tok_spelling(Tok t) {
  switch (t) {
    case Tok::Ident: return "name";
    case Tok::Number: return "number";
    case Tok::Newline: return "end of line";
    case Tok::Semi: return "';'";
    case Tok::Comma: return "','";
    case Tok::LParen: return "'('";
    case Tok::RParen: return "')'";
    case Tok::LBracket: return "'['";
    case Tok::RBracket: return "']'";
    case Tok::Plus: return "'+'";
    case Tok::Minus: return "'-'";
    case Tok::Star: return "'*'";
    case Tok::Slash: return "'/'";
    case Tok::Caret: return "'^'";
    case Tok::At: return "'@'";
    case Tok::Question: return "'?'";
    case Tok::Colon: return "':'";
    case Tok::Assign: return "'='";
    case Tok::Lt: return "'<'";
    case Tok::Le: return "'<='";
    case Tok::Gt: return "'>'";
    case Tok::Ge: return "'>='";
    case Tok::EqEq: return "'=='";
    case Tok::Ne: return "'!='";
    case Tok::AndAnd: return "'&&'";
    case Tok::OrOr: return "'||'";
    case Tok::Bang: return "'!'";
    case Tok::Eof: return "end of file";
    case Tok::Error: return "invalid token";
  }
  return "?";
}

namespace {

// ASCII only, independent of the C locale.
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c); }

class Lexer {
 public:
  Lexer(const SourceFile& f, Diagnostics& d) : src_(f.text()), diag_(d) {}

  std::vector<Token> run() {
    toks_.reserve(std::min<size_t>(src_.size() / 3 + 1, size_t(1) << 20));
    if (src_.starts_with(kUtf8Bom)) pos_ = line_start_ = kUtf8Bom.size();  // as clang does
    // Run under Diagnostics::DeferLimit (parse_program): stops at the error
    // limit, and the parser still reports the errors before that point.
    while (pos_ < src_.size() && !diag_.error_limit_reached()) skipping_ ? skip_statement() : step();
    push(Tok::Eof, src_.size(), 0);
    return std::move(toks_);
  }

 private:
  // Locations are tracked as we go (line_, line_start_), not searched for.
  Loc loc(size_t offset) const { return Loc{line_, uint32_t(offset - line_start_ + 1)}; }
  void push(Tok k, size_t begin, size_t len) {
    toks_.push_back(Token{k, src_.substr(begin, len), loc(begin)});
    track_nesting(k);
  }

  // A lower bound of the parser's nesting depth after each token: open
  // brackets, prefix operators since the last operand, and `^` since the
  // last other operator (each is one active level of the parser; see
  // Parser::Nest). Once it is past the limit the parser is sure to report
  // "nested too deeply" at or before this token, so the rest of the
  // statement is skipped, not turned into tokens: 100 MB of '(' costs no
  // more than 300 of them.
  void track_nesting(Tok k) {
    bool operand_end = k == Tok::Ident || k == Tok::Number || k == Tok::RParen ||
                       k == Tok::RBracket;
    if (k == Tok::Newline || k == Tok::Semi) {
      brackets_ = prefixes_ = powers_ = 0;
    } else if (k == Tok::LParen || k == Tok::LBracket) {
      ++brackets_;
    } else if (k == Tok::RParen || k == Tok::RBracket) {
      brackets_ -= brackets_ > 0;
    } else if ((k == Tok::Minus || k == Tok::Plus || k == Tok::Bang) && !after_operand_) {
      ++prefixes_;
    } else if (k == Tok::Caret) {
      ++powers_;
    } else if (!operand_end) {
      powers_ = 0;  // any other operator ends a chain of `^`
    }
    if (operand_end) prefixes_ = 0;
    if (k == Tok::RParen || k == Tok::RBracket) powers_ = 0;
    after_operand_ = operand_end;
    // +1: an index bracket `a[` counts here but is no parser level.
    if (brackets_ + prefixes_ + powers_ > size_t(kMaxNesting) + 1) skipping_ = true;
  }

  // Skip to the end of the statement (newline or ';', outside comments).
  void skip_statement() {
    while (pos_ < src_.size() && src_[pos_] != '\n' && src_[pos_] != '\r' && src_[pos_] != ';') {
      if (src_[pos_] == '#' || (src_[pos_] == '/' && peek(1) == '/')) skip_comment();
      else ++pos_;
    }
    skipping_ = false;
    if (pos_ < src_.size()) step();  // the separator
  }
  char peek(size_t ahead = 0) const {
    return pos_ + ahead < src_.size() ? src_[pos_ + ahead] : '\0';
  }

  void step() {
    char c = src_[pos_];
    if (c == '\r' && peek(1) == '\n') { ++pos_; return; }  // CRLF: the \n ends the line
    if (c == ' ' || c == '\t' || c == '\f' || c == '\v') { ++pos_; return; }
    if (c == '#' || (c == '/' && peek(1) == '/')) { skip_comment(); return; }
    if (c == '\n' || c == '\r') {  // a lone \r (old Mac line ends) is a newline too
      // Inside ( ) or [ ] a newline continues the statement (SPEC 1),
      // unless the next line plainly starts a new one: then the bracket is
      // left open, the parser says so, and the next statement still parses.
      if (brackets_ == 0 || starts_statement(pos_ + 1)) push(Tok::Newline, pos_, 1);
      ++pos_;
      ++line_;
      line_start_ = pos_;
      return;
    }
    if (is_ident_start(c)) { identifier(); return; }
    if (is_digit(c) || (c == '.' && is_digit(peek(1)))) { number(); return; }
    if (punctuation()) return;
    bad_character();
  }

  // Does the text from `p` (after blank and comment lines) begin a
  // statement that cannot continue an expression: `NAME =` (not `==`), or
  // `input`, `output`, `wrt` followed by a name?
  // The answer is cached for the next token, so a run of blank lines is
  // scanned once, not once per line.
  bool starts_statement(size_t p) {
    if (p <= next_token_) return next_starts_statement_;
    for (;;) {
      while (p < src_.size() && std::isspace(static_cast<unsigned char>(src_[p]))) ++p;
      bool comment = p < src_.size() && (src_[p] == '#' || src_.substr(p, 2) == "//");
      if (!comment) break;
      while (p < src_.size() && src_[p] != '\n' && src_[p] != '\r') ++p;
    }
    next_token_ = p;
    next_starts_statement_ = false;
    if (p >= src_.size() || !is_ident_start(src_[p])) return false;
    size_t begin = p;
    while (p < src_.size() && is_ident_char(src_[p])) ++p;
    std::string_view word = src_.substr(begin, p - begin);
    while (p < src_.size() && (src_[p] == ' ' || src_[p] == '\t')) ++p;
    if (word == "input" || word == "output" || word == "wrt")
      next_starts_statement_ = p < src_.size() && is_ident_start(src_[p]);
    else
      next_starts_statement_ = p < src_.size() && src_[p] == '=' &&
                               (p + 1 >= src_.size() || src_[p + 1] != '=');
    return next_starts_statement_;
  }

  void skip_comment() {
    while (pos_ < src_.size() && src_[pos_] != '\n' && src_[pos_] != '\r') ++pos_;
  }

  void identifier() {
    size_t begin = pos_;
    while (pos_ < src_.size() && is_ident_char(src_[pos_])) ++pos_;
    push(Tok::Ident, begin, pos_ - begin);
  }

  // number = digits ["." digits] [("e"|"E") ["+"|"-"] digits] | "." digits ...
  // Anything number-like glued to it (`1.2.3`, `2x`, `1e`) is one malformed number.
  void number() {
    size_t begin = pos_;
    auto digits = [&] { while (is_digit(peek())) ++pos_; };
    digits();
    if (peek() == '.') { ++pos_; digits(); }
    bool ok = true;
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (!is_digit(peek())) ok = false;
      digits();
    }
    while (is_ident_char(peek()) || peek() == '.') { ok = false; ++pos_; }
    std::string_view text = src_.substr(begin, pos_ - begin);
    if (!ok) {
      diag_.error(loc(begin), "malformed number '{}'", text);
      push(Tok::Error, begin, pos_ - begin);
      return;
    }
    double value = 0;  // locale-independent: '.' whatever LC_NUMERIC says
    if (parse_decimal(text, value) != NumberStatus::Ok) {
      diag_.error(loc(begin), "number '{}' is out of range for a double", text);
      push(Tok::Error, begin, pos_ - begin);
      return;
    }
    // Below half the smallest subnormal a literal is 0 (as in C); say so,
    // as clang does, since the source plainly meant something else.
    std::string_view mantissa = text.substr(0, text.find_first_of("eE"));
    if (value == 0 && mantissa.find_first_of("123456789") != std::string_view::npos)
      diag_.warning(loc(begin), "number '{}' is below the smallest double (about 4.9e-324) and is "
                                "taken as 0", text);
    push(Tok::Number, begin, pos_ - begin);
    toks_.back().number = value;
  }

  bool punctuation() {
    struct P { std::string_view s; Tok t; };
    static constexpr P table[] = {
        {"**", Tok::Caret}, {"<=", Tok::Le}, {">=", Tok::Ge}, {"==", Tok::EqEq},
        {"!=", Tok::Ne},    {"&&", Tok::AndAnd}, {"||", Tok::OrOr},
        {";", Tok::Semi},   {",", Tok::Comma}, {"(", Tok::LParen}, {")", Tok::RParen},
        {"[", Tok::LBracket}, {"]", Tok::RBracket}, {"+", Tok::Plus}, {"-", Tok::Minus},
        {"*", Tok::Star},   {"/", Tok::Slash}, {"^", Tok::Caret}, {"@", Tok::At},
        {"?", Tok::Question}, {":", Tok::Colon}, {"=", Tok::Assign}, {"<", Tok::Lt},
        {">", Tok::Gt},     {"!", Tok::Bang},
    };
    for (const P& p : table) {
      if (src_.substr(pos_, p.s.size()) == p.s) {
        push(p.t, pos_, p.s.size());
        pos_ += p.s.size();
        return true;
      }
    }
    return false;
  }

  // One error per bad character: a whole UTF-8 sequence is one character.
  void bad_character() {
    size_t begin = pos_;
    unsigned char c = static_cast<unsigned char>(src_[pos_++]);
    if (c == 0) {
      diag_.error(loc(begin), "unexpected NUL byte in source");
    } else if (c >= 0x80) {
      const Utf8Char ch = decode_utf8(src_, begin);
      pos_ = begin + ch.length;
      const uint32_t cp = ch.code_point;
      if (ch.valid && ch.length == 2 && cp < 0xA0)  // C1 controls: not echoed raw
        diag_.error(loc(begin), "unexpected control character U+{:04X}; only ASCII is allowed", cp);
      else if (ch.valid)
        diag_.error(loc(begin), "unexpected character '{}' (U+{:04X}); only ASCII is allowed",
                    src_.substr(begin, pos_ - begin), cp);
      else
        diag_.error(loc(begin), "unexpected byte {} (not valid UTF-8); only ASCII is allowed",
                    quote_char(c));
    } else {
      diag_.error(loc(begin), "unexpected character {}", quote_char(c));
    }
    push(Tok::Error, begin, pos_ - begin);
  }

  std::string_view src_;
  Diagnostics& diag_;
  size_t pos_ = 0;
  uint32_t line_ = 1;
  size_t line_start_ = 0;
  std::vector<Token> toks_;
  size_t brackets_ = 0, prefixes_ = 0, powers_ = 0;  // see track_nesting
  bool after_operand_ = false, skipping_ = false;
  size_t next_token_ = 0;               // see starts_statement
  bool next_starts_statement_ = false;
};

}  // namespace

std::vector<Token> lex(const SourceFile& file, Diagnostics& diag) {
  return Lexer(file, diag).run();
}

}  // namespace gradc
