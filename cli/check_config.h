// `heaplint check` and the configuration files: which settings each file gets, the exclusions
// for the file walk, and --show-settings.
#pragma once

#include <filesystem>
#include <memory>
#include <ostream>
#include <span>
#include <vector>

#include "analyzer/analyze.h"
#include "cli/check_command.h"
#include "cli/file_discovery.h"
#include "config/config_resolver.h"

namespace heaplint::cli {

config::ResolverOptions resolverOptions(const CheckOptions& options);

// The walk's exclusions from the configuration that applies to each directory. `respect-gitignore`
// comes from the configuration of `first_input` (the command line overrides it).
DiscoveryOptions discoveryOptions(config::ConfigResolver& resolver, const CheckOptions& options,
                                  const std::filesystem::path& first_input);

// --force-exclude and a path the configuration excludes (for --stdin-filename: editors name
// the file they send).
bool isForceExcluded(config::ConfigResolver& resolver, const CheckOptions& options,
                     const std::filesystem::path& path);

struct CheckAnalysisOptions {
  // One per file: its configuration's rules and settings, and its module name (from the import
  // roots of config/import_roots.h); its `reported` set drops what per-file-ignores name. Points
  // into the resolver, which must outlive these.
  std::vector<AnalysisOptions> per_file;
  // The project step's: every rule enabled for some file; its settings merge the files'
  // configurations (project rules join facts across them): every `extra-hot-classes` entry, the
  // oldest `target-version`, the rest from the first file's configuration.
  AnalysisOptions project;
  // What `project.settings` points to; shared so that it survives moves of this struct.
  std::shared_ptr<const LintSettings> project_settings;
  // The configurations' warnings, each once.
  std::vector<std::string> warnings;
};

// `paths` as opened (relative to the current directory or absolute); `inputs` the paths given on
// the command line, project roots for files with neither a configuration file nor a git
// repository above them (after the current directory). Throws config::ConfigError.
CheckAnalysisOptions analysisOptionsFor(config::ConfigResolver& resolver,
                                        std::span<const std::filesystem::path> paths,
                                        std::span<const std::string> inputs);

// The project root for `start` (a file or directory): the directory of the configuration file
// that applies to it, else the closest directory above holding `.git`, else the current
// directory. The result cache lives there, as Ruff's does.
std::filesystem::path projectRoot(config::ConfigResolver& resolver,
                                  const std::filesystem::path& start);

// The cache directory for a run whose first input is `start`: --cache-dir, HEAPLINT_CACHE_DIR,
// the configuration's `cache-dir`, else `.heaplint_cache` at the project root.
std::filesystem::path cacheDirectoryFor(config::ConfigResolver& resolver,
                                        const std::optional<std::string>& configured,
                                        const std::filesystem::path& start);

// --show-settings: the configuration file, the rules and every option that `path` gets.
void printSettings(std::ostream& out, const std::filesystem::path& path,
                   const config::ResolvedSettings& settings);

}  // namespace heaplint::cli
