// Where tree-sitter-python (0.25.0, the newest release) misreads valid f-strings, so that the
// parser can be given text it reads right.
//
// In `f"{x:=}"` and `f"{x:=^10}"` the colon ends the replacement field's expression and `=` starts
// its format spec (fill or alignment), as Python reads it; the grammar lexes `:=` as the walrus
// operator instead, and then reports a syntax error (`=^10` is no expression) or, worse, a tree
// that binds `x` (`f"{x:=10}"`). A `:=` at the top level of a replacement field is never a walrus
// in Python (one must be parenthesised there), so replacing that `=` with a space, which the
// format spec allows, gives the grammar a text of the same length that it parses as Python does.
// The tree's offsets are unchanged and its format_specifier nodes still cover the real text.
//
// The f-string forms of PEP 701 (Python 3.12: the enclosing quote reused inside a replacement
// field, backslashes and comments there) need nothing: the grammar accepts them already, and
// heaplint accepts them for every target version (it is not a syntax checker).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace heaplint {

// Offsets of every `=` that starts the format spec of an f-string replacement field (the `=` of
// `{x:=^10}`, at any nesting depth) in text[start, end), which must begin outside any string:
// the start of the text or of a top-level statement. Linear in the range; empty at once when the
// range holds no `:=`. Unterminated strings and fields end where Python would give up on them.
std::vector<uint32_t> formatSpecsStartingWithEquals(std::string_view text, uint32_t start = 0,
                                                    uint32_t end = UINT32_MAX);

}  // namespace heaplint
