// test_lexer.cpp - tokens of every kind, number formats, comments, newlines
// and locations, and the lexical errors (malformed or out-of-range numbers,
// bad characters), each reported once with the stream still ending in Eof.
#include <algorithm>
#include <cstdlib>

#include "comma_locale.h"
#include "front/lexer.h"
#include "unit_support.h"

using namespace gradc;

namespace {

struct Lexed {
  std::vector<Token> toks;
  std::string errors;
  int error_count = 0;
  std::vector<Tok> kinds() const {
    std::vector<Tok> k;
    for (const Token& t : toks) k.push_back(t.kind);
    return k;
  }
  /// The kinds without Error tokens (the lexer may leave one in place of
  /// what it reported, so the parser does not report it again).
  std::vector<Tok> good_kinds() const {
    std::vector<Tok> k = kinds();
    std::erase(k, Tok::Error);
    return k;
  }
};

// The source text must outlive the tokens (they are views into it).
Lexed lex_text(const SourceFile& file) {
  std::ostringstream err;
  Lexed r;
  {
    Diagnostics diag(&file, err);
    r.toks = lex(file, diag);
    r.error_count = diag.error_count();
  }
  r.errors = err.str();
  return r;
}

}  // namespace

TEST_CASE("every punctuation token, with ** as ^") {
  SourceFile f("t", "; , ( ) [ ] + - * / ^ ** @ ? : = < <= > >= == != && || !");
  Lexed r = lex_text(f);
  CHECK(r.error_count == 0);
  std::vector<Tok> expected = {
      Tok::Semi, Tok::Comma, Tok::LParen, Tok::RParen, Tok::LBracket, Tok::RBracket, Tok::Plus,
      Tok::Minus, Tok::Star, Tok::Slash, Tok::Caret, Tok::Caret, Tok::At, Tok::Question,
      Tok::Colon, Tok::Assign, Tok::Lt, Tok::Le, Tok::Gt, Tok::Ge, Tok::EqEq, Tok::Ne,
      Tok::AndAnd, Tok::OrOr, Tok::Bang, Tok::Eof};
  CHECK(r.kinds() == expected);
  // Longest match: "<=" is one token, "x**2" is x ^ 2, "a!=b" is a != b.
  SourceFile g("t", "x**2 a!=b c<=-d");
  CHECK(lex_text(g).kinds() == std::vector<Tok>{Tok::Ident, Tok::Caret, Tok::Number, Tok::Ident,
                                                Tok::Ne, Tok::Ident, Tok::Ident, Tok::Le,
                                                Tok::Minus, Tok::Ident, Tok::Eof});
}

TEST_CASE("numbers: 3, 2.5, .5, 1e-3, 6.02E23, 1., 1e+2") {
  SourceFile f("t", "3 2.5 .5 1e-3 6.02E23 1. 1e+2 007");
  Lexed r = lex_text(f);
  CHECK(r.error_count == 0);
  std::vector<double> expected = {3, 2.5, 0.5, 1e-3, 6.02e23, 1.0, 100.0, 7.0};
  REQUIRE(r.toks.size() == expected.size() + 1);
  for (size_t i = 0; i < expected.size(); ++i) {
    CHECK(r.toks[i].kind == Tok::Number);
    CHECK(r.toks[i].number == expected[i]);
  }
  CHECK(r.toks[3].text == "1e-3");
}

TEST_CASE("numbers are read with '.' whatever the process's locale (de_DE: ',')") {
  unit::CommaLocale comma;
  // The locale is in force: the C library would read "2.5" as 2.
  if (comma.c_locale) CHECK(std::strtod("2.5", nullptr) == 2.0);
  SourceFile f("t", "2.5 .5 1e-3 6.02E23 1e-400");
  Lexed r = lex_text(f);
  CHECK(r.error_count == 0);
  std::vector<double> expected = {2.5, 0.5, 1e-3, 6.02e23, 0.0};
  REQUIRE(r.toks.size() == expected.size() + 1);
  for (size_t i = 0; i < expected.size(); ++i) CHECK(r.toks[i].number == expected[i]);
  CHECK(lex_text(SourceFile("t", "1e999")).error_count == 1);
  // Compiled and run: w = 2.5*x + 0.5 at x = 2 is 5.5, dw/dx = 2.5.
  gradc::Compiled c = unit::compile_ok("w = 2.5*x + 0.5");
  unit::Values v = unit::run(c, {2.0});
  CHECK(v.out[0] == 5.5);
  CHECK(v.jac[0] == 2.5);
}

