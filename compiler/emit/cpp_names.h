// cpp_names.h - how the generated C++ spells gradc's names. A program
// variable keeps its name unless it cannot be a local variable there (a C++
// keyword, a reserved identifier, a <cmath> macro, or a name the kernels
// declare themselves); then it is renamed, one-to-one within the function,
// and the comments keep the source name. A kernel name is an ABI symbol, so
// it is never renamed: one that cannot work is refused.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace gradc {

/// Can `name` be declared as it is as a local variable of a generated
/// kernel? Not if it is a C++ keyword, reserved in every scope (`__x`,
/// `_X`), an object-like macro of <cmath> and the headers it includes (or
/// predefined, `unix`), a kernel parameter (`in`, `out`, `jac`, `v`, ...,
/// the scratch array `s`), `std`, or starts with `gradc_` or `GRADC_`, the
/// prefixes of gradc's own helpers, types and macros (`gradc_sigmoid`,
/// `gradc_v2`, `GRADC_LANES_V2`).
/// Library functions are fine (`fabs`: the code calls `std::fabs`).
bool is_plain_cpp_local(std::string_view name);

/// The C++ names of the variables of one generated function (all its parts).
class CppNames {
 public:
  /// `scope`: the source names the function declares (repeats are fine).
  /// Their renamings are chosen here, in sorted order, so they do not
  /// depend on the order the names are used in.
  explicit CppNames(const std::vector<std::string>& scope = {});

  /// The C++ name of `name`: `name` itself if it is plain, else its stem
  /// (runs of '_' collapsed, leading and trailing '_' dropped) with '_'
  /// appended: `M_PI` -> `M_PI_`, `int` -> `int_`, `__cplusplus` ->
  /// `cplusplus_`, `_X` -> `X_`; gradc's prefixes are dropped first:
  /// `gradc_sigmoid` -> `sigmoid_`, `GRADC_LANES_V2` -> `LANES_V2_` (and
  /// `gradc_` -> `vgradc_`); if that is taken (a plain name of the scope
  /// or another renaming), `_2`, `_3`, ... instead of the '_'. One-to-one: a
  /// renaming never equals another name of the function. A name outside the
  /// scope gets its C++ name on first use.
  std::string operator()(const std::string& name) const;

 private:
  std::string rename(const std::string& name) const;

  mutable std::unordered_map<std::string, std::string> renamed_;  ///< source -> C++
  /// Plain names used as they are that have a renaming's form (`x_`, `x_2`).
  mutable std::unordered_set<std::string> kept_;
  mutable std::unordered_set<std::string> given_;  ///< the renamings handed out
};

/// Why `name` cannot be the base name of the kernels, or "" if it can. The
/// kernels are extern "C" symbols (NAME, NAME_grad, ...) and the header
/// declares namespace NAME_info, so none of these may be a C++ keyword, a
/// reserved identifier, a macro of the C library headers, a C library
/// symbol (libc, libm, start files), `main`, `std`, or start with `gradc_`
/// or `GRADC_` (gradc's own), or start with '_' (reserved in the global namespace,
/// where the kernels are, and it would make the header guard GRADC__...).
std::string kernel_name_problem(const std::string& name);

/// A kernel name close to `name` that has no problem (`fmod_kernel`).
std::string kernel_name_suggestion(const std::string& name);

/// The kernel name gradc derives from a file's stem: each character that is
/// not an ASCII letter or digit becomes '_', runs of '_' one, no '_' at
/// either end, and "v" before a leading digit (`2-layer` -> `v2_layer`).
std::string kernel_name_from_file(std::string_view file_stem);

}  // namespace gradc
