#include "analyzer/retention_evidence.h"

#include <algorithm>
#include <string_view>

#include "analyzer/analyze.h"
#include "analyzer/code_model.h"
#include "analyzer/key_evidence.h"
#include "analyzer/lifetime_evidence.h"
#include "analyzer/size_evidence.h"
#include "analyzer/syntax.h"
#include "analyzer/walker.h"

namespace heaplint {
namespace {

constexpr int kMaxDepth = 4;            // names and calls followed from one value
constexpr int kMaxParents = 256;        // parents walked up from a node
constexpr int kMaxScannedNodes = 4096;  // nodes read looking for the uses of a name

bool sameNode(TSNode a, TSNode b) {
  return a.id == b.id;
}

bool contains(TSNode outer, TSNode inner) {
  return ts_node_start_byte(inner) >= ts_node_start_byte(outer) &&
         ts_node_end_byte(inner) <= ts_node_end_byte(outer);
}

bool isComprehension(NodeKind kind) {
  return kind == NodeKind::ListComprehension || kind == NodeKind::SetComprehension ||
         kind == NodeKind::DictionaryComprehension || kind == NodeKind::GeneratorExpression;
}

// Where code stops belonging to the body the value runs in.
bool isBoundary(NodeKind kind) {
  return kind == NodeKind::FunctionDefinition || kind == NodeKind::Lambda ||
         kind == NodeKind::ClassDefinition || kind == NodeKind::Module || kind == NodeKind::Other;
}

std::string shown(std::string_view text) {
  const size_t cut = std::min<size_t>(text.find('\n'), 40);
  return cut < text.size() ? "`" + std::string(text.substr(0, cut)) + "...`"
                           : "`" + std::string(text) + "`";
}

// The statement (a child of a block) that holds `node`, or a null node.
TSNode statementOf(TSNode node) {
  for (int step = 0; step < kMaxParents && !ts_node_is_null(node); ++step) {
    const TSNode parent = parentOf(node);
    const NodeKind kind = kindOf(parent);
    if (kind == NodeKind::Block || kind == NodeKind::Module) return node;
    node = parent;
  }
  return TSNode{};
}

// The innermost `for` or `while` statement around `node` in its body, or a null node.
TSNode innermostLoopStatement(TSNode node) {
  for (int step = 0; step < kMaxParents; ++step) {
    node = parentOf(node);
    const NodeKind kind = kindOf(node);
    if (isBoundary(kind)) return TSNode{};
    if (kind == NodeKind::ForStatement || kind == NodeKind::WhileStatement) return node;
  }
  return TSNode{};
}

// The function or lambda whose body holds `node`, or a null node.
TSNode enclosingFunctionNode(TSNode node) {
  for (int step = 0; step < kMaxParents; ++step) {
    node = parentOf(node);
    const NodeKind kind = kindOf(node);
    if (kind == NodeKind::FunctionDefinition || kind == NodeKind::Lambda) return node;
    if (kind == NodeKind::ClassDefinition || kind == NodeKind::Module || ts_node_is_null(node)) {
      return TSNode{};
    }
  }
  return TSNode{};
}

TSNode headOf(TSNode expression) {
  for (int step = 0; step < 32; ++step) {
    const NodeKind kind = kindOf(expression);
    if (kind == NodeKind::Attribute) {
      expression = childByField(expression, Field::Object);
    } else if (kind == NodeKind::Subscript) {
      expression = childByField(expression, Field::Value);
    } else if (kind == NodeKind::ParenthesizedExpression) {
      expression = nthNamedChild(expression, 0);
    } else {
      break;
    }
  }
  return expression;
}

// The position of `argument` among the positional arguments of its list, or -1.
int positionOf(TSNode arguments, TSNode argument) {
  int position = 0;
  const uint32_t count = namedChildCount(arguments);
  for (uint32_t i = 0; i < count; ++i) {
    const TSNode child = nthNamedChild(arguments, i);
    const NodeKind kind = kindOf(child);
    if (kind == NodeKind::Comment) continue;
    if (kind == NodeKind::KeywordArgument || kind == NodeKind::ListSplat ||
        kind == NodeKind::DictionarySplat) {
      return -1;  // positions after a splat are unknown; keywords are not positional
    }
    if (sameNode(child, argument)) return position;
    ++position;
  }
  return -1;
}

// The name node of a function's `index`-th positional parameter, or a null node.
TSNode parameterAt(TSNode function, int index) {
  const TSNode parameters = childByField(function, Field::Parameters);
  int position = 0;
  const uint32_t count = namedChildCount(parameters);
  for (uint32_t i = 0; i < count; ++i) {
    TSNode parameter = nthNamedChild(parameters, i);
    const NodeKind kind = kindOf(parameter);
    if (kind == NodeKind::Comment) continue;
    if (kind == NodeKind::TypedParameter) {
      parameter = nthNamedChild(parameter, 0);
    } else if (kind == NodeKind::DefaultParameter || kind == NodeKind::TypedDefaultParameter) {
      parameter = childByField(parameter, Field::Name);
    }
    if (kindOf(parameter) != NodeKind::Identifier) return TSNode{};  // `*`, `*args`, `/`
    if (position++ == index) return parameter;
  }
  return TSNode{};
}

// Methods that put their argument (the first positional one, or the second for `insert` and
// `setdefault`) into the container they are called on.
int storedArgument(std::string_view method) {
  if (method == "append" || method == "add" || method == "appendleft" || method == "put" ||
      method == "put_nowait" || method == "extend" || method == "extendleft" ||
      method == "update") {
    return 0;
  }
  if (method == "insert" || method == "setdefault") return 1;
  return -1;
}

// Calls that copy every item of the iterable they are given into a new collection.
bool copiesItems(std::string_view qualified) {
  return qualified == "builtins.list" || qualified == "builtins.tuple" ||
         qualified == "builtins.set" || qualified == "builtins.frozenset" ||
         qualified == "builtins.sorted" || qualified == "builtins.dict" ||
         qualified == "collections.deque";
}

class RetentionFinder {
 public:
  RetentionFinder(const RuleContext& context, RetentionMemo* memo)
      : context_(context), memo_(memo != nullptr ? *memo : own_memo_) {}

