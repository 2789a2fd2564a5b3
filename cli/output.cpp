#include "cli/output.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "rules/registry.h"

namespace heaplint::cli {
namespace {

struct Palette {
  std::string_view bold, red, cyan, blue, reset;
};

Palette paletteFor(const OutputStyle& style) {
  if (!style.color) return {"", "", "", "", ""};
  return {"\x1b[1m", "\x1b[1;31m", "\x1b[36m", "\x1b[1;34m", "\x1b[0m"};
}

void writeHeader(std::ostream& out, const FileReport& file, const ReportedDiagnostic& d,
                 const OutputStyle& style) {
  const Palette p = paletteFor(style);
  out << p.bold << file.path << p.reset << p.cyan << ':' << p.reset;
  if (d.cell != 0)
    out << "cell " << d.cell << p.cyan << ':' << p.reset;  // as Ruff: nb.ipynb:cell 3:4:5
  out << d.location.row << p.cyan << ':' << p.reset << d.location.column << p.cyan << ':' << p.reset
      << ' ' << p.red << d.rule->code << p.reset << ' ';
  if (isApplicable(d, style)) out << "[*] ";
  out << d.message << '\n';
}

// Display width of a prefix of the line, counted in code points (tabs count as one).
uint32_t codePoints(std::string_view text) {
  uint32_t count = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0u) != 0x80u) ++count;
  }
  return count;
}

nlohmann::json locationJson(const Location& location) {
  return {{"row", location.row}, {"column", location.column}};
}

}  // namespace

const std::map<std::string, OutputFormat>& outputFormatsByName() {
  static const std::map<std::string, OutputFormat> formats{
      {"concise", OutputFormat::Concise}, {"full", OutputFormat::Full},
      {"json", OutputFormat::Json},       {"json-lines", OutputFormat::JsonLines},
      {"sarif", OutputFormat::Sarif},     {"github", OutputFormat::Github},
      {"gitlab", OutputFormat::Gitlab},   {"junit", OutputFormat::Junit},
      {"pylint", OutputFormat::Pylint}};
  return formats;
}

bool isApplicable(const ReportedDiagnostic& diagnostic, const OutputStyle& style) {
  return diagnostic.fix &&
         (diagnostic.fix->applicability == Applicability::Safe || style.show_unsafe_fixes);
}

void writeConcise(std::ostream& out, std::span<const FileReport> files, const OutputStyle& style) {
  for (const FileReport& file : files) {
    for (const ReportedDiagnostic& d : file.diagnostics)
      writeHeader(out, file, d, style);
  }
}

void writeFull(std::ostream& out, std::span<const FileReport> files, const OutputStyle& style) {
  const Palette p = paletteFor(style);
  for (const FileReport& file : files) {
    for (const ReportedDiagnostic& d : file.diagnostics) {
      writeHeader(out, file, d, style);
      const std::string row = std::to_string(d.location.row);
      const std::string gutter(row.size(), ' ');
      const uint32_t line_width = codePoints(d.source_line);
      const uint32_t start = d.location.column - 1;
      const uint32_t end = d.end_location.row == d.location.row
                               ? std::max(d.end_location.column - 1, start + 1)
                               : std::max(line_width, start + 1);
      out << p.blue << gutter << " |" << p.reset << '\n';
      out << p.blue << row << " |" << p.reset << ' ' << d.source_line << '\n';
      out << p.blue << gutter << " |" << p.reset << ' ';
      // Keep tabs in the padding so the carets line up under tab-indented code.
      uint32_t column = 0;
      for (char c : d.source_line) {
        if (column >= start) break;
        if ((static_cast<unsigned char>(c) & 0xC0u) == 0x80u) continue;
        out << (c == '\t' ? '\t' : ' ');
        ++column;
      }
      out << p.red << std::string(end - start, '^') << ' ' << d.rule->code << p.reset << '\n';
      out << p.blue << gutter << " |" << p.reset << '\n';
      if (!d.fix_title.empty()) {
        out << p.blue << gutter << " = " << p.reset << p.bold << "help" << p.reset << ": "
            << d.fix_title << '\n';
      }
      out << '\n';
    }
  }
}

