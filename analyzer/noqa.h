// Suppression comments: `# noqa` (every rule on that line), `# noqa: MEM101, unbounded-lru-cache`
// (those rules on that line), and file-level `# heaplint: noqa` / `# heaplint: noqa: MEM101`.
// Codes of other tools (`# noqa: E501`) and unknown codes are ignored: they suppress nothing of ours.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "analyzer/rule.h"

namespace heaplint {

struct NoqaComment {
  enum class Scope : uint8_t { None, Line, File };
  Scope scope = Scope::None;
  bool blanket = false;  // no code list: every rule
  RuleSet rules;
};

// Parses one comment's text (starting with '#').
NoqaComment parseNoqaComment(std::string_view comment, RuleTable rules);

struct NoqaDirectives {
  struct Line {
    uint32_t row;
    bool blanket;
    RuleSet rules;
  };
  std::vector<Line> lines;  // in row order
  bool file_blanket = false;
  RuleSet file_rules;

  void add(uint32_t row, const NoqaComment& comment);
  bool suppresses(uint32_t row, size_t rule_index) const;
};

}  // namespace heaplint
