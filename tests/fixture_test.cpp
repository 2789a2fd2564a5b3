// Runs every fixture under fixtures/: a Python file whose lines say what must be flagged.
//
//   total = sum([x for x in xs])  # expect: MEM101
//   # expect+1: MEM101            (the next line)
//   # todo-expect: MEM101         (a known miss: must stay unflagged until the rule learns it)
//   # todo-ok: MEM101             (a known false alarm: flagged today, should not be)
//
// Every other line must stay quiet. A sibling `NAME.fixed.py` is the expected text after applying
// every fix (unsafe ones included) until none applies. Files must parse without errors unless they
// live under fixtures/broken/. A folder whose name ends in `_project` is linted as one project
// (the folder is its project root: module names follow the __init__.py packages below it), so
// cross-file rules see all of its files.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/code_text.h"
#include "analyzer/fix.h"
#include "analyzer/project.h"
#include "rules/registry.h"

namespace heaplint {
namespace {
namespace fs = std::filesystem;

const fs::path kFixturesDir = HEAPLINT_FIXTURES_DIR;

std::string readAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

bool isLintedFile(const fs::path& path) {
  const std::string file = path.filename().string();
  return file.ends_with(".py") && !file.ends_with(".fixed.py");
}

// One test case: a single file, or every file of a `_project` folder.
struct Fixture {
  fs::path path;  // the file or the project folder
  std::vector<fs::path> files;
  std::string name;  // for the test's name
};

void PrintTo(const Fixture& fixture, std::ostream* out) {
  *out << fixture.path.generic_string();
}

std::vector<Fixture> discoverFixtures() {
  std::vector<Fixture> fixtures;
  for (auto it = fs::recursive_directory_iterator(kFixturesDir);
       it != fs::recursive_directory_iterator(); ++it) {
    const fs::path& path = it->path();
    Fixture fixture;
    if (it->is_directory() && path.filename().string().ends_with("_project")) {
      it.disable_recursion_pending();
      for (const auto& entry : fs::recursive_directory_iterator(path)) {
        if (entry.is_regular_file() && isLintedFile(entry.path())) {
          fixture.files.push_back(entry.path());
        }
      }
      std::sort(fixture.files.begin(), fixture.files.end());
    } else if (it->is_regular_file() && isLintedFile(path)) {
      fixture.files.push_back(path);
    } else {
      continue;
    }
    fixture.path = path;
    fixture.name = fs::relative(path, kFixturesDir).generic_string();
    for (char& c : fixture.name) {
      if (std::isalnum(static_cast<unsigned char>(c)) == 0) c = '_';
    }
    fixtures.push_back(std::move(fixture));
  }
  std::sort(fixtures.begin(), fixtures.end(),
            [](const Fixture& a, const Fixture& b) { return a.name < b.name; });
  return fixtures;
}

// (1-based line, code) -> count
using Findings = std::map<std::pair<uint32_t, std::string>, int>;

struct Expectations {
  Findings expected;
  Findings known_misses;
  Findings known_false_alarms;
};

Expectations parseExpectations(const std::string& text) {
  static const std::regex annotation(
      R"(#\s*(expect|todo-expect|todo-ok)(\+(\d+))?:\s*([A-Za-z0-9_, -]+))");
  Expectations result;
  std::istringstream lines(text);
  std::string line;
  uint32_t row = 0;
  while (std::getline(lines, line)) {
    ++row;
    for (std::sregex_iterator it(line.begin(), line.end(), annotation), end; it != end; ++it) {
      const std::smatch& match = *it;
      const uint32_t target = row + (match[3].matched ? std::stoul(match[3].str()) : 0);
      Findings& into = match[1] == "expect"        ? result.expected
                       : match[1] == "todo-expect" ? result.known_misses
                                                   : result.known_false_alarms;
      std::istringstream codes(match[4].str());
      std::string code;
      while (std::getline(codes, code, ',')) {
        code.erase(std::remove(code.begin(), code.end(), ' '), code.end());
        if (!code.empty()) ++into[{target, code}];
      }
    }
  }
  return result;
}

std::string describe(const Findings& findings) {
  std::string text;
  for (const auto& [key, count] : findings) {
    text += "  line " + std::to_string(key.first) + ": " + key.second;
    if (count > 1) text += " x" + std::to_string(count);
    text += '\n';
  }
  return text.empty() ? "  (none)\n" : text;
}

// Every rule; HL100 (unused-noqa) only for its own fixtures in hl1/, so that the other families'
// fixtures can keep noqa comments that silence nothing as cases of their own.
AnalysisOptions allRulesOptions(const Fixture& fixture) {
  AnalysisOptions options;
  options.rules = allRules();
  const bool noqa_rules = fixture.name.starts_with("hl");
  for (size_t i = 0; i < options.rules.size(); ++i) {
    if (noqa_rules || !options.rules[i]->code.starts_with("HL")) options.enabled.set(i);
  }
  // Fixtures named `*preview*` run in preview mode (`--preview`), where rules also report what is
  // not yet precise on unseen code; fixtures named `*py311*` with `--target-version py311`.
  const bool preview = fixture.name.find("preview") != std::string::npos;
  const bool py311 = fixture.name.find("py311") != std::string::npos;
  static const std::array<LintSettings, 4> kSettings = [] {
    std::array<LintSettings, 4> settings;
    settings[1].preview = true;
    settings[2].target_version = PythonVersion{3, 11};
    settings[3].preview = true;
    settings[3].target_version = PythonVersion{3, 11};
    return settings;
  }();
  if (preview || py311) options.settings = &kSettings[(preview ? 1 : 0) + (py311 ? 2 : 0)];
  return options;
}

std::vector<ProjectSource> loadProject(const Fixture& fixture) {
  std::vector<ProjectSource> project;
  // A fixture is a project of its own: its folder (or a single file's) is the project root.
  const fs::path root =
      fs::absolute(fs::is_directory(fixture.path) ? fixture.path : fixture.path.parent_path())
          .lexically_normal();
  const std::vector<fs::path> import_roots{root, root / "src"};
  for (const fs::path& file : fixture.files) {
    ProjectSource source;
    source.path = fs::relative(file, kFixturesDir).generic_string();
    source.module = moduleInfoForPath(file, import_roots);
    source.module.compiled_beside = hasExtensionModuleBeside(file);
    source.source = std::make_unique<SourceText>(readAll(file));
    project.push_back(std::move(source));
  }
  return project;
}

void checkExpectations(const ProjectSource& file) {
  const std::string& relative = file.path;
  const SourceText& source = *file.source;
  const FileAnalysis& analysis = *file.analysis;
  const bool broken_input_allowed = relative.starts_with("broken/");
  if (!broken_input_allowed) {
    EXPECT_FALSE(analysis.has_syntax_error)
        << relative << " does not parse (first error at byte " << analysis.syntax_error_offset
        << "); only fixtures/broken/ may hold broken input";
  }

  Findings actual;
  for (const Diagnostic& d : analysis.diagnostics) {
    ++actual[{source.rowOf(d.start) + 1, std::string(d.rule->code)}];
  }
  const Expectations expectations = parseExpectations(std::string(source.text()));
  Findings wanted = expectations.expected;
  for (const auto& [key, count] : expectations.known_false_alarms)
    wanted[key] += count;

  Findings missing;
  Findings unexpected;
  for (const auto& [key, count] : wanted) {
    const auto it = actual.find(key);
    const int got = it == actual.end() ? 0 : it->second;
    if (got < count) missing[key] = count - got;
  }
  for (const auto& [key, count] : actual) {
    const auto it = wanted.find(key);
    const int want = it == wanted.end() ? 0 : it->second;
    if (count > want) unexpected[key] = count - want;
  }
  Findings now_found;
  for (const auto& [key, count] : expectations.known_misses) {
    if (actual.contains(key)) now_found[key] = count;
  }
  EXPECT_TRUE(missing.empty()) << relative << ": expected but not reported:\n" << describe(missing);
  EXPECT_TRUE(unexpected.empty()) << relative << ": reported but not expected:\n"
                                  << describe(unexpected);
  EXPECT_TRUE(now_found.empty()) << relative
                                 << ": marked todo-expect but now reported; make them `expect`:\n"
                                 << describe(now_found);
}

class FixtureTest : public testing::TestWithParam<Fixture> {};

TEST_P(FixtureTest, FlagsExactlyTheAnnotatedLines) {
  std::vector<ProjectSource> project = loadProject(GetParam());
  analyzeProject(project, allRulesOptions(GetParam()), 1);
  for (const ProjectSource& file : project)
    checkExpectations(file);
}

TEST_P(FixtureTest, FixesMatchTheFixedFile) {
  std::vector<ProjectSource> project = loadProject(GetParam());
  fixProject(project, allRulesOptions(GetParam()), /*include_unsafe=*/true, 1);
  for (const ProjectSource& file : project) {
    fs::path fixed_path = kFixturesDir / file.path;
    fixed_path.replace_extension(".fixed.py");
    const TreePtr tree = PythonParser::forThisThread().parse(*file.source);
    if (!fs::exists(fixed_path)) {
      // Without a .fixed.py, fixes must still leave a file that parses.
      if (file.fixed > 0) EXPECT_FALSE(ts_node_has_error(ts_tree_root_node(tree.get())));
      continue;
    }
    EXPECT_EQ(std::string(file.source->text()), readAll(fixed_path))
        << "applying every fix to " << file.path << " does not give " << fixed_path.filename();
    EXPECT_FALSE(ts_node_has_error(ts_tree_root_node(tree.get())));
  }
}

// The rule a fixture is about: the code in its name other than HL100's, if any.
std::optional<size_t> ownRule(const Fixture& fixture, const RuleTable& rules) {
  std::optional<size_t> own;
  for (size_t i = 0; i < rules.size(); ++i) {
    const std::string_view code = rules[i]->code;
    if (!code.starts_with("HL") && fixture.name.find(code) != std::string::npos) own = i;
  }
  return own;
}

// Only the fixtures that name a rule: a suite of skipped tests would fill the end of ctest's
// summary, the part of a CI log that is shown, with "did not run" lines.
std::vector<Fixture> fixturesNamingARule() {
  std::vector<Fixture> fixtures = discoverFixtures();
  const RuleTable rules = allRules();
  std::erase_if(fixtures, [&](const Fixture& fixture) { return !ownRule(fixture, rules); });
  return fixtures;
}

class SingleRuleFixtureTest : public FixtureTest {};

// The fixture's rule (the code in its name) reports alone what it reports beside every other
// rule: how much of the shared evidence a walk collects depends on the rules that run
// (RuleDefinition::call_facts_for_mutable_defaults), and findings must not. HL100 judges the
// other rules' noqa comments, so it is left out.
TEST_P(SingleRuleFixtureTest, ItsRuleAloneReportsTheSame) {
  const Fixture& fixture = GetParam();
  const AnalysisOptions together = allRulesOptions(fixture);
  const std::optional<size_t> own = ownRule(fixture, together.rules);
  ASSERT_TRUE(own.has_value());
  AnalysisOptions alone = together;
  alone.enabled.reset();
  alone.enabled.set(*own);
  const auto findingsOf = [&](const AnalysisOptions& options) {
    std::vector<ProjectSource> project = loadProject(fixture);
    analyzeProject(project, options, 1);
    std::vector<std::string> found;
    for (const ProjectSource& file : project) {
      for (const Diagnostic& d : file.analysis->diagnostics) {
        if (d.rule != together.rules[*own]) continue;
        found.push_back(file.path + ":" + std::to_string(d.start) + "-" + std::to_string(d.end) +
                        " " + d.message);
      }
    }
    return found;
  };
  EXPECT_EQ(findingsOf(alone), findingsOf(together));
}

// A rule's may_find (a project rule's may_report_in) rules files out before they are parsed: it
// must say yes to every file the rule reports in when nothing rules files out.
TEST_P(FixtureTest, MayFindSaysYesWhereTheRuleReports) {
  const Fixture& fixture = GetParam();
  AnalysisOptions options = allRulesOptions(fixture);
  std::vector<RuleDefinition> unfiltered(options.rules.size());
  std::vector<const RuleDefinition*> table;
  for (size_t i = 0; i < options.rules.size(); ++i) {
    unfiltered[i] = *options.rules[i];
    unfiltered[i].may_find = nullptr;
    table.push_back(&unfiltered[i]);
  }
  const RuleTable original = options.rules;
  options.rules = table;
  std::vector<ProjectSource> project = loadProject(fixture);
  analyzeProject(project, options, 1);
  for (const ProjectSource& file : project) {
    const CodeText text(file.source->text());
    for (const Diagnostic& d : file.analysis->diagnostics) {
      const auto index = static_cast<size_t>(d.rule - unfiltered.data());
      ASSERT_LT(index, original.size());
      const RuleDefinition& rule = *original[index];
      if (rule.may_report_in != nullptr && !text.unsure()) {
        EXPECT_TRUE(rule.may_report_in(text, *options.settings))
            << file.path << ": " << rule.code << " at byte " << d.start;
      }
      if (rule.may_find == nullptr) continue;
      EXPECT_TRUE(rule.may_find(text)) << file.path << ": " << rule.code << " at byte " << d.start;
    }
  }
}

std::string fixtureName(const testing::TestParamInfo<Fixture>& info) {
  return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FixtureTest, testing::ValuesIn(discoverFixtures()), fixtureName);
INSTANTIATE_TEST_SUITE_P(Fixtures, SingleRuleFixtureTest, testing::ValuesIn(fixturesNamingARule()),
                         fixtureName);

}  // namespace
}  // namespace heaplint
