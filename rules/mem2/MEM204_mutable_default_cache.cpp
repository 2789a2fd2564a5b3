// MEM204 mutable-default-cache: a mutable default (`_memo={}`) that the function fills with keys
// made from its other parameters or its input and never empties: a process-wide cache in
// disguise. Each file records its candidates and its calls; the join checks that no caller
// passes the parameter (then it is an accumulator, not a hidden cache) and what callers pass for
// the parameters the keys are made of (call_evidence.h, argument_evidence.h).

#include <algorithm>
#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/argument_evidence.h"
#include "analyzer/call_evidence.h"
#include "analyzer/code_model.h"
#include "analyzer/code_text.h"
#include "analyzer/concat.h"
#include "analyzer/container_evidence.h"
#include "analyzer/execution_evidence.h"
#include "analyzer/facts_io.h"
#include "analyzer/key_evidence.h"
#include "analyzer/walker.h"
#include "rules/closed_set_doc.h"
#include "rules/common.h"

namespace heaplint {
namespace {

constexpr auto kDocumentationText = joinLiterals(R"md(## What it does
Checks for a mutable default (`{}`, `[]`, `set()`, `dict()`, `list()`, `defaultdict(...)`,
`OrderedDict()`, `Counter()`, `deque()` without `maxlen`) of a function defined at module level
or in a class body that the function fills with keys or elements made from its other parameters
or from its input (`_cache[key] = ...`, `_cache.setdefault(arg, ...)`, `_seen.add(arg)`,
`memo.append(x)`, `groups[k].append(x)`), while nothing ever removes from it. Such a default is
created once, when the `def` runs, and lives as long as the function: it is a process-wide cache
that only grows.

What the keys are made of decides (the evidence MEM201 uses, followed to the callers in the
project):
- flagged: keys that grow with the data (the lines of a file, the rows of a query), objects the
  cache keeps alive (`self`, a new instance), and keys made from parameters whose callers in the
  project pass such values;
- not flagged: keys fixed by the code (`_seen[0] = True` on `_seen=[False]`), classes, the
  members of an Enum (`self` in a method of one), a few hex digits of a hash
  (`digest.hexdigest()[:2]`, 256 keys), a length cut at a count written in the code
  (`min(len(line), 80)`), configuration (a parameter called `argv`, `options`, `opts`, `config`, `conf` or `settings`, or
  `args` whose fields the function reads: the command line or settings parsed), and keys that
  every caller in the project fills with literals or constants (a closed set);
- with `--preview` only: keys from parameters of a function that no caller in the project shows
  (a public function's callers are its users, but blind review judged the one such finding on the
  development corpus wrong: `pydoc.synopsis(filename, cache={})`, a deliberate memo keyed by files
  on disk, as it judged all 18 of MEM201's findings on that evidence), and keys whose callers pass
  values nothing tells the size of: an unknown value, or a parameter of their own as far as the
  callers are followed (a recursion passing `depth + 1` down from a literal `0`).

Not flagged either:
- a parameter that any caller in the project passes, by position or keyword, or a call that
  unpacks `*args`/`**kwargs`: it is an accumulator handed in (`def walk(node, seen=set())` called
  as `walk(child, seen)`), not a hidden cache; recursive calls that pass it on do not count;
- a default that the function only reads, rebinds (`cache = cache or {}`), empties or bounds
  anywhere in the function (`del`, `.pop()`, `.popitem()`, `.clear()`, `.remove()`, `.discard()`,
  a `len()` comparison), stores only keys below a limit written in the code (`if n < 250:
  cache[n] = value`), adds only while it is empty (`if not _schema: _schema.append(...)`),
  adds only keys checked against a closed set first (see below), or hands to other code (`return cache`, `helper(cache)`,
  `self.c = cache`);
- )md",
                                                 kClosedSetDoc, R"md(;
- functions defined inside another function (their defaults are made anew each time the `def`
  runs), lambdas, and demonstration or debugging code and database migrations;
- test code (the shared test-file patterns).

## Why is this bad?
Default values are evaluated once, when the function is defined, and kept on the function object
(`f.__defaults__`). A dictionary default that the function writes to is therefore shared by every
call in the process and never freed: one entry per distinct argument ever seen. Unlike
`functools.lru_cache(maxsize=...)`, it has no bound, no `cache_clear()`, and it is invisible to
readers of the signature (a caller can even pass its own dictionary by mistake).

Peers flag every mutable default as a bug (Ruff/flake8-bugbear B006, pylint W0102), whatever the
body does; this rule is the memory subset: it reports only defaults used as a growing cache, and
says what the keys are made of. A project running B006 sees both findings, for different
reasons.

## Known problems
The rule looks only at the function's own body (and helpers nested in it) for writes and
removals: a cache emptied through `f.__defaults__` is not seen. A key set that is closed in
practice but not in the code (the handful of codecs a program uses) is still flagged: silence it
with `# noqa: MEM204` and a comment saying why. Callers are found by name through the project's
imports: callers outside the linted paths are unseen.

## Example
```python
def parse_record(line, _parsed={}):
    if line not in _parsed:
        _parsed[line] = line.split(",")
    return _parsed[line]


def load(path):
    records = []
    with open(path) as handle:
        for line in handle:
            records.append(parse_record(line))
    return records
```

## Use instead
```python
import functools


@functools.lru_cache(maxsize=1024)
def parse_record(line):
    return tuple(line.split(","))


def load(path):
    records = []
    with open(path) as handle:
        for line in handle:
            records.append(parse_record(line))
    return records
```

## Fix safety
There is no fix: a bounded cache evicts entries the code may rely on, and removing the default
changes the signature.

## Options
`preview`: also report functions without callers in the project, and keys whose size the
callers do not show.
`test-file-patterns`: test code is not checked.

What the size evidence shared with MEM101-MEM105 finds small is no data here
either (a loop over it gives no growing keys):
the rows of an aggregate or small-`PRAGMA` query, a short system file, the module's own folder,
a slice of literal bounds, every K-th of a constant `range`, `zip` with a small argument (see
MEM101).

## References
- [Python docs: default parameter values are evaluated once](https://docs.python.org/3/reference/compound_stmts.html#function-definitions)
- [Python docs: `functools.lru_cache`](https://docs.python.org/3/library/functools.html#functools.lru_cache)
- [Ruff B006 mutable-argument-default](https://docs.astral.sh/ruff/rules/mutable-argument-default/),
  pylint W0102 dangerous-default-value: every mutable default, as a bug.
)md");
constexpr std::string_view kDocumentation(kDocumentationText.data(), kDocumentationText.size() - 1);

// One default that the function grows, for the join.
struct Candidate {
  FunctionSignature function;
  std::string display;    // "fibonacci()", "Parser.lookup()"
  std::string parameter;  // "_memo"
  std::string kind;       // "dict", "set", ...
  std::string key;        // the key as written: "n"
  std::string reason;     // what it is made of
  uint32_t slot = 0;      // the parameter's slot in the signature
  // The key grows with the data, or keeps objects alive, whatever the callers pass.
  bool grows_by_itself = false;
  uint32_t key_parameters = 0;  // the parameters the key is made of (its own left out)
  uint32_t start = 0;           // the parameter with its default
  uint32_t end = 0;
  uint32_t row = 0;
};

template <typename C, typename IO>
void candidateFields(C& c, IO io) {
  io(c.display), io(c.parameter), io(c.kind), io(c.key), io(c.reason), io(c.slot);
  io(c.grows_by_itself), io(c.key_parameters), io(c.start), io(c.end), io(c.row);
}

struct DefaultCacheFacts final : FileFacts {
  std::vector<Candidate> candidates;

  void write(FactsWriter& out) const override {
    out.u32(static_cast<uint32_t>(candidates.size()));
    for (const Candidate& candidate : candidates) {
      candidate.function.write(out);
      candidateFields(candidate, FieldWriter{out});
    }
  }
  static std::unique_ptr<FileFacts> read(FactsReader& in) {
    auto facts = std::make_unique<DefaultCacheFacts>();
    facts->candidates.resize(in.count());
    for (Candidate& candidate : facts->candidates) {
      if (!candidate.function.read(in)) return nullptr;
      candidateFields(candidate, FieldReader{in});
    }
    if (!in.ok()) return nullptr;
    return facts;
  }
  std::unique_ptr<FileFacts> makeEmpty() const override {
    return std::make_unique<DefaultCacheFacts>();
  }
  void appendShifted(const FileFacts& next, int64_t bytes, int64_t rows) override {
    const auto& more = static_cast<const DefaultCacheFacts&>(next);
    for (Candidate candidate : more.candidates) {
      candidate.start = static_cast<uint32_t>(candidate.start + bytes);
      candidate.end = static_cast<uint32_t>(candidate.end + bytes);
      candidate.row = static_cast<uint32_t>(candidate.row + rows);
      candidates.push_back(std::move(candidate));
    }
  }
};

class MutableDefaultCache final : public RuleChecker {
 public:
  void onNode(TSNode node, NodeKind kind, RuleContext& context) override {
    if (kind == NodeKind::FunctionDefinition) onFunction(node, context);
    if (!names_.empty()) uses_.onNode(node, kind, context);
  }

  void finish(RuleContext& context) override {
    facts_ = std::make_unique<DefaultCacheFacts>();
    if (!defaults_.empty()) {
      const std::vector<ContainerUse> uses = uses_.finish(context);
      // Each candidate reads the uses in its own function: grouped once, not scanned per
      // candidate (a file of 20,000 such functions).
      std::unordered_map<const void*, std::vector<const ContainerUse*>> by_function;
      for (const ContainerUse& use : uses)
        by_function[use.function.id].push_back(&use);
      static const std::vector<const ContainerUse*> kNone;
      for (const Default& candidate : defaults_) {
        const auto found = by_function.find(candidate.function.id);
        describe(context, candidate, found == by_function.end() ? kNone : found->second);
      }
    }
  }

  std::unique_ptr<FileFacts> takeFacts() override { return std::move(facts_); }

 private:
  struct Default {
    TSNode function;
    TSNode parameter;  // the default_parameter node
    TSNode name;
    TSNode value;
    ScopeId outer;  // where the `def` runs
    ScopeId inner;  // the function's own scope
  };

  void onFunction(TSNode node, RuleContext& context) {
    // A `def` inside a function makes new defaults each time it runs.
    if (context.enclosingFunction() != nullptr) return;
    const TSNode parameters = childByField(node, Field::Parameters);
    const uint32_t count = namedChildCount(parameters);
    for (uint32_t i = 0; i < count; ++i) {
      const TSNode parameter = nthNamedChild(parameters, i);
      const NodeKind kind = kindOf(parameter);
      if (kind != NodeKind::DefaultParameter && kind != NodeKind::TypedDefaultParameter) continue;
      const TSNode name = childByField(parameter, Field::Name);
      const TSNode value = childByField(parameter, Field::Value);
      if (kindOf(name) != NodeKind::Identifier || !mayMakeMutableContainer(value)) continue;
      defaults_.push_back(Default{node, parameter, name, value, context.frame().scope,
                                  context.frame().inner_scope});
      names_.push_back(context.text(name));
    }
  }

  bool follows(TSNode node, const RuleContext& context) const {
    if (kindOf(node) != NodeKind::Identifier) return false;
    const std::string_view text = context.text(node);
    for (std::string_view name : names_) {
      if (name == text) return true;
    }
    return false;
  }

  // Whether `use` (an Escape) passes the default on in a call of the function itself:
  // recursion, `fibonacci(n - 1, _memo)` or `self.walk(child, seen)`.
  static bool passedToItself(const RuleContext& context, const Default& candidate,
                             const ContainerUse& use) {
    TSNode arguments = parentOf(use.container);
    if (kindOf(arguments) == NodeKind::KeywordArgument) arguments = parentOf(arguments);
    if (kindOf(arguments) != NodeKind::ArgumentList) return false;
    TSNode callee = childByField(parentOf(arguments), Field::Function);
    const std::string_view own = context.text(childByField(candidate.function, Field::Name));
    if (kindOf(callee) == NodeKind::Attribute) {
      const TSNode object = childByField(callee, Field::Object);
      if (context.text(childByField(callee, Field::AttributeName)) != own) return false;
      return isInstanceReceiver(context, use.scope, object) ||
             isClassReceiver(context, use.scope, object);
    }
    if (kindOf(callee) != NodeKind::Identifier || context.text(callee) != own) return false;
    const Resolution resolution =
        context.semantic().resolve(use.scope, own, ts_node_start_byte(callee));
    return resolution.kind == Resolution::Kind::Bound &&
           ts_node_eq(resolution.binding->node, candidate.function);
  }

  void describe(const RuleContext& context, const Default& candidate,
                const std::vector<const ContainerUse*>& uses) {
    const SemanticModel& semantic = context.semantic();
    const std::string_view name = context.text(candidate.name);
    // Rebound in the function (`cache = cache or {}`): not the default any more.
    const std::vector<const Binding*> bindings = semantic.bindingsIn(candidate.inner, name);
    if (bindings.size() != 1 || bindings.front()->kind != BindingKind::Parameter) return;
    const Binding* parameter = bindings.front();
    std::string kind = containerKind(context, candidate.outer, candidate.value);
    if (kind.empty()) return;
    const FunctionSignature signature =
        functionSignature(context, candidate.function, candidate.outer, candidate.inner);
    uint32_t slot = 0;
    while (slot < signature.slots.size() && signature.slots[slot].name != name)
      ++slot;
    if (slot >= signature.slots.size() || slot >= 32) return;
    const uint32_t own_bit = 1U << slot;

    Candidate found;
    bool grows = false;
    for (const ContainerUse* each : uses) {
      const ContainerUse& use = *each;
      if (!ts_node_eq(use.function, candidate.function) || context.text(use.container) != name) {
        continue;
      }
      const Resolution resolution =
          semantic.resolve(use.scope, name, ts_node_start_byte(use.container));
      if (resolution.kind != Resolution::Kind::Bound || resolution.binding != parameter) continue;
      if (use.event == ContainerEvent::Evict) return;
      if (use.event == ContainerEvent::Escape) {
        if (passedToItself(context, candidate, use)) continue;
        return;
      }
      if (use.event != ContainerEvent::Grow || ts_node_is_null(use.key)) continue;
      for (TSNode part : {use.key, use.also}) {
        if (ts_node_is_null(part)) continue;
        KeyEvidence evidence = keyEvidence(context, use.scope, part);
        evidence.parameters &= ~own_bit;
        if (!strongerThan(evidence, found, grows)) continue;
        grows = true;
        found.key = std::string(context.text(part));
        found.grows_by_itself = evidence.source >= KeySource::Entity;
        found.key_parameters = evidence.parameters;
        found.reason = reasonForFacts(evidence.reason);
      }
    }
    if (!grows) return;
    found.function = signature;
    found.display = functionDisplayName(context, candidate.inner) + "()";
    found.parameter = std::string(name);
    found.kind = std::move(kind);
    found.slot = slot;
    found.start = ts_node_start_byte(candidate.parameter);
    found.end = ts_node_end_byte(candidate.parameter);
    found.row = context.source().rowOf(found.start);
    facts_->candidates.push_back(std::move(found));
  }

  // A key that grows: made of data, objects or entities, or of the function's other parameters.
  // Keys fixed by the code, classes, configuration and unknown state do not count.
  static bool grows(const KeyEvidence& evidence) {
    return evidence.source >= KeySource::Entity ||
           (evidence.parameters != 0 && evidence.source <= KeySource::Parameter);
  }
  static bool strongerThan(const KeyEvidence& evidence, const Candidate& found, bool any) {
    if (!grows(evidence)) return false;
    return !any || (evidence.source >= KeySource::Entity && !found.grows_by_itself);
  }

  std::vector<Default> defaults_;
  std::vector<std::string_view> names_;
  ContainerUseCollector uses_{
      [this](TSNode node, const RuleContext& context) { return follows(node, context); }};
  std::unique_ptr<DefaultCacheFacts> facts_;
};

constexpr std::array<std::string_view, 8> kConstructors = {
    "dict", "set", "list", "defaultdict", "OrderedDict", "Counter", "deque", "bytearray"};

bool isConstructor(std::string_view name) {
  return std::find(kConstructors.begin(), kConstructors.end(), name) != kConstructors.end();
}

// A default that may make a container: a display or a comprehension.
bool startsDisplay(std::string_view value) {
  return !value.empty() && (value[0] == '{' || value[0] == '[');
}

// Spaces, tabs, line breaks and line continuations: inside the parameters' parentheses they may
// stand around the dots of a callee and before its call's parenthesis.
bool isLayout(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\\';
}

// The last name of the callee of a call (`deque` of `collections . deque (`), or empty.
std::string_view calleeOf(std::string_view value) {
  size_t at = 0;
  std::string_view last;
  while (true) {
    const size_t start = at;
    while (at < value.size() && isNameByte(value[at]))
      ++at;
    if (at == start) return {};
    last = value.substr(start, at - start);
    while (at < value.size() && isLayout(value[at]))
      ++at;
    if (at >= value.size()) return {};
    if (value[at] == '(') return last;
    if (value[at] != '.') return {};
    ++at;
    while (at < value.size() && isLayout(value[at]))
      ++at;
  }
}
bool startsCall(std::string_view value) {
  return !calleeOf(value).empty();
}
bool startsConstructorCall(std::string_view value) {
  return isConstructor(calleeOf(value));
}

// A finding is at a default that makes a container: a display, or a call of a constructor,
// by its name or (where the file imports one under another name) of anything.
bool mayReportIn(const CodeText& text, const LintSettings& /*settings*/) {
  if (text.codeHasDefaultWhere(startsDisplay) || text.codeHasDefaultWhere(startsConstructorCall)) {
    return true;
  }
  return text.codeHasWordBefore("as", isConstructor) && text.codeHasDefaultWhere(startsCall);
}

void join(std::span<const ProjectFileView> files, const AnalysisOptions& options,
          ProjectReporter& reporter) {
  const auto candidatesOf = [&](size_t file) -> std::span<const Candidate> {
    const auto* facts = static_cast<const DefaultCacheFacts*>(files[file].facts);
    if (facts == nullptr || isMigrationPath(files[file].path)) return {};
    return facts->candidates;
  };
  // Candidates are rare: the index of every file's calls (about 3.7 KB a file on CPython's
  // standard library) is built only when one needs it.
  bool any_candidate = false;
  for (size_t i = 0; i < files.size() && !any_candidate; ++i) {
    for (const Candidate& candidate : candidatesOf(i))
      any_candidate = any_candidate || !isDemoOrDebugCode(candidate.function.name);
  }
  if (!any_candidate) return;
  CallIndex calls;
  for (size_t i = 0; i < files.size(); ++i) {
    calls.add(i, files[i]);
  }
  const bool preview = options.settings->preview;
  for (size_t i = 0; i < files.size(); ++i) {
    for (const Candidate& candidate : candidatesOf(i)) {
      if (isDemoOrDebugCode(candidate.function.name)) continue;
      if (callPassing(calls, candidate.function, candidate.slot)) continue;
      // Why the keys keep coming: what they are made of, and what the callers pass.
      std::string evidence = candidate.reason;
      if (!candidate.grows_by_itself) {
        const CallIndex::Keys keys =
            calls.keysFromCallers(candidate.function, candidate.key_parameters);
        if (!keys.has_callers) {
          if (!preview) continue;  // weak evidence: see the documentation
          evidence += "; no caller in the project shows what it gets";
        } else if (keys.source > KeySource::Unknown ||
                   (keys.source >= KeySource::Parameter && preview)) {
          // By default only what grows with the data or keeps objects alive; a caller's own
          // parameter (a chain of callers followed as far as it goes, or a recursion passing
          // `depth + 1`) or an unknown value tells nothing of the size.
          evidence += concat("; a caller passes ", keys.reason, " (", files[keys.file].path, ":",
                             std::to_string(keys.row + 1), ")");
        } else {
          continue;  // a closed set: literals, constants, classes or configuration
        }
      }
      Diagnostic diagnostic;
      diagnostic.start = candidate.start;
      diagnostic.end = candidate.end;
      diagnostic.message =
          concat("Mutable default ", heaplint::quoted(candidate.parameter), " of ",
                 heaplint::quoted(candidate.display), " (", heaplint::quoted(candidate.kind),
                 ") is a cache that lives as long as the function: it gets an entry for every new ",
                 heaplint::quoted(candidate.key), " (", evidence,
                 ") and nothing evicts it; use `functools.lru_cache(maxsize=...)` instead");
      diagnostic.fix_title = "Use `functools.lru_cache(maxsize=...)` instead of the default";
      reporter.report(i, std::move(diagnostic), candidate.row);
    }
  }
}

constexpr std::array kSubscriptions = {
    NodeKind::FunctionDefinition,
    NodeKind::Assignment,
    NodeKind::Subscript,
    NodeKind::Attribute,
    NodeKind::Call,
    NodeKind::Identifier,
    NodeKind::AugmentedAssignment,
    NodeKind::ComparisonOperator,
};

}  // namespace

extern const RuleDefinition kMutableDefaultCache{
    .code = "MEM204",
    .name = "mutable-default-cache",
    .summary = "Mutable default filled with per-input keys and never evicted: a hidden cache",
    .documentation = kDocumentation,
    .fix_availability = FixAvailability::None,
    .subscriptions = kSubscriptions,
    .create = []() -> std::unique_ptr<RuleChecker> {
      return std::make_unique<MutableDefaultCache>();
    },
    .join = join,
    .read_facts = DefaultCacheFacts::read,
    .uses_call_facts = true,
    .call_facts_for_mutable_defaults = true,
    // The join reads calls only for candidates, and reports at them.
    .reads_own_calls =
        [](const FileFacts* own_facts) {
          return own_facts != nullptr &&
                 !static_cast<const DefaultCacheFacts*>(own_facts)->candidates.empty();
        },
    .may_report_in = mayReportIn,
    // No `ruff_code`: a `# noqa: B006` usually marks a mutable default kept on purpose, often
    // as a cache, which is what this rule reports.
};

}  // namespace heaplint
