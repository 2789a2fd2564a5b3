#include "analyzer/syntax.h"

#include <array>
#include <cstring>

namespace heaplint {
namespace {

struct KindName {
  NodeKind kind;
  std::string_view name;
  bool named;
};

constexpr std::array kKindNames = {
#define HEAPLINT_NAMED(kind, name) KindName{NodeKind::kind, name, true},
#define HEAPLINT_TOKEN(kind, token) KindName{NodeKind::kind, token, false},
#include "analyzer/node_kinds.def"
#undef HEAPLINT_NAMED
#undef HEAPLINT_TOKEN
};

constexpr std::array<std::string_view, static_cast<size_t>(Field::Count)> kFieldNames = {
    "",
#define HEAPLINT_FIELD(field, name) name,
#include "analyzer/field_names.def"
#undef HEAPLINT_FIELD
};

}  // namespace

Syntax::Syntax() : language_(tree_sitter_python()) {
  // Several symbol ids can share a name (aliases); map every one of them.
  const uint32_t symbol_count = ts_language_symbol_count(language_);
  symbol_kinds_.assign(symbol_count, NodeKind::Other);
  for (TSSymbol symbol = 0; symbol < symbol_count; ++symbol) {
    const char* name = ts_language_symbol_name(language_, symbol);
    if (name == nullptr) continue;
    const TSSymbolType type = ts_language_symbol_type(language_, symbol);
    const bool named = type == TSSymbolTypeRegular;
    if (!named && type != TSSymbolTypeAnonymous) continue;
    for (const KindName& entry : kKindNames) {
      if (entry.named == named && entry.name == name) {
        symbol_kinds_[symbol] = entry.kind;
        break;
      }
    }
    // A backslash line continuation is, like a comment, an extra that may sit between any two
    // children and holds no code: the code that skips comments skips it too (`@\` with the
    // decorator on the next line, `f(\` with the argument there).
    if (named && std::strcmp(name, "line_continuation") == 0) {
      symbol_kinds_[symbol] = NodeKind::Comment;
      line_continuation_ = symbol;
    }
  }
  field_ids_.assign(kFieldNames.size(), 0);
  const uint32_t field_count = ts_language_field_count(language_);
  id_fields_.assign(field_count + 1, Field::None);
  for (size_t i = 1; i < kFieldNames.size(); ++i) {
    const TSFieldId id = ts_language_field_id_for_name(
        language_, kFieldNames[i].data(), static_cast<uint32_t>(kFieldNames[i].size()));
    field_ids_[i] = id;
    if (id != 0 && id < id_fields_.size()) id_fields_[id] = static_cast<Field>(i);
  }
}

std::string_view Syntax::kindName(NodeKind kind) {
  for (const KindName& entry : kKindNames) {
    if (entry.kind == kind) return entry.name;
  }
  return "other";
}

namespace {
// The path from the root to the node last asked about (root first), for parentOf.
struct AncestorPath {
  uint32_t generation = 0;
  const TSTree* tree = nullptr;
  std::vector<TSNode> path;
};
thread_local AncestorPath ancestor_path;
}  // namespace

namespace {
// Descends from the last node of `path` to `node`, appending every node passed (the descent of
// ts_node_parent). False when `node` is not below it.
bool descendTo(std::vector<TSNode>& path, TSNode node) {
  TSNode current = path.back();
  while (true) {
    const TSNode next = ts_node_child_with_descendant(current, node);
    if (ts_node_is_null(next)) return false;
    path.push_back(next);
    if (next.id == node.id) return true;
    current = next;
  }
}
}  // namespace

namespace detail {
namespace {
constexpr uint32_t kKeptLevels = 4096;
struct TreeWalkPool {
  std::vector<HeaplintTreeWalk*> walks;  // [0, used) are in use
  size_t used = 0;
  TreeWalkPool() = default;
  TreeWalkPool(const TreeWalkPool&) = delete;
  TreeWalkPool& operator=(const TreeWalkPool&) = delete;
  ~TreeWalkPool() {
    for (HeaplintTreeWalk* walk : walks)
      heaplint_tree_walk_delete(walk);
  }
};
thread_local TreeWalkPool tree_walks;
}  // namespace

PooledTreeWalk::PooledTreeWalk() {
  TreeWalkPool& pool = tree_walks;
  if (pool.used == pool.walks.size()) pool.walks.push_back(heaplint_tree_walk_new());
  walk_ = pool.walks[pool.used++];
}

PooledTreeWalk::~PooledTreeWalk() {
  TreeWalkPool& pool = tree_walks;
  --pool.used;
  if (heaplint_tree_walk_capacity(walk_) > kKeptLevels) {
    heaplint_tree_walk_delete(walk_);
    pool.walks[pool.used] = heaplint_tree_walk_new();
  }
}
}  // namespace detail

namespace {
// The named children of the last few nodes with more than two, listed in one pass: rules go
// through a call's arguments or a body's statements by index, and tree-sitter finds the n-th
// named child by passing every child before it (and the hidden nodes around them) again.
struct NamedChildren {
  const void* id = nullptr;
  const TSTree* tree = nullptr;
  uint32_t generation = 0;
  bool listed = false;  // false: deeper than a listing goes; looked up one at a time
  std::vector<TSNode> children;
};
struct NamedChildrenCache {
  std::array<NamedChildren, 8> entries;
  size_t next = 0;  // the entry to replace
};
thread_local NamedChildrenCache named_children;
}  // namespace

TSNode listedNamedChild(TSNode node, uint32_t index) {
  const detail::FieldLookupTable& table = detail::field_lookups;
  const uint32_t count = table.active ? ts_node_named_child_count(node) : 0;
  if (count <= 2) return heaplint_node_named_child(node, index);
  NamedChildrenCache& cache = named_children;
  NamedChildren* found = nullptr;
  for (NamedChildren& entry : cache.entries) {
    if (entry.id == node.id && entry.tree == node.tree && entry.generation == table.generation) {
      found = &entry;
      break;
    }
  }
  if (found == nullptr) {
    found = &cache.entries[cache.next];
    cache.next = (cache.next + 1) % cache.entries.size();
    found->id = node.id;
    found->tree = node.tree;
    found->generation = table.generation;
    found->children.resize(count + 8);
    const uint32_t listed = heaplint_node_named_children(node, found->children.data(), count + 8);
    found->listed = listed != UINT32_MAX;
    found->children.resize(found->listed ? listed : 0);
  }
  if (!found->listed) return heaplint_node_named_child(node, index);
  return index < found->children.size() ? found->children[index] : TSNode{};
}

TSNode parentOf(TSNode node) {
  const detail::FieldLookupTable& table = detail::field_lookups;
  // An empty node can sit at a boundary between siblings; tree-sitter's own search decides.
  if (!table.active || ts_node_is_null(node) ||
      ts_node_start_byte(node) == ts_node_end_byte(node)) {
    return ts_node_parent(node);
  }
  AncestorPath& cache = ancestor_path;
  if (cache.generation == table.generation && cache.tree == node.tree && !cache.path.empty()) {
    for (size_t i = cache.path.size(); i-- > 0;) {
      if (cache.path[i].id == node.id) return i == 0 ? TSNode{} : cache.path[i - 1];
    }
    // Rules ask about nodes near each other: descend from the deepest node of the path whose
    // bytes hold the node's (the nodes above it are its ancestors too), not from the root. The
    // descent proves it: it reaches the node only from an ancestor.
    const uint32_t start = ts_node_start_byte(node);
    const uint32_t end = ts_node_end_byte(node);
    size_t keep = cache.path.size();
    while (keep > 1 && (ts_node_start_byte(cache.path[keep - 1]) > start ||
                        ts_node_end_byte(cache.path[keep - 1]) < end)) {
      --keep;
    }
    if (keep > 1) {
      cache.path.resize(keep);
      if (descendTo(cache.path, node)) return cache.path[cache.path.size() - 2];
    }
  }
  cache.generation = table.generation;
  cache.tree = node.tree;
  cache.path.clear();
  const TSNode root = ts_tree_root_node(node.tree);
  if (root.id == node.id) return TSNode{};
  cache.path.push_back(root);
  if (!descendTo(cache.path, node)) {  // not found below the root, as ts_node_parent answers
    const TSNode last = cache.path.back();
    cache.path.clear();
    return last;
  }
  return cache.path[cache.path.size() - 2];
}

TSNode firstChildOfKind(TSNode node, NodeKind kind) {
  const uint32_t count = ts_node_named_child_count(node);
  for (uint32_t i = 0; i < count; ++i) {
    const TSNode child = ts_node_named_child(node, i);
    if (kindOf(child) == kind) return child;
  }
  return TSNode{};
}

namespace {

template <typename Accepts>
bool anyInSubtree(TSNode node, const Accepts& accepts) {
  TSTreeCursor cursor = ts_tree_cursor_new(node);
  bool found = false;
  while (!found) {
    if (accepts(ts_tree_cursor_current_node(&cursor))) {
      found = true;
      break;
    }
    if (ts_tree_cursor_goto_first_child(&cursor)) continue;
    while (!ts_tree_cursor_goto_next_sibling(&cursor)) {
      if (!ts_tree_cursor_goto_parent(&cursor)) {
        ts_tree_cursor_delete(&cursor);
        return false;
      }
    }
  }
  ts_tree_cursor_delete(&cursor);
  return found;
}

}  // namespace

bool subtreeContains(TSNode node, NodeKind kind) {
  const Syntax& syntax = Syntax::instance();
  return anyInSubtree(node, [&](TSNode current) { return syntax.kindOf(current) == kind; });
}

bool insideString(TSNode node, uint32_t offset) {
  for (; !ts_node_is_null(node); node = ts_node_parent(node)) {
    if (kindOf(node) == NodeKind::String && ts_node_start_byte(node) < offset &&
        ts_node_end_byte(node) > offset) {
      return true;
    }
  }
  return false;
}

bool subtreeContainsWrittenComment(TSNode node) {
  return anyInSubtree(node, [](TSNode current) {
    return kindOf(current) == NodeKind::Comment && !isLineContinuation(current);
  });
}

}  // namespace heaplint