  RetentionEvidence of(ScopeId scope, TSNode value, int depth) const {
    if (depth > kMaxDepth) return {};
    TSNode child = value;
    // The value is an item of what `child` is (`[point, other]`), not `child` itself
    // (`(point)`, `point or other`): a copy of `child`'s items keeps it only then.
    bool is_item = false;
    for (int step = 0; step < kMaxParents; ++step) {
      const TSNode parent = parentOf(child);
      switch (kindOf(parent)) {
        case NodeKind::ParenthesizedExpression:
        case NodeKind::ConditionalExpression:
        case NodeKind::BooleanOperator:
          break;  // the value itself, or another
        case NodeKind::Tuple:
        case NodeKind::List:
        case NodeKind::Set:
        case NodeKind::Dictionary:
        case NodeKind::Pair:
        case NodeKind::ExpressionList:
          is_item = true;
          break;  // part of a larger value, kept with it
        case NodeKind::ListComprehension:
        case NodeKind::SetComprehension:
        case NodeKind::DictionaryComprehension:
          if (!sameNode(childByField(parent, Field::Body), child)) return {};
          scope = outerScope(scope, parent);
          is_item = true;
          break;  // an element: kept with the collection
        case NodeKind::GeneratorExpression:
          if (!sameNode(childByField(parent, Field::Body), child)) return {};
          return items(outerScope(scope, parent), parent, depth);
        case NodeKind::ArgumentList:
          return argument(scope, parent, child, depth, is_item);
        case NodeKind::Assignment:
          if (!sameNode(childByField(parent, Field::Right), child)) return {};
          return assignment(scope, parent, depth);
        case NodeKind::AugmentedAssignment: {
          const std::string_view op = context_.text(childByField(parent, Field::Operator));
          if (!sameNode(childByField(parent, Field::Right), child) || (op != "+=" && op != "|=")) {
            return {};
          }
          return container(scope, childByField(parent, Field::Left), parent, depth);
        }
        case NodeKind::ReturnStatement:
          return returned(parent);
        case NodeKind::Yield:
          return yielded(parent);
        default:
          return {};
      }
      child = parent;
    }
    return {};
  }

  RetentionEvidence items(ScopeId scope, TSNode iterable, int depth) const {
    if (depth > kMaxDepth) return {};
    TSNode child = iterable;
    TSNode parent = parentOf(child);
    for (int step = 0; step < 8 && kindOf(parent) == NodeKind::ParenthesizedExpression; ++step) {
      child = parent;
      parent = parentOf(parent);
    }
    TSNode call{};
    if (kindOf(parent) == NodeKind::Call &&
        sameNode(childByField(parent, Field::Arguments), child)) {
      call = parent;  // `list(x for x in xs)`
    } else if (kindOf(parent) == NodeKind::ArgumentList && positionOf(parent, child) == 0) {
      call = parentOf(parent);
    }
    if (ts_node_is_null(call)) return {};
    const TSNode callee = childByField(call, Field::Function);
    if (copiesItems(qualified(scope, callee))) return of(scope, call, depth + 1);
    if (kindOf(callee) == NodeKind::Attribute) {
      const std::string_view method = context_.text(childByField(callee, Field::AttributeName));
      if (method == "extend" || method == "extendleft" || method == "update") {
        return container(scope, childByField(callee, Field::Object), call, depth);
      }
    }
    return {};
  }

