#include "analyzer/syntax_fstrings.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/fix.h"
#include "tests/unit/all_rules.h"

namespace heaplint {
namespace {

std::vector<uint32_t> found(std::string_view text) {
  return formatSpecsStartingWithEquals(text);
}

TEST(FormatSpecsStartingWithEquals, FindsTheEqualsAfterAFieldsTopLevelColon) {
  EXPECT_EQ(found(R"(f"{x:=}")"), std::vector<uint32_t>{5});
  EXPECT_EQ(found(R"(f"{x:=^10}")"), std::vector<uint32_t>{5});
  EXPECT_EQ(found(R"(F'{x!r:=}' rf"{y:=}\d")"), (std::vector<uint32_t>{7, 17}));
  // Nested fields in a spec, and a spec in a nested field.
  EXPECT_EQ(found(R"(f"{x:=^{w}} {a:{b:=}}")"), (std::vector<uint32_t>{5, 18}));
  EXPECT_EQ(found("f'''{\nx:=>10}'''"), std::vector<uint32_t>{8});
}

TEST(FormatSpecsStartingWithEquals, LeavesWalrusesAndOtherTextAlone) {
  EXPECT_TRUE(found("if (n := len(a)) > 10: pass").empty());
  EXPECT_TRUE(found(R"(f"{(x:=1)} {[y:=2]} {x[1:2]:>3} {d['k:=']}")").empty());
  EXPECT_TRUE(found(R"("{x:=}" + b'{x:=}' + f"{{x:=}}")").empty());
  EXPECT_TRUE(found("# f\"{x:=}\"\nx = 1").empty());
  EXPECT_TRUE(found(R"(xf"{x:=}")").empty());  // an identifier, not a prefix
  // A string that ends the f-string early: the rest is code again.
  EXPECT_TRUE(found("f\"{x}\" ; print(y := 1)").empty());
}

TEST(FormatSpecsStartingWithEquals, KeepsToTheRangeAndSurvivesBrokenInput) {
  const std::string text = "a = 1\nb = f\"{x:=}\"\n";
  EXPECT_TRUE(formatSpecsStartingWithEquals(text, 0, 6).empty());
  EXPECT_EQ(formatSpecsStartingWithEquals(text, 6, static_cast<uint32_t>(text.size())),
            std::vector<uint32_t>{15});
  for (const char* broken : {"f\"{x:=", "f\"{", "f'''{x:{", "f\"\\N{", "f\"{x:='", "'''", "\\"}) {
    const std::vector<uint32_t> offsets = found(broken);
    for (const uint32_t offset : offsets)
      EXPECT_LT(offset, std::string_view(broken).size());
  }
}

bool parsesWithError(const std::string& text) {
  const SourceText source(text);
  const TreePtr tree = PythonParser::forThisThread().parse(source);
  uint32_t offset = 0;
  return findFirstSyntaxError(ts_tree_root_node(tree.get()), offset);
}

TEST(FStringParsing, FormatSpecsStartingWithEqualsAreValid) {
  for (const char* valid : {
           "f\"{x:=}\"\n",
           "f\"{x:=^10}\"\n",
           "f\"{x:=<10}\"\n",
           "f\"{x:==10}\"\n",
           "f\"{x:=>{w}}\"\n",
           "f\"{x:=}{y:=}\"\n",
           "f\"{x:=#x}\"\n",
           "f\"{x:=,}\"\n",
           "f\"{x:='}\"\n",
           "f\"{x:=!r}\"\n",
           "f\"{x:{y:=}}\"\n",
           "f\"\"\"{x:=}\"\"\"\n",
           "print(f'{value:=^40}', f'{n:=10}')\n",
       }) {
    EXPECT_FALSE(parsesWithError(valid)) << valid;
  }
}

TEST(FStringParsing, RealErrorsNearbyStillCount) {
  EXPECT_TRUE(parsesWithError("f\"{x:=}\" +\n"));
  EXPECT_TRUE(parsesWithError("s = f\"{x:=^10}\"\nt = (\n"));
  EXPECT_TRUE(parsesWithError("f\"{x:=^10\"\n"));
}

TEST(FStringParsing, AFormatSpecIsNotAWalrus) {
  // The grammar alone reads `f"{x:=10}"` without error as `x := 10`, binding `x`.
  const SourceText source("f\"{x:=10}\"\n");
  const TreePtr tree = PythonParser::forThisThread().parse(source);
  const std::string sexp = [&] {
    char* text = ts_node_string(ts_tree_root_node(tree.get()));
    std::string copy(text);
    free(text);  // NOLINT(cppcoreguidelines-no-malloc): tree-sitter allocates with malloc
    return copy;
  }();
  EXPECT_EQ(sexp.find("named_expression"), std::string::npos) << sexp;
  EXPECT_NE(sexp.find("format_specifier"), std::string::npos) << sexp;
}

TEST(FStringParsing, FixesStayOnInAFileWithSuchAFormatSpec) {
  const SourceText source(
      "def report(path, title):\n"
      "    print(f\"{title:=^40}\")\n"
      "    return sum([len(x) for x in open(path)])\n");
  const FileAnalysis analysis = analyze(source, allRulesOptions());
  EXPECT_FALSE(analysis.has_syntax_error);
  ASSERT_EQ(analysis.diagnostics.size(), 1U);
  EXPECT_EQ(analysis.diagnostics[0].rule->code, "MEM101");
  EXPECT_TRUE(analysis.diagnostics[0].fix.has_value());
}

TEST(FStringParsing, AnIncrementalReparseReadsColonEqualsAsAFreshParseDoes) {
  // A line break typed into `f'{q:=}'` ends the f-string there as Python reads it, so the `=`
  // after it, outside the edit, is no longer read as a format spec.
  const SourceText before("d = f'{q:=}'\n");
  PythonParser& parser = PythonParser::forThisThread();
  const TreePtr old_tree = parser.parse(before);
  TreePtr edited(ts_tree_copy(old_tree.get()));
  const TSInputEdit edit = inputEditFor(before, 6, 6, "\n");
  ts_tree_edit(edited.get(), &edit);
  const SourceText after(before.edited(6, 6, "\n"));
  const TreePtr reparsed = parser.parse(after, edited.get());
  const TreePtr fresh = parser.parse(after);
  char* reparsed_text = ts_node_string(ts_tree_root_node(reparsed.get()));
  char* fresh_text = ts_node_string(ts_tree_root_node(fresh.get()));
  EXPECT_STREQ(reparsed_text, fresh_text);
  free(reparsed_text);  // NOLINT(cppcoreguidelines-no-malloc)
  free(fresh_text);     // NOLINT(cppcoreguidelines-no-malloc)
}

}  // namespace
}  // namespace heaplint
