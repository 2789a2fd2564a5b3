// Suppression comments: `# noqa` (every rule on that line), `# noqa: MEM101, unbounded-lru-cache`
// (those rules on that line), and file-level `# heaplint: noqa` / `# heaplint: noqa: MEM101` on a
// line of their own. Codes of other tools (`# noqa: E501`) and unknown codes suppress nothing of
// ours, except the Ruff codes of rules that overlap ours (`# noqa: C419` silences MEM101 too)
// while that setting is on. What each directive silenced is recorded for HL100 (unused-noqa).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/rule.h"

namespace heaplint {

// The code of the rule that the noqa machinery reports: `# noqa: MEM101` that silences nothing.
inline constexpr std::string_view kUnusedNoqaCode = "HL100";

struct NoqaComment {
  enum class Scope : uint8_t { None, Line, File };
  Scope scope = Scope::None;
  bool blanket = false;  // no code list: every rule
  RuleSet rules;
  // The directive within the comment text: from its '#' to the end of its code list (of the word
  // `noqa` for a blanket one).
  uint32_t start = 0;
  uint32_t end = 0;
  // Why the comment is malformed (a fixed sentence), or empty. A malformed comment may still be
  // a directive: `# noqa MEM101` silences every rule on its line, as in Ruff and flake8.
  std::string_view problem;
};

// Parses one comment's text (starting with '#'). With `ruff_codes`, the Ruff codes that rules
// declare as overlapping (RuleDefinition::ruff_code) silence those rules too.
NoqaComment parseNoqaComment(std::string_view comment, RuleTable rules, bool ruff_codes = true);

// The codes of a directive (its text from '#' to the end of its code list) as written, in order,
// each with the rule of ours it names by code or name (-1: another tool's code, or unknown).
struct NoqaCode {
  std::string_view text;
  int rule = -1;
};
std::vector<NoqaCode> noqaCodes(std::string_view directive, RuleTable rules);

// Whether `text` holds the letters `noqa` in any case: a file without them has no directive.
bool mentionsNoqa(std::string_view text);

// The problem of a file-level directive that shares its line with code.
inline constexpr std::string_view kFileLevelNotOnItsOwnLine =
    "a file-level `# heaplint: noqa` must stand on a line of its own; this one is ignored (for "
    "this line only, write `# noqa`)";

struct NoqaDirectives {
  struct Line {
    uint32_t row = 0;
    bool blanket = false;
    RuleSet rules;
    // For HL100, directives with a code list only: the directive's bytes in the file, what goes
    // when none of its codes is kept (with the spaces before it, or its whole line), the text
    // as written, and which of `rules` silenced a finding, in the file's own pass and in the
    // last project join.
    uint32_t start = 0;
    uint32_t end = 0;
    uint32_t remove_start = 0;
    uint32_t remove_end = 0;
    std::string text;
    RuleSet used_in_file;
    RuleSet used_in_join;
  };
  std::vector<Line> lines;  // in row order
  bool file_blanket = false;
  RuleSet file_rules;
  std::vector<Line> file_lines;  // file-level directives with codes, for HL100
  // Malformed comments, for warnings: the offset of the comment's directive and why.
  struct Problem {
    uint32_t offset = 0;
    std::string_view message;  // a fixed sentence
  };
  std::vector<Problem> problems;

  // `comment_start`: the comment's offset in the file; `text`: the whole file (to check that a
  // file-level directive stands alone on its line, and for HL100's removal range).
  void add(uint32_t row, const NoqaComment& comment, uint32_t comment_start = 0,
           std::string_view text = {});
  bool suppresses(uint32_t row, size_t rule_index) const;
  // The same, recording the use in the directive that suppressed (for HL100).
  bool suppress(uint32_t row, size_t rule_index, bool in_join);
  void clearJoinUsage();
  // Moves a line's offsets and row (analysis in runs: an edit above moved its run).
  static void shift(Line& line, int64_t bytes, int64_t rows);
};

}  // namespace heaplint
