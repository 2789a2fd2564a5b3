#include "lsp/documents.h"

#include <algorithm>
#include <vector>

#include "analyzer/fix.h"
#include "cli/file_io.h"

namespace heaplint::lsp {

Document& DocumentStore::open(std::string uri, int64_t version, std::string text,
                              PythonParser& parser, HelperThreads* helpers) {
  Document document;
  document.uri = uri;
  document.path = pathFromUri(uri);
  document.display_path = document.path ? document.path->string() : uri;
  // mypyc and Cython leave the compiled module beside its source (ModuleInfo::compiled_beside).
  if (document.path) document.compiled_beside = hasExtensionModuleBeside(*document.path);
  document.version = version;
  document.source = std::make_unique<SourceText>(std::move(text));
  document.too_large = cli::isOverSizeLimitFromEnvironment(document.source->size());
  if (!document.too_large) document.syntax.parse(*document.source, parser, helpers);
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
  // A document that was too large has no trees to edit.
  bool reparse_from_scratch = document.too_large || document.parse_afresh_pending;
  try {
    for (const json& change : content_changes) {
      const std::string& text = change["text"].get_ref<const std::string&>();
      if (!change.contains("range")) {
        source = std::make_unique<SourceText>(text);
        reparse_from_scratch = true;
        document.joined_findings.clear();
        document.has_joined_findings = false;
        document.carried_findings.clear();
        document.has_carried_findings = false;
        continue;
      }
      const json& range = change["range"];
      uint32_t start = offsetFromLsp(*source, range["start"], encoding);
      uint32_t end = offsetFromLsp(*source, range["end"], encoding);
      if (end < start) std::swap(start, end);
      // An edit touching the byte-order mark shifts where parsing starts: parse afresh.
      if (source->hasByteOrderMark() && start < 3) reparse_from_scratch = true;
      if (!reparse_from_scratch) document.syntax.edit(*source, start, end, text);
      const auto inserted = static_cast<uint32_t>(text.size());
      carryThrough(document.joined_findings, start, end, inserted);
      carryThrough(document.carried_findings, start, end, inserted);
      // The edits since the last parse, in the text after this one.
      auto span = std::make_pair(start, start + inserted);
      if (document.unparsed_edits) {
        const int64_t delta = static_cast<int64_t>(inserted) - (end - start);
        const auto moved = [&](uint32_t offset) -> uint32_t {
          if (offset >= end) return shiftedOffset(offset, delta);
          return offset > start ? start + inserted : offset;
        };
        span.first = std::min(span.first, moved(document.unparsed_edits->first));
        span.second = std::max(span.second, moved(document.unparsed_edits->second));
      }
      document.unparsed_edits = span;
      source = std::make_unique<SourceText>(source->edited(start, end, text));
    }
  } catch (...) {
    // A bad position in a later change: keep what was applied, with a tree that matches it.
    document.source = std::move(source);
    parseAfresh(document, parser);
    document.unparsed_edits.reset();
    document.parse_pending = false;
    document.parse_afresh_pending = false;
    document.version = version;
    document.analysis.reset();
    document.joined_findings.clear();
    document.has_joined_findings = false;
    throw;
  }
  document.source = std::move(source);
  // Parsed when next needed (ensureParsed): a burst of edits costs one re-parse, not one each,
  // which matters most when the text is mostly syntax errors (tree-sitter's error recovery).
  document.parse_pending = true;
  document.parse_afresh_pending =
      reparse_from_scratch || cli::isOverSizeLimitFromEnvironment(document.source->size());
  document.version = version;
  document.analysis.reset();
}

void carryThrough(std::vector<Diagnostic>& findings, uint32_t start, uint32_t end,
                  uint32_t inserted) {
  const int64_t delta = static_cast<int64_t>(inserted) - static_cast<int64_t>(end - start);
  // A fix moves with the text after the edit; one the edit touches is dropped.
  const auto carry_fix = [&](Diagnostic& finding) {
    if (!finding.fix) return;
    for (Edit& edit : finding.fix->edits) {
      if (edit.start < end && start < edit.end) {
        finding.fix.reset();
        return;
      }
    }
    for (Edit& edit : finding.fix->edits) {
      if (edit.start >= end) {
        edit.start = shiftedOffset(edit.start, delta);
        edit.end = shiftedOffset(edit.end, delta);
      }
    }
  };
  std::erase_if(findings, [&](Diagnostic& finding) {
    if (finding.end <= start) {  // before the edit
      carry_fix(finding);
      return false;
    }
    if (finding.start >= end) {  // after it
      carry_fix(finding);
      finding.start = shiftedOffset(finding.start, delta);
      finding.end = shiftedOffset(finding.end, delta);
      return false;
    }
    if (finding.start <= start && end <= finding.end) {  // inside it: the finding stretches
      finding.end = shiftedOffset(finding.end, delta);
      finding.fix.reset();
      return false;
    }
    return true;  // across one of its ends
  });
}

void DocumentStore::ensureParsed(Document& document, PythonParser& parser, HelperThreads* helpers) {
  if (!document.parse_pending) return;
  if (document.parse_afresh_pending) {
    parseAfresh(document, parser, helpers);
  } else {
    document.syntax.reparse(*document.source, parser);
  }
  document.unparsed_edits.reset();
  document.parse_pending = false;
  document.parse_afresh_pending = false;
}

void DocumentStore::parseAfresh(Document& document, PythonParser& parser, HelperThreads* helpers) {
  document.too_large = cli::isOverSizeLimitFromEnvironment(document.source->size());
  if (document.too_large) {
    document.syntax = ChunkedTree();
    document.incremental.clear();
  } else {
    document.syntax.parse(*document.source, parser, helpers);
  }
}

}  // namespace heaplint::lsp
