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
  // Push mode: when the next publishDiagnostics is due (edits push it back, within the debounce).
  std::optional<std::chrono::steady_clock::time_point> publish_due;
};

class DocumentStore {
 public:
  Document& open(std::string uri, int64_t version, std::string text, PythonParser& parser);
  // Applies one didChange notification's contentChanges in order. Throws LspError(InvalidParams)
  // on a malformed change; the changes before it stay applied, and text and tree stay in step.
  void change(Document& document, int64_t version, const json& content_changes,
              PositionEncoding encoding, PythonParser& parser);
  void close(const std::string& uri) { documents_.erase(uri); }

  Document* find(const std::string& uri);
  std::map<std::string, Document>& all() { return documents_; }
  const std::map<std::string, Document>& all() const { return documents_; }

 private:
  std::map<std::string, Document> documents_;
};

}  // namespace heaplint::lsp
