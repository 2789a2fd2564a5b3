// --diff-base REV: the lines changed since a git revision (committed, staged, unstaged and
// untracked changes alike), to report only findings on them.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cli/report.h"

namespace heaplint::cli {

struct ChangedLines {
  // Keyed by absolute, lexically normal path.
  std::map<std::string, std::vector<std::pair<uint32_t, uint32_t>>> ranges;  // 1-based, inclusive
  std::set<std::string> whole_files;  // untracked: every line counts as changed
  bool contains(const std::string& absolute_path, uint32_t row) const;
};

// Runs git in the current directory's repository. On failure returns nullopt and sets `error`
// to one line (not a git repository, unknown revision, git missing).
std::optional<ChangedLines> changedLinesSince(const std::string& revision, std::string& error);

// Parses `git diff --unified=0` output: the new-side line ranges of every file, keyed by the
// path after "+++ b/" (relative to the repository root).
std::map<std::string, std::vector<std::pair<uint32_t, uint32_t>>> parseUnifiedZeroDiff(
    const std::string& diff);

// Keeps only the findings whose first line changed.
void keepChangedLines(std::vector<FileReport>& reports, const ChangedLines& changed);

}  // namespace heaplint::cli
