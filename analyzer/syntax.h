// The Python grammar as the analyzer sees it: node kinds and fields resolved to small enums once at
// start-up, so the walker and rules compare integers instead of strings.
#pragma once

#include <tree_sitter/api.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "analyzer/tree_walk.h"

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
  // Defined here so that the call inlines: every kindOf() and field lookup goes through it.
  static const Syntax& instance() {
    static const Syntax syntax;
    return syntax;
  }

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
  // A backslash line continuation, whose kind is Comment (the constructor says why).
  bool isLineContinuation(TSNode node) const {
    return !ts_node_is_null(node) && ts_node_symbol(node) == line_continuation_;
  }

 private:
  Syntax();
  const TSLanguage* language_;
  TSSymbol line_continuation_ = 0;  // 0 is the end of input, which no node has
  std::vector<NodeKind> symbol_kinds_;
  std::vector<TSFieldId> field_ids_;
  std::vector<Field> id_fields_;
};

inline NodeKind kindOf(TSNode node) {
  return Syntax::instance().kindOf(node);
}

namespace detail {
// Every rule subscribed to calls asks each call for its callee and first argument, and each such
// lookup walks the node's children; during a walk the answers are remembered in a small
// direct-mapped table. Node ids are unique only within a live tree, so the table is valid for one
// walk and a new generation starts with each (FieldLookupMemo).
struct FieldLookup {
  const void* id = nullptr;
  const TSTree* tree = nullptr;
  uint32_t generation = 0;
  uint32_t key = 0;  // a field id, or kNamedChildKey | index
  TSNode child{};
};
struct FieldLookupTable {
  static constexpr size_t kSize = 256;
  uint32_t generation = 0;
  bool active = false;
  std::array<FieldLookup, kSize> entries{};
};
inline thread_local FieldLookupTable field_lookups;
}  // namespace detail

// Remembers field lookups on this thread while it lives: one per walk of one tree.
class FieldLookupMemo {
 public:
  FieldLookupMemo() {
    ++detail::field_lookups.generation;
    detail::field_lookups.active = true;
  }
  ~FieldLookupMemo() {
    detail::field_lookups.active = false;
    ++detail::field_lookups.generation;
  }
  FieldLookupMemo(const FieldLookupMemo&) = delete;
  FieldLookupMemo& operator=(const FieldLookupMemo&) = delete;
};

// The table's key for a lookup: a field id, or a small child index with the top bit set.
inline constexpr uint32_t kNamedChildKey = 0x8000'0000U;

template <typename Lookup>
TSNode rememberedLookup(TSNode node, uint32_t key, Lookup&& lookup) {
  detail::FieldLookupTable& table = detail::field_lookups;
  if (!table.active) return lookup();
  const auto id = reinterpret_cast<uintptr_t>(node.id);
  detail::FieldLookup& entry = table.entries[((id >> 4) * 31 + key) % table.kSize];
  if (entry.id == node.id && entry.tree == node.tree && entry.key == key &&
      entry.generation == table.generation) {
    return entry.child;
  }
  const TSNode child = lookup();
  entry = detail::FieldLookup{node.id, node.tree, table.generation, key, child};
  return child;
}

inline TSNode childByField(TSNode node, Field field) {
  if (ts_node_is_null(node)) return TSNode{};
  const TSFieldId field_id = Syntax::instance().fieldId(field);
  return rememberedLookup(node, field_id,
                          [&] { return heaplint_node_child_by_field_id(node, field_id); });
}

