// MEM301 unsubscribed-closure: a function registers a closure, lambda or bound method on a
// long-lived registry (a module-level object, a class, `atexit`) and nothing ever removes it, so
// every call leaves another callback, and everything it captures, alive.

#include <algorithm>
#include <array>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/walker.h"
#include "rules/common.h"

namespace heaplint {
namespace {

constexpr std::string_view kDocumentation = R"md(## What it does
Checks for a function or method that registers a callback it has just made (a nested function, a
lambda, a bound method such as `self.on_event`, or a `functools.partial` of one of these) on a
long-lived registry, and never removes it:

- the registry is module-level (a name bound at module scope, such as `bus = EventBus()`, or
  imported, such as `signals.user_saved` or `atexit`, aliases included), or a class
  (`EventBus.subscribe(...)`, `EventBus.listeners.append(...)`, `cls._handlers.append(...)` in a
  method decorated with the builtin `classmethod`, `type(self).registry.append(...)` with the
  builtin `type`, also as `builtins.type(self)`);
- the call is subscription-shaped: a configured subscribe name (`subscribe`, `connect`,
  `add_listener`, `add_handler`, `add_callback`, `on`, `register`, `add_done_callback`, `append`),
  called with its result discarded, or used as a decorator (`@bus.on("saved")` on a nested
  function);
- nothing removes it: the module never uses the matching removal (`unsubscribe`, `disconnect`,
  `remove_listener`, `remove_handler`, `remove_callback`, `off`, `unregister`,
  `remove_done_callback`; `remove`, `pop` or `clear` for `append`; `atexit.unregister` for
  `atexit`) on the same registry, called or passed on (`self.addCleanup(bus.unsubscribe, h)`),
  either in the same top-level function or class (another method of the class counts) or in a
  top-level function that removes without registering (an `uninstall()` beside `install()`). A
  function that registers and removes its own callback does not excuse another that never does.

Names resolve as Python resolves them, not by their spelling: `classmethod`, `staticmethod` and
`type` are the builtins, also as `builtins.classmethod` or under an alias, and a function of the
module's own (or imported) of that name is not. A method decorated with the builtin `staticmethod`
or `classmethod` is no bound method that pins an instance (`abc.abstractclassmethod` and
`abc.abstractstaticmethod` count as them).

Code that runs once is not flagged, since repeating nothing cannot accumulate anything:
registrations at module level; in a function without required parameters (a setup step such as
`site.py`'s `register_readline()` or `install()`: its closure captures no per-call input; the `cls`
of a classmethod does not count); in hooks that frameworks call once (`main`, Django's
`AppConfig.ready` in a class whose base resolves to `django.apps.AppConfig`, `setUpModule`, `setUpClass`, `tearDownClass`, `setUpTestData`, `setup_module`,
`setup_class`, `__init_subclass__`, `__set_name__`); under a once-guard
(`if not self._registered: ... self._registered = True`, or `if _installed: return` before
`_installed = True`); and in a function that empties the registry first (`handlers.clear()`,
`working_set.__init__()`).

Nor are: registries owned by the instance (`self.button.on(...)`, `self._callbacks.append(...)`),
local or passed in (a parameter named `bus`); module-level functions as callbacks (registering the
same function again captures no per-call state, though a registry that accepts duplicates still
grows by one reference per call); callbacks wrapped in `weakref.WeakMethod` or `weakref.ref`;
calls that do not store their argument (`sorted(key=...)`, `map`, `threading.Thread(target=...)`,
`signal.signal`, which replaces the previous handler); dispatch tables keyed by type, which replace
too (`@fun.register(int)` of `functools.singledispatch`, multiple dispatch; a key is a type when it
is a builtin type, such as `int` or `builtins.str` but not a parameter called `type`, or has a
capitalized name); Django's `connect(..., dispatch_uid=...)`; and a callback the function returns
(`return wrapper`: a decorator or factory whose caller decides how often it runs, usually once per
decorated function).

## Why is this bad?
A registry that outlives the function holds a strong reference to each callback registered on it.
A closure keeps its captured variables alive, and a bound method keeps its instance alive, so every
call of the function adds one more callback and pins one more set of objects: the registry grows
without bound and nothing it reaches can be freed. This is the classic observer leak: an object
that subscribes `self.on_event` to a global bus in `__init__` is never collected, however many
references to it the program drops (`objgraph.show_backrefs` then shows the bus holding it), and an
`atexit.register(self.close)` in `__init__` keeps every instance until the interpreter exits.

## Known problems
The rule sees one file and cannot know what a registry does with a callback: it assumes the
subscribe names store it. Django signals and blinker hold receivers weakly by default, so
`connect(...)` on a signal imported from `django` or `blinker` (or made at module level by their
`Signal` classes) is flagged only with `weak=False`; other weak registries are not known, nor are
registries that replace the handler kept under a name (python-socketio's `sio.on("event", f)`),
which are flagged like ones that accumulate. Removal is matched by the registry's name, not by the
callback, so removing any callback from the registry (or from an attribute of the same name, such
as `self.bus`) silences the rule, as does a removal in code that never runs. "Runs once" is a
judgement from the code's shape: a setup function without parameters that is in fact called per
request is missed, and a method that is in fact called once per process (a command's `run()`) is
flagged: silence it with `# noqa: MEM301`. So is the `ready()` of an app configuration that
derives from Django's `AppConfig` through a base class of the project's own.

Not detected: registries reached through a parameter, an instance attribute (even when
`self._handlers` is really a class attribute), a call (`get_bus().subscribe(...)`) or a star
import; bound methods of objects other than `self` (`bus.subscribe(widget.refresh)`) and of methods
the class inherits; stores that are not calls of a configured name (`registry[key] = cb`,
`handlers.add(cb)`, `handlers.insert(0, cb)`); registration through a helper defined in the same
file (`def register(cb): _handlers.append(cb)`); calls whose result is kept, since it may be a
handle that undoes the registration (`off = bus.on("x", cb)`, `token = store.subscribe(cb)`).

## Example
```python
bus = EventBus()


def handle_request(user_id):
    def on_complete(result):
        log(f"user {user_id}: {result}")

    bus.subscribe(on_complete)
    process(user_id)


class Widget:
    def __init__(self):
        bus.connect(self.refresh)

    def refresh(self, event):
        pass
```

## Use instead
```python
import weakref

bus = EventBus()


def handle_request(user_id):
    def on_complete(result):
        log(f"user {user_id}: {result}")

    bus.subscribe(on_complete)
    try:
        process(user_id)
    finally:
        bus.unsubscribe(on_complete)


class Widget:
    def __init__(self):
        bus.connect(weakref.WeakMethod(self.refresh))

    def refresh(self, event):
        pass
```

## Fix safety
There is no fix. Where the callback should be removed (after the work it was registered for, in a
`close()` method, or never, because the process is meant to keep it) is a design decision the
rule cannot make, and a weak reference would change behaviour: the callback silently stops being
called once its owner is collected.

## Options
The subscribe/unsubscribe method-name pairs: `method-pairs` in `[tool.heaplint.unsubscribed-closure]`
replaces them, `extend-method-pairs` adds to them (`[["watch", "unwatch"]]`). The defaults are
`subscribe`/`unsubscribe`, `connect`/`disconnect`, `add_listener`/`remove_listener`,
`add_handler`/`remove_handler`, `add_callback`/`remove_callback`, `on`/`off`,
`register`/`unregister`, `add_done_callback`/`remove_done_callback` and `append`/`remove` (for
`append`, a list's `pop()` and `clear()` count as removals too).

## References
- [Python docs: `weakref.WeakMethod`](https://docs.python.org/3/library/weakref.html#weakref.WeakMethod)
- [Python docs: `atexit.unregister`](https://docs.python.org/3/library/atexit.html#atexit.unregister)
- [Django docs: listening to signals (`weak=`)](https://docs.djangoproject.com/en/stable/topics/signals/#listening-to-signals)
- [objgraph: finding what keeps an object alive](https://mg.pov.lt/objgraph/)
- No peer linter (Ruff, pylint, flake8-bugbear) has this rule.
)md";

// Libraries whose `connect` holds receivers through weak references unless told `weak=False`.
constexpr std::array<std::string_view, 2> kWeakSignalLibraries = {"django.", "blinker."};

std::string compact(std::string_view text) {
  std::string result;
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\\') result += c;
  }
  return result;
}

TSNode unwrapParentheses(TSNode node) {
  while (kindOf(node) == NodeKind::ParenthesizedExpression && namedChildCount(node) == 1) {
    node = nthNamedChild(node, 0);
  }
  return node;
}

// The builtin types a dispatch registry is keyed by, as the semantic model names them.
constexpr std::array<std::string_view, 14> kBuiltinTypes = {
    "builtins.bool",  "builtins.bytearray", "builtins.bytes", "builtins.complex", "builtins.dict",
    "builtins.float", "builtins.frozenset", "builtins.int",   "builtins.list",    "builtins.object",
    "builtins.set",   "builtins.str",       "builtins.tuple", "builtins.type"};

// `int`, `Symbol`, `ast.AST`, `(int, float)`: what a dispatch registry is keyed by. A builtin type
// counts by what the name resolves to in `scope` (`int`, `builtins.str`, `from builtins import int
// as integer`; not a parameter called `type`); other types by the capital of their last name.
bool isTypeLike(const RuleContext& context, ScopeId scope, TSNode node, int depth = 0) {
  node = unwrapParentheses(node);
  if (kindOf(node) == NodeKind::Tuple) {
    // Tuples of types nest a level or two; deeper nesting (generated code) is not a key.
    if (depth > 8) return false;
    const uint32_t count = namedChildCount(node);
    for (uint32_t i = 0; i < count; ++i) {
      if (!isTypeLike(context, scope, nthNamedChild(node, i), depth + 1)) return false;
    }
    return count > 0;
  }
  std::string_view name;
  if (kindOf(node) == NodeKind::Identifier) {
    name = context.text(node);
  } else if (kindOf(node) == NodeKind::Attribute) {
    name = context.text(childByField(node, Field::AttributeName));
  } else {
    return false;
  }
  const std::string qualified = qualifiedNameWithStarBuiltins(context, scope, node);
  if (std::find(kBuiltinTypes.begin(), kBuiltinTypes.end(), qualified) != kBuiltinTypes.end()) {
    return true;
  }
  return !name.empty() && name[0] >= 'A' && name[0] <= 'Z';
}

// Identifiers read in an expression (attribute names included): `not self._installed` gives
// `self` and `_installed`. Bounded: conditions are short.
void collectNames(std::string_view source, TSNode node, std::vector<std::string_view>& names) {
  std::vector<TSNode> stack = {node};
  for (int visited = 0; !stack.empty() && visited < 64; ++visited) {
    const TSNode current = stack.back();
    stack.pop_back();
    if (kindOf(current) == NodeKind::Identifier) {
      names.push_back(nodeText(source, current));
      continue;
    }
    const uint32_t count = namedChildCount(current);
    for (uint32_t i = 0; i < count; ++i) {
      stack.push_back(nthNamedChild(current, i));
    }
  }
}

// The name a statement assigns (`_installed = True`, `finalize._registered = True`), if any;
// with `only_true`, only when it assigns `True`.
std::string_view assignedName(std::string_view source, TSNode statement, bool only_true) {
  if (kindOf(statement) != NodeKind::ExpressionStatement) return {};
  const TSNode assignment = nthNamedChild(statement, 0);
  const NodeKind kind = kindOf(assignment);
  if (kind != NodeKind::Assignment && kind != NodeKind::AugmentedAssignment) return {};
  if (only_true && kindOf(childByField(assignment, Field::Right)) != NodeKind::True) return {};
  const TSNode left = childByField(assignment, Field::Left);
  if (kindOf(left) == NodeKind::Identifier) return nodeText(source, left);
  if (kindOf(left) == NodeKind::Attribute) {
    return nodeText(source, childByField(left, Field::AttributeName));
  }
  return {};
}

bool blockAssignsOneOf(std::string_view source, TSNode block,
                       const std::vector<std::string_view>& names, bool only_true) {
  const uint32_t count = namedChildCount(block);
  for (uint32_t i = 0; i < count; ++i) {
    const std::string_view name = assignedName(source, nthNamedChild(block, i), only_true);
    if (!name.empty() && std::find(names.begin(), names.end(), name) != names.end()) return true;
  }
  return false;
}

// A registration that runs once however often its function is called: under
// `if not self._registered: ... self._registered = True` (or `if self.path is None: ...
// self.path = ...`), or after `if _installed: return` in a function that sets `_installed = True`.
bool isOnceGuarded(const RuleContext& context) {
  const std::string_view source = context.source().text();
  std::vector<std::string_view> names;
  for (size_t up = 1; up + 1 < context.depth(); ++up) {
    const Frame& frame = context.frame(up);
    if (frame.kind == NodeKind::FunctionDefinition || frame.kind == NodeKind::Lambda) {
      // Early returns in the function's body.
      const TSNode body = childByField(frame.node, Field::Body);
      const uint32_t count = namedChildCount(body);
      for (uint32_t i = 0; i < count; ++i) {
        const TSNode statement = nthNamedChild(body, i);
        if (kindOf(statement) != NodeKind::IfStatement) continue;
        const TSNode consequence = childByField(statement, Field::Consequence);
        if (kindOf(nthNamedChild(consequence, 0)) != NodeKind::ReturnStatement) continue;
        names.clear();
        collectNames(source, childByField(statement, Field::Condition), names);
        if (blockAssignsOneOf(source, body, names, true)) return true;
      }
      return false;
    }
    if (frame.kind == NodeKind::IfStatement && context.frame(up - 1).field == Field::Consequence) {
      names.clear();
      collectNames(source, childByField(frame.node, Field::Condition), names);
      if (blockAssignsOneOf(source, context.frame(up - 1).node, names, false)) return true;
    }
  }
  return false;
}

// Where a node sits: the definitions whose bodies contain it.
struct Enclosing {
  TSNode region{};    // the outermost function or class (a top-level statement), or null
  TSNode function{};  // the innermost function or lambda, or null
  std::string where;  // "Widget.__init__", "outer.inner", "handler.<lambda>"
  std::string_view function_name;
  bool takes_input = false;  // some enclosing function has a required parameter
  bool runs_once = false;    // the innermost function is a hook that frameworks call once
  // A `ready()` method: Django calls `AppConfig.ready()` once per process. Whether a base of its
  // class is Django's `AppConfig` is known only after the walk (`runsOnce`).
  TSNode ready_of_class{};
  ScopeId class_scope = kNoScope;  // where the class's bases resolve
  // Methods whose one required parameter is per-call input unless the method is a classmethod
  // (`cls` is not): decided after the walk, when the decorators resolve (`takesInput`).
  struct MaybeClassMethod {
    TSNode decorated;  // the decorated_definition
    ScopeId scope;     // where its decorators resolve: the class body
  };
  std::vector<MaybeClassMethod> input_unless_classmethod;
};

// Does a decorator of `decorated_definition` stand for a name `accepts` ("builtins.classmethod"),
// its names resolved in `scope`, where the decorators are evaluated? `@classmethod` is the builtin
// unless the module (or class) binds its own; `@builtins.classmethod` is it too. After the walk.
bool hasDecorator(const RuleContext& context, TSNode decorated_definition, ScopeId scope,
                  bool (*accepts)(std::string_view qualified)) {
  if (kindOf(decorated_definition) != NodeKind::DecoratedDefinition) return false;
  const uint32_t count = namedChildCount(decorated_definition);
  for (uint32_t i = 0; i < count; ++i) {
    const TSNode decorator = nthNamedChild(decorated_definition, i);
    if (kindOf(decorator) == NodeKind::Decorator &&
        accepts(qualifiedNameWithStarBuiltins(context, scope,
                                              firstNamedChildSkippingComments(decorator)))) {
      return true;
    }
  }
  return false;
}

// Is the registration in `ready()` of a Django app configuration, which runs once per process?
// A base that resolves to `django.apps.AppConfig` (through any import) says so. After the walk.
bool runsOnce(const RuleContext& context, const Enclosing& enclosing) {
  if (enclosing.runs_once) return true;
  if (ts_node_is_null(enclosing.ready_of_class)) return false;
  const TSNode bases = childByField(enclosing.ready_of_class, Field::Superclasses);
  const uint32_t count = namedChildCount(bases);
  for (uint32_t i = 0; i < count; ++i) {
    const std::string qualified =
        context.semantic().qualifiedName(enclosing.class_scope, nthNamedChild(bases, i));
    if (qualified == "django.apps.AppConfig" || qualified == "django.apps.config.AppConfig") {
      return true;
    }
  }
  return false;
}

// Does some enclosing function take per-call input? After the walk.
bool takesInput(const RuleContext& context, const Enclosing& enclosing) {
  if (enclosing.takes_input) return true;
  return std::any_of(
      enclosing.input_unless_classmethod.begin(), enclosing.input_unless_classmethod.end(),
      [&](const Enclosing::MaybeClassMethod& method) {
        return !hasDecorator(context, method.decorated, method.scope, isClassMethodDecorator);
      });
}

// Parameters a caller must pass: `x` and `x: int`, not `x=1`, `*args` or `**kwargs`.
uint32_t requiredParameters(TSNode parameters) {
  uint32_t required = 0;
  const uint32_t count = namedChildCount(parameters);
  for (uint32_t i = 0; i < count; ++i) {
    const TSNode parameter = nthNamedChild(parameters, i);
    const NodeKind kind = kindOf(parameter);
    if (kind == NodeKind::Identifier ||
        (kind == NodeKind::TypedParameter &&
         kindOf(nthNamedChild(parameter, 0)) == NodeKind::Identifier)) {
      ++required;
    }
  }
  return required;
}

// Hooks that frameworks call once per process, module or class.
constexpr std::array<std::string_view, 9> kOnceHooks = {
    "main",        "setUpModule",       "setUpClass",   "setUpTestData", "setup_module",
    "setup_class", "__init_subclass__", "__set_name__", "tearDownClass"};

Enclosing describeEnclosing(const RuleContext& context) {
  Enclosing result;
  TSNode enclosing_class{};
  for (size_t up = context.depth() - 1; up > 0; --up) {
    const Frame& frame = context.frame(up);
    if (frame.kind != NodeKind::FunctionDefinition && frame.kind != NodeKind::ClassDefinition &&
        frame.kind != NodeKind::Lambda) {
      continue;
    }
    if (context.frame(up - 1).field != Field::Body) continue;  // a default, a decorator, ...
    if (ts_node_is_null(result.region)) result.region = frame.node;
    std::string_view name = "<lambda>";
    if (frame.kind != NodeKind::Lambda) name = context.text(childByField(frame.node, Field::Name));
    if (!result.where.empty()) result.where += '.';
    result.where += name;
    if (frame.kind == NodeKind::ClassDefinition) {
      enclosing_class = frame.node;
      continue;
    }
    size_t parent = up + 1;
    TSNode decorated{};
    ScopeId decorator_scope = kNoScope;
    if (parent < context.depth() && context.frame(parent).kind == NodeKind::DecoratedDefinition) {
      decorated = context.frame(parent).node;
      decorator_scope = context.frame(parent).scope;
      ++parent;
    }
    const bool is_method =
        !ts_node_is_null(enclosing_class) && parent < context.depth() &&
        ts_node_eq(context.frame(parent).node, childByField(enclosing_class, Field::Body));
    const uint32_t required = requiredParameters(childByField(frame.node, Field::Parameters));
    // A classmethod's `cls` is no per-call input: whether a decorator is the builtin
    // `classmethod` is known only after the walk.
    if (required == 1 && is_method && !ts_node_is_null(decorated)) {
      result.input_unless_classmethod.push_back(
          Enclosing::MaybeClassMethod{decorated, decorator_scope});
    } else {
      result.takes_input = result.takes_input || required > 0;
    }
    // The innermost function decides: a handler nested in `main()` may run per request.
    result.runs_once = std::find(kOnceHooks.begin(), kOnceHooks.end(), name) != kOnceHooks.end();
    result.ready_of_class = TSNode{};
    if (is_method && name == "ready") {
      result.ready_of_class = enclosing_class;
      result.class_scope = context.frame(parent + 1).scope;
    }
    result.function = frame.node;
    result.function_name = name;
  }
  return result;
}

class UnsubscribedClosure final : public RuleChecker {
 public:
  void onNode(TSNode node, NodeKind kind, RuleContext& context) override {
    if (settings_ == nullptr) {
      settings_ = context.options().settings != nullptr ? context.options().settings
                                                        : &LintSettings::defaults();
    }
    switch (kind) {
      case NodeKind::Call:
        onCall(node, context);
        break;
      case NodeKind::Decorator:
        onDecorator(node, context);
        break;
      case NodeKind::Attribute:
        onAttribute(node, context);
        break;
      case NodeKind::FunctionDefinition:
        onFunctionDefinition(node, context);
        break;
      case NodeKind::Assignment:
        onAssignment(node, context);
        break;
      case NodeKind::ReturnStatement:
        onReturn(node, context);
        break;
      case NodeKind::ImportFromStatement:
        onImportFrom(node, context);
        break;
      default:
        break;
    }
  }

  void finish(RuleContext& context) override;

 private:
  // A subscription-shaped call or decorator: `R.subscribe(...)`, `@R.on("x")`, or a call of a
  // name that may be imported (`register(cb)` after `from atexit import register`).
  struct Registration {
    TSNode site{};       // the call, or the decorator
    TSNode callee{};     // attribute or identifier
    TSNode receiver{};   // null for a bare name
    TSNode arguments{};  // argument list, or null (a bare decorator)
    TSNode decorated{};  // for decorators: the function definition
    ScopeId scope = kNoScope;
    // In a function body, result discarded, code that may repeat, if some enclosing function
    // takes input (`takesInput`, decided after the walk).
    bool candidate_if_input = false;
    Enclosing enclosing;
  };
  // A use of a removal name: `R.unsubscribe` (called or not), or a bare name `unregister`.
  struct Removal {
    TSNode node{};      // the attribute or identifier
    TSNode receiver{};  // null for a bare name
    std::string_view method;
    ScopeId scope = kNoScope;
    TSNode region{};
    TSNode function{};
  };
  // A function defined in a class body, as the walk sees it.
  struct MethodDefinition {
    TSNode class_node{};
    std::string_view name;
    TSNode decorated{};                  // the decorated_definition, or null
    ScopeId decorator_scope = kNoScope;  // where the decorators resolve: the class body
    bool implicit_class = false;         // `__new__`, `__init_subclass__`, `__class_getitem__`
    bool is_property = false;
    uint32_t first_parameter = UINT32_MAX;  // where the first parameter's name starts, if any
  };
  struct Method {
    uint32_t class_start;
    std::string_view name;
    bool binds_instance;
  };
  struct FirstParameter {
    TSNode class_node;
    bool is_class;  // `cls` of a classmethod, rather than `self`
  };
  struct Value {
    TSNode node;
    ScopeId scope;
  };
  struct Returned {
    uint32_t function_start;
    std::string_view name;
  };
  struct Reset {
    uint32_t function_start;
    std::string receiver;  // without whitespace
  };

  enum class ReceiverKind : uint8_t { Unknown, Local, Instance, ModuleLevel, Imported, Class };
  struct Receiver {
    ReceiverKind kind = ReceiverKind::Unknown;
    std::string key;        // equal keys: the same registry
    std::string_view name;  // the last name in the expression (`bus` of `self.bus`)
    std::string display;
    std::string stands_for;  // for an alias: the imported name
    bool weak_by_default = false;
    bool is_function =
        false;  // a module-level function: `f.register` of `functools.singledispatch`
  };
  enum class CallbackKind : uint8_t { None, NestedFunction, Lambda, BoundMethod };
  struct Callback {
    CallbackKind kind = CallbackKind::None;
    std::string display;
    TSNode instance_class{};  // for bound methods (and partials of them)
  };

  bool isSubscribeName(std::string_view name) const {
    return std::any_of(settings_->subscription_pairs.begin(), settings_->subscription_pairs.end(),
                       [&](const SubscriptionPair& pair) { return pair.subscribe == name; });
  }
  bool isUnsubscribeName(std::string_view name) const {
    return std::any_of(settings_->subscription_pairs.begin(), settings_->subscription_pairs.end(),
                       [&](const SubscriptionPair& pair) { return pair.unsubscribe == name; });
  }
  // `append` is the list method: `pop()` and `clear()` undo it as well as the configured name.
  static bool isListRemoval(std::string_view name) { return name == "pop" || name == "clear"; }
  bool undoes(std::string_view unsubscribe, std::string_view subscribe) const {
    if (subscribe == "append" && isListRemoval(unsubscribe)) return true;
    return std::any_of(settings_->subscription_pairs.begin(), settings_->subscription_pairs.end(),
                       [&](const SubscriptionPair& pair) {
                         return pair.subscribe == subscribe && pair.unsubscribe == unsubscribe;
                       });
  }

  static bool resultDiscarded(const RuleContext& context) {
    size_t up = 1;
    if (context.depth() > up + 1 && context.frame(up).kind == NodeKind::Await) ++up;
    return context.depth() > up && context.frame(up).kind == NodeKind::ExpressionStatement;
  }
  static bool inFunctionBody(const RuleContext& context) {
    const NodeKind kind = context.execution().kind;
    return kind == NodeKind::FunctionDefinition || kind == NodeKind::Lambda;
  }

  void onCall(TSNode call, RuleContext& context) {
    const TSNode function = childByField(call, Field::Function);
    const TSNode arguments = childByField(call, Field::Arguments);
    const NodeKind function_kind = kindOf(function);
    if (kindOf(arguments) != NodeKind::ArgumentList) return;
    // `self.addCleanup(unregister, f)` after `from atexit import unregister`.
    const uint32_t count = namedChildCount(arguments);
    for (uint32_t i = 0; i < count; ++i) {
      const TSNode argument = nthNamedChild(arguments, i);
      if (kindOf(argument) == NodeKind::Identifier && isUnsubscribeName(context.text(argument))) {
        addRemoval(argument, TSNode{}, context.text(argument), context);
      }
    }
    if (function_kind == NodeKind::Attribute) {
      const std::string_view method = context.text(childByField(function, Field::AttributeName));
      if (!isSubscribeName(method)) return;
      addRegistration(call, function, childByField(function, Field::Object), arguments, TSNode{},
                      context);
    } else if (function_kind == NodeKind::Identifier) {
      const std::string_view name = context.text(function);
      if (isUnsubscribeName(name)) addRemoval(function, TSNode{}, name, context);
      // `register(cb)` after `from atexit import register [as on_exit]`; what the name stands
      // for is resolved after the walk (it may be shadowed).
      if (count > 0 && isImportedSubscribeName(name) && inFunctionBody(context) &&
          resultDiscarded(context)) {
        addRegistration(call, function, TSNode{}, arguments, TSNode{}, context);
      }
    }
  }

  void onDecorator(TSNode decorator, RuleContext& context) {
    if (!inFunctionBody(context) || context.depth() < 2) return;
    const TSNode decorated = childByField(context.frame(1).node, Field::Definition);
    if (kindOf(decorated) != NodeKind::FunctionDefinition) return;
    TSNode expression = unwrapParentheses(nthNamedChild(decorator, 0));
    TSNode arguments{};
    if (kindOf(expression) == NodeKind::Call) {
      arguments = childByField(expression, Field::Arguments);
      expression = childByField(expression, Field::Function);
    }
    if (kindOf(expression) == NodeKind::Attribute) {
      if (!isSubscribeName(context.text(childByField(expression, Field::AttributeName)))) return;
      addRegistration(decorator, expression, childByField(expression, Field::Object), arguments,
                      decorated, context);
    } else if (kindOf(expression) == NodeKind::Identifier &&
               isImportedSubscribeName(context.text(expression))) {
      addRegistration(decorator, expression, TSNode{}, arguments, decorated, context);
    }
  }

  void onAttribute(TSNode attribute, RuleContext& context) {
    const std::string_view name = context.text(childByField(attribute, Field::AttributeName));
    if ((name == "clear" || name == "__init__") && context.depth() > 1 &&
        context.frame(1).kind == NodeKind::Call && context.frame(0).field == Field::Function) {
      // `registry.clear()`, `working_set.__init__()`: the function empties the registry.
      const ExecutionContext* function = context.enclosingFunction();
      if (function != nullptr) {
        resets_.push_back(Reset{ts_node_start_byte(function->node),
                                compact(context.text(childByField(attribute, Field::Object)))});
      }
    }
    if (!isUnsubscribeName(name) && !isListRemoval(name)) return;
    addRemoval(attribute, childByField(attribute, Field::Object), name, context);
  }

  // A method: what its decorators stand for is decided after the walk (`resolveMethods`).
  void onFunctionDefinition(TSNode definition, RuleContext& context) {
    if (context.execution().kind != NodeKind::ClassDefinition) return;
    MethodDefinition method;
    method.class_node = context.execution().node;
    method.name = context.text(childByField(definition, Field::Name));
    method.implicit_class = method.name == "__new__" || method.name == "__init_subclass__" ||
                            method.name == "__class_getitem__";
    if (context.depth() >= 2 && context.frame(1).kind == NodeKind::DecoratedDefinition) {
      method.decorated = context.frame(1).node;
      method.decorator_scope = context.frame(1).scope;  // the class body
      const uint32_t count = namedChildCount(method.decorated);
      for (uint32_t i = 0; i < count; ++i) {
        const TSNode decorator = nthNamedChild(method.decorated, i);
        if (kindOf(decorator) != NodeKind::Decorator) continue;
        const std::string_view text = context.text(nthNamedChild(decorator, 0));
        method.is_property =
            method.is_property || text.find("property") != std::string_view::npos ||
            text.ends_with(".setter") || text.ends_with(".getter") || text.ends_with(".deleter");
      }
    }
    const TSNode parameters = childByField(definition, Field::Parameters);
    TSNode first = nthNamedChild(parameters, 0);
    while (kindOf(first) == NodeKind::Comment) {
      first = ts_node_next_named_sibling(first);
    }
    if (kindOf(first) == NodeKind::TypedParameter) first = nthNamedChild(first, 0);
    if (kindOf(first) == NodeKind::Identifier) method.first_parameter = ts_node_start_byte(first);
    method_definitions_.push_back(method);
  }

  void onAssignment(TSNode assignment, RuleContext& context) {
    const TSNode left = childByField(assignment, Field::Left);
    const TSNode right = unwrapParentheses(childByField(assignment, Field::Right));
    if (kindOf(left) != NodeKind::Identifier) return;
    const NodeKind right_kind = kindOf(right);
    // A call may be `functools.partial(...)` or a Django or blinker `Signal()` under any name:
    // what it stands for is resolved after the walk, when a registration asks.
    if (right_kind != NodeKind::Call && right_kind != NodeKind::Lambda) return;
    values_.emplace(ts_node_start_byte(left), Value{right, context.scope()});
  }

  // `from atexit import register as on_exit`: remember `on_exit`.
  void onImportFrom(TSNode statement, RuleContext& context) {
    const TSNode module = childByField(statement, Field::ModuleName);
    const uint32_t count = namedChildCount(statement);
    for (uint32_t i = 0; i < count; ++i) {
      const TSNode child = nthNamedChild(statement, i);
      if (ts_node_eq(child, module)) continue;
      TSNode imported = child;
      TSNode bound = child;
      if (kindOf(child) == NodeKind::AliasedImport) {
        imported = childByField(child, Field::Name);
        bound = childByField(child, Field::Alias);
      } else if (kindOf(child) != NodeKind::DottedName) {
        continue;
      }
      if (isSubscribeName(lastSegment(context.text(imported)))) {
        imported_subscribe_names_.push_back(context.text(bound));
      }
    }
  }
  bool isImportedSubscribeName(std::string_view name) const {
    return std::find(imported_subscribe_names_.begin(), imported_subscribe_names_.end(), name) !=
           imported_subscribe_names_.end();
  }

  // `return wrapper`: the function hands the callback to its caller (a decorator, a factory).
  void onReturn(TSNode statement, RuleContext& context) {
    const ExecutionContext* function = context.enclosingFunction();
    const TSNode value = unwrapParentheses(nthNamedChild(statement, 0));
    if (function == nullptr || kindOf(value) != NodeKind::Identifier) return;
    returns_.push_back(Returned{ts_node_start_byte(function->node), context.text(value)});
  }

  void addRegistration(TSNode site, TSNode callee, TSNode receiver, TSNode arguments,
                       TSNode decorated, RuleContext& context) {
    Registration registration;
    registration.site = site;
    registration.callee = callee;
    registration.receiver = receiver;
    registration.arguments = arguments;
    registration.decorated = decorated;
    registration.scope = context.scope();
    registration.enclosing = describeEnclosing(context);
    const bool may_take_input = registration.enclosing.takes_input ||
                                !registration.enclosing.input_unless_classmethod.empty();
    registration.candidate_if_input =
        inFunctionBody(context) && may_take_input && !registration.enclosing.runs_once &&
        (!ts_node_is_null(decorated) || resultDiscarded(context)) && !isOnceGuarded(context);
    registrations_.push_back(std::move(registration));
  }

  void addRemoval(TSNode node, TSNode receiver, std::string_view method, RuleContext& context) {
    const Enclosing enclosing = describeEnclosing(context);
    removals_.push_back(
        Removal{node, receiver, method, context.scope(), enclosing.region, enclosing.function});
  }

  // --- after the walk ---
  // Which methods are static or class methods, by what their decorators resolve to: the builtin
  // `staticmethod` and `classmethod` (also `builtins.classmethod`), not a module's own.
  void resolveMethods(const RuleContext& context) {
    for (const MethodDefinition& definition : method_definitions_) {
      const bool is_static = hasDecorator(context, definition.decorated, definition.decorator_scope,
                                          isStaticMethodDecorator);
      const bool is_class = definition.implicit_class ||
                            hasDecorator(context, definition.decorated, definition.decorator_scope,
                                         isClassMethodDecorator);
      // Only `self.name` of a plain method is a bound method that pins the instance.
      methods_.push_back(Method{ts_node_start_byte(definition.class_node), definition.name,
                                !is_static && !is_class && !definition.is_property});
      if (is_static || definition.first_parameter == UINT32_MAX) continue;
      first_parameters_.emplace(definition.first_parameter,
                                FirstParameter{definition.class_node, is_class});
    }
  }
  const FirstParameter* firstParameter(const Resolution& resolution) const {
    if (resolution.kind != Resolution::Kind::Bound ||
        resolution.binding->kind != BindingKind::Parameter) {
      return nullptr;
    }
    const auto it = first_parameters_.find(resolution.binding->offset);
    return it == first_parameters_.end() ? nullptr : &it->second;
  }
  bool classDefines(TSNode class_node, std::string_view name) const {
    const uint32_t start = ts_node_start_byte(class_node);
    return std::any_of(methods_.begin(), methods_.end(), [&](const Method& method) {
      return method.class_start == start && method.name == name && method.binds_instance;
    });
  }
  std::string className(const RuleContext& context, TSNode class_node) const {
    return std::string(context.text(childByField(class_node, Field::Name)));
  }
  bool isModuleScope(const RuleContext& context, ScopeId scope) const {
    return context.semantic().scope(scope).kind == ScopeKind::Module;
  }

  Receiver describeReceiver(const RuleContext& context, ScopeId scope, TSNode expression) const;
  Receiver describeBareName(const RuleContext& context, ScopeId scope, TSNode identifier) const;
  Callback describeCallback(const RuleContext& context, ScopeId scope, TSNode expression,
                            int depth) const;
  bool isWeakSignal(const RuleContext& context, const Binding& binding) const;
  static bool receiversMatch(const Receiver& a, const Receiver& b) {
    if (a.kind == ReceiverKind::Unknown || b.kind == ReceiverKind::Unknown) {
      return !a.name.empty() && a.name == b.name;
    }
    return a.key == b.key || (!a.name.empty() && a.name == b.name);
  }
  bool keyedRegistration(const RuleContext& context, const Registration& registration,
                         std::string_view method, const Receiver& receiver,
                         TSNode callback_argument) const;
  void report(const Registration& registration, std::string_view method, const Receiver& receiver,
              const Callback& callback, RuleContext& context) const;

  const LintSettings* settings_ = nullptr;
  std::vector<Registration> registrations_;
  std::vector<Removal> removals_;
  std::vector<MethodDefinition> method_definitions_;
  // Decided after the walk from method_definitions_ (`resolveMethods`).
  std::vector<Method> methods_;
  std::unordered_map<uint32_t, FirstParameter> first_parameters_;
  std::unordered_map<uint32_t, Value> values_;  // `name = lambda ...` / `name = call(...)`
  std::vector<Returned> returns_;
  std::vector<Reset> resets_;
  std::vector<std::string_view> imported_subscribe_names_;
};

UnsubscribedClosure::Receiver UnsubscribedClosure::describeReceiver(const RuleContext& context,
                                                                    ScopeId scope,
                                                                    TSNode expression) const {
  Receiver receiver;
  receiver.display = std::string(context.text(expression));
  // Walk down the attribute and subscript chain to its head, keeping the names on the way.
  std::vector<std::string_view> tail;  // innermost last
  TSNode head = unwrapParentheses(expression);
  for (int guard = 0; guard < 32; ++guard) {
    const NodeKind kind = kindOf(head);
    if (kind == NodeKind::Attribute) {
      const std::string_view name = context.text(childByField(head, Field::AttributeName));
      if (receiver.name.empty()) receiver.name = name;
      tail.push_back(name);
      head = unwrapParentheses(childByField(head, Field::Object));
    } else if (kind == NodeKind::Subscript) {
      tail.push_back("[]");
      head = unwrapParentheses(childByField(head, Field::Value));
    } else {
      break;
    }
  }
  std::reverse(tail.begin(), tail.end());
  std::string suffix;
  for (std::string_view segment : tail) {
    suffix += '.';
    suffix += segment;
  }

  const auto classReceiver = [&](TSNode class_node, size_t skip) {
    receiver.kind = ReceiverKind::Class;
    receiver.key = "class@" + std::to_string(ts_node_start_byte(class_node));
    std::string shown = className(context, class_node);
    for (size_t i = skip; i < tail.size(); ++i) {
      receiver.key += '.';
      receiver.key += tail[i];
      shown += '.';
      shown += tail[i];
    }
    receiver.display = shown;
  };

  if (kindOf(head) == NodeKind::Call) {
    // `type(self).registry`
    const TSNode callee = childByField(head, Field::Function);
    const TSNode arguments = childByField(head, Field::Arguments);
    // `type` is the builtin, also as `builtins.type` or in a module with `from x import *`; not
    // a function of the module's own called `type`.
    if (namedChildCount(arguments) == 1 &&
        qualifiedNameWithStarBuiltins(context, scope, callee) == "builtins.type") {
      const TSNode argument = nthNamedChild(arguments, 0);
      if (kindOf(argument) == NodeKind::Identifier) {
        const FirstParameter* parameter = firstParameter(context.semantic().resolve(
            scope, context.text(argument), ts_node_start_byte(argument)));
        if (parameter != nullptr && !parameter->is_class) classReceiver(parameter->class_node, 0);
      }
    }
    return receiver;
  }
  if (kindOf(head) != NodeKind::Identifier) return receiver;
  const std::string_view name = context.text(head);
  if (receiver.name.empty()) receiver.name = name;
  const Resolution resolution = context.semantic().resolve(scope, name, ts_node_start_byte(head));
  if (resolution.binding == nullptr) return receiver;
  const Binding& binding = *resolution.binding;
  if (const FirstParameter* parameter = firstParameter(resolution)) {
    if (parameter->is_class) {
      classReceiver(parameter->class_node, 0);
    } else if (!tail.empty() && tail.front() == "__class__") {
      classReceiver(parameter->class_node, 1);
    } else {
      receiver.kind = ReceiverKind::Instance;
      receiver.key = "self@" + std::to_string(ts_node_start_byte(parameter->class_node)) + suffix;
    }
    return receiver;
  }
  // `import atexit` inside a function still names the one module object.
  const bool imported =
      binding.kind == BindingKind::Import || binding.kind == BindingKind::FromImport;
  if (!imported && !isModuleScope(context, binding.scope)) {
    receiver.kind = ReceiverKind::Local;
    receiver.key = "local@" + std::to_string(binding.offset) + suffix;
    return receiver;
  }
  if (resolution.kind == Resolution::Kind::Ambiguous && !imported) {
    // Several module-level bindings (`bus = None` ... `bus = Bus()`): still the module's.
    receiver.kind = ReceiverKind::ModuleLevel;
    receiver.key = "module:" + std::string(name) + suffix;
    return receiver;
  }
  switch (binding.kind) {
    case BindingKind::ClassDefinition:
      classReceiver(binding.node, 0);
      break;
    case BindingKind::Import:
    case BindingKind::FromImport: {
      receiver.kind = ReceiverKind::Imported;
      receiver.key = std::string(context.semantic().importedName(binding)) + suffix;
      for (std::string_view library : kWeakSignalLibraries) {
        if (receiver.key.starts_with(library)) receiver.weak_by_default = true;
      }
      if (lastSegment(receiver.key) != lastSegment(receiver.display)) {
        receiver.stands_for = receiver.key;  // an alias: say what it stands for
      }
      break;
    }
    default:
      receiver.kind = ReceiverKind::ModuleLevel;
      receiver.key = "module:" + std::string(name) + suffix;
      receiver.weak_by_default = tail.empty() && isWeakSignal(context, binding);
      receiver.is_function = tail.empty() && binding.kind == BindingKind::FunctionDefinition;
      break;
  }
  return receiver;
}

// A bare name called (or used as a decorator, or passed on): what it stands for when it is
// imported, as receiver `atexit` and method `register` for `register` from `atexit`.
UnsubscribedClosure::Receiver UnsubscribedClosure::describeBareName(const RuleContext& context,
                                                                    ScopeId scope,
                                                                    TSNode identifier) const {
  Receiver receiver;
  const std::string qualified = context.semantic().qualifiedName(scope, identifier);
  const size_t dot = qualified.rfind('.');
  if (qualified.empty() || dot == std::string::npos || qualified.starts_with("builtins.")) {
    return receiver;
  }
  receiver.kind = ReceiverKind::Imported;
  receiver.key = qualified.substr(0, dot);
  receiver.display = receiver.key;
  for (std::string_view library : kWeakSignalLibraries) {
    if (receiver.key.starts_with(library)) receiver.weak_by_default = true;
  }
  return receiver;
}

// `sig = Signal()` at module level, with `Signal` from Django or blinker.
bool UnsubscribedClosure::isWeakSignal(const RuleContext& context, const Binding& binding) const {
  if (binding.kind != BindingKind::Assignment) return false;
  const auto it = values_.find(binding.offset);
  if (it == values_.end() || kindOf(it->second.node) != NodeKind::Call) return false;
  const std::string qualified = context.semantic().qualifiedName(
      it->second.scope, childByField(it->second.node, Field::Function));
  return std::any_of(kWeakSignalLibraries.begin(), kWeakSignalLibraries.end(),
                     [&](std::string_view library) { return qualified.starts_with(library); });
}

UnsubscribedClosure::Callback UnsubscribedClosure::describeCallback(const RuleContext& context,
                                                                    ScopeId scope,
                                                                    TSNode expression,
                                                                    int depth) const {
  Callback callback;
  expression = unwrapParentheses(expression);
  const NodeKind kind = kindOf(expression);
  if (kind == NodeKind::Lambda) {
    callback.kind = CallbackKind::Lambda;
    return callback;
  }
  if (kind == NodeKind::Identifier) {
    const std::string_view name = context.text(expression);
    const Resolution resolution =
        context.semantic().resolve(scope, name, ts_node_start_byte(expression));
    if (resolution.kind != Resolution::Kind::Bound) return callback;
    const Binding& binding = *resolution.binding;
    const ScopeKind binding_scope = context.semantic().scope(binding.scope).kind;
    if (binding_scope != ScopeKind::Function && binding_scope != ScopeKind::Lambda) {
      return callback;  // module-level functions capture no per-call state
    }
    if (binding.kind == BindingKind::FunctionDefinition) {
      callback.kind = CallbackKind::NestedFunction;
      callback.display = std::string(name);
      return callback;
    }
    if (binding.kind == BindingKind::Assignment && depth < 4) {
      // `handler = lambda e: ...` or `handler = functools.partial(self.on_event, key)`.
      const auto it = values_.find(binding.offset);
      if (it != values_.end()) {
        callback = describeCallback(context, it->second.scope, it->second.node, depth + 1);
        if (callback.kind != CallbackKind::None) callback.display = std::string(name);
      }
    }
    return callback;
  }
  if (kind == NodeKind::Attribute) {
    // `self.on_event`, where the class defines `on_event`.
    const TSNode object = childByField(expression, Field::Object);
    if (kindOf(object) != NodeKind::Identifier) return callback;
    const FirstParameter* parameter = firstParameter(
        context.semantic().resolve(scope, context.text(object), ts_node_start_byte(object)));
    if (parameter == nullptr || parameter->is_class) return callback;
    const std::string_view method = context.text(childByField(expression, Field::AttributeName));
    if (!classDefines(parameter->class_node, method)) return callback;
    callback.kind = CallbackKind::BoundMethod;
    callback.display = std::string(context.text(expression));
    callback.instance_class = parameter->class_node;
    return callback;
  }
  if (kind == NodeKind::Call && depth < 4) {
    // `functools.partial(f, ...)` keeps `f` and the bound arguments.
    const TSNode function = childByField(expression, Field::Function);
    if (context.semantic().qualifiedName(scope, function) != "functools.partial") return callback;
    const TSNode arguments = childByField(expression, Field::Arguments);
    const uint32_t count = namedChildCount(arguments);
    for (uint32_t i = 0; i < count; ++i) {
      const TSNode argument = nthNamedChild(arguments, i);
      if (kindOf(argument) == NodeKind::Comment) continue;
      const Callback wrapped = describeCallback(context, scope, argument, depth + 1);
      if (wrapped.kind == CallbackKind::None) break;
      callback = wrapped;
      std::string text(context.text(expression));
      if (text.size() > 48 || text.find('\n') != std::string::npos) {
        text = std::string(context.text(function)) + "(" + std::string(context.text(argument)) +
               ", ...)";
      }
      callback.display = text;
      break;
    }
    return callback;
  }
  return callback;
}

// Registrations that replace rather than accumulate: a dispatch table keyed by type
// (`@fun.register(int)` of `functools.singledispatch`, multiple dispatch), and Django's
// `connect(..., dispatch_uid=...)`.
bool UnsubscribedClosure::keyedRegistration(const RuleContext& context,
                                            const Registration& registration,
                                            std::string_view method, const Receiver& receiver,
                                            TSNode callback_argument) const {
  const TSNode arguments = registration.arguments;
  const uint32_t count = ts_node_is_null(arguments) ? 0 : namedChildCount(arguments);
  uint32_t keys = 0;
  bool all_types = true;
  for (uint32_t i = 0; i < count; ++i) {
    const TSNode argument = nthNamedChild(arguments, i);
    const NodeKind kind = kindOf(argument);
    if (kind == NodeKind::Comment || ts_node_eq(argument, callback_argument)) continue;
    if (kind == NodeKind::KeywordArgument) {
      if (context.text(childByField(argument, Field::Name)) == "dispatch_uid") return true;
      continue;
    }
    ++keys;
    all_types = all_types && isTypeLike(context, registration.scope, argument);
  }
  if (method != "register") return false;
  return (keys > 0 && all_types) || (keys == 0 && receiver.is_function);
}

void UnsubscribedClosure::report(const Registration& registration, std::string_view method,
                                 const Receiver& receiver, const Callback& callback,
                                 RuleContext& context) const {
  std::string unsubscribe;
  for (const SubscriptionPair& pair : settings_->subscription_pairs) {
    if (pair.subscribe == method) {
      unsubscribe = pair.unsubscribe;
      break;
    }
  }
  std::string subject;
  if (callback.kind == CallbackKind::Lambda && callback.display.empty()) {
    subject = "A lambda";
  } else {
    subject = "`" + callback.display + "`";
  }

  std::string where;
  switch (receiver.kind) {
    case ReceiverKind::ModuleLevel:
      where = "module-level `" + receiver.display + "`";
      break;
    case ReceiverKind::Class:
      where = (receiver.display.find('.') == std::string::npos ? "class `" : "class-level `") +
              receiver.display + "`";
      break;
    default:
      where = "`" + receiver.display + "`";
      if (!receiver.stands_for.empty()) where += " (`" + receiver.stands_for + "`)";
      break;
  }

  std::string done;
  std::string undone;
  if (method == "subscribe") {
    done = "is subscribed to " + where;
    undone = "unsubscribed";
  } else if (method == "connect") {
    done = "is connected to " + where;
    undone = "disconnected";
  } else if (method == "register") {
    done = "is registered with " + where;
    undone = "unregistered";
  } else if (method == "append") {
    done = "is appended to " + where;
    undone = "removed";
  } else {
    done = "is registered on " + where + " with `." + std::string(method) + "()`";
    undone = "removed with `." + unsubscribe + "()`";
  }

  std::string consequence;
  const bool at_exit = receiver.key == "atexit";
  const std::string until = at_exit ? " until the interpreter exits" : "";
  if (callback.kind == CallbackKind::BoundMethod) {
    const std::string owner = className(context, callback.instance_class);
    if (registration.enclosing.function_name == "__init__") {
      consequence = "every `" + owner + "` instance stays alive " +
                    (at_exit ? "until the interpreter exits" : "as long as the registry does");
    } else {
      consequence = "each call keeps the `" + owner + "` instance (`self`) alive" + until;
    }
  } else {
    consequence = "each call keeps the closure and everything it captures alive" + until;
  }

  Diagnostic diagnostic;
  diagnostic.start = ts_node_start_byte(registration.site);
  diagnostic.end = ts_node_end_byte(registration.site);
  diagnostic.message = subject + " " + done + " in `" + registration.enclosing.where +
                       "` and never " + undone + ": " + consequence;
  if (receiver.key == "atexit") {
    diagnostic.fix_title = "Call `atexit.unregister(...)` once it is no longer needed";
  } else {
    const std::string registry = ts_node_is_null(registration.receiver)
                                     ? receiver.key
                                     : compact(context.text(registration.receiver));
    diagnostic.fix_title = "Call `" + registry + "." + unsubscribe +
                           "(...)` once it is no longer needed, or register a weak reference "
                           "(`weakref.WeakMethod`, `weakref.ref`)";
  }
  context.report(std::move(diagnostic));
}

void UnsubscribedClosure::finish(RuleContext& context) {
  if (registrations_.empty()) return;
  resolveMethods(context);

  struct Resolved {
    Receiver receiver;
    std::string method;
  };
  std::vector<Resolved> registrations(registrations_.size());
  for (size_t i = 0; i < registrations_.size(); ++i) {
    const Registration& registration = registrations_[i];
    Resolved& resolved = registrations[i];
    if (!ts_node_is_null(registration.receiver)) {
      resolved.receiver = describeReceiver(context, registration.scope, registration.receiver);
      resolved.method = context.text(childByField(registration.callee, Field::AttributeName));
    } else {
      resolved.receiver = describeBareName(context, registration.scope, registration.callee);
      if (resolved.receiver.kind == ReceiverKind::Unknown) continue;
      const std::string qualified =
          context.semantic().qualifiedName(registration.scope, registration.callee);
      resolved.method = std::string(lastSegment(qualified));
      resolved.receiver.name = lastSegment(resolved.receiver.key);
    }
  }
  std::vector<Receiver> removals(removals_.size());
  for (size_t i = 0; i < removals_.size(); ++i) {
    const Removal& removal = removals_[i];
    if (!ts_node_is_null(removal.receiver)) {
      removals[i] = describeReceiver(context, removal.scope, removal.receiver);
    } else {
      removals[i] = describeBareName(context, removal.scope, removal.node);
      removals[i].name = lastSegment(removals[i].key);
    }
  }

  // A removal elsewhere in the module counts when it sits at module level or in a top-level
  // function that never registers on that registry (an `uninstall()` beside `install()`): a
  // function or class that registers and removes its own callback says nothing about the others.
  const auto isRemover = [&](size_t r) {
    const Removal& removal = removals_[r];
    if (ts_node_is_null(removal.region)) return true;
    if (kindOf(removal.region) != NodeKind::FunctionDefinition) return false;
    for (size_t g = 0; g < registrations_.size(); ++g) {
      if (ts_node_eq(registrations_[g].enclosing.region, removal.region) &&
          isSubscribeName(registrations[g].method) &&
          receiversMatch(registrations[g].receiver, removals[r])) {
        return false;
      }
    }
    return true;
  };

  // Removers in other runs of a document analysed in runs (incremental_analysis.h) are known by
  // keys, one per way receiversMatch() can match them.
  const auto removerKey = [](std::string_view method, std::string_view how,
                             std::string_view receiver) {
    return "MEM301 remover " + std::string(method) + " " + std::string(how) + " " +
           std::string(receiver);
  };
  for (size_t r = 0; r < removals_.size(); ++r) {
    const Removal& removal = removals_[r];
    if (ts_node_is_null(removal.receiver) && removals[r].kind == ReceiverKind::Unknown) continue;
    if (!isRemover(r)) continue;
    if (!removals[r].name.empty()) {
      context.provides(removerKey(removal.method, "name", removals[r].name));
    }
    // Keys made of offsets ("class@120") name registries of this run only, which the loop below
    // matches without keys.
    if (removals[r].kind != ReceiverKind::Unknown &&
        removals[r].key.find('@') == std::string::npos) {
      context.provides(removerKey(removal.method, "key", removals[r].key));
    }
  }
  const auto removedElsewhere = [&](std::string_view method, const Receiver& receiver) {
    std::vector<std::string_view> removal_methods;
    for (const SubscriptionPair& pair : settings_->subscription_pairs) {
      if (pair.subscribe == method) removal_methods.push_back(pair.unsubscribe);
    }
    if (method == "append") {
      removal_methods.push_back("pop");
      removal_methods.push_back("clear");
    }
    bool removed = false;
    for (const std::string_view removal_method : removal_methods) {
      for (const auto& [how, value] :
           {std::pair{"name", receiver.name}, std::pair{"key", std::string_view(receiver.key)}}) {
        if (value.empty()) continue;
        const std::string key = removerKey(removal_method, how, value);
        context.dependsOn(key);
        removed = removed || context.moduleProvides(key);
      }
    }
    return removed;
  };

  for (size_t g = 0; g < registrations_.size(); ++g) {
    const Registration& registration = registrations_[g];
    const Resolved& resolved = registrations[g];
    if (!registration.candidate_if_input || !isSubscribeName(resolved.method) ||
        !takesInput(context, registration.enclosing) || runsOnce(context, registration.enclosing)) {
      continue;
    }
    const Receiver& receiver = resolved.receiver;
    if (receiver.kind != ReceiverKind::ModuleLevel && receiver.kind != ReceiverKind::Imported &&
        receiver.kind != ReceiverKind::Class) {
      continue;
    }

    // The callback: the decorated function, or the first argument that is one we know.
    Callback callback;
    TSNode callback_argument{};
    if (!ts_node_is_null(registration.decorated)) {
      callback.kind = CallbackKind::NestedFunction;
      callback.display = context.text(childByField(registration.decorated, Field::Name));
    } else {
      const uint32_t count = namedChildCount(registration.arguments);
      for (uint32_t i = 0; i < count && callback.kind == CallbackKind::None; ++i) {
        TSNode argument = nthNamedChild(registration.arguments, i);
        if (kindOf(argument) == NodeKind::KeywordArgument) {
          argument = childByField(argument, Field::Value);
        }
        callback = describeCallback(context, registration.scope, argument, 0);
        callback_argument = nthNamedChild(registration.arguments, i);
      }
    }
    if (callback.kind == CallbackKind::None) continue;
    if (keyedRegistration(context, registration, resolved.method, receiver, callback_argument)) {
      continue;
    }
    // The same function empties the registry (or what holds it): it stays bounded.
    if (!ts_node_is_null(registration.receiver)) {
      const uint32_t function_start = ts_node_start_byte(registration.enclosing.function);
      const std::string text = compact(context.text(registration.receiver));
      if (std::any_of(resets_.begin(), resets_.end(), [&](const Reset& reset) {
            return reset.function_start == function_start &&
                   (text == reset.receiver ||
                    (text.starts_with(reset.receiver) && text[reset.receiver.size()] == '.'));
          })) {
        continue;
      }
    }
    // `return wrapper`: a decorator or factory that registers what it hands back; its caller
    // decides how often that happens (usually once, when a module is imported).
    const uint32_t function_start = ts_node_start_byte(registration.enclosing.function);
    if (std::any_of(returns_.begin(), returns_.end(), [&](const Returned& returned) {
          return returned.function_start == function_start && returned.name == callback.display;
        })) {
      continue;
    }

    if (receiver.weak_by_default) {
      // Django and blinker keep weak references unless told `weak=False`.
      bool strong = false;
      const uint32_t count = namedChildCount(registration.arguments);
      for (uint32_t i = 0; i < count; ++i) {
        const TSNode argument = nthNamedChild(registration.arguments, i);
        if (kindOf(argument) == NodeKind::KeywordArgument &&
            context.text(childByField(argument, Field::Name)) == "weak" &&
            kindOf(childByField(argument, Field::Value)) == NodeKind::False) {
          strong = true;
        }
      }
      if (!strong) continue;
    }

    bool removed = false;
    for (size_t r = 0; r < removals_.size() && !removed; ++r) {
      if (!undoes(removals_[r].method, resolved.method)) continue;
      if (ts_node_is_null(removals_[r].receiver) && removals[r].kind == ReceiverKind::Unknown) {
        continue;  // a bare name that is not imported: we cannot tell what it removes from
      }
      if (!receiversMatch(receiver, removals[r])) continue;
      removed = ts_node_eq(removals_[r].region, registration.enclosing.region) || isRemover(r);
    }
    if (removed || removedElsewhere(resolved.method, receiver)) continue;
    report(registration, resolved.method, receiver, callback, context);
  }
}

constexpr std::array kSubscriptions = {NodeKind::Call,
                                       NodeKind::Decorator,
                                       NodeKind::Attribute,
                                       NodeKind::FunctionDefinition,
                                       NodeKind::Assignment,
                                       NodeKind::ReturnStatement,
                                       NodeKind::ImportFromStatement};

}  // namespace

extern const RuleDefinition kUnsubscribedClosure{
    .code = "MEM301",
    .name = "unsubscribed-closure",
    .summary = "Closure or bound method registered on a long-lived registry and never removed",
    .documentation = kDocumentation,
    .fix_availability = FixAvailability::None,
    .subscriptions = kSubscriptions,
    .create = []() -> std::unique_ptr<RuleChecker> {
      return std::make_unique<UnsubscribedClosure>();
    },
};

}  // namespace heaplint
