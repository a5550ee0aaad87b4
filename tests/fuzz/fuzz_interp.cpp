// fuzz_interp.cpp - libFuzzer target: bytes (the fuzz_compile format,
// fuzz_input.h) -> compile -> the reference interpreter at a point, the
// --eval JSON, and the --print round trip (SPEC 5): the printed program must
// parse, have the same inputs, and give the same finite values for every
// output and derivative. A user error is not a finding; a crash, sanitizer
// report, leak, escaping exception or round-trip mismatch is.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>

#include "emit/eval_io.h"
#include "emit/print.h"
#include "front/parser.h"
#include "fuzz_input.h"
#include "ir/interp.h"

namespace {

using namespace gradc;

[[noreturn]] void fail(const std::string& what, const std::string& printed) {
  std::fprintf(stderr, "fuzz_interp: %s\n--- printed program ---\n%s", what.c_str(),
               printed.c_str());
  std::abort();
}

// The builder's documented floating-point rewrites (ir/builder.h) may turn
// a NaN or inf into a number and reassociate constants, so only finite
// values are compared, with a tolerance for rounding.
bool same(double a, double b) {
  if (!std::isfinite(a) || !std::isfinite(b)) return true;
  return std::fabs(a - b) <= 1e-9 * std::max({1.0, std::fabs(a), std::fabs(b)});
}

// Every value --print writes, by name: outputs and derivatives.
std::map<std::string, const std::vector<NodeId>*> printed_values(const Compiled& c) {
  std::map<std::string, const std::vector<NodeId>*> by_name;
  for (const Variable& v : c.prog.outputs) by_name[v.name] = &v.nodes;
  for (const DerivativeVar& d : c.derivatives) by_name[d.name] = &d.nodes;
  for (const DerivativeVar& d : c.second_derivatives) by_name[d.name] = &d.nodes;
  return by_name;
}

// Re-parse the printed program and compare it with `c` at `in`.
void check_round_trip(const Compiled& c, const std::vector<double>& in,
                      const std::vector<double>& values) {
  std::string printed = print_text(c, "fuzz.expr");
  SourceFile source("printed.expr", printed);
  std::ostringstream errors;
  Diagnostics diag(&source, errors);
  std::optional<Program> re = parse_program(source, diag);
  diag.flush();
  if (!re) fail("the printed program does not parse:\n" + errors.str(), printed);
  if (re->inputs.size() != c.prog.inputs.size()) fail("the printed program's inputs differ", printed);
  for (size_t i = 0; i < re->inputs.size(); ++i)
    if (re->inputs[i].name != c.prog.inputs[i].name || re->inputs[i].shape != c.prog.inputs[i].shape)
      fail("input '" + c.prog.inputs[i].name + "' differs in the printed program", printed);
  auto expected = printed_values(c);
  if (re->outputs.size() != expected.size()) fail("the printed program's outputs differ", printed);
  std::vector<double> got = evaluate(re->graph, in);
  for (const Variable& v : re->outputs) {
    auto it = expected.find(v.name);
    if (it == expected.end() || it->second->size() != v.nodes.size())
      fail("printed output '" + v.name + "' is not an output or derivative", printed);
    for (size_t i = 0; i < v.nodes.size(); ++i)
      if (!same(got[v.nodes[i]], values[(*it->second)[i]]))
        fail(fmt::format("'{}' element {}: {} printed, {} compiled", v.name, i, got[v.nodes[i]],
                         values[(*it->second)[i]]),
             printed);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input input = fuzz::decode(data, size);
  std::optional<gradc::Compiled> c = fuzz::compile_input(input);
  if (!c) return 0;
  std::vector<double> in = fuzz::point(c->prog.num_input_scalars(), fuzz::hash(data, size));
  std::vector<double> values = evaluate(c->prog.graph, in);
  std::string json = eval_json(*c, values);
  check_round_trip(*c, in, values);
  return 0;
}
