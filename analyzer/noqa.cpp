#include "analyzer/noqa.h"

#include <algorithm>
#include <cctype>

#include "analyzer/diagnostic.h"

namespace heaplint {
namespace {

// Fixed sentences for malformed directives (NoqaComment::problem).
constexpr std::string_view kMissingColon =
    "`# noqa` followed by codes without a colon silences every rule on the line; write "
    "`# noqa: CODE` to silence only those";
constexpr std::string_view kInvalidSuffix =
    "invalid `# noqa` directive, ignored: expected `:` followed by a comma-separated list of codes "
    "(e.g. `# noqa: MEM101, E501`)";
constexpr std::string_view kMissingCodes =
    "invalid `# noqa` directive, ignored: expected a comma-separated list of codes after the colon "
    "(e.g. `# noqa: MEM101, E501`)";
constexpr std::string_view kEmptyCodeList =
    "`# noqa:` without codes silences every rule on the line; name the codes, or write `# noqa`";
constexpr std::string_view kMissingDelimiter =
    "expected a comma or a space between the codes of a `# noqa` directive";

bool isCodeCharacter(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
}

bool isUpper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

size_t skipSpaces(std::string_view text, size_t i) {
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t'))
    ++i;
  return i;
}

bool startsWithIgnoringCase(std::string_view text, size_t at, std::string_view word) {
  if (at + word.size() > text.size()) return false;
  for (size_t k = 0; k < word.size(); ++k) {
    if (std::tolower(static_cast<unsigned char>(text[at + k])) != word[k]) return false;
  }
  return true;
}

// The word `noqa` at `at`, not followed by more of a word.
bool isNoqaWord(std::string_view text, size_t at) {
  return startsWithIgnoringCase(text, at, "noqa") &&
         (at + 4 == text.size() || !isCodeCharacter(text[at + 4]));
}

// Length of a code `[A-Z]+[0-9]+` at the start of `text`, or 0.
size_t codeLength(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && isUpper(text[i]))
    ++i;
  if (i == 0) return 0;
  const size_t letters = i;
  while (i < text.size() && isDigit(text[i]))
    ++i;
  return i == letters ? 0 : i;
}

// The rule a code names: ours by code or name; with `ruff_codes`, a Ruff code a rule overlaps.
int ruleForCode(std::string_view code, RuleTable rules, bool ruff_codes, bool& ours) {
  const int rule = findRule(rules, code);
  ours = rule >= 0;
  if (rule >= 0 || !ruff_codes) return rule;
  for (size_t i = 0; i < rules.size(); ++i) {
    if (!rules[i]->ruff_code.empty() && rules[i]->ruff_code == code) return static_cast<int>(i);
  }
  return -1;
}

// Splits a word of the code list into codes: a code `[A-Z]+[0-9]+`, several joined without a
// delimiter (`MEM101MEM102`, with a warning), or one of our rule names. Returns false when the
// word is none of these: the list ends there (what follows is a reason).
template <typename Visit>
bool splitCodes(std::string_view word, RuleTable rules, bool& joined, const Visit& visit) {
  size_t length = codeLength(word);
  if (length == 0 || (length < word.size() && !isUpper(word[length]))) {
    if (findRule(rules, word) < 0) return false;
    visit(word);
    return true;
  }
  size_t parts = 0;
  for (std::string_view rest = word; !rest.empty(); rest.remove_prefix(length)) {
    length = codeLength(rest);
    if (length == 0) return parts > 0;  // `MEM101MEMx`: what lexed so far stays
    visit(rest.substr(0, length));
    ++parts;
  }
  joined = parts > 1;
  return true;
}

// Lexes the code list after `noqa` (at `i`, just past the word). Returns where the directive
// ends.
template <typename Visit>
size_t lexCodeList(std::string_view text, size_t i, RuleTable rules, NoqaComment& out,
                   const Visit& visit) {
  const size_t word_end = i;
  const size_t after = skipSpaces(text, i);
  if (after >= text.size() || text[after] != ':') {
    out.blanket = true;
    // `# noqa MEM101`: a blanket noqa (as in Ruff and flake8) that looks like a code list.
    if (after > word_end && after < text.size()) {
      const size_t end = text.find_first_of(" \t,#", after);
      bool joined = false;
      if (splitCodes(
              text.substr(after, end == std::string_view::npos ? text.size() - after : end - after),
              rules, joined, [](std::string_view) {})) {
        out.problem = kMissingColon;
      }
    } else if (after == word_end && after < text.size() && text[after] != '#') {
      out.problem = kInvalidSuffix;  // `# noqa;MEM101`
      out.scope = NoqaComment::Scope::None;
    }
    return word_end;
  }
  i = after + 1;
  size_t end = i;
  bool any_code = false;
  while (true) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == ','))
      ++i;
    const size_t start = i;
    while (i < text.size() && isCodeCharacter(text[i]))
      ++i;
    if (i == start) break;
    bool joined = false;
    if (!splitCodes(text.substr(start, i - start), rules, joined, visit)) break;
    if (joined) out.problem = kMissingDelimiter;
    any_code = true;
    end = i;
  }
  if (!any_code) {
    const size_t rest = skipSpaces(text, end);
    if (rest < text.size() && text[rest] != '#') {
      out.problem = kMissingCodes;  // `# noqa: unused-import`: as in Ruff, no directive
      out.scope = NoqaComment::Scope::None;
      return end;
    }
    // `# noqa:` alone has always read as a blanket noqa here.
    out.blanket = true;
    out.problem = kEmptyCodeList;
  }
  return end;
}

}  // namespace

