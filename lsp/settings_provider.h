// Where each file's settings come from: the configuration files the CLI reads (resolved by
// config::ConfigResolver, closest configuration per file), with the client's settings on top as
// the command line's --select / --ignore would be.
//
// CONFIG HOOK: the resolver has no invalidation, so reload() replaces it with a fresh one when a
// watched configuration file changes. Each FileSettings holds the resolver it came from (through
// `config`), so an analysis made with the old configuration stays valid until it is replaced.
// A configuration that cannot be read never stops the server: the files it covers get the
// defaults, and the error is kept for takeConfigurationErrors() until the next reload.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "analyzer/analyze.h"
#include "config/config_resolver.h"
#include "lsp/protocol.h"

namespace heaplint::lsp {

// Settings a client sends in initializationOptions (or workspace/didChangeConfiguration, under
// "heaplint"): {"select": [...], "ignore": [...], "unsafeFixes": bool, "preview": bool,
// "debounceMs": int}.
struct ClientSettings {
  std::vector<std::string> select;  // empty: what the configuration selects
  std::vector<std::string> ignore;
  bool unsafe_fixes = false;
  std::optional<bool> preview;  // over every configuration file, as --preview / --no-preview
  int debounce_ms = -1;         // -1: the server's default

  // Reads what it understands and returns a warning for each value it could not use.
  static ClientSettings fromJson(const json& options, std::vector<std::string>& warnings);
};

// What the server needs to check one file.
struct FileSettings {
  // Shares ownership of the resolver that holds it: `analysis.settings` points into it.
  std::shared_ptr<const config::ResolvedSettings> config;
  // Rules, the rules reported after per-file-ignores, the lint settings and the file's module name
  // (from its import roots, as in the CLI); the caller sets the path.
  AnalysisOptions analysis;
  bool excluded = false;  // `exclude` / `extend-exclude` cover the file: no diagnostics
  bool unsafe_fixes = false;
};

// Thread-safe: the background workspace index asks too.
class SettingsProvider {
 public:
  explicit SettingsProvider(ClientSettings client);

  // The settings for a file; an empty path (a document that is not a file) gets the defaults.
  std::shared_ptr<const FileSettings> settingsFor(const std::filesystem::path& file);
  // Whether a directory walk skips `path` (absolute): the configuration of its parent decides,
  // as in the CLI.
  bool excludedFromWalk(const std::filesystem::path& path, bool is_directory);
  // Whether the walk below `root` skips what .gitignore files ignore.
  bool respectsGitignore(const std::filesystem::path& root);

  // The workspace folders: project roots for files without a configuration file or a git
  // repository above them (config/import_roots.h).
  void setWorkspaceFolders(std::vector<std::filesystem::path> folders);

  // Configuration files changed on disk: read them again from now on.
  void reload();
  void setClientSettings(ClientSettings client);

  // Configuration errors met since the last call, each reported once per reload.
  std::vector<std::string> takeConfigurationErrors();
  // Selectors in the client settings that name no rule.
  std::vector<std::string> unknownSelectors() const;
  // The configuration files to watch, as glob patterns relative to the workspace.
  std::vector<std::string> watchedConfigurationFiles() const;

 private:
  // One resolver and what went wrong with it; replaced as a whole on reload.
  struct Generation {
    std::shared_ptr<config::ConfigResolver> resolver;
    std::shared_ptr<const config::ResolvedSettings> defaults;  // for files whose config is broken
    std::set<std::filesystem::path> broken_directories;        // their configuration cannot be read
    std::set<std::string> reported_errors;
  };

  std::shared_ptr<const config::ResolvedSettings> configurationFor(
      const std::filesystem::path& directory);
  void startGeneration();

  mutable std::mutex mutex_;
  ClientSettings client_;
  std::vector<std::filesystem::path> workspace_folders_;
  Generation generation_;
  std::vector<std::string> new_errors_;
};

}  // namespace heaplint::lsp
