#include "analyzer/rule.h"

#include <cctype>

namespace heaplint {
namespace {
bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}
}  // namespace

int findRule(RuleTable rules, std::string_view token) {
  for (size_t i = 0; i < rules.size(); ++i) {
    if (equalsIgnoringCase(rules[i]->code, token) || equalsIgnoringCase(rules[i]->name, token)) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

bool selectRules(RuleTable rules, std::string_view selector, RuleSet& out) {
  if (equalsIgnoringCase(selector, "ALL")) {
    for (size_t i = 0; i < rules.size(); ++i)
      out.set(i);
    return !rules.empty();
  }
  bool matched = false;
  for (size_t i = 0; i < rules.size(); ++i) {
    const std::string_view code = rules[i]->code;
    const bool prefix = selector.size() >= 3 && selector.size() <= code.size() &&
                        equalsIgnoringCase(code.substr(0, selector.size()), selector);
    if (prefix || equalsIgnoringCase(rules[i]->name, selector)) {
      out.set(i);
      matched = true;
    }
  }
  return matched;
}

}  // namespace heaplint

namespace heaplint {

RuleSelection resolveRuleSelection(RuleTable rules, const std::vector<std::string>* select,
                                   const std::vector<std::string>& extend_select,
                                   const std::vector<std::string>& ignore, bool preview) {
  RuleSet preview_rules;
  for (size_t i = 0; i < rules.size(); ++i) {
    if (rules[i]->preview) preview_rules.set(i);
  }
  RuleSelection out;
  const auto add = [&](const std::string& selector) {
    RuleSet selected;
    selectRules(rules, selector, selected);
    if (!preview) {
      if (selected.any() && (selected & ~preview_rules).none()) {
        out.ignored_preview.push_back(selector);
      }
      selected &= ~preview_rules;
    }
    out.enabled |= selected;
  };
  if (select != nullptr) {
    for (const std::string& selector : *select)
      add(selector);
  } else {
    add("ALL");
    out.ignored_preview.clear();  // the default selection names no rule
  }
  for (const std::string& selector : extend_select)
    add(selector);
  for (const std::string& selector : ignore) {
    RuleSet ignored;
    selectRules(rules, selector, ignored);
    out.enabled &= ~ignored;
  }
  return out;
}

}  // namespace heaplint
