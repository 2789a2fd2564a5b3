#include "analyzer/noqa.h"

#include <algorithm>
#include <cctype>

namespace heaplint {
namespace {

bool isCodeCharacter(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
}

size_t skipSpaces(std::string_view text, size_t i) {
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  return i;
}

bool startsWithIgnoringCase(std::string_view text, size_t at, std::string_view word) {
  if (at + word.size() > text.size()) return false;
  for (size_t k = 0; k < word.size(); ++k) {
    if (std::tolower(static_cast<unsigned char>(text[at + k])) != word[k]) return false;
  }
  return true;
}

// Parses what follows the word "noqa": either nothing (blanket) or ": CODE, CODE ...".
void parseCodeList(std::string_view text, size_t i, RuleTable rules, NoqaComment& out) {
  i = skipSpaces(text, i);
  if (i >= text.size() || text[i] != ':') {
    out.blanket = true;
    return;
  }
  ++i;
  bool any_code = false;
  while (true) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == ',')) ++i;
    const size_t start = i;
    while (i < text.size() && isCodeCharacter(text[i])) ++i;
    if (i == start) break;
    any_code = true;
    const int rule = findRule(rules, text.substr(start, i - start));
    if (rule >= 0) out.rules.set(static_cast<size_t>(rule));
  }
  // "# noqa:" with nothing after it reads as a blanket noqa, as in Ruff.
  if (!any_code) out.blanket = true;
}

}  // namespace

NoqaComment parseNoqaComment(std::string_view comment, RuleTable rules) {
  NoqaComment result;
  for (size_t hash = comment.find('#'); hash != std::string_view::npos;
       hash = comment.find('#', hash + 1)) {
    size_t i = skipSpaces(comment, hash + 1);
    if (startsWithIgnoringCase(comment, i, "heaplint")) {
      i = skipSpaces(comment, i + 8);
      if (i < comment.size() && comment[i] == ':') {
        i = skipSpaces(comment, i + 1);
        if (startsWithIgnoringCase(comment, i, "noqa") &&
            (i + 4 == comment.size() || !isCodeCharacter(comment[i + 4]))) {
          result.scope = NoqaComment::Scope::File;
          parseCodeList(comment, i + 4, rules, result);
          return result;
        }
      }
      continue;
    }
    if (startsWithIgnoringCase(comment, i, "noqa") &&
        (i + 4 == comment.size() || !isCodeCharacter(comment[i + 4]))) {
      result.scope = NoqaComment::Scope::Line;
      parseCodeList(comment, i + 4, rules, result);
      return result;
    }
  }
  return result;
}

void NoqaDirectives::add(uint32_t row, const NoqaComment& comment) {
  if (comment.scope == NoqaComment::Scope::File) {
    file_blanket = file_blanket || comment.blanket;
    file_rules |= comment.rules;
  } else if (comment.scope == NoqaComment::Scope::Line) {
    lines.push_back(Line{row, comment.blanket, comment.rules});
  }
}

bool NoqaDirectives::suppresses(uint32_t row, size_t rule_index) const {
  if (file_blanket || file_rules.test(rule_index)) return true;
  const auto it = std::lower_bound(lines.begin(), lines.end(), row,
                                   [](const Line& line, uint32_t r) { return line.row < r; });
  for (auto line = it; line != lines.end() && line->row == row; ++line) {
    if (line->blanket || line->rules.test(rule_index)) return true;
  }
  return false;
}

}  // namespace heaplint
