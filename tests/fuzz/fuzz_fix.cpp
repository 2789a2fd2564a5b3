// Fixes on arbitrary bytes: applying every fix (unsafe ones too) to a text that parses leaves a
// text that still parses, and a second pass over it has nothing left to change. An input that
// reads as a Jupyter notebook is fixed as `check --fix` fixes one: through its cells, written back
// into a notebook that reads again, and unchanged cells give back the file's own bytes.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/fix.h"
#include "cli/notebook.h"
#include "tests/fuzz/fuzz_support.h"

using namespace heaplint;

namespace {

bool parses(const SourceText& source) {
  const TreePtr tree = PythonParser::forThisThread().parse(source);
  return tree && !ts_node_has_error(ts_tree_root_node(tree.get()));
}

void fixNotebook(const cli::Notebook& notebook, std::string_view json,
                 const AnalysisOptions& options) {
  std::vector<uint32_t> offsets = notebook.trackedOffsets();
  fuzz::require(notebook.writeBack(notebook.python(), offsets) == std::optional<std::string>(json),
                "a notebook's own cells do not write back to its bytes");
  const FixLoopResult result = fixUntilStable(std::make_unique<SourceText>(notebook.python()),
                                              options, /*include_unsafe=*/true, &offsets);
  if (result.fixed == 0) return;
  const std::optional<std::string> updated = notebook.writeBack(result.source->text(), offsets);
  if (!updated) return;  // check --fix warns and leaves the file alone
  std::string error;
  fuzz::require(cli::Notebook::parse(*updated, error).has_value(),
                "a fixed notebook no longer reads as a notebook");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > fuzz::kMaxInput) return 0;
  static const AnalysisOptions options = fuzz::everyRule();
  if (size > 0 && data[0] == '{') {
    std::string error;
    const std::string_view json(reinterpret_cast<const char*>(data), size);
    const std::optional<cli::Notebook> notebook = cli::Notebook::parse(json, error);
    if (notebook) {
      fixNotebook(*notebook, json, options);
      return 0;
    }
  }
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
