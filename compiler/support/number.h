// number.h - reading decimal numbers independently of the C locale.
//
// strtod follows the process's LC_NUMERIC: an app that calls
// setlocale(LC_ALL, "de_DE.UTF-8") would read "2.5" as 2. Every number gradc
// reads (source literals, --eval values) goes through parse_decimal instead.
#pragma once

#include <string_view>

namespace gradc {

/// What parse_decimal found.
enum class NumberStatus {
  Ok,          ///< the whole text is a number; underflow gives 0 (as strtod)
  Malformed,   ///< not (entirely) a decimal number
  OutOfRange,  ///< a number too large for a double (1e309)
};

/// Parse all of `text` as `[-]digits[.digits][(e|E)[+|-]digits]` (also
/// `.5` and `5.`), always with '.' as the decimal point. No leading '+',
/// spaces, hex, `inf` or `nan`: callers that accept those handle them.
NumberStatus parse_decimal(std::string_view text, double& value);

}  // namespace gradc
