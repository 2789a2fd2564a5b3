// The registry and every rule's metadata and documentation.
#include "rules/registry.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "analyzer/analyze.h"

namespace heaplint {
namespace {

constexpr std::string_view kSections[] = {
    "What it does", "Why is this bad?", "Known problems", "Example",
    "Use instead",  "Fix safety",       "Options",        "References",
};

TEST(Registry, IsNotEmptyAndFitsARuleSet) {
  EXPECT_FALSE(allRules().empty());
  EXPECT_LE(allRules().size(), kMaxRules);
}

// The walker passes over anonymous tokens (`(`, `,`, `def`): a rule can only subscribe to named
// nodes, and reads a token through its parent (`childByField`, the operator field).
// may_find rules a file out for the rule altogether; a project rule needs every file's facts, even
// from files where it finds nothing itself.
TEST(Registry, OnlyPerFileRulesRuleFilesOut) {
  for (const RuleDefinition* rule : allRules()) {
    if (rule->join != nullptr) EXPECT_EQ(rule->may_find, nullptr) << rule->code;
  }
}

TEST(Registry, NoRuleSubscribesToAnAnonymousToken) {
#define HEAPLINT_NAMED(kind, name)
#define HEAPLINT_TOKEN(kind, token) NodeKind::kind,
  const std::set<NodeKind> tokens = {
#include "analyzer/node_kinds.def"
  };
#undef HEAPLINT_NAMED
#undef HEAPLINT_TOKEN
  ASSERT_FALSE(tokens.empty());
  for (const RuleDefinition* rule : allRules()) {
    for (const NodeKind kind : rule->subscriptions) {
      EXPECT_FALSE(tokens.contains(kind)) << rule->code << " subscribes to a token kind";
    }
  }
}

TEST(Registry, CodesAreWellFormedSortedAndUnique) {
  const std::regex code_format("(MEM|HL)[0-9]{3}");
  const RuleTable rules = allRules();
  for (size_t i = 0; i < rules.size(); ++i) {
    ASSERT_NE(rules[i], nullptr);
    EXPECT_TRUE(std::regex_match(std::string(rules[i]->code), code_format)) << rules[i]->code;
    if (i > 0) EXPECT_LT(rules[i - 1]->code, rules[i]->code);
  }
}

TEST(Registry, NamesAreUniqueKebabCase) {
  const std::regex kebab("[a-z][a-z0-9]*(-[a-z0-9]+)*");
  std::set<std::string_view> names;
  for (const RuleDefinition* rule : allRules()) {
    EXPECT_TRUE(std::regex_match(std::string(rule->name), kebab)) << rule->name;
    EXPECT_TRUE(names.insert(rule->name).second) << "duplicate name " << rule->name;
  }
}

TEST(Registry, EveryRuleIsComplete) {
  for (const RuleDefinition* rule : allRules()) {
    SCOPED_TRACE(rule->code);
    EXPECT_FALSE(rule->summary.empty());
    EXPECT_FALSE(rule->summary.ends_with("\n"));
    // HL rules come from the noqa machinery: no checker, no subscriptions.
    if (rule->code.starts_with("HL")) {
      EXPECT_EQ(rule->create, nullptr);
      EXPECT_TRUE(rule->subscriptions.empty());
    } else {
      EXPECT_FALSE(rule->subscriptions.empty());
      ASSERT_NE(rule->create, nullptr);
      EXPECT_NE(rule->create(), nullptr);
    }
    EXPECT_NE(ruleUrl(*rule).find(rule->code), std::string::npos);
  }
}

TEST(Registry, FindRuleByCodeOrNameIgnoringCase) {
  const RuleTable rules = allRules();
  for (size_t i = 0; i < rules.size(); ++i) {
    EXPECT_EQ(findRule(rules, rules[i]->code), static_cast<int>(i));
    EXPECT_EQ(findRule(rules, rules[i]->name), static_cast<int>(i));
    std::string lower(rules[i]->code);
    for (char& c : lower)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(findRule(rules, lower), static_cast<int>(i));
  }
  EXPECT_EQ(findRule(rules, "MEM000"), -1);
  EXPECT_EQ(findRule(rules, "E501"), -1);
  EXPECT_EQ(findRule(rules, ""), -1);
}

TEST(Registry, SelectRules) {
  const RuleTable rules = allRules();
  RuleSet all;
  EXPECT_TRUE(selectRules(rules, "ALL", all));
  EXPECT_EQ(all.count(), rules.size());
  RuleSet prefix;
  EXPECT_TRUE(selectRules(rules, "MEM", prefix));
  RuleSet unused_noqa;
  EXPECT_TRUE(selectRules(rules, "HL100", unused_noqa));
  EXPECT_EQ(prefix.count() + unused_noqa.count(), rules.size());
  EXPECT_TRUE((prefix & unused_noqa).none());
  for (size_t i = 0; i < rules.size(); ++i) {
    RuleSet by_code;
    EXPECT_TRUE(selectRules(rules, rules[i]->code, by_code));
    EXPECT_TRUE(by_code.test(i));
    RuleSet by_name;
    EXPECT_TRUE(selectRules(rules, rules[i]->name, by_name));
    EXPECT_EQ(by_name.count(), 1u);
    EXPECT_TRUE(by_name.test(i));
  }
  RuleSet none;
  EXPECT_FALSE(selectRules(rules, "E501", none));
  EXPECT_FALSE(selectRules(rules, "MEM999", none));
  EXPECT_TRUE(none.none());
}

TEST(Registry, DocumentationHasEverySectionInOrder) {
  for (const RuleDefinition* rule : allRules()) {
    SCOPED_TRACE(rule->code);
    const std::string_view doc = rule->documentation;
    EXPECT_TRUE(doc.starts_with("## What it does\n"));
    size_t previous = 0;
    for (std::string_view heading : kSections) {
      const std::string marker = "## " + std::string(heading) + "\n";
      const size_t at = doc.find(marker);
      ASSERT_NE(at, std::string_view::npos) << "missing section " << heading;
      EXPECT_GE(at, previous) << heading << " is out of order";
      previous = at;
      const std::string_view body = documentationSection(*rule, heading);
      EXPECT_FALSE(body.empty()) << heading;
      EXPECT_EQ(body.find("\n## "), std::string_view::npos) << heading << " runs into the next";
      EXPECT_NE(body.find_first_not_of(" \n"), std::string_view::npos) << heading << " is blank";
    }
    // Exactly these sections, no others.
    size_t headings = 0;
    for (size_t at = doc.find("## "); at != std::string_view::npos;
         at = doc.find("\n## ", at + 1)) {
      ++headings;
    }
    EXPECT_EQ(headings, std::size(kSections));
    EXPECT_TRUE(documentationSection(*rule, "No such section").empty());
  }
}

// The body of the first ```python block in a section.
std::string pythonBlock(std::string_view section) {
  constexpr std::string_view kOpen = "```python\n";
  const size_t open = section.find(kOpen);
  if (open == std::string_view::npos) return {};
  const size_t body = open + kOpen.size();
  const size_t close = section.find("```", body);
  if (close == std::string_view::npos) return {};
  return std::string(section.substr(body, close - body));
}

struct Findings {
  size_t of_rule = 0;
  bool has_syntax_error = false;
  std::vector<Diagnostic> diagnostics;
};

Findings lint(const RuleDefinition& rule, const std::string& code) {
  AnalysisOptions options;
  options.rules = allRules();
  for (size_t i = 0; i < options.rules.size(); ++i) {
    if (options.rules[i] == &rule) options.enabled.set(i);
  }
  const SourceText source(code);
  FileAnalysis analysis = analyze(source, options);
  Findings findings;
  findings.has_syntax_error = analysis.has_syntax_error;
  for (const Diagnostic& diagnostic : analysis.diagnostics) {
    if (diagnostic.rule == &rule) ++findings.of_rule;
  }
  findings.diagnostics = std::move(analysis.diagnostics);
  return findings;
}

TEST(Registry, ExampleFiresAndUseInsteadIsQuiet) {
  for (const RuleDefinition* rule : allRules()) {
    SCOPED_TRACE(rule->code);
    const std::string example = pythonBlock(documentationSection(*rule, "Example"));
    const std::string instead = pythonBlock(documentationSection(*rule, "Use instead"));
    ASSERT_FALSE(example.empty()) << "no ```python block in Example";
    ASSERT_FALSE(instead.empty()) << "no ```python block in Use instead";

    const Findings bad = lint(*rule, example);
    EXPECT_FALSE(bad.has_syntax_error) << example;
    EXPECT_GE(bad.of_rule, 1u) << "Example does not fire:\n" << example;
    for (const Diagnostic& diagnostic : bad.diagnostics) {
      EXPECT_FALSE(diagnostic.message.empty());
      EXPECT_FALSE(diagnostic.fix_title.empty());
      if (rule->fix_availability == FixAvailability::None) EXPECT_FALSE(diagnostic.fix);
      if (rule->fix_availability == FixAvailability::Always) EXPECT_TRUE(diagnostic.fix);
    }

    const Findings good = lint(*rule, instead);
    EXPECT_FALSE(good.has_syntax_error) << instead;
    EXPECT_EQ(good.of_rule, 0u) << "Use instead fires:\n" << instead;
  }
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TEST(Registry, ReadmeListsEveryRule) {
  const std::string readme = readFile(std::string(HEAPLINT_SOURCE_DIR) + "/README.md");
  ASSERT_FALSE(readme.empty());
  for (const RuleDefinition* rule : allRules()) {
    const std::string row = "| " + std::string(rule->code) + " | " + std::string(rule->name) + " |";
    EXPECT_NE(readme.find(row), std::string::npos) << "README has no row for " << rule->code;
  }
}

}  // namespace
}  // namespace heaplint
