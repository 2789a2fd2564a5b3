#include "analyzer/fix.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace heaplint {
namespace {

Diagnostic withFix(uint32_t start, uint32_t end, std::string replacement) {
  Diagnostic diagnostic;
  diagnostic.start = start;
  diagnostic.end = end;
  diagnostic.fix = Fix{Applicability::Safe, {Edit{start, end, std::move(replacement)}}};
  return diagnostic;
}

class DropFixesTest : public ::testing::Test {
 protected:
  explicit DropFixesTest() : source_("a = [1]\nb = [2]\nc = [3]\n") {
    tree_ = PythonParser::forThisThread().parse(source_);
  }
  void drop(std::vector<Diagnostic>& diagnostics) {
    dropFixesThatBreakSyntax(PythonParser::forThisThread(), *tree_, source_, diagnostics);
  }
  SourceText source_;
  TreePtr tree_;
};

TEST_F(DropFixesTest, KeepsEveryFixWhenTheirCombinedResultParses) {
  std::vector<Diagnostic> diagnostics{withFix(4, 7, "(1,)"), withFix(12, 15, "(2,)"),
                                      withFix(20, 23, "(3,)")};
  drop(diagnostics);
  for (const Diagnostic& diagnostic : diagnostics)
    EXPECT_TRUE(diagnostic.fix.has_value());
}

TEST_F(DropFixesTest, DropsOnlyTheFixThatBreaksParsingWhenCheckedTogetherFails) {
  std::vector<Diagnostic> diagnostics{withFix(4, 7, "(1,)"), withFix(12, 15, "(2"),
                                      withFix(20, 23, "(3,)")};
  drop(diagnostics);
  EXPECT_TRUE(diagnostics[0].fix.has_value());
  EXPECT_FALSE(diagnostics[1].fix.has_value());
  EXPECT_TRUE(diagnostics[2].fix.has_value());
}

TEST_F(DropFixesTest, ChecksOverlappingFixesOnTheirOwn) {
  // The second fix overlaps the first, so it is not part of the combined check; alone it breaks.
  std::vector<Diagnostic> diagnostics{withFix(4, 7, "(1,)"), withFix(5, 6, "1 +"),
                                      withFix(20, 23, "(3,)")};
  drop(diagnostics);
  EXPECT_TRUE(diagnostics[0].fix.has_value());
  EXPECT_FALSE(diagnostics[1].fix.has_value());
  EXPECT_TRUE(diagnostics[2].fix.has_value());
}

TEST_F(DropFixesTest, ASingleBrokenFixIsDropped) {
  std::vector<Diagnostic> diagnostics{withFix(4, 7, "[1")};
  drop(diagnostics);
  EXPECT_FALSE(diagnostics[0].fix.has_value());
}

// Two fixes that each add the same import (MEM105's `import itertools`) share that edit: it is
// applied once, both fixes go in one round, and a break in one of them drops that one only.
Diagnostic withImportAndFix(uint32_t start, uint32_t end, std::string replacement) {
  Diagnostic diagnostic = withFix(start, end, std::move(replacement));
  diagnostic.fix->edits.insert(diagnostic.fix->edits.begin(), Edit{0, 0, "import itertools\n"});
  return diagnostic;
}

TEST(SharedEdits, FixesAddingTheSameImportAreAppliedTogetherWithTheImportOnce) {
  const std::string text = "a = [1]\nb = [2]\n";
  const std::vector<Diagnostic> diagnostics{withImportAndFix(4, 7, "(1,)"),
                                            withImportAndFix(12, 15, "(2,)")};
  const FixOutcome outcome = applyFixes(text, diagnostics, false);
  EXPECT_EQ(outcome.applied, 2U);
  EXPECT_EQ(outcome.text, "import itertools\na = (1,)\nb = (2,)\n");
}

// A fix spanning the file (an import at the top, its call at the end) leaves room for the fixes
// between its two edits: all go in one round.
TEST(SharedEdits, FixesBetweenTheEditsOfAnotherFitInTheSameRound) {
  const std::string text = "a = [1]\nb = [2]\n";
  const std::vector<Diagnostic> diagnostics{withImportAndFix(12, 15, "(2,)"),
                                            withFix(4, 7, "(1,)")};
  const FixOutcome outcome = applyFixes(text, diagnostics, false);
  EXPECT_EQ(outcome.applied, 2U);
  EXPECT_EQ(outcome.text, "import itertools\na = (1,)\nb = (2,)\n");
}

TEST(SharedEdits, TwoDifferentEditsAtOneOffsetWaitForTheNextRound) {
  const std::vector<Diagnostic> diagnostics{withFix(0, 0, "x = 1\n"), withFix(0, 0, "y = 2\n")};
  EXPECT_EQ(applyFixes("a = 1\n", diagnostics, false).applied, 1U);
}

TEST(SharedEdits, OnlyTheBrokenOneOfFixesSharingAnImportIsDropped) {
  const SourceText source("a = [1]\nb = [2]\nc = [3]\n");
  const TreePtr tree = PythonParser::forThisThread().parse(source);
  std::vector<Diagnostic> diagnostics{withImportAndFix(4, 7, "(1,)"),
                                      withImportAndFix(12, 15, "(2"),
                                      withImportAndFix(20, 23, "(3,)")};
  dropFixesThatBreakSyntax(PythonParser::forThisThread(), *tree, source, diagnostics);
  EXPECT_TRUE(diagnostics[0].fix.has_value());
  EXPECT_FALSE(diagnostics[1].fix.has_value());
  EXPECT_TRUE(diagnostics[2].fix.has_value());
}

// `f(a=1, a=2)` parses, but does not compile: a fix that repeats a keyword argument is dropped.
TEST(DropFixes, AFixThatRepeatsAKeywordArgumentIsDropped) {
  const SourceText source("f(x, a=False)\ng(x)\n");
  const TreePtr tree = PythonParser::forThisThread().parse(source);
  std::vector<Diagnostic> diagnostics{withFix(12, 12, ", a=True"), withFix(17, 17, ", a=True")};
  dropFixesThatBreakSyntax(PythonParser::forThisThread(), *tree, source, diagnostics);
  EXPECT_FALSE(diagnostics[0].fix.has_value());
  EXPECT_TRUE(diagnostics[1].fix.has_value());
}

}  // namespace
}  // namespace heaplint

namespace heaplint {
namespace {

// Two statements on one line: tree-sitter's only trace is a MISSING newline, a token the grammar
// hides, so no ERROR or MISSING node is visible; the file is still broken.
TEST(SyntaxErrors, AMissingHiddenNewlineIsASyntaxError) {
  const SourceText source("import gc\n\ndef f():\n    gc.collect()  xpect: MEM501\n");
  const TreePtr tree = PythonParser::forThisThread().parse(source);
  uint32_t offset = 0;
  ASSERT_TRUE(findFirstSyntaxError(ts_tree_root_node(tree.get()), offset));
  EXPECT_EQ(source.rowOf(offset), 3U);
}

}  // namespace
}  // namespace heaplint
