#include "cli/add_noqa.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "analyzer/analyze.h"
#include "cli/file_io.h"
#include "cli/notebook.h"

namespace heaplint::cli {
namespace {

bool isCodeCharacter(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
}

// Where the code list of a `# noqa: X, Y` comment ends, or npos when the comment is no such
// list (a blanket `# noqa` silences everything already; other comments get a new noqa).
size_t codeListEnd(std::string_view comment, bool& blanket) {
  blanket = false;
  for (size_t hash = comment.find('#'); hash != std::string_view::npos;
       hash = comment.find('#', hash + 1)) {
    size_t i = hash + 1;
    while (i < comment.size() && (comment[i] == ' ' || comment[i] == '\t'))
      ++i;
    if (i + 4 > comment.size()) continue;
    std::string word(comment.substr(i, 4));
    std::transform(word.begin(), word.end(), word.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (word != "noqa" || (i + 4 < comment.size() && isCodeCharacter(comment[i + 4]))) continue;
    i += 4;
    while (i < comment.size() && (comment[i] == ' ' || comment[i] == '\t'))
      ++i;
    if (i >= comment.size() || comment[i] != ':') {
      blanket = true;
      return std::string_view::npos;
    }
    ++i;
    size_t end = std::string_view::npos;
    while (true) {
      while (i < comment.size() && (comment[i] == ' ' || comment[i] == '\t' || comment[i] == ',')) {
        ++i;
      }
      const size_t start = i;
      while (i < comment.size() && isCodeCharacter(comment[i]))
        ++i;
      if (i == start) break;
      end = i;
    }
    if (end == std::string_view::npos) blanket = true;  // "# noqa:" alone reads as blanket
    return end;
  }
  return std::string_view::npos;
}

bool parsesAsWellAs(const SourceText& before, const SourceText& after) {
  PythonParser& parser = PythonParser::forThisThread();
  const TreePtr old_tree = parser.parse(before);
  const TreePtr new_tree = parser.parse(after);
  if (!new_tree) return false;
  const bool had_errors = !old_tree || ts_node_has_error(ts_tree_root_node(old_tree.get()));
  return had_errors || !ts_node_has_error(ts_tree_root_node(new_tree.get()));
}

}  // namespace

std::string addNoqaToSource(std::string_view text, std::span<const ReportedDiagnostic> findings,
                            size_t& added, size_t& skipped, std::string_view reason) {
  std::map<uint32_t, std::set<std::string_view>> codes_by_row;  // 0-based rows
  for (const ReportedDiagnostic& d : findings)
    codes_by_row[d.noqa_row - 1].insert(d.rule->code);
  const SourceText source{std::string(text)};
  PythonParser& parser = PythonParser::forThisThread();
  const TreePtr tree = parser.parse(source);
  if (!tree) {
    for (const auto& [row, codes] : codes_by_row)
      skipped += codes.size();
    return std::string(text);
  }
  const TSNode root = ts_tree_root_node(tree.get());

  struct Insertion {
    uint32_t offset;
    std::string text;
  };
  std::vector<Insertion> insertions;
  size_t added_here = 0;
  for (const auto& [row, codes] : codes_by_row) {
    if (row >= source.lineCount()) {
      skipped += codes.size();
      continue;
    }
    const uint32_t line_start = source.lineStart(row);
    const uint32_t line_end = source.lineEnd(row);
    const std::string_view line = source.line(row);
    const size_t last = line.find_last_not_of(" \t\f");
    if (last == std::string_view::npos ||
        insideString(ts_node_descendant_for_byte_range(root, line_end, line_end), line_end)) {
      skipped += codes.size();
      continue;
    }
    const auto content_end = static_cast<uint32_t>(line_start + last + 1);
    TSNode comment = ts_node_descendant_for_byte_range(root, content_end - 1, content_end);
    const bool has_comment = !ts_node_is_null(comment) &&
                             std::string_view(ts_node_type(comment)) == "comment" &&
                             ts_node_start_byte(comment) >= line_start;
    std::string list;
    for (std::string_view code : codes) {
      list += list.empty() ? "" : ", ";
      list += code;
    }
    if (has_comment) {
      const uint32_t comment_start = ts_node_start_byte(comment);
      const std::string_view comment_text = source.slice(comment_start, content_end);
      bool blanket = false;
      const size_t end = codeListEnd(comment_text, blanket);
      if (blanket) continue;  // already silenced
      if (end != std::string_view::npos) {
        insertions.push_back({static_cast<uint32_t>(comment_start + end), ", " + list});
        added_here += codes.size();
        continue;
      }
    } else if (line[last] == '\\') {
      skipped += codes.size();  // nothing may follow a line continuation
      continue;
    }
    // Appended piecewise: GCC 12 warns falsely (-Wrestrict) on `"..." + s`.
    std::string new_comment = "  # noqa: ";
    new_comment.append(list);
    if (!reason.empty()) new_comment.append(" ").append(reason);
    insertions.push_back({content_end, std::move(new_comment)});
    added_here += codes.size();
  }

  std::string result(text);
  for (auto it = insertions.rbegin(); it != insertions.rend(); ++it) {
    result.insert(it->offset, it->text);
  }
  if (!parsesAsWellAs(source, SourceText(result))) {
    for (const auto& [row, codes] : codes_by_row)
      skipped += codes.size();
    return std::string(text);
  }
  added += added_here;
  return result;
}

AddNoqaResult addNoqa(std::span<const FileReport> files, std::string_view reason) {
  AddNoqaResult result;
  for (const FileReport& file : files) {
    if (file.diagnostics.empty()) continue;
    if (isNotebookPath(file.path)) {  // rows count within cells: the JSON is no place for them
      result.in_notebooks += file.diagnostics.size();
      continue;
    }
    DecodedSource source;
    std::string error;
    if (!readSource(file.path, source, error)) {
      result.errors.push_back(file.path + ": " + error);
      continue;
    }
    if (!source.writable) {  // bytes that did not decode (PEP 263) would not be written back
      result.skipped += file.diagnostics.size();
      continue;
    }
    const size_t before = result.added;
    std::string updated =
        addNoqaToSource(source.text, file.diagnostics, result.added, result.skipped, reason);
    if (result.added == before) continue;
    if (!writeSource(file.path, updated, source.encoding, error)) {
      result.errors.push_back(file.path + ": cannot write: " + error);
      result.added = before;
      continue;
    }
    ++result.files;
  }
  return result;
}

}  // namespace heaplint::cli
