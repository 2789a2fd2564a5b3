#include "analyzer/syntax_fstrings.h"

#include <algorithm>

namespace heaplint {
namespace {

// What the scanner is inside. The stack of frames replaces recursion: nesting depth is the
// input's to choose.
enum class Inside : uint8_t {
  String,   // a string literal that is not an f-string
  FString,  // the literal text of an f-string
  Field,    // the expression of a replacement field: `{x` of `f"{x:>10}"`
  Spec,     // the format spec of a replacement field: `>10` of `f"{x:>10}"`
};

struct Frame {
  Inside inside = Inside::String;
  // Of the string literal this frame is part of (for fields and specs: the enclosing f-string).
  char quote = '"';
  bool triple = false;
  bool raw = false;
  uint32_t brackets = 0;  // fields: brackets opened in the expression and not yet closed
};

bool isIdentifierByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c >= 0x80;
}

class Scanner {
 public:
  Scanner(std::string_view text, size_t start, size_t end) : text_(text), i_(start), end_(end) {}

  std::vector<uint32_t> run() {
    while (i_ < end_) {
      if (stack_.empty()) {
        code();
        continue;
      }
      if (stack_.back().inside == Inside::Field) {
        field();
      } else {
        stringText();
      }
    }
    return std::move(found_);
  }

 private:
  char at(size_t i) const { return i < end_ ? text_[i] : '\0'; }
  static bool isLineEnd(char c) { return c == '\n' || c == '\r'; }

  // Outside any string: only a quote (a string starts) or `#` (a comment) matters.
  void code() {
    const size_t next = text_.find_first_of("'\"#", i_);
    if (next == std::string_view::npos || next >= end_) {
      i_ = end_;
      return;
    }
    i_ = next;
    if (text_[i_] == '#') {
      skipComment();
    } else {
      openString();
    }
  }

  void skipComment() {
    while (i_ < end_ && !isLineEnd(text_[i_]))
      ++i_;
  }

  // At a quote: pushes the string it opens, reading its prefix (`f`, `rb`, `Rf`, ...) backwards.
  void openString() {
    size_t prefix_start = i_;
    while (prefix_start > 0 && i_ - prefix_start < 3 &&
           isIdentifierByte(static_cast<unsigned char>(text_[prefix_start - 1]))) {
      --prefix_start;
    }
    bool is_fstring = false;
    bool raw = false;
    if (i_ - prefix_start < 3) {  // a longer run of letters is an identifier, not a prefix
      for (size_t k = prefix_start; k < i_; ++k) {
        const char c = text_[k];
        if (c == 'f' || c == 'F') {
          is_fstring = true;
        } else if (c == 'r' || c == 'R') {
          raw = true;
        } else if (c != 'b' && c != 'B' && c != 'u' && c != 'U') {
          is_fstring = false;
          raw = false;
          break;
        }
      }
    }
    Frame frame;
    frame.inside = is_fstring ? Inside::FString : Inside::String;
    frame.quote = text_[i_];
    frame.raw = raw;
    frame.triple = at(i_ + 1) == frame.quote && at(i_ + 2) == frame.quote;
    i_ += frame.triple ? 3 : 1;
    stack_.push_back(frame);
  }

  // At a quote of the string `frame` belongs to: how many bytes close it, 0 if this one does not.
  size_t closingLength(const Frame& frame) const {
    if (text_[i_] != frame.quote) return 0;
    if (!frame.triple) return 1;
    return at(i_ + 1) == frame.quote && at(i_ + 2) == frame.quote ? 3 : 0;
  }

  // Leaves the f-string that the top frames belong to (its end, or a line end that cuts it off).
  void leaveFString() {
    while (!stack_.empty()) {
      const Inside inside = stack_.back().inside;
      stack_.pop_back();
      if (inside == Inside::FString) return;
    }
  }

