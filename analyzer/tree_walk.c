// The walk and the accessors of tree_walk.h, over tree-sitter's subtrees: the same nodes, fields
// and aliases that tree_cursor.c's iterator and node.c's accessors give (the functions whose rules
// are followed are named where they are).
#include "analyzer/tree_walk.h"

#include "alloc.h"
#include "language.h"
#include "length.h"
#include "subtree.h"
#include "tree.h"

// ts_node_new (node.c), inlined: the walk makes one for every visible node.
static inline TSNode make_node(const TSTree* tree, const Subtree* subtree, Length position,
                               TSSymbol alias) {
  const TSNode node = {
      {position.bytes, position.extent.row, position.extent.column, alias}, subtree, tree};
  return node;
}

// ts_node_start_byte and ts_node_start_point, inlined.
static inline Length node_position(TSNode node) {
  const Length position = {node.context[0], {node.context[1], node.context[2]}};
  return position;
}

// ts_node_child_count, inlined.
static inline uint32_t visible_child_count(TSNode node) {
  const Subtree subtree = *(const Subtree*)node.id;
  return ts_subtree_child_count(subtree) > 0 ? subtree.ptr->visible_child_count : 0;
}

// One node on the path from the walk's node to the current one, visible or hidden, with the
// iterator over its children.
typedef struct {
  const Subtree* children;
  uint32_t child_count;
  uint32_t child_index;             // the next child
  uint32_t structural_child_index;  // the next child's index among the children that are not extras
  Length position;                  // where the next child starts, after its padding
  const TSSymbol* alias_sequence;   // of this node's production
  const TSFieldMapEntry* fields;    // this node's production's field map
  const TSFieldMapEntry* fields_end;
  // A hidden node's field, which its visible children take when they have none of their own.
  TSFieldId inherited_field;
  bool visible;
} Level;

struct HeaplintTreeWalk {
  const TSTree* tree;
  Level* levels;
  uint32_t size;
  uint32_t capacity;
  const Subtree* current;  // the node last returned, whose children are not yet entered
  Length current_position;
  bool skip_anonymous_leaves;
};

HeaplintTreeWalk* heaplint_tree_walk_new(void) {
  HeaplintTreeWalk* walk = ts_calloc(1, sizeof(HeaplintTreeWalk));
  return walk;
}

void heaplint_tree_walk_delete(HeaplintTreeWalk* walk) {
  if (!walk) return;
  ts_free(walk->levels);
  ts_free(walk);
}

uint32_t heaplint_tree_walk_capacity(const HeaplintTreeWalk* walk) {
  return walk->capacity;
}

static inline void push_level(HeaplintTreeWalk* walk, const Subtree* subtree, Length position,
                              bool visible, TSFieldId inherited_field) {
  if (walk->size == walk->capacity) {
    walk->capacity = walk->capacity ? 2 * walk->capacity : 64;
    walk->levels = ts_realloc(walk->levels, walk->capacity * sizeof(Level));
  }
  Level* level = &walk->levels[walk->size++];
  level->child_count = ts_subtree_child_count(*subtree);
  level->child_index = 0;
  level->structural_child_index = 0;
  level->position = position;
  level->visible = visible;
  level->inherited_field = inherited_field;
  if (level->child_count == 0) {
    level->children = NULL;
    level->alias_sequence = NULL;
    level->fields = level->fields_end = NULL;
    return;
  }
  const TSLanguage* language = walk->tree->language;
  const uint32_t production_id = subtree->ptr->production_id;
  level->children = ts_subtree_children(*subtree);
  level->alias_sequence = ts_language_alias_sequence(language, production_id);
  ts_language_field_map(language, production_id, &level->fields, &level->fields_end);
}

void heaplint_tree_walk_reset(HeaplintTreeWalk* walk, TSNode node) {
  walk->tree = node.tree;
  walk->size = 0;
  walk->current = NULL;
  walk->skip_anonymous_leaves = false;
  push_level(walk, (const Subtree*)node.id, node_position(node), true, 0);
}

void heaplint_tree_walk_skip_anonymous_leaves(HeaplintTreeWalk* walk) {
  walk->skip_anonymous_leaves = true;
}

// ts_tree_cursor_current_field_id: the first field map entry that is not inherited and names the
// child's structural index.
static TSFieldId own_field(const Level* parent, uint32_t structural_child_index) {
  for (const TSFieldMapEntry* entry = parent->fields; entry < parent->fields_end; ++entry) {
    if (!entry->inherited && entry->child_index == structural_child_index) return entry->field_id;
  }
  return 0;
}

