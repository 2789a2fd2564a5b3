// What a rule reports: a byte range, a message, and optionally a fix made of byte edits.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace heaplint {

struct RuleDefinition;

struct Edit {
  uint32_t start = 0;
  uint32_t end = 0;
  std::string replacement;
};

// Safe fixes keep the program's behaviour; unsafe ones may change it in edge cases and are only
// applied on request (--unsafe-fixes), as in Ruff.
enum class Applicability : uint8_t { Unsafe, Safe };

struct Fix {
  Applicability applicability = Applicability::Safe;
  std::vector<Edit> edits;  // sorted, non-overlapping
};

struct Diagnostic {
  const RuleDefinition* rule = nullptr;
  uint32_t start = 0;
  uint32_t end = 0;
  std::string message;
  std::string fix_title;  // what the fix (or the reader) should do; shown even without a fix
  std::optional<Fix> fix;
};

}  // namespace heaplint
