#include "lsp/settings_provider.h"

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

ClientSettingsProvider::ClientSettingsProvider(ClientSettings client)
    : client_(std::move(client)) {}

void ClientSettingsProvider::setClientSettings(ClientSettings client) {
  std::lock_guard lock(mutex_);
  client_ = std::move(client);
  cache_.clear();
}

std::shared_ptr<const ResolvedSettings> ClientSettingsProvider::settingsFor(
    const std::filesystem::path& file) {
  const std::filesystem::path directory = file.parent_path();
  std::lock_guard lock(mutex_);
  auto& cached = cache_[directory];
  if (!cached) cached = resolve(file);
  return cached;
}

void ClientSettingsProvider::invalidate() {
  std::lock_guard lock(mutex_);
  cache_.clear();
}

std::vector<std::string> ClientSettingsProvider::watchedConfigurationFiles() const {
  return {"**/pyproject.toml", "**/heaplint.toml", "**/.heaplint.toml"};
}

std::shared_ptr<const ResolvedSettings> ClientSettingsProvider::resolve(
    const std::filesystem::path& /*file*/) const {
  // CONFIG HOOK (see the header): load the configuration that applies to the file here, as the
  // CLI does, and let the client settings below override it.
  auto settings = std::make_shared<ResolvedSettings>();
  settings->lint = LintSettings::defaults();
  const RuleTable rules = allRules();
  if (client_.select.empty()) {
    selectRules(rules, "ALL", settings->enabled);
  } else {
    for (const std::string& selector : client_.select)
      selectRules(rules, selector, settings->enabled);
  }
  for (const std::string& selector : client_.ignore) {
    RuleSet ignored;
    selectRules(rules, selector, ignored);
    settings->enabled &= ~ignored;
  }
  settings->unsafe_fixes = client_.unsafe_fixes;
  return settings;
}

std::vector<std::string> ClientSettingsProvider::unknownSelectors() const {
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
