#include "config/import_roots.h"

#include <algorithm>
#include <optional>
#include <system_error>

#include "config/config_resolver.h"

namespace heaplint::config {
namespace fs = std::filesystem;

namespace {

// The closest directory from `directory` up that holds `.git` (a folder, or a file in worktrees
// and submodules).
std::optional<fs::path> gitRoot(fs::path directory) {
  std::error_code error;
  for (;; directory = directory.parent_path()) {
    if (fs::exists(directory / ".git", error)) return directory;
    if (directory == directory.parent_path() || directory.empty()) return std::nullopt;
  }
}

}  // namespace

FallbackRoots::FallbackRoots(std::span<const fs::path> directories) {
  directories_.reserve(directories.size());
  for (const fs::path& directory : directories) {
    directories_.push_back(absoluteNormal(directory));
    position_.try_emplace(directories_.back().native(), directories_.size() - 1);
  }
}

std::optional<fs::path> FallbackRoots::firstHolding(const fs::path& file) const {
  // A normalised path's parents are exactly the directories it is below (relativeBelow).
  size_t first = directories_.size();
  for (fs::path directory = file.parent_path(); !directory.empty();
       directory = directory.parent_path()) {
    const auto found = position_.find(directory.native());
    if (found != position_.end()) first = std::min(first, found->second);
    if (directory == directory.parent_path()) break;
  }
  if (first == directories_.size()) return std::nullopt;
  return directories_[first];
}

std::vector<fs::path> importRootsFor(const ResolvedSettings& settings, const fs::path& file,
                                     const FallbackRoots& fallbacks) {
  if (!settings.config_file.empty()) return settings.src;
  const fs::path absolute = absoluteNormal(file);
  std::optional<fs::path> root = gitRoot(absolute.parent_path());
  if (!root) root = fallbacks.firstHolding(absolute);
  if (!root) root = absolute.parent_path();
  return {*root, *root / "src"};
}

std::vector<fs::path> importRootsFor(const ResolvedSettings& settings, const fs::path& file,
                                     std::span<const fs::path> fallbacks) {
  return importRootsFor(settings, file, FallbackRoots(fallbacks));
}

}  // namespace heaplint::config
