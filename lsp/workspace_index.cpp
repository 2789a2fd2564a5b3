#include "lsp/workspace_index.h"

#include <algorithm>
#include <set>

#if defined(__linux__)
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "analyzer/project.h"
#include "cli/file_discovery.h"
#include "cli/file_io.h"
#include "cli/notebook.h"
#include "rules/registry.h"

namespace heaplint::lsp {
namespace {

// The index is background work: on a machine with few cores, the thread that answers the editor
// (and its helpers) must not wait behind it. Linux takes a thread id where POSIX means a process.
void runThisThreadInBackground() {
#if defined(__linux__)
  const auto thread = static_cast<pid_t>(syscall(SYS_gettid));
  // SCHED_IDLE: the thread runs when no other wants the core; the lowest nice value where the
  // policy is not allowed.
  const sched_param parameters{};
  if (sched_setscheduler(thread, SCHED_IDLE, &parameters) != 0) {
    setpriority(PRIO_PROCESS, static_cast<id_t>(thread), 19);
  }
#endif
}

}  // namespace

RuleSet projectRules(RuleTable rules) {
  RuleSet set;
  for (size_t i = 0; i < rules.size(); ++i) {
    if (rules[i]->join != nullptr) set.set(i);
  }
  return set;
}

namespace {

bool isBelow(const std::filesystem::path& path, const std::filesystem::path& directory) {
  const auto [end, unused] =
      std::mismatch(directory.begin(), directory.end(), path.begin(), path.end());
  return end == directory.end();
}

// The text whose facts the index keeps: a notebook's code cells joined, as `heaplint check`
// reads them, else the decoded source. False when the file cannot be read or is no notebook.
bool readIndexedText(const std::filesystem::path& path, std::string& text) {
  DecodedSource source;
  std::string error;
  if (!cli::readSource(path, source, error)) return false;
  if (!cli::isNotebookPath(path.string())) {
    text = std::move(source.text);
    return true;
  }
  const std::optional<cli::Notebook> notebook = cli::Notebook::parse(source.text, error);
  if (!notebook) return false;
  text = notebook->python();
  return true;
}

}  // namespace

WorkspaceIndex::~WorkspaceIndex() {
  stop_ = true;
  for (std::thread& builder : builders_)
    builder.join();
}

WorkspaceIndex::IndexedFile WorkspaceIndex::analyzeForFacts(const std::filesystem::path& path,
                                                            std::string contents,
                                                            bool compiled_beside) {
  const std::shared_ptr<const FileSettings> settings = settings_.settingsFor(path);
  if (settings->excluded || cli::isOverSizeLimitFromEnvironment(contents.size())) return {};
  const std::string display = path.string();
  AnalysisOptions options = settings->analysis;
  // Every project rule, whatever this file's configuration enables: another file that reports
  // the rule needs this file's facts (the CLI does the same).
  options.enabled = projectRules(options.rules);
  options.path = display;
  options.module.compiled_beside = compiled_beside;
  options.verify_fixes = false;  // the findings are dropped: only the facts are kept
  const SourceText source(std::move(contents));
  auto analysis = std::make_unique<FileAnalysis>(analyzeFile(source, options));
  analysis->diagnostics.clear();
  // Packed, a large workspace's facts take about a kilobyte a file, and a join reads them back a
  // rule at a time (as in `check`).
  auto packed = std::make_unique<std::string>(packFacts(*analysis, options.rules));
  analysis->packed_facts = *packed;
  return IndexedFile{std::move(analysis), settings->config, std::move(packed)};
}

void WorkspaceIndex::start(std::vector<std::filesystem::path> roots,
                           std::function<void()> on_ready) {
  if (roots.empty()) return;
  builders_.emplace_back(&WorkspaceIndex::scan, this, generation_.load(), std::move(roots),
                         /*replace=*/false, std::move(on_ready));
}

void WorkspaceIndex::rebuild(std::vector<std::filesystem::path> roots,
                             std::function<void()> on_ready) {
  // The old facts stay until the new ones are complete, so cross-file findings do not flicker.
  builders_.emplace_back(&WorkspaceIndex::scan, this, ++generation_, std::move(roots),
                         /*replace=*/true, std::move(on_ready));
}

void WorkspaceIndex::scan(uint64_t generation, std::vector<std::filesystem::path> roots,
                          bool replace, const std::function<void()>& on_ready) {
  runThisThreadInBackground();
  // This thread's parser gives way while the scan runs, and no longer once it ends.
  struct GivingWay {
    explicit GivingWay(const ForegroundGate& gate) {
      PythonParser::forThisThread().giveWayTo(&gate);
    }
    ~GivingWay() { PythonParser::forThisThread().giveWayTo(nullptr); }
    GivingWay(const GivingWay&) = delete;
    GivingWay& operator=(const GivingWay&) = delete;
  } giving_way(foreground_);
  std::set<std::filesystem::path> seen;
  for (const auto& root : roots) {
    cli::DiscoveryOptions discovery_options;
    discovery_options.respect_gitignore = settings_.respectsGitignore(root);
    discovery_options.is_excluded = [this](const std::filesystem::path& path, bool is_directory,
                                           bool /*whole_path*/) {
      return settings_.excludedFromWalk(path, is_directory);
    };
    const cli::Discovery discovery = cli::discoverFiles({root.string()}, discovery_options);
    for (const cli::SourceFile& file : discovery.files) {
      foreground_.waitUntilIdle();
      if (stop_ || generation != generation_) return;
      std::string text;
      if (!readIndexedText(file.path, text)) continue;
      try {
        const std::filesystem::path path = std::filesystem::absolute(file.path).lexically_normal();
        IndexedFile indexed = analyzeForFacts(path, std::move(text), file.compiled_beside);
        if (!indexed.analysis) continue;
        seen.insert(path);
        std::lock_guard lock(mutex_);
        if (generation != generation_) return;
        if (replace) {
          files_[path] = std::move(indexed);
        } else {
          // A save that happened meanwhile is newer than what was read from disk.
          files_.try_emplace(path, std::move(indexed));
        }
      } catch (const std::exception&) {
        // One file the analyzer chokes on must not stop the index.
      }
    }
  }
  if (replace) {
    std::lock_guard lock(mutex_);
    if (generation != generation_) return;
    // Files now excluded, or gone since the last scan.
    std::erase_if(files_, [&](const auto& entry) {
      return !seen.contains(entry.first) &&
             std::any_of(roots.begin(), roots.end(), [&](const std::filesystem::path& root) {
               return isBelow(entry.first, std::filesystem::absolute(root).lexically_normal());
             });
    });
  }
  if (on_ready) on_ready();
}

void WorkspaceIndex::update(const std::filesystem::path& path, const std::string* text) {
  std::string contents;
  if (text != nullptr) {
    contents = *text;  // from the editor, which has decoded it already
  } else if (!readIndexedText(path, contents)) {
    remove(path);
    return;
  }
  IndexedFile indexed = analyzeForFacts(path, std::move(contents), hasExtensionModuleBeside(path));
  if (!indexed.analysis) {
    remove(path);
    return;
  }
  std::lock_guard lock(mutex_);
  files_[path] = std::move(indexed);
}

void WorkspaceIndex::removeRoot(const std::filesystem::path& root) {
  const std::filesystem::path normal = std::filesystem::absolute(root).lexically_normal();
  std::lock_guard lock(mutex_);
  std::erase_if(files_, [&](const auto& entry) { return isBelow(entry.first, normal); });
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
  LintSettings merged = *options.settings;
  std::set<const config::ResolvedSettings*> merged_configurations;
  const config::ResolvedSettings* previous = nullptr;
  for (auto& [indexed_path, indexed] : files_) {
    // The open document's live facts replace what was indexed for it.
    if (path != nullptr && indexed_path == *path) continue;
    analyses.push_back(indexed.analysis.get());
    // Files come sorted by path, so neighbours mostly share a configuration: this runs per edit.
    if (indexed.config.get() == previous) continue;
    previous = indexed.config.get();
    if (merged_configurations.insert(previous).second) {
      config::mergeForProject(merged, previous->lint);
    }
  }
  AnalysisOptions join_options = options;
  join_options.settings = &merged;
  joinProject(analyses, join_options);
  // The join reports findings in every file; only the document's are wanted.
  for (size_t i = 1; i < analyses.size(); ++i) {
    analyses[i]->diagnostics.clear();
    analyses[i]->suppressed_count = 0;
  }
}

}  // namespace heaplint::lsp
