// MEM501 stray-gc-collect: an explicit `gc.collect()` in application or library code forces a full
// collection (a pause that grows with the heap) where the automatic collector would have done the
// work incrementally, and usually hides a reference cycle instead of fixing it.

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/code_model.h"
#include "analyzer/concat.h"
#include "analyzer/execution_evidence.h"
#include "analyzer/size_evidence.h"
#include "analyzer/walker.h"
#include "rules/common.h"

namespace heaplint {
namespace {

constexpr std::string_view kDocumentation = R"md(## What it does
Checks for calls to `gc.collect()` (through any alias: `import gc as g`,
`from gc import collect as c`) in application and library code that run once per item of data:
inside a `for` loop over what the analyzer's size evidence says grows with the input (the lines
of a file, the rows of a reader or a query, the entries of a directory, a `range` of 100,000
items or more that the code writes). The message names the loop and its items.

In preview (`--preview`) the rule also reports a collection in any other loop (over what a
caller passes, over models, layers or epochs, a `while` loop), in a function or method that the
same file calls inside a loop (`self.remove_item(item)` in `clear()`'s `while` loop), and one
paid once per call of a function or method, outside any loop of the file. Blind review judged
none of 35 such default findings real on code the rule was not tuned on: a loop over a few
models or layers does heavy work per iteration, next to which the pause is small, and the
collection was written there on purpose (to keep peak memory down). A rare step per call (a
plugin's disable hook, unloading a corpus on request) is deliberate too; functions named for
tearing down (`unload`, `disable`, `shutdown`, `cleanup`, `close`, `destroy`, ...) stay quiet
even in preview.

## Why is this bad?
`gc.collect()` runs a full collection: it walks every container object the process has tracked,
in all three generations, and the whole program stops while it does. The pause grows with the heap
(about 90 ms with three million live dicts on CPython 3.11, where a young-generation pass takes
microseconds), and in a loop or a request handler it is paid again and again. The automatic collector already reclaims reference cycles, in small
young-generation passes triggered by allocations, and reference counting frees everything else the
moment its last reference goes: a `del big_object` needs no `gc.collect()` after it unless the
object sits in a cycle.

An explicit collection is usually a workaround for a cycle that keeps memory alive longer than
wanted. Break the cycle (a `weakref`, clearing a back-reference, not storing tracebacks) or tune
`gc.set_threshold()` instead. Where a forced collection really is the intent, say so with
`# noqa: MEM501`.

## Known problems
Deliberate collections are left alone, so the rule misses some stray ones (among them a
`del x` followed by `gc.collect()` where `x` sits in no cycle):

- test code (the shared `test-file-patterns`: `test_*.py`, `conftest.py`, `tests/`,
  `testing/`, `benchmarks/`, ...), where tests collect to check that objects died;
- module-level and class-body code outside loops (including `if __name__ == "__main__":` blocks),
  and a function named `main` outside loops: they run once per process (a script's set-up before
  `gc.freeze()`, or a collection at the end of a command-line tool, costs one pause);
- a function that also manages or inspects the collector (`gc.disable()`/`gc.enable()`, the
  sanctioned "collect right after re-enabling it in the `finally`" pattern, `gc.freeze()`,
  `gc.get_count()`, ...), measures memory or time (`tracemalloc`, `resource.getrusage`,
  `sys.getrefcount`, `sys.getsizeof`, `time.perf_counter`, `time.process_time`, `psutil`,
  `.memory_info()`, `time.monotonic() - started`; not `time.monotonic()` read for a deadline),
  or hands memory back to another allocator (`torch.cuda.empty_cache()`, Keras'
  `clear_session()`, CuPy's `free_all_blocks()`, JAX's `clear_caches()`, `malloc_trim`), itself
  or, for the memory it hands back, through a module-level function of the same module that it
  calls (a `free_gpu_memory()` helper): the collection there makes a measurement exact or frees
  device memory;
- a collection under an `if` or `elif` inside its loop (or, in a function called in a loop,
  anywhere in the function) whose condition reads a clock (`time() - last > DELAY`,
  `monotonic()`, `loop.time()`, `datetime.now()`), in the branch taken once the time has come
  (the body of `if now() - last > DELAY:`, the `else` of `if now() - last < DELAY:`), or counts
  (`index % 1000 == 0`, a remainder compared equal, by a name or by 10 or more,
  `len(batch) >= BATCH_SIZE` where the loop adds to `batch` and the guarded block starts it
  afresh), in its body: it is scheduled to run once in a while, not once per iteration;
- a collection followed by `break`, `return` or `raise` in its loop, or by a call that ends the
  process (`sys.exit()`, `os._exit()`, `exit()`): it runs once, as the loop ends;
- a collection right after a `del` statement or a `delattr()` call (a model converter dropping
  each layer it has converted, a loader dropping each batch): the code releases what it just
  made, on purpose, and the objects may sit in cycles the automatic collector would free late;
- a collection under an `if` that reads a switch named for it (a name, an attribute, or the
  string of a key or an option lookup, with the word `gc` or `garbage`, other than the `gc`
  module: `if config.get_option("runner.postScriptGC"):`, `if settings.GC_AFTER_RUN:`,
  `if options.gc:`), or for saving memory (exactly `low_memory`, `save_memory`,
  `conserve_memory`, `reduce_memory` or `memory_efficient`: `if low_memory:`,
  `if self.conserve_memory:`; not `memory` alone nor with more words, `save_memory_snapshot`):
  the project made it a choice its users can turn off;
- a collection in a loop that sleeps or waits for an event each time round (`time.sleep(60)`,
  `await asyncio.sleep(interval)`, `event.wait()`): a timer, or a background worker woken once in
  a while;
- a function (or the class of a method, or a function around it) whose name says it is for
  debugging, leaks, benchmarks, profiling, diagnostics or measurements (`debug_refs`,
  `benchmark_parse`, `LeakDetector.snapshot`), or that it is a helper whose job is to collect
  (`gc_collect()`, `collect_garbage()`, `force_gc()`): whether to collect is decided where the
  helper is called, and those calls are not followed;
- a class that collects in three or more of its methods (pycaret's experiments, after each
  training, tuning or prediction): the collections are its policy after each heavy step;
- a module that disables automatic collection when it is imported (`gc.disable()`,
  `gc.set_threshold(0)` at module level), and a class that disables it in one of its methods (a
  timer-driven collector): they must collect by hand, and their collections are taken to be
  scheduled on purpose (a helper function that turns collection off only for its own body, such as
  a `no_gc()` context manager, exempts nothing else); one that inspects the heap (`gc.get_referrers`, `gc.get_objects`, `gc.garbage`) or
  imports a memory profiler (`tracemalloc`, `objgraph`, `pympler`, `guppy`, `memory_profiler`,
  `memray`):
  it is a debugging tool; and MicroPython or CircuitPython code (a module that imports `machine`,
  `micropython`, `board`, ... or calls `gc.mem_free()`), where explicit collections are the
  documented practice;
- a collection whose result is used (`n = gc.collect()`), a young-generation collection
  (`gc.collect(0)`, `gc.collect(1)`), and a collection in an `except MemoryError:` handler.

Calls through `getattr(gc, "collect")()`, a variable holding `gc.collect`, or a name that
`from gc import` binds only further down the file are not recognised. Without `--preview` only
the innermost loop around a collection is asked how many items it walks
(`for attempt in range(3)` inside a loop over a file's lines is not reported). In preview, loops
that call the collecting function are followed one call deep and within the file only: a helper
called from a loop in another module, or through another helper, or per request by a framework,
is not seen.

## Example
```python
import gc

def import_rows(path):
    with open(path) as lines:
        for line in lines:
            store(parse(line))
            gc.collect()
```

## Use instead
```python
def import_rows(path):
    with open(path) as lines:
        for line in lines:
            store(parse(line))
```

## Fix safety
No fix is offered: removing the call is usually right, but where a collection releases memory a
cycle would otherwise hold (or resources finalizers close), the program's peak memory or timing
changes, and the cycle is better fixed at its source.

## Options
`preview` (`--preview`): also report collections in other loops, in functions called in a loop,
and once per call (see above). `test-file-patterns` (shared with the other rules that leave
tests alone; `extend-test-file-patterns` adds to it): `test_*.py`, `*_test.py`, `tests.py`,
`tests_*.py`, `*_tests.py`, `testutils.py`, `conftest.py`, `tests/`, `test/`, `testing/`,
`benchmarks/` by default. A pattern ending in `/` names a directory anywhere in the path.

What the size evidence shared with MEM101-MEM105 finds small is no data here
either (a loop over it is no long loop):
the rows of an aggregate or small-`PRAGMA` query, a short system file, the module's own folder,
a slice of literal bounds, every K-th of a constant `range`, `zip` with a small argument (see
MEM101).

## References
- [Python docs: `gc.collect`](https://docs.python.org/3/library/gc.html#gc.collect)
- [Python developer's guide: garbage collector design](https://devguide.python.org/internals/garbage-collector/)
- [Instagram engineering: dismissing Python garbage collection](https://instagram-engineering.com/dismissing-python-garbage-collection-at-instagram-4dca40b29172)
)md";

// Other names whose use in the same body marks a deliberate collection: memory and time
// measurement, memory profilers, GPU memory. Matched as a qualified-name prefix.
constexpr auto kDeliberateModules = std::to_array<std::string_view>({
    "tracemalloc",
    "objgraph",
    "pympler",
    "guppy",
    "memory_profiler",
    "psutil",
    "timeit",
    "cProfile",
    "pyperf",
    "resource.getrusage",
    "sys.getrefcount",
    "sys.getallocatedblocks",
    "sys.gettotalrefcount",
    "sys.getsizeof",
    "time.perf_counter",
    "time.perf_counter_ns",
    "time.process_time",
    "time.process_time_ns",
    "time.thread_time",
    "time.thread_time_ns",
    "torch.cuda",
});

// MicroPython and CircuitPython modules: there, without reference counting, an explicit
// `gc.collect()` is the documented way to keep a small heap from fragmenting.
constexpr auto kMicroPythonModules = std::to_array<std::string_view>({
    "micropython",
    "machine",
    "pyb",
    "utime",
    "uos",
    "esp",
    "esp32",
    "rp2",
    "network",
    "microcontroller",
    "board",
    "busio",
    "digitalio",
    "supervisor",
});

// gc attributes that inspect the heap (a file that uses them is a debugging tool and collects
// first so that it sees only live objects), or exist only in MicroPython.
constexpr auto kIntrospection = std::to_array<std::string_view>({
    "get_referrers",
    "get_referents",
    "get_objects",
    "garbage",
    "is_tracked",
    "is_finalized",
    "mem_free",
    "mem_alloc",
});

// Methods that measure memory or hand it back to another allocator (a GPU, the C heap), on any
// object.
constexpr auto kDeliberateMethods = std::to_array<std::string_view>({
    "memory_info", "memory_full_info", "empty_cache", "ipc_collect", "malloc_trim",
    "memory_allocated", "max_memory_allocated", "get_traced_memory", "clear_session",
    "free_all_blocks",  // CuPy's memory pools
    "clear_caches",     // JAX
});
// Those of them that hand memory back: what a called helper counts for.
constexpr auto kReleasingMethods = std::to_array<std::string_view>({
    "empty_cache",
    "ipc_collect",
    "malloc_trim",
    "clear_session",
    "free_all_blocks",
    "clear_caches",
});

// Words in a function's or class's name that mark debugging or measuring code, or a helper
// whose job is to collect.
constexpr auto kDeliberateWords = std::to_array<std::string_view>({
    "bench",
    "benchmark",
    "benchmarks",
    "debug",
    "debugging",
    "diag",
    "diagnose",
    "diagnostic",
    "diagnostics",
    "leak",
    "leaks",
    "measure",
    "measurement",
    "measurements",
    "profile",
    "profiler",
    "profiling",
    // A helper named for what it does (`gc_collect()`, `collect_garbage()`, `force_gc()`): the
    // decision to collect is made where it is called.
    "gc",
    "garbage",
});

bool startsWithModule(std::string_view name, std::string_view prefix) {
  return name.starts_with(prefix) && (name.size() == prefix.size() || name[prefix.size()] == '.');
}

// Whether `text` has the word `gc` or `garbage` (`postScriptGC`, `GC_AFTER_RUN`,
// `collect_garbage`): a switch named for the collection.
bool namesGarbageCollection(std::string_view text) {
  const std::vector<std::string> words = nameWords(text);
  return std::any_of(words.begin(), words.end(),
                     [](const std::string& word) { return word == "gc" || word == "garbage"; });
}

// Whether `text` names a switch for saving memory and nothing else: exactly the words
// `low_memory`, `save_memory`, `conserve_memory`, `reduce_memory` or `memory_efficient` (not
// `save_memory_snapshot`, `memory_saver_path`). A collection under it is the user's choice.
bool namesMemorySaving(std::string_view text) {
  static constexpr auto kSavingWords =
      std::to_array<std::string_view>({"low", "save", "conserve", "reduce"});
  const std::vector<std::string> words = nameWords(text);
  if (words.size() != 2) return false;
  if (words[0] == "memory") return words[1] == "efficient";
  return words[1] == "memory" &&
         std::find(kSavingWords.begin(), kSavingWords.end(), words[0]) != kSavingWords.end();
}

bool nameSaysDeliberate(std::string_view name) {
  for (const std::string& word : nameWords(name)) {
    for (std::string_view deliberate : kDeliberateWords) {
      if (word == deliberate) return true;
    }
  }
  return false;
}

std::string_view nameOf(const RuleContext& context, TSNode definition) {
  return ts_node_is_null(definition) ? std::string_view()
                                     : context.text(childByField(definition, Field::Name));
}

struct CollectCall {
  TSNode call{};
  ScopeId scope = kNoScope;
  TSNode owner{};  // the function, lambda, class or module whose body runs it
  NodeKind owner_kind = NodeKind::Module;
  ScopeId owner_scope = kNoScope;
  TSNode owner_class{};  // for a method: its class (named in the message)
  uint32_t loop_depth = 0;
  bool named_deliberate = false;  // an enclosing function or class is named for debugging
  bool result_used = false;
  bool handles_memory_error = false;
  // The conditions of the `if`/`elif` statements between the call and its loop (or its body, when
  // it is not in a loop): a clock or a counter there throttles the collection, when the call runs
  // only while it holds (in its body, not its `else`); a switch named for the collection decides
  // it either way.
  struct Guard {
    TSNode condition;
    bool holds;
  };
  std::vector<Guard> guards;
  TSNode loop{};  // the innermost loop around the call in its body, if any
};

// A node resolved after the walk: a call that may turn automatic collection off
// (`gc.disable()`, `gc.set_threshold(0)`), or a use of a heap-inspecting gc attribute
// (`gc.get_referrers`).
struct Use {
  TSNode node{};
  ScopeId scope = kNoScope;
  TSNode owner{};        // the body that runs it
  TSNode owner_class{};  // for a method: its class
};

// A call, inside a loop, of a name or of a method of `self`: a function that collects is paid
// once per iteration when it is called this way.
struct LoopCall {
  std::string_view name;
  TSNode callee{};
  ScopeId scope = kNoScope;
  TSNode owner_class{};  // for `self.name(...)`: the class of the method it sits in
  TSNode owner{};        // the function (or module) whose loop it is in
};

class StrayGcCollect final : public RuleChecker {
 public:
  void onNode(TSNode node, NodeKind kind, RuleContext& context) override {
    if (!looked_at_earlier_runs_) {
      looked_at_earlier_runs_ = true;
      names_may_be_gc_ = earlierRunImportsFrom(context, "gc", ts_node_start_byte(node));
    }
    if (context.isTestFile()) return;
    if (kind == NodeKind::ImportFromStatement) {
      // `from gc import collect as c`: from here on a bare name may be a gc function.
      if (context.text(childByField(node, Field::ModuleName)) == "gc") names_may_be_gc_ = true;
      return;
    }
    if (kind == NodeKind::Attribute) {
      const std::string_view attribute = context.text(childByField(node, Field::AttributeName));
      for (std::string_view name : kIntrospection) {
        if (attribute == name) introspection_.push_back(Use{node, context.scope()});
      }
      return;
    }
    const TSNode callee = childByField(node, Field::Function);
    const NodeKind callee_kind = kindOf(callee);
    if (context.loopDepth() > 0) noteLoopCall(callee, context);
    std::string_view name;
    if (callee_kind == NodeKind::Attribute) {
      name = context.text(childByField(callee, Field::AttributeName));
    } else if (callee_kind != NodeKind::Identifier || !names_may_be_gc_) {
      return;
    }
    if (name == "disable" || name == "set_threshold" || callee_kind == NodeKind::Identifier) {
      switches_.push_back(
          Use{node, context.scope(), context.execution().node, methodClass(context)});
    }
    if (name != "collect" && callee_kind != NodeKind::Identifier) return;

    CollectCall call;
    call.call = node;
    call.scope = context.scope();
    const auto executions = context.executions();
    const ExecutionContext& owner = executions.back();
    call.owner = owner.node;
    call.owner_kind = owner.kind;
    call.owner_scope = owner.scope;
    call.loop_depth = owner.loop_depth;
    if (owner.kind == NodeKind::FunctionDefinition && executions.size() >= 2 &&
        executions[executions.size() - 2].kind == NodeKind::ClassDefinition) {
      call.owner_class = executions[executions.size() - 2].node;
    }
    for (const ExecutionContext& body : executions) {
      if (body.kind == NodeKind::FunctionDefinition || body.kind == NodeKind::ClassDefinition) {
        call.named_deliberate =
            call.named_deliberate || nameSaysDeliberate(nameOf(context, body.node));
      }
    }
    const NodeKind parent = context.frame(1).kind;
    call.result_used = parent != NodeKind::ExpressionStatement && parent != NodeKind::Lambda;
    // Up to the body that runs it: an `except MemoryError:` handler that collects before
    // retrying, and the innermost loop with the `if` conditions between it and the call.
    for (size_t up = 1; up < context.depth(); ++up) {
      const Frame& frame = context.frame(up);
      if (sameNode(frame.node, owner.node)) break;
      if (frame.kind == NodeKind::ExceptClause || frame.kind == NodeKind::ExceptGroupClause) {
        const TSNode caught = caughtBy(frame.node);
        if (kindOf(caught) != NodeKind::Block &&
            context.text(caught).find("MemoryError") != std::string_view::npos) {
          call.handles_memory_error = true;
        }
      } else if (ts_node_is_null(call.loop) &&
                 (frame.kind == NodeKind::ForStatement || frame.kind == NodeKind::WhileStatement)) {
        call.loop = frame.node;
      } else if (ts_node_is_null(call.loop) &&
                 (frame.kind == NodeKind::IfStatement || frame.kind == NodeKind::ElifClause)) {
        const TSNode condition = childByField(frame.node, Field::Condition);
        if (ts_node_end_byte(condition) <= ts_node_start_byte(node)) {
          call.guards.push_back({condition, context.frame(up - 1).field == Field::Consequence});
        }
      }
    }
    collects_.push_back(call);
  }

  void finish(RuleContext& context) override {
    // Analysed in runs, a run without collections still tells the others what it holds, and which
    // module-level functions it calls in loops.
    if (context.analysingOneRun()) {
      for (const LoopCall& call : loop_calls_) {
        if (ts_node_is_null(call.owner_class)) context.provides(loopCallKey(call.name));
      }
    }
    if (collects_.empty() && !context.analysingOneRun()) return;
    if (isDebuggingTool(context) || turnsCollectionOff(context)) context.provides(kCollectsByHand);
    if (collects_.empty()) return;
    context.dependsOn(kCollectsByHand);
    if (context.moduleProvides(kCollectsByHand)) return;
    const SemanticModel& semantic = context.semantic();
    for (const CollectCall& call : collects_) {
      if (!semantic.resolvesTo(call.scope, childByField(call.call, Field::Function),
                               "gc.collect")) {
        continue;
      }
      if (isDeliberate(call, context)) continue;
      // A collection paid once per iteration is the finding a reviewer defends; one paid per call
      // of a function is often a rare, deliberate step (unloading a corpus, a plugin's disable
      // hook), so it is reported only in preview.
      const bool preview = context.options().settings->preview;
      // Without --preview a caller's loop cannot make a finding: not looked for (it would make
      // the analysis in runs depend on the other runs' loops for nothing).
      const LoopCall* caller =
          call.loop_depth > 0 || !preview ? nullptr : callerInLoop(call, context);
      if (call.loop_depth == 0 && caller == nullptr) {
        if (!preview || nameSaysTeardown(call, context)) continue;
      }
      // Without --preview, only a collection paid once per item of data: the lines of a file,
      // the rows of a query, the entries of a directory. A loop over models, layers, epochs or
      // a caller's few jobs does heavy work per iteration, next to which the pause is small,
      // and there the collection was written on purpose each time reviewers looked (0 real of
      // 35 on code the rule was not tuned on). A function called in a loop: preview.
      const SizeEvidence items = call.loop_depth > 0 ? loopItems(call, context) : SizeEvidence{};
      if (!preview && (items.size != Size::Data || items.from_parameter)) continue;
      report(call, caller, items, context);
    }
  }

 private:
  // Does the file inspect the heap (`gc.get_referrers`, `gc.garbage`, ...) or import a memory
  // profiler? Then it is a debugging tool, and its collections are part of the measurement. Is it
  // MicroPython code? Then explicit collections are the norm.
  // Said of a module that is a debugging tool or turns automatic collection off.
  static constexpr std::string_view kCollectsByHand = "MEM501 module collects by hand";

  // A module that turns automatic collection off when it is imported collects by hand, on
  // purpose. (A function that turns it off speaks for its own body only: see scanBody.)
  bool turnsCollectionOff(const RuleContext& context) const {
    for (const Use& candidate : switches_) {
      const NodeKind owner = kindOf(candidate.owner);
      if (owner != NodeKind::Module && owner != NodeKind::ClassDefinition) continue;
      if (turnsOff(candidate.node, candidate.scope, context)) return true;
    }
    return false;
  }

  bool isDebuggingTool(const RuleContext& context) const {
    const SemanticModel& semantic = context.semantic();
    for (const Binding& binding : semantic.bindings()) {
      // Another run's imports are that run's to report.
      if (binding.prelude) continue;
      if (binding.kind != BindingKind::Import && binding.kind != BindingKind::FromImport) continue;
      const std::string_view imported = semantic.importedName(binding);
      if (isMemoryProfilerModule(imported)) return true;
      for (std::string_view module : kMicroPythonModules) {
        if (startsWithModule(imported, module)) return true;
      }
      for (std::string_view name : kIntrospection) {
        if (imported.starts_with("gc.") && imported.substr(3) == name) return true;
      }
    }
    for (const Use& use : introspection_) {
      const std::string name = semantic.qualifiedName(use.scope, use.node);
      if (name.starts_with("gc.") && name.find('.', 3) == std::string::npos) return true;
    }
    return false;
  }

  static bool youngGenerationOnly(const CollectCall& call, const RuleContext& context) {
    TSNode generation = firstArgument(call.call);
    if (kindOf(generation) == NodeKind::KeywordArgument) {
      generation = childByField(generation, Field::Value);
    }
    if (kindOf(generation) != NodeKind::Integer) return false;
    const std::string_view text = context.text(generation);
    return text == "0" || text == "1";
  }

  bool isDeliberate(const CollectCall& call, const RuleContext& context) {
    if (call.result_used || call.handles_memory_error || youngGenerationOnly(call, context)) {
      return true;
    }
    const bool in_function =
        call.owner_kind == NodeKind::FunctionDefinition || call.owner_kind == NodeKind::Lambda;
    if (call.loop_depth == 0) {
      // Module and class bodies run once per process; so does a command-line `main()`.
      if (!in_function) return true;
      if (call.owner_kind == NodeKind::FunctionDefinition &&
          nameOf(context, call.owner) == "main") {
        return true;
      }
    }
    if (call.named_deliberate || throttled(call, context) || behindItsOwnSwitch(call, context) ||
        followsADeletion(call, context) || leavesTheLoop(call, context)) {
      return true;
    }
    if (classTurnsCollectionOff(call, context) || classCollectsAsPolicy(call, context)) return true;
    return bodyIsDeliberate(call, context);
  }

  // A collection under a guard that reads a clock (`if time() - last > DELAY:`) or counts
  // (`if i % 1000 == 0:`) runs once in a while, not once per iteration or call: a scheduled
  // collection, written on purpose.
  static bool throttled(const CollectCall& call, const RuleContext& context) {
    if (!ts_node_is_null(call.loop) && loopWaits(call, context)) return true;
    const SemanticModel& semantic = context.semantic();
    for (const CollectCall::Guard& guard : call.guards) {
      const TSNode condition = guard.condition;
      const bool holds = guard.holds;
      bool found = false;
      visitSubtree(condition, [&](TSNode node, TSFieldId /*field*/) {
        const NodeKind kind = kindOf(node);
        // A counter or a full batch throttles its body only: `if i % 1000 == 0: ... else:
        // gc.collect()` collects on nearly every pass. A clock throttles the branch taken once
        // the time has come: the body of `if now() - last > DELAY:`, the `else` of
        // `if now() - last < DELAY:`.
        if (kind == NodeKind::BinaryOperator) {
          found = holds && onceInMany(node, context);
        } else if (kind == NodeKind::Call) {
          const TSNode callee = childByField(node, Field::Function);
          const std::string name = semantic.qualifiedName(call.scope, callee);
          // `MyTime.time()`, `loop.time()`, `datetime.now()`: a clock, whoever provides it.
          const std::string_view last =
              kindOf(callee) == NodeKind::Attribute
                  ? context.text(childByField(callee, Field::AttributeName))
                  : std::string_view(name).substr(std::string_view(name).rfind('.') + 1);
          const bool clock = startsWithModule(name, "time") || last == "time" ||
                             last == "monotonic" || last == "now" || last == "utcnow";
          found = (holds && batchFull(call, node, name, context)) ||
                  (clock && holds == timeHasComeInBody(node, condition, context));
        }
        return found ? Visit::Stop : Visit::Descend;
      });
      if (found) return true;
    }
    return false;
  }

  // Whether the comparison around `clock` (a clock's call in `condition`) holds once the time
  // has come: the clock on the greater side (`now() - last > DELAY`, `deadline < now()`). A
  // clock in no comparison (`if expired(now()):`) is taken to say so too.
  static bool timeHasComeInBody(TSNode clock, TSNode condition, const RuleContext& context) {
    bool answer = true;  // a clock in no comparison
    bool compared = false;
    TSNode side = clock;
    for (TSNode up = parentOf(clock); !ts_node_is_null(up) && !ts_node_eq(side, condition);
         side = up, up = parentOf(up)) {
      const NodeKind kind = kindOf(up);
      // `not (now() - last > 60)`; a clock in no comparison is taken as it is.
      if (kind == NodeKind::NotOperator && compared) answer = !answer;
      if (kind != NodeKind::ComparisonOperator || compared) continue;
      compared = true;
      const std::string_view op = context.text(childByField(up, Field::Operators));
      const bool left = ts_node_eq(nthNamedChildSkippingExtras(up, 0), side);
      if (op == ">" || op == ">=") answer = left;
      if (op == "<" || op == "<=") answer = !left;
    }
    return answer;
  }

  // `i % 1000 == 0`, `not i % EVERY`: a remainder compared equal (one pass in that many), by a
  // name or by a written number of 10 or more. Not `i % 2 == 0` (every other pass) nor
  // `i % 1000 != 0` (nearly every pass).
  static bool onceInMany(TSNode remainder, const RuleContext& context) {
    const TSNode divisor = remainderDivisor(context, remainder);
    if (ts_node_is_null(divisor)) return false;
    if (kindOf(divisor) == NodeKind::Integer &&
        !isIntegerLiteralOfAtLeast(context.text(divisor), 10)) {
      return false;
    }
    TSNode parent = parentOf(remainder);
    while (kindOf(parent) == NodeKind::ParenthesizedExpression)  // `(i % 1000) == 0`
      parent = parentOf(parent);
    return kindOf(parent) == NodeKind::NotOperator ||
           (kindOf(parent) == NodeKind::ComparisonOperator &&
            context.text(childByField(parent, Field::Operators)) == "==");
  }

  // `if len(batch) >= BATCH_SIZE:` with the loop adding to `batch` and the guarded block
  // starting it afresh (`batch = []`, `batch.clear()`, `del batch[:]`): once per batch, as the
  // flush beside it. `call` is a call in the guard, `name` what it resolves to.
  static bool batchFull(const CollectCall& collect, TSNode call, std::string_view name,
                        const RuleContext& context) {
    if (name != "builtins.len" || ts_node_is_null(collect.loop) ||
        kindOf(parentOf(call)) != NodeKind::ComparisonOperator) {
      return false;
    }
    const TSNode batch = onlyNamedChildSkippingExtras(childByField(call, Field::Arguments));
    if (kindOf(batch) != NodeKind::Identifier) return false;
    TSNode guard = parentOf(call);
    while (!ts_node_is_null(guard) && kindOf(guard) != NodeKind::IfStatement &&
           kindOf(guard) != NodeKind::ElifClause)
      guard = parentOf(guard);
    const std::string_view batch_name = context.text(batch);
    // Whether `text` has `before` + the batch's name + `after`, the name not the end of another
    // (`sub_batch.append(` is not `batch.append(`).
    const auto writes = [&](std::string_view text, std::string_view before,
                            std::string_view after) {
      const std::string written = concat(before, batch_name, after);
      for (size_t at = text.find(written); at != std::string_view::npos;
           at = text.find(written, at + 1)) {
        const auto previous = at == 0 ? ' ' : static_cast<unsigned char>(text[at - 1]);
        if (!before.empty() ||
            (std::isalnum(previous) == 0 && previous != '_' && previous != '.')) {
          return true;
        }
      }
      return false;
    };
    const std::string_view loop = context.text(collect.loop);
    const std::string_view block = context.text(childByField(guard, Field::Consequence));
    const bool grows = writes(loop, "", ".append(") || writes(loop, "", ".extend(") ||
                       writes(loop, "", ".add(") || writes(loop, "", " += ");
    const bool emptied =
        writes(block, "", " = []") || writes(block, "", ".clear()") || writes(block, "del ", "[:]");
    return grows && emptied;
  }

  // A collection followed by `break`, `return` or `raise` in its block, or by a call that ends
  // the process (`sys.exit()`, `os._exit()`, `exit()`, `quit()`), inside a loop: it runs once,
  // as the loop ends, not once per item.
  static bool leavesTheLoop(const CollectCall& call, const RuleContext& context) {
    if (ts_node_is_null(call.loop)) return false;
    const TSNode statement = parentOf(call.call);
    if (kindOf(statement) != NodeKind::ExpressionStatement) return false;
    TSNode next = ts_node_next_named_sibling(statement);
    while (kindOf(next) == NodeKind::Comment)
      next = ts_node_next_named_sibling(next);
    const NodeKind kind = kindOf(next);
    if (kind == NodeKind::ExpressionStatement) {
      const TSNode exit = firstNamedChildSkippingExtras(next);
      if (kindOf(exit) != NodeKind::Call) return false;
      const std::string name =
          qualifiedNameWithStarBuiltins(context, call.scope, childByField(exit, Field::Function));
      return name == "sys.exit" || name == "os._exit" || name == "builtins.exit" ||
             name == "builtins.quit";
    }
    return kind == NodeKind::BreakStatement || kind == NodeKind::ReturnStatement ||
           kind == NodeKind::RaiseStatement;
  }

  // A collection right after a `del` statement or a `delattr()` call (ctranslate2 dropping each
  // converted layer's modules, a batch loader dropping each batch): the code releases what it
  // just made, on purpose, and what it dropped may well sit in cycles (PyTorch modules do).
  static bool followsADeletion(const CollectCall& call, const RuleContext& context) {
    const TSNode statement = parentOf(call.call);
    if (kindOf(statement) != NodeKind::ExpressionStatement) return false;
    TSNode previous = ts_node_prev_named_sibling(statement);
    while (kindOf(previous) == NodeKind::Comment)
      previous = ts_node_prev_named_sibling(previous);
    if (kindOf(previous) == NodeKind::DeleteStatement) return true;
    if (kindOf(previous) != NodeKind::ExpressionStatement) return false;
    const TSNode expression = nthNamedChild(previous, 0);
    return kindOf(expression) == NodeKind::Call &&
           context.semantic().resolvesTo(call.scope, childByField(expression, Field::Function),
                                         "builtins.delattr");
  }

  // A collection under an `if` that reads a switch named for it (`if
  // config.get_option("runner.postScriptGC"):`, `if settings.GC_AFTER_REQUEST:`, `if
  // self.collect_garbage:`): the project made the collection a choice its users can turn off.
  // A word of a name or a string decides ("gc", "garbage"); the `gc` module itself does not.
  static bool behindItsOwnSwitch(const CollectCall& call, const RuleContext& context) {
    for (const CollectCall::Guard& guard : call.guards) {
      bool found = false;
      const auto visit = [&](TSNode node) {
        const NodeKind kind = kindOf(node);
        if (kind == NodeKind::String) {
          // A key or an argument: `get_option("runner.postScriptGC")`, `flags["gc"]`; not a
          // value the data is compared with (`line.startswith("gc")` reads data).
          const NodeKind holder = kindOf(parentOf(node));
          found =
              (holder == NodeKind::Subscript || isOptionLookupArgument(context, node)) &&
              (namesGarbageCollection(context.text(node)) || namesMemorySaving(context.text(node)));
          return found ? Visit::Stop : Visit::SkipChildren;
        }
        if (kind == NodeKind::Identifier) {
          // The `gc` module itself, under any alias, is no switch; `options.gc` is.
          const bool attribute_name =
              kindOf(parentOf(node)) == NodeKind::Attribute &&
              ts_node_eq(childByField(parentOf(node), Field::AttributeName), node);
          found =
              (attribute_name || context.semantic().qualifiedName(call.scope, node) != "gc") &&
              (namesGarbageCollection(context.text(node)) || namesMemorySaving(context.text(node)));
          return found ? Visit::Stop : Visit::SkipChildren;
        }
        return Visit::Descend;
      };
      // The condition itself may be the switch (`if low_memory:`): visitSubtree starts below it.
      if (visit(guard.condition) == Visit::Descend) {
        visitSubtree(guard.condition,
                     [&](TSNode node, TSFieldId /*field*/) { return visit(node); });
      }
      if (found) return true;
    }
    return false;
  }

  // A string passed to a call that looks an option up (`config.get_option("...")`,
  // `kwargs.get("gc_collect")`, `getenv("...")`), not to one that reads data.
  static bool isOptionLookupArgument(const RuleContext& context, TSNode string) {
    const TSNode arguments = parentOf(string);
    if (kindOf(arguments) != NodeKind::ArgumentList) return false;
    const TSNode callee = childByField(parentOf(arguments), Field::Function);
    const std::string_view name = kindOf(callee) == NodeKind::Attribute
                                      ? context.text(childByField(callee, Field::AttributeName))
                                      : context.text(callee);
    return name == "get" || name == "get_option" || name == "getoption" || name == "getenv" ||
           name == "getboolean" || name == "getbool" || name == "option" || name == "setting" ||
           name == "get_setting" || name == "is_enabled" || name == "enabled";
  }

  // A loop that sleeps or waits for an event each time round (`time.sleep(60)`, `await
  // asyncio.sleep(interval)`, `self._newentry.wait()`) is a timer or a background worker woken
  // once in a while: a collection in it runs at that pace, on purpose.
  static bool loopWaits(const CollectCall& call, const RuleContext& context) {
    bool found = false;
    visitSubtree(childByField(call.loop, Field::Body), [&](TSNode node, TSFieldId /*field*/) {
      const NodeKind kind = kindOf(node);
      if (kind == NodeKind::FunctionDefinition || kind == NodeKind::ClassDefinition ||
          kind == NodeKind::Lambda) {
        return Visit::SkipChildren;
      }
      if (kind != NodeKind::Call) return Visit::Descend;
      const TSNode callee = childByField(node, Field::Function);
      std::string_view last;
      if (kindOf(callee) == NodeKind::Attribute) {
        last = context.text(childByField(callee, Field::AttributeName));
      } else if (kindOf(callee) == NodeKind::Identifier) {
        const std::string name = context.semantic().qualifiedName(call.scope, callee);
        found = name == "time.sleep" || name == "asyncio.sleep";
        return found ? Visit::Stop : Visit::Descend;
      }
      found = last == "sleep" || last == "wait";
      return found ? Visit::Stop : Visit::Descend;
    });
    return found;
  }

  // A class that turns automatic collection off in one method (a timer-driven collector) collects
  // by hand in the others.
  bool classTurnsCollectionOff(const CollectCall& call, const RuleContext& context) const {
    if (ts_node_is_null(call.owner_class)) return false;
    for (const Use& candidate : switches_) {
      if (sameNode(candidate.owner_class, call.owner_class) &&
          turnsOff(candidate.node, candidate.scope, context)) {
        return true;
      }
    }
    return false;
  }

  // A class whose methods collect in three or more of them (pycaret's experiments collect at the
  // end of each of their operations: training, tuning, predicting): the collections are the
  // class's policy, written on purpose after each heavy step, not a stray call.
  bool classCollectsAsPolicy(const CollectCall& call, const RuleContext& context) const {
    static constexpr size_t kPolicyMethods = 3;
    if (ts_node_is_null(call.owner_class)) return false;
    std::vector<uint32_t> methods;
    for (const CollectCall& other : collects_) {
      if (!sameNode(other.owner_class, call.owner_class) ||
          other.owner_kind != NodeKind::FunctionDefinition ||
          !context.semantic().resolvesTo(other.scope, childByField(other.call, Field::Function),
                                         "gc.collect")) {
        continue;
      }
      const uint32_t start = ts_node_start_byte(other.owner);
      if (std::find(methods.begin(), methods.end(), start) == methods.end()) {
        methods.push_back(start);
      }
    }
    return methods.size() >= kPolicyMethods;
  }

  // `gc.disable()` or `gc.set_threshold(0)`.
  static bool turnsOff(TSNode call, ScopeId scope, const RuleContext& context) {
    const std::string name =
        context.semantic().qualifiedName(scope, childByField(call, Field::Function));
    if (name == "gc.disable") return true;
    if (name != "gc.set_threshold") return false;
    const TSNode first = firstArgument(call);
    return kindOf(first) == NodeKind::Integer && context.text(first) == "0";
  }

  static TSNode methodClass(const RuleContext& context) {
    const auto executions = context.executions();
    if (executions.size() >= 2 && executions.back().kind == NodeKind::FunctionDefinition &&
        executions[executions.size() - 2].kind == NodeKind::ClassDefinition) {
      return executions[executions.size() - 2].node;
    }
    return TSNode{};
  }

  static std::string loopCallKey(std::string_view name) {
    return "MEM501 called in a loop " + std::string(name);
  }

  // `remove(x)` or `self.remove(x)` in a loop: remembered, to tell whether a function that
  // collects is paid per iteration.
  void noteLoopCall(TSNode callee, const RuleContext& context) {
    LoopCall call;
    call.callee = callee;
    call.scope = context.scope();
    call.owner = context.execution().node;
    if (kindOf(callee) == NodeKind::Identifier) {
      call.name = context.text(callee);
    } else if (kindOf(callee) == NodeKind::Attribute &&
               kindOf(childByField(callee, Field::Object)) == NodeKind::Identifier) {
      call.owner_class = methodClass(context);
      if (ts_node_is_null(call.owner_class)) return;
      call.name = context.text(childByField(callee, Field::AttributeName));
    } else {
      return;
    }
    loop_calls_.push_back(call);
  }

  // A loop of this file that calls the function holding the collection: `self.name()` in a method
  // of the same class, or the module-level function by its name (in another run of a document
  // analysed in runs, known by key: no line to show then).
  const LoopCall* callerInLoop(const CollectCall& call, RuleContext& context) const {
    if (call.owner_kind != NodeKind::FunctionDefinition) return nullptr;
    const std::string_view name = nameOf(context, call.owner);
    const bool method = !ts_node_is_null(call.owner_class);
    for (const LoopCall& loop : loop_calls_) {
      if (loop.name != name || sameNode(loop.owner, call.owner)) continue;
      if (method) {
        if (sameNode(loop.owner_class, call.owner_class) &&
            isInstanceReceiver(context, loop.scope, childByField(loop.callee, Field::Object))) {
          return &loop;
        }
        continue;
      }
      if (!ts_node_is_null(loop.owner_class)) continue;
      const Resolution resolution =
          context.semantic().resolve(loop.scope, name, ts_node_start_byte(loop.callee));
      if (resolution.kind == Resolution::Kind::Bound &&
          resolution.binding->kind == BindingKind::FunctionDefinition &&
          sameNode(resolution.binding->node, call.owner)) {
        return &loop;
      }
    }
    if (!method && kindOf(parentOf(call.owner)) != NodeKind::Block) {
      context.dependsOn(loopCallKey(name));
      if (context.moduleProvides(loopCallKey(name))) return &kCallerInAnotherRun;
    }
    return nullptr;
  }
  static constexpr LoopCall kCallerInAnotherRun{};

  // Hooks that run when a component is torn down, at a user's request or at exit: a collection
  // there is paid once per component, on purpose (to finalize D-Bus objects, free a corpus).
  static bool nameSaysTeardown(const CollectCall& call, const RuleContext& context) {
    if (call.owner_kind != NodeKind::FunctionDefinition) return false;
    constexpr auto kTeardownWords = std::to_array<std::string_view>({
        "unload",
        "disable",
        "disabled",
        "shutdown",
        "teardown",
        "cleanup",
        "dispose",
        "destroy",
        "quit",
        "close",
        "finalize",
        "deinit",
        "uninstall",
    });
    for (const std::string& word : nameWords(nameOf(context, call.owner))) {
      for (std::string_view teardown : kTeardownWords) {
        if (word == teardown) return true;
      }
    }
    return false;
  }

  // Does the body around the call use the rest of the gc module, measure memory or time, or hand
  // memory back to another allocator? Scans the function (or, for a loop at module level, the
  // module's own statements) once per body.
  bool bodyIsDeliberate(const CollectCall& call, const RuleContext& context) {
    for (const auto& [owner, verdict] : verdicts_) {
      if (owner == call.owner.id) return verdict;
    }
    const bool verdict = scanBody(call, context);
    verdicts_.emplace_back(call.owner.id, verdict);
    return verdict;
  }

  static bool scanBody(const CollectCall& call, const RuleContext& context) {
    return scan(call.owner, call.owner_scope, call.owner_kind == NodeKind::Module, true, context);
  }

  // Whether the code of `body` (evaluated in `scope`; a module's own statements only when
  // `module_level`) uses the rest of the gc module, measures memory or time, or hands memory back
  // to another allocator. When `follow_calls`, the module-level functions of this module that it
  // calls count too, one level deep (`free_gpu_memory()` wrapping `torch.cuda.empty_cache()`),
  // for the memory they hand back only.
  static bool scan(TSNode body, ScopeId scope, bool module_level, bool follow_calls,
                   const RuleContext& context) {
    const SemanticModel& semantic = context.semantic();
    const TSFieldId attribute_field = Syntax::instance().fieldId(Field::AttributeName);
    bool found = false;
    visitSubtree(body, [&](TSNode node, TSFieldId field) {
      const NodeKind kind = kindOf(node);
      if (module_level &&
          (kind == NodeKind::FunctionDefinition || kind == NodeKind::ClassDefinition)) {
        return Visit::SkipChildren;
      }
      if (kind == NodeKind::Call) {
        const TSNode callee = childByField(node, Field::Function);
        if (kindOf(callee) == NodeKind::Attribute) {
          const std::string_view method = context.text(childByField(callee, Field::AttributeName));
          const auto methods = follow_calls ? std::span<const std::string_view>(kDeliberateMethods)
                                            : std::span<const std::string_view>(kReleasingMethods);
          for (std::string_view deliberate : methods) {
            if (method == deliberate) found = true;
          }
        } else if (follow_calls && kindOf(callee) == NodeKind::Identifier) {
          const Resolution resolution =
              semantic.resolve(scope, context.text(callee), ts_node_start_byte(callee));
          if (resolution.kind == Resolution::Kind::Bound &&
              resolution.binding->kind == BindingKind::FunctionDefinition &&
              semantic.scope(resolution.binding->scope).kind == ScopeKind::Module &&
              !resolution.binding->prelude) {
            TSNode function = resolution.binding->node;  // the definition, or its name
            if (kindOf(function) != NodeKind::FunctionDefinition) function = parentOf(function);
            found = kindOf(function) == NodeKind::FunctionDefinition &&
                    !ts_node_eq(function, body) &&
                    scan(childByField(function, Field::Body), resolution.binding->scope, false,
                         false, context);
          }
        }
        return found ? Visit::Stop : Visit::Descend;
      }
      if (kind != NodeKind::Attribute && kind != NodeKind::Identifier) return Visit::Descend;
      // The `collect` of `gc.collect` is an attribute name, not a use of a name.
      if (kind == NodeKind::Identifier && field == attribute_field) return Visit::Descend;
      const std::string name = semantic.qualifiedName(scope, node);
      if (name.empty() || name.starts_with("builtins.")) return Visit::Descend;
      // A called helper counts for the memory it hands back only (its methods, above): not for
      // managing the collector (a `no_gc()` context manager does not make every collection
      // beside it deliberate), nor for measuring (a `_stamp()` for log lines).
      if (!follow_calls) return Visit::Descend;
      if (name.starts_with("gc.") && name != "gc.collect") found = true;
      // `time.monotonic() - started` measures; `time.monotonic() + 30` sets a deadline.
      if ((name == "time.monotonic" || name == "time.monotonic_ns") && measuresElapsed(node)) {
        found = true;
      }
      for (std::string_view module : kDeliberateModules) {
        if (startsWithModule(name, module)) found = true;
      }
      return found ? Visit::Stop : Visit::Descend;
    });
    return found;
  }

  // `clock() - started`, not compared: the clock `clock` (its callee) read to measure an
  // elapsed time.
  static bool measuresElapsed(TSNode clock) {
    const TSNode call = parentOf(clock);
    if (kindOf(call) != NodeKind::Call) return false;
    const TSNode difference = parentOf(call);
    // Compared with something, the difference is a budget (`now() - started > 30`), not a
    // measurement.
    TSNode use = parentOf(difference);
    while (kindOf(use) == NodeKind::ParenthesizedExpression)
      use = parentOf(use);
    const TSNode op = childByField(difference, Field::Operator);
    return kindOf(difference) == NodeKind::BinaryOperator &&
           ts_node_eq(childByField(difference, Field::Left), call) && !ts_node_is_null(op) &&
           std::string_view(ts_node_type(op)) == "-" && kindOf(use) != NodeKind::ComparisonOperator;
  }

  // What the innermost loop around the collection walks: a `for` loop's iterable, as size
  // evidence tells; nothing for a `while` loop.
  static SizeEvidence loopItems(const CollectCall& call, const RuleContext& context) {
    if (kindOf(call.loop) != NodeKind::ForStatement) return {};
    return iterableSize(context, call.scope, childByField(call.loop, Field::Right));
  }

  static void report(const CollectCall& call, const LoopCall* caller, const SizeEvidence& items,
                     RuleContext& context) {
    const TSNode callee = childByField(call.call, Field::Function);
    std::string what = quoted(context.text(callee), "()");
    if (context.text(callee) != "gc.collect") what += " (`gc.collect()`)";
    std::string where;
    if (call.owner_kind == NodeKind::FunctionDefinition) {
      std::string function(nameOf(context, call.owner));
      if (!ts_node_is_null(call.owner_class)) {
        function = std::string(nameOf(context, call.owner_class)) + "." + function;
      }
      where = "in " + quoted(function, "()");
    } else if (call.owner_kind == NodeKind::Lambda) {
      where = "in a lambda";
    } else if (call.owner_kind == NodeKind::ClassDefinition) {
      where = "in the body of class " + quoted(nameOf(context, call.owner));
    } else {
      where = "at module level";
    }
    Diagnostic diagnostic;
    diagnostic.start = ts_node_start_byte(call.call);
    diagnostic.end = ts_node_end_byte(call.call);
    if (call.loop_depth > 0) {
      diagnostic.message = what + " inside a loop" +
                           (items.reason.empty() ? std::string() : " over " + items.reason) + " " +
                           where + " forces a full collection of every generation once per " +
                           (items.reason.empty() ? "iteration" : "item");
    } else if (caller != nullptr) {
      diagnostic.message = what + " " + where +
                           " forces a full collection of every generation each time it runs, and " +
                           quoted(nameOf(context, call.owner), "()") +
                           " is called in a loop: once per iteration";
    } else {
      diagnostic.message = what + " " + where +
                           " forces a full collection of every generation, a pause that grows "
                           "with the heap, each time it runs";
    }
    diagnostic.fix_title =
        "Remove the call and let the automatic collector run; break the reference cycle it works "
        "around, or tune `gc.set_threshold()`";
    context.report(std::move(diagnostic));
  }

  bool names_may_be_gc_ = false;
  bool looked_at_earlier_runs_ = false;
  std::vector<CollectCall> collects_;
  std::vector<Use> switches_;
  std::vector<LoopCall> loop_calls_;
  std::vector<Use> introspection_;                      // `X.get_referrers`, `X.garbage`, ...
  std::vector<std::pair<const void*, bool>> verdicts_;  // scanned bodies
};

constexpr std::array kSubscriptions = {NodeKind::ImportFromStatement, NodeKind::Call,
                                       NodeKind::Attribute};

}  // namespace

extern const RuleDefinition kStrayGcCollect{
    .code = "MEM501",
    .name = "stray-gc-collect",
    .summary = "Explicit `gc.collect()` in application or library code",
    .documentation = kDocumentation,
    .fix_availability = FixAvailability::None,
    .subscriptions = kSubscriptions,
    .create = []() -> std::unique_ptr<RuleChecker> { return std::make_unique<StrayGcCollect>(); },
    .needs_text = "gc",
};

}  // namespace heaplint
