// test_eval_io.cpp - --eval inputs (inline `x=1,y=2` and `@file.json`), each
// missing, unknown, repeated or malformed input reported by name; SPEC 4
// number format (17 significant digits, "nan"/"inf"/"-inf"); the JSON object.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "comma_locale.h"
#include "emit/eval_io.h"
#include "unit_support.h"

using namespace gradc;

namespace {

struct Read {
  std::optional<std::vector<double>> values;
  std::string errors;
};

Read read(const std::string& spec, const Program& p) {
  std::ostringstream err;
  Read r;
  {
    Diagnostics diag(nullptr, err);
    r.values = read_inputs(spec, p, diag);
  }
  r.errors = err.str();
  return r;
}

Program xyz() {
  unit::Parse p = unit::parse_text("input x, y, z\nw = x*y + z");
  REQUIRE(p.program);
  return std::move(*p.program);
}

// A temporary file holding `text`, removed when the object goes away.
struct TempFile {
  std::filesystem::path path;
  explicit TempFile(const std::string& text) {
    static int counter = 0;
    path = std::filesystem::temp_directory_path() /
           fmt::format("gradc_unit_inputs_{}_{}.json", ::getpid(), counter++);
    std::ofstream(path) << text;
  }
  ~TempFile() { std::filesystem::remove(path); }
  std::string spec() const { return fmt::format("@{}", path.string()); }
};

std::string without_spaces(std::string s) {
  std::erase_if(s, [](char c) { return c == ' ' || c == '\n'; });
  return s;
}

}  // namespace

TEST_CASE("inline inputs, in any order, land in ABI order") {
  Program p = xyz();
  Read r = read("x=1,y=2.5,z=-3", p);
  REQUIRE(r.values);
  CHECK(*r.values == std::vector<double>{1, 2.5, -3});
  Read s = read("z=3,x=1e-3,y=.5", p);
  REQUIRE(s.values);
  CHECK(*s.values == std::vector<double>{1e-3, 0.5, 3});
  Read t = read("x=nan,y=inf,z=-inf", p);
  REQUIRE(t.values);
  CHECK(std::isnan((*t.values)[0]));
  CHECK((*t.values)[1] == INFINITY);
  CHECK((*t.values)[2] == -INFINITY);
}

TEST_CASE("inputs from a JSON file") {
  Program p = xyz();
  TempFile f("{\n  \"y\": 2,\n  \"x\": 1.5,\n  \"z\": \"-inf\"\n}\n");
  Read r = read(f.spec(), p);
  INFO(r.errors);
  REQUIRE(r.values);
  CHECK(*r.values == std::vector<double>{1.5, 2, -INFINITY});
  TempFile g("{\"x\": -1e3, \"y\": 0, \"z\": 6.02E23}");
  Read s = read(g.spec(), p);
  REQUIRE(s.values);
  CHECK(*s.values == std::vector<double>{-1000, 0, 6.02e23});
}

TEST_CASE("values are read with '.' whatever the process's locale (de_DE: ',')") {
  unit::CommaLocale comma;
  Program p = xyz();
  Read r = read("x=2.5,y=.5,z=-1e-3", p);
  REQUIRE(r.values);
  CHECK(*r.values == std::vector<double>{2.5, 0.5, -1e-3});
  TempFile file(R"({"x": 2.5, "y": 0.25, "z": 6.02E23})");
  r = read(file.spec(), p);
  REQUIRE(r.values);
  CHECK(*r.values == std::vector<double>{2.5, 0.25, 6.02e23});
  CHECK_FALSE(read("x=2,5,y=1,z=1", p).values);  // "2,5" is not a number anywhere
  // What gradc writes does not follow the locale either.
  CHECK(json_number(2.5) == "2.5");
  CHECK(json_number(-1e-3) == "-0.001");
}

TEST_CASE("input errors name the input") {
  Program p = xyz();
  struct Case {
    const char* spec;
    const char* message;
  };
  const Case cases[] = {
      {"x=1,y=2", "missing value for input 'z'"},
      {"x=1,y=2,z=3,q=4", "'q' is not an input"},
      {"x=abc,y=2,z=3", "invalid value 'abc' for input 'x'"},
      {"x=1,y=2,z=1e999", "invalid value '1e999' for input 'z'"},
      {"x=1,y=2,z=0x10", "for input 'z'"},
      {"x=,y=1,z=1", "invalid value '' for input 'x'"},
      {"x=1,x=2,y=2,z=3", "input 'x' is given twice"},
      {"x=1,y,z=3", "expected 'name=value'"},
      {"", "missing values for inputs 'x', 'y', 'z'"},
      {"x=1", "missing values for inputs 'y', 'z'"},
      {"x=1,q=3,y=bad", "missing value for input 'z'"},  // with other errors too
      {"x=1,,y=2,z=3", "empty item in --eval"},
      {"x=1,y=2,z=3,", "empty item in --eval"},
      {",x=1,y=2,z=3", "empty item in --eval"},
  };
  for (const Case& c : cases) {
    Read r = read(c.spec, p);
    INFO(std::string(c.spec), "\n", r.errors);
    CHECK_FALSE(r.values.has_value());
    CHECK(r.errors.find(c.message) != std::string::npos);
  }
}