 private:
  std::string qualified(ScopeId scope, TSNode expression) const {
    std::string name = context_.semantic().qualifiedName(scope, expression);
    if (name.empty() && kindOf(expression) == NodeKind::Identifier) {
      // A module with `from x import *` keeps the builtins it does not rebind.
      const std::string_view text = context_.text(expression);
      if (SemanticModel::isBuiltinName(text) &&
          context_.semantic().resolve(scope, text, ts_node_start_byte(expression)).kind ==
              Resolution::Kind::StarImported) {
        name = "builtins." + std::string(text);
      }
    }
    return name;
  }

  // The scope a comprehension's value is evaluated in, given the scope of its element.
  ScopeId outerScope(ScopeId scope, TSNode comprehension) const {
    const Scope& inner = context_.semantic().scope(scope);
    return sameNode(inner.node, comprehension) ? inner.parent : scope;
  }

  // `is_item`: `value` holds what is asked about as one of its items (`tuple([a, b])`), rather
  // than being it (`tuple(Wrapper(row))`, which walks the wrapper and keeps only its items).
  RetentionEvidence argument(ScopeId scope, TSNode arguments, TSNode value, int depth,
                             bool is_item) const {
    const TSNode call = parentOf(arguments);
    const TSNode callee = childByField(call, Field::Function);
    const int position = positionOf(arguments, value);
    if (position < 0) return {};
    if (kindOf(callee) == NodeKind::Attribute) {
      const std::string_view method = context_.text(childByField(callee, Field::AttributeName));
      if (storedArgument(method) == position) {
        return container(scope, childByField(callee, Field::Object), call, depth);
      }
    }
    if (position == 0 && copiesItems(qualified(scope, callee))) {
      if (!is_item) return {};
      return of(scope, call, depth + 1);
    }
    return storingCall(scope, call, callee, position, depth);
  }

  RetentionEvidence assignment(ScopeId scope, TSNode assignment, int depth) const {
    const TSNode left = childByField(assignment, Field::Left);
    switch (kindOf(left)) {
      case NodeKind::Subscript: {
        // `latest[i % 8] = reading`: at most 8 kept, each store replacing one. So with a key the
        // code fixes (`latest["last"]`, `latest[SENSORS[i % len(SENSORS)]]`): one per key.
        // An item of an item needs every key so (`latest["temp"]["last"]`, `grid[i % 4][i %
        // 8]`): `index[i]["row"]` keeps one per `i`.
        bool few_keys = true;
        TSNode item = left;
        for (int level = 0; level < 8 && few_keys && kindOf(item) == NodeKind::Subscript; ++level) {
          // (`rows[-1]["cell"]` is the item appended last: a new one each pass.)
          const TSNode key = childByField(item, Field::SubscriptIndex);
          const bool from_the_end =
              level > 0 && context_.text(unparenthesized(key)).starts_with("-");
          few_keys =
              !from_the_end && (isFewItemsLiteral(writtenRemainderDivisor(context_, key)) ||
                                keyEvidence(context_, scope, key).overall() == KeySource::Closed);
          item = childByField(item, Field::Value);
        }
        if (few_keys && kindOf(item) != NodeKind::Subscript) return {};
        return container(scope, childByField(left, Field::Value), assignment, depth);
      }
      case NodeKind::Attribute: {
        RetentionEvidence result = whole(assignment, "kept in " + shown(context_.text(left)));
        const Lifetime owner =
            lifetimeOf(context_, scope, childByField(left, Field::Object)).lifetime;
        result.outlives_function = outlivesFunction(owner);
        return result;
      }
      case NodeKind::Identifier: {
        const std::string_view name = context_.text(left);
        // Resolved after the assignment: at module level a name is bound from there on.
        const Resolution resolution =
            context_.semantic().resolve(scope, name, ts_node_end_byte(assignment));
        if (resolution.kind != Resolution::Kind::Bound) return {};
        const Binding& binding = *resolution.binding;
        const ScopeKind where = context_.semantic().scope(binding.scope).kind;
        if (where == ScopeKind::Function) {
          // `rec = Record(row)`, then `self.rows.append(rec)`: kept where the name's uses keep it.
          RetentionEvidence followed = uses(binding.scope, left, assignment, depth + 1);
          if (followed.keeper != Keeper::None) return followed;
        } else if (where != ScopeKind::Module && where != ScopeKind::Class) {
          return {};
        }
        RetentionEvidence result = whole(assignment, "kept in `" + std::string(name) + "`");
        result.outlives_function = where != ScopeKind::Function;
        return result;
      }
      default:
        return {};
    }
  }

