#include "analyzer/unused_noqa.h"

#include <optional>
#include <string>
#include <vector>

namespace heaplint {
namespace {

std::string quotedList(const std::vector<std::string_view>& codes) {
  std::string out;
  for (const std::string_view code : codes) {
    if (!out.empty()) out += ", ";
    out += '`';
    out += code;
    out += '`';
  }
  return out;
}

// One directive's finding, if any of our codes in it is unused, not enabled or repeated.
std::optional<Diagnostic> unusedCodes(const NoqaDirectives::Line& line, bool file_level,
                                      RuleTable rules, size_t unused_noqa, const RuleSet& active) {
  std::vector<std::string_view> kept;
  std::vector<std::string_view> unmatched;
  std::vector<std::string_view> disabled;
  std::vector<std::string_view> duplicated;
  RuleSet seen;
  const RuleSet used = line.used_in_file | line.used_in_join;
  for (const NoqaCode& code : noqaCodes(line.text, rules)) {
    if (code.rule < 0) {
      kept.push_back(code.text);  // another tool's code: not ours to judge
      continue;
    }
    const auto rule = static_cast<size_t>(code.rule);
    if (rule == unused_noqa) return std::nullopt;  // `# noqa: HL100` keeps the directive as it is
    if (seen.test(rule)) {
      duplicated.push_back(code.text);
      continue;
    }
    seen.set(rule);
    if (used.test(rule)) {
      kept.push_back(code.text);
    } else if (active.test(rule)) {
      unmatched.push_back(code.text);
    } else {
      disabled.push_back(code.text);
    }
  }
  if (unmatched.empty() && disabled.empty() && duplicated.empty()) return std::nullopt;

  std::string reasons;
  const auto add = [&](std::string_view label, const std::vector<std::string_view>& codes) {
    if (codes.empty()) return;
    if (!reasons.empty()) reasons += "; ";
    reasons += std::string(label) + ": " + quotedList(codes);
  };
  add("unused", unmatched);
  add("non-enabled", disabled);
  add("duplicated", duplicated);

  Diagnostic diagnostic;
  diagnostic.rule = rules[unused_noqa];
  diagnostic.start = line.start;
  diagnostic.end = line.end;
  diagnostic.message = "Unused `noqa` directive (" + reasons + ")";
  diagnostic.fix_title = "Remove unused `noqa` directive";
  Edit edit;
  if (kept.empty()) {
    edit = Edit{line.remove_start, line.remove_end, ""};
  } else {
    std::string replacement = file_level ? "# heaplint: noqa: " : "# noqa: ";
    for (size_t i = 0; i < kept.size(); ++i) {
      if (i > 0) replacement += ", ";
      replacement += kept[i];
    }
    edit = Edit{line.start, line.end, std::move(replacement)};
  }
  diagnostic.fix = Fix{Applicability::Safe, {std::move(edit)}};
  return diagnostic;
}

}  // namespace

bool reportUnusedNoqa(FileAnalysis& file, RuleTable rules, size_t unused_noqa) {
  const RuleSet active = file.enabled & file.reported;
  // In a file that does not parse, rules see only part of it: a directive may look unused.
  if (!active.test(unused_noqa) || file.has_syntax_error) return false;
  NoqaDirectives& noqa = file.noqa;
  if (noqa.file_blanket || noqa.file_rules.test(unused_noqa)) return false;
  bool added = false;
  const auto check = [&](const NoqaDirectives::Line& line, bool file_level) {
    if (line.text.empty()) return;
    std::optional<Diagnostic> diagnostic =
        unusedCodes(line, file_level, rules, unused_noqa, active);
    if (!diagnostic) return;
    // A blanket `# noqa` on the same line silences HL100 too.
    if (!file_level && noqa.suppresses(line.row, unused_noqa)) {
      ++file.suppressed_count;
      return;
    }
    file.diagnostics.push_back(std::move(*diagnostic));
    added = true;
  };
  for (const NoqaDirectives::Line& line : noqa.file_lines)
    check(line, true);
  for (const NoqaDirectives::Line& line : noqa.lines)
    check(line, false);
  return added;
}

}  // namespace heaplint
