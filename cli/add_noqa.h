// --add-noqa: silences every current finding in place with `# noqa: CODE`, for adopting heaplint
// in existing code.
#pragma once

#include <span>
#include <string>

#include "cli/report.h"

namespace heaplint::cli {

struct AddNoqaResult {
  size_t added = 0;    // codes added to comments
  size_t skipped = 0;  // findings on lines that cannot hold a comment (multi-line strings, `\`)
  size_t files = 0;    // files changed
  // Findings in notebooks, left alone: as in Ruff, --add-noqa edits .py and .pyi files only.
  size_t in_notebooks = 0;
  std::vector<std::string> errors;
};

// Adds `# noqa: CODE` to the row each finding's suppression is read from (its first row),
// extending an existing `# noqa: X` list there. Text after the change must still parse as well
// as before, or the file is left alone.
// A new comment gets `reason` after its codes (`# noqa: MEM101 legacy code`, --add-noqa=REASON);
// codes added to an existing list leave its text after the codes as it is.
std::string addNoqaToSource(std::string_view text, std::span<const ReportedDiagnostic> findings,
                            size_t& added, size_t& skipped, std::string_view reason = {});

// Applies addNoqaToSource to every reported file (read and written by its displayed path).
AddNoqaResult addNoqa(std::span<const FileReport> files, std::string_view reason = {});

}  // namespace heaplint::cli
