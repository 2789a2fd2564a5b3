#include "cli/file_discovery.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>
#include <unordered_map>

#include "analyzer/project.h"
#include "cli/gitignore.h"
#include "config/path_patterns.h"

namespace heaplint::cli {
namespace fs = std::filesystem;
namespace {

constexpr std::array<std::string_view, 22> kExcludedDirectories = {
    ".bzr",        ".direnv",      ".eggs",          ".git",          ".hg",      ".heaplint_cache",
    ".mypy_cache", ".nox",         ".pytest_cache",  ".ruff_cache",   ".svn",     ".tox",
    ".venv",       "__pycache__",  "__pypackages__", "_build",        "buck-out", "build",
    "dist",        "node_modules", "venv",           "site-packages",
};

bool isExcludedDirectory(std::string_view name) {
  return std::find(kExcludedDirectories.begin(), kExcludedDirectories.end(), name) !=
         kExcludedDirectories.end();
}

bool isPythonFile(const fs::path& path) {
  const std::string extension = path.extension().string();
  // Jupyter notebooks are linted cell by cell, on by default as in Ruff.
  return extension == ".py" || extension == ".pyi" || extension == ".ipynb";
}

std::string describe(const std::error_code& error) {
  return error.message();
}

}  // namespace

std::string displayPath(const fs::path& path) {
  std::error_code error;
  static const fs::path cwd = fs::current_path(error);
  // What discovery lists is plain (config::isPlainAbsolute): the part below the current
  // directory, or all of it, is found in the text, not by splitting both paths into parts.
  if (config::isPlainAbsolute(path.native()) && config::isPlainAbsolute(cwd.native()) &&
      path.native() != cwd.native()) {
    std::string below = config::relativeBelow(path, cwd);
    return below.empty() ? path.native() : below;
  }
  fs::path normal = path.lexically_normal();
  if (normal.is_absolute() && !cwd.empty()) {
    const fs::path relative = normal.lexically_relative(cwd);
    const std::string& text = relative.native();
    if (!relative.empty() && text != ".." && !text.starts_with("../")) normal = relative;
  }
  // (GCC 12 warns falsely on assigning a literal here, so return it directly.)
  if (normal.empty()) return std::string(1, '.');
  return normal.generic_string();
}

namespace {

// The extension modules (`*.so`, `*.pyd`) of the directories of files named on the command line,
// each directory listed once: pre-commit names every file it checks, and listing a file's whole
// directory for each of them grew with the square of a directory's size.
class ExtensionModulesBeside {
 public:
  bool of(const fs::path& source) {
    fs::path directory = source.parent_path();
    if (directory.empty()) directory = ".";
    auto [it, added] = by_directory_.try_emplace(directory.native());
    if (added) {
      std::error_code error;
      for (fs::directory_iterator entry(directory, error), end; !error && entry != end;
           entry.increment(error)) {
        std::string name = entry->path().filename().string();
        if (name.ends_with(".so") || name.ends_with(".pyd")) it->second.push_back(std::move(name));
      }
    }
    const std::string stem = source.stem().string();
    return std::any_of(it->second.begin(), it->second.end(),
                       [&](const std::string& name) { return isExtensionModuleFor(name, stem); });
  }

 private:
  std::unordered_map<std::string, std::vector<std::string>> by_directory_;
};

}  // namespace

Discovery discoverFiles(const std::vector<std::string>& inputs, const DiscoveryOptions& options) {
  Discovery result;
  ExtensionModulesBeside extension_modules_beside;
  for (const std::string& input : inputs) {
    std::error_code error;
    const fs::path path(input);
    const fs::file_status status = fs::status(path, error);
    if (error || !fs::exists(status)) {
      result.errors.push_back(input + ": " +
                              (error ? describe(error) : std::string("No such file or directory")));
      continue;
    }
    if (!fs::is_directory(status)) {
      // A file named explicitly is linted, unless --force-exclude applies the exclusions to it.
      if (options.force_exclude && options.is_excluded &&
          options.is_excluded(fs::absolute(path, error).lexically_normal(), false, true)) {
        continue;
      }
      result.files.push_back(
          SourceFile{path.string(), displayPath(path), extension_modules_beside.of(path)});
      continue;
    }
    const fs::path root = fs::absolute(path, error).lexically_normal();
    GitignoreStack gitignore;
    if (options.respect_gitignore) gitignore.loadAncestors(root / "x");

    struct Pending {
      fs::path directory;
      fs::path shown;  // the same directory as the user named it
    };
    // Depth-first; each directory restores the gitignore stack of its parent before adding its own.
    struct Entry {
      Pending pending;
      size_t gitignore_depth;
    };
    std::vector<Entry> work{{Pending{root, path}, gitignore.depth()}};
    while (!work.empty()) {
      Entry entry = std::move(work.back());
      work.pop_back();
      gitignore.truncate(entry.gitignore_depth);
      if (options.respect_gitignore) gitignore.enter(entry.pending.directory);
      const size_t depth_here = gitignore.depth();
      fs::directory_iterator it(entry.pending.directory, error);
      if (error) {
        result.errors.push_back(entry.pending.shown.generic_string() + ": " + describe(error));
        continue;
      }
      const size_t first_file = result.files.size();
      std::vector<std::string> extension_modules;  // `*.so` and `*.pyd` of this directory
      for (; it != fs::directory_iterator(); it.increment(error)) {
        if (error) break;
        const fs::directory_entry& child = *it;
        const std::string name = child.path().filename().string();
        if (name.ends_with(".so") || name.ends_with(".pyd")) extension_modules.push_back(name);
        std::error_code type_error;
        // Symbolic links to directories are not followed (no cycles); links to files are.
        const bool is_directory = child.is_directory(type_error) && !child.is_symlink(type_error);
        if (is_directory) {
          if (options.is_excluded ? options.is_excluded(child.path(), true, false)
                                  : isExcludedDirectory(name)) {
            continue;
          }
          if (options.respect_gitignore && gitignore.ignored(child.path(), true)) continue;
          work.push_back(Entry{Pending{child.path(), entry.pending.shown / name}, depth_here});
        } else if (options.is_included ? options.is_included(child.path())
                                       : isPythonFile(child.path())) {
          if (!child.is_regular_file(type_error)) continue;
          if (options.is_excluded && options.is_excluded(child.path(), false, false)) continue;
          if (options.respect_gitignore && gitignore.ignored(child.path(), false)) continue;
          const fs::path shown = entry.pending.shown / name;
          result.files.push_back(SourceFile{shown.string(), displayPath(shown)});
        }
      }
      if (error) {
        result.errors.push_back(entry.pending.shown.generic_string() + ": " + describe(error));
      }
      // mypyc and Cython leave the compiled module beside its source.
      for (size_t i = first_file; i < result.files.size() && !extension_modules.empty(); ++i) {
        const std::string stem = fs::path(result.files[i].path).stem().string();
        result.files[i].compiled_beside =
            std::any_of(extension_modules.begin(), extension_modules.end(),
                        [&](const std::string& name) { return isExtensionModuleFor(name, stem); });
      }
    }
  }
  std::sort(result.files.begin(), result.files.end(),
            [](const SourceFile& a, const SourceFile& b) { return a.display < b.display; });
  result.files.erase(
      std::unique(result.files.begin(), result.files.end(),
                  [](const SourceFile& a, const SourceFile& b) { return a.display == b.display; }),
      result.files.end());
  return result;
}

}  // namespace heaplint::cli
