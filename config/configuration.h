// One configuration: the [tool.heaplint] table of a pyproject.toml, or a heaplint.toml /
// .heaplint.toml, read with toml++ and checked key by key, then resolved into the rules and
// settings that analysing a file needs.
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/rule.h"
#include "analyzer/settings.h"
#include "config/path_patterns.h"

namespace heaplint::config {

// A configuration file that cannot be used. what() is one line: `file:line:column: key: reason`
// (the position when toml++ knows it).
class ConfigError : public std::runtime_error {
 public:
  // Control characters quoted from the file (toml++ shows what it saw, a selector may hold a
  // newline) are escaped, so the message stays one line.
  explicit ConfigError(const std::string& message);
};

// Command-line options that override every configuration file.
struct SettingsOverrides {
  std::optional<std::vector<std::string>> select;  // replaces select and extend-select
  std::vector<std::string> extend_select;
  std::vector<std::string> ignore;  // added to the configured ignore
  std::optional<bool> respect_gitignore;
  std::optional<bool> preview;  // --preview / --no-preview
  bool ignore_noqa = false;     // --ignore-noqa
  // `--config 'KEY = VALUE'`: TOML read over every configuration, as if written in it, and
  // --exclude, --per-file-ignores, --target-version said the same way.
  std::vector<std::string> snippets;
  std::vector<std::string> extend_exclude;  // --extend-exclude: added to the configured ones
  std::vector<std::string> extend_per_file_ignores;  // --extend-per-file-ignores `PATTERN:CODES`
  std::string heaplint_version;  // checked against `required-version` (empty: not checked)
};

struct PerFileIgnore {
  PathPattern pattern;
  std::vector<std::string> selectors;  // as written
  RuleSet rules;
};

// The settings that apply to the files below one configuration file's directory.
struct ResolvedSettings {
  std::filesystem::path config_file;  // empty: no configuration file, the defaults
  std::filesystem::path root;         // relative patterns start here (absolute, normalised)

  // As written (or the defaults), for --show-settings.
  std::optional<std::vector<std::string>> select;
  std::vector<std::string> extend_select;
  std::vector<std::string> ignore;
  std::vector<std::string> exclude;
  std::vector<std::string> extend_exclude;
  // The files a directory walk lints (files named on the command line always are).
  std::vector<std::string> include = {"*.py", "*.pyi", "*.ipynb"};
  std::vector<std::string> extend_include;
  bool respect_gitignore = true;
  std::filesystem::path cache_dir;  // `cache-dir`, absolute; empty: .heaplint_cache at the root
  bool preview = false;             // preview rules run only when on
  bool ignore_noqa = false;         // suppression comments silence nothing (--ignore-noqa)
  // The command line's defaults a configuration may set, as in Ruff (the first path's
  // configuration decides, as for respect-gitignore): unset unless written.
  std::optional<bool> fix;
  std::optional<bool> unsafe_fixes;
  std::optional<bool> show_fixes;
  std::optional<bool> force_exclude;
  std::optional<std::string> output_format;
  std::optional<std::string> required_version;  // as written
  // `fixable` (default ALL) without `unfixable`: the rules whose fixes are offered.
  std::vector<std::string> fixable_selectors;  // as written; empty: ALL
  std::vector<std::string> unfixable_selectors;
  RuleSet fixable = RuleSet().set();

  // Where the project's own modules are imported from (import_roots.h), absolute: `src` as
  // configured (relative to `root`, globs expanded), by default `root` and `root/src`. Empty
  // without a configuration file.
  std::vector<std::filesystem::path> src;

  RuleSet enabled;  // select (or every rule), + extend-select, - ignore, command line applied
  std::vector<PerFileIgnore> per_file_ignores;
  std::vector<PathPattern> exclude_patterns;  // exclude then extend-exclude
  std::vector<PathPattern> include_patterns;  // include then extend-include
  LintSettings lint;
  // Said once per configuration, not fatal: selectors that pick only preview rules while
  // preview is off.
  std::vector<std::string> warnings;

  // The rules whose findings are reported for `file` (absolute): `enabled` without the rules
  // that per-file-ignores drop for it.
  RuleSet reportedFor(const std::filesystem::path& file) const;
  // Whether exclude / extend-exclude cover `path` (absolute). A directory walk checks each entry
  // (`whole_path` false); a file named on the command line is checked with its parents.
  bool isExcluded(const std::filesystem::path& path, bool is_directory, bool whole_path) const;
  // Whether a directory walk lints `file` (absolute): `include` / `extend-include` match it.
  bool isIncluded(const std::filesystem::path& file) const;
  // What analyze() needs for `file` (absolute): the registry, enabled and reported rules, and
  // `lint` (so these settings must outlive the result). Path and module are left to the caller.
  AnalysisOptions analysisOptions(const std::filesystem::path& file) const;
};

// The directories skipped by default; `exclude` replaces this list, `extend-exclude` adds to it.
const std::vector<std::string>& defaultExclude();

// The settings without any configuration file, relative to `root`.
ResolvedSettings defaultSettings(const std::filesystem::path& root,
                                 const SettingsOverrides& overrides);

// Whether `file` (a pyproject.toml) has a [tool.heaplint] table. Throws ConfigError when the
// file is not valid TOML.
bool pyprojectHasHeaplintTable(const std::filesystem::path& file);

// Reads a configuration file: [tool.heaplint] of a pyproject.toml, the whole file otherwise.
// Throws ConfigError on invalid TOML, unknown keys and bad values.
ResolvedSettings loadSettings(const std::filesystem::path& file,
                              const SettingsOverrides& overrides);

// The project rules join facts across files whose configurations differ: `merged` takes every
// `extra-hot-classes` entry of `other` and the older `target-version`; the rest stays.
void mergeForProject(LintSettings& merged, const LintSettings& other);

// Whether a --config argument is TOML (`--config 'preview = true'`) rather than a file's path.
bool isConfigurationSnippet(std::string_view text);

// "py310" for 3.10.
std::string pythonVersionName(PythonVersion version);

}  // namespace heaplint::config
