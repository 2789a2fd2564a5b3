// Path patterns of exclude, extend-exclude and per-file-ignores, written as in .gitignore files
// and relative to the directory of the configuration file that holds them.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace heaplint::config {

// One pattern:
// - without a slash (`build`, `*_pb2.py`), it matches a file or directory name at any depth;
// - with a slash (`src/generated/`, `tests/**/fixtures`), it matches the path from the root;
// - a trailing slash restricts it to directories.
// A directory that matches covers everything below it.
class PathPattern {
 public:
  explicit PathPattern(std::string_view text);

  const std::string& text() const { return text_; }
  // `relative` is a normalised path below the root with '/' separators; checks only the whole
  // path, not its parent directories (a directory walk has checked those already).
  bool matchesEntry(std::string_view relative, bool is_directory) const;
  // Checks the path and each of its parent directories below the root.
  bool matchesPathOrParent(std::string_view relative, bool is_directory) const;

 private:
  std::string text_;  // as written
  std::string glob_;  // without leading "./" or "/" and the trailing slash
  bool anchored_ = false;
  bool directory_only_ = false;
};

// The path of `path` below `root`, with '/' separators; empty when `path` is not below `root`.
// Both must be absolute and normalised.
std::string relativeBelow(const std::filesystem::path& path, const std::filesystem::path& root);

// An absolute path already in normal form: "/a/b", with no empty, "." or ".." part and no
// trailing slash. Discovery makes only such paths; std::filesystem's normalising and relative
// operations, which split a path into parts, can then be plain string operations.
bool isPlainAbsolute(std::string_view text);

}  // namespace heaplint::config
