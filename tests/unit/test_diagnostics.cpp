// test_diagnostics.cpp - SourceFile line/column bookkeeping and the
// clang-style rendering of errors: file:line:col, the line, a caret under the
// column; sorting by location; the 20-error limit; quote_char.
#include "support/spelling.h"
#include "support/utf8.h"
#include "unit_support.h"

using namespace gradc;

TEST_CASE("SourceFile maps byte offsets to 1-based line and column") {
  SourceFile f("f.expr", "ab\ncde\n\nf");
  CHECK(f.loc(0).line == 1);
  CHECK(f.loc(0).col == 1);
  CHECK(f.loc(1).col == 2);
  CHECK(f.loc(3).line == 2);
  CHECK(f.loc(3).col == 1);
  CHECK(f.loc(5).col == 3);
  CHECK(f.loc(7).line == 3);
  CHECK(f.loc(8).line == 4);
  CHECK(f.line_text(1) == "ab");
  CHECK(f.line_text(2) == "cde");
  CHECK(f.line_text(3) == "");
  CHECK(f.line_text(4) == "f");
  CHECK(f.line_text(0) == "");
  CHECK(f.line_text(99) == "");
  SourceFile crlf("g", "x = 1\r\ny = 2\r\n");
  CHECK(crlf.line_text(1) == "x = 1");
  CHECK(crlf.line_text(2) == "y = 2");
}

TEST_CASE("an error renders as file:line:col: error: message, the line, and a caret") {
  SourceFile f("model.expr", "input x\na = x*y + z\n");
  std::ostringstream out;
  Diagnostics d(&f, out);
  d.error(Loc{2, 11}, "use of undeclared name '{}'", "z");
  CHECK(d.error_count() == 1);
  CHECK(d.has_errors());
  d.flush();
  CHECK(out.str() ==
        "model.expr:2:11: error: use of undeclared name 'z'\n"
        "a = x*y + z\n"
        "          ^\n");
}

TEST_CASE("a warning renders like an error, with 'warning:', and is not counted as one") {
  SourceFile f("model.expr", "h = x\nw = hh*2\n");
  std::ostringstream out;
  Diagnostics d(&f, out);
  d.warning(Loc{2, 5}, "'{}' is an input", "hh");
  d.error(Loc{1, 1}, "first");
  CHECK(d.error_count() == 1);
  d.flush();
  CHECK(out.str() ==
        "model.expr:1:1: error: first\nh = x\n^\n"
        "model.expr:2:5: warning: 'hh' is an input\nw = hh*2\n    ^\n");
  std::ostringstream alone;
  Diagnostics w(&f, alone);
  w.warning(Loc{1, 1}, "only a warning");
  CHECK_FALSE(w.has_errors());
}

TEST_CASE("did-you-mean: edit distance, and how close a suggestion must be") {
  CHECK(edit_distance("hiden", "hidden", 2) == 1);
  CHECK(edit_distance("sigmod", "sigmoid", 2) == 1);
  CHECK(edit_distance("kitten", "sitting", 5) == 3);
  CHECK(edit_distance("kitten", "sitting", 2) == 3);  // limit + 1 once past the limit
  CHECK(edit_distance("", "abc", 5) == 3);
  CHECK(edit_distance("alpah", "alpha", 2) == 1);     // a swap of neighbours is one edit
  CHECK(edit_distance("ab", "ba", 2) == 1);
  CHECK(edit_distance("abcd", "badc", 2) == 2);
  CHECK(edit_distance("ca", "abc", 5) == 3);          // optimal string alignment, not Damerau
  CHECK(suggestion_limit("x", "a") == 0);             // one-letter names are never close
  CHECK(suggestion_limit("hiden", "hidden") == 2);
  Closest c("sigmod");
  for (std::string_view n : {"softmax", "sigmoid", "sign", "sin"}) c.offer(n);
  CHECK(c.best() == "sigmoid");
  Closest tie("sinn");  // sin and sign are both one edit: the longer common prefix wins
  for (std::string_view n : {"sign", "sin", "sinh"}) tie.offer(n);
  CHECK(tie.best() == "sin");
  Closest swapped("relu_nte");
  for (std::string_view n : {"relu_net", "relu_max"}) swapped.offer(n);
  CHECK(swapped.best() == "relu_net");
  Closest none("foo");
  for (std::string_view n : {"exp", "log", "sum"}) none.offer(n);
  CHECK(none.best().empty());
}

