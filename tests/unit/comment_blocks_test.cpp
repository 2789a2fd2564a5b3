// Long blocks of comment lines: which lines the parser may leave out (commentBlockInteriors), and
// that a parse leaving them out reads the code as a parse of every line does.

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/code_text.h"
#include "tests/unit/all_rules.h"

namespace heaplint {
namespace {

using Interiors = std::vector<std::pair<uint32_t, uint32_t>>;

std::string repeated(std::string_view line, size_t count) {
  std::string text;
  for (size_t i = 0; i < count; ++i)
    text += line;
  return text;
}

TEST(CommentBlockInteriors, IsTheBlockBetweenItsFirstAndLastLines) {
  const std::string text = "x = 1\n" + repeated("# c\n", 5) + "y = 2\n";
  // Lines 2-6 are comments: the inside runs from line 3's start to line 6's.
  EXPECT_EQ(commentBlockInteriors(text, 5), (Interiors{{10, 22}}));
  EXPECT_EQ(commentBlockInteriors(text, 3), (Interiors{{10, 22}}));
  EXPECT_TRUE(commentBlockInteriors(text, 6).empty());
  // Indented comments, tabs, a block at the very end without a final line break.
  const std::string indented = "def f():\n" + repeated("    # c\r\n", 3) + "\t# d";
  EXPECT_EQ(commentBlockInteriors(indented, 4), (Interiors{{18, 36}}));
}

TEST(CommentBlockInteriors, SkipsStringsDirectivesAndTextItCannotFollow) {
  // Lines starting with `#` inside a string are its text.
  EXPECT_TRUE(commentBlockInteriors("s = '''\n" + repeated("# c\n", 5) + "'''\n", 3).empty());
  EXPECT_TRUE(commentBlockInteriors("s = f'''{x}\n" + repeated("# c\n", 5) + "'''\n", 3).empty());
  // A `# noqa` directive (a file-wide `# ruff: noqa` too) stays in the tree: it splits a block.
  const std::string directive =
      repeated("# c\n", 3) + "# ruff: NoQA: MEM101\n" + repeated("# c\n", 3);
  EXPECT_TRUE(commentBlockInteriors(directive, 4).empty());
  EXPECT_EQ(commentBlockInteriors(directive, 3), (Interiors{{4, 8}, {37, 41}}));
  // Code after a comment's `#` is no comment line; neither is a blank line.
  EXPECT_TRUE(commentBlockInteriors("x = 1  # c\n# c\n\n# c\n# c\n", 3).empty());
  // A string left open, a lone carriage return: nothing is left out.
  EXPECT_TRUE(commentBlockInteriors(repeated("# c\n", 5) + "s = '''\n", 3).empty());
  EXPECT_TRUE(commentBlockInteriors(repeated("# c\r", 5) + "\n" + repeated("# c\n", 5), 3).empty());
  EXPECT_TRUE(commentBlockInteriors(repeated("# c\n", 5), 2).empty());
}

std::string treeText(const std::string& text) {
  const SourceText source(text);
  const TreePtr tree = PythonParser::forThisThread().parse(source);
  if (!tree) return "(abandoned)";
  char* sexp = ts_node_string(ts_tree_root_node(tree.get()));
  std::string copy(sexp);
  free(sexp);  // NOLINT(cppcoreguidelines-no-malloc): tree-sitter allocates with malloc
  return copy;
}

// The tree without its comment nodes: the code's structure.
std::string codeTreeText(const std::string& text) {
  std::string tree = treeText(text);
  for (size_t at = tree.find(" (comment)"); at != std::string::npos; at = tree.find(" (comment)"))
    tree.erase(at, 10);
  for (size_t at = tree.find("(comment) "); at != std::string::npos; at = tree.find("(comment) "))
    tree.erase(at, 10);
  return tree;
}

// The tree of a text with a block of `lines` comment lines (`first`, then `line`s, then `last`)
// between `before` and `after`.
std::string withBlock(std::string_view before, std::string_view first, std::string_view line,
                      std::string_view last, size_t lines, std::string_view after) {
  return std::string(before) + std::string(first) + repeated(line, lines - 2) + std::string(last) +
         std::string(after);
}

TEST(CommentBlocks, ParseToTheTreeOfTheirFirstAndLastLines) {
  struct Place {
    const char* before;
    const char* first;
    const char* line;
    const char* last;
    const char* after;
  };
  const Place places[] = {
      {"x = 1\n", "# a\n", "# c\n", "# z\n", "y = 2\n"},
      // After an indented body: the block stays in it where it is indented as it.
      {"def f():\n    x = 1\n", "    # a\n", "    # c\n", "    # z\n", "    return x\n"},
      {"def f():\n    x = 1\n", "    # a\n", "# c\n", "# z\n", "y = 2\n"},
      {"def f():\n    x = 1\n", "# a\n", "        # c\n", "    # z\n", "y = 2\n"},
      {"class A:\n    def f(self):\n        pass\n", "    # a\n", "    # c\n", "    # z\n",
       "    def g(self):\n        pass\n"},
      {"x = [\n    1,\n", "    # a\n", "    # c\n", "    # z\n", "    2,\n]\n"},
      {"if x:\n    pass\n", "# a\n", "# c\n", "# z\n", "else:\n    pass\n"},
      {"def f():\n    x = 1\n", "    # a\n", "    # c\n", "    # z\n", ""},
  };
  for (const Place& place : places) {
    const std::string two_lines =
        withBlock(place.before, place.first, "", place.last, 2, place.after);
    const std::string block =
        withBlock(place.before, place.first, place.line, place.last, 40, place.after);
    EXPECT_EQ(treeText(block), treeText(two_lines)) << block;
    // Below the length left out, every comment line is parsed: the code reads the same.
    const std::string parsed_whole =
        withBlock(place.before, place.first, place.line, place.last, 31, place.after);
    EXPECT_NE(treeText(parsed_whole), treeText(two_lines));
    EXPECT_EQ(codeTreeText(block), codeTreeText(parsed_whole)) << block;
  }
  // A block that the parse keeps whole (a string's text) still reads as one string.
  const std::string text = "s = '''\n" + repeated("# c\n", 40) + "'''\n";
  EXPECT_EQ(treeText(text).find("comment"), std::string::npos) << treeText(text);
}

TEST(CommentBlocks, ALongBlockIsParsedInLinearTime) {
  // 25,000 comment lines after an indented body ran past the parse budget (10 s of CPU): the
  // file was left unchecked. 60,000 lines now parse at once.
  const std::string text =
      "def f(path):\n    return sum([len(x) for x in open(path)])\n" + repeated("# c\n", 60'000);
  EXPECT_NE(treeText(text), "(abandoned)");
  const FileAnalysis analysis = analyze(SourceText(text), allRulesOptions());
  EXPECT_FALSE(analysis.parse_abandoned);
  ASSERT_EQ(analysis.diagnostics.size(), 1U);
  EXPECT_EQ(analysis.diagnostics[0].rule->code, "MEM101");
}

TEST(CommentBlocks, NoqaDirectivesInsideABlockStillSilence) {
  const std::string text = "def f(path):\n" + repeated("# c\n", 40) + "# heaplint: noqa: MEM101\n" +
                           repeated("# c\n", 40) + "    return sum([len(x) for x in open(path)])\n";
  EXPECT_TRUE(analyze(SourceText(text), allRulesOptions()).diagnostics.empty());
}

}  // namespace
}  // namespace heaplint
