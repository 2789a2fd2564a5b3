// Open documents: each keeps its text with a line index and its syntax trees (one per run of
// top-level statements in a large document: analyzer/chunked_tree.h). Incremental changes edit the
// trees (ts_tree_edit) and re-parse the touched run with its old tree, so a keystroke re-parses
// only the region around it.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/chunked_tree.h"
#include "analyzer/incremental_analysis.h"
#include "lsp/protocol.h"
#include "lsp/settings_provider.h"

namespace heaplint::lsp {

struct Document {
  std::string uri;
  std::optional<std::filesystem::path> path;  // for file: URIs
  std::string display_path;                   // what rules see as the file's path
  int64_t version = 0;
  std::unique_ptr<SourceText> source;
  ChunkedTree syntax;

  // The analysis of the current text and the settings it was made with; recomputed when stale.
  std::optional<FileAnalysis> analysis;
  std::shared_ptr<const FileSettings> settings;
  // What the runs of the text gave at the last analysis, so an edit re-walks only its run and
  // those that depend on it; valid for the configuration and rules it was made with.
  IncrementalAnalysis incremental;
  std::shared_ptr<const config::ResolvedSettings> incremental_config;
  RuleSet incremental_enabled;
  RuleSet incremental_reported;
  uint64_t analysis_id = 0;  // distinct for every analysis the server makes (pull result ids)
  // Edits applied to the text (and recorded in the trees) but not parsed yet; afresh: the trees
  // cannot be edited (a whole-text change, the byte-order mark, the size limit).
  bool parse_pending = false;
  bool parse_afresh_pending = false;
  // Larger than HEAPLINT_MAX_FILE_SIZE: neither parsed nor analysed (told once).
  // A compiled module of the same name sits beside the file (ModuleInfo::compiled_beside).
  bool compiled_beside = false;
  bool too_large = false;
  bool too_large_told = false;
  // Push mode: when the next publishDiagnostics is due (edits push it back, within the debounce).
  std::optional<std::chrono::steady_clock::time_point> publish_due;

  // What the last join with the workspace found in this document (the project rules' findings and
  // HL100's), carried through the edits since (carryThrough). While joins are slow, an edit is
  // published with these and the join waits for a pause in typing (Server::analysisOf).
  std::vector<Diagnostic> joined_findings;
  bool has_joined_findings = false;
  // Push mode: when the deferred join is due, and the latest it may wait until.
  std::optional<std::chrono::steady_clock::time_point> join_due;
  std::optional<std::chrono::steady_clock::time_point> join_deadline;
  bool join_now = false;  // the next analysis joins, whatever joins cost

  // The findings of the last analysis, carried through the edits since, and the bytes of the
  // current text that the edits since the last parse span. While those edits leave a method of a
  // large class broken (ChunkedTree::editLeavesMethodBroken), push mode publishes these at once
  // and re-parses and walks the class when typing pauses (`settle_due`) or the text is valid
  // again: tree-sitter's error recovery in a big class costs tens of milliseconds a keystroke.
  // So it does while they leave their run broken, re-parsed, after a pushed analysis of a text
  // that parsed (`carried_from_parsed_text`): analysing the broken run walks every run naming
  // what the error hides (Server::editsLeaveRunBroken).
  std::vector<Diagnostic> carried_findings;
  bool has_carried_findings = false;
  bool carried_from_parsed_text = false;
  std::optional<std::pair<uint32_t, uint32_t>> unparsed_edits;
  std::optional<std::chrono::steady_clock::time_point> settle_due;
  std::optional<std::chrono::steady_clock::time_point> settle_deadline;
  bool settle_now = false;  // the next publication analyses, whatever the text
};

// Moves `findings` through a text edit replacing [start, end) with `inserted` bytes: those after
// it shift, those around it stretch, those it touches otherwise are dropped (and so is a fix that
// the edit touches), as an editor moves its markers.
void carryThrough(std::vector<Diagnostic>& findings, uint32_t start, uint32_t end,
                  uint32_t inserted);

class DocumentStore {
 public:
  // With `helpers`, a large text's runs are parsed on them too.
  Document& open(std::string uri, int64_t version, std::string text, PythonParser& parser,
                 HelperThreads* helpers = nullptr);
  // Applies one didChange notification's contentChanges in order; the trees are re-parsed by
  // ensureParsed(), before anything reads them. Throws LspError(InvalidParams) on a malformed
  // change; the changes before it stay applied, and text and tree stay in step.
  void change(Document& document, int64_t version, const json& content_changes,
              PositionEncoding encoding, PythonParser& parser);
  // Re-parses what change() left pending.
  static void ensureParsed(Document& document, PythonParser& parser,
                           HelperThreads* helpers = nullptr);
  void close(const std::string& uri) { documents_.erase(uri); }

  Document* find(const std::string& uri);
  std::map<std::string, Document>& all() { return documents_; }
  const std::map<std::string, Document>& all() const { return documents_; }

 private:
  // Parses the whole text again, or drops the trees of a text over the size limit.
  static void parseAfresh(Document& document, PythonParser& parser,
                          HelperThreads* helpers = nullptr);

  std::map<std::string, Document> documents_;
};

}  // namespace heaplint::lsp
