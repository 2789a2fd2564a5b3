// The analyzer on arbitrary bytes with every rule on, read as the command line reads a file (PEP
// 263: a coding cookie decodes it): no crash, no hang, a decoded text that encodes back to the
// bytes whenever fixes may be written, and every finding inside the text with positions the
// language server can convert.
#include <cstddef>
#include <cstdint>
#include <string>

#include "analyzer/source_text_encoding.h"
#include "tests/fuzz/fuzz_support.h"

using namespace heaplint;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > fuzz::kMaxInput) return 0;
  static const AnalysisOptions every_rule = fuzz::everyRule();
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const DecodedSource decoded = decodePythonSource(bytes);
  if (decoded.writable) {
    // A fixed file is written back through this encoding: it must give the bytes read.
    fuzz::require(encodePythonSource(decoded.text, decoded.encoding) == bytes,
                  "a writable decoded text does not encode back to the file's bytes");
  }
  AnalysisOptions options = every_rule;
  options.encoding = decoded.encoding;
  options.writable = decoded.writable;
  const SourceText source(decoded.text);
  const FileAnalysis analysis = analyze(source, options);
  for (const Diagnostic& diagnostic : analysis.diagnostics) {
    fuzz::require(diagnostic.start <= diagnostic.end && diagnostic.end <= source.size(),
                  "a finding's range is outside the text");
    const Position start = source.utf16Position(diagnostic.start);
    fuzz::require(source.offsetFromUtf16(start) <= diagnostic.start,
                  "a UTF-16 position does not lead back into the text");
    if (diagnostic.fix) {
      fuzz::require(fixFitsFile(*diagnostic.fix, decoded.encoding, decoded.writable),
                    "a fix the file's encoding cannot hold was offered");
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
