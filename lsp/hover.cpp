// Hover on a rule code inside a `# noqa:` comment shows that rule's documentation.
#include <algorithm>
#include <cctype>

#include "lsp/features.h"
#include "rules/registry.h"

namespace heaplint::lsp {
namespace {

bool isCodeCharacter(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
}

TSNode commentAt(const Document& document, uint32_t offset) {
  // The cursor may sit just after the comment's last character.
  for (const uint32_t at : {offset, offset > 0 ? offset - 1 : offset}) {
    const TSNode node = document.syntax.descendantForByteRange(at, at);
    if (!ts_node_is_null(node) && std::string_view(ts_node_type(node)) == "comment") return node;
  }
  return TSNode{};
}

// True when `code_start` lies in the code list of a `noqa:` (line or file level) in `comment`.
bool inNoqaCodeList(std::string_view comment, size_t code_start) {
  size_t i = code_start;
  while (i > 0 && (isCodeCharacter(comment[i - 1]) || comment[i - 1] == ',' ||
                   comment[i - 1] == ' ' || comment[i - 1] == '\t')) {
    --i;
  }
  if (i == 0 || comment[i - 1] != ':') return false;
  --i;
  while (i > 0 && (comment[i - 1] == ' ' || comment[i - 1] == '\t'))
    --i;
  if (i < 4) return false;
  std::string word(comment.substr(i - 4, 4));
  std::transform(word.begin(), word.end(), word.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return word == "noqa";
}

}  // namespace

json hover(const FeatureContext& context, const json& params, bool markdown) {
  const SourceText& source = *context.document.source;
  if (context.document.syntax.empty()) return nullptr;
  const uint32_t offset = offsetFromLsp(source, member(params, "position"), context.encoding);
  const TSNode comment = commentAt(context.document, offset);
  if (ts_node_is_null(comment)) return nullptr;
  const uint32_t comment_start = ts_node_start_byte(comment);
  const std::string_view text = source.slice(comment_start, ts_node_end_byte(comment));
  size_t at = std::min<size_t>(offset - comment_start, text.size());
  if (at == text.size() || !isCodeCharacter(text[at])) {
    if (at == 0 || !isCodeCharacter(text[at - 1])) return nullptr;
    --at;
  }
  size_t start = at;
  while (start > 0 && isCodeCharacter(text[start - 1]))
    --start;
  size_t end = at;
  while (end < text.size() && isCodeCharacter(text[end]))
    ++end;
  if (!inNoqaCodeList(text, start)) return nullptr;
  const int index = findRule(context.options.rules, text.substr(start, end - start));
  if (index < 0) return nullptr;
  const RuleDefinition& rule = *context.options.rules[static_cast<size_t>(index)];
  std::string shown = markdown ? "# " : "";
  shown += rule.code;
  shown += " ";
  shown += rule.name;
  shown += "\n\n";
  shown += rule.documentation;
  shown += markdown ? "\n\n[Documentation](" + ruleUrl(rule) + ")" : "\n\n" + ruleUrl(rule);
  const auto first = static_cast<uint32_t>(comment_start + start);
  const auto last = static_cast<uint32_t>(comment_start + end);
  return json{
      {"contents", {{"kind", markdown ? "markdown" : "plaintext"}, {"value", std::move(shown)}}},
      {"range", toLspRange(source, first, last, context.encoding)}};
}

}  // namespace heaplint::lsp
