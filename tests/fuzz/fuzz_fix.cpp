// Fixes on arbitrary bytes: applying every fix (unsafe ones too) to a text that parses leaves a
// text that still parses, and a second pass over it has nothing left to change.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "analyzer/fix.h"
#include "tests/fuzz/fuzz_support.h"

using namespace heaplint;

namespace {

bool parses(const SourceText& source) {
  const TreePtr tree = PythonParser::forThisThread().parse(source);
  return tree && !ts_node_has_error(ts_tree_root_node(tree.get()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > fuzz::kMaxInput) return 0;
  static const AnalysisOptions options = fuzz::everyRule();
  auto source =
      std::make_unique<SourceText>(std::string(reinterpret_cast<const char*>(data), size));
  const bool parsed = parses(*source);
  FixLoopResult first = fixUntilStable(std::move(source), options, /*include_unsafe=*/true);
  if (parsed) fuzz::require(parses(*first.source), "the fixes broke a text that parsed");
  const std::string fixed(first.source->text());
  const FixLoopResult second = fixUntilStable(std::move(first.source), options, true);
  fuzz::require(second.fixed == 0 && second.source->text() == fixed,
                "a second pass of fixes changed the text again");
  return 0;
}
