// plot.cpp - the --plot action: VAR=LO:HI parsed and checked against the
// program, the other inputs read from --eval, the outputs and derivatives
// sampled (emit/plot_sample.h) and drawn (emit/plot_svg.h) into one file.
#include "driver/plot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "driver/output_files.h"
#include "emit/eval_io.h"
#include "emit/plot_sample.h"
#include "emit/plot_svg.h"
#include "front/value.h"
#include "support/number.h"

namespace gradc {

namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

// One end of the range: a number, or a multiple of pi (`pi`, `-pi`, `2pi`,
// `0.5*pi`). Returns the problem, or "".
std::string parse_bound(const std::string& text, const std::string& whole, double& v) {
  std::string t = trim(text);
  if (t == "inf" || t == "+inf" || t == "-inf" || t == "nan" || t == "-nan")
    return fmt::format("--plot {}: the range must be finite", whole);
  double factor = 1;
  if (t.size() >= 2 && t.compare(t.size() - 2, 2, "pi") == 0) {
    factor = std::numbers::pi;
    t = trim(std::string_view(t).substr(0, t.size() - 2));
    if (!t.empty() && t.back() == '*') t = trim(std::string_view(t).substr(0, t.size() - 1));
    if (t.empty() || t == "+" || t == "-") t += "1";
  }
  if (t.size() > 1 && t[0] == '+' && t[1] != '-') t.erase(0, 1);
  NumberStatus status = t.empty() ? NumberStatus::Malformed : parse_decimal(t, v);
  if (status == NumberStatus::OutOfRange)
    return fmt::format("--plot {}: '{}' is out of range for a double", whole, trim(text));
  if (status != NumberStatus::Ok)
    return fmt::format("--plot {}: '{}' is not a number (LO and HI are numbers such as -3, "
                       "2.5 or 1e-3, or multiples of pi such as -pi or 2pi)", whole, trim(text));
  v *= factor;
  return "";
}

// VAR: a name, then optionally indices `[1,2]` or `[1][2]`.
bool parse_var(const std::string& text, PlotRange& r) {
  auto letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  size_t i = 0;
  if (text.empty() || !letter(text[0])) return false;
  while (i < text.size() && (letter(text[i]) || digit(text[i]))) ++i;
  r.name = text.substr(0, i);
  while (i < text.size()) {
    if (text[i++] != '[') return false;
    for (;;) {
      while (i < text.size() && text[i] == ' ') ++i;
      size_t start = i, value = 0;
      while (i < text.size() && digit(text[i]) && i - start < 9) value = value * 10 + size_t(text[i++] - '0');
      if (i == start || (i < text.size() && digit(text[i]))) return false;
      r.index.push_back(value);
      while (i < text.size() && text[i] == ' ') ++i;
      if (i < text.size() && text[i] == ',') { ++i; continue; }
      if (i < text.size() && text[i] == ']') { ++i; break; }
      return false;
    }
  }
  r.var = r.name;
  for (size_t k = 0; k < r.index.size(); ++k)
    r.var += fmt::format("{}{}{}", k ? "," : "[", r.index[k], k + 1 == r.index.size() ? "]" : "");
  return true;
}

// "y = 2", "v = [1, 2]" (with the plotted element shown by its name), or,
// for a large array, its shape.
std::string fixed_value(const Variable& in, size_t first, const std::vector<double>& point,
                        size_t plotted, const std::string& var) {
  if (in.size() > 8) return fmt::format("{} = ({} array)", in.name, shape_text(in.shape));
  return in.name + " = " + nested_list(in.shape, in.size(), "[", "]", [&](size_t i) {
    return first + i == plotted ? var : fmt::format("{}", point[first + i]);
  });
}

// The title: the file, what is plotted, the other inputs' values (wrapped).
std::vector<std::string> title(const Compiled& c, const std::string& file, const PlotRange& r,
                               size_t panels, size_t plotted, const std::vector<double>& point) {
  std::vector<std::string> lines{file};
  std::string range = fmt::format("for {} from {} to {}", r.var, r.lo_text, r.hi_text);
  if (c.outputs.size() == 1)
    lines.push_back(fmt::format("{0} and d{0}/d{1} {2}", c.names.outputs[0], r.var, range));
  else
    lines.push_back(fmt::format("{} output scalars and their derivatives d/d{} {}{}",
                                c.outputs.size(), r.var, range,
                                panels < c.outputs.size()
                                    ? fmt::format(" (the first {} shown)", panels) : ""));
  std::string line = "other inputs: ";
  const size_t kLineChars = 100, kMaxLines = 4;
  size_t first = 0, added = 0;
  for (const Variable& in : c.prog.inputs) {
    size_t at = first;
    first += in.size();
    if (in.is_scalar() && at == plotted) continue;
    std::string item = fixed_value(in, at, point, plotted, r.var);
    if (added && line.size() + item.size() + 2 > kLineChars) {
      if (lines.size() == kMaxLines + 1) {  // the values would fill the picture
        lines.push_back(line + ", ...");
        return lines;
      }
      lines.push_back(line + ",");
      line.clear();
    } else if (added) {
      line += ", ";
    }
    line += item;
    ++added;
  }
  if (added) lines.push_back(line);
  return lines;
}

// "y=1,v=[1,1]": an example --eval for the inputs that need values (no
// spaces: a shell would split it).
std::string example_eval(const std::vector<const Variable*>& missing) {
  std::string out;
  for (const Variable* in : missing) {
    std::string value = in->size() > 4 ? "[...]"
                        : nested_list(in->shape, in->size(), "[", "]",
                                      [](size_t) { return std::string("1"); });
    value.erase(std::remove(value.begin(), value.end(), ' '), value.end());
    out += fmt::format("{}{}={}", out.empty() ? "" : ",", in->name, value);
  }
  return out;
}

// The values of every input scalar, from --eval, NaN for the plotted one;
// nullopt after reporting a problem.
std::optional<std::vector<double>> fixed_inputs(const Program& p, const CliOptions& o,
                                                uint32_t input, Diagnostics& diag) {
  const Variable& in = p.inputs[input];
  std::optional<uint32_t> free = in.is_scalar() ? std::optional<uint32_t>(input) : std::nullopt;
  if (o.eval) {
    std::optional<EvalPoints> points = read_points(*o.eval, p, diag, free);
    if (!points) return std::nullopt;
    if (points->array) {
      diag.error_noloc("--plot takes the other inputs' values from one point, but '{}' holds an "
                       "array of points", o.eval->substr(1));
      return std::nullopt;
    }
    return points->points[0];
  }
  std::vector<const Variable*> missing;
  for (uint32_t i = 0; i < p.inputs.size(); ++i)
    if (!(free && i == *free)) missing.push_back(&p.inputs[i]);
  if (!missing.empty()) {
    std::string names;
    for (const Variable* m : missing) names += (names.empty() ? "'" : ", '") + m->name + "'";
    diag.error_noloc("--plot {} needs the value{} of {}: give {} with --eval (such as --eval={})",
                     o.plot->var, missing.size() > 1 ? "s" : "", names,
                     missing.size() > 1 ? "them" : "it", example_eval(missing));
    return std::nullopt;
  }
  return std::vector<double>(p.num_input_scalars(), std::nan(""));
}

// The input variable and the flat index of the element that `r` names;
// false after reporting a problem.
bool find_element(const Program& p, const PlotRange& r, Diagnostics& diag, uint32_t& input,
                  size_t& flat) {
  auto it = std::find_if(p.inputs.begin(), p.inputs.end(),
                         [&](const Variable& v) { return v.name == r.name; });
  if (it == p.inputs.end()) {
    diag.error_noloc("--plot: {}", not_an_input(r.name, p));
    return false;
  }
  input = uint32_t(it - p.inputs.begin());
  const Variable& in = *it;
  if (in.is_scalar() && !r.index.empty()) {
    diag.error_noloc("--plot: '{}' is a scalar input, not an array: write --plot {}=LO:HI",
                     r.name, r.name);
    return false;
  }
  if (r.index.size() != in.shape.size()) {
    diag.error_noloc("--plot: '{}' is an array of shape {}; --plot takes one of its elements, "
                     "such as {}{}", r.name, shape_text(in.shape), r.name,
                     element_suffix(in.shape, 0));
    return false;
  }
  flat = 0;
  for (size_t k = 0; k < r.index.size(); ++k) {
    if (r.index[k] >= in.shape[k]) {
      diag.error_noloc("--plot: {} is out of range: '{}' has shape {}", r.var, r.name,
                       shape_text(in.shape));
      return false;
    }
    flat = flat * in.shape[k] + r.index[k];
  }
  return true;
}

}  // namespace

