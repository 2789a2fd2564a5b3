// .gitignore globs and pattern semantics, as documented in gitignore(5).
#include "cli/gitignore.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace heaplint::cli {
namespace {

using Verdict = GitignoreFile::Verdict;

TEST(GlobMatch, Literal) {
  EXPECT_TRUE(globMatch("foo.py", "foo.py"));
  EXPECT_FALSE(globMatch("foo.py", "foo.pyc"));
  EXPECT_FALSE(globMatch("foo.py", "xfoo.py"));
  EXPECT_FALSE(globMatch("foo", ""));
  EXPECT_TRUE(globMatch("", ""));
  EXPECT_FALSE(globMatch("Foo", "foo"));  // case-sensitive
}

TEST(GlobMatch, StarStaysInOneSegment) {
  EXPECT_TRUE(globMatch("*.py", "a.py"));
  EXPECT_TRUE(globMatch("*.py", ".py"));
  EXPECT_FALSE(globMatch("*.py", "a/b.py"));
  EXPECT_FALSE(globMatch("*.py", "a.pyc"));
  EXPECT_TRUE(globMatch("a*", "a"));
  EXPECT_TRUE(globMatch("a*b*c", "aXXbYYc"));
  EXPECT_FALSE(globMatch("a*b*c", "aXXbYYcd"));
  EXPECT_TRUE(globMatch("*", "anything"));
  EXPECT_FALSE(globMatch("*", "a/b"));
  EXPECT_TRUE(globMatch("doc/*.txt", "doc/notes.txt"));
  EXPECT_FALSE(globMatch("doc/*.txt", "doc/sub/notes.txt"));
}

TEST(GlobMatch, QuestionMark) {
  EXPECT_TRUE(globMatch("a?c", "abc"));
  EXPECT_FALSE(globMatch("a?c", "ac"));
  EXPECT_FALSE(globMatch("a?c", "abbc"));
  EXPECT_FALSE(globMatch("a?c", "a/c"));
  EXPECT_TRUE(globMatch("??", "ab"));
}

TEST(GlobMatch, CharacterClasses) {
  EXPECT_TRUE(globMatch("[a-z].py", "m.py"));
  EXPECT_FALSE(globMatch("[a-z].py", "M.py"));
  EXPECT_FALSE(globMatch("[a-z].py", "mm.py"));
  EXPECT_TRUE(globMatch("[abc]x", "bx"));
  EXPECT_FALSE(globMatch("[abc]x", "dx"));
  EXPECT_TRUE(globMatch("[a-cx-z]", "y"));
  EXPECT_FALSE(globMatch("[a-cx-z]", "m"));
  EXPECT_TRUE(globMatch("[!x]y", "ay"));
  EXPECT_FALSE(globMatch("[!x]y", "xy"));
  EXPECT_TRUE(globMatch("[^x]y", "ay"));
  EXPECT_FALSE(globMatch("[^x]y", "xy"));
  EXPECT_TRUE(globMatch("[]]", "]"));  // ']' first is a member
  EXPECT_TRUE(globMatch("[!]]", "a"));
  EXPECT_FALSE(globMatch("[!]]", "]"));
  EXPECT_TRUE(globMatch("[a-]", "-"));      // '-' last is a member
  EXPECT_FALSE(globMatch("a[/]b", "a/b"));  // never matches a slash
  EXPECT_FALSE(globMatch("a[!x]b", "a/b"));
  EXPECT_FALSE(globMatch("[abc", "a"));  // unterminated
}

TEST(GlobMatch, DoubleStarPrefix) {
  EXPECT_TRUE(globMatch("**/foo", "foo"));
  EXPECT_TRUE(globMatch("**/foo", "a/foo"));
  EXPECT_TRUE(globMatch("**/foo", "a/b/foo"));
  EXPECT_FALSE(globMatch("**/foo", "afoo"));
  EXPECT_FALSE(globMatch("**/foo", "a/foo/bar"));
  EXPECT_TRUE(globMatch("**/foo/bar", "x/foo/bar"));
}

TEST(GlobMatch, DoubleStarSuffix) {
  EXPECT_TRUE(globMatch("abc/**", "abc/x"));
  EXPECT_TRUE(globMatch("abc/**", "abc/x/y/z"));
  EXPECT_FALSE(globMatch("abc/**", "abc"));
  EXPECT_FALSE(globMatch("abc/**", "abcd/x"));
  EXPECT_FALSE(globMatch("abc/**", "x/abc/y"));
  EXPECT_TRUE(globMatch("**", "a/b/c"));
}

TEST(GlobMatch, DoubleStarInTheMiddle) {
  EXPECT_TRUE(globMatch("a/**/b", "a/b"));
  EXPECT_TRUE(globMatch("a/**/b", "a/x/b"));
  EXPECT_TRUE(globMatch("a/**/b", "a/x/y/b"));
  EXPECT_FALSE(globMatch("a/**/b", "a/xb"));
  EXPECT_FALSE(globMatch("a/**/b", "ab"));
  EXPECT_FALSE(globMatch("a/**/b", "a/x/b/c"));
  EXPECT_TRUE(globMatch("a/**/*.py", "a/m.py"));
  EXPECT_TRUE(globMatch("a/**/*.py", "a/x/y/m.py"));
}

TEST(GlobMatch, DoubleStarInsideASegmentIsAStar) {
  EXPECT_TRUE(globMatch("a**b", "aXYb"));
  EXPECT_FALSE(globMatch("a**b", "aX/Yb"));
  EXPECT_TRUE(globMatch("**.py", "m.py"));
}

TEST(GlobMatch, EscapedCharacters) {
  EXPECT_TRUE(globMatch("\\*", "*"));
  EXPECT_FALSE(globMatch("\\*", "a"));
  EXPECT_TRUE(globMatch("\\?", "?"));
  EXPECT_FALSE(globMatch("\\?", "a"));
  EXPECT_TRUE(globMatch("a\\[b", "a[b"));
  EXPECT_TRUE(globMatch("\\#x", "#x"));
  EXPECT_TRUE(globMatch("\\!x", "!x"));
  EXPECT_TRUE(globMatch("foo\\ ", "foo "));
  EXPECT_TRUE(globMatch("[\\]]", "]"));
}

// Patterns come from configuration and .gitignore files: their cost must not explode with the
// number of `*` (backtracking over each one is exponential), nor their nesting reach the stack.
TEST(GlobMatch, ManyStarsMatchInPolynomialTime) {
  std::string pattern;
  for (int i = 0; i < 40; ++i)
    pattern += "*a";
  const std::string many_a(200, 'a');
  const auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(globMatch(pattern + "b", many_a));
  EXPECT_TRUE(globMatch(pattern, many_a));
  EXPECT_FALSE(globMatch("**/" + pattern + "/**/b", many_a + "/" + many_a + "/c"));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
}

TEST(GlobMatch, HugePatternsDoNotOverflowTheStack) {
  const std::string stars(200000, '*');
  EXPECT_TRUE(globMatch(stars, "name.py"));
  EXPECT_FALSE(globMatch(stars + "x", "name.py"));
  std::string directories;
  for (int i = 0; i < 20000; ++i)
    directories += "**/";
  EXPECT_TRUE(globMatch(directories + "m.py", "a/b/m.py"));
  EXPECT_FALSE(globMatch(directories + "m.py", "a/b/n.py"));
}

Verdict matchIn(std::string_view contents, std::string_view path, bool is_directory = false) {
  return GitignoreFile("/repo", contents).match(path, is_directory);
}

TEST(GitignoreFile, BasenamePatternsMatchAtAnyDepth) {
  EXPECT_EQ(matchIn("*.pyc\n", "a.pyc"), Verdict::Ignored);
  EXPECT_EQ(matchIn("*.pyc\n", "d/e/a.pyc"), Verdict::Ignored);
  EXPECT_EQ(matchIn("*.pyc\n", "a.py"), Verdict::NoMatch);
  EXPECT_EQ(matchIn("secret\n", "x/y/secret"), Verdict::Ignored);
  EXPECT_EQ(matchIn("secret\n", "x/secret", true), Verdict::Ignored);
  EXPECT_EQ(matchIn("secret\n", "x/secrets"), Verdict::NoMatch);
}

TEST(GitignoreFile, Negation) {
  const std::string_view contents = "*.log\n!important.log\n";
  EXPECT_EQ(matchIn(contents, "debug.log"), Verdict::Ignored);
  EXPECT_EQ(matchIn(contents, "important.log"), Verdict::Included);
  EXPECT_EQ(matchIn(contents, "sub/important.log"), Verdict::Included);
  EXPECT_EQ(matchIn(contents, "notes.txt"), Verdict::NoMatch);
  EXPECT_EQ(matchIn("\\!important\n", "!important"), Verdict::Ignored);
}

TEST(GitignoreFile, LastMatchWins) {
  EXPECT_EQ(matchIn("*.log\n!important.log\n*.log\n", "important.log"), Verdict::Ignored);
  EXPECT_EQ(matchIn("!a.py\n*.py\n", "a.py"), Verdict::Ignored);
  EXPECT_EQ(matchIn("*.py\n!a.py\n", "a.py"), Verdict::Included);
}

TEST(GitignoreFile, DirectoryOnlyPatterns) {
  EXPECT_EQ(matchIn("build/\n", "build", true), Verdict::Ignored);
  EXPECT_EQ(matchIn("build/\n", "build", false), Verdict::NoMatch);
  EXPECT_EQ(matchIn("build/\n", "src/build", true), Verdict::Ignored);
  EXPECT_EQ(matchIn("doc/frotz/\n", "doc/frotz", true), Verdict::Ignored);
  EXPECT_EQ(matchIn("doc/frotz/\n", "a/doc/frotz", true), Verdict::NoMatch);
  EXPECT_EQ(matchIn("doc/frotz/\n", "doc/frotz", false), Verdict::NoMatch);
  EXPECT_EQ(matchIn("*.d/\n", "x.d", true), Verdict::Ignored);
  EXPECT_EQ(matchIn("*.d/\n", "x.d", false), Verdict::NoMatch);
}

TEST(GitignoreFile, AnchoredPatterns) {
  EXPECT_EQ(matchIn("/todo\n", "todo"), Verdict::Ignored);
  EXPECT_EQ(matchIn("/todo\n", "sub/todo"), Verdict::NoMatch);
  EXPECT_EQ(matchIn("/build/\n", "build", true), Verdict::Ignored);
  EXPECT_EQ(matchIn("/build/\n", "src/build", true), Verdict::NoMatch);
  EXPECT_EQ(matchIn("a/b\n", "a/b"), Verdict::Ignored);
  EXPECT_EQ(matchIn("a/b\n", "c/a/b"), Verdict::NoMatch);
  EXPECT_EQ(matchIn("a/*.py\n", "a/m.py"), Verdict::Ignored);
  EXPECT_EQ(matchIn("a/*.py\n", "a/s/m.py"), Verdict::NoMatch);
  EXPECT_EQ(matchIn("**/cache\n", "x/y/cache", true), Verdict::Ignored);
  EXPECT_EQ(matchIn("**/cache\n", "cache"), Verdict::Ignored);
  EXPECT_EQ(matchIn("gen/**\n", "gen/a/b.py"), Verdict::Ignored);
  EXPECT_EQ(matchIn("gen/**\n", "x/gen/a.py"), Verdict::NoMatch);
}

TEST(GitignoreFile, CommentsAndBlankLines) {
  const std::string_view contents = "# a comment\n\n   \n*.tmp\n#not-a-pattern\n";
  EXPECT_EQ(matchIn(contents, "x.tmp"), Verdict::Ignored);
  EXPECT_EQ(matchIn(contents, "# a comment"), Verdict::NoMatch);
  EXPECT_EQ(matchIn(contents, "#not-a-pattern"), Verdict::NoMatch);
  EXPECT_EQ(matchIn("\\#literal\n", "#literal"), Verdict::Ignored);
  EXPECT_EQ(matchIn("", "anything"), Verdict::NoMatch);
  EXPECT_EQ(matchIn("\n\n", "anything"), Verdict::NoMatch);
  EXPECT_EQ(matchIn("/\n", "anything", true), Verdict::NoMatch);
  EXPECT_EQ(matchIn("!\n", "anything"), Verdict::NoMatch);
}

TEST(GitignoreFile, TrailingSpacesAreIgnoredUnlessEscaped) {
  EXPECT_EQ(matchIn("foo   \n", "foo"), Verdict::Ignored);
  EXPECT_EQ(matchIn("foo   \n", "foo "), Verdict::NoMatch);
  EXPECT_EQ(matchIn("foo\\ \n", "foo "), Verdict::Ignored);
  EXPECT_EQ(matchIn("foo\\ \n", "foo"), Verdict::NoMatch);
  EXPECT_EQ(matchIn("foo\\  \n", "foo "), Verdict::Ignored);
  EXPECT_EQ(matchIn("build/  \n", "build", true), Verdict::Ignored);
}

TEST(GitignoreFile, CrLfAndNoFinalNewline) {
  EXPECT_EQ(matchIn("*.tmp\r\n*.bak\r\n", "x.tmp"), Verdict::Ignored);
  EXPECT_EQ(matchIn("*.tmp\r\n*.bak\r\n", "x.bak"), Verdict::Ignored);
  EXPECT_EQ(matchIn("*.tmp\n*.bak", "x.bak"), Verdict::Ignored);
}

// A scratch directory tree, removed afterwards.
class ScratchTree {
 public:
  ScratchTree() {
    std::string templ = (std::filesystem::temp_directory_path() / "heaplint-gitignore-XXXXXX");
    root_ = mkdtemp(templ.data());
  }
  ~ScratchTree() {
    std::error_code error;
    std::filesystem::remove_all(root_, error);
  }
  const std::filesystem::path& root() const { return root_; }
  void write(const std::filesystem::path& relative, std::string_view contents) const {
    const std::filesystem::path path = root_ / relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << contents;
  }

