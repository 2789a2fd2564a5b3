#include "analyzer/semantic_model_stdlib.h"

#include <algorithm>
#include <array>

namespace heaplint {
namespace {

#include "analyzer/semantic_model_stdlib_table.inc"

std::string_view starName(uint32_t index) {
  const uint32_t start = kStarNameStarts[index];
  // Each name is followed by a '\n' that is not part of it.
  return {&kStarNameText[start], kStarNameStarts[index + 1] - start - 1};
}

}  // namespace

const StarModule* knownStarModule(std::string_view dotted) {
  const auto it = std::lower_bound(
      kStarModules.begin(), kStarModules.end(), dotted,
      [](const StarModule& module, std::string_view name) { return module.name < name; });
  return it != kStarModules.end() && it->name == dotted ? &*it : nullptr;
}

bool starImportBinds(const StarModule& module, std::string_view name) {
  uint32_t low = module.first;
  uint32_t high = module.first + module.count;
  while (low < high) {
    const uint32_t middle = low + (high - low) / 2;
    if (starName(middle) < name) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  return low < module.first + module.count && starName(low) == name;
}

}  // namespace heaplint
