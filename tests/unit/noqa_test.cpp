// Suppression comments, parsed against the real registry.
#include "analyzer/noqa.h"

#include <gtest/gtest.h>

#include <string>

#include "analyzer/analyze.h"
#include "rules/registry.h"

namespace heaplint {
namespace {

size_t ruleIndex(std::string_view code) {
  const int index = findRule(allRules(), code);
  EXPECT_GE(index, 0) << code;
  return static_cast<size_t>(index);
}

RuleSet only(std::string_view code) {
  RuleSet set;
  set.set(ruleIndex(code));
  return set;
}

NoqaComment parse(std::string_view comment) {
  return parseNoqaComment(comment, allRules());
}

void expectBlanketLine(std::string_view comment) {
  SCOPED_TRACE(comment);
  const NoqaComment parsed = parse(comment);
  EXPECT_EQ(parsed.scope, NoqaComment::Scope::Line);
  EXPECT_TRUE(parsed.blanket);
  EXPECT_TRUE(parsed.rules.none());
}

void expectNotADirective(std::string_view comment) {
  SCOPED_TRACE(comment);
  const NoqaComment parsed = parse(comment);
  EXPECT_EQ(parsed.scope, NoqaComment::Scope::None);
  EXPECT_FALSE(parsed.blanket);
  EXPECT_TRUE(parsed.rules.none());
}

TEST(NoqaComment, BlanketForms) {
  expectBlanketLine("# noqa");
  expectBlanketLine("#noqa");
  expectBlanketLine("# NOQA");
  expectBlanketLine("# NoQa");
  expectBlanketLine("#\tnoqa");
  expectBlanketLine("# noqa   ");
  expectBlanketLine("# noqa - the list is tiny");
}

TEST(NoqaComment, ColonWithoutCodesIsBlanket) {
  expectBlanketLine("# noqa:");
  expectBlanketLine("# noqa:   ");
}

TEST(NoqaComment, OneCode) {
  for (std::string_view comment :
       {"# noqa:MEM101", "# noqa: MEM101", "#noqa :MEM101", "# NOQA: MEM101", "# noqa:\tMEM101"}) {
    SCOPED_TRACE(comment);
    const NoqaComment parsed = parse(comment);
    EXPECT_EQ(parsed.scope, NoqaComment::Scope::Line);
    EXPECT_FALSE(parsed.blanket);
    EXPECT_EQ(parsed.rules, only("MEM101"));
  }
}

TEST(NoqaComment, UnknownCodesInAListAreIgnored) {
  for (std::string_view comment : {"# noqa: MEM101, MEM999", "# noqa: MEM999, MEM101",
                                   "# noqa:MEM999,MEM101", "# noqa: E501 MEM101"}) {
    SCOPED_TRACE(comment);
    const NoqaComment parsed = parse(comment);
    EXPECT_EQ(parsed.scope, NoqaComment::Scope::Line);
    EXPECT_FALSE(parsed.blanket);
    EXPECT_EQ(parsed.rules, only("MEM101"));
  }
}

TEST(NoqaComment, RuleNames) {
  const NoqaComment parsed = parse("# noqa: list-comprehension-in-reducer");
  EXPECT_EQ(parsed.scope, NoqaComment::Scope::Line);
  EXPECT_FALSE(parsed.blanket);
  EXPECT_EQ(parsed.rules, only("MEM101"));
}

TEST(NoqaComment, OtherToolsCodesSuppressNothingOfOurs) {
  for (std::string_view comment : {"# noqa: E501", "# noqa: E501, W291", "# noqa:F401"}) {
    SCOPED_TRACE(comment);
    const NoqaComment parsed = parse(comment);
    EXPECT_EQ(parsed.scope, NoqaComment::Scope::Line);
    EXPECT_FALSE(parsed.blanket);
    EXPECT_TRUE(parsed.rules.none());
    NoqaDirectives directives;
    directives.add(3, parsed);
    EXPECT_FALSE(directives.suppresses(3, ruleIndex("MEM101")));
  }
}

TEST(NoqaComment, DirectiveAfterAnotherComment) {
  const NoqaComment parsed = parse("# type: ignore  # noqa: MEM101");
  EXPECT_EQ(parsed.scope, NoqaComment::Scope::Line);
  EXPECT_FALSE(parsed.blanket);
  EXPECT_EQ(parsed.rules, only("MEM101"));
  expectBlanketLine("# type: ignore # noqa");
}

TEST(NoqaComment, NotDirectives) {
  expectNotADirective("# noqa123");
  expectNotADirective("# noqa_MEM101");
  expectNotADirective("# noqa-MEM101");
  expectNotADirective("# noqaMEM101");
  expectNotADirective("# this is not noqa");
  expectNotADirective("# a comment");
  expectNotADirective("#");
  expectNotADirective("# ruff: noqa");
  expectNotADirective("# heaplint: something else");
  expectNotADirective("# heaplint: noqa123");
}

TEST(NoqaComment, FileLevelBlanket) {
  for (std::string_view comment :
       {"# heaplint: noqa", "#heaplint:noqa", "# HEAPLINT: NOQA", "# heaplint : noqa"}) {
    SCOPED_TRACE(comment);
    const NoqaComment parsed = parse(comment);
    EXPECT_EQ(parsed.scope, NoqaComment::Scope::File);
    EXPECT_TRUE(parsed.blanket);
    EXPECT_TRUE(parsed.rules.none());
  }
}

TEST(NoqaComment, FileLevelCodes) {
  for (std::string_view comment : {"# heaplint: noqa: MEM101", "# heaplint: noqa:MEM101,E501",
                                   "# heaplint: noqa: list-comprehension-in-reducer"}) {
    SCOPED_TRACE(comment);
    const NoqaComment parsed = parse(comment);
    EXPECT_EQ(parsed.scope, NoqaComment::Scope::File);
    EXPECT_FALSE(parsed.blanket);
    EXPECT_EQ(parsed.rules, only("MEM101"));
  }
  const NoqaComment other = parse("# heaplint: noqa: E501");
  EXPECT_EQ(other.scope, NoqaComment::Scope::File);
  EXPECT_FALSE(other.blanket);
  EXPECT_TRUE(other.rules.none());
}

TEST(NoqaDirectives, SuppressesByRow) {
  const size_t mem101 = ruleIndex("MEM101");
  NoqaDirectives directives;
  directives.add(2, parse("# noqa"));
  directives.add(5, parse("# noqa: MEM101"));
  directives.add(7, parse("# noqa: E501"));
  directives.add(9, parse("# just a comment"));
  EXPECT_EQ(directives.lines.size(), 3u);
  EXPECT_FALSE(directives.file_blanket);
  EXPECT_TRUE(directives.file_rules.none());

  EXPECT_FALSE(directives.suppresses(0, mem101));
  EXPECT_FALSE(directives.suppresses(1, mem101));
  EXPECT_TRUE(directives.suppresses(2, mem101));
  EXPECT_TRUE(directives.suppresses(2, mem101 + 1));  // blanket: any rule
  EXPECT_FALSE(directives.suppresses(3, mem101));
  EXPECT_TRUE(directives.suppresses(5, mem101));
  EXPECT_FALSE(directives.suppresses(5, mem101 + 1));
  EXPECT_FALSE(directives.suppresses(7, mem101));
  EXPECT_FALSE(directives.suppresses(9, mem101));
  EXPECT_FALSE(directives.suppresses(100, mem101));
}

TEST(NoqaDirectives, SeveralDirectivesOnOneRow) {
  const size_t mem101 = ruleIndex("MEM101");
  NoqaDirectives directives;
  directives.add(4, parse("# noqa: E501"));
  directives.add(4, parse("# noqa: MEM101"));
  EXPECT_TRUE(directives.suppresses(4, mem101));
}

TEST(NoqaDirectives, FileLevelSuppressesEveryRow) {
  const size_t mem101 = ruleIndex("MEM101");
  NoqaDirectives by_code;
  by_code.add(10, parse("# heaplint: noqa: MEM101"));
  EXPECT_TRUE(by_code.lines.empty());
  EXPECT_FALSE(by_code.file_blanket);
  EXPECT_TRUE(by_code.suppresses(0, mem101));
  EXPECT_TRUE(by_code.suppresses(99, mem101));
  EXPECT_FALSE(by_code.suppresses(0, mem101 + 1));

  NoqaDirectives blanket;
  blanket.add(10, parse("# heaplint: noqa"));
  EXPECT_TRUE(blanket.file_blanket);
  EXPECT_TRUE(blanket.suppresses(0, mem101));
  EXPECT_TRUE(blanket.suppresses(3, mem101 + 1));
}

// The same directives through analyze(): the walker collects comments from the parsed file.
FileAnalysis analyzeAll(std::string text) {
  const SourceText source(std::move(text));
  AnalysisOptions options;
  options.rules = allRules();
  for (size_t i = 0; i < options.rules.size(); ++i)
    options.enabled.set(i);
  return analyze(source, options);
}

TEST(NoqaInAnalysis, LineDirectives) {
  const FileAnalysis plain = analyzeAll("total = sum([x for x in open(p)])\n");
  ASSERT_EQ(plain.diagnostics.size(), 1u);
  EXPECT_EQ(plain.suppressed_count, 0u);

  for (std::string_view comment :
       {"# noqa", "# noqa: MEM101", "# noqa:", "#NOQA:MEM201,MEM101",
        "# noqa: list-comprehension-in-reducer", "# type: ignore  # noqa: MEM101"}) {
    SCOPED_TRACE(comment);
    const FileAnalysis analysis =
        analyzeAll("total = sum([x for x in open(p)])  " + std::string(comment) + "\n");
    EXPECT_TRUE(analysis.diagnostics.empty());
    EXPECT_EQ(analysis.suppressed_count, 1u);
  }
  for (std::string_view comment : {"# noqa: E501", "# noqa123", "# noqa: MEM201"}) {
    SCOPED_TRACE(comment);
    const FileAnalysis analysis =
        analyzeAll("total = sum([x for x in open(p)])  " + std::string(comment) + "\n");
    EXPECT_EQ(analysis.diagnostics.size(), 1u);
    EXPECT_EQ(analysis.suppressed_count, 0u);
  }
}

TEST(NoqaInAnalysis, LineDirectiveCoversOnlyItsRow) {
  const FileAnalysis analysis = analyzeAll(
      "a = sum([x for x in open(p)])  # noqa\n"
      "b = sum([x for x in open(p)])\n");
  ASSERT_EQ(analysis.diagnostics.size(), 1u);
  EXPECT_EQ(analysis.suppressed_count, 1u);
  EXPECT_EQ(analysis.diagnostics[0].start,
            std::string_view("a = sum([x for x in open(p)])  # noqa\n"
                             "b = sum(")
                .size());
}

TEST(NoqaInAnalysis, FileDirectives) {
  for (std::string_view header : {"# heaplint: noqa\n", "# heaplint: noqa: MEM101\n"}) {
    SCOPED_TRACE(header);
    const FileAnalysis analysis = analyzeAll(std::string(header) +
                                             "a = sum([x for x in open(p)])\n"
                                             "b = any([x for x in open(p)])\n");
    EXPECT_TRUE(analysis.diagnostics.empty());
    EXPECT_EQ(analysis.suppressed_count, 2u);
  }
  // Anywhere in the file, not only at the top.
  const FileAnalysis at_end = analyzeAll("a = sum([x for x in open(p)])\n# heaplint: noqa\n");
  EXPECT_TRUE(at_end.diagnostics.empty());
  // Another tool's code silences nothing.
  const FileAnalysis other = analyzeAll("# heaplint: noqa: E501\na = sum([x for x in open(p)])\n");
  EXPECT_EQ(other.diagnostics.size(), 1u);
}

TEST(NoqaInAnalysis, DirectiveInsideAStringIsNotAComment) {
  const FileAnalysis analysis = analyzeAll("a = sum([x for x in open('# noqa')])\n");
  EXPECT_EQ(analysis.diagnostics.size(), 1u);
}

}  // namespace
}  // namespace heaplint
