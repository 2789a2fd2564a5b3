// MEM301 unsubscribed-closure: code that runs again and again registers a callback it makes (a
// closure, lambda or bound method) on a registry that outlives it and holds callbacks strongly,
// and nothing removes it. A project rule: whether the registry holds weakly, whether a getter
// hands out a singleton, and how often a class is instantiated are known across files
// (project_evidence.h), so each file leaves its candidates and removals and the join decides.

#include <algorithm>
#include <array>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/callback_evidence.h"
#include "analyzer/code_model.h"
#include "analyzer/code_text.h"
#include "analyzer/execution_evidence.h"
#include "analyzer/facts_io.h"
#include "analyzer/lifetime_evidence.h"
#include "analyzer/project_evidence.h"
#include "analyzer/registration_evidence.h"
#include "analyzer/walker.h"
#include "rules/common.h"

namespace heaplint {
namespace {

constexpr std::string_view kDocumentation = R"md(## What it does
Checks for code that runs again and again and registers a callback it makes on a registry that
outlives it and holds callbacks strongly, where nothing removes the callback.

- The callback is a nested function or lambda that reads variables of the functions around it
  (or binds them as defaults, or through `functools.partial`), or a bound method of `self`.
- The registry is module-level (`bus = EventBus()`), imported (`signals.user_saved`, `atexit`,
  `gc.callbacks`, aliases included), a class or class attribute (`Registry.listeners`,
  `cls._handlers` in a classmethod, `type(self).registry`), or a process-wide singleton reached
  through a getter: one of the library table (`Gtk.Settings.get_default()`, any
  `*.get_default()` or `*.get_instance()`), or a function of the project, in any module, that
  returns a module-level object or is cached without arguments (`settings = get_settings()`).
- The registration is a call of a subscribe method (see Options) whose result is discarded, or
  its use as a decorator on a nested function (`@bus.on("saved")`).
- Again and again: in a function that takes per-call input (a required parameter; a method's
  `self` counts, a classmethod's `cls` does not), not a hook that runs once (`main`,
  `setUpClass`, `setUpModule`, `tearDownClass`, `setUpTestData`, `setup_module`, `setup_class`,
  `__init_subclass__`, `__set_name__`, `ready()` of a Django `AppConfig`, a module function named
  `setup_*` such as `setup_tracing()` but not pytest's per-test `setup_function` or a fixture),
  and not under a
  once-guard (`if not self._registered: ... self._registered = True`, or `if _installed: return`
  in a function that sets `_installed = True`) or a once-per-key guard before the registration
  on a container that outlives the call (`if model in self: return`, then `self.append(model)`:
  a registry of models registers each once; not a local or a parameter).

Not flagged:
- registries that hold callbacks weakly: Django signals, blinker, Flask signals, pydispatch,
  louie, Scrapy's signal manager (unless `weak=False`), matplotlib's `CallbackRegistry` for bound
  methods, and the project's own registry classes (inherited too) whose subscribe method wraps
  the callback in `weakref.WeakMethod`, `weakref.ref` or `weakref.proxy`, stores it in a
  `WeakSet`, `WeakKeyDictionary` or `WeakValueDictionary`, hands it to a method of the class that
  does, or takes `weak=True` by default. What an object is comes from the assignments that make
  it, in any module (`bus = WeakBus()`, `state.commands = ChatCommands()`,
  `plugins = cast(Plugins, None)`, `drafts: DraftStorage = None`);
- registries that replace: dispatch tables keyed by type (`@fun.register(int)` of
  `functools.singledispatch`), Django's `dispatch_uid=`;
- callbacks that keep nothing of the call (`lambda: os._exit(0)`, a module-level function, what
  the caller passed in, a name the function imports, `weakref.WeakMethod(self.refresh)`), and a
  callback the function returns (a decorator or factory, whose caller decides how often it
  runs), alone or with others (`return on_start, on_stop`: the caller can remove them);
- registries that are local, parameters or attributes of `self`, and the result of a project
  function that is no singleton getter;
- code that runs once per process: the `__init__` of a singleton class (a method stores `self` in
  a module-level name, a module attribute or a class attribute, such as `app.window = self`, or
  `__new__` caches the instance on the class); the `__init__` of a class whose instances (and its
  subclasses') the project makes only in code that runs once (at module level, in a hook above,
  in a function without input, outside loops); a function that empties the registry first
  (`handlers.clear()`, `working_set.__init__()`, `atexit._exithandlers = []` in a forked child);
- vendored code (a path through `vendor/`, `_vendor/`, `vendored/`, `_vendored/`,
  `third_party/`, `thirdparty/` or `externals/`);
- a registration undone: the matching removal (called or passed on, as in
  `self.addCleanup(bus.unsubscribe, h)`) on the same registry in the same top-level function or
  class, in a function that only removes (an `uninstall()` beside `install()`), at module level,
  or in another module on the same imported registry.

Callbacks that keep the instance of the method that registers them (a bound method of `self`, a
closure over `self`, what an `__init__` registers) and callbacks that run at exit
(`atexit.register(self.close)`) are reported too; see "Known problems" for how often they are
worth it.

## Why is this bad?
A registry that outlives the function holds a strong reference to each callback registered on it.
A closure keeps its captured variables alive, a bound method its instance, so every call adds one
more callback and pins one more set of objects: the registry grows without bound and nothing it
reaches can be freed. This is the classic observer leak: a widget that connects `self.on_changed`
to the settings singleton in `__init__` is never collected after its tab is closed
(`objgraph.show_backrefs` shows the settings object holding it).

## Known problems
A preview rule (on with `--preview`). Whether a registration leaks depends on how often the code
that makes it runs, and the code rarely says: a hook called once per repository opened and a
set-up function called once per process have the same shape. Blind review judged 1 of the 61
findings it has seen real (Mercurial's `reposetup`, which appends a closure over each repository
opened to a module-level list), on the development corpus and on thirteen sets of packages the
rule was not tuned on. The others were registrations made once per process (start-up and set-up
functions, decorators applied at import, extensions and services made once), registries scoped
to an object that dies with it (a figure's own event channel), and, for callbacks that keep their
own instance, the few long-lived windows and services that subscribe to process-wide registries
(0 of 13 real); callbacks run at exit were deliberate clean-ups (0 of 13).

What a registry object is, is known only as far as assignments show it: an object made by a
factory, passed around, or typed only by annotations elsewhere counts as holding strongly, as do
third-party registries missing from the table (add them with `weak-registries`). Removal is
matched by the registry's name, not by the callback, so removing any callback from it (or from an
attribute of the same name) silences the rule. "Runs once" is read from the code's shape: a
function without parameters, or a set-up function named `setup_*` (`setup_connection(conn)`),
that is in fact called per request or per object is missed, and a class made by a
framework or through a proxy counts as made many times. Not detected: registries reached through
a parameter, an instance attribute (even when `self._handlers` is really a class attribute) or
`self.get_settings()` of a GTK widget; stores that are not subscribe calls (`registry[key] = cb`,
`handlers.add(cb)`); registration through a helper of the project (`def register(cb):
_hooks.append(cb)`); calls whose result is kept (`token = store.subscribe(cb)` may be a handle
that undoes it).

## Example
```python
bus = EventBus()


def handle_request(user_id):
    def on_complete(result):
        log(f"user {user_id}: {result}")

    bus.subscribe(on_complete)
    process(user_id)


class Widget:
    def __init__(self):
        bus.connect(self.refresh)

    def refresh(self, event):
        pass
```

## Use instead
```python
bus = EventBus()


def handle_request(user_id):
    def on_complete(result):
        log(f"user {user_id}: {result}")

    bus.subscribe(on_complete)
    try:
        process(user_id)
    finally:
        bus.unsubscribe(on_complete)


class Widget:
    def __init__(self):
        bus.connect(self.refresh)

    def close(self):
        bus.disconnect(self.refresh)

    def refresh(self, event):
        pass
```

## Fix safety
There is no fix. Where the callback should be removed (after the work it was registered for, in
a `close()` method, or never, because the process is meant to keep it) is a design decision, and
a weak reference changes behaviour: the callback silently stops once its owner is collected.

## Options
- `[tool.heaplint.unsubscribed-closure]`: `method-pairs` replaces the subscribe/unsubscribe
  method names, `extend-method-pairs` adds to them (`[["watch", "unwatch"]]`). The defaults are
  `subscribe`/`unsubscribe`, `connect`/`disconnect`, `add_listener`/`remove_listener`,
  `add_handler`/`remove_handler`, `add_callback`/`remove_callback`, `on`/`off`,
  `register`/`unregister`, `add_done_callback`/`remove_done_callback` and `append`/`remove`
  (`pop()` and `clear()` undo `append` too).
- `[tool.heaplint.libraries]`: `weak-registries` and `strong-registries` name further
  registries, `singleton-getters` further getters (dotted names; `pkg.` for a package, `*.name`
  for a last name on anything).

## References
- [Python docs: `weakref.WeakMethod`](https://docs.python.org/3/library/weakref.html#weakref.WeakMethod)
- [Python docs: `atexit.unregister`](https://docs.python.org/3/library/atexit.html#atexit.unregister)
- [Django docs: listening to signals (`weak=`)](https://docs.djangoproject.com/en/stable/topics/signals/#listening-to-signals)
- [objgraph: finding what keeps an object alive](https://mg.pov.lt/objgraph/)
- No peer linter (Ruff, pylint, flake8-bugbear) has this rule.
)md";

// A registration that the join reports unless the project shows its registry to hold weakly
// or to replace, its getter to be no singleton getter, its owner to be made once, or a removal.
struct Candidate {
  uint32_t start = 0, end = 0, row = 0;
  std::string message, fix_title, method;
  std::vector<std::string> registry;  // project names of the registry and of what made it
  std::string getter;                 // the registry is what this function of the project returns
  std::string owner;                  // registered by `__init__` keeping `self`: that class
  std::string key, name, region;      // to match removals
  bool bound_method = false, weak_refused = false;
};
// A use of a removal method: `bus.unsubscribe(...)`, `self.addCleanup(bus.unsubscribe, h)`.
struct Removal {
  std::string method, key, name, region;
  bool undoes_elsewhere = false;  // registration_evidence.h: RegistryEvidence::undoes_elsewhere
};

template <typename C, typename IO>
void candidateFields(C& c, IO io) {
  io(c.start), io(c.end), io(c.row), io(c.message), io(c.fix_title), io(c.method);
  io(c.registry), io(c.getter), io(c.owner), io(c.key), io(c.name), io(c.region);
  io(c.bound_method), io(c.weak_refused);
}
template <typename R, typename IO>
void removalFields(R& r, IO io) {
  io(r.method), io(r.key), io(r.name), io(r.region), io(r.undoes_elsewhere);
}
struct Facts final : FileFacts {
  std::vector<Candidate> candidates;
  std::vector<Removal> removals;
  ProjectDefinitions definitions;

  void write(FactsWriter& out) const override {
    out.u32(static_cast<uint32_t>(candidates.size()));
    for (const Candidate& candidate : candidates)
      candidateFields(candidate, FieldWriter{out});
    out.u32(static_cast<uint32_t>(removals.size()));
    for (const Removal& removal : removals)
      removalFields(removal, FieldWriter{out});
    definitions.write(out);
  }
  static std::unique_ptr<FileFacts> read(FactsReader& in) {
    auto facts = std::make_unique<Facts>();
    facts->candidates.resize(in.count());
    for (Candidate& candidate : facts->candidates)
      candidateFields(candidate, FieldReader{in});
    facts->removals.resize(in.count());
    for (Removal& removal : facts->removals)
      removalFields(removal, FieldReader{in});
    if (!facts->definitions.read(in) || !in.ok()) return nullptr;
    return facts;
  }
  std::unique_ptr<FileFacts> makeEmpty() const override { return std::make_unique<Facts>(); }
  void appendShifted(const FileFacts& next, int64_t bytes, int64_t rows) override {
    const auto& more = static_cast<const Facts&>(next);
    for (Candidate candidate : more.candidates) {
      candidate.start = shiftedOffset(candidate.start, bytes);
      candidate.end = shiftedOffset(candidate.end, bytes);
      candidate.row = shiftedOffset(candidate.row, rows);
      candidates.push_back(std::move(candidate));
    }
    removals.insert(removals.end(), more.removals.begin(), more.removals.end());
    definitions.append(more.definitions);
  }
};

class UnsubscribedClosure final : public RuleChecker {
 public:
  void onNode(TSNode node, NodeKind kind, RuleContext& context) override {
    registrations_.collect(node, kind, context);
    definitions_.collect(node, kind, context);
  }
  void finish(RuleContext& context) override;
  std::unique_ptr<FileFacts> takeFacts() override { return std::move(facts_); }

 private:
  void candidate(const RuleContext& context, const RegistrationSite& site);

  RegistrationCollector registrations_;
  ProjectDefinitionsCollector definitions_;
  std::unique_ptr<Facts> facts_;
};

// A registration that repeats, of a callback that keeps something of the call, on a registry that
// outlives the call: a candidate for the join, with its message.
void UnsubscribedClosure::candidate(const RuleContext& context, const RegistrationSite& site) {
  const SemanticModel& semantic = context.semantic();
  const LintSettings& settings = *context.options().settings;
  const RegistryEvidence& registry = site.registry;
  const Lifetime lifetime = registry.lifetime.lifetime;
  const bool long_lived = lifetime == Lifetime::Module || lifetime == Lifetime::Class ||
                          lifetime == Lifetime::Process || !registry.getter.empty();
  if (!site.may_repeat || !long_lived || !isSubscribeMethod(settings, registry.method) ||
      !runsOnceReason(context, site.scope).empty() || isVendoredPath(context.options().path)) {
    return;
  }
  const RegistrationEvidence registration = registrationOf(context, site);
  const CallbackEvidence& callback = registration.callback;
  // A callback that keeps nothing of the call adds nothing that grows with the calls; a
  // dispatch table keyed by type or Django's `dispatch_uid=` replaces.
  if (callback.captures.empty() || registration.keyed_by_uid ||
      (registry.method == "register" &&
       (registration.keys_are_types ||
        (registration.keys == 0 && registry.lifetime.is_function)))) {
    return;
  }
  const ScopeId function_scope = enclosingFunctionScope(semantic, site.scope);
  const TSNode function = semantic.scope(function_scope).node;
  // `return wrapper`: a decorator or factory whose caller decides how often it runs; a function
  // that empties the registry first holds what one call registered, no more.
  if (registrations_.returns(function, callback.display) ||
      (!ts_node_is_null(site.receiver) && !emptiedIn(context, function, site.receiver).empty())) {
    return;
  }
  const bool bound = callback.kind == CallbackKind::BoundMethod;
  const TSNode owner = classOfMethod(semantic, function_scope);
  const bool in_init =
      !ts_node_is_null(owner) && context.text(childByField(function, Field::Name)) == "__init__" &&
      std::find(callback.captures.begin(), callback.captures.end(),
                context.text(firstParameterName(function))) != callback.captures.end();
  // A singleton's `__init__` runs once per process.
  if (in_init && !singletonInstanceReason(context, owner).empty()) return;
  const bool at_exit = registry.key == "atexit";

  const std::string receiver(context.text(site.receiver));
  const std::string until =
      at_exit ? "until the interpreter exits" : "as long as the registry does";
  std::string consequence =
      "each call keeps another closure and " + capturedList(callback) + " alive " + until;
  if (bound || in_init) {
    const TSNode kept = bound ? callback.instance_class : owner;
    const std::string owner_name(context.text(childByField(kept, Field::Name)));
    consequence = in_init ? "every `" + owner_name + "` instance stays alive " + until
                          : "each call keeps its `" + owner_name + "` instance alive " + until;
  }

  Candidate fact;
  // A decorator's finding starts at its expression: after `@\` the row of `@` can hold no
  // `# noqa`.
  const TSNode expression =
      kindOf(site.site) == NodeKind::Decorator ? decoratorExpression(site.site) : TSNode{};
  fact.start = ts_node_start_byte(ts_node_is_null(expression) ? site.site : expression);
  fact.end = ts_node_end_byte(site.site);
  fact.row = context.source().rowOf(fact.start);
  fact.message = registrationPhrase(context, site, callback) + " in `" +
                 functionDisplayName(context, function_scope) +
                 "` and never removed: " + consequence;
  fact.fix_title = at_exit ? "Call `atexit.unregister(...)` once it is no longer needed"
                           : "Call `" + (receiver.empty() ? registry.key : receiver) + "." +
                                 removalMethodFor(settings, registry.method) +
                                 "(...)` once it is no longer needed";
  fact.method = registry.method;
  if (!registry.key.empty() && registry.key.find(':') == std::string::npos) {
    fact.registry.push_back(registry.key);
  }
  if (!registry.lifetime.qualified.empty()) {
    fact.registry.push_back(absoluteName(registry.lifetime.qualified, context.options().module));
  }
  fact.getter = registry.getter;
  if (in_init) fact.owner = classProjectName(context, owner);
  fact.key = registry.key;
  fact.name = registry.name;
  fact.region = registry.region;
  fact.bound_method = bound;
  fact.weak_refused = registration.weak_refused;
  facts_->candidates.push_back(std::move(fact));
}

void UnsubscribedClosure::finish(RuleContext& context) {
  const LintSettings& settings = *context.options().settings;
  facts_ = std::make_unique<Facts>();
  facts_->definitions = definitions_.finish(
      context, [&](std::string_view name) { return isSubscribeMethod(settings, name); });
  for (const RegistryEvidence& registry : registrations_.removals(context)) {
    facts_->removals.push_back(Removal{registry.method, registry.key, registry.name,
                                       registry.region, registry.undoes_elsewhere});
  }
  for (const RegistrationSite& site : registrations_.registrations(context))
    candidate(context, site);
}

// A finding is a call of a subscribe method (or a decorator, or a function imported by that
// name: the file holds the name). The callback may be anything that keeps something of the call,
// a bound method of `self` too, so the name is all the text shows.
bool mayReportIn(const CodeText& text, const LintSettings& settings) {
  return std::any_of(settings.subscription_pairs.begin(), settings.subscription_pairs.end(),
                     [&](const SubscriptionPair& pair) {
                       return pair.subscribe.empty() || text.codeHasWord(pair.subscribe);
                     });
}

// The last name of a project name (`bus` of `pkg.events.bus`): a file that defines, assigns,
// imports or calls it holds that name, and a module its own (`events` of `pkg.events`, a key of
// the registry of a subscribe function imported by name, whose removal may be in pkg/events.py).
std::string_view lastName(std::string_view name) {
  return name.substr(name.rfind('.') + 1);
}

bool isPlainName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), isNameByte);
}

// What the join looks up beyond the candidates' own files, by the last names that files
// defining or using them hold: the registries, getters, owners and removal keys of the
// candidates, then (as files holding those are analysed) the classes that made a registry, their
// bases, the classes deriving from a wanted class (whose instances count for onlyMadeOnce), what
// a getter returns and what a re-export names.
bool wantedWords(std::span<const ProjectFileView> files, const AnalysisOptions& /*options*/,
                 std::vector<std::string>& words) {
  std::set<std::string_view, std::less<>> wanted;
  bool everything = false;
  const auto want = [&](std::string_view name) {
    if (name.empty()) return;
    const std::string_view last = lastName(name);
    if (!isPlainName(last)) {
      everything = true;
      return;
    }
    wanted.insert(last);
  };
  const auto wants = [&](std::string_view name) { return wanted.contains(lastName(name)); };
  std::vector<const Facts*> all;
  for (const ProjectFileView& file : files) {
    const auto* facts = static_cast<const Facts*>(file.facts);
    if (facts == nullptr) continue;
    all.push_back(facts);
    for (const Candidate& candidate : facts->candidates) {
      for (const std::string& name : candidate.registry)
        want(name);
      want(candidate.getter);
      want(candidate.owner);
      if (candidate.key.find(':') == std::string::npos) want(candidate.key);
    }
  }
  for (size_t before = 0; before != wanted.size() && !everything;) {
    before = wanted.size();
    for (const Facts* facts : all) {
      const ProjectDefinitions& definitions = facts->definitions;
      for (const ProjectDefinitions::Class& fact : definitions.classes) {
        if (wants(fact.name) || std::any_of(fact.bases.begin(), fact.bases.end(), wants)) {
          want(fact.name);
          for (const std::string& base : fact.bases)
            want(base);
        }
      }
      for (const auto& [target, maker] : definitions.made_by) {
        if (wants(target)) want(maker);
      }
      for (const auto& [getter, returned] : definitions.singleton_getters) {
        if (wants(getter)) want(returned);
      }
      for (const auto& [alias, target] : definitions.reexports) {
        if (wants(alias)) want(target);
      }
    }
  }
  if (everything) return false;
  words.insert(words.end(), wanted.begin(), wanted.end());
  return true;
}

void join(std::span<const ProjectFileView> files, const AnalysisOptions& options,
          ProjectReporter& reporter) {
  const LintSettings& settings = *options.settings;
  const LibraryKnowledge library(settings.libraries);
  ProjectIndex index;
  std::multimap<std::string_view, const Removal*> removers;  // by project name
  for (const ProjectFileView& file : files) {
    const auto* facts = static_cast<const Facts*>(file.facts);
    if (facts == nullptr) continue;
    index.add(facts->definitions);
    for (const Removal& removal : facts->removals) {
      if (removal.undoes_elsewhere && removal.key.find(':') == std::string::npos) {
        removers.emplace(removal.key, &removal);
      }
    }
  }
  for (size_t i = 0; i < files.size(); ++i) {
    const auto* facts = static_cast<const Facts*>(files[i].facts);
    if (facts == nullptr) continue;
    for (const Candidate& candidate : facts->candidates) {
      std::vector<std::string_view> names(candidate.registry.begin(), candidate.registry.end());
      if (!candidate.getter.empty()) {
        // Only a singleton getter's result lives on; what another function returns may not.
        const std::optional<std::string_view> returned = index.singletonGetter(candidate.getter);
        if (!returned) continue;
        names.insert(names.end(), {candidate.getter, *returned});
      }
      const std::optional<RegistryHold> hold =
          index.registryHoldOfAny(library, names, candidate.method);
      if ((!candidate.owner.empty() && index.onlyMadeOnce(candidate.owner)) ||
          !keepsAnotherCallback(hold, candidate.bound_method, candidate.weak_refused)) {
        continue;
      }
      const auto undone = [&](const Removal& removal) {
        return undoesRegistration(settings, removal.method, candidate.method);
      };
      bool removed =
          std::any_of(facts->removals.begin(), facts->removals.end(), [&](const Removal& removal) {
            return undone(removal) &&
                   sameRegistry(removal.key, removal.name, candidate.key, candidate.name) &&
                   (removal.undoes_elsewhere || removal.region == candidate.region);
          });
      const auto [first, last] = removers.equal_range(candidate.key);
      for (auto it = first; it != last && !removed; ++it)
        removed = undone(*it->second);
      if (removed) continue;
      reporter.report(i,
                      Diagnostic{.start = candidate.start,
                                 .end = candidate.end,
                                 .message = candidate.message,
                                 .fix_title = candidate.fix_title,
                                 .fix = std::nullopt},
                      candidate.row);
    }
  }
}

// The node kinds both collectors need, each once.
constexpr std::array kSubscriptions = {NodeKind::Call,
                                       NodeKind::Decorator,
                                       NodeKind::Attribute,
                                       NodeKind::Assignment,
                                       NodeKind::ReturnStatement,
                                       NodeKind::ImportFromStatement,
                                       NodeKind::ClassDefinition,
                                       NodeKind::FunctionDefinition};
template <size_t N>
constexpr bool subscribed(const std::array<NodeKind, N>& kinds) {
  return std::all_of(kinds.begin(), kinds.end(), [](NodeKind kind) {
    return std::find(kSubscriptions.begin(), kSubscriptions.end(), kind) != kSubscriptions.end();
  });
}
static_assert(subscribed(RegistrationCollector::kNodeKinds) &&
              subscribed(ProjectDefinitionsCollector::kNodeKinds));

}  // namespace

extern const RuleDefinition kUnsubscribedClosure{
    .code = "MEM301",
    .name = "unsubscribed-closure",
    .summary = "Closure or bound method registered on a long-lived registry and never removed",
    .documentation = kDocumentation,
    .fix_availability = FixAvailability::None,
    .subscriptions = kSubscriptions,
    .create = []() -> std::unique_ptr<RuleChecker> {
      return std::make_unique<UnsubscribedClosure>();
    },
    .join = join,
    .read_facts = Facts::read,
    .preview = true,
    .may_report_in = mayReportIn,
    .wanted_words = wantedWords,
};

}  // namespace heaplint
