// MEM307 finalizer-references-object: `weakref.finalize(obj, ...)` whose callback or arguments
// hold `obj`, so the object is never collected and the finalizer runs only at exit.

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/code_model.h"
#include "analyzer/walker.h"
#include "rules/common.h"

namespace heaplint {
namespace {

constexpr std::string_view kDocumentation = R"md(## What it does
Checks for `weakref.finalize(obj, func, *args, **kwargs)` calls, `obj` being a name, where what
the finalizer keeps holds `obj` itself:

- `func` is `obj.m`: with `obj` the instance (`self`) of a method, `m` an instance method the
  class's own body defines (a `classmethod` holds the class, a `staticmethod` nothing); with
  `obj` the class (`cls`), `m` a `classmethod`; with any other name, any attribute of it (a
  bound method of the object);
- `func` is a `lambda`, or a function defined in the enclosing function, whose body uses `obj`;
- an argument (positional or keyword) is `obj` itself, or `self.m` for a method `m` as above.

Names resolve through imports (`import weakref as wr`, `from weakref import finalize`).

## Why is this bad?
The finalizer registry keeps `func`, `args` and `kwargs` alive until the finalizer runs. If they
reference `obj`, `obj` stays reachable: it is never collected, its memory (and whatever it owns:
files, sockets, buffers) is held until the interpreter exits, and only then does the cleanup run.
The Python documentation of `weakref.finalize` warns about exactly this: "func, args and kwargs
must not own any references to obj, either directly or indirectly, since otherwise obj will never
be garbage collected. In particular, func should not be a bound method of obj."

## Known problems
A preview rule (on with `--preview`): its one finding on the development corpus was judged
debatable by blind review (the finalizer could never fire, but every caller cleans up
explicitly), so it waits in preview for more evidence.

Not flagged: an `obj` written as an expression other than a name (`finalize(self._conn, ...)`),
references through other objects (`self.x` as an argument is the correct idiom and stays quiet;
an argument whose own attributes point back to `obj` is not followed), methods the class inherits
(only its own body is read), and functions defined outside the enclosing function. Test code is
skipped (the shared test-file patterns).

## Example
```python
import weakref

class TempDir:
    def __init__(self):
        self.name = make_temp_dir()
        weakref.finalize(self, self.cleanup)

    def cleanup(self):
        remove_tree(self.name)
```

## Use instead
```python
import weakref

class TempDir:
    def __init__(self):
        self.name = make_temp_dir()
        self._finalizer = weakref.finalize(self, remove_tree, self.name)
```
Pass the resources, not the object: a module-level function or a `staticmethod` with the
attributes it needs as arguments.

## Fix safety
No fix is offered: which attributes the cleanup needs is for the author to decide.

## Options
`test-file-patterns` (shared with the other rules that leave tests alone).

## References
- [Python docs: `weakref.finalize`](https://docs.python.org/3/library/weakref.html#weakref.finalize)
- [Python docs: comparing finalizers with `__del__`](https://docs.python.org/3/library/weakref.html#comparing-finalizers-with-del-methods)
)md";

struct FinalizeCall {
  TSNode call{};
  ScopeId scope = kNoScope;
};

// Whether `name` appears as an identifier in `node` (a lambda or function), other than as one
// of its own parameters. An explicit stack: bounded by the tree, not by recursion.
bool mentions(const RuleContext& context, TSNode node, std::string_view name) {
  const TSNode parameters = childByField(node, Field::Parameters);
  std::vector<TSNode> pending{parameters};
  while (!pending.empty()) {
    const TSNode current = pending.back();
    pending.pop_back();
    if (kindOf(current) == NodeKind::Identifier && context.text(current) == name) return false;
    const uint32_t count = namedChildCount(current);
    for (uint32_t i = 0; i < count; ++i)
      pending.push_back(ts_node_named_child(current, i));
  }
  pending.push_back(childByField(node, Field::Body));
  while (!pending.empty()) {
    const TSNode current = pending.back();
    pending.pop_back();
    const NodeKind kind = kindOf(current);
    if (kind == NodeKind::Identifier && context.text(current) == name) return true;
    if (kind == NodeKind::Attribute) {
      pending.push_back(childByField(current, Field::Object));  // not the attribute's name
      continue;
    }
    if (kind == NodeKind::KeywordArgument) {
      pending.push_back(childByField(current, Field::Value));
      continue;
    }
    const uint32_t count = namedChildCount(current);
    for (uint32_t i = 0; i < count; ++i)
      pending.push_back(ts_node_named_child(current, i));
  }
  return false;
}

class FinalizerReferencesObject final : public RuleChecker {
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
    const TSNode callee = childByField(node, Field::Function);
    if (kindOf(callee) == NodeKind::Attribute) {
      if (context.text(childByField(callee, Field::AttributeName)) != "finalize") return;
    } else if (kindOf(callee) != NodeKind::Identifier || !names_may_be_weakref_) {
      return;
    }
    if (kindOf(firstArgument(node)) != NodeKind::Identifier) return;
    calls_.push_back(FinalizeCall{node, context.scope()});
  }

  void finish(RuleContext& context) override {
    for (const FinalizeCall& call : calls_) {
      if (!context.semantic().resolvesTo(call.scope, childByField(call.call, Field::Function),
                                         "weakref.finalize")) {
        continue;
      }
      const TSNode arguments = childByField(call.call, Field::Arguments);
      const TSNode object = firstArgument(call.call);
      const std::string_view name = context.text(object);
      bool seen_object = false;
      bool seen_function = false;
      const uint32_t count = namedChildCount(arguments);
      for (uint32_t i = 0; i < count; ++i) {
        TSNode argument = nthNamedChild(arguments, i);
        const NodeKind kind = kindOf(argument);
        if (kind == NodeKind::Comment) continue;
        if (!seen_object) {
          seen_object = true;
          continue;
        }
        if (kind == NodeKind::ListSplat || kind == NodeKind::DictionarySplat) continue;
        if (kind == NodeKind::KeywordArgument) argument = childByField(argument, Field::Value);
        const bool is_function = !seen_function && kind != NodeKind::KeywordArgument;
        seen_function = true;
        const std::string why = holdsObject(context, call.scope, argument, name, is_function);
        if (why.empty()) continue;
        Diagnostic diagnostic;
        diagnostic.start = ts_node_start_byte(call.call);
        diagnostic.end = ts_node_end_byte(call.call);
        diagnostic.message = "The finalizer of " + quoted(name) + " holds it: " + why + ", so " +
                             quoted(name) +
                             " can never be collected and the finalizer runs only at interpreter "
                             "exit";
        diagnostic.fix_title =
            "Pass a function that does not reference the object, with the resources it needs "
            "as arguments";
        context.report(std::move(diagnostic));
        break;
      }
    }
  }

 private:
  // Why `value` (the finalizer's function, or one of its arguments) holds the object named
  // `name`, or empty when it is not known to.
  static std::string holdsObject(const RuleContext& context, ScopeId scope, TSNode value,
                                 std::string_view name, bool is_function) {
    const NodeKind kind = kindOf(value);
    const std::string what = is_function ? "the callback " : "the argument ";
    if (kind == NodeKind::Identifier && context.text(value) == name) {
      return what + quoted(name) + " is the object itself";
    }
    if (kind == NodeKind::Attribute) {
      const TSNode receiver = childByField(value, Field::Object);
      if (kindOf(receiver) != NodeKind::Identifier || context.text(receiver) != name) return {};
      // Through the instance, only a method bound to it holds it (a `classmethod` holds the
      // class); through the class, a `classmethod`.
      const MemberKind member = receiverMemberKind(context, scope, value);
      const bool on_instance = isInstanceReceiver(context, scope, receiver);
      const bool on_class = isClassReceiver(context, scope, receiver);
      const bool holds = on_instance ? member == MemberKind::InstanceMethod
                         : on_class  ? member == MemberKind::ClassMethod
                                     : is_function;
      if (holds) {
        return what + quoted(context.text(value)) + " is a bound method of " + quoted(name);
      }
      return {};
    }
    if (!is_function) return {};
    if (kind == NodeKind::Lambda && mentions(context, value, name)) {
      return "the callback is a `lambda` that uses " + quoted(name);
    }
    if (kind == NodeKind::Identifier) {
      // A function defined in the enclosing function: a closure.
      const SemanticModel& semantic = context.semantic();
      const Resolution resolution =
          semantic.resolve(scope, context.text(value), ts_node_start_byte(value));
      if (resolution.kind != Resolution::Kind::Bound ||
          resolution.binding->kind != BindingKind::FunctionDefinition ||
          semantic.scope(resolution.binding->scope).kind != ScopeKind::Function) {
        return {};
      }
      TSNode definition = resolution.binding->node;
      if (kindOf(definition) != NodeKind::FunctionDefinition) definition = parentOf(definition);
      if (kindOf(definition) == NodeKind::FunctionDefinition &&
          mentions(context, definition, name)) {
        return "the callback " + quoted(context.text(value)) + " is a closure that uses " +
               quoted(name);
      }
    }
    return {};
  }

  bool names_may_be_weakref_ = false;
  bool looked_at_earlier_runs_ = false;
  std::vector<FinalizeCall> calls_;
};

constexpr std::array kSubscriptions = {NodeKind::ImportFromStatement, NodeKind::Call};

}  // namespace

extern const RuleDefinition kFinalizerReferencesObject{
    .code = "MEM307",
    .name = "finalizer-references-object",
    .summary = "`weakref.finalize(obj, ...)` whose callback or arguments hold `obj`",
    .documentation = kDocumentation,
    .fix_availability = FixAvailability::None,
    .subscriptions = kSubscriptions,
    .create = []() -> std::unique_ptr<RuleChecker> {
      return std::make_unique<FinalizerReferencesObject>();
    },
    .preview = true,
};

}  // namespace heaplint
