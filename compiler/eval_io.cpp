// eval_io.cpp - parsing input values and writing --eval JSON.
#include "eval_io.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace gradc {

namespace {

// A number written by a person: 1, -2.5e3, nan, inf, -inf.
std::optional<double> parse_number(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  if (s == "nan") return std::nan("");
  if (s == "inf" || s == "+inf") return INFINITY;
  if (s == "-inf") return -INFINITY;
  if (s.empty()) return std::nullopt;
  std::string text(s);
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(v)) return std::nullopt;
  if (text.find_first_of("xXpP") != std::string::npos) return std::nullopt;  // no hex floats
  return v;
}

struct Assignment {
  std::string name, value;
};

// A flat JSON object {"name": number-or-string, ...}, without recursion.
std::optional<std::vector<Assignment>> parse_json_object(const std::string& text,
                                                          const std::string& file,
                                                          Diagnostics& diag) {
  size_t i = 0;
  auto skip = [&] { while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i; };
  auto bad = [&](std::string_view what) {
    diag.error_noloc("{}: malformed JSON at byte {}: {}", file, i, what);
    return std::nullopt;
  };
  auto string = [&]() -> std::optional<std::string> {
    if (i >= text.size() || text[i] != '"') return std::nullopt;
    size_t end = text.find('"', ++i);
    if (end == std::string::npos) return std::nullopt;
    std::string s = text.substr(i, end - i);
    i = end + 1;
    return s;
  };
  std::vector<Assignment> out;
  skip();
  if (i >= text.size() || text[i++] != '{') return bad("expected '{'");
  skip();
  if (i < text.size() && text[i] == '}') return out;
  for (;;) {
    skip();
    auto key = string();
    if (!key) return bad("expected a quoted input name");
    skip();
    if (i >= text.size() || text[i++] != ':') return bad("expected ':'");
    skip();
    std::string value;
    if (i < text.size() && text[i] == '"') {
      value = *string();
    } else if (i < text.size() && (text[i] == '[' || text[i] == '{')) {
      diag.error_noloc("{}: input '{}' must be a number (arrays are not supported yet)", file, *key);
      return std::nullopt;
    } else {
      size_t start = i;
      while (i < text.size() && text[i] != ',' && text[i] != '}' &&
             !std::isspace(static_cast<unsigned char>(text[i])))
        ++i;
      value = text.substr(start, i - start);
    }
    out.push_back({*key, value});
    skip();
    if (i < text.size() && text[i] == ',') { ++i; continue; }
    if (i < text.size() && text[i] == '}') break;
    return bad("expected ',' or '}'");
  }
  ++i;
  skip();
  if (i != text.size()) return bad("unexpected text after the object");
  return out;
}

std::vector<Assignment> parse_inline(const std::string& spec, Diagnostics& diag, bool& ok) {
  std::vector<Assignment> out;
  size_t start = 0;
  while (start <= spec.size()) {
    size_t comma = spec.find(',', start);
    std::string item = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? spec.size() + 1 : comma + 1;
    if (item.empty()) continue;
    size_t eq = item.find('=');
    if (eq == std::string::npos) {
      diag.error_noloc("expected 'name=value' in --eval, got '{}'", item);
      ok = false;
      continue;
    }
    out.push_back({item.substr(0, eq), item.substr(eq + 1)});
  }
  return out;
}

}  // namespace

namespace {

std::optional<std::vector<double>> read_inputs_or_throw(const std::string& spec,
                                                        const Program& p, Diagnostics& diag) {
  bool ok = true;
  std::vector<Assignment> items;
  if (spec.starts_with("@")) {
    std::string file = spec.substr(1);
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      diag.error_noloc("cannot read input file '{}'", file);
      return std::nullopt;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    auto parsed = parse_json_object(ss.str(), file, diag);
    if (!parsed) return std::nullopt;
    items = std::move(*parsed);
  } else {
    items = parse_inline(spec, diag, ok);
  }
  std::vector<double> values(p.inputs.size(), 0.0);
  std::vector<bool> given(p.inputs.size(), false);
  for (const Assignment& a : items) {
    auto it = std::find_if(p.inputs.begin(), p.inputs.end(),
                           [&](const Variable& v) { return v.name == a.name; });
    if (it == p.inputs.end()) {
      diag.error_noloc("'{}' is not an input of the program", a.name);
      ok = false;
      continue;
    }
    size_t index = size_t(it - p.inputs.begin());
    if (given[index]) {
      diag.error_noloc("input '{}' is given twice", a.name);
      ok = false;
    }
    auto v = parse_number(a.value);
    if (!v) {
      diag.error_noloc("malformed value '{}' for input '{}'", a.value, a.name);
      ok = false;
      continue;
    }
    values[index] = *v;
    given[index] = true;
  }
  for (size_t i = 0; i < given.size(); ++i) {
    if (!given[i] && ok) {
      diag.error_noloc("missing value for input '{}'", p.inputs[i].name);
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return values;
}

}  // namespace

std::optional<std::vector<double>> read_inputs(const std::string& spec, const Program& p,
                                               Diagnostics& diag) {
  try {
    return read_inputs_or_throw(spec, p, diag);
  } catch (const TooManyErrors&) {
    return std::nullopt;  // the first 20 errors are reported
  }
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
  std::string out = "{\"outputs\": {";
  for (size_t i = 0; i < p.outputs.size(); ++i)
    out += fmt::format("{}\"{}\": {}", i ? ", " : "", p.outputs[i].name,
                       json_number(values[c.outputs[i]]));
  out += "},\n \"derivatives\": {";
  size_t k = c.num_wrt();
  for (size_t i = 0; i < p.outputs.size(); ++i) {
    out += fmt::format("{}\"{}\": {{", i ? ",\n                 " : "", p.outputs[i].name);
    for (size_t j = 0; j < k; ++j)
      out += fmt::format("{}\"{}\": {}", j ? ", " : "", p.inputs[p.wrt[j]].name,
                         json_number(values[c.jacobian[i * k + j]]));
    out += "}";
  }
  return out + "}}\n";
}

}  // namespace gradc
