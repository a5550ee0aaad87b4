// test_diagnostics.cpp - SourceFile line/column bookkeeping and the
// clang-style rendering of errors: file:line:col, the line, a caret under the
// column; sorting by location; the 20-error limit; quote_char.
#include "support/spelling.h"
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

TEST_CASE("quote_char: printable bytes quoted, others as \\xNN") {
  CHECK(quote_char('a') == "'a'");
  CHECK(quote_char('$') == "'$'");
  CHECK(quote_char(0x01) == "'\\x01'");
  CHECK(quote_char(0x7f) == "'\\x7F'");
  CHECK(quote_char(0xCF) == "'\\xCF'");
}
