// MEM402 weakref-to-weakrefless-slots: a method weakly references its own instance, whose class
// has `__slots__` without `"__weakref__"` all the way up. Decided across files: each file
// reports its classes (class_hierarchy.h) and the weak references to `self` in their methods.

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/class_hierarchy.h"
#include "analyzer/class_layout.h"
#include "analyzer/code_model.h"
#include "analyzer/code_text.h"
#include "rules/common.h"

namespace heaplint {
namespace {

constexpr std::string_view kDocumentation = R"md(## What it does
Checks for a method that makes a weak reference to its own instance when the instance cannot be
weakly referenced: its class and every class it derives from declare `__slots__` without
`"__weakref__"` (or are `@dataclass(slots=True)` without `weakref_slot=True`), as far as the
project being linted shows. The weak references are:

- `weakref.ref(self)`, `weakref.proxy(self)`, `weakref.finalize(self, ...)`,
  `weakref.WeakMethod(self.m)`;
- `S.add(self)`, `D[self] = ...` and `D[key] = self`, where `S` is a `weakref.WeakSet`, `D` a
  `weakref.WeakKeyDictionary` or a `weakref.WeakValueDictionary`: a name bound once to one, or
  an attribute of the class or the instance (`self._listeners`, `cls._instances`,
  `Registry._instances`) assigned one in the class's body or methods.

`self` is the first parameter of an instance method (or property). Names resolve through
imports (`import weakref as wr`, `from weakref import ref`). The bases may be defined in other
modules of the project; `object`, `abc.ABC`, `typing.Generic`, `typing.Protocol`, the
`collections.abc` classes and the builtin containers are known to add no `__weakref__`.

## Why is this bad?
A weak reference needs the `__weakref__` slot. A class whose `__slots__` (and whose bases'
slots) leave it out makes instances that raise `TypeError: cannot create weak reference to
'Node' object` the moment the method runs (checked on CPython 3.11). Projects have fixed these by
hand after the crash reached users.

## Known problems
Not flagged, because the method may only ever run on instances that accept weak references: a
class with empty slots (`__slots__ = ()`, a base for subclasses to lay out), and a class that a
class of the project with a `__weakref__` (or one that may have it) derives from.

Not flagged, because the method expects the failure: a weak reference made in the body of a `try`
whose handler catches `TypeError` (or `Exception`, `BaseException`, or is a bare `except:`), or in
a method that names `__weakref__` (`hasattr(self, "__weakref__")`) or `__weakrefoffset__` in
its code. Not one made in a `lambda` inside the `try`, which runs later.

Not flagged, because the instance may accept weak references after all: a base that is neither
in the project nor one of the known standard-library classes; a class of the MRO without
`__slots__`, with `"__weakref__"` in its slots, or with `__slots__` made by code; a
`@dataclass(slots=True)` whose `weakref_slot=` is not a literal or whose call has `**options`; a metaclass
(other than `abc.ABCMeta`), computed bases, or a class decorator that may replace the class;
attrs' slotted classes (attrs adds `__weakref__`); classes of modules compiled beside their
source (mypyc, Cython), which are native; subclasses of `set`, `frozenset` and
`collections.deque`, which have it already.

Missed: weak references to instances made outside the class's methods (`weakref.ref(node)`),
containers passed in or reached through other objects, classes defined inside functions or other
classes, subclasses of `int`, `tuple` and `bytes` (which cannot have `__weakref__` at all), and
test code (`test-file-patterns`).

## Example
```python
import weakref


class Node:
    __slots__ = ("parent", "children")

    def add(self, child):
        child.parent = weakref.ref(self)
        self.children.append(child)
```

## Use instead
```python
import weakref


class Node:
    __slots__ = ("parent", "children", "__weakref__")

    def add(self, child):
        child.parent = weakref.ref(self)
        self.children.append(child)
```

## Fix safety
The fix adds `"__weakref__"` to the class's own `__slots__` when they are written as a string, a
tuple or a list of strings, or `weakref_slot=True` to `@dataclass(slots=True)` when the target
version is Python 3.11 or later (a literal `weakref_slot=False` becomes `weakref_slot=True`).
It is unsafe, for two reasons:

- Code that iterates the slots (`for name in self.__slots__`, as `__repr__`, `__getstate__`
  and copying helpers of slotted classes often do) meets `"__weakref__"` too, and
  `getattr(self, "__weakref__")` gives `None` or a weak reference where it gave the fields.
- A subclass that lists `"__weakref__"` itself fails to define once its base has it
  (`TypeError: __weakref__ slot disallowed`). No class of the files linted does, or the rule
  would not report, but a subclass in a file that was not linted may.

There is no fix when `__slots__` is computed, or when a base defined in the project has slots
too: `"__weakref__"` then belongs in the first slotted class of the hierarchy, and adding it in
two classes of one hierarchy makes the second fail to define. A `weakref_slot=` whose value is
not a literal, or `**options` in the `@dataclass(...)` call, may already give the instances
`__weakref__`: the class is not reported.

## Options
- `target-version`: `weakref_slot=True` is only suggested for Python 3.11 and later.
- `test-file-patterns` (shared with the other rules that leave tests alone).

## References
- [Python docs: `__slots__` and `__weakref__`](https://docs.python.org/3/reference/datamodel.html#slots)
- [Python docs: dataclasses `weakref_slot`](https://docs.python.org/3/library/dataclasses.html#dataclasses.dataclass)
)md";

constexpr std::array<std::string_view, 4> kWeakReferenceMakers = {
    "weakref.ref", "weakref.proxy", "weakref.finalize", "weakref.WeakMethod"};

// `"__weakref__"` added to a literal `__slots__` (in its first element's quotes), or
// `weakref_slot=True` to `@dataclass(slots=True)`.
std::optional<Fix> weakrefSlotFix(const RuleContext& context, TSNode class_node) {
  const ClassLayout layout = declaredClassLayout(context, class_node, 0);
  Fix fix;
  // Unsafe: code iterating `__slots__` meets the new name, and a subclass outside the files
  // linted may list `"__weakref__"` itself.
  fix.applicability = Applicability::Unsafe;
  if (layout.dataclass_slots) {
    if (context.options().settings->target_version < PythonVersion{3, 11}) return std::nullopt;
    const TSNode decorated = decoratedDefinitionOf(class_node);
    for (uint32_t i = 0, count = namedChildCount(decorated); i < count; ++i) {
      const TSNode call = decoratorExpression(nthNamedChild(decorated, i));
      if (kindOf(call) != NodeKind::Call) continue;
      const TSNode arguments = childByField(call, Field::Arguments);
      if (context.text(arguments).find("slots=True") == std::string_view::npos) continue;
      // `weakref_slot=False` (or `0`, `None`): the value becomes `True` in place, since a
      // keyword given twice does not compile.
      for (uint32_t j = 0, arguments_count = namedChildCount(arguments); j < arguments_count; ++j) {
        const TSNode argument = nthNamedChild(arguments, j);
        if (kindOf(argument) != NodeKind::KeywordArgument ||
            context.text(childByField(argument, Field::Name)) != "weakref_slot") {
          continue;
        }
        const TSNode value = childByField(argument, Field::Value);
        fix.edits.push_back(Edit{ts_node_start_byte(value), ts_node_end_byte(value), "True"});
        return fix;
      }
      const TSNode last = nthNamedChild(arguments, namedChildCount(arguments) - 1);
      if (kindOf(last) == NodeKind::Comment) return std::nullopt;
      fix.edits.push_back(
          Edit{ts_node_end_byte(last), ts_node_end_byte(last), ", weakref_slot=True"});
      return fix;
    }
    return std::nullopt;
  }
  if (!layout.slots_literal) return std::nullopt;
  const TSNode value = layout.slots_value;
  const std::string_view text = context.text(value);
  const char quote = text.find('\'') < text.find('"') ? '\'' : '"';
  const std::string slot = std::string(1, quote) + "__weakref__" + quote;
  const NodeKind kind = kindOf(value);
  std::string replacement;
  if (kind == NodeKind::String) {
    replacement = "(" + std::string(text) + ", " + slot + ")";  // `"a"`
  } else if (kind == NodeKind::ParenthesizedExpression) {
    replacement = std::string(text.substr(0, text.size() - 1)) + ", " + slot + ")";  // `("a")`
  } else if (layout.slot_names.empty()) {
    replacement = kind == NodeKind::List ? "[" + slot + "]" : "(" + slot + ",)";
  }
  if (!replacement.empty()) {
    fix.edits.push_back(Edit{ts_node_start_byte(value), ts_node_end_byte(value), replacement});
    return fix;
  }
  TSNode last{};
  for (uint32_t i = 0, count = namedChildCount(value); i < count; ++i) {
    const TSNode element = nthNamedChild(value, i);
    if (kindOf(element) == NodeKind::String) last = element;
  }
  if (ts_node_is_null(last)) return std::nullopt;
  fix.edits.push_back(Edit{ts_node_end_byte(last), ts_node_end_byte(last), ", " + slot});
  return fix;
}

// What a weak container expression was made by: "weakref.WeakSet", ...; empty when unknown. A
// name bound once, or an attribute of the class or instance assigned in the class.
std::string weakContainerOf(const RuleContext& context, ScopeId scope, TSNode container,
                            TSNode class_node) {
  if (kindOf(container) == NodeKind::Identifier) {
    const Resolution resolution =
        context.semantic().resolve(scope, context.text(container), ts_node_start_byte(container));
    if (resolution.kind != Resolution::Kind::Bound) return {};
    ScopeId value_scope = kNoScope;
    const TSNode value = singleAssignedValue(context, *resolution.binding, &value_scope);
    if (kindOf(value) != NodeKind::Call) return {};
    return context.semantic().qualifiedName(value_scope, childByField(value, Field::Function));
  }
  // Only through the class itself: another object's attribute of that name may be anything.
  if (kindOf(container) != NodeKind::Attribute) return {};
  const TSNode receiver = childByField(container, Field::Object);
  TSNode receiver_class{};
  const bool through_class =
      kindOf(receiver) == NodeKind::Identifier &&
      ((isInstanceReceiver(context, scope, receiver, &receiver_class) ||
        isClassReceiver(context, scope, receiver, &receiver_class))
           ? sameNode(receiver_class, class_node)
           : context.text(receiver) == context.text(childByField(class_node, Field::Name)));
  if (!through_class) return {};
  // Every assignment to the attribute in the class must make the same kind of container.
  const std::string_view attribute = context.text(childByField(container, Field::AttributeName));
  std::string made;
  bool agreed = true;
  visitSubtree(childByField(class_node, Field::Body), [&](TSNode node, TSFieldId /*field*/) {
    if (kindOf(node) == NodeKind::ClassDefinition) return Visit::SkipChildren;
    if (kindOf(node) != NodeKind::Assignment) return Visit::Descend;
    TSNode left = childByField(node, Field::Left);
    if (kindOf(left) == NodeKind::Attribute) left = childByField(left, Field::AttributeName);
    if (kindOf(left) != NodeKind::Identifier || context.text(left) != attribute) {
      return Visit::Descend;
    }
    const TSNode value = childByField(node, Field::Right);
    const std::string kind =
        kindOf(value) == NodeKind::Call
            ? context.semantic().qualifiedName(0, childByField(value, Field::Function))
            : std::string();
    agreed = agreed && !kind.empty() && (made.empty() || made == kind);
    made = kind;
    return Visit::Descend;
  });
  return agreed ? made : std::string();
}

class WeakrefToWeakreflessSlots final : public RuleChecker {
 public:
  // Cheap shapes only: a call or a subscript store that mentions `self`, or a call of a weak
  // reference maker by its usual name.
  void onNode(TSNode node, NodeKind kind, RuleContext& context) override {
    if (kind == NodeKind::Assignment) {
      const TSNode left = childByField(node, Field::Left);
      if (kindOf(left) == NodeKind::Subscript) {
        candidates_.push_back(Candidate{node, context.scope()});
      }
      return;
    }
    TSNode first = firstArgument(node);
    if (kindOf(first) == NodeKind::Attribute) first = childByField(first, Field::Object);
    if (kindOf(first) != NodeKind::Identifier) return;
    const std::string_view callee = lastSegment(context.text(childByField(node, Field::Function)));
    if (context.text(first) == "self" || callee == "ref" || callee == "proxy" ||
        callee == "finalize" || callee == "WeakMethod") {
      candidates_.push_back(Candidate{node, context.scope()});
    }
  }

  void finish(RuleContext& context) override {
    facts_ = std::make_unique<ClassFacts>();
    std::vector<const void*> fixed;  // the classes whose first site carries the fix
    for (const Candidate& candidate : candidates_) {
      TSNode class_node{};
      if (!weakReferenceToSelf(context, candidate, class_node)) continue;
      if (failureHandled(context, candidate.node)) continue;
      const TSNode statement = kindOf(parentOf(class_node)) == NodeKind::DecoratedDefinition
                                   ? parentOf(class_node)
                                   : class_node;
      if (kindOf(parentOf(statement)) != NodeKind::Module) continue;
      const ModuleInfo& module = context.options().module;
      const std::string class_name(context.text(childByField(class_node, Field::Name)));
      ClassSite site;
      site.class_qualified = module.name.empty() ? class_name : module.name + "." + class_name;
      const TSNode shown = kindOf(candidate.node) == NodeKind::Assignment
                               ? childByField(candidate.node, Field::Left)
                               : candidate.node;
      site.start = ts_node_start_byte(shown);
      site.end = ts_node_end_byte(shown);
      site.row = context.source().rowOf(site.start);
      site.detail = context.text(shown);
      if (site.detail.size() > 60 || site.detail.find('\n') != std::string::npos) {
        site.detail =
            kindOf(shown) == NodeKind::Subscript
                ? std::string(context.text(childByField(shown, Field::Value))) + "[...]"
                : std::string(context.text(childByField(shown, Field::Function))) + "(...)";
      }
      // One edit per class: the same insertion twice would list `"__weakref__"` twice.
      if (std::find(fixed.begin(), fixed.end(), class_node.id) == fixed.end()) {
        fixed.push_back(class_node.id);
        site.fix = weakrefSlotFix(context, class_node);
      }
      facts_->sites.push_back(std::move(site));
    }
    facts_->module = describeModuleClasses(context);
  }

  std::unique_ptr<FileFacts> takeFacts() override { return std::move(facts_); }

 private:
  struct Candidate {
    TSNode node;  // a call, or an assignment to a subscript
    ScopeId scope;
  };

  static bool isSelf(const RuleContext& context, ScopeId scope, TSNode node, TSNode& class_node) {
    return kindOf(node) == NodeKind::Identifier &&
           isInstanceReceiver(context, scope, node, &class_node);
  }

  // Whether the candidate weakly references the instance of the method it is in.
  static bool weakReferenceToSelf(const RuleContext& context, const Candidate& candidate,
                                  TSNode& class_node) {
    if (kindOf(candidate.node) == NodeKind::Assignment) {
      const TSNode left = childByField(candidate.node, Field::Left);
      const TSNode key = childByField(left, Field::SubscriptIndex);
      const bool self_key = isSelf(context, candidate.scope, key, class_node);
      const bool self_value =
          !self_key &&
          isSelf(context, candidate.scope, childByField(candidate.node, Field::Right), class_node);
      if (!self_key && !self_value) return false;
      const std::string kind =
          weakContainerOf(context, candidate.scope, childByField(left, Field::Value), class_node);
      return kind == (self_key ? "weakref.WeakKeyDictionary" : "weakref.WeakValueDictionary");
    }
    const TSNode callee = childByField(candidate.node, Field::Function);
    TSNode first = firstArgument(candidate.node);
    const std::string maker = qualifiedNameWithStarBuiltins(context, candidate.scope, callee);
    if (maker == "weakref.WeakMethod") {
      if (kindOf(first) != NodeKind::Attribute) return false;
      first = childByField(first, Field::Object);
    }
    if (!isSelf(context, candidate.scope, first, class_node)) return false;
    if (std::find(kWeakReferenceMakers.begin(), kWeakReferenceMakers.end(), maker) !=
        kWeakReferenceMakers.end()) {
      return true;
    }
    return kindOf(callee) == NodeKind::Attribute &&
           context.text(childByField(callee, Field::AttributeName)) == "add" &&
           weakContainerOf(context, candidate.scope, childByField(callee, Field::Object),
                           class_node) == "weakref.WeakSet";
  }

  // Whether `method` names `__weakref__` or `__weakrefoffset__`: as a name, an attribute or a
  // string (`hasattr(self, "__weakref__")`); not in a comment or a longer name.
  static bool asksAboutWeakref(const RuleContext& context, TSNode method) {
    bool asks = false;
    visitSubtree(method, [&](TSNode node, TSFieldId /*field*/) {
      const NodeKind kind = kindOf(node);
      if (kind == NodeKind::Identifier) {
        const std::string_view name = context.text(node);
        asks = name == "__weakref__" || name == "__weakrefoffset__";
      } else if (kind == NodeKind::String) {
        const std::optional<std::string_view> content = plainStringContent(context.text(node));
        asks = content == "__weakref__" || content == "__weakrefoffset__";
      }
      return asks ? Visit::Stop : Visit::Descend;
    });
    return asks;
  }

  // Whether the method expects the weak reference to fail: it is made in the body of a `try`
  // whose handler catches `TypeError` (or `Exception`, `BaseException`, anything), or the method
  // asks about `__weakref__` (`hasattr(self, "__weakref__")`, `__weakrefoffset__`).
  static bool failureHandled(const RuleContext& context, TSNode made) {
    TSNode child = made;
    for (TSNode node = parentOf(made); !ts_node_is_null(node);
         child = node, node = parentOf(node)) {
      const NodeKind kind = kindOf(node);
      // A lambda runs later, outside any `try` around it.
      if (kind == NodeKind::Lambda) return false;
      if (kind == NodeKind::FunctionDefinition) return asksAboutWeakref(context, node);
      if (kind != NodeKind::TryStatement || !ts_node_eq(child, childByField(node, Field::Body))) {
        continue;
      }
      for (uint32_t i = 0, count = namedChildCount(node); i < count; ++i) {
        const TSNode clause = nthNamedChild(node, i);
        if (kindOf(clause) != NodeKind::ExceptClause) continue;
        const TSNode caught = caughtBy(clause);
        if (kindOf(caught) == NodeKind::Block) return true;  // a bare `except:`
        // `TypeError`, `(KeyError, TypeError)`, `builtins.TypeError`, `TypeError as error`.
        const auto catchesTypeError = [&](TSNode name) {
          const std::string_view text = context.text(name);
          return kindOf(name) == NodeKind::Identifier &&
                 (text == "TypeError" || text == "Exception" || text == "BaseException");
        };
        bool catches = catchesTypeError(caught);
        visitSubtree(caught, [&](TSNode name, TSFieldId /*field*/) {
          catches = catches || catchesTypeError(name);
          return catches ? Visit::Stop : Visit::Descend;
        });
        if (catches) return true;
      }
    }
    return false;
  }

  std::vector<Candidate> candidates_;
  std::unique_ptr<ClassFacts> facts_;
};

// A finding is in a class with `__slots__` of its own (or `@dataclass(slots=True)`) that
// references its instance through the weakref module (any import of it names it).
bool mayReportIn(const CodeText& text, const LintSettings& /*settings*/) {
  return (text.codeHasWord("__slots__") || text.codeHasWord("slots")) &&
         text.codeHasWord("weakref");
}

void join(std::span<const ProjectFileView> files, const AnalysisOptions& /*options*/,
          ProjectReporter& reporter) {
  const ClassHierarchy hierarchy(files);
  hierarchy.forEachSiteLacking(
      files, &InstanceLayout::weakref,
      [&](size_t file, const ClassSite& site, const ClassSummary& summary) {
        Diagnostic diagnostic;
        diagnostic.start = site.start;
        diagnostic.end = site.end;
        diagnostic.message = heaplint::quoted(site.detail) +
                             " weakly references the instance, but " +
                             slotsWithoutPhrase(summary, "__weakref__") + ": it raises TypeError";
        // Only where the slotted hierarchy starts: a base fixed in the same pass would give the
        // class a second `__weakref__`, which Python refuses.
        const bool root =
            std::none_of(summary.bases.begin(), summary.bases.end(),
                         [&](const std::string& base) { return hierarchy.find(base) != nullptr; });
        diagnostic.fix_title = summary.slots == SlotsKind::Dataclass
                                   ? "Add `weakref_slot=True` to `@dataclass`"
                                   : "Add `\"__weakref__\"` to `__slots__`";
        if (!root) diagnostic.fix_title += " of the first slotted class of the hierarchy";
        if (site.fix && root) diagnostic.fix = site.fix;
        reporter.report(file, std::move(diagnostic), site.row);
      });
}

constexpr std::array kSubscriptions = {NodeKind::Call, NodeKind::Assignment};

}  // namespace

extern const RuleDefinition kWeakrefToWeakreflessSlots{
    .code = "MEM402",
    .name = "weakref-to-weakrefless-slots",
    .summary = "a weak reference to `self` whose `__slots__` (and every base's) lack `__weakref__`",
    .documentation = kDocumentation,
    .fix_availability = FixAvailability::Sometimes,
    .subscriptions = kSubscriptions,
    .create = []() -> std::unique_ptr<RuleChecker> {
      return std::make_unique<WeakrefToWeakreflessSlots>();
    },
    .join = join,
    .read_facts = ClassFacts::read,
    .may_report_in = mayReportIn,
};

}  // namespace heaplint
