#include "lsp/documents.h"

#include <vector>

#include "analyzer/fix.h"

namespace heaplint::lsp {

Document& DocumentStore::open(std::string uri, int64_t version, std::string text,
                              PythonParser& parser) {
  Document document;
  document.uri = uri;
  document.path = pathFromUri(uri);
  document.display_path = document.path ? document.path->string() : uri;
  if (document.path) {
    document.module = moduleInfoForPath(*document.path);
    document.module.compiled_beside = hasExtensionModuleBeside(*document.path);
  }
  document.version = version;
  document.source = std::make_unique<SourceText>(std::move(text));
  document.syntax.parse(*document.source, parser);
  auto [it, inserted] = documents_.insert_or_assign(std::move(uri), std::move(document));
  return it->second;
}

Document* DocumentStore::find(const std::string& uri) {
  const auto it = documents_.find(uri);
  return it == documents_.end() ? nullptr : &it->second;
}

void DocumentStore::change(Document& document, int64_t version, const json& content_changes,
                           PositionEncoding encoding, PythonParser& parser) {
  if (!content_changes.is_array()) {
    throw LspError(ErrorCode::InvalidParams, "`contentChanges` must be an array");
  }
  // Catch malformed changes before touching the document.
  for (const json& change : content_changes) {
    if (!member(change, "text").is_string()) {
      throw LspError(ErrorCode::InvalidParams, "a content change needs `text`");
    }
    if (change.contains("range")) {
      const json& range = change["range"];
      member(range, "start");
      member(range, "end");
    }
  }

  std::unique_ptr<SourceText> source = std::move(document.source);
  bool reparse_from_scratch = false;
  try {
    for (const json& change : content_changes) {
      const std::string& text = change["text"].get_ref<const std::string&>();
      if (!change.contains("range")) {
        source = std::make_unique<SourceText>(text);
        reparse_from_scratch = true;
        continue;
      }
      const json& range = change["range"];
      uint32_t start = offsetFromLsp(*source, range["start"], encoding);
      uint32_t end = offsetFromLsp(*source, range["end"], encoding);
      if (end < start) std::swap(start, end);
      // An edit touching the byte-order mark shifts where parsing starts: parse afresh.
      if (source->hasByteOrderMark() && start < 3) reparse_from_scratch = true;
      if (!reparse_from_scratch) document.syntax.edit(*source, start, end, text);
      source = std::make_unique<SourceText>(source->edited(start, end, text));
    }
  } catch (...) {
    // A bad position in a later change: keep what was applied, with a tree that matches it.
    document.source = std::move(source);
    document.syntax.parse(*document.source, parser);
    document.version = version;
    document.analysis.reset();
    throw;
  }
  document.source = std::move(source);
  if (reparse_from_scratch) {
    document.syntax.parse(*document.source, parser);
  } else {
    document.syntax.reparse(*document.source, parser);
  }
  document.version = version;
  document.analysis.reset();
}

}  // namespace heaplint::lsp