std::string parse_plot_range(const std::string& text, PlotRange& r) {
  std::string usage = fmt::format("--plot needs VAR=LO:HI, such as x=-3:3 (got '{}')", text);
  size_t eq = text.find('=');
  if (eq == std::string::npos) return usage;
  std::string var = trim(std::string_view(text).substr(0, eq)), range = text.substr(eq + 1);
  size_t colon = range.find(':');
  if (var.empty() || colon == std::string::npos || range.find(':', colon + 1) != std::string::npos)
    return usage;
  if (!parse_var(var, r))
    return fmt::format("--plot: '{}' is not an input name, or an element of one such as v[1]", var);
  r.lo_text = trim(range.substr(0, colon));
  r.hi_text = trim(range.substr(colon + 1));
  if (std::string e = parse_bound(r.lo_text, text, r.lo); !e.empty()) return e;
  if (std::string e = parse_bound(r.hi_text, text, r.hi); !e.empty()) return e;
  if (!(r.lo < r.hi)) return fmt::format("--plot {}: the range is empty; LO must be less than HI", text);
  double width = r.hi - r.lo, big = std::max(std::fabs(r.lo), std::fabs(r.hi));
  if (!std::isfinite(width))
    return fmt::format("--plot {}: the range is too wide (HI - LO is not a finite double)", text);
  if (width < 1e-9 * big || width < 1e-300)
    return fmt::format("--plot {}: the range is too narrow to plot (HI - LO must be at least a "
                       "billionth of the larger end, and 1e-300)", text);
  return "";
}

