#include "lsp/notebooks.h"

#include <algorithm>

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

std::map<std::string, json> NotebookDocument::diagnosticsByCell(const SourceText& joined_source,
                                                                const json& items,
                                                                PositionEncoding encoding) const {
  std::map<std::string, json> by_cell;
  for (const Cell& cell : cells_)
    by_cell[cell.uri] = json::array();
  // Moves a position of the joined text into its cell; returns the cell's number (1-based).
  const auto intoCell = [&](json& position) {
    const cli::Notebook::CellRow at = joined_.cellRow(position["line"].get<uint32_t>());
    position["line"] = at.row;
    return at.cell;
  };
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
