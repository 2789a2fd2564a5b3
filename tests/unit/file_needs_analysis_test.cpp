// fileNeedsAnalysis(): which whole files analyzeFile() may leave unparsed. A file is skipped only
// when no enabled rule runs on it and it holds no `noqa` directive, so findings never change.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/source_text.h"
#include "rules/registry.h"
#include "tests/unit/all_rules.h"

namespace heaplint {
namespace {

AnalysisOptions optionsAt(std::string_view path) {
  AnalysisOptions options = allRulesOptions();
  options.path = path;
  return options;
}

// Only the rules `codes` name.
AnalysisOptions onlyRules(std::string_view path, const std::vector<std::string>& codes) {
  AnalysisOptions options = optionsAt(path);
  options.enabled.reset();
  for (const std::string& code : codes)
    options.enabled.set(static_cast<size_t>(findRule(options.rules, code)));
  return options;
}

TEST(FileNeedsAnalysis, ModulesOutsideTestsAreAlwaysAnalysed) {
  for (const char* text : {"", "x = 1\n", "def broken(:\n"}) {
    EXPECT_TRUE(fileNeedsAnalysis(text, optionsAt("pkg/module.py"))) << text;
  }
}

TEST(FileNeedsAnalysis, TestFilesNeedTheGcWordOrANoqaDirective) {
  // Of the rules, only MEM502 checks tests, and only in a file that names `gc`.
  for (const char* path : {"tests/test_app.py", "pkg/test_app.py", "app_test.py", "conftest.py"}) {
    const AnalysisOptions options = optionsAt(path);
    EXPECT_FALSE(fileNeedsAnalysis("def test_sum():\n    assert sum([1]) == 1\n", options)) << path;
    EXPECT_FALSE(fileNeedsAnalysis("from math import gcd\nbgcolor = 1\n", options)) << path;
    EXPECT_TRUE(fileNeedsAnalysis("import gc\n", options)) << path;
    EXPECT_TRUE(fileNeedsAnalysis("import gc as collector\n", options)) << path;
    for (const char* noqa : {"x = 1  # noqa\n", "x = 1  # NOQA: MEM101\n", "# ruff: NoQa\n"}) {
      EXPECT_TRUE(fileNeedsAnalysis(noqa, options)) << path << ": " << noqa;
    }
  }
}

TEST(FileNeedsAnalysis, OnlyTheEnabledRulesCount) {
  const std::string text = "def f(rows):\n    return sum([r for r in rows])\n";
  EXPECT_FALSE(fileNeedsAnalysis(text, onlyRules("pkg/module.py", {"MEM501", "MEM504"})));
  EXPECT_TRUE(fileNeedsAnalysis(text, onlyRules("pkg/module.py", {"MEM101"})));
  EXPECT_TRUE(fileNeedsAnalysis("import gc\n", onlyRules("pkg/module.py", {"MEM501"})));
  // A stray byte the parser skips: `all\xbb([` is read as `all([`, so the text decides nothing.
  EXPECT_FALSE(fileNeedsAnalysis("x = all\n", onlyRules("pkg/module.py", {"MEM101"})));
  EXPECT_TRUE(
      fileNeedsAnalysis("x = all\xbb([n for n in y])\n", onlyRules("pkg/module.py", {"MEM101"})));
  EXPECT_FALSE(fileNeedsAnalysis(text, onlyRules("pkg/module.py", {})));
  EXPECT_TRUE(fileNeedsAnalysis(text + "# noqa: MEM101\n", onlyRules("pkg/module.py", {})));
}

TEST(FileNeedsAnalysis, AnUnreadFileReportsNothingAndNoSyntaxError) {
  const SourceText source("def test_broken(:\n    return sum([x for x in open('f')])\n");
  const AnalysisOptions options = optionsAt("tests/test_broken.py");
  ASSERT_FALSE(fileNeedsAnalysis(source.text(), options));
  const FileAnalysis analysis = analyzeFile(source, options);
  EXPECT_TRUE(analysis.diagnostics.empty());
  EXPECT_FALSE(analysis.has_syntax_error);
  EXPECT_FALSE(analysis.parse_abandoned);
  EXPECT_EQ(analysis.path, "tests/test_broken.py");
  // Outside tests the same text is parsed, and its error found.
  EXPECT_TRUE(analyzeFile(source, optionsAt("pkg/broken.py")).has_syntax_error);
}

}  // namespace
}  // namespace heaplint
