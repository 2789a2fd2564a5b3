// Joins pieces of text into a new string: concat("the class `", name, "`"). Spelled this way
// rather than with `"..." + std::string(...)`, which GCC 12 warns about (-Wrestrict, a false
// alarm on the inlined insert).
#pragma once

#include <string>
#include <string_view>

namespace heaplint {

template <typename... Parts>
std::string concat(const Parts&... parts) {
  std::string out;
  (out.append(std::string_view(parts)), ...);
  return out;
}

}  // namespace heaplint