bool heaplint_tree_walk_next(HeaplintTreeWalk* walk, bool descend, uint32_t* left, TSNode* node,
                             TSFieldId* field) {
  uint32_t closed = 0;
  if (walk->current) {
    if (descend && ts_subtree_child_count(*walk->current) > 0) {
      push_level(walk, walk->current, walk->current_position, true, 0);
    } else {
      closed = 1;
    }
    walk->current = NULL;
  }
  while (walk->size > 0) {
    Level* top = &walk->levels[walk->size - 1];
    if (top->child_index == top->child_count) {
      const bool visible = top->visible;
      if (--walk->size == 0) break;  // the walk's own node: never returned, never left
      if (visible) ++closed;
      continue;
    }
    // ts_tree_cursor_child_iterator_next.
    const Subtree* child = &top->children[top->child_index];
    const Length position = top->position;
    const uint32_t structural_child_index = top->structural_child_index;
    const bool extra = ts_subtree_extra(*child);
    bool visible = ts_subtree_visible(*child);
    TSSymbol alias = 0;
    if (!extra) {
      if (top->alias_sequence) alias = top->alias_sequence[structural_child_index];
      visible = visible || alias != 0;
      ++top->structural_child_index;
    }
    top->position = length_add(top->position, ts_subtree_size(*child));
    if (++top->child_index < top->child_count) {
      top->position =
          length_add(top->position, ts_subtree_padding(top->children[top->child_index]));
    }
    // A hidden node is gone through only when something below it is visible.
    if (!visible && ts_subtree_visible_child_count(*child) == 0) continue;
    if (walk->skip_anonymous_leaves) {
      // An anonymous node with nothing visible below it (a token: ts_node_is_named), or a hidden
      // one that holds only such nodes.
      const uint32_t below = ts_subtree_visible_descendant_count(*child);
      if (visible
              ? below == 0 &&
                    !(alias ? ts_language_symbol_metadata(walk->tree->language, alias).named
                            : ts_subtree_named(*child))
              : child->ptr->named_child_count == 0 && below == child->ptr->visible_child_count) {
        continue;
      }
    }
    // ts_tree_cursor_current_field_id: up through hidden nodes, not past an extra.
    TSFieldId child_field = 0;
    if (!extra) {
      child_field = own_field(top, structural_child_index);
      if (child_field == 0 && !top->visible) child_field = top->inherited_field;
    }
    if (visible) {
      walk->current = child;
      walk->current_position = position;
      *node = make_node(walk->tree, child, position, alias);
      *field = child_field;
      *left = closed;
      return true;
    }
    push_level(walk, child, position, false, child_field);
  }
  *left = closed;
  return false;
}

// node.c's NodeChildIterator, without a TSNode per child.
typedef struct {
  const TSTree* tree;
  const Subtree* children;
  uint32_t child_count;
  uint32_t child_index;
  uint32_t structural_child_index;
  const TSSymbol* alias_sequence;
  Length position;
} ChildIterator;

static inline ChildIterator iterate_children(TSNode node) {
  ChildIterator iterator = {node.tree, NULL, 0, 0, 0, NULL, length_zero()};
  const Subtree subtree = *(const Subtree*)node.id;
  iterator.child_count = ts_subtree_child_count(subtree);
  if (iterator.child_count == 0) return iterator;
  iterator.children = ts_subtree_children(subtree);
  iterator.alias_sequence =
      ts_language_alias_sequence(node.tree->language, subtree.ptr->production_id);
  iterator.position = node_position(node);
  return iterator;
}

// Moves to the next child: `*child`, its start and its alias.
static inline bool next_child(ChildIterator* iterator, const Subtree** child, Length* position,
                              TSSymbol* alias) {
  if (iterator->child_index == iterator->child_count) return false;
  *child = &iterator->children[iterator->child_index];
  *alias = 0;
  if (!ts_subtree_extra(**child)) {
    if (iterator->alias_sequence)
      *alias = iterator->alias_sequence[iterator->structural_child_index];
    ++iterator->structural_child_index;
  }
  if (iterator->child_index > 0) {
    iterator->position = length_add(iterator->position, ts_subtree_padding(**child));
  }
  *position = iterator->position;
  iterator->position = length_add(iterator->position, ts_subtree_size(**child));
  ++iterator->child_index;
  return true;
}

// ts_node__is_relevant.
static inline bool is_relevant(const TSLanguage* language, Subtree child, TSSymbol alias,
                               bool include_anonymous) {
  if (include_anonymous) return ts_subtree_visible(child) || alias != 0;
  if (alias) return ts_language_symbol_metadata(language, alias).named;
  return ts_subtree_visible(child) && ts_subtree_named(child);
}

// ts_node__relevant_child_count.
static inline uint32_t relevant_child_count(Subtree child, bool include_anonymous) {
  if (ts_subtree_child_count(child) == 0) return 0;
  return include_anonymous ? child.ptr->visible_child_count : child.ptr->named_child_count;
}

