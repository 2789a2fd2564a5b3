// Every walk that follows a name to its definition, or recurses over an expression, ends on input
// that leads it round in a circle or nests without end (issue 11's audit; docs/development.md
// lists each walk and its bound). Before the bounds, several of these overflowed the stack.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "analyzer/analyze.h"
#include "rules/registry.h"
#include "tests/unit/all_rules.h"

namespace heaplint {
namespace {

std::vector<std::string> codesIn(const std::string& text) {
  const SourceText source(text);
  const FileAnalysis analysis = analyze(source, allRulesOptions());
  std::vector<std::string> codes;
  for (const Diagnostic& diagnostic : analysis.diagnostics)
    codes.emplace_back(diagnostic.rule->code);
  return codes;
}

std::string repeated(std::string_view text, int count) {
  std::string out;
  for (int i = 0; i < count; ++i)
    out += text;
  return out;
}

const std::string kHotClass =
    "class P:\n    def __init__(self, v):\n        self.v = v\n\n\nitems = []\n";

// MEM401 asks the size evidence how many items a loop walks, which follows the iterable to its
// value. A cycle sizes nothing (quiet); a cycle beside data still lets the data be seen.
TEST(NameCycles, ANameBoundToAFunctionOfItself) {
  EXPECT_EQ(codesIn(kHotClass + "gens = sorted(gens)\nfor g in gens:\n    items.append(P(g))\n"),
            std::vector<std::string>{});
  EXPECT_EQ(codesIn(kHotClass + "gens = sorted(gens) + open('f').readlines()\nfor g in gens:\n"
                                "    items.append(P(g))\n"),
            std::vector<std::string>{"MEM401"});
}

TEST(NameCycles, TwoNamesBoundToEachOther) {
  EXPECT_EQ(
      codesIn(kHotClass + "a = sorted(b) + open('f').readlines()\nb = reversed(a)\nfor x in a:\n"
                          "    items.append(P(x))\n"),
      std::vector<std::string>{"MEM401"});
  EXPECT_EQ(codesIn(kHotClass + "n = range(len(n))\nfor x in n:\n    items.append(P(x))\n"),
            std::vector<std::string>{});
  EXPECT_EQ(codesIn(kHotClass + "n = range(len(n) + len(open('f').readlines()))\nfor x in n:\n"
                                "    items.append(P(x))\n"),
            std::vector<std::string>{"MEM401"});
}

// Past the walk's depth bound nothing is known: quiet, and no overflow.
TEST(NameCycles, AnIterableInParenthesesNestedDeep) {
  const std::string text = kHotClass + "for g in " + repeated("(", 50000) + "open('f')" +
                           repeated(")", 50000) + ":\n    items.append(P(g))\n";
  EXPECT_EQ(codesIn(text), std::vector<std::string>{});
  EXPECT_EQ(codesIn(kHotClass + "for g in " + repeated("(", 10) + "open('f')" + repeated(")", 10) +
                    ":\n    items.append(P(g))\n"),
            std::vector<std::string>{"MEM401"});
}

TEST(NameCycles, ARangeBoundByArithmeticNestedDeep) {
  const std::string text = kHotClass + "class C:\n    N = 3\n\n\nfor i in range(" +
                           "len(open('f').readlines()) + " + repeated("(", 50000) + "C.N" +
                           repeated(" + 1)", 50000) + "):\n    items.append(P(i))\n";
  EXPECT_EQ(codesIn(text), std::vector<std::string>{"MEM401"});
}

// isLocalEnum / isEnumClassDefinition (rules/common.h) follow a class's bases in this file.
TEST(NameCycles, ClassesThatAreTheirOwnBases) {
  const std::string text = kHotClass +
                           "class A(B):\n    pass\n\n\nclass B(A):\n    pass\n\n\n"
                           "class S(S):\n    pass\n\n\n"
                           "for m, line in zip(A, open('f')):\n    items.append(P(m))\n"
                           "for m, line in zip(S, open('f')):\n    items.append(P(m))\n";
  EXPECT_EQ(codesIn(text), std::vector<std::string>{"MEM401"});
  // MEM202 asks whether a parameter's annotation is a finite Enum through the same walk.
  EXPECT_EQ(codesIn("import functools\n\n\nclass A(B):\n    pass\n\n\nclass B(A):\n    pass\n\n\n"
                    "@functools.cache\ndef f(x: A):\n    return x\n\n\n"
                    "def g(path):\n    for line in open(path):\n        f(line)\n"),
            std::vector<std::string>{"MEM202"});
}

// MEM301 follows a registered callback through local names and functools.partial.
TEST(NameCycles, ACallbackBoundToItself) {
  const std::string text =
      "import functools\nimport signal\n\n\ndef handle(bus):\n"
      "    handler = handler\n    bus.connect(handler)\n"
      "    wrapped = functools.partial(wrapped, 1)\n    bus.connect(wrapped)\n"
      "    nested = " +
      repeated("functools.partial(", 2000) + "lambda: None" + repeated(")", 2000) +
      "\n    bus.connect(nested)\n";
  codesIn(text);  // any verdict: the walk must end
}

// MEM301 keys dispatch registries by tuples of types, nested to any depth in generated code.
TEST(NameCycles, TuplesOfTypesNestedDeep) {
  const std::string text =
      "import functools\n\n\n@functools.singledispatch\ndef f(x):\n    pass\n\n\n"
      "def add(bus):\n    f.register(" +
      repeated("(", 50000) + "int" + repeated(",)", 50000) + ", lambda x: x)\n";
  codesIn(text);
}

// The project join follows re-exports between modules and bases across files.
TEST(NameCycles, ModulesThatReExportEachOther) {
  const AnalysisOptions options = allRulesOptions();
  std::vector<ProjectSource> files;
  const auto add = [&](std::string path, std::string module, bool package, std::string text) {
    ProjectSource file;
    file.path = std::move(path);
    file.module = ModuleInfo{std::move(module), package};
    file.source = std::make_unique<SourceText>(std::move(text));
    files.push_back(std::move(file));
  };
  add("pkg/__init__.py", "pkg", true, "from .a import Loop\nfrom .b import Base\n");
  add("pkg/a.py", "pkg.a", false, "from .b import Loop\n\n\nclass Base(Other):\n    pass\n");
  add("pkg/b.py", "pkg.b", false,
      "from .a import Loop\nfrom .a import Base as Other\n\n\nclass Other(Base):\n"
      "    __slots__ = ()\n\n\ndef make(rows):\n    return [Loop(r) for r in rows] + "
      "[Other(r) for r in rows]\n");
  analyzeProject(files, options, 1);
  for (const ProjectSource& file : files)
    EXPECT_NE(file.analysis, nullptr) << file.path;
}

}  // namespace
}  // namespace heaplint
