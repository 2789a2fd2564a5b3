// Rule selection: select / extend-select / ignore, and preview rules, which run only when preview
// is on, however they are selected (as in Ruff). The registry is faked so that a preview rule
// exists whatever the real rules are.
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "analyzer/rule.h"

namespace heaplint {
namespace {

const RuleDefinition kStable{.code = "MEM101", .name = "stable-rule"};
const RuleDefinition kOtherStable{.code = "MEM102", .name = "other-stable-rule"};
const RuleDefinition kPreview{.code = "MEM109", .name = "preview-rule", .preview = true};
const RuleDefinition kOtherFamily{.code = "MEM201", .name = "other-family-rule"};
constexpr std::array<const RuleDefinition*, 4> kFakeRules = {&kStable, &kOtherStable, &kPreview,
                                                             &kOtherFamily};
constexpr RuleTable kTable(kFakeRules.data(), kFakeRules.size());

RuleSet bits(std::initializer_list<size_t> indices) {
  RuleSet out;
  for (const size_t i : indices)
    out.set(i);
  return out;
}

using Selectors = std::vector<std::string>;

TEST(RuleSelection, DefaultSelectsEveryStableRuleWithoutWarning) {
  const RuleSelection off = resolveRuleSelection(kTable, nullptr, {}, {}, false);
  EXPECT_EQ(off.enabled, bits({0, 1, 3}));
  EXPECT_TRUE(off.ignored_preview.empty());
  const RuleSelection on = resolveRuleSelection(kTable, nullptr, {}, {}, true);
  EXPECT_EQ(on.enabled, bits({0, 1, 2, 3}));
}

TEST(RuleSelection, AllAndPrefixesIncludePreviewRulesOnlyInPreview) {
  for (const char* selector : {"ALL", "MEM1", "MEM10"}) {
    SCOPED_TRACE(selector);
    const Selectors select{selector};
    EXPECT_FALSE(resolveRuleSelection(kTable, &select, {}, {}, false).enabled.test(2));
    EXPECT_TRUE(resolveRuleSelection(kTable, &select, {}, {}, true).enabled.test(2));
    EXPECT_TRUE(resolveRuleSelection(kTable, &select, {}, {}, false).ignored_preview.empty());
  }
}

TEST(RuleSelection, ExplicitPreviewRuleWithoutPreviewIsIgnoredWithAWarning) {
  for (const char* selector : {"MEM109", "preview-rule"}) {
    SCOPED_TRACE(selector);
    const Selectors select{selector};
    const RuleSelection off = resolveRuleSelection(kTable, &select, {}, {}, false);
    EXPECT_TRUE(off.enabled.none());
    EXPECT_EQ(off.ignored_preview, Selectors{selector});
    const RuleSelection extended = resolveRuleSelection(kTable, nullptr, {selector}, {}, false);
    EXPECT_EQ(extended.enabled, bits({0, 1, 3}));
    EXPECT_EQ(extended.ignored_preview, Selectors{selector});
    const RuleSelection on = resolveRuleSelection(kTable, &select, {}, {}, true);
    EXPECT_EQ(on.enabled, bits({2}));
    EXPECT_TRUE(on.ignored_preview.empty());
  }
}

TEST(RuleSelection, IgnoreWinsOverSelectAndExtendSelect) {
  const Selectors select{"MEM1"};
  const RuleSelection selection =
      resolveRuleSelection(kTable, &select, {"MEM201"}, {"MEM102", "preview-rule"}, true);
  EXPECT_EQ(selection.enabled, bits({0, 3}));
}

}  // namespace
}  // namespace heaplint
