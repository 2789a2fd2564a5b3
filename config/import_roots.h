// The import roots of a file's project: the directories Python imports the project's own modules
// from (its sys.path entries for them), which module names start at (analyzer/project_modules.h).
// The CLI and the language server both ask here, so a file has one name in both.
#pragma once

#include <filesystem>
#include <span>
#include <vector>

#include "config/configuration.h"

namespace heaplint::config {

// With a configuration file, its `src` (by default its directory and `src/` there). Without one,
// the project root and its `src/`: the root of the git repository holding `file`, else the first
// of `fallbacks` that holds it (the CLI passes the current directory and the paths it was given,
// the language server its workspace folders), else the file's own directory. All absolute and
// normalised.
std::vector<std::filesystem::path> importRootsFor(const ResolvedSettings& settings,
                                                  const std::filesystem::path& file,
                                                  std::span<const std::filesystem::path> fallbacks);

}  // namespace heaplint::config