  // A value bound as a whole (to a name or an attribute): replaced on every pass of a loop around
  // the assignment.
  static RetentionEvidence whole(TSNode site, std::string phrase) {
    RetentionEvidence result;
    result.keeper = Keeper::Name;
    result.phrase = std::move(phrase);
    result.site = site;
    result.reset_by = innermostLoopStatement(site);
    return result;
  }

  RetentionEvidence returned(TSNode statement) const {
    const TSNode function = enclosingFunctionNode(statement);
    if (ts_node_is_null(function)) return {};
    RetentionEvidence result;
    result.keeper = Keeper::Returned;
    result.phrase =
        "returned by `" + std::string(context_.text(childByField(function, Field::Name))) + "()`";
    result.site = statement;
    result.reset_by = innermostLoopStatement(statement);  // a return ends every loop around it
    result.outlives_function = true;
    return result;
  }

  RetentionEvidence yielded(TSNode yield) const {
    const TSNode function = enclosingFunctionNode(yield);
    if (ts_node_is_null(function)) return {};
    RetentionEvidence result;
    result.keeper = Keeper::Yielded;
    result.phrase =
        "yielded by `" + std::string(context_.text(childByField(function, Field::Name))) + "()`";
    result.site = yield;
    result.outlives_function = true;
    return result;
  }

  static bool outlivesFunction(Lifetime lifetime) {
    return lifetime == Lifetime::Instance || lifetime == Lifetime::Class ||
           lifetime == Lifetime::Module || lifetime == Lifetime::Process;
  }

