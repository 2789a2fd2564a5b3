// MEM306 weakref-to-temporary: a weak reference to an object that dies at once (a bound method
// made by the attribute access, a lambda, a `functools.partial`), so the reference is dead on
// arrival.

#include <algorithm>
#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/class_layout.h"
#include "analyzer/code_model.h"
#include "analyzer/code_text.h"
#include "analyzer/concat.h"
#include "analyzer/walker.h"
#include "rules/common.h"

namespace heaplint {
namespace {

constexpr std::string_view kDocumentation = R"md(## What it does
Checks for weak references to an object that nothing else holds, made in the same expression:

- `weakref.ref(T)`, `weakref.proxy(T)` and `weakref.finalize(T, ...)`, and
- `S.add(T)` where `S` is a name the same function binds once to `weakref.WeakSet(...)`,

where `T` is

- `self.m` or `cls.m` in a method, `m` being a method defined in the class's own body (not a
  `staticmethod`, a `property` or another descriptor, and never replaced in the class: not
  assigned there, nor set by `setattr` there with a literal `"m"` or a name that may be `"m"`);
  `cls.m` only when `m` is a `classmethod`;
- `super().m`, when the class's first base is a class of the same module that defines `m` as a
  method in its own body (not as a `staticmethod`, a `property`, a `cached_property` or a
  library's caching descriptor such as Pyramid's `reify`); a base of another module, or one that
  inherits `m`, may define it as anything, and is not reported;
- a `lambda`;
- a `functools.partial(...)` call.

Names resolve through imports (`import weakref as wr`, `from weakref import ref`).

## Why is this bad?
Each access to `self.m` builds a new bound-method object; a `lambda` or `partial` written in
the call is a new object too. Nothing but the weak reference points at it, so it is collected at
once: `weakref.ref(self.m)()` is `None` from the start, the `WeakSet` stays empty, a `proxy`
raises `ReferenceError`, and a `finalize` callback runs immediately. A callback registry built
this way silently never calls anyone.

## Known problems
A method replaced from outside the class (`Window.on_event = handler` at module level) is still
reported: `self.on_event` is then whatever was assigned. Not flagged: methods the class inherits
(only the class's own body is read), receivers other than `self`/`cls` and `super()`, `WeakSet`s
bound at module level or in an attribute, `WeakValueDictionary` and `WeakKeyDictionary` stores, and
targets bound to a name first (`m = self.m; weakref.ref(m)` dies just as fast once `m` goes, but is
not reported). A lambda that only returns one of its parameters or a literal (`lambda x: x`,
`lambda: None`) is not reported either, except by `weakref.finalize`: nobody registers one to be
called, so a weak reference to it is meant to be dead (dill unpickles a dead proxy as `proxy(lambda
x: x)`). Test code is skipped (the shared test-file patterns).

## Example
```python
import weakref

class Window:
    def __init__(self, bus):
        bus.subscribe(weakref.ref(self.on_event))

    def on_event(self, event): ...
```

## Use instead
```python
import weakref

class Window:
    def __init__(self, bus):
        bus.subscribe(weakref.WeakMethod(self.on_event))

    def on_event(self, event): ...
```
`weakref.WeakMethod` holds the instance and the function weakly and rebuilds the bound method
while the instance lives.

## Fix safety
For `weakref.ref(self.m)` and `weakref.ref(super().m)` written through the `weakref` module
(`weakref.ref`, `wr.ref`), the fix replaces `ref` with `WeakMethod`. It is unsafe: a
`WeakMethod` compares and hashes differently from a `ref` once dead (CPython issue 101848), and
raises `TypeError` for a builtin method. It also raises `TypeError` where the instance cannot be
weakly referenced, which the dead `ref` of the bound method did not: a class with `__slots__`
but no `"__weakref__"` in them (nor in its bases'), or a subclass of `tuple`, `int` or `bytes`.
There is no fix when the method's own class visibly lacks it (literal `__slots__` without
`"__weakref__"`, empty ones included, `@dataclass(slots=True)` without `weakref_slot=True`,
`int`, `tuple`, `bytes`, `NamedTuple`, a `namedtuple(...)`, `IntEnum` or `IntFlag` among its
bases), nor for the other forms.

## Options
`test-file-patterns` (shared with the other rules that leave tests alone).

## References
- [Python docs: `weakref.WeakMethod`](https://docs.python.org/3/library/weakref.html#weakref.WeakMethod)
- [Python docs: `weakref.ref`](https://docs.python.org/3/library/weakref.html#weakref.ref)
)md";

struct WeakCall {
  TSNode call{};
  ScopeId scope = kNoScope;
};

// `lambda x: x`, `lambda: None`: a lambda that returns one of its parameters or a literal does
// nothing anyone would register, so a weak reference to one is made to be dead (dill unpickles a
// dead proxy as `proxy(lambda x: x)`).
bool isPlaceholderLambda(const RuleContext& context, TSNode lambda) {
  const TSNode body = childByField(lambda, Field::Body);
  switch (kindOf(body)) {
    case NodeKind::None:
    case NodeKind::True:
    case NodeKind::False:
    case NodeKind::Integer:
    case NodeKind::Float:
      return true;
    case NodeKind::String:
      // An f-string's replacement fields run code.
      for (uint32_t i = 0; i < ts_node_named_child_count(body); ++i) {
        if (kindOf(ts_node_named_child(body, i)) == NodeKind::Interpolation) return false;
      }
      return true;
    case NodeKind::Identifier: {
      const TSNode parameters = childByField(lambda, Field::Parameters);
      if (ts_node_is_null(parameters)) return false;
      const std::string_view name = context.text(body);
      for (uint32_t i = 0; i < ts_node_named_child_count(parameters); ++i) {
        TSNode parameter = ts_node_named_child(parameters, i);
        // `x=1`, `*args`, `**kwargs`: the name is the first named child.
        if (kindOf(parameter) != NodeKind::Identifier)
          parameter = ts_node_named_child(parameter, 0);
        if (kindOf(parameter) == NodeKind::Identifier && context.text(parameter) == name) {
          return true;
        }
      }
      return false;
    }
    default:
      return false;
  }
}

// `super().m` where the first base of the class, defined in this module, defines `m` as a method
// in its own body: each access makes a new bound method. Not when that base defines `m` as a
// `staticmethod` (the plain function), a `property`, a `cached_property` or a library's caching
// descriptor (its value); other decorators (`abstractmethod`, `override`) leave a method. A base
// of another module, or one that inherits `m`, may define it as anything: unsure.
bool baseDefinesMethod(const RuleContext& context, ScopeId scope, TSNode target) {
  TSNode class_definition = parentOf(target);
  while (!ts_node_is_null(class_definition) &&
         kindOf(class_definition) != NodeKind::ClassDefinition) {
    class_definition = parentOf(class_definition);
  }
  if (ts_node_is_null(class_definition)) return false;
  const std::string_view name = context.text(childByField(target, Field::AttributeName));
  const TSNode base = nthNamedChild(childByField(class_definition, Field::Superclasses), 0);
  if (kindOf(base) != NodeKind::Identifier) return false;  // none, `module.Base`, `Generic[T]`
  const Resolution resolution =
      context.semantic().resolve(scope, context.text(base), ts_node_start_byte(base));
  if (resolution.kind != Resolution::Kind::Bound ||
      resolution.binding->kind != BindingKind::ClassDefinition) {
    return false;
  }
  // Defined in another run of the document (analysis in runs): what follows reads its body.
  if (resolution.binding->prelude) context.dependsOnTextOf(context.text(base));
  TSNode base_class = resolution.binding->node;
  if (ts_node_is_null(base_class)) return false;
  if (kindOf(base_class) != NodeKind::ClassDefinition) base_class = parentOf(base_class);
  const TSNode definition = methodNamed(context, base_class, name);
  // Not defined there (inherited from further up), or also assigned or defined twice there
  // (`handler = cached_property(handler)`): the last binding wins, and may be anything.
  if (ts_node_is_null(definition) || classAssigns(context, base_class, name, definition)) {
    return false;
  }
  const TSNode statement = parentOf(definition);
  if (kindOf(statement) != NodeKind::DecoratedDefinition) return true;
  for (uint32_t d = 0, decorators = namedChildCount(statement); d < decorators; ++d) {
    const TSNode decorator = nthNamedChild(statement, d);
    if (kindOf(decorator) != NodeKind::Decorator) continue;
    // By its last name: `staticmethod`, `property` and its `.setter`, `cached_property`.
    const std::string_view spelled = context.text(firstNamedChildSkippingExtras(decorator));
    const std::string_view last = spelled.substr(spelled.rfind('.') + 1);
    if (last == "staticmethod" || last == "property" || last == "cached_property" ||
        last == "abstractproperty" || last == "reify" || last == "memoized_property" ||
        last == "lazy_property" || last == "setter" || last == "getter" || last == "deleter") {
      return false;
    }
  }
  return true;
}

// What the target is, for the message; empty when it may live on.
// `finalize`: true for `weakref.finalize`, whose callback runs at once when its object dies, so
// even a placeholder lambda as the object is a bug.
std::string temporaryKind(const RuleContext& context, ScopeId scope, TSNode target, bool finalize,
                          bool& method) {
  method = false;
  switch (kindOf(target)) {
    case NodeKind::Lambda:
      if (!finalize && isPlaceholderLambda(context, target)) return {};
      return "a `lambda`";
    case NodeKind::Call:
      if (context.semantic().resolvesTo(scope, childByField(target, Field::Function),
                                        "functools.partial")) {
        return "a `functools.partial` object";
      }
      return {};
    case NodeKind::Attribute: {
      const TSNode receiver = childByField(target, Field::Object);
      const bool from_super =
          kindOf(receiver) == NodeKind::Call &&
          qualifiedNameWithStarBuiltins(context, scope, childByField(receiver, Field::Function)) ==
              "builtins.super";
      const MemberKind member = receiverMemberKind(context, scope, target);
      if (!from_super && member != MemberKind::InstanceMethod &&
          member != MemberKind::ClassMethod) {
        return {};
      }
      if (from_super && !baseDefinesMethod(context, scope, target)) return {};
      method = true;
      return "a bound method, made anew by each access to " + quoted(context.text(target)) + ",";
    }
    default:
      return {};
  }
}

class WeakrefToTemporary final : public RuleChecker {
 public:
  void onNode(TSNode node, NodeKind kind, RuleContext& context) override {
    if (!looked_at_earlier_runs_) {
      looked_at_earlier_runs_ = true;
      names_may_be_weakref_ = earlierRunImportsFrom(context, "weakref", ts_node_start_byte(node));
    }
    if (kind == NodeKind::ImportFromStatement) {
      if (context.text(childByField(node, Field::ModuleName)) == "weakref") {
        names_may_be_weakref_ = true;
      }
      return;
    }
    // Cheap filters first: most calls are neither a weakref function nor `.add`.
    const TSNode callee = childByField(node, Field::Function);
    if (kindOf(callee) == NodeKind::Attribute) {
      const std::string_view name = context.text(childByField(callee, Field::AttributeName));
      if (name != "ref" && name != "proxy" && name != "finalize" && name != "add") return;
    } else if (kindOf(callee) != NodeKind::Identifier || !names_may_be_weakref_) {
      return;
    }
    const TSNode argument = firstArgument(node);
    const NodeKind target = kindOf(argument);
    if (target != NodeKind::Attribute && target != NodeKind::Lambda && target != NodeKind::Call) {
      return;
    }
    calls_.push_back(WeakCall{node, context.scope()});
  }

  void finish(RuleContext& context) override {
    const SemanticModel& semantic = context.semantic();
    for (const WeakCall& call : calls_) {
      const TSNode callee = childByField(call.call, Field::Function);
      const std::string qualified = semantic.qualifiedName(call.scope, callee);
      std::string holder;
      if (qualified == "weakref.ref" || qualified == "weakref.proxy" ||
          qualified == "weakref.finalize") {
        holder = quoted(qualified, "()");
      } else if (isWeakSetAdd(context, call.scope, callee)) {
        holder = "the `WeakSet` " + quoted(context.text(childByField(callee, Field::Object)));
      } else {
        continue;
      }
      bool method = false;
      const TSNode target = firstArgument(call.call);
      const std::string kind =
          temporaryKind(context, call.scope, target, qualified == "weakref.finalize", method);
      if (kind.empty()) continue;
      Diagnostic diagnostic;
      diagnostic.start = ts_node_start_byte(call.call);
      diagnostic.end = ts_node_end_byte(call.call);
      diagnostic.message = concat(holder, " gets ", kind,
                                  " that nothing else holds: it is collected at once, so the weak "
                                  "reference is dead from the start");
      diagnostic.fix_title = method ? "Use `weakref.WeakMethod(...)` for a bound method"
                                    : "Keep a strong reference to the object while it is needed";
      if (method && qualified == "weakref.ref" && kindOf(callee) == NodeKind::Attribute &&
          !visiblyWithoutWeakref(context, call.scope, target)) {
        const TSNode name = childByField(callee, Field::AttributeName);
        diagnostic.fix =
            Fix{Applicability::Unsafe,
                {Edit{ts_node_start_byte(name), ts_node_end_byte(name), "WeakMethod"}}};
        diagnostic.fix_title = "Replace with `weakref.WeakMethod(...)`";
      }
      context.report(std::move(diagnostic));
    }
  }

  // `self.m` in a method of a class whose own layout shows no `__weakref__`: literal slots
  // without it, or `@dataclass(slots=True)` without `weakref_slot=True`. `WeakMethod` would
  // raise TypeError on its instances.
  static bool visiblyWithoutWeakref(const RuleContext& context, ScopeId scope, TSNode target) {
    if (kindOf(target) != NodeKind::Attribute) return false;
    TSNode class_node{};
    if (!isInstanceReceiver(context, scope, childByField(target, Field::Object), &class_node) ||
        ts_node_is_null(class_node)) {
      return false;
    }
    // `int`, `tuple` and `bytes` (and their subclasses: named tuples, `IntEnum`, `IntFlag`)
    // cannot have `__weakref__` at all.
    const TSNode bases = childByField(class_node, Field::Superclasses);
    for (uint32_t i = 0, count = namedChildCount(bases); i < count; ++i) {
      const std::string_view base = context.text(nthNamedChild(bases, i));
      const std::string_view name = lastSegment(base.substr(0, base.find('(')));
      if (name == "int" || name == "tuple" || name == "bytes" || name == "NamedTuple" ||
          name == "namedtuple" || name == "IntEnum" || name == "IntFlag") {
        return true;
      }
    }
    const ClassLayout layout = declaredClassLayout(context, class_node, 0);
    if (layout.dataclass_slots) return !layout.dataclass_weakref_slot;
    if (!layout.slots_literal) return false;
    return std::find(layout.slot_names.begin(), layout.slot_names.end(), "__weakref__") ==
           layout.slot_names.end();
  }

 private:
  // `S.add` where `S` is a function's local name bound once to `weakref.WeakSet(...)`.
  static bool isWeakSetAdd(const RuleContext& context, ScopeId scope, TSNode callee) {
    if (kindOf(callee) != NodeKind::Attribute ||
        context.text(childByField(callee, Field::AttributeName)) != "add") {
      return false;
    }
    const TSNode set = childByField(callee, Field::Object);
    if (kindOf(set) != NodeKind::Identifier) return false;
    const SemanticModel& semantic = context.semantic();
    const Resolution resolution =
        semantic.resolve(scope, context.text(set), ts_node_start_byte(set));
    if (resolution.kind != Resolution::Kind::Bound ||
        semantic.scope(resolution.binding->scope).kind != ScopeKind::Function) {
      return false;
    }
    ScopeId value_scope = kNoScope;
    const TSNode value = singleAssignedValue(context, *resolution.binding, &value_scope);
    return kindOf(value) == NodeKind::Call &&
           semantic.resolvesTo(value_scope, childByField(value, Field::Function),
                               "weakref.WeakSet");
  }

  bool names_may_be_weakref_ = false;
  bool looked_at_earlier_runs_ = false;
  std::vector<WeakCall> calls_;
};

constexpr std::array kSubscriptions = {NodeKind::ImportFromStatement, NodeKind::Call};

// Before parsing: what the rule reports is made by the `weakref` module, which the file imports.
bool mayFind(const CodeText& text) {
  return text.rawHasWord("weakref");
}

}  // namespace

extern const RuleDefinition kWeakrefToTemporary{
    .code = "MEM306",
    .name = "weakref-to-temporary",
    .summary = "a weak reference to a bound method, lambda or `partial` that dies at once",
    .documentation = kDocumentation,
    .fix_availability = FixAvailability::Sometimes,
    .subscriptions = kSubscriptions,
    .create = []() -> std::unique_ptr<RuleChecker> {
      return std::make_unique<WeakrefToTemporary>();
    },
    .may_find = mayFind,
};

}  // namespace heaplint
