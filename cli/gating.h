// CI gating after linting: --write-baseline, --baseline and --diff-base narrow the findings that
// are reported and that set the exit code.
#pragma once

#include <optional>
#include <vector>

#include "cli/check_command.h"
#include "cli/report.h"

namespace heaplint::cli {

// Narrows `reports` as the options ask. Returns an exit code when the run should stop here
// (after printing its one line), nullopt to go on reporting.
std::optional<int> applyGating(const CheckOptions& options, std::vector<FileReport>& reports);

// --add-noqa: writes the noqa comments, prints how many were added; returns the exit code.
int runAddNoqa(const CheckOptions& options, const std::vector<FileReport>& reports);

// `heaplint clean`: removes the result cache directory.
int runClean(const std::optional<std::string>& cache_dir);

// Options that cannot go together; prints the one-line error and returns false.
bool checkGatingOptions(const CheckOptions& options, bool from_stdin);

}  // namespace heaplint::cli
