// Where each file's settings come from. The server asks a SettingsProvider for the settings of a
// path and never reads configuration itself, so configuration files plug in here.
//
// CONFIG HOOK: today the provider starts from the defaults (every rule, LintSettings::defaults())
// and applies the client's initializationOptions. When `[tool.heaplint]` / heaplint.toml support
// lands in the analyzer, ClientSettingsProvider::resolve() is the one place to change: resolve the
// nearest configuration for the path (the same call the CLI makes), then apply the client's
// overrides on top. invalidate() is already called when a watched configuration file changes
// (workspace/didChangeWatchedFiles), and the server then re-publishes every open document.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/rule.h"
#include "analyzer/settings.h"
#include "lsp/protocol.h"

namespace heaplint::lsp {

// Settings a client sends in initializationOptions (or workspace/didChangeConfiguration, under
// "heaplint"): {"select": [...], "ignore": [...], "unsafeFixes": bool, "debounceMs": int}.
struct ClientSettings {
  std::vector<std::string> select;  // empty: every rule
  std::vector<std::string> ignore;
  bool unsafe_fixes = false;
  int debounce_ms = -1;  // -1: the server's default

  // Reads what it understands and returns a warning for each value it could not use.
  static ClientSettings fromJson(const json& options, std::vector<std::string>& warnings);
};

struct ResolvedSettings {
  RuleSet enabled;
  LintSettings lint;
  bool unsafe_fixes = false;
};

class SettingsProvider {
 public:
  virtual ~SettingsProvider() = default;
  // The settings for a file (a path may be empty for documents that are not files). Thread-safe:
  // the background workspace index asks too.
  virtual std::shared_ptr<const ResolvedSettings> settingsFor(
      const std::filesystem::path& file) = 0;
  // Configuration changed on disk or from the client: forget what was resolved.
  virtual void invalidate() = 0;
  // The configuration files to watch, as glob patterns relative to the workspace.
  virtual std::vector<std::string> watchedConfigurationFiles() const = 0;
};

class ClientSettingsProvider final : public SettingsProvider {
 public:
  explicit ClientSettingsProvider(ClientSettings client);

  std::shared_ptr<const ResolvedSettings> settingsFor(const std::filesystem::path& file) override;
  void invalidate() override;
  std::vector<std::string> watchedConfigurationFiles() const override;

  void setClientSettings(ClientSettings client);
  // Selectors in the client settings that name no rule.
  std::vector<std::string> unknownSelectors() const;

 private:
  std::shared_ptr<const ResolvedSettings> resolve(const std::filesystem::path& file) const;

  mutable std::mutex mutex_;
  ClientSettings client_;
  // Per directory, as configuration files apply to whole directories.
  std::map<std::filesystem::path, std::shared_ptr<const ResolvedSettings>> cache_;
};

}  // namespace heaplint::lsp
