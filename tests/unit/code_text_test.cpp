#include "analyzer/code_text.h"

#include <gtest/gtest.h>

#include <string>

namespace heaplint {
namespace {

std::string blanked(std::string_view text) {
  return blankCommentsAndStrings(text);
}

TEST(CodeText, CommentsAndStringTextBecomeSpaces) {
  EXPECT_EQ(blanked("x = 1  # sum([])\n"), "x = 1           \n");
  EXPECT_EQ(blanked("s = 'any'\n"), "s = '   '\n");
  EXPECT_EQ(blanked("s = \"all\"\n"), "s = \"   \"\n");
  EXPECT_EQ(blanked("s = rb'max' + B\"min\" + u'x'\n"), "s = rb'   ' + B\"   \" + u' '\n");
  // Line breaks stay, so rows match.
  EXPECT_EQ(blanked("\"\"\"doc\nsum\"\"\"\nx\n"), "\"\"\"   \n   \"\"\"\nx\n");
  EXPECT_EQ(blanked("'''a ' b'''\n"), "'''     '''\n");
  // An escaped quote does not end the string; in a raw string neither.
  EXPECT_EQ(blanked("s = 'it\\'s' + r'\\'' + sum\n"), "s = '     ' + r'  ' + sum\n");
  // `#` inside a string is text, a quote inside a comment is not a string.
  EXPECT_EQ(blanked("s = '#'; t = sum  # it's\n"), "s = ' '; t = sum        \n");
}

TEST(CodeText, FStringsKeepTheirReplacementFields) {
  EXPECT_EQ(blanked("f'total {sum([x for x in y])}!'\n"), "f'      {sum([x for x in y])} '\n");
  EXPECT_EQ(blanked("F\"{{sum}} {len(x)}\"\n"), "F\"        {len(x)}\"\n");
  EXPECT_EQ(blanked("rf'{a!r:>{width}} x'\n"), "rf'{a!r:>{width}}  '\n");
  // Strings inside a field are strings; since 3.12 they may reuse the quote.
  EXPECT_EQ(blanked("f\"{d['any']} {e[\"all\"]}\"\n"), "f\"{d['   ']} {e[\"   \"]}\"\n");
  EXPECT_EQ(blanked("f'{f\"{max(x)}\"}'\n"), "f'{f\"{max(x)}\"}'\n");
  EXPECT_EQ(blanked("f'''{\n  sum(x)  # c\n}'''\n"), "f'''{\n  sum(x)     \n}'''\n");
}

TEST(CodeText, WhatItCannotFollowIsKeptWhole) {
  for (const char* text : {"s = 'open\nsum([x])\n", "s = '''open\nsum([x])\n", "f'{sum([x])\n",
                           "f'{a[}'\n", "x = 'end\\"}) {
    EXPECT_EQ(blanked(text), text) << text;
  }
}

TEST(CodeText, NamesBeforeQuotesAreNotAlwaysPrefixes) {
  // `if'x'` is a keyword then a string; a longer name is never a prefix.
  EXPECT_EQ(blanked("if'sum':pass\n"), "if'   ':pass\n");
  EXPECT_EQ(blanked("print('any')\n"), "print('   ')\n");
}

TEST(CodeText, WordsOfCodeNotOfProse) {
  const CodeText text("\"\"\"Sum of all rows.\"\"\"\nimport gc  # any\nvalues = {'max': 1}\n");
  EXPECT_TRUE(text.rawHasWord("all"));
  EXPECT_FALSE(text.codeHasWord("all"));
  EXPECT_FALSE(text.codeHasWord("any"));
  EXPECT_FALSE(text.codeHasWord("max"));
  EXPECT_TRUE(text.codeHasWord("gc"));
  EXPECT_TRUE(text.codeHasWord("values"));
  EXPECT_FALSE(text.codeHasWord("value"));
  EXPECT_FALSE(CodeText("bgcolor = gcd(1, 2)\n").codeHasWord("gc"));
  // After a byte that is no letter (invalid UTF-8, a no-break space) a word starts anew.
  EXPECT_TRUE(CodeText("x = \xff\xff"
                       "any([n for n in names])\n")
                  .codeHasCallOf("any", "[{"));
  EXPECT_TRUE(CodeText("x =\xc2\xa0"
                       "any([n])\n")
                  .codeHasCallOf("any", "[{"));
  EXPECT_TRUE(CodeText("f\xc3\xa9"
                       "([x])")
                  .codeHasCallWithArgumentStarting("["));
}

TEST(CodeText, CallsWhoseFirstArgumentOpensABracket) {
  for (const char* text : {"sum([x for x in y])", "any(\n    {x for x in y})", "f (  [1])",
                           "g()([1])", "h[0]([1])", "m(  # comment\n  [x])", "m(\\\n[x])"}) {
    EXPECT_TRUE(CodeText(text).codeHasCallWithArgumentStarting("[{")) << text;
  }
  for (const char* text : {"x = ([1], 2)", "sum(x for x in y)", "sum(x, [])", "'f([1])'",
                           "f(  # ([\n  x)", "print(\n)\n[1]"}) {
    EXPECT_FALSE(CodeText(text).codeHasCallWithArgumentStarting("[{")) << text;
  }
  EXPECT_FALSE(CodeText("f({1})").codeHasCallWithArgumentStarting("["));
}

TEST(CodeText, StrayBytesMakeItUnsure) {
  EXPECT_FALSE(CodeText("x = sum(y)  # \xff caf\xc3\xa9\ns = 'caf\xc3\xa9 $?'\n").unsure());
  for (const char* text : {"return all\xbb([x])\n", "x = $sum([y])\n", "a ? b\n", "`x`\n",
                           "x = 1\x01\n", "caf\xc3\xa9 = 1\n", "s = 'open\n"}) {
    EXPECT_TRUE(CodeText(text).unsure()) << text;
  }
}

TEST(CodeText, CallsOfANamedCallee) {
  for (const char* text : {"sum([x for x in y])", "math.fsum(\n  [x])", "len (list (x))",
                           "n = len(  # count\n  [x])", "any({x for x in y})"}) {
    const CodeText code(text);
    EXPECT_TRUE(code.codeHasCallOf("sum", "[{") || code.codeHasCallOf("fsum", "[{") ||
                code.codeHasCallOf("len", "[", "list") || code.codeHasCallOf("any", "[{"))
        << text;
  }
  EXPECT_FALSE(CodeText("summary([x])").codeHasCallOf("sum", "[{"));
  EXPECT_FALSE(CodeText("sum(x for x in y)").codeHasCallOf("sum", "[{"));
  EXPECT_FALSE(CodeText("'sum([x])'").codeHasCallOf("sum", "[{"));
  EXPECT_FALSE(CodeText("len(lists(x))").codeHasCallOf("len", "[", "list"));
  EXPECT_FALSE(CodeText("len(list)").codeHasCallOf("len", "[", "list"));
  EXPECT_FALSE(CodeText("total = sum\ntotal([x])").codeHasCallOf("sum", "[{"));
}

TEST(CodeText, CallsAndAliasesOfManyNames) {
  const auto reducer = [](std::string_view name) { return name == "sum" || name == "fsum"; };
  EXPECT_TRUE(CodeText("x = math.fsum(\n  [y])").codeHasCallWhere("[{", reducer));
  EXPECT_TRUE(CodeText("f(1)\nsum({y})").codeHasCallWhere("[{", reducer));
  EXPECT_FALSE(CodeText("summary([y]) + sum(y) + f()([y])").codeHasCallWhere("[{", reducer));
  EXPECT_TRUE(CodeText("from math import fsum as total\n").codeHasWordBefore("as", reducer));
  EXPECT_FALSE(CodeText("with open(f) as sum_file: pass\n").codeHasWordBefore("as", reducer));
  EXPECT_FALSE(CodeText("import x as y  # sum as z\n").codeHasWordBefore("as", reducer));
}

TEST(CodeText, TheWordBeforeAnother) {
  const auto len = [](std::string_view word) { return word == "len"; };
  EXPECT_TRUE(CodeText("from builtins import (len\n    as n)\n").codeHasWordBefore("as", len));
  EXPECT_FALSE(CodeText("x = len(y)  # len as n\n").codeHasWordBefore("as", len));
  EXPECT_FALSE(CodeText("len_as = 1\nlen asks\nlength as n\n").codeHasWordBefore("as", len));
}

bool opensDict(std::string_view value) {
  return value.starts_with("{");
}

TEST(CodeText, DefaultsOfParameters) {
  EXPECT_TRUE(CodeText("def f(x, cache={}):\n    pass\n").codeHasDefaultWhere(opensDict));
  EXPECT_TRUE(CodeText("async def f(x, *,\n      cache: dict =\n   {}): pass\n")
                  .codeHasDefaultWhere(opensDict));
  // Not a default: a keyword argument of a default's call, a comparison, a body.
  EXPECT_FALSE(CodeText("def f(x=g(y={})): pass\n").codeHasDefaultWhere(opensDict));
  EXPECT_FALSE(CodeText("def f(x=a=={}): pass\n").codeHasDefaultWhere(opensDict));
  EXPECT_FALSE(CodeText("def f(x):\n    y = {}\n").codeHasDefaultWhere(opensDict));
  EXPECT_FALSE(CodeText("f(x={})\n").codeHasDefaultWhere(opensDict));
  // What the scan cannot read as a parameter list counts as yes (`def f[T](...)`).
  EXPECT_TRUE(CodeText("def f[T](x: T): pass\n").codeHasDefaultWhere(opensDict));
}

TEST(CodeText, LoneCarriageReturnsMakeItUnsure) {
  // Python ends a line at a lone carriage return; the blanker would run a comment on past it.
  EXPECT_TRUE(CodeText("x = 1  # c\rsum([y])\r").unsure());
  EXPECT_FALSE(CodeText("x = 1  # c\r\nsum([y])\r\n").unsure());
}

}  // namespace
}  // namespace heaplint
