// spelling.h - "did you mean ...?": the closest of some names to a
// misspelled one, by edit distance, for warnings and errors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace gradc {

/// Edit distance between `a` and `b` (insertions, deletions, substitutions
/// and swaps of two adjacent letters: optimal string alignment), or
/// `limit + 1` if it is larger than `limit` (computing no further than needed).
size_t edit_distance(std::string_view a, std::string_view b, size_t limit);

/// How far a name may be from `name` to be suggested: at most 2 edits, and
/// at most a third of the longer name (`x` is never "close" to `a`).
size_t suggestion_limit(std::string_view name, std::string_view candidate);

/// Keeps the closest candidate offered so far.
class Closest {
 public:
  explicit Closest(std::string_view name) : name_(name) {}
  void offer(std::string_view candidate);
  /// The best candidate, or empty if none was close enough.
  std::string_view best() const { return best_; }
  /// "; did you mean 'best'?" to end a message with, or "".
  std::string did_you_mean() const;

 private:
  std::string_view name_, best_;
  size_t best_distance_ = SIZE_MAX;
};

}  // namespace gradc
