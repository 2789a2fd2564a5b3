// Unified diffs for `--diff`, computed with dtl (Debian's libdtl-dev).
#pragma once

#include <string>
#include <string_view>

namespace heaplint::cli {

// A unified diff of two texts, with `---`/`+++` headers naming `path`; empty when equal.
std::string unifiedDiff(std::string_view path, std::string_view before, std::string_view after);

}  // namespace heaplint::cli
