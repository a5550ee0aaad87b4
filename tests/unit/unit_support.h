// unit_support.h - helpers shared by the per-module unit tests: compile or
// parse a program given as a string (capturing its diagnostics), read the
// outputs and Jacobian off the interpreter, and take central differences.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "support/diagnostics.h"
#include "ir/interp.h"
#include "front/parser.h"
#include "pipeline.h"

namespace unit {

/// The result of compiling a program held in a string.
struct Compilation {
  std::optional<gradc::Compiled> compiled;
  std::string errors;  ///< everything Diagnostics printed
  int error_count = 0;
};

/// Compile `text` (file name "test.expr"), capturing the diagnostics.
inline Compilation compile_text(const std::string& text, gradc::CompileOptions opts = {}) {
  gradc::SourceFile file("test.expr", text);
  std::ostringstream err;
  Compilation r;
  {
    gradc::Diagnostics diag(&file, err);
    gradc::PassTimer timer;
    r.compiled = gradc::compile(file, diag, opts, timer);
    r.error_count = diag.error_count();
    diag.flush();
  }
  r.errors = err.str();
  return r;
}

/// Compile `text`, which must be free of errors.
inline gradc::Compiled compile_ok(const std::string& text, gradc::CompileOptions opts = {}) {
  Compilation r = compile_text(text, std::move(opts));
  INFO("program: ", text, "\nerrors: ", r.errors);
  REQUIRE(r.compiled.has_value());
  return std::move(*r.compiled);
}

/// The result of parsing a program held in a string.
struct Parse {
  std::optional<gradc::Program> program;
  std::string errors;
  int error_count = 0;
};

inline Parse parse_text(const std::string& text) {
  gradc::SourceFile file("test.expr", text);
  std::ostringstream err;
  Parse r;
  {
    gradc::Diagnostics diag(&file, err);
    r.program = gradc::parse_program(file, diag);
    r.error_count = diag.error_count();
    diag.flush();
  }
  r.errors = err.str();
  return r;
}

/// Parse `text`, which must be free of errors.
inline gradc::Program parse_ok(const std::string& text) {
  Parse p = parse_text(text);
  INFO(text, "\n", p.errors);
  REQUIRE(p.program.has_value());
  CHECK(p.error_count == 0);
  return std::move(*p.program);
}

/// Compile `text` (free of errors) accumulating the Jacobian in `mode`.
inline gradc::Compiled compile_mode(const std::string& text, gradc::DiffMode mode) {
  gradc::CompileOptions opts;
  opts.mode = mode;
  return compile_ok(text, opts);
}

/// The names of `vars`, in order.
inline std::vector<std::string> names(const std::vector<gradc::Variable>& vars) {
  std::vector<std::string> out;
  for (const gradc::Variable& v : vars) out.push_back(v.name);
  return out;
}

/// Outputs and row-major Jacobian of one evaluation.
struct Values {
  std::vector<double> out, jac;
};

inline Values run(const gradc::Compiled& c, const std::vector<double>& in) {
  std::vector<double> v = gradc::evaluate(c.prog.graph, in);
  Values r;
  for (gradc::NodeId id : c.outputs) r.out.push_back(v[id]);
  for (gradc::NodeId id : c.jacobian) r.jac.push_back(v[id]);
  return r;
}

/// Value of output `i` only.
inline double output_at(const gradc::Compiled& c, const std::vector<double>& in, size_t i = 0) {
  return gradc::evaluate(c.prog.graph, in)[c.outputs[i]];
}

/// d out_i / d in_j by central differences, step 1e-6*max(1, |x_j|).
inline double central_diff(const gradc::Compiled& c, std::vector<double> in, size_t i, size_t j) {
  double x = in[j], h = 1e-6 * std::max(1.0, std::fabs(x));
  in[j] = x + h;
  double plus = output_at(c, in, i);
  in[j] = x - h;
  double minus = output_at(c, in, i);
  return (plus - minus) / (2 * h);
}

/// |a - b| <= atol + rtol*max(|a|, |b|); false for NaN.
inline bool close(double a, double b, double rtol, double atol) {
  return std::fabs(a - b) <= atol + rtol * std::max(std::fabs(a), std::fabs(b));
}

/// Tolerance for a derivative against central differences.
inline bool close_fd(double analytic, double numeric) {
  return close(analytic, numeric, 1e-5, 1e-6);
}

/// Tolerance for two evaluations of one formula written differently.
inline bool close_exact(double a, double b) { return close(a, b, 1e-11, 1e-13); }

/// A seeded random number source for test points.
class Points {
 public:
  explicit Points(uint64_t seed) : rng_(seed) {}
  double uniform(double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng_);
  }

 private:
  std::mt19937_64 rng_;
};

/// Number of non-overlapping occurrences of `needle` in `hay`.
inline size_t count_of(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + needle.size()))
    ++n;
  return n;
}

}  // namespace unit
