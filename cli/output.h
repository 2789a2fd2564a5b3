// Output formats for `heaplint check`.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "cli/report.h"

namespace heaplint::cli {

enum class OutputFormat { Concise, Full, Json, JsonLines, Sarif, Github, Gitlab, Junit, Pylint };

// Every output format by its name ("json-lines"), for --output-format and `output-format`.
const std::map<std::string, OutputFormat>& outputFormatsByName();

struct OutputStyle {
  bool color = false;
  bool show_unsafe_fixes = false;  // unsafe fixes count as applicable ([*])
};

bool isApplicable(const ReportedDiagnostic& diagnostic, const OutputStyle& style);

void writeConcise(std::ostream& out, std::span<const FileReport> files, const OutputStyle& style);
void writeFull(std::ostream& out, std::span<const FileReport> files, const OutputStyle& style);
void writeJson(std::ostream& out, std::span<const FileReport> files);
// One finding as the json format shows it (Ruff's fields).
nlohmann::json diagnosticJson(const FileReport& file, const ReportedDiagnostic& diagnostic);

// JSON text for a report. Paths need not be UTF-8: an invalid byte becomes U+FFFD rather than
// aborting the whole report. `indent` < 0 writes one line.
std::string jsonText(const nlohmann::json& value, int indent = -1);
void writeStatistics(std::ostream& out, std::span<const FileReport> files,
                     const OutputStyle& style);
// --statistics --output-format json: Ruff's fields (code, name, count, fixable, fixable_count).
void writeStatisticsJson(std::ostream& out, std::span<const FileReport> files,
                         const OutputStyle& style);

}  // namespace heaplint::cli