TEST_CASE("errors are printed when flushed or when Diagnostics goes away") {
  SourceFile f("f", "a\n");
  std::ostringstream out;
  {
    Diagnostics d(&f, out);
    d.error(Loc{1, 1}, "first");
    CHECK(out.str().empty());  // held until flush
  }
  CHECK(out.str() == "f:1:1: error: first\na\n^\n");
}

TEST_CASE("errors without a location: the file name, or 'gradc' without a file") {
  SourceFile f("f.expr", "a\n");
  std::ostringstream with_file, no_file;
  {
    Diagnostics d(&f, with_file);
    d.error_noloc("bad {}", 42);
  }
  {
    Diagnostics d(nullptr, no_file);
    d.error_noloc("bad input '{}'", "q");
    d.error(Loc{3, 4}, "has a location but no file");
  }
  CHECK(with_file.str() == "f.expr: error: bad 42\n");
  CHECK(no_file.str() == "gradc: error: has a location but no file\ngradc: error: bad input 'q'\n");
}

TEST_CASE("pending errors are printed in source order, unlocated ones last") {
  SourceFile f("f", "l1\nl2\nl3\n");
  std::ostringstream out;
  Diagnostics d(&f, out);
  d.error(Loc{3, 1}, "third");
  d.error_noloc("last");
  d.error(Loc{1, 2}, "second");
  d.error(Loc{1, 1}, "first");
  d.flush();
  std::string s = out.str();
  size_t a = s.find("first"), b = s.find("second"), c = s.find("third"), e = s.find("last");
  REQUIRE(e != std::string::npos);
  CHECK((a < b && b < c && c < e));
  CHECK(d.error_count() == 4);
  d.flush();  // flushing again prints nothing more
  CHECK(out.str() == s);
}

TEST_CASE("the caret line keeps tabs and the echo blanks out control bytes") {
  SourceFile f("f", "\ta = $\nb = \x01 c\n");
  std::ostringstream out;
  {
    Diagnostics d(&f, out);
    d.error(Loc{1, 6}, "here");
    d.error(Loc{2, 7}, "there");
  }
  CHECK(out.str() ==
        "f:1:6: error: here\n\ta = $\n\t    ^\n"
        "f:2:7: error: there\nb =   c\n      ^\n");
}

TEST_CASE("a very long line is cut to a window that still has the caret under the column") {
  std::string line = std::string(240, 'a') + "Z" + std::string(400, 'b');
  SourceFile f("f", line + "\n");
  std::ostringstream out;
  {
    Diagnostics d(&f, out);
    d.error(Loc{1, 241}, "at Z");
  }
  std::istringstream in(out.str());
  std::string header, echo, caret;
  std::getline(in, header);
  std::getline(in, echo);
  std::getline(in, caret);
  CHECK(header == "f:1:241: error: at Z");
  CHECK(echo.size() < 250);
  REQUIRE(echo.find('Z') != std::string::npos);
  CHECK(caret.find('^') == echo.find('Z'));
}

TEST_CASE("the 20th error stops the pass with TooManyErrors") {
  SourceFile f("f", "x\n");
  std::ostringstream out;
  Diagnostics d(&f, out);
  for (int i = 1; i < Diagnostics::kMaxErrors; ++i) CHECK_NOTHROW(d.error(Loc{1, 1}, "e{}", i));
  CHECK_THROWS_AS(d.error(Loc{1, 1}, "the last"), TooManyErrors);
  CHECK(d.error_count() == Diagnostics::kMaxErrors);
  std::string s = out.str();
  CHECK(unit::count_of(s, ": error: ") == size_t(Diagnostics::kMaxErrors));
  CHECK(s.find("too many errors emitted") != std::string::npos);
}

