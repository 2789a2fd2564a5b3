// MEM404 cached-property-without-dict: `functools.cached_property` in a class whose instances
// have no `__dict__`. Decided across files: each file reports its classes (class_hierarchy.h)
// and the cached properties in their bodies; the project step follows every base.

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/class_hierarchy.h"
#include "analyzer/code_model.h"
#include "analyzer/code_text.h"
#include "rules/common.h"

namespace heaplint {
namespace {

constexpr std::string_view kDocumentation = R"md(## What it does
Checks for `functools.cached_property` in the body of a class whose instances have no
`__dict__`: the class and every class it derives from declare `__slots__` without `"__dict__"`
(or are `@dataclass(slots=True)`), as far as the project being linted shows. The bases may be
defined in other modules of the project; `object`, `abc.ABC`, `typing.Generic`,
`typing.Protocol`, the `collections.abc` classes and the builtin containers (`list`, `dict`,
`set`, ...) are known to add no `__dict__`. Names resolve through imports
(`from functools import cached_property as cp`, `import functools as ft`).

The message names the property and the class, and says whether the slots come from the class's
own `__slots__` or from `@dataclass(slots=True)`.

## Why is this bad?
`cached_property` stores the computed value in the instance's `__dict__`. Without one, the first
read of the property raises `TypeError: No '__dict__' attribute on 'Point' instance to cache
'area' property.` (checked on CPython 3.11). The class cannot work as written.

## Known problems
Not flagged, because the property may only ever run on instances with a `__dict__`: a class
with empty slots (`__slots__ = ()`, a base for subclasses to lay out), and a class that a class
of the project with a `__dict__` (or one that may have it) derives from.

Not flagged, because the instance may have a `__dict__` after all: a base that is neither in
the project nor one of the known standard-library classes (a class of an installed library); a
class of the MRO without `__slots__`, with `"__dict__"` in its slots, or with `__slots__` made by
code (`__slots__ = tuple(FIELDS)`); a metaclass (other than `abc.ABCMeta`), computed bases, or a
class decorator that may replace the class; classes of modules compiled beside their source
(mypyc, Cython), which are native; attrs' slotted classes (attrs supports
`cached_property` on them itself); a class that binds `__dict__` in its body. Also not flagged:
classes defined inside functions or other classes, `cached_property(f)` assigned in the body
instead of used as a decorator, and test code (`test-file-patterns`).

## Example
```python
from functools import cached_property


class Point:
    __slots__ = ("x", "y")

    @cached_property
    def norm(self):
        return (self.x**2 + self.y**2) ** 0.5
```

## Use instead
```python
class Point:
    __slots__ = ("x", "y", "_norm")

    @property
    def norm(self):
        try:
            return self._norm
        except AttributeError:
            self._norm = (self.x**2 + self.y**2) ** 0.5
            return self._norm
```
Or add `"__dict__"` to `__slots__`, giving up part of what the slots save.

## Fix safety
There is no fix: which of the two is right depends on why the class has slots.

## Options
`test-file-patterns` (shared with the other rules that leave tests alone).

## References
- [Python docs: `functools.cached_property`](https://docs.python.org/3/library/functools.html#functools.cached_property)
- [Python docs: `__slots__`](https://docs.python.org/3/reference/datamodel.html#slots)
)md";

class CachedPropertyWithoutDict final : public RuleChecker {
 public:
  // Every decorator is a candidate; the few there are resolve after the walk.
  void onNode(TSNode decorator, NodeKind /*kind*/, RuleContext& context) override {
    decorators_.push_back(Candidate{decorator, context.scope()});
  }

  void finish(RuleContext& context) override {
    facts_ = std::make_unique<ClassFacts>();
    for (const Candidate& candidate : decorators_) {
      const TSNode class_node = moduleLevelClassAround(candidate.decorator);
      if (ts_node_is_null(class_node) ||
          decoratorName(context, candidate.decorator, candidate.scope) !=
              "functools.cached_property") {
        continue;
      }
      const TSNode function = childByField(parentOf(candidate.decorator), Field::Definition);
      const ModuleInfo& module = context.options().module;
      const std::string class_name(context.text(childByField(class_node, Field::Name)));
      ClassSite site;
      site.class_qualified = module.name.empty() ? class_name : module.name + "." + class_name;
      // At the decorator's expression: after `@\` the row of `@` can hold no `# noqa`.
      site.start = ts_node_start_byte(decoratorExpression(candidate.decorator));
      site.end = ts_node_end_byte(candidate.decorator);
      site.row = context.source().rowOf(site.start);
      site.detail = std::string(context.text(childByField(function, Field::Name)));
      facts_->sites.push_back(std::move(site));
    }
    facts_->module = describeModuleClasses(context);
  }

  std::unique_ptr<FileFacts> takeFacts() override { return std::move(facts_); }

 private:
  struct Candidate {
    TSNode decorator;
    ScopeId scope;
  };

  // The module-level class whose body holds the decorated function, or a null node.
  static TSNode moduleLevelClassAround(TSNode decorator) {
    const TSNode decorated = parentOf(decorator);
    if (kindOf(childByField(decorated, Field::Definition)) != NodeKind::FunctionDefinition) {
      return {};
    }
    const TSNode block = parentOf(decorated);
    const TSNode class_node = parentOf(block);
    if (kindOf(block) != NodeKind::Block || kindOf(class_node) != NodeKind::ClassDefinition) {
      return {};
    }
    TSNode statement = class_node;
    if (kindOf(parentOf(statement)) == NodeKind::DecoratedDefinition) {
      statement = parentOf(statement);
    }
    return kindOf(parentOf(statement)) == NodeKind::Module ? class_node : TSNode{};
  }

  std::vector<Candidate> decorators_;
  std::unique_ptr<ClassFacts> facts_;
};

// A finding is in a class with `__slots__` of its own (or `@dataclass(slots=True)`) that uses
// `functools.cached_property` (any import of it names it).
bool mayReportIn(const CodeText& text, const LintSettings& /*settings*/) {
  return (text.codeHasWord("__slots__") || text.codeHasWord("slots")) &&
         text.codeHasWord("cached_property");
}

void join(std::span<const ProjectFileView> files, const AnalysisOptions& /*options*/,
          ProjectReporter& reporter) {
  const ClassHierarchy hierarchy(files);
  hierarchy.forEachSiteLacking(
      files, &InstanceLayout::dict,
      [&](size_t file, const ClassSite& site, const ClassSummary& summary) {
        Diagnostic diagnostic;
        diagnostic.start = site.start;
        diagnostic.end = site.end;
        diagnostic.message = "`cached_property` " + heaplint::quoted(site.detail) +
                             " stores its value in the instance's `__dict__`, but " +
                             slotsWithoutPhrase(summary, "__dict__") +
                             ": the first read raises TypeError";
        diagnostic.fix_title =
            "Keep the value in a slot behind a `property`, or add `\"__dict__\"` to `__slots__`";
        reporter.report(file, std::move(diagnostic), site.row);
      });
}

constexpr std::array kSubscriptions = {NodeKind::Decorator};

}  // namespace

extern const RuleDefinition kCachedPropertyWithoutDict{
    .code = "MEM404",
    .name = "cached-property-without-dict",
    .summary = "`functools.cached_property` in a class whose instances have no `__dict__`",
    .documentation = kDocumentation,
    .subscriptions = kSubscriptions,
    .create = []() -> std::unique_ptr<RuleChecker> {
      return std::make_unique<CachedPropertyWithoutDict>();
    },
    .join = join,
    .read_facts = ClassFacts::read,
    .may_report_in = mayReportIn,
};

}  // namespace heaplint
