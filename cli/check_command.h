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
