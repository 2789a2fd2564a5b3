#include "cli/notebook.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

namespace heaplint::cli {
namespace {

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

size_t skipSpaces(std::string_view text, size_t i) {
  while (i < text.size() && isSpace(text[i]))
    ++i;
  return i;
}

// The end of the JSON string starting at `i` (its opening quote).
size_t skipString(std::string_view text, size_t i) {
  for (++i; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '"') {
      return i + 1;
    }
  }
  return text.size();
}

// The end of the JSON value starting at `i`. The text was already validated by nlohmann/json, so
// skipping needs only strings and bracket depth (no recursion: depth is not bounded by input).
size_t skipValue(std::string_view text, size_t i) {
  if (i >= text.size()) return i;
  if (text[i] == '"') return skipString(text, i);
  if (text[i] != '[' && text[i] != '{') {
    while (i < text.size() && text[i] != ',' && text[i] != ']' && text[i] != '}' &&
           !isSpace(text[i])) {
      ++i;
    }
    return i;
  }
  size_t depth = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"') {
      i = skipString(text, i);
      continue;
    }
    if (c == '[' || c == '{') ++depth;
    if (c == ']' || c == '}') {
      --depth;
      if (depth == 0) return i + 1;
    }
    ++i;
  }
  return i;
}

// Calls visit(key, value_begin, value_end) for each member of the object at `i`.
template <typename Visit>
void forEachMember(std::string_view text, size_t i, const Visit& visit) {
  i = skipSpaces(text, i);
  if (i >= text.size() || text[i] != '{') return;
  i = skipSpaces(text, i + 1);
  while (i < text.size() && text[i] == '"') {
    const size_t key_end = skipString(text, i);
    const std::string key = nlohmann::json::parse(text.substr(i, key_end - i)).get<std::string>();
    i = skipSpaces(text, key_end);
    if (i >= text.size() || text[i] != ':') return;
    const size_t value = skipSpaces(text, i + 1);
    const size_t value_end = skipValue(text, value);
    visit(key, value, value_end);
    i = skipSpaces(text, value_end);
    if (i < text.size() && text[i] == ',') i = skipSpaces(text, i + 1);
  }
}

// Calls visit(value_begin, value_end) for each element of the array at `i`.
template <typename Visit>
void forEachElement(std::string_view text, size_t i, const Visit& visit) {
  i = skipSpaces(text, i);
  if (i >= text.size() || text[i] != '[') return;
  i = skipSpaces(text, i + 1);
  while (i < text.size() && text[i] != ']') {
    const size_t end = skipValue(text, i);
    visit(i, end);
    i = skipSpaces(text, end);
    if (i < text.size() && text[i] == ',') i = skipSpaces(text, i + 1);
  }
}

std::string sourceText(const nlohmann::json& source) {
  if (source.is_string()) return source.get<std::string>();
  std::string out;
  for (const nlohmann::json& line : source)
    out += line.get<std::string>();
  return out;
}

// IPython syntax that is not Python: `%magic`, `!shell`, `?help`, `help?`, and `x = !shell` /
// `x = %magic`. Returns where on the line the masked part starts, or npos.
size_t ipythonStart(std::string_view line) {
  const size_t first = line.find_first_not_of(" \t");
  if (first == std::string_view::npos) return first;
  const char c = line[first];
  if (c == '%' || c == '!' || c == '?') return first;
  if (c == '#') return std::string_view::npos;
  const size_t last = line.find_last_not_of(" \t\r");
  if (last == std::string_view::npos) return last;
  if (line[last] == '?') return first;
  // `files = !ls`, `t = %timeit f()`
  size_t i = first;
  while (i < line.size() &&
         (std::isalnum(static_cast<unsigned char>(line[i])) != 0 || line[i] == '_' ||
          line[i] == '.' || line[i] == ',' || line[i] == ' ')) {
    ++i;
  }
  if (i < line.size() && line[i] == '=' && i + 1 < line.size() && line[i + 1] != '=') {
    const size_t value = line.find_first_not_of(" \t", i + 1);
    if (value != std::string_view::npos && (line[value] == '!' || line[value] == '%')) {
      return value;
    }
  }
  return std::string_view::npos;
}

// The lines of a cell's new text as Jupyter stores them: each ends with its "\n" but the last.
std::vector<std::string> splitLines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    const size_t newline = text.find('\n', start);
    const size_t end = newline == std::string_view::npos ? text.size() : newline + 1;
    lines.emplace_back(text.substr(start, end - start));
    start = end;
  }
  return lines;
}