  // Kept under `if i % 100_000 == 0:` (a remainder by a written number of 1,000 or more, equal
  // to something) inside the loop: one value in that many, a sample. Not `i % 2 == 0` (half of
  // them) nor `i % 100 != 0` (nearly all).
  bool sampled(TSNode site) const {
    const TSNode loop = innermostLoopStatement(site);
    for (TSNode child = site, up = parentOf(site); !ts_node_is_null(up) && !ts_node_eq(up, loop);
         child = up, up = parentOf(up)) {
      // `if i % 10_000: continue` before the site, in a block around it: the rest of the pass
      // runs one time in 10,000.
      if (kindOf(up) == NodeKind::Block) {
        for (const uint32_t guard : skipGuards(up)) {
          if (guard < ts_node_start_byte(child)) return true;
        }
      }
      if (kindOf(up) != NodeKind::IfStatement ||
          !ts_node_eq(childByField(up, Field::Consequence), child)) {
        continue;
      }
      const TSNode condition = unparenthesized(childByField(up, Field::Condition));
      // `if not i % 100_000:`
      if (kindOf(condition) == NodeKind::NotOperator &&
          isIntegerLiteralOfAtLeast(
              writtenRemainderDivisor(context_,
                                      unparenthesized(childByField(condition, Field::Argument))),
              1'000)) {
        return true;
      }
      if (kindOf(condition) != NodeKind::ComparisonOperator ||
          context_.text(childByField(condition, Field::Operators)) != "==") {
        continue;
      }
      const uint32_t count = namedChildCount(condition);
      for (uint32_t i = 0; i < count; ++i) {
        if (isIntegerLiteralOfAtLeast(
                writtenRemainderDivisor(context_, nthNamedChild(condition, i)), 1'000)) {
          return true;
        }
      }
    }
    return false;
  }

  // The starts of the statements of `block` that are `if i % N: continue` with a written N of
  // 1,000 or more, read once a block.
  const std::vector<uint32_t>& skipGuards(TSNode block) const {
    const auto [entry, added] = memo_.skip_guards.try_emplace(block.id);
    if (!added) return entry->second;
    const uint32_t count = namedChildCount(block);
    for (uint32_t i = 0; i < count; ++i) {
      const TSNode statement = nthNamedChild(block, i);
      if (kindOf(statement) == NodeKind::IfStatement &&
          kindOf(firstNamedChildSkippingExtras(childByField(statement, Field::Consequence))) ==
              NodeKind::ContinueStatement &&
          isIntegerLiteralOfAtLeast(
              writtenRemainderDivisor(context_,
                                      unparenthesized(childByField(statement, Field::Condition))),
              1'000)) {
        entry->second.push_back(ts_node_start_byte(statement));
      }
    }
    return entry->second;
  }

  // A container that holds a few values at most, or none strongly: `deque(maxlen=100)`,
  // `deque([], 100)`, `queue.Queue(maxsize=64)` (a written size below 100,000; `maxlen=None` and
  // `maxsize=0` are unbounded), a `weakref.WeakSet` or `WeakValueDictionary`. Bound once to a
  // name, or to an attribute of the instance or the class (`self.recent = deque(maxlen=100)` in
  // a method, `recent = deque(maxlen=10)` in the class body) where every value it is given is
  // one of these.
  bool isBounded(ScopeId scope, TSNode receiver) const {
    if (kindOf(receiver) == NodeKind::Attribute) return isBoundedAttribute(scope, receiver);
    if (kindOf(receiver) != NodeKind::Identifier) return false;
    const Resolution resolution =
        context_.semantic().resolve(scope, context_.text(receiver), ts_node_start_byte(receiver));
    if (resolution.kind != Resolution::Kind::Bound) return false;
    ScopeId value_scope = kNoScope;
    const TSNode value = singleAssignedValue(context_, *resolution.binding, &value_scope);
    return isBoundedContainer(value_scope, value);
  }

  bool isBoundedContainer(ScopeId scope, TSNode value) const {
    if (kindOf(value) != NodeKind::Call) return false;
    const std::string made = qualified(scope, childByField(value, Field::Function));
    if (made == "weakref.WeakSet" || made == "weakref.WeakValueDictionary") return true;
    const bool deque = made == "collections.deque";
    const bool queue =
        made == "queue.Queue" || made == "asyncio.Queue" || made == "multiprocessing.Queue";
    if (!deque && !queue) return false;
    // `deque(iterable, maxlen)`, `Queue(maxsize)`: by keyword or in its place.
    const std::string_view size_keyword = deque ? "maxlen" : "maxsize";
    const TSNode arguments = childByField(value, Field::Arguments);
    TSNode size = nthNamedChildSkippingExtras(arguments, deque ? 1 : 0);
    if (kindOf(size) == NodeKind::KeywordArgument) size = TSNode{};
    if (const TSNode named = keywordArgumentValue(context_, arguments, size_keyword);
        !ts_node_is_null(named)) {
      size = named;
    }
    size = unparenthesized(size);
    return kindOf(size) == NodeKind::Integer && isFewItemsLiteral(context_.text(size));
  }

  // `self.recent` or `cls.recent`, where the class assigns `self.recent = ...` in its methods
  // or `recent = ...` in its body, each time a bounded container.
  bool isBoundedAttribute(ScopeId scope, TSNode receiver) const {
    TSNode class_node{};
    const TSNode object = childByField(receiver, Field::Object);
    if (!isInstanceReceiver(context_, scope, object, &class_node) &&
        !isClassReceiver(context_, scope, object, &class_node)) {
      return false;
    }
    const std::string_view name = context_.text(childByField(receiver, Field::AttributeName));
    const TSNode body = childByField(class_node, Field::Body);
    int values = 0;
    bool bounded = true;
    int scanned = 0;
    visitSubtree(body, [&](TSNode node, TSFieldId /*field*/) {
      if (++scanned > kMaxScannedNodes) {
        bounded = false;
        return Visit::Stop;
      }
      const NodeKind kind = kindOf(node);
      if (kind == NodeKind::ClassDefinition || kind == NodeKind::Lambda) return Visit::SkipChildren;
      if (kind != NodeKind::Assignment && kind != NodeKind::AugmentedAssignment) {
        return Visit::Descend;
      }
      const TSNode left = childByField(node, Field::Left);
      const bool in_body = ts_node_eq(parentOf(parentOf(node)), body);  // `recent = deque(...)`
      const bool named =
          (in_body && kindOf(left) == NodeKind::Identifier && context_.text(left) == name) ||
          (kindOf(left) == NodeKind::Attribute &&
           context_.text(childByField(left, Field::AttributeName)) == name &&
           kindOf(childByField(left, Field::Object)) == NodeKind::Identifier);
      if (!named) return Visit::Descend;
      ++values;
      // Resolved where the site is: `deque` and `queue` are imported at module level.
      bounded = bounded && kindOf(node) == NodeKind::Assignment &&
                isBoundedContainer(scope, childByField(node, Field::Right));
      return bounded ? Visit::SkipChildren : Visit::Stop;
    });
    return values > 0 && bounded;
  }

  // `batch.clear()`, `del batch[:]`, `window.pop(0)`, `del best[10:]` in the loop that adds to
  // the container: it is emptied or trimmed as it fills (a batch flushed every so many items, a
  // sliding window, a top-k list) and holds a bounded number of values, not one per item.
  // So is one the loop stops filling at a size: the add is under `if len(found) < k:`, or an
  // `if len(found) >= k:` in the loop breaks out of it (or returns).
  bool trimmedInLoop(TSNode receiver, TSNode site) const {
    const TSNode loop = innermostLoopStatement(site);
    if (ts_node_is_null(loop)) return false;
    const std::string_view text = context_.text(receiver);
    const std::string length = "len(" + std::string(text) + ")";
    // `len(found) < k` (or `<=`) in a condition: the count the container stops at.
    const auto caps = [&](TSNode condition) {
      const std::string_view written = context_.text(condition);
      for (size_t at = written.find(length); at != std::string_view::npos;
           at = written.find(length, at + 1)) {
        const size_t after = written.find_first_not_of(' ', at + length.size());
        if (after != std::string_view::npos && written[after] == '<' &&
            written.substr(after, 2) != "<<") {
          return true;
        }
      }
      return false;
    };
    for (TSNode child = site, up = parentOf(site); !ts_node_is_null(up) && !ts_node_eq(up, loop);
         child = up, up = parentOf(up)) {
      const NodeKind kind = kindOf(up);
      if ((kind == NodeKind::IfStatement || kind == NodeKind::ElifClause) &&
          ts_node_eq(childByField(up, Field::Consequence), child) &&
          caps(childByField(up, Field::Condition))) {
        return true;
      }
    }
    return trimmedBy(loop).contains(text);
  }

  // The containers (as written) that the body of `loop` empties, trims or stops filling at a
  // size: `x.clear()`, `x.pop(...)`, `x.popleft()`, `x.popitem()`, `del x[...]`, and `x` of an
  // `if ... len(x) ...: break` (out of this loop) or `: return`. One pass a loop.
  const std::set<std::string, std::less<>>& trimmedBy(TSNode loop) const {
    const auto [entry, added] = memo_.trimmed.try_emplace(loop.id);
    std::set<std::string, std::less<>>& trimmed = entry->second;
    if (!added) return trimmed;
    const auto deletes = [&](TSNode node) {
      if (kindOf(node) == NodeKind::Subscript) {
        trimmed.emplace(context_.text(childByField(node, Field::Value)));
      }
    };
    visitSubtree(childByField(loop, Field::Body), [&](TSNode node, TSFieldId /*field*/) {
      const NodeKind kind = kindOf(node);
      if (kind == NodeKind::FunctionDefinition || kind == NodeKind::ClassDefinition ||
          kind == NodeKind::Lambda) {
        return Visit::SkipChildren;
      }
      if (kind == NodeKind::IfStatement) {
        const NodeKind exits =
            kindOf(firstNamedChildSkippingExtras(childByField(node, Field::Consequence)));
        if (exits == NodeKind::ReturnStatement ||
            (exits == NodeKind::BreakStatement && ts_node_eq(innermostLoopStatement(node), loop))) {
          // `if len(found) >= k: break`: every `len(x)` of the condition.
          visitSubtree(childByField(node, Field::Condition), [&](TSNode part, TSFieldId) {
            if (kindOf(part) == NodeKind::Call &&
                context_.text(childByField(part, Field::Function)) == "len") {
              const TSNode measured =
                  onlyNamedChildSkippingExtras(childByField(part, Field::Arguments));
              if (!ts_node_is_null(measured)) trimmed.emplace(context_.text(measured));
            }
            return Visit::Descend;
          });
        }
      } else if (kind == NodeKind::Call) {
        const TSNode callee = childByField(node, Field::Function);
        const std::string_view method = context_.text(childByField(callee, Field::AttributeName));
        if (kindOf(callee) == NodeKind::Attribute &&
            (method == "clear" || method == "pop" || method == "popleft" || method == "popitem")) {
          trimmed.emplace(context_.text(childByField(callee, Field::Object)));
        }
      } else if (kind == NodeKind::DeleteStatement) {
        const TSNode deleted = firstNamedChildSkippingExtras(node);
        if (kindOf(deleted) == NodeKind::ExpressionList) {
          const uint32_t count = namedChildCount(deleted);
          for (uint32_t i = 0; i < count; ++i)
            deletes(nthNamedChild(deleted, i));
        } else {
          deletes(deleted);
        }
      }
      return Visit::Descend;
    });
    return trimmed;
  }

  // Added to `receiver` at `site`: kept as long as the container, unless it is a local made
  // afresh inside a loop around the value (then kept as long as whatever keeps that local).
  RetentionEvidence container(ScopeId scope, TSNode receiver, TSNode site, int depth) const {
    // `index[key] = value` then `break`: one value, not one per pass.
    // statementOf finds none when the site sits in broken code (an ERROR node, no block).
    const TSNode statement = statementOf(site);
    const NodeKind next = ts_node_is_null(statement)
                              ? NodeKind::Other
                              : kindOf(ts_node_next_named_sibling(statement));
    if (next == NodeKind::BreakStatement || next == NodeKind::ReturnStatement) return {};
    if (isBounded(scope, receiver) || sampled(site) || trimmedInLoop(receiver, site)) return {};
    const LifetimeEvidence life = lifetimeOf(context_, scope, receiver);
    RetentionEvidence result;
    result.keeper = Keeper::Container;
    result.phrase = "kept in " + shown(context_.text(receiver));
    result.site = site;
    switch (life.lifetime) {
      case Lifetime::Instance:
      case Lifetime::Class:
      case Lifetime::Module:
      case Lifetime::Process:
        result.outlives_function = true;
        return result;
      case Lifetime::Parameter:
        return result;
      case Lifetime::Local:
        break;
      default:
        return {};
    }
    const TSNode head = headOf(receiver);
    if (kindOf(head) != NodeKind::Identifier) return {};
    const Resolution resolution =
        context_.semantic().resolve(scope, context_.text(head), ts_node_start_byte(head));
    // Ambiguous: bound before the loop and again in it (`batch = []` once a batch is flushed).
    if ((resolution.kind != Resolution::Kind::Bound &&
         resolution.kind != Resolution::Kind::Ambiguous) ||
        resolution.binding == nullptr) {
      return result;
    }
    const Binding& binding = *resolution.binding;
    // The innermost loop around the site that binds the container again.
    const auto bindings = context_.semantic().bindingsIn(binding.scope, binding.name);
    TSNode loop = site;
    while (!ts_node_is_null(loop = innermostLoopStatement(loop))) {
      for (const Binding* other : bindings) {
        const uint32_t at = other->offset;
        if (at < ts_node_start_byte(loop) || at >= ts_node_end_byte(loop)) continue;
        result.reset_by = loop;
        // A batch made per pass and kept itself (`batches.append(batch)`) keeps its items too.
        if (other->kind == BindingKind::Assignment && !other->prelude) {
          const TSNode assignment = parentOf(other->node);
          if (kindOf(assignment) == NodeKind::Assignment) {
            RetentionEvidence outer = uses(binding.scope, other->node, assignment, depth + 1);
            if (outer.keeper != Keeper::None) return outer;
          }
        }
        return result;
      }
    }
    return result;
  }

  // Where the uses of the name bound by `target` (in `assignment`) keep its value: the uses after
  // the assignment, in the innermost loop around it (a use after that loop sees the last value
  // only) or else in the function. The first use that keeps it across every loop wins.
  RetentionEvidence uses(ScopeId scope, TSNode target, TSNode assignment, int depth) const {
    if (depth > kMaxDepth) return {};
    TSNode region = innermostLoopStatement(assignment);
    if (ts_node_is_null(region)) region = enclosingFunctionNode(assignment);
    if (ts_node_is_null(region)) return {};
    const std::string_view name = context_.text(target);
    const uint32_t after = ts_node_end_byte(assignment);
    RetentionEvidence best;
    int scanned = 0;
    visitSubtree(region, [&](TSNode node, TSFieldId /*field*/) {
      if (++scanned > kMaxScannedNodes) return Visit::Stop;
      if (ts_node_end_byte(node) <= after) return Visit::SkipChildren;
      const NodeKind kind = kindOf(node);
      if (kind == NodeKind::FunctionDefinition || kind == NodeKind::ClassDefinition ||
          kind == NodeKind::Lambda) {
        return Visit::SkipChildren;
      }
      if (kind != NodeKind::Identifier || context_.text(node) != name) return Visit::Descend;
      const Resolution resolution =
          context_.semantic().resolve(scope, name, ts_node_start_byte(node));
      if (resolution.binding == nullptr || resolution.binding->scope != scope) {
        return Visit::Descend;
      }
      RetentionEvidence kept = of(scope, node, depth);
      if (kept.keeper == Keeper::None) return Visit::Descend;
      const bool across = ts_node_is_null(kept.reset_by);
      if (best.keeper == Keeper::None || across) best = std::move(kept);
      return across ? Visit::Stop : Visit::Descend;
    });
    return best;
  }

  // `self.set_state(host, HostState(...))` or `register(Plugin(path))`, where the method of this
  // class or the module-level function adds that parameter to a container that outlives it.
  RetentionEvidence storingCall(ScopeId scope, TSNode call, TSNode callee, int position,
                                int depth) const {
    if (depth + 1 > kMaxDepth) return {};
    const SemanticModel& semantic = context_.semantic();
    TSNode function{};
    if (kindOf(callee) == NodeKind::Identifier) {
      const Resolution resolution =
          semantic.resolve(scope, context_.text(callee), ts_node_start_byte(callee));
      if (resolution.kind != Resolution::Kind::Bound ||
          resolution.binding->kind != BindingKind::FunctionDefinition ||
          semantic.scope(resolution.binding->scope).kind != ScopeKind::Module) {
        return {};
      }
      function = resolution.binding->node;
    } else if (kindOf(callee) == NodeKind::Attribute) {
      TSNode class_node{};
      if (!isInstanceReceiver(context_, scope, childByField(callee, Field::Object), &class_node)) {
        return {};
      }
      function = heaplint::methodNamed(context_, class_node,
                                       context_.text(childByField(callee, Field::AttributeName)));
      ++position;  // after `self`
    }
    if (kindOf(function) != NodeKind::FunctionDefinition) return {};
    const TSNode parameter = parameterAt(function, position);
    const ScopeId function_scope = scopeOf(function);
    if (ts_node_is_null(parameter) || function_scope == kNoScope) return {};
    const RetentionEvidence inner =
        uses(function_scope, parameter, childByField(function, Field::Parameters), depth + 1);
    if (inner.keeper != Keeper::Container || !inner.outlives_function) return {};
    RetentionEvidence result = inner;
    result.keeper = Keeper::Call;
    result.phrase = inner.phrase + " by `" +
                    std::string(context_.text(childByField(function, Field::Name))) + "()`";
    result.site = call;
    result.reset_by = TSNode{};
    return result;
  }

  ScopeId scopeOf(TSNode function) const {
    const SemanticModel& semantic = context_.semantic();
    for (ScopeId id = 0; id < semantic.scopeCount(); ++id) {
      if (sameNode(semantic.scope(id).node, function)) return id;
    }
    return kNoScope;
  }

  const RuleContext& context_;
  RetentionMemo own_memo_;  // when the caller keeps none
  RetentionMemo& memo_;
};

}  // namespace

std::vector<EnclosingLoop> enclosingLoops(const RuleContext& context, ScopeId scope, TSNode node) {
  std::vector<EnclosingLoop> loops;
  const SemanticModel& semantic = context.semantic();
  bool in_handler = false;
  TSNode child = node;
  for (int step = 0; step < kMaxParents; ++step) {
    const TSNode parent = parentOf(child);
    const NodeKind kind = kindOf(parent);
    if (isBoundary(kind)) break;
    if (kind == NodeKind::ExceptClause || kind == NodeKind::ExceptGroupClause) in_handler = true;
    if (kind == NodeKind::ForStatement && sameNode(childByField(parent, Field::Body), child)) {
      loops.push_back({parent, childByField(parent, Field::Right), scope, in_handler});
    } else if (kind == NodeKind::WhileStatement &&
               sameNode(childByField(parent, Field::Body), child)) {
      loops.push_back({parent, TSNode{}, scope, in_handler});
    } else if (isComprehension(kind)) {
      const Scope& inner = semantic.scope(scope);
      const ScopeId outer = sameNode(inner.node, parent) ? inner.parent : scope;
      // The clauses before `child` (all of them for the element) run around it; the first one
      // is evaluated outside the comprehension.
      const bool element = sameNode(childByField(parent, Field::Body), child);
      std::vector<TSNode> clauses;
      const uint32_t count = namedChildCount(parent);
      for (uint32_t i = 0; i < count; ++i) {
        const TSNode clause = nthNamedChild(parent, i);
        if (!element && sameNode(clause, child)) break;
        if (kindOf(clause) == NodeKind::ForInClause) clauses.push_back(clause);
      }
      for (size_t i = clauses.size(); i-- > 0;) {
        loops.push_back({clauses[i], childByField(clauses[i], Field::Right), i == 0 ? outer : scope,
                         in_handler});
      }
      scope = outer;
    }
    child = parent;
  }
  return loops;
}

RetentionEvidence retentionOf(const RuleContext& context, ScopeId scope, TSNode value,
                              RetentionMemo* memo) {
  return RetentionFinder(context, memo).of(scope, value, 0);
}

RetentionEvidence retentionOfItems(const RuleContext& context, ScopeId scope, TSNode iterable,
                                   RetentionMemo* memo) {
  return RetentionFinder(context, memo).items(scope, iterable, 0);
}

bool keptAcross(const RetentionEvidence& retention, const EnclosingLoop& loop) {
  if (retention.keeper == Keeper::None) return false;
  if (ts_node_is_null(retention.reset_by)) return true;
  return !sameNode(retention.reset_by, loop.loop) && contains(retention.reset_by, loop.loop);
}

}  // namespace heaplint