NoqaComment parseNoqaComment(std::string_view comment, RuleTable rules, bool ruff_codes) {
  NoqaComment result;
  const auto addRule = [&](std::string_view code) {
    bool ours = false;
    const int rule = ruleForCode(code, rules, ruff_codes, ours);
    if (rule >= 0) result.rules.set(static_cast<size_t>(rule));
  };
  for (size_t hash = comment.find('#'); hash != std::string_view::npos;
       hash = comment.find('#', hash + 1)) {
    size_t i = skipSpaces(comment, hash + 1);
    if (startsWithIgnoringCase(comment, i, "heaplint")) {
      i = skipSpaces(comment, i + 8);
      if (i < comment.size() && comment[i] == ':') {
        i = skipSpaces(comment, i + 1);
        if (isNoqaWord(comment, i)) {
          result.scope = NoqaComment::Scope::File;
          result.start = static_cast<uint32_t>(hash);
          result.end = static_cast<uint32_t>(lexCodeList(comment, i + 4, rules, result, addRule));
          if (result.scope == NoqaComment::Scope::None) result.rules.reset();
          return result;
        }
      }
      continue;
    }
    if (startsWithIgnoringCase(comment, i, "noqa")) {
      result.scope = NoqaComment::Scope::Line;
      result.start = static_cast<uint32_t>(hash);
      if (!isNoqaWord(comment, i)) {
        // `#noqaMEM101`, `# noqa123`: Ruff's invalid suffix.
        result.scope = NoqaComment::Scope::None;
        result.problem = kInvalidSuffix;
        return result;
      }
      result.end = static_cast<uint32_t>(lexCodeList(comment, i + 4, rules, result, addRule));
      if (result.scope == NoqaComment::Scope::None) result.rules.reset();
      return result;
    }
  }
  return result;
}

bool mentionsNoqa(std::string_view text) {
  // From the rare `q` (each case searched with memchr) rather than the common `n`.
  for (const char q : {'q', 'Q'}) {
    for (size_t at = text.find(q, 2); at != std::string_view::npos; at = text.find(q, at + 1)) {
      if (startsWithIgnoringCase(text, at - 2, "noqa")) return true;
    }
  }
  return false;
}

std::vector<NoqaCode> noqaCodes(std::string_view directive, RuleTable rules) {
  std::vector<NoqaCode> codes;
  // `# noqa: ...` or `# heaplint: noqa: ...`: the list follows the word noqa.
  size_t at = 0;
  while (at + 4 <= directive.size() && !isNoqaWord(directive, at))
    ++at;
  NoqaComment ignored;
  lexCodeList(directive, at + 4, rules, ignored, [&](std::string_view code) {
    codes.push_back(NoqaCode{code, findRule(rules, code)});
  });
  return codes;
}