std::string jsonText(const nlohmann::json& value, int indent) {
  return value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json diagnosticJson(const FileReport& file, const ReportedDiagnostic& d) {
  nlohmann::json fix = nullptr;
  if (d.fix) {
    nlohmann::json edits = nlohmann::json::array();
    for (const ReportedEdit& edit : d.fix->edits) {
      edits.push_back({{"content", edit.content},
                       {"location", locationJson(edit.location)},
                       {"end_location", locationJson(edit.end_location)}});
    }
    fix = {{"applicability", d.fix->applicability == Applicability::Safe ? "safe" : "unsafe"},
           {"message", d.fix_title},
           {"edits", std::move(edits)}};
  }
  return {{"cell", d.cell != 0 ? nlohmann::json(d.cell) : nlohmann::json(nullptr)},
          {"code", d.rule->code},
          {"name", d.rule->name},
          {"message", d.message},
          {"filename", file.path},
          {"location", locationJson(d.location)},
          {"end_location", locationJson(d.end_location)},
          {"fix", std::move(fix)},
          {"noqa_row", d.noqa_row},
          {"url", ruleUrl(*d.rule)}};
}

void writeJson(std::ostream& out, std::span<const FileReport> files) {
  nlohmann::json list = nlohmann::json::array();
  for (const FileReport& file : files) {
    for (const ReportedDiagnostic& d : file.diagnostics)
      list.push_back(diagnosticJson(file, d));
  }
  out << jsonText(list, 2) << '\n';
}

namespace {

struct RuleCount {
  const RuleDefinition* rule;
  size_t total = 0;
  size_t fixable = 0;
};

// Findings per rule, most frequent first (ties by code).
std::vector<RuleCount> countByRule(std::span<const FileReport> files, const OutputStyle& style) {
  std::map<std::string_view, RuleCount> counts;
  for (const FileReport& file : files) {
    for (const ReportedDiagnostic& d : file.diagnostics) {
      RuleCount& count = counts.try_emplace(d.rule->code, RuleCount{d.rule}).first->second;
      ++count.total;
      if (isApplicable(d, style)) ++count.fixable;
    }
  }
  std::vector<RuleCount> sorted;
  sorted.reserve(counts.size());
  for (const auto& [code, count] : counts)
    sorted.push_back(count);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const RuleCount& a, const RuleCount& b) { return a.total > b.total; });
  return sorted;
}

}  // namespace

void writeStatistics(std::ostream& out, std::span<const FileReport> files,
                     const OutputStyle& style) {
  const std::vector<RuleCount> sorted = countByRule(files, style);
  size_t width = 1;
  for (const RuleCount& count : sorted)
    width = std::max(width, std::to_string(count.total).size());
  for (const RuleCount& count : sorted) {
    const std::string number = std::to_string(count.total);
    out << std::string(width - number.size(), ' ') << number << '\t' << count.rule->code << '\t'
        << (count.fixable == count.total ? "[*]"
            : count.fixable > 0          ? "[-]"
                                         : "[ ]")
        << ' ' << count.rule->name << '\n';
  }
}

void writeStatisticsJson(std::ostream& out, std::span<const FileReport> files,
                         const OutputStyle& style) {
  nlohmann::json list = nlohmann::json::array();
  for (const RuleCount& count : countByRule(files, style)) {
    list.push_back({{"code", count.rule->code},
                    {"name", count.rule->name},
                    {"count", count.total},
                    {"fixable", count.fixable == count.total},
                    {"fixable_count", count.fixable}});
  }
  out << jsonText(list, 2) << '\n';
}

}  // namespace heaplint::cli