 private:
  std::filesystem::path root_;
};

TEST(GitignoreStack, DeeperFilesOverrideShallowerOnes) {
  const ScratchTree tree;
  std::filesystem::create_directories(tree.root() / ".git");
  tree.write(".gitignore", "*.gen.py\nout/\n");
  tree.write("pkg/.gitignore", "!keep.gen.py\nlocal.py\n");
  tree.write("pkg/keep.gen.py", "");

  GitignoreStack stack;
  stack.loadAncestors(tree.root() / "pkg");  // the ancestors of pkg: the root
  ASSERT_EQ(stack.depth(), 1u);
  EXPECT_TRUE(stack.ignored(tree.root() / "a.gen.py", false));
  EXPECT_TRUE(stack.ignored(tree.root() / "out", true));
  EXPECT_FALSE(stack.ignored(tree.root() / "out", false));
  EXPECT_FALSE(stack.ignored(tree.root() / "a.py", false));

  ASSERT_TRUE(stack.enter(tree.root() / "pkg"));
  EXPECT_EQ(stack.depth(), 2u);
  EXPECT_FALSE(stack.ignored(tree.root() / "pkg" / "keep.gen.py", false));
  EXPECT_TRUE(stack.ignored(tree.root() / "pkg" / "other.gen.py", false));
  EXPECT_TRUE(stack.ignored(tree.root() / "pkg" / "local.py", false));
  // pkg/.gitignore says nothing about files outside pkg.
  EXPECT_FALSE(stack.ignored(tree.root() / "local.py", false));
  stack.pop();
  EXPECT_TRUE(stack.ignored(tree.root() / "pkg" / "keep.gen.py", false));
  EXPECT_FALSE(stack.enter(tree.root() / "out"));
}

TEST(GitignoreStack, NamesStartingWithTwoDotsAreInsideTheDirectory) {
  const ScratchTree tree;
  std::filesystem::create_directories(tree.root() / ".git");
  tree.write(".gitignore", "*.py\n");
  GitignoreStack stack;
  ASSERT_TRUE(stack.enter(tree.root()));
  EXPECT_TRUE(stack.ignored(tree.root() / "x.py", false));
  EXPECT_TRUE(stack.ignored(tree.root() / "..x.py", false));
  EXPECT_TRUE(stack.ignored(tree.root() / "sub" / "..x.py", false));
  EXPECT_FALSE(stack.ignored(tree.root().parent_path() / "x.py", false));
}

TEST(GitignoreStack, NothingOutsideARepository) {
  const ScratchTree tree;
  tree.write(".gitignore", "*\n");
  tree.write("sub/x.py", "");
  GitignoreStack stack;
  stack.loadAncestors(tree.root() / "sub");
  bool temp_in_repository = false;
  for (std::filesystem::path d = tree.root(); d != d.parent_path(); d = d.parent_path()) {
    temp_in_repository = temp_in_repository || std::filesystem::exists(d.parent_path() / ".git");
  }
  if (temp_in_repository) GTEST_SKIP() << "the temporary directory is inside a repository";
  EXPECT_EQ(stack.depth(), 0u);
  EXPECT_FALSE(stack.ignored(tree.root() / "sub" / "x.py", false));
}

}  // namespace
}  // namespace heaplint::cli