  // A backslash in string text: it escapes the next character, even in raw strings as far as
  // ending the string goes. `\{` and `\}` leave the brace to open or close a field; `\N{...}`
  // names a character in an f-string that is not raw.
  void skipEscape(const Frame& frame) {
    const char next = at(i_ + 1);
    if (next == '{' || next == '}') {
      ++i_;
      return;
    }
    if (next == 'N' && !frame.raw && at(i_ + 2) == '{' && frame.inside != Inside::String) {
      i_ += 3;
      while (i_ < end_ && text_[i_] != '}' && !isLineEnd(text_[i_]))
        ++i_;
      if (i_ < end_ && text_[i_] == '}') ++i_;
      return;
    }
    i_ += next == '\r' && at(i_ + 2) == '\n' ? 3 : 2;
  }

  // String text: a plain string's, an f-string's literal text, or a format spec (literal text
  // until the `}` that ends its field). Jumps to the next byte that matters: the quote, a
  // backslash, a line end, a brace.
  void stringText() {
    const Frame frame = stack_.back();
    const bool plain = frame.inside == Inside::String;
    const bool in_spec = frame.inside == Inside::Spec;
    const size_t next = text_.find_first_of(frame.quote == '"' ? "\"\\\n\r{}" : "'\\\n\r{}", i_);
    if (next == std::string_view::npos || next >= end_) {
      i_ = end_;
      return;
    }
    i_ = next;
    const char c = text_[i_];
    if (c == '\\') {
      skipEscape(frame);
    } else if (c == '{' && !plain) {
      if (!in_spec && at(i_ + 1) == '{') {  // `{{` is a literal brace
        i_ += 2;
        return;
      }
      ++i_;
      Frame field = frame;
      field.inside = Inside::Field;
      field.brackets = 0;
      stack_.push_back(field);
    } else if (c == '}' && !plain) {
      ++i_;
      if (in_spec) {
        stack_.pop_back();  // the end of the spec's field
      } else if (at(i_) == '}') {
        ++i_;  // `}}` is a literal brace
      }
    } else if (isLineEnd(c)) {
      ++i_;
      // Unterminated: Python gives up at the line end (a spec may span lines, as in Python 3.12).
      if (!frame.triple && !in_spec) stack_.pop_back();
    } else if (const size_t length = closingLength(frame)) {
      i_ += length;
      if (in_spec) {
        leaveFString();  // `f"{x:>10"`: the quote ends the f-string, Python reports the field
      } else {
        stack_.pop_back();
      }
    } else {
      ++i_;
    }
  }

  // The expression of a replacement field: Python code, where strings (any quote, as in Python
  // 3.12) and brackets nest, until `}` or a top-level `:` that starts the format spec.
  void field() {
    Frame& frame = stack_.back();
    const char c = text_[i_];
    switch (c) {
      case '\'':
      case '"':
        openString();
        return;
      case '#':
        skipComment();
        return;
      case '\\':
        i_ += 2;
        return;
      case '(':
      case '[':
      case '{':
        ++frame.brackets;
        break;
      case ')':
      case ']':
        if (frame.brackets > 0) --frame.brackets;
        break;
      case '}':
        if (frame.brackets == 0) {
          stack_.pop_back();
          ++i_;
          return;
        }
        --frame.brackets;
        break;
      case ':':
        if (frame.brackets == 0) {
          if (at(i_ + 1) == '=') found_.push_back(static_cast<uint32_t>(i_ + 1));
          frame.inside = Inside::Spec;
        }
        break;
      default:
        break;
    }
    ++i_;
  }

  std::string_view text_;
  size_t i_;
  size_t end_;
  std::vector<Frame> stack_;
  std::vector<uint32_t> found_;
};

}  // namespace

std::vector<uint32_t> formatSpecsStartingWithEquals(std::string_view text, uint32_t start,
                                                    uint32_t end) {
  const size_t stop = std::min<size_t>(end, text.size());
  if (start >= stop || text.substr(start, stop - start).find(":=") == std::string_view::npos) {
    return {};
  }
  return Scanner(text, start, stop).run();
}

}  // namespace heaplint
