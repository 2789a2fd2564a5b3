// MEM205 unbounded-class-cache: a container in a class body that methods grow through `cls.X`,
// `ClassName.X` or `type(self).X`, one entry per input or per instance, while nothing removes
// from it or bounds it. Decided across files with the evidence MEM201 uses
// (growing_containers.h): only where the container lives differs.

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/call_evidence.h"
#include "analyzer/code_model.h"
#include "analyzer/concat.h"
#include "analyzer/container_evidence.h"
#include "analyzer/growing_containers.h"
#include "analyzer/project_modules.h"
#include "analyzer/walker.h"
#include "rules/closed_set_doc.h"
#include "rules/common.h"

namespace heaplint {
namespace {

constexpr auto kDocumentationText = joinLiterals(R"md(## What it does
Checks for class-level containers that only grow: a container made in the body of a module-level
class (`cache = {}`, `live = []`, `set()`, `defaultdict(...)`, `OrderedDict()`, `deque()` without
`maxlen`, ...) that a method or function adds to through the class (`cls.cache[key] = value`,
`Connection.live.append(self)`, `type(self).seen.add(key)`, `self.__class__.cache[key] = value`)
with keys that grow with the program's input or keep objects alive, while nothing in the project
ever removes from it (`del`, `.pop()`, `.clear()`, `.remove()`, `.discard()`, rebinding it as
`Class.cache = {}`), bounds it (a `len()` comparison) or hands it to other code. The finding is
reported at the container and says where it grows and what the keys are made of.

What the keys are made of decides, with the evidence MEM201 uses (followed to the callers in the
project):
- flagged: objects the container keeps alive (`self` in `__init__`: one entry per instance ever
  made), keys that grow with the data, and keys its callers make from those;
- not flagged: classes (`cls` in `__init_subclass__` or a metaclass, `type(obj)`: registries keyed
  by class, singletons keyed by `cls`), keys fixed by the code, configuration, keys that every
  caller in the project fills with such values, growth at import (class decorators, registration
  at module level) and in demonstration or debugging code and database migrations;
- not growth: )md",
                                                 kClosedSetDoc, R"md(;
- not flagged: callbacks (a bound method, a function made per call) kept in a class-level list:
  that is an event bus, and MEM301 reports the subscription where it is made;
- with `--preview` only: keys from parameters that no caller in the project shows, in a method
  that also looks the container up (a memo).

## Why is this bad?
A class lives as long as the process, and so does every container in its body. A class-level
list of live instances that `__init__` appends to, or a cache that a class method fills per
name, keeps every instance and value it ever received alive: a leak that grows with the traffic.
Unlike an instance attribute, it is shared by every instance and never freed with them.

## Known problems
The rule is in preview (`--preview`): on the development corpus its one finding is a mapping
that methods fill only at import, called on module-level objects (`radian.set_global_dimension(
angle)` in a definitions module), which the join does not yet recognize as registration at
import. Only growth through the class (`cls.X`, `ClassName.X`, `type(self).X`, `self.__class__.X`) is
seen: `self.X[key] = value` on a class-level container is left alone, as it usually means an
instance attribute assigned in `__init__`. Classes defined inside functions are not checked.
`weakref` containers (`WeakSet`, `WeakValueDictionary`) and bounded library caches are not
flagged. A key set that is closed in practice (the few servers of one deployment) is still
flagged: silence it with `# noqa: MEM205` and a comment saying why.

## Example
```python
class Connection:
    live = []

    def __init__(self, host):
        self.host = host
        Connection.live.append(self)
```

## Use instead
```python
import weakref


class Connection:
    live = weakref.WeakSet()

    def __init__(self, host):
        self.host = host
        Connection.live.add(self)
```

## Fix safety
There is no fix: hold the entries weakly (`weakref.WeakSet`, `weakref.WeakValueDictionary`),
bound the container, or remove entries when they are done (`close()` removing `self`).

## Options
`preview`: also report containers whose keys come from parameters no caller in the project shows,
when the growing method also looks the container up.
`test-file-patterns`: test code is not checked.

## References
- [Python docs: `weakref.WeakSet`](https://docs.python.org/3/library/weakref.html#weakref.WeakSet)
- MEM201 (unbounded-module-cache): the same for module-level containers.
- No peer linter has this rule.
)md");
constexpr std::string_view kDocumentation(kDocumentationText.data(), kDocumentationText.size() - 1);

// `type(self)` or `self.__class__`: the class of the instance a method runs on.
bool isClassOfInstance(TSNode node, const RuleContext& context) {
  if (kindOf(node) == NodeKind::Call) {
    const TSNode function = childByField(node, Field::Function);
    const TSNode arguments = childByField(node, Field::Arguments);
    return kindOf(function) == NodeKind::Identifier && context.text(function) == "type" &&
           kindOf(onlyNamedChildSkippingExtras(arguments)) == NodeKind::Identifier &&
           context.text(onlyNamedChildSkippingExtras(arguments)) == "self";
  }
  return kindOf(node) == NodeKind::Attribute &&
         context.text(childByField(node, Field::AttributeName)) == "__class__" &&
         context.text(childByField(node, Field::Object)) == "self";
}

// `cls.X`, `Name.X`, `type(self).X`, `self.__class__.X`: an attribute of a class, asked during
// the walk (cheaply, by shape); finish() decides which class it is.
bool mayNameClassContainer(TSNode node, const RuleContext& context) {
  if (kindOf(node) != NodeKind::Attribute) return false;
  const TSNode object = childByField(node, Field::Object);
  if (kindOf(object) == NodeKind::Identifier) return context.text(object) != "self";
  return isClassOfInstance(object, context);
}

class UnboundedClassCache final : public RuleChecker {
 public:
  void onNode(TSNode node, NodeKind kind, RuleContext& context) override {
    // `X = {}` directly in the body of a module-level class.
    if (kind == NodeKind::Assignment && context.executions().size() == 2 &&
        context.execution().kind == NodeKind::ClassDefinition) {
      const TSNode left = childByField(node, Field::Left);
      const TSNode right = childByField(node, Field::Right);
      if (kindOf(left) == NodeKind::Identifier && !ts_node_is_null(right)) {
        const std::string_view name = context.text(left);
        if (!(name.starts_with("__") && name.ends_with("__"))) {  // __slots__, ...
          definitions_.push_back(
              Definition{left, right, context.scope(), context.execution().node});
        }
      }
    }
    uses_.onNode(node, kind, context);
  }

