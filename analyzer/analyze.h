// The single entry point that the CLI, the language server and the tests call:
// analyze(source, options) -> diagnostics.
#pragma once

#include <tree_sitter/api.h>

#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "analyzer/diagnostic.h"
#include "analyzer/foreground_gate.h"
#include "analyzer/noqa.h"
#include "analyzer/project.h"
#include "analyzer/rule.h"
#include "analyzer/settings.h"
#include "analyzer/source_text.h"

namespace heaplint {

struct ActiveRule;

struct AnalysisOptions {
  RuleTable rules;  // the whole registry: noqa comments may name any rule
  RuleSet enabled;  // the rules to run, as bits over `rules`
  // The rules whose findings this file reports (per-file-ignores drop some). A project rule may
  // run in a file that does not report it, to collect the facts other files' findings need.
  RuleSet reported = RuleSet().set();
  std::string_view path;  // as displayed; may be empty (standard input)
  ModuleInfo module;      // the file's dotted module name, for imports across files
  const LintSettings* settings = &LintSettings::defaults();
  bool verify_fixes = true;           // drop fixes whose result would not parse
  bool ignore_noqa = false;           // --ignore-noqa: suppression comments silence nothing
  RuleSet fixable = RuleSet().set();  // `fixable` / `unfixable`: the others' fixes are dropped
  // PEP 263 (source_text_encoding.h): the encoding the file is written back in, as iconv names it
  // (empty: UTF-8), and whether it can be written back at all (not when bytes of it did not
  // decode). Fixes the file could not take are dropped.
  std::string_view encoding;
  bool writable = true;
  // Collect the file's calls for the project rules that read them (RuleDefinition::
  // uses_call_facts). The editor turns it off while the open document's own findings cannot
  // depend on them (ownFindingsReadCalls): describing calls is a large part of the walk of a file,
  // and the join keeps only the document's findings.
  bool collect_call_facts = true;
};

struct FileAnalysis {
  std::vector<Diagnostic> diagnostics;  // in source order, suppressed ones removed
  uint32_t suppressed_count = 0;
  bool has_syntax_error = false;
  uint32_t syntax_error_offset = 0;  // first error or missing node
  // The parser gave up within its time budget (PythonParser): nothing was checked. Only garbage
  // gets there: tree-sitter's error recovery grows faster than linearly on it.
  bool parse_abandoned = false;
  // Kept for the project step.
  std::string path;
  ModuleInfo module;
  NoqaDirectives noqa;
  RuleSet reported = RuleSet().set();  // from AnalysisOptions: the join reports only these
  RuleSet enabled;                     // from AnalysisOptions: HL100 tells unused from disabled
  RuleSet fixable = RuleSet().set();   // from AnalysisOptions: the join drops the others' fixes
  std::string encoding;                // from AnalysisOptions: the join drops the project rules'
  bool writable = true;                // fixes the file could not take
  std::vector<std::unique_ptr<FileFacts>> facts;  // indexed like the rule table
  // The file's calls (FileCallFacts, call_evidence.h), once for every project rule that reads
  // them (RuleDefinition::uses_call_facts); null when none ran.
  std::unique_ptr<FileFacts> call_facts;
  // The same facts packed (packFacts in project.h) while the file waits for the join: far
  // smaller than the objects, and read back one rule at a time. In a PackedFactsStore that
  // outlives the analysis.
  std::string_view packed_facts;
};

struct TreeDeleter {
  void operator()(TSTree* tree) const { ts_tree_delete(tree); }
};
using TreePtr = std::unique_ptr<TSTree, TreeDeleter>;

// A tree-sitter parser for Python; not thread-safe, so keep one per thread.
class PythonParser {
 public:
  PythonParser();
  ~PythonParser();
  PythonParser(const PythonParser&) = delete;
  PythonParser& operator=(const PythonParser&) = delete;

  // Parses the text (after a byte-order mark, if any). With `old_tree` already edited by
  // ts_tree_edit, only the changed parts are re-parsed. Returns null when the parse runs past
  // its budget: 10 s of CPU and 10 s per MB of the range.
  TreePtr parse(const SourceText& source, const TSTree* old_tree = nullptr);
  // Parses only bytes [start, end) of the text, as a module of its own whose nodes keep their
  // offsets in the whole text (the language server parses a large document in runs of top-level
  // statements: see chunked_tree.h).
  TreePtr parseRange(const SourceText& source, uint32_t start, uint32_t end,
                     const TSTree* old_tree = nullptr);
  // Parses only the given ranges, in order, as if they were one text (a method with its class's
  // header: ChunkedTree::editLeavesMethodBroken).
  struct ByteRange {
    uint32_t start = 0;
    uint32_t end = 0;
  };
  TreePtr parseRanges(const SourceText& source, std::span<const ByteRange> ranges,
                      const TSTree* old_tree = nullptr);
  // The parser this thread uses for analyze().
  static PythonParser& forThisThread();

