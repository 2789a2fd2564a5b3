#include <gtest/gtest.h>

#include <initializer_list>
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

Method methodAssigning(const std::string& name, const std::vector<std::string>& attributes) {
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

void rememberAll(MethodLayoutMemo& memo, std::initializer_list<const Method*> methods) {
  for (const Method* method : methods)
    memo.remember(method->text, method->effects);
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

// A full memo remembers no more: what it holds is kept, also while a method is typed in (a memo
// that made room by forgetting what the analysis had not read yet lost the methods below the
// edited one, on every keystroke).
TEST(MethodLayoutMemo, AFullMemoRemembersNoMore) {
  MethodLayoutMemo memo(2, 1 << 20);
  const Method first = methodAssigning("first", {"a"});
  const Method second = methodAssigning("second", {"b"});
  const Method third = methodAssigning("third", {"c"});
  memo.startAnalysis();
  rememberAll(memo, {&first, &second, &third});
  memo.startAnalysis();
  EXPECT_EQ(replayed(memo, third), std::vector<std::string>{"(not remembered)"});
  const Method typed = methodAssigning("first", {"a", "d"});
  memo.remember(typed.text, typed.effects);
  EXPECT_EQ(replayed(memo, second), std::vector<std::string>{"b"});
  EXPECT_EQ(replayed(memo, first), std::vector<std::string>{"a"});
}

TEST(MethodLayoutMemo, ATextPastTheBoundInBytesIsNotRemembered) {
  const Method small = methodAssigning("small", {"a"});
  const Method big = methodAssigning("big", std::vector<std::string>(40, "attribute"));
  MethodLayoutMemo memo(100, small.text.size() + big.text.size() - 1);
  memo.startAnalysis();
  rememberAll(memo, {&small, &big});
  EXPECT_EQ(replayed(memo, big), std::vector<std::string>{"(not remembered)"});
  EXPECT_EQ(replayed(memo, small), std::vector<std::string>{"a"});
}

// Typing in a method makes a new text a keystroke: the texts typed over go after some more
// keystrokes (16 that read a method afresh; an undo a few back still finds its text), the
// methods read meanwhile stay, and edits that read no method afresh age nothing.
TEST(MethodLayoutMemo, TextsUnreadWhileOthersAreReadAfreshAreForgotten) {
  MethodLayoutMemo memo;
  const Method kept = methodAssigning("kept", {"b"});
  const Method typed = methodAssigning("typed", {"a"});
  memo.startAnalysis();
  rememberAll(memo, {&kept, &typed});
  for (int edit = 0; edit < 100; ++edit)  // elsewhere in the document: no method read
    memo.startAnalysis();
  EXPECT_EQ(replayed(memo, typed), std::vector<std::string>{"a"});
  EXPECT_EQ(replayed(memo, kept), std::vector<std::string>{"b"});
  const auto keystroke = [&](int k) {
    memo.startAnalysis();
    EXPECT_EQ(replayed(memo, kept), std::vector<std::string>{"b"}) << k;
    const Method next = methodAssigning("typed" + std::to_string(k), {"a"});
    memo.remember(next.text, next.effects);
  };
  for (int k = 0; k < 8; ++k)
    keystroke(k);
  memo.startAnalysis();
  EXPECT_EQ(replayed(memo, typed), std::vector<std::string>{"a"});  // an undo, 8 back
  for (int k = 8; k < 34; ++k)
    keystroke(k);
  memo.startAnalysis();
  EXPECT_EQ(replayed(memo, typed), std::vector<std::string>{"(not remembered)"});
  EXPECT_EQ(replayed(memo, kept), std::vector<std::string>{"b"});
}

// A full memo ages too (each text it cannot take is a method read afresh): the texts nothing
// reads go, and there is room again, in entries and in bytes.
TEST(MethodLayoutMemo, AFullMemoMakesRoomAsItAges) {
  const Method first = methodAssigning("first", {"a"});
  const Method second = methodAssigning("second", {"b"});
  const Method big = methodAssigning("big", std::vector<std::string>(40, "attribute"));
  MethodLayoutMemo memo(2, first.text.size() + second.text.size());
  memo.startAnalysis();
  rememberAll(memo, {&first, &second});
  for (int k = 0; k < 40; ++k) {  // a method too big to remember, read afresh every time
    memo.startAnalysis();
    memo.remember(big.text, big.effects);
  }
  memo.startAnalysis();
  EXPECT_EQ(replayed(memo, first), std::vector<std::string>{"(not remembered)"});
  const Method third = methodAssigning("third", {"c"});
  const Method fourth = methodAssigning("fourth", {"d"});
  ASSERT_LE(third.text.size() + fourth.text.size(), first.text.size() + second.text.size());
  rememberAll(memo, {&third, &fourth});
  EXPECT_EQ(replayed(memo, third), std::vector<std::string>{"c"});
  EXPECT_EQ(replayed(memo, fourth), std::vector<std::string>{"d"});
}

// What keeps the instance's `__dict__` in use comes back too.
TEST(MethodLayoutMemo, ReplaysAMethodKeepingTheDict) {
  MethodLayoutMemo memo;
  memo.startAnalysis();
  Method method = methodAssigning("load", {"a"});
  method.effects.keeps_dict = true;
  memo.remember(method.text, method.effects);
  ClassLayout layout;
  ASSERT_TRUE(memo.replay(method.text, layout));
  EXPECT_TRUE(layout.keeps_dict);
}

// The walks of one analysis share the memo from helper threads: whatever one remembers or cannot
// (the memo holds two), another's replay is what that method assigns or nothing. The methods
// assign different numbers of names, so a replay of another method's entry would show.
// ThreadSanitizer checks the rest.
TEST(MethodLayoutMemo, WalksSideBySideReplayOnlyWhatWasRemembered) {
  MethodLayoutMemo memo(2, 1 << 20);
  std::vector<Method> methods;
  for (int i = 0; i < 8; ++i) {
    std::vector<std::string> names;
    for (int k = 0; k <= i; ++k)
      names.push_back("a" + std::to_string(k));
    methods.push_back(methodAssigning("m" + std::to_string(i), names));
  }
  size_t answered = 0;
  for (int analysis = 0; analysis < 50; ++analysis) {
    memo.startAnalysis();
    std::vector<std::thread> walks;
    walks.reserve(4);
    std::vector<int> wrong(4, 0);
    for (int walk = 0; walk < 4; ++walk) {
      walks.emplace_back([&, walk] {
        for (int i = 0; i < 8; ++i) {
          const Method& method = methods[(i + 2 * walk) % 8];
          const std::vector<std::string> got = replayed(memo, method);
          if (got == std::vector<std::string>{"(not remembered)"}) {
            memo.remember(method.text, method.effects);
          } else if (got != std::vector<std::string>(method.effects.instance_attributes.begin(),
                                                     method.effects.instance_attributes.end())) {
            ++wrong[walk];
          }
        }
      });
    }
    for (std::thread& walk : walks)
      walk.join();
    answered += memo.replayed();
    for (int walk = 0; walk < 4; ++walk)
      EXPECT_EQ(wrong[walk], 0) << analysis;
  }
  EXPECT_GT(answered, 0U);
}

}  // namespace
}  // namespace heaplint
