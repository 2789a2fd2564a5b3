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
  using std::runtime_error::runtime_error;
};

// Command-line options that override every configuration file.
struct SettingsOverrides {
  std::optional<std::vector<std::string>> select;  // replaces select and extend-select
  std::vector<std::string> extend_select;
  std::vector<std::string> ignore;  // added to the configured ignore
  std::optional<bool> respect_gitignore;
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
  bool respect_gitignore = true;

  // Where the project's own modules are imported from (import_roots.h), absolute: `src` as
  // configured (relative to `root`, globs expanded), by default `root` and `root/src`. Empty
  // without a configuration file.
  std::vector<std::filesystem::path> src;

  RuleSet enabled;  // select (or every rule), + extend-select, - ignore, command line applied
  std::vector<PerFileIgnore> per_file_ignores;
  std::vector<PathPattern> exclude_patterns;  // exclude then extend-exclude
  LintSettings lint;

  // The rules whose findings are reported for `file` (absolute): `enabled` without the rules
  // that per-file-ignores drop for it.
  RuleSet reportedFor(const std::filesystem::path& file) const;
  // Whether exclude / extend-exclude cover `path` (absolute). A directory walk checks each entry
  // (`whole_path` false); a file named on the command line is checked with its parents.
  bool isExcluded(const std::filesystem::path& path, bool is_directory, bool whole_path) const;
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

// "py310" for 3.10.
std::string pythonVersionName(PythonVersion version);

}  // namespace heaplint::config