TEST_CASE("names: letters, digits and underscores, not starting with a digit") {
  SourceFile f("t", "x _a1 Foo_Bar9 __");
  Lexed r = lex_text(f);
  CHECK(r.error_count == 0);
  REQUIRE(r.toks.size() == 5);
  CHECK(r.toks[0].text == "x");
  CHECK(r.toks[1].text == "_a1");
  CHECK(r.toks[2].text == "Foo_Bar9");
  CHECK(r.toks[3].text == "__");
  for (int i = 0; i < 4; ++i) CHECK(r.toks[i].kind == Tok::Ident);
}

TEST_CASE("comments (# and //) run to the end of the line; newlines are tokens") {
  SourceFile f("t", "a # comment ; b\n// whole line\nc // x\nd/e");
  Lexed r = lex_text(f);
  CHECK(r.error_count == 0);
  CHECK(r.kinds() == std::vector<Tok>{Tok::Ident, Tok::Newline, Tok::Newline, Tok::Ident,
                                      Tok::Newline, Tok::Ident, Tok::Slash, Tok::Ident, Tok::Eof});
  SourceFile crlf("t", "a\r\nb\t;\f c");
  CHECK(lex_text(crlf).kinds() ==
        std::vector<Tok>{Tok::Ident, Tok::Newline, Tok::Ident, Tok::Semi, Tok::Ident, Tok::Eof});
}

TEST_CASE("a newline inside ( ) or [ ] continues the statement, with lines counted") {
  SourceFile f("t", "A = [[1, 2],\n     [3, 4]]\nw = f(a,\n  # a comment line\n\n  b)\nz = 1");
  Lexed r = lex_text(f);
  CHECK(r.error_count == 0);
  size_t newlines = 0;
  for (Tok k : r.kinds()) newlines += k == Tok::Newline;
  CHECK(newlines == 2);  // after the matrix and after the call only
  const Token& b = r.toks[r.toks.size() - 7];
  CHECK(b.text == "b");
  CHECK(b.loc.line == 6);
  CHECK(b.loc.col == 3);
  CHECK(r.toks[r.toks.size() - 4].loc.line == 7);  // z
}

TEST_CASE("a bracket left open ends at a line that starts a statement") {
  // `b = ...`, `input y`, `output a` and `wrt x` cannot continue an
  // expression, so the statement ends there and the parser reports the '('.
  for (std::string next : {"b = 2", "input y", "output a", "wrt x", "  # c\n\nb = 1"}) {
    SourceFile f("t", "a = (x + 1\n" + next);
    std::vector<Tok> kinds = lex_text(f).kinds();
    INFO(next);
    CHECK(std::count(kinds.begin(), kinds.end(), Tok::Newline) >= 1);
  }
  // `==`, an operator or a name that is a call continue it.
  for (std::string next : {"== 2)", "+ y)", "y)", "input)"}) {
    SourceFile f("t", "a = (x\n" + next);
    std::vector<Tok> kinds = lex_text(f).kinds();
    INFO(next);
    CHECK(std::count(kinds.begin(), kinds.end(), Tok::Newline) == 0);
  }
  // A long run of blank lines inside a bracket is scanned once (linear time).
  std::string blanks = "a = (x\n" + std::string(2000000, '\n') + ")";
  SourceFile big("t", blanks);
  Lexed r = lex_text(big);
  CHECK(r.error_count == 0);
  CHECK(r.toks.back().loc.line == 2000002);
}

TEST_CASE("token locations are 1-based line and column") {
  SourceFile f("t", "a = 1\n  bb = c*2\n");
  Lexed r = lex_text(f);
  REQUIRE(r.toks.size() >= 9);
  CHECK(r.toks[0].loc.line == 1);
  CHECK(r.toks[0].loc.col == 1);
  CHECK(r.toks[2].loc.col == 5);  // 1
  CHECK(r.toks[4].text == "bb");
  CHECK(r.toks[4].loc.line == 2);
  CHECK(r.toks[4].loc.col == 3);
  CHECK(r.toks[6].text == "c");
  CHECK(r.toks[6].loc.col == 8);
}

TEST_CASE("an empty file is just Eof") {
  SourceFile f("t", "");
  Lexed r = lex_text(f);
  CHECK(r.error_count == 0);
  CHECK(r.kinds() == std::vector<Tok>{Tok::Eof});
}

