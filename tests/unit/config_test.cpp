// Configuration files: keys and values, errors with their position, which file applies to a path,
// and per-file ignores.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "analyzer/library_knowledge.h"
#include "config/config_resolver.h"
#include "config/configuration.h"
#include "config/path_patterns.h"
#include "rules/registry.h"

namespace heaplint::config {
namespace {
namespace fs = std::filesystem;

// The rules that run without `--preview`: every rule but the preview ones.
size_t defaultRuleCount() {
  size_t count = 0;
  for (const RuleDefinition* rule : allRules())
    count += rule->preview ? 0 : 1;
  return count;
}

int ruleIndex(std::string_view code) {
  return findRule(allRules(), code);
}

bool has(const RuleSet& rules, std::string_view code) {
  return rules.test(static_cast<size_t>(ruleIndex(code)));
}

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "heaplint-config-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = fs::canonical(pattern);
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path write(const std::string& relative, const std::string& contents) {
    fs::path path = root_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << contents;
    return path;
  }

  // The ConfigError message for loading `contents` as heaplint.toml.
  std::string errorFor(const std::string& contents, const std::string& name = "heaplint.toml") {
    const fs::path file = write(name, contents);
    try {
      loadSettings(file, {});
    } catch (const ConfigError& error) {
      return error.what();
    }
    return "(no error)";
  }

