// What the fuzz targets share: every rule on, and a failed invariant that libFuzzer reports as a
// crash with the input that broke it.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "analyzer/analyze.h"
#include "tests/unit/all_rules.h"

namespace heaplint::fuzz {

// The longest input a target looks at: small inputs keep each run fast (thousands a second), and
// what breaks the analyzer shows in a few lines.
inline constexpr size_t kMaxInput = 4096;

// Every rule on, fixes verified (tests/unit/all_rules.h turns that off for its comparisons).
inline AnalysisOptions everyRule() {
  AnalysisOptions options = allRulesOptions();
  options.verify_fixes = true;
  return options;
}

// Whether two trees have the same nodes: kinds, byte ranges and missing nodes, in order.
inline bool sameTree(const TSTree* a, const TSTree* b) {
  TSTreeCursor left = ts_tree_cursor_new(ts_tree_root_node(a));
  TSTreeCursor right = ts_tree_cursor_new(ts_tree_root_node(b));
  bool same = true;
  for (bool more = true; more && same;) {
    const TSNode x = ts_tree_cursor_current_node(&left);
    const TSNode y = ts_tree_cursor_current_node(&right);
    same = ts_node_symbol(x) == ts_node_symbol(y) &&
           ts_node_start_byte(x) == ts_node_start_byte(y) &&
           ts_node_end_byte(x) == ts_node_end_byte(y) &&
           ts_node_is_missing(x) == ts_node_is_missing(y);
    more = ts_tree_cursor_goto_first_child(&left);
    same = same && more == ts_tree_cursor_goto_first_child(&right);
    while (!more && same) {
      more = ts_tree_cursor_goto_next_sibling(&left);
      same = more == ts_tree_cursor_goto_next_sibling(&right);
      if (more || !same) break;
      const bool up = ts_tree_cursor_goto_parent(&left);
      same = up == ts_tree_cursor_goto_parent(&right);
      if (!up) break;
    }
  }
  ts_tree_cursor_delete(&left);
  ts_tree_cursor_delete(&right);
  return same;
}

[[noreturn]] inline void fail(std::string_view what) {
  std::fprintf(stderr, "invariant broken: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

inline void require(bool condition, std::string_view what) {
  if (!condition) fail(what);
}

}  // namespace heaplint::fuzz
