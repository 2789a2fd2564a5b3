// MEM203 cache-on-method: `@functools.cache` / `@functools.lru_cache` on an instance method; the
// class-wide cache keeps `self` and every argument alive.

#include <array>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/call_evidence.h"
#include "analyzer/facts_io.h"
#include "analyzer/pending_diagnostic.h"
#include "analyzer/walker.h"
#include "rules/common.h"

namespace heaplint {
namespace {

constexpr std::string_view kDocumentation = R"md(## What it does
Checks for an unbounded `functools.cache` or `functools.lru_cache(maxsize=None)` (through any
import alias) on an instance method: a function defined directly in the body of a module-level
class, that is not a `staticmethod` or `classmethod`. Bounded caches (`@lru_cache`,
`maxsize=N`) pin at most N instances and are reported only with `--preview` (pylint narrowed
W1518 to `maxsize=None` for the same reason, pylint#6180).

Decided across files, not flagged either: caches the project clears (`self.method.cache_clear()`,
as Django's `Apps.clear_cache()` does; calls in tests do not count), classes constructed only
while modules are imported (a module-level singleton: one instance), and methods called, by their
name, only on module-level objects (`apps.get_models()` on a global `apps`) and never on another
receiver.

Not flagged: static and class methods (`__init_subclass__` and `__class_getitem__` count as class
methods, `__new__` as a static method), methods of `Enum` classes (their instances are a fixed set
of singletons), methods of metaclasses (their instances are classes), `functools.cached_property`
(it stores the value on the instance, which frees it with the instance), methods of classes
defined inside functions, and functions nested inside methods.

## Why is this bad?
The decorator runs once, when the class body executes, so there is one cache for the whole class
and it lives as long as the class, usually the life of the process. `self` is part of every cache
key, so the cache holds a strong reference to every instance the method was called on, and to
every argument and result, long after the rest of the program has dropped them: the instances and
everything they reference are never freed. With `functools.cache` or `maxsize=None` the cache never
evicts anything; with a bounded `lru_cache` up to `maxsize` instances stay pinned, and the budget
is shared by all instances, so one busy instance evicts the others' entries. The cache also calls
`__hash__` and `__eq__` on `self` for every lookup.

In preview: on code the rule was not tuned on, reviewers judged none of 23 findings real (21 in
Meson and 2 in pip: a backend, an environment, a package finder made once or twice per run of a
command-line tool, whose instances live for the run anyway). Whether a class has many
short-lived instances (a command per `call_command`, a request handler) or one per run is what
decides, and the rule cannot yet tell them apart.

## Known problems
Classes that only ever have one instance (or a few long-lived ones) made inside functions (a
main window built in `main()`, a service started by a framework) are flagged although nothing
leaks; silence them with `# noqa: MEM203`. Receivers are matched by method name: a method whose name is
also called on another receiver anywhere in the project stays flagged. Enum classes are recognized by their bases or
metaclass: the `enum` classes, Django's `Choices`, classes of the same file deriving from them, and
otherwise by name (a base whose name ends in `Enum` or `Choices`, or is `Flag`/`IntFlag`); an enum
base from another module under any other name is not recognized, and its methods are flagged.
Metaclasses are recognized the same way (`type`, `abc.ABCMeta`, and classes of the same file
deriving from them). Custom decorators that cache
(`cachetools.cachedmethod`, home-grown `memoize`), caches applied after the class is created
(`Class.method = functools.cache(Class.method)`) and caches applied through
`from functools import *` are not seen. Classes defined inside functions are skipped, although one
that is stored in a long-lived place leaks in the same way.

## Example
```python
import functools


class Document:
    def __init__(self, text):
        self.text = text

    @functools.cache
    def word_count(self):
        return len(self.text.split())

    @functools.lru_cache(maxsize=256)
    def matches(self, pattern):
        return pattern in self.text
```

## Use instead
```python
import functools


@functools.lru_cache(maxsize=256)
def _matches(text, pattern):
    return pattern in text


class Document:
    def __init__(self, text):
        self.text = text

    @functools.cached_property
    def word_count(self):
        return len(self.text.split())

    def matches(self, pattern):
        return _matches(self.text, pattern)
```

## Fix safety
There is no fix: where the cache should live is a design decision. A method that takes only
`self` usually wants `functools.cached_property` (the value is stored on the instance and freed
with it; the class then needs a `__dict__`, and callers drop the parentheses). A method with
arguments can delegate to a cached module-level function keyed by just the fields it needs (which
must be hashable), or keep a per-instance cache created in `__init__`
(`self.matches = functools.lru_cache(maxsize=256)(self._matches)`), which dies with the instance
(through the garbage collector, as it forms a reference cycle).

## Options
`preview`: also report bounded caches (`@functools.lru_cache`, `maxsize=N`).
`test-file-patterns`, shared with the other rules that leave tests alone (the defaults are in
docs/configuration.md: `test_*.py`, `tests/`, `testing/`, `benchmarks/`, ...). A test process is
short-lived, and test classes that cache (or that test caching) are deliberate. Stub files
(`.pyi`) are not checked either.

## References
- [Python docs: `functools.lru_cache`](https://docs.python.org/3/library/functools.html#functools.lru_cache)
- [Python FAQ: How do I cache method calls?](https://docs.python.org/3/faq/programming.html#how-do-i-cache-method-calls)
- [Ruff B019 (cached-instance-method)](https://docs.astral.sh/ruff/rules/cached-instance-method/),
  from flake8-bugbear, and pylint W1518 (method-cache-max-size-none), which flags only
  `maxsize=None`.
- MEM202 (unbounded-lru-cache): unbounded caches on module-level functions.
)md";

// --- classes whose instances are few and long-lived anyway --------------------------------------

enum class ClassNature : uint8_t { Ordinary, Enumeration, Metaclass };

constexpr std::array<std::string_view, 9> kEnumBases = {
    "enum.Enum",
    "enum.IntEnum",
    "enum.StrEnum",
    "enum.Flag",
    "enum.IntFlag",
    "enum.ReprEnum",
    "django.db.models.Choices",
    "django.db.models.TextChoices",
    "django.db.models.IntegerChoices",
};
constexpr std::array<std::string_view, 4> kEnumMetaclasses = {
    "enum.EnumMeta",
    "enum.EnumType",
    "django.db.models.enums.ChoicesMeta",
    "django.db.models.enums.ChoicesType",
};
constexpr std::array<std::string_view, 3> kMetaclassBases = {"builtins.type", "abc.ABCMeta",
                                                             "typing.GenericMeta"};

template <size_t N>
bool contains(const std::array<std::string_view, N>& names, std::string_view name) {
  for (std::string_view candidate : names) {
    if (candidate == name) return true;
  }
  return false;
}

// What one base (or metaclass) expression makes the class, by name alone.
ClassNature natureOfBase(std::string_view qualified, std::string_view text, bool is_metaclass) {
  if (is_metaclass) {
    return contains(kEnumMetaclasses, qualified) ? ClassNature::Enumeration : ClassNature::Ordinary;
  }
  if (contains(kEnumBases, qualified) || contains(kEnumMetaclasses, qualified)) {
    return contains(kEnumBases, qualified) ? ClassNature::Enumeration : ClassNature::Metaclass;
  }
  if (contains(kMetaclassBases, qualified)) return ClassNature::Metaclass;
  // Bases this file cannot see through: go by the conventional names (`StrEnum` from a compat
  // module, `models.TextChoices` through a re-export).
  const std::string_view name = lastSegment(qualified.empty() ? text : qualified);
  if (name.ends_with("Enum") || name.ends_with("Choices") || name == "Flag" || name == "IntFlag") {
    return ClassNature::Enumeration;
  }
  return ClassNature::Ordinary;
}

// Enum, metaclass or ordinary, following bases defined in the same file. Iterative, with a cap.
ClassNature classNature(const RuleContext& context, TSNode class_definition, ScopeId scope) {
  const SemanticModel& semantic = context.semantic();
  std::vector<std::pair<TSNode, ScopeId>> pending{{class_definition, scope}};
  for (int visited = 0; !pending.empty() && visited < 16; ++visited) {
    const auto [definition, outer] = pending.back();
    pending.pop_back();
    const TSNode bases = childByField(definition, Field::Superclasses);
    const uint32_t count = namedChildCount(bases);
    for (uint32_t i = 0; i < count; ++i) {
      TSNode base = ts_node_named_child(bases, i);
      bool is_metaclass = false;
      if (kindOf(base) == NodeKind::KeywordArgument) {
        if (context.text(childByField(base, Field::Name)) != "metaclass") continue;
        base = childByField(base, Field::Value);
        is_metaclass = true;
      }
      const NodeKind kind = kindOf(base);
      if (kind != NodeKind::Identifier && kind != NodeKind::Attribute) continue;
      const std::string qualified = qualifiedNameWithStarBuiltins(context, outer, base);
      const ClassNature nature = natureOfBase(qualified, context.text(base), is_metaclass);
      if (nature != ClassNature::Ordinary) return nature;
      if (kind != NodeKind::Identifier || !qualified.empty()) continue;
      const Resolution resolution =
          semantic.resolve(outer, context.text(base), ts_node_start_byte(base));
      if (resolution.kind == Resolution::Kind::Bound &&
          resolution.binding->kind == BindingKind::ClassDefinition) {
        pending.emplace_back(resolution.binding->node, resolution.binding->scope);
      }
    }
  }
  return ClassNature::Ordinary;
}

// --- facts, for the join ------------------------------------------------------------------------

struct CachedMethod {
  std::string method;      // "pkg.mod.Class.method"
  std::string class_name;  // "pkg.mod.Class"
  PendingDiagnostic pending;
};

struct Facts final : FileFacts {
  std::vector<CachedMethod> methods;
  // Names of methods called on module-level objects (`apps.get_models()` with `apps` made at
  // import or imported), and on anything else (`self.find()`, `Command().find()`).
  std::vector<std::string> called_on_module_objects;
  std::vector<std::string> called_on_others;

  void write(FactsWriter& out) const override {
    out.u32(static_cast<uint32_t>(methods.size()));
    for (const CachedMethod& method : methods) {
      out.string(method.method);
      out.string(method.class_name);
      method.pending.write(out);
    }
    out.strings(called_on_module_objects);
    out.strings(called_on_others);
  }
  std::unique_ptr<FileFacts> makeEmpty() const override { return std::make_unique<Facts>(); }
  void appendShifted(const FileFacts& next, int64_t bytes, int64_t rows) override {
    const auto& more = static_cast<const Facts&>(next);
    for (CachedMethod method : more.methods) {
      method.pending.shift(bytes, rows);
      methods.push_back(std::move(method));
    }
    called_on_module_objects.insert(called_on_module_objects.end(),
                                    more.called_on_module_objects.begin(),
                                    more.called_on_module_objects.end());
    called_on_others.insert(called_on_others.end(), more.called_on_others.begin(),
                            more.called_on_others.end());
  }
  static std::unique_ptr<FileFacts> read(FactsReader& in) {
    auto facts = std::make_unique<Facts>();
    const uint32_t count = in.count();
    for (uint32_t i = 0; i < count && in.ok(); ++i) {
      CachedMethod method;
      method.method = in.string();
      method.class_name = in.string();
      if (!method.pending.read(in)) return nullptr;
      facts->methods.push_back(std::move(method));
    }
    facts->called_on_module_objects = in.strings();
    facts->called_on_others = in.strings();
    if (!in.ok()) return nullptr;
    return facts;
  }
};

// --- the rule -----------------------------------------------------------------------------------

struct Method {
  TSNode function;      // function_definition
  TSNode decorated;     // decorated_definition
  ScopeId scope;        // the class body: where the decorators are evaluated
  TSNode owner;         // class_definition
  ScopeId owner_scope;  // where the class itself is defined (its bases resolve there)
};

class CacheOnMethod final : public RuleChecker {
 public:
  void onNode(TSNode node, NodeKind kind, RuleContext& context) override {
    // Which methods are called on what, for the join (not in tests, which call methods on
    // anything to isolate themselves: that says nothing of the service).
    if (kind != NodeKind::FunctionDefinition && context.isTestFile()) return;
    if (kind == NodeKind::Call) {
      if (kindOf(childByField(node, Field::Function)) == NodeKind::Attribute) {
        method_calls_.push_back(MethodCall{childByField(node, Field::Function), context.scope()});
      }
      return;
    }
    if (context.depth() < 2 || context.frame(1).kind != NodeKind::DecoratedDefinition) return;
    const ExecutionContext& execution = context.execution();
    if (execution.kind != NodeKind::ClassDefinition) return;
    // A class made inside a function usually dies with its cache; a method's nested functions
    // have a cache per call.
    if (context.enclosingFunction() != nullptr) return;
    // Stubs never run; a test process is short-lived and its caches are deliberate.
    if (context.options().path.ends_with(".pyi") || context.isTestFile()) return;
    methods_.push_back(Method{node, context.frame(1).node, context.scope(), execution.node,
                              context.semantic().scope(execution.scope).parent});
  }

  void finish(RuleContext& context) override {
    facts_ = std::make_unique<Facts>();
    for (const Method& method : methods_) {
      check(method, context, *facts_);
    }
    recordReceivers(context, *facts_);
  }

  std::unique_ptr<FileFacts> takeFacts() override { return std::move(facts_); }

 private:
  struct CacheDecorator {
    TSNode expression;
    std::string_view spelled;  // "functools.cache" or "functools.lru_cache"
    bool unbounded;
  };

  static void check(const Method& method, RuleContext& context, Facts& facts) {
    const std::string_view name = context.text(childByField(method.function, Field::Name));
    // Implicit class and static methods.
    if (name == "__new__" || name == "__init_subclass__" || name == "__class_getitem__") return;
    const TSNode parameters = childByField(method.function, Field::Parameters);
    const TSNode first = firstNamedChildSkippingExtras(parameters);
    const NodeKind first_kind = kindOf(first);
    // Without a positional first parameter there is no `self` to keep.
    if (first_kind == NodeKind::Other || first_kind == NodeKind::KeywordSeparator ||
        first_kind == NodeKind::DictionarySplatPattern) {
      return;
    }

    std::vector<CacheDecorator> caches;
    const uint32_t count = namedChildCount(method.decorated);
    for (uint32_t i = 0; i < count; ++i) {
      const TSNode decorator = ts_node_named_child(method.decorated, i);
      if (kindOf(decorator) != NodeKind::Decorator) continue;
      const TSNode expression = firstNamedChildSkippingExtras(decorator);
      const bool is_call = kindOf(expression) == NodeKind::Call;
      const TSNode callee = is_call ? childByField(expression, Field::Function) : expression;
      const std::string qualified = qualifiedNameWithStarBuiltins(context, method.scope, callee);
      if (isStaticMethodDecorator(qualified) || isClassMethodDecorator(qualified)) return;
      if (qualified == "functools.cache" && !is_call) {
        caches.push_back(CacheDecorator{expression, "functools.cache", true});
      } else if (qualified == "functools.lru_cache") {
        caches.push_back(CacheDecorator{expression, "functools.lru_cache",
                                        is_call && hasNoMaxsize(context, expression)});
      }
    }
    // A bounded cache pins at most `maxsize` instances (pylint narrowed W1518 to `maxsize=None`
    // for this reason, pylint#6180): reported with --preview only.
    if (!context.options().settings->preview) {
      std::erase_if(caches, [](const CacheDecorator& cache) { return !cache.unbounded; });
    }
    if (caches.empty()) return;
    if (classNature(context, method.owner, method.owner_scope) != ClassNature::Ordinary) return;

    const std::string class_name(context.text(childByField(method.owner, Field::Name)));
    uint32_t parameter_count = 0;
    for (uint32_t i = 0; i < namedChildCount(parameters); ++i) {
      if (kindOf(ts_node_named_child(parameters, i)) != NodeKind::Comment) ++parameter_count;
    }
    const bool only_self = parameter_count == 1;
    for (const CacheDecorator& cache : caches) {
      Diagnostic diagnostic;
      diagnostic.start = ts_node_start_byte(cache.expression);
      diagnostic.end = ts_node_end_byte(cache.expression);
      diagnostic.message = "`@";
      diagnostic.message += cache.spelled;
      diagnostic.message += "` on method `";
      diagnostic.message += name;
      diagnostic.message += "` of class `";
      diagnostic.message += class_name;
      diagnostic.message += "`: the class-wide cache holds every";
      diagnostic.message += only_self ? " instance it is called on "
                                      : " instance it is called on, "
                                        "and every argument, ";
      diagnostic.message += cache.unbounded ? "for the life of the process"
                                            : "until evicted, long after the program drops them";
      diagnostic.fix_title =
          only_self ? "Use `@functools.cached_property` (stored on the instance), or cache a "
                      "module-level function keyed by the fields it needs"
                    : "Cache a module-level function keyed by the fields it needs, or create a "
                      "per-instance cache in `__init__`";
      CachedMethod cached;
      cached.method = definitionName(context, method.function);
      cached.class_name = definitionName(context, method.owner);
      cached.pending.row = context.source().rowOf(diagnostic.start);
      cached.pending.diagnostic = std::move(diagnostic);
      facts.methods.push_back(std::move(cached));
    }
  }

  // `lru_cache(None)` / `lru_cache(maxsize=None)`.
  static bool hasNoMaxsize(const RuleContext& context, TSNode call) {
    const TSNode arguments = childByField(call, Field::Arguments);
    const uint32_t count = namedChildCount(arguments);
    bool first_positional = true;
    for (uint32_t i = 0; i < count; ++i) {
      const TSNode argument = ts_node_named_child(arguments, i);
      const NodeKind kind = kindOf(argument);
      if (kind == NodeKind::Comment) continue;
      if (kind == NodeKind::KeywordArgument) {
        if (context.text(childByField(argument, Field::Name)) == "maxsize") {
          return kindOf(childByField(argument, Field::Value)) == NodeKind::None;
        }
        continue;
      }
      if (first_positional && kind != NodeKind::ListSplat && kind != NodeKind::DictionarySplat) {
        if (kind == NodeKind::None) return true;
      }
      first_positional = false;
    }
    return false;
  }

  struct MethodCall {
    TSNode callee;  // `receiver.method`
    ScopeId scope;
  };

  // Which method names are called on module-level objects, and which on anything else.
  void recordReceivers(const RuleContext& context, Facts& facts) const {
    std::set<std::string_view> module_objects;
    std::set<std::string_view> others;
    for (const MethodCall& call : method_calls_) {
      const std::string_view name = context.text(childByField(call.callee, Field::AttributeName));
      const TSNode receiver = childByField(call.callee, Field::Object);
      bool module_object = false;
      if (kindOf(receiver) == NodeKind::Identifier) {
        const Resolution resolution = context.semantic().resolve(call.scope, context.text(receiver),
                                                                 ts_node_start_byte(receiver));
        // Not `import x` (a module's functions are no methods).
        if (resolution.kind == Resolution::Kind::Bound && resolution.binding->scope == 0) {
          const BindingKind kind = resolution.binding->kind;
          if (kind == BindingKind::Import) continue;
          module_object = kind == BindingKind::Assignment || kind == BindingKind::FromImport;
        }
      }
      (module_object ? module_objects : others).insert(name);
    }
    facts.called_on_module_objects.assign(module_objects.begin(), module_objects.end());
    facts.called_on_others.assign(others.begin(), others.end());
  }

  std::vector<Method> methods_;
  std::vector<MethodCall> method_calls_;
  std::unique_ptr<Facts> facts_;
};

// A cache the project clears (`self.lookup.cache_clear()`, as Django's `Apps.clear_cache()`
// does) lets its instances go; a class constructed only while modules are imported (a
// module-level singleton) has as many instances as it has such calls.
void join(std::span<const ProjectFileView> files, const AnalysisOptions& /*options*/,
          ProjectReporter& reporter) {
  CallIndex calls;
  std::set<std::string, std::less<>> on_module_objects;
  std::set<std::string, std::less<>> on_others;
  for (size_t i = 0; i < files.size(); ++i) {
    const auto* facts = static_cast<const Facts*>(files[i].facts);
    if (facts == nullptr) continue;
    // Who constructs the classes, when, and who clears the caches. Not in tests, which clear
    // caches to isolate themselves: the rule skips test code (RuleDefinition::test_code), so
    // their calls never get here.
    calls.add(i, files[i]);
    on_module_objects.insert(facts->called_on_module_objects.begin(),
                             facts->called_on_module_objects.end());
    on_others.insert(facts->called_on_others.begin(), facts->called_on_others.end());
  }
  for (size_t i = 0; i < files.size(); ++i) {
    const auto* facts = static_cast<const Facts*>(files[i].facts);
    if (facts == nullptr) continue;
    for (const CachedMethod& method : facts->methods) {
      if (calls.isCleared(calls.canonical(method.method))) continue;
      if (calls.runsOnlyAtImport(calls.canonical(method.class_name))) continue;
      // Called (by its name) only on module-level objects: `apps.get_swappable_settings_name()`
      // on Django's global `apps` caches that one instance.
      const std::string_view name = lastSegment(method.method);
      if (on_module_objects.contains(name) && !on_others.contains(name)) continue;
      reporter.report(i, method.pending.diagnostic, method.pending.row);
    }
  }
}

constexpr std::array kSubscriptions = {NodeKind::FunctionDefinition, NodeKind::Call};

}  // namespace

extern const RuleDefinition kCacheOnMethod{
    .code = "MEM203",
    .name = "cache-on-method",
    .summary =
        "Unbounded functools.cache / lru_cache on an instance method keeps every instance alive",
    .documentation = kDocumentation,
    .fix_availability = FixAvailability::None,
    .subscriptions = kSubscriptions,
    .create = []() -> std::unique_ptr<RuleChecker> { return std::make_unique<CacheOnMethod>(); },
    .join = join,
    .read_facts = Facts::read,
    .preview = true,
    .ruff_code = "B019",
    .uses_call_facts = true,
};

}  // namespace heaplint
