// Applying fixes: byte edits, checked so that a fix never leaves code that no longer parses.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/diagnostic.h"

namespace heaplint {

// Applies sorted, non-overlapping edits.
std::string applyEdits(std::string_view text, std::span<const Edit> edits);

// The tree-sitter edit that replaces bytes [start, end) of `source` with `replacement`, for
// ts_tree_edit before an incremental re-parse.
TSInputEdit inputEditFor(const SourceText& source, uint32_t start, uint32_t end,
                         std::string_view replacement);

// True when the text with the fix applied still parses without errors, and no call an edit is in
// gives a keyword argument twice (which parses but does not compile). Re-parses incrementally
// from `tree`, so only the edited region is parsed again.
bool fixKeepsSyntaxValid(PythonParser& parser, const TSTree& tree, const SourceText& source,
                         const Fix& fix);

// Drops the fixes that would leave the file unparsable. Fixes that do not overlap are checked
// together, with one re-parse of their combined result; when that fails, halves are checked until
// the breaking fixes are found, so a file with thousands of fixable findings costs one parse (and
// a few more per breaking fix), not thousands.
void dropFixesThatBreakSyntax(PythonParser& parser, const TSTree& tree, const SourceText& source,
                              std::span<Diagnostic> diagnostics);

struct FixOutcome {
  std::string text;
  size_t applied = 0;                        // fixes applied
  std::vector<Edit> edits;                   // the edits made, sorted
  std::vector<const RuleDefinition*> rules;  // the rule of each fix applied (--show-fixes)
  std::vector<const Diagnostic*> fixed;      // the diagnostic of each fix applied
};

// Moves offsets of a text across edits made to it (sorted, non-overlapping): an offset inside an
// edited range goes to the end of its replacement.
void moveOffsets(std::span<const Edit> edits, std::vector<uint32_t>& offsets);

// Applies every applicable fix (safe ones, and unsafe ones when asked) whose edits do not overlap
// an earlier fix's edits.
FixOutcome applyFixes(std::string_view text, std::span<const Diagnostic> diagnostics,
                      bool include_unsafe);

// The fixes applied so far to one file, to tell a fix that left its finding in place: the same
// rule reports at the same place (moved along with every edit since), offering the same
// replacements again. Applying it again would only repeat it (a keyword argument given twice,
// a hundred times over).
class FixHistory {
 public:
  // Remembers the fixes of `outcome`, applied to the text, and moves the earlier ones.
  void record(const FixOutcome& outcome);
  // Drops the fixes of `diagnostics` (of the text after the last outcome) that repeat one
  // applied before.
  void dropRepeated(std::span<Diagnostic> diagnostics) const;

 private:
  struct Applied {
    const RuleDefinition* rule;
    uint32_t start;
    std::string replacements;
  };
  std::vector<Applied> applied_;
};

struct FixLoopResult {
  std::unique_ptr<SourceText> source;  // the final text
  FileAnalysis analysis;               // of the final text: what remains
  size_t fixed = 0;
  std::vector<const RuleDefinition*> fixed_rules;  // the rule of each fix applied
};

// Analyses, applies every applicable fix, and repeats until no fix applies (at most 100 rounds,
// as Ruff does). A round whose fixes together would break the syntax applies only its first fix.
// A fix that left its finding in place (the same rule reports at the same place, offering the
// same replacements again) is not applied again: it did not do what it meant to.
// `carried` offsets (a notebook's cell boundaries) move along with every edit.
FixLoopResult fixUntilStable(std::unique_ptr<SourceText> source, const AnalysisOptions& options,
                             bool include_unsafe, std::vector<uint32_t>* carried = nullptr);

}  // namespace heaplint
