// Long blocks of comment lines, which the parser may read by a few of their lines only.
//
// Why: at every line break tree-sitter-python's scanner looks past all the comment (and blank)
// lines that follow, for the next line of code, to place indents and dedents; so a block of n
// comment lines costs n^2 (10,000 lines took 2 s, 25,000 after an indented body ran past the
// parse budget and left a valid file unchecked). Upstream knows (tree-sitter-python PRs 242-245;
// the fix needs a new lexer ABI).
//
// What may be left out keeps the code's parse, and the comments' places in the tree, as they
// are: comments are no statements, and each scan decides from the indentation of the first
// comment after its line break and from the next line of code. So, in a block of comment and
// blank lines, a comment line is kept when it starts or ends the block or when its indentation
// differs from the comment line before or after it; what lies between two kept lines goes (the
// scan after a kept line then meets a comment indented as the one it met before). Decided line
// by line, so that an edit elsewhere (an unclosed quote typed in the editor) never changes it,
// and safe inside a string too: a line that could end a string, open a field or escape (it holds
// a triple quote, a brace, a backslash, or a quote right after a line ending in a backslash) is
// kept, so only text that a string's token spans anyway goes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace heaplint {

// The byte ranges of `text` that may be left out of a parse (see above), in blocks of at least
// `min_lines` comment and blank lines; at most `most_interiors` of them, the longest (tree-sitter's
// lexer looks through the ranges one by one at each of its jumps). Every range starts and ends at
// a line's start, and lies between two lines that stay. `text` is taken to start at a line's
// start. Comment lines that always stay, the block going on past them: those naming `noqa` (the
// directives are read from the tree's comments), or holding what could end a string (above), a
// NUL (it ends a comment token), a form feed or a carriage return other than in a final "\r\n".
std::vector<std::pair<uint32_t, uint32_t>> commentBlockInteriors(std::string_view text,
                                                                 size_t min_lines,
                                                                 size_t most_interiors);

}  // namespace heaplint