  // Background work: every parse, and analyzeFile between its parse and its walk, waits while
  // `gate` has foreground work under way (null: never waits).
  void giveWayTo(const ForegroundGate* gate) { gives_way_to_ = gate; }
  void waitForForeground() const {
    if (gives_way_to_ != nullptr) gives_way_to_->waitUntilIdle();
  }

 private:
  TreePtr finished(TSTree* tree);

  TSParser* parser_;
  const ForegroundGate* gives_way_to_ = nullptr;
};

// The checkers of the enabled rules that run on this file (test files run only the rules whose
// test-code policy is Check). Given the whole file's text, only the rules whose needs_text it
// contains (not for a part of a document: another part may add the text later).
std::vector<ActiveRule> createActiveRules(const AnalysisOptions& options,
                                          std::optional<std::string_view> whole_text = {});

// Whether analysing the whole file `text` can report anything or leave facts for a project rule:
// some enabled rule runs on it (as createActiveRules decides), or it holds a `noqa` directive
// (HL100 may report it unused). False for a test file that no rule checking tests applies to, or
// one the gc rules alone would check that never names `gc`: analyzeFile() then skips the parse,
// and reports no syntax error for a file nothing checks.
bool fileNeedsAnalysis(std::string_view text, const AnalysisOptions& options);

// fileNeedsAnalysis() taken apart, for a run that parses a file for the project rules' facts
// only when a join needs them: whether the file's own findings need the parse (a rule without a
// join runs on it, or it holds a `noqa` directive), which enabled project rules run on it, and
// which of those may report in it (RuleDefinition::may_report_in; every one without it, and
// every one where the text is unsure).
struct FileDemand {
  RuleSet running;  // every enabled rule that runs on the file (rulesRunningOn)
  bool own = false;
  RuleSet project_running;
  RuleSet project_reporting;
};
// `known`: project rules already known to report somewhere; in a file analysed anyway (`own`)
// they are not asked again, and count as reporting.
FileDemand fileDemand(std::string_view text, const AnalysisOptions& options,
                      const RuleSet& known = {});

// Whether the join, reporting in this one file only, may read its calls: some enabled rule that
// reads call facts says so from the file's own facts (RuleDefinition::reads_own_calls). Asked of
// an analysis whose facts are unpacked.
bool ownFindingsReadCalls(const FileAnalysis& analysis, const AnalysisOptions& options);

// Analyses one file on its own: its pass, then the project rules over this file alone.
FileAnalysis analyze(const SourceText& source, const AnalysisOptions& options);

// One file's pass only; project rules' facts are kept for joinProject() over many files.
FileAnalysis analyzeFile(const SourceText& source, const AnalysisOptions& options);
// The same, with the rules that run on the file already chosen from its text
// (FileDemand::running): the text is not scanned again.
FileAnalysis analyzeFile(const SourceText& source, const AnalysisOptions& options,
                         const RuleSet& running);
// The same on an existing tree of `source` (the language server keeps trees between edits).
FileAnalysis analyzeTree(const SourceText& source, const TSTree& tree,
                         const AnalysisOptions& options);
// The same on a text parsed in runs of top-level statements, one tree per run, in order: the
// walk treats their statements as one module's.
FileAnalysis analyzeTrees(const SourceText& source, std::span<const TSTree* const> trees,
                          const AnalysisOptions& options);

// The end of a file's pass, whatever walked it: keeps the diagnostics of the rules the file
// reports, drops those its noqa comments (already in `result.noqa`) silence, strips fixes when
// the file does not parse (`result.has_syntax_error`) or could not take them (fixFitsFile), and
// sorts them into `result`.
void settleDiagnostics(const SourceText& source, const AnalysisOptions& options,
                       std::vector<Diagnostic> diagnostics, FileAnalysis& result);

// Whether a file written in `encoding` (empty: UTF-8) can take the fix: it can be written back,
// and the encoding holds every text the fix inserts.
bool fixFitsFile(const Fix& fix, std::string_view encoding, bool writable);

// Drops the fixes of diagnostics that would no longer parse (project rules' fixes are made
// without the tree at hand).
void verifyFixes(const SourceText& source, std::vector<Diagnostic>& diagnostics);

// Offset of the first ERROR or MISSING node, if the tree has any.
bool findFirstSyntaxError(TSNode root, uint32_t& offset);

}  // namespace heaplint
