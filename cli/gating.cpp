#include "cli/gating.h"

#include <iostream>

#include "cli/add_noqa.h"
#include "cli/baseline.h"
#include "cli/check_config.h"
#include "cli/diff_base.h"
#include "cli/result_cache.h"

namespace heaplint::cli {

std::optional<int> applyGating(const CheckOptions& options, std::vector<FileReport>& reports) {
  if (options.write_baseline) {
    std::string error;
    if (!writeBaseline(*options.write_baseline, reports, error)) {
      std::cerr << "heaplint: error: cannot write the baseline " << *options.write_baseline << ": "
                << error << '\n';
      return kExitError;
    }
    size_t count = 0;
    for (const FileReport& report : reports)
      count += report.diagnostics.size();
    if (!options.quiet) {
      std::cerr << "Wrote " << count << (count == 1 ? " finding" : " findings") << " to "
                << *options.write_baseline << ".\n";
    }
    return kExitClean;
  }
  // Baseline first: fingerprints count identical findings, so they need the full list.
  if (options.baseline) {
    std::unordered_set<std::string> fingerprints;
    std::string error;
    if (!readBaseline(*options.baseline, fingerprints, error)) {
      std::cerr << "heaplint: error: cannot read the baseline " << *options.baseline << ": "
                << error << '\n';
      return kExitError;
    }
    removeBaselined(reports, fingerprints);
  }
  if (options.diff_base) {
    std::string error;
    const std::optional<ChangedLines> changed = changedLinesSince(*options.diff_base, error);
    if (!changed) {
      std::cerr << "heaplint: error: --diff-base " << *options.diff_base << ": " << error << '\n';
      return kExitError;
    }
    keepChangedLines(reports, *changed);
  }
  return std::nullopt;
}

int runAddNoqa(const CheckOptions& options, const std::vector<FileReport>& reports) {
  const AddNoqaResult result = addNoqa(reports, options.add_noqa_reason);
  for (const std::string& error : result.errors)
    std::cerr << "heaplint: error: " << error << '\n';
  if (!options.quiet) {
    std::cerr << "Added " << result.added << (result.added == 1 ? " noqa code" : " noqa codes")
              << " in " << result.files << (result.files == 1 ? " file" : " files") << ".\n";
    if (result.skipped > 0) {
      std::cerr << "warning: " << result.skipped
                << " findings are on lines that cannot hold a comment (inside a multi-line string "
                   "or ending in `\\`)\n";
    }
    if (result.in_notebooks > 0) {
      std::cerr << "warning: " << result.in_notebooks
                << " findings in notebooks are left as they are (as in Ruff, --add-noqa edits .py "
                   "and .pyi files only)\n";
    }
  }
  return result.errors.empty() ? kExitClean : kExitError;
}

int runClean(const std::optional<std::string>& cache_dir) {
  // The cache of the project the current directory belongs to, wherever in it heaplint runs.
  std::filesystem::path directory;
  try {
    config::ConfigResolver resolver{config::ResolverOptions{}};
    directory = cacheDirectoryFor(resolver, cache_dir, ".");
  } catch (const config::ConfigError& error) {
    std::cerr << "heaplint: error: " << error.what() << '\n';
    return kExitError;
  }
  std::error_code error;
  if (!std::filesystem::exists(directory, error)) return kExitClean;
  // Refuse to delete a directory that heaplint did not create.
  if (!std::filesystem::exists(directory / "CACHEDIR.TAG", error)) {
    std::cerr << "heaplint: error: " << directory.string()
              << " has no CACHEDIR.TAG: not a heaplint cache, not removed\n";
    return kExitError;
  }
  std::string message;
  if (!removeCache(directory, message)) {
    std::cerr << "heaplint: error: cannot remove " << directory.string() << ": " << message << '\n';
    return kExitError;
  }
  std::cerr << "Removed the cache at " << directory.string() << ".\n";
  return kExitClean;
}

bool checkGatingOptions(const CheckOptions& options, bool from_stdin) {
  const char* conflict = nullptr;
  if (options.add_noqa && (options.fix || options.diff)) {
    conflict = "--add-noqa cannot be combined with --fix or --diff";
  } else if (options.add_noqa && from_stdin) {
    conflict = "--add-noqa needs files, not standard input";
  } else if (options.add_noqa_reason.find_first_of("\r\n") != std::string::npos) {
    conflict = "--add-noqa=REASON must be one line";
  } else if (options.fix_only && options.diff) {
    conflict = "--fix-only cannot be combined with --diff";
  } else if (options.write_baseline && options.baseline) {
    conflict = "--write-baseline and --baseline cannot be combined";
  } else if (options.write_baseline && (options.fix || options.diff)) {
    conflict = "--write-baseline cannot be combined with --fix or --diff";
  } else if (options.statistics && options.format != OutputFormat::Concise &&
             options.format != OutputFormat::Full && options.format != OutputFormat::Json) {
    conflict = "--statistics prints counts as text (concise, full) or json only";
  }
  if (conflict == nullptr) return true;
  std::cerr << "heaplint: error: " << conflict << '\n';
  return false;
}

}  // namespace heaplint::cli
