// The import roots of a file's project: the directories Python imports the project's own modules
// from (its sys.path entries for them), which module names start at (analyzer/project_modules.h).
// The CLI and the language server both ask here, so a file has one name in both.
#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/configuration.h"

namespace heaplint::config {

// Directories tried in order for a file outside any git repository: the first that holds it.
// The CLI asks for every folder of a run, and gives one directory for every path it was given
// (pre-commit passes each changed file): a file's ancestors are looked up, not each directory
// tried in turn, which grew with folders times paths.
class FallbackRoots {
 public:
  explicit FallbackRoots(std::span<const std::filesystem::path> directories);
  // The first of the directories that holds `file` (absolute and normalised), below it.
  std::optional<std::filesystem::path> firstHolding(const std::filesystem::path& file) const;

 private:
  std::vector<std::filesystem::path> directories_;    // absolute and normalised, as given
  std::unordered_map<std::string, size_t> position_;  // a directory's first place among them
};

// With a configuration file, its `src` (by default its directory and `src/` there). Without one,
// the project root and its `src/`: the root of the git repository holding `file`, else the first
// of `fallbacks` that holds it (the CLI passes the current directory and the paths it was given,
// the language server its workspace folders), else the file's own directory. All absolute and
// normalised.
std::vector<std::filesystem::path> importRootsFor(const ResolvedSettings& settings,
                                                  const std::filesystem::path& file,
                                                  const FallbackRoots& fallbacks);
std::vector<std::filesystem::path> importRootsFor(const ResolvedSettings& settings,
                                                  const std::filesystem::path& file,
                                                  std::span<const std::filesystem::path> fallbacks);

}  // namespace heaplint::config