namespace {

// A JSON file's text and (a part of) the error it must give.
struct FileError {
  const char* text;
  const char* message;
};

// Each text, written to a file and read as --eval=@file, fails with its message.
void check_file_errors(const Program& p, const std::vector<FileError>& cases) {
  for (const FileError& c : cases) {
    TempFile f(c.text);
    Read r = read(f.spec(), p);
    INFO(std::string(c.text), "\n", r.errors);
    CHECK_FALSE(r.values.has_value());
    CHECK(r.errors.find(c.message) != std::string::npos);
  }
}

}  // namespace

TEST_CASE("JSON file errors") {
  Program p = xyz();
  check_file_errors(p, {
      {"{\"x\": 1, \"y\": 2", "malformed JSON"},
      {"[1, 2, 3]", "malformed JSON"},
      {"{x: 1}", "malformed JSON"},
      {"{\"x\": 1, \"y\": 2, \"z\": 3} extra", "malformed JSON"},
      {"{\"x\": [1], \"y\": 2, \"z\": 3}", "for input 'x': expected a number"},
      {"{\"x\": 1, \"y\": 2}", "missing value for input 'z'"},
      {"{\"x\": 1, \"y\": 2, \"z\": 3, \"w\": 4}", "'w' is not an input"},
      {"{\"x\": \"one\", \"y\": 2, \"z\": 3}", "invalid value '\"one\"' for input 'x'"},
      // A quoted number is a JSON string: only "nan", "inf" and "-inf" may be.
      {"{\"x\": 1, \"y\": 2, \"z\": \"3\"}", "invalid value '\"3\"' for input 'z'"},
      // The column is the offending character's (the 1 where '{' belongs),
      // in the error form of a source file: the line, then a caret.
      {"[1]", ":1:2: error: malformed JSON: expected '{'\n[1]\n ^\n"},
      {"{\"x\": 1,\n \"y\": 2,}", ":2:9: error: malformed JSON: a ',' before '}'\n \"y\": 2,}\n        ^\n"},
  });
  Read missing = read("@/nonexistent/dir/inputs.json", p);
  CHECK_FALSE(missing.values.has_value());
  CHECK(missing.errors.find(
            "cannot read input file '/nonexistent/dir/inputs.json': No such file or directory") !=
        std::string::npos);
  Read directory = read("@/tmp", p);
  CHECK(directory.errors.find("cannot read input file '/tmp': Is a directory") != std::string::npos);
  // A UTF-8 byte-order mark before the JSON is skipped, as before a source.
  TempFile bom("\xEF\xBB\xBF{\"x\": 1, \"y\": 2, \"z\": \"inf\"}");
  Read with_bom = read(bom.spec(), p);
  INFO(with_bom.errors);
  REQUIRE(with_bom.values.has_value());
  CHECK(with_bom.values->at(2) == INFINITY);
}

// Every error about a JSON file's content points into the file, as a
// syntax error does: values that are not numbers in JSON (+1, .5), wrong
// shapes, unknown and repeated names, and a point's missing inputs (at its
// '{'), each in the point of an array that holds it.
TEST_CASE("JSON value errors are given at their place in the file") {
  Program p = xyz();
  check_file_errors(p, {
      {"{\"x\": +1, \"y\": 2, \"z\": 3}",
       ":1:7: error: invalid value '+1' for input 'x': '+1' is not a number (in JSON)\n"
       "{\"x\": +1, \"y\": 2, \"z\": 3}\n      ^\n"},
      {"{\"x\": 1,\n \"y\": .5, \"z\": 3}", ":2:7: error: invalid value '.5' for input 'y'"},
      {"{\"x\": [1, 2], \"y\": 2, \"z\": 3}", ":1:7: error: invalid value '[1, 2]' for input 'x'"},
      {"{\"x\": 1, \"y\": 2, \"z\": 3, \"w\": 4}", ":1:26: error: 'w' is not an input"},
      {"{\"x\": 1, \"x\": 2, \"y\": 2, \"z\": 3}", ":1:10: error: input 'x' is given twice"},
      {"[{\"x\": 1, \"y\": 2, \"z\": 3},\n {\"x\": 1}]",
       ":2:2: error: point 1: missing values for inputs 'y', 'z'"},
      {"[{\"x\": 1, \"y\": 2, \"z\": 3},\n {\"x\": 1, \"y\": 2, \"z\": 5e999}]",
       ":2:24: error: point 1: invalid value '5e999' for input 'z': '5e999' is out of range"},
  });
  // Inline values have no file: the same errors, without a position.
  Read inline_values = read("x=1,y=2,z=3,w=4", p);
  CHECK(inline_values.errors.find("error: 'w' is not an input") != std::string::npos);
}

