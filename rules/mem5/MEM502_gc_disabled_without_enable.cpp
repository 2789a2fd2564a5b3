// MEM502 gc-disabled-without-enable: a function turns the cyclic garbage collector off with
// `gc.disable()` and does not turn it back on on every way out (a `finally`, a context manager's
// exit, a registered cleanup), so one exception leaves the whole process without it.

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/code_model.h"
#include "analyzer/concat.h"
#include "analyzer/execution_evidence.h"
#include "analyzer/walker.h"
#include "rules/common.h"

namespace heaplint {
namespace {

// A function named for turning the collector off: `disablegc`, `disable_gc`, `gc_disable`,
// `no_gc`, `nogc` (any case), or a word for the collector (`gc`, `garbage`) with one for turning
// it off (`gc_off`, `suspend_gc`, `pause_gc`, `turn_off_garbage_collection`).
bool namesTurningGcOff(std::string_view name) {
  std::string folded;
  for (const char c : name) {
    if (c != '_') folded += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (folded.find("disablegc") != std::string::npos ||
      folded.find("gcdisable") != std::string::npos || folded.find("nogc") != std::string::npos) {
    return true;
  }
  bool collector = false;
  bool off = false;
  for (const std::string& word : nameWords(name)) {
    collector = collector || word == "gc" || word == "garbage";
    off = off || word == "off" || word == "disable" || word == "disabled" || word == "suspend" ||
          word == "suspended" || word == "pause" || word == "paused" || word == "without";
  }
  return collector && off;
}

constexpr std::string_view kDocumentation = R"md(## What it does
Checks for a function that calls `gc.disable()` (through any alias: `import gc as g`,
`from gc import disable`) without calling `gc.enable()` on every way out of it.

The collector counts as re-enabled when the function:

- calls `gc.enable()` in the `finally` clause of a `try` that encloses the `gc.disable()` or
  follows it in the same function (possibly under `if was_enabled:`). This covers a
  `@contextmanager` generator whose `yield` sits in that `try`;
- calls `gc.enable()` both after the `try` and in an `except:` or `except BaseException:`
  handler of it (a hand-written `finally`);
- hands `gc.enable` over as a cleanup (`self.addCleanup(gc.enable)`, `stack.callback(gc.enable)`,
  `atexit.register(gc.enable)`), or returns it to its caller as the undo
  (`return gc.enable`, also as a branch of a conditional expression:
  `return gc.enable if was_enabled else (lambda: None)`, after the `gc.disable()` in its block or
  one around it; not `if not was_enabled: return gc.enable` before it);
- is a method whose class has the closing half of the pair, or a module-level function whose
  module has one: another method (or module-level function) that re-enables the collector and
  never turns it off (`__enter__` and `__exit__`, `start` and `stop`, `pause_gc()` and
  `resume_gc()`), or one named for closing that restores the previous state (a `tearDown`,
  `tearDownModule` or `__exit__` ending in `if not was_enabled: gc.disable()`).

The message says which case it is: the collector is never turned back on; it is re-enabled only
on the normal path (no `finally`: an exception between the two calls leaves it off); or only in
an exception handler.

## Why is this bad?
The cyclic garbage collector is process-wide state. Reference counting still frees most objects
while it is off, but every reference cycle (objects that point at each other, frames held by
tracebacks, closures that capture themselves, parent/child links) is never reclaimed: memory grows
until something turns the collector back on, and nothing else in the program will. Disabling it
around a throughput-critical section is a legitimate technique, but it must be undone on every
path, exceptions included, exactly like releasing a lock.

## Known problems
Deliberate process-wide choices are not flagged: a `gc.disable()` at module level or in a class
body (it runs once, at import, for instance before `gc.freeze()` in a pre-fork server), and one in
a command-line entry point (a function named `main`, `_main` or `cli` at module level or in
the main guard itself, or a click or typer command: `@click.command()`, `@click.group()`, or `@app.command()` / `@cli.group()` on
an app `typer.Typer()` made or a group `@click.group()` made; not discord.py's
`@bot.command()`), which runs the whole process without the collector, or a module-level function that the module calls only from its
`if __name__ == "__main__":` block (also nested: `sys.exit(serve())`) and whose name appears
nowhere else in the file (as a word, comments and strings included), in a file outside a
package (no `__init__.py` beside it: another module may import a package's function),
nor one in a function named for it (`disable_gc()`,
`opt_disablegc()` handling a `--disablegc` option, `no_gc()`, `gc_off()`, `suspend_gc()`,
`turn_off_garbage_collection()`): its caller asked for the collector to go off.
Nor one in a pytest fixture that turns the collector back on after its `yield` (`gc.disable()`,
`yield`, `gc.enable()`, also under `if was_enabled:`): pytest runs that code when the test
ends, failed or not.
Nor one in a function that sets up a worker process when it starts: passed as `initializer=` to
a process pool (`multiprocessing.Pool(4, initializer=init_worker)`, `ProcessPoolExecutor`; not a
thread pool, whose initializer runs in the program's own process) or as `worker_init_fn=` to
PyTorch's `DataLoader`, whose workers are processes, or run as a child process
(`multiprocessing.Process(target=run_worker)`; not a thread), connected to Celery's
`worker_process_init` (`@worker_process_init.connect` or `worker_process_init.connect(f)`) or
uWSGI's `@postfork`, or a module-level gunicorn server hook taking the `server` or the `worker`
(`post_fork`, `post_worker_init`, `pre_fork`, `when_ready`, `on_starting`): the worker runs
without the collector by design. Nor one whose function ends the process in a `finally`
(`finally: os._exit(0)`, as a forked child does), nor one among the own statements of the
child's branch of `os.fork()` (`if pid == 0:` after `pid = os.fork()`, `if not pid:`) when that
branch ends with `os._exit()` and each statement between the two is a `try` (with no `return`
in it, no `break` or `continue` but in a loop of its own, and no `finally`) whose `except:` or
`except BaseException:` handler ends with `os._exit()` too (not `except Exception:`, which lets
`KeyboardInterrupt` through): there is no process left to restore.
Neither is a `gc.disable()` inside a `finally` clause, or after a `gc.enable()` in the same
function: both restore a state the function changed (`finally: if not was_enabled: gc.disable()`).
Nor a class that turns the collector off when it starts (`__init__`, `start()`, `setup()`,
`install()`, `activate()`) and collects in another method: a timer-driven collector that has taken
collection over. Nor, in a test module whose `setUpModule()` (or `setup_module()`) turns the
collector off for all its tests, a test that turns it off again: that is the module's own state.
A `gc.disable()` in a lambda is left alone.

The check follows the structure of the function, not every path through it: an early `return` or
an exception between `gc.disable()` and the `try` whose `finally` re-enables the collector goes
unnoticed, and so does a `finally` that re-enables it only under a condition that is never true.
Pairs are recognised by shape, so a class or module with any closing half hides every
`gc.disable()` of its other methods or functions. A function that disables the collector while
its caller re-enables it (`def inner(): gc.disable()` called inside the caller's `try`/`finally`)
is flagged, as the pairing is not visible from the function. Calls through `from gc import *`,
`getattr(gc, "disable")()`, a variable holding `gc.disable`, or a name that `from gc import` binds
only further down the file are not recognised.

Test code is checked like any other code: a test that leaves the collector off changes every test
that runs after it (use `self.addCleanup(gc.enable)` or `try`/`finally`).

## Example
```python
import gc

def load_index(path):
    gc.disable()
    index = build_index(path)
    gc.enable()
    return index
```

## Use instead
```python
import gc

def load_index(path):
    gc.disable()
    try:
        return build_index(path)
    finally:
        gc.enable()
```

## Fix safety
No fix is offered: where the collector should come back on (and whether it was on to begin with)
is a decision about the code around the call.

## Options
None.

## References
- [Python docs: `gc.disable`](https://docs.python.org/3/library/gc.html#gc.disable)
- [Python docs: the `try` statement (`finally`)](https://docs.python.org/3/reference/compound_stmts.html#finally)
- [Python docs: `contextlib.contextmanager`](https://docs.python.org/3/library/contextlib.html#contextlib.contextmanager)
)md";

// gunicorn's server hooks that run at a worker's (or the pre-fork master's) start.
constexpr auto kServerHooks = std::to_array<std::string_view>({
    "post_fork",
    "post_worker_init",
    "pre_fork",
    "when_ready",
    "on_starting",
});

// Words in a function's name that mark the closing half of a pair.
constexpr auto kClosingWords = std::to_array<std::string_view>({
    "exit",    "aexit",   "tear",     "teardown", "close",    "aclose", "stop",     "resume",
    "restore", "cleanup", "release",  "finish",   "shutdown", "end",    "del",      "disconnect",
    "unpause", "enable",  "reenable", "after",    "leave",    "done",   "finalize",
});

bool nameSaysClosing(std::string_view name) {
  for (const std::string& word : nameWords(name)) {
    if (std::find(kClosingWords.begin(), kClosingWords.end(), word) != kClosingWords.end()) {
      return true;
    }
  }
  return false;
}

// Where a call or reference sits: the body that runs it and the class it is a method of.
struct Site {
  TSNode node{};
  ScopeId scope = kNoScope;
  TSNode owner{};  // the function, lambda, class or module whose body holds it
  NodeKind owner_kind = NodeKind::Module;
  TSNode owner_class{};    // for a method: its class
  bool top_level = false;  // the owner is a function defined directly in the module
  bool in_finally = false;
  bool conditional = false;   // under an `if`, `except`, loop, `and`/`or`, ... of its body
  bool in_except = false;     // in an exception handler of its body
  bool in_catch_all = false;  // in an `except:` or `except BaseException:` handler
  // For `gc.enable` returned (`return gc.enable`): the block that holds the `return`.
  TSNode returned_from{};
};

struct TryWithFinally {
  TSNode statement{};
  TSNode finally_clause{};
  TSNode parent{};  // the block (or module) holding the statement
  TSNode owner{};
};

bool contains(TSNode outer, TSNode inner) {
  return ts_node_start_byte(outer) <= ts_node_start_byte(inner) &&
         ts_node_end_byte(inner) <= ts_node_end_byte(outer);
}

// What a call's callee, or an argument, could be: `X.disable`, `X.enable`, or a bare name (which
// can only be one of them through `from gc import ...`).
bool mayBeGcToggle(TSNode expression, const RuleContext& context, bool names_may_be_gc) {
  const NodeKind kind = kindOf(expression);
  if (kind == NodeKind::Identifier) return names_may_be_gc;
  if (kind != NodeKind::Attribute) return false;
  const std::string_view name = context.text(childByField(expression, Field::AttributeName));
  return name == "disable" || name == "enable" || name == "collect";
}

std::string functionName(const RuleContext& context, const Site& site) {
  std::string name(context.text(childByField(site.owner, Field::Name)));
  if (!ts_node_is_null(site.owner_class)) {
    name = std::string(context.text(childByField(site.owner_class, Field::Name))) + "." + name;
  }
  return name;
}

class GcDisabledWithoutEnable final : public RuleChecker {
 public:
  void onNode(TSNode node, NodeKind kind, RuleContext& context) override {
    if (!looked_at_earlier_runs_) {
      looked_at_earlier_runs_ = true;
      names_may_be_gc_ = earlierRunImportsFrom(context, "gc", ts_node_start_byte(node));
    }
    switch (kind) {
      case NodeKind::ImportFromStatement:
        // `from gc import disable as off`: from here on a bare name may be a gc function.
        if (context.text(childByField(node, Field::ModuleName)) == "gc") names_may_be_gc_ = true;
        break;
      case NodeKind::Call: {
        noteMainGuardCall(context, node);
        const TSNode callee = childByField(node, Field::Function);
        if (mayBeGcToggle(callee, context, names_may_be_gc_) ||
            (kindOf(callee) == NodeKind::Attribute &&
             context.text(childByField(callee, Field::AttributeName)) == "_exit")) {
          calls_.push_back(siteOf(node, context));
        }
        break;
      }
      case NodeKind::ArgumentList: {
        // `gc.enable` handed over as a callback: `self.addCleanup(gc.enable)`.
        const uint32_t count = namedChildCount(node);
        for (uint32_t i = 0; i < count; ++i) {
          const TSNode argument = nthNamedChild(node, i);
          if (mayBeGcToggle(argument, context, names_may_be_gc_)) {
            callbacks_.push_back(siteOf(argument, context));
          }
        }
        noteWorkerInitializer(node, context);
        break;
      }
      case NodeKind::ReturnStatement: {
        // `return gc.enable`, `return gc.enable if was_enabled else (lambda: None)`: the undo
        // handed to the caller, as `pause_collection()` does.
        TSNode value = firstNamedChildSkippingExtras(node);
        std::array<TSNode, 2> returned = {value, TSNode{}};
        if (kindOf(value) == NodeKind::ConditionalExpression) {
          returned = {nthNamedChildSkippingExtras(value, 0), nthNamedChildSkippingExtras(value, 2)};
        }
        for (const TSNode candidate : returned) {
          if (!ts_node_is_null(candidate) && mayBeGcToggle(candidate, context, names_may_be_gc_)) {
            Site site = siteOf(candidate, context);
            site.returned_from = parentOf(node);
            callbacks_.push_back(site);
          }
        }
        break;
      }
      case NodeKind::TryStatement: {
        const TSNode finally_clause = firstChildOfKind(node, NodeKind::FinallyClause);
        if (ts_node_is_null(finally_clause)) break;
        tries_.push_back(
            TryWithFinally{node, finally_clause, context.frame(1).node, context.execution().node});
        break;
      }
      default:
        break;
    }
  }

  void finish(RuleContext& context) override {
    // Analysed in runs, the pool that names an initializer may sit in another run than it.
    if (calls_.empty() && !context.analysingOneRun()) return;
    for (const std::string& initializer : worker_initializers_)
      context.provides(initializer);
    if (calls_.empty()) return;
    std::vector<const Site*> disables;
    std::vector<const Site*> enables;
    for (const Site& site : calls_) {
      const std::string name =
          context.semantic().qualifiedName(site.scope, childByField(site.node, Field::Function));
      if (name == "gc.disable") disables.push_back(&site);
      if (name == "gc.enable") enables.push_back(&site);
      if (name == "gc.collect") collects_.push_back(&site);
      if (name == "os._exit") process_exits_.push_back(&site);
    }
    // A test module whose set-up turns the collector off runs its tests without it.
    for (const Site* disable : disables) {
      if (disable->top_level && isModuleSetUp(context, disable->owner)) {
        context.provides(kModuleRunsWithoutGc);
      }
    }
    // Analysed in runs, the closing half of a module-level pair may sit in another run.
    for (const Site* enable : enables) {
      if (enable->top_level && isClosingHalf(enable->owner, disables, enables, context)) {
        context.provides(kModuleCloser);
        break;
      }
    }
    if (disables.empty()) return;
    std::vector<const Site*> enable_callbacks;
    for (const Site& site : callbacks_) {
      if (context.semantic().resolvesTo(site.scope, site.node, "gc.enable")) {
        enable_callbacks.push_back(&site);
      }
    }
    for (const Site* disable : disables) {
      check(*disable, disables, enables, enable_callbacks, context);
    }
  }

 private:
  Site siteOf(TSNode node, const RuleContext& context) const {
    Site site;
    site.node = node;
    site.scope = context.scope();
    const auto executions = context.executions();
    const ExecutionContext& owner = executions.back();
    site.owner = owner.node;
    site.owner_kind = owner.kind;
    site.in_finally = owner.finally_depth > 0;
    if (owner.kind == NodeKind::FunctionDefinition && executions.size() >= 2) {
      const ExecutionContext& outer = executions[executions.size() - 2];
      if (outer.kind == NodeKind::ClassDefinition) site.owner_class = outer.node;
      site.top_level = outer.kind == NodeKind::Module;
    }
    for (size_t up = 1; up < context.depth(); ++up) {
      const Frame& frame = context.frame(up);
      if (sameNode(frame.node, owner.node)) break;
      switch (frame.kind) {
        case NodeKind::ExceptClause:
        case NodeKind::ExceptGroupClause: {
          site.in_except = true;
          site.conditional = true;
          // `except:` and `except BaseException:` see every exception.
          const TSNode caught = caughtBy(frame.node);
          if (kindOf(caught) == NodeKind::Block || context.text(caught) == "BaseException") {
            site.in_catch_all = true;
          }
          break;
        }
        case NodeKind::IfStatement:
        case NodeKind::ElifClause:
        case NodeKind::ElseClause:
        case NodeKind::ConditionalExpression:
        case NodeKind::BooleanOperator:
        case NodeKind::CaseClause:
        case NodeKind::ForStatement:
        case NodeKind::WhileStatement:
          site.conditional = true;
          break;
        default:
          break;
      }
    }
    return site;
  }

  bool protectedByFinally(const Site& disable, const std::vector<const Site*>& enables) const {
    for (const TryWithFinally& attempt : tries_) {
      if (!sameNode(attempt.owner, disable.owner)) continue;
      const bool encloses = contains(attempt.statement, disable.node) &&
                            !contains(attempt.finally_clause, disable.node);
      const bool follows =
          ts_node_start_byte(attempt.statement) >= ts_node_end_byte(disable.node) &&
          contains(attempt.parent, disable.node);
      if (!encloses && !follows) continue;
      for (const Site* enable : enables) {
        if (sameNode(enable->owner, disable.owner) &&
            contains(attempt.finally_clause, enable->node)) {
          return true;
        }
      }
    }
    return false;
  }

  // Whether `statement` is a call of `os._exit()`.
  static bool exitsTheProcess(TSNode statement, ScopeId scope, const RuleContext& context) {
    if (kindOf(statement) != NodeKind::ExpressionStatement) return false;
    const TSNode call = firstNamedChildSkippingExtras(statement);
    return kindOf(call) == NodeKind::Call &&
           context.semantic().qualifiedName(scope, childByField(call, Field::Function)) ==
               "os._exit";
  }

  // The last statement of a block, comments skipped.
  static TSNode lastStatement(TSNode block) {
    TSNode last = ts_node_named_child(block, namedChildCount(block) - 1);
    while (kindOf(last) == NodeKind::Comment)
      last = ts_node_prev_named_sibling(last);
    return last;
  }

  // `pid == 0`, `0 == pid` or `not pid`, with `pid = os.fork()` among the statements before the
  // `if`, or `os.fork() == 0` itself: the test that the forked child takes.
  static bool testsForForkedChild(TSNode statement, ScopeId scope, const RuleContext& context) {
    const TSNode condition = unparenthesized(childByField(statement, Field::Condition));
    TSNode tested{};
    if (kindOf(condition) == NodeKind::NotOperator) {
      tested = childByField(condition, Field::Argument);
    } else if (kindOf(condition) == NodeKind::ComparisonOperator &&
               namedChildCountSkippingExtras(condition) == 2 &&
               context.text(childByField(condition, Field::Operators)) == "==") {
      const TSNode left = nthNamedChildSkippingExtras(condition, 0);
      const TSNode right = nthNamedChildSkippingExtras(condition, 1);
      if (context.text(right) == "0") tested = left;
      if (context.text(left) == "0") tested = right;
    }
    const auto isFork = [&](TSNode call) {
      return kindOf(call) == NodeKind::Call &&
             context.semantic().qualifiedName(scope, childByField(call, Field::Function)) ==
                 "os.fork";
    };
    if (isFork(tested)) return true;
    if (kindOf(tested) != NodeKind::Identifier) return false;
    for (TSNode before = ts_node_prev_named_sibling(statement); !ts_node_is_null(before);
         before = ts_node_prev_named_sibling(before)) {
      if (kindOf(before) != NodeKind::ExpressionStatement) continue;
      const TSNode assignment = firstNamedChildSkippingExtras(before);
      if (kindOf(assignment) == NodeKind::Assignment &&
          context.text(childByField(assignment, Field::Left)) == context.text(tested)) {
        return isFork(childByField(assignment, Field::Right));
      }
    }
    return false;
  }

  // A `gc.disable()` among the statements of the child's branch of an `os.fork()` (`if pid ==
  // 0:`) that ends the process on every way out: the branch ends with `os._exit()`, and each
  // statement between the two is a `try` without `return` whose `except:` or
  // `except BaseException:` handler ends with `os._exit()` too. No process is left to restore.
  // Whether `node` (a `break` or `continue`) is in the body of a loop inside `outer`: it leaves
  // that loop, not one around `outer` (a loop's `else` does not count as its body).
  static bool inLoopBodyWithin(TSNode node, TSNode outer) {
    for (TSNode child = node, parent = parentOf(node);
         !ts_node_is_null(parent) && !ts_node_eq(child, outer);
         child = parent, parent = parentOf(parent)) {
      const NodeKind kind = kindOf(parent);
      if ((kind == NodeKind::ForStatement || kind == NodeKind::WhileStatement) &&
          ts_node_eq(childByField(parent, Field::Body), child)) {
        return true;
      }
    }
    return false;
  }

  static bool inForkedChildThatExits(const Site& disable, const RuleContext& context) {
    const TSNode statement = parentOf(disable.node);
    const TSNode block = parentOf(statement);
    const TSNode branch = parentOf(block);
    if (kindOf(statement) != NodeKind::ExpressionStatement ||
        kindOf(branch) != NodeKind::IfStatement ||
        !ts_node_eq(childByField(branch, Field::Consequence), block) ||
        !testsForForkedChild(branch, disable.scope, context) ||
        !exitsTheProcess(lastStatement(block), disable.scope, context)) {
      return false;
    }
    for (TSNode next = ts_node_next_named_sibling(statement);
         !ts_node_eq(next, lastStatement(block)); next = ts_node_next_named_sibling(next)) {
      if (kindOf(next) == NodeKind::Comment) continue;
      if (kindOf(next) != NodeKind::TryStatement) return false;
      // A `finally` runs its own code on the way out, which may leave the child running.
      if (!ts_node_is_null(firstChildOfKind(next, NodeKind::FinallyClause))) return false;
      bool returns = false;
      visitSubtree(next, [&](TSNode node, TSFieldId /*field*/) {
        const NodeKind kind = kindOf(node);
        if (kind == NodeKind::FunctionDefinition || kind == NodeKind::ClassDefinition ||
            kind == NodeKind::Lambda) {
          return Visit::SkipChildren;
        }
        returns = returns || kind == NodeKind::ReturnStatement || kind == NodeKind::Yield ||
                  ((kind == NodeKind::BreakStatement || kind == NodeKind::ContinueStatement) &&
                   !inLoopBodyWithin(node, next));
        return returns ? Visit::Stop : Visit::Descend;
      });
      if (returns) return false;
      bool exits_on_any_error = false;
      const uint32_t count = namedChildCount(next);
      for (uint32_t i = 0; i < count; ++i) {
        const TSNode clause = nthNamedChild(next, i);
        if (kindOf(clause) != NodeKind::ExceptClause) continue;
        const TSNode caught = caughtBy(clause);
        const bool catch_all =
            kindOf(caught) == NodeKind::Block || context.text(caught) == "BaseException";
        exits_on_any_error = exits_on_any_error ||
                             (catch_all && exitsTheProcess(lastStatement(lastStatement(clause)),
                                                           disable.scope, context));
      }
      if (!exits_on_any_error) return false;
    }
    return true;
  }

  // The `os._exit()` calls that are statements of a `finally` clause itself, not under an `if`
  // in it (`finally: if pid == 0: os._exit(0)` leaves the parent running without the
  // collector).
  std::vector<const Site*> unconditionalExits() const {
    std::vector<const Site*> exits;
    for (const Site* exit : process_exits_) {
      const TSNode statement = parentOf(exit->node);
      if (kindOf(statement) == NodeKind::ExpressionStatement &&
          kindOf(parentOf(parentOf(statement))) == NodeKind::FinallyClause) {
        exits.push_back(exit);
      }
    }
    return exits;
  }

  // The key a run provides for a function (or, `method`, a method) that a process pool runs in
  // each worker it starts.
  static std::string initializerKey(bool method, std::string_view name) {
    return concat(method ? "MEM502 worker initializer method " : "MEM502 worker initializer ",
                  name);
  }

  // `Pool(4, initializer=_init_worker)`, `ProcessPoolExecutor(initializer=self._setup)`,
  // `worker_process_init.connect(_init_worker)`: a function each worker process runs when it
  // starts. Thread pools are not: their initializer runs in the program's own process.
  void noteWorkerInitializer(TSNode arguments, const RuleContext& context) {
    const TSNode callee = childByField(parentOf(arguments), Field::Function);
    const std::string_view pool = kindOf(callee) == NodeKind::Attribute
                                      ? context.text(childByField(callee, Field::AttributeName))
                                      : context.text(callee);
    TSNode initializer{};
    // `multiprocessing.dummy.Pool` is a pool of threads, also as `Pool` imported from there
    // (the text is searched once, for the first call of `Pool` or `Process`: once per argument
    // list is quadratic).
    const auto threads = [&] {
      if (context.text(callee).find("dummy") != std::string_view::npos) return true;
      if (kindOf(callee) != NodeKind::Identifier) return false;
      if (!names_dummy_.has_value()) {
        names_dummy_ =
            context.source().text().find("multiprocessing.dummy") != std::string_view::npos;
      }
      return *names_dummy_;
    };
    if ((pool == "Pool" && !threads()) || pool == "ProcessPoolExecutor") {
      // `Pool(4, init_worker)`: the initializer is Pool's second parameter (ProcessPoolExecutor
      // takes it third, after `mp_context`).
      initializer = nthNamedChildSkippingExtras(arguments, pool == "Pool" ? 1 : 2);
      if (kindOf(initializer) == NodeKind::KeywordArgument) initializer = TSNode{};
      if (const TSNode named = keywordArgumentValue(context, arguments, "initializer");
          !ts_node_is_null(named)) {
        initializer = named;
      }
    } else if (context.text(callee).ends_with("worker_process_init.connect")) {
      initializer = firstNamedChildSkippingExtras(arguments);
    } else if (pool == "DataLoader") {
      // PyTorch's `DataLoader(..., worker_init_fn=seed_worker)`: each loader worker is a process.
      initializer = keywordArgumentValue(context, arguments, "worker_init_fn");
    } else if (pool == "Process" && !threads()) {
      // `multiprocessing.Process(target=run_worker)`: the target is the child process's run.
      initializer = keywordArgumentValue(context, arguments, "target");
    }
    if (kindOf(initializer) == NodeKind::Identifier) {
      worker_initializers_.push_back(initializerKey(false, context.text(initializer)));
    } else if (kindOf(initializer) == NodeKind::Attribute) {
      worker_initializers_.push_back(
          initializerKey(true, context.text(childByField(initializer, Field::AttributeName))));
    }
  }

  // A function a worker process runs when it starts, to set itself up: passed as `initializer=`
  // to a process pool (`multiprocessing.Pool`, `ProcessPoolExecutor`), connected to Celery's
  // `worker_process_init`, uWSGI's `@postfork`, or a gunicorn server hook (`post_fork`,
  // `post_worker_init`, `pre_fork`, `when_ready`, `on_starting`, taking the `server` or the
  // `worker`). A worker (or a pre-fork master) that runs without the collector is a choice for
  // the whole process.
  static bool startsAWorkerProcess(const Site& disable, std::string_view function_name,
                                   const RuleContext& context) {
    // A function (module-level or nested) or a method, by its name.
    const std::string key = initializerKey(!ts_node_is_null(disable.owner_class), function_name);
    context.dependsOn(key);
    if (context.moduleProvides(key)) return true;
    // `def post_fork(server, worker):` at module level, as gunicorn's configuration has it.
    TSNode first = firstNamedChildSkippingExtras(childByField(disable.owner, Field::Parameters));
    if (kindOf(first) != NodeKind::Identifier) first = firstNamedChildSkippingExtras(first);
    const std::string_view first_parameter = context.text(first);
    if (disable.top_level &&
        std::find(kServerHooks.begin(), kServerHooks.end(), function_name) != kServerHooks.end() &&
        (first_parameter == "server" || first_parameter == "worker")) {
      return true;
    }
    const TSNode definition = parentOf(disable.owner);
    if (kindOf(definition) != NodeKind::DecoratedDefinition) return false;
    const uint32_t count = namedChildCount(definition);
    for (uint32_t i = 0; i < count; ++i) {
      const TSNode decorator = nthNamedChild(definition, i);
      if (kindOf(decorator) != NodeKind::Decorator) continue;
      const std::string_view text = context.text(decorator);
      if (text.find("worker_process_init") != std::string_view::npos ||
          text.find("postfork") != std::string_view::npos) {
        return true;
      }
    }
    return false;
  }

  // A `gc.disable()` that puts back a state its function changed: inside a `finally`
  // (`finally: if not was_enabled: gc.disable()`), or after a `gc.enable()` in the same function.
  static bool restoresState(const Site& disable, const std::vector<const Site*>& enables) {
    if (disable.in_finally) return true;
    for (const Site* enable : enables) {
      if (sameNode(enable->owner, disable.owner) &&
          ts_node_end_byte(enable->node) <= ts_node_start_byte(disable.node)) {
        return true;
      }
    }
    return false;
  }

  // Does the function turn the collector off for its caller (other than to restore a state)?
  static bool disablesIn(TSNode owner, const std::vector<const Site*>& disables,
                         const std::vector<const Site*>& enables) {
    for (const Site* disable : disables) {
      if (sameNode(disable->owner, owner) && !restoresState(*disable, enables)) return true;
    }
    return false;
  }

  // Does `owner` hand the collector back on: some `gc.enable()` in it is not followed by an
  // unconditional `gc.disable()`?
  static bool leavesEnabled(TSNode owner, const std::vector<const Site*>& disables,
                            const std::vector<const Site*>& enables) {
    if (disablesIn(owner, disables, enables)) return false;
    for (const Site* enable : enables) {
      if (!sameNode(enable->owner, owner)) continue;
      bool undone = false;
      for (const Site* disable : disables) {
        undone = undone || (sameNode(disable->owner, owner) && !disable->conditional &&
                            ts_node_start_byte(disable->node) >= ts_node_end_byte(enable->node));
      }
      if (!undone) return true;
    }
    return false;
  }

  static bool disablesAtAll(TSNode owner, const std::vector<const Site*>& disables) {
    for (const Site* disable : disables) {
      if (sameNode(disable->owner, owner)) return true;
    }
    return false;
  }

  // Another method of the same class, or another module-level function, that is the closing half
  // of a pair (`__enter__`/`__exit__`, `setUp`/`tearDown`, `pause()`/`resume()`): it hands the
  // collector back on and never turns it off, or it is named for closing (a `tearDown` that
  // restores `if not was_enabled: gc.disable()`). A test that turns the collector on for a while
  // and restores it afterwards is no such half.
  // A module-level function of the run is the closing half of a pair.
  static constexpr std::string_view kModuleCloser = "MEM502 module-level function re-enables gc";

  static bool isClosingHalf(TSNode owner, const std::vector<const Site*>& disables,
                            const std::vector<const Site*>& enables, const RuleContext& context) {
    return leavesEnabled(owner, disables, enables) &&
           (!disablesAtAll(owner, disables) ||
            nameSaysClosing(context.text(childByField(owner, Field::Name))));
  }

  // (A function that turns the collector off for its caller is never a closing half itself, so
  // the module-level half found by key is always another function.)
  static bool pairedElsewhere(const Site& disable, const std::vector<const Site*>& disables,
                              const std::vector<const Site*>& enables, RuleContext& context) {
    for (const Site* enable : enables) {
      if (sameNode(enable->owner, disable.owner)) continue;
      const bool same_class = !ts_node_is_null(disable.owner_class) &&
                              sameNode(enable->owner_class, disable.owner_class);
      if (same_class && isClosingHalf(enable->owner, disables, enables, context)) return true;
    }
    if (disable.top_level) {
      context.dependsOn(kModuleCloser);
      return context.moduleProvides(kModuleCloser);
    }
    return false;
  }

  void check(const Site& disable, const std::vector<const Site*>& disables,
             const std::vector<const Site*>& enables,
             const std::vector<const Site*>& enable_callbacks, RuleContext& context) const {
    // Module and class bodies run once: a deliberate process-wide choice. Lambdas are callbacks
    // whose caller is out of sight.
    if (disable.owner_kind != NodeKind::FunctionDefinition) return;
    // A command-line `main()` turning the collector off for the whole run is the same choice.
    const std::string_view function_name = context.text(childByField(disable.owner, Field::Name));
    if (disable.top_level && (isCommandLineEntryPoint(context, disable.owner) ||
                              calledOnlyFromMainGuard(context, disable.owner, words_))) {
      return;
    }
    // `def opt_disablegc(self)` (trial's `--disablegc`), `def disable_gc()`: turning the collector
    // off is what the function is for, and its caller asked for it.
    if (namesTurningGcOff(function_name)) return;
    if (startsAWorkerProcess(disable, function_name, context)) return;
    if (restoresState(disable, enables)) return;
    if (inForkedChildThatExits(disable, context)) return;
    if (takesCollectionOver(disable, context) || moduleRunsWithoutGc(disable, context)) return;
    bool enabled_after = false;     // on the normal path
    bool enabled_on_error = false;  // in exception handlers
    bool enabled_on_any_error = false;
    for (const Site* enable : enables) {
      if (sameNode(enable->owner, disable.owner) &&
          ts_node_start_byte(enable->node) >= ts_node_end_byte(disable.node)) {
        (enable->in_except ? enabled_on_error : enabled_after) = true;
        enabled_on_any_error = enabled_on_any_error || enable->in_catch_all;
      }
    }
    // A hand-written `finally`: `except BaseException: gc.enable(); raise` plus the normal path.
    if (enabled_after && enabled_on_any_error) return;
    if (enabled_after && fixtureEnablesAfterYield(disable, enables, context)) return;
    if (protectedByFinally(disable, enables)) return;
    // A forked child that ends with `finally: os._exit(0)`: no process is left to restore.
    if (protectedByFinally(disable, unconditionalExits())) return;
    for (const Site* callback : enable_callbacks) {
      if (!sameNode(callback->owner, disable.owner)) continue;
      // A returned `gc.enable` undoes this disable only when the `return` follows it in its own
      // block or one around it (not `if not was_enabled: return gc.enable` before it).
      const TSNode block = callback->returned_from;
      if (!ts_node_is_null(block) &&
          (ts_node_start_byte(callback->node) < ts_node_end_byte(disable.node) ||
           ts_node_start_byte(disable.node) < ts_node_start_byte(block) ||
           ts_node_end_byte(disable.node) > ts_node_end_byte(block))) {
        continue;
      }
      return;
    }
    if (pairedElsewhere(disable, disables, enables, context)) return;

    const TSNode callee = childByField(disable.node, Field::Function);
    std::string call = quoted(context.text(callee), "()");
    if (context.text(callee) != "gc.disable") call += " (`gc.disable()`)";
    const std::string function = quoted(functionName(context, disable), "()");
    Diagnostic diagnostic;
    diagnostic.start = ts_node_start_byte(disable.node);
    diagnostic.end = ts_node_end_byte(disable.node);
    if (enabled_after) {
      diagnostic.message = function +
                           " re-enables the garbage collector only on the normal path: an "
                           "exception after " +
                           call + " skips `gc.enable()` and leaves the collector off";
      diagnostic.fix_title = "Call `gc.enable()` in a `finally` clause";
    } else if (enabled_on_error) {
      diagnostic.message = function +
                           " re-enables the garbage collector only in an exception handler: on "
                           "the normal path " +
                           call + " leaves it off";
      diagnostic.fix_title = "Call `gc.enable()` in a `finally` clause";
    } else {
      diagnostic.message = function + " turns the garbage collector off with " + call +
                           " and never turns it back on: until something else does, reference "
                           "cycles anywhere in the process are never reclaimed";
      diagnostic.fix_title =
          "Re-enable it in a `finally` clause (`try: ... finally: gc.enable()`) or a context "
          "manager";
    }
    context.report(std::move(diagnostic));
  }

  // A pytest fixture (`@pytest.fixture`, any decorator spelled `...fixture`) that turns the
  // collector off before its `yield` and back on after it (`if was_enabled:` too): pytest resumes
  // the fixture when the test ends, failed or not, so the code after the `yield` always runs.
  static bool fixtureEnablesAfterYield(const Site& disable, const std::vector<const Site*>& enables,
                                       const RuleContext& context) {
    const TSNode definition = parentOf(disable.owner);
    if (kindOf(definition) != NodeKind::DecoratedDefinition) return false;
    bool fixture = false;
    const uint32_t count = namedChildCount(definition);
    for (uint32_t i = 0; i < count && !fixture; ++i) {
      const TSNode decorator = nthNamedChild(definition, i);
      if (kindOf(decorator) != NodeKind::Decorator) continue;
      TSNode named = firstNamedChildSkippingExtras(decorator);
      if (kindOf(named) == NodeKind::Call) named = childByField(named, Field::Function);
      fixture = context.text(named).ends_with("fixture");
    }
    if (!fixture) return false;
    uint32_t yielded_at = 0;  // the end of the first `yield` after the disable, or 0
    visitSubtree(childByField(disable.owner, Field::Body), [&](TSNode node, TSFieldId /*field*/) {
      const NodeKind kind = kindOf(node);
      if (kind == NodeKind::FunctionDefinition || kind == NodeKind::ClassDefinition ||
          kind == NodeKind::Lambda || ts_node_end_byte(node) <= ts_node_end_byte(disable.node)) {
        return Visit::SkipChildren;
      }
      if (kind == NodeKind::Yield) yielded_at = ts_node_end_byte(node);
      return yielded_at != 0 ? Visit::Stop : Visit::Descend;
    });
    if (yielded_at == 0) return false;
    for (const Site* enable : enables) {
      if (sameNode(enable->owner, disable.owner) && !enable->in_except &&
          ts_node_start_byte(enable->node) >= yielded_at) {
        return true;
      }
    }
    return false;
  }

  // A class that turns the collector off when it starts (`__init__`, `start()`, ...) and collects
  // in another method (a timer-driven collector) has taken collection over on purpose.
  bool takesCollectionOver(const Site& disable, const RuleContext& context) const {
    if (ts_node_is_null(disable.owner_class)) return false;
    const std::string_view method = context.text(childByField(disable.owner, Field::Name));
    if (method != "__init__" && method != "start" && method != "setup" && method != "install" &&
        method != "activate") {
      return false;
    }
    for (const Site* collect : collects_) {
      if (sameNode(collect->owner_class, disable.owner_class) &&
          !sameNode(collect->owner, disable.owner)) {
        return true;
      }
    }
    return false;
  }

  static bool isModuleSetUp(const RuleContext& context, TSNode function) {
    const std::string_view name = context.text(childByField(function, Field::Name));
    return name == "setUpModule" || name == "setup_module";
  }

  // Said of a module whose `setUpModule()` turns the collector off: a test in it that turns the
  // collector off (again) leaves the module's own state, which `tearDownModule()` restores.
  static constexpr std::string_view kModuleRunsWithoutGc = "MEM502 module set-up disables gc";

  static bool moduleRunsWithoutGc(const Site& disable, RuleContext& context) {
    if (disable.top_level && isModuleSetUp(context, disable.owner)) return false;
    context.dependsOn(kModuleRunsWithoutGc);
    return context.moduleProvides(kModuleRunsWithoutGc);
  }

  bool names_may_be_gc_ = false;
  bool looked_at_earlier_runs_ = false;
  std::optional<bool> names_dummy_;         // the text names `multiprocessing.dummy`, once asked
  std::vector<const Site*> collects_;       // resolved in finish()
  std::vector<const Site*> process_exits_;  // `os._exit()`, resolved in finish()
  std::vector<std::string> worker_initializers_;  // their keys (initializerKey)
  std::vector<Site> calls_;
  std::vector<Site> callbacks_;
  // The file's words, for calledOnlyFromMainGuard (asked from the const check()).
  mutable WordCounts words_;
  std::vector<TryWithFinally> tries_;
};

constexpr std::array kSubscriptions = {NodeKind::ImportFromStatement, NodeKind::Call,
                                       NodeKind::ArgumentList, NodeKind::TryStatement,
                                       NodeKind::ReturnStatement};

}  // namespace

extern const RuleDefinition kGcDisabledWithoutEnable{
    .code = "MEM502",
    .name = "gc-disabled-without-enable",
    .summary = "`gc.disable()` in a function that does not re-enable the collector on every exit",
    .documentation = kDocumentation,
    .fix_availability = FixAvailability::None,
    // A test that leaves the collector off changes every test after it.
    .test_code = TestCode::Check,
    .subscriptions = kSubscriptions,
    .create = []() -> std::unique_ptr<RuleChecker> {
      return std::make_unique<GcDisabledWithoutEnable>();
    },
    .needs_text = "gc",
};

}  // namespace heaplint
