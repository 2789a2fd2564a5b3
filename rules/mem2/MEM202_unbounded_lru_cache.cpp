// MEM202 unbounded-lru-cache: `@functools.cache` or `@functools.lru_cache(maxsize=None)` on a
// function that lives as long as the process keeps every distinct call's arguments and result.

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/call_evidence.h"
#include "analyzer/concat.h"
#include "analyzer/execution_evidence.h"
#include "analyzer/facts_io.h"
#include "analyzer/library_knowledge.h"
#include "analyzer/pending_diagnostic.h"
#include "analyzer/walker.h"
#include "rules/common.h"

namespace heaplint {
namespace {

constexpr std::string_view kDocumentation = R"md(## What it does
Checks for unbounded memoizers on a function that lives as long as the process (a module-level
function, or a `staticmethod` or `classmethod` of a module-level class) whose callers in the
project pass keys that grow with the data or keep objects alive. The memoizers come from the
shared library table (`analyzer/library_knowledge.cpp`): `functools.cache`, `lru_cache(maxsize=None)`
(and `lru_cache(None)`), `toolz.memoize` / `toolz.functoolz.memoize` / `cytoolz.memoize` without a
bounded `cache=`, and `cachetools.cached(cache={})`, under any import alias, as decorators or in
the call form at module level (`resolve = functools.cache(_resolve)`, when the wrapped function is
defined in the same file or is a lambda).

What the callers pass decides (the evidence MEM201 uses, followed across files):
- flagged: keys that grow with the data (an item of the lines of a file, the rows of a query),
  objects the cache then keeps alive (`self`, a bound method such as `self.on_draw`, a new
  instance, a parameter annotated with a class of the project and used as an object), or values
  made from such objects (`contact.name`), at any call site;
- not flagged: keys closed at every call site (literals, constants, module-level objects made at
  import, `sys.version_info`), classes (a class factory must keep returning the same class),
  configuration (settings, command-line options), caches the project clears (`f.cache_clear()`
  anywhere outside tests), demonstration or debugging code (`demo`, `debug`, `example`) and
  database migrations;
- with `--preview` only: caches whose keys no caller in the project shows (a library's API, a
  callback), or that callers fill with their own parameters or with instance state.

A cache that can only ever hold a handful of entries is not flagged: a function without parameters
(or with only `cls`) caches a single result, the lazy-singleton idiom, and a function whose every
parameter is annotated `bool`, `None`, `Literal[...]`, an `Enum` class defined in the same file, or
an `Optional`/`Union`/`|` of those has a fixed number of possible keys. Nor is a function that
returns nothing (annotated `-> None`, or without any `return value` or `yield`): cached, it is a
once-per-key guard (warn once, register once) that a bound would break by repeating the side
effect.

## Why is this bad?
An unbounded cache keeps a strong reference to every distinct argument tuple and to every result it
has ever computed, for as long as the function exists, which for a module-level function is the
life of the process. A function called with request data, file paths, user ids or generated
strings turns into a memory leak whose growth is proportional to the number of distinct inputs
seen since start-up: the process looks fine in tests and grows without limit in production, and
heap analysis shows all of it as reachable.

`functools.lru_cache(maxsize=N)` keeps the benefit for the hot keys and evicts the least recently
used entries, so memory stays bounded. The bounded cache costs a little more per call than
`maxsize=None` (it maintains the recency order), which is rarely measurable next to the work being
cached.

Ruff's UP033 and refurb's FURB134 rewrite `lru_cache(maxsize=None)` to the shorter
`@functools.cache`: the two are the same unbounded cache, and those rules are about spelling, not
memory. This rule asks a different question, whether the cache should be unbounded at all, and it
flags both spellings. Keep an unbounded cache where the set of inputs is closed and small (say so
with a `Literal` or `Enum` annotation, or a `# noqa: MEM202` comment explaining why).

In preview: on code the rule was not tuned on, reviewers judged none of 5 findings real (Meson's
caches keyed by build targets and paths that live for its one-shot run anyway, matplotlib's class
factory keyed by a few scale classes, pip's URL cache: debatable). A cache keyed by objects costs
memory only when those objects would otherwise die, which the rule cannot yet tell.

## Known problems
The rule cannot see how many distinct values an argument takes at run time: strings taken from a
regular expression's groups, or from a small set the program validates, count as data when they
come from data. A key set that is closed in practice (the few servers of one deployment) is still
flagged: silence it with `# noqa: MEM202` and a comment saying why, or annotate the parameter
`Literal[...]`. Callers are followed three calls up through functions that pass on their own
parameters; past that, or through callbacks, the keys are unknown (preview). Enum annotations are
recognized only for enums defined in the same file (and `enum.Enum` itself); string annotations
(`"bool"`) are not read.

It does not flag: functions nested in other functions (their cache dies with the closure), and
static methods of classes defined inside functions; a `maxsize` given by a variable
(`lru_cache(maxsize=SIZE)`); the call form when the wrapped function comes from another module or
when the result is not assigned at module level; caches created inside functions and stored in
long-lived places; `@functools.cache` on a class (a flyweight factory); methods of metaclasses.
The once-per-key exemption also silences a guard whose keys are themselves unbounded. Caches on
instance methods are MEM203's business. Stub files (`.pyi`) and test files are not checked (see
Options).

## Example
```python
import functools


@functools.cache
def load_template(path):
    with open(path) as handle:
        return handle.read()


@functools.lru_cache(maxsize=None)
def user_permissions(user_id, tenant):
    return fetch_permissions(user_id, tenant)


def serve(log_path, listing_path):
    with open(listing_path) as paths:
        for path in paths:
            load_template(path.strip())
    with open(log_path) as requests:
        for line in requests:
            user_id, tenant = line.split()
            user_permissions(user_id, tenant)
```

## Use instead
```python
import functools


@functools.lru_cache(maxsize=1024)
def load_template(path):
    with open(path) as handle:
        return handle.read()


@functools.lru_cache(maxsize=1024)
def user_permissions(user_id, tenant):
    return fetch_permissions(user_id, tenant)


def serve(log_path, listing_path):
    with open(listing_path) as paths:
        for path in paths:
            load_template(path.strip())
    with open(log_path) as requests:
        for line in requests:
            user_id, tenant = line.split()
            user_permissions(user_id, tenant)
```

## Fix safety
The fix replaces `maxsize=None` (or a positional `None`) with `1024`, and `@functools.cache` with
`@functools.lru_cache(maxsize=1024)`; other libraries' memoizers get no fix, only the suggestion
of a bounded `cache=`. For a bare `@cache` imported with `from functools import
cache`, the fix is offered only when `functools` itself (or `lru_cache`) is already imported and
visible at that point, so the new name resolves; otherwise there is no fix, only the suggestion.

The fix is unsafe: once entries are evicted the function runs again for an input it has seen, so a
function with side effects repeats them, and a function used to hand out one shared object per key
(a registry, a per-name logger or lock) starts returning a new object after eviction. Choose the
size from the working set you expect; 1024 is a starting point, not a measurement.

## Options
`preview`: also report caches whose keys no caller in the project shows, or that callers fill
with their own parameters or instance state.
`test-file-patterns`, shared with the other rules that leave tests alone (the defaults are in
docs/configuration.md: `test_*.py`, `tests/`, `testing/`, `benchmarks/`, ...). A test process is
short-lived, and caches in tests (fixtures loaded once, tests of `lru_cache` itself) are
deliberate.

## References
- [Python docs: `functools.lru_cache`](https://docs.python.org/3/library/functools.html#functools.lru_cache)
- [Python docs: `functools.cache`](https://docs.python.org/3/library/functools.html#functools.cache)
- [Ruff UP033 (lru-cache-with-maxsize-none)](https://docs.astral.sh/ruff/rules/lru-cache-with-maxsize-none/)
  and refurb FURB134 (use-cache) rewrite `lru_cache(maxsize=None)` to `cache`; MEM202 questions
  the unbounded cache itself.
- MEM203 (cache-on-method): caches on instance methods.
)md";

constexpr std::string_view kBound = "1024";

// --- what a decorator (or a callee) is ----------------------------------------------------------

enum class CacheSize : uint8_t {
  NotACache,
  Unbounded,  // functools.cache, lru_cache(maxsize=None), lru_cache(None)
  Other,      // bounded, or a size the rule cannot read
};

struct CacheShape {
  CacheSize size = CacheSize::NotACache;
  TSNode none_literal{};    // the `None` given as maxsize
  bool is_cache = false;    // functools.cache (as opposed to lru_cache)
  std::string description;  // how to name it in the message
};

// Reads `lru_cache(...)`'s arguments: the maxsize is the first positional argument or `maxsize=`.
CacheShape lruCacheCall(const RuleContext& context, TSNode arguments) {
  CacheShape shape;
  shape.size = CacheSize::Other;
  const PassedArgument maxsize = passedArgument(context.source().text(), arguments, "maxsize", 0);
  if (!maxsize.unpacked && kindOf(maxsize.value) == NodeKind::None) {
    shape.size = CacheSize::Unbounded;
    shape.none_literal = maxsize.value;
  }
  return shape;
}

// `{}` or `dict()`: a cache object that never evicts.
bool isPlainDict(const RuleContext& context, ScopeId scope, TSNode node) {
  if (kindOf(node) == NodeKind::Dictionary) return namedChildCountSkippingExtras(node) == 0;
  if (kindOf(node) != NodeKind::Call) return false;
  return namedChildCountSkippingExtras(childByField(node, Field::Arguments)) == 0 &&
         context.semantic().qualifiedName(scope, childByField(node, Field::Function)) ==
             "builtins.dict";
}

// The cache object a memoizer call is given: `cache=` or, for cachetools.cached, the first
// positional argument. Null when none is given.
TSNode cacheArgument(const RuleContext& context, TSNode arguments, bool positional) {
  const uint32_t count = namedChildCount(arguments);
  for (uint32_t i = 0; i < count; ++i) {
    const TSNode argument = ts_node_named_child(arguments, i);
    if (kindOf(argument) == NodeKind::KeywordArgument) {
      if (context.text(childByField(argument, Field::Name)) == "cache") {
        return childByField(argument, Field::Value);
      }
    } else if (positional && kindOf(argument) != NodeKind::Comment) {
      return argument;
    }
  }
  return TSNode{};
}

// What `expression` (a decorator, or the callee of a call) is, resolved through imports and the
// library table (functools, toolz, cachetools and what the configuration adds).
CacheShape classifyCache(const RuleContext& context, ScopeId scope, TSNode expression) {
  const SemanticModel& semantic = context.semantic();
  const LibraryKnowledge library(context.options().settings->libraries);
  const NodeKind kind = kindOf(expression);
  if (kind == NodeKind::Identifier || kind == NodeKind::Attribute) {
    const std::string qualified = semantic.qualifiedName(scope, expression);
    const std::optional<MemoizerBound> bound = library.memoizer(qualified);
    if (!bound) return {};
    CacheShape shape;
    shape.size = CacheSize::Other;
    // `@functools.cache`, and `@toolz.memoize` without a `cache=`.
    if (*bound == MemoizerBound::Unbounded || *bound == MemoizerBound::UnboundedUnlessCache) {
      shape.size = CacheSize::Unbounded;
      shape.is_cache = qualified == "functools.cache";
      shape.description = qualified;
    }
    return shape;
  }
  if (kind == NodeKind::Call) {
    const TSNode function = childByField(expression, Field::Function);
    const NodeKind function_kind = kindOf(function);
    if (function_kind != NodeKind::Identifier && function_kind != NodeKind::Attribute) return {};
    const std::string qualified = semantic.qualifiedName(scope, function);
    const std::optional<MemoizerBound> bound = library.memoizer(qualified);
    if (!bound) return {};
    const TSNode arguments = childByField(expression, Field::Arguments);
    CacheShape shape;
    shape.size = CacheSize::Other;
    switch (*bound) {
      case MemoizerBound::MaxsizeArgument:
        shape = lruCacheCall(context, arguments);
        shape.description = concat(qualified, "(maxsize=None)");
        break;
      case MemoizerBound::UnboundedUnlessCache: {
        const TSNode cache = cacheArgument(context, arguments, false);
        if (ts_node_is_null(cache) || isPlainDict(context, scope, cache)) {
          shape.size = CacheSize::Unbounded;
          shape.description = ts_node_is_null(cache) ? qualified : concat(qualified, "(cache={})");
        }
        break;
      }
      case MemoizerBound::CacheArgument:
        if (isPlainDict(context, scope, cacheArgument(context, arguments, true))) {
          shape.size = CacheSize::Unbounded;
          shape.description = concat(qualified, "(cache={})");
        }
        break;
      case MemoizerBound::Unbounded:
        break;
    }
    return shape;
  }
  return {};
}

// --- can the cache hold more than a few keys? ---------------------------------------------------

bool isTypingName(std::string_view qualified, std::string_view name) {
  return lastSegment(qualified) == name &&
         (qualified.starts_with("typing.") || qualified.starts_with("typing_extensions."));
}

// True when the annotation admits only a few values: bool, None, Literal[...], a local Enum, or
// unions of those. Iterative over `|` and Optional/Union nesting, bounded by an explicit stack.
bool isFiniteAnnotation(const RuleContext& context, ScopeId scope, TSNode annotation) {
  const SemanticModel& semantic = context.semantic();
  std::vector<TSNode> pending{annotation};
  while (!pending.empty()) {
    if (pending.size() > 64) return false;
    const TSNode node = pending.back();
    pending.pop_back();
    switch (kindOf(node)) {
      case NodeKind::Type:
      case NodeKind::ParenthesizedExpression:
        pending.push_back(firstNamedChildSkippingExtras(node));
        break;
      case NodeKind::None:
        break;
      case NodeKind::Identifier:
      case NodeKind::Attribute: {
        const std::string qualified = qualifiedNameWithStarBuiltins(context, scope, node);
        if (qualified == "builtins.bool" || isEnumName(qualified)) break;
        if (isLocalEnum(context, scope, node, 0)) break;
        return false;
      }
      case NodeKind::BinaryOperator:
        if (context.text(childByField(node, Field::Operator)) != "|") return false;
        pending.push_back(childByField(node, Field::Left));
        pending.push_back(childByField(node, Field::Right));
        break;
      case NodeKind::GenericType:
      case NodeKind::Subscript: {
        // `Literal[...]` (generic_type) or `typing.Literal[...]` (subscript).
        const TSNode head = firstNamedChildSkippingExtras(node);
        const std::string qualified = semantic.qualifiedName(scope, head);
        if (isTypingName(qualified, "Literal")) break;
        if (!isTypingName(qualified, "Optional") && !isTypingName(qualified, "Union")) {
          return false;
        }
        const uint32_t count = namedChildCount(node);
        for (uint32_t i = 0; i < count; ++i) {
          const TSNode child = ts_node_named_child(node, i);
          if (ts_node_eq(child, head) || kindOf(child) == NodeKind::Comment) continue;
          if (kindOf(child) == NodeKind::TypeParameter) {
            const uint32_t inner = namedChildCount(child);
            for (uint32_t j = 0; j < inner; ++j)
              pending.push_back(ts_node_named_child(child, j));
          } else {
            pending.push_back(child);
          }
        }
        break;
      }
      case NodeKind::UnionType:  // `A[...] | B[...]` in an annotation
      case NodeKind::Tuple: {    // typing.Union[a, b] as a subscript
        const uint32_t count = namedChildCount(node);
        for (uint32_t i = 0; i < count; ++i)
          pending.push_back(ts_node_named_child(node, i));
        break;
      }
      case NodeKind::Comment:
        break;
      default:
        return false;
    }
  }
  return true;
}

// True when every parameter (after `cls` for a classmethod) takes only a few values, so the cache
// can hold only a few entries. No parameters at all is the lazy-singleton idiom.
bool hasFiniteKeys(const RuleContext& context, ScopeId scope, TSNode parameters, bool skip_first) {
  bool skipped = !skip_first;
  const uint32_t count = namedChildCount(parameters);
  for (uint32_t i = 0; i < count; ++i) {
    const TSNode parameter = ts_node_named_child(parameters, i);
    const NodeKind kind = kindOf(parameter);
    if (kind == NodeKind::Comment || kind == NodeKind::KeywordSeparator ||
        kind == NodeKind::PositionalSeparator) {
      continue;
    }
    if (!skipped) {
      skipped = true;
      continue;
    }
    switch (kind) {
      case NodeKind::TypedParameter: {
        const NodeKind name = kindOf(firstNamedChildSkippingExtras(parameter));
        if (name == NodeKind::ListSplatPattern || name == NodeKind::DictionarySplatPattern) {
          return false;
        }
        if (!isFiniteAnnotation(context, scope, childByField(parameter, Field::TypeAnnotation))) {
          return false;
        }
        break;
      }
      case NodeKind::TypedDefaultParameter:
        if (!isFiniteAnnotation(context, scope, childByField(parameter, Field::TypeAnnotation))) {
          return false;
        }
        break;
      default:  // unannotated, *args, **kwargs
        return false;
    }
  }
  return true;
}

// True when the function never returns a value: annotated `-> None`, or without `return <value>`
// and `yield` in its own body. Cached, such a function is a once-per-key guard (warn once,
// register once): a bound would repeat the side effect. Iterative.
bool returnsNothing(TSNode function) {
  const TSNode annotation = childByField(function, Field::ReturnType);
  if (!ts_node_is_null(annotation)) {
    TSNode inner = annotation;
    while (kindOf(inner) == NodeKind::Type || kindOf(inner) == NodeKind::ParenthesizedExpression) {
      inner = firstNamedChildSkippingExtras(inner);
    }
    return kindOf(inner) == NodeKind::None;
  }
  const TSNode body = childByField(function, Field::Body);
  bool returns_value = false;
  visitSubtree(body, [&](TSNode node, TSFieldId) {
    switch (kindOf(node)) {
      case NodeKind::FunctionDefinition:
      case NodeKind::Lambda:
      case NodeKind::ClassDefinition:
        return Visit::SkipChildren;  // their returns are their own
      case NodeKind::ReturnStatement:
        returns_value = !ts_node_is_null(firstNamedChildSkippingExtras(node));
        return returns_value ? Visit::Stop : Visit::SkipChildren;
      case NodeKind::Yield:
        returns_value = true;
        return Visit::Stop;
      default:
        return Visit::Descend;
    }
  });
  return !returns_value;
}

// --- facts, for the join ------------------------------------------------------------------------

// A cached function whose keys the join asks its callers about.
struct CachedFunction {
  FunctionSignature signature;  // as its callers call it (the name the cache is bound to)
  uint32_t parameters = 0;      // the slots that make the key (bit i: slot i)
  PendingDiagnostic pending;    // message without the evidence, which the join adds
};

struct Facts final : FileFacts {
  std::vector<CachedFunction> functions;

  void write(FactsWriter& out) const override {
    out.u32(static_cast<uint32_t>(functions.size()));
    for (const CachedFunction& function : functions) {
      function.signature.write(out);
      out.u32(function.parameters);
      function.pending.write(out);
    }
  }
  std::unique_ptr<FileFacts> makeEmpty() const override { return std::make_unique<Facts>(); }
  void appendShifted(const FileFacts& next, int64_t bytes, int64_t rows) override {
    const auto& more = static_cast<const Facts&>(next);
    for (CachedFunction function : more.functions) {
      function.pending.shift(bytes, rows);
      functions.push_back(std::move(function));
    }
  }
  static std::unique_ptr<FileFacts> read(FactsReader& in) {
    auto facts = std::make_unique<Facts>();
    const uint32_t count = in.count();
    for (uint32_t i = 0; i < count && in.ok(); ++i) {
      CachedFunction function;
      if (!function.signature.read(in)) return nullptr;
      function.parameters = in.u32();
      if (!function.pending.read(in)) return nullptr;
      facts->functions.push_back(std::move(function));
    }
    if (!in.ok()) return nullptr;
    return facts;
  }
};

// Every slot but an implicit first one (`cls` of a class method).
uint32_t keyParameters(const FunctionSignature& signature, bool skip_first) {
  uint32_t parameters = 0;
  for (size_t slot = skip_first ? 1 : 0; slot < signature.slots.size() && slot < 32; ++slot) {
    parameters |= 1U << slot;
  }
  return parameters;
}

// --- the rule -----------------------------------------------------------------------------------

struct Decorated {
  TSNode function;   // function_definition
  TSNode decorated;  // decorated_definition
  ScopeId scope;     // where the decorators (and annotations) are evaluated
  TSNode owner;      // the class whose body holds the function, or null at module level
};

struct WrappingCall {
  TSNode call;    // `functools.cache(f)` or `functools.lru_cache(maxsize=None)(f)`
  TSNode target;  // what the assignment binds
  ScopeId scope;
};

class UnboundedLruCache final : public RuleChecker {
 public:
  void onNode(TSNode node, NodeKind kind, RuleContext& context) override {
    // Stubs never run; a test process is short-lived and its caches are deliberate (and tests
    // clear caches to isolate themselves, which says nothing of the service).
    if (context.options().path.ends_with(".pyi") || context.isTestFile()) return;
    // A cache on a function nested in another function dies with the closure.
    if (context.enclosingFunction() != nullptr) return;
    const ExecutionContext& execution = context.execution();
    if (kind == NodeKind::FunctionDefinition) {
      if (context.depth() < 2 || context.frame(1).kind != NodeKind::DecoratedDefinition) return;
      if (execution.kind != NodeKind::Module && execution.kind != NodeKind::ClassDefinition) {
        return;
      }
      decorated_.push_back(
          Decorated{node, context.frame(1).node, context.scope(),
                    execution.kind == NodeKind::ClassDefinition ? execution.node : TSNode{}});
      return;
    }
    // `name = functools.cache(f)` at module level.
    if (execution.kind != NodeKind::Module || context.depth() < 2) return;
    if (context.frame(1).kind != NodeKind::Assignment || context.frame().field != Field::Right) {
      return;
    }
    const NodeKind callee = kindOf(childByField(node, Field::Function));
    if (callee != NodeKind::Identifier && callee != NodeKind::Attribute &&
        callee != NodeKind::Call) {
      return;
    }
    const TSNode wrapped = firstNamedChildSkippingExtras(childByField(node, Field::Arguments));
    const NodeKind wrapped_kind = kindOf(wrapped);
    if (wrapped_kind != NodeKind::Identifier && wrapped_kind != NodeKind::Lambda) return;
    if (namedChildCountSkippingExtras(childByField(node, Field::Arguments)) != 1) return;
    calls_.push_back(
        WrappingCall{node, childByField(context.frame(1).node, Field::Left), context.scope()});
  }

  void finish(RuleContext& context) override {
    facts_ = std::make_unique<Facts>();
    for (const Decorated& candidate : decorated_)
      checkDefinition(candidate, context, *facts_);
    for (const WrappingCall& candidate : calls_)
      checkCall(candidate, context, *facts_);
  }

  std::unique_ptr<FileFacts> takeFacts() override { return std::move(facts_); }

 private:
  static void checkDefinition(const Decorated& candidate, RuleContext& context, Facts& facts) {
    // First pass: which kind of function is it?
    bool is_static = false;
    bool is_class_method = false;
    const uint32_t count = namedChildCount(candidate.decorated);
    for (uint32_t i = 0; i < count; ++i) {
      const TSNode decorator = ts_node_named_child(candidate.decorated, i);
      if (kindOf(decorator) != NodeKind::Decorator) continue;
      const std::string qualified = qualifiedNameWithStarBuiltins(
          context, candidate.scope, firstNamedChildSkippingExtras(decorator));
      is_static = is_static || isStaticMethodDecorator(qualified);
      is_class_method = is_class_method || isClassMethodDecorator(qualified);
    }
    const std::string_view name = context.text(childByField(candidate.function, Field::Name));
    const bool in_class = !ts_node_is_null(candidate.owner);
    if (in_class && !is_static && !is_class_method) {
      // `__init_subclass__` and `__class_getitem__` are implicitly class methods; anything else
      // in a class body is an instance method: MEM203.
      if (name != "__init_subclass__" && name != "__class_getitem__") return;
      is_class_method = true;
    }
    const TSNode parameters = childByField(candidate.function, Field::Parameters);
    if (hasFiniteKeys(context, candidate.scope, parameters, is_class_method)) return;
    if (returnsNothing(candidate.function)) return;

    std::string subject = "`";
    if (in_class) {
      subject += context.text(childByField(candidate.owner, Field::Name));
      subject += '.';
    }
    subject += name;
    subject += '`';
    for (uint32_t i = 0; i < count; ++i) {
      const TSNode decorator = ts_node_named_child(candidate.decorated, i);
      if (kindOf(decorator) != NodeKind::Decorator) continue;
      const TSNode expression = firstNamedChildSkippingExtras(decorator);
      const CacheShape shape = classifyCache(context, candidate.scope, expression);
      if (shape.size != CacheSize::Unbounded) continue;
      CachedFunction cached;
      cached.signature = functionSignature(context, candidate.function, candidate.scope);
      cached.parameters = keyParameters(cached.signature, is_class_method);
      cached.pending =
          pending(context, candidate.scope, expression, expression, shape, subject + " has", "@");
      facts.functions.push_back(std::move(cached));
    }
  }

  static void checkCall(const WrappingCall& candidate, RuleContext& context, Facts& facts) {
    const TSNode callee = childByField(candidate.call, Field::Function);
    const CacheShape shape = classifyCache(context, candidate.scope, callee);
    if (shape.size != CacheSize::Unbounded) return;
    const TSNode wrapped =
        firstNamedChildSkippingExtras(childByField(candidate.call, Field::Arguments));
    TSNode parameters{};
    std::string subject;
    CachedFunction cached;
    if (kindOf(wrapped) == NodeKind::Lambda) {
      parameters = childByField(wrapped, Field::Parameters);
      subject = "a lambda";
      cached.signature = functionSignature(context, wrapped, candidate.scope);
    } else {
      // Only a function defined in this file shows its parameters.
      const Resolution resolution = context.semantic().resolve(
          candidate.scope, context.text(wrapped), ts_node_start_byte(wrapped));
      if (resolution.kind != Resolution::Kind::Bound ||
          resolution.binding->kind != BindingKind::FunctionDefinition) {
        return;
      }
      if (returnsNothing(resolution.binding->node)) return;
      parameters = childByField(resolution.binding->node, Field::Parameters);
      cached.signature =
          functionSignature(context, resolution.binding->node, resolution.binding->scope);
      subject.push_back('`');
      subject += context.text(wrapped);
      subject.push_back('`');
    }
    if (hasFiniteKeys(context, candidate.scope, parameters, false)) return;
    const NodeKind target_kind = kindOf(candidate.target);
    std::string message;
    if (target_kind == NodeKind::Identifier || target_kind == NodeKind::Attribute) {
      message = "`";
      message += context.text(candidate.target);
      message += "` wraps ";
      message += subject;
      message += " in";
    } else {
      message = subject + " is wrapped in";
    }
    // Callers call the cache by the name it is bound to.
    const ModuleInfo& module = context.options().module;
    const std::string_view bound_name = context.text(candidate.target);
    cached.signature.name = target_kind != NodeKind::Identifier ? std::string()
                            : module.name.empty()               ? std::string(bound_name)
                                                  : concat(module.name, ".", bound_name);
    cached.parameters = keyParameters(cached.signature, false);
    cached.pending = pending(context, candidate.scope, candidate.call, callee, shape, message, "");
    facts.functions.push_back(std::move(cached));
  }

  // The finding at `range`, where `expression` is the cache decorator or callee; the join adds
  // what the keys are made of to the message.
  static PendingDiagnostic pending(RuleContext& context, ScopeId scope, TSNode range,
                                   TSNode expression, const CacheShape& shape,
                                   const std::string& subject, std::string_view prefix) {
    Diagnostic diagnostic;
    diagnostic.start = ts_node_start_byte(range);
    diagnostic.end = ts_node_end_byte(range);
    diagnostic.message = concat(subject, " an unbounded cache (`", shape.description, "`)");
    std::optional<Edit> edit = boundingEdit(context, scope, expression, shape);
    if (edit) {
      // The suggestion shows the decorator as the fix leaves it.
      const uint32_t start = ts_node_start_byte(expression);
      const std::string_view text = context.text(expression);
      std::string bounded(text.substr(0, edit->start - start));
      bounded += edit->replacement;
      bounded += text.substr(edit->end - start);
      diagnostic.fix_title = "Bound the cache: `";
      diagnostic.fix_title += prefix;
      diagnostic.fix_title += bounded;
      diagnostic.fix_title += '`';
      Fix fix;
      fix.applicability = Applicability::Unsafe;
      fix.edits.push_back(std::move(*edit));
      diagnostic.fix = std::move(fix);
    } else if (shape.description.starts_with("functools.")) {
      diagnostic.fix_title =
          concat("Bound the cache: `", prefix, "functools.lru_cache(maxsize=", kBound, ")`");
    } else {
      diagnostic.fix_title =
          concat("Bound the cache: give it `cache=cachetools.LRUCache(maxsize=", kBound,
                 ")`, or use `", prefix, "functools.lru_cache(maxsize=", kBound, ")`");
    }
    PendingDiagnostic result;
    result.row = context.source().rowOf(diagnostic.start);
    result.diagnostic = std::move(diagnostic);
    return result;
  }

  // The edit that bounds the cache, when it can be made without guessing a name.
  static std::optional<Edit> boundingEdit(const RuleContext& context, ScopeId scope,
                                          TSNode expression, const CacheShape& shape) {
    if (!ts_node_is_null(shape.none_literal)) {
      return Edit{ts_node_start_byte(shape.none_literal), ts_node_end_byte(shape.none_literal),
                  std::string(kBound)};
    }
    if (!shape.is_cache) return std::nullopt;
    const SemanticModel& semantic = context.semantic();
    std::string replacement_call = "lru_cache(maxsize=";
    replacement_call += kBound;
    replacement_call += ')';
    if (kindOf(expression) == NodeKind::Attribute) {
      // `functools.cache` / `ft.cache`: the module is right there.
      const TSNode object = childByField(expression, Field::Object);
      const TSNode attribute = childByField(expression, Field::AttributeName);
      if (semantic.qualifiedName(scope, object) == "functools" && !ts_node_is_null(attribute)) {
        return Edit{ts_node_start_byte(attribute), ts_node_end_byte(attribute), replacement_call};
      }
      return std::nullopt;
    }
    // A bare `cache`: use a name that already means `functools.lru_cache` or `functools` here,
    // preferring `lru_cache` itself, then `functools`, then aliases.
    const uint32_t offset = ts_node_start_byte(expression);
    std::optional<std::string> best;
    int best_rank = 4;
    for (const Binding& binding : semantic.bindings()) {
      const bool module_import =
          binding.kind == BindingKind::Import && semantic.importedName(binding) == "functools";
      const bool lru_import = binding.kind == BindingKind::FromImport &&
                              semantic.importedName(binding) == "functools.lru_cache";
      if (!module_import && !lru_import) continue;
      const int rank = lru_import ? (binding.name == "lru_cache" ? 0 : 3)
                                  : (binding.name == "functools" ? 1 : 2);
      if (rank >= best_rank) continue;
      const Resolution resolution = semantic.resolve(scope, binding.name, offset);
      if (resolution.kind != Resolution::Kind::Bound ||
          (resolution.binding->kind != BindingKind::Import &&
           resolution.binding->kind != BindingKind::FromImport) ||
          semantic.importedName(*resolution.binding) != semantic.importedName(binding)) {
        continue;
      }
      best_rank = rank;
      best = std::string(binding.name);
      if (module_import) {
        *best += '.';
        *best += replacement_call;
      } else {
        *best += "(maxsize=";
        *best += kBound;
        *best += ')';
      }
    }
    if (!best) return std::nullopt;
    return Edit{ts_node_start_byte(expression), ts_node_end_byte(expression), std::move(*best)};
  }

  std::vector<Decorated> decorated_;
  std::vector<WrappingCall> calls_;
  std::unique_ptr<Facts> facts_;
};

// How strongly the callers show the cache growing: by data or by objects it then keeps alive
// (reported), by parameters or results nobody in the project shows (reported with --preview), or
// not at all (a closed set, classes, configuration).
enum class Strength : uint8_t { None, Preview, Default };

Strength strengthOf(const CallIndex::Keys& keys) {
  switch (keys.source) {
    case KeySource::Data:
    case KeySource::Object:
    case KeySource::Entity:
      return Strength::Default;
    case KeySource::Parameter:
    case KeySource::Unknown:
      return Strength::Preview;
    default:
      // Callers elsewhere (the function handed around as a value) may pass anything.
      return keys.unseen_callers ? Strength::Preview : Strength::None;
  }
}

void join(std::span<const ProjectFileView> files, const AnalysisOptions& options,
          ProjectReporter& reporter) {
  CallIndex calls;
  for (size_t i = 0; i < files.size(); ++i) {
    // Who calls the cached functions with what, and who clears them: not the calls of a stub,
    // which never runs.
    if (!files[i].path.ends_with(".pyi")) calls.add(i, files[i]);
  }
  const bool preview = options.settings->preview;
  for (size_t i = 0; i < files.size(); ++i) {
    const auto* facts = static_cast<const Facts*>(files[i].facts);
    // A migration runs once per upgrade.
    if (facts == nullptr || isMigrationPath(files[i].path)) continue;
    for (const CachedFunction& function : facts->functions) {
      const std::string& name = function.signature.name;
      // Cleared by the project (`load.cache_clear()`), or demonstration code.
      if (!name.empty() && (calls.isCleared(calls.canonical(name)) || isDemoOrDebugCode(name))) {
        continue;
      }
      CallIndex::Keys keys;
      if (!name.empty()) {
        FunctionSignature signature = function.signature;
        signature.name = calls.canonical(name);
        keys = calls.keysFromCallers(signature, function.parameters);
      }
      const Strength strength = strengthOf(keys);
      if (strength == Strength::None || (strength == Strength::Preview && !preview)) continue;
      Diagnostic diagnostic = function.pending.diagnostic;
      if (keys.has_callers) {
        diagnostic.message += concat(", called with keys made from ", keys.reason, " (",
                                     files[keys.file].path, ":", std::to_string(keys.row + 1), ")");
      } else {
        diagnostic.message += ", and no caller in the project shows what its keys are";
      }
      diagnostic.message +=
          ": every distinct argument and its result stay in memory for the life of the process";
      reporter.report(i, std::move(diagnostic), function.pending.row);
    }
  }
}

constexpr std::array kSubscriptions = {NodeKind::FunctionDefinition, NodeKind::Call};

}  // namespace

extern const RuleDefinition kUnboundedLruCache{
    .code = "MEM202",
    .name = "unbounded-lru-cache",
    .summary = "Unbounded memoizer on a module-level function called with data or objects",
    .documentation = kDocumentation,
    .fix_availability = FixAvailability::Sometimes,
    .subscriptions = kSubscriptions,
    .create = []() -> std::unique_ptr<RuleChecker> {
      return std::make_unique<UnboundedLruCache>();
    },
    .join = join,
    .read_facts = Facts::read,
    .preview = true,
    .uses_call_facts = true,
};

}  // namespace heaplint
