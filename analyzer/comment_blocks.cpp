#include "analyzer/comment_blocks.h"

#include <algorithm>
#include <cstddef>
#include <string_view>

#include "analyzer/noqa.h"

namespace heaplint {
namespace {

// A comment line that may be left out; one that must stay (it could hold what a string ends with,
// or is a directive) but goes on the block; a blank line; anything else, which ends the block.
enum class LineKind { Comment, KeptComment, Blank, Other };

// What a line (its line break included) is to commentBlockInteriors; for a comment, `indent` is
// the text before its `#`. `continued`: the line before ends with a backslash.
LineKind kindOfLine(std::string_view line, bool continued, std::string_view& indent) {
  std::string_view content = line;
  if (content.ends_with('\n')) content.remove_suffix(1);
  if (content.ends_with('\r')) content.remove_suffix(1);
  const size_t first = content.find_first_not_of(" \t");
  if (first == std::string_view::npos) return LineKind::Blank;
  if (content[first] != '#') return LineKind::Other;
  indent = content.substr(0, first);
  // In a string's text, what could end it, open a field or escape: a triple quote (a string on
  // one quote reaches this line only after a backslash), a brace, a backslash. And a NUL ends a
  // comment token, a carriage return a line for Python, a form feed resets the indentation.
  constexpr char kStaying[] = {'{', '}', '\\', '\f', '\r', '\0'};
  const std::string_view comment = content.substr(first);
  if (comment.find_first_of(std::string_view(kStaying, sizeof kStaying)) !=
          std::string_view::npos ||
      comment.find("\"\"\"") != std::string_view::npos ||
      comment.find("\'\'\'") != std::string_view::npos ||
      (continued && comment.find_first_of("'\"") != std::string_view::npos) ||
      mentionsNoqa(comment)) {
    return LineKind::KeptComment;
  }
  return LineKind::Comment;
}

struct CommentLine {
  uint32_t start;
  uint32_t next;  // the next line's start
  std::string_view indent;
  bool must_stay;
};

}  // namespace

std::vector<std::pair<uint32_t, uint32_t>> commentBlockInteriors(std::string_view text,
                                                                 size_t min_lines,
                                                                 size_t most_interiors) {
  std::vector<std::pair<uint32_t, uint32_t>> interiors;
  if (min_lines < 3) return interiors;
  std::vector<CommentLine> comments;  // of the block under way
  size_t block_lines = 0;             // from its first comment line to its last
  size_t blanks = 0;                  // blank lines since its last comment line
  const auto endBlock = [&] {
    if (block_lines >= min_lines) {
      const size_t count = comments.size();
      size_t last_kept = 0;
      for (size_t j = 1; j < count; ++j) {
        const bool kept = comments[j].must_stay || j + 1 == count ||
                          comments[j].indent != comments[j - 1].indent ||
                          comments[j].indent != comments[j + 1].indent;
        if (!kept) continue;
        if (j > last_kept + 1) interiors.emplace_back(comments[last_kept].next, comments[j].start);
        last_kept = j;
      }
    }
    comments.clear();
    block_lines = 0;
    blanks = 0;
  };
  bool continued = false;
  for (size_t start = 0; start < text.size();) {
    const size_t feed = text.find('\n', start);
    const size_t next = feed == std::string_view::npos ? text.size() : feed + 1;
    const std::string_view line = text.substr(start, next - start);
    std::string_view indent;
    const LineKind kind = kindOfLine(line, continued, indent);
    continued = line.ends_with("\\\n") || line.ends_with("\\\r\n");
    switch (kind) {
      case LineKind::Comment:
      case LineKind::KeptComment:
        comments.push_back(CommentLine{static_cast<uint32_t>(start), static_cast<uint32_t>(next),
                                       indent, kind == LineKind::KeptComment});
        block_lines += blanks + 1;
        blanks = 0;
        break;
      case LineKind::Blank:
        if (!comments.empty()) ++blanks;
        break;
      case LineKind::Other:
        endBlock();
        break;
    }
    start = next;
  }
  endBlock();
  if (interiors.size() > most_interiors) {
    // The longest: a block costs the scanner the square of its length, and every range left out
    // costs each of the lexer's jumps a step.
    std::vector<std::pair<uint32_t, uint32_t>> longest = interiors;
    std::nth_element(
        longest.begin(), longest.begin() + static_cast<ptrdiff_t>(most_interiors), longest.end(),
        [](const auto& a, const auto& b) { return a.second - a.first > b.second - b.first; });
    longest.resize(most_interiors);
    std::sort(longest.begin(), longest.end());
    return longest;
  }
  return interiors;
}

}  // namespace heaplint
