// number.cpp - locale-independent decimal parsing over std::from_chars.
#include "support/number.h"

#include <charconv>
#include <climits>

namespace gradc {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Out of range means beyond DBL_MAX (~1.8e308) or below half the smallest
// subnormal (~2.5e-324): far apart, so the sign of the decimal exponent of
// the first significant digit tells overflow from underflow exactly.
bool underflows(std::string_view text) {
  size_t e = text.find_first_of("eE");
  std::string_view mant = text.substr(0, e);
  long exp10 = 0;
  if (e != std::string_view::npos) {
    std::string_view digits = text.substr(e + 1);
    bool neg = !digits.empty() && digits[0] == '-';
    if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) digits.remove_prefix(1);
    for (char c : digits) exp10 = exp10 < 100000000 ? exp10 * 10 + (c - '0') : exp10;
    if (neg) exp10 = -exp10;
  }
  size_t point = mant.find('.');
  if (point == std::string_view::npos) point = mant.size();
  size_t first = mant.find_first_of("123456789");
  if (first == std::string_view::npos) return true;  // all zeros: cannot happen
  long pos = first < point ? long(point - first - 1) : -long(first - point);
  return exp10 + pos < 0;
}

}  // namespace

NumberStatus parse_decimal(std::string_view text, double& value) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  // from_chars accepts `inf`, `nan` and nothing-but-sign forms we reject:
  // require a digit or '.' after an optional '-'.
  size_t start = !text.empty() && text[0] == '-' ? 1 : 0;
  if (start >= text.size() || !(is_digit(text[start]) || text[start] == '.'))
    return NumberStatus::Malformed;
  auto [ptr, ec] = std::from_chars(begin, end, value, std::chars_format::general);
  if (ptr != end) return NumberStatus::Malformed;
  if (ec == std::errc::result_out_of_range) {
    if (!underflows(text.substr(start))) return NumberStatus::OutOfRange;
    value = start ? -0.0 : 0.0;
    return NumberStatus::Ok;
  }
  return ec == std::errc() ? NumberStatus::Ok : NumberStatus::Malformed;
}

}  // namespace gradc
