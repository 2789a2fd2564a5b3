// Jupyter notebooks (.ipynb), as Ruff reads them: the code cells joined into one Python text for
// the analyzer (each followed by a synthetic newline), IPython magics and shell escapes masked, a
// map from that text's rows back to (cell, row in the cell), and the fixed text written back into
// the cells' `source` values without touching any other byte of the file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace heaplint::cli {

bool isNotebookPath(std::string_view path);

class Notebook {
 public:
  // Reads a notebook's JSON (nlohmann/json). Returns nullopt and sets `error` (one line) when the
  // text is not a notebook.
  static std::optional<Notebook> parse(std::string_view json_text, std::string& error);

  // A notebook that an editor holds open (the language server's notebook documents): its cells in
  // order, markdown ones included so that cell numbers count as in the file. It has no JSON, so
  // writeBack() does not apply (changedCells() does).
  struct CellSource {
    bool is_code = false;
    std::string text;
  };
  static Notebook fromCells(const std::vector<CellSource>& cells);

  // The code cells joined, magics masked: what the analyzer reads.
  const std::string& python() const { return python_; }

  // 1-based cell number (the cell's place among all the notebook's cells, as Ruff counts) and
  // the 0-based row within it, for a 0-based row of python().
  struct CellRow {
    uint32_t cell = 1;
    uint32_t row = 0;
  };
  CellRow cellRow(uint32_t row) const;
  // Where the code of a cell (1-based, as cellRow() counts) ends in python(), before the
  // synthetic newline; nullopt for a cell that is not there (markdown, a cell magic).
  std::optional<uint32_t> codeEnd(uint32_t cell) const;
  // The row of python() where a cell's code starts; nullopt as for codeEnd().
  std::optional<uint32_t> startRow(uint32_t cell) const;

  // Offsets of python() that fixes must carry along (cell ends, masked magics), for
  // writeBack(): pass them through the fix loop, which moves them with every edit.
  std::vector<uint32_t> trackedOffsets() const;
  // The code cells that `fixed` (python() after fixes, with the offsets moved along) changes,
  // with their new code (IPython syntax unmasked), in order; nullopt when the fixes cannot be
  // mapped back into the cells (a fix touched masked syntax or a cell boundary).
  struct ChangedCell {
    uint32_t cell = 0;  // 1-based, as cellRow() counts
    std::string code;
  };
  std::optional<std::vector<ChangedCell>> changedCells(
      std::string_view fixed, const std::vector<uint32_t>& moved_offsets) const;
  // The notebook's JSON with the cells' sources replaced from `fixed` (python() after fixes, with
  // the offsets moved along), or nullopt when the fixes cannot be mapped back into the cells.
  // Cells whose code did not change keep their bytes, and so does everything else.
  std::optional<std::string> writeBack(std::string_view fixed,
                                       const std::vector<uint32_t>& moved_offsets) const;

 private:
  struct Cell {
    uint32_t index = 0;  // among all cells, 0-based
    uint32_t start = 0;  // its code in python_: [start, end); a synthetic '\n' follows
    uint32_t end = 0;
    uint32_t start_row = 0;  // 0-based row of python_ where it starts
    size_t value_begin = 0;  // its `source` value's bytes in json_
    size_t value_end = 0;
    bool is_array = false;  // `source` as a list of lines, not one string
  };
  // Appends a code cell's text to python_, masking IPython syntax; `row` is python_'s row count.
  void appendCode(uint32_t index, const std::string& code, uint32_t& row);

  struct Mask {
    uint32_t start = 0;  // in python_
    std::string original;
  };

  std::string json_;
  std::string python_;
  std::vector<Cell> cells_;
  std::vector<Mask> masks_;
};

}  // namespace heaplint::cli
