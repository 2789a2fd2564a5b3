// Code actions: per diagnostic, its quick fix (unsafe ones only when the client allows) and
// "Disable CODE for this line"; for the file, source.fixAll.heaplint applying every safe fix.
#include <algorithm>
#include <cctype>
#include <optional>

#include "analyzer/fix.h"
#include "lsp/features.h"

namespace heaplint::lsp {
namespace {

bool kindWanted(const json& only, std::string_view kind) {
  if (!only.is_array()) return true;
  for (const json& wanted : only) {
    if (!wanted.is_string()) continue;
    const std::string& prefix = wanted.get_ref<const std::string&>();
    if (kind == prefix ||
        (kind.starts_with(prefix) && kind.size() > prefix.size() && kind[prefix.size()] == '.')) {
      return true;
    }
  }
  return false;
}

json textEdit(const SourceText& source, uint32_t start, uint32_t end, std::string_view text,
              PositionEncoding encoding) {
  return json{{"range", toLspRange(source, start, end, encoding)}, {"newText", text}};
}

json workspaceEdit(const std::string& uri, json edits) {
  return json{{"changes", {{uri, std::move(edits)}}}};
}

bool isCodeCharacter(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
}

// The comment ending the line, found through the tree so that a '#' inside a string is not taken
// for one. Returns its byte range.
std::optional<std::pair<uint32_t, uint32_t>> trailingComment(const Document& document,
                                                             uint32_t row) {
  const SourceText& source = *document.source;
  const uint32_t start = source.lineStart(row);
  uint32_t end = source.lineEnd(row);
  while (end > start && (source.text()[end - 1] == ' ' || source.text()[end - 1] == '\t'))
    --end;
  if (end == start || document.syntax.empty()) return std::nullopt;
  const TSNode node = document.syntax.descendantForByteRange(end - 1, end);
  if (ts_node_is_null(node) || std::string_view(ts_node_type(node)) != "comment" ||
      ts_node_end_byte(node) != end) {
    return std::nullopt;
  }
  return std::make_pair(ts_node_start_byte(node), end);
}

// Where a line's `# noqa: A, B` list ends, so that a code can be appended to it. Nullopt when the
// comment has no such list (no noqa, or a file-level `# heaplint: noqa`).
std::optional<size_t> endOfNoqaCodes(std::string_view comment) {
  std::string lower(comment);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (size_t at = lower.find("noqa"); at != std::string::npos; at = lower.find("noqa", at + 1)) {
    const size_t before = lower.find_last_not_of(" \t", at == 0 ? 0 : at - 1);
    if (at == 0 || before == std::string::npos || lower[before] != '#') continue;
    size_t i = at + 4;
    while (i < lower.size() && (lower[i] == ' ' || lower[i] == '\t'))
      ++i;
    if (i >= lower.size() || lower[i] != ':') return std::nullopt;  // blanket: nothing to extend
    ++i;
    size_t last_code_end = std::string::npos;
    while (true) {
      while (i < lower.size() && (lower[i] == ' ' || lower[i] == '\t' || lower[i] == ','))
        ++i;
      const size_t code_start = i;
      while (i < lower.size() && isCodeCharacter(lower[i]))
        ++i;
      if (i == code_start) break;
      last_code_end = i;
    }
    if (last_code_end == std::string::npos) return std::nullopt;
    return last_code_end;
  }
  return std::nullopt;
}

// None for a line that cannot hold the comment, as `--add-noqa` skips them: one that ends in a
// backslash continuation (a comment after it is a syntax error, and on the next line it would not
// apply to this one), or whose end is inside a triple-quoted string (it would join the string).
std::optional<json> noqaAction(const FeatureContext& context, const Diagnostic& diagnostic,
                               const json& lsp) {
  const SourceText& source = *context.document.source;
  const uint32_t row = source.rowOf(diagnostic.start);
  const std::string code(diagnostic.rule->code);
  json edit;
  const uint32_t line_end = source.lineEnd(row);
  if (!context.document.syntax.empty() &&
      insideString(context.document.syntax.descendantForByteRange(line_end, line_end), line_end)) {
    return std::nullopt;
  }
  const auto comment = trailingComment(context.document, row);
  std::optional<size_t> extend_at;
  if (comment) extend_at = endOfNoqaCodes(source.slice(comment->first, comment->second));
  if (extend_at) {
    const uint32_t at = comment->first + static_cast<uint32_t>(*extend_at);
    edit = textEdit(source, at, at, ", " + code, context.encoding);
  } else {
    uint32_t end = line_end;
    while (end > source.lineStart(row) &&
           (source.text()[end - 1] == ' ' || source.text()[end - 1] == '\t')) {
      --end;
    }
    if (!comment && end > source.lineStart(row) && source.text()[end - 1] == '\\') {
      return std::nullopt;
    }
    edit = textEdit(source, end, end, "  # noqa: " + code, context.encoding);
  }
  return json{{"title", "Disable " + code + " for this line"},
              {"kind", "quickfix"},
              {"diagnostics", json::array({lsp})},
              {"edit", workspaceEdit(context.document.uri, json::array({std::move(edit)}))}};
}

json quickFixAction(const FeatureContext& context, const Diagnostic& diagnostic, const json& lsp) {
  const SourceText& source = *context.document.source;
  json edits = json::array();
  for (const Edit& edit : diagnostic.fix->edits) {
    edits.push_back(textEdit(source, edit.start, edit.end, edit.replacement, context.encoding));
  }
  const bool safe = diagnostic.fix->applicability == Applicability::Safe;
  std::string title = diagnostic.fix_title.empty() ? "Fix " + std::string(diagnostic.rule->code)
                                                   : diagnostic.fix_title;
  if (!safe) title += " (unsafe)";
  return json{{"title", std::move(title)},
              {"kind", "quickfix"},
              {"diagnostics", json::array({lsp})},
              {"isPreferred", safe},
              {"edit", workspaceEdit(context.document.uri, std::move(edits))}};
}

bool continuationByte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0u) == 0x80u;
}

