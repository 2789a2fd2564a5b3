// Long blocks of comment lines: which lines the parser may leave out (commentBlockInteriors), and
// that a parse leaving them out gives the nodes of a parse of every line, but theirs.

#include "analyzer/comment_blocks.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/syntax.h"
#include "tests/unit/all_rules.h"

namespace heaplint {
namespace {

using Interiors = std::vector<std::pair<uint32_t, uint32_t>>;

Interiors interiorsOf(std::string_view text, size_t min_lines, size_t most = 1000) {
  return commentBlockInteriors(text, min_lines, most);
}

std::string repeated(std::string_view line, size_t count) {
  std::string text;
  for (size_t i = 0; i < count; ++i)
    text += line;
  return text;
}

TEST(CommentBlockInteriors, IsWhatLiesBetweenLinesIndentedAlike) {
  const std::string text = "x = 1\n" + repeated("# c\n", 5) + "y = 2\n";
  // Lines 2-6 are comments: what goes runs from line 3's start to line 6's.
  EXPECT_EQ(interiorsOf(text, 5), (Interiors{{10, 22}}));
  EXPECT_EQ(interiorsOf(text, 3), (Interiors{{10, 22}}));
  EXPECT_TRUE(interiorsOf(text, 6).empty());
  EXPECT_TRUE(interiorsOf(text, 2).empty());
  // Indented comments, CRLF, a block at the very end without a final line break.
  const std::string indented = "def f():\n" + repeated("    # c\r\n", 3) + "    # d";
  EXPECT_EQ(interiorsOf(indented, 4), (Interiors{{18, 36}}));
  // Where the indentation changes, the lines on both sides stay: each scan after a kept line
  // then meets a comment indented as before.
  const std::string mixed = "#0\n" + repeated("    #1\n", 5) + repeated("#2\n", 5);
  EXPECT_EQ(interiorsOf(mixed, 3), (Interiors{{10, 31}, {41, 50}}));
  EXPECT_TRUE(interiorsOf("#\n    #\n#\n    #\n#\n", 3).empty());
  // Blank lines between comments go with them, and count toward the block.
  EXPECT_EQ(interiorsOf("# a\n\n# b\n  \n# c\n", 5), (Interiors{{4, 12}}));
  EXPECT_TRUE(interiorsOf("\n\n\n# a\n# b\n\n\n\n", 3).empty());
}

TEST(CommentBlockInteriors, KeepsDirectivesAndWhatCouldEndAString) {
  // A `# noqa` directive (a file-wide `# ruff: noqa` too) stays in the tree; the block goes on.
  const std::string directive =
      repeated("# c\n", 3) + "# ruff: NoQA: MEM101\n" + repeated("# c\n", 3);
  EXPECT_EQ(interiorsOf(directive, 3), (Interiors{{4, 12}, {33, 41}}));
  // A line that may be a string's text holding its end, a field or an escape stays; so do NUL
  // bytes, form feeds and carriage returns.
  for (const std::string& line :
       {std::string("# '''\n"), std::string("# \"\"\"x\n"), std::string("# {x}\n"),
        std::string("# }\n"), std::string("# a\\\n"), std::string("# \f\n"),
        std::string("# a\0b\n", 6)}) {
    const std::string text = repeated("# c\n", 3) + line + repeated("# c\n", 3);
    const auto at = static_cast<uint32_t>(text.find(line));
    const auto after = static_cast<uint32_t>(at + line.size());
    EXPECT_EQ(interiorsOf(text, 3),
              (Interiors{{4, at}, {after, static_cast<uint32_t>(text.size() - 4)}}))
        << line;
  }
  // One quote ends no string begun on another line, unless a backslash went before.
  EXPECT_EQ(interiorsOf(repeated("# don't\n", 5), 3), (Interiors{{8, 32}}));
  EXPECT_EQ(interiorsOf("# a\\\n" + repeated("# don't\n", 5), 3), (Interiors{{13, 37}}));
  // Code after a comment's `#` is no comment line.
  EXPECT_TRUE(interiorsOf("x = 1  # c\n# c\n# c\n", 3).empty());
  // A lone carriage return: the line holding it stays.
  const std::string lone = repeated("# c\r", 5) + "\n" + repeated("# c\n", 5);
  EXPECT_EQ(interiorsOf(lone, 3), (Interiors{{21, 37}}));
}

TEST(CommentBlockInteriors, LeavesOutTheLongestWhenThereAreTooMany) {
  // Each range left out costs every jump of the lexer a step: a text of many short blocks
  // leaves out the longest few.
  std::string text;
  for (int i = 0; i < 100; ++i)
    text += repeated("# c\n", i == 40 ? 100 : i == 70 ? 90 : 32) + "x = 1\n";
  EXPECT_EQ(interiorsOf(text, 32).size(), 100U);
  const Interiors longest = interiorsOf(text, 32, 2);
  ASSERT_EQ(longest.size(), 2U);
  EXPECT_EQ(longest[0].second - longest[0].first, 98U * 4);
  EXPECT_EQ(longest[1].second - longest[1].first, 88U * 4);
  EXPECT_LT(longest[0].first, longest[1].first);
}

struct Node {
  std::string type;
  uint32_t start;
  uint32_t end;
  friend bool operator==(const Node&, const Node&) = default;
};

std::ostream& operator<<(std::ostream& out, const Node& node) {
  return out << node.type << " " << node.start << "-" << node.end;
}

// Every node of the tree, in document order; `comments` says which to list: only the comments,
// or every node but them.
std::vector<Node> nodesOf(const TSTree* tree, bool comments) {
  std::vector<Node> nodes;
  const auto add = [&](TSNode node) {
    if ((std::string_view(ts_node_type(node)) == "comment") == comments) {
      nodes.push_back(Node{ts_node_type(node), ts_node_start_byte(node), ts_node_end_byte(node)});
    }
  };
  const TSNode root = ts_tree_root_node(tree);
  add(root);
  visitSubtree(root, [&](TSNode node, TSFieldId /*field*/) {
    add(node);
    return Visit::Descend;
  });
  return nodes;
}

// A parse of every line of `text`, as tree-sitter gives it.
TreePtr parsedWhole(const std::string& text) {
  TSParser* parser = ts_parser_new();
  ts_parser_set_language(parser, Syntax::instance().language());
  TreePtr tree(
      ts_parser_parse_string(parser, nullptr, text.data(), static_cast<uint32_t>(text.size())));
  ts_parser_delete(parser);
  return tree;
}

// A block of comment lines (`first`, then `lines` - 2 of `line`, then `last`) between `before`
// and `after`.
std::string withBlock(std::string_view before, std::string_view first, std::string_view line,
                      std::string_view last, size_t lines, std::string_view after) {
  return std::string(before) + std::string(first) + repeated(line, lines - 2) + std::string(last) +
         std::string(after);
}

TEST(CommentBlocks, ParseToTheNodesOfAParseOfEveryLine) {
  struct Place {
    const char* before;
    const char* first;
    const char* line;
    const char* last;
    const char* after;
  };
  const Place places[] = {
      {"x = 1\n", "# a\n", "# c\n", "# z\n", "y = 2\n"},
      // After an indented body: a comment belongs to the body while it is indented as it.
      {"def f():\n    x = 1\n", "    # a\n", "    # c\n", "    # z\n", "    return x\n"},
      {"def f():\n    x = 1\n", "    # a\n", "# c\n", "# z\n", "y = 2\n"},
      {"def f():\n    x = 1\n", "# a\n", "        # c\n", "    # z\n", "y = 2\n"},
      {"if x:\n    pass\n", "    # a\n", "# c\n", "    # z\n", "y = 1\n"},
      {"if x:\n    pass\n", "    # a\n", "# c\n\n   \n", "    # z\n", "else:\n    pass\n"},
      {"class A:\n    def f(self):\n        pass\n", "    # a\n", "    # c\n", "    # z\n",
       "    def g(self):\n        pass\n"},
      {"class A:\n    def f(self):\n        pass\n", "        # a\n", "  # c\n  #\n", "    # z\n",
       "    def g(self):\n        pass\n"},
      {"x = [\n    1,\n", "    # a\n", "    # c\n", "    # z\n", "    2,\n]\n"},
      {"if x:\n    pass\n", "# a\n", "# c\n", "# z\n", "else:\n    pass\n"},
      {"def f():\n    x = 1\n", "    # a\n", "    # c\n", "    # z\n", ""},
      // A string's text: only what lies inside its token goes.
      {"s = '''\n", "# a\n", "# c\n", "# z\n", "'''\n"},
      {"s = f'''{x}\n", "# a\n", "# c\n", "# z\n", "{y}'''\n"},
      {"x = 1 + \\\n", "# a\n", "# c\n", "# z\n", "y = 2\n"},
      // Lines of a string's text that could end it stay; lines with one quote go.
      {"s = \"\"\"\n", "# a\n", "# don't \"\n# {x}\n", "# z\n", "\"\"\"\n"},
      {"s = f\"\"\"\n", "# a\n", "# \"\"\" {x}\n# c\n", "# z\n", "{y}\"\"\"\n"},
      {"s = 'a\\\n", "# a\\\n", "# it's\n# c\n", "# z\n", "'\n"},
      {"x = 1\n", "# a\n", "# don't\n", "# z\n", "y = 2\n"},
  };
  PythonParser& parser = PythonParser::forThisThread();
  for (const Place& place : places) {
    const std::string text =
        withBlock(place.before, place.first, place.line, place.last, 40, place.after);
    const SourceText source(text);
    ASSERT_FALSE(interiorsOf(text, 32).empty()) << text;
    const TreePtr partly = parser.parse(source);
    const TreePtr whole = parsedWhole(text);
    ASSERT_TRUE(partly && whole);
    EXPECT_EQ(nodesOf(partly.get(), false), nodesOf(whole.get(), false)) << text;
    // The comments parsed are comments of the whole parse, at the same places.
    const std::vector<Node> all = nodesOf(whole.get(), true);
    for (const Node& comment : nodesOf(partly.get(), true))
      EXPECT_NE(std::find(all.begin(), all.end(), comment), all.end()) << comment << "\n" << text;
    if (!all.empty()) EXPECT_LT(nodesOf(partly.get(), true).size(), all.size()) << text;
  }
}

// The fixture of long comment blocks (which the fixture, random-edit and fuzz tests read) leaves
// lines out, and parses to the nodes of a parse of every line.
TEST(CommentBlocks, TheFixtureOfCommentBlocksParsesLikeEveryLine) {
  std::ifstream in(HEAPLINT_SOURCE_DIR "/fixtures/mem1/MEM101_comment_blocks.py", std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_GE(interiorsOf(text, 32).size(), 4U);
  const TreePtr partly = PythonParser::forThisThread().parse(SourceText(text));
  const TreePtr whole = parsedWhole(text);
  ASSERT_TRUE(partly && whole);
  EXPECT_EQ(nodesOf(partly.get(), false), nodesOf(whole.get(), false));
}

TEST(CommentBlocks, ALongBlockIsParsedInLinearTime) {
  // 25,000 comment lines after an indented body ran past the parse budget (10 s of CPU): the
  // file was left unchecked. 60,000 lines parse at once now, blank lines among them or not.
  for (const char* lines : {"# c\n", "# c\n\n", "# don't\n"}) {
    const std::string text =
        "def f(path):\n    return sum([len(x) for x in open(path)])\n" + repeated(lines, 60'000);
    const FileAnalysis analysis = analyze(SourceText(text), allRulesOptions());
    EXPECT_FALSE(analysis.parse_abandoned) << lines;
    ASSERT_EQ(analysis.diagnostics.size(), 1U) << lines;
    EXPECT_EQ(analysis.diagnostics[0].rule->code, "MEM101");
  }
}

TEST(CommentBlocks, NoqaDirectivesInsideABlockStillSilence) {
  const std::string text = "def f(path):\n" + repeated("# c\n", 40) + "# heaplint: noqa: MEM101\n" +
                           repeated("# c\n", 40) + "    return sum([len(x) for x in open(path)])\n";
  EXPECT_TRUE(analyze(SourceText(text), allRulesOptions()).diagnostics.empty());
}

}  // namespace
}  // namespace heaplint
