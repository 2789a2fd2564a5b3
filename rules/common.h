// Small helpers several rules share: message text and call-argument access.
#pragma once

#include <tree_sitter/api.h>

#include <string>
#include <string_view>

#include "analyzer/syntax.h"

namespace heaplint {

// `text` in backquotes, with a suffix inside them: quoted("f", "()") is "`f()`".
inline std::string quoted(std::string_view text, std::string_view suffix = {}) {
  std::string result;
  result.reserve(text.size() + suffix.size() + 2);
  result += '`';
  result += text;
  result += suffix;
  result += '`';
  return result;
}

// The first named child that is not a comment, or a null node.
inline TSNode firstNamedChildSkippingComments(TSNode node) {
  const uint32_t count = namedChildCount(node);
  for (uint32_t i = 0; i < count; ++i) {
    const TSNode child = nthNamedChild(node, i);
    if (kindOf(child) != NodeKind::Comment) return child;
  }
  return TSNode{};
}

// A call's first argument; a null node when it has none.
inline TSNode firstArgument(TSNode call) {
  return firstNamedChildSkippingComments(childByField(call, Field::Arguments));
}

// What an `except` clause catches: an expression, or the clause's block for a bare `except:`.
inline TSNode caughtBy(TSNode clause) {
  return firstNamedChildSkippingComments(clause);
}

inline bool sameNode(TSNode a, TSNode b) {
  return a.id == b.id;
}

}  // namespace heaplint