void NoqaDirectives::add(uint32_t row, const NoqaComment& parsed, uint32_t comment_start,
                         std::string_view text) {
  NoqaComment comment = parsed;
  if (comment.scope == NoqaComment::Scope::File && !text.empty()) {
    // A file-level directive must stand on a line of its own, as in Ruff: a trailing one reads
    // as a line's noqa gone wrong, and silencing the whole file for it would hide findings.
    size_t line_start = comment_start;
    while (line_start > 0 && text[line_start - 1] != '\n' && text[line_start - 1] != '\r') {
      --line_start;
    }
    const std::string_view before = text.substr(line_start, comment_start - line_start);
    if (before.find_first_not_of(" \t\f") != std::string_view::npos) {
      comment.scope = NoqaComment::Scope::None;
      comment.problem = kFileLevelNotOnItsOwnLine;
    }
  }
  if (!comment.problem.empty()) {
    problems.push_back(Problem{comment_start + comment.start, comment.problem});
  }
  if (comment.scope == NoqaComment::Scope::None) return;
  Line line;
  line.row = row;
  line.blanket = comment.blanket;
  line.rules = comment.rules;
  if (!comment.blanket && !text.empty()) {
    line.start = comment_start + comment.start;
    line.end = comment_start + comment.end;
    line.text = std::string(text.substr(line.start, line.end - line.start));
    // What follows the code list up to the end of the line: a reason goes with the directive,
    // another comment (`# noqa: MEM101  # type: ignore`) stays.
    size_t line_end = text.find_first_of("\r\n", line.end);
    if (line_end == std::string_view::npos) line_end = text.size();
    const std::string_view after = text.substr(line.end, line_end - line.end);
    const size_t next = after.find('#');
    if (next != std::string_view::npos) {
      line.remove_start = line.start;
      line.remove_end = line.end + static_cast<uint32_t>(next);
    } else {
      size_t start = line.start;
      while (start > 0 && (text[start - 1] == ' ' || text[start - 1] == '\t'))
        --start;
      line.remove_start = static_cast<uint32_t>(start);
      line.remove_end = static_cast<uint32_t>(line_end);
      // A directive alone on its line goes with the line.
      if (start == 0 || text[start - 1] == '\n' || text[start - 1] == '\r') {
        if (line_end < text.size() && text[line_end] == '\r') ++line_end;
        if (line_end < text.size() && text[line_end] == '\n') ++line_end;
        line.remove_end = static_cast<uint32_t>(line_end);
      }
    }
  }
  if (comment.scope == NoqaComment::Scope::File) {
    file_blanket = file_blanket || comment.blanket;
    file_rules |= comment.rules;
    if (!comment.blanket) file_lines.push_back(std::move(line));
  } else if (comment.scope == NoqaComment::Scope::Line) {
    lines.push_back(std::move(line));
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

bool NoqaDirectives::suppress(uint32_t row, size_t rule_index, bool in_join) {
  const auto mark = [&](Line& line) {
    (in_join ? line.used_in_join : line.used_in_file).set(rule_index);
  };
  if (file_blanket || file_rules.test(rule_index)) {
    for (Line& line : file_lines) {
      if (line.rules.test(rule_index)) mark(line);
    }
    return true;
  }
  const auto it = std::lower_bound(lines.begin(), lines.end(), row,
                                   [](const Line& line, uint32_t r) { return line.row < r; });
  for (auto line = it; line != lines.end() && line->row == row; ++line) {
    if (line->blanket || line->rules.test(rule_index)) {
      if (!line->blanket) mark(*line);
      return true;
    }
  }
  return false;
}

void NoqaDirectives::clearJoinUsage() {
  for (Line& line : lines)
    line.used_in_join.reset();
  for (Line& line : file_lines)
    line.used_in_join.reset();
}

void NoqaDirectives::shift(Line& line, int64_t bytes, int64_t rows) {
  line.row = shiftedOffset(line.row, rows);
  if (line.text.empty()) return;
  line.start = shiftedOffset(line.start, bytes);
  line.end = shiftedOffset(line.end, bytes);
  line.remove_start = shiftedOffset(line.remove_start, bytes);
  line.remove_end = shiftedOffset(line.remove_end, bytes);
}

}  // namespace heaplint
