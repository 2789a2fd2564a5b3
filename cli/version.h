// The heaplint version, for reports (SARIF) and cache keys.
#pragma once

#include <string_view>

namespace heaplint::cli {

std::string_view heaplintVersion();

}  // namespace heaplint::cli
