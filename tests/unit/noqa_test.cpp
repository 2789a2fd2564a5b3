// Suppression comments, parsed against the real registry.
#include "analyzer/noqa.h"

#include <gtest/gtest.h>

#include <string>

#include "analyzer/analyze.h"
#include "analyzer/fix.h"
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

TEST(NoqaComment, MentionsNoqaInAnyCase) {
  EXPECT_TRUE(mentionsNoqa("noqa"));
  EXPECT_TRUE(mentionsNoqa("x = 1  # NoQA: MEM101\n"));
  EXPECT_TRUE(mentionsNoqa("qq = 1  # nOqA\n"));
  EXPECT_FALSE(mentionsNoqa("noq"));
  EXPECT_FALSE(mentionsNoqa("qa = no_qa  # n o q a\n"));
  EXPECT_FALSE(mentionsNoqa(""));
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
  // HL100 (unused-noqa) has tests of its own below.
  for (size_t i = 0; i < options.rules.size(); ++i) {
    if (options.rules[i]->code != kUnusedNoqaCode) options.enabled.set(i);
  }
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

TEST(NoqaComment, MalformedDirectivesNameTheirProblem) {
  // Still a blanket noqa, as in Ruff and flake8, but said.
  const NoqaComment missing_colon = parse("# noqa MEM101");
  EXPECT_EQ(missing_colon.scope, NoqaComment::Scope::Line);
  EXPECT_TRUE(missing_colon.blanket);
  EXPECT_FALSE(missing_colon.problem.empty());
  // Not directives at all, as in Ruff.
  for (std::string_view comment : {"#noqaMEM101", "# noqa; MEM101", "# noqa: unused-import"}) {
    SCOPED_TRACE(comment);
    const NoqaComment parsed = parse(comment);
    EXPECT_EQ(parsed.scope, NoqaComment::Scope::None);
    EXPECT_TRUE(parsed.rules.none());
    EXPECT_FALSE(parsed.problem.empty());
  }
  const NoqaComment joined = parse("# noqa: MEM101MEM203");
  EXPECT_EQ(joined.rules, only("MEM101") | only("MEM203"));
  EXPECT_FALSE(joined.problem.empty());
  for (std::string_view comment :
       {"# noqa", "# noqa: MEM101", "# noqa - reason", "# noqa: MEM101 reason", "# a comment"}) {
    SCOPED_TRACE(comment);
    EXPECT_TRUE(parse(comment).problem.empty());
  }
}

TEST(NoqaComment, RuffCodesOfOverlappingRules) {
  EXPECT_EQ(parse("# noqa: C419").rules, only("MEM101"));
  EXPECT_EQ(parse("# noqa: B019, E501").rules, only("MEM203"));
  EXPECT_TRUE(parseNoqaComment("# noqa: C419", allRules(), false).rules.none());
}

TEST(NoqaDirectives, ATrailingFileLevelDirectiveIsIgnored) {
  const std::string text = "x = 1  # heaplint: noqa: MEM101\n# heaplint: noqa: MEM501\n";
  NoqaDirectives directives;
  directives.add(0, parse("# heaplint: noqa: MEM101"), 7, text);
  directives.add(1, parse("# heaplint: noqa: MEM501"), 32, text);
  EXPECT_EQ(directives.file_rules, only("MEM501"));
  ASSERT_EQ(directives.problems.size(), 1u);
  EXPECT_EQ(directives.problems[0].offset, 7u);
}

// With HL100 on: the findings of HL100 and what its fix leaves.
std::vector<Diagnostic> unusedNoqa(const std::string& text) {
  const SourceText source(text);
  AnalysisOptions options;
  options.rules = allRules();
  for (size_t i = 0; i < options.rules.size(); ++i)
    options.enabled.set(i);
  options.enabled.reset(ruleIndex("MEM501"));
  FileAnalysis analysis = analyze(source, options);
  std::vector<Diagnostic> out;
  for (Diagnostic& d : analysis.diagnostics) {
    if (d.rule->code == kUnusedNoqaCode) out.push_back(std::move(d));
  }
  return out;
}

TEST(UnusedNoqa, ReportsOurUnusedCodesOnly) {
  EXPECT_TRUE(unusedNoqa("a = sum([x for x in open(p)])  # noqa: MEM101\n").empty());
  EXPECT_TRUE(unusedNoqa("a = 1  # noqa: E501\n").empty());
  EXPECT_TRUE(unusedNoqa("a = 1  # noqa\n").empty());
  EXPECT_TRUE(unusedNoqa("a = 1  # noqa: MEM101, HL100\n").empty());
  EXPECT_TRUE(unusedNoqa("# heaplint: noqa\na = 1  # noqa: MEM101\n").empty());
  EXPECT_TRUE(unusedNoqa("a = 1  # noqa: MEM101\nb = (\n").empty());  // does not parse

  const std::vector<Diagnostic> found = unusedNoqa("a = 1  # noqa: E501, MEM101, MEM501\n");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].message, "Unused `noqa` directive (unused: `MEM101`; non-enabled: `MEM501`)");
  EXPECT_EQ(found[0].start, 7u);
  EXPECT_EQ(found[0].end, std::string_view("a = 1  # noqa: E501, MEM101, MEM501").size());
  ASSERT_TRUE(found[0].fix);
  EXPECT_EQ(found[0].fix->applicability, Applicability::Safe);
}

TEST(UnusedNoqa, FixKeepsOtherCodesAndComments) {
  const auto fixed = [](const std::string& text) {
    const std::vector<Diagnostic> found = unusedNoqa(text);
    EXPECT_EQ(found.size(), 1u) << text;
    if (found.size() != 1 || !found[0].fix) return text;
    return applyEdits(text, found[0].fix->edits);
  };
  EXPECT_EQ(fixed("a = 1  # noqa: MEM101\nb = 2\n"), "a = 1\nb = 2\n");
  EXPECT_EQ(fixed("a = 1  # noqa: E501,MEM101\n"), "a = 1  # noqa: E501\n");
  EXPECT_EQ(fixed("a = 1  # noqa: MEM101 a reason\n"), "a = 1\n");
  EXPECT_EQ(fixed("a = 1  # noqa: MEM101  # type: ignore\n"), "a = 1  # type: ignore\n");
  EXPECT_EQ(fixed("a = 1\n    # noqa: MEM101\nb = 2\n"), "a = 1\nb = 2\n");
  EXPECT_EQ(fixed("# heaplint: noqa: MEM101, E501\na = 1\n"), "# heaplint: noqa: E501\na = 1\n");
  EXPECT_EQ(fixed("a = 1  # noqa: MEM101\r\n"), "a = 1\r\n");
}

TEST(UnusedNoqa, IgnoreNoqaReportsNothing) {
  const SourceText source("a = 1  # noqa: MEM101\nb = sum([x for x in open(p)])  # noqa\n");
  AnalysisOptions options;
  options.rules = allRules();
  for (size_t i = 0; i < options.rules.size(); ++i)
    options.enabled.set(i);
  options.ignore_noqa = true;
  const FileAnalysis analysis = analyze(source, options);
  ASSERT_EQ(analysis.diagnostics.size(), 1u);
  EXPECT_EQ(analysis.diagnostics[0].rule->code, "MEM101");
}

}  // namespace
}  // namespace heaplint
