// The language features, one file each (diagnostics.cpp, code_actions.cpp, hover.cpp). Each turns
// an open document and its analysis into LSP JSON; none of them runs the analyzer's rules itself.
#pragma once

#include "analyzer/analyze.h"
#include "lsp/documents.h"
#include "lsp/protocol.h"
#include "lsp/settings_provider.h"

namespace heaplint::lsp {

struct FeatureContext {
  const Document& document;
  const FileAnalysis& analysis;
  const FileSettings& settings;
  AnalysisOptions options;  // as the analysis was made; for re-running it (fix all)
  PositionEncoding encoding;
};

// diagnostics.cpp
json toLspDiagnostic(const SourceText& source, const Diagnostic& diagnostic,
                     PositionEncoding encoding);
json lspDiagnostics(const FeatureContext& context);

// code_actions.cpp: textDocument/codeAction.
inline constexpr std::string_view kFixAllKind = "source.fixAll.heaplint";
json codeActions(const FeatureContext& context, const json& params);
// The workspace edit applying every safe fix to the document (no edit when there is none).
json fixAllEdit(const FeatureContext& context);

// commands.cpp: workspace/executeCommand's commands.
// heaplint.applyAutofix [{"uri": ...}, ...]: the server asks the client to apply fix all
// (workspace/applyEdit) to each document.
inline constexpr std::string_view kApplyAutofixCommand = "heaplint.applyAutofix";
// heaplint.ruleDocumentation ["MEM101"]: {"code", "name", "url", "markdown"} of a rule.
inline constexpr std::string_view kRuleDocumentationCommand = "heaplint.ruleDocumentation";
json executeCommandOptions();
// The document URIs a heaplint.applyAutofix names.
std::vector<std::string> autofixTargets(const json& arguments);
json ruleDocumentation(RuleTable rules, const json& arguments);

// hover.cpp: textDocument/hover; null when there is nothing to show. Markdown unless the client
// says it only shows plain text.
json hover(const FeatureContext& context, const json& params, bool markdown);

}  // namespace heaplint::lsp
