// spelling.cpp - edit distance for "did you mean" suggestions.
#include "support/spelling.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace gradc {

size_t edit_distance(std::string_view a, std::string_view b, size_t limit) {
  size_t diff = a.size() > b.size() ? a.size() - b.size() : b.size() - a.size();
  if (diff > limit) return limit + 1;
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0], row_min = row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j - 1] + 1, up + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = up;
      row_min = std::min(row_min, row[j]);
    }
    if (row_min > limit) return limit + 1;  // every later row is at least this
  }
  return std::min(row[b.size()], limit + 1);
}

size_t suggestion_limit(std::string_view name, std::string_view candidate) {
  return std::min<size_t>(2, std::max(name.size(), candidate.size()) / 3);
}

void Closest::offer(std::string_view candidate) {
  if (candidate == name_) return;
  size_t limit = suggestion_limit(name_, candidate);
  size_t d = edit_distance(name_, candidate, limit);
  // Ties go to the first in alphabetical order, whatever order they come in.
  if (d <= limit && (d < best_distance_ || (d == best_distance_ && candidate < best_))) {
    best_ = candidate;
    best_distance_ = d;
  }
}

}  // namespace gradc