  fs::path root_;
};

TEST_F(ConfigTest, DefaultsEnableEveryRuleAndExcludeTheUsualDirectories) {
  const ResolvedSettings settings = defaultSettings(root_, {});
  EXPECT_EQ(settings.enabled.count(), defaultRuleCount());
  EXPECT_TRUE(settings.isExcluded(root_ / "pkg" / ".venv", true, false));
  EXPECT_TRUE(settings.isExcluded(root_ / "build" / "gen.py", false, true));
  EXPECT_FALSE(settings.isExcluded(root_ / "build" / "gen.py", false, false));
  EXPECT_FALSE(settings.isExcluded(root_ / "src" / "app.py", false, true));
  EXPECT_EQ(settings.lint.target_version, (PythonVersion{3, 10}));
}

TEST(TestFilePatterns, DefaultsCoverPytestUnittestAndDjangoLayouts) {
  const std::vector<std::string>& patterns = LintSettings::defaults().test_file_patterns;
  for (const char* path :
       {"pkg/test_io.py", "pkg/io_test.py", "polls/tests.py", "parser/parser_tests.py",
        "conftest.py", "pkg/tests/helpers.py", "test/data/make.py", "polls/tests_integration.py",
        "myapp/testutils.py", "pkg/testing/helpers.py", "benchmarks/bench_io.py"}) {
    EXPECT_TRUE(isTestFile(path, patterns)) << path;
  }
  for (const char* path :
       {"pkg/testing.py", "pkg/contests.py", "pkg/latest.py", "pkg/attestation/helper_lib.py",
        "pkg/protests/x.py", "pkg/latests_io.py", "pkg/benchmark.py", "pkg/mytesting/x.py"}) {
    EXPECT_FALSE(isTestFile(path, patterns)) << path;
  }
}

TEST_F(ConfigTest, ReadsEveryKey) {
  const fs::path file = write("heaplint.toml", R"(
select = ["MEM1", "MEM2"]
extend-select = ["MEM501"]
preview = true
ignore = ["unbounded-lru-cache"]
exclude = ["generated/"]
extend-exclude = ["*_pb2.py"]
respect-gitignore = false
target-version = "py38"
test-file-patterns = ["check_*.py"]
extend-test-file-patterns = ["spec/"]

[per-file-ignores]
"scripts/*" = ["MEM101"]

[unsubscribed-closure]
method-pairs = [["watch", "unwatch"]]
extend-method-pairs = [["attach", "detach"]]

[missing-slots-on-hot-class]
extra-hot-classes = ["app.models.Point"]
)");
  const ResolvedSettings settings = loadSettings(file, {});
  EXPECT_EQ(settings.config_file, file);
  EXPECT_EQ(settings.root, root_);
  EXPECT_TRUE(has(settings.enabled, "MEM101"));
  EXPECT_TRUE(has(settings.enabled, "MEM201"));
  EXPECT_FALSE(has(settings.enabled, "MEM202"));
  EXPECT_TRUE(has(settings.enabled, "MEM203"));  // a preview rule: `preview = true`
  EXPECT_FALSE(has(settings.enabled, "MEM301"));
  EXPECT_TRUE(has(settings.enabled, "MEM501"));
  EXPECT_FALSE(has(settings.enabled, "MEM502"));
  EXPECT_TRUE(settings.lint.preview);
  EXPECT_FALSE(settings.respect_gitignore);
  EXPECT_EQ(settings.lint.target_version, (PythonVersion{3, 8}));
  EXPECT_EQ(settings.lint.test_file_patterns, (std::vector<std::string>{"check_*.py", "spec/"}));
  ASSERT_EQ(settings.lint.subscription_pairs.size(), 2u);
  EXPECT_EQ(settings.lint.subscription_pairs[0].subscribe, "watch");
  EXPECT_EQ(settings.lint.subscription_pairs[1].unsubscribe, "detach");
  EXPECT_EQ(settings.lint.extra_hot_classes, std::vector<std::string>{"app.models.Point"});
  // `exclude` replaces the default directories; `extend-exclude` adds.
  EXPECT_FALSE(settings.isExcluded(root_ / "build", true, false));
  EXPECT_TRUE(settings.isExcluded(root_ / "generated", true, false));
  EXPECT_TRUE(settings.isExcluded(root_ / "generated" / "x.py", false, true));
  EXPECT_TRUE(settings.isExcluded(root_ / "deep" / "api_pb2.py", false, false));
  // per-file-ignores: relative to the configuration's directory.
  EXPECT_FALSE(has(settings.reportedFor(root_ / "scripts" / "run.py"), "MEM101"));
  EXPECT_TRUE(has(settings.reportedFor(root_ / "scripts" / "run.py"), "MEM201"));
  EXPECT_TRUE(has(settings.reportedFor(root_ / "src" / "scripts" / "run.py"), "MEM101"));
  EXPECT_TRUE(has(settings.reportedFor(root_ / "app.py"), "MEM101"));
}

TEST_F(ConfigTest, AnalysisOptionsCarryRulesAndSettings) {
  const fs::path file = write("heaplint.toml",
                              "select = [\"MEM1\", \"MEM5\"]\n"
                              "target-version = \"py312\"\n"
                              "[per-file-ignores]\n\"gen_*.py\" = [\"MEM5\"]\n");
  const ResolvedSettings settings = loadSettings(file, {});
  const AnalysisOptions options = settings.analysisOptions(root_ / "gen_x.py");
  EXPECT_EQ(options.rules.size(), allRules().size());
  EXPECT_EQ(options.enabled, settings.enabled);
  EXPECT_TRUE(has(options.reported, "MEM101"));
  EXPECT_FALSE(has(options.reported, "MEM501"));
  EXPECT_EQ(options.settings, &settings.lint);
  EXPECT_EQ(options.settings->target_version, (PythonVersion{3, 12}));
}

TEST_F(ConfigTest, TargetVersionDefaultsToRequiresPython) {
  const fs::path file =
      write("pyproject.toml", "[project]\nrequires-python = \">= 3.9, <4\"\n\n[tool.heaplint]\n");
  EXPECT_EQ(loadSettings(file, {}).lint.target_version, (PythonVersion{3, 9}));
  write("pyproject.toml", "[project]\nrequires-python = \">=3.6\"\n[tool.heaplint]\n");
  EXPECT_EQ(loadSettings(file, {}).lint.target_version, (PythonVersion{3, 8}));  // clamped
  write("pyproject.toml",
        "[project]\nrequires-python = \"~=3.11\"\n[tool.heaplint]\ntarget-version = \"py312\"\n");
  EXPECT_EQ(loadSettings(file, {}).lint.target_version, (PythonVersion{3, 12}));  // explicit wins
  write("pyproject.toml", "[project]\nrequires-python = \"<3.12\"\n[tool.heaplint]\n");
  EXPECT_EQ(loadSettings(file, {}).lint.target_version, (PythonVersion{3, 10}));  // no lower bound
  // A minor version past any int (fuzz_config): the newest known, no overflow.
  write("pyproject.toml",
        "[project]\nrequires-python = \"==3." + std::string(90, '9') + "1\"\n[tool.heaplint]\n");
  EXPECT_EQ(loadSettings(file, {}).lint.target_version, (PythonVersion{3, 13}));
}

TEST_F(ConfigTest, ExtendMethodPairsKeepsTheDefaults) {
  const fs::path file = write("heaplint.toml",
                              "[unsubscribed-closure]\n"
                              "extend-method-pairs = [[\"watch\", \"unwatch\"]]\n");
  const ResolvedSettings settings = loadSettings(file, {});
  EXPECT_EQ(settings.lint.subscription_pairs.size(),
            LintSettings::defaults().subscription_pairs.size() + 1);
  EXPECT_EQ(settings.lint.subscription_pairs.back().subscribe, "watch");
}

TEST_F(ConfigTest, LibrariesExtendTheTableAndMergeAcrossAProject) {
  const fs::path file = write("heaplint.toml",
                              "[libraries]\n"
                              "weak-registries = [\"myapp.signals.\"]\n"
                              "strong-registries = [\"*.add_observer\"]\n"
                              "singleton-getters = [\"myapp.config.current\"]\n"
                              "unbounded-memoizers = [\"myapp.memo\"]\n"
                              "bounded-memoizers = [\"myapp.lru\"]\n"
                              "data-sources = [\"*.stream_rows\"]\n"
                              "configuration-sources = [\"myapp.config.OPTIONS\"]\n");
  const ResolvedSettings settings = loadSettings(file, {});
  const LibrarySettings& libraries = settings.lint.libraries;
  EXPECT_EQ(libraries.weak_registries, std::vector<std::string>{"myapp.signals."});
  EXPECT_EQ(libraries.strong_registries, std::vector<std::string>{"*.add_observer"});
  EXPECT_EQ(libraries.singleton_getters, std::vector<std::string>{"myapp.config.current"});
  EXPECT_EQ(libraries.unbounded_memoizers, std::vector<std::string>{"myapp.memo"});
  EXPECT_EQ(libraries.bounded_memoizers, std::vector<std::string>{"myapp.lru"});
  EXPECT_EQ(libraries.data_sources, std::vector<std::string>{"*.stream_rows"});
  EXPECT_EQ(libraries.configuration_sources, std::vector<std::string>{"myapp.config.OPTIONS"});
  EXPECT_EQ(LibraryKnowledge(libraries).registry("myapp.signals.saved", "connect"),
            RegistryHold::WeakByDefault);
  EXPECT_NE(errorFor("[libraries]\nweak-registries = \"x\"\n").find("`libraries.weak-registries`"),
            std::string::npos);
  EXPECT_NE(errorFor("[libraries]\nweak-registry = [\"x\"]\n").find("unknown key"),
            std::string::npos);
  // A project's join knows what every configuration says of the libraries.
  LintSettings merged;
  mergeForProject(merged, settings.lint);
  mergeForProject(merged, settings.lint);
  EXPECT_EQ(merged.libraries.weak_registries, std::vector<std::string>{"myapp.signals."});
}

TEST_F(ConfigTest, PerFileIgnoresWithoutSlashMatchAnyDepth) {
  const fs::path file = write("heaplint.toml",
                              "[per-file-ignores]\n"
                              "\"test_*.py\" = [\"ALL\"]\n"
                              "\"legacy/**/*.py\" = [\"gc-debug-saveall\"]\n");
  const ResolvedSettings settings = loadSettings(file, {});
  EXPECT_TRUE(settings.reportedFor(root_ / "a" / "b" / "test_x.py").none());
  EXPECT_EQ(settings.reportedFor(root_ / "a" / "x_test.py").count(), defaultRuleCount());
  EXPECT_FALSE(has(settings.reportedFor(root_ / "legacy" / "old" / "m.py"), "MEM503"));
  EXPECT_TRUE(has(settings.reportedFor(root_ / "legacy" / "old" / "m.py"), "MEM501"));
}

TEST_F(ConfigTest, CommandLineOverridesTheFile) {
  const fs::path file = write("heaplint.toml", "select = [\"MEM5\"]\nignore = [\"MEM502\"]\n");
  SettingsOverrides overrides;
  overrides.select = std::vector<std::string>{"MEM101", "MEM502"};
  overrides.ignore = {"MEM101"};
  overrides.respect_gitignore = false;
  const ResolvedSettings settings = loadSettings(file, overrides);
  // --select replaces the configured select; both ignores still apply.
  EXPECT_EQ(settings.enabled.count(), 0u);
  EXPECT_FALSE(settings.respect_gitignore);

  SettingsOverrides extend;
  extend.extend_select = {"MEM101"};
  const ResolvedSettings extended = loadSettings(file, extend);
  EXPECT_TRUE(has(extended.enabled, "MEM101"));
  EXPECT_TRUE(has(extended.enabled, "MEM501"));
  EXPECT_FALSE(has(extended.enabled, "MEM502"));
}

TEST_F(ConfigTest, UnknownKeyNamesFileLineAndKey) {
  EXPECT_EQ(errorFor("select = [\"MEM1\"]\nselekt = [\"MEM1\"]\n"),
            (root_ / "heaplint.toml").string() +
                ":2:1: `selekt`: unknown key in the configuration (see "
                "docs/configuration.md)");
}

TEST_F(ConfigTest, UnknownKeyInPyprojectShowsTheTablePath) {
  const std::string message =
      errorFor("[project]\nname = \"x\"\n\n[tool.heaplint.unsubscribed-closure]\npairs = []\n",
               "pyproject.toml");
  EXPECT_NE(message.find("pyproject.toml:5:1: `tool.heaplint.unsubscribed-closure.pairs`: "
                         "unknown key in [tool.heaplint.unsubscribed-closure]"),
            std::string::npos)
      << message;
}

TEST_F(ConfigTest, BadValuesAreErrors) {
  EXPECT_NE(errorFor("select = \"MEM1\"\n")
                .find(":1:10: `select`: expected an array of strings, "
                      "found a string"),
            std::string::npos);
  EXPECT_NE(
      errorFor("ignore = [\"MEM999\"]\n").find(":1:11: `ignore`: unknown rule selector `MEM999`"),
      std::string::npos);
  EXPECT_NE(errorFor("target-version = \"py27\"\n")
                .find("`target-version`: unknown Python version `py27` (expected one of py38, "
                      "py39, py310, py311, py312, py313)"),
            std::string::npos);
  EXPECT_NE(errorFor("respect-gitignore = 1\n")
                .find("`respect-gitignore`: expected true or false, found an integer"),
            std::string::npos);
  EXPECT_NE(errorFor("[unsubscribed-closure]\nmethod-pairs = [[\"a\"]]\n")
                .find("`unsubscribed-closure.method-pairs`: expected an array of"),
            std::string::npos);
  EXPECT_NE(errorFor("[per-file-ignores]\n\"x.py\" = [\"nope\"]\n")
                .find("`per-file-ignores.x.py`: unknown rule selector `nope`"),
            std::string::npos);
  EXPECT_NE(errorFor("[stray-gc-collect]\n").find("`stray-gc-collect`: unknown key"),
            std::string::npos);
}

TEST_F(ConfigTest, InvalidTomlIsAnErrorWithPosition) {
  const std::string message = errorFor("select = [\"MEM1\"\n");
  EXPECT_NE(message.find("heaplint.toml:"), std::string::npos) << message;
  EXPECT_NE(message.find("not valid TOML"), std::string::npos) << message;
}

TEST_F(ConfigTest, PrecedenceWithinOneDirectory) {
  write("pyproject.toml", "[tool.heaplint]\nselect = [\"MEM101\"]\n");
  EXPECT_EQ(ConfigResolver::configFileIn(root_), root_ / "pyproject.toml");
  write("heaplint.toml", "select = [\"MEM201\"]\n");
  EXPECT_EQ(ConfigResolver::configFileIn(root_), root_ / "heaplint.toml");
  write(".heaplint.toml", "select = [\"MEM301\"]\n");
  EXPECT_EQ(ConfigResolver::configFileIn(root_), root_ / ".heaplint.toml");
}

TEST_F(ConfigTest, PyprojectWithoutTheTableIsSkipped) {
  write("heaplint.toml", "select = [\"MEM501\"]\n");
  write("pkg/pyproject.toml", "[tool.black]\nline-length = 100\n");
  ConfigResolver resolver({});
  const ResolvedSettings& settings = resolver.forFile(root_ / "pkg" / "mod.py");
  EXPECT_EQ(settings.config_file, root_ / "heaplint.toml");
  EXPECT_EQ(settings.enabled.count(), 1u);
}

TEST_F(ConfigTest, ClosestConfigurationWinsWithoutMerging) {
  write("pyproject.toml", "[tool.heaplint]\nselect = [\"MEM1\"]\ntarget-version = \"py38\"\n");
  write("sub/.heaplint.toml", "ignore = [\"MEM5\"]\n");
  ConfigResolver resolver({});
  const ResolvedSettings& top = resolver.forFile(root_ / "a.py");
  const ResolvedSettings& nested = resolver.forFile(root_ / "sub" / "deeper" / "b.py");
  EXPECT_EQ(top.config_file, root_ / "pyproject.toml");
  EXPECT_EQ(nested.config_file, root_ / "sub" / ".heaplint.toml");
  EXPECT_EQ(nested.root, root_ / "sub");
  EXPECT_TRUE(has(nested.enabled, "MEM204"));  // the parent's select is not inherited
  EXPECT_EQ(nested.lint.target_version, (PythonVersion{3, 10}));
  // Cached: the same object for every file in the tree.
  EXPECT_EQ(&resolver.forFile(root_ / "sub" / "c.py"), &nested);
  EXPECT_EQ(&resolver.forDirectory(root_ / "sub" / "deeper"), &nested);
}

TEST_F(ConfigTest, ResolvesFromManyThreadsToTheSameSettings) {
  write("heaplint.toml", "select = [\"MEM1\"]\n");
  write("a/heaplint.toml", "select = [\"MEM2\"]\n");
  ConfigResolver resolver({});
  std::vector<const ResolvedSettings*> seen(64);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = t; i < seen.size(); i += 4) {
        const fs::path directory = i % 2 ? root_ / "a" / std::to_string(i) : root_ / "b";
        seen[i] = &resolver.forFile(directory / "x.py");
      }
    });
  }
  for (std::thread& thread : threads)
    thread.join();
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i], seen[i % 2]) << i;
  }
  EXPECT_EQ(seen[0]->config_file, root_ / "heaplint.toml");
  EXPECT_EQ(seen[1]->config_file, root_ / "a" / "heaplint.toml");
}

