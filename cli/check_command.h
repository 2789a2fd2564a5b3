// `heaplint check`: find files, analyse them on every core, apply fixes, print results.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/output.h"

namespace heaplint::cli {

struct CheckOptions {
  std::vector<std::string> paths;
  OutputFormat format = OutputFormat::Concise;
  std::vector<std::string> select;
  std::vector<std::string> ignore;
  bool fix = false;
  bool unsafe_fixes = false;
  bool diff = false;
  bool exit_zero = false;
  bool statistics = false;
  bool quiet = false;
  bool respect_gitignore = true;
  std::optional<std::string> stdin_filename;
  unsigned threads = 0;  // 0: one per core
  // Configuration files (cli/check_config.h).
  std::optional<std::string> config_file;  // --config: this file for every path
  bool isolated = false;                   // --isolated: no configuration files
  std::vector<std::string> extend_select;
  bool force_exclude = false;  // exclusions apply to files named on the command line too
  bool show_settings = false;  // print the settings of the first path and exit
  std::optional<bool> preview;
  bool ignore_noqa = false;  // suppression comments silence nothing

  // Everyday flags of `ruff check` (docs/usage.md).
  bool fix_only = false;              // apply fixes, report nothing else
  bool exit_non_zero_on_fix = false;  // exit 1 when something was fixed, even if nothing remains
  bool show_fixes = false;            // list what was fixed, per file and rule
  bool show_files = false;            // print the files that would be checked, then exit
  std::string color = "auto";         // auto, always, never
  std::string add_noqa_reason;        // --add-noqa=REASON: written after the codes
  std::vector<std::string> config_snippets;         // --config 'KEY = VALUE'
  std::optional<std::vector<std::string>> exclude;  // replaces the configured `exclude`
  std::vector<std::string> extend_exclude;
  std::vector<std::string> per_file_ignores;  // `PATTERN:CODES`, replacing the configured ones
  std::vector<std::string> extend_per_file_ignores;
  std::optional<std::string> target_version;
  // Given on the command line (else the configuration of the first path decides, as in Ruff).
  std::optional<bool> fix_given;
  std::optional<bool> unsafe_fixes_given;
  std::optional<bool> show_fixes_given;
  bool format_given = false;  // --output-format given, over the configuration's `output-format`

  // CI gating (docs/ci.md).
  std::optional<std::string> output_file;     // the report goes here instead of stdout
  std::optional<std::string> write_baseline;  // record the findings here, report nothing
  std::optional<std::string> baseline;        // report only findings not recorded here
  std::optional<std::string> diff_base;       // report only findings on lines changed since REV
  bool add_noqa = false;                      // silence every finding with `# noqa: CODE`
  bool no_cache = false;
  std::optional<std::string> cache_dir;  // default: $HEAPLINT_CACHE_DIR, else ./.heaplint_cache
  // --max-file-size (or HEAPLINT_MAX_FILE_SIZE) as written: larger files are skipped with a
  // warning. Empty: the default (kDefaultMaxFileSize).
  std::string max_file_size;
};

// Exit codes, as documented in the README.
inline constexpr int kExitClean = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitError = 2;

int runCheck(const CheckOptions& options);

}  // namespace heaplint::cli
