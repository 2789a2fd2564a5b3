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

// Moves offsets by `bytes` (text inserted or removed above them).
inline uint32_t shiftedOffset(uint32_t offset, int64_t bytes) {
  return static_cast<uint32_t>(static_cast<int64_t>(offset) + bytes);
}
inline void shiftBy(Fix& fix, int64_t bytes) {
  for (Edit& edit : fix.edits) {
    edit.start = shiftedOffset(edit.start, bytes);
    edit.end = shiftedOffset(edit.end, bytes);
  }
}
inline void shiftBy(Diagnostic& diagnostic, int64_t bytes) {
  diagnostic.start = shiftedOffset(diagnostic.start, bytes);
  diagnostic.end = shiftedOffset(diagnostic.end, bytes);
  if (diagnostic.fix) shiftBy(*diagnostic.fix, bytes);
}

}  // namespace heaplint
