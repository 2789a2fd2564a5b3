// "Did you mean ...?" for a mistyped name: the closest of the known names by edit distance.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace heaplint::cli {

// The known name closest to `typed` (Levenshtein distance, case-insensitive), if it is close
// enough to be a typo: at most a third of the longer name's length (and at least one).
std::optional<std::string_view> closestName(std::string_view typed,
                                            std::span<const std::string_view> known);

}  // namespace heaplint::cli