TEST_F(ConfigTest, ExplicitConfigAndIsolated) {
  write("pyproject.toml", "[tool.heaplint]\nselect = [\"MEM1\"]\n");
  const fs::path other = write("elsewhere/custom.toml", "select = [\"MEM204\"]\n");
  ConfigResolver explicit_config(ResolverOptions{other, false, {}});
  EXPECT_EQ(explicit_config.forFile(root_ / "a.py").config_file, other);
  EXPECT_EQ(explicit_config.forFile(root_ / "a.py").enabled.count(), 1u);

  ConfigResolver isolated(ResolverOptions{std::nullopt, true, {}});
  EXPECT_TRUE(isolated.forFile(root_ / "a.py").config_file.empty());
  EXPECT_EQ(isolated.forFile(root_ / "a.py").enabled.count(), defaultRuleCount());
}

TEST_F(ConfigTest, InvalidConfigurationIsReportedWhenResolved) {
  write("bad/heaplint.toml", "nope = 1\n");
  ConfigResolver resolver({});
  EXPECT_THROW(resolver.forFile(root_ / "bad" / "x.py"), ConfigError);
  EXPECT_THROW(ConfigResolver(ResolverOptions{root_ / "bad" / "heaplint.toml", false, {}}),
               ConfigError);
}

