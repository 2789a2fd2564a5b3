// MEM201 unbounded-module-cache: a module-level dict/set/list that functions keep adding to, with
// keys that grow with the program's input, while nothing ever removes from it or bounds it.
// Decided across files: a container defined in one module may be filled, or evicted, from another,
// and the keys a function adds are often its callers' arguments.

#include <algorithm>
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/call_evidence.h"
#include "analyzer/concat.h"
#include "analyzer/container_evidence.h"
#include "analyzer/growing_containers.h"
#include "analyzer/walker.h"
#include "rules/closed_set_doc.h"
#include "rules/common.h"

namespace heaplint {
namespace {

constexpr auto kDocumentationText = joinLiterals(R"md(## What it does
Checks for module-level containers that only grow: a module-level container (`{}`, `dict()`,
`set()`, `[]`, `defaultdict(...)`, `OrderedDict()`, `Counter()`, `deque()` without `maxlen`, ...)
that a function adds to (`c[key] = value`, `.setdefault()`, `.add()`, `.append()`, `.update()`,
`.extend()`, `c[key].append()`, `c |= ...`) with keys that grow with the program's input, while
nothing in the project ever removes from it (`del c[key]`, `.pop()`, `.popitem()`, `.clear()`,
`.remove()`, `.discard()`, `c[:] = []`, rebinding it through `global` or from another module as
`module.c = {}`, or `globals()[name].clear()` with a computed name, which may be any of the
module's containers), bounds it (a `len(c)` comparison, with the builtin `len`) or hands it to other
code (passed to a function other than the builtins that only read it, returned, or assigned to
another name). The finding is reported at the container and says what the keys are made of.

What the keys are made of decides, followed through the code (the evidence is shared with the
other cache rules):
- flagged: keys that grow with the data (an item of the lines of a file, the rows of a query),
  in the growing function or passed by its callers in the project;
- flagged: objects the container then keeps alive (`self`, a bound method, a new instance, a
  parameter annotated with a class of the project), when the growing function looks the
  container up before adding (a memo, an interning table, a seen-set), or an `__init__` stores
  the instance it makes (`_live.append(self)`);
- preview only: values made from an object, one per object: the program may keep the object
  (`str(self)` of a locale, `python.path` of an interpreter's settings: usually a few) or make it
  at each call (`url.path` after `url = ResourceURL(request)`: one per request, or one per type
  definition when the function runs as types are defined), and the code does not say which;
- flagged: a class factory that looks the container up and stores a class it makes per call
  (`class cls(Base): ...` then `cache[key] = cls`), whatever the keys: every class stays;
- preview only: keys made from the growing function's parameters that its callers pass on from
  their own parameters (`parse_pattern(format)` in `format_date(value, format)`): a memo of the
  date formats, encodings or locales a program uses is a few entries, a memo of its requests'
  data is a leak, and the code does not say which. On packages the rules had never seen, every
  such finding was a few names;
- preview only: a registration API that adds objects without looking the container up
  (`_typefaces[face.name] = face` in `register_type_face(face)`): setup code fills it;
- not flagged: keys fixed by the code (literals, constants, module-level objects made at import,
  items of a literal), classes (`cls`, `type(obj)`, `obj.__class__`: one entry per class, and a
  class factory must keep returning the same class), configuration (settings, command-line
  options, `getattr(request, "urlconf", settings.ROOT_URLCONF)`), and parameters whose every
  caller in the project passes such values (`_symbols("x", n)`), or leaves them to a default;
- not flagged: growth in demonstration or debugging code (a function or module whose name says
  `demo`, `debug` or `example`) and in database migrations (under a `migrations` or `alembic`
  directory: run once per upgrade by a command that then exits), and growth while the module is
  imported (at module level, or in a function called, or applied as a decorator, only at import
  with fixed arguments; a decorator factory that hands itself on,
  `functools.partial(renamed, since, old)`, still counts as one; a
  helper a class body calls while the class is made, `@_register_loader(7, 1)` above a method;
  a function mapped over a literal at import, `list(map(_register, [(1, "B"), ...]))`).
- not growth: a store that only replaces an entry, after `if key not in cache: return` (or
  `raise`, `continue`; no `else`) or inside `if key in cache:` (a lazy import swapped for what it
  names: `cache[key] = importlib.import_module(cache[key])`); a store made only for keys below a
  limit written in the code (`if n < MAX_CACHED: cache[n] = value`, an integer or an UPPER_CASE
  constant); an addition made only while the container is empty (`if not _loaded:
  _loaded.append(load())`, or a loop under `if not _table:` filling the table from a file); and
  )md",
                                                 kClosedSetDoc, R"md(.

## Why is this bad?
A module-level container lives as long as the process. A function that adds an entry per call (a
memo keyed by user input, a set of seen event ids, a list of sessions per tenant) makes it grow
with the traffic, and every entry keeps its keys and values (and everything they reference)
alive: the classic slow leak of long-running services, found only when the process is killed for
its memory.

In preview: on the development corpus blind review judged its default findings real (3 of 3),
but on six check sets of Debian packages it was never tuned on, only 4 of the 119 of its findings
judged there (default and preview). On the sixth (90 packages picked at random) its 9 default
findings were all judged wrong or debatable: keys from closed sets (data files shipped with the
package, locale tags, a few spec classes), a table filled once while empty, a one-shot
command-line tool keeping what its run needs, a compiler's interning tables (debatable). Whether
a container grows in practice depends on how many distinct keys arrive and how long the process
runs, which the code rarely says. With `--preview` the rule reports everything described here,
the evidence marked "preview only" (once its only difference from the default) included.

## Known problems
Only growth through the container's own name (or an import of it, or `module.name`) is seen; a
container bound to another name first is left alone. Keys are followed one call deep. A function whose
parameters make the keys and whose callers pass their own parameters on, or that has no caller in
the project (an API of a library, a callback registered with a framework), or whose keys come from
instance state (`self.name`), has nothing to show: with `--preview`, the rule also reports such
containers when the growing function also looks the container up (a memo or a seen-set); without
it, they are left alone, and so is a memo of request data reached only through a library's API. A key set that is closed in practice (the projects of one deployment)
is still flagged: silence it with `# noqa: MEM201` and a comment saying why. `weakref` containers,
bounded library caches (`cachetools`, `boltons`, ...) and `__all__` are not checked.

## Example
```python
_seen = set()


def handle(event_id):
    if event_id in _seen:
        return
    _seen.add(event_id)
    process(event_id)


def consume(path):
    with open(path) as events:
        for line in events:
            handle(line.split()[0])
```

## Use instead
```python
import collections

_seen = collections.OrderedDict()


def handle(event_id):
    if event_id in _seen:
        return
    _seen[event_id] = None
    if len(_seen) > 100_000:
        _seen.popitem(last=False)
    process(event_id)
```

## Fix safety
There is no fix: choosing a bound (and whether entries may be recomputed) is a design decision.
Bound the container with `functools.lru_cache(maxsize=...)`, evict explicitly (`.pop()` old
entries once `len(cache)` passes a limit), or hold values weakly with `weakref.WeakValueDictionary`.

## Options
`preview`: also report containers whose keys come from parameters (passed on by the callers, or
shown by no caller in the project) or from instance state, when the growing function also looks the
container up; and registration APIs that add objects without a lookup.
`test-file-patterns`: test code is not checked.

## References
- [Python docs: `functools.lru_cache`](https://docs.python.org/3/library/functools.html#functools.lru_cache)
- [Python docs: `weakref.WeakValueDictionary`](https://docs.python.org/3/library/weakref.html#weakref.WeakValueDictionary)
- MEM205 (unbounded-class-cache): the same for containers in a class body.
- No peer linter has this rule.
)md");
constexpr std::string_view kDocumentation(kDocumentationText.data(), kDocumentationText.size() - 1);

// A name, or an attribute of a module (`store._memo`): not `self.x` or `cls.x`, which are
// instance and class state. Names used as values are kept too (escapes); finish() keeps those
// that are module-level names.
bool mayNameModuleContainer(TSNode node, const RuleContext& context) {
  if (kindOf(node) == NodeKind::Identifier) {
    const std::string_view name = context.text(node);
    return name != "self" && name != "cls";
  }
  TSNode head = node;
  while (kindOf(head) == NodeKind::Attribute)
    head = childByField(head, Field::Object);
  if (kindOf(head) != NodeKind::Identifier) return false;
  const std::string_view name = context.text(head);
  return name != "self" && name != "cls";
}

class UnboundedModuleCache final : public RuleChecker {
 public:
  void onNode(TSNode node, NodeKind kind, RuleContext& context) override {
    if (kind == NodeKind::Assignment && context.executions().size() == 1) {
      const TSNode left = childByField(node, Field::Left);
      const TSNode right = childByField(node, Field::Right);
      if (kindOf(left) == NodeKind::Identifier && !ts_node_is_null(right)) {
        const std::string_view name = context.text(left);
        if (!(name.starts_with("__") && name.ends_with("__"))) {  // __all__, __slots__, ...
          definitions_.push_back(Definition{left, right, context.scope()});
        }
      }
    }
    if (kind == NodeKind::Call && mayEmptyContainer(node, context)) {
      emptying_calls_.push_back(Use{node, context.scope()});
    }
    uses_.onNode(node, kind, context);
  }

  void finish(RuleContext& context) override {
    facts_ = std::make_unique<GrowingContainerFacts>();
    const ModuleInfo& module = context.options().module;
    for (const Definition& definition : definitions_) {
      std::string kind = containerKind(context, definition.scope, definition.value);
      if (kind.empty()) continue;
      ContainerDefinition fact;
      fact.display = std::string(context.text(definition.name));
      fact.target = dotted(module, fact.display);
      fact.kind = std::move(kind);
      fact.start = ts_node_start_byte(definition.name);
      fact.end = ts_node_end_byte(definition.name);
      fact.row = context.source().rowOf(fact.start);
      facts_->containers.definitions.push_back(std::move(fact));
    }
    // Only names bound at module level (or imported) can be module-level containers.
    const std::vector<ContainerUse> uses = uses_.finish(context, [&](const ContainerUse& use) {
      return kindOf(use.container) != NodeKind::Identifier ||
             !context.semantic().bindingsIn(0, context.text(use.container)).empty();
    });
    describeContainerUses(
        context, uses, [&](const ContainerUse& use) { return targetOf(use, context); },
        facts_->containers);
    // `globals()[name].clear()`: any of the module's containers may be the one emptied.
    // Recorded under the module's wildcard name (kAnyContainerOf), so that the containers of
    // other runs of the file are evicted too.
    const bool clears_by_computed_name =
        std::any_of(emptying_calls_.begin(), emptying_calls_.end(), [&](const Use& call) {
          return clearsGlobalByComputedName(call.node, call.scope, context);
        });
    if (clears_by_computed_name) {
      ContainerEventFact event;
      event.target = dotted(module, kAnyContainerOf);
      event.event = ContainerEvent::Evict;
      facts_->containers.events.push_back(std::move(event));
    }
    // `global cache` then `cache = {}` in a function starts the cache afresh.
    for (const Binding& binding : context.semantic().bindings()) {
      if (binding.through_global && binding.scope == 0 && !binding.prelude &&
          binding.kind == BindingKind::Assignment) {
        ContainerEventFact event;
        event.target = dotted(module, binding.name);
        event.event = ContainerEvent::Evict;
        event.row = context.source().rowOf(binding.offset);
        facts_->containers.events.push_back(std::move(event));
      }
    }
  }

  std::unique_ptr<FileFacts> takeFacts() override { return std::move(facts_); }

 private:
  struct Definition {
    TSNode name;
    TSNode value;
    ScopeId scope;
  };

  // `globals()[k].clear()`, or `d = globals()[k]` then `d.clear()` (ReportLab's `_reset`
  // empties its font registries by name), with a computed name: which container is emptied is not
  // in the text.
  static bool mayEmptyContainer(TSNode call, const RuleContext& context) {
    const TSNode callee = childByField(call, Field::Function);
    if (kindOf(callee) != NodeKind::Attribute) return false;
    // `d.clear()` or `globals()[k].clear()`: what an attribute (`self.items.pop()`) names never
    // comes from globals().
    const NodeKind object = kindOf(childByField(callee, Field::Object));
    if (object != NodeKind::Identifier && object != NodeKind::Subscript) return false;
    const std::string_view method = context.text(childByField(callee, Field::AttributeName));
    return method == "clear" || method == "pop" || method == "popitem";
  }

  // Asked after the walk, when every binding is known.
  static bool clearsGlobalByComputedName(TSNode call, ScopeId scope, const RuleContext& context) {
    TSNode object = childByField(childByField(call, Field::Function), Field::Object);
    if (kindOf(object) == NodeKind::Identifier) {
      const Resolution resolution =
          context.semantic().resolve(scope, context.text(object), ts_node_start_byte(object));
      if (resolution.kind != Resolution::Kind::Bound) return false;
      object = singleAssignedValue(context, *resolution.binding);
    }
    if (kindOf(object) != NodeKind::Subscript ||
        kindOf(childByField(object, Field::SubscriptIndex)) == NodeKind::String) {
      return false;
    }
    const TSNode value = childByField(object, Field::Value);
    return kindOf(value) == NodeKind::Call &&
           context.semantic().resolvesTo(scope, childByField(value, Field::Function),
                                         "builtins.globals");
  }

  static std::string dotted(const ModuleInfo& module, std::string_view name) {
    return module.name.empty() ? std::string(name) : concat(module.name, ".", name);
  }

  // The dotted name of the module-level container a use refers to, or empty.
  static std::string targetOf(const ContainerUse& use, const RuleContext& context) {
    const ModuleInfo& module = context.options().module;
    if (kindOf(use.container) == NodeKind::Identifier) {
      const std::string_view name = context.text(use.container);
      const Resolution resolution =
          context.semantic().resolve(use.scope, name, ts_node_start_byte(use.container));
      if (resolution.kind != Resolution::Kind::Bound) return {};
      const Binding& binding = *resolution.binding;
      if (binding.scope == 0 && (binding.kind == BindingKind::Assignment ||
                                 binding.kind == BindingKind::AugmentedAssignment)) {
        return dotted(module, name);
      }
      if (binding.kind == BindingKind::FromImport) {
        return absoluteName(context.semantic().importedName(binding), module);
      }
      return {};
    }
    const std::string qualified = context.semantic().qualifiedName(use.scope, use.container);
    if (qualified.empty() || qualified.starts_with("builtins.")) return {};
    return absoluteName(qualified, module);
  }

  struct Use {
    TSNode node;
    ScopeId scope;
  };

  std::vector<Definition> definitions_;
  std::vector<Use> emptying_calls_;  // `x.clear()`, `x.pop(...)`, `x.popitem()`
  ContainerUseCollector uses_{mayNameModuleContainer};
  std::unique_ptr<GrowingContainerFacts> facts_;
};

void join(std::span<const ProjectFileView> files, const AnalysisOptions& options,
          ProjectReporter& reporter) {
  reportGrowingContainers(files, options, reporter, "Module-level");
}

constexpr std::array kSubscriptions = {
    NodeKind::Assignment,         NodeKind::Subscript,
    NodeKind::Attribute,          NodeKind::Call,
    NodeKind::Identifier,         NodeKind::AugmentedAssignment,
    NodeKind::ComparisonOperator,
};

}  // namespace

extern const RuleDefinition kUnboundedModuleCache{
    .code = "MEM201",
    .name = "unbounded-module-cache",
    .summary = "Module-level container grown with per-input keys and never evicted",
    .documentation = kDocumentation,
    .fix_availability = FixAvailability::None,
    .subscriptions = kSubscriptions,
    .create = []() -> std::unique_ptr<RuleChecker> {
      return std::make_unique<UnboundedModuleCache>();
    },
    .join = join,
    .read_facts = GrowingContainerFacts::read,
    // Preview since check set 6: on six sets of packages it was not tuned on, blind review judged
    // 4 of 119 of its findings real (documentation, "In preview").
    .preview = true,
    .uses_call_facts = true,
    .reads_packed_facts = true,
};

}  // namespace heaplint