// The function or class a decorated definition holds; any other statement as it is.
inline TSNode undecorated(TSNode statement) {
  return kindOf(statement) == NodeKind::DecoratedDefinition
             ? childByField(statement, Field::Definition)
             : statement;
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
// heaplint_node_named_child; during a walk, from a listing of the node's named children.
TSNode listedNamedChild(TSNode node, uint32_t index);

inline TSNode nthNamedChild(TSNode node, uint32_t index) {
  if (ts_node_is_null(node)) return TSNode{};
  // Finding the n-th named child walks the children before it; rules ask for the same few.
  return rememberedLookup(node, kNamedChildKey | index,
                          [&] { return listedNamedChild(node, index); });
}
// The `index`-th named child not counting comments and backslash line continuations (`@\` then
// the decorator on the next line; `f(  # why` then the arguments), or a null node.
inline TSNode nthNamedChildSkippingExtras(TSNode node, uint32_t index) {
  const uint32_t count = namedChildCount(node);
  for (uint32_t i = 0; i < count; ++i) {
    const TSNode child = nthNamedChild(node, i);
    if (kindOf(child) != NodeKind::Comment && index-- == 0) return child;
  }
  return TSNode{};
}
inline TSNode firstNamedChildSkippingExtras(TSNode node) {
  return nthNamedChildSkippingExtras(node, 0);
}
// How many named children are not comments or line continuations: the arguments of a call
// written with a comment among them (`len(  # lines\n[...])`).
inline uint32_t namedChildCountSkippingExtras(TSNode node) {
  const uint32_t count = namedChildCount(node);
  uint32_t written = 0;
  for (uint32_t i = 0; i < count; ++i) {
    if (kindOf(nthNamedChild(node, i)) != NodeKind::Comment) ++written;
  }
  return written;
}
// Whether exactly `expected` named children are not comments or line continuations. Counts no
// further than one past `expected`: a call with 40,000 arguments asks this of each.
inline bool hasNamedChildrenSkippingExtras(TSNode node, uint32_t expected) {
  const uint32_t count = namedChildCount(node);
  uint32_t written = 0;
  for (uint32_t i = 0; i < count && written <= expected; ++i) {
    if (kindOf(nthNamedChild(node, i)) != NodeKind::Comment) ++written;
  }
  return written == expected;
}
// The only named child that is not a comment or a line continuation; a null node when there are
// none or several.
inline TSNode onlyNamedChildSkippingExtras(TSNode node) {
  const uint32_t count = namedChildCount(node);
  TSNode only{};
  for (uint32_t i = 0; i < count; ++i) {
    const TSNode child = nthNamedChild(node, i);
    if (kindOf(child) == NodeKind::Comment) continue;
    if (!ts_node_is_null(only)) return TSNode{};
    only = child;
  }
  return only;
}
// What a call passes for one parameter: the value of `keyword=`, else the positional argument at
// `position` (from 0; comments and line continuations are not arguments), else a null node.
// `unpacked` when a `*args` or `**options` may pass it instead: nothing can be said then.
struct PassedArgument {
  TSNode value{};
  bool unpacked = false;
};
inline PassedArgument passedArgument(std::string_view source, TSNode arguments,
                                     std::string_view keyword, uint32_t position) {
  PassedArgument passed;
  uint32_t positional = 0;
  const uint32_t count = namedChildCount(arguments);
  for (uint32_t i = 0; i < count; ++i) {
    const TSNode argument = nthNamedChild(arguments, i);
    switch (kindOf(argument)) {
      case NodeKind::Comment:
        break;
      case NodeKind::ListSplat:
      case NodeKind::DictionarySplat:
      case NodeKind::ParenthesizedListSplat:
        return PassedArgument{{}, true};
      case NodeKind::KeywordArgument:
        if (nodeText(source, childByField(argument, Field::Name)) == keyword) {
          passed.value = childByField(argument, Field::Value);
        }
        break;
      default:
        if (positional++ == position) passed.value = argument;
        break;
    }
  }
  return passed;
}
// The expression a decorator applies: `cached_property` in `@cached_property`.
inline TSNode decoratorExpression(TSNode decorator) {
  return firstNamedChildSkippingExtras(decorator);
}
// The content of a plain string literal's text (an optional `u` or `r` prefix), without its
// quotes, single or tripled; nullopt for f-strings, bytes and what is not one string.
inline std::optional<std::string_view> plainStringContent(std::string_view text) {
  const size_t quote = text.find_first_of("'\"");
  if (quote == std::string_view::npos || quote > 1) return std::nullopt;
  if (quote == 1 && text[0] != 'u' && text[0] != 'U' && text[0] != 'r' && text[0] != 'R') {
    return std::nullopt;  // f-strings and bytes
  }
  text.remove_prefix(quote);
  const bool triple = text.size() >= 6 && text[1] == text[0] && text[2] == text[0];
  const size_t width = triple ? 3 : 1;
  if (text.size() < 2 * width) return std::nullopt;
  return text.substr(width, text.size() - 2 * width);
}
// A statement that is a string literal alone: the docstring, when it opens a module's, a class's
// or a function's body. Not an f-string with replacement fields: they are code (and Python
// leaves `__doc__` unset for any f-string; one without fields holds no code, and counts).
inline bool isDocstring(TSNode statement) {
  if (kindOf(statement) != NodeKind::ExpressionStatement || namedChildCount(statement) != 1) {
    return false;
  }
  const auto plain = [](TSNode string) {
    if (kindOf(string) != NodeKind::String) return false;
    for (uint32_t i = 0, count = namedChildCount(string); i < count; ++i) {
      if (kindOf(nthNamedChild(string, i)) == NodeKind::Interpolation) return false;
    }
    return true;
  };
  TSNode string = nthNamedChild(statement, 0);
  // `("""Text.""")`: parentheses leave the constant as it is.
  while (kindOf(string) == NodeKind::ParenthesizedExpression &&
         !ts_node_is_null(onlyNamedChildSkippingExtras(string))) {
    string = onlyNamedChildSkippingExtras(string);  // `("Doc."  # why\n)` too
  }
  if (kindOf(string) != NodeKind::ConcatenatedString) return plain(string);
  // `"""Text.""" "More."`: the compiler joins the parts into one constant, the docstring.
  for (uint32_t i = 0, count = namedChildCount(string); i < count; ++i) {
    const TSNode part = nthNamedChild(string, i);
    if (kindOf(part) != NodeKind::Comment && !plain(part)) return false;
  }
  return true;
}
// The expression inside any parentheses around it: `((x))` is `x`. A tuple `(x,)` stays itself.
inline TSNode unparenthesized(TSNode node) {
  // Bounded: parentheses nest no deeper than the text, and each step goes one level down.
  while (kindOf(node) == NodeKind::ParenthesizedExpression) {
    const TSNode inner = onlyNamedChildSkippingExtras(node);
    if (ts_node_is_null(inner)) break;
    node = inner;
  }
  return node;
}
inline uint32_t childCount(TSNode node) {
  return ts_node_is_null(node) ? 0 : ts_node_child_count(node);
}
inline TSNode nthChild(TSNode node, uint32_t index) {
  return ts_node_is_null(node) ? TSNode{} : ts_node_child(node, index);
}

// The node's parent, as ts_node_parent. tree-sitter finds a parent by walking down from the root,
// and rules climb several levels at a time (`x` -> assignment -> statement -> block ...), so during
// a walk (FieldLookupMemo) the path from the root to the last node asked about is kept on this
// thread and the parents of the nodes on it are answered from it.
TSNode parentOf(TSNode node);

// The named child with the given kind, or a null node.
TSNode firstChildOfKind(TSNode node, NodeKind kind);

// True when any node in the subtree (node included) has the given kind. Iterative.
bool subtreeContains(TSNode node, NodeKind kind);
// Whether the byte at `offset` (a line break) lies inside a string token, a triple-quoted string:
// a `# noqa` appended to that line would become part of the string. `node` is the smallest node
// around `offset` (ts_node_descendant_for_byte_range).
bool insideString(TSNode node, uint32_t offset);
// A backslash line continuation (its kind is NodeKind::Comment, see Syntax::Syntax).
inline bool isLineContinuation(TSNode node) {
  return Syntax::instance().isLineContinuation(node);
}
// True when the subtree holds a `#` comment, which a fix rewriting the code would lose (a line
// continuation is no loss; a fix that leaves one where it breaks the code fails the re-parse that
// every fix gets, and is dropped).
bool subtreeContainsWrittenComment(TSNode node);

// A literal that stands for one value whatever runs: a number, a string without f-string fields,
// `True`, `False` or `None`.
inline bool isPlainLiteral(TSNode node) {
  switch (kindOf(node)) {
    case NodeKind::Integer:
    case NodeKind::Float:
    case NodeKind::True:
    case NodeKind::False:
    case NodeKind::None:
      return true;
    case NodeKind::String:
      return !subtreeContains(node, NodeKind::Interpolation);
    default:
      return false;
  }
}

// Whether `predicate(parameter, name, value)` holds for a parameter of `function` that has a
// default value (`name=value`, `name: T = value`).
template <typename Predicate>
bool anyDefaultParameter(TSNode function, Predicate&& predicate) {
  const TSNode parameters = childByField(function, Field::Parameters);
  const uint32_t count = namedChildCount(parameters);
  for (uint32_t i = 0; i < count; ++i) {
    const TSNode parameter = nthNamedChild(parameters, i);
    const NodeKind kind = kindOf(parameter);
    if ((kind == NodeKind::DefaultParameter || kind == NodeKind::TypedDefaultParameter) &&
        predicate(parameter, childByField(parameter, Field::Name),
                  childByField(parameter, Field::Value))) {
      return true;
    }
  }
  return false;
}

enum class Visit : uint8_t { Descend, SkipChildren, Stop };

namespace detail {
// The tree walks (tree_walk.h) of this thread, reused: one per visitSubtree running at once (a
// visitor may start another). A walk whose stack grew past kKeptLevels is not kept.
class PooledTreeWalk {
 public:
  PooledTreeWalk();
  ~PooledTreeWalk();
  PooledTreeWalk(const PooledTreeWalk&) = delete;
  PooledTreeWalk& operator=(const PooledTreeWalk&) = delete;
  HeaplintTreeWalk* get() const { return walk_; }

 private:
  HeaplintTreeWalk* walk_;
};
}  // namespace detail

// Visits every node below `root` (not `root` itself) in source order, without recursion:
// `visitor(node, field_id)` answers whether to enter the node's children, skip them, or stop.
template <typename Visitor>
void visitSubtree(TSNode root, Visitor&& visitor) {
  if (ts_node_is_null(root)) return;
  const detail::PooledTreeWalk walk;
  heaplint_tree_walk_reset(walk.get(), root);
  bool descend = true;
  uint32_t left = 0;
  TSNode node;
  TSFieldId field = 0;
  while (heaplint_tree_walk_next(walk.get(), descend, &left, &node, &field)) {
    const Visit next = visitor(node, field);
    if (next == Visit::Stop) break;
    descend = next == Visit::Descend;
  }
}

}  // namespace heaplint
