// The language server's analysis in runs, after random edits: it must equal a walk of all the
// runs (whatever the text), and a whole-file analysis when the text parses. With the default
// rules too, as the server runs them: the document's calls collected only while its own findings
// may read them (IncrementalAnalysis::analyzeForOwnFindings). The runs are parsed
// and walked on a helper thread too, as in the server, and each edit is first judged as the
// server judges it (ChunkedTree::editLeavesMethodBroken, on runs of any size here).
//
// Input: a text, then edits (FuzzedDataProvider). The text is repeated until the document is
// large enough to be cut into several runs, so edits land in and between runs.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "analyzer/chunked_tree.h"
#include "analyzer/incremental_analysis.h"
#include "tests/fuzz/fuzz_support.h"

using namespace heaplint;

namespace {

using Finding = std::tuple<std::string_view, uint32_t, uint32_t, std::string>;

std::vector<Finding> findingsOf(const FileAnalysis& analysis) {
  std::vector<Finding> findings;
  for (const Diagnostic& d : analysis.diagnostics)
    findings.emplace_back(d.rule->code, d.start, d.end, d.message);
  return findings;
}

// A pass's findings after the project rules' join over the document alone. Not for analyze()'s
// result, which is joined already: a second join reports the project rules' findings again.
std::vector<Finding> joinedFindings(FileAnalysis analysis, const AnalysisOptions& options) {
  FileAnalysis* files[] = {&analysis};
  joinProject(files, options);
  return findingsOf(analysis);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > fuzz::kMaxInput) return 0;
  static const AnalysisOptions options = allRulesOptions();  // fixes are fuzz_fix's
  static const AnalysisOptions defaults = defaultRulesOptions();
  FuzzedDataProvider input(data, size);
  const std::string piece = input.ConsumeRandomLengthString(1024);
  std::string text;
  while (text.size() <= ChunkedTree::kSingleChunkLimit && !piece.empty())
    text += piece;
  auto source = std::make_unique<SourceText>(text);
  PythonParser& parser = PythonParser::forThisThread();
  static HelperThreads helpers(1);
  ChunkedTree syntax;
  syntax.parse(*source, parser, &helpers);
  IncrementalAnalysis incremental;
  incremental.analyze(*source, syntax, options, &helpers);
  IncrementalAnalysis own_findings;
  own_findings.analyzeForOwnFindings(*source, syntax, defaults, &helpers);
  for (int round = 0; round < 8 && input.remaining_bytes() > 0; ++round) {
    const auto start = input.ConsumeIntegralInRange<uint32_t>(0, source->size());
    const auto end = input.ConsumeIntegralInRange<uint32_t>(
        start, std::min<uint32_t>(source->size(), start + 64));
    const std::string replacement = input.ConsumeRandomLengthString(64);
    syntax.edit(*source, start, end, replacement);
    std::string updated(source->text());
    updated.replace(start, end - start, replacement);
    source = std::make_unique<SourceText>(std::move(updated));
    syntax.editLeavesMethodBroken(*source, parser, start,
                                  start + static_cast<uint32_t>(replacement.size()), 0);
    syntax.reparse(*source, parser);

    // A run that parses cleanly is the tree a fresh parse of its range gives (the re-parse
    // describes edits in big definitions as running on to the next member: describedEditEnd).
    for (const ChunkedTree::RunView& run : syntax.runs()) {
      const TreePtr fresh = parser.parseRange(*source, run.start, run.end);
      if (!fresh || ts_node_has_error(ts_tree_root_node(fresh.get()))) continue;
      fuzz::require(fuzz::sameTree(run.tree, fresh.get()),
                    "a run's re-parsed tree differs from a fresh parse of its range");
    }
    const std::vector<Finding> in_runs =
        joinedFindings(incremental.analyze(*source, syntax, options, &helpers), options);
    const std::vector<Finding> all_runs =
        joinedFindings(analyzeTrees(*source, syntax.trees(), options), options);
    // What differs, for the one who reproduces it.
    const auto printDifference = [&](const char* label, const std::vector<Finding>& these,
                                     const char* other_label, const std::vector<Finding>& others) {
      if (these == others) return;
      for (const auto& [name, findings] :
           {std::pair{label, &these}, std::pair{other_label, &others}}) {
        for (const auto& [code, from, to, message] : *findings) {
          std::fprintf(stderr, "%s: %.*s %u-%u %s\n", name, static_cast<int>(code.size()),
                       code.data(), from, to, message.c_str());
        }
      }
      std::fprintf(stderr, "after editing %u-%u of the text into %zu bytes\n", start, end,
                   replacement.size());
    };
    printDifference("in runs", in_runs, "all runs", all_runs);
    fuzz::require(in_runs == all_runs, "the incremental analysis differs from a walk of all runs");
    fuzz::require(
        joinedFindings(own_findings.analyzeForOwnFindings(*source, syntax, defaults, &helpers),
                       defaults) ==
            joinedFindings(analyzeTrees(*source, syntax.trees(), defaults), defaults),
        "the default rules' analysis for the document's own findings differs from a walk of all "
        "runs");
    const TreePtr whole = parser.parse(*source);
    if (!ts_node_has_error(ts_tree_root_node(whole.get()))) {
      const std::vector<Finding> whole_file = findingsOf(analyze(*source, options));
      printDifference("all runs", all_runs, "whole file", whole_file);
      fuzz::require(all_runs == whole_file, "the analysis in runs differs from the whole file's");
    }
  }
  return 0;
}
