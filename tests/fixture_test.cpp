// Runs every fixture under fixtures/: a Python file whose lines say what must be flagged.
//
//   total = sum([x for x in xs])  # expect: MEM101
//   # expect+1: MEM101            (the next line)
//   # todo-expect: MEM101         (a known miss: must stay unflagged until the rule learns it)
//   # todo-ok: MEM101             (a known false alarm: flagged today, should not be)
//
// Every other line must stay quiet. A sibling `NAME.fixed.py` is the expected text after applying
// every fix (unsafe ones included) until none applies. Files must parse without errors unless they
// live under fixtures/broken/.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "analyzer/analyze.h"
#include "analyzer/fix.h"
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

struct Fixture {
  fs::path path;
  std::string name;  // for the test's name
};

void PrintTo(const Fixture& fixture, std::ostream* out) { *out << fixture.path.generic_string(); }

std::vector<Fixture> discoverFixtures() {
  std::vector<Fixture> fixtures;
  for (const auto& entry : fs::recursive_directory_iterator(kFixturesDir)) {
    const std::string file = entry.path().filename().string();
    if (!entry.is_regular_file() || !file.ends_with(".py") || file.ends_with(".fixed.py")) {
      continue;
    }
    std::string name = fs::relative(entry.path(), kFixturesDir).generic_string();
    for (char& c : name) {
      if (std::isalnum(static_cast<unsigned char>(c)) == 0) c = '_';
    }
    fixtures.push_back(Fixture{entry.path(), name});
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
  static const std::regex annotation(R"(#\s*(expect|todo-expect|todo-ok)(\+(\d+))?:\s*([A-Za-z0-9_, -]+))");
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

AnalysisOptions allRulesOptions(const std::string& path) {
  AnalysisOptions options;
  options.rules = allRules();
  for (size_t i = 0; i < options.rules.size(); ++i) options.enabled.set(i);
  options.path = path;
  return options;
}

class FixtureTest : public testing::TestWithParam<Fixture> {};

TEST_P(FixtureTest, FlagsExactlyTheAnnotatedLines) {
  const Fixture& fixture = GetParam();
  const std::string text = readAll(fixture.path);
  const std::string relative = fs::relative(fixture.path, kFixturesDir).generic_string();
  const AnalysisOptions options = allRulesOptions(relative);
  const SourceText source(text);
  const FileAnalysis analysis = analyze(source, options);

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
  const Expectations expectations = parseExpectations(text);
  Findings wanted = expectations.expected;
  for (const auto& [key, count] : expectations.known_false_alarms) wanted[key] += count;

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

TEST_P(FixtureTest, FixesMatchTheFixedFile) {
  const Fixture& fixture = GetParam();
  fs::path fixed_path = fixture.path;
  fixed_path.replace_extension(".fixed.py");
  const std::string relative = fs::relative(fixture.path, kFixturesDir).generic_string();
  const AnalysisOptions options = allRulesOptions(relative);
  FixLoopResult result =
      fixUntilStable(std::make_unique<SourceText>(readAll(fixture.path)), options, true);
  if (!fs::exists(fixed_path)) {
    // Without a .fixed.py, fixes must still leave a file that parses.
    const TreePtr tree = PythonParser::forThisThread().parse(*result.source);
    if (result.fixed > 0) EXPECT_FALSE(ts_node_has_error(ts_tree_root_node(tree.get())));
    return;
  }
  const std::string expected = readAll(fixed_path);
  EXPECT_EQ(std::string(result.source->text()), expected)
      << "applying every fix to " << relative << " does not give " << fixed_path.filename();
  const TreePtr tree = PythonParser::forThisThread().parse(*result.source);
  EXPECT_FALSE(ts_node_has_error(ts_tree_root_node(tree.get())));
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FixtureTest, testing::ValuesIn(discoverFixtures()),
                         [](const testing::TestParamInfo<Fixture>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace heaplint