TEST(PathPattern, GitignoreLikeSemantics) {
  EXPECT_TRUE(PathPattern("build").matchesEntry("a/build", true));
  EXPECT_TRUE(PathPattern("build").matchesEntry("build", false));
  EXPECT_FALSE(PathPattern("build/").matchesEntry("build", false));
  EXPECT_TRUE(PathPattern("build/").matchesEntry("build", true));
  EXPECT_TRUE(PathPattern("src/gen").matchesEntry("src/gen", true));
  EXPECT_FALSE(PathPattern("src/gen").matchesEntry("x/src/gen", true));
  EXPECT_TRUE(PathPattern("./src/gen").matchesPathOrParent("src/gen/a/b.py", false));
  EXPECT_TRUE(PathPattern("/src").matchesPathOrParent("src/a.py", false));
  EXPECT_TRUE(PathPattern("**/gen/*.py").matchesEntry("a/b/gen/x.py", false));
  EXPECT_FALSE(PathPattern("*.py").matchesEntry("", false));
}

// Plain absolute paths take a string shortcut; it must answer as std::filesystem does.
TEST(PathPattern, RelativeBelowAndNormalFormAgreeWithFilesystem) {
  EXPECT_TRUE(isPlainAbsolute("/a/b.py"));
  for (const char* text : {"a/b", "/", "//a", "/a//b", "/a/./b", "/a/../b", "/a/b/", "/a/.", ""}) {
    EXPECT_FALSE(isPlainAbsolute(text)) << text;
  }
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/p/q/r.py", "/p"}, {"/p/q/r.py", "/p/q"}, {"/p", "/p"},
      {"/pq/r.py", "/p"},  {"/p", "/p/q"},        {"/x/y", "/p/q"},
      {"/p/q", "/p/q/"},   {"/p/./q/r", "/p"},    {"/p/q/../r", "/p"},
  };
  for (const auto& [path, root] : cases) {
    const fs::path relative =
        fs::path(path).lexically_normal().lexically_relative(fs::path(root).lexically_normal());
    std::string expected = relative.generic_string();
    if (relative.empty() || expected == "." || expected == ".." || expected.starts_with("../")) {
      expected.clear();
    }
    if (!isPlainAbsolute(path) || !isPlainAbsolute(root)) continue;  // the slow path's cases
    EXPECT_EQ(relativeBelow(path, root), expected) << path << " below " << root;
  }
  EXPECT_EQ(relativeBelow("/p/q/r.py", "/p"), "q/r.py");
  EXPECT_EQ(relativeBelow("/pq/r.py", "/p"), "");
  EXPECT_EQ(absoluteNormal("/p/q/../r"), fs::path("/p/r"));
  EXPECT_EQ(absoluteNormal("/p/q"), fs::path("/p/q"));
}

}  // namespace
}  // namespace heaplint::config
