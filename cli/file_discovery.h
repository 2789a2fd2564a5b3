// Finds the files to lint: explicit files always, directories recursively (*.py, *.pyi), skipping
// the usual virtualenv/build/cache folders and what .gitignore files ignore.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace heaplint::cli {

struct SourceFile {
  std::filesystem::path path;  // as opened
  std::string display;         // relative to the current directory where possible
};

struct DiscoveryOptions {
  bool respect_gitignore = true;
};

struct Discovery {
  std::vector<SourceFile> files;  // sorted by display path, no duplicates
  std::vector<std::string> errors;  // one line each
};

Discovery discoverFiles(const std::vector<std::string>& inputs, const DiscoveryOptions& options);

// The path shown to the user: relative to the current directory when below it.
std::string displayPath(const std::filesystem::path& path);

}  // namespace heaplint::cli
