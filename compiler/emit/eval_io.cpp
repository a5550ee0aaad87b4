// eval_io.cpp - parsing input values and writing --eval JSON. Array values
// are nested JSON-style lists (`[[1, 2], [3, 4]]`), read without recursion.
#include "emit/eval_io.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <unordered_map>

#include "support/number.h"
#include "support/read_file.h"
#include "support/spelling.h"

namespace gradc {

namespace {

// ", write nan" where `item` is a spelling of NaN or infinity that --eval's
// numbers do not take (NaN, Inf, Infinity, in any case but the one read).
std::string nonfinite_hint(std::string_view item) {
  std::string lower;
  for (char c : item) lower += char(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  std::string_view body = lower;
  if (!body.empty() && (body[0] == '-' || body[0] == '+')) body.remove_prefix(1);
  if (body == "nan") return " (write nan)";
  if (body == "inf" || body == "infinity") return " (write inf or -inf)";
  return "";
}

// `text` as a message quotes it: control bytes as \xNN, and cut after 40
// characters (a value of 200,000 digits is not echoed whole).
std::string for_message(std::string_view text) {
  constexpr size_t kShown = 40;
  std::string out;
  for (size_t i = 0; i < text.size() && i < kShown; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    out += c < 0x20 || c == 0x7f ? fmt::format("\\x{:02X}", c) : std::string(1, char(c));
  }
  if (text.size() > kShown) out += fmt::format("... ({} characters)", text.size());
  return out;
}

// ASCII white space; std::isspace would follow the C locale.
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// A JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? (no `+1`, `.5`, `5.`).
bool is_json_number(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') ++i;
  else if (!digits()) return false;
  if (i < s.size() && s[i] == '.' && (++i, !digits())) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

// A number written by a person: 1, -2.5e3, +1, .5, nan, inf, -inf (quotes
// allowed); in a JSON file, numbers as JSON writes them. Sets `out_of_range`
// for 1e309.
std::optional<double> parse_number(std::string_view s, bool json, bool& out_of_range) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  bool quoted = s.size() >= 2 && s.front() == '"' && s.back() == '"';
  if (quoted) s = s.substr(1, s.size() - 2);
  if (s == "nan") return std::nan("");
  if (s == "inf" || s == "+inf") return INFINITY;
  if (s == "-inf") return -INFINITY;
  if (json && (quoted || !is_json_number(s))) return std::nullopt;  // "3" is a string in JSON
  if (s.starts_with("+") && !s.starts_with("+-")) s.remove_prefix(1);
  double v = 0;  // locale-independent: '.' whatever LC_NUMERIC says
  NumberStatus status = parse_decimal(s, v);
  out_of_range = status == NumberStatus::OutOfRange;
  if (status != NumberStatus::Ok) return std::nullopt;
  return v;
}

// The value text of one input, checked against its shape and flattened
// row-major: a bracket opens a dimension, numbers sit at the innermost one.
// A problem is returned with `at`, its offset in `text`.
std::optional<std::string> parse_value(std::string_view text, const Shape& shape, bool json,
                                       std::vector<double>& out, size_t& at) {
  std::vector<size_t> count;  // elements seen at each open level
  size_t i = 0;
  at = 0;
  auto skip = [&] { while (i < text.size() && is_space(text[i])) ++i; };
  auto expected_shape = [&] {
    return shape.empty() ? std::string("expected a number")
                         : fmt::format("expected an array of shape {}", shape_text(shape));
  };
  bool need_item = true;
  for (skip(); i < text.size(); skip()) {
    char c = text[i];
    at = i;
    if (c == '[') {
      if (!need_item || count.size() == shape.size()) return expected_shape();
      count.push_back(0);
      ++i;
    } else if (c == ']') {
      if (need_item && !count.empty() && count.back() > 0)
        return std::string("malformed list (a ',' before ']')");
      if (count.empty() || count.back() != shape[count.size() - 1]) return expected_shape();
      count.pop_back();
      if (!count.empty()) ++count.back();
      need_item = false;
      ++i;
    } else if (c == ',') {
      if (need_item || count.empty()) return std::string("malformed list");
      need_item = true;
      ++i;
    } else {
      size_t start = i;
      if (c == '"') {  // a string is one item, brackets and commas in it too
        for (++i; i < text.size() && text[i] != '"'; ++i) i += text[i] == '\\';
        i = std::min(i + 1, text.size());
      }
      while (i < text.size() && text[i] != ',' && text[i] != ']' && text[i] != '[') ++i;
      bool out_of_range = false;
      std::string_view item = text.substr(start, i - start);
      while (!item.empty() && is_space(item.back())) item.remove_suffix(1);
      auto v = parse_number(item, json, out_of_range);
      if (out_of_range) return fmt::format("'{}' is out of range for a double", for_message(item));
      if (!v) return fmt::format("'{}' is not a number{}", for_message(item),
                                 json ? " (in JSON)" : nonfinite_hint(item));
      if (!need_item || count.size() != shape.size()) return expected_shape();
      out.push_back(*v);
      if (!count.empty()) ++count.back();
      need_item = false;
    }
  }
  if (!count.empty()) {  // `[[1,2],[3,4]`: malformed, whatever the shape
    at = text.size();
    return fmt::format("expected ']' at the end: {} '[' {} not closed", count.size(),
                       count.size() == 1 ? "is" : "are");
  }
  at = 0;  // a value that ends too early: the problem is the whole value
  if (need_item || out.size() != shape_size(shape)) return expected_shape();
  return std::nullopt;
}

struct Assignment {
  std::string name, value;
  bool json = false;  ///< from a JSON file: JSON's number syntax
  size_t name_at = 0, value_at = 0;  ///< JSON: offsets of the name's quote and the value
};

/// One point's assignments; from a JSON file, where its object starts.
struct PointText {
  std::vector<Assignment> items;
  size_t at = 0;
};

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

// Four hex digits at text[i..i+4), or -1.
long hex4(const std::string& text, size_t i) {
  if (i + 4 > text.size()) return -1;
  long v = 0;
  for (size_t k = i; k < i + 4; ++k) {
    char c = text[k];
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
          : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

// The JSON string starting at text[i] == '"', escapes decoded (\uXXXX,
// surrogate pairs included) into `out`; i moves past it. Else a problem.
std::optional<std::string> json_string(const std::string& text, size_t& i, std::string& out) {
  static constexpr std::string_view kEscapes = "\"\\/bfnrt", kMeaning = "\"\\/\b\f\n\r\t";
  for (++i; i < text.size() && text[i] != '"'; ++i) {
    if (static_cast<unsigned char>(text[i]) < 0x20) return "a control character in a string";
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    size_t escape = i;  // problems are reported here
    if (++i >= text.size()) break;
    if (size_t e = kEscapes.find(text[i]); e != std::string_view::npos) {
      out += kMeaning[e];
      continue;
    }
    auto fail = [&](const char* problem) {
      i = escape;
      return std::optional<std::string>(problem);
    };
    if (text[i] != 'u') return fail("an unknown escape in a string");
    long cp = hex4(text, i + 1);
    if (cp < 0) return fail("'\\u' needs four hex digits");
    i += 4;
    if (cp >= 0xD800 && cp < 0xDC00) {  // a high surrogate: its low half follows
      long low = i + 2 < text.size() && text[i + 1] == '\\' && text[i + 2] == 'u' ? hex4(text, i + 3) : -1;
      if (low < 0xDC00 || low >= 0xE000) return fail("an unpaired surrogate in a string");
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
      i += 6;
    } else if (cp >= 0xDC00 && cp < 0xE000) {
      return fail("an unpaired surrogate in a string");
    }
    append_utf8(out, uint32_t(cp));
  }
  if (i >= text.size()) return "unterminated string";
  ++i;
  return std::nullopt;
}

// Past the end of the JSON value at text[i] (i after blanks), without
// recursion: objects, arrays and strings are followed to their ends, so a
// value may hold any JSON (`"meta": {"id": [1, "]"]}` beside the inputs).
// A run of other characters is one scalar (a number, nan, true, ...),
// checked where it is used. Else a problem, and i where it is; a bracket
// the file ends inside is reported at that bracket.
std::optional<std::string> skip_json_value(const std::string& text, size_t& i) {
  auto skip = [&] { while (i < text.size() && is_space(text[i])) ++i; };
  std::vector<size_t> open;  // offsets of the '[' and '{' not yet closed
  auto unclosed = [&]() -> std::optional<std::string> {
    i = open.back();
    return fmt::format("this '{}' is not closed: the file ends first", text[i]);
  };
  for (;;) {
    skip();  // a value
    if (i >= text.size()) return open.empty() ? std::optional<std::string>("expected a value") : unclosed();
    const char c = text[i];
    bool key_next = false;  // a non-empty object opened: its first name
    if (c == '[' || c == '{') {
      open.push_back(i++);
      skip();
      if (i < text.size() && text[i] == (c == '[' ? ']' : '}')) {
        open.pop_back();
        ++i;
      } else if (c == '[') {
        continue;  // its first element
      } else {
        key_next = true;
      }
    } else if (c == '"') {
      std::string ignored;
      if (auto problem = json_string(text, i, ignored)) return problem;
    } else {
      const size_t start = i;
      constexpr std::string_view kEnds = ",:[]{}\"";  // (a NUL byte is no end: not strchr)
      while (i < text.size() && !is_space(text[i]) && kEnds.find(text[i]) == kEnds.npos) ++i;
      if (i == start && (c == ']' || c == '}') && !open.empty())
        return fmt::format("a ',' before '{}'", c);
      if (i == start)
        return fmt::format("expected a value, got {}", quote_char(static_cast<unsigned char>(c)));
    }
    // After a value: the end of the whole one, or what follows in its container.
    while (!key_next) {
      skip();
      if (open.empty()) return std::nullopt;
      if (i >= text.size()) return unclosed();
      const bool in_object = text[open.back()] == '{';
      if (text[i] == (in_object ? '}' : ']')) {
        open.pop_back();
        ++i;
        continue;
      }
      if (text[i] != ',') return in_object ? "expected ',' or '}'" : "expected ',' or ']'";
      ++i;
      key_next = in_object;
      if (!in_object) break;  // the array's next element
    }
    if (key_next) {  // "name": before an object member's value
      skip();
      if (i >= text.size()) return unclosed();
      if (text[i] != '"') return "expected a quoted name";
      std::string ignored;
      if (auto problem = json_string(text, i, ignored)) return problem;
      skip();
      if (i >= text.size() || text[i] != ':') return "expected ':'";
      ++i;
    }
  }
}

// "malformed JSON" at byte i of the JSON file, as file:line:col with the
// line and a caret (as an editor and a clang user want it).
void json_error(const SourceFile& file, size_t i, Diagnostics& diag, std::string_view what) {
  diag.error_in(file, file.loc(std::min(i, file.text().size())), "malformed JSON: {}", what);
}

// The JSON object {"name": value, ...} at text[i] (after blanks), without
// recursion; i moves past its '}'.
std::optional<std::vector<Assignment>> parse_json_object_at(const std::string& text, size_t& i,
                                                             const SourceFile& file,
                                                             Diagnostics& diag) {
  auto skip = [&] { while (i < text.size() && is_space(text[i])) ++i; };
  auto bad = [&](std::string_view what) {
    json_error(file, i, diag, what);
    return std::nullopt;
  };
  std::vector<Assignment> out;
  skip();
  if (i >= text.size() || text[i] != '{') return bad("expected '{'");
  const size_t object_at = i++;
  skip();
  if (i < text.size() && text[i] == '}') {
    ++i;
    return out;
  }
  for (;;) {
    skip();
    if (i < text.size() && text[i] == '}' && !out.empty()) return bad("a ',' before '}'");
    if (i >= text.size() || text[i] != '"') return bad("expected a quoted input name");
    std::string key;
    const size_t name_at = i;
    if (auto problem = json_string(text, i, key)) return bad(*problem);
    skip();
    if (i >= text.size() || text[i] != ':') return bad("expected ':'");
    ++i;
    skip();
    const size_t value_at = i;
    if (auto problem = skip_json_value(text, i)) return bad(*problem);
    out.push_back({key, text.substr(value_at, i - value_at), true, name_at, value_at});
    skip();
    if (i < text.size() && text[i] == ',') { ++i; continue; }
    if (i < text.size() && text[i] == '}') break;
    if (i >= text.size()) {
      i = object_at;
      return bad("this '{' is not closed: the file ends first");
    }
    return bad("expected ',' or '}'");
  }
  ++i;
  return out;
}

// A JSON file's points: one object, or an array of objects (SPEC 4). At
// a syntax error (reported), `ok` is false and the points before it are
// returned: their values are still checked, so that one run reports every
// error up to the one that stops the reading.
std::vector<PointText> parse_json_points(const std::string& text, const SourceFile& file,
                                         Diagnostics& diag, bool& array, bool& ok) {
  size_t i = 0;
  std::vector<PointText> points;
  auto skip = [&] { while (i < text.size() && is_space(text[i])) ++i; };
  auto bad = [&](std::string_view what) {
    json_error(file, i, diag, what);
    ok = false;
    return std::move(points);
  };
  if (text.starts_with(kUtf8Bom)) i = kUtf8Bom.size();  // skipped, as in sources
  skip();
  array = i < text.size() && text[i] == '[';
  const size_t array_at = i;
  if (!array) {
    const size_t at = i;
    if (i >= text.size() || text[i] != '{') return bad("expected '{' (one point) or '[' (an array of points)");
    auto point = parse_json_object_at(text, i, file, diag);
    if (!point) {
      ok = false;
      return points;
    }
    points.push_back({std::move(*point), at});
  } else {
    ++i;
    skip();
    // An empty array is no points, whose results are an empty array too.
    const bool no_points = i < text.size() && text[i] == ']';
    while (!no_points) {
      const size_t at = i;
      auto point = parse_json_object_at(text, i, file, diag);
      if (!point) {
        ok = false;
        return points;
      }
      points.push_back({std::move(*point), at});
      skip();
      if (i < text.size() && text[i] == ',') {
        ++i;
        skip();
        if (i < text.size() && text[i] == ']') return bad("a ',' before ']'");
        continue;
      }
      if (i < text.size() && text[i] == ']') break;
      if (i >= text.size()) {
        i = array_at;
        return bad("this '[' is not closed: the file ends first");
      }
      return bad("expected ',' or ']' after a point");
    }
    ++i;
  }
  skip();
  if (i != text.size()) return bad(array ? "unexpected text after the array" : "unexpected text after the object");
  return points;
}

// `x=1,W=[[1,2],[3,4]]`: split at commas outside brackets.
std::vector<Assignment> parse_inline(const std::string& spec, Diagnostics& diag, bool& ok) {
  std::vector<Assignment> out;
  size_t start = 0;
  int depth = 0;
  bool empty_reported = false;  // one error for all the empty items
  for (size_t i = 0; i <= spec.size(); ++i) {
    if (i < spec.size() && spec[i] == '[') ++depth;
    if (i < spec.size() && spec[i] == ']') --depth;
    if (i < spec.size() && (spec[i] != ',' || depth > 0)) continue;
    std::string item = spec.substr(start, i - start);
    start = i + 1;
    if (item.empty()) {  // `x=1,,y=2` or a comma at an end, as [1, 2,] in a list
      if (!spec.empty()) {  // (`--eval=` alone has no items at all)
        if (!empty_reported)
          diag.error_noloc("empty item in --eval '{}' (two commas, or one at an end)", spec);
        empty_reported = true;
        ok = false;
      }
      continue;
    }
    size_t eq = item.find('=');
    if (eq == std::string::npos) {
      diag.error_noloc("expected 'name=value' in --eval, got '{}'", item);
      ok = false;
      continue;
    }
    std::string name = item.substr(0, eq);
    name.erase(0, name.find_first_not_of(" \t"));
    name.erase(name.find_last_not_of(" \t") + 1);
    out.push_back({name, item.substr(eq + 1)});
  }
  return out;
}

// A points file's text, read in pieces: no more than kMaxPointsFileBytes,
// and no further than its first piece where that does not start a JSON
// object or array (the parser reports it there), so that /dev/zero or a
// binary file is refused at once rather than read until memory runs out.
bool read_points_text(std::FILE* in, const std::string& name, std::string& text,
                      Diagnostics& diag) {
  bool start_checked = false;
  for (;;) {
    const long got = read_piece(in, text);
    if (got < 0) {
      diag.error_noloc("cannot read input file '{}': {}", name, std::strerror(errno));
      return false;
    }
    if (got == 0) break;
    if (text.size() > kMaxPointsFileBytes) {
      diag.error_noloc("the points file '{}' is larger than {} MiB, the limit of --eval=@FILE; "
                       "split it into several files", name, kMaxPointsFileBytes >> 20);
      return false;
    }
    if (!start_checked) {
      size_t i = text.starts_with(kUtf8Bom) ? kUtf8Bom.size() : 0;
      while (i < text.size() && is_space(text[i])) ++i;
      if (i < text.size()) {
        start_checked = true;
        if (text[i] != '{' && text[i] != '[') break;
      }
    }
  }
  return true;
}

// The points of --eval's text, and the JSON file they come from (or null);
// nullopt where there is no text to read. `ok` is false after a syntax
// error, with the points before it.
std::optional<std::vector<PointText>> read_assignments(const std::string& spec, Diagnostics& diag,
                                                       bool& ok, bool& array,
                                                       const SourceFile*& json_file) {
  array = false;
  json_file = nullptr;
  if (!spec.starts_with("@")) return std::vector<PointText>{{parse_inline(spec, diag, ok), 0}};
  std::string file = spec.substr(1);
  if (file == "-") {  // --eval=@-: the points from standard input
    std::string text;
    if (!read_points_text(stdin, "<stdin>", text, diag)) return std::nullopt;
    const SourceFile& json = diag.add_file("<stdin>", std::move(text));
    json_file = &json;
    return parse_json_points(json.text(), json, diag, array, ok);
  }
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) {
    diag.error_noloc("cannot read input file '{}': {}", file, std::strerror(EISDIR));
    return std::nullopt;
  }
  errno = 0;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(std::fopen(file.c_str(), "rb"), &std::fclose);
  if (!in) {
    int e = errno;
    diag.error_noloc("cannot read input file '{}'{}", file,
                     e ? std::string(": ") + std::strerror(e) : std::string());
    return std::nullopt;
  }
  std::string text;
  if (!read_points_text(in.get(), file, text, diag)) return std::nullopt;
  const SourceFile& json = diag.add_file(file, std::move(text));
  json_file = &json;
  return parse_json_points(json.text(), json, diag, array, ok);
}

// The closest input to `name`, which is not one (the result views `name`
// and the program's input names).
Closest closest_input(const std::string& name, const Program& p) {
  Closest closest(name);
  for (const Variable& v : p.inputs) closest.offer(v.name);
  return closest;
}

}  // namespace

std::string not_an_input(const std::string& name, const Program& p) {
  std::string list;
  for (const Variable& v : p.inputs) list += (list.empty() ? "" : ", ") + v.name;
  std::string msg = fmt::format("'{}' is not an input of the program", for_message(name));
  msg += closest_input(name, p).did_you_mean();
  return msg + (list.empty() ? " (it has no inputs)" : " (its inputs: " + list + ")");
}

namespace {

/// Each input's index by name: one lookup per value a point gives.
using InputIndex = std::unordered_map<std::string_view, size_t>;

// One point's values in ABI order, or nullopt (each problem reported; a
// point of an array names its index; from a JSON file, at its place there).
std::optional<std::vector<double>> point_values(const PointText& text, const SourceFile* file,
                                                const Program& p, const InputIndex& input_index,
                                                Diagnostics& diag, bool ok,
                                                std::optional<size_t> point,
                                                std::optional<uint32_t> free_input) {
  const std::vector<Assignment>& items = text.items;
  std::string where = point ? fmt::format("point {}: ", *point) : "";
  auto error = [&](size_t at, const std::string& message) {
    if (file) diag.error_in(*file, file->loc(at), "{}{}", where, message);
    else diag.error_noloc("{}{}", where, message);
  };
  std::vector<std::vector<double>> per_input(p.inputs.size());
  std::vector<bool> given(p.inputs.size(), false);
  std::vector<std::string> suggested;  // inputs an error already named ("did you mean")
  for (const Assignment& a : items) {
    const auto found = input_index.find(a.name);
    if (found == input_index.end()) {
      error(a.name_at, not_an_input(a.name, p));
      suggested.push_back(std::string(closest_input(a.name, p).best()));
      ok = false;
      continue;
    }
    const size_t index = found->second;
    const Variable& input = p.inputs[index];
    if (given[index]) {
      error(a.name_at, fmt::format("input '{}' is given twice", a.name));
      ok = false;
    }
    given[index] = true;
    per_input[index].clear();
    size_t at = 0;
    if (auto problem = parse_value(a.value, input.shape, a.json, per_input[index], at)) {
      error(a.value_at + at,
            fmt::format("invalid value '{}' for input '{}': {}", for_message(a.value), a.name,
                        *problem));
      ok = false;
    }
  }
  if (free_input && !given[*free_input]) {
    given[*free_input] = true;
    per_input[*free_input].assign(p.inputs[*free_input].size(), std::nan(""));
  }
  // All missing inputs in one error, whatever else was wrong, but not one
  // that a misspelt name was already pointed to.
  std::vector<std::string> missing;
  for (size_t i = 0; i < given.size(); ++i)
    if (!given[i] && std::find(suggested.begin(), suggested.end(), p.inputs[i].name) == suggested.end())
      missing.push_back(fmt::format("'{}'", p.inputs[i].name));
  if (missing.size() == 1) error(text.at, fmt::format("missing value for input {}", missing[0]));
  if (missing.size() > 1)
    error(text.at, fmt::format("missing values for inputs {}", fmt::join(missing, ", ")));
  if (!missing.empty()) ok = false;
  if (!ok) return std::nullopt;
  std::vector<double> values;
  for (const auto& v : per_input) values.insert(values.end(), v.begin(), v.end());
  return values;
}

// `1.5`, or nested lists `[[1.0, 2.0], [3.0, 4.0]]` in the given shape.
std::string json_array(const Shape& shape, const std::vector<NodeId>& nodes,
                       const std::vector<double>& values) {
  return nested_list(shape, nodes.size(), "[", "]",
                     [&](size_t i) { return json_number(values[nodes[i]]); });
}

}  // namespace

std::optional<EvalPoints> read_points(const std::string& spec, const Program& p,
                                      Diagnostics& diag, std::optional<uint32_t> free_input) {
  try {
    bool ok = true;
    EvalPoints result;
    const SourceFile* file = nullptr;
    auto items = read_assignments(spec, diag, ok, result.array, file);
    if (!items) return std::nullopt;
    InputIndex input_index;
    for (size_t i = 0; i < p.inputs.size(); ++i) input_index.emplace(p.inputs[i].name, i);
    for (size_t i = 0; i < items->size(); ++i) {
      auto values = point_values((*items)[i], file, p, input_index, diag, ok,
                                 result.array ? std::optional<size_t>(i) : std::nullopt,
                                 free_input);
      if (values) result.points.push_back(std::move(*values));
      else ok = false;
    }
    if (!ok) return std::nullopt;
    return result;
  } catch (const TooManyErrors&) {
    return std::nullopt;  // the first errors, to the limit, are reported
  }
}

std::optional<std::vector<double>> read_inputs(const std::string& spec, const Program& p,
                                               Diagnostics& diag) {
  std::optional<EvalPoints> r = read_points(spec, p, diag);
  if (!r) return std::nullopt;
  if (r->array) {
    diag.error_noloc("'{}' holds an array of points where one point is expected", spec.substr(1));
    return std::nullopt;
  }
  return std::move(r->points[0]);
}

std::string json_number(double v) {
  if (std::isnan(v)) return "\"nan\"";
  if (std::isinf(v)) return v > 0 ? "\"inf\"" : "\"-inf\"";
  std::string s = fmt::format("{:.17g}", v);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

std::string eval_json(const Compiled& c, const std::vector<double>& values) {
  const Program& p = c.prog;
  const std::vector<const Variable*> wrt = p.wrt_variables();
  std::string out = "{\"outputs\": {";
  for (size_t i = 0; i < p.outputs.size(); ++i)
    out += fmt::format("{}\"{}\": {}", i ? ", " : "", p.outputs[i].name,
                       json_array(p.outputs[i].shape, p.outputs[i].nodes, values));
  out += "},\n \"derivatives\": {";
  size_t d = 0;
  for (size_t i = 0; i < p.outputs.size(); ++i) {
    out += fmt::format("{}\"{}\": {{", i ? ",\n                 " : "", p.outputs[i].name);
    for (size_t j = 0; j < wrt.size(); ++j, ++d)
      out += fmt::format("{}\"{}\": {}", j ? ", " : "", wrt[j]->name,
                         json_array(c.derivatives[d].shape, c.derivatives[d].nodes, values));
    out += "}";
  }
  out += "}";
  if (!c.second_derivatives.empty()) {
    // "hessian": output, then first input, then second input (SPEC 4).
    out += ",\n \"hessian\": {";
    size_t d = 0;
    const size_t w = wrt.size();
    for (size_t i = 0; i < p.outputs.size(); ++i) {
      out += fmt::format("{}\"{}\": {{", i ? ",\n             " : "", p.outputs[i].name);
      for (size_t a = 0; a < w; ++a) {
        out += fmt::format("{}\"{}\": {{", a ? ", " : "", wrt[a]->name);
        for (size_t b = 0; b < w; ++b, ++d)
          out += fmt::format("{}\"{}\": {}", b ? ", " : "", wrt[b]->name,
                             json_array(c.second_derivatives[d].shape,
                                        c.second_derivatives[d].nodes, values));
        out += "}";
      }
      out += "}";
    }
    out += "}";
  }
  return out + "}\n";
}

std::string eval_json(const Compiled& c, const std::vector<double>& out,
                      const std::vector<double>& jac, const std::vector<double>& hess) {
  // Every node eval_json reads is an output, Jacobian or Hessian root
  // (a Hessian entry may be a Jacobian's node: written with the same value).
  std::vector<double> values(c.prog.graph.size(), std::nan(""));
  for (size_t i = 0; i < c.outputs.size(); ++i) values[c.outputs[i]] = out.at(i);
  for (size_t i = 0; i < c.jacobian.size(); ++i) values[c.jacobian[i]] = jac.at(i);
  for (size_t i = 0; i < hess.size(); ++i) values[c.hessian.at(i)] = hess[i];
  return eval_json(c, values);
}

}  // namespace gradc
