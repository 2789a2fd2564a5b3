// The result cache: each file's own findings, noqa comments and project-rule facts, keyed by the
// heaplint version, the settings that change analysis and the file's content. A warm run reads
// and hashes every file but parses none that are unchanged; the project join (cross-file rules)
// runs on every run over cached and fresh facts alike, so cross-file findings stay right when
// only some files change.
//
// Layout: <project root>/.heaplint_cache/CACHEDIR.TAG, .gitignore (`*`), and one file per version
// and settings fingerprint: <version>/<fingerprint>.bin holding every file's entry.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "analyzer/analyze.h"
#include "cli/report.h"

namespace heaplint::cli {

// What analysis depends on besides the file: the registry, the enabled rules, every
// LintSettings field and the analysis switches. Two runs with equal fingerprints analyse a given
// text identically.
std::string settingsFingerprint(const AnalysisOptions& options);

// A fast 128-bit hash of a file's bytes (not cryptographic; collisions need intent).
std::string contentHash(std::string_view contents);

class ResultCache {
 public:
  // Opens (or starts) the cache for these settings under `cache_directory`. Never fails: a
  // missing or corrupt cache is an empty one.
  ResultCache(std::filesystem::path cache_directory, const AnalysisOptions& options,
              size_t file_count);

  // What a file's text says about the project rules (FileDemand in analyze.h), kept with its
  // entry so that a warm run need not scan the text again. `waiting`: the file was read and not
  // analysed (no join needed it); its entry holds nothing else.
  struct Demand {
    RuleSet project_running;
    RuleSet project_reporting;
    bool looked = false;  // the fields above were found (a run with project facts on demand)
    bool own = false;     // its own findings need the parse (FileDemand::own), or its warnings
    bool waiting = false;
  };

  // Fills `report`, `analysis` and `demand` from the cache if file `index` is unchanged and was
  // looked at with the same `file_options` (its configuration file's rules and settings);
  // remembers its content hash for record(). For a file that waited, fills `demand` alone (with
  // `waiting` set). Thread-safe across distinct indices.
  bool restore(size_t index, const std::filesystem::path& path, const ModuleInfo& module,
               const AnalysisOptions& file_options, std::string_view contents, FileReport& report,
               FileAnalysis& analysis, Demand& demand);
  // Stores a fresh result (the file's own findings, before the project join).
  void record(size_t index, const FileReport& report, const FileAnalysis& analysis,
              const Demand& demand);
  // Stores that the file was read and not analysed (after restore() found no entry for it).
  void recordWaiting(size_t index, const Demand& demand);

  // Writes the cache back if anything changed. Failures are ignored: the cache is an
  // optimisation, and a read-only tree must still lint. With HEAPLINT_CACHE_STATS=1 in the
  // environment, prints how many files were reused and analysed (for tests and benchmarks).
  void save();

 private:
  // A new entry for file `index` (its header and `demand`), or none when restore() did not see it.
  std::optional<std::string> startEntry(size_t index, Demand demand, bool waiting);

  struct Slot {
    std::string key;                   // absolute path
    std::string header;                // display path, module and content hash, as stored
    std::optional<std::string> fresh;  // a new entry from record() or recordWaiting()
    bool waited = false;               // `fresh` is recordWaiting()'s
  };
  std::filesystem::path directory_;
  std::filesystem::path file_;
  const AnalysisOptions& options_;
  std::unordered_map<std::string, std::string> entries_;  // absolute path -> entry bytes
  std::vector<Slot> slots_;
  std::atomic<size_t> reused_{0};
  std::string loaded_;  // the cache file's bytes; entries_ views point into it
  bool dirty_ = false;
};

// Removes a cache directory (`heaplint clean`). Returns false and sets `error` on failure.
bool removeCache(const std::filesystem::path& cache_directory, std::string& error);

// The cache directory for a run: --cache-dir / HEAPLINT_CACHE_DIR, else `default_directory` (the
// configuration's `cache-dir`, else .heaplint_cache at the project root: see check_config.h).
std::filesystem::path cacheDirectory(const std::optional<std::string>& configured,
                                     const std::filesystem::path& default_directory);

}  // namespace heaplint::cli
