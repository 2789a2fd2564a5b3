// Notebook documents (LSP 3.17 notebookDocument/didOpen, didChange, didClose), kept as Ruff's
// server keeps them: each cell is a small text document that the client edits on its own, and the
// server checks the code cells joined into one module, as `heaplint check nb.ipynb` does
// (cli/notebook.h masks the IPython syntax and maps rows back to cells). Findings are published
// on each cell's URI, with positions within the cell.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/source_text.h"
#include "cli/notebook.h"
#include "lsp/protocol.h"

namespace heaplint::lsp {

class NotebookDocument {
 public:
  // From notebookDocument/didOpen's params. Throws LspError(InvalidParams) when malformed.
  static NotebookDocument open(const json& params);
  // Applies notebookDocument/didChange's params: structure first (cells added, removed, moved),
  // then cell kinds, then the cells' text edits. Returns the URIs of the cells that are gone,
  // whose diagnostics the client should drop. Throws LspError(InvalidParams) when malformed;
  // the changes before the malformed part stay applied.
  std::vector<std::string> change(const json& params, PositionEncoding encoding);

  const std::string& uri() const { return uri_; }
  int64_t version() const { return version_; }
  // The code cells joined, with the map from its rows to cells: what the server analyses.
  const cli::Notebook& joined() const { return joined_; }
  std::vector<std::string> cellUris() const;
  bool hasCell(const std::string& uri) const;

  // The diagnostics of the joined text (LSP JSON, positions in `joined_source`), sorted out by
  // cell: every cell's URI is a key, so that cells whose findings went away get an empty list.
  // A fix whose edits leave the finding's cell is dropped (a cell is edited on its own).
  std::map<std::string, json> diagnosticsByCell(const SourceText& joined_source, const json& items,
                                                PositionEncoding encoding) const;

  // A request about a cell (textDocument/codeAction, textDocument/hover) as one about the joined
  // text: the notebook's URI, rows moved down to the cell's. nullopt for a cell without code
  // there (markdown, a cell magic) or not in this notebook.
  std::optional<json> requestInJoined(const std::string& cell_uri, json params) const;
  // The answer to such a request, back in the cell: code actions whose edits stay in the cell,
  // edits and ranges in its rows; fix all takes `fix_all`'s edit, which spans the notebook.
  json codeActionsInCell(const std::string& cell_uri, const json& actions,
                         const std::function<json()>& fix_all) const;
  // Fix all over the notebook: every safe fix, as the CLI's --fix applies them to a notebook, as a
  // workspace edit that replaces each changed cell's text (no edit when nothing changes).
  json fixAllEdit(const AnalysisOptions& options, PositionEncoding encoding) const;
  json hoverInCell(const std::string& cell_uri, json hover) const;

 private:
  struct Cell {
    std::string uri;
    bool is_code = false;
    std::shared_ptr<const SourceText> text;
  };
  void rejoin();
  // The cell's number (1-based, as cli::Notebook counts); 0 when it is not in this notebook.
  uint32_t cellNumber(const std::string& cell_uri) const;
  // Moves a position of the joined text into its cell; returns the cell's number.
  uint32_t intoCell(json& position) const;

  std::string uri_;
  int64_t version_ = 0;
  std::vector<Cell> cells_;
  cli::Notebook joined_;
};

}  // namespace heaplint::lsp
