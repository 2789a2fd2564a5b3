// Cross-file facts for the project rules (MEM401, MEM201) over the whole workspace. Built in the
// background when the server starts, updated when a file is saved; an open document's own analysis
// is joined against every other file's facts, so a class made hot in another file is still flagged.
// Each file's facts come from its own configuration; files the configuration excludes are left out,
// as in the CLI.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/foreground_gate.h"
#include "lsp/settings_provider.h"

namespace heaplint::lsp {

class WorkspaceIndex {
 public:
  // The index's threads give way to `foreground` (which must outlive the index, and be idle
  // when it is destroyed).
  WorkspaceIndex(SettingsProvider& settings, const ForegroundGate& foreground)
      : settings_(settings), foreground_(foreground) {}
  ~WorkspaceIndex();
  WorkspaceIndex(const WorkspaceIndex&) = delete;
  WorkspaceIndex& operator=(const WorkspaceIndex&) = delete;

  // Indexes every Python file under the roots on a background thread, then calls `on_ready` (from
  // that thread). May be called again for workspace folders added later.
  void start(std::vector<std::filesystem::path> roots, std::function<void()> on_ready);
  // Indexes the roots again and then forgets the files it did not index (the configuration
  // changed: exclusions and per-file settings may differ). Scans still running are abandoned.
  void rebuild(std::vector<std::filesystem::path> roots, std::function<void()> on_ready);
  // Forgets every file under a workspace folder that was removed.
  void removeRoot(const std::filesystem::path& root);

  // Re-indexes one file from the given text (on save), or from disk when `text` is null; an
  // excluded file is dropped.
  void update(const std::filesystem::path& path, const std::string* text);
  void remove(const std::filesystem::path& path);

  // Adds the project rules' findings for `file` (whose facts must be present) joined with every
  // other indexed file. As in the CLI, the join reads every indexed file's configuration too: all
  // their `extra-hot-classes`, the oldest `target-version`.
  void join(FileAnalysis& file, const std::filesystem::path* path, const AnalysisOptions& options);

  size_t size() const;

 private:
  void scan(uint64_t generation, std::vector<std::filesystem::path> roots, bool replace,
            const std::function<void()>& on_ready);
  struct IndexedFile {
    std::unique_ptr<FileAnalysis> analysis;  // facts only; null when the file is excluded
    std::shared_ptr<const config::ResolvedSettings> config;
    // The facts packed (packFacts), as `check` keeps them: the analysis's packed_facts view it.
    std::unique_ptr<std::string> packed;
  };

  // `compiled_beside`: ModuleInfo::compiled_beside, from the directory listing at hand.
  IndexedFile analyzeForFacts(const std::filesystem::path& path, std::string contents,
                              bool compiled_beside);

  SettingsProvider& settings_;
  const ForegroundGate& foreground_;
  mutable std::mutex mutex_;
  std::map<std::filesystem::path, IndexedFile> files_;
  std::vector<std::thread> builders_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> generation_{0};  // bumped by rebuild(): older scans stop
};

// Only the rules that decide across files: the index needs their facts, nothing else.
RuleSet projectRules(RuleTable rules);

}  // namespace heaplint::lsp