// One edit replacing only what differs between the two texts, on character boundaries.
json minimalEdit(const SourceText& source, std::string_view after, PositionEncoding encoding) {
  const std::string_view before = source.text();
  size_t prefix = 0;
  const size_t shorter = std::min(before.size(), after.size());
  while (prefix < shorter && before[prefix] == after[prefix])
    ++prefix;
  while (prefix > 0 && prefix < before.size() && continuationByte(before[prefix]))
    --prefix;
  size_t suffix = 0;
  while (suffix < shorter - prefix &&
         before[before.size() - 1 - suffix] == after[after.size() - 1 - suffix]) {
    ++suffix;
  }
  while (suffix > 0 && continuationByte(before[before.size() - suffix]))
    --suffix;
  const auto start = static_cast<uint32_t>(prefix);
  const auto end = static_cast<uint32_t>(before.size() - suffix);
  return textEdit(source, start, end, after.substr(prefix, after.size() - suffix - prefix),
                  encoding);
}

std::optional<json> fixAllAction(const FeatureContext& context, bool offer_when_empty) {
  json edit = fixAllEdit(context);
  if (edit["changes"][context.document.uri].empty() && !offer_when_empty) return std::nullopt;
  return json{{"title", "heaplint: Fix all auto-fixable problems"},
              {"kind", kFixAllKind},
              {"edit", std::move(edit)}};
}

}  // namespace

json fixAllEdit(const FeatureContext& context) {
  const bool any_safe_fix = std::any_of(
      context.analysis.diagnostics.begin(), context.analysis.diagnostics.end(),
      [](const Diagnostic& d) { return d.fix && d.fix->applicability == Applicability::Safe; });
  json edits = json::array();
  if (any_safe_fix) {
    // The same loop as `heaplint check --fix`: fixes may enable further fixes, and each round's
    // fixes are checked to keep the code parsing.
    const SourceText& source = *context.document.source;
    AnalysisOptions options = context.options;
    options.verify_fixes = true;
    FixLoopResult result = fixUntilStable(std::make_unique<SourceText>(std::string(source.text())),
                                          options, /*include_unsafe=*/false);
    if (result.fixed > 0)
      edits.push_back(minimalEdit(source, result.source->text(), context.encoding));
  }
  return workspaceEdit(context.document.uri, std::move(edits));
}

json codeActions(const FeatureContext& context, const json& params) {
  const SourceText& source = *context.document.source;
  const json& range = member(params, "range");
  uint32_t start = offsetFromLsp(source, member(range, "start"), context.encoding);
  uint32_t end = offsetFromLsp(source, member(range, "end"), context.encoding);
  if (end < start) std::swap(start, end);
  json only;
  // Clients send the diagnostics under the cursor; their ranges count as well as the request's.
  std::vector<std::pair<uint32_t, uint32_t>> ranges{{start, end}};
  if (const auto it = params.find("context"); it != params.end() && it->is_object()) {
    if (const auto found = it->find("only"); found != it->end()) only = *found;
    if (const auto found = it->find("diagnostics"); found != it->end() && found->is_array()) {
      for (const json& diagnostic : *found) {
        const auto where = diagnostic.find("range");
        if (!diagnostic.is_object() || where == diagnostic.end()) continue;
        uint32_t first = offsetFromLsp(source, member(*where, "start"), context.encoding);
        uint32_t last = offsetFromLsp(source, member(*where, "end"), context.encoding);
        ranges.emplace_back(std::min(first, last), std::max(first, last));
      }
    }
  }
  const auto touches = [&](const Diagnostic& diagnostic) {
    return std::any_of(ranges.begin(), ranges.end(), [&](const auto& span) {
      return diagnostic.start <= span.second && diagnostic.end >= span.first;
    });
  };

  json actions = json::array();
  if (kindWanted(only, "quickfix")) {
    for (const Diagnostic& diagnostic : context.analysis.diagnostics) {
      if (!touches(diagnostic)) continue;
      const json lsp = toLspDiagnostic(source, diagnostic, context.encoding);
      if (diagnostic.fix &&
          (diagnostic.fix->applicability == Applicability::Safe || context.settings.unsafe_fixes) &&
          context.document.syntax.fixKeepsSyntaxValid(PythonParser::forThisThread(), source,
                                                      *diagnostic.fix)) {
        actions.push_back(quickFixAction(context, diagnostic, lsp));
      }
      if (std::optional<json> action = noqaAction(context, diagnostic, lsp)) {
        actions.push_back(std::move(*action));
      }
    }
  }
  if (kindWanted(only, kFixAllKind)) {
    // Asked for by kind (e.g. on save): always answer, even with nothing to change.
    if (auto action = fixAllAction(context, /*offer_when_empty=*/only.is_array())) {
      actions.push_back(std::move(*action));
    }
  }
  return actions;
}

}  // namespace heaplint::lsp
