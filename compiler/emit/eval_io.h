// eval_io.h - input values for --eval/--check and the JSON result (SPEC 4).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "support/diagnostics.h"
#include "compiled.h"

namespace gradc {

/// Largest points file --eval=@FILE reads (1 GiB: about 10 million points
/// of three inputs; reading one takes about 9 times its size in memory).
inline constexpr size_t kMaxPointsFileBytes = size_t(1) << 30;

/// Values for the program's inputs, in ABI order, from `spec`: either
/// inline `x=1,y=2` or `@file.json` holding `{"x": 1, "y": 2}`. Every
/// missing, unknown, repeated or malformed input is reported by name.
std::optional<std::vector<double>> read_inputs(const std::string& spec, const Program& p,
                                               Diagnostics& diag);

/// The points of --eval (SPEC 4): as read_inputs, or, for `@file.json`
/// holding a JSON array of such objects, one point per object (`array`).
/// A problem in an array's point names the point ("point 2: missing value
/// for input 'y'").
struct EvalPoints {
  std::vector<std::vector<double>> points;
  bool array = false;
};
/// Input `free_input` (an index into p.inputs), if given, may be left out:
/// its values are then NaN (the --plot variable, which the caller sets).
std::optional<EvalPoints> read_points(const std::string& spec, const Program& p,
                                      Diagnostics& diag,
                                      std::optional<uint32_t> free_input = std::nullopt);

/// "'q' is not an input of the program; did you mean 'x'? (its inputs: x, y)"
std::string not_an_input(const std::string& name, const Program& p);

/// A number as SPEC 4 writes it: 17 significant digits, "nan"/"inf"/"-inf".
std::string json_number(double v);

/// The --eval JSON object, given the value of every node.
std::string eval_json(const Compiled& c, const std::vector<double>& node_values);

/// The same from what the kernels compute: out[m], jac[m*k] and, with
/// --hessian, hess[m*k*k] (SPEC 3); an empty `hess` writes no "hessian".
std::string eval_json(const Compiled& c, const std::vector<double>& out,
                      const std::vector<double>& jac, const std::vector<double>& hess = {});

}  // namespace gradc
