// MEM503 gc-debug-saveall: `gc.set_debug(gc.DEBUG_SAVEALL)` (or `gc.DEBUG_LEAK`, which includes
// it) left in code: the collector stops freeing what it finds and appends it to `gc.garbage`.

#include <algorithm>
#include <array>
#include <cctype>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/execution_evidence.h"
#include "analyzer/walker.h"
#include "rules/common.h"

namespace heaplint {
namespace {

constexpr std::string_view kDocumentation = R"md(## What it does
Checks for `gc.set_debug(...)` calls whose flags include `gc.DEBUG_SAVEALL` or `gc.DEBUG_LEAK`
(which includes `DEBUG_SAVEALL`), through any alias (`import gc as g`,
`from gc import set_debug, DEBUG_SAVEALL`, `g.DEBUG_LEAK | g.DEBUG_STATS`), unless the same
function later puts the flags back (`gc.set_debug(0)`, or `gc.set_debug(old)` with flags saved
from `gc.get_debug()`).

## Why is this bad?
With `DEBUG_SAVEALL` set, the cyclic garbage collector still finds unreachable objects but no
longer frees them: it appends every one to `gc.garbage`, a module-level list that nothing empties.
From then on every reference cycle the program drops stays in memory for the life of the process,
and `DEBUG_LEAK` also prints a line to stderr for each of them. The flag is a leak-hunting tool,
meant for a debugging session; left in code, it is a leak of its own.

## Known problems
Flags are read from the call's argument: names or attributes that resolve to `gc.DEBUG_SAVEALL`
or `gc.DEBUG_LEAK`, combined with `|` or `+`. Flags held in a variable
(`flags = gc.DEBUG_LEAK; gc.set_debug(flags)`), flags combined with `^`, and calls through
`from gc import *`, a variable holding `gc.set_debug` or a name that `from gc import` binds only
further down the file are not recognised. A flag cleared with `& ~gc.DEBUG_SAVEALL` is not
reported.

Not flagged, on purpose:

- test code (the shared `test-file-patterns`: `test_*.py`, `conftest.py`, `tests/`,
  `testing/`, `benchmarks/`, ...): tests set the flag to check for reference cycles;
- a call followed, in the same function or at module level, by a `gc.set_debug(...)` without
  these flags, a method whose class resets the flags in another method (`__enter__` and
  `__exit__`, `setUp` and `tearDown`), and a module-level function whose module resets them in
  its counterpart: the module-level function whose name is the setter's with the word `start`,
  `setup`, `begin`, `enter` or `open` replaced by `stop`, `teardown`, `end`, `exit` or `close`
  (`start()` and `stop()`, pytest's `pytest_runtest_setup()` and `pytest_runtest_teardown()`;
  not a `reset()` beside a `begin()`). The reset is taken on trust: one that is skipped when an
  exception is raised, or a counterpart that is never called, is not noticed;
- a call guarded by a condition that names a debug, leak or cycle switch (the text `debug` or
  `leak`, or the word `cycle` or `cycles` with `find`, `detect`, `hunt` or `check`:
  `if settings.DEBUG_GC:`, `if args.debug:`, `if args.find_cycles:`,
  `if os.environ.get("MYAPP_FIND_CYCLES"):`; not `if state.cycle == 1000:`), in the branch
  taken when it holds (not under `if not args.find_cycles:` nor in its `else`), or after a
  guard clause on one earlier in its function (`if not settings.DEBUG: return`): the flag is then an explicit opt-in;
- a call under `if __name__ == "__main__":` (a script's run, which ends with its process), or
  in a one-shot command: a function named `main`, `_main` or `cli` (at module level or in the
  main guard), a click or typer command (`@click.command()`, `@click.group()`, or `@app.command()` / `@cli.group()` on
  an app `typer.Typer()` made or a group `@click.group()` made; not discord.py's
  `@bot.command()`), a module-level function
  that the module calls only from its `if __name__ == "__main__":` block (also nested:
  `sys.exit(main())`) and whose name appears nowhere else in the file (as a word, comments and
  strings included), in a file outside a package (no `__init__.py` beside it: another module
  may import a package's function), or `handle()` of a class `Command` in a module
  under a `management/commands/` folder (a Django management command); or a call in a module
  that imports a memory profiler (`objgraph`, `pympler`, `guppy`, `memory_profiler`, `memray`;
  not `tracemalloc`, which services import for their statistics): leak-hunting tools, where the
  flag is the instrument. A script whose `__main__` block or `main()` serves forever keeps the
  flag for good and is not told apart.

Other than those entry points, a function's name is not taken as a switch: `debug_endpoint()` in
a web application turns the flag on for the whole server process.

## Example
```python
import gc

def find_cycles():
    gc.set_debug(gc.DEBUG_SAVEALL)
    gc.collect()
    return list(gc.garbage)
```

## Use instead
```python
import gc

def find_cycles():
    old_flags = gc.get_debug()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        return list(gc.garbage)
    finally:
        gc.set_debug(old_flags)
        gc.garbage.clear()
```

## Fix safety
No fix is offered. Removing the flag looks harmless, but it changes what a debugging session
sees: code that reads `gc.garbage` afterwards finds it empty, and `DEBUG_LEAK`'s report on stderr
disappears. Whether the flag is a leftover to delete or a tool to scope with a `finally` is for
the author to decide.

## Options
`test-file-patterns` (shared with the other rules that leave tests alone; `extend-test-file-patterns`
adds to it): `test_*.py`, `*_test.py`, `tests.py`, `tests_*.py`, `*_tests.py`, `testutils.py`,
`conftest.py`, `tests/`, `test/`, `testing/`, `benchmarks/` by default. A pattern ending in `/`
names a directory anywhere in the path.

## References
- [Python docs: `gc.set_debug` and `gc.DEBUG_SAVEALL`](https://docs.python.org/3/library/gc.html#gc.DEBUG_SAVEALL)
- [Python docs: `gc.garbage`](https://docs.python.org/3/library/gc.html#gc.garbage)
)md";

struct SetDebugCall {
  TSNode call{};
  ScopeId scope = kNoScope;
  TSNode owner{};  // the function, lambda, class or module whose body runs it
  NodeKind owner_kind = NodeKind::Module;
  TSNode owner_class{};    // for a method: its class
  bool top_level = false;  // the owner is a function defined directly in the module
  bool guarded = false;    // under a condition that names a debug switch
};

// The opening and closing words of a pair of module-level functions: `start()` and `stop()`,
// `pytest_runtest_setup()` and `pytest_runtest_teardown()`.
constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kOpenClose = {{
    {"start", "stop"},
    {"setup", "teardown"},
    {"begin", "end"},
    {"enter", "exit"},
    {"open", "close"},
}};

// A function's name as the words nameWords gives, joined by `_`.
std::string joinedWords(const std::vector<std::string>& words) {
  std::string joined;
  for (const std::string& word : words) {
    if (!joined.empty()) joined += '_';
    joined += word;
  }
  return joined;
}

// Does a condition name a debug, leak or cycle switch (`settings.DEBUG_GC`, `args.find_leaks`,
// `args.find_cycles`)? The gc module's own names do not count, and neither does `__debug__`,
// true unless Python runs with -O.
bool namesDebugSwitch(std::string_view condition) {
  std::string lowered;
  lowered.reserve(condition.size());
  for (char c : condition) {
    lowered += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  for (std::string_view ignored : {"__debug__", "get_debug", "debug_stats", "debug_collectable",
                                   "debug_uncollectable", "debug_saveall", "debug_leak"}) {
    for (size_t at = lowered.find(ignored); at != std::string::npos;
         at = lowered.find(ignored, at)) {
      lowered.replace(at, ignored.size(), ignored.size(), ' ');
    }
  }
  if (lowered.find("debug") != std::string::npos || lowered.find("leak") != std::string::npos) {
    return true;
  }
  // `os.environ.get("MYAPP_FIND_CYCLES")`, `args.find_cycles`: a switch for hunting cycles, the
  // word `cycle(s)` with find, detect, hunt or check (not `state.cycle == 1000`).
  const std::vector<std::string> words = nameWords(condition);
  const auto has = [&](std::initializer_list<std::string_view> wanted) {
    return std::any_of(words.begin(), words.end(), [&](const std::string& word) {
      return std::find(wanted.begin(), wanted.end(), word) != wanted.end();
    });
  };
  return has({"cycle", "cycles"}) && has({"find", "detect", "hunt", "check"});
}

enum class Flag : uint8_t { None, SaveAll, Leak };

class GcDebugSaveall final : public RuleChecker {
 public:
  void onNode(TSNode node, NodeKind kind, RuleContext& context) override {
    if (!looked_at_earlier_runs_) {
      looked_at_earlier_runs_ = true;
      names_may_be_gc_ = earlierRunImportsFrom(context, "gc", ts_node_start_byte(node));
    }
    if (kind == NodeKind::Call) noteMainGuardCall(context, node);
    if (context.isTestFile()) return;
    if (kind == NodeKind::ImportFromStatement) {
      // `from gc import set_debug`: from here on a bare name may be a gc function.
      if (context.text(childByField(node, Field::ModuleName)) == "gc") names_may_be_gc_ = true;
      return;
    }
    const TSNode callee = childByField(node, Field::Function);
    const NodeKind callee_kind = kindOf(callee);
    if (callee_kind == NodeKind::Attribute) {
      if (context.text(childByField(callee, Field::AttributeName)) != "set_debug") return;
    } else if (callee_kind != NodeKind::Identifier || !names_may_be_gc_) {
      return;
    }
    SetDebugCall call;
    call.call = node;
    call.scope = context.scope();
    const auto executions = context.executions();
    const ExecutionContext& owner = executions.back();
    call.owner = owner.node;
    call.owner_kind = owner.kind;
    if (owner.kind == NodeKind::FunctionDefinition && executions.size() >= 2 &&
        executions[executions.size() - 2].kind == NodeKind::ClassDefinition) {
      call.owner_class = executions[executions.size() - 2].node;
    }
    call.top_level = owner.kind == NodeKind::FunctionDefinition && executions.size() == 2 &&
                     executions[0].kind == NodeKind::Module;
    for (size_t up = 1; up < context.depth() && !call.guarded; ++up) {
      const Frame& frame = context.frame(up);
      if (sameNode(frame.node, owner.node)) break;
      if (frame.kind == NodeKind::IfStatement || frame.kind == NodeKind::ElifClause ||
          frame.kind == NodeKind::ConditionalExpression) {
        const TSNode condition = frame.kind == NodeKind::ConditionalExpression
                                     ? nthNamedChild(frame.node, 1)
                                     : childByField(frame.node, Field::Condition);
        const std::string_view text = context.text(condition);
        // The branch taken when the condition holds: an `if`'s or `elif`'s body, the value before
        // a conditional expression's `if`; not its `else`.
        const bool holds = frame.kind == NodeKind::ConditionalExpression
                               ? sameNode(context.frame(up - 1).node, nthNamedChild(frame.node, 0))
                               : context.frame(up - 1).field == Field::Consequence;
        // `if __name__ == "__main__":` (its body, not its `else`): a script's run, which ends
        // with its process.
        const bool main_guard = frame.kind != NodeKind::ConditionalExpression && holds &&
                                isMainGuard(context, condition);
        // A switch turned on (not `if not args.find_cycles:`, nor its `else`).
        const bool switched = holds &&
                              kindOf(unparenthesized(condition)) != NodeKind::NotOperator &&
                              namesDebugSwitch(text);
        call.guarded = switched || main_guard;
      }
    }
    if (!call.guarded && owner.kind == NodeKind::FunctionDefinition) {
      call.guarded = afterDebugGuardClause(context, owner.node, node);
    }
    // A one-shot command: a Django management command's `handle()` (and, asked in finish(),
    // once imports resolve, a script's `main()`, a click or typer command, or a function the
    // module calls only from its main guard). Its process ends when it returns, as a main
    // guard's does.
    if (!call.guarded && owner.kind == NodeKind::FunctionDefinition) {
      call.guarded = isDjangoCommandHandle(context, owner.node);
    }
    calls_.push_back(call);
  }

  // `if not settings.DEBUG: return` among the statements of `function` before the one holding
  // `call`: what follows runs only in debugging, as if under `if settings.DEBUG:`.
  static bool afterDebugGuardClause(const RuleContext& context, TSNode function, TSNode call) {
    const TSNode body = childByField(function, Field::Body);
    const uint32_t count = namedChildCount(body);
    for (uint32_t i = 0; i < count; ++i) {
      const TSNode statement = nthNamedChild(body, i);
      if (ts_node_end_byte(statement) >= ts_node_end_byte(call)) return false;
      if (kindOf(statement) != NodeKind::IfStatement) continue;
      // `if not <switch>:` only: `if settings.DEBUG: return` sets the flag outside debugging.
      const NodeKind exits =
          kindOf(firstNamedChildSkippingExtras(childByField(statement, Field::Consequence)));
      const TSNode condition = unparenthesized(childByField(statement, Field::Condition));
      if ((exits == NodeKind::ReturnStatement || exits == NodeKind::RaiseStatement) &&
          kindOf(condition) == NodeKind::NotOperator &&
          namesDebugSwitch(context.text(childByField(condition, Field::Argument)))) {
        return true;
      }
    }
    return false;
  }

  void finish(RuleContext& context) override {
    if (calls_.empty() && !context.analysingOneRun()) return;
    const SemanticModel& semantic = context.semantic();
    if (importsAMemoryProfiler(semantic)) context.provides(kDebuggingTool);
    if (calls_.empty()) return;
    struct Resolved {
      const SetDebugCall* call;
      Flag flag;
    };
    std::vector<Resolved> resolved;
    for (const SetDebugCall& call : calls_) {
      if (semantic.resolvesTo(call.scope, childByField(call.call, Field::Function),
                              "gc.set_debug")) {
        resolved.push_back(Resolved{&call, flagOf(call, context)});
      }
    }
    // Analysed in runs, a module-level reset may sit in a run further down.
    for (const Resolved& setting : resolved) {
      if (setting.flag == Flag::None && setting.call->owner_kind == NodeKind::Module) {
        context.provides(kModuleLevelReset);
        break;
      }
    }
    // Analysed in runs, the closing half of a module-level pair may sit in another run.
    for (const Resolved& setting : resolved) {
      if (setting.flag == Flag::None && setting.call->top_level) {
        context.provides(closerKey(
            joinedWords(nameWords(context.text(childByField(setting.call->owner, Field::Name))))));
      }
    }
    for (const Resolved& setting : resolved) {
      if (setting.flag == Flag::None || setting.call->guarded) continue;
      // The main guard's calls are known once the whole module has been walked, and what a
      // decorator's names were imported as once the semantic model is finalized.
      if (setting.call->top_level &&
          (isCommandLineEntryPoint(context, setting.call->owner) ||
           calledOnlyFromMainGuard(context, setting.call->owner, words_))) {
        continue;
      }
      bool reset = false;
      for (const Resolved& other : resolved) {
        if (other.flag != Flag::None) continue;
        const bool later_here =
            sameNode(other.call->owner, setting.call->owner) &&
            ts_node_start_byte(other.call->call) >= ts_node_end_byte(setting.call->call);
        const bool other_method = !ts_node_is_null(setting.call->owner_class) &&
                                  sameNode(other.call->owner_class, setting.call->owner_class) &&
                                  !sameNode(other.call->owner, setting.call->owner);
        reset = reset || later_here || other_method;
      }
      if (!reset && setting.call->owner_kind == NodeKind::Module) {
        context.dependsOn(kModuleLevelReset);
        reset = context.laterRunProvides(kModuleLevelReset);
      }
      // `start()` and `stop()`, `pytest_runtest_setup()` and `pytest_runtest_teardown()`: a
      // module-level function whose counterpart (its name with the opening word swapped for the
      // closing one) resets the flags.
      if (!reset && setting.call->top_level) {
        reset = counterpartResets(*setting.call, context);
      }
      if (reset) continue;
      context.dependsOn(kDebuggingTool);
      if (context.moduleProvides(kDebuggingTool)) return;
      report(*setting.call, setting.flag, context);
    }
  }

 private:
  static constexpr std::string_view kModuleLevelReset =
      "MEM503 module-level set_debug without the flags";
  // A module-level function (by the words of its name) resets the flags.
  static std::string closerKey(std::string_view words) {
    return "MEM503 module-level function resets set_debug: " + std::string(words);
  }

  // Whether a module-level function whose name is the setter's with an opening word swapped for
  // its closing word (`start` for `stop`, `setup` for `teardown`, ...) resets the flags.
  static bool counterpartResets(const SetDebugCall& call, RuleContext& context) {
    const std::vector<std::string> words =
        nameWords(context.text(childByField(call.owner, Field::Name)));
    for (size_t i = 0; i < words.size(); ++i) {
      for (const auto& [open, close] : kOpenClose) {
        if (words[i] != open) continue;
        std::vector<std::string> counterpart = words;
        counterpart[i] = std::string(close);
        const std::string key = closerKey(joinedWords(counterpart));
        context.dependsOn(key);
        if (context.moduleProvides(key)) return true;
      }
    }
    return false;
  }
  // The module imports a memory profiler (`objgraph`, `pympler`, ...): a debugging tool.
  static constexpr std::string_view kDebuggingTool = "MEM503 imports a memory profiler";

  static bool importsAMemoryProfiler(const SemanticModel& semantic) {
    for (const Binding& binding : semantic.bindings()) {
      // Another run's imports are that run's to report.
      if (binding.prelude) continue;
      // Not `tracemalloc`: a production service may import it for its statistics.
      const std::string_view imported = semantic.importedName(binding);
      if ((binding.kind == BindingKind::Import || binding.kind == BindingKind::FromImport) &&
          isMemoryProfilerModule(imported) && !imported.starts_with("tracemalloc")) {
        return true;
      }
    }
    return false;
  }

  // Which of the two flags the first argument sets: names and attributes that resolve to them,
  // through parentheses and `|` or `+`. Anything else (`~`, `&`, `^`, a variable, a call, a
  // conditional) is not taken to set them.
  static Flag flagOf(const SetDebugCall& call, const RuleContext& context) {
    const TSNode argument = firstArgument(call.call);
    Flag flag = Flag::None;
    std::vector<TSNode> pending;
    if (!ts_node_is_null(argument)) pending.push_back(argument);
    while (!pending.empty()) {
      const TSNode node = pending.back();
      pending.pop_back();
      switch (kindOf(node)) {
        case NodeKind::ParenthesizedExpression:
          pending.push_back(nthNamedChild(node, 0));
          break;
        case NodeKind::BinaryOperator: {
          const std::string_view op = context.text(childByField(node, Field::Operator));
          if (op == "|" || op == "+") {
            pending.push_back(childByField(node, Field::Left));
            pending.push_back(childByField(node, Field::Right));
          }
          break;
        }
        case NodeKind::Identifier:
        case NodeKind::Attribute: {
          const std::string name = context.semantic().qualifiedName(call.scope, node);
          if (name == "gc.DEBUG_LEAK") flag = Flag::Leak;
          if (name == "gc.DEBUG_SAVEALL" && flag == Flag::None) flag = Flag::SaveAll;
          break;
        }
        default:
          break;
      }
    }
    return flag;
  }

  static void report(const SetDebugCall& call, Flag flag, RuleContext& context) {
    const TSNode callee = childByField(call.call, Field::Function);
    std::string what = quoted(context.text(callee), "()");
    if (context.text(callee) != "gc.set_debug") what += " (`gc.set_debug()`)";
    std::string where;
    if (call.owner_kind == NodeKind::FunctionDefinition) {
      std::string function(context.text(childByField(call.owner, Field::Name)));
      if (!ts_node_is_null(call.owner_class)) {
        function =
            std::string(context.text(childByField(call.owner_class, Field::Name))) + "." + function;
      }
      where = "in " + quoted(function, "()");
    } else if (call.owner_kind == NodeKind::Lambda) {
      where = "in a lambda";
    } else if (call.owner_kind == NodeKind::ClassDefinition) {
      where = "in the body of class `" +
              std::string(context.text(childByField(call.owner, Field::Name))) + "`";
    } else {
      where = "at module level";
    }
    const std::string_view flag_name = flag == Flag::Leak
                                           ? "`gc.DEBUG_LEAK` (which includes `DEBUG_SAVEALL`)"
                                           : "`gc.DEBUG_SAVEALL`";
    Diagnostic diagnostic;
    diagnostic.start = ts_node_start_byte(call.call);
    diagnostic.end = ts_node_end_byte(call.call);
    diagnostic.message = what + " " + where + " sets " + std::string(flag_name) +
                         " and never resets it: every object the collector finds unreachable is "
                         "kept in `gc.garbage` for the rest of the process";
    diagnostic.fix_title =
        "Remove the flag, or restore the previous flags (`gc.set_debug(old)`) in a `finally`";
    context.report(std::move(diagnostic));
  }

  bool names_may_be_gc_ = false;
  bool looked_at_earlier_runs_ = false;
  std::vector<SetDebugCall> calls_;
  WordCounts words_;  // the file's words, for calledOnlyFromMainGuard
};

constexpr std::array kSubscriptions = {NodeKind::ImportFromStatement, NodeKind::Call};

}  // namespace

extern const RuleDefinition kGcDebugSaveall{
    .code = "MEM503",
    .name = "gc-debug-saveall",
    .summary = "`gc.set_debug()` with `DEBUG_SAVEALL`/`DEBUG_LEAK` keeps every collected object",
    .documentation = kDocumentation,
    .fix_availability = FixAvailability::None,
    .subscriptions = kSubscriptions,
    .create = []() -> std::unique_ptr<RuleChecker> { return std::make_unique<GcDebugSaveall>(); },
    .needs_text = "gc",
};

}  // namespace heaplint
