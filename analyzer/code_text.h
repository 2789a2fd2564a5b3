// A file's code without its comments and the text of its string literals: what a rule asks
// before the file is parsed, to rule the file out (RuleDefinition::may_find). `any` and `sum`
// in a docstring are prose; in code they may be a call the rule looks for.
//
// Conservative by construction: a blanked byte is one that cannot be code. F-strings keep their
// replacement fields (`f"{sum([x])}"` is a call), and where the scan cannot follow the text (a
// string still open at the end of the file, nesting deeper than it tracks) it keeps the whole
// text as it is (and is unsure()). A word of code is never hidden; a word of prose may stay.
#pragma once

#include <string>
#include <string_view>

namespace heaplint {

class CodeText {
 public:
  explicit CodeText(std::string_view text) : raw_(text) {}

  // The text as given.
  std::string_view raw() const { return raw_; }
  // The text with comments and string literals' text turned into spaces (line breaks kept, so
  // offsets and rows match the raw text); made on first use.
  std::string_view code() const;
  // Whether the text may not parse as it reads: the scan could not follow it, or its code holds
  // a byte no valid code holds (an invalid one, `$`, a control character). The parser's error
  // recovery skips such bytes and may read a call around them (`all\xbb([x])` as `all([x])`),
  // so a rule cannot rule the file out from its text.
  bool unsure() const;

  // Whether `word` occurs as a whole name (not inside a longer one: `gc`, not `gcd`). Only ASCII
  // letters, digits and `_` continue a name here: a word is found more often, never less.
  bool rawHasWord(std::string_view word) const;
  bool codeHasWord(std::string_view word) const;
  // Whether some call in the code has a first argument that starts with one of `openers`
  // (`f([x for x in y])`, `g(\n    {k: v ...})`): an opening parenthesis right after a name, a
  // closing bracket or a closing parenthesis, then only spaces, line breaks and comments.
  bool codeHasCallWithArgumentStarting(std::string_view openers) const;
  // The same, for calls whose callee's last name (`sum` of `sum(`, `math.fsum(`; empty for
  // `f()(` or a name ending in a non-ASCII letter) `wanted` takes: one pass for many names.
  bool codeHasCallWhere(std::string_view openers, bool (*wanted)(std::string_view callee)) const;
  // Whether the word `next` follows a word `wanted` takes (`fsum as total`, `len as count`).
  bool codeHasWordBefore(std::string_view next, bool (*wanted)(std::string_view word)) const;
  // Whether the code calls `callee` by that name (`callee(`, `module.callee(`) with a first
  // argument that starts with one of `openers`, or with a call of `argument_callee` when given
  // (`len(list(`).
  bool codeHasCallOf(std::string_view callee, std::string_view openers,
                     std::string_view argument_callee = {}) const;
  // Whether some `def`'s parameter has a default whose text (from its first character on) `wanted`
  // takes (`x={}`: "{}..."). A `def` whose name is not followed by `(` counts as yes.
  bool codeHasDefaultWhere(bool (*wanted)(std::string_view value)) const;

 private:
  std::string_view raw_;
  mutable std::string code_;
  mutable bool made_ = false;
  mutable bool unsure_ = false;
};

// A byte that may be part of a Python name as written: an ASCII letter, digit or underscore, or
// any non-ASCII byte (a name is then matched whole whatever its letters).
bool isNameByte(char c);

// `text` with comments and string literals blanked as CodeText::code() says.
std::string blankCommentsAndStrings(std::string_view text);

}  // namespace heaplint
