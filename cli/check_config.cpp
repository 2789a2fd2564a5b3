#include "cli/check_config.h"

#include <algorithm>

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
  out.force_exclude = options.force_exclude;
  // A directory's own configuration does not decide whether the directory is skipped: the
  // configuration above it does, as in Ruff.
  out.is_excluded = [&resolver](const fs::path& path, bool is_dir, bool whole_path) {
    const fs::path absolute = config::absoluteNormal(path);
    return resolver.forDirectory(absolute.parent_path()).isExcluded(absolute, is_dir, whole_path);
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
                                        std::span<const fs::path> paths) {
  CheckAnalysisOptions out;
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
  out << "target-version = \"" << config::pythonVersionName(settings.lint.target_version) << "\"\n";
  printList(out, "test-file-patterns", settings.lint.test_file_patterns);
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
