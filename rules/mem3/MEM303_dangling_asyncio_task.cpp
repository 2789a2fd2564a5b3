// MEM303 dangling-asyncio-task: the task `asyncio.create_task()`, `asyncio.ensure_future()` or
// `loop.create_task()` returns is dropped; the event loop holds tasks only weakly.

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
Checks for tasks that nothing keeps: the result of `asyncio.create_task(...)`,
`asyncio.ensure_future(...)` or `loop.create_task(...)` that is

- discarded (the call is a statement of its own),
- assigned to `_`, or
- assigned to a name local to the function that is not mentioned anywhere else in it.

`loop` is a call to `asyncio.get_running_loop()`, `asyncio.get_event_loop()` or
`asyncio.new_event_loop()`, either chained (`asyncio.get_running_loop().create_task(...)`) or
through a name that the same function binds once to such a call. Names resolve through imports
(`import asyncio as aio`, `from asyncio import create_task as spawn`).

## Why is this bad?
The event loop keeps only a weak reference to a task. A task that nothing else references can be
garbage-collected while it waits, before it finishes: the work silently stops, and an exception it
raised is never reported (at best a "Task was destroyed but it is pending!" line at exit). The
Python documentation of `asyncio.create_task` warns about exactly this. The failure is
intermittent (it needs a collection while the task waits on a future nothing else holds), which is
why it survives testing.

## Known problems
Not flagged, on purpose:

- `TaskGroup.create_task(...)` and any `create_task` on a receiver that is not known to be an
  event loop (`self.loop.create_task(...)`, a loop handed in as a parameter): a task group keeps
  its tasks, and an unknown receiver may be anything;
- a result that is awaited, returned, passed to a call (`tasks.add(create_task(...))`,
  `asyncio.wait([...])`), stored in an attribute or a subscript, or bound to a name that the
  function mentions again anywhere (uses are not followed further: `t = create_task(...)`
  followed by `del t` is quiet);
- bindings at module or class level: they are strong references for as long as the module or
  class lives;
- names declared `global` or `nonlocal`;
- test code (the shared test-file patterns).

