// MEM305 frame-reference-kept: a frame object (`inspect.currentframe()`, `sys._getframe()`,
// `inspect.stack()`, `tb.tb_frame`) kept where it outlives the call, or the current frame bound
// to a local without the `del` in a `finally` that the inspect documentation asks for.

#include <algorithm>
#include <array>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/call_evidence.h"
#include "analyzer/code_model.h"
#include "analyzer/code_text.h"
#include "analyzer/concat.h"
#include "analyzer/frame_evidence.h"
#include "analyzer/lifetime_evidence.h"
#include "analyzer/walker.h"
#include "rules/common.h"

namespace heaplint {
namespace {

constexpr std::string_view kDocumentation = R"md(## What it does
Checks for frame objects kept where they outlive the code that needed them. A frame comes from
`inspect.currentframe()`, `sys._getframe(...)`, `inspect.stack()`, `inspect.trace()`,
`inspect.getouterframes(...)`, `inspect.getinnerframes(...)` (names resolved through imports and
aliases: `from sys import _getframe as gf`), from a traceback's `.tb_frame`, or from a frame's
`.f_back`; an item of a stack (`inspect.stack()[1]`, `inspect.stack()[1][0]`,
`inspect.stack()[1].frame`) holds one too.

Flagged:
- a frame (or a stack) stored where it lives on: an attribute of the instance or the class
  (`self.frame = sys._getframe(1)`), a module-level name (`global caller`), or a container that
  lives as long as the instance, the class or the process (`self.frames.append(tb.tb_frame)`,
  `_STACKS[key] = inspect.stack()`), as the analyzer's lifetime evidence tells;
- with `--preview` only: the function's *own* frame (`inspect.currentframe()`, `sys._getframe()`,
  `sys._getframe(0)`, `inspect.stack()`, and `inspect.trace()` called in the `except` clause that
  handles the exception) bound to a local name that is neither deleted in a `finally` clause nor
  rebound (walking `frame = frame.f_back`).

Not flagged:
- what is read from a frame and not kept: `sys._getframe(1).f_code.co_name`,
  `frame.f_back.f_globals["__name__"]`, `inspect.stack()[1][3]`, `inspect.stack()[1].function`,
  `traceback.extract_stack(sys._getframe(1))`;
- a caller's frame bound to a local (`caller = sys._getframe(1)`, `frame = currentframe().f_back`):
  the caller's frame does not reference the callee, so no cycle forms and the reference dies with
  the call;
- frames returned, yielded or passed to a call (the caller decides), and stores into locals or
  their attributes;
- a container that the same function starts afresh (`self.frames = []` or `self.frames.clear()`
  before the loop that fills it): it holds the frames of the latest stack only, as a debugger or
  console that shows one stack at a time does on purpose;
- `inspect.trace()` in a helper called from a handler: its frames start at the handler's
  function, so no cycle forms through the helper's locals;
- an attribute, a name or an item that a `finally` clause of the same function, after the store,
  lets go of (`self.frame = None`, `del self.frame`, `del _frames[key]`, `_active.pop()` after
  `_active.append(frame)`, as `del _active[-1]` does, `pop(0)` after `insert(0, frame)`,
  `popleft()` after `appendleft`, `remove` of the same value), in a statement of the clause
  itself rather than under an `if` in it: it holds the frame only while the call runs, when the
  frame is alive anyway; and an attribute stored in a method that another method of the class
  (not `__init__` or `__del__`, nor one that stores there too) lets go of in the same way:
  `__exit__` after `__enter__` (the caller's frame, held while its `with` block runs), `stop()` or
  `close()` after `start()`: the class manages how long it holds the frame;
- test code (the shared test-file patterns), debugging code (a function, class or module whose
  name says `debug`: a debugger keeps the frames it shows on purpose), and a class or function
  that walks the object graph (`gc.get_referrers`, `gc.get_referents`): a heap browser keeps its
  own frames to know them, and skip them, among the referrers it shows.

## Why is this bad?
A frame holds every local variable of its call and, through `f_back`, every frame that called
it, with all of theirs: the request, the parsed document, the buffers. Kept in an attribute or a
long-lived container, it keeps all of that alive as long as the holder lives, long after the
calls returned.

A function's own frame bound to one of its locals is a reference cycle: the frame holds the
local, the local holds the frame. When the function returns, the frame and everything it refers
to survive until the cyclic garbage collector runs. The `inspect` documentation ("The
interpreter stack") recommends `del frame` in a `finally` clause for exactly this. The cycle only
delays the release (the collector does find it), which is why that part is in preview: reviewers
do not defend it as a finding in every short helper, but it matters in hot paths and with large
locals.

## Known problems
Only the first store of the value is followed: a frame bound to a local and then stored in an
attribute two lines later is not seen. Frames kept by other means (in a closure, in a traceback
kept by an exception: MEM304) are not reported here. A debugger or console that keeps the frames
of the exception it shows (to inspect their locals) stores them on purpose: silence it with
`# noqa: MEM305` and a comment.

## Example
```python
import sys


class Call:
    def __init__(self):
        self.caller = sys._getframe(1)

    def where(self):
        return self.caller.f_code.co_name
```

## Use instead
```python
import sys


class Call:
    def __init__(self):
        caller = sys._getframe(1)
        self.where = caller.f_code.co_name
```
and, for the function's own frame:
```python
import inspect


def handle():
    frame = inspect.currentframe()
    try:
        report(frame.f_code.co_name)
    finally:
        del frame
```

## Fix safety
No fix is offered: what the code needs from the frame (its name, line, globals) is for the
author to decide.

## Options
`preview`: also report a function's own frame bound to a local without a `del` in a `finally`.
`test-file-patterns`: test code is not checked.

## References
- [Python docs: `inspect`, the interpreter stack](https://docs.python.org/3/library/inspect.html#the-interpreter-stack)
- [Python docs: `sys._getframe`](https://docs.python.org/3/library/sys.html#sys._getframe)
- No peer linter has this rule.
)md";

struct Source {
  TSNode node;
  ScopeId scope;
};

bool importsFrames(std::string_view module) {
  return module == "sys" || module == "inspect";
}

class FrameReferenceKept final : public RuleChecker {
 public:
  void onNode(TSNode node, NodeKind kind, RuleContext& context) override {
    if (!looked_at_earlier_runs_) {
      looked_at_earlier_runs_ = true;
      const uint32_t offset = ts_node_start_byte(node);
      names_may_be_frames_ = earlierRunImportsFrom(context, "sys", offset) ||
                             earlierRunImportsFrom(context, "inspect", offset);
    }
    switch (kind) {
      case NodeKind::ImportFromStatement:
        if (importsFrames(context.text(childByField(node, Field::ModuleName)))) {
          names_may_be_frames_ = true;
        }
        return;
      case NodeKind::Attribute:
        if (context.text(childByField(node, Field::AttributeName)) == "tb_frame") {
          attributes_.push_back(Source{node, context.scope()});
        }
        return;
      default:
        break;
    }
    // A call: `inspect.currentframe()` by its last name; a bare name (`gf()` after `from sys
    // import _getframe as gf`) when the module imports from `sys` or `inspect`.
    const TSNode callee = childByField(node, Field::Function);
    if (kindOf(callee) == NodeKind::Attribute) {
      const std::string_view name = context.text(childByField(callee, Field::AttributeName));
      if (name == "get_referrers" || name == "get_referents") {
        graph_walks_.push_back(Source{node, context.scope()});
        return;
      }
      if (!mayMakeFrames(name)) return;
    } else if (kindOf(callee) != NodeKind::Identifier || !names_may_be_frames_) {
      return;
    }
    calls_.push_back(Source{node, context.scope()});
  }

  void finish(RuleContext& context) override {
    // A tool that walks the object graph (`gc.get_referrers`, as Pympler's reference browser
    // does) keeps its own frames on purpose: to know them, and skip them, among the referrers.
    // Decided per top-level definition, which a run of the editor's document never splits.
    for (const Source& source : graph_walks_) {
      const std::string qualified = context.semantic().qualifiedName(
          source.scope, childByField(source.node, Field::Function));
      if (qualified == "gc.get_referrers" || qualified == "gc.get_referents") {
        graph_walkers_.push_back(ts_node_start_byte(topLevelStatementOf(source.node)));
      }
    }
    for (const Source& source : calls_) {
      const std::string qualified = context.semantic().qualifiedName(
          source.scope, childByField(source.node, Field::Function));
      if (framesMadeBy(qualified) != FrameHeld::Nothing) check(context, source, qualified);
    }
    for (const Source& source : attributes_)
      check(context, source, {});
  }

 private:
  // The function definition `node` is in (through lambdas and nested blocks); null at module
  // level.
  static TSNode functionAround(TSNode node) {
    TSNode function = parentOf(node);
    while (!ts_node_is_null(function) && kindOf(function) != NodeKind::FunctionDefinition)
      function = parentOf(function);
    return function;
  }

  // Whether the function around `node` starts the container afresh (`self.frames = []`,
  // `self.frames.clear()`): it then holds the frames of the latest call only, as a debugger or a
  // console that shows one stack at a time does on purpose.
  static bool refilledInFunction(const RuleContext& context, TSNode node, TSNode container) {
    const TSNode function = functionAround(node);
    if (ts_node_is_null(function)) return false;
    const std::string_view text = context.text(container);
    bool found = false;
    visitSubtree(function, [&](TSNode inner, TSFieldId /*field*/) {
      const NodeKind kind = kindOf(inner);
      if (kind == NodeKind::Assignment) {
        found = context.text(childByField(inner, Field::Left)) == text;
      } else if (kind == NodeKind::Call) {
        const TSNode callee = childByField(inner, Field::Function);
        found = kindOf(callee) == NodeKind::Attribute &&
                context.text(childByField(callee, Field::AttributeName)) == "clear" &&
                context.text(childByField(callee, Field::Object)) == text;
      }
      return found ? Visit::Stop : Visit::Descend;
    });
    return found;
  }

  // The statement of the module that holds `node` (a class, a function, an `if`).
  static TSNode topLevelStatementOf(TSNode node) {
    TSNode statement = node;
    for (TSNode up = parentOf(node); !ts_node_is_null(up) && kindOf(up) != NodeKind::Module;
         up = parentOf(up)) {
      statement = up;
    }
    return statement;
  }

  // A debugger keeps the frames it shows on purpose (IPython's `debugger()` hands its pdb the
  // frame of the exception): code in a function, class or module named for debugging.
  static bool inDebuggingCode(const RuleContext& context, TSNode node) {
    const TSNode function = functionAround(node);
    if (ts_node_is_null(function)) return isDemoOrDebugCode(context.options().module.name);
    return isDemoOrDebugCode(definitionName(context, function));
  }

  void check(RuleContext& context, const Source& source, std::string_view qualified) const {
    const FrameValue frame = frameValueOf(context, source.node, qualified);
    const TSNode value = frame.value;
    const TSNode parent = parentOf(value);
    TSNode target{};
    TSNode item{};  // `_frames[key]` of `_frames[key] = sys._getframe(1)`
    bool container = false;
    if (kindOf(parent) == NodeKind::Assignment &&
        ts_node_eq(childByField(parent, Field::Right), value)) {
      target = childByField(parent, Field::Left);
      if (kindOf(target) == NodeKind::Subscript) {
        item = target;
        target = childByField(target, Field::Value);
        container = true;
      }
    } else if (kindOf(parent) == NodeKind::ArgumentList) {
      const TSNode callee = childByField(parentOf(parent), Field::Function);
      if (kindOf(callee) != NodeKind::Attribute) return;
      const std::string_view method = context.text(childByField(callee, Field::AttributeName));
      constexpr std::array<std::string_view, 6> kStoring = {"append", "add",    "appendleft",
                                                            "insert", "extend", "setdefault"};
      if (std::find(kStoring.begin(), kStoring.end(), method) == kStoring.end()) return;
      target = childByField(callee, Field::Object);
      container = true;
    }
    const NodeKind target_kind = kindOf(target);
    if (target_kind != NodeKind::Identifier && target_kind != NodeKind::Attribute) return;
    if (container && refilledInFunction(context, value, target)) return;
    // `del self.frame`, `self.frame = None`, `del _frames[key]`, `_active.pop()` in a `finally`
    // of the function.
    const bool appended = container && ts_node_is_null(item);
    const std::string_view released = appended    ? context.text(target)
                                      : container ? context.text(item)
                                                  : context.text(target);
    if (letsGo(context, functionAround(value), released, ts_node_end_byte(parent), true,
               appended ? parentOf(parent) : TSNode{})) {
      return;
    }
    if (!container && releasedByTheClass(context, value, target)) return;
    if (inDebuggingCode(context, value) ||
        std::find(graph_walkers_.begin(), graph_walkers_.end(),
                  ts_node_start_byte(topLevelStatementOf(value))) != graph_walkers_.end()) {
      return;
    }
    const LifetimeEvidence lifetime = lifetimeOf(context, source.scope, target);
    const std::string what = describe(context, source, frame);
    switch (lifetime.lifetime) {
      case Lifetime::Instance:
      case Lifetime::Class:
      case Lifetime::Module:
      case Lifetime::Process:
        report(
            context, value,
            concat(what, container ? " is put into " : " is stored in ",
                   lifetime.lifetime == Lifetime::Instance ? heaplint::quoted(context.text(target))
                                                           : lifetime.display,
                   ": it keeps every local of that frame and of the frames that called it "
                   "alive as long as ",
                   lifetimePhrase(lifetime.lifetime),
                   "; keep what is needed (`f_code.co_name`, `f_lineno`) instead"));
        return;
      case Lifetime::Local:
        if (frame.own && !container && target_kind == NodeKind::Identifier &&
            context.options().settings->preview) {
          checkLocal(context, source, target, what);
        }
        return;
      default:
        return;
    }
  }

  // The function's own frame bound to a local: a cycle, unless a `finally` deletes the name or
  // the code moves it off the frame (`frame = frame.f_back`).
  static void checkLocal(RuleContext& context, const Source& source, TSNode name,
                         const std::string& what) {
    const SemanticModel& semantic = context.semantic();
    const ScopeId function = enclosingFunctionScope(semantic, source.scope);
    if (function == kNoScope || semantic.scope(function).kind != ScopeKind::Function) return;
    const std::string_view text = context.text(name);
    if (semantic.bindingsIn(function, text).size() != 1) return;
    if (letsGo(context, semantic.scope(function).node, text, ts_node_end_byte(parentOf(name)),
               true)) {
      return;
    }
    report(context, name,
           concat(what, " is bound to ", heaplint::quoted(text), " in ",
                  heaplint::quoted(functionDisplayName(context, function), "()"),
                  ": the frame then holds itself through its locals, a cycle that keeps every "
                  "local of the call alive until the garbage collector runs; `del ",
                  text, "` in a `finally` clause"));
  }

  // What the methods of one class do to attributes, read once per class: for each attribute
  // (`self.frame`), the methods that set it to None or delete it in a statement they always run,
  // and those that store something else in it (or `setattr(self, "frame", ...)`).
  struct ClassReleases {
    std::unordered_map<std::string, std::vector<const void*>> released;  // always, by these
    std::unordered_map<std::string, std::vector<const void*>> stored;
    // Per attribute, the methods that let go of it and never store there (filled last).
    std::unordered_map<std::string, std::vector<const void*>> releasers;
  };

  // Whether `statement` runs whenever `method` does: under nothing but `with`, `try` and
  // `finally` blocks (not `if`, `except` or a loop).
  static bool alwaysRuns(TSNode method, TSNode statement) {
    for (TSNode up = parentOf(statement); !ts_node_is_null(up); up = parentOf(up)) {
      if (ts_node_eq(up, method)) return true;
      const NodeKind kind = kindOf(up);
      if (kind != NodeKind::Block && kind != NodeKind::WithStatement &&
          kind != NodeKind::TryStatement && kind != NodeKind::FinallyClause) {
        return false;
      }
    }
    return false;
  }

  static ClassReleases readReleases(const RuleContext& context, TSNode class_node) {
    ClassReleases releases;
    forEachMethod(class_node, [&](TSNode method) {
      const std::string_view name = context.text(childByField(method, Field::Name));
      // `__init__`'s `self.frame = None` starts it empty; `__del__` runs only once the instance
      // is unreachable, which the frame it holds may prevent.
      const bool may_release =
          name != "__init__" && name != "__new__" && name != "__post_init__" && name != "__del__";
      visitSubtree(method, [&](TSNode node, TSFieldId /*field*/) {
        const NodeKind kind = kindOf(node);
        if (kind == NodeKind::FunctionDefinition || kind == NodeKind::ClassDefinition ||
            kind == NodeKind::Lambda) {
          return Visit::SkipChildren;
        }
        if (kind == NodeKind::Assignment && kindOf(parentOf(node)) != NodeKind::Assignment) {
          // `self.frame = self.other = None`: each link's target gets the chain's last value.
          std::vector<TSNode> lefts;
          TSNode value = node;
          while (kindOf(value) == NodeKind::Assignment) {
            lefts.push_back(childByField(value, Field::Left));
            value = childByField(value, Field::Right);
          }
          const bool always = may_release && alwaysRuns(method, parentOf(node));
          for (const TSNode left : lefts) {
            // `self.frame, self.other = None, None`: each target with its value.
            const bool pairs =
                (kindOf(left) == NodeKind::PatternList || kindOf(left) == NodeKind::TuplePattern) &&
                (kindOf(value) == NodeKind::ExpressionList || kindOf(value) == NodeKind::Tuple) &&
                namedChildCount(left) == namedChildCount(value);
            const uint32_t count = pairs ? namedChildCount(left) : 1;
            for (uint32_t i = 0; i < count; ++i) {
              const TSNode target = pairs ? nthNamedChild(left, i) : left;
              const TSNode given = pairs ? nthNamedChild(value, i) : value;
              std::string text(context.text(target));
              if (kindOf(given) != NodeKind::None) {
                releases.stored[std::move(text)].push_back(method.id);
              } else if (always) {
                releases.released[std::move(text)].push_back(method.id);
              }
            }
          }
        } else if (kind == NodeKind::DeleteStatement && may_release && alwaysRuns(method, node)) {
          for (uint32_t i = 0; i < namedChildCount(node); ++i) {
            const TSNode deleted = nthNamedChild(node, i);
            const uint32_t parts =
                kindOf(deleted) == NodeKind::ExpressionList ? namedChildCount(deleted) : 1;
            for (uint32_t j = 0; j < parts; ++j) {
              const TSNode part =
                  kindOf(deleted) == NodeKind::ExpressionList ? nthNamedChild(deleted, j) : deleted;
              releases.released[std::string(context.text(part))].push_back(method.id);
            }
          }
        } else if (kind == NodeKind::Call &&
                   context.text(childByField(node, Field::Function)) == "setattr") {
          const TSNode arguments = childByField(node, Field::Arguments);
          const std::string_view owner = context.text(nthNamedChildSkippingExtras(arguments, 0));
          const std::optional<std::string_view> attribute =
              plainStringContent(context.text(nthNamedChildSkippingExtras(arguments, 1)));
          if (attribute) releases.stored[concat(owner, ".", *attribute)].push_back(method.id);
        }
        return Visit::Descend;
      });
      return true;
    });
    for (auto& [attribute, methods] : releases.released) {
      const auto stored = releases.stored.find(attribute);
      const std::unordered_set<const void*> storing =
          stored == releases.stored.end()
              ? std::unordered_set<const void*>{}
              : std::unordered_set<const void*>(stored->second.begin(), stored->second.end());
      std::vector<const void*>& releasers = releases.releasers[attribute];
      for (const void* method : methods) {
        if (!storing.contains(method) &&
            std::find(releasers.begin(), releasers.end(), method) == releasers.end()) {
          releasers.push_back(method);
          if (releasers.size() == 2) break;  // enough: one of them is not the storing method
        }
      }
    }
    return releases;
  }

  // `self.frame = sys._getframe(1)` in a method, and another method of the same class lets go of
  // it (`self.frame = None`, `del self.frame`) in a statement it always runs: `__exit__` after
  // `__enter__`, `stop()` after `start()`. The class manages how long the frame is held (while
  // the caller's `with` block runs, until the caller stops it). Not `__init__`, whose
  // `self.frame = None` starts it empty, nor `__del__`, nor a method that stores there itself.
  bool releasedByTheClass(const RuleContext& context, TSNode value, TSNode target) const {
    const TSNode function = functionAround(value);
    if (kindOf(target) != NodeKind::Attribute || ts_node_is_null(function)) return false;
    TSNode class_node = parentOf(function);
    while (!ts_node_is_null(class_node) && kindOf(class_node) != NodeKind::ClassDefinition)
      class_node = parentOf(class_node);
    if (ts_node_is_null(class_node)) return false;
    auto cached = class_releases_.find(class_node.id);
    if (cached == class_releases_.end()) {
      cached = class_releases_.emplace(class_node.id, readReleases(context, class_node)).first;
    }
    const ClassReleases& releases = cached->second;
    const auto releasers = releases.releasers.find(std::string(context.text(target)));
    if (releasers == releases.releasers.end()) return false;
    return std::any_of(releasers->second.begin(), releasers->second.end(),
                       [&](const void* method) { return method != function.id; });
  }

  // Whether `call` takes back what `store` (`_active.append(frame)`) put into the container:
  // `_active.pop()` or `_active.remove(frame)` for `append`, `popleft()` for `appendleft`,
  // `remove`/`discard` of the same value for `add`, `pop(0)` for `insert(0, frame)`. Not any
  // `pop()`: after `insert(0, frame)` or `extend(frames)` it takes another item.
  static bool takesBack(const RuleContext& context, TSNode call, TSNode store) {
    const auto methodOf = [&](TSNode of) {
      return context.text(childByField(childByField(of, Field::Function), Field::AttributeName));
    };
    const std::string_view stored_by = methodOf(store);
    const std::string_view method = methodOf(call);
    const TSNode arguments = childByField(call, Field::Arguments);
    const TSNode stored_arguments = childByField(store, Field::Arguments);
    const bool no_argument = hasNamedChildrenSkippingExtras(arguments, 0);
    const std::string_view argument = context.text(onlyNamedChildSkippingExtras(arguments));
    const std::string_view stored = context.text(onlyNamedChildSkippingExtras(stored_arguments));
    if (stored_by == "append") {
      return (method == "pop" && (no_argument || argument == "-1")) ||
             (method == "remove" && !stored.empty() && argument == stored);
    }
    if (stored_by == "appendleft") return method == "popleft" && no_argument;
    if (stored_by == "add") {
      return (method == "remove" || method == "discard") && !stored.empty() && argument == stored;
    }
    if (stored_by == "insert") {
      const TSNode position = nthNamedChildSkippingExtras(stored_arguments, 0);
      return method == "pop" && !ts_node_is_null(position) && argument == context.text(position);
    }
    return false;
  }

  // Whether `function`, after byte `stored` (and in a `finally` clause when `in_finally`), lets
  // go of what `target` holds: `del self.frame`, `del _frames[key]`, or `self.frame = None`; or,
  // when `store` is the call that put the frame into the container `target`, a call that takes
  // it back (`takesBack`). The frame is then held only while the call runs, when it is alive
  // anyway (guppy's `limitframe`); a local deleted there breaks the cycle its own frame makes.
  static bool letsGo(const RuleContext& context, TSNode function, std::string_view target,
                     uint32_t stored, bool in_finally, TSNode store = TSNode{}) {
    if (ts_node_is_null(function)) return false;
    // A statement of the `finally` clause itself (or of the function's body), not one under an
    // `if` in it: `if exc_type is None: self.frame = None` keeps it on the error path.
    // Blocks of `with` and `try` around it run it too (`finally: with lock: self.frame = None`).
    const auto unconditional = [&](TSNode statement) {
      for (TSNode up = parentOf(statement); !ts_node_is_null(up); up = parentOf(up)) {
        if (ts_node_eq(up, function)) return !in_finally;
        switch (kindOf(up)) {
          case NodeKind::FinallyClause:
            if (in_finally) return true;
            break;
          case NodeKind::Block:
          case NodeKind::WithStatement:
          case NodeKind::TryStatement:
            break;
          default:
            return false;  // `if`, `else`, `except`, a loop
        }
      }
      return false;
    };
    bool found = false;
    visitSubtree(function, [&](TSNode node, TSFieldId /*field*/) {
      const NodeKind kind = kindOf(node);
      if (kind == NodeKind::FunctionDefinition || kind == NodeKind::ClassDefinition ||
          kind == NodeKind::Lambda) {
        return ts_node_eq(node, function) ? Visit::Descend : Visit::SkipChildren;
      }
      if (ts_node_start_byte(node) < stored && ts_node_end_byte(node) <= stored) {
        return Visit::SkipChildren;  // before the store, or the store itself
      }
      if (kind == NodeKind::Assignment) {
        found = ts_node_start_byte(node) >= stored &&
                context.text(childByField(node, Field::Left)) == target &&
                kindOf(childByField(node, Field::Right)) == NodeKind::None &&
                unconditional(parentOf(node));
      } else if (kind == NodeKind::Call && !ts_node_is_null(store) &&
                 ts_node_start_byte(node) >= stored) {
        // `_active.pop()` for `_active.append(frame)`: a stack of the frames running now.
        const TSNode callee = childByField(node, Field::Function);
        found = kindOf(callee) == NodeKind::Attribute &&
                context.text(childByField(callee, Field::Object)) == target &&
                takesBack(context, node, store) && unconditional(parentOf(node));
      } else if (kind == NodeKind::DeleteStatement && ts_node_start_byte(node) >= stored &&
                 unconditional(node)) {
        // `del _active[-1]` takes back what `_active.append(frame)` put there.
        const auto released = [&](TSNode deleted) {
          return context.text(deleted) == target ||
                 (!ts_node_is_null(store) && kindOf(deleted) == NodeKind::Subscript &&
                  context.text(childByField(deleted, Field::Value)) == target &&
                  context.text(childByField(deleted, Field::SubscriptIndex)) == "-1" &&
                  context.text(childByField(childByField(store, Field::Function),
                                            Field::AttributeName)) == "append");
        };
        for (uint32_t i = 0; i < namedChildCount(node) && !found; ++i) {
          const TSNode deleted = nthNamedChild(node, i);
          if (kindOf(deleted) == NodeKind::ExpressionList) {
            for (uint32_t j = 0; j < namedChildCount(deleted) && !found; ++j)
              found = released(nthNamedChild(deleted, j));
          } else {
            found = released(deleted);
          }
        }
      }
      return found ? Visit::Stop : Visit::Descend;
    });
    return found;
  }

  // "The frame `sys._getframe(1)`", "The stack `inspect.stack()`".
  static std::string describe(const RuleContext& context, const Source& source,
                              const FrameValue& frame) {
    std::string_view shown = context.text(frame.value);
    if (shown.size() > 60) shown = context.text(source.node);
    if (shown.size() > 60) shown = shown.substr(0, 57);
    return concat(frame.held == FrameHeld::Stack ? "The stack " : "The frame ",
                  heaplint::quoted(shown));
  }

  static std::string lifetimePhrase(Lifetime lifetime) {
    switch (lifetime) {
      case Lifetime::Instance:
        return "the instance lives";
      case Lifetime::Class:
        return "the class lives";
      default:
        return "the process runs";
    }
  }

  static void report(RuleContext& context, TSNode node, std::string message) {
    Diagnostic diagnostic;
    diagnostic.start = ts_node_start_byte(node);
    diagnostic.end = ts_node_end_byte(node);
    diagnostic.message = std::move(message);
    diagnostic.fix_title = "Keep what is needed from the frame, or `del` it in a `finally` clause";
    context.report(std::move(diagnostic));
  }

  std::vector<Source> calls_;
  std::vector<Source> attributes_;
  std::vector<Source> graph_walks_;
  std::vector<uint32_t> graph_walkers_;  // the top-level definitions that walk the object graph
  mutable std::unordered_map<const void*, ClassReleases> class_releases_;  // by class node
  bool looked_at_earlier_runs_ = false;
  bool names_may_be_frames_ = false;
};

constexpr std::array kSubscriptions = {NodeKind::Call, NodeKind::Attribute,
                                       NodeKind::ImportFromStatement};

// Before parsing: the code names a call that makes frames (imported under another name, its own
// name is still in the import) or a traceback's `tb_frame`.
bool mayFind(const CodeText& text) {
  const std::span<const std::string_view> names = frameMakerNames();
  return text.codeHasWord("tb_frame") ||
         std::any_of(names.begin(), names.end(),
                     [&](std::string_view name) { return text.codeHasWord(name); });
}

}  // namespace

extern const RuleDefinition kFrameReferenceKept{
    .code = "MEM305",
    .name = "frame-reference-kept",
    .summary = "A frame object kept where it outlives the call: it pins every local of the stack",
    .documentation = kDocumentation,
    .fix_availability = FixAvailability::None,
    .subscriptions = kSubscriptions,
    .create = []() -> std::unique_ptr<RuleChecker> {
      return std::make_unique<FrameReferenceKept>();
    },
    .may_find = mayFind,
};

}  // namespace heaplint