TEST_CASE("the errors printed are the first of the file, whichever pass found them") {
  std::string text;
  for (int i = 1; i <= 60; ++i) text += fmt::format("l{}\n", i);
  SourceFile f("f", text);
  std::ostringstream out;
  Diagnostics d(&f, out);
  {
    // A pass that runs ahead (the lexer) fills the limit with later lines.
    Diagnostics::DeferLimit defer(d);
    for (uint32_t line = 30; line < 30 + Diagnostics::kMaxErrors; ++line)
      CHECK_NOTHROW(d.error(Loc{line, 1}, "ahead {}", line));
  }
  CHECK(d.error_limit_reached());
  // The next pass's earlier errors still count and come first; the limit
  // stops it once 20 errors lie at or before where it is.
  for (uint32_t line = 1; line < 20; ++line) CHECK_NOTHROW(d.error(Loc{line, 2}, "early {}", line));
  CHECK_THROWS_AS(d.error(Loc{25, 1}, "the 20th"), TooManyErrors);
  const std::string s = out.str();
  CHECK(unit::count_of(s, ": error: ") == size_t(Diagnostics::kMaxErrors));
  CHECK(s.find("f:1:2: error: early 1") == 0);
  CHECK(s.find("f:25:1: error: the 20th") != std::string::npos);
  CHECK(s.find("ahead") == std::string::npos);
  CHECK(unit::count_of(s, "too many errors emitted") == 1);
  d.flush();
  CHECK(unit::count_of(out.str(), "too many errors emitted") == 1);
}

TEST_CASE("--error-limit: 0 prints every error, N the first N") {
  SourceFile f("f", "x\n");
  std::ostringstream all_out, three_out;
  Diagnostics all(&f, all_out, 0), three(&f, three_out, 3);
  for (int i = 0; i < 50; ++i) CHECK_NOTHROW(all.error(Loc{1, 1}, "e{}", i));
  all.flush();
  CHECK(unit::count_of(all_out.str(), ": error: ") == 50);
  CHECK(all_out.str().find("too many") == std::string::npos);
  CHECK_NOTHROW(three.error(Loc{1, 1}, "a"));
  CHECK_NOTHROW(three.error(Loc{1, 1}, "b"));
  CHECK_THROWS_AS(three.error(Loc{1, 1}, "c"), TooManyErrors);
  CHECK(unit::count_of(three_out.str(), ": error: ") == 3);
}

TEST_CASE("a quoted name longer than 64 characters is shown cut, with its length") {
  SourceFile f("f", "x\n");
  std::ostringstream out;
  Diagnostics d(&f, out);
  const std::string name(100000, 'a');
  d.error(Loc{1, 1}, "use of undeclared '{}'; and 'short' stays, as does don't", name);
  d.flush();
  const std::string s = out.str();
  CHECK(s.size() < 400);
  CHECK(s.find("'" + std::string(32, 'a') + "...' (100000 characters)") != std::string::npos);
  CHECK(s.find("'short' stays, as does don't") != std::string::npos);
}

TEST_CASE("decode_utf8: only well-formed UTF-8 is a character") {
  auto valid = [](std::string_view s) { return decode_utf8(s, 0).valid; };
  CHECK(valid("a"));
  CHECK(valid("\xC3\xA9"));          // é
  CHECK(valid("\xE2\x82\xAC"));      // €
  CHECK(valid("\xF0\x9F\x98\x80"));  // an emoji
  CHECK(valid("\xF4\x8F\xBF\xBF"));  // U+10FFFF
  CHECK_FALSE(valid("\xC0\x89"));      // an overlong tab
  CHECK_FALSE(valid("\xC1\x81"));      // an overlong 'A'
  CHECK_FALSE(valid("\xE0\x80\x80"));  // overlong
  CHECK_FALSE(valid("\xED\xA0\x80"));  // a surrogate
  CHECK_FALSE(valid("\xF4\x90\x80\x80"));  // past U+10FFFF
  CHECK_FALSE(valid("\xF5\x80\x80\x80"));
  CHECK_FALSE(valid("\xFF"));
  CHECK_FALSE(valid("\xE9 "));        // Latin-1 'é': a lead cut short
  CHECK_FALSE(valid("\x80"));
  CHECK(decode_utf8("\xC0\x89", 0).length == 2);
}

TEST_CASE("quote_char: printable bytes quoted, others as \\xNN") {
  CHECK(quote_char('a') == "'a'");
  CHECK(quote_char('$') == "'$'");
  CHECK(quote_char(0x01) == "'\\x01'");
  CHECK(quote_char(0x7f) == "'\\x7F'");
  CHECK(quote_char(0xCF) == "'\\xCF'");
}
