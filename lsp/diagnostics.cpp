// Diagnostics as LSP sees them: code, link to the rule's documentation, source, severity Warning,
// and the fix (if any) in `data` so that clients can show it without a round trip. That fix is the
// rule's proposal: whether it keeps the file parsing is checked when a code action offers it.
#include "analyzer/rule.h"
#include "lsp/features.h"
#include "rules/registry.h"

namespace heaplint::lsp {
namespace {
constexpr int kSeverityWarning = 2;
}  // namespace

json toLspDiagnostic(const SourceText& source, const Diagnostic& diagnostic,
                     PositionEncoding encoding) {
  json data{{"name", diagnostic.rule->name}, {"fixTitle", diagnostic.fix_title}};
  if (diagnostic.fix) {
    json edits = json::array();
    for (const Edit& edit : diagnostic.fix->edits) {
      edits.push_back({{"range", toLspRange(source, edit.start, edit.end, encoding)},
                       {"newText", edit.replacement}});
    }
    data["fix"] = {
        {"applicability", diagnostic.fix->applicability == Applicability::Safe ? "safe" : "unsafe"},
        {"edits", std::move(edits)}};
  } else {
    data["fix"] = nullptr;
  }
  return json{{"range", toLspRange(source, diagnostic.start, diagnostic.end, encoding)},
              {"severity", kSeverityWarning},
              {"code", diagnostic.rule->code},
              {"codeDescription", {{"href", ruleUrl(*diagnostic.rule)}}},
              {"source", "heaplint"},
              {"message", diagnostic.message},
              {"data", std::move(data)}};
}

json lspDiagnostics(const FeatureContext& context) {
  json items = json::array();
  for (const Diagnostic& diagnostic : context.analysis.diagnostics) {
    items.push_back(toLspDiagnostic(*context.document.source, diagnostic, context.encoding));
  }
  return items;
}

}  // namespace heaplint::lsp
