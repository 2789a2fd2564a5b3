// The analyzer on arbitrary bytes with every rule on: no crash, no hang, and every finding inside
// the text with positions the language server can convert.
#include <cstddef>
#include <cstdint>
#include <string>

#include "tests/fuzz/fuzz_support.h"

using namespace heaplint;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > fuzz::kMaxInput) return 0;
  static const AnalysisOptions options = fuzz::everyRule();
  const SourceText source(std::string(reinterpret_cast<const char*>(data), size));
  const FileAnalysis analysis = analyze(source, options);
  for (const Diagnostic& diagnostic : analysis.diagnostics) {
    fuzz::require(diagnostic.start <= diagnostic.end && diagnostic.end <= source.size(),
                  "a finding's range is outside the text");
    const Position start = source.utf16Position(diagnostic.start);
    fuzz::require(source.offsetFromUtf16(start) <= diagnostic.start,
                  "a UTF-16 position does not lead back into the text");
    if (diagnostic.fix) {
      uint32_t previous_end = 0;
      for (const Edit& edit : diagnostic.fix->edits) {
        fuzz::require(
            edit.start <= edit.end && edit.end <= source.size() && edit.start >= previous_end,
            "a fix's edits are out of order or outside the text");
        previous_end = edit.end;
      }
    }
  }
  return 0;
}
