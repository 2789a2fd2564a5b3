#include "lsp/settings_provider.h"

#include <utility>

#include "config/import_roots.h"
#include "rules/registry.h"

namespace heaplint::lsp {
namespace {

std::vector<std::string> stringList(const json& options, const char* key,
                                    std::vector<std::string>& warnings) {
  std::vector<std::string> values;
  const auto it = options.find(key);
  if (it == options.end() || it->is_null()) return values;
  if (it->is_string()) {
    // "MEM101,MEM2" as on the command line.
    const std::string& text = it->get_ref<const std::string&>();
    size_t start = 0;
    while (start <= text.size()) {
      const size_t comma = std::min(text.find(',', start), text.size());
      if (comma > start) values.push_back(text.substr(start, comma - start));
      start = comma + 1;
    }
    return values;
  }
  if (!it->is_array()) {
    warnings.push_back(std::string("`") + key + "` must be a list of rule selectors");
    return values;
  }
  for (const json& value : *it) {
    if (value.is_string()) {
      values.push_back(value.get<std::string>());
    } else {
      warnings.push_back(std::string("`") + key + "` holds a value that is not a string");
    }
  }
  return values;
}

}  // namespace

ClientSettings ClientSettings::fromJson(const json& options, std::vector<std::string>& warnings) {
  ClientSettings settings;
  if (options.is_null()) return settings;
  if (!options.is_object()) {
    warnings.push_back("initializationOptions must be an object");
    return settings;
  }
  // Clients that share one settings object between servers nest ours under "heaplint".
  const json& ours = options.contains("heaplint") && options["heaplint"].is_object()
                         ? options["heaplint"]
                         : options;
  settings.select = stringList(ours, "select", warnings);
  settings.ignore = stringList(ours, "ignore", warnings);
  if (const auto it = ours.find("unsafeFixes"); it != ours.end()) {
    if (it->is_boolean()) {
      settings.unsafe_fixes = it->get<bool>();
    } else {
      warnings.push_back("`unsafeFixes` must be true or false");
    }
  }
  if (const auto it = ours.find("debounceMs"); it != ours.end()) {
    if (it->is_number_integer() && it->get<int64_t>() >= 0 && it->get<int64_t>() <= 10000) {
      settings.debounce_ms = it->get<int>();
    } else {
      warnings.push_back("`debounceMs` must be an integer from 0 to 10000");
    }
  }
  return settings;
}

namespace {

config::ResolverOptions resolverOptions(const ClientSettings& client) {
  config::ResolverOptions options;
  if (!client.select.empty()) options.overrides.select = client.select;
  options.overrides.ignore = client.ignore;
  return options;
}

}  // namespace

SettingsProvider::SettingsProvider(ClientSettings client) : client_(std::move(client)) {
  startGeneration();
}

void SettingsProvider::startGeneration() {
  const config::ResolverOptions options = resolverOptions(client_);
  Generation generation;
  generation.resolver = std::make_shared<config::ConfigResolver>(options);
  generation.defaults = std::make_shared<const config::ResolvedSettings>(config::defaultSettings(
      config::absoluteNormal(std::filesystem::current_path()), options.overrides));
  generation_ = std::move(generation);
}

void SettingsProvider::setWorkspaceFolders(std::vector<std::filesystem::path> folders) {
  std::lock_guard lock(mutex_);
  workspace_folders_ = std::move(folders);
}

void SettingsProvider::reload() {
  std::lock_guard lock(mutex_);
  startGeneration();
}

void SettingsProvider::setClientSettings(ClientSettings client) {
  std::lock_guard lock(mutex_);
  client_ = std::move(client);
  startGeneration();
}

std::shared_ptr<const config::ResolvedSettings> SettingsProvider::configurationFor(
    const std::filesystem::path& directory) {
  std::shared_ptr<config::ConfigResolver> resolver;
  std::shared_ptr<const config::ResolvedSettings> defaults;
  {
    std::lock_guard lock(mutex_);
    defaults = generation_.defaults;
    // A broken file would be parsed again on every lookup: the resolver caches only successes.
    if (generation_.broken_directories.contains(directory)) return defaults;
    resolver = generation_.resolver;
  }
  try {
    // Outside the lock: reading a configuration file must not hold up the other thread.
    const config::ResolvedSettings& settings = resolver->forDirectory(directory);
    return std::shared_ptr<const config::ResolvedSettings>(resolver, &settings);
  } catch (const std::exception& error) {
    std::lock_guard lock(mutex_);
    if (generation_.resolver == resolver) {
      generation_.broken_directories.insert(directory);
      if (generation_.reported_errors.insert(error.what()).second) {
        new_errors_.push_back(error.what());
      }
    }
    return defaults;
  }
}

std::shared_ptr<const FileSettings> SettingsProvider::settingsFor(
    const std::filesystem::path& file) {
  auto settings = std::make_shared<FileSettings>();
  {
    std::lock_guard lock(mutex_);
    settings->unsafe_fixes = client_.unsafe_fixes;
    if (file.empty()) settings->config = generation_.defaults;
  }
  if (file.empty()) {
    settings->analysis.rules = allRules();
    settings->analysis.enabled = settings->config->enabled;
    settings->analysis.reported = settings->config->enabled;
    settings->analysis.settings = &settings->config->lint;
    return settings;
  }
  const std::filesystem::path absolute = config::absoluteNormal(file);
  settings->config = configurationFor(absolute.parent_path());
  settings->analysis = settings->config->analysisOptions(absolute);
  std::vector<std::filesystem::path> folders;
  {
    std::lock_guard lock(mutex_);
    folders = workspace_folders_;
  }
  settings->analysis.module =
      moduleInfoForPath(absolute, config::importRootsFor(*settings->config, absolute, folders));
  // Checked with the parents, as the CLI's --force-exclude does for a file named on the command
  // line: an editor opens files one by one, without a walk.
  settings->excluded = settings->config->isExcluded(absolute, false, /*whole_path=*/true);
  return settings;
}

bool SettingsProvider::excludedFromWalk(const std::filesystem::path& path, bool is_directory) {
  const std::filesystem::path absolute = config::absoluteNormal(path);
  return configurationFor(absolute.parent_path())->isExcluded(absolute, is_directory, false);
}

bool SettingsProvider::respectsGitignore(const std::filesystem::path& root) {
  return configurationFor(config::absoluteNormal(root))->respect_gitignore;
}

std::vector<std::string> SettingsProvider::takeConfigurationErrors() {
  std::lock_guard lock(mutex_);
  return std::exchange(new_errors_, {});
}

std::vector<std::string> SettingsProvider::watchedConfigurationFiles() const {
  return {"**/pyproject.toml", "**/heaplint.toml", "**/.heaplint.toml"};
}

std::vector<std::string> SettingsProvider::unknownSelectors() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> unknown;
  const RuleTable rules = allRules();
  for (const auto* list : {&client_.select, &client_.ignore}) {
    for (const std::string& selector : *list) {
      RuleSet matched;
      if (!selectRules(rules, selector, matched)) unknown.push_back(selector);
    }
  }
  return unknown;
}

}  // namespace heaplint::lsp
