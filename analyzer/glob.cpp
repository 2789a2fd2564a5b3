#include "analyzer/glob.h"

namespace heaplint {
namespace {

// Matches one character class starting at pattern[p] == '['; advances p past it.
bool matchClass(std::string_view pattern, size_t& p, char c) {
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
  if (i >= pattern.size()) return false;  // unterminated class matches nothing
  p = i + 1;
  return matched != negate;
}

bool matchFrom(std::string_view pattern, size_t p, std::string_view path, size_t s) {
  while (p < pattern.size()) {
    const char c = pattern[p];
    if (c == '*') {
      if (p + 1 < pattern.size() && pattern[p + 1] == '*') {
        // `**`: as a whole segment it crosses directories.
        size_t after = p + 2;
        const bool segment_start = p == 0 || pattern[p - 1] == '/';
        if (segment_start && (after == pattern.size() || pattern[after] == '/')) {
          if (after == pattern.size()) return true;  // trailing `/**` or `**`
          ++after;                                   // `**/`: zero or more directories
          for (size_t k = s; k <= path.size(); ++k) {
            if ((k == s || path[k - 1] == '/') && matchFrom(pattern, after, path, k)) return true;
          }
          return false;
        }
        p = after - 1;  // otherwise `**` behaves like `*`
      }
      ++p;
      for (size_t k = s; k <= path.size(); ++k) {
        if (matchFrom(pattern, p, path, k)) return true;
        if (k < path.size() && path[k] == '/') break;
      }
      return false;
    }
    if (s >= path.size()) return false;
    if (c == '?') {
      if (path[s] == '/') return false;
      ++p;
      ++s;
    } else if (c == '[') {
      if (path[s] == '/' || !matchClass(pattern, p, path[s])) return false;
      ++s;
    } else {
      char literal = c;
      if (c == '\\' && p + 1 < pattern.size()) literal = pattern[++p];
      if (literal != path[s]) return false;
      ++p;
      ++s;
    }
  }
  return s == path.size();
}

}  // namespace

bool globMatch(std::string_view pattern, std::string_view path) {
  return matchFrom(pattern, 0, path, 0);
}

}  // namespace heaplint