int run_plot(const Compiled& c, const CliOptions& o, const std::string& file, std::ostream& out,
             std::ostream& err) {
  const Program& p = c.prog;
  const PlotRange& r = *o.plot;
  Diagnostics diag(nullptr, err, o.error_limit);
  uint32_t input = 0;
  size_t flat = 0;
  if (!find_element(p, r, diag, input, flat)) return kExitError;
  std::optional<std::vector<double>> point = fixed_inputs(p, o, input, diag);
  if (!point) return kExitError;
  NodeId node = p.inputs[input].nodes[flat];
  auto column = std::find(c.wrt_nodes.begin(), c.wrt_nodes.end(), node);
  if (column == c.wrt_nodes.end())  // compile() was asked for it (CompileOptions::also_wrt)
    throw InternalError("--plot: no derivative with respect to " + r.var);

  const size_t panels = std::min(c.outputs.size(), kMaxPlotPanels);
  if (panels < c.outputs.size())
    err << fmt::format("gradc: warning: the program has {} output scalars; --plot draws the first "
                       "{} (an 'output' statement chooses others)\n", c.outputs.size(), panels);
  PlotSampling sampling;
  for (size_t k = 0; k < panels; ++k) {
    sampling.values.push_back(c.outputs[k]);
    sampling.derivs.push_back(c.jacobian[k * c.num_wrt() + size_t(column - c.wrt_nodes.begin())]);
  }
  sampling.point = *point;
  sampling.var = p.graph[node].a;
  sampling.lo = r.lo;
  sampling.hi = r.hi;
  PlotSamples samples = sample_plot(p.graph, sampling);

  PlotPicture picture;
  picture.title = title(c, file, r, panels, sampling.var, *point);
  picture.var = r.var;
  picture.lo = r.lo;
  picture.hi = r.hi;
  picture.samples = &samples;
  for (size_t k = 0; k < panels; ++k)
    picture.labels.push_back({c.names.outputs[k], fmt::format("d{}/d{}", c.names.outputs[k], r.var)});
  std::string svg = plot_svg(picture);
  if (is_standard_output(*o.output)) {
    out << svg;
    return kExitOk;
  }
  if (std::string e = write_file_atomically(*o.output, svg, {o.input}); !e.empty()) {
    err << "gradc: error: " << e << "\n";
    return kExitError;
  }
  return kExitOk;
}

}  // namespace gradc