static const TSNode kNullNode = {{0, 0, 0, 0}, NULL, NULL};

// ts_node__child.
static TSNode nth_child(TSNode node, uint32_t index, bool include_anonymous) {
  TSNode result = node;
  bool did_descend = true;
  while (did_descend) {
    did_descend = false;
    uint32_t seen = 0;
    ChildIterator iterator = iterate_children(result);
    const Subtree* child = NULL;
    Length position;
    TSSymbol alias = 0;
    while (next_child(&iterator, &child, &position, &alias)) {
      if (is_relevant(node.tree->language, *child, alias, include_anonymous)) {
        if (seen == index) return make_node(node.tree, child, position, alias);
        ++seen;
      } else {
        const uint32_t grandchild_index = index - seen;
        const uint32_t grandchild_count = relevant_child_count(*child, include_anonymous);
        if (grandchild_index < grandchild_count) {
          did_descend = true;
          result = make_node(node.tree, child, position, alias);
          index = grandchild_index;
          break;
        }
        seen += grandchild_count;
      }
    }
  }
  return kNullNode;
}

TSNode heaplint_node_named_child(TSNode node, uint32_t index) {
  return nth_child(node, index, false);
}

TSNode heaplint_node_child_by_field_id(TSNode node, TSFieldId field_id) {
recur:
  if (!field_id || visible_child_count(node) == 0) return kNullNode;
  const TSFieldMapEntry* field_map;
  const TSFieldMapEntry* field_map_end;
  ts_language_field_map(node.tree->language, ((const Subtree*)node.id)->ptr->production_id,
                        &field_map, &field_map_end);
  if (field_map == field_map_end) return kNullNode;
  // The field mappings are sorted by field id.
  while (field_map->field_id < field_id) {
    if (++field_map == field_map_end) return kNullNode;
  }
  while (field_map_end[-1].field_id > field_id) {
    if (field_map == --field_map_end) return kNullNode;
  }
  ChildIterator iterator = iterate_children(node);
  const Subtree* child = NULL;
  Length position;
  TSSymbol alias = 0;
  while (next_child(&iterator, &child, &position, &alias)) {
    if (ts_subtree_extra(*child)) continue;
    const uint32_t index = iterator.structural_child_index - 1;
    if (index < field_map->child_index) continue;
    const TSNode child_node = make_node(node.tree, child, position, alias);
    if (field_map->inherited) {
      // Hidden nodes' fields are inherited by their visible parent.
      if (field_map + 1 == field_map_end) {
        node = child_node;
        goto recur;
      }
      const TSNode result = heaplint_node_child_by_field_id(child_node, field_id);
      if (result.id) return result;
      if (++field_map == field_map_end) return kNullNode;
    } else if (is_relevant(node.tree->language, *child, alias, true)) {
      return child_node;
    } else if (visible_child_count(child_node) > 0) {
      // A hidden node with visible children: its first visible child.
      return nth_child(child_node, 0, true);
    } else if (++field_map == field_map_end) {
      return kNullNode;
    }
  }
  return kNullNode;
}

// Appends what nth_child(node, i, false) gives for i in [0, count): a hidden child's share is its
// own first named children, a missing one a null node. False when hidden nodes nest deeper than
// tree-sitter's grammars do, or `out` is full.
static bool append_named_children(TSNode node, uint32_t count, TSNode* out, uint32_t* size,
                                  uint32_t capacity, int depth) {
  if (depth > 32) return false;
  const uint32_t start = *size;
  ChildIterator iterator = iterate_children(node);
  const Subtree* child = NULL;
  Length position;
  TSSymbol alias = 0;
  while (*size - start < count && next_child(&iterator, &child, &position, &alias)) {
    if (is_relevant(node.tree->language, *child, alias, false)) {
      if (*size == capacity) return false;
      out[(*size)++] = make_node(node.tree, child, position, alias);
      continue;
    }
    uint32_t share = relevant_child_count(*child, false);
    if (share == 0) continue;
    if (share > count - (*size - start)) share = count - (*size - start);
    if (!append_named_children(make_node(node.tree, child, position, alias), share, out, size,
                               capacity, depth + 1)) {
      return false;
    }
  }
  if (count == UINT32_MAX) return true;
  for (; *size - start < count; ++*size) {
    if (*size == capacity) return false;
    out[*size] = kNullNode;
  }
  return true;
}

uint32_t heaplint_node_named_children(TSNode node, TSNode* out, uint32_t capacity) {
  uint32_t size = 0;
  return append_named_children(node, UINT32_MAX, out, &size, capacity, 0) ? size : UINT32_MAX;
}
