#include "config/config_resolver.h"

#include <array>
#include <vector>

#include "config/path_patterns.h"

namespace heaplint::config {
namespace fs = std::filesystem;

fs::path absoluteNormal(const fs::path& path) {
  if (isPlainAbsolute(path.native())) return path;
  std::error_code error;
  fs::path absolute = fs::absolute(path, error);
  if (error) absolute = path;
  absolute = absolute.lexically_normal();
  // "dir/" normalises to "dir/" with an empty file name; drop it so parent_path() climbs.
  if (!absolute.has_filename() && absolute.has_relative_path()) absolute = absolute.parent_path();
  return absolute;
}

ConfigResolver::ConfigResolver(ResolverOptions options) : options_(std::move(options)) {
  if (options_.config_file) {
    fixed_ = std::make_unique<ResolvedSettings>(
        loadSettings(absoluteNormal(*options_.config_file), options_.overrides));
  } else if (options_.isolated) {
    fixed_ = std::make_unique<ResolvedSettings>(
        defaultSettings(absoluteNormal(fs::current_path()), options_.overrides));
  }
}

std::optional<fs::path> ConfigResolver::configFileIn(const fs::path& directory) {
  std::error_code error;
  for (const char* name : {".heaplint.toml", "heaplint.toml"}) {
    const fs::path candidate = directory / name;
    if (fs::is_regular_file(candidate, error)) return candidate;
  }
  const fs::path pyproject = directory / "pyproject.toml";
  if (fs::is_regular_file(pyproject, error) && pyprojectHasHeaplintTable(pyproject)) {
    return pyproject;
  }
  return std::nullopt;
}

const ResolvedSettings& ConfigResolver::forFile(const fs::path& file) {
  if (fixed_) return *fixed_;
  return forDirectory(absoluteNormal(file).parent_path());
}

const ResolvedSettings& ConfigResolver::forDirectory(const fs::path& directory) {
  if (fixed_) return *fixed_;
  const fs::path absolute = absoluteNormal(directory);
  const std::lock_guard lock(mutex_);
  return forAbsoluteDirectory(absolute);
}

const ResolvedSettings& ConfigResolver::forAbsoluteDirectory(const fs::path& directory) {
  // Climb until a cached directory or a configuration file, then cache every directory passed.
  std::vector<fs::path> passed;
  const ResolvedSettings* found = nullptr;
  for (fs::path current = directory;; current = current.parent_path()) {
    if (const auto cached = by_directory_.find(current.native()); cached != by_directory_.end()) {
      found = cached->second;
      break;
    }
    passed.push_back(current);
    if (const std::optional<fs::path> file = configFileIn(current)) {
      std::unique_ptr<ResolvedSettings>& slot = by_config_file_[*file];
      if (!slot) slot = std::make_unique<ResolvedSettings>(loadSettings(*file, options_.overrides));
      found = slot.get();
      break;
    }
    if (current == current.parent_path() || current.empty()) {
      // Without a configuration file, paths are relative to the current directory, as in Ruff.
      if (!defaults_) {
        defaults_ = std::make_unique<ResolvedSettings>(
            defaultSettings(absoluteNormal(fs::current_path()), options_.overrides));
      }
      found = defaults_.get();
      break;
    }
  }
  for (const fs::path& path : passed)
    by_directory_[path.native()] = found;
  return *found;
}

}  // namespace heaplint::config
