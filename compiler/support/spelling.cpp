// spelling.cpp - edit distance for "did you mean" suggestions.
#include "support/spelling.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace gradc {

// Optimal string alignment: the Levenshtein recurrence plus one more case,
// two adjacent letters swapped (`alpah` -> `alpha`) as one edit. Three rows:
// the swap looks two rows back.
size_t edit_distance(std::string_view a, std::string_view b, size_t limit) {
  size_t diff = a.size() > b.size() ? a.size() - b.size() : b.size() - a.size();
  if (diff > limit) return limit + 1;
  std::vector<size_t> before(b.size() + 1), prev(b.size() + 1), row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  size_t prev_min = 0;  // the smallest entry of the row before (row 0: 0)
  for (size_t i = 1; i <= a.size(); ++i) {
    std::swap(before, prev);
    std::swap(prev, row);
    size_t row_min = row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      row[j] = std::min({row[j - 1] + 1, prev[j] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        row[j] = std::min(row[j], before[j - 2] + 1);
      row_min = std::min(row_min, row[j]);
    }
    // A later row can undercut this one by a swap only from `prev`, so the
    // early stop looks at both.
    if (row_min > limit && prev_min > limit) return limit + 1;
    prev_min = row_min;
  }
  return std::min(row[b.size()], limit + 1);
}

size_t suggestion_limit(std::string_view name, std::string_view candidate) {
  return std::min<size_t>(2, std::max(name.size(), candidate.size()) / 3);
}

namespace {

size_t common_prefix(std::string_view a, std::string_view b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return n;
}

}  // namespace

void Closest::offer(std::string_view candidate) {
  if (candidate == name_) return;
  size_t limit = suggestion_limit(name_, candidate);
  size_t d = edit_distance(name_, candidate, limit);
  if (d > limit) return;
  // Ties go to the longer common prefix (`sinn`: `sin` before `sign`: a
  // typo is more often at the end), then alphabetical order, whatever
  // order the candidates come in.
  bool better = d < best_distance_;
  if (d == best_distance_) {
    size_t p = common_prefix(name_, candidate), best_p = common_prefix(name_, best_);
    better = p > best_p || (p == best_p && candidate < best_);
  }
  if (better) {
    best_ = candidate;
    best_distance_ = d;
  }
}

std::string Closest::did_you_mean() const {
  return best_.empty() ? std::string() : fmt::format("; did you mean '{}'?", best_);
}

}  // namespace gradc
