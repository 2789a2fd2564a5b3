#include "analyzer/code_text.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace heaplint {
namespace {

// An ASCII letter, digit or underscore. Other bytes end a word here: a non-ASCII letter may
// continue a name in Python, but an invalid byte or a non-letter (a no-break space) does not,
// and the parser then reads the word after it as a name of its own. Ending words there finds a
// word more often, never less.
bool isNamePart(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

bool isQuote(char c) {
  return c == '"' || c == '\'';
}

// `r`, `b`, `u`, `f` and their pairs (`rb`, `Rf`, ...) in front of a quote.
bool isStringPrefix(std::string_view word) {
  if (word.empty() || word.size() > 2) return false;
  for (char c : word) {
    switch (std::tolower(static_cast<unsigned char>(c))) {
      case 'r':
      case 'b':
      case 'u':
      case 'f':
        break;
      default:
        return false;
    }
  }
  return true;
}

bool hasFormatPrefix(std::string_view prefix) {
  return prefix.find_first_of("fF") != std::string_view::npos;
}

constexpr std::array<bool, 256> specialBytes(std::string_view bytes) {
  std::array<bool, 256> table{};
  for (char c : bytes)
    table[static_cast<unsigned char>(c)] = true;
  return table;
}
// What code() stops at: in code, comments and quotes; in a replacement field, brackets too.
constexpr std::array<bool, 256> kCodeSpecial = specialBytes("#'\"");
constexpr std::array<bool, 256> kFieldSpecial = specialBytes("#'\"()[]{}");

// Blanks comments and string literals of a copy of the text, following the tokens as Python's
// tokenizer does, as far as it needs to tell code from text. Gives up (failed) on what it cannot
// follow: then nothing is blanked at all.
class Blanker {
 public:
  explicit Blanker(std::string& text) : text_(text) {}

  // Code from `at`: to the end of the text, or inside an f-string's replacement field (`field`)
  // to the `}` that closes it, whose offset it returns.
  size_t code(size_t at, bool field, int nesting) {
    const std::array<bool, 256>& special = field ? kFieldSpecial : kCodeSpecial;
    int depth = 0;  // brackets opened inside the field
    size_t i = at;
    const size_t size = text_.size();
    while (!failed) {
      while (i < size && !special[static_cast<unsigned char>(text_[i])])
        ++i;
      if (i >= size) break;
      const char c = text_[i];
      if (c == '#') {
        for (; i < size && text_[i] != '\n'; ++i)
          blank(i);
        continue;
      }
      if (isQuote(c)) {
        i = string(i, hasFormatPrefix(prefixBefore(at, i)), nesting);
        continue;
      }
      // Only in a field: brackets.
      if (c == '(' || c == '[' || c == '{') {
        ++depth;
      } else if ((c == ')' || c == ']') && depth > 0) {
        --depth;
      } else if (c == '}') {
        if (depth == 0) return i;
        --depth;
      }
      ++i;
    }
    if (field) failed = true;  // a replacement field left open
    return size;
  }

  bool failed = false;

 private:
  static constexpr int kMaxNesting = 8;

  // The string prefix (`rb`, `f`, ...) in front of the quote at `quote`, not before `from`:
  // letters that end a longer name are no prefix.
  std::string_view prefixBefore(size_t from, size_t quote) const {
    size_t start = quote;
    while (start > from && quote - start < 2 &&
           isStringPrefix(std::string_view(&text_[start - 1], 1)))
      --start;
    if (start > 0 && isNamePart(text_[start - 1])) return {};
    return std::string_view(text_).substr(start, quote - start);
  }

  void blank(size_t i) {
    if (text_[i] != '\n' && text_[i] != '\r') text_[i] = ' ';
  }

  // The string literal whose opening quote is at `quote`; returns the offset after it.
  size_t string(size_t quote, bool format, int nesting) {
    const char q = text_[quote];
    const bool triple = quote + 2 < text_.size() && text_[quote + 1] == q && text_[quote + 2] == q;
    size_t k = quote + (triple ? 3 : 1);
    while (!failed) {
      if (k >= text_.size()) break;  // still open at the end
      const char c = text_[k];
      if (c == '\\') {
        blank(k);
        if (k + 1 < text_.size()) blank(k + 1);
        k += 2;
        continue;
      }
      if (c == '\n' && !triple) break;  // a one-line string left open
      if (c == q && (!triple || (k + 2 < text_.size() && text_[k + 1] == q && text_[k + 2] == q))) {
        return k + (triple ? 3 : 1);
      }
      if (format && c == '{') {
        if (k + 1 < text_.size() && text_[k + 1] == '{') {
          blank(k);
          blank(k + 1);
          k += 2;
          continue;
        }
        if (nesting >= kMaxNesting) break;
        k = code(k + 1, true, nesting + 1) + 1;  // past the field's `}`
        continue;
      }
      blank(k);
      ++k;
    }
    failed = true;
    return text_.size();
  }

  std::string& text_;
};

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\\';
}

// Whether `word` occurs in `text` other than inside a longer name.
bool containsWord(std::string_view text, std::string_view word) {
  for (size_t at = text.find(word); at != std::string_view::npos; at = text.find(word, at + 1)) {
    const size_t after = at + word.size();
    if ((at == 0 || !isNamePart(text[at - 1])) &&
        (after == text.size() || !isNamePart(text[after]))) {
      return true;
    }
  }
  return false;
}

// The text blanked; false when the scan could not follow it (the text is then kept whole).
bool blank(std::string_view text, std::string& blanked) {
  blanked.assign(text);
  Blanker blanker(blanked);
  blanker.code(0, false, 0);
  if (!blanker.failed) return true;
  blanked.assign(text);
  return false;
}

// A carriage return not followed by a line feed: Python ends a line there, the blanker does not.
bool hasLoneCarriageReturn(std::string_view text) {
  for (size_t at = text.find('\r'); at != std::string_view::npos; at = text.find('\r', at + 1)) {
    if (at + 1 == text.size() || text[at + 1] != '\n') return true;
  }
  return false;
}

// A byte that no valid Python code holds outside strings and comments (a non-ASCII letter of a
// name aside): a control character, `$`, `?`, a backquote, a non-ASCII byte.
bool isStray(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return (byte < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == '$' ||
         c == '?' || c == '`' || byte >= 0x7f;
}

}  // namespace

// Any non-ASCII byte counts: where one may end the name of a callee, that finds a call more
// often, never less.
bool isNameByte(char c) {
  return isNamePart(c) || static_cast<unsigned char>(c) >= 0x80;
}

std::string blankCommentsAndStrings(std::string_view text) {
  std::string blanked;
  blank(text, blanked);
  return blanked;
}

std::string_view CodeText::code() const {
  if (!made_) {
    const bool followed = blank(raw_, code_);
    // A lone carriage return ends a line for Python, not for the blanker: a comment before one
    // would blank the code after it.
    unsure_ = !followed || std::any_of(code_.begin(), code_.end(), isStray) ||
              hasLoneCarriageReturn(raw_);
    made_ = true;
  }
  return code_;
}

bool CodeText::unsure() const {
  code();
  return unsure_;
}

bool CodeText::rawHasWord(std::string_view word) const {
  return containsWord(raw_, word);
}

bool CodeText::codeHasWord(std::string_view word) const {
  return containsWord(code(), word);
}

namespace {

size_t skipSpaces(std::string_view text, size_t at) {
  while (at < text.size() && isSpace(text[at]))
    ++at;
  return at;
}

// Where each occurrence of the whole word `word` in `text` ends, in order.
template <typename Visit>
bool anyWordEnd(std::string_view text, std::string_view word, Visit visit) {
  for (size_t at = text.find(word); at != std::string_view::npos; at = text.find(word, at + 1)) {
    const size_t after = at + word.size();
    if ((at == 0 || !isNamePart(text[at - 1])) &&
        (after == text.size() || !isNamePart(text[after])) && visit(after)) {
      return true;
    }
  }
  return false;
}

// Whether `text` at `at` starts with the whole word `word`.
bool wordAt(std::string_view text, size_t at, std::string_view word) {
  return text.substr(at, word.size()) == word &&
         (at + word.size() == text.size() || !isNamePart(text[at + word.size()]));
}

}  // namespace

bool CodeText::codeHasCallOf(std::string_view callee, std::string_view openers,
                             std::string_view argument_callee) const {
  const std::string_view text = code();
  return anyWordEnd(text, callee, [&](size_t after) {
    size_t at = skipSpaces(text, after);
    if (at >= text.size() || text[at] != '(') return false;
    at = skipSpaces(text, at + 1);
    if (at >= text.size()) return false;
    if (openers.find(text[at]) != std::string_view::npos) return true;
    if (argument_callee.empty() || !wordAt(text, at, argument_callee)) return false;
    at = skipSpaces(text, at + argument_callee.size());
    return at < text.size() && text[at] == '(';
  });
}

bool CodeText::codeHasCallWithArgumentStarting(std::string_view openers) const {
  return codeHasCallWhere(openers, [](std::string_view) { return true; });
}

bool CodeText::codeHasWordBefore(std::string_view next,
                                 bool (*wanted)(std::string_view word)) const {
  const std::string_view text = code();
  return anyWordEnd(text, next, [&](size_t after) {
    size_t end = after - next.size();
    while (end > 0 && isSpace(text[end - 1]))
      --end;
    size_t start = end;
    while (start > 0 && isNamePart(text[start - 1]))
      --start;
    return start < end && wanted(text.substr(start, end - start));
  });
}

bool CodeText::codeHasCallWhere(std::string_view openers,
                                bool (*wanted)(std::string_view callee)) const {
  const std::string_view text = code();
  for (size_t open = text.find('('); open != std::string_view::npos;
       open = text.find('(', open + 1)) {
    size_t before = open;
    while (before > 0 && isSpace(text[before - 1]))
      --before;
    if (before == 0) continue;
    const char callee_end = text[before - 1];
    if (!isNameByte(callee_end) && callee_end != ')' && callee_end != ']') continue;
    size_t after = open + 1;
    while (after < text.size() && isSpace(text[after]))
      ++after;
    if (after >= text.size() || openers.find(text[after]) == std::string_view::npos) continue;
    size_t start = before;
    while (start > 0 && isNamePart(text[start - 1]))
      --start;
    if (wanted(text.substr(start, before - start))) return true;
  }
  return false;
}

bool CodeText::codeHasDefaultWhere(bool (*wanted)(std::string_view value)) const {
  const std::string_view text = code();
  return anyWordEnd(text, "def", [&](size_t after) {
    size_t at = skipSpaces(text, after);
    while (at < text.size() && isNameByte(text[at]))
      ++at;
    at = skipSpaces(text, at);
    if (at >= text.size() || text[at] != '(') return true;
    int depth = 0;
    for (; at < text.size(); ++at) {
      const char c = text[at];
      if (c == '(' || c == '[' || c == '{') ++depth;
      if (c == ')' || c == ']' || c == '}') {
        if (--depth == 0) return false;
      }
      if (c != '=' || depth != 1) continue;
      const char before = text[at - 1];
      const bool comparison = before == '=' || before == '!' || before == '<' || before == '>' ||
                              before == ':' || (at + 1 < text.size() && text[at + 1] == '=');
      if (!comparison && wanted(text.substr(skipSpaces(text, at + 1)))) return true;
    }
    return false;
  });
}

}  // namespace heaplint
