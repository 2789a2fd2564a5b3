// How often code runs, as a reviewer judges it from where it sits: once per process (in `main()`,
// in a hook a framework calls once such as Django's `AppConfig.ready()`, under a once-guard, after
// the function emptied what it fills), or once per call of a function that takes input. Rules
// that ask "does this repeat?" (MEM301 for registrations; the gc rules for set-up code) ask this
// instead of reading the function themselves. Also: whether a file is someone else's code copied
// into the project.
#pragma once

#include <tree_sitter/api.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "analyzer/semantic_model.h"

namespace heaplint {

class RuleContext;

// During the walk (it reads the walker's frames): whether the node being visited runs once
// however often its function is called: in the block of `if not self._registered:` that sets
// `self._registered` (or `if self.path is None:` that sets `self.path`), or after
// `if _installed: return` in a function that sets `_installed = True`, or after `if key in seen:
// return` in a function that records `key` in `seen` (`seen.append(key)`, `seen.add(key)`,
// `seen[key] = ...`): once per distinct key, as a registry of models is. The reason as a phrase
// for messages ("under the once-guard on `_registered`"), or empty.
//
// What one function's guards and one `if`'s body say does not depend on where in them the node
// is (but for whether a guard comes before it): `memo` keeps it, one per caller, which asks about
// many nodes of one function (a generated function of 16,000 registrations read its whole body
// 16,000 times).
class OnceGuardMemo {
 public:
  struct Guard {
    TSNode statement{};    // an `if ...: return` of the function's body
    uint32_t index = 0;    // its place in the body
    bool read = false;     // what it says is known (read when first needed, in order)
    std::string per_key;   // the reason it gives to what comes after it, or empty
    std::string assigned;  // the reason it gives wherever it is, or empty
  };
  std::unordered_map<const void*, std::vector<Guard>> functions;  // by function definition
  std::unordered_map<const void*, std::string> branches;          // by `if` body
};
std::string onceGuardAt(const RuleContext& context, OnceGuardMemo& memo);

// After the walk: whether `node`, in `scope`, never runs, as a reviewer reads it: in the body of
// `if TYPE_CHECKING:` (`typing.TYPE_CHECKING`, `typing_extensions.TYPE_CHECKING`, or a name
// `TYPE_CHECKING`), `if False:` or `if 0:` (not in their `else`).
bool neverRuns(const RuleContext& context, ScopeId scope, TSNode node);

// After the walk: whether code in `scope` (outside loops) runs once per process, module or
// class, however often the program does its work: at module level; in a hook frameworks call
// once (`main`, `setUpModule`, `setUpClass`, `tearDownClass`, `setUpTestData`, `setup_module`,
// `setup_class`, `__init_subclass__`, `__set_name__`, `ready()` of a class whose base resolves to
// Django's `AppConfig`; a module function named `setup_*`, such as `setup_logging`, other than
// pytest's per-test `setup_function`/`setup_method`), the innermost function deciding; or in
// functions none of which takes
// per-call input (a parameter its caller must pass; the class a classmethod receives does not
// count, the instance a method receives does, as there is one per object): a set-up step such as
// `install()`. The reason as a phrase ("in `main()`, which runs once"), or empty.
std::string runsOnceReason(const RuleContext& context, ScopeId scope);

// After the walk: whether `function` (a definition) empties the object `target` stands for, or
// what holds it: calls `target.clear()` or `target.__init__()`, or assigns one of its attributes
// (`atexit._exithandlers = []`). The statement, or empty.
std::string_view emptiedIn(const RuleContext& context, TSNode function, TSNode target);

// Whether `condition` is `__name__ == "__main__"` (either way round): an `if` that runs its body
// only when the module is run as a script.
bool isMainGuard(const RuleContext& context, TSNode condition);

// Whether `condition` compares `__name__` with `"__main__"`: with `==`, or also with `!=` when
// `either_way` (`if __name__ != "__main__": ... else: main()`). A module that asks is written to
// be run as a script.
bool testsForMain(const RuleContext& context, TSNode condition, bool either_way);

// Whether `function` (a definition) is a module-level command-line entry point, whose run is the
// whole process: named `main`, `_main` or `cli`, or a click or typer command (`@click.command()`,
// `@click.group()`, or `@app.command()` / `@cli.group()` on an app `typer.Typer()` made or a
// group `@click.group()` made; not discord.py's `@bot.command()`).
bool isCommandLineEntryPoint(const RuleContext& context, TSNode function);

// How many times a word appears in a text, as a whole word (comments and strings included): the
// counts of all the text's words are made on the first question. The text must stay the same
// and outlive the counts.
class WordCounts {
 public:
  size_t count(std::string_view text, std::string_view word);

 private:
  bool made_ = false;
  std::unordered_map<std::string_view, size_t> counts_;
};

// During the walk, for a call: a call of a name in the body of the module's
// `if __name__ == "__main__":` block, nested or not (`sys.exit(main())`), is recorded for
// calledOnlyFromMainGuard (a key the run provides). Rules that ask must call this for every call
// they visit.
void noteMainGuardCall(const RuleContext& context, TSNode call);

// After the walk: whether `function` (a module-level definition) is called from the module's
// `if __name__ == "__main__":` block (as noteMainGuardCall recorded, in any run) and its name
// appears nowhere else in the text, as a whole word (comments and strings included), than at its
// definition and that call: the script's run, as `main()` is. Never in a package's module
// (isInPackage): another module may import the function and call it per request.
//
// `words` counts the text's words, once: a rule checker keeps one for the file it analyses (a
// file with thousands of functions asks once for each).
bool calledOnlyFromMainGuard(const RuleContext& context, TSNode function, WordCounts& words);

// Whether the file is a module of a package (an `__init__.py` beside it, or is one), by its
// module name: other modules may import it. Unknown (no name) counts as not.
bool isInPackage(const RuleContext& context);

// Whether `function` is `handle()` of a class `Command` in a module under a
// `management/commands/` folder: a Django management command, run once by `manage.py`, whose
// process ends when it returns.
bool isDjangoCommandHandle(const RuleContext& context, TSNode function);

// Whether an imported name (`objgraph`, `pympler.tracker`) is a memory profiler's or heap
// inspector's: `tracemalloc`, `objgraph`, `pympler`, `guppy`, `memory_profiler`, `memray`. A
// module that imports one is a memory-debugging tool.
bool isMemoryProfilerModule(std::string_view imported);

// Whether a file is vendored code by its path: under a directory named `vendor`, `_vendor`,
// `vendored`, `_vendored`, `third_party`, `thirdparty` or `externals`. Its authors are not the
// project's, and its findings belong upstream.
bool isVendoredPath(std::string_view path);

// Whether a file is a database migration by its path: under a directory named `migrations` or
// `alembic` (Django's migrations, Alembic's revision scripts, which are not packages). It runs
// once per upgrade, in a command that then exits.
bool isMigrationPath(std::string_view path);

}  // namespace heaplint
