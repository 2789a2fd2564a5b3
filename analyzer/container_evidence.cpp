#include "analyzer/container_evidence.h"

#include <algorithm>
#include <array>
#include <set>
#include <unordered_map>

#include "analyzer/analyze.h"
#include "analyzer/code_model.h"
#include "analyzer/concat.h"
#include "analyzer/facts_io.h"
#include "analyzer/library_knowledge.h"
#include "analyzer/walker.h"

namespace heaplint {
namespace {

constexpr std::array kKinds = {
    NodeKind::Subscript,          NodeKind::Attribute,
    NodeKind::Identifier,         NodeKind::Call,
    NodeKind::Assignment,         NodeKind::AugmentedAssignment,
    NodeKind::ComparisonOperator,
};

constexpr std::array<std::string_view, 8> kGrowMethods = {
    "setdefault", "add", "append", "update", "extend", "insert", "appendleft", "extendleft",
};
constexpr std::array<std::string_view, 9> kEvictMethods = {
    "pop",
    "popitem",
    "clear",
    "remove",
    "discard",
    "popleft",
    "difference_update",
    "__delitem__",
    "intersection_update",
};
// `text` without its spaces, for comparing short expressions written with other spacing.
std::string withoutSpaces(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\\') out += c;
  }
  return out;
}

// Calls `visit(parent, child)` for each node around `node` up to the function, lambda, class or
// module it is in (at most 64 levels), until `visit` returns true; returns whether one did.
template <typename Visit>
bool anyEnclosingNode(TSNode node, Visit&& visit) {
  TSNode child = node;
  for (int depth = 0; depth < 64; ++depth) {
    const TSNode parent = parentOf(child);
    const NodeKind kind = kindOf(parent);
    if (ts_node_is_null(parent) || kind == NodeKind::FunctionDefinition ||
        kind == NodeKind::Lambda || kind == NodeKind::ClassDefinition || kind == NodeKind::Module) {
      return false;
    }
    if (visit(parent, child)) return true;
    child = parent;
  }
  return false;
}

// The condition (without parentheses) of `parent` when it is an `if` whose body is `child`; a
// null node otherwise.
TSNode conditionOver(TSNode parent, TSNode child) {
  if (kindOf(parent) != NodeKind::IfStatement ||
      !ts_node_eq(childByField(parent, Field::Consequence), child)) {
    return TSNode{};
  }
  TSNode condition = childByField(parent, Field::Condition);
  while (kindOf(condition) == NodeKind::ParenthesizedExpression)
    condition = nthNamedChild(condition, 0);
  return condition;
}

// `key < 250`, `key <= MAX_CACHED`: the key compared with a limit written in the code (an integer,
// or a constant's UPPER_CASE name).
bool keyBelowALimit(const RuleContext& context, TSNode condition, TSNode key) {
  if (kindOf(key) != NodeKind::Identifier || kindOf(condition) != NodeKind::ComparisonOperator ||
      namedChildCountSkippingExtras(condition) != 2 ||
      context.text(nthNamedChildSkippingExtras(condition, 0)) != context.text(key)) {
    return false;
  }
  const TSNode op = childByField(condition, Field::Operators);
  const std::string_view comparison = context.text(op);
  const TSNode limit = nthNamedChildSkippingExtras(condition, 1);
  const std::string_view limit_text = context.text(limit);
  const bool constant = kindOf(limit) == NodeKind::Integer ||
                        (kindOf(limit) == NodeKind::Identifier &&
                         std::none_of(limit_text.begin(), limit_text.end(),
                                      [](char c) { return c >= 'a' && c <= 'z'; }));
  return constant && (comparison == "<" || comparison == "<=");
}

// A display of literals, not empty (`("a", "b")`, `{"a", "b"}`, `["a"]`, a dict's keys),
// optionally in `frozenset(...)`, `set(...)` or `tuple(...)`: a collection whose members the code
// writes.
bool isClosedDisplay(const RuleContext& context, TSNode collection) {
  collection = unparenthesized(collection);
  switch (kindOf(collection)) {
    case NodeKind::Call: {
      const std::string_view callee = context.text(childByField(collection, Field::Function));
      const TSNode arguments = childByField(collection, Field::Arguments);
      return (callee == "frozenset" || callee == "set" || callee == "tuple") &&
             kindOf(arguments) == NodeKind::ArgumentList &&
             namedChildCountSkippingExtras(arguments) == 1 &&
             kindOf(nthNamedChildSkippingExtras(arguments, 0)) != NodeKind::Call &&
             isClosedDisplay(context, nthNamedChildSkippingExtras(arguments, 0));
    }
    case NodeKind::Tuple:
    case NodeKind::List:
    case NodeKind::Set:
    case NodeKind::Dictionary:
      break;
    default:
      return false;
  }
  // Not an empty display: `PENDING = {}` is a container the code fills, not a set of nothing.
  const uint32_t count = namedChildCount(collection);
  bool any = false;
  for (uint32_t i = 0; i < count; ++i) {
    TSNode member = nthNamedChild(collection, i);
    if (kindOf(member) == NodeKind::Comment) continue;
    any = true;
    if (kindOf(member) == NodeKind::Pair) member = childByField(member, Field::Key);
    if (!isPlainLiteral(member)) return false;
  }
  return any;
}

// Whether a name is written as a constant: upper-case letters, no lower-case ones.
bool isUpperCaseName(std::string_view name) {
  return std::any_of(name.begin(), name.end(), [](char c) { return c >= 'A' && c <= 'Z'; }) &&
         std::none_of(name.begin(), name.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

// The collection of `key in KNOWN` (with `in`, or `not in` when `negated`), alone or as one of the
// `and`ed parts of `condition` (`or`ed, for `not in`: the code after the guard runs only when
// every part failed), when it may be closed: a display of literals, or a constant's UPPER_CASE
// name, which the uses' finish resolves. A null node otherwise.
TSNode membershipCollection(const RuleContext& context, TSNode condition, std::string_view key_text,
                            bool negated, int depth = 0) {
  condition = unparenthesized(condition);
  if (kindOf(condition) == NodeKind::BooleanOperator) {
    // `a and b and ...` nests to the left: a few levels cover what people write, and a
    // generated chain of 50,000 parts must not exhaust the stack.
    if (depth > 16 ||
        context.text(childByField(condition, Field::Operator)) != (negated ? "or" : "and")) {
      return TSNode{};
    }
    const TSNode right = membershipCollection(context, childByField(condition, Field::Right),
                                              key_text, negated, depth + 1);
    if (!ts_node_is_null(right)) return right;
    return membershipCollection(context, childByField(condition, Field::Left), key_text, negated,
                                depth + 1);
  }
  if (kindOf(condition) != NodeKind::ComparisonOperator ||
      namedChildCountSkippingExtras(condition) != 2 ||
      context.text(nthNamedChildSkippingExtras(condition, 0)) != key_text) {
    return TSNode{};
  }
  const std::string op = withoutSpaces(context.text(childByField(condition, Field::Operators)));
  if (op != (negated ? "notin" : "in")) return TSNode{};
  const TSNode collection = unparenthesized(nthNamedChildSkippingExtras(condition, 1));
  if (isClosedDisplay(context, collection)) return collection;
  if (kindOf(collection) == NodeKind::Identifier && isUpperCaseName(context.text(collection))) {
    return collection;
  }
  return TSNode{};
}

// `case "a" | "b":` and the like: patterns made only of literals (not `_`, not a capture).
bool matchesOnlyLiterals(TSNode clause) {
  bool any = false;
  const uint32_t count = namedChildCount(clause);
  for (uint32_t i = 0; i < count; ++i) {
    const TSNode pattern = nthNamedChild(clause, i);
    if (kindOf(pattern) != NodeKind::CasePattern) continue;
    any = true;
    bool literal = true;
    visitSubtree(pattern, [&](TSNode node, TSFieldId /*field*/) {
      switch (kindOf(node)) {
        case NodeKind::String:
          literal = literal && !subtreeContains(node, NodeKind::Interpolation);
          return Visit::SkipChildren;
        case NodeKind::CasePattern:
        case NodeKind::UnionPattern:
        case NodeKind::Integer:
        case NodeKind::Float:
        case NodeKind::True:
        case NodeKind::False:
        case NodeKind::None:
          return Visit::Descend;
        default:
          // The wildcard `_` is an anonymous token: only the `|` of a union may stand between
          // literals.
          if (ts_node_is_named(node) || std::string_view(ts_node_type(node)) != "|") {
            literal = false;
          }
          return Visit::SkipChildren;
      }
    });
    if (!literal) return false;
  }
  return any;
}

// The last statement of an `if` without `else` leaves the code after it: `return`, `raise` or
// `continue`.
bool leavesWithoutElse(TSNode statement) {
  if (kindOf(statement) != NodeKind::IfStatement ||
      !ts_node_is_null(childByField(statement, Field::Alternative))) {
    return false;
  }
  const TSNode body = childByField(statement, Field::Consequence);
  const uint32_t count = namedChildCount(body);
  const NodeKind last = count == 0 ? NodeKind::Other : kindOf(nthNamedChild(body, count - 1));
  return last == NodeKind::ReturnStatement || last == NodeKind::RaiseStatement ||
         last == NodeKind::ContinueStatement;
}

// How many of the guards before a statement are asked about it: the guard is written next to
// the store in practice, and asking all of them (each found by stepping back through the
// siblings) cost a generated function of thousands of guarded stores time cubic in its length.
constexpr size_t kNearestGuards = 8;

// Calls `test` on the guards (`if ...: return`, see leavesWithoutElse) among the statements of
// `block` before `statement`, nearest first, at most kNearestGuards of them, until it returns
// true; returns whether it did.
template <typename Test>
bool anyNearGuard(GuardIndex& index, TSNode block, TSNode statement, Test&& test) {
  const std::vector<TSNode>& guards = index.guardsOf(block);
  auto before = std::lower_bound(
      guards.begin(), guards.end(), ts_node_start_byte(statement),
      [](TSNode guard, uint32_t offset) { return ts_node_start_byte(guard) < offset; });
  for (size_t asked = 0; before != guards.begin() && asked < kNearestGuards; ++asked) {
    --before;
    if (test(*before)) return true;
  }
  return false;
}

// A store whose key the code checked against a maybe-closed set first (one walk up to the
// function), for ContainerUseCollector::finish to confirm:
// - inside `if kind in KNOWN_KINDS:` or `if kind in ("a", "b") and ...:`;
// - after `if kind not in ALLOWED: raise ...` (or `return`, `continue`), with no `else`, among the
//   kNearestGuards guards before the statement that holds the store;
// - in `case "a" | "b":` of `match kind:`.
// The key is a name (its bindings after the guard are checked in finish).
ClosedSetGuard closedSetGuard(const RuleContext& context, TSNode container, TSNode key,
                              GuardIndex& index) {
  if (kindOf(key) != NodeKind::Identifier) return {};
  const std::string_view key_text = context.text(key);
  ClosedSetGuard found;
  anyEnclosingNode(container, [&](TSNode parent, TSNode child) {
    const TSNode condition = conditionOver(parent, child);
    if (!ts_node_is_null(condition)) {
      found.collection = membershipCollection(context, condition, key_text, false);
      found.from = ts_node_start_byte(parent);
      return !ts_node_is_null(found.collection);
    }
    if (kindOf(parent) == NodeKind::CaseClause &&
        ts_node_eq(childByField(parent, Field::Consequence), child)) {
      const TSNode statement = parentOf(parentOf(parent));  // case_clause < block < match
      if (kindOf(statement) == NodeKind::MatchStatement &&
          context.text(unparenthesized(childByField(statement, Field::Subject))) == key_text &&
          matchesOnlyLiterals(parent)) {
        found.collection = parent;  // the literals of its patterns
        found.from = ts_node_start_byte(statement);
        return true;
      }
      return false;
    }
    if (kindOf(parent) != NodeKind::Block) return false;
    return anyNearGuard(index, parent, child, [&](TSNode guard) {
      // Asked once a guard and key: a guard over a display of 4,000 items is read once, not
      // once a store.
      const auto [entry, fresh] = index.memberships.try_emplace({guard.id, key_text});
      if (fresh) {
        entry->second = membershipCollection(
            context, conditionOver(guard, childByField(guard, Field::Consequence)), key_text, true);
      }
      found.collection = entry->second;
      found.from = ts_node_start_byte(guard);
      return !ts_node_is_null(found.collection);
    });
  });
  return ts_node_is_null(found.collection) ? ClosedSetGuard{} : found;
}

// Whether a guard that closedSetGuard found holds after the walk: its collection is a display of
// literals, literal patterns, or a module-level constant bound once to a tuple or frozenset of
// literals; and the
// key's name is bound before the guard and not again between the guard and the store (a loop, a
// comprehension, `kind = f"{kind}:{user}"` or a walrus in the condition would make it another
// value).
bool closedSetGuardHolds(const RuleContext& context, const ContainerUse& use,
                         const ClosedSetGuard& guard,
                         std::unordered_map<const Binding*, bool>& constants) {
  const SemanticModel& semantic = context.semantic();
  if (kindOf(guard.collection) == NodeKind::Identifier) {
    const std::string_view name = context.text(guard.collection);
    const Resolution resolution =
        semantic.resolve(use.scope, name, ts_node_start_byte(guard.collection));
    if (resolution.kind != Resolution::Kind::Bound ||
        resolution.binding->kind != BindingKind::Assignment ||
        semantic.scope(resolution.binding->scope).kind != ScopeKind::Module) {
      return false;
    }
    // A tuple or a frozenset: a set, list or dict constant may be filled elsewhere
    // (`KNOWN_HOSTS.add(host)`). Read once a constant, however many stores it guards.
    const auto [entry, fresh] = constants.try_emplace(resolution.binding, false);
    if (fresh) {
      const TSNode value = unparenthesized(singleAssignedValue(context, *resolution.binding));
      const bool immutable = kindOf(value) == NodeKind::Tuple ||
                             (kindOf(value) == NodeKind::Call &&
                              context.text(childByField(value, Field::Function)) == "frozenset");
      entry->second = immutable && isClosedDisplay(context, value);
    }
    if (!entry->second) return false;
  }
  const std::string_view key = context.text(use.key);
  const Resolution resolution = semantic.resolve(use.scope, key, ts_node_start_byte(use.key));
  if (resolution.kind != Resolution::Kind::Bound || resolution.binding->offset >= guard.from) {
    return false;
  }
  const uint32_t until = ts_node_start_byte(use.key);
  for (const Binding* binding : semantic.bindingsIn(resolution.binding->scope, key)) {
    if (binding->offset >= guard.from && binding->offset < until) return false;
  }
  return true;
}

// `counts[key] = 1`, `counts[key] += 1`, `counts[key] = counts.get(key, 0) + 1`: a store (one
// index) of a literal or a count, which replaces the entry. Any other value may build on the
// entry, through the container or a name read from it (`lines = c.get(k, []); lines.append(x);
// c[k] = lines`, `c[k] = f"{c.get(k, '')}{x}"`), and is left to the rules as growth.
bool storesAReplacement(const RuleContext& context, TSNode subscript) {
  if (namedChildCountSkippingExtras(subscript) != 2) return false;  // `c[kind, user]`
  const TSNode statement = parentOf(subscript);
  const NodeKind kind = kindOf(statement);
  if ((kind != NodeKind::Assignment && kind != NodeKind::AugmentedAssignment) ||
      !ts_node_eq(childByField(statement, Field::Left), subscript)) {
    return false;
  }
  const auto isNumber = [](TSNode node) {
    const NodeKind number = kindOf(unparenthesized(node));
    return number == NodeKind::Integer || number == NodeKind::Float;
  };
  const TSNode value = unparenthesized(childByField(statement, Field::Right));
  if (kind == NodeKind::AugmentedAssignment) {
    const std::string_view op = context.text(childByField(statement, Field::Operator));
    return (op == "+=" || op == "-=") && isNumber(value);
  }
  if (isPlainLiteral(value)) return true;
  switch (kindOf(value)) {
    case NodeKind::BinaryOperator: {
      // `c.get(key, 0) + 1`, `c[key] - 1`: a count.
      const std::string_view op = context.text(childByField(value, Field::Operator));
      if ((op != "+" && op != "-") || !isNumber(childByField(value, Field::Right))) return false;
      const TSNode left = unparenthesized(childByField(value, Field::Left));
      if (kindOf(left) == NodeKind::Subscript) return true;
      if (kindOf(left) != NodeKind::Call) return false;
      const TSNode callee = childByField(left, Field::Function);
      const TSNode arguments = childByField(left, Field::Arguments);
      return kindOf(callee) == NodeKind::Attribute &&
             context.text(childByField(callee, Field::AttributeName)) == "get" &&
             namedChildCountSkippingExtras(arguments) == 2 &&
             isNumber(nthNamedChildSkippingExtras(arguments, 1));
    }
    default:
      return false;
  }
}

// `cache.setdefault(key)` or `cache.setdefault(key, 0)`: the default a literal the code will not
// fill (not `setdefault(key, [])`).
bool immutableDefault(TSNode call) {
  const TSNode arguments = childByField(call, Field::Arguments);
  return namedChildCountSkippingExtras(arguments) < 2 ||
         isPlainLiteral(unparenthesized(nthNamedChildSkippingExtras(arguments, 1)));
}

// A store that adds no entry for good, as the `if`s around it show (one walk up to the function):
// - `cache[key] = value` after `if key not in cache: return ...` (no `else`), or inside
//   `if key in cache:`: it replaces an entry (matplotlib swaps a module name for the class it
//   imports);
// - inside `if m < 250:` (mpmath's Fibonacci numbers): made only for keys below a limit written
//   in the code, so the container holds at most that many integer keys.
bool addsNoEntry(const RuleContext& context, TSNode container, TSNode key, GuardIndex& index) {
  if (ts_node_is_null(key)) return false;
  // Made only once an `if` is met: most stores have none around them.
  std::string key_text;
  std::string container_text;
  const auto condition_is = [&](TSNode condition, std::string_view test) {
    if (kindOf(condition) != NodeKind::ComparisonOperator) return false;
    if (key_text.empty()) {
      key_text = withoutSpaces(context.text(key));
      container_text = withoutSpaces(context.text(container));
    }
    const std::string written = withoutSpaces(context.text(condition));
    return written.size() == key_text.size() + test.size() + container_text.size() &&
           written.starts_with(key_text) && written.ends_with(container_text) &&
           std::string_view(written).substr(key_text.size(), test.size()) == test;
  };
  return anyEnclosingNode(container, [&](TSNode parent, TSNode child) {
    const TSNode condition = conditionOver(parent, child);
    if (!ts_node_is_null(condition)) {
      return condition_is(condition, "in") || keyBelowALimit(context, condition, key);
    }
    if (kindOf(parent) != NodeKind::Block) return false;
    if (index.guardsOf(parent).empty()) return false;
    if (key_text.empty()) {
      key_text = withoutSpaces(context.text(key));
      container_text = withoutSpaces(context.text(container));
    }
    return index.guardedBefore(context, parent, key_text + "notin" + container_text,
                               ts_node_start_byte(child));
  });
}

// Builtins that read a container without keeping or changing it.
constexpr std::array<std::string_view, 22> kReadingBuiltins = {
    "len",  "isinstance", "sorted",    "list", "tuple",    "set", "frozenset", "dict",
    "iter", "print",      "repr",      "str",  "bool",     "any", "all",       "sum",
    "min",  "max",        "enumerate", "zip",  "reversed", "id",
};

template <size_t N>
bool contains(const std::array<std::string_view, N>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// The outermost function definition the walk is in: a nested helper grows the container on
// behalf of the function that defines it.
TSNode outermostFunction(const RuleContext& context) {
  for (const ExecutionContext& execution : context.executions()) {
    if (execution.kind == NodeKind::FunctionDefinition) return execution.node;
  }
  return TSNode{};
}

std::string builtinName(const RuleContext& context, ScopeId scope, TSNode callee) {
  std::string name = context.semantic().qualifiedName(scope, callee);
  if (name.empty() && kindOf(callee) == NodeKind::Identifier) {
    const std::string_view text = context.text(callee);
    if (SemanticModel::isBuiltinName(text) &&
        context.semantic().resolve(scope, text, ts_node_start_byte(callee)).kind ==
            Resolution::Kind::StarImported) {
      name = concat("builtins.", text);
    }
  }
  return name;
}

TSNode firstArgument(TSNode call, uint32_t skip = 0) {
  return nthNamedChildSkippingExtras(childByField(call, Field::Arguments), skip);
}

// Inside `if not container:` (or `if len(container) == 0:`): the store is made only while the
// container is empty, so it holds what one store adds.
bool storedOnlyWhenEmpty(const RuleContext& context, TSNode container) {
  if (kindOf(container) != NodeKind::Identifier && kindOf(container) != NodeKind::Attribute) {
    return false;
  }
  // Made only under an `if` that could be such a guard: every store in a function asks.
  std::string container_text;
  return anyEnclosingNode(container, [&](TSNode parent, TSNode child) {
    const TSNode condition = conditionOver(parent, child);
    const NodeKind kind = kindOf(condition);
    if (kind != NodeKind::NotOperator && kind != NodeKind::ComparisonOperator) return false;
    if (container_text.empty()) container_text = withoutSpaces(context.text(container));
    if (kind == NodeKind::NotOperator) {
      return withoutSpaces(context.text(nthNamedChild(condition, 0))) == container_text;
    }
    return withoutSpaces(context.text(condition)) == "len(" + container_text + ")==0";
  });
}

}  // namespace

bool isGrowMethod(std::string_view method) {
  return contains(kGrowMethods, method);
}

std::span<const NodeKind> containerUseKinds() {
  return kKinds;
}

void ContainerUseCollector::add(const RuleContext& context, TSNode container, ContainerEvent event,
                                TSNode key, TSNode also, TSNode callee, Gate gate) {
  const NodeKind kind = kindOf(container);
  if (kind != NodeKind::Identifier && kind != NodeKind::Attribute) return;
  if (!follows_(container, context)) return;
  Pending pending;
  pending.use =
      ContainerUse{container, event, key, also, context.scope(), outermostFunction(context)};
  pending.callee = callee;
  pending.gate = gate;
  pending_.push_back(pending);
}

void ContainerUseCollector::onNode(TSNode node, NodeKind kind, const RuleContext& context) {
  const bool in_function = context.enclosingFunction() != nullptr;
  switch (kind) {
    case NodeKind::Subscript:
      onSubscript(node, context);
      break;
    case NodeKind::Attribute:
      onAttribute(node, context);
      onValue(node, context);
      break;
    case NodeKind::Identifier:
      onValue(node, context);
      break;
    case NodeKind::Call: {
      // `len(cache) > LIMIT` bounds the cache, if `len` is the builtin.
      const TSNode function = childByField(node, Field::Function);
      const NodeKind function_kind = kindOf(function);
      if ((function_kind == NodeKind::Identifier || function_kind == NodeKind::Attribute) &&
          context.depth() >= 2 && context.frame(1).kind == NodeKind::ComparisonOperator) {
        add(context, firstArgument(node), ContainerEvent::Evict, {}, {}, function,
            Gate::IfBuiltinLen);
      }
      break;
    }
    case NodeKind::Assignment: {
      // `module.cache = {}`, `Registry.items = []`: the container is started afresh.
      const TSNode left = childByField(node, Field::Left);
      if (kindOf(left) == NodeKind::Attribute) add(context, left, ContainerEvent::Evict);
      break;
    }
    case NodeKind::AugmentedAssignment: {
      const TSNode left = childByField(node, Field::Left);
      const std::string_view op = context.text(childByField(node, Field::Operator));
      if (op == "-=" || op == "&=") {
        add(context, left, ContainerEvent::Evict);
      } else if (in_function && (op == "+=" || op == "|=")) {
        add(context, left, ContainerEvent::Grow, childByField(node, Field::Right));
      }
      break;
    }
    case NodeKind::ComparisonOperator: {
      // `key in cache` / `key not in cache` looks the cache up.
      if (!in_function) break;
      const uint32_t count = childCount(node);
      for (uint32_t i = 1; i + 1 < count; ++i) {
        const TSNode token = nthChild(node, i);
        if (ts_node_is_named(token)) continue;
        const std::string_view text = context.text(token);
        if (text == "in" || text == "not in") {
          add(context, nthChild(node, i + 1), ContainerEvent::Read);
        } else if (text == "not" && i + 2 < count && context.text(nthChild(node, i + 1)) == "in") {
          add(context, nthChild(node, i + 2), ContainerEvent::Read);
        }
      }
      break;
    }
    default:
      break;
  }
}

void ContainerUseCollector::onSubscript(TSNode node, const RuleContext& context) {
  const TSNode value = childByField(node, Field::Value);
  const TSNode index = childByField(node, Field::SubscriptIndex);
  const bool deleted = context.frame(1).kind == NodeKind::DeleteStatement ||
                       (context.frame(1).kind == NodeKind::ExpressionList &&
                        context.frame(2).kind == NodeKind::DeleteStatement);
  if (deleted || (kindOf(index) == NodeKind::Slice && context.frame().isStoreTarget())) {
    // `del cache[key]`, and `cache[:] = []` which empties it in place.
    add(context, value, ContainerEvent::Evict);
  } else if (context.enclosingFunction() == nullptr) {
    return;  // filled while the module is imported
  } else if (context.frame().isStoreTarget() && followed(value, context) &&
             !addsNoEntry(context, value, index, guards_) && !storedOnlyWhenEmpty(context, value)) {
    add(context, value, ContainerEvent::Grow, index);
    if (storesAReplacement(context, node)) {
      pending_.back().guard = closedSetGuard(context, value, index, guards_);
    }
    // The value stored, for `c[k] = v` (a class factory's new class).
    if (!pending_.empty() && ts_node_eq(pending_.back().use.container, value) &&
        context.frame(1).kind == NodeKind::Assignment) {
      pending_.back().use.value = childByField(context.frame(1).node, Field::Right);
    }
  } else {
    // A load, a store that only replaces an entry, or one made only while the container is
    // empty (`if not _table:` then a loop filling it: a table loaded on first use).
    add(context, value, ContainerEvent::Read);
  }
}

void ContainerUseCollector::onAttribute(TSNode node, const RuleContext& context) {
  const std::string_view method = context.text(childByField(node, Field::AttributeName));
  TSNode object = childByField(node, Field::Object);
  if (contains(kEvictMethods, method)) {
    // Even uncalled: `atexit.register(cache.clear)` evicts.
    if (kindOf(object) != NodeKind::Subscript) add(context, object, ContainerEvent::Evict);
    return;
  }
  if (context.enclosingFunction() == nullptr) return;
  if (method == "get" || method == "setdefault") add(context, object, ContainerEvent::Read);
  if (!contains(kGrowMethods, method)) return;
  if (context.depth() < 2 || context.frame(1).kind != NodeKind::Call ||
      context.frame().field != Field::Function) {
    return;
  }
  const TSNode call = context.frame(1).node;
  const TSNode key = firstArgument(call, method == "insert" ? 1 : 0);
  // `groups[key].append(item)` grows a defaultdict(list) by key, and each list by item.
  if (kindOf(object) == NodeKind::Subscript) {
    add(context, childByField(object, Field::Value), ContainerEvent::Grow,
        childByField(object, Field::SubscriptIndex), key);
    return;
  }
  // `if not _schema: _schema.append(load())`: filled once, while empty (a lazy singleton).
  if (!followed(object, context) || storedOnlyWhenEmpty(context, object)) {
    add(context, object, ContainerEvent::Read);
    return;
  }
  add(context, object, ContainerEvent::Grow, key);
  // `if kind in KNOWN: seen.add(kind)`: one entry per member of a closed set at most. Not for
  // a list (`append` adds an item per call whatever the key), nor a `setdefault` whose value the
  // code goes on to fill (`index.setdefault(kind, []).append(item)`).
  if (method == "add" ||
      (method == "setdefault" && context.depth() > 2 &&
       kindOf(context.frame(2).node) == NodeKind::ExpressionStatement && immutableDefault(call))) {
    pending_.back().guard = closedSetGuard(context, object, key, guards_);
  }
}

bool ContainerUseCollector::followed(TSNode container, const RuleContext& context) const {
  const NodeKind kind = kindOf(container);
  return (kind == NodeKind::Identifier || kind == NodeKind::Attribute) &&
         follows_(container, context);
}

GuardIndex::Block& GuardIndex::blockOf(TSNode block) {
  const auto [entry, fresh] = blocks_.try_emplace(block.id);
  if (fresh) {
    TSTreeCursor cursor = ts_tree_cursor_new(block);
    if (ts_tree_cursor_goto_first_child(&cursor)) {
      do {
        const TSNode statement = ts_tree_cursor_current_node(&cursor);
        if (leavesWithoutElse(statement)) entry->second.guards.push_back(statement);
      } while (ts_tree_cursor_goto_next_sibling(&cursor));
    }
    ts_tree_cursor_delete(&cursor);
  }
  return entry->second;
}

const std::vector<TSNode>& GuardIndex::guardsOf(TSNode block) {
  return blockOf(block).guards;
}

bool GuardIndex::guardedBefore(const RuleContext& context, TSNode block,
                               const std::string& condition, uint32_t before) {
  Block& entry = blockOf(block);
  if (!entry.conditions_read) {
    // The guards' conditions without spaces, read once a block; the earliest guard of each.
    entry.conditions_read = true;
    for (const TSNode guard : entry.guards) {
      TSNode written = childByField(guard, Field::Condition);
      while (kindOf(written) == NodeKind::ParenthesizedExpression)
        written = nthNamedChild(written, 0);
      if (kindOf(written) != NodeKind::ComparisonOperator) continue;
      const std::string text = withoutSpaces(context.text(written));
      entry.first_guard_by_condition.try_emplace(text, ts_node_start_byte(guard));
    }
  }
  const auto found = entry.first_guard_by_condition.find(condition);
  return found != entry.first_guard_by_condition.end() && found->second < before;
}

// A container used as a value is handed to other code, which may evict it.
void ContainerUseCollector::onValue(TSNode node, const RuleContext& context) {
  if (context.depth() < 2) return;
  const Frame& parent = context.frame(1);
  switch (parent.kind) {
    case NodeKind::ArgumentList: {
      const TSNode callee = childByField(context.frame(2).node, Field::Function);
      const NodeKind callee_kind = kindOf(callee);
      if (callee_kind == NodeKind::Identifier || callee_kind == NodeKind::Attribute) {
        add(context, node, ContainerEvent::Escape, {}, {}, callee, Gate::IfNotReadingBuiltin);
      } else {
        add(context, node, ContainerEvent::Escape);
      }
      break;
    }
    case NodeKind::KeywordArgument:
      if (context.frame().field == Field::Value) add(context, node, ContainerEvent::Escape);
      break;
    case NodeKind::ReturnStatement:
    case NodeKind::Yield:
      add(context, node, ContainerEvent::Escape);
      break;
    case NodeKind::Assignment:
      if (context.frame().field == Field::Right && context.enclosingFunction() != nullptr) {
        add(context, node, ContainerEvent::Escape);
      }
      break;
    default:
      break;
  }
}

std::vector<ContainerUse> ContainerUseCollector::finish(
    const RuleContext& context, const std::function<bool(const ContainerUse&)>& keep) {
  std::vector<ContainerUse> uses;
  std::unordered_map<const Binding*, bool> constants;  // closedSetGuardHolds' answers
  for (const Pending& pending : pending_) {
    if (keep && !keep(pending.use)) continue;
    if (pending.gate != Gate::None) {
      const std::string callee = builtinName(context, pending.use.scope, pending.callee);
      if (pending.gate == Gate::IfBuiltinLen && callee != "builtins.len") continue;
      if (pending.gate == Gate::IfNotReadingBuiltin && callee.starts_with("builtins.") &&
          contains(kReadingBuiltins, std::string_view(callee).substr(9))) {
        continue;
      }
    }
    uses.push_back(pending.use);
    if (!ts_node_is_null(pending.guard.collection) &&
        closedSetGuardHolds(context, pending.use, pending.guard, constants)) {
      uses.back().event = ContainerEvent::Read;
    }
  }
  return uses;
}

namespace {

// Whether the arguments of `deque(...)` may give it a `maxlen`: a second positional argument or
// `maxlen=` other than `None`, or an unpacking that may hold either. A comment that mentions
// maxlen does not, nor does a generator (`deque(x for x in xs)`: its parts are not arguments).
bool mayBeBounded(const RuleContext& context, TSNode arguments) {
  if (kindOf(arguments) != NodeKind::ArgumentList) return false;
  const PassedArgument maxlen = passedArgument(context.source().text(), arguments, "maxlen", 1);
  return maxlen.unpacked ||
         (!ts_node_is_null(maxlen.value) && kindOf(maxlen.value) != NodeKind::None);
}

}  // namespace

std::string containerKind(const RuleContext& context, ScopeId scope, TSNode value) {
  switch (kindOf(value)) {
    case NodeKind::Dictionary:
    case NodeKind::DictionaryComprehension:
      return "dict";
    case NodeKind::Set:
    case NodeKind::SetComprehension:
      return "set";
    case NodeKind::List:
    case NodeKind::ListComprehension:
      return "list";
    case NodeKind::Call:
      break;
    default:
      return {};
  }
  const TSNode callee = childByField(value, Field::Function);
  const std::string qualified = builtinName(context, scope, callee);
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kConstructors = {{
      {"builtins.dict", "dict"},
      {"builtins.set", "set"},
      {"builtins.list", "list"},
      {"collections.defaultdict", "defaultdict"},
      {"collections.OrderedDict", "OrderedDict"},
      {"collections.Counter", "Counter"},
      {"collections.deque", "deque"},
      {"builtins.bytearray", "bytearray"},
  }};
  for (const auto& [name, label] : kConstructors) {
    if (qualified != name) continue;
    if (label == "deque" && mayBeBounded(context, childByField(value, Field::Arguments))) {
      return {};
    }
    return std::string(label);
  }
  return {};
}

// --- facts -------------------------------------------------------------------------------------

void describeContainerUses(const RuleContext& context, std::span<const ContainerUse> uses,
                           const std::function<std::string(const ContainerUse&)>& target,
                           ContainerFacts& facts) {
  std::unordered_map<const void*, std::string> names;
  const auto nameOf = [&](TSNode function) -> const std::string& {
    auto it = names.find(function.id);
    if (it == names.end()) {
      it = names.emplace(function.id, definitionName(context, function)).first;
    }
    return it->second;
  };
  const std::string& module = context.options().module.name;
  std::vector<std::string> targets(uses.size());
  std::set<std::pair<std::string, std::string>> lookups;  // (function, target)
  for (size_t i = 0; i < uses.size(); ++i) {
    targets[i] = target(uses[i]);
    if (!targets[i].empty() && uses[i].event == ContainerEvent::Read &&
        !ts_node_is_null(uses[i].function)) {
      lookups.emplace(nameOf(uses[i].function), targets[i]);
    }
  }
  std::set<std::string> described;
  for (size_t i = 0; i < uses.size(); ++i) {
    const ContainerUse& use = uses[i];
    if (targets[i].empty() || use.event == ContainerEvent::Read) continue;
    ContainerEventFact event;
    event.target = std::move(targets[i]);
    event.event = use.event;
    event.row = context.source().rowOf(ts_node_start_byte(use.container));
    if (!ts_node_is_null(use.function)) {
      event.function = nameOf(use.function);
      event.display =
          event.function.substr(
              module.empty() || !event.function.starts_with(module + ".") ? 0 : module.size() + 1) +
          "()";
      event.looks_up = lookups.contains({event.function, event.target});
    }
    if (use.event == ContainerEvent::Grow) {
      if (ts_node_is_null(use.key)) {
        event.key_source = KeySource::Unknown;
        event.key_reason = "entries the code does not show";
      } else {
        KeyEvidence key = keyEvidence(context, use.scope, use.key);
        if (!ts_node_is_null(use.also)) {
          const KeyEvidence also = keyEvidence(context, use.scope, use.also);
          key.parameters |= also.parameters;
          if (also.source > key.source) {
            key.source = also.source;
            key.reason = also.reason;
          }
        }
        if (!ts_node_is_null(use.value) && kindOf(use.value) == NodeKind::Identifier) {
          event.stores_new_class =
              keyEvidence(context, use.scope, use.value).reason.ends_with(kClassPerCall);
        }
        event.key_source = key.source;
        event.key_parameters = key.parameters;
        event.key_reason = reasonForFacts(key.reason);
      }
      if (event.key_parameters != 0 && !ts_node_is_null(use.function) &&
          described.insert(event.function).second) {
        facts.growing_functions.push_back(functionSignatureFrom(context, use.scope, use.function));
      }
    }
    facts.events.push_back(std::move(event));
  }
}

void ContainerFacts::write(FactsWriter& out) const {
  out.u32(static_cast<uint32_t>(definitions.size()));
  for (const ContainerDefinition& definition : definitions) {
    out.string(definition.target);
    out.string(definition.display);
    out.string(definition.kind);
    out.u32(definition.start);
    out.u32(definition.end);
    out.u32(definition.row);
  }
  out.u32(static_cast<uint32_t>(events.size()));
  for (const ContainerEventFact& event : events) {
    out.string(event.target);
    out.u32(static_cast<uint32_t>(event.event));
    out.string(event.function);
    out.string(event.display);
    out.u32(static_cast<uint32_t>(event.key_source));
    out.u32(event.key_parameters);
    out.string(event.key_reason);
    out.boolean(event.looks_up);
    out.boolean(event.stores_new_class);
    out.u32(event.row);
  }
  out.u32(static_cast<uint32_t>(growing_functions.size()));
  for (const FunctionSignature& signature : growing_functions)
    signature.write(out);
}

bool ContainerFacts::read(FactsReader& in) {
  const uint32_t definition_count = in.count();
  for (uint32_t i = 0; i < definition_count && in.ok(); ++i) {
    ContainerDefinition definition;
    definition.target = in.string();
    definition.display = in.string();
    definition.kind = in.string();
    definition.start = in.u32();
    definition.end = in.u32();
    definition.row = in.u32();
    definitions.push_back(std::move(definition));
  }
  const uint32_t event_count = in.count();
  for (uint32_t i = 0; i < event_count && in.ok(); ++i) {
    ContainerEventFact event;
    event.target = in.string();
    const uint32_t kind = in.u32();
    if (kind > static_cast<uint32_t>(ContainerEvent::Escape)) return false;
    event.event = static_cast<ContainerEvent>(kind);
    event.function = in.string();
    event.display = in.string();
    const uint32_t source = in.u32();
    if (source > static_cast<uint32_t>(KeySource::Data)) return false;
    event.key_source = static_cast<KeySource>(source);
    event.key_parameters = in.u32();
    event.key_reason = in.string();
    event.looks_up = in.boolean();
    event.stores_new_class = in.boolean();
    event.row = in.u32();
    events.push_back(std::move(event));
  }
  const uint32_t signature_count = in.count();
  for (uint32_t i = 0; i < signature_count && in.ok(); ++i) {
    FunctionSignature signature;
    if (!signature.read(in)) return false;
    growing_functions.push_back(std::move(signature));
  }
  return in.ok();
}

void ContainerFacts::appendShifted(const ContainerFacts& next, int64_t bytes, int64_t rows) {
  for (ContainerDefinition definition : next.definitions) {
    definition.start = shiftedOffset(definition.start, bytes);
    definition.end = shiftedOffset(definition.end, bytes);
    definition.row = shiftedOffset(definition.row, rows);
    definitions.push_back(std::move(definition));
  }
  for (ContainerEventFact event : next.events) {
    event.row = shiftedOffset(event.row, rows);
    events.push_back(std::move(event));
  }
  growing_functions.insert(growing_functions.end(), next.growing_functions.begin(),
                           next.growing_functions.end());
}

// --- the join ----------------------------------------------------------------------------------

void ContainerLedger::keepOnly(std::set<std::string, std::less<>> targets) {
  kept_targets_ = std::move(targets);
}

void ContainerLedger::add(size_t file, const ContainerFacts& facts, const CallIndex& names) {
  for (const ContainerEventFact& event : facts.events) {
    std::string target = names.canonical(event.target);
    if (kept_targets_ && !kept_targets_->contains(target)) continue;
    events_[std::move(target)].push_back(Located{file, &kept_events_.emplace_back(event)});
  }
  for (const FunctionSignature& signature : facts.growing_functions) {
    if (!signatures_.contains(signature.name)) signatures_.emplace(signature.name, signature);
  }
}

bool ContainerLedger::isEvicted(std::string_view target) const {
  const auto it = events_.find(target);
  if (it == events_.end()) return false;
  return std::any_of(it->second.begin(), it->second.end(), [](const Located& located) {
    return located.event->event == ContainerEvent::Evict ||
           located.event->event == ContainerEvent::Escape;
  });
}

std::optional<ContainerLedger::Growth> ContainerLedger::growthOf(std::string_view target,
                                                                 const CallIndex& calls) const {
  const auto it = events_.find(target);
  if (it == events_.end()) return std::nullopt;
  std::optional<Growth> best;
  // Stronger keys first; for equal keys, evidence from callers over none.
  const auto rank = [](const Growth& growth) {
    return static_cast<int>(growth.source) * 2 + (growth.has_callers ? 1 : 0);
  };
  for (const Located& located : it->second) {
    const ContainerEventFact& event = *located.event;
    if (event.event != ContainerEvent::Grow || event.function.empty()) continue;
    // Demonstration code, and registration while modules are imported, do not grow it for good.
    if (isDemoOrDebugCode(event.function) || calls.runsOnlyAtImport(event.function)) continue;
    Growth growth;
    growth.event = &event;
    growth.file = located.file;
    growth.source = event.key_source;
    growth.reason = event.key_reason;
    if (event.key_parameters != 0) {
      const auto signature = signatures_.find(event.function);
      if (signature == signatures_.end()) {
        growth.source = std::max(growth.source, KeySource::Unknown);
      } else {
        const CallIndex::Keys keys = calls.keysFromCallers(signature->second, event.key_parameters);
        growth.has_callers = keys.has_callers;
        KeySource from_callers = keys.has_callers ? keys.source : KeySource::Parameter;
        // Callers that pass a closed set, while others out of sight may pass anything.
        if (keys.unseen_callers && from_callers < KeySource::Parameter) {
          from_callers = KeySource::Unknown;
        }
        if (from_callers >= growth.source) {
          growth.source = from_callers;
          if (keys.has_callers) {
            growth.reason = keys.reason;
            growth.from_caller = true;
            growth.caller_file = keys.file;
            growth.caller_row = keys.row;
          }
        }
      }
    }
    if (!best || rank(growth) > rank(*best)) best = std::move(growth);
  }
  return best;
}

}  // namespace heaplint