TEST_CASE("malformed numbers are one error each, naming the text") {
  for (const char* bad : {"1.2.3", "2x", "1e", "1e+", "3.5e-x", "0x10"}) {
    SourceFile f("t", std::string("a = ") + bad + " + b");
    Lexed r = lex_text(f);
    INFO(std::string(bad), "\n", r.errors);
    CHECK(r.error_count == 1);
    CHECK(r.errors.find(std::string("malformed number '") + bad + "'") != std::string::npos);
    CHECK(r.errors.find("t:1:5: error") != std::string::npos);
    CHECK(r.toks.back().kind == Tok::Eof);
    // No number token is made from it; the tokens around it remain.
    CHECK(r.good_kinds() == std::vector<Tok>{Tok::Ident, Tok::Assign, Tok::Plus, Tok::Ident, Tok::Eof});
  }
}

TEST_CASE("a number out of range for a double is an error") {
  SourceFile f("t", "a = 1e999");
  Lexed r = lex_text(f);
  CHECK(r.error_count == 1);
  CHECK(r.errors.find("'1e999' is out of range") != std::string::npos);
  SourceFile tiny("t", "a = 1e-400");  // underflows to 0: representable, not an error
  CHECK(lex_text(tiny).error_count == 0);
  CHECK(lex_text(f).good_kinds() == std::vector<Tok>{Tok::Ident, Tok::Assign, Tok::Eof});
}

TEST_CASE("bad characters: one error per character, one per run of non-ASCII bytes") {
  SourceFile f("t", "a = $ + `");
  Lexed r = lex_text(f);
  CHECK(r.error_count == 2);
  CHECK(r.errors.find("unexpected character '$'") != std::string::npos);
  CHECK(r.errors.find("unexpected character '`'") != std::string::npos);
  SourceFile utf8("t", "a = \xCF\x80 * 2");  // a Greek pi in UTF-8
  Lexed u = lex_text(utf8);
  CHECK(u.error_count == 1);
  CHECK(u.errors.find("only ASCII is allowed") != std::string::npos);
  CHECK(u.good_kinds() == std::vector<Tok>{Tok::Ident, Tok::Assign, Tok::Star, Tok::Number, Tok::Eof});
  SourceFile two("t", "a = \xCF\x80 + \xFF");  // a character, then a stray byte
  CHECK(lex_text(two).error_count == 2);
  SourceFile nul("t", std::string("a = 1\0 + 2", 10));
  Lexed n = lex_text(nul);
  CHECK(n.error_count == 1);
  CHECK(n.errors.find("NUL") != std::string::npos);
}

TEST_CASE("tok_spelling names every kind for messages") {
  CHECK(tok_spelling(Tok::RParen) == "')'");
  CHECK(tok_spelling(Tok::Newline) == "end of line");
  CHECK(tok_spelling(Tok::Eof) == "end of file");
  CHECK(tok_spelling(Tok::OrOr) == "'||'");
  for (int t = 0; t <= int(Tok::Eof); ++t) CHECK_FALSE(tok_spelling(Tok(t)).empty());
}

TEST_CASE("past the nesting limit the rest of the statement makes no tokens") {
  for (std::string open : {"(", "-", "[", "x^", "-(", "+!"}) {
    INFO("repeated: ", open);
    std::string deep = "w = ";
    for (int i = 0; i < 200000; ++i) deep += open;
    SourceFile f("t", deep + "x # ; 1e\nv = 1");
    Lexed r = lex_text(f);
    CHECK(r.error_count == 0);  // the parser reports the depth
    CHECK(r.toks.size() < 2 * size_t(kMaxNesting) + 20);
    // The next statement is lexed in full.
    REQUIRE(r.toks.size() >= 5);
    CHECK(r.toks[r.toks.size() - 5].kind == Tok::Newline);
    CHECK(r.toks[r.toks.size() - 4].text == "v");
  }
  // Within the limit nothing is skipped: `-(x^` is 3 parser levels, 85 of
  // them are 255; and 256 parentheses.
  std::string ok = "w = ";
  for (int i = 0; i < 85; ++i) ok += "-(x^";
  ok += "x";
  for (int i = 0; i < 85; ++i) ok += ")";
  ok += " + [1, 2][1]^-b";
  SourceFile g("t", ok);
  CHECK(lex_text(g).toks.size() == 2 + 85 * 4 + 1 + 85 + 12 + 1);
  CHECK(unit::parse_text(ok).error_count == 0);
  std::string parens = "w = " + std::string(255, '(') + "x" + std::string(255, ')');
  CHECK(unit::parse_text(parens).error_count == 0);
}
