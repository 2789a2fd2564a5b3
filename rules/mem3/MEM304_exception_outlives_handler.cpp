// MEM304 exception-outlives-handler: in `except E as e:`, the exception (or its traceback) is
// stored where it outlives the handler, and its traceback pins every frame of the failed call.

#include <algorithm>
#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/code_model.h"
#include "analyzer/lifetime_evidence.h"
#include "analyzer/walker.h"
#include "rules/common.h"

namespace heaplint {
namespace {

constexpr std::string_view kDocumentation = R"md(## What it does
Checks, in the handler of `except E as e:` inside a function, for the exception stored where it
outlives the handler and keeps accumulating:

- stored in an attribute or container of the instance or class (`self.error = e`,
  `self.failures[path] = e`, `cls.errors.append(e)`) that the same class raises again
  (`raise self.failures[path]`, `raise self.error`): a cache or sticky error of exceptions;
- put into a container that lives as long as the process: a module-level object, a class
  attribute, or a singleton (`FAILURES.append(e)`, `cls.registry[key] = e`, `.add`,
  `.appendleft`, `.insert`, `.setdefault`).

With `--preview`, also every other store on a long-lived object: an instance attribute or
container that is not raised again (`self.error = e`, `self.errors.append((path, e))`), a
class attribute, a module-level name (`global last_error`).

What is stored may be `e`, `e.__traceback__`, `e.with_traceback(...)`, `sys.exc_info()` (or an
item of it), `sys.exception()`, or a tuple, list or dictionary display holding one of them
(`FAILURES.append((path, e))`). How long the target lives comes from the analyzer's lifetime
evidence: the instance, a class, a module-level object or a process-wide singleton.

## Why is this bad?
An exception holds its traceback, and the traceback holds every frame between the `raise` and
the handler, with all their local variables: the request, the parsed document, the buffers the
failed call was working on. Stored on a long-lived object, the exception keeps all of that alive
as long as the object lives. That is why Python deletes `e` at the end of the `except` block.
Re-raising a stored exception later makes it worse: each `raise` adds the new frames to the same
traceback.

## Known problems
A preview rule (on with `--preview`): on the development corpus it reported 2 findings, judged 1
real and 1 debatable by blind review: too few and too mixed to meet the 90% bar by default.

Not flagged, on purpose:

- `raise ... from e`, logging, `str(e)`, `repr(e)`, `type(e)`, `e.args`,
  `traceback.format_exc()`: only the text or the type is kept;
- uses inside the handler, returning or yielding the exception, and passing it to a call
  (`future.set_exception(e)`, `queue.put(e)`): those hand it to code that decides how long to
  keep it;
- a handler that clears the traceback (`e.__traceback__ = None`, `e.with_traceback(None)`,
  `traceback.clear_frames(...)`), deletes it, or rebinds `e`;
- stores into locals, parameters, or attributes of them (`result.error = e` on a local
  `result`): they die with the call, or the caller decides;
- handlers at module or class level (`except ImportError as exc: _import_error = exc`): they run
  once, at import;
- test code (the shared test-file patterns).

Behind `--preview`: a single exception kept on an object that is not raised again from there
(`self._exception = exc` behind an `exception()` accessor, a worker thread's `self.error` read by
`join()`, a per-request object's routing error). It pins the failed frames for as long as the
object lives, but it is usually deliberate and bounded to one exception, and reviewers did not
judge it worth a finding by default. A re-raise is recognised only inside the class that owns
the target, written as `raise <target>`, `raise <target>[key]` or `raise <target>.get(...)`
(`raise <target>.with_traceback(tb)` replaces the traceback, and does not count).

## Example
```python
class Importer:
    def load(self, path):
        if path in self.failures:
            raise self.failures[path]
        try:
            return parse(path)
        except ValueError as error:
            self.failures[path] = error
            raise
```

## Use instead
```python
import traceback

class Importer:
    def load(self, path):
        if path in self.failures:
            raise ValueError(self.failures[path])
        try:
            return parse(path)
        except ValueError as error:
            self.failures[path] = "".join(traceback.format_exception(error))
            raise
```
A new exception made at each `raise` from the stored text keeps nothing of the failed call. (Clearing
the stored exception's traceback once, `error.with_traceback(None)`, is not enough when it is raised
again: each `raise` grows it anew.)

## Fix safety
No fix is offered: clearing the traceback changes what later logging shows, and storing text
changes what the code that reads the container gets.

## Options
`test-file-patterns` (shared with the other rules that leave tests alone).

## References
- [Python docs: the `try` statement (why `as` targets are deleted)](https://docs.python.org/3/reference/compound_stmts.html#except-clause)
- [Python docs: `traceback.clear_frames`](https://docs.python.org/3/library/traceback.html#traceback.clear_frames)
)md";

struct Handler {
  TSNode clause{};
  ScopeId scope = kNoScope;
};

constexpr std::array<std::string_view, 5> kStoringMethods = {"append", "add", "appendleft",
                                                             "insert", "setdefault"};

// The name `except E as name:` binds, or a null node. The grammar writes it as the clause's
// `alias` field or as an `as_pattern` (`E as name`) inside the clause.
TSNode exceptAlias(TSNode clause) {
  const TSNode alias = childByField(clause, Field::Alias);
  if (kindOf(alias) == NodeKind::Identifier) return alias;
  const TSNode caught = caughtBy(clause);
  if (kindOf(caught) != NodeKind::AsPattern) return TSNode{};
  const uint32_t count = namedChildCount(caught);
  for (uint32_t i = 0; i < count; ++i) {
    const TSNode child = nthNamedChild(caught, i);
    if (kindOf(child) != NodeKind::AsPatternTarget) continue;
    // The target is the aliased expression itself: a bare name has no children.
    if (namedChildCount(child) == 0) return child;
    const TSNode name = nthNamedChild(child, 0);
    return kindOf(name) == NodeKind::Identifier && namedChildCount(child) == 1 ? name : TSNode{};
  }
  return TSNode{};
}

class ExceptionOutlivesHandler final : public RuleChecker {
 public:
  void onNode(TSNode node, NodeKind /*kind*/, RuleContext& context) override {
    if (ts_node_is_null(exceptAlias(node))) return;
    if (context.enclosingFunction() == nullptr) return;
    handlers_.push_back(Handler{node, context.scope()});
  }

  void finish(RuleContext& context) override {
    for (const Handler& handler : handlers_)
      check(context, handler);
  }

 private:
  void check(RuleContext& context, const Handler& handler) const {
    const std::string_view name = context.text(exceptAlias(handler.clause));
    TSNode body{};
    const uint32_t count = namedChildCount(handler.clause);
    for (uint32_t i = 0; i < count; ++i) {
      if (kindOf(nthNamedChild(handler.clause, i)) == NodeKind::Block) {
        body = nthNamedChild(handler.clause, i);
      }
    }
    if (ts_node_is_null(body) || clearsOrRebinds(context, handler.scope, body, name)) return;
    struct Store {
      TSNode where;
      TSNode target;  // the attribute, name or container that keeps it
    };
    std::vector<Store> stores;
    visitSubtree(body, [&](TSNode node, TSFieldId /*field*/) {
      const NodeKind kind = kindOf(node);
      if (kind == NodeKind::FunctionDefinition || kind == NodeKind::ClassDefinition ||
          kind == NodeKind::Lambda) {
        return Visit::SkipChildren;
      }
      if (kind == NodeKind::Assignment) {
        const TSNode right = childByField(node, Field::Right);
        if (!holdsException(context, handler.scope, right, name)) return Visit::Descend;
        TSNode target = childByField(node, Field::Left);
        if (kindOf(target) == NodeKind::Subscript) target = childByField(target, Field::Value);
        if (kindOf(target) == NodeKind::Attribute || kindOf(target) == NodeKind::Identifier) {
          stores.push_back(Store{node, target});
        }
      } else if (kind == NodeKind::Call) {
        const TSNode callee = childByField(node, Field::Function);
        if (kindOf(callee) != NodeKind::Attribute) return Visit::Descend;
        const std::string_view method = context.text(childByField(callee, Field::AttributeName));
        if (std::find(kStoringMethods.begin(), kStoringMethods.end(), method) ==
            kStoringMethods.end()) {
          return Visit::Descend;
        }
        const TSNode arguments = childByField(node, Field::Arguments);
        const uint32_t argument_count = namedChildCount(arguments);
        for (uint32_t i = 0; i < argument_count; ++i) {
          if (holdsException(context, handler.scope, nthNamedChild(arguments, i), name)) {
            stores.push_back(Store{node, childByField(callee, Field::Object)});
            break;
          }
        }
      }
      return Visit::Descend;
    });
    for (const Store& store : stores) {
      const LifetimeEvidence lifetime = lifetimeOf(context, handler.scope, store.target);
      if (lifetime.lifetime != Lifetime::Instance && lifetime.lifetime != Lifetime::Class &&
          lifetime.lifetime != Lifetime::Module && lifetime.lifetime != Lifetime::Process) {
        continue;
      }
      const bool container = kindOf(store.where) != NodeKind::Assignment ||
                             !sameNode(childByField(store.where, Field::Left), store.target);
      const TSNode raise = raisedAgainFrom(context, lifetime, store.target);
      const bool grows_for_the_process = container && lifetime.lifetime != Lifetime::Instance;
      if (ts_node_is_null(raise) && !grows_for_the_process &&
          !context.options().settings->preview) {
        continue;
      }
      std::string held = lifetime.display;
      if (lifetime.lifetime == Lifetime::Instance) held = quoted(context.text(store.target));
      std::string message =
          "Exception " + quoted(name) + " caught in " +
          quoted(functionDisplayName(context,
                                     enclosingFunctionScope(context.semantic(), handler.scope)),
                 "()") +
          (container ? " is put into " : " is stored in ") + held;
      if (!ts_node_is_null(raise)) {
        // Named by the method that raises, not by its line: in analysis in runs, a message of a
        // run that is not walked again keeps its text while lines above it move.
        message += " and raised again from it in " +
                   raisingMethod(context, raise, lifetime.class_node) +
                   ": each `raise` adds the raising frames to the same traceback, which keeps "
                   "every frame it passed through, with their locals, alive";
      } else {
        message +=
            ": its traceback keeps every frame between the raise and this handler, with their "
            "locals, alive as long as " +
            lifetimePhrase(lifetime.lifetime);
      }
      Diagnostic diagnostic;
      diagnostic.start = ts_node_start_byte(store.where);
      diagnostic.end = ts_node_end_byte(store.where);
      diagnostic.message = std::move(message);
      diagnostic.fix_title =
          "Store the formatted text (`traceback.format_exception(...)`) and raise a new exception "
          "from it, or clear the traceback before keeping the exception";
      context.report(std::move(diagnostic));
    }
  }

  // "`FileCache.read()`": the method of `class_node` whose body holds `node`.
  static std::string raisingMethod(const RuleContext& context, TSNode node, TSNode class_node) {
    const std::string class_name(context.text(childByField(class_node, Field::Name)));
    for (TSNode up = parentOf(node); !ts_node_is_null(up) && !sameNode(up, class_node);
         up = parentOf(up)) {
      if (kindOf(up) == NodeKind::FunctionDefinition) {
        const TSNode outer = parentOf(parentOf(up));  // block, then class?
        const TSNode decorated = parentOf(up);
        if (sameNode(outer, class_node) || (kindOf(decorated) == NodeKind::DecoratedDefinition &&
                                            sameNode(parentOf(parentOf(decorated)), class_node))) {
          return heaplint::quoted(
              class_name + "." + std::string(context.text(childByField(up, Field::Name))), "()");
        }
      }
    }
    return "the class body of " + heaplint::quoted(class_name);
  }

  // A `raise` in the class that owns the target (`self.errors`, `cls.failures`) that raises the
  // stored exception again: `raise self.error`, `raise self.errors[key]`. Only the class's own
  // body is searched (a module-level target's raise may sit anywhere in the module).
  static TSNode raisedAgainFrom(const RuleContext& context, const LifetimeEvidence& lifetime,
                                TSNode target) {
    if ((lifetime.lifetime != Lifetime::Instance && lifetime.lifetime != Lifetime::Class) ||
        ts_node_is_null(lifetime.class_node)) {
      return TSNode{};
    }
    const std::string_view stored = context.text(target);
    TSNode found{};
    visitSubtree(lifetime.class_node, [&](TSNode node, TSFieldId /*field*/) {
      // Not a node kind the walker needs; only asked of the few stores found.
      if (std::string_view(ts_node_type(node)) != "raise_statement") return Visit::Descend;
      TSNode raised = nthNamedChild(node, 0);
      for (int guard = 0; guard < 8; ++guard) {
        const NodeKind kind = kindOf(raised);
        if (kind == NodeKind::Subscript) {
          raised = childByField(raised, Field::Value);
        } else if (kind == NodeKind::Call &&
                   kindOf(childByField(raised, Field::Function)) == NodeKind::Attribute &&
                   context.text(childByField(childByField(raised, Field::Function),
                                             Field::AttributeName)) != "with_traceback") {
          // `raise self.errors.get(key)`; not `raise e.with_traceback(...)`, which replaces
          // the traceback instead of growing it.
          raised = childByField(childByField(raised, Field::Function), Field::Object);
        } else {
          break;
        }
      }
      if (context.text(raised) == stored) found = node;
      return ts_node_is_null(found) ? Visit::SkipChildren : Visit::Stop;
    });
    return found;
  }

  static std::string lifetimePhrase(Lifetime lifetime) {
    switch (lifetime) {
      case Lifetime::Instance:
        return "the instance does";
      case Lifetime::Class:
        return "the class does";
      default:
        return "the process runs";
    }
  }

  // Is `value` the exception `name`, its traceback, `sys.exc_info()`, or a display that holds
  // one of them directly?
  // `depth` bounds the displays looked into: one level, `(path, e)`.
  static bool holdsException(const RuleContext& context, ScopeId scope, TSNode value,
                             std::string_view name, int depth = 0) {
    for (int guard = 0; guard < 4; ++guard) {
      const NodeKind kind = kindOf(value);
      if (kind == NodeKind::ParenthesizedExpression) {
        value = nthNamedChild(value, 0);
        continue;
      }
      if (kind == NodeKind::Identifier) return context.text(value) == name;
      if (kind == NodeKind::Attribute) {
        const TSNode object = childByField(value, Field::Object);
        return kindOf(object) == NodeKind::Identifier && context.text(object) == name &&
               context.text(childByField(value, Field::AttributeName)) == "__traceback__";
      }
      if (kind == NodeKind::Subscript) {
        value = childByField(value, Field::Value);  // sys.exc_info()[1]
        if (kindOf(value) != NodeKind::Call) return false;
        continue;
      }
      if (kind == NodeKind::Call) {
        const TSNode callee = childByField(value, Field::Function);
        if (kindOf(callee) == NodeKind::Attribute &&
            context.text(childByField(callee, Field::AttributeName)) == "with_traceback") {
          const TSNode object = childByField(callee, Field::Object);
          const TSNode argument = firstArgument(value);
          return kindOf(object) == NodeKind::Identifier && context.text(object) == name &&
                 kindOf(argument) != NodeKind::None;
        }
        const std::string qualified = context.semantic().qualifiedName(scope, callee);
        return qualified == "sys.exc_info" || qualified == "sys.exception";
      }
      if (kind == NodeKind::Tuple || kind == NodeKind::List || kind == NodeKind::Dictionary) {
        if (depth > 0) return false;
        const uint32_t count = namedChildCount(value);
        for (uint32_t i = 0; i < count; ++i) {
          TSNode item = nthNamedChild(value, i);
          if (kindOf(item) == NodeKind::Pair) item = childByField(item, Field::Value);
          if (holdsException(context, scope, item, name, depth + 1)) return true;
        }
        return false;
      }
      return false;
    }
    return false;
  }

  // Does the handler clear the traceback, delete the exception, or bind the name to something
  // else?
  static bool clearsOrRebinds(const RuleContext& context, ScopeId scope, TSNode body,
                              std::string_view name) {
    bool found = false;
    visitSubtree(body, [&](TSNode node, TSFieldId /*field*/) {
      const NodeKind kind = kindOf(node);
      if (kind == NodeKind::Assignment || kind == NodeKind::AugmentedAssignment) {
        const TSNode left = childByField(node, Field::Left);
        const std::string_view target = context.text(left);
        if ((kindOf(left) == NodeKind::Identifier && target == name) ||
            (kindOf(left) == NodeKind::Attribute &&
             context.text(childByField(left, Field::AttributeName)) == "__traceback__")) {
          found = true;
        }
      } else if (kind == NodeKind::DeleteStatement) {
        found = true;
      } else if (kind == NodeKind::Call) {
        const TSNode callee = childByField(node, Field::Function);
        const std::string qualified = context.semantic().qualifiedName(scope, callee);
        if (qualified == "traceback.clear_frames") found = true;
        if (kindOf(callee) == NodeKind::Attribute &&
            context.text(childByField(callee, Field::AttributeName)) == "with_traceback" &&
            kindOf(firstArgument(node)) == NodeKind::None) {
          found = true;
        }
      }
      return found ? Visit::Stop : Visit::Descend;
    });
    return found;
  }

  std::vector<Handler> handlers_;
};

constexpr std::array kSubscriptions = {NodeKind::ExceptClause, NodeKind::ExceptGroupClause};

}  // namespace

extern const RuleDefinition kExceptionOutlivesHandler{
    .code = "MEM304",
    .name = "exception-outlives-handler",
    .summary = "an exception stored on a long-lived object: its traceback pins the failed frames",
    .documentation = kDocumentation,
    .fix_availability = FixAvailability::None,
    .subscriptions = kSubscriptions,
    .create = []() -> std::unique_ptr<RuleChecker> {
      return std::make_unique<ExceptionOutlivesHandler>();
    },
    .preview = true,
};

}  // namespace heaplint
