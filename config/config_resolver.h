// Finds the configuration that applies to a file: the closest directory above it holding
// .heaplint.toml, heaplint.toml, or a pyproject.toml with a [tool.heaplint] table (in that order
// within one directory), unless --config names one file for everything or --isolated ignores
// them all. Nested configurations do not merge: the closest one wins.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "config/configuration.h"

namespace heaplint::config {

struct ResolverOptions {
  std::optional<std::filesystem::path> config_file;  // --config: this file for every path
  bool isolated = false;                             // --isolated: no configuration files
  SettingsOverrides overrides;                       // the command line, over every file
};

// Thread-safe; results are cached per directory and stay valid as long as the resolver.
class ConfigResolver {
 public:
  // Loads the --config file at once. Throws ConfigError.
  explicit ConfigResolver(ResolverOptions options);

  // The settings for a file (relative paths are taken from the current directory). Throws
  // ConfigError when the configuration that applies is invalid.
  const ResolvedSettings& forFile(const std::filesystem::path& file);
  // The settings for the files in `directory`.
  const ResolvedSettings& forDirectory(const std::filesystem::path& directory);

  // The configuration file that `directory` itself holds, if any (no parents searched).
  static std::optional<std::filesystem::path> configFileIn(const std::filesystem::path& directory);

 private:
  const ResolvedSettings& forAbsoluteDirectory(const std::filesystem::path& directory);

  ResolverOptions options_;
  std::mutex mutex_;
  std::unique_ptr<ResolvedSettings> fixed_;     // --config or --isolated
  std::unique_ptr<ResolvedSettings> defaults_;  // no configuration file above
  std::map<std::filesystem::path, std::unique_ptr<ResolvedSettings>> by_config_file_;
  // By the directory's absolute, normalised path as a string: asked for every folder and file
  // that discovery lists, where std::filesystem::path's ordering compares part by part.
  std::unordered_map<std::string, const ResolvedSettings*> by_directory_;
};

std::filesystem::path absoluteNormal(const std::filesystem::path& path);

}  // namespace heaplint::config