In preview: on code the rule was not tuned on (Dask's `distributed`), reviewers judged none of 5
findings real. A task that waits on I/O, a timer or a condition is referenced by the future it
waits on (held by a transport, the loop's timer handle, a `Condition`'s waiters), so in practice it
is not collected mid-flight, and a failed task that is collected still logs "Task exception was
never retrieved". The rule cannot yet tell a task that waits on a future nothing else holds.

Not recognised: a loop bound at module level (`loop = asyncio.get_event_loop()` at the top of
the file), a loop reached through an attribute, a callback chained on the discarded task
(`asyncio.create_task(job()).add_done_callback(log)` still drops the task, but is not reported).

## Example
```python
import asyncio

async def handle(request):
    asyncio.create_task(audit(request))
    return await respond(request)
```

## Use instead
```python
import asyncio

background_tasks = set()

async def handle(request):
    task = asyncio.create_task(audit(request))
    background_tasks.add(task)
    task.add_done_callback(background_tasks.discard)
    return await respond(request)
```
Or run the work in an `asyncio.TaskGroup`, which keeps its tasks until they finish.

## Fix safety
No fix is offered: where the task should be kept (a set on the service, a task group, an
attribute that is cancelled on shutdown) is a design decision.

## Options
`test-file-patterns` (shared with the other rules that leave tests alone). `# noqa: RUF006` on
the line silences this rule too (Ruff's `asyncio-dangling-task`), unless `ruff-noqa-codes` is off.

## References
- [Python docs: `asyncio.create_task`](https://docs.python.org/3/library/asyncio-task.html#asyncio.create_task)
- [Ruff: asyncio-dangling-task (RUF006)](https://docs.astral.sh/ruff/rules/asyncio-dangling-task/)
- [CPython issue 91887: tasks are only weakly referenced by the loop](https://github.com/python/cpython/issues/91887)
)md";

// Where the task goes.
enum class Fate : uint8_t { Discarded, Underscore, LocalName };

struct TaskCall {
  TSNode call{};
  ScopeId scope = kNoScope;
  Fate fate = Fate::Discarded;
  TSNode name{};      // for LocalName: the identifier assigned
  TSNode function{};  // for LocalName: the function whose body binds it
};

bool isLoopGetter(std::string_view qualified) {
  return qualified == "asyncio.get_running_loop" || qualified == "asyncio.get_event_loop" ||
         qualified == "asyncio.new_event_loop" || qualified == "asyncio.events.get_running_loop" ||
         qualified == "asyncio.events.get_event_loop" ||
         qualified == "asyncio.events.new_event_loop";
}

bool isTaskFactory(std::string_view qualified) {
  return qualified == "asyncio.create_task" || qualified == "asyncio.ensure_future" ||
         qualified == "asyncio.tasks.create_task" || qualified == "asyncio.tasks.ensure_future";
}

class DanglingAsyncioTask final : public RuleChecker {
 public:
  void onNode(TSNode node, NodeKind kind, RuleContext& context) override {
    if (!looked_at_earlier_runs_) {
      looked_at_earlier_runs_ = true;
      names_may_be_asyncio_ = earlierRunImportsFrom(context, "asyncio", ts_node_start_byte(node));
    }
    if (kind == NodeKind::ImportFromStatement) {
      const std::string_view module = context.text(childByField(node, Field::ModuleName));
      if (module == "asyncio" || module.starts_with("asyncio.")) names_may_be_asyncio_ = true;
      return;
    }
    const TSNode callee = childByField(node, Field::Function);
    if (kindOf(callee) == NodeKind::Attribute) {
      const std::string_view method = context.text(childByField(callee, Field::AttributeName));
      if (method != "create_task" && method != "ensure_future") return;
    } else if (kindOf(callee) != NodeKind::Identifier || !names_may_be_asyncio_) {
      return;
    }
    if (context.depth() < 2) return;
    const Frame& parent = context.frame(1);
    TaskCall task;
    task.call = node;
    task.scope = context.scope();
    if (parent.kind == NodeKind::ExpressionStatement) {
      task.fate = Fate::Discarded;
    } else if (parent.kind == NodeKind::Assignment &&
               sameNode(childByField(parent.node, Field::Right), node)) {
      const TSNode target = childByField(parent.node, Field::Left);
      if (kindOf(target) != NodeKind::Identifier) return;
      task.name = target;
      if (context.text(target) == "_") {
        task.fate = Fate::Underscore;
      } else {
        const ExecutionContext* function = context.enclosingFunction();
        if (function == nullptr || function->kind != NodeKind::FunctionDefinition) return;
        task.fate = Fate::LocalName;
        task.function = function->node;
      }
    } else {
      return;
    }
    calls_.push_back(task);
  }

  void finish(RuleContext& context) override {
    for (const TaskCall& task : calls_) {
      const TSNode callee = childByField(task.call, Field::Function);
      std::string what = taskMaker(context, task.scope, callee);
      if (what.empty()) continue;
      if (task.fate == Fate::LocalName && !isUnusedLocal(context, task)) continue;
      report(context, task, what);
    }
  }

 private:
  // How the message names the call that made a task ("`asyncio.create_task()`"), or empty when
  // the call is not known to make one.
  static std::string taskMaker(const RuleContext& context, ScopeId scope, TSNode callee) {
    const SemanticModel& semantic = context.semantic();
    const std::string qualified = semantic.qualifiedName(scope, callee);
    if (isTaskFactory(qualified)) return quoted(lastSegment(qualified), "()");
    if (kindOf(callee) != NodeKind::Attribute ||
        context.text(childByField(callee, Field::AttributeName)) != "create_task") {
      return {};
    }
    TSNode receiver = childByField(callee, Field::Object);
    ScopeId receiver_scope = scope;
    std::string loop_name;
    if (kindOf(receiver) == NodeKind::Identifier) {
      // A loop the same function binds once: `loop = asyncio.get_running_loop()`.
      const Resolution resolution =
          semantic.resolve(scope, context.text(receiver), ts_node_start_byte(receiver));
      if (resolution.kind != Resolution::Kind::Bound ||
          semantic.scope(resolution.binding->scope).kind != ScopeKind::Function) {
        return {};
      }
      loop_name = context.text(receiver);
      receiver = singleAssignedValue(context, *resolution.binding, &receiver_scope);
    }
    if (kindOf(receiver) != NodeKind::Call) return {};
    const std::string getter =
        semantic.qualifiedName(receiver_scope, childByField(receiver, Field::Function));
    if (!isLoopGetter(getter)) return {};
    std::string loop = quoted(lastSegment(getter), "()");
    if (!loop_name.empty()) loop = heaplint::quoted(loop_name) + " (from " + loop + ")";
    return "`create_task()` on " + loop;
  }

  // Whether the name a task is bound to appears nowhere else in the function: not read, not
  // rebound, not deleted, not declared global or nonlocal. Any other mention counts as a use.
  static bool isUnusedLocal(const RuleContext& context, const TaskCall& task) {
    const SemanticModel& semantic = context.semantic();
    const std::string_view name = context.text(task.name);
    const Resolution resolution = semantic.resolve(task.scope, name, ts_node_start_byte(task.name));
    if (resolution.kind != Resolution::Kind::Bound || resolution.binding->through_global ||
        semantic.scope(resolution.binding->scope).kind != ScopeKind::Function) {
      return false;
    }
    // An explicit stack over the function's subtree: bounded by the tree, not by recursion.
    std::vector<TSNode> pending{task.function};
    while (!pending.empty()) {
      const TSNode node = pending.back();
      pending.pop_back();
      const NodeKind kind = kindOf(node);
      if (kind == NodeKind::Identifier) {
        if (!sameNode(node, task.name) && context.text(node) == name) return false;
        continue;
      }
      if (kind == NodeKind::String || kind == NodeKind::Comment) continue;
      const uint32_t count = namedChildCount(node);
      for (uint32_t i = 0; i < count; ++i)
        pending.push_back(ts_node_named_child(node, i));
    }
    return true;
  }

  static void report(RuleContext& context, const TaskCall& task, const std::string& what) {
    std::string fate;
    switch (task.fate) {
      case Fate::Discarded:
        fate = "is discarded";
        break;
      case Fate::Underscore:
        fate = "is assigned to `_`";
        break;
      case Fate::LocalName:
        fate = "is bound to " + quoted(context.text(task.name)) + ", which " +
               quoted(functionDisplayName(context,
                                          enclosingFunctionScope(context.semantic(), task.scope)),
                      "()") +
               " never uses again";
        break;
    }
    Diagnostic diagnostic;
    diagnostic.start = ts_node_start_byte(task.call);
    diagnostic.end = ts_node_end_byte(task.call);
    diagnostic.message = "The task from " + what + " " + fate +
                         ": the event loop keeps only a weak reference to it, so it can be "
                         "garbage-collected before it finishes and its exception is lost";
    diagnostic.fix_title =
        "Keep the task (a set of tasks with `add_done_callback(tasks.discard)`), or run it in an "
        "`asyncio.TaskGroup`";
    context.report(std::move(diagnostic));
  }

  bool names_may_be_asyncio_ = false;
  bool looked_at_earlier_runs_ = false;
  std::vector<TaskCall> calls_;
};

constexpr std::array kSubscriptions = {NodeKind::ImportFromStatement, NodeKind::Call};

}  // namespace

extern const RuleDefinition kDanglingAsyncioTask{
    .code = "MEM303",
    .name = "dangling-asyncio-task",
    .summary = "an `asyncio` task that nothing keeps: the loop holds it weakly, it can vanish",
    .documentation = kDocumentation,
    .fix_availability = FixAvailability::None,
    .subscriptions = kSubscriptions,
    .create = []() -> std::unique_ptr<RuleChecker> {
      return std::make_unique<DanglingAsyncioTask>();
    },
    .preview = true,
    .ruff_code = "RUF006",
};

}  // namespace heaplint
