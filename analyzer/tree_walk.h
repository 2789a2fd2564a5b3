// A depth-first walk over the visible nodes below a node: what TSTreeCursor's goto_first_child,
// goto_next_sibling and goto_parent give, with each node's field, at a fraction of the cost.
//
// Why not the cursor: each cursor step rebuilds the parent's child iterator from the stack and
// climbs back through the hidden nodes (`expression`, `primary_expression`, ...) that wrap most
// Python nodes, so a sibling step cost ~560 instructions and the cursor ~10% of a lint. This walk
// keeps each level's iterator and computes the field as it goes. It reads tree-sitter's internal
// subtree layout (lib/src, the version package-lock.json pins); tests/unit/tree_walk_test.cpp
// checks it node for node against the cursor on every fixture.
#ifndef HEAPLINT_ANALYZER_TREE_WALK_H_
#define HEAPLINT_ANALYZER_TREE_WALK_H_

#include <stdbool.h>
#include <stdint.h>
#include <tree_sitter/api.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct HeaplintTreeWalk HeaplintTreeWalk;

HeaplintTreeWalk* heaplint_tree_walk_new(void);
void heaplint_tree_walk_delete(HeaplintTreeWalk* walk);

// How many levels its stack holds now (it grows with the deepest walk and is kept for the next).
uint32_t heaplint_tree_walk_capacity(const HeaplintTreeWalk* walk);

// Starts a walk over the nodes below `node` (not `node` itself).
void heaplint_tree_walk_reset(HeaplintTreeWalk* walk, TSNode node);

// From now on until the next reset, passes over anonymous nodes with nothing visible below them
// (tokens: punctuation, keywords, operators, `(`, `def`, `+`) without returning them, and over
// hidden nodes that hold nothing else. The analyzer's walk does not enter them (no rule
// subscribes to a token).
void heaplint_tree_walk_skip_anonymous_leaves(HeaplintTreeWalk* walk);

// Moves to the next visible node in document order: below the current one when `descend` (ignored
// on the first call), else after it. `*left` gets how many nodes were left on the way, the
// current one included when it is not descended into or has no visible node below it: every
// node returned is left exactly once, by a later call or by the last one. Returns false when the
// walk is over; `*node` and `*field` (0: none) are set only when it returns true.
bool heaplint_tree_walk_next(HeaplintTreeWalk* walk, bool descend, uint32_t* left, TSNode* node,
                             TSFieldId* field);

// ts_node_named_child and ts_node_child_by_field_id, node for node, without building a TSNode for
// every child passed on the way (rules ask for callees, arguments and names on every call: the
// two took ~4% of a lint). Checked against tree-sitter's on every node of every fixture.
TSNode heaplint_node_named_child(TSNode node, uint32_t index);
TSNode heaplint_node_child_by_field_id(TSNode node, TSFieldId field_id);
// Every heaplint_node_named_child(node, i) at once, in one pass over the children: their number,
// or UINT32_MAX when more than `capacity` (nothing to rely on in `out` then).
uint32_t heaplint_node_named_children(TSNode node, TSNode* out, uint32_t capacity);

#ifdef __cplusplus
}
#endif

#endif  // HEAPLINT_ANALYZER_TREE_WALK_H_
