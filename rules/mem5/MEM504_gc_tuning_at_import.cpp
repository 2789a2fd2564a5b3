// MEM504 gc-tuning-at-import: `gc.set_threshold(...)`, `gc.freeze()`, `gc.unfreeze()` or
// `gc.disable()` run when a library module is imported: a process-wide setting changed for every
// program that imports it.

#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/code_model.h"
#include "analyzer/execution_evidence.h"
#include "analyzer/walker.h"

namespace heaplint {
namespace {

constexpr std::string_view kDocumentation = R"md(## What it does
Checks for a call of `gc.set_threshold`, `gc.freeze`, `gc.unfreeze` or `gc.disable` (through any
alias: `import gc as g`, `from gc import freeze`) that runs when the module is imported: at
module level or in a class body at module level, including inside top-level `if`, `try` and
`with` blocks, but not under `if __name__ == "__main__":`.

Entry points are not library modules and are skipped: `__main__.py`, `setup.py`, `conftest.py`,
`manage.py`, `wsgi.py`, `asgi.py`, `gunicorn*.py`, `sitecustomize.py` and `usercustomize.py`
(which configure the interpreter at start-up), `.pythonrc.py` (the interactive interpreter's
start-up file), `ipython_config.py` and the files of an IPython profile's start-up folder
(`.ipython/profile_*/startup/`), `fabfile.py`, `noxfile.py`, `locustfile.py`, a `tasks.py`
that imports from `invoke` (a `tasks.py` without that import, such as Celery's, is checked), a
gunicorn
configuration file whatever its name (one that assigns `bind`, `workers`, `worker_class` or
`preload_app` at module level and defines a gunicorn server hook there, such as
`def post_fork(server, worker):`; not recognised in a file so large that the language server
analyses it in runs), Sphinx's `conf.py` under a `docs/` or `doc/` folder
(`docs/source/conf.py` too), notebooks and percent-format scripts (two lines or more that start
with `# %%`, Jupytext's and VS Code's cell marker), any file that starts with a `#!` line, and any
module that has an `if __name__ == "__main__":` block, or tests `__name__ != "__main__"`
(a script, even when importable; what the body of `if __name__ != "__main__":`, or an `elif`
or the `else` of `if __name__ == "__main__":`, does runs when the module is imported, and is
reported). An IPython start-up file, a gunicorn configuration file and a percent-format script,
told by folder or content, are never a module of a package (a folder with an `__init__.py`),
which is imported.
Test files are skipped. Calls that never run are skipped too: under `if TYPE_CHECKING:`,
`if False:`.

## Why is this bad?
The collector's thresholds, its frozen generation and whether it runs at all belong to the whole
process. A library that changes them at import changes them for every application that imports it,
silently, and in an order that depends on which module is imported first: a web server tuned for
low latency gets another library's thresholds, a `gc.disable()` leaves reference cycles of the
whole program uncollected, a `gc.freeze()` moves every object allocated so far (the importer's
too) out of the collector's reach for good. Threshold meanings also differ between Python
versions (3.13's incremental collector, the free-threaded build), so hard-coded values tune for one
interpreter. These are decisions for the application's entry point, which knows its workload.

A `gc.disable()` is not reported when the module calls `gc.enable()` after it while it is
imported, not only in an `except` clause (`gc.disable()`, then `try: ... finally: gc.enable()`
around heavy imports or tables built at load, or `stack.callback(gc.enable)` in a top-level
`with contextlib.ExitStack() as stack:`, which re-enables it when the `with` ends): the
collector is then off only while the module loads, which is a common and harmless speed-up. In
the same way, a `gc.set_threshold(...)` followed at import by `gc.set_threshold(*saved)` or
`gc.set_threshold(saved[0], saved[1], saved[2])` (the thresholds `gc.get_threshold()` saved,
each in its own position) is not reported, nor is the restore itself.

## Known problems
Calls in functions are not reported, even when the module calls the function at import: the rule
reads the module's own top level only. An application package whose modules are never imported
by anyone else (a service's own `settings.py`, say) is still reported; the application can
silence it with `# noqa: MEM504` where that is the intended place.

## Example
```python
# mylib/fastjson.py
import gc

gc.set_threshold(100_000, 50, 50)  # parsing makes many short-lived objects
```

## Use instead
```python
# app/cli.py (the application decides, when it starts)
import gc

import mylib.fastjson


def main():
    gc.set_threshold(100_000, 50, 50)
```

## Fix safety
There is no fix: where the setting belongs is the application's choice.

## Options
None.

## References
- [Python docs: `gc.set_threshold`, `gc.freeze`](https://docs.python.org/3/library/gc.html)
- [CPython issue 75739: `gc.freeze()`](https://github.com/python/cpython/issues/75739) (meant for a
  pre-fork server's start-up).
)md";

constexpr std::string_view kMainGuardKey = "MEM504:main-guard";
// The module puts back saved thresholds at import: `gc.set_threshold(*saved)`.
constexpr std::string_view kRestoresThresholdsKey = "MEM504:restores-thresholds";
// The module calls `gc.enable()` while it is imported, not only in an `except` clause.
constexpr std::string_view kReenablesKey = "MEM504:reenables";

constexpr auto kTuningCalls = std::to_array<std::string_view>({
    "gc.set_threshold",
    "gc.freeze",
    "gc.unfreeze",
    "gc.disable",
});

constexpr auto kEntryPointFiles = std::to_array<std::string_view>({
    "__main__.py",
    "setup.py",
    "conftest.py",
    "manage.py",
    "wsgi.py",
    "asgi.py",
    // Run by the interpreter at start-up, to configure it (the `site` module).
    "sitecustomize.py",
    "usercustomize.py",
    // Run by a tool's command, never imported by a library: Fabric's, nox's and Locust's files.
    "fabfile.py",
    "noxfile.py",
    "locustfile.py",
    // Run by the interactive interpreter (`PYTHONSTARTUP`) and by IPython at start-up.
    ".pythonrc.py",
    "ipython_config.py",
});

// gunicorn's server hooks, which a configuration file defines at module level.
constexpr auto kGunicornHooks = std::to_array<std::string_view>({
    "on_starting",
    "on_reload",
    "when_ready",
    "pre_fork",
    "post_fork",
    "post_worker_init",
    "worker_int",
    "worker_abort",
    "pre_exec",
    "pre_request",
    "post_request",
    "child_exit",
    "worker_exit",
    "nworkers_changed",
    "on_exit",
});
// Settings a gunicorn configuration file assigns at module level.
constexpr auto kGunicornSettings = std::to_array<std::string_view>({
    "bind",
    "workers",
    "worker_class",
    "preload_app",
});

// The module that holds `node`: its run's root, when the text is analysed in runs.
TSNode moduleOf(TSNode node) {
  while (!ts_node_is_null(parentOf(node)))
    node = parentOf(node);
  return node;
}

// A gunicorn configuration file, by its content: it assigns one of gunicorn's settings (`bind`,
// `workers`, `worker_class`, `preload_app`) at module level and defines one of its server hooks
// there (`def post_fork(server, worker):`, the first parameter `server` or `worker`). gunicorn
// runs it with `-c`; nothing imports it. Not answered in analysis in runs.
bool isGunicornConfig(const RuleContext& context, TSNode module) {
  // One run of a document analysed in runs sees its own statements only.
  if (context.analysingOneRun()) return false;
  bool setting = false;
  bool hook = false;
  const uint32_t count = namedChildCount(module);
  for (uint32_t i = 0; i < count; ++i) {
    TSNode statement = nthNamedChild(module, i);
    if (kindOf(statement) == NodeKind::DecoratedDefinition) {
      statement = childByField(statement, Field::Definition);
    }
    if (kindOf(statement) == NodeKind::FunctionDefinition) {
      const std::string_view name = context.text(childByField(statement, Field::Name));
      TSNode first = firstNamedChildSkippingExtras(childByField(statement, Field::Parameters));
      if (kindOf(first) != NodeKind::Identifier) first = firstNamedChildSkippingExtras(first);
      const std::string_view parameter = context.text(first);
      hook = hook || (std::find(kGunicornHooks.begin(), kGunicornHooks.end(), name) !=
                          kGunicornHooks.end() &&
                      (parameter == "server" || parameter == "worker"));
    } else if (kindOf(statement) == NodeKind::ExpressionStatement) {
      const TSNode assignment = nthNamedChild(statement, 0);
      const TSNode left = childByField(assignment, Field::Left);
      setting = setting || (kindOf(assignment) == NodeKind::Assignment &&
                            kindOf(left) == NodeKind::Identifier &&
                            std::find(kGunicornSettings.begin(), kGunicornSettings.end(),
                                      context.text(left)) != kGunicornSettings.end());
    }
  }
  return setting && hook;
}

// A Jupytext or VS Code "percent" script: at least two lines that start with `# %%`, the cell
// marker. It is run cell by cell in a kernel, as a notebook is.
bool hasPercentCells(std::string_view text) {
  int markers = 0;
  for (size_t at = text.find("# %%"); at != std::string_view::npos;
       at = text.find("# %%", at + 1)) {
    if ((at == 0 || text[at - 1] == '\n') && ++markers == 2) return true;
  }
  return false;
}

// Whether a directory of `path` is `startup` inside a directory named `profile_...` under an
// `.ipython` folder: IPython runs every file of a profile's `startup/` folder when a session
// starts.
bool isIPythonStartupFile(std::string_view path) {
  std::string_view previous;
  bool ipython = false;
  size_t start = 0;
  for (size_t end = path.find_first_of("/\\"); end != std::string_view::npos;
       start = end + 1, end = path.find_first_of("/\\", start)) {
    const std::string_view folder = path.substr(start, end - start);
    if (folder == "startup" && previous.starts_with("profile_") && ipython) return true;
    ipython = ipython || folder == ".ipython";
    previous = folder;
  }
  return false;
}

// An invoke task file: `tasks.py` that imports from `invoke` (`from invoke import task`). A
// `tasks.py` without it may be a library module (Celery's tasks are imported by the workers).
bool isInvokeTasksFile(const RuleContext& context, std::string_view name) {
  if (name != "tasks.py") return false;
  const SemanticModel& semantic = context.semantic();
  for (const Binding& binding : semantic.bindings()) {
    if (binding.kind != BindingKind::Import && binding.kind != BindingKind::FromImport) continue;
    const std::string_view imported = semantic.importedName(binding);
    if (imported == "invoke" || imported.starts_with("invoke.")) return true;
  }
  return false;
}

std::string_view fileName(std::string_view path) {
  const size_t slash = path.find_last_of("/\\");
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool isEntryPointFile(const RuleContext& context, TSNode call) {
  const std::string_view name = fileName(context.options().path);
  if (isInvokeTasksFile(context, name)) return true;
  // Kinds told by content or folder, never for a package's module, which is imported.
  if (!isInPackage(context) &&
      (isIPythonStartupFile(context.options().path) || hasPercentCells(context.source().text()) ||
       isGunicornConfig(context, moduleOf(call)))) {
    return true;
  }
  for (std::string_view entry : kEntryPointFiles) {
    if (name == entry) return true;
  }
  // A notebook is run, never imported; so is Sphinx's `docs/conf.py`, by the documentation build.
  bool sphinx_conf = false;
  if (name == "conf.py") {
    // A folder named `doc` or `docs` anywhere above it (`docs/source/conf.py`).
    std::string_view path = context.options().path;
    for (size_t slash = path.find_first_of("/\\"); slash != std::string_view::npos;
         path.remove_prefix(slash + 1), slash = path.find_first_of("/\\")) {
      const std::string_view folder = path.substr(0, slash);
      sphinx_conf = sphinx_conf || folder == "doc" || folder == "docs";
    }
  }
  return name.starts_with("gunicorn") || name.ends_with(".ipynb") || sphinx_conf ||
         context.source().text().starts_with("#!");
}

class GcTuningAtImport final : public RuleChecker {
 public:
  void onNode(TSNode node, NodeKind kind, RuleContext& context) override {
    if (kind == NodeKind::IfStatement) {
      if (context.executions().size() == 1 &&
          testsForMain(context, childByField(node, Field::Condition), true)) {
        context.provides(kMainGuardKey);
      }
      return;
    }
    // Import time: every body around the call is the module or a class body.
    for (const ExecutionContext& execution : context.executions()) {
      if (execution.kind != NodeKind::Module && execution.kind != NodeKind::ClassDefinition) {
        return;
      }
    }
    const NodeKind callee = kindOf(childByField(node, Field::Function));
    if (callee != NodeKind::Identifier && callee != NodeKind::Attribute) return;
    bool in_handler = false;
    for (size_t up = 1; up < context.depth() && !in_handler; ++up) {
      const NodeKind frame_kind = context.frame(up).kind;
      in_handler =
          frame_kind == NodeKind::ExceptClause || frame_kind == NodeKind::ExceptGroupClause;
    }
    candidates_.push_back(Candidate{node, context.scope(), in_handler});
  }

  void finish(RuleContext& context) override {
    if (candidates_.empty()) return;
    std::vector<std::pair<const Candidate*, std::string>> tunings;
    uint32_t last_enable = 0;   // the end of the last `gc.enable()` off the error path, or 0
    uint32_t last_restore = 0;  // the end of the last `gc.set_threshold(*saved)`, or 0
    for (const Candidate& candidate : candidates_) {
      std::string callee = context.semantic().qualifiedName(
          candidate.scope, childByField(candidate.call, Field::Function));
      if (!candidate.in_handler && callee == "gc.enable") {
        context.provides(kReenablesKey);
        last_enable = std::max(last_enable, ts_node_end_byte(candidate.call));
      }
      if (const TSNode stack = exitStackCallingEnable(context, candidate);
          !candidate.in_handler && !ts_node_is_null(stack)) {
        context.provides(kReenablesKey);
        // When the `with` ends: after its last statement, which may be the disable itself.
        last_enable = std::max(last_enable, ts_node_end_byte(stack) + 1);
      }
      // `gc.set_threshold(*saved)`: puts back thresholds saved with `gc.get_threshold()`.
      if (callee == "gc.set_threshold" && restoresSavedThresholds(context, candidate)) {
        if (!candidate.in_handler) {
          context.provides(kRestoresThresholdsKey);
          last_restore = std::max(last_restore, ts_node_end_byte(candidate.call));
        }
        continue;
      }
      if (std::find(kTuningCalls.begin(), kTuningCalls.end(), callee) != kTuningCalls.end() &&
          !neverRuns(context, candidate.scope, candidate.call)) {  // `if TYPE_CHECKING:`
        tunings.emplace_back(&candidate, std::move(callee));
      }
    }
    if (tunings.empty()) return;
    context.dependsOn(kMainGuardKey);
    const bool script =
        context.moduleProvides(kMainGuardKey) || isEntryPointFile(context, tunings[0].first->call);
    for (const auto& [candidate, callee] : tunings) {
      if (script && !runsOnlyWhenImported(context, candidate->call)) continue;
      // `gc.disable()` ... `finally: gc.enable()` at the top level: the collector is off only
      // while the module loads (an import-time speed-up), not for the importer. The enable must
      // come after the disable, here or in a later run of the module, and not only in an
      // `except` clause.
      if (callee == "gc.disable") {
        context.dependsOn(kReenablesKey);
        if (last_enable > ts_node_end_byte(candidate->call) ||
            context.laterRunProvides(kReenablesKey)) {
          continue;
        }
      }
      // So for thresholds changed while the module loads and then put back.
      if (callee == "gc.set_threshold") {
        context.dependsOn(kRestoresThresholdsKey);
        if (last_restore > ts_node_end_byte(candidate->call) ||
            context.laterRunProvides(kRestoresThresholdsKey)) {
          continue;
        }
      }
      report(*candidate, callee, context);
    }
  }

 private:
  struct Candidate {
    TSNode call;
    ScopeId scope;
    bool in_handler;  // in an `except` clause: runs only when something failed
  };

  // `gc.set_threshold(*saved)`, or `gc.set_threshold(saved[0], saved[1], saved[2])` (exactly
  // three arguments, each the item of its own position): one name, bound once to
  // `gc.get_threshold()`.
  static bool restoresSavedThresholds(const RuleContext& context, const Candidate& candidate) {
    const TSNode arguments = childByField(candidate.call, Field::Arguments);
    const TSNode splat = onlyNamedChildSkippingExtras(arguments);
    TSNode saved{};
    if (kindOf(splat) == NodeKind::ListSplat) {
      saved = firstNamedChildSkippingExtras(splat);
    } else {
      // All three generations: `gc.set_threshold(saved[0])` leaves the other two changed.
      const uint32_t count = namedChildCountSkippingExtras(arguments);
      if (count != 3) return false;
      for (uint32_t i = 0; i < count; ++i) {
        const TSNode item = nthNamedChildSkippingExtras(arguments, i);
        const TSNode value = childByField(item, Field::Value);
        if (kindOf(item) != NodeKind::Subscript || kindOf(value) != NodeKind::Identifier ||
            context.text(childByField(item, Field::SubscriptIndex)) != std::to_string(i) ||
            (i > 0 && context.text(value) != context.text(saved))) {
          return false;
        }
        saved = value;
      }
    }
    if (kindOf(saved) != NodeKind::Identifier) return false;
    const Resolution resolution =
        context.semantic().resolve(candidate.scope, context.text(saved), ts_node_start_byte(saved));
    if (resolution.kind != Resolution::Kind::Bound) return false;
    ScopeId value_scope = kNoScope;
    const TSNode value = singleAssignedValue(context, *resolution.binding, &value_scope);
    return kindOf(value) == NodeKind::Call &&
           context.semantic().qualifiedName(value_scope, childByField(value, Field::Function)) ==
               "gc.get_threshold";
  }

  // In the body of `if __name__ != "__main__":`, or an `elif` or the `else` of
  // `if __name__ == "__main__":`:
  // it runs when the module is imported, whatever the module's main block does.
  static bool runsOnlyWhenImported(const RuleContext& context, TSNode call) {
    for (TSNode child = call, up = parentOf(call); !ts_node_is_null(up);
         child = up, up = parentOf(up)) {
      if (kindOf(up) != NodeKind::IfStatement) continue;
      const TSNode condition = childByField(up, Field::Condition);
      const bool in_body = ts_node_eq(childByField(up, Field::Consequence), child);
      const bool in_else =
          kindOf(child) == NodeKind::ElseClause || kindOf(child) == NodeKind::ElifClause;
      if ((in_body && testsForMain(context, condition, true) && !isMainGuard(context, condition)) ||
          (in_else && isMainGuard(context, condition))) {
        return true;
      }
    }
    return false;
  }

  // `gc.enable` handed over as a cleanup while the module loads: `stack.callback(gc.enable)` in
  // a top-level `with contextlib.ExitStack() as stack:`.
  // The `with` statement that calls it when it ends, or a null node.
  static TSNode exitStackCallingEnable(const RuleContext& context, const Candidate& candidate) {
    const TSNode callee = childByField(candidate.call, Field::Function);
    const TSNode first =
        firstNamedChildSkippingExtras(childByField(candidate.call, Field::Arguments));
    const NodeKind kind = kindOf(first);
    if (kindOf(callee) != NodeKind::Attribute ||
        context.text(childByField(callee, Field::AttributeName)) != "callback" ||
        (kind != NodeKind::Identifier && kind != NodeKind::Attribute) ||
        context.semantic().qualifiedName(candidate.scope, first) != "gc.enable") {
      return TSNode{};
    }
    // `with contextlib.ExitStack() as stack:` (or `ExitStack()` imported) around the call, the
    // stack the callback is registered on.
    const std::string_view stack = context.text(childByField(callee, Field::Object));
    for (TSNode up = parentOf(candidate.call); !ts_node_is_null(up); up = parentOf(up)) {
      if (kindOf(up) != NodeKind::WithStatement) continue;
      const TSNode clause = firstChildOfKind(up, NodeKind::WithClause);
      const uint32_t count = namedChildCount(clause);
      for (uint32_t i = 0; i < count; ++i) {
        const TSNode item = childByField(nthNamedChild(clause, i), Field::Value);
        if (kindOf(item) != NodeKind::AsPattern) continue;
        const TSNode made = nthNamedChild(item, 0);
        if (context.text(childByField(item, Field::Alias)) == stack &&
            kindOf(made) == NodeKind::Call &&
            context.text(childByField(made, Field::Function)).ends_with("ExitStack")) {
          return up;
        }
      }
    }
    return TSNode{};
  }

  static void report(const Candidate& candidate, const std::string& callee, RuleContext& context) {
    Diagnostic diagnostic;
    diagnostic.start = ts_node_start_byte(candidate.call);
    diagnostic.end = ts_node_end_byte(candidate.call);
    diagnostic.message = "`" + callee + "()` runs when this module is imported: it changes the " +
                         "garbage collector for the whole process, in every program that " +
                         "imports the module";
    diagnostic.fix_title = "Leave collector tuning to the application's entry point";
    context.report(std::move(diagnostic));
  }

  std::vector<Candidate> candidates_;
};

constexpr std::array kSubscriptions = {NodeKind::Call, NodeKind::IfStatement};

}  // namespace

extern const RuleDefinition kGcTuningAtImport{
    .code = "MEM504",
    .name = "gc-tuning-at-import",
    .summary = "`gc.set_threshold`/`freeze`/`disable` run when a library module is imported",
    .documentation = kDocumentation,
    .subscriptions = kSubscriptions,
    .create = []() -> std::unique_ptr<RuleChecker> { return std::make_unique<GcTuningAtImport>(); },
    .needs_text = "gc",
};

}  // namespace heaplint
