// MEM201 unbounded-module-cache: a module-level dict/set/list that functions keep adding to while
// nothing ever removes from it or bounds it. Decided across files: a cache defined in one module
// may be filled, or evicted, from another.

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/facts_io.h"
#include "analyzer/walker.h"
#include "rules/common.h"

namespace heaplint {
namespace {

constexpr std::string_view kDocumentation = R"md(## What it does
Checks for module-level caches that only grow: a module-level container (`{}`, `dict()`, `set()`,
`[]`, `defaultdict(...)`, `OrderedDict()`, `Counter()`, `deque()` without `maxlen`, ...) named as
a cache (its name contains `cache` or `memo`) that a function both looks up (`key in cache`,
`cache.get(key)`, `cache[key]`) and adds to (`cache[key] = value`, `.setdefault()`, `.add()`,
`.append()`, `.update()`, `cache[key].append()`), while nothing in the project ever removes from it
(`del cache[key]`, `.pop()`, `.popitem()`, `.clear()`, `.remove()`, `.discard()`, `cache[:] = []`,
rebinding through `global`) or bounds it (a `len(cache)` comparison, with the builtin `len`, also
as `builtins.len`; a module's own `len` bounds nothing). The finding is reported at the container
and names a function that grows it, in whichever module that function lives.

## Why is this bad?
A module-level container lives as long as the process. A function that adds an entry per call (a
memo keyed by user input, a registry of sessions, a list of seen requests) makes it grow with the
traffic, and every entry keeps its keys and values (and everything they reference) alive: the
classic slow leak of long-running services, found only when the process is killed for its memory.

## Known problems
The rule is tuned to stay quiet on correct code, so it misses real leaks:
- Only containers named as caches are checked. Registries filled through an API
  (`register(name, fn)`), lookup tables keyed by a closed set of values (alphabets, grammar
  symbols, configured backends) and append-only logs look the same to a static reader and were,
  on the CPython, Django and SymPy sources, almost always bounded in practice.
- Only a function that looks entries up and adds missing ones counts as growing the cache; keys
  that are literals (`table["divide"] = ...`) add at most one entry and do not count.
- Growth is only seen through the container's own name (or an import of it): a container handed
  to another function (any but the builtins that only read it, such as `len`, `sorted` or `print`;
  a module's own `len` is another function), returned, or assigned to another name is left alone,
  since the code it escapes to may evict from it.
- Containers filled at import time are not caches: growth in functions that are called or used as
  decorators at module or class level anywhere in the project (nested helpers count as part of
  their outermost function), in functions that return one of their arguments (the
  decorator-registration idiom), and in a method called on an object at module level under the
  same name, is not counted. `self.state = shared.setdefault(name, {})` (state shared per
  configured name) is not counted either.
- A cache keyed by a small, closed set of values is bounded in practice but still flagged: silence
  it with `# noqa: MEM201` and a comment saying why. `weakref.WeakValueDictionary` and friends,
  `functools`/`cachetools` caches and `__all__` are not checked.

## Example
```python
_document_cache = {}


def load_document(path):
    if path not in _document_cache:
        _document_cache[path] = parse(path)
    return _document_cache[path]
```

## Use instead
```python
import functools


@functools.lru_cache(maxsize=1024)
def load_document(path):
    return parse(path)
```

## Fix safety
There is no fix: choosing a bound (and whether entries may be recomputed) is a design decision.
Bound the cache with `functools.lru_cache(maxsize=...)`, evict explicitly (`.pop()` old entries
once `len(cache)` passes a limit), or hold values weakly with `weakref.WeakValueDictionary`.

## Options
None.

## References
- [Python docs: `functools.lru_cache`](https://docs.python.org/3/library/functools.html#functools.lru_cache)
- [Python docs: `weakref.WeakValueDictionary`](https://docs.python.org/3/library/weakref.html#weakref.WeakValueDictionary)
- No peer linter has this rule.
)md";

constexpr std::array<std::string_view, 9> kGrowMethods = {
    "setdefault", "add",        "append",     "update",      "extend",
    "insert",     "appendleft", "extendleft", "__setitem__",
};
constexpr std::array<std::string_view, 8> kEvictMethods = {
    "pop", "popitem", "clear", "remove", "discard", "popleft", "__delitem__", "difference_update",
};

template <size_t N>
bool contains(const std::array<std::string_view, N>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// Builtins that read a container without keeping or changing it.
constexpr std::array<std::string_view, 22> kReadingCalls = {
    "len",  "isinstance", "sorted",    "list", "tuple",    "set", "frozenset", "dict",
    "iter", "print",      "repr",      "str",  "bool",     "any", "all",       "sum",
    "min",  "max",        "enumerate", "zip",  "reversed", "id",
};

enum class EventKind : uint8_t { Grow, Evict, Escape, Read };

struct ContainerFact {
  std::string qualified;  // "pkg.mod._cache"
  std::string name;
  std::string kind;  // "dict", "set", "list", "defaultdict", ...
  uint32_t start = 0;
  uint32_t end = 0;
  uint32_t row = 0;
};

struct EventFact {
  std::string target;  // the container's dotted name
  EventKind kind = EventKind::Grow;
  std::string function;            // growing function, dotted ("pkg.mod.load", "pkg.mod.C.add")
  std::string function_display;    // "load()" or "C.add()"
  std::string method_name;         // for methods: "add" (called on objects at import time?)
  bool returns_parameter = false;  // the decorator-registration idiom
  bool looks_up = false;           // the growing function also reads it: a memo or seen-set
  uint32_t row = 0;
};

struct Facts final : FileFacts {
  std::vector<ContainerFact> containers;
  std::vector<EventFact> events;
  // Functions that run while modules are imported: called or used as decorators at module or
  // class level. Dotted names, and bare method names for calls on objects (`registry.add(...)`).
  std::vector<std::string> import_time_functions;
  std::vector<std::string> import_time_methods;

  void write(FactsWriter& out) const override {
    out.u32(static_cast<uint32_t>(containers.size()));
    for (const ContainerFact& fact : containers) {
      out.string(fact.qualified);
      out.string(fact.name);
      out.string(fact.kind);
      out.u32(fact.start);
      out.u32(fact.end);
      out.u32(fact.row);
    }
    out.u32(static_cast<uint32_t>(events.size()));
    for (const EventFact& event : events) {
      out.string(event.target);
      out.u32(static_cast<uint32_t>(event.kind));
      out.string(event.function);
      out.string(event.function_display);
      out.string(event.method_name);
      out.boolean(event.returns_parameter);
      out.boolean(event.looks_up);
      out.u32(event.row);
    }
    out.strings(import_time_functions);
    out.strings(import_time_methods);
  }

  std::unique_ptr<FileFacts> makeEmpty() const override { return std::make_unique<Facts>(); }

  void appendShifted(const FileFacts& next, int64_t bytes, int64_t rows) override {
    const auto& more = static_cast<const Facts&>(next);
    for (ContainerFact fact : more.containers) {
      fact.start = shiftedOffset(fact.start, bytes);
      fact.end = shiftedOffset(fact.end, bytes);
      fact.row = shiftedOffset(fact.row, rows);
      containers.push_back(std::move(fact));
    }
    for (EventFact event : more.events) {
      event.row = shiftedOffset(event.row, rows);
      events.push_back(std::move(event));
    }
    import_time_functions.insert(import_time_functions.end(), more.import_time_functions.begin(),
                                 more.import_time_functions.end());
    import_time_methods.insert(import_time_methods.end(), more.import_time_methods.begin(),
                               more.import_time_methods.end());
  }

  static std::unique_ptr<FileFacts> read(FactsReader& in) {
    auto facts = std::make_unique<Facts>();
    const uint32_t container_count = in.count();
    for (uint32_t i = 0; i < container_count && in.ok(); ++i) {
      ContainerFact fact;
      fact.qualified = in.string();
      fact.name = in.string();
      fact.kind = in.string();
      fact.start = in.u32();
      fact.end = in.u32();
      fact.row = in.u32();
      facts->containers.push_back(std::move(fact));
    }
    const uint32_t event_count = in.count();
    for (uint32_t i = 0; i < event_count && in.ok(); ++i) {
      EventFact event;
      event.target = in.string();
      const uint32_t kind = in.u32();
      if (kind > static_cast<uint32_t>(EventKind::Read)) return nullptr;
      event.kind = static_cast<EventKind>(kind);
      event.function = in.string();
      event.function_display = in.string();
      event.method_name = in.string();
      event.returns_parameter = in.boolean();
      event.looks_up = in.boolean();
      event.row = in.u32();
      facts->events.push_back(std::move(event));
    }
    facts->import_time_functions = in.strings();
    facts->import_time_methods = in.strings();
    if (!in.ok()) return nullptr;
    return facts;
  }
};

class UnboundedModuleCache final : public RuleChecker {
 public:
  void onNode(TSNode node, NodeKind kind, RuleContext& context) override {
    switch (kind) {
      case NodeKind::Assignment:
        onAssignment(node, context);
        break;
      case NodeKind::Subscript:
        onSubscript(node, context);
        break;
      case NodeKind::Attribute:
        onAttribute(node, context);
        break;
      case NodeKind::Call:
        onCall(node, context);
        break;
      case NodeKind::Identifier:
        onIdentifier(node, context);
        break;
      case NodeKind::ReturnStatement:
        onReturn(node, context);
        break;
      case NodeKind::ComparisonOperator:
        onComparison(node, context);
        break;
      case NodeKind::Decorator:
        if (context.enclosingFunction() == nullptr) {
          TSNode expression = nthNamedChild(node, 0);
          if (kindOf(expression) == NodeKind::Call) {
            expression = childByField(expression, Field::Function);
          }
          import_time_calls_.push_back(
              Use{expression, context.scope(), EventKind::Grow, kNoFunction});
        }
        break;
      default:
        break;
    }
  }

  void finish(RuleContext& context) override {
    facts_ = std::make_unique<Facts>();
    const ModuleInfo& module = context.options().module;
    for (const Container& container : containers_) {
      std::string kind = containerKind(container, context);
      if (kind.empty()) continue;
      ContainerFact fact;
      fact.name = std::string(context.text(container.name));
      fact.qualified = dotted(module, fact.name);
      fact.kind = std::move(kind);
      fact.start = ts_node_start_byte(container.name);
      fact.end = ts_node_end_byte(container.name);
      fact.row = context.source().rowOf(fact.start);
      facts_->containers.push_back(std::move(fact));
    }
    std::set<std::pair<size_t, std::string>> lookups;  // (function, container) read there
    std::vector<std::string> targets(uses_.size());
    for (size_t i = 0; i < uses_.size(); ++i) {
      const Use& use = uses_[i];
      if (use.counts_if != nullptr &&
          !use.counts_if(qualifiedNameWithStarBuiltins(context, use.scope, use.callee))) {
        continue;  // `len(cache) > LIMIT` with a `len` that is not the builtin, say
      }
      targets[i] = targetOf(use.expression, use.scope, context);
      if (uses_[i].kind == EventKind::Read && !targets[i].empty()) {
        lookups.emplace(uses_[i].function, targets[i]);
      }
    }
    for (size_t i = 0; i < uses_.size(); ++i) {
      const Use& use = uses_[i];
      std::string& target = targets[i];
      if (target.empty() || use.kind == EventKind::Read) continue;
      EventFact event;
      event.looks_up = use.kind == EventKind::Grow && lookups.contains({use.function, target});
      event.target = std::move(target);
      event.kind = use.kind;
      event.row = context.source().rowOf(ts_node_start_byte(use.expression));
      if (use.function != kNoFunction) describeFunction(use.function, context, event);
      facts_->events.push_back(std::move(event));
    }
    // `global cache` then `cache = {}` in a function starts the cache afresh: an eviction.
    for (const Binding& binding : context.semantic().bindings()) {
      if (binding.through_global && binding.scope == 0 && !binding.prelude &&
          binding.kind == BindingKind::Assignment) {
        EventFact event;
        event.target = dotted(module, binding.name);
        event.kind = EventKind::Evict;
        event.row = context.source().rowOf(binding.offset);
        facts_->events.push_back(std::move(event));
      }
    }
    for (const Use& call : import_time_calls_) {
      if (kindOf(call.expression) == NodeKind::Attribute) {
        facts_->import_time_methods.emplace_back(
            context.text(childByField(call.expression, Field::AttributeName)));
      }
      std::string name = calleeName(call.expression, call.scope, context);
      if (!name.empty()) facts_->import_time_functions.push_back(std::move(name));
    }
  }

  std::unique_ptr<FileFacts> takeFacts() override { return std::move(facts_); }

 private:
  struct Container {
    TSNode name;
    TSNode value;
    ScopeId scope;
  };
  struct Function {
    TSNode node;
    TSNode class_node;  // the class it is a method of, or null
    ScopeId scope;      // the function's own scope
    bool returns_parameter = false;
    bool resolved = false;
  };
  static constexpr size_t kNoFunction = SIZE_MAX;
  struct Use {
    TSNode expression;  // the container expression (a name or a dotted attribute)
    ScopeId scope;
    EventKind kind;
    size_t function;  // index of the function it happens in (kNoFunction: module or class level)
    // A call whose callee decides whether the use counts, given the callee's qualified name in
    // finish() (`len(cache) > LIMIT` bounds the cache only if `len` is the builtin).
    TSNode callee = {};
    bool (*counts_if)(std::string_view) = nullptr;
  };

  static bool isBuiltinLen(std::string_view qualified) { return qualified == "builtins.len"; }
  static bool isNotAReadingBuiltin(std::string_view qualified) {
    constexpr std::string_view kBuiltins = "builtins.";
    return !qualified.starts_with(kBuiltins) ||
           !contains(kReadingCalls, qualified.substr(kBuiltins.size()));
  }
  struct ReturnedName {
    TSNode name;
    ScopeId scope;
    size_t function;
  };

  static std::string dotted(const ModuleInfo& module, std::string_view name) {
    return module.name.empty() ? std::string(name) : module.name + "." + std::string(name);
  }

  // The outermost function around the current node (a nested helper or decorator wrapper counts
  // as part of the function that defines it), with the class it is a method of.
  size_t currentFunction(const RuleContext& context) {
    const auto executions = context.executions();
    const ExecutionContext* function = nullptr;
    size_t position = 0;
    for (size_t i = 0; i < executions.size(); ++i) {
      if (executions[i].kind == NodeKind::FunctionDefinition) {
        function = &executions[i];
        position = i;
        break;
      }
    }
    if (function == nullptr) return kNoFunction;
    const auto it = function_index_.find(function->node.id);
    if (it != function_index_.end()) return it->second;
    TSNode class_node{};
    if (position >= 1 && executions[position - 1].kind == NodeKind::ClassDefinition) {
      class_node = executions[position - 1].node;
    }
    functions_.push_back(Function{function->node, class_node, function->scope});
    function_index_.emplace(function->node.id, functions_.size() - 1);
    return functions_.size() - 1;
  }

  // Where a container (or an object holding one) is used: a name or a dotted name.
  static bool isContainerExpression(TSNode expression, const RuleContext& context) {
    const NodeKind kind = kindOf(expression);
    if (kind == NodeKind::Identifier) {
      const std::string_view name = context.text(expression);
      return name != "self" && name != "cls";
    }
    if (kind == NodeKind::Attribute) {
      TSNode head = expression;
      while (kindOf(head) == NodeKind::Attribute)
        head = childByField(head, Field::Object);
      if (kindOf(head) != NodeKind::Identifier) return false;
      const std::string_view name = context.text(head);
      return name != "self" && name != "cls";
    }
    return false;
  }

  void addUse(TSNode expression, EventKind kind, RuleContext& context, TSNode callee = {},
              bool (*counts_if)(std::string_view) = nullptr) {
    if (!isContainerExpression(expression, context)) return;
    uses_.push_back(
        Use{expression, context.scope(), kind, currentFunction(context), callee, counts_if});
  }

  // Whether a module-level assignment binds `name`: in the code walked so far, or, in analysis in
  // runs (incremental_analysis.h), in another run of the document, whose bindings come first.
  bool isModuleName(const RuleContext& context, std::string_view name) {
    if (!prelude_names_added_) {
      prelude_names_added_ = true;
      for (const Binding& binding : context.semantic().bindings()) {
        if (binding.prelude && binding.scope == 0 && binding.kind == BindingKind::Assignment) {
          container_names_.insert(binding.name);
        }
      }
    }
    return container_names_.contains(name);
  }

  void onAssignment(TSNode node, RuleContext& context) {
    const TSNode left = childByField(node, Field::Left);
    const TSNode right = childByField(node, Field::Right);
    if (context.executions().size() == 1) {
      if (kindOf(left) != NodeKind::Identifier || ts_node_is_null(right)) return;
      const std::string_view name = context.text(left);
      if (name.starts_with("__") && name.ends_with("__")) return;  // __all__, __slots__, ...
      containers_.push_back(Container{left, right, context.scope()});
      container_names_.insert(name);
      return;
    }
    // `other = cache` or `self.cache = cache`: the container escapes.
    if (kindOf(right) == NodeKind::Identifier && isModuleName(context, context.text(right))) {
      addUse(right, EventKind::Escape, context);
    }
  }

  void onSubscript(TSNode node, RuleContext& context) {
    const TSNode value = childByField(node, Field::Value);
    const NodeKind index = kindOf(childByField(node, Field::SubscriptIndex));
    const bool deleted = context.frame(1).kind == NodeKind::DeleteStatement ||
                         (context.frame(1).kind == NodeKind::ExpressionList &&
                          context.frame(2).kind == NodeKind::DeleteStatement);
    if (deleted || (index == NodeKind::Slice && context.frame().isStoreTarget())) {
      // `del cache[key]`, and `cache[:] = []` which empties it in place.
      addUse(value, EventKind::Evict, context);
    } else if (context.frame().isStoreTarget()) {
      // A literal key (`table["divide"] = ...`) adds at most one entry.
      const bool literal_key = index == NodeKind::String || index == NodeKind::Integer ||
                               index == NodeKind::True || index == NodeKind::False ||
                               index == NodeKind::None;
      if (context.enclosingFunction() != nullptr && !literal_key) {
        addUse(value, EventKind::Grow, context);
      }
    } else if (context.enclosingFunction() != nullptr) {
      addUse(value, EventKind::Read, context);
    }
  }

  void onAttribute(TSNode node, RuleContext& context) {
    const std::string_view method = context.text(childByField(node, Field::AttributeName));
    TSNode object = childByField(node, Field::Object);
    if (contains(kEvictMethods, method)) {
      // Even uncalled: `atexit.register(cache.clear)` evicts.
      if (kindOf(object) != NodeKind::Subscript) addUse(object, EventKind::Evict, context);
      return;
    }
    if (context.enclosingFunction() == nullptr) return;
    if (method == "get" || method == "setdefault") addUse(object, EventKind::Read, context);
    if (!contains(kGrowMethods, method)) return;
    if (context.frame(1).kind != NodeKind::Call || context.frame().field != Field::Function) {
      return;
    }
    // `self._state = _shared.setdefault(name, {})` shares state per configured name: not a cache.
    if (method == "setdefault" && context.frame(2).kind == NodeKind::Assignment &&
        kindOf(childByField(context.frame(2).node, Field::Left)) == NodeKind::Attribute) {
      return;
    }
    // `cache[key].append(value)` grows a defaultdict(list).
    if (kindOf(object) == NodeKind::Subscript) object = childByField(object, Field::Value);
    addUse(object, EventKind::Grow, context);
  }

  void onCall(TSNode node, RuleContext& context) {
    const TSNode function = childByField(node, Field::Function);
    if (context.enclosingFunction() == nullptr) {
      import_time_calls_.push_back(Use{function, context.scope(), EventKind::Grow, kNoFunction});
    }
    // `len(cache) > LIMIT` bounds the cache, if `len` is the builtin (decided in finish()).
    const NodeKind function_kind = kindOf(function);
    if ((function_kind == NodeKind::Identifier || function_kind == NodeKind::Attribute) &&
        context.frame(1).kind == NodeKind::ComparisonOperator) {
      addUse(nthNamedChild(childByField(node, Field::Arguments), 0), EventKind::Evict, context,
             function, isBuiltinLen);
    }
  }

  void onIdentifier(TSNode node, RuleContext& context) {
    if (!isModuleName(context, context.text(node))) return;
    const Frame& parent = context.frame(1);
    bool escapes = false;
    if (parent.kind == NodeKind::ArgumentList) {
      const TSNode call = context.frame(2).node;
      const TSNode callee = childByField(call, Field::Function);
      const NodeKind callee_kind = kindOf(callee);
      if (callee_kind == NodeKind::Identifier || callee_kind == NodeKind::Attribute) {
        // Handed to a function: an escape unless it is a builtin that only reads (finish()).
        addUse(node, EventKind::Escape, context, callee, isNotAReadingBuiltin);
        return;
      }
      escapes = true;
    } else if (parent.kind == NodeKind::KeywordArgument) {
      escapes = parent.field == Field::None || context.frame().field == Field::Value;
    } else if (parent.kind == NodeKind::ReturnStatement || parent.kind == NodeKind::Yield) {
      escapes = true;
    }
    if (escapes) addUse(node, EventKind::Escape, context);
  }

  // `key in cache` / `key not in cache` looks the cache up.
  void onComparison(TSNode node, RuleContext& context) {
    if (context.enclosingFunction() == nullptr) return;
    const uint32_t count = childCount(node);
    for (uint32_t i = 1; i + 1 < count; ++i) {
      const TSNode token = nthChild(node, i);
      if (ts_node_is_named(token)) continue;
      const std::string_view text = context.text(token);
      if (text == "in" || text == "not in") {
        addUse(nthChild(node, i + 1), EventKind::Read, context);
      } else if (text == "not" && i + 2 < count && context.text(nthChild(node, i + 1)) == "in") {
        addUse(nthChild(node, i + 2), EventKind::Read, context);
      }
    }
  }

  void onReturn(TSNode node, RuleContext& context) {
    const TSNode value = nthNamedChild(node, 0);
    if (kindOf(value) != NodeKind::Identifier) return;
    const size_t function = currentFunction(context);
    if (function != kNoFunction)
      returned_.push_back(ReturnedName{value, context.scope(), function});
  }

  std::string containerKind(const Container& container, const RuleContext& context) const {
    switch (kindOf(container.value)) {
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
    const TSNode callee = childByField(container.value, Field::Function);
    const std::string qualified = context.semantic().qualifiedName(container.scope, callee);
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
      if (label == "deque") {
        // A deque with maxlen is bounded.
        const TSNode arguments = childByField(container.value, Field::Arguments);
        if (namedChildCount(arguments) >= 2 ||
            context.text(arguments).find("maxlen") != std::string_view::npos) {
          return {};
        }
      }
      return std::string(label);
    }
    return {};
  }

  // The dotted name of the container a use refers to, or empty when it is not module-level.
  static std::string targetOf(TSNode expression, ScopeId scope, const RuleContext& context) {
    const ModuleInfo& module = context.options().module;
    if (kindOf(expression) == NodeKind::Identifier) {
      const std::string_view name = context.text(expression);
      const Resolution resolution =
          context.semantic().resolve(scope, name, ts_node_start_byte(expression));
      if (resolution.kind != Resolution::Kind::Bound) return {};
      const Binding& binding = *resolution.binding;
      if (binding.scope == 0 && (binding.kind == BindingKind::Assignment ||
                                 binding.kind == BindingKind::AugmentedAssignment)) {
        return dotted(module, name);
      }
      if (binding.kind == BindingKind::FromImport) {
        return absoluteName(context.semantic().importedName(binding), module);
      }
      return {};
    }
    const std::string qualified = context.semantic().qualifiedName(scope, expression);
    if (qualified.empty() || qualified.starts_with("builtins.")) return {};
    return absoluteName(qualified, module);
  }

  static std::string calleeName(TSNode callee, ScopeId scope, const RuleContext& context) {
    const ModuleInfo& module = context.options().module;
    if (kindOf(callee) == NodeKind::Identifier) {
      const std::string_view name = context.text(callee);
      const Resolution resolution =
          context.semantic().resolve(scope, name, ts_node_start_byte(callee));
      if (resolution.kind == Resolution::Kind::Bound && resolution.binding->scope == 0 &&
          resolution.binding->kind == BindingKind::FunctionDefinition) {
        return dotted(module, name);
      }
    }
    const std::string qualified = context.semantic().qualifiedName(scope, callee);
    if (qualified.empty() || qualified.starts_with("builtins.")) return {};
    return absoluteName(qualified, module);
  }

  void describeFunction(size_t index, const RuleContext& context, EventFact& event) {
    Function& function = functions_[index];
    if (!function.resolved) {
      function.resolved = true;
      for (const ReturnedName& returned : returned_) {
        if (returned.function != index) continue;
        const Resolution resolution = context.semantic().resolve(
            returned.scope, context.text(returned.name), ts_node_start_byte(returned.name));
        if (resolution.kind == Resolution::Kind::Bound &&
            resolution.binding->kind == BindingKind::Parameter &&
            resolution.binding->scope == function.scope) {
          function.returns_parameter = true;
        }
      }
    }
    const ModuleInfo& module = context.options().module;
    const std::string name(context.text(childByField(function.node, Field::Name)));
    if (ts_node_is_null(function.class_node)) {
      event.function = dotted(module, name);
      event.function_display = name + "()";
    } else {
      const std::string class_name(context.text(childByField(function.class_node, Field::Name)));
      event.function = dotted(module, class_name + "." + name);
      event.function_display = class_name + "." + name + "()";
      event.method_name = name;
    }
    event.returns_parameter = function.returns_parameter;
  }

  std::vector<Container> containers_;
  std::set<std::string_view> container_names_;
  bool prelude_names_added_ = false;
  std::vector<Function> functions_;
  std::unordered_map<const void*, size_t> function_index_;
  std::vector<Use> uses_;
  std::vector<Use> import_time_calls_;
  std::vector<ReturnedName> returned_;
  std::unique_ptr<Facts> facts_;
};

// Lookup tables keyed by a closed set of values (alphabets, grammar symbols, configured
// backends) look exactly like caches to a static reader; on real code, only containers named as
// caches were unbounded often enough to be worth a finding.
bool namedLikeACache(std::string_view name) {
  std::string lower(name);
  for (char& c : lower)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.find("cache") != std::string::npos || lower.find("memo") != std::string::npos;
}

void join(std::span<const ProjectFileView> files, const AnalysisOptions& /*options*/,
          ProjectReporter& reporter) {
  std::set<std::string> import_time_functions;
  std::set<std::string> import_time_methods;
  struct Usage {
    const EventFact* grow = nullptr;  // the first growth outside import time
    size_t grow_file = 0;
    bool evicted = false;
  };
  std::map<std::string, Usage> usage;
  for (const ProjectFileView& file : files) {
    const auto* facts = static_cast<const Facts*>(file.facts);
    if (facts == nullptr) continue;
    import_time_functions.insert(facts->import_time_functions.begin(),
                                 facts->import_time_functions.end());
    import_time_methods.insert(facts->import_time_methods.begin(),
                               facts->import_time_methods.end());
  }
  for (size_t i = 0; i < files.size(); ++i) {
    const auto* facts = static_cast<const Facts*>(files[i].facts);
    if (facts == nullptr) continue;
    for (const EventFact& event : facts->events) {
      Usage& entry = usage[event.target];
      if (event.kind != EventKind::Grow) {
        entry.evicted = true;
        continue;
      }
      // Only a function that looks entries up and adds missing ones is a cache; one that only
      // adds is a registration API, filled by its callers' configuration.
      if (!event.looks_up) continue;
      const bool at_import =
          event.function.empty() || event.returns_parameter ||
          import_time_functions.contains(event.function) ||
          (!event.method_name.empty() && import_time_methods.contains(event.method_name));
      if (!at_import && entry.grow == nullptr) {
        entry.grow = &event;
        entry.grow_file = i;
      }
    }
  }
  for (size_t i = 0; i < files.size(); ++i) {
    const auto* facts = static_cast<const Facts*>(files[i].facts);
    if (facts == nullptr) continue;
    for (const ContainerFact& container : facts->containers) {
      const auto it = usage.find(container.qualified);
      if (it == usage.end() || it->second.evicted || it->second.grow == nullptr) continue;
      if (!namedLikeACache(container.name)) continue;
      const Usage& use = it->second;
      std::string where = "`" + use.grow->function_display + "`";
      if (use.grow_file != i) {
        where += " (" + std::string(files[use.grow_file].path) + ":" +
                 std::to_string(use.grow->row + 1) + ")";
      }
      Diagnostic diagnostic;
      diagnostic.start = container.start;
      diagnostic.end = container.end;
      diagnostic.message = "Module-level " + container.kind + " `" + container.name +
                           "` grows in " + where +
                           " and nothing removes from it: every entry stays alive for the life "
                           "of the process";
      diagnostic.fix_title =
          "Bound it (`functools.lru_cache(maxsize=...)`, evict past a size limit) or hold values "
          "weakly (`weakref.WeakValueDictionary`)";
      reporter.report(i, std::move(diagnostic), container.row);
    }
  }
}

constexpr std::array kSubscriptions = {NodeKind::Assignment, NodeKind::Subscript,
                                       NodeKind::Attribute,  NodeKind::Call,
                                       NodeKind::Identifier, NodeKind::ReturnStatement,
                                       NodeKind::Decorator,  NodeKind::ComparisonOperator};

}  // namespace

extern const RuleDefinition kUnboundedModuleCache{
    .code = "MEM201",
    .name = "unbounded-module-cache",
    .summary = "Module-level container grown by functions and never evicted",
    .documentation = kDocumentation,
    .fix_availability = FixAvailability::None,
    .subscriptions = kSubscriptions,
    .create = []() -> std::unique_ptr<RuleChecker> {
      return std::make_unique<UnboundedModuleCache>();
    },
    .join = join,
    .read_facts = Facts::read,
};

}  // namespace heaplint
