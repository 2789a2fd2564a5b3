// The Python grammar as the analyzer sees it: node kinds and fields resolved to small enums once at
// start-up, so the walker and rules compare integers instead of strings.
#pragma once

#include <tree_sitter/api.h>

#include <cstdint>
#include <string_view>
#include <vector>

extern "C" const TSLanguage* tree_sitter_python(void);

namespace heaplint {

enum class NodeKind : uint8_t {
  Other,
#define HEAPLINT_NAMED(kind, name) kind,
#define HEAPLINT_TOKEN(kind, token) kind,
#include "analyzer/node_kinds.def"
#undef HEAPLINT_NAMED
#undef HEAPLINT_TOKEN
  Count
};
inline constexpr size_t kNodeKindCount = static_cast<size_t>(NodeKind::Count);

enum class Field : uint8_t {
  None,
#define HEAPLINT_FIELD(field, name) field,
#include "analyzer/field_names.def"
#undef HEAPLINT_FIELD
  Count
};

class Syntax {
 public:
  static const Syntax& instance();

  const TSLanguage* language() const { return language_; }
  NodeKind kindOf(TSSymbol symbol) const {
    return symbol < symbol_kinds_.size() ? symbol_kinds_[symbol] : NodeKind::Other;
  }
  // Null nodes (a missing child) are Other.
  NodeKind kindOf(TSNode node) const {
    return ts_node_is_null(node) ? NodeKind::Other : kindOf(ts_node_symbol(node));
  }
  TSFieldId fieldId(Field field) const { return field_ids_[static_cast<size_t>(field)]; }
  Field fieldOf(TSFieldId id) const {
    return id < id_fields_.size() ? id_fields_[id] : Field::None;
  }
  static std::string_view kindName(NodeKind kind);

 private:
  Syntax();
  const TSLanguage* language_;
  std::vector<NodeKind> symbol_kinds_;
  std::vector<TSFieldId> field_ids_;
  std::vector<Field> id_fields_;
};

inline NodeKind kindOf(TSNode node) {
  return Syntax::instance().kindOf(node);
}

inline TSNode childByField(TSNode node, Field field) {
  if (ts_node_is_null(node)) return TSNode{};
  return ts_node_child_by_field_id(node, Syntax::instance().fieldId(field));
}

inline std::string_view nodeText(std::string_view source, TSNode node) {
  if (ts_node_is_null(node)) return {};
  const uint32_t start = ts_node_start_byte(node);
  const uint32_t end = ts_node_end_byte(node);
  if (start >= source.size() || end < start) return {};
  return source.substr(start, end - start);
}

// tree-sitter's child accessors crash on a null node (a missing optional child, as
// childByField returns); these treat it as having no children.
inline uint32_t namedChildCount(TSNode node) {
  return ts_node_is_null(node) ? 0 : ts_node_named_child_count(node);
}
inline TSNode nthNamedChild(TSNode node, uint32_t index) {
  return ts_node_is_null(node) ? TSNode{} : ts_node_named_child(node, index);
}
inline uint32_t childCount(TSNode node) {
  return ts_node_is_null(node) ? 0 : ts_node_child_count(node);
}
inline TSNode nthChild(TSNode node, uint32_t index) {
  return ts_node_is_null(node) ? TSNode{} : ts_node_child(node, index);
}

// The named child with the given kind, or a null node.
TSNode firstChildOfKind(TSNode node, NodeKind kind);

// True when any node in the subtree (node included) has the given kind. Iterative.
bool subtreeContains(TSNode node, NodeKind kind);

enum class Visit : uint8_t { Descend, SkipChildren, Stop };

// Visits every node below `root` (not `root` itself) in source order, without recursion:
// `visitor(node, field_id)` answers whether to enter the node's children, skip them, or stop.
template <typename Visitor>
void visitSubtree(TSNode root, Visitor&& visitor) {
  if (ts_node_is_null(root)) return;
  TSTreeCursor cursor = ts_tree_cursor_new(root);
  bool descend = true;
  while (true) {
    if (!descend || !ts_tree_cursor_goto_first_child(&cursor)) {
      bool moved = false;
      while (!moved) {
        if (ts_tree_cursor_goto_next_sibling(&cursor)) {
          moved = true;
        } else if (!ts_tree_cursor_goto_parent(&cursor)) {
          break;  // back at the root
        }
      }
      if (!moved) break;
    }
    const Visit next =
        visitor(ts_tree_cursor_current_node(&cursor), ts_tree_cursor_current_field_id(&cursor));
    if (next == Visit::Stop) break;
    descend = next == Visit::Descend;
  }
  ts_tree_cursor_delete(&cursor);
}

}  // namespace heaplint
