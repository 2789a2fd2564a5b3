// MEM401 missing-slots-on-hot-class: a class without `__slots__` whose instances are made in bulk
// (constructed in a loop or comprehension anywhere in the project). Decided across files: each
// file reports the classes it defines and the classes it instantiates in loops; the project step
// joins them.

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/facts_io.h"
#include "analyzer/walker.h"
#include "rules/common.h"

namespace heaplint {
namespace {

constexpr std::string_view kDocumentation = R"md(## What it does
Checks for classes without `__slots__` that are instantiated inside a loop or a comprehension
anywhere in the project being linted (`[Record(row) for row in rows]` in one module makes `Record`
in another module hot), and for classes listed as hot in the configuration. The finding is
reported at the class and names one place that makes it hot.

## Why is this bad?
Without `__slots__`, every instance can grow arbitrary attributes, so CPython keeps room for a
per-instance attribute dictionary. With `__slots__`, attributes live in fixed slots and the
instance has no `__dict__`. Measured with `tracemalloc` on CPython 3.11
(`tests/measurements/slots_memory.py`, 100,000 instances, attribute values shared):

| attributes | without `__slots__` | after `__dict__` is used | with `__slots__` | saved |
| --- | --- | --- | --- | --- |
| 1-5 | 80-112 bytes | 144-176 bytes | 40-72 bytes | 40 bytes (104 once `__dict__` is used) |
| 6-10 | 128-160 bytes | 192-224 bytes | 80-112 bytes | 48 bytes (112 once `__dict__` is used) |

CPython 3.11 stores attributes inline until something touches `__dict__` (`vars()`, pickling,
many debuggers and serializers), so the often-quoted "280 versus 104 bytes" of older versions no
longer holds as such: the saving is 40-48 bytes per instance, about a third to a half of the
instance, and about twice that once `__dict__` is used. For a class made a million times, that is
40-110 MB.

## Known problems
Only calls the analysis can resolve make a class hot: the class's own name, an import of it
(relative imports and re-exports through a package's `__init__` included), or the builtin
`map(Class, ...)` (also as `builtins.map`; a module's own `map` is not it).
Instances made through factories, `cls(...)` in classmethods, `copy`, or unpickling are not seen,
and by convention only names starting with a capital letter are considered. Classes are not
flagged when slots would not help or could break them: a base class (other than `object`,
`abc.ABC`, `typing.Generic` and the `collections.abc` classes) that is outside the project or has
no `__slots__` itself; exception classes, `Enum`, `NamedTuple`, `TypedDict` and `Protocol`
classes; classes with a metaclass or an unknown class decorator; classes that use `__dict__`, the
builtin `vars(self)` or `setattr(self, name, ...)` with a computed name (through aliases such as
`builtins.vars`; a module's own function called `vars` is not the builtin), or define `__getattr__`,
`__getattribute__` or `__setattr__`; `@dataclass(slots=True)`, `@dataclass(slots=False)` (an
explicit choice) and attrs classes with slots; classes that intern their instances (a cache
decorator on `__new__`: one whose name, through imports and aliases such as
`from functools import lru_cache as memo`, contains `cache`); classes extended in the project by
a subclass that has no `__slots__` and is not hot itself (an extension point: slots in the base
alone leave the subclass its `__dict__`, and extending code may set attributes of its own). Loops
over a handful of literal items (`for name in ("a", "b")`, a local bound once to a literal list,
`range(3)`, and those wrapped in `enumerate`/`zip`/`sorted`/`reversed`) do not make a class hot, nor
do loops sized by a class definition rather than by data: over an attribute of `cls` in a
classmethod (one decorated with the builtin `classmethod`, or `__init_subclass__` and
`__class_getitem__`), or of a class defined in the same file (`for name in cls.FIELDS`,
`range(cls.count)`, `range(len(Config.FIELDS))`, `range(cls.count + 1)`, wrapped as above), and
over the members of an Enum defined in the same file (`for color in Color`, `for member in cls` in
one of its classmethods). This trusts such
class attributes to be fixed when the class is written, so a class-level registry that grows at run
time (`Registry.items.append(...)`) is missed, while the same attribute reached through a class of
another module still counts. Attributes of `self` (`range(self.count)`, `self.__class__.FIELDS`,
even when `self.FIELDS` reads a class attribute) and what a method of `cls` returns
(`cls.load_rows()`) are data and still make a class hot, with one exception: an instance method
copying a class-level default into the instance, `self.items = [Item(i) for i in self.items]`
where the class body binds `items`, makes as many instances as the default lists. A method that
runs that copy a second time copies the instance's own list, which is missed. An instance made in an `except` handler
inside the loop (one per failure) does not make its class hot either. Classes defined inside
functions are not checked.

## Example
```python
class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y


points = [Point(x, y) for x, y in pairs]
```

## Use instead
```python
class Point:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y


points = [Point(x, y) for x, y in pairs]
```

## Fix safety
The fix is unsafe. For a plain class it adds `__slots__` listing the attributes assigned through
`self` in the class's instance methods (not in those decorated with the builtin `classmethod` or
`staticmethod`); it is not offered when one of them is also a class attribute (slots would
conflict with it). Instances then reject attributes assigned elsewhere (`obj.extra = 1`
raises `AttributeError`), cannot be weakly referenced unless `"__weakref__"` is added, and pickle
through `__getstate__` only. For a `@dataclass` the fix adds `slots=True` to the decorator when
the target Python version is 3.10 or later; `slots=True` makes a new class, so code that relies on
the class object's identity inside the class body (`super()` without arguments before 3.12 with
some decorators) may need care.

## Options
- `target-version`: `slots=True` for dataclasses is only suggested for Python 3.10 and later.
- `extra-hot-classes` in `[tool.heaplint.missing-slots-on-hot-class]`: dotted class names to treat
  as hot even where no loop shows it.
- `test-file-patterns`: instantiations in test code do not make a class hot.

## References
- [Python docs: `__slots__`](https://docs.python.org/3/reference/datamodel.html#slots)
- [Python docs: dataclasses `slots`](https://docs.python.org/3/library/dataclasses.html#dataclasses.dataclass)
- Peers: Ruff SLOT000-SLOT002 cover only `str`/`tuple`/`namedtuple` subclasses; slotscheck has to
  import the code.
)md";

// Bases that have `__slots__ = ()` (or are `object`): slots in a subclass still pay off.
constexpr std::array<std::string_view, 6> kNeutralBases = {
    "builtins.object",   "abc.ABC", "typing.Generic", "typing_extensions.Generic",
    "collections.abc.",  // every ABC in collections.abc declares empty slots
    "_collections_abc.",
};

// How many names and sub-expressions deciding whether a loop is sized by code follows at most.
constexpr int kMaxSizingDepth = 16;

// Class decorators that neither replace the class nor change its layout.
constexpr std::array<std::string_view, 5> kNeutralDecorators = {
    "functools.total_ordering", "typing.final",       "typing_extensions.final",
    "typing.runtime_checkable", "abc.abstractmethod",
};

bool isNeutralBase(std::string_view base) {
  return std::any_of(kNeutralBases.begin(), kNeutralBases.end(), [&](std::string_view neutral) {
    return neutral.back() == '.' ? base.starts_with(neutral) : base == neutral;
  });
}

struct ClassFact {
  std::string qualified;  // "pkg.models.Record"
  std::string name;
  uint32_t start = 0;  // the class name
  uint32_t end = 0;
  uint32_t row = 0;
  std::vector<std::string> bases;  // dotted; empty string when unknown
  bool has_slots = false;
  bool excluded = false;  // dynamic attributes, metaclass, unknown decorator, explicit slots=False
  bool is_dataclass = false;
  std::vector<std::string> attributes;  // assigned through self, in order
  size_t field_count = 0;               // attributes, or a dataclass's annotated fields
  std::optional<Fix> fix;
};

struct HotSite {
  std::string callee;  // dotted, absolute
  uint32_t row = 0;    // 0-based
};

struct Facts final : FileFacts {
  std::vector<ClassFact> classes;
  std::vector<HotSite> hot_sites;
  // Module-level imports, so that `from pkg import Record` finds pkg/models.py through
  // pkg/__init__.py: ("pkg.Record", "pkg.models.Record").
  std::vector<std::pair<std::string, std::string>> reexports;

  void write(FactsWriter& out) const override {
    out.u32(static_cast<uint32_t>(classes.size()));
    for (const ClassFact& fact : classes) {
      out.string(fact.qualified);
      out.string(fact.name);
      out.u32(fact.start);
      out.u32(fact.end);
      out.u32(fact.row);
      out.strings(fact.bases);
      out.boolean(fact.has_slots);
      out.boolean(fact.excluded);
      out.boolean(fact.is_dataclass);
      out.strings(fact.attributes);
      out.u64(fact.field_count);
      out.fix(fact.fix);
    }
    out.u32(static_cast<uint32_t>(hot_sites.size()));
    for (const HotSite& site : hot_sites) {
      out.string(site.callee);
      out.u32(site.row);
    }
    out.u32(static_cast<uint32_t>(reexports.size()));
    for (const auto& [alias, target] : reexports) {
      out.string(alias);
      out.string(target);
    }
  }

  std::unique_ptr<FileFacts> makeEmpty() const override { return std::make_unique<Facts>(); }

  void appendShifted(const FileFacts& next, int64_t bytes, int64_t rows) override {
    const auto& more = static_cast<const Facts&>(next);
    for (ClassFact fact : more.classes) {
      fact.start = shiftedOffset(fact.start, bytes);
      fact.end = shiftedOffset(fact.end, bytes);
      fact.row = shiftedOffset(fact.row, rows);
      if (fact.fix) shiftBy(*fact.fix, bytes);
      classes.push_back(std::move(fact));
    }
    for (HotSite site : more.hot_sites) {
      site.row = shiftedOffset(site.row, rows);
      hot_sites.push_back(std::move(site));
    }
    reexports.insert(reexports.end(), more.reexports.begin(), more.reexports.end());
  }

  static std::unique_ptr<FileFacts> read(FactsReader& in) {
    auto facts = std::make_unique<Facts>();
    const uint32_t class_count = in.count();
    for (uint32_t i = 0; i < class_count && in.ok(); ++i) {
      ClassFact fact;
      fact.qualified = in.string();
      fact.name = in.string();
      fact.start = in.u32();
      fact.end = in.u32();
      fact.row = in.u32();
      fact.bases = in.strings();
      fact.has_slots = in.boolean();
      fact.excluded = in.boolean();
      fact.is_dataclass = in.boolean();
      fact.attributes = in.strings();
      fact.field_count = in.u64();
      fact.fix = in.fix();
      facts->classes.push_back(std::move(fact));
    }
    const uint32_t site_count = in.count();
    for (uint32_t i = 0; i < site_count && in.ok(); ++i) {
      HotSite site;
      site.callee = in.string();
      site.row = in.u32();
      facts->hot_sites.push_back(std::move(site));
    }
    const uint32_t reexport_count = in.count();
    for (uint32_t i = 0; i < reexport_count && in.ok(); ++i) {
      std::string alias = in.string();
      facts->reexports.emplace_back(std::move(alias), in.string());
    }
    if (!in.ok()) return nullptr;
    return facts;
  }
};

struct ClassRecord {
  TSNode node;
  TSNode decorated;  // the decorated_definition around it, or null
  ScopeId scope;     // where the class statement runs (the module)
  std::vector<std::string_view> attributes;
  std::vector<std::string_view> class_attributes;  // names bound in the class body
  size_t annotated_fields = 0;                     // `name: T` in the body (dataclass fields)
  bool has_slots = false;
  bool dynamic = false;
};

class MissingSlotsOnHotClass final : public RuleChecker {
 public:
  void onNode(TSNode node, NodeKind kind, RuleContext& context) override {
    switch (kind) {
      case NodeKind::ClassDefinition:
        onClass(node, context);
        break;
      case NodeKind::FunctionDefinition:
        onFunction(node, context);
        break;
      case NodeKind::Assignment:
        onAssignment(node, context);
        break;
      case NodeKind::Attribute:
        onAttribute(node, context);
        break;
      case NodeKind::Call:
        onCall(node, context);
        break;
      default:
        break;
    }
  }

  void finish(RuleContext& context) override {
    facts_ = std::make_unique<Facts>();
    const ModuleInfo& module = context.options().module;
    resolveDynamicCalls(context);
    resolveMethods(context);
    // A stub (.pyi) declares classes that live elsewhere: nothing to slot there.
    if (!module.is_stub) {
      for (const ClassRecord& record : classes_)
        facts_->classes.push_back(describe(record, context));
    }
    // A loop in a test makes many instances for a moment: that is not what makes a class hot.
    const bool test_file = context.isTestFile();
    for (const Candidate& candidate : test_file ? std::vector<Candidate>{} : hot_candidates_) {
      if (candidate.gate.accepts != nullptr &&
          !candidate.gate.accepts(qualifiedNameWithStarBuiltins(context, candidate.gate.scope,
                                                                candidate.gate.callee))) {
        continue;  // `map(Record, rows)` with a `map` of the module's own, say
      }
      if (!candidate.iterables.empty() &&
          std::all_of(candidate.iterables.begin(), candidate.iterables.end(), [&](TSNode iterable) {
            return isSizedByCode(iterable, candidate.scope, context);
          })) {
        continue;  // `for name in ("a", "b")`, `range(cls.count)`: the code sets the count
      }
      std::string callee = absoluteCallee(context, candidate.scope, candidate.callee);
      if (!callee.empty()) facts_->hot_sites.push_back(HotSite{std::move(callee), candidate.row});
    }
    for (const Binding& binding : context.semantic().bindings()) {
      if (binding.scope != 0 || binding.prelude ||
          (binding.kind != BindingKind::Import && binding.kind != BindingKind::FromImport)) {
        continue;
      }
      std::string target = absoluteName(context.semantic().importedName(binding), module);
      if (target.empty()) continue;
      std::string alias = module.name.empty() ? std::string(binding.name)
                                              : module.name + "." + std::string(binding.name);
      if (alias != target) facts_->reexports.emplace_back(std::move(alias), std::move(target));
    }
  }

  std::unique_ptr<FileFacts> takeFacts() override { return std::move(facts_); }

 private:
  // What a method does that depends on its decorators, kept until they resolve in finish().
  struct MethodUse {
    enum class Kind : uint8_t {
      Store,        // `self.name = ...`
      Dynamic,      // `self.__dict__`, `vars(self)`, `setattr(self, computed, ...)`
      Constructor,  // a decorated `__new__`
    };
    const void* function;  // the function_definition
    size_t class_index;
    Kind kind;
    std::string_view attribute = {};
  };

  // Decorators resolve now: a cache on `__new__` interns instances, and only the first parameter
  // of an instance method is the instance (what a classmethod assigns to `cls` is class state).
  void resolveMethods(const RuleContext& context) {
    for (const MethodUse& constructor : constructors_) {
      if (hasDecorator(constructor.function, context, [](std::string_view name) {
            return lastSegment(name).find("cache") != std::string_view::npos;
          })) {
        classes_[constructor.class_index].dynamic = true;  // a loop gets the same few objects
      }
    }
    for (const MethodUse& use : self_uses_) {
      if (hasDecorator(use.function, context, [](std::string_view name) {
            return isClassMethodDecorator(name) || isStaticMethodDecorator(name);
          })) {
        continue;
      }
      ClassRecord& record = classes_[use.class_index];
      if (use.kind == MethodUse::Kind::Dynamic) {
        record.dynamic = true;
      } else if (std::find(record.attributes.begin(), record.attributes.end(), use.attribute) ==
                 record.attributes.end()) {
        record.attributes.push_back(use.attribute);
      }
    }
  }

  // Does one of the function's decorators have a name that `matches`? A decorator is named by
  // what it resolves to through imports (`memo` after `from functools import lru_cache as memo`
  // is "functools.lru_cache", `classmethod` is "builtins.classmethod" unless rebound); one the
  // semantic model cannot name (a function of this module, say) by its spelling.
  template <typename Matches>
  bool hasDecorator(const void* function, const RuleContext& context, Matches matches) const {
    const auto found = decorated_functions_.find(function);
    if (found == decorated_functions_.end()) return false;
    const uint32_t count = namedChildCount(found->second.node);
    for (uint32_t i = 0; i < count; ++i) {
      const TSNode decorator = nthNamedChild(found->second.node, i);
      if (kindOf(decorator) != NodeKind::Decorator) continue;
      std::string name = decoratorName(decorator, found->second.scope, context);
      if (name.empty()) name = decoratorSpelling(decorator, context);
      if (matches(name)) return true;
    }
    return false;
  }

  // A call that counts only if its callee turns out to be a particular builtin (`map`, `list`,
  // `collections.deque`, ...): names resolve in finish(), so the walk keeps the callee.
  struct Gate {
    TSNode callee{};
    ScopeId scope = kNoScope;                     // where the callee is evaluated
    bool (*accepts)(std::string_view) = nullptr;  // given the callee's qualified name
  };

  struct Candidate {
    TSNode callee;
    ScopeId scope;
    uint32_t row;
    // What the enclosing loops (up to the function) iterate over; a null node stands for a loop
    // whose size nothing bounds (`while`). Empty for `map(Record, rows)`.
    std::vector<TSNode> iterables;
    Gate gate = {};  // none: the candidate counts as it is
  };

  // `vars(self)` or `setattr(self, ...)` in a method, kept until `vars`/`setattr` resolve.
  struct DynamicCall {
    MethodUse use;
    TSNode callee;
    ScopeId scope;
    TSNode arguments;
  };

  // The class whose method body we are in (directly), or null.
  ClassRecord* methodClass(const RuleContext& context) {
    const auto executions = context.executions();
    if (executions.size() != 3 || executions[2].kind != NodeKind::FunctionDefinition ||
        executions[1].kind != NodeKind::ClassDefinition) {
      return nullptr;
    }
    return recordFor(executions[1].node);
  }

  ClassRecord* bodyClass(const RuleContext& context) {
    const auto executions = context.executions();
    if (executions.size() != 2 || executions[1].kind != NodeKind::ClassDefinition) return nullptr;
    return recordFor(executions[1].node);
  }

  size_t indexOf(const ClassRecord* record) const {
    return static_cast<size_t>(record - classes_.data());
  }

  ClassRecord* recordFor(TSNode class_node) {
    const auto it = index_.find(class_node.id);
    return it == index_.end() ? nullptr : &classes_[it->second];
  }

  void onClass(TSNode node, RuleContext& context) {
    if (context.execution().kind != NodeKind::Module) return;
    ClassRecord record;
    record.node = node;
    record.decorated =
        context.frame(1).kind == NodeKind::DecoratedDefinition ? context.frame(1).node : TSNode{};
    record.scope = context.scope();
    index_.emplace(node.id, classes_.size());
    classes_.push_back(record);
  }

  void onFunction(TSNode node, RuleContext& context) {
    // Decorators resolve in finish(), where the semantic model can answer.
    if (context.frame(1).kind == NodeKind::DecoratedDefinition) {
      decorated_functions_.emplace(node.id,
                                   Decorated{context.frame(1).node, context.frame(1).scope});
    }
    ClassRecord* record = bodyClass(context);
    if (record == nullptr) return;
    const std::string_view name = context.text(childByField(node, Field::Name));
    record->class_attributes.push_back(name);
    if (name == "__getattr__" || name == "__getattribute__" || name == "__setattr__") {
      record->dynamic = true;
    }
    // A cache on `__new__` interns instances (decided in finish()).
    if (name == "__new__" && context.frame(1).kind == NodeKind::DecoratedDefinition) {
      constructors_.push_back(MethodUse{node.id, indexOf(record), MethodUse::Kind::Constructor});
    }
  }

  void onAssignment(TSNode node, RuleContext& context) {
    ClassRecord* record = bodyClass(context);
    if (record == nullptr) return;
    const TSNode left = childByField(node, Field::Left);
    if (kindOf(left) != NodeKind::Identifier) return;
    const std::string_view name = context.text(left);
    if (!ts_node_is_null(childByField(node, Field::TypeAnnotation))) ++record->annotated_fields;
    if (name == "__slots__") {
      record->has_slots = true;
    } else if (!ts_node_is_null(childByField(node, Field::Right))) {
      record->class_attributes.push_back(name);
    }
  }

  // The name of the method's first parameter (usually `self`), or empty. Whether it is the
  // instance (not the class of a classmethod, nor a staticmethod's argument) is decided in
  // finish(), when the decorators resolve.
  std::string_view selfName(const RuleContext& context) const {
    const TSNode first = firstParameter(context.execution().node);
    return ts_node_is_null(first) ? std::string_view() : context.text(first);
  }

  void onAttribute(TSNode node, RuleContext& context) {
    ClassRecord* record = methodClass(context);
    if (record == nullptr) return;
    const TSNode object = childByField(node, Field::Object);
    if (kindOf(object) != NodeKind::Identifier) return;
    const std::string_view self = selfName(context);
    if (self.empty() || context.text(object) != self) return;
    const std::string_view attribute = context.text(childByField(node, Field::AttributeName));
    const void* method = context.execution().node.id;
    if (attribute == "__dict__") {
      self_uses_.push_back(MethodUse{method, indexOf(record), MethodUse::Kind::Dynamic});
    } else if (context.frame().isStoreTarget()) {
      self_uses_.push_back(MethodUse{method, indexOf(record), MethodUse::Kind::Store, attribute});
    }
  }

  void onCall(TSNode node, RuleContext& context) {
    const TSNode function = childByField(node, Field::Function);
    const TSNode arguments = childByField(node, Field::Arguments);
    const NodeKind function_kind = kindOf(function);
    if (function_kind == NodeKind::Identifier || function_kind == NodeKind::Attribute) {
      // Whether the callee is the builtin `vars`, `setattr` or `map` is decided in finish().
      noteDynamicAccess(function, arguments, context);
      // map(Record, rows) makes Record hot wherever it runs.
      const TSNode first = nthNamedChild(arguments, 0);
      if (isClassLikeName(context, first)) {
        addCandidate(first, context, {}, Gate{function, context.scope(), isBuiltinMap});
      }
    }
    if (context.loopDepth() == 0 || !isClassLikeName(context, function)) return;
    Gate consumer;
    if (!keptInBulk(context, consumer)) return;
    if (std::optional<std::vector<TSNode>> iterables = enclosingLoopIterables(context)) {
      addCandidate(function, context, std::move(*iterables), consumer);
    }
  }

  static bool isBuiltinMap(std::string_view qualified) { return qualified == "builtins.map"; }

  // Calls that keep every item of the generator they are given.
  static bool keepsEveryItem(std::string_view qualified) {
    return qualified == "builtins.list" || qualified == "builtins.tuple" ||
           qualified == "builtins.set" || qualified == "builtins.frozenset" ||
           qualified == "builtins.sorted" || qualified == "builtins.dict" ||
           qualified == "collections.deque";
  }

  // The iterables of the loops around the current node, innermost first, up to the enclosing
  // function; a null node for a `while` loop. None when the node is in an `except` handler inside
  // the innermost loop: one instance per failure (such as the list of places tried before raising
  // `TemplateDoesNotExist`), not the loop's bulk output.
  static std::optional<std::vector<TSNode>> enclosingLoopIterables(const RuleContext& context) {
    std::vector<TSNode> iterables;
    bool inside_loop = false;
    for (size_t up = 1; up < context.depth(); ++up) {
      const Frame& frame = context.frame(up);
      const Frame& child = context.frame(up - 1);
      switch (frame.kind) {
        case NodeKind::FunctionDefinition:
        case NodeKind::Lambda:
        case NodeKind::ClassDefinition:
          return iterables;
        case NodeKind::ExceptClause:
        case NodeKind::ExceptGroupClause:
          if (!inside_loop) return std::nullopt;
          break;
        case NodeKind::ForStatement:
          inside_loop = true;
          if (child.field == Field::Body)
            iterables.push_back(childByField(frame.node, Field::Right));
          break;
        case NodeKind::WhileStatement:
          inside_loop = true;
          if (child.field == Field::Body || child.field == Field::Condition) {
            iterables.push_back(TSNode{});
          }
          break;
        case NodeKind::ListComprehension:
        case NodeKind::SetComprehension:
        case NodeKind::DictionaryComprehension:
        case NodeKind::GeneratorExpression: {
          inside_loop = true;
          const uint32_t count = namedChildCount(frame.node);
          for (uint32_t i = 0; i < count; ++i) {
            const TSNode clause = nthNamedChild(frame.node, i);
            if (kindOf(clause) == NodeKind::ForInClause) {
              iterables.push_back(childByField(clause, Field::Right));
            }
          }
          break;
        }
        default:
          break;
      }
    }
    return iterables;
  }

  // A collection whose size the code fixes, not the data: a literal collection, a string,
  // range() of a small literal, or an attribute of the class (`cls.FIELDS` in a classmethod,
  // `Config.FIELDS` for a class of this file, `range(cls.count)`, `range(len(Config.FIELDS))`);
  // directly, through a local bound once to one, or wrapped in enumerate/reversed/sorted/zip.
  bool isSizedByCode(TSNode iterable, ScopeId scope, const RuleContext& context,
                     int depth = 0) const {
    constexpr long kSmallRange = 16;
    // Each step follows a name to its value or goes into a sub-expression: `gens = sorted(gens)`
    // leads back to itself, and generated code nests without end. Code sized by hand is shallow.
    if (depth > kMaxSizingDepth) return false;
    switch (kindOf(iterable)) {
      case NodeKind::List:
      case NodeKind::Tuple:
      case NodeKind::ExpressionList:
      case NodeKind::Set:
      case NodeKind::Dictionary: {
        const uint32_t count = namedChildCount(iterable);
        for (uint32_t i = 0; i < count; ++i) {
          const NodeKind element = kindOf(nthNamedChild(iterable, i));
          if (element == NodeKind::ListSplat || element == NodeKind::DictionarySplat) return false;
        }
        return true;
      }
      case NodeKind::String:
      case NodeKind::ConcatenatedString:
        return true;
      case NodeKind::ParenthesizedExpression:
        return isSizedByCode(nthNamedChild(iterable, 0), scope, context, depth + 1);
      case NodeKind::Attribute:
        return isClassAttribute(iterable, scope, context) ||
               isClassDefaultCopied(iterable, scope, context);
      case NodeKind::Identifier: {
        const Resolution resolution =
            context.semantic().resolve(scope, context.text(iterable), ts_node_start_byte(iterable));
        if (resolution.kind != Resolution::Kind::Bound) return false;
        const Binding& binding = *resolution.binding;
        // `for color in Color`, or `for member in cls` in a classmethod of an Enum: the members
        // are written in the class.
        if (binding.kind == BindingKind::ClassDefinition) {
          return isEnumClassDefinition(context, binding.node, binding.scope);
        }
        if (binding.kind == BindingKind::Parameter && isClassMethodReceiver(binding, context)) {
          const SemanticModel& semantic = context.semantic();
          const Scope& class_body = semantic.scope(methodReceiving(binding, semantic)->parent);
          return isEnumClassDefinition(context, class_body.node, class_body.parent);
        }
        if (binding.kind != BindingKind::Assignment ||
            context.semantic().bindingsIn(binding.scope, binding.name).size() != 1) {
          return false;
        }
        const TSNode assignment = ts_node_parent(binding.node);
        if (kindOf(assignment) != NodeKind::Assignment ||
            !sameNode(childByField(assignment, Field::Left), binding.node)) {
          return false;
        }
        const TSNode value = childByField(assignment, Field::Right);
        return kindOf(value) != NodeKind::Identifier &&
               isSizedByCode(value, scope, context, depth + 1);
      }
      case NodeKind::Call: {
        const TSNode function = childByField(iterable, Field::Function);
        const TSNode arguments = childByField(iterable, Field::Arguments);
        const std::string qualified = qualifiedNameWithStarBuiltins(context, scope, function);
        const uint32_t count = namedChildCount(arguments);
        if (qualified == "builtins.range") {
          if (count == 1 && kindOf(nthNamedChild(arguments, 0)) == NodeKind::Integer) {
            const std::string_view digits = context.text(nthNamedChild(arguments, 0));
            return digits.size() <= 2 && std::stol(std::string(digits)) <= kSmallRange;
          }
          return isClassSizedRange(arguments, scope, context, depth + 1);
        }
        if (qualified != "builtins.enumerate" && qualified != "builtins.reversed" &&
            qualified != "builtins.sorted" && qualified != "builtins.zip") {
          return false;
        }
        if (count == 0) return false;
        if (qualified != "builtins.zip") {
          return isSizedByCode(nthNamedChild(arguments, 0), scope, context, depth + 1);
        }
        for (uint32_t i = 0; i < count; ++i) {
          const TSNode argument = nthNamedChild(arguments, i);
          if (kindOf(argument) != NodeKind::KeywordArgument &&
              isSizedByCode(argument, scope, context, depth + 1)) {
            return true;  // zip stops at its shortest argument
          }
        }
        return false;
      }
      default:
        return false;
    }
  }

  // range(cls.count), range(1, Config.LIMIT), range(len(cls.FIELDS)): every bound is an integer
  // literal, an attribute of the class or the length of a collection the code sizes, and not all
  // are literals (`range(1, 1000)` is judged by its size, above).
  bool isClassSizedRange(TSNode arguments, ScopeId scope, const RuleContext& context,
                         int depth) const {
    const uint32_t count = namedChildCount(arguments);
    if (count == 0 || count > 3) return false;
    bool from_class = false;  // or from the length of a literal: sized by code either way
    for (uint32_t i = 0; i < count; ++i) {
      if (!isClassSizedBound(nthNamedChild(arguments, i), scope, context, from_class, depth)) {
        return false;
      }
    }
    return from_class;
  }

  // One bound of such a range: an integer literal, an attribute of the class, the length of a
  // collection the code sizes, or arithmetic on them (`cls.count + 1`, `2 * len(cls.FIELDS)`).
  bool isClassSizedBound(TSNode bound, ScopeId scope, const RuleContext& context, bool& from_class,
                         int depth) const {
    if (depth > kMaxSizingDepth) return false;
    switch (kindOf(bound)) {
      case NodeKind::Integer:
        return true;
      case NodeKind::ParenthesizedExpression:
        return isClassSizedBound(nthNamedChild(bound, 0), scope, context, from_class, depth + 1);
      case NodeKind::BinaryOperator: {
        const std::string_view op = context.text(childByField(bound, Field::Operator));
        if (op != "+" && op != "-" && op != "*" && op != "//") return false;
        return isClassSizedBound(childByField(bound, Field::Left), scope, context, from_class,
                                 depth + 1) &&
               isClassSizedBound(childByField(bound, Field::Right), scope, context, from_class,
                                 depth + 1);
      }
      case NodeKind::Attribute:
        if (!isClassAttribute(bound, scope, context)) return false;
        from_class = true;
        return true;
      case NodeKind::Call: {
        const TSNode sized = firstArgument(bound);
        if (qualifiedNameWithStarBuiltins(context, scope, childByField(bound, Field::Function)) !=
                "builtins.len" ||
            namedChildCount(childByField(bound, Field::Arguments)) != 1 ||
            !isSizedByCode(sized, scope, context, depth + 1)) {
          return false;
        }
        from_class = true;
        return true;
      }
      default:
        return false;
    }
  }

  // An attribute chain rooted at the class a classmethod receives (`cls.FIELDS`, `cls.a.b`) or
  // at a class defined in this file (`Config.FIELDS`): sized where the class is written, not by
  // the data. `self.items` and `self.__class__.FIELDS` are not: the root is the instance.
  bool isClassAttribute(TSNode chain, ScopeId scope, const RuleContext& context) const {
    TSNode root = chain;
    while (kindOf(root) == NodeKind::Attribute)
      root = childByField(root, Field::Object);
    if (sameNode(root, chain) || kindOf(root) != NodeKind::Identifier) return false;
    const Resolution resolution =
        context.semantic().resolve(scope, context.text(root), ts_node_start_byte(root));
    if (resolution.kind != Resolution::Kind::Bound) return false;
    const Binding& binding = *resolution.binding;
    if (binding.kind == BindingKind::ClassDefinition) return true;
    return binding.kind == BindingKind::Parameter && isClassMethodReceiver(binding, context);
  }

  // `self.items = [Item(i) for i in self.items]` in an instance method, where the class body
  // binds `items`: the idiom that copies a class-level default into the instance. Before the
  // assignment `self.items` reads the class's default, so the copy has as many items as the class
  // lists (sympy's PlotMode copies its one to three default intervals this way).
  bool isClassDefaultCopied(TSNode chain, ScopeId scope, const RuleContext& context) const {
    const TSNode receiver = childByField(chain, Field::Object);
    if (kindOf(receiver) != NodeKind::Identifier) return false;
    const SemanticModel& semantic = context.semantic();
    const Resolution resolution =
        semantic.resolve(scope, context.text(receiver), ts_node_start_byte(receiver));
    if (resolution.kind != Resolution::Kind::Bound ||
        resolution.binding->kind != BindingKind::Parameter) {
      return false;
    }
    const Scope* function = methodReceiving(*resolution.binding, semantic);
    if (function == nullptr || hasDecorator(function->node.id, context, [](std::string_view name) {
          return isClassMethodDecorator(name) || isStaticMethodDecorator(name);
        })) {
      return false;
    }
    const std::string_view attribute = context.text(childByField(chain, Field::AttributeName));
    if (semantic.bindingsIn(function->parent, attribute).empty()) return false;
    // The comprehension over `self.items` is what `self.items` is set to.
    const TSNode clause = ts_node_parent(chain);
    if (kindOf(clause) != NodeKind::ForInClause) return false;
    const TSNode comprehension = ts_node_parent(clause);
    const NodeKind comprehension_kind = kindOf(comprehension);
    if (comprehension_kind != NodeKind::ListComprehension &&
        comprehension_kind != NodeKind::SetComprehension &&
        comprehension_kind != NodeKind::DictionaryComprehension) {
      return false;
    }
    const TSNode assignment = ts_node_parent(comprehension);
    return kindOf(assignment) == NodeKind::Assignment &&
           sameNode(childByField(assignment, Field::Right), comprehension) &&
           context.text(childByField(assignment, Field::Left)) == context.text(chain);
  }

  // Is the parameter the first one of a classmethod: one decorated with the builtin
  // `classmethod`, or `__init_subclass__` and `__class_getitem__`, which Python makes classmethods?
  bool isClassMethodReceiver(const Binding& parameter, const RuleContext& context) const {
    const Scope* function = methodReceiving(parameter, context.semantic());
    if (function == nullptr) return false;
    const std::string_view method = context.text(childByField(function->node, Field::Name));
    return method == "__init_subclass__" || method == "__class_getitem__" ||
           hasDecorator(function->node.id, context,
                        [](std::string_view name) { return isClassMethodDecorator(name); });
  }

  // The method (a function directly in a class body) whose first parameter `parameter` is, or null.
  static const Scope* methodReceiving(const Binding& parameter, const SemanticModel& semantic) {
    const Scope& function = semantic.scope(parameter.scope);
    if (function.kind != ScopeKind::Function || function.parent == kNoScope ||
        semantic.scope(function.parent).kind != ScopeKind::Class ||
        !sameNode(firstParameter(function.node), parameter.node)) {
      return nullptr;
    }
    return &function;
  }

  // The dotted name a decorator stands for, through imports (a call's callee for
  // `@lru_cache(maxsize=None)`); empty when it is not an import or a builtin.
  static std::string decoratorName(TSNode decorator, ScopeId scope, const RuleContext& context) {
    TSNode expression = firstNamedChildSkippingComments(decorator);
    if (kindOf(expression) == NodeKind::Call)
      expression = childByField(expression, Field::Function);
    return qualifiedNameWithStarBuiltins(context, scope, expression);
  }

  // The decorator's expression as written, without a call's arguments: `cached` for
  // `@cached(size=10)`.
  static std::string decoratorSpelling(TSNode decorator, const RuleContext& context) {
    TSNode expression = firstNamedChildSkippingComments(decorator);
    if (kindOf(expression) == NodeKind::Call)
      expression = childByField(expression, Field::Function);
    return std::string(context.text(expression));
  }

  // The name node of a function's first parameter (`self`, `cls`), or a null node.
  static TSNode firstParameter(TSNode function) {
    TSNode first = firstNamedChildSkippingComments(childByField(function, Field::Parameters));
    const NodeKind kind = kindOf(first);
    if (kind == NodeKind::TypedParameter) {
      first = nthNamedChild(first, 0);
    } else if (kind == NodeKind::DefaultParameter || kind == NodeKind::TypedDefaultParameter) {
      first = childByField(first, Field::Name);
    }
    return kindOf(first) == NodeKind::Identifier ? first : TSNode{};
  }

  // Is the instance being made kept together with the others made by the same loop? Memory
  // only adds up when many instances are alive at once: a comprehension's element, an
  // `.append()`/`.add()` or `d[k] = ...` inside a loop, or a generator fed to list()/tuple()/...
  // An object made and dropped per iteration (a connection, a parser) is not counted. For a
  // generator, `consumer` receives the call it is fed to, whose callee must resolve to one of
  // those builtins (or `collections.deque`) in finish().
  static bool keptInBulk(const RuleContext& context, Gate& consumer) {
    size_t up = 1;
    // Look through wrappers: `[(Record(r), r) for r in rows]`, `{k: Record(v) for ...}`.
    while (up < 4 && up < context.depth() &&
           (context.frame(up).kind == NodeKind::Tuple || context.frame(up).kind == NodeKind::Pair ||
            context.frame(up).kind == NodeKind::ParenthesizedExpression ||
            context.frame(up).kind == NodeKind::ConditionalExpression)) {
      ++up;
    }
    if (up + 1 >= context.depth()) return false;
    const Frame& holder = context.frame(up);
    const Frame& element = context.frame(up - 1);
    switch (holder.kind) {
      case NodeKind::ListComprehension:
      case NodeKind::SetComprehension:
      case NodeKind::DictionaryComprehension:
        return element.field == Field::Body;
      case NodeKind::GeneratorExpression: {
        if (element.field != Field::Body || up + 2 >= context.depth()) return false;
        // list(Record(r) for r in rows) and friends keep every instance.
        const Frame& call = context.frame(up + 1).kind == NodeKind::Call ? context.frame(up + 1)
                                                                         : context.frame(up + 2);
        if (call.kind != NodeKind::Call) return false;
        const TSNode callee = childByField(call.node, Field::Function);
        const NodeKind callee_kind = kindOf(callee);
        if (callee_kind != NodeKind::Identifier && callee_kind != NodeKind::Attribute) return false;
        consumer = Gate{callee, call.scope, keepsEveryItem};
        return true;
      }
      case NodeKind::ArgumentList: {
        const TSNode callee = childByField(context.frame(up + 1).node, Field::Function);
        if (kindOf(callee) != NodeKind::Attribute) return false;
        const std::string_view method = context.text(childByField(callee, Field::AttributeName));
        return method == "append" || method == "add" || method == "insert" ||
               method == "appendleft" || method == "setdefault" || method == "put";
      }
      case NodeKind::Assignment: {
        if (element.field != Field::Right ||
            kindOf(childByField(holder.node, Field::Left)) != NodeKind::Subscript) {
          return false;
        }
        // `index[key] = Record(...)` followed by `break` stores one instance, not many.
        const TSNode statement = context.frame(up + 1).node;
        return kindOf(ts_node_next_named_sibling(statement)) != NodeKind::BreakStatement;
      }
      default:
        return false;
    }
  }

  // A call on the method's first parameter (`f(self, ...)`): `vars(self)` and
  // `setattr(self, computed, ...)` make the class dynamic if `vars`/`setattr` are the builtins.
  void noteDynamicAccess(TSNode callee, TSNode arguments, RuleContext& context) {
    ClassRecord* record = methodClass(context);
    if (record == nullptr) return;
    const TSNode first = nthNamedChild(arguments, 0);
    if (kindOf(first) != NodeKind::Identifier || context.text(first) != selfName(context)) return;
    dynamic_calls_.push_back(DynamicCall{
        MethodUse{context.execution().node.id, indexOf(record), MethodUse::Kind::Dynamic}, callee,
        context.scope(), arguments});
  }

  // Now that names resolve: `vars(self)`, `setattr(self, name, ...)` with a computed name (also
  // as `builtins.vars`), but not a module's own function called `vars`.
  void resolveDynamicCalls(const RuleContext& context) {
    for (const DynamicCall& call : dynamic_calls_) {
      const std::string qualified = qualifiedNameWithStarBuiltins(context, call.scope, call.callee);
      if (qualified == "builtins.vars" ||
          (qualified == "builtins.setattr" &&
           kindOf(nthNamedChild(call.arguments, 1)) != NodeKind::String)) {
        self_uses_.push_back(call.use);
      }
    }
  }

  // By convention classes are CapWords; anything else is most likely a function.
  static bool isClassLikeName(const RuleContext& context, TSNode callee) {
    TSNode name = callee;
    if (kindOf(callee) == NodeKind::Attribute) {
      name = childByField(callee, Field::AttributeName);
    } else if (kindOf(callee) != NodeKind::Identifier) {
      return false;
    }
    const std::string_view text = context.text(name);
    return !text.empty() && text[0] >= 'A' && text[0] <= 'Z';
  }

  void addCandidate(TSNode callee, RuleContext& context, std::vector<TSNode> iterables, Gate gate) {
    hot_candidates_.push_back(Candidate{callee, context.scope(),
                                        context.source().rowOf(ts_node_start_byte(callee)),
                                        std::move(iterables), gate});
  }

  // The dotted name a callee stands for: a class of this module, or an import.
  static std::string absoluteCallee(const RuleContext& context, ScopeId scope, TSNode callee) {
    const ModuleInfo& module = context.options().module;
    if (kindOf(callee) == NodeKind::Identifier) {
      const std::string_view name = context.text(callee);
      const Resolution resolution =
          context.semantic().resolve(scope, name, ts_node_start_byte(callee));
      if (resolution.kind == Resolution::Kind::Bound &&
          resolution.binding->kind == BindingKind::ClassDefinition &&
          resolution.binding->scope == 0) {
        return module.name.empty() ? std::string(name) : module.name + "." + std::string(name);
      }
    }
    const std::string qualified = context.semantic().qualifiedName(scope, callee);
    if (qualified.empty() || qualified.starts_with("builtins.")) return {};
    return absoluteName(qualified, module);
  }

  ClassFact describe(const ClassRecord& record, const RuleContext& context) const {
    ClassFact fact;
    const ModuleInfo& module = context.options().module;
    const TSNode name = childByField(record.node, Field::Name);
    fact.name = std::string(context.text(name));
    fact.qualified = module.name.empty() ? fact.name : module.name + "." + fact.name;
    fact.start = ts_node_start_byte(name);
    fact.end = ts_node_end_byte(name);
    fact.row = context.source().rowOf(fact.start);
    fact.has_slots = record.has_slots;
    fact.excluded = record.dynamic;
    for (std::string_view attribute : record.attributes)
      fact.attributes.emplace_back(attribute);

    const TSNode superclasses = childByField(record.node, Field::Superclasses);
    const uint32_t count = namedChildCount(superclasses);
    for (uint32_t i = 0; i < count; ++i) {
      TSNode base = nthNamedChild(superclasses, i);
      const NodeKind base_kind = kindOf(base);
      if (base_kind == NodeKind::Comment) continue;
      if (base_kind == NodeKind::KeywordArgument || base_kind == NodeKind::ListSplat ||
          base_kind == NodeKind::DictionarySplat) {
        fact.excluded = true;  // a metaclass or computed bases: anything may happen
        continue;
      }
      if (base_kind == NodeKind::Subscript) base = childByField(base, Field::Value);  // Generic[T]
      fact.bases.push_back(absoluteCallee(context, record.scope, base));
      if (kindOf(base) == NodeKind::Identifier && fact.bases.back().empty()) {
        const Resolution resolution =
            context.semantic().resolve(record.scope, context.text(base), ts_node_start_byte(base));
        if (resolution.kind == Resolution::Kind::Builtin) {
          fact.bases.back() = "builtins." + std::string(context.text(base));
        }
      }
    }

    TSNode dataclass_decorator{};
    if (!ts_node_is_null(record.decorated)) {
      const uint32_t decorators = namedChildCount(record.decorated);
      for (uint32_t i = 0; i < decorators; ++i) {
        const TSNode decorator = nthNamedChild(record.decorated, i);
        if (kindOf(decorator) != NodeKind::Decorator) continue;
        classifyDecorator(decorator, record, context, fact, dataclass_decorator);
      }
    }
    fact.fix =
        fact.is_dataclass ? dataclassFix(dataclass_decorator, context) : slotsFix(record, context);
    fact.field_count = std::max(fact.attributes.size(), record.annotated_fields);
    return fact;
  }

  static void classifyDecorator(TSNode decorator, const ClassRecord& record,
                                const RuleContext& context, ClassFact& fact,
                                TSNode& dataclass_decorator) {
    TSNode expression = nthNamedChild(decorator, 0);
    TSNode arguments{};
    if (kindOf(expression) == NodeKind::Call) {
      arguments = childByField(expression, Field::Arguments);
      expression = childByField(expression, Field::Function);
    }
    const std::string qualified = context.semantic().qualifiedName(record.scope, expression);
    const auto keyword = [&](std::string_view wanted) -> std::string_view {
      const uint32_t count = namedChildCount(arguments);
      for (uint32_t i = 0; i < count; ++i) {
        const TSNode argument = nthNamedChild(arguments, i);
        if (kindOf(argument) == NodeKind::KeywordArgument &&
            context.text(childByField(argument, Field::Name)) == wanted) {
          return context.text(childByField(argument, Field::Value));
        }
      }
      return {};
    };
    if (qualified == "dataclasses.dataclass") {
      const std::string_view slots = keyword("slots");
      if (slots == "True") {
        fact.has_slots = true;
      } else if (!slots.empty()) {
        fact.excluded = true;  // slots=False, or computed: an explicit choice
      } else {
        fact.is_dataclass = true;
        dataclass_decorator = decorator;
      }
    } else if (qualified == "attr.define" || qualified == "attr.mutable" ||
               qualified == "attr.frozen" || qualified == "attrs.define" ||
               qualified == "attrs.mutable" || qualified == "attrs.frozen") {
      if (keyword("slots") == "False") {
        fact.excluded = true;
      } else {
        fact.has_slots = true;  // attrs' next-generation API makes slotted classes by default
      }
    } else if (qualified == "attr.s" || qualified == "attr.attrs" || qualified == "attrs.attrs") {
      if (keyword("slots") == "True") {
        fact.has_slots = true;
      } else {
        fact.excluded = true;
      }
    } else if (std::find(kNeutralDecorators.begin(), kNeutralDecorators.end(), qualified) ==
               kNeutralDecorators.end()) {
      fact.excluded = true;  // an unknown decorator may replace the class
    }
  }

  // `__slots__ = (...)` as the first statement of the body (after a docstring).
  static std::optional<Fix> slotsFix(const ClassRecord& record, const RuleContext& context) {
    for (std::string_view attribute : record.attributes) {
      if (std::find(record.class_attributes.begin(), record.class_attributes.end(), attribute) !=
          record.class_attributes.end()) {
        return std::nullopt;  // a slot would conflict with the class attribute
      }
    }
    const TSNode body = childByField(record.node, Field::Body);
    TSNode first = nthNamedChild(body, 0);
    while (kindOf(first) == NodeKind::Comment)
      first = ts_node_next_named_sibling(first);
    if (ts_node_is_null(first)) return std::nullopt;
    const SourceText& source = context.source();
    const uint32_t class_row = source.rowOf(ts_node_start_byte(record.node));
    const uint32_t first_start = ts_node_start_byte(first);
    const uint32_t first_row = source.rowOf(first_start);
    if (first_row == class_row) return std::nullopt;  // `class A: pass` on one line
    const std::string_view indentation = source.slice(source.lineStart(first_row), first_start);
    if (indentation.find_first_not_of(" \t") != std::string_view::npos) return std::nullopt;

    std::string slots = "__slots__ = (";
    for (size_t i = 0; i < record.attributes.size(); ++i) {
      if (i > 0) slots += ", ";
      slots += '"';
      slots += record.attributes[i];
      slots += '"';
    }
    if (record.attributes.size() == 1) slots += ',';
    slots += ')';

    const std::string newline(source.lineEnding());
    const bool has_docstring = kindOf(first) == NodeKind::ExpressionStatement &&
                               namedChildCount(first) == 1 &&
                               kindOf(nthNamedChild(first, 0)) == NodeKind::String;
    Fix fix;
    fix.applicability = Applicability::Unsafe;
    if (has_docstring) {
      const uint32_t end = ts_node_end_byte(first);
      fix.edits.push_back(Edit{end, end, newline + std::string(indentation) + slots});
    } else {
      fix.edits.push_back(
          Edit{first_start, first_start, slots + newline + std::string(indentation)});
    }
    return fix;
  }

  // `@dataclass` -> `@dataclass(slots=True)`; `@dataclass(frozen=True)` -> `(frozen=True,
  // slots=True)`, when the target version has it.
  static std::optional<Fix> dataclassFix(TSNode decorator, const RuleContext& context) {
    if (context.options().settings->target_version < PythonVersion{3, 10}) return std::nullopt;
    const TSNode expression = nthNamedChild(decorator, 0);
    Fix fix;
    fix.applicability = Applicability::Unsafe;
    if (kindOf(expression) != NodeKind::Call) {
      const uint32_t end = ts_node_end_byte(expression);
      fix.edits.push_back(Edit{end, end, "(slots=True)"});
      return fix;
    }
    const TSNode arguments = childByField(expression, Field::Arguments);
    const uint32_t count = childCount(arguments);
    if (count < 2) return std::nullopt;
    const TSNode close = nthChild(arguments, count - 1);
    if (kindOf(close) != NodeKind::RightParen) return std::nullopt;
    // Insert after the last argument, before any trailing comma.
    TSNode last{};
    for (uint32_t i = 0; i < count; ++i) {
      const TSNode child = nthChild(arguments, i);
      if (ts_node_is_named(child) && kindOf(child) != NodeKind::Comment) last = child;
    }
    if (ts_node_is_null(last)) {
      const uint32_t at = ts_node_start_byte(close);
      fix.edits.push_back(Edit{at, at, "slots=True"});
    } else {
      const uint32_t at = ts_node_end_byte(last);
      fix.edits.push_back(Edit{at, at, ", slots=True"});
    }
    return fix;
  }

  std::vector<ClassRecord> classes_;
  std::unordered_map<const void*, size_t> index_;
  std::vector<MethodUse> self_uses_;     // in source order: the order of the slots
  std::vector<MethodUse> constructors_;  // decorated `__new__` methods
  std::vector<DynamicCall> dynamic_calls_;
  struct Decorated {
    TSNode node;    // the decorated_definition
    ScopeId scope;  // where its decorators are evaluated
  };
  std::unordered_map<const void*, Decorated> decorated_functions_;  // by function_definition
  std::vector<Candidate> hot_candidates_;
  std::unique_ptr<Facts> facts_;
};

// --- the project step ---

struct ClassRef {
  size_t file;
  const ClassFact* fact;
};

struct HotReason {
  size_t class_file;  // where the class is defined
  size_t site_file;   // where it is made hot
  uint32_t row;
  bool configured = false;
};

std::string savingsText(size_t attributes) {
  return attributes <= 5 ? "about 40 bytes per instance on CPython 3.11 (104 once its `__dict__` "
                           "is used)"
                         : "about 48 bytes per instance on CPython 3.11 (112 once its `__dict__` "
                           "is used)";
}

void join(std::span<const ProjectFileView> files, const AnalysisOptions& options,
          ProjectReporter& reporter) {
  std::unordered_map<std::string, ClassRef> classes;
  std::unordered_map<std::string, std::string> aliases;
  for (size_t i = 0; i < files.size(); ++i) {
    const auto* facts = static_cast<const Facts*>(files[i].facts);
    if (facts == nullptr) continue;
    for (const ClassFact& fact : facts->classes)
      classes.emplace(fact.qualified, ClassRef{i, &fact});
    for (const auto& [alias, target] : facts->reexports)
      aliases.emplace(alias, target);
  }
  const auto findClass = [&](std::string name) -> const ClassRef* {
    for (int hop = 0; hop < 8; ++hop) {
      const auto found = classes.find(name);
      if (found != classes.end()) return &found->second;
      const auto alias = aliases.find(name);
      if (alias == aliases.end()) return nullptr;
      name = alias->second;
    }
    return nullptr;
  };

  std::map<const ClassFact*, HotReason> hot;  // first site in file order, then row
  for (size_t i = 0; i < files.size(); ++i) {
    const auto* facts = static_cast<const Facts*>(files[i].facts);
    if (facts == nullptr) continue;
    for (const HotSite& site : facts->hot_sites) {
      const ClassRef* ref = findClass(site.callee);
      if (ref != nullptr) hot.try_emplace(ref->fact, HotReason{ref->file, i, site.row});
    }
  }
  for (const std::string& name : options.settings->extra_hot_classes) {
    const ClassRef* ref = findClass(name);
    if (ref != nullptr) hot.try_emplace(ref->fact, HotReason{ref->file, ref->file, 0, true});
  }

  // A class gains from slots only if every base up to `object` has them too.
  const auto basesAllowSlots = [&](const ClassFact& fact) {
    std::vector<const ClassFact*> pending{&fact};
    std::vector<const ClassFact*> seen;
    while (!pending.empty()) {
      const ClassFact* current = pending.back();
      pending.pop_back();
      if (std::find(seen.begin(), seen.end(), current) != seen.end()) continue;
      seen.push_back(current);
      for (const std::string& base : current->bases) {
        if (base.empty()) return false;
        if (isNeutralBase(base)) continue;
        const ClassRef* ref = findClass(base);
        if (ref == nullptr) return false;  // outside the project: unknown layout
        if (!ref->fact->has_slots || ref->fact->excluded) return false;
        pending.push_back(ref->fact);
      }
    }
    return true;
  };

  // A class extended in the project by a class that keeps its `__dict__` (and is not hot itself,
  // so nothing will slot it next) is an extension point: slots in the base alone save nothing for
  // the subclass, and code that extends the class may set attributes of its own.
  std::unordered_set<const ClassFact*> extended_by_unslotted;
  for (const auto& [name, ref] : classes) {
    if (ref.fact->has_slots || hot.contains(ref.fact)) continue;
    for (const std::string& base : ref.fact->bases) {
      if (base.empty()) continue;
      if (const ClassRef* base_ref = findClass(base)) extended_by_unslotted.insert(base_ref->fact);
    }
  }

  for (const auto& [fact, reason] : hot) {
    if (fact->has_slots || fact->excluded || !basesAllowSlots(*fact)) continue;
    if (!reason.configured && extended_by_unslotted.contains(fact)) continue;
    const std::string where = reason.configured ? std::string("listed in extra-hot-classes")
                                                : "instantiated in a loop at " +
                                                      std::string(files[reason.site_file].path) +
                                                      ":" + std::to_string(reason.row + 1);
    Diagnostic diagnostic;
    diagnostic.start = fact->start;
    diagnostic.end = fact->end;
    if (fact->is_dataclass) {
      const bool can_slot = options.settings->target_version >= PythonVersion{3, 10};
      diagnostic.message = "Dataclass `" + fact->name + "` is " + where +
                           " but has no slots: `slots=True` saves " +
                           savingsText(fact->field_count);
      diagnostic.fix_title = can_slot ? "Add `slots=True` to `@dataclass`"
                                      : "Add `slots=True` to `@dataclass` once the target "
                                        "version is Python 3.10 or later";
    } else {
      diagnostic.message = "Class `" + fact->name + "` is " + where +
                           " but has no `__slots__`: slots save " + savingsText(fact->field_count);
      diagnostic.fix_title = "Add `__slots__` listing the instance attributes";
    }
    diagnostic.fix = fact->fix;
    reporter.report(reason.class_file, std::move(diagnostic), fact->row);
  }
}

constexpr std::array kSubscriptions = {NodeKind::ClassDefinition, NodeKind::FunctionDefinition,
                                       NodeKind::Assignment, NodeKind::Attribute, NodeKind::Call};

}  // namespace

extern const RuleDefinition kMissingSlotsOnHotClass{
    .code = "MEM401",
    .name = "missing-slots-on-hot-class",
    .summary = "Class instantiated in a loop has no __slots__",
    .documentation = kDocumentation,
    .fix_availability = FixAvailability::Sometimes,
    .subscriptions = kSubscriptions,
    .create = []() -> std::unique_ptr<RuleChecker> {
      return std::make_unique<MissingSlotsOnHotClass>();
    },
    .join = join,
    .read_facts = Facts::read,
};

}  // namespace heaplint
