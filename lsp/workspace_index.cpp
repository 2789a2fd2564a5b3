#include "lsp/workspace_index.h"

#include <algorithm>

#include "cli/file_discovery.h"
#include "cli/file_io.h"
#include "rules/registry.h"

namespace heaplint::lsp {

RuleSet projectRules(RuleTable rules) {
  RuleSet set;
  for (size_t i = 0; i < rules.size(); ++i) {
    if (rules[i]->join != nullptr) set.set(i);
  }
  return set;
}

WorkspaceIndex::~WorkspaceIndex() {
  stop_ = true;
  for (std::thread& builder : builders_)
    builder.join();
}

std::unique_ptr<FileAnalysis> WorkspaceIndex::analyzeForFacts(const std::filesystem::path& path,
                                                              std::string contents) {
  const std::shared_ptr<const ResolvedSettings> settings = settings_.settingsFor(path);
  const std::string display = path.string();
  AnalysisOptions options;
  options.rules = allRules();
  options.enabled = settings->enabled & projectRules(options.rules);
  options.settings = &settings->lint;
  options.path = display;
  options.module = moduleInfoForPath(path);
  options.verify_fixes = false;  // the findings are dropped: only the facts are kept
  const SourceText source(std::move(contents));
  auto analysis = std::make_unique<FileAnalysis>(analyzeFile(source, options));
  analysis->diagnostics.clear();
  return analysis;
}

void WorkspaceIndex::start(std::vector<std::filesystem::path> roots,
                           std::function<void()> on_ready) {
  if (roots.empty()) return;
  builders_.emplace_back([this, roots = std::move(roots), on_ready = std::move(on_ready)] {
    std::vector<std::string> inputs;
    for (const auto& root : roots)
      inputs.push_back(root.string());
    const cli::Discovery discovery = cli::discoverFiles(inputs, cli::DiscoveryOptions{});
    for (const cli::SourceFile& file : discovery.files) {
      if (stop_) return;
      std::string contents;
      std::string error;
      if (!cli::readFile(file.path, contents, error)) continue;
      try {
        const std::filesystem::path path = std::filesystem::absolute(file.path).lexically_normal();
        std::unique_ptr<FileAnalysis> analysis = analyzeForFacts(path, std::move(contents));
        std::lock_guard lock(mutex_);
        // A save that happened meanwhile is newer than what was read from disk.
        files_.try_emplace(path, std::move(analysis));
      } catch (const std::exception&) {
        // One file the analyzer chokes on must not stop the index.
      }
    }
    if (on_ready) on_ready();
  });
}

void WorkspaceIndex::update(const std::filesystem::path& path, const std::string* text) {
  std::string contents;
  if (text != nullptr) {
    contents = *text;
  } else {
    std::string error;
    if (!cli::readFile(path, contents, error)) {
      remove(path);
      return;
    }
  }
  std::unique_ptr<FileAnalysis> analysis = analyzeForFacts(path, std::move(contents));
  std::lock_guard lock(mutex_);
  files_[path] = std::move(analysis);
}

void WorkspaceIndex::removeRoot(const std::filesystem::path& root) {
  const std::filesystem::path normal = std::filesystem::absolute(root).lexically_normal();
  std::lock_guard lock(mutex_);
  std::erase_if(files_, [&](const auto& entry) {
    const auto [end, unused] =
        std::mismatch(normal.begin(), normal.end(), entry.first.begin(), entry.first.end());
    return end == normal.end();
  });
}

void WorkspaceIndex::remove(const std::filesystem::path& path) {
  std::lock_guard lock(mutex_);
  files_.erase(path);
}

size_t WorkspaceIndex::size() const {
  std::lock_guard lock(mutex_);
  return files_.size();
}

void WorkspaceIndex::join(FileAnalysis& file, const std::filesystem::path* path,
                          const AnalysisOptions& options) {
  std::lock_guard lock(mutex_);
  std::vector<FileAnalysis*> analyses;
  analyses.reserve(files_.size() + 1);
  analyses.push_back(&file);
  for (auto& [indexed_path, analysis] : files_) {
    // The open document's live facts replace what was indexed for it.
    if (path != nullptr && indexed_path == *path) continue;
    analyses.push_back(analysis.get());
  }
  joinProject(analyses, options);
  // The join reports findings in every file; only the document's are wanted.
  for (size_t i = 1; i < analyses.size(); ++i) {
    analyses[i]->diagnostics.clear();
    analyses[i]->suppressed_count = 0;
  }
}

}  // namespace heaplint::lsp
