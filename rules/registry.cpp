#include "rules/registry.h"

#include <array>
#include <string>

namespace heaplint {

#define HEAPLINT_RULE(definition) extern const RuleDefinition definition;
#include "rules/rules.def"
#undef HEAPLINT_RULE

namespace {
constexpr std::array kRules = {
#define HEAPLINT_RULE(definition) &(definition),
#include "rules/rules.def"
#undef HEAPLINT_RULE
};
}  // namespace

RuleTable allRules() {
  return RuleTable(kRules.data(), kRules.size());
}

std::string ruleUrl(const RuleDefinition& rule) {
  // docs/rules/ holds every rule's documentation as `heaplint rule CODE` prints it.
  std::string url = "https://github.com/heaplint/heaplint/blob/main/docs/rules/";
  url += rule.code;
  url += ".md";
  return url;
}

std::string_view documentationSection(const RuleDefinition& rule, std::string_view heading) {
  const std::string_view doc = rule.documentation;
  std::string marker = "## ";
  marker += heading;
  marker += '\n';
  const size_t start = doc.find(marker);
  if (start == std::string_view::npos) return {};
  const size_t body = start + marker.size();
  const size_t next = doc.find("\n## ", body);
  return doc.substr(body,
                    next == std::string_view::npos ? std::string_view::npos : next - body + 1);
}

}  // namespace heaplint
