// Finds the files to lint: explicit files always, directories recursively (*.py, *.pyi), skipping
// the usual virtualenv/build/cache folders and what .gitignore files ignore.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace heaplint::cli {

struct SourceFile {
  // As opened. A string, not a std::filesystem::path: a path keeps a list of its components
  // too, about 150 bytes a file that a run holds for every file until its end.
  std::string path;
  std::string display;  // relative to the current directory where possible
  // A compiled module of the same name sits beside it (ModuleInfo::compiled_beside).
  bool compiled_beside = false;
};

struct DiscoveryOptions {
  bool respect_gitignore = true;
  // From the configuration (exclude, extend-exclude) when set, replacing the built-in list of
  // skipped directories. `path` is absolute; `whole_path` asks to check its parent directories
  // too (a file named on the command line, which no walk has checked).
  std::function<bool(const std::filesystem::path& path, bool is_directory, bool whole_path)>
      is_excluded = nullptr;
  // From the configuration (include, extend-include): whether a walk lints a file (absolute).
  // Unset: *.py, *.pyi and *.ipynb.
  std::function<bool(const std::filesystem::path& path)> is_included = nullptr;
  // --force-exclude: files named on the command line are excluded like the others.
  bool force_exclude = false;
};

struct Discovery {
  std::vector<SourceFile> files;    // sorted by display path, no duplicates
  std::vector<std::string> errors;  // one line each
};

Discovery discoverFiles(const std::vector<std::string>& inputs, const DiscoveryOptions& options);

// The path shown to the user: relative to the current directory when below it.
std::string displayPath(const std::filesystem::path& path);

}  // namespace heaplint::cli