TEST_CASE("many bad inputs are reported without throwing (no crash, SPEC 2)") {
  Program p = xyz();
  std::string spec = "x=1,y=2,z=3";
  for (int i = 0; i < 30; ++i) spec += fmt::format(",q{}=1", i);
  std::optional<std::vector<double>> values;
  std::ostringstream err;
  Diagnostics diag(nullptr, err);
  CHECK_NOTHROW(values = read_inputs(spec, p, diag));
  CHECK_FALSE(values.has_value());
}

TEST_CASE("json_number: 17 significant digits, .0 on integers, non-finite as strings") {
  CHECK(json_number(12.5) == "12.5");
  CHECK(json_number(1.0) == "1.0");
  CHECK(json_number(2) == "2.0");
  CHECK(json_number(-3) == "-3.0");
  CHECK(json_number(0.1) == "0.10000000000000001");
  CHECK(json_number(1.0 / 3) == "0.33333333333333331");
  CHECK(json_number(1e300) == "1.0000000000000001e+300");
  CHECK(json_number(-0.0) == "-0.0");
  CHECK(json_number(std::nan("")) == "\"nan\"");
  CHECK(json_number(INFINITY) == "\"inf\"");
  CHECK(json_number(-INFINITY) == "\"-inf\"");
}

TEST_CASE("json_number is valid JSON and reads back to the same double") {
  const std::regex json(R"(-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?)");
  unit::Points pts(41);
  for (int k = 0; k < 2000; ++k) {
    double v = std::ldexp(pts.uniform(-1, 1), int(pts.uniform(-1070, 1024)));
    std::string s = json_number(v);
    INFO(v, " -> ", s);
    CHECK(std::regex_match(s, json));
    CHECK(std::strtod(s.c_str(), nullptr) == v);
    // At most 17 significant digits (not counting the ".0" added to integers).
    std::string mantissa = s.substr(0, s.find_first_of("eE"));
    if (mantissa.ends_with(".0")) mantissa.resize(mantissa.size() - 2);
    std::erase_if(mantissa, [](char c) { return c == '-' || c == '.'; });
    mantissa.erase(0, mantissa.find_first_not_of('0'));
    CHECK(mantissa.size() <= 17);
  }
}

TEST_CASE("eval_json: outputs and derivatives, keys in declaration order") {
  Compiled c = unit::compile_ok("w = x*y + z");
  std::string json = eval_json(c, evaluate(c.prog.graph, {1, 2, 3}));
  CHECK(json.ends_with("\n"));
  CHECK(without_spaces(json) ==
        R"({"outputs":{"w":5.0},"derivatives":{"w":{"x":2.0,"y":1.0,"z":1.0}}})");
  Compiled two = unit::compile_ok("input x, y\nb = x*y\na = x + y\noutput b, a\nwrt y");
  CHECK(without_spaces(eval_json(two, evaluate(two.prog.graph, {2, 3}))) ==
        R"({"outputs":{"b":6.0,"a":5.0},"derivatives":{"b":{"y":2.0},"a":{"y":1.0}}})");
  Compiled lg = unit::compile_ok("w = log(x)");
  CHECK(without_spaces(eval_json(lg, evaluate(lg.prog.graph, {0}))) ==
        R"({"outputs":{"w":"-inf"},"derivatives":{"w":{"x":"inf"}}})");
  CompileOptions none;
  none.wrt = std::vector<std::string>{};
  Compiled nk = unit::compile_ok("w = x*0.1", none);
  CHECK(without_spaces(eval_json(nk, evaluate(nk.prog.graph, {1}))) ==
        R"({"outputs":{"w":0.10000000000000001},"derivatives":{"w":{}}})");
}
