// .gitignore matching for the file walk. No Debian library matches .gitignore files outside a
// repository object (libgit2 needs an opened repository and its index), so this is a small
// implementation of the documented pattern format: negation, directory-only patterns, anchoring,
// `*`, `?`, `[...]` and `**`.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "analyzer/glob.h"

namespace heaplint::cli {

using heaplint::globMatch;

class GitignoreFile {
 public:
  // Parses the patterns of a .gitignore living in `directory`.
  GitignoreFile(std::filesystem::path directory, std::string_view contents);

  enum class Verdict { NoMatch, Ignored, Included };
  // `relative` is the path relative to this file's directory, with '/' separators.
  Verdict match(std::string_view relative, bool is_directory) const;
  const std::filesystem::path& directory() const { return directory_; }

 private:
  struct Pattern {
    std::string glob;
    bool negated = false;
    bool directory_only = false;
    bool anchored = false;  // contains a slash: matched against the whole relative path
  };
  using Indices = std::vector<uint32_t>;  // into patterns_, ascending
  struct NameHash {                       // looks string_views up without copying them
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>()(text); }
  };
  using Index = std::unordered_map<std::string, Indices, NameHash, std::equal_to<>>;
  // The last pattern among `candidates` that applies, or -1.
  int64_t lastApplicable(const Indices& candidates, bool is_directory) const;

  std::filesystem::path directory_;
  std::vector<Pattern> patterns_;
  // A .gitignore may list thousands of patterns, most of them plain names or paths (`build`,
  // `/docs/_build`) or `*` and a suffix (`*.pyc`): those are looked up, not tried one by one.
  Index by_name_;                       // unanchored, no wildcard
  Index by_path_;                       // anchored, no wildcard
  Index by_suffix_;                     // `*` then a suffix without wildcard
  std::vector<size_t> suffix_lengths_;  // of the by_suffix_ keys, distinct
  Indices others_;                      // every other pattern
};

// The stack of .gitignore files that apply while walking down a directory tree.
class GitignoreStack {
 public:
  // Loads the .gitignore files of `start`'s ancestors up to the repository root (the closest
  // directory holding .git); none when `start` is not inside a repository.
  void loadAncestors(const std::filesystem::path& start);
  // Called when the walk enters `directory`: loads its .gitignore if it has one and the walk is
  // inside a git repository (outside one, git and Ruff ignore .gitignore files too).
  // Returns true when one was pushed (pop it when leaving).
  bool enter(const std::filesystem::path& directory);
  void pop() { files_.pop_back(); }
  size_t depth() const { return files_.size(); }
  void truncate(size_t depth) {
    files_.erase(files_.begin() + static_cast<long>(depth), files_.end());
  }
  bool ignored(const std::filesystem::path& path, bool is_directory) const;

 private:
  std::vector<GitignoreFile> files_;
  bool in_repository_ = false;
};

}  // namespace heaplint::cli
