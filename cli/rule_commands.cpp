#include "cli/rule_commands.h"

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/check_command.h"
#include "cli/version.h"
#include "rules/registry.h"

namespace heaplint::cli {
namespace {
std::string_view fixText(FixAvailability availability) {
  switch (availability) {
    case FixAvailability::Always:
      return "always";
    case FixAvailability::Sometimes:
      return "sometimes";
    case FixAvailability::None:
      break;
  }
  return "none";
}

nlohmann::json ruleJson(const RuleDefinition& rule) {
  return {{"code", rule.code},
          {"name", rule.name},
          {"summary", rule.summary},
          {"fix", fixText(rule.fix_availability)},
          {"preview", rule.preview},
          {"url", ruleUrl(rule)},
          {"explanation", rule.documentation}};
}

void printRule(const RuleDefinition& rule) {
  std::cout << "# " << rule.name << " (" << rule.code << ")\n\n"
            << rule.summary << ".\n\nFix: " << fixText(rule.fix_availability) << ".\n\n"
            << rule.documentation;
  if (!rule.documentation.ends_with('\n')) std::cout << '\n';
}

}  // namespace

int runRule(const std::string& selector, bool json) {
  const RuleTable rules = allRules();
  const int index = findRule(rules, selector);
  if (index < 0) {
    std::cerr << "heaplint: error: unknown rule `" << selector << "` (see `heaplint rules`)\n";
    return kExitError;
  }
  const RuleDefinition& rule = *rules[static_cast<size_t>(index)];
  if (json) {
    std::cout << ruleJson(rule).dump(2) << '\n';
  } else {
    printRule(rule);
  }
  return kExitClean;
}

int runAllRules(bool json) {
  if (json) return runRules(true);
  bool first = true;
  for (const RuleDefinition* rule : allRules()) {
    if (!first) std::cout << '\n';
    first = false;
    printRule(*rule);
  }
  return kExitClean;
}

int runRules(bool json) {
  const RuleTable rules = allRules();
  if (json) {
    nlohmann::json list = nlohmann::json::array();
    for (const RuleDefinition* rule : rules)
      list.push_back(ruleJson(*rule));
    std::cout << list.dump(2) << '\n';
    return kExitClean;
  }
  size_t name_width = 4;
  for (const RuleDefinition* rule : rules)
    name_width = std::max(name_width, rule->name.size());
  for (const RuleDefinition* rule : rules) {
    std::cout << rule->code << "  " << rule->name
              << std::string(name_width - rule->name.size(), ' ') << "  "
              << (rule->fix_availability == FixAvailability::None ? "   " : "[*]") << "  "
              << (rule->preview ? "(preview) " : "") << rule->summary << '\n';
  }
  return kExitClean;
}

int runVersion(bool json) {
  if (json) {
    std::cout << nlohmann::json{{"version", heaplintVersion()}}.dump(2) << '\n';
  } else {
    std::cout << "heaplint " << heaplintVersion() << '\n';
  }
  return kExitClean;
}

}  // namespace heaplint::cli
