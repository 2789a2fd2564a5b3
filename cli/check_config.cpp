#include "cli/check_config.h"

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/result_cache.h"
#include "cli/version.h"
#include "config/import_roots.h"
#include "config/path_patterns.h"
#include "rules/registry.h"

namespace heaplint::cli {
namespace fs = std::filesystem;

config::ResolverOptions resolverOptions(const CheckOptions& options) {
  config::ResolverOptions out;
  if (options.config_file) out.config_file = fs::path(*options.config_file);
  out.isolated = options.isolated;
  if (!options.select.empty()) out.overrides.select = options.select;
  out.overrides.extend_select = options.extend_select;
  out.overrides.ignore = options.ignore;
  if (!options.respect_gitignore) out.overrides.respect_gitignore = false;
  out.overrides.preview = options.preview;
  out.overrides.ignore_noqa = options.ignore_noqa;
  out.overrides.heaplint_version = std::string(heaplintVersion());
  out.overrides.snippets = options.config_snippets;
  // Flags that replace a setting are read as the setting itself would be.
  const auto quoted = [](const std::string& text) { return nlohmann::json(text).dump(); };
  if (options.exclude) {
    std::string list;
    for (const std::string& pattern : *options.exclude) {
      list += (list.empty() ? "" : ", ") + quoted(pattern);
    }
    out.overrides.snippets.push_back("exclude = [" + list + "]");
  }
  if (!options.per_file_ignores.empty()) {
    std::string table;
    for (const std::string& entry : options.per_file_ignores) {
      const size_t colon = entry.rfind(':');
      std::string codes;
      std::string rest = entry.substr(colon + 1);
      for (size_t start = 0; start < rest.size();) {
        size_t end = rest.find(',', start);
        if (end == std::string::npos) end = rest.size();
        codes += (codes.empty() ? "" : ", ") + quoted(rest.substr(start, end - start));
        start = end + 1;
      }
      table += (table.empty() ? "" : ", ") + quoted(entry.substr(0, colon)) + " = [" + codes + "]";
    }
    out.overrides.snippets.push_back("per-file-ignores = {" + table + "}");
  }
  if (options.target_version) {
    out.overrides.snippets.push_back("target-version = " + quoted(*options.target_version));
  }
  out.overrides.extend_exclude = options.extend_exclude;
  out.overrides.extend_per_file_ignores = options.extend_per_file_ignores;
  return out;
}

DiscoveryOptions discoveryOptions(config::ConfigResolver& resolver, const CheckOptions& options,
                                  const fs::path& first_input) {
  DiscoveryOptions out;
  std::error_code error;
  const fs::path input = config::absoluteNormal(first_input);
  const bool is_directory = fs::is_directory(input, error);
  out.respect_gitignore =
      (is_directory ? resolver.forDirectory(input) : resolver.forFile(input)).respect_gitignore;
  out.force_exclude = options.force_exclude;  // the command line's or the configuration's
  // Discovery asks about every entry of a directory in turn: the settings of the directory are
  // looked up once for all of them (by its text; its paths are plain, config::isPlainAbsolute).
  struct LastDirectory {
    std::string path;
    const config::ResolvedSettings* settings = nullptr;
  };
  const auto settings_of_parent = [&resolver, last = std::make_shared<LastDirectory>()](
                                      const fs::path& absolute) -> const config::ResolvedSettings& {
    const std::string& text = absolute.native();
    const size_t slash = text.rfind('/');
    if (!config::isPlainAbsolute(text) || slash == 0 || slash == std::string::npos) {
      return resolver.forDirectory(absolute.parent_path());
    }
    const std::string_view directory(text.data(), slash);
    if (last->settings == nullptr || last->path != directory) {
      last->path = directory;
      last->settings = &resolver.forDirectory(fs::path(last->path));
    }
    return *last->settings;
  };
  out.is_included = [settings_of_parent](const fs::path& path) {
    const fs::path absolute = config::absoluteNormal(path);
    return settings_of_parent(absolute).isIncluded(absolute);
  };
  // A directory's own configuration does not decide whether the directory is skipped: the
  // configuration above it does, as in Ruff.
  out.is_excluded = [settings_of_parent](const fs::path& path, bool is_dir, bool whole_path) {
    const fs::path absolute = config::absoluteNormal(path);
    return settings_of_parent(absolute).isExcluded(absolute, is_dir, whole_path);
  };
  return out;
}

bool isForceExcluded(config::ConfigResolver& resolver, const CheckOptions& options,
                     const fs::path& path) {
  if (!options.force_exclude) return false;
  const fs::path absolute = config::absoluteNormal(path);
  return resolver.forFile(absolute).isExcluded(absolute, false, true);
}

CheckAnalysisOptions analysisOptionsFor(config::ConfigResolver& resolver,
                                        std::span<const fs::path> paths,
                                        std::span<const std::string> inputs) {
  CheckAnalysisOptions out;
  std::vector<fs::path> fallback_roots{config::absoluteNormal(fs::current_path())};
  for (const std::string& input : inputs) {
    std::error_code error;
    const fs::path absolute = config::absoluteNormal(input);
    fallback_roots.push_back(fs::is_directory(absolute, error) ? absolute : absolute.parent_path());
  }
  const config::FallbackRoots fallbacks(fallback_roots);
  ModuleNamer module_namer;
  // Files come sorted: neighbours in one folder share its import roots.
  fs::path roots_folder;
  std::vector<fs::path> import_roots;
  out.project.rules = allRules();
  RuleSet project_rules;
  for (size_t i = 0; i < out.project.rules.size(); ++i) {
    if (out.project.rules[i]->join != nullptr) project_rules.set(i);
  }
  out.per_file.reserve(paths.size());
  std::shared_ptr<LintSettings> merged;
  const config::ResolvedSettings* previous = nullptr;
  for (const fs::path& path : paths) {
    const fs::path absolute = config::absoluteNormal(path);
    const config::ResolvedSettings& settings = resolver.forFile(absolute);
    out.per_file.push_back(settings.analysisOptions(absolute));
    if (absolute.parent_path() != roots_folder || roots_folder.empty()) {
      roots_folder = absolute.parent_path();
      import_roots = config::importRootsFor(settings, absolute, fallbacks);
    }
    out.per_file.back().module = module_namer.forFile(absolute, import_roots);
    out.project.enabled |= settings.enabled;
    if (&settings == previous) continue;  // files come sorted: neighbours share configurations
    previous = &settings;
    for (const std::string& warning : settings.warnings) {
      if (std::find(out.warnings.begin(), out.warnings.end(), warning) == out.warnings.end()) {
        out.warnings.push_back(warning);
      }
    }
    if (!merged) {
      merged = std::make_shared<LintSettings>(settings.lint);
      continue;
    }
    config::mergeForProject(*merged, settings.lint);
  }
  if (!merged)
    merged = std::make_shared<LintSettings>(resolver.forDirectory(fs::current_path()).lint);
  // A project rule enabled anywhere runs everywhere (each file's `reported` set still filters),
  // so that a file whose configuration leaves the rule out still contributes its facts.
  for (AnalysisOptions& options : out.per_file) {
    options.enabled |= out.project.enabled & project_rules;
  }
  out.project_settings = merged;
  out.project.settings = out.project_settings.get();
  return out;
}

namespace {

const config::ResolvedSettings& settingsAt(config::ConfigResolver& resolver,
                                           const fs::path& start) {
  std::error_code error;
  const fs::path absolute = config::absoluteNormal(start);
  return fs::is_directory(absolute, error) ? resolver.forDirectory(absolute)
                                           : resolver.forFile(absolute);
}

}  // namespace

fs::path projectRoot(config::ConfigResolver& resolver, const fs::path& start) {
  const config::ResolvedSettings& settings = settingsAt(resolver, start);
  if (!settings.config_file.empty()) return settings.root;
  std::error_code error;
  fs::path directory = config::absoluteNormal(start);
  if (!fs::is_directory(directory, error)) directory = directory.parent_path();
  for (fs::path current = directory; !current.empty(); current = current.parent_path()) {
    if (fs::exists(current / ".git", error)) return current;
    if (current == current.parent_path()) break;
  }
  return config::absoluteNormal(fs::current_path(error));
}

fs::path cacheDirectoryFor(config::ConfigResolver& resolver,
                           const std::optional<std::string>& configured, const fs::path& start) {
  const fs::path& from_configuration = settingsAt(resolver, start).cache_dir;
  return cacheDirectory(configured, from_configuration.empty()
                                        ? projectRoot(resolver, start) / ".heaplint_cache"
                                        : from_configuration);
}

namespace {

void printList(std::ostream& out, std::string_view key, const std::vector<std::string>& values) {
  out << key << " = [";
  for (size_t i = 0; i < values.size(); ++i)
    out << (i ? ", " : "") << '"' << values[i] << '"';
  out << "]\n";
}

}  // namespace

void printSettings(std::ostream& out, const fs::path& path,
                   const config::ResolvedSettings& settings) {
  const fs::path absolute = config::absoluteNormal(path);
  out << "# Settings for " << displayPath(path) << '\n';
  out << "# Configuration file: "
      << (settings.config_file.empty() ? std::string("none (defaults)")
                                       : settings.config_file.string())
      << '\n';
  out << "# Relative paths are relative to " << settings.root.string() << "\n\n";

  const RuleTable rules = allRules();
  std::error_code error;
  const RuleSet reported =
      fs::is_directory(absolute, error) ? settings.enabled : settings.reportedFor(absolute);
  out << "# Enabled rules (after per-file-ignores for this path)\n";
  for (size_t i = 0; i < rules.size(); ++i) {
    if (reported.test(i)) out << "#   " << rules[i]->code << ' ' << rules[i]->name << '\n';
  }
  if (reported.none()) out << "#   (none)\n";
  out << '\n';

  if (settings.select) {
    printList(out, "select", *settings.select);
  } else {
    out << "select = [\"ALL\"]  # default\n";
  }
  printList(out, "extend-select", settings.extend_select);
  printList(out, "ignore", settings.ignore);
  printList(out, "exclude", settings.exclude);
  printList(out, "extend-exclude", settings.extend_exclude);
  out << "respect-gitignore = " << (settings.respect_gitignore ? "true" : "false") << '\n';
  out << "preview = " << (settings.preview ? "true" : "false") << '\n';
  if (!settings.cache_dir.empty()) out << "cache-dir = \"" << settings.cache_dir.string() << "\"\n";
  out << "ruff-noqa-codes = " << (settings.lint.ruff_noqa_codes ? "true" : "false") << '\n';
  out << "target-version = \"" << config::pythonVersionName(settings.lint.target_version) << "\"\n";
  printList(out, "test-file-patterns", settings.lint.test_file_patterns);
  std::vector<std::string> src;
  for (const fs::path& root : settings.src)
    src.push_back(root.string());
  if (settings.config_file.empty()) {
    out << "src = []  # none configured: the git repository's root and its src/, else the current "
           "directory's\n";
  } else {
    printList(out, "src", src);
  }
  out << "\n[per-file-ignores]\n";
  for (const config::PerFileIgnore& entry : settings.per_file_ignores) {
    printList(out, '"' + entry.pattern.text() + '"', entry.selectors);
  }
  out << "\n[unsubscribed-closure]\nmethod-pairs = [";
  for (size_t i = 0; i < settings.lint.subscription_pairs.size(); ++i) {
    const SubscriptionPair& pair = settings.lint.subscription_pairs[i];
    out << (i ? ", " : "") << "[\"" << pair.subscribe << "\", \"" << pair.unsubscribe << "\"]";
  }
  out << "]\n\n[missing-slots-on-hot-class]\n";
  printList(out, "extra-hot-classes", settings.lint.extra_hot_classes);
  const LibrarySettings& libraries = settings.lint.libraries;
  out << "\n[libraries]\n";
  printList(out, "unbounded-memoizers", libraries.unbounded_memoizers);
  printList(out, "bounded-memoizers", libraries.bounded_memoizers);
  printList(out, "weak-registries", libraries.weak_registries);
  printList(out, "strong-registries", libraries.strong_registries);
  printList(out, "singleton-getters", libraries.singleton_getters);
  printList(out, "data-sources", libraries.data_sources);
  printList(out, "configuration-sources", libraries.configuration_sources);
}

}  // namespace heaplint::cli
