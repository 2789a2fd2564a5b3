#include "cli/suggest.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace heaplint::cli {
namespace {

size_t editDistance(std::string_view a, std::string_view b) {
  const auto lower = [](char c) { return std::tolower(static_cast<unsigned char>(c)); };
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      const size_t substitution = diagonal + (lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitution});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::optional<std::string_view> closestName(std::string_view typed,
                                            std::span<const std::string_view> known) {
  std::optional<std::string_view> best;
  size_t best_distance = 0;
  for (const std::string_view name : known) {
    const size_t distance = editDistance(typed, name);
    const size_t limit = std::max<size_t>(1, std::max(typed.size(), name.size()) / 3);
    if (distance > limit) continue;
    if (!best || distance < best_distance) {
      best = name;
      best_distance = distance;
    }
  }
  return best;
}

}  // namespace heaplint::cli
