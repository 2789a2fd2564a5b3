#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "analyzer/class_layout.h"

namespace heaplint {
namespace {

// A method's text and what it assigns, as LayoutReader::method would read it: `self.<name>` for
// each name, views into the text.
struct Method {
  std::string text;
  ClassLayout effects;
};

Method methodAssigning(std::string name, std::vector<std::string> attributes) {
  Method method;
  method.text = "def " + name + "(self):\n";
  for (const std::string& attribute : attributes)
    method.text += "        self." + attribute + " = 0\n";
  for (const std::string& attribute : attributes) {
    const size_t at = method.text.find("self." + attribute + " ") + 5;
    method.effects.instance_attributes.push_back(
        std::string_view(method.text).substr(at, attribute.size()));
  }
  return method;
}

std::vector<std::string> replayed(MethodLayoutMemo& memo, const Method& method) {
  ClassLayout layout;
  if (!memo.replay(method.text, layout)) return {"(not remembered)"};
  return {layout.instance_attributes.begin(), layout.instance_attributes.end()};
}

TEST(MethodLayoutMemo, ReplaysWhatWasRememberedForTheSameTextOnly) {
  MethodLayoutMemo memo;
  memo.startAnalysis();
  const Method reset = methodAssigning("reset", {"a", "b"});
  memo.remember(reset.text, reset.effects);
  EXPECT_EQ(replayed(memo, reset), (std::vector<std::string>{"a", "b"}));
  // The same length, the same first line.
  const Method other = methodAssigning("reset", {"a", "c"});
  EXPECT_EQ(replayed(memo, other), std::vector<std::string>{"(not remembered)"});
  // Into a layout that holds some already: each name once, in the order first assigned.
  ClassLayout layout;
  layout.instance_attributes.push_back("b");
  ASSERT_TRUE(memo.replay(reset.text, layout));
  EXPECT_EQ(layout.instance_attributes, (std::vector<std::string_view>{"b", "a"}));
  EXPECT_EQ(memo.replayed(), 2U);
}

// An analysis that reads more methods than the memo holds keeps what fits: the next one still
// finds those (forgetting them all would leave a big document without any).
TEST(MethodLayoutMemo, AFullMemoKeepsWhatTheAnalysisUnderWayRead) {
  MethodLayoutMemo memo(2, 1 << 20);
  const Method first = methodAssigning("first", {"a"});
  const Method second = methodAssigning("second", {"b"});
  const Method third = methodAssigning("third", {"c"});
  memo.startAnalysis();
  for (const Method* method : {&first, &second, &third})
    memo.remember(method->text, method->effects);
  memo.startAnalysis();
  EXPECT_EQ(replayed(memo, first), std::vector<std::string>{"a"});
  EXPECT_EQ(replayed(memo, second), std::vector<std::string>{"b"});
  EXPECT_EQ(replayed(memo, third), std::vector<std::string>{"(not remembered)"});
  // A new analysis that reads only the third: the two it did not read make room.
  memo.startAnalysis();
  memo.remember(third.text, third.effects);
  EXPECT_EQ(replayed(memo, third), std::vector<std::string>{"c"});
}

TEST(MethodLayoutMemo, ATextPastTheBoundInBytesIsNotRemembered) {
  const Method small = methodAssigning("small", {"a"});
  const Method big = methodAssigning("big", std::vector<std::string>(40, "attribute"));
  MethodLayoutMemo memo(100, big.text.size() - 1);
  memo.startAnalysis();
  memo.remember(small.text, small.effects);
  memo.remember(big.text, big.effects);
  EXPECT_EQ(replayed(memo, big), std::vector<std::string>{"(not remembered)"});
  EXPECT_EQ(replayed(memo, small), std::vector<std::string>{"a"});
}

// Typing in a method makes a new text a keystroke: a text unread for a few analyses goes, one
// read since stays.
TEST(MethodLayoutMemo, TextsUnreadForAFewAnalysesAreForgotten) {
  MethodLayoutMemo memo;
  const Method typed = methodAssigning("typed", {"a"});
  const Method kept = methodAssigning("kept", {"b"});
  memo.startAnalysis();
  memo.remember(typed.text, typed.effects);
  memo.remember(kept.text, kept.effects);
  for (int analysis = 0; analysis < 20; ++analysis) {
    memo.startAnalysis();
    EXPECT_EQ(replayed(memo, kept), std::vector<std::string>{"b"}) << analysis;
  }
  EXPECT_EQ(replayed(memo, typed), std::vector<std::string>{"(not remembered)"});
}

// The walks of one analysis share the memo from helper threads: whatever one remembers or
// forgets, another's replay is what it remembered or nothing (ThreadSanitizer checks the rest).
TEST(MethodLayoutMemo, WalksSideBySideReplayOnlyWhatWasRemembered) {
  MethodLayoutMemo memo(2, 1 << 20);
  std::vector<Method> methods;
  for (int i = 0; i < 8; ++i)
    methods.push_back(methodAssigning("m" + std::to_string(i), {"a" + std::to_string(i)}));
  for (int analysis = 0; analysis < 50; ++analysis) {
    memo.startAnalysis();
    std::vector<std::thread> walks;
    std::vector<int> wrong(4, 0);
    for (int walk = 0; walk < 4; ++walk) {
      walks.emplace_back([&, walk] {
        for (int i = 0; i < 8; ++i) {
          const Method& method = methods[(i + 2 * walk) % 8];
          const std::vector<std::string> got = replayed(memo, method);
          if (got.front() == "(not remembered)") {
            memo.remember(method.text, method.effects);
          } else if (got != std::vector<std::string>{
                                std::string(method.effects.instance_attributes.front())}) {
            ++wrong[walk];
          }
        }
      });
    }
    for (std::thread& walk : walks)
      walk.join();
    for (int walk = 0; walk < 4; ++walk)
      EXPECT_EQ(wrong[walk], 0) << analysis;
  }
}

}  // namespace
}  // namespace heaplint