// A cell magic (`%%bash`, `%%timeit`) makes the whole cell something else than Python.
bool isCellMagic(const std::string& code) {
  const size_t first = code.find_first_not_of(" \t\r\n");
  return first != std::string::npos && code.compare(first, 2, "%%") == 0;
}

std::string jsonString(const std::string& text) {
  return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

bool isNotebookPath(std::string_view path) {
  return path.ends_with(".ipynb");
}

std::optional<Notebook> Notebook::parse(std::string_view json_text, std::string& error) {
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::parse_error& parse_error) {
    error = std::string("not a Jupyter notebook: not valid JSON (") + parse_error.what() + ")";
    return std::nullopt;
  }
  if (!document.is_object() || !document.contains("cells") || !document["cells"].is_array()) {
    error = "not a Jupyter notebook: no `cells` list";
    return std::nullopt;
  }
  if (const auto format = document.find("nbformat");
      format != document.end() && (!format->is_number_integer() || *format != 4)) {
    error = "not a Jupyter notebook of format 4 (the only one heaplint reads)";
    return std::nullopt;
  }

  Notebook notebook;
  notebook.json_ = std::string(json_text);
  const std::string_view text = notebook.json_;
  // The `source` value of each cell, in the file's bytes.
  std::vector<std::pair<size_t, size_t>> spans;
  forEachMember(text, 0, [&](const std::string& key, size_t begin, size_t) {
    if (key != "cells") return;
    forEachElement(text, begin, [&](size_t cell_begin, size_t) {
      std::pair<size_t, size_t> span{0, 0};
      forEachMember(text, cell_begin, [&](const std::string& cell_key, size_t b, size_t e) {
        if (cell_key == "source") span = {b, e};
      });
      spans.push_back(span);
    });
  });
  const nlohmann::json& cells = document["cells"];
  if (spans.size() != cells.size()) {
    error = "not a Jupyter notebook: the cells cannot be located in the file";
    return std::nullopt;
  }

  uint32_t row = 0;
  for (size_t index = 0; index < cells.size(); ++index) {
    const nlohmann::json& cell = cells[index];
    if (!cell.is_object() || cell.value("cell_type", "") != "code") continue;
    const auto source = cell.find("source");
    if (source == cell.end()) continue;
    const bool is_array = source->is_array();
    if (!source->is_string() &&
        !(is_array && std::all_of(source->begin(), source->end(),
                                  [](const nlohmann::json& line) { return line.is_string(); }))) {
      error = "not a Jupyter notebook: cell " + std::to_string(index + 1) +
              " has a `source` that is neither text nor a list of lines";
      return std::nullopt;
    }
    const std::string code = sourceText(*source);
    if (isCellMagic(code)) continue;
    notebook.appendCode(static_cast<uint32_t>(index), code, row);
    Cell& out = notebook.cells_.back();
    out.value_begin = spans[index].first;
    out.value_end = spans[index].second;
    out.is_array = is_array;
  }
  return notebook;
}

Notebook Notebook::fromCells(const std::vector<CellSource>& cells) {
  Notebook notebook;
  uint32_t row = 0;
  for (size_t index = 0; index < cells.size(); ++index) {
    if (!cells[index].is_code || isCellMagic(cells[index].text)) continue;
    notebook.appendCode(static_cast<uint32_t>(index), cells[index].text, row);
  }
  return notebook;
}

void Notebook::appendCode(uint32_t index, const std::string& code, uint32_t& row) {
  Cell out;
  out.index = index;
  out.start = static_cast<uint32_t>(python_.size());
  out.start_row = row;
  size_t line_start = 0;
  while (line_start <= code.size()) {
    size_t newline = code.find('\n', line_start);
    const size_t line_end = newline == std::string::npos ? code.size() : newline;
    std::string line = code.substr(line_start, line_end - line_start);
    const size_t masked = ipythonStart(line);
    if (masked != std::string::npos) {
      // Same length, so offsets stay put: `0` and spaces, an expression that does nothing.
      const size_t length = line.size() - masked - (line.ends_with('\r') ? 1 : 0);
      masks_.push_back(
          Mask{static_cast<uint32_t>(python_.size() + masked), line.substr(masked, length)});
      line.replace(masked, length, "0" + std::string(length - 1, ' '));
    }
    python_ += line;
    if (newline == std::string::npos) break;
    python_ += '\n';
    ++row;
    line_start = newline + 1;
  }
  out.end = static_cast<uint32_t>(python_.size());
  python_ += '\n';  // the synthetic separator
  ++row;
  cells_.push_back(out);
}

