#include "lsp/notebooks.h"

#include <algorithm>

#include "analyzer/fix.h"
#include "lsp/features.h"

namespace heaplint::lsp {
namespace {

// LSP's NotebookCellKind: 1 is markup, 2 is code.
constexpr int kCodeCell = 2;

int64_t integerMember(const json& object, std::string_view name) {
  const json& value = member(object, name);
  if (!value.is_number_integer()) {
    throw LspError(ErrorCode::InvalidParams, "`" + std::string(name) + "` must be an integer");
  }
  return value.get<int64_t>();
}

bool isCode(const json& cell) {
  return integerMember(cell, "kind") == kCodeCell;
}

// A cell's text after a didChange's content changes, as DocumentStore::change applies them to a
// text document (cells have no syntax trees of their own: the joined text is parsed).
std::shared_ptr<const SourceText> edited(std::shared_ptr<const SourceText> text,
                                         const json& changes, PositionEncoding encoding) {
  if (!changes.is_array()) throw LspError(ErrorCode::InvalidParams, "`changes` must be an array");
  for (const json& change : changes) {
    const std::string new_text = stringMember(change, "text");
    if (!change.contains("range")) {
      text = std::make_shared<const SourceText>(new_text);
      continue;
    }
    const json& range = change["range"];
    uint32_t start = offsetFromLsp(*text, member(range, "start"), encoding);
    uint32_t end = offsetFromLsp(*text, member(range, "end"), encoding);
    if (end < start) std::swap(start, end);
    text = std::make_shared<const SourceText>(text->edited(start, end, new_text));
  }
  return text;
}

}  // namespace

NotebookDocument NotebookDocument::open(const json& params) {
  const json& notebook = member(params, "notebookDocument");
  NotebookDocument document;
  document.uri_ = stringMember(notebook, "uri");
  const json& version = member(notebook, "version");
  document.version_ = version.is_number_integer() ? version.get<int64_t>() : 0;
  std::map<std::string, std::string> texts;
  if (const auto items = params.find("cellTextDocuments");
      items != params.end() && items->is_array()) {
    for (const json& item : *items)
      texts[stringMember(item, "uri")] = stringMember(item, "text");
  }
  const json& cells = member(notebook, "cells");
  if (!cells.is_array()) throw LspError(ErrorCode::InvalidParams, "`cells` must be an array");
  for (const json& cell : cells) {
    const std::string uri = stringMember(cell, "document");
    document.cells_.push_back(
        Cell{uri, isCode(cell), std::make_shared<const SourceText>(texts[uri])});
  }
  document.rejoin();
  return document;
}

std::vector<std::string> NotebookDocument::change(const json& params, PositionEncoding encoding) {
  const json& version = member(member(params, "notebookDocument"), "version");
  const json& event = member(params, "change");
  std::vector<std::string> gone;
  const auto cellAt = [&](const std::string& uri) -> Cell* {
    const auto it = std::find_if(cells_.begin(), cells_.end(),
                                 [&](const Cell& cell) { return cell.uri == uri; });
    return it == cells_.end() ? nullptr : &*it;
  };
  try {
    const auto cells = event.find("cells");
    if (cells != event.end() && cells->is_object()) {
      if (const auto structure = cells->find("structure");
          structure != cells->end() && structure->is_object()) {
        const json& array = member(*structure, "array");
        const int64_t start = integerMember(array, "start");
        const int64_t count = integerMember(array, "deleteCount");
        if (start < 0 || count < 0 || start + count > static_cast<int64_t>(cells_.size())) {
          throw LspError(ErrorCode::InvalidParams, "the cell change is outside the notebook");
        }
        // Moving a cell removes and inserts it without its text: keep the removed cells' text
        // for the cells inserted under the same URI (as Ruff's server does).
        std::map<std::string, std::shared_ptr<const SourceText>> removed;
        const auto first = cells_.begin() + start;
        for (auto it = first; it != first + count; ++it)
          removed[it->uri] = it->text;
        cells_.erase(first, first + count);
        std::vector<Cell> inserted;
        if (const auto added = array.find("cells"); added != array.end() && added->is_array()) {
          for (const json& cell : *added) {
            const std::string uri = stringMember(cell, "document");
            const auto kept = removed.find(uri);
            std::shared_ptr<const SourceText> text;
            if (kept != removed.end()) {
              text = kept->second;
              removed.erase(kept);
            } else {
              text = std::make_shared<const SourceText>(std::string());
            }
            inserted.push_back(Cell{uri, isCode(cell), std::move(text)});
          }
        }
        cells_.insert(cells_.begin() + start, inserted.begin(), inserted.end());
        for (const auto& [uri, text] : removed)
          gone.push_back(uri);
        if (const auto opened = structure->find("didOpen");
            opened != structure->end() && opened->is_array()) {
          for (const json& item : *opened) {
            if (Cell* cell = cellAt(stringMember(item, "uri"))) {
              cell->text = std::make_shared<const SourceText>(stringMember(item, "text"));
            }
          }
        }
      }
      if (const auto data = cells->find("data"); data != cells->end() && data->is_array()) {
        for (const json& changed : *data) {
          if (Cell* cell = cellAt(stringMember(changed, "document")))
            cell->is_code = isCode(changed);
        }
      }
      if (const auto contents = cells->find("textContent");
          contents != cells->end() && contents->is_array()) {
        for (const json& content : *contents) {
          const std::string uri = stringMember(member(content, "document"), "uri");
          if (Cell* cell = cellAt(uri)) {
            cell->text = edited(cell->text, member(content, "changes"), encoding);
          }
        }
      }
    }
  } catch (...) {
    rejoin();  // what was applied stays applied, and the joined text follows it
    throw;
  }
  if (version.is_number_integer()) version_ = version.get<int64_t>();
  rejoin();
  return gone;
}

std::vector<std::string> NotebookDocument::cellUris() const {
  std::vector<std::string> uris;
  uris.reserve(cells_.size());
  for (const Cell& cell : cells_)
    uris.push_back(cell.uri);
  return uris;
}

bool NotebookDocument::hasCell(const std::string& uri) const {
  return std::any_of(cells_.begin(), cells_.end(),
                     [&](const Cell& cell) { return cell.uri == uri; });
}

void NotebookDocument::rejoin() {
  std::vector<cli::Notebook::CellSource> sources;
  sources.reserve(cells_.size());
  for (const Cell& cell : cells_)
    sources.push_back({cell.is_code, std::string(cell.text->text())});
  joined_ = cli::Notebook::fromCells(sources);
}

uint32_t NotebookDocument::cellNumber(const std::string& cell_uri) const {
  const auto it = std::find_if(cells_.begin(), cells_.end(),
                               [&](const Cell& cell) { return cell.uri == cell_uri; });
  return it == cells_.end() ? 0 : static_cast<uint32_t>(it - cells_.begin() + 1);
}

uint32_t NotebookDocument::intoCell(json& position) const {
  const cli::Notebook::CellRow at = joined_.cellRow(position["line"].get<uint32_t>());
  position["line"] = at.row;
  return at.cell;
}

std::optional<json> NotebookDocument::requestInJoined(const std::string& cell_uri,
                                                      json params) const {
  const std::optional<uint32_t> start_row = joined_.startRow(cellNumber(cell_uri));
  if (!start_row) return std::nullopt;
  const auto shift = [&](json& position) {
    const json& line = member(position, "line");
    if (!line.is_number_integer() || line.get<int64_t>() < 0) {
      throw LspError(ErrorCode::InvalidParams, "a position needs non-negative integers");
    }
    position["line"] = line.get<int64_t>() + *start_row;
  };
  const auto shiftRange = [&](json& range) {
    if (!range.is_object()) throw LspError(ErrorCode::InvalidParams, "a range must be an object");
    shift(range["start"]);
    shift(range["end"]);
  };
  params["textDocument"]["uri"] = uri_;
  if (params.contains("position")) shift(params["position"]);
  if (params.contains("range")) shiftRange(params["range"]);
  if (json* context = params.contains("context") ? &params["context"] : nullptr;
      context != nullptr && context->is_object() && context->contains("diagnostics") &&
      (*context)["diagnostics"].is_array()) {
    for (json& diagnostic : (*context)["diagnostics"]) {
      if (diagnostic.is_object() && diagnostic.contains("range")) shiftRange(diagnostic["range"]);
    }
  }
  return params;
}

json NotebookDocument::codeActionsInCell(const std::string& cell_uri, const json& actions,
                                         const std::function<json()>& fix_all) const {
  const uint32_t cell = cellNumber(cell_uri);
  json in_cell = json::array();
  for (json action : actions) {
    if (action.value("kind", "") == kFixAllKind) {
      action["edit"] = fix_all();  // the joined text's edit spans the cells
      in_cell.push_back(std::move(action));
      continue;
    }
    json& changes = action["edit"]["changes"];
    if (!changes.contains(uri_)) continue;
    bool within_cell = true;
    for (json& edit : changes[uri_]) {
      within_cell = within_cell && intoCell(edit["range"]["start"]) == cell &&
                    intoCell(edit["range"]["end"]) == cell;
    }
    if (!within_cell) continue;
    action["edit"]["changes"] = {{cell_uri, std::move(changes[uri_])}};
    if (action.contains("diagnostics")) {
      for (json& diagnostic : action["diagnostics"]) {
        intoCell(diagnostic["range"]["start"]);
        intoCell(diagnostic["range"]["end"]);
      }
    }
    in_cell.push_back(std::move(action));
  }
  return in_cell;
}

json NotebookDocument::hoverInCell(const std::string& cell_uri, json hover) const {
  if (!hover.is_object() || !hover.contains("range")) return hover;
  const uint32_t cell = cellNumber(cell_uri);
  if (intoCell(hover["range"]["start"]) != cell || intoCell(hover["range"]["end"]) != cell) {
    hover.erase("range");
  }
  return hover;
}

json NotebookDocument::fixAllEdit(const AnalysisOptions& options, PositionEncoding encoding) const {
  json changes = json::object();
  AnalysisOptions checked = options;
  checked.verify_fixes = true;  // as fix all in a text document
  std::vector<uint32_t> offsets = joined_.trackedOffsets();
  const FixLoopResult result =
      fixUntilStable(std::make_unique<SourceText>(joined_.python()), checked,
                     /*include_unsafe=*/false, &offsets);
  const std::optional<std::vector<cli::Notebook::ChangedCell>> changed =
      result.fixed > 0 ? joined_.changedCells(result.source->text(), offsets) : std::nullopt;
  for (const cli::Notebook::ChangedCell& change :
       changed.value_or(std::vector<cli::Notebook::ChangedCell>())) {
    const Cell& cell = cells_[change.cell - 1];
    changes[cell.uri] = json::array(
        {{{"range", toLspRange(*cell.text, 0, static_cast<uint32_t>(cell.text->size()), encoding)},
          {"newText", change.code}}});
  }
  return json{{"changes", std::move(changes)}};
}

std::map<std::string, json> NotebookDocument::diagnosticsByCell(const SourceText& joined_source,
                                                                const json& items,
                                                                PositionEncoding encoding) const {
  std::map<std::string, json> by_cell;
  for (const Cell& cell : cells_)
    by_cell[cell.uri] = json::array();
  for (json diagnostic : items) {
    json& range = diagnostic["range"];
    const uint32_t cell = intoCell(range["start"]);
    if (cell == 0 || cell > cells_.size()) continue;
    if (intoCell(range["end"]) != cell) {
      // A finding that runs into the next cell ends where its own cell's code does.
      if (const std::optional<uint32_t> end = joined_.codeEnd(cell)) {
        range["end"] = toLspPosition(joined_source, *end, encoding);
        intoCell(range["end"]);
      } else {
        range["end"] = range["start"];
      }
    }
    json& fix = diagnostic["data"]["fix"];
    if (fix.is_object()) {
      bool within_cell = true;
      for (json& edit : fix["edits"]) {
        within_cell = within_cell && intoCell(edit["range"]["start"]) == cell &&
                      intoCell(edit["range"]["end"]) == cell;
      }
      if (!within_cell) fix = nullptr;
    }
    by_cell[cells_[cell - 1].uri].push_back(std::move(diagnostic));
  }
  return by_cell;
}

}  // namespace heaplint::lsp
