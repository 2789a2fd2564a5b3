// Where code hands callbacks to registries and takes them back: calls of subscribe methods
// (`bus.subscribe(cb)`, `settings.connect("changed", self.on_changed)`), their use as decorators
// (`@bus.on("saved")` over a nested function), subscribe functions imported by name
// (`on_exit(cb)` after `from atexit import register as on_exit`), and the removal methods that
// undo them, called or passed on (`self.addCleanup(bus.unsubscribe, h)`). The method names are
// `LintSettings::subscription_pairs`. A rule collects the sites during its walk
// (RegistrationCollector) and asks about them after it, when names resolve.
#pragma once

#include <tree_sitter/api.h>

#include <array>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analyzer/callback_evidence.h"
#include "analyzer/execution_evidence.h"
#include "analyzer/library_knowledge.h"
#include "analyzer/lifetime_evidence.h"
#include "analyzer/semantic_model.h"
#include "analyzer/syntax.h"

namespace heaplint {

class RuleContext;
struct LintSettings;

// What a site registers on or removes from.
struct RegistryEvidence {
  LifetimeEvidence lifetime;  // of the receiver; Module for a subscribe function imported by name
  std::string method;         // "connect", "unsubscribe"
  // Equal keys name the same registry: a project name ("pkg.events.bus", "atexit",
  // lifetime_evidence.h: projectName) or, for what has none, a key of this file
  // ("getter:get_settings", "class:pkg.events.Registry.handlers").
  std::string key;
  std::string name;    // the last name: `bus` of `self.bus`, `atexit` for `register` of atexit
  std::string getter;  // a local bound to `get_settings()` of the project: that function
  std::string region;  // the top-level function or class around the site; empty at module level
  bool in_function = false;  // the region is a function
  // For a removal: at module level, or in a function that registers nothing on that registry (an
  // `uninstall()` beside `install()`), so it undoes the registrations made elsewhere. A removal
  // in a function that registers its own says nothing about the others.
  bool undoes_elsewhere = false;
};

struct RegistrationSite {
  TSNode site{};       // the call or the decorator
  TSNode receiver{};   // what the method is called on; null for a name imported by itself
  TSNode decorated{};  // under a decorator: the nested function it registers
  ScopeId scope = kNoScope;
  // In a function, its result discarded (or a decorator), under no once-guard
  // (execution_evidence.h: onceGuardAt): it may run again and register again.
  bool may_repeat = false;
  RegistryEvidence registry;
};

// What a registration hands over besides the registry.
struct RegistrationEvidence {
  CallbackEvidence callback;  // the decorated function, or the first argument made here
  // The other arguments, keyword arguments aside: how many, and whether they all name types
  // (`int`, `builtins.str`, capitalised names, tuples of them): the keys of a dispatch table,
  // which replaces what it holds per key (`@fun.register(int)` of `functools.singledispatch`).
  uint32_t keys = 0;
  bool keys_are_types = false;
  bool weak_refused = false;  // `weak=False`
  bool keyed_by_uid = false;  // Django's `dispatch_uid=`: replaces what it registered before
};

RegistrationEvidence registrationOf(const RuleContext& context, const RegistrationSite& site);

// Whether the method `removal` undoes what `method` registered (`unsubscribe` undoes
// `subscribe`; `pop()`, `clear()` and `remove()` undo `append`); with `method` empty, whether it
// undoes anything.
bool undoesRegistration(const LintSettings& settings, std::string_view removal,
                        std::string_view method);

// Whether registering once more keeps one more callback alive, given what the registry does
// with it (library_knowledge.h; unknown counts as strong): weak registries keep none (unless
// `weak=False`), matplotlib's keeps bound methods weakly, replacing ones keep only the last.
bool keepsAnotherCallback(std::optional<RegistryHold> hold, bool bound_method, bool weak_refused);

// Whether `name` is a subscribe method of `LintSettings::subscription_pairs`.
bool isSubscribeMethod(const LintSettings& settings, std::string_view name);
// The removal method that undoes `method` ("disconnect" for "connect"), or "remove".
std::string removalMethodFor(const LintSettings& settings, std::string_view method);
// Whether two registries are the same: equal keys, or else equal last names.
bool sameRegistry(std::string_view key_a, std::string_view name_a, std::string_view key_b,
                  std::string_view name_b);

// How messages say a registration, with the evidence: "`on_done` (capturing `user_id`) is
// subscribed to module-level `bus`", "`self.on_changed` is connected to `settings`
// (`get_settings()`, a process-wide singleton)", "A lambda (capturing `handle`) is registered
// with `atexit`".
std::string registrationPhrase(const RuleContext& context, const RegistrationSite& site,
                               const CallbackEvidence& callback);

class RegistrationCollector {
 public:
  // The node kinds collect() needs: a rule adds them to its subscriptions.
  static constexpr std::array<NodeKind, 5> kNodeKinds = {
      NodeKind::Call, NodeKind::Decorator, NodeKind::Attribute, NodeKind::ImportFromStatement,
      NodeKind::ReturnStatement};

  void collect(TSNode node, NodeKind kind, const RuleContext& context);

  // After the walk.
  std::vector<RegistrationSite> registrations(const RuleContext& context) const;
  // The removal sites: the registry each removes from, its method the removal method.
  std::vector<RegistryEvidence> removals(const RuleContext& context) const;
  // Whether `function` returns the name `name` (`return wrapper`, or in a tuple or list:
  // `return on_start, on_stop`).
  bool returns(TSNode function, std::string_view name) const {
    return returned_.contains({ts_node_start_byte(function), name});
  }

 private:
  struct Removal {
    TSNode node;      // the attribute, or the name
    TSNode receiver;  // null for a bare name
    ScopeId scope;
  };
  void onCall(TSNode call, const RuleContext& context);
  void onDecorator(TSNode decorator, const RuleContext& context);
  void add(TSNode site, TSNode receiver, TSNode decorated, const RuleContext& context);
  RegistryEvidence registryOf(const RuleContext& context, TSNode callee, TSNode receiver,
                              ScopeId scope) const;

  std::vector<RegistrationSite> registrations_;
  std::vector<Removal> removals_;
  std::set<std::pair<uint32_t, std::string_view>> returned_;  // (function start, name)
  bool isImportedSubscribeName(TSNode name, const RuleContext& context);

  OnceGuardMemo once_guards_;
  std::set<std::string_view> imported_subscribe_names_;
  std::set<std::string_view> prelude_subscribe_names_;  // imported so in other runs
  bool prelude_read_ = false;
};

}  // namespace heaplint
