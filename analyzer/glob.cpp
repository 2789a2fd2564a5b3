#include "analyzer/glob.h"

#include <cstdint>
#include <string>
#include <vector>

namespace heaplint {
namespace {

// Matches one character class starting at pattern[p] == '['; sets `end` past it. An unterminated
// class matches nothing.
bool matchClass(std::string_view pattern, size_t p, char c, size_t& end) {
  size_t i = p + 1;
  bool negate = false;
  if (i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^')) {
    negate = true;
    ++i;
  }
  bool matched = false;
  bool first = true;
  while (i < pattern.size() && (first || pattern[i] != ']')) {
    first = false;
    char low = pattern[i];
    if (low == '\\' && i + 1 < pattern.size()) low = pattern[++i];
    char high = low;
    if (i + 2 < pattern.size() && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
      high = pattern[i + 2];
      i += 2;
    }
    if (c >= low && c <= high) matched = true;
    ++i;
  }
  end = i + 1;
  if (i >= pattern.size()) return false;
  return matched != negate;
}

// One step of the pattern. `**` as a whole segment crosses directories; elsewhere it is `*`.
struct Token {
  enum class Kind : uint8_t {
    Literal,         // `c`, or `\c`
    AnyChar,         // `?`: one character but '/'
    Class,           // `[...]`, starting at `offset` in the pattern
    Star,            // `*`: any run of characters but '/'
    AnyDirectories,  // `**/`: nothing, or any path ending in '/'
    Everything,      // a trailing `**`: anything at all
  };
  Kind kind;
  char literal = 0;
  size_t offset = 0;
};

void tokenize(std::string_view pattern, std::vector<Token>& tokens) {
  tokens.clear();
  for (size_t p = 0; p < pattern.size();) {
    const char c = pattern[p];
    if (c == '*') {
      size_t run = p;
      while (run < pattern.size() && pattern[run] == '*')
        ++run;
      const bool segment_start = p == 0 || pattern[p - 1] == '/';
      if (run - p == 2 && segment_start && run == pattern.size()) {
        tokens.push_back({Token::Kind::Everything});
      } else if (run - p == 2 && segment_start && pattern[run] == '/') {
        tokens.push_back({Token::Kind::AnyDirectories});
        ++run;  // the '/' belongs to the token
      } else if (tokens.empty() || tokens.back().kind != Token::Kind::Star) {
        tokens.push_back({Token::Kind::Star});  // `a**b` and `***` are one `*`
      }
      p = run;
    } else if (c == '?') {
      tokens.push_back({Token::Kind::AnyChar});
      ++p;
    } else if (c == '[') {
      size_t end = 0;
      matchClass(pattern, p, 'x', end);
      tokens.push_back({Token::Kind::Class, 0, p});
      p = end;
    } else if (c == '\\' && p + 1 < pattern.size()) {
      tokens.push_back({Token::Kind::Literal, pattern[p + 1]});
      p += 2;
    } else {
      tokens.push_back({Token::Kind::Literal, c});
      ++p;
    }
  }
}

}  // namespace

// A simulation of the pattern as a nondeterministic automaton: the set of tokens the match may be
// at is carried along the path, one character at a time. Time is |pattern| x |path| whatever the
// pattern; backtracking over each `*` would be exponential in their number.
bool globMatch(std::string_view pattern, std::string_view path) {
  // Most patterns name one file or folder (the default excludes: `.git`, `node_modules`, ...),
  // and discovery asks each of them about every entry it lists.
  if (pattern.find_first_of("*?[\\") == std::string_view::npos) return pattern == path;
  // Reused by the thread's calls: matching allocates nothing once the buffers have grown.
  thread_local std::vector<Token> tokens;
  thread_local std::vector<uint8_t> at, inside, next_at, next_inside;
  tokenize(pattern, tokens);
  const size_t n = tokens.size();
  // at[i]: the match may stand before token i. inside[i]: inside a directory name that
  // AnyDirectories token i is skipping (it ends at the next '/').
  at.assign(n + 1, 0);
  inside.assign(n, 0);
  next_at.assign(n + 1, 0);
  next_inside.assign(n, 0);
  const auto closeOverEmpty = [&](std::vector<uint8_t>& states) {
    for (size_t i = 0; i < n; ++i) {
      const Token::Kind kind = tokens[i].kind;
      if (states[i] && (kind == Token::Kind::Star || kind == Token::Kind::AnyDirectories ||
                        kind == Token::Kind::Everything)) {
        states[i + 1] = 1;
      }
    }
  };
  at[0] = 1;
  closeOverEmpty(at);
  for (const char c : path) {
    std::fill(next_at.begin(), next_at.end(), 0);
    std::fill(next_inside.begin(), next_inside.end(), 0);
    bool alive = false;
    for (size_t i = 0; i < n; ++i) {
      if (inside[i]) {
        (c == '/' ? next_at[i] : next_inside[i]) = 1;
        alive = true;
      }
      if (!at[i]) continue;
      const Token& token = tokens[i];
      switch (token.kind) {
        case Token::Kind::Literal:
          if (c == token.literal) next_at[i + 1] = 1;
          break;
        case Token::Kind::AnyChar:
          if (c != '/') next_at[i + 1] = 1;
          break;
        case Token::Kind::Class: {
          size_t end = 0;
          if (c != '/' && matchClass(pattern, token.offset, c, end)) next_at[i + 1] = 1;
          break;
        }
        case Token::Kind::Star:
          if (c != '/') next_at[i] = 1;
          break;
        case Token::Kind::AnyDirectories:
          (c == '/' ? next_at[i] : next_inside[i]) = 1;
          break;
        case Token::Kind::Everything:
          next_at[i] = 1;
          break;
      }
      alive = true;
    }
    if (!alive) return false;
    closeOverEmpty(next_at);
    at.swap(next_at);
    inside.swap(next_inside);
  }
  return at[n] != 0;
}

}  // namespace heaplint
