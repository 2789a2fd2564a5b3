#include "analyzer/comment_blocks.h"

#include <cctype>
#include <string_view>

namespace heaplint {
namespace {

enum class LineKind { Comment, Blank, Other };

bool namesNoqa(std::string_view text) {
  for (size_t at = text.find_first_of("qQ"); at != std::string_view::npos;
       at = text.find_first_of("qQ", at + 1)) {
    if (at >= 2 && at + 1 < text.size() &&
        std::tolower(static_cast<unsigned char>(text[at - 2])) == 'n' &&
        std::tolower(static_cast<unsigned char>(text[at - 1])) == 'o' &&
        std::tolower(static_cast<unsigned char>(text[at + 1])) == 'a') {
      return true;
    }
  }
  return false;
}

// What a line (its line break included) is to commentBlockInteriors; for a comment, `indent` is
// the text before its `#`.
LineKind kindOfLine(std::string_view line, std::string_view& indent) {
  std::string_view content = line;
  if (content.ends_with('\n')) content.remove_suffix(1);
  if (content.ends_with('\r')) content.remove_suffix(1);
  const size_t first = content.find_first_not_of(" \t");
  if (first == std::string_view::npos) return LineKind::Blank;
  if (content[first] != '#') return LineKind::Other;
  // A form feed or a carriage return ends the scanner's look-ahead: such a line stays.
  if (content.find_first_of("'\"{}\\\f\r", first) != std::string_view::npos ||
      namesNoqa(content.substr(first))) {
    return LineKind::Other;
  }
  indent = content.substr(0, first);
  return LineKind::Comment;
}

struct CommentLine {
  uint32_t start;
  uint32_t next;  // the next line's start
  std::string_view indent;
};

}  // namespace

std::vector<std::pair<uint32_t, uint32_t>> commentBlockInteriors(std::string_view text,
                                                                 size_t min_lines) {
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
        const bool kept = j + 1 == count || comments[j].indent != comments[j - 1].indent ||
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
  for (size_t start = 0; start < text.size();) {
    const size_t feed = text.find('\n', start);
    const size_t next = feed == std::string_view::npos ? text.size() : feed + 1;
    std::string_view indent;
    switch (kindOfLine(text.substr(start, next - start), indent)) {
      case LineKind::Comment:
        comments.push_back(
            CommentLine{static_cast<uint32_t>(start), static_cast<uint32_t>(next), indent});
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
  return interiors;
}

}  // namespace heaplint
