#include "config/configuration.h"

#include <glob.h>
#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <functional>
#include <map>

#include "rules/registry.h"

namespace heaplint::config {

namespace {

std::string escapeControlCharacters(std::string_view text) {
  static constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

ConfigError::ConfigError(const std::string& message)
    : std::runtime_error(escapeControlCharacters(message)) {}
namespace fs = std::filesystem;
namespace {

constexpr std::array<PythonVersion, 6> kSupportedVersions = {
    PythonVersion{3, 8},  PythonVersion{3, 9},  PythonVersion{3, 10},
    PythonVersion{3, 11}, PythonVersion{3, 12}, PythonVersion{3, 13}};

// Config paths appear in messages as the user would type them: relative to the current directory
// when below it.
std::string shownPath(const fs::path& path) {
  std::error_code error;
  const fs::path cwd = fs::current_path(error);
  if (!error) {
    std::string relative = relativeBelow(path.lexically_normal(), cwd);
    if (!relative.empty()) return relative;
  }
  return path.generic_string();
}

// Builds ConfigErrors for one file; keys are shown dotted from the file's top (tool.heaplint.x).
class Reader {
 public:
  Reader(fs::path file, std::string key_prefix)
      : file_(std::move(file)), key_prefix_(std::move(key_prefix)) {}

  [[noreturn]] void fail(const toml::node* at, std::string_view key,
                         std::string_view reason) const {
    fail(at != nullptr ? at->source() : toml::source_region{}, key, reason);
  }
  [[noreturn]] void fail(const toml::source_region& at, std::string_view key,
                         std::string_view reason) const {
    std::string message = shownPath(file_);
    if (at.begin.line != 0) {
      message += ":" + std::to_string(at.begin.line) + ":" + std::to_string(at.begin.column);
    }
    message += ": ";
    if (!key.empty()) message += "`" + key_prefix_ + std::string(key) + "`: ";
    message += reason;
    throw ConfigError(message);
  }

  std::string qualified(std::string_view key) const { return key_prefix_ + std::string(key); }
  // "[tool.heaplint.unsubscribed-closure]" (appended piecewise: GCC 12 warns falsely on `"[" + s`).
  std::string tableName(std::string_view key) const {
    std::string name(1, '[');
    name.append(key_prefix_).append(key).push_back(']');
    return name;
  }

  std::string string(const toml::node& node, std::string_view key) const {
    const std::optional<std::string> value = node.value_exact<std::string>();
    if (!value) fail(&node, key, "expected a string, found " + typeName(node));
    return *value;
  }

  bool boolean(const toml::node& node, std::string_view key) const {
    const std::optional<bool> value = node.value_exact<bool>();
    if (!value) fail(&node, key, "expected true or false, found " + typeName(node));
    return *value;
  }

  std::vector<std::string> strings(const toml::node& node, std::string_view key) const {
    const toml::array* array = node.as_array();
    if (array == nullptr) fail(&node, key, "expected an array of strings, found " + typeName(node));
    std::vector<std::string> out;
    for (const toml::node& element : *array) {
      if (!element.is_string()) {
        fail(&element, key,
             "expected an array of strings, found an element that is " + typeName(element));
      }
      out.push_back(*element.value_exact<std::string>());
    }
    return out;
  }

  // Rule selectors, each checked against the registry.
  std::vector<std::string> selectors(const toml::node& node, std::string_view key,
                                     RuleSet* rules = nullptr) const {
    std::vector<std::string> out = strings(node, key);
    const toml::array& array = *node.as_array();
    for (size_t i = 0; i < out.size(); ++i) {
      RuleSet selected;
      if (!selectRules(allRules(), out[i], selected)) {
        fail(array.get(i), key, "unknown rule selector `" + out[i] + "` (see `heaplint rules`)");
      }
      if (rules != nullptr) *rules |= selected;
    }
    return out;
  }

  const toml::table& table(const toml::node& node, std::string_view key) const {
    const toml::table* out = node.as_table();
    if (out == nullptr) fail(&node, key, "expected a table, found " + typeName(node));
    return *out;
  }

  static std::string typeName(const toml::node& node) {
    switch (node.type()) {
      case toml::node_type::table:
        return "a table";
      case toml::node_type::array:
        return "an array";
      case toml::node_type::string:
        return "a string";
      case toml::node_type::integer:
        return "an integer";
      case toml::node_type::floating_point:
        return "a float";
      case toml::node_type::boolean:
        return "a boolean";
      default:
        return "a date or time";
    }
  }

 private:
  fs::path file_;
  std::string key_prefix_;
};

toml::table parseToml(const fs::path& file) {
  std::error_code status_error;
  if (!fs::is_regular_file(file, status_error)) {
    throw ConfigError(shownPath(file) + ": cannot read the configuration file: " +
                      (status_error ? status_error.message() : std::string("No such file")));
  }
  try {
    return toml::parse_file(file.string());
  } catch (const toml::parse_error& error) {
    const toml::source_region& where = error.source();
    std::string message = shownPath(file);
    if (where.begin.line != 0) {
      message += ":" + std::to_string(where.begin.line) + ":" + std::to_string(where.begin.column);
    }
    throw ConfigError(message + ": not valid TOML: " + std::string(error.description()));
  }
}

std::optional<PythonVersion> parsePythonVersion(std::string_view name) {
  for (const PythonVersion& version : kSupportedVersions) {
    if (pythonVersionName(version) == name) return version;
  }
  return std::nullopt;
}

// The lower bound of a `requires-python` specifier such as ">=3.9, <4" (the default for
// target-version in a pyproject.toml, as in Ruff), clamped to the versions heaplint knows.
// A version number with one more decimal digit, saturating: a number no version reaches stays
// put instead of overflowing (fuzz_config: `requires-python = "==3.999...9"`).
int withDigit(int value, char digit) {
  return value >= 100'000'000 ? value : value * 10 + (digit - '0');
}

std::optional<PythonVersion> lowestPythonVersion(std::string_view specifiers) {
  std::optional<PythonVersion> lowest;
  while (!specifiers.empty()) {
    const size_t comma = specifiers.find(',');
    std::string_view specifier = specifiers.substr(0, comma);
    specifiers =
        comma == std::string_view::npos ? std::string_view() : specifiers.substr(comma + 1);
    while (!specifier.empty() && specifier.front() == ' ')
      specifier.remove_prefix(1);
    const bool lower_bound = specifier.starts_with(">=") || specifier.starts_with("~=") ||
                             specifier.starts_with("==") || specifier.starts_with(">");
    if (!lower_bound) continue;
    specifier.remove_prefix(specifier.starts_with(">") && !specifier.starts_with(">=") ? 1 : 2);
    while (!specifier.empty() && specifier.front() == ' ')
      specifier.remove_prefix(1);
    if (!specifier.starts_with("3.")) continue;
    specifier.remove_prefix(2);
    int minor = 0;
    size_t digits = 0;
    while (digits < specifier.size() && specifier[digits] >= '0' && specifier[digits] <= '9') {
      minor = withDigit(minor, specifier[digits]);
      ++digits;
    }
    if (digits == 0) continue;
    const PythonVersion version{
        3, std::clamp(minor, kSupportedVersions.front().minor, kSupportedVersions.back().minor)};
    if (!lowest || version < *lowest) lowest = version;
  }
  return lowest;
}

std::string supportedVersionList() {
  std::string out;
  for (const PythonVersion& version : kSupportedVersions) {
    if (!out.empty()) out += ", ";
    out += pythonVersionName(version);
  }
  return out;
}

// "0.1.0" -> {0, 1, 0}; false when not a version.
bool parseVersion(std::string_view text, std::array<int, 3>& out) {
  out = {0, 0, 0};
  size_t part = 0;
  bool digits = false;
  for (const char c : text) {
    if (c >= '0' && c <= '9') {
      if (part >= out.size()) return false;
      out[part] = withDigit(out[part], c);
      digits = true;
    } else if (c == '.' && digits) {
      ++part;
      digits = false;
    } else {
      return false;
    }
  }
  return digits;
}

// `required-version`: a version ("0.1.0", meaning ==) or specifiers (">=0.1, <1"), as in Ruff.
bool versionSatisfies(std::string_view version, std::string_view required, std::string& problem) {
  std::array<int, 3> have{};
  if (version.empty() || !parseVersion(version, have)) return true;  // nothing to check against
  std::string_view rest = required;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    std::string_view specifier = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    while (!specifier.empty() && specifier.front() == ' ')
      specifier.remove_prefix(1);
    while (!specifier.empty() && specifier.back() == ' ')
      specifier.remove_suffix(1);
    std::string_view op = "==";
    for (const std::string_view candidate : {">=", "<=", "==", "!=", "~=", ">", "<"}) {
      if (specifier.starts_with(candidate)) {
        op = candidate;
        specifier.remove_prefix(candidate.size());
        break;
      }
    }
    while (!specifier.empty() && specifier.front() == ' ')
      specifier.remove_prefix(1);
    std::array<int, 3> want{};
    if (!parseVersion(specifier, want)) {
      problem = "`" + std::string(required) +
                "` is not a version or a list of version specifiers (e.g. \">=0.1.0\")";
      return false;
    }
    bool ok = false;
    if (op == ">=") ok = have >= want;
    if (op == "<=") ok = have <= want;
    if (op == ">") ok = have > want;
    if (op == "<") ok = have < want;
    if (op == "==") ok = have == want;
    if (op == "!=") ok = have != want;
    if (op == "~=") ok = have >= want && have[0] == want[0];
    if (!ok) {
      problem = "this project requires heaplint " + std::string(required) + ", and this is " +
                std::string(version);
      return false;
    }
  }
  return true;
}

std::vector<SubscriptionPair> methodPairs(const Reader& reader, const toml::node& node,
                                          std::string_view key) {
  const toml::array* array = node.as_array();
  constexpr std::string_view kShape = "expected an array of [\"subscribe\", \"unsubscribe\"] pairs";
  if (array == nullptr) reader.fail(&node, key, kShape);
  std::vector<SubscriptionPair> pairs;
  for (const toml::node& element : *array) {
    const toml::array* pair = element.as_array();
    if (pair == nullptr || pair->size() != 2 || !pair->get(0)->is_string() ||
        !pair->get(1)->is_string()) {
      reader.fail(&element, key, kShape);
    }
    SubscriptionPair out{*pair->get(0)->value_exact<std::string>(),
                         *pair->get(1)->value_exact<std::string>()};
    if (out.subscribe.empty() || out.unsubscribe.empty()) {
      reader.fail(&element, key, "method names must not be empty");
    }
    pairs.push_back(std::move(out));
  }
  return pairs;
}

template <typename Handlers>
void readTable(const Reader& reader, const toml::table& table, std::string_view prefix,
               const Handlers& handlers, std::string_view table_name) {
  for (const auto& [key, node] : table) {
    const std::string name(key.str());
    const auto handler = handlers.find(name);
    if (handler == handlers.end()) {
      reader.fail(key.source(), std::string(prefix) + name,
                  "unknown key in " + std::string(table_name) + " (see docs/configuration.md)");
    }
    handler->second(node, std::string(prefix) + name);
  }
}

using Handler = std::function<void(const toml::node&, const std::string&)>;

// `src` entries, relative to the configuration's directory; an entry with a wildcard stands for
// the directories it matches (glob(3)), as in Ruff.
std::vector<fs::path> importRootsFromSrc(const fs::path& root,
                                         const std::vector<std::string>& src) {
  std::vector<fs::path> roots;
  for (const std::string& entry : src) {
    const fs::path path = (root / entry).lexically_normal();
    if (entry.find_first_of("*?[") == std::string::npos) {
      roots.push_back(path.has_filename() ? path : path.parent_path());
      continue;
    }
    glob_t matches{};
    if (glob(path.c_str(), GLOB_ONLYDIR | GLOB_NOSORT, nullptr, &matches) == 0) {
      for (size_t i = 0; i < matches.gl_pathc; ++i) {
        fs::path match = fs::path(matches.gl_pathv[i]).lexically_normal();  // NOLINT: glob's array
        roots.push_back(match.has_filename() ? match : match.parent_path());
      }
    }
    globfree(&matches);
  }
  std::sort(roots.begin(), roots.end());
  roots.erase(std::unique(roots.begin(), roots.end()), roots.end());
  return roots;
}

// Reads the heaplint table into `settings` (which holds the defaults).
void readSettings(const Reader& reader, const toml::table& table, std::string_view table_name,
                  ResolvedSettings& settings, const std::string& heaplint_version) {
  LintSettings& lint = settings.lint;
  std::optional<std::vector<std::string>> test_file_patterns;
  std::vector<std::string> extend_test_file_patterns;
  std::optional<std::vector<SubscriptionPair>> method_pairs;
  std::vector<SubscriptionPair> extend_method_pairs;
  std::optional<std::vector<std::string>> exclude;
  std::optional<std::vector<std::string>> src;

  const std::map<std::string, Handler> unsubscribed_closure{
      {"method-pairs", [&](const toml::node& n,
                           const std::string& k) { method_pairs = methodPairs(reader, n, k); }},
      {"extend-method-pairs",
       [&](const toml::node& n, const std::string& k) {
         extend_method_pairs = methodPairs(reader, n, k);
       }},
  };
  const std::map<std::string, Handler> missing_slots{
      {"extra-hot-classes",
       [&](const toml::node& n, const std::string& k) {
         lint.extra_hot_classes = reader.strings(n, k);
       }},
  };

  // What libraries do, beyond the built-in table (analyzer/library_knowledge.h): dotted names.
  LibrarySettings& libraries = lint.libraries;
  const std::map<std::string, Handler> library_keys{
      {"unbounded-memoizers",
       [&](const toml::node& n, const std::string& k) {
         libraries.unbounded_memoizers = reader.strings(n, k);
       }},
      {"bounded-memoizers",
       [&](const toml::node& n, const std::string& k) {
         libraries.bounded_memoizers = reader.strings(n, k);
       }},
      {"weak-registries",
       [&](const toml::node& n, const std::string& k) {
         libraries.weak_registries = reader.strings(n, k);
       }},
      {"strong-registries",
       [&](const toml::node& n, const std::string& k) {
         libraries.strong_registries = reader.strings(n, k);
       }},
      {"singleton-getters",
       [&](const toml::node& n, const std::string& k) {
         libraries.singleton_getters = reader.strings(n, k);
       }},
      {"data-sources",
       [&](const toml::node& n, const std::string& k) {
         libraries.data_sources = reader.strings(n, k);
       }},
      {"configuration-sources",
       [&](const toml::node& n, const std::string& k) {
         libraries.configuration_sources = reader.strings(n, k);
       }},
  };

  const std::map<std::string, Handler> handlers{
      {"select", [&](const toml::node& n,
                     const std::string& k) { settings.select = reader.selectors(n, k); }},
      {"extend-select",
       [&](const toml::node& n, const std::string& k) {
         settings.extend_select = reader.selectors(n, k);
       }},
      {"ignore", [&](const toml::node& n,
                     const std::string& k) { settings.ignore = reader.selectors(n, k); }},
      {"per-file-ignores",
       [&](const toml::node& n, const std::string& k) {
         settings.per_file_ignores.clear();  // a `--config` snippet replaces the file's
         for (const auto& [pattern, selectors] : reader.table(n, k)) {
           const std::string key = k + "." + std::string(pattern.str());
           PerFileIgnore entry{PathPattern(pattern.str()), {}, {}};
           entry.selectors = reader.selectors(selectors, key, &entry.rules);
           settings.per_file_ignores.push_back(std::move(entry));
         }
       }},
      {"exclude",
       [&](const toml::node& n, const std::string& k) { exclude = reader.strings(n, k); }},
      {"extend-exclude",
       [&](const toml::node& n, const std::string& k) {
         settings.extend_exclude = reader.strings(n, k);
       }},
      {"src", [&](const toml::node& n, const std::string& k) { src = reader.strings(n, k); }},
      {"respect-gitignore",
       [&](const toml::node& n, const std::string& k) {
         settings.respect_gitignore = reader.boolean(n, k);
       }},
      {"cache-dir",
       [&](const toml::node& n, const std::string& k) {
         const std::string directory = reader.string(n, k);
         if (directory.empty()) reader.fail(&n, k, "expected a directory, found an empty string");
         settings.cache_dir = (settings.root / directory).lexically_normal();
       }},
      {"ruff-noqa-codes",
       [&](const toml::node& n, const std::string& k) {
         lint.ruff_noqa_codes = reader.boolean(n, k);
       }},
      {"preview",
       [&](const toml::node& n, const std::string& k) { settings.preview = reader.boolean(n, k); }},
      {"fix",
       [&](const toml::node& n, const std::string& k) { settings.fix = reader.boolean(n, k); }},
      {"extend",
       [](const toml::node&, const std::string&) {}},  // read first: readConfigurationFile
      {"include",
       [&](const toml::node& n, const std::string& k) { settings.include = reader.strings(n, k); }},
      {"extend-include",
       [&](const toml::node& n, const std::string& k) {
         settings.extend_include = reader.strings(n, k);
       }},
      {"unsafe-fixes", [&](const toml::node& n,
                           const std::string& k) { settings.unsafe_fixes = reader.boolean(n, k); }},
      {"show-fixes", [&](const toml::node& n,
                         const std::string& k) { settings.show_fixes = reader.boolean(n, k); }},
      {"force-exclude",
       [&](const toml::node& n, const std::string& k) {
         settings.force_exclude = reader.boolean(n, k);
       }},
      {"output-format",
       [&](const toml::node& n, const std::string& k) {
         settings.output_format = reader.string(n, k);
       }},
      {"required-version",
       [&](const toml::node& n, const std::string& k) {
         const std::string required = reader.string(n, k);
         std::string problem;
         if (!versionSatisfies(heaplint_version, required, problem)) reader.fail(&n, k, problem);
         settings.required_version = required;
       }},
      {"fixable",
       [&](const toml::node& n, const std::string& k) {
         settings.fixable_selectors = reader.selectors(n, k);
       }},
      {"unfixable",
       [&](const toml::node& n, const std::string& k) {
         settings.unfixable_selectors = reader.selectors(n, k);
       }},
      {"target-version",
       [&](const toml::node& n, const std::string& k) {
         const std::string name = reader.string(n, k);
         const std::optional<PythonVersion> version = parsePythonVersion(name);
         if (!version) {
           reader.fail(&n, k,
                       "unknown Python version `" + name + "` (expected one of " +
                           supportedVersionList() + ")");
         }
         lint.target_version = *version;
       }},
      {"test-file-patterns",
       [&](const toml::node& n, const std::string& k) {
         test_file_patterns = reader.strings(n, k);
       }},
      {"extend-test-file-patterns",
       [&](const toml::node& n, const std::string& k) {
         extend_test_file_patterns = reader.strings(n, k);
       }},
      {"unsubscribed-closure",
       [&](const toml::node& n, const std::string& k) {
         readTable(reader, reader.table(n, k), k + ".", unsubscribed_closure, reader.tableName(k));
       }},
      {"missing-slots-on-hot-class",
       [&](const toml::node& n, const std::string& k) {
         readTable(reader, reader.table(n, k), k + ".", missing_slots, reader.tableName(k));
       }},
      {"libraries",
       [&](const toml::node& n, const std::string& k) {
         readTable(reader, reader.table(n, k), k + ".", library_keys, reader.tableName(k));
       }},
  };
  readTable(reader, table, "", handlers, table_name);

  if (exclude) settings.exclude = std::move(*exclude);
  if (src) settings.src = importRootsFromSrc(settings.root, *src);
  if (test_file_patterns) lint.test_file_patterns = std::move(*test_file_patterns);
  lint.test_file_patterns.insert(lint.test_file_patterns.end(), extend_test_file_patterns.begin(),
                                 extend_test_file_patterns.end());
  if (method_pairs) lint.subscription_pairs = std::move(*method_pairs);
  lint.subscription_pairs.insert(lint.subscription_pairs.end(), extend_method_pairs.begin(),
                                 extend_method_pairs.end());
}

// Applies the command line and computes what the written settings imply.
void finish(ResolvedSettings& settings, const SettingsOverrides& overrides) {
  if (overrides.select) {
    settings.select = overrides.select;
    settings.extend_select.clear();
  }
  settings.extend_select.insert(settings.extend_select.end(), overrides.extend_select.begin(),
                                overrides.extend_select.end());
  settings.ignore.insert(settings.ignore.end(), overrides.ignore.begin(), overrides.ignore.end());
  if (overrides.respect_gitignore) settings.respect_gitignore = *overrides.respect_gitignore;
  if (overrides.preview) settings.preview = *overrides.preview;
  settings.lint.preview = settings.preview;
  settings.ignore_noqa = overrides.ignore_noqa;

  // Selectors were checked when read (command-line ones when parsed).
  RuleSelection selection =
      resolveRuleSelection(allRules(), settings.select ? &*settings.select : nullptr,
                           settings.extend_select, settings.ignore, settings.preview);
  settings.enabled = selection.enabled;
  settings.warnings.clear();
  for (const std::string& selector : selection.ignored_preview) {
    settings.warnings.push_back("Selection `" + selector +
                                "` has no effect because preview is not enabled.");
  }

  settings.extend_exclude.insert(settings.extend_exclude.end(), overrides.extend_exclude.begin(),
                                 overrides.extend_exclude.end());
  for (const std::string& entry : overrides.extend_per_file_ignores) {
    // `PATTERN:CODE,CODE`; checked when the command line was read.
    const size_t colon = entry.rfind(':');
    PerFileIgnore ignore{PathPattern(entry.substr(0, colon)), {}, {}};
    std::string codes = entry.substr(colon + 1);
    for (size_t start = 0; start <= codes.size();) {
      size_t end = codes.find(',', start);
      if (end == std::string::npos) end = codes.size();
      if (end > start) {
        ignore.selectors.push_back(codes.substr(start, end - start));
        selectRules(allRules(), ignore.selectors.back(), ignore.rules);
      }
      start = end + 1;
    }
    settings.per_file_ignores.push_back(std::move(ignore));
  }

  settings.fixable = RuleSet();
  if (settings.fixable_selectors.empty()) settings.fixable.set();
  for (const std::string& selector : settings.fixable_selectors) {
    selectRules(allRules(), selector, settings.fixable);
  }
  for (const std::string& selector : settings.unfixable_selectors) {
    RuleSet unfixable;
    selectRules(allRules(), selector, unfixable);
    settings.fixable &= ~unfixable;
  }

  settings.include_patterns.clear();
  for (const std::vector<std::string>* patterns : {&settings.include, &settings.extend_include}) {
    for (const std::string& pattern : *patterns)
      settings.include_patterns.emplace_back(pattern);
  }

  settings.exclude_patterns.clear();
  for (const std::string& pattern : settings.exclude)
    settings.exclude_patterns.emplace_back(pattern);
  for (const std::string& pattern : settings.extend_exclude) {
    settings.exclude_patterns.emplace_back(pattern);
  }
}

// Reads one configuration file into `settings`: first the file it extends (`extend`, relative to
// it), then its own keys on top. `chain` holds the files being read, against cycles.
void readConfigurationFile(const fs::path& file, const SettingsOverrides& overrides,
                           ResolvedSettings& settings, std::vector<fs::path>& chain) {
  chain.push_back(file);
  const toml::table document = parseToml(file);
  const bool pyproject = file.filename() == "pyproject.toml";
  const toml::table* table = &document;
  std::string prefix;
  if (pyproject) {
    // A pyproject.toml named by --config without the table gives the defaults, as in Ruff.
    if (const std::optional<std::string> requires_python =
            document["project"]["requires-python"].value_exact<std::string>()) {
      if (const std::optional<PythonVersion> version = lowestPythonVersion(*requires_python)) {
        settings.lint.target_version = *version;
      }
    }
    const toml::node_view<const toml::node> heaplint = document["tool"]["heaplint"];
    table = heaplint ? &Reader(file, "").table(*heaplint.node(), "tool.heaplint") : nullptr;
    prefix = "tool.heaplint.";
  }
  if (table == nullptr) return;
  const Reader reader(file, prefix);
  if (const toml::node* extend = table->get("extend")) {
    const fs::path base =
        (file.parent_path() / reader.string(*extend, "extend")).lexically_normal();
    if (std::find(chain.begin(), chain.end(), base) != chain.end()) {
      reader.fail(extend, "extend", "`" + base.string() + "` extends this file again: a cycle");
    }
    if (chain.size() > 16) reader.fail(extend, "extend", "more than 16 files extend each other");
    readConfigurationFile(base, overrides, settings, chain);
  }
  readSettings(reader, *table, pyproject ? "[tool.heaplint]" : "the configuration", settings,
               overrides.heaplint_version);
}

// `--config 'KEY = VALUE'`: each snippet is read as if written in the configuration.
void readSnippets(const SettingsOverrides& overrides, ResolvedSettings& settings) {
  for (const std::string& snippet : overrides.snippets) {
    toml::table table;
    try {
      table = toml::parse(std::string_view(snippet), std::string_view("--config"));
    } catch (const toml::parse_error& error) {
      throw ConfigError("--config `" + snippet + "`: not a configuration file, nor valid TOML: " +
                        std::string(error.description()));
    }
    readSettings(Reader(fs::path("--config"), ""), table, "the configuration", settings,
                 overrides.heaplint_version);
  }
}

}  // namespace

bool isConfigurationSnippet(std::string_view text) {
  try {
    (void)toml::parse(text);
    return text.find('=') != std::string_view::npos;
  } catch (const toml::parse_error&) {
    return false;
  }
}

void mergeForProject(LintSettings& merged, const LintSettings& other) {
  merged.target_version = std::min(merged.target_version, other.target_version);
  const auto addMissing = [](std::vector<std::string>& to, const std::vector<std::string>& from) {
    for (const std::string& name : from) {
      if (std::find(to.begin(), to.end(), name) == to.end()) to.push_back(name);
    }
  };
  addMissing(merged.extra_hot_classes, other.extra_hot_classes);
  // What a library does is true of it wherever it is used.
  LibrarySettings& libraries = merged.libraries;
  addMissing(libraries.unbounded_memoizers, other.libraries.unbounded_memoizers);
  addMissing(libraries.bounded_memoizers, other.libraries.bounded_memoizers);
  addMissing(libraries.weak_registries, other.libraries.weak_registries);
  addMissing(libraries.strong_registries, other.libraries.strong_registries);
  addMissing(libraries.singleton_getters, other.libraries.singleton_getters);
  addMissing(libraries.data_sources, other.libraries.data_sources);
  addMissing(libraries.configuration_sources, other.libraries.configuration_sources);
}

std::string pythonVersionName(PythonVersion version) {
  return "py" + std::to_string(version.major) + std::to_string(version.minor);
}

const std::vector<std::string>& defaultExclude() {
  static const std::vector<std::string> directories = {
      ".bzr",          ".direnv",         ".eggs",          ".git",
      ".hg",           ".heaplint_cache", ".mypy_cache",    ".nox",
      ".pytest_cache", ".ruff_cache",     ".svn",           ".tox",
      ".venv",         "__pycache__",     "__pypackages__", "_build",
      "buck-out",      "build",           "dist",           "node_modules",
      "venv",          "site-packages"};
  return directories;
}

RuleSet ResolvedSettings::reportedFor(const fs::path& file) const {
  RuleSet reported = enabled;
  if (per_file_ignores.empty()) return reported;
  const std::string relative = relativeBelow(file, root);
  for (const PerFileIgnore& entry : per_file_ignores) {
    if (entry.pattern.matchesPathOrParent(relative, false)) reported &= ~entry.rules;
  }
  return reported;
}

bool ResolvedSettings::isIncluded(const fs::path& file) const {
  std::string relative = relativeBelow(file, root);
  if (relative.empty()) relative = file.filename().string();
  return std::any_of(include_patterns.begin(), include_patterns.end(),
                     [&](const PathPattern& p) { return p.matchesEntry(relative, false); });
}

bool ResolvedSettings::isExcluded(const fs::path& path, bool is_directory, bool whole_path) const {
  const std::string relative = relativeBelow(path, root);
  // Outside the root only names can match: `build` still excludes ../build/x.py.
  if (relative.empty()) {
    const std::string name = path.filename().string();
    return std::any_of(exclude_patterns.begin(), exclude_patterns.end(),
                       [&](const PathPattern& p) { return p.matchesEntry(name, is_directory); });
  }
  return std::any_of(exclude_patterns.begin(), exclude_patterns.end(), [&](const PathPattern& p) {
    return whole_path ? p.matchesPathOrParent(relative, is_directory)
                      : p.matchesEntry(relative, is_directory);
  });
}

AnalysisOptions ResolvedSettings::analysisOptions(const fs::path& file) const {
  AnalysisOptions options;
  options.rules = allRules();
  options.enabled = enabled;
  options.reported = reportedFor(file);
  options.settings = &lint;
  options.ignore_noqa = ignore_noqa;
  options.fixable = fixable;
  return options;
}

ResolvedSettings defaultSettings(const fs::path& root, const SettingsOverrides& overrides) {
  ResolvedSettings settings;
  settings.root = root;
  settings.exclude = defaultExclude();
  readSnippets(overrides, settings);
  finish(settings, overrides);
  return settings;
}

bool pyprojectHasHeaplintTable(const fs::path& file) {
  const toml::table document = parseToml(file);
  return document["tool"]["heaplint"].as_table() != nullptr;
}

ResolvedSettings loadSettings(const fs::path& file, const SettingsOverrides& overrides) {
  std::error_code error;
  const fs::path absolute = fs::absolute(file, error).lexically_normal();
  ResolvedSettings settings;
  settings.config_file = absolute;
  settings.root = absolute.parent_path();
  settings.src = importRootsFromSrc(settings.root, {".", "src"});
  settings.exclude = defaultExclude();

  std::vector<fs::path> chain;
  readConfigurationFile(absolute, overrides, settings, chain);
  readSnippets(overrides, settings);
  finish(settings, overrides);
  return settings;
}

}  // namespace heaplint::config
