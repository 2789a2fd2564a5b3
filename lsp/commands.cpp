// workspace/executeCommand: the commands an editor's "Fix all" and "Show rule documentation" send
// (the VS Code extension's, for one). The server applies fix all itself through the client
// (workspace/applyEdit), so any client can bind a key to it.
#include <string>
#include <vector>

#include "lsp/features.h"
#include "rules/registry.h"

namespace heaplint::lsp {

json executeCommandOptions() {
  return json{{"commands", json::array({kApplyAutofixCommand, kRuleDocumentationCommand})}};
}

std::vector<std::string> autofixTargets(const json& arguments) {
  if (!arguments.is_array() || arguments.empty()) {
    throw LspError(ErrorCode::InvalidParams,
                   std::string(kApplyAutofixCommand) + " needs a list of {\"uri\": ...} arguments");
  }
  std::vector<std::string> uris;
  for (const json& argument : arguments) {
    // As Ruff's clients send it: {"uri": ..., "version": ...}; a bare URI string is taken too.
    uris.push_back(argument.is_string() ? argument.get<std::string>()
                                        : stringMember(argument, "uri"));
  }
  return uris;
}

json ruleDocumentation(RuleTable rules, const json& arguments) {
  if (!arguments.is_array() || arguments.size() != 1 || !arguments[0].is_string()) {
    throw LspError(ErrorCode::InvalidParams, std::string(kRuleDocumentationCommand) +
                                                 " needs one argument: a rule code or name");
  }
  const std::string& selector = arguments[0].get_ref<const std::string&>();
  const int index = findRule(rules, selector);
  if (index < 0) throw LspError(ErrorCode::InvalidParams, "no rule `" + selector + "`");
  const RuleDefinition& rule = *rules[static_cast<size_t>(index)];
  std::string markdown = "# ";
  markdown += rule.code;
  markdown += " ";
  markdown += rule.name;
  markdown += "\n\n";
  markdown += rule.documentation;
  return json{{"code", rule.code},
              {"name", rule.name},
              {"url", ruleUrl(rule)},
              {"markdown", std::move(markdown)}};
}

}  // namespace heaplint::lsp
