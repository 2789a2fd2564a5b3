// What the fuzz targets share: every rule on, and a failed invariant that libFuzzer reports as a
// crash with the input that broke it.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "analyzer/analyze.h"
#include "tests/unit/all_rules.h"

namespace heaplint::fuzz {

// The longest input a target looks at: small inputs keep each run fast (thousands a second), and
// what breaks the analyzer shows in a few lines.
inline constexpr size_t kMaxInput = 4096;

// Every rule on, fixes verified (tests/unit/all_rules.h turns that off for its comparisons).
inline AnalysisOptions everyRule() {
  AnalysisOptions options = allRulesOptions();
  options.verify_fixes = true;
  return options;
}

[[noreturn]] inline void fail(std::string_view what) {
  std::fprintf(stderr, "invariant broken: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

inline void require(bool condition, std::string_view what) {
  if (!condition) fail(what);
}

}  // namespace heaplint::fuzz