  void finish(RuleContext& context) override {
    facts_ = std::make_unique<GrowingContainerFacts>();
    for (const Definition& definition : definitions_) {
      std::string kind = containerKind(context, definition.scope, definition.value);
      if (kind.empty()) continue;
      const std::string class_name = definitionName(context, definition.owner);
      if (class_name.empty()) continue;
      ContainerDefinition fact;
      fact.display = concat(context.text(childByField(definition.owner, Field::Name)), ".",
                            context.text(definition.name));
      fact.target = concat(class_name, ".", context.text(definition.name));
      fact.kind = std::move(kind);
      fact.start = ts_node_start_byte(definition.name);
      fact.end = ts_node_end_byte(definition.name);
      fact.row = context.source().rowOf(fact.start);
      facts_->containers.definitions.push_back(std::move(fact));
    }
    const std::vector<ContainerUse> uses = uses_.finish(context);
    describeContainerUses(
        context, uses, [&](const ContainerUse& use) { return targetOf(use, context); },
        facts_->containers);
  }

  std::unique_ptr<FileFacts> takeFacts() override { return std::move(facts_); }

 private:
  struct Definition {
    TSNode name;
    TSNode value;
    ScopeId scope;
    TSNode owner;  // the class_definition
  };

  // The class whose method `scope` is in (the innermost class around it), or a null node.
  static TSNode enclosingClass(const RuleContext& context, ScopeId scope) {
    const SemanticModel& semantic = context.semantic();
    for (ScopeId current = scope; current != kNoScope; current = semantic.scope(current).parent) {
      if (semantic.scope(current).kind == ScopeKind::Class) return semantic.scope(current).node;
    }
    return TSNode{};
  }

  // The dotted name of the class-level container a use refers to, or empty.
  static std::string targetOf(const ContainerUse& use, const RuleContext& context) {
    const TSNode object = childByField(use.container, Field::Object);
    const std::string_view attribute =
        context.text(childByField(use.container, Field::AttributeName));
    TSNode owner{};
    if (isClassOfInstance(object, context) ||
        (kindOf(object) == NodeKind::Identifier &&
         isClassReceiver(context, use.scope, object, &owner))) {
      if (ts_node_is_null(owner)) owner = enclosingClass(context, use.scope);
      if (ts_node_is_null(owner)) return {};
      const std::string class_name = definitionName(context, owner);
      return class_name.empty() ? std::string() : concat(class_name, ".", attribute);
    }
    // `Connection.live`: a class of this module, or one imported.
    if (kindOf(object) != NodeKind::Identifier) return {};
    const Resolution resolution =
        context.semantic().resolve(use.scope, context.text(object), ts_node_start_byte(object));
    if (resolution.kind == Resolution::Kind::Bound &&
        resolution.binding->kind == BindingKind::ClassDefinition) {
      const std::string class_name = definitionName(context, resolution.binding->node);
      return class_name.empty() ? std::string() : concat(class_name, ".", attribute);
    }
    const std::string qualified = context.semantic().qualifiedName(use.scope, use.container);
    if (qualified.empty() || qualified.starts_with("builtins.")) return {};
    return absoluteName(qualified, context.options().module);
  }

  std::vector<Definition> definitions_;
  ContainerUseCollector uses_{mayNameClassContainer};
  std::unique_ptr<GrowingContainerFacts> facts_;
};

void join(std::span<const ProjectFileView> files, const AnalysisOptions& options,
          ProjectReporter& reporter) {
  // A class-level list of handlers is an event bus: MEM301 reports what is subscribed to it.
  reportGrowingContainers(files, options, reporter, "Class-level", /*skip_callbacks=*/true);
}

constexpr std::array kSubscriptions = {
    NodeKind::Assignment,         NodeKind::Subscript,
    NodeKind::Attribute,          NodeKind::Call,
    NodeKind::Identifier,         NodeKind::AugmentedAssignment,
    NodeKind::ComparisonOperator,
};

}  // namespace

extern const RuleDefinition kUnboundedClassCache{
    .code = "MEM205",
    .name = "unbounded-class-cache",
    .summary = "Class-level container grown with per-input keys or per instance and never evicted",
    .documentation = kDocumentation,
    .fix_availability = FixAvailability::None,
    .subscriptions = kSubscriptions,
    .create = []() -> std::unique_ptr<RuleChecker> {
      return std::make_unique<UnboundedClassCache>();
    },
    .join = join,
    .read_facts = GrowingContainerFacts::read,
    // New, and not yet measured by blind review: its one finding on the development corpus (a
    // mapping filled per unit through a method called only at import on module-level objects)
    // is a lookalike the join does not yet see through.
    .preview = true,
    .uses_call_facts = true,
    .reads_packed_facts = true,
};

}  // namespace heaplint
