// What the CLI keeps of a file's analysis once its source is released: diagnostics with their
// positions already converted, ready for any output format.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analyzer/diagnostic.h"
#include "analyzer/rule.h"

namespace heaplint::cli {

// 1-based row, 1-based column in code points, as Ruff reports them.
struct Location {
  uint32_t row = 1;
  uint32_t column = 1;
};

struct ReportedEdit {
  std::string content;
  Location location;
  Location end_location;
};

struct ReportedFix {
  Applicability applicability = Applicability::Safe;
  std::vector<ReportedEdit> edits;
};

struct ReportedDiagnostic {
  const RuleDefinition* rule = nullptr;
  Location location;
  Location end_location;
  std::string message;
  std::string fix_title;
  std::optional<ReportedFix> fix;
  uint32_t noqa_row = 1;
  uint32_t cell = 0;        // in a notebook, the 1-based cell number (rows count within it); else 0
  std::string source_line;  // the line the diagnostic starts on, for the full format
};

struct FileReport {
  std::string path;  // as displayed
  std::vector<ReportedDiagnostic> diagnostics;
  std::vector<std::string> warnings;  // one line each, without the "warning: " prefix
  std::optional<std::string> error;   // the file could not be read or written
  size_t fixed = 0;
  std::vector<const RuleDefinition*> fixed_rules;  // the rule of each fix applied (--show-fixes)
  std::string diff;                                // --diff
};

}  // namespace heaplint::cli