Notebook::CellRow Notebook::cellRow(uint32_t row) const {
  const auto after =
      std::upper_bound(cells_.begin(), cells_.end(), row,
                       [](uint32_t r, const Cell& cell) { return r < cell.start_row; });
  if (after == cells_.begin()) return CellRow{1, row};
  const Cell& cell = *(after - 1);
  return CellRow{cell.index + 1, row - cell.start_row};
}

std::optional<uint32_t> Notebook::codeEnd(uint32_t cell) const {
  for (const Cell& code : cells_) {
    if (code.index + 1 == cell) return code.end;
  }
  return std::nullopt;
}

std::optional<uint32_t> Notebook::startRow(uint32_t cell) const {
  for (const Cell& code : cells_) {
    if (code.index + 1 == cell) return code.start_row;
  }
  return std::nullopt;
}

std::vector<uint32_t> Notebook::trackedOffsets() const {
  std::vector<uint32_t> offsets;
  offsets.reserve(cells_.size() + masks_.size());
  for (const Cell& cell : cells_)
    offsets.push_back(cell.end);
  for (const Mask& mask : masks_)
    offsets.push_back(mask.start);
  return offsets;
}

std::optional<std::vector<Notebook::ChangedCell>> Notebook::changedCells(
    std::string_view fixed, const std::vector<uint32_t>& moved) const {
  if (moved.size() != cells_.size() + masks_.size()) return std::nullopt;
  std::string text(fixed);
  // Unmask first (same lengths, so no offset moves), checking that no fix touched a mask.
  for (size_t m = 0; m < masks_.size(); ++m) {
    const Mask& mask = masks_[m];
    const uint32_t at = moved[cells_.size() + m];
    const std::string placeholder = "0" + std::string(mask.original.size() - 1, ' ');
    if (at + placeholder.size() > text.size() ||
        text.compare(at, placeholder.size(), placeholder)) {
      return std::nullopt;
    }
    text.replace(at, placeholder.size(), mask.original);
  }
  std::vector<ChangedCell> changed;
  uint32_t start = 0;
  for (size_t c = 0; c < cells_.size(); ++c) {
    const Cell& cell = cells_[c];
    const uint32_t end = moved[c];
    if (end < start || end >= text.size() || text[end] != '\n') return std::nullopt;
    std::string code = text.substr(start, end - start);
    start = end + 1;
    std::string unmasked_original = python_.substr(cell.start, cell.end - cell.start);
    for (const Mask& mask : masks_) {
      if (mask.start >= cell.start && mask.start < cell.end) {
        unmasked_original.replace(mask.start - cell.start, mask.original.size(), mask.original);
      }
    }
    if (code != unmasked_original) changed.push_back(ChangedCell{cell.index + 1, std::move(code)});
  }
  if (start != text.size()) return std::nullopt;
  return changed;
}

std::optional<std::string> Notebook::writeBack(std::string_view fixed,
                                               const std::vector<uint32_t>& moved) const {
  // A notebook made from an editor's cells has no file to write back into.
  if (json_.empty()) return std::nullopt;
  const std::optional<std::vector<ChangedCell>> changed = changedCells(fixed, moved);
  if (!changed) return std::nullopt;
  std::string out;
  size_t copied = 0;  // bytes of json_ already in `out`: cells are in file order
  for (const ChangedCell& change : *changed) {
    const Cell& cell = *std::find_if(cells_.begin(), cells_.end(), [&](const Cell& code) {
      return code.index + 1 == change.cell;
    });
    std::string value;
    if (cell.is_array) {
      // Keep the file's layout: the whitespace after `[` separates the lines, the one before `]`
      // closes the list.
      const std::string_view old_value =
          std::string_view(json_).substr(cell.value_begin, cell.value_end - cell.value_begin);
      const size_t first = old_value.find_first_not_of(" \t\r\n", 1);
      const std::string opening(old_value.substr(1, first - 1));
      const size_t last = old_value.find_last_not_of(" \t\r\n", old_value.size() - 2);
      const std::string closing(old_value.substr(last + 1, old_value.size() - 2 - last));
      value = "[";
      const std::vector<std::string> lines = splitLines(change.code);
      for (size_t i = 0; i < lines.size(); ++i) {
        value += (i == 0 ? opening : "," + opening) + jsonString(lines[i]);
      }
      value += (lines.empty() ? "" : closing) + "]";
    } else {
      value = jsonString(change.code);
    }
    out.append(json_, copied, cell.value_begin - copied);
    out += value;
    copied = cell.value_end;
  }
  out.append(json_, copied);
  return out;
}

}  // namespace heaplint::cli
