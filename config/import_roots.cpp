#include "config/import_roots.h"

#include <optional>
#include <system_error>

#include "config/config_resolver.h"
#include "config/path_patterns.h"

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

bool holds(const fs::path& directory, const fs::path& file) {
  return !relativeBelow(file, directory).empty();
}

}  // namespace

std::vector<fs::path> importRootsFor(const ResolvedSettings& settings, const fs::path& file,
                                     std::span<const fs::path> fallbacks) {
  if (!settings.config_file.empty()) return settings.src;
  const fs::path absolute = absoluteNormal(file);
  std::optional<fs::path> root = gitRoot(absolute.parent_path());
  for (auto it = fallbacks.begin(); !root && it != fallbacks.end(); ++it) {
    const fs::path fallback = absoluteNormal(*it);
    if (holds(fallback, absolute)) root = fallback;
  }
  if (!root) root = absolute.parent_path();
  return {*root, *root / "src"};
}

}  // namespace heaplint::config
