// The pieces behind CI gating: git diff hunks, noqa insertion, fingerprints, cache keys.
#include <gtest/gtest.h>

#include <string>

#include "analyzer/analyze.h"
#include "cli/add_noqa.h"
#include "cli/diff_base.h"
#include "cli/fingerprints.h"
#include "cli/result_cache.h"
#include "rules/registry.h"

namespace heaplint::cli {
namespace {

TEST(DiffBase, ParsesNewSideRangesOfUnifiedZeroDiffs) {
  const std::string diff =
      "diff --git a/pkg/a.py b/pkg/a.py\n"
      "index 1..2 100644\n"
      "--- a/pkg/a.py\n"
      "+++ b/pkg/a.py\n"
      "@@ -2 +2 @@ def f():\n"
      "-old\n"
      "+new\n"
      "@@ -10,0 +11,3 @@\n"
      "+a\n+b\n+c\n"
      "@@ -20,2 +23,0 @@\n"
      "-gone\n-gone\n"
      "diff --git a/gone.py b/gone.py\n"
      "--- a/gone.py\n"
      "+++ /dev/null\n"
      "@@ -1 +0,0 @@\n"
      "-x\n"
      "--- a/\"sp\\303\\251cial\\tname.py\"\n"
      "+++ \"b/sp\\303\\251cial\\tname.py\"\n"
      "@@ -0,0 +1 @@\n"
      "+y\n";
  const auto ranges = parseUnifiedZeroDiff(diff);
  ASSERT_EQ(ranges.size(), 2u);
  const std::vector<std::pair<uint32_t, uint32_t>> expected = {{2, 2}, {11, 13}};
  EXPECT_EQ(ranges.at("pkg/a.py"), expected);
  const std::vector<std::pair<uint32_t, uint32_t>> first_line = {{1, 1}};
  EXPECT_EQ(ranges.at("sp\xC3\xA9"
                      "cial\tname.py"),
            first_line);
}

TEST(DiffBase, ChangedLinesContainment) {
  ChangedLines changed;
  changed.ranges["/r/a.py"] = {{2, 2}, {11, 13}};
  changed.whole_files.insert("/r/new.py");
  EXPECT_TRUE(changed.contains("/r/a.py", 12));
  EXPECT_FALSE(changed.contains("/r/a.py", 3));
  EXPECT_TRUE(changed.contains("/r/new.py", 999));
  EXPECT_FALSE(changed.contains("/r/other.py", 1));
}

ReportedDiagnostic findingAt(uint32_t row, std::string_view code) {
  ReportedDiagnostic d;
  const RuleTable rules = allRules();
  d.rule = rules[static_cast<size_t>(findRule(rules, code))];
  d.location = {row, 1};
  d.end_location = {row, 2};
  d.noqa_row = row;
  return d;
}

TEST(AddNoqa, AppendsExtendsAndSkips) {
  const std::string text =
      "a = 1\n"
      "b = 2  # note\n"
      "c = 3  # noqa: E501,W291\n"
      "d = '''x\n"
      "y'''\n"
      "e = 1 + \\\n"
      "  2\n"
      "f = 4  # NOQA\n";
  const std::vector<ReportedDiagnostic> findings = {findingAt(1, "MEM101"), findingAt(1, "MEM202"),
                                                    findingAt(2, "MEM101"), findingAt(3, "MEM101"),
                                                    findingAt(4, "MEM101"), findingAt(6, "MEM101"),
                                                    findingAt(8, "MEM101")};
  size_t added = 0;
  size_t skipped = 0;
  EXPECT_EQ(addNoqaToSource(text, findings, added, skipped),
            "a = 1  # noqa: MEM101, MEM202\n"
            "b = 2  # note  # noqa: MEM101\n"
            "c = 3  # noqa: E501,W291, MEM101\n"
            "d = '''x\n"
            "y'''\n"
            "e = 1 + \\\n"
            "  2\n"
            "f = 4  # NOQA\n");
  EXPECT_EQ(added, 4u);
  EXPECT_EQ(skipped, 2u);
}

// Test vectors of github/codeql-action's own tests (src/fingerprints.test.ts).
void expectLineHashes(std::string_view text, const std::vector<std::string>& expected) {
  std::vector<uint32_t> rows;
  for (uint32_t row = 1; row <= expected.size(); ++row)
    rows.push_back(row);
  const auto hashes = lineHashes(text, rows);
  ASSERT_EQ(hashes.size(), expected.size()) << text;
  for (uint32_t row = 1; row <= expected.size(); ++row) {
    EXPECT_EQ(hashes.at(row), expected[row - 1]) << text << " row " << row;
  }
}

TEST(Fingerprints, LineHashesMatchTheCodeqlActionTestVectors) {
  expectLineHashes("", {"c129715d7a2bc9a3:1"});
  expectLineHashes(" a\nb\n  \t\tc\n d", {"271789c17abda88f:1", "54703d4cd895b18:1",
                                          "180aee12dab6264:1", "a23a3dc5e078b07b:1"});
  expectLineHashes(" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End",
                   {"8b7cf3e952e7aeb2:1", "b1ae1287ec4718d9:1", "bff680108adb0fcc:1",
                    "c6805c5e1288b612:1", "b86d3392aea1be30:1", "e6ceba753e1a442:1"});
  const std::vector<std::string> with_final_newline = {
      "e9496ae3ebfced30:1", "fb7c023a8b9ccb3f:1", "ce8ba1a563dcdaca:1", "e20e36e16fcb0cc8:1",
      "b3edc88f2938467e:1", "c8e28b0b4002a3a0:1", "c129715d7a2bc9a3:1"};
  expectLineHashes(" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n", with_final_newline);
  expectLineHashes(" hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r", with_final_newline);
  expectLineHashes(" hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n",
                   with_final_newline);
  expectLineHashes(" hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n", with_final_newline);
  std::string lorem;
  for (int i = 0; i < 10; ++i)
    lorem += "Lorem ipsum dolor sit amet.\n";
  expectLineHashes(lorem, {"a7f2ff13bc495cf2:1", "a7f2ff13bc495cf2:2", "a7f2ff13bc495cf2:3",
                           "a7f2ff13bc495cf2:4", "a7f2ff13bc495cf2:5", "a7f2ff13bc495cf2:6",
                           "a7f2ff1481e87703:1", "a9cf91f7bbf1862b:1", "55ec222b86bcae53:1",
                           "cc97dc7b1d7d8f7b:1", "c129715d7a2bc9a3:1"});
}

TEST(Fingerprints, StableHashIsFixed) {
  EXPECT_EQ(stableHash(""), "cbf29ce484222325");
  EXPECT_EQ(stableHash("a"), "af63dc4c8601ec8c");
}

TEST(ResultCache, SettingsFingerprintFollowsEveryInput) {
  AnalysisOptions options;
  options.rules = allRules();
  selectRules(options.rules, "ALL", options.enabled);
  const std::string base = settingsFingerprint(options);
  EXPECT_EQ(settingsFingerprint(options), base);

  AnalysisOptions fewer = options;
  fewer.enabled.reset(0);
  EXPECT_NE(settingsFingerprint(fewer), base);

  LintSettings settings = LintSettings::defaults();
  AnalysisOptions configured = options;
  configured.settings = &settings;
  EXPECT_EQ(settingsFingerprint(configured), base);
  settings.target_version = {3, 12};
  EXPECT_NE(settingsFingerprint(configured), base);
  settings = LintSettings::defaults();
  settings.subscription_pairs.push_back({"attach", "detach"});
  EXPECT_NE(settingsFingerprint(configured), base);
  settings = LintSettings::defaults();
  settings.test_file_patterns.emplace_back("checks/");
  EXPECT_NE(settingsFingerprint(configured), base);
  settings = LintSettings::defaults();
  settings.extra_hot_classes.emplace_back("pkg.Record");
  EXPECT_NE(settingsFingerprint(configured), base);
}

TEST(ResultCache, ContentHashSeesEveryByte) {
  const std::string text(1000, 'x');
  const std::string base = contentHash(text);
  EXPECT_EQ(base.size(), 32u);
  for (size_t i = 0; i < text.size(); i += 97) {
    std::string changed = text;
    changed[i] = 'y';
    EXPECT_NE(contentHash(changed), base) << i;
  }
  EXPECT_NE(contentHash(text + '\0'), base);
  EXPECT_NE(contentHash(""), contentHash(std::string(1, '\0')));
}

}  // namespace
}  // namespace heaplint::cli
