// The analyzer's shared evidence (size_evidence.h, lifetime_evidence.h, code_model.h,
// callback_evidence.h, execution_evidence.h, registration_evidence.h, project_evidence.h), asked
// by test-only rules: `size_of(x)` reports what iterableSize() says of `x`, `lifetime_of(x)` what
// lifetimeOf() says, and so on.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/argument_evidence.h"
#include "analyzer/callback_evidence.h"
#include "analyzer/class_layout.h"
#include "analyzer/code_model.h"
#include "analyzer/concat.h"
#include "analyzer/execution_evidence.h"
#include "analyzer/frame_evidence.h"
#include "analyzer/library_knowledge.h"
#include "analyzer/lifetime_evidence.h"
#include "analyzer/project_evidence.h"
#include "analyzer/registration_evidence.h"
#include "analyzer/retention_evidence.h"
#include "analyzer/size_evidence.h"
#include "analyzer/walker.h"

namespace heaplint {
namespace {

class EvidenceProbe final : public RuleChecker {
 public:
  void onNode(TSNode call, NodeKind /*kind*/, RuleContext& context) override {
    const std::string_view callee = context.text(childByField(call, Field::Function));
    static constexpr std::array<std::string_view, 12> kProbes = {
        "size_of",       "count_of",  "lifetime_of",  "callback_of",  "runs_once",  "project_name",
        "getter_called", "weak_hold", "singleton_of", "emptied_here", "once_guard", "member_kind"};
    if (std::find(kProbes.begin(), kProbes.end(), callee) == kProbes.end()) return;
    probes_.push_back(Probe{call, context.scope(), std::string(callee)});
    // The walker's frames are there only during the walk.
    if (callee == "once_guard") probes_.back().guard = onceGuardAt(context, once_guards_);
  }

  // The other probes: what the newer evidence says, as one line.
  static std::string otherProbe(const RuleContext& context, const std::string& what, ScopeId scope,
                                TSNode call, TSNode argument) {
    const SemanticModel& semantic = context.semantic();
    if (what == "callback_of") {
      const CallbackEvidence callback = callbackOf(context, scope, argument);
      static constexpr const char* kKinds[] = {"none", "nested", "lambda", "bound"};
      std::string out =
          std::string(kKinds[static_cast<int>(callback.kind)]) + " " + callback.display + " [";
      for (std::string_view name : callback.captures)
        out += std::string(name) + ";";
      return out + "]";
    }
    if (what == "runs_once") return runsOnceReason(context, scope);
    if (what == "project_name") return projectName(context, scope, argument);
    if (what == "getter_called") return getterCalled(context, scope, argument);
    if (what == "emptied_here") {
      const ScopeId function = enclosingFunctionScope(semantic, scope);
      return std::string(emptiedIn(context, semantic.scope(function).node, argument));
    }
    // `weak_hold(Bus.connect)`, `singleton_of(Window)`: a class of this module (and a method).
    TSNode name = argument;
    std::string_view method;
    if (kindOf(argument) == NodeKind::Attribute) {
      name = childByField(argument, Field::Object);
      method = context.text(childByField(argument, Field::AttributeName));
    }
    const Resolution resolution = semantic.resolve(0, context.text(name), ts_node_start_byte(call));
    if (resolution.binding == nullptr) return "?";
    const TSNode class_node = resolution.binding->node;
    if (what == "singleton_of") return singletonInstanceReason(context, class_node);
    TSNode found{};
    visitSubtree(class_node, [&](TSNode node, TSFieldId /*field*/) {
      if (kindOf(node) == NodeKind::FunctionDefinition &&
          context.text(childByField(node, Field::Name)) == method) {
        found = node;
        return Visit::Stop;
      }
      return Visit::Descend;
    });
    return weakCallbackHold(context, found);
  }

  void finish(RuleContext& context) override {
    for (const Probe& probe : probes_) {
      const TSNode argument = nthNamedChild(childByField(probe.call, Field::Arguments), 0);
      Diagnostic diagnostic;
      diagnostic.start = ts_node_start_byte(probe.call);
      diagnostic.end = ts_node_end_byte(probe.call);
      if (probe.what == "once_guard") {
        diagnostic.message = probe.guard;
      } else if (probe.what == "member_kind") {
        static constexpr const char* kMembers[] = {"unknown", "instance method", "class method",
                                                   "static method"};
        diagnostic.message =
            kMembers[static_cast<int>(receiverMemberKind(context, probe.scope, argument))];
      } else if (probe.what != "size_of" && probe.what != "count_of" &&
                 probe.what != "lifetime_of") {
        diagnostic.message = otherProbe(context, probe.what, probe.scope, probe.call, argument);
      } else if (probe.what == "lifetime_of") {
        const LifetimeEvidence evidence = lifetimeOf(context, probe.scope, argument);
        static constexpr const char* kNames[] = {"unknown", "local",  "parameter", "instance",
                                                 "class",   "module", "process"};
        diagnostic.message = std::string(kNames[static_cast<int>(evidence.lifetime)]) + " " +
                             evidence.key + " " + evidence.qualified;
      } else {
        const SizeEvidence evidence = probe.what == "size_of"
                                          ? iterableSize(context, probe.scope, argument)
                                          : countSize(context, probe.scope, argument);
        static constexpr const char* kNames[] = {"unknown", "small", "configuration", "data"};
        diagnostic.message =
            std::string(kNames[static_cast<int>(evidence.size)]) + ": " + evidence.reason;
      }
      context.report(std::move(diagnostic));
    }
  }

 private:
  struct Probe {
    TSNode call;
    ScopeId scope;
    std::string what;
    std::string guard = {};
  };
  std::vector<Probe> probes_;
  OnceGuardMemo once_guards_;
};

constexpr std::array kCalls = {NodeKind::Call};
const RuleDefinition kProbe{
    .code = "TEST010",
    .name = "evidence-probe",
    .subscriptions = kCalls,
    .create = []() -> std::unique_ptr<RuleChecker> { return std::make_unique<EvidenceProbe>(); },
};

std::vector<std::string> probe(const std::string& text, std::string_view path = "module.py") {
  static const RuleDefinition* table[1] = {&kProbe};
  AnalysisOptions options;
  options.rules = RuleTable(table, 1);
  options.enabled.set(0);
  options.path = path;
  options.module.name = "pkg.module";
  const SourceText source(text);
  std::vector<std::string> messages;
  for (const Diagnostic& diagnostic : analyze(source, options).diagnostics) {
    messages.push_back(diagnostic.message);
  }
  return messages;
}

std::string one(const std::string& text) {
  const std::vector<std::string> messages = probe(text);
  EXPECT_EQ(messages.size(), 1U) << text;
  return messages.empty() ? std::string() : messages.front();
}

// Reports every registration and removal RegistrationCollector finds, and the project definitions
// ProjectDefinitionsCollector leaves, one line each.
class RegistrationProbe final : public RuleChecker {
 public:
  void onNode(TSNode node, NodeKind kind, RuleContext& context) override {
    registrations_.collect(node, kind, context);
    definitions_.collect(node, kind, context);
  }
  void finish(RuleContext& context) override {
    const auto say = [&](std::string message) {
      Diagnostic diagnostic;
      diagnostic.message = std::move(message);
      context.report(std::move(diagnostic));
    };
    for (const RegistrationSite& site : registrations_.registrations(context)) {
      const RegistryEvidence& registry = site.registry;
      const RegistrationEvidence registration = registrationOf(context, site);
      say("register " + registry.method + " on " + registry.key + " (" + registry.name + ") in " +
          registry.region + (site.may_repeat ? " repeats" : " once") +
          (registry.getter.empty() ? "" : " getter " + registry.getter) + ": " +
          registration.callback.display + " keys " + std::to_string(registration.keys) +
          (registration.keys_are_types ? " types" : "") +
          (registration.weak_refused ? " weak=False" : "") +
          (registration.keyed_by_uid ? " uid" : ""));
      if (site.may_repeat && registration.callback.kind != CallbackKind::None)
        say("  says: " + registrationPhrase(context, site, registration.callback));
    }
    for (const RegistryEvidence& removal : registrations_.removals(context)) {
      say("remove " + removal.method + " from " + removal.key + " (" + removal.name + ") in " +
          removal.region + (removal.undoes_elsewhere ? ", undoing those elsewhere" : ""));
    }
    const ProjectDefinitions definitions =
        definitions_.finish(context, [](std::string_view name) { return name == "connect"; });
    for (const ProjectDefinitions::Class& fact : definitions.classes) {
      std::string line = "class " + fact.name + " bases";
      for (const std::string& base : fact.bases)
        line += " " + base;
      for (const std::string& method : fact.weak_methods)
        line += " weak " + method;
      for (const std::string& method : fact.other_methods)
        line += " strong " + method;
      say(line);
    }
    for (const auto& [target, maker] : definitions.made_by)
      say(concat("made ", target, " by ", maker));
    for (const auto& [getter, returned] : definitions.singleton_getters) {
      say(concat("getter ", getter, " returns ", returned));
    }
    for (const auto& [name, repeats] : definitions.instantiations) {
      say("instances of " + name + (repeats ? " repeat" : " once"));
    }
  }

 private:
  RegistrationCollector registrations_;
  ProjectDefinitionsCollector definitions_;
};

constexpr std::array kRegistrationKinds = {NodeKind::Call,
                                           NodeKind::Decorator,
                                           NodeKind::Attribute,
                                           NodeKind::ImportFromStatement,
                                           NodeKind::ReturnStatement,
                                           NodeKind::Assignment,
                                           NodeKind::ClassDefinition,
                                           NodeKind::FunctionDefinition};
const RuleDefinition kRegistrationProbe{
    .code = "TEST011",
    .name = "registration-probe",
    .subscriptions = kRegistrationKinds,
    .create = []() -> std::unique_ptr<RuleChecker> {
      return std::make_unique<RegistrationProbe>();
    },
};

std::vector<std::string> registrationsIn(const std::string& text) {
  static const RuleDefinition* table[1] = {&kRegistrationProbe};
  AnalysisOptions options;
  options.rules = RuleTable(table, 1);
  options.enabled.set(0);
  options.path = "pkg/module.py";
  options.module.name = "pkg.module";
  const SourceText source(text);
  std::vector<std::string> messages;
  for (const Diagnostic& diagnostic : analyze(source, options).diagnostics) {
    messages.push_back(diagnostic.message);
  }
  std::sort(messages.begin(), messages.end());
  return messages;
}

TEST(SizeEvidence, LiteralsAndConstantsAreSmall) {
  EXPECT_EQ(one("size_of(('x', 'y'))\n"), "small: a literal of 2 items");
  EXPECT_EQ(one("AXES = ['x', 'y', 'z']\nsize_of(AXES)\n"), "small: a literal of 3 items");
  EXPECT_EQ(one("def f():\n    names = ('a', 'b')\n    size_of(names)\n"),
            "small: a literal of 2 items");
  EXPECT_EQ(one("size_of(range(10))\n"), "small: a `range` of 10 items");
  EXPECT_EQ(one("size_of(enumerate(zip((1, 2), rows)))\n"), "small: a literal of 2 items");
  EXPECT_EQ(one("size_of('abc')\n"), "small: a string literal");
  EXPECT_EQ(one("from .constants import FIELDS\nsize_of(FIELDS)\n"),
            "small: the constant `FIELDS`");
}

TEST(SizeEvidence, EnumsAndClassAttributesAreSmall) {
  EXPECT_EQ(one("import enum\nclass Color(enum.Enum):\n    RED = 1\nsize_of(Color)\n"),
            "small: the members of Enum `Color`");
  EXPECT_EQ(one("class C:\n    FIELDS = ('a', 'b')\n    @classmethod\n    def make(cls):\n"
                "        size_of(cls.FIELDS)\n"),
            "small: the class attribute `FIELDS`");
}

TEST(SizeEvidence, FilesQueriesAndParametersAreData) {
  EXPECT_EQ(one("def load(path):\n    with open(path) as handle:\n        size_of(handle)\n"),
            "data: the lines of the file opened by `open(path)`");
  EXPECT_EQ(one("import csv\ndef load(f):\n    reader = csv.reader(f)\n    size_of(reader)\n"),
            "data: `reader`, the result of `csv.reader()`");
  EXPECT_EQ(one("def total(orders):\n    size_of(orders)\n"),
            "data: `orders`, a parameter of `total()`");
  EXPECT_EQ(one("def rows(cursor):\n    size_of(cursor.fetchall())\n"),
            "data: the result of `.fetchall()`");
  EXPECT_EQ(one("def run(n):\n    size_of(range(n))\n"), "data: `n`, a parameter of `run()`");
  EXPECT_EQ(one("def run(rows):\n    size_of(range(len(rows)))\n"),
            "data: `rows`, a parameter of `run()`");
  EXPECT_EQ(one("def f():\n    size_of(User.objects.filter(active=True))\n"),
            "data: the rows of a query");
}

TEST(SizeEvidence, CountsTheCodeWritesLargeAreData) {
  // A hundred thousand items or more: a list of them holds megabytes.
  EXPECT_EQ(one("size_of(range(1_000_000))\n"), "data: a `range` of 1,000,000 items");
  EXPECT_EQ(one("size_of(range(100_000))\n"), "data: a `range` of 100,000 items");
  EXPECT_EQ(one("size_of(range(10**6))\n"), "data: a `range` of 1,000,000 items");
  EXPECT_EQ(one("size_of(range(1000 * 1000))\n"), "data: a `range` of 1,000,000 items");
  EXPECT_EQ(one("size_of(range(0x100000))\n"), "data: a `range` of 1,048,576 items");
  EXPECT_EQ(one("size_of(range(0, 199_999, 2))\n"), "data: a `range` of 100,000 items");
  EXPECT_EQ(one("size_of(range(199_999, -1, -2))\n"), "data: a `range` of 100,000 items");
  EXPECT_EQ(one("size_of(range(500_000, 0, -1))\n"), "data: a `range` of 500,000 items");
  EXPECT_EQ(one("N = 200_000\nsize_of(range(N))\n"), "data: a `range` of 200,000 items");
  EXPECT_EQ(one("def f(x):\n    size_of(range(x.start + 500_000))\n"),
            "data: a count of 500,000 items written in the code");
  // Past exact arithmetic, a lower bound.
  EXPECT_EQ(one("size_of(range(10**100))\n"),
            "data: a `range` of at least 1,125,899,906,842,624 items");
  EXPECT_EQ(one("size_of(range(10**6, 10**20))\n"),
            "data: a `range` of at least 1,125,899,905,842,624 items");
  EXPECT_EQ(one("size_of(range(0, 10**20, 2))\n"),
            "data: a `range` of at least 562,949,953,421,312 items");
  // Fewer, a window of a large range, no items at all, or a count a literal shrinks.
  EXPECT_EQ(one("size_of(range(99_999))\n"), "small: a `range` of 99,999 items");
  EXPECT_EQ(one("size_of(range(0, 199_997, 2))\n"), "small: a `range` of 99,999 items");
  EXPECT_EQ(one("size_of(range(1_000_000, 1_000_010))\n"), "small: a `range` of 10 items");
  EXPECT_EQ(one("size_of(range(1_000_000, 0))\n"), "small: a `range` of 0 items");
  EXPECT_EQ(one("size_of(range(0, 1_000_000, 0))\n"), "small: a `range` of 0 items");
  EXPECT_EQ(one("size_of(range(-(10**6)))\n"), "small: a `range` of 0 items");
  EXPECT_EQ(one("def f(n):\n    size_of(range(n // 1_000_000))\n"),
            "data: `n`, a parameter of `f()`");
  EXPECT_EQ(one("def _f(n):\n    size_of(range(n % 100_000))\n"), "unknown: ");
  // A window at the end of data: as wide as its literal says.
  EXPECT_EQ(one("def f(rows):\n    size_of(range(len(rows) - 3, len(rows)))\n"),
            "small: a `range` of literal width");
  EXPECT_EQ(one("def f(rows):\n    size_of(range(len(rows) - 1_000_000, len(rows)))\n"),
            "data: `rows`, a parameter of `f()`");
  // Huge values that arithmetic makes unknown, or empty: not taken for many.
  EXPECT_EQ(one("size_of(range(2**60 - 2**59, 2**59))\n"), "small: a literal count");
  EXPECT_EQ(one("size_of(range(10**20 // 10**10))\n"), "small: a literal count");
  EXPECT_EQ(one("size_of(range(10**20, 0, -1))\n"), "unknown: ");
  // Bases of 0, 1 and -1 with a huge exponent end at once.
  EXPECT_EQ(one("size_of(range(1 ** 10**20))\n"), "small: a literal count");
  EXPECT_EQ(one("size_of(range(1 ** 10**15))\n"), "small: a `range` of 1 item");
  EXPECT_EQ(one("size_of(range(0 ** 10**15))\n"), "small: a `range` of 0 items");
  EXPECT_EQ(one("size_of(range((-1) ** 10**15))\n"), "small: a `range` of 1 item");
  EXPECT_EQ(one("size_of(range(5 + (-1) ** (10**15 + 1)))\n"), "small: a `range` of 4 items");
}

TEST(SizeEvidence, ConfigurationAndUnknown) {
  EXPECT_EQ(one("import sys\nsize_of(sys.argv[1:])\n"), "configuration: `sys.argv`");
  EXPECT_EQ(one("def main(argv):\n    size_of(argv)\n"), "configuration: `argv`");
  EXPECT_EQ(one("def _helper(rows):\n    size_of(rows)\n"), "unknown: ");
  EXPECT_EQ(one("class A:\n    def f(self):\n        size_of(self.items)\n"), "unknown: ");
  EXPECT_EQ(one("def f():\n    size_of(load())\n"), "unknown: ");
  // A name bound twice is not followed.
  EXPECT_EQ(one("def f(rows):\n    x = ()\n    x = rows\n    size_of(x)\n"), "unknown: ");
}

TEST(SizeEvidence, CyclesAndDeepChainsEnd) {
  EXPECT_EQ(one("def f():\n    a = b\n    b = a\n    size_of(a)\n"), "unknown: ");
  std::string chain = "def f(rows):\n    x0 = rows\n";
  for (int i = 1; i < 40; ++i) {
    chain += "    x" + std::to_string(i) + " = x" + std::to_string(i - 1) + "\n";
  }
  chain += "    size_of(x39)\n";
  EXPECT_EQ(one(chain), "unknown: ");
}

TEST(LifetimeEvidence, ReceiversByWhereTheyLive) {
  EXPECT_EQ(one("from events import Bus\nbus = Bus()\ndef f():\n    lifetime_of(bus)\n"),
            "module module:bus events.Bus");
  EXPECT_EQ(one("import atexit\ndef f():\n    lifetime_of(atexit)\n"), "module atexit atexit");
  EXPECT_EQ(one("class W:\n    def f(self):\n        lifetime_of(self.bus)\n"),
            "instance self@0.bus ");
  EXPECT_EQ(one("class W:\n    def f(self):\n        lifetime_of(type(self).registry)\n"),
            "class class@0.registry ");
  EXPECT_EQ(one("def f(bus):\n    lifetime_of(bus)\n"), "parameter parameter@6 ");
  EXPECT_EQ(one("def f():\n    bus = Bus()\n    lifetime_of(bus)\n"), "local local@13 ");
}

TEST(LifetimeEvidence, SingletonsReachedThroughGetters) {
  EXPECT_EQ(one("from gi.repository import Gtk\ndef f():\n"
                "    settings = Gtk.Settings.get_default()\n    lifetime_of(settings)\n"),
            "process getter:Gtk.Settings.get_default gi.repository.Gtk.Settings.get_default");
  EXPECT_EQ(one("_settings = Settings()\ndef get_settings():\n    return _settings\n"
                "class W:\n    def __init__(self):\n        s = get_settings()\n"
                "        lifetime_of(s)\n"),
            "process getter:get_settings ");
  // A function that makes a new object each time is no getter.
  EXPECT_EQ(one("def make():\n    return Settings()\ndef f():\n    s = make()\n"
                "    lifetime_of(s)\n"),
            "local local@47 ");
}

TEST(CallbackEvidence, WhatACallbackKeepsOfTheCall) {
  EXPECT_EQ(one("def f(user):\n    def done(r):\n        print(user, r)\n"
                "    callback_of(done)\n"),
            "nested done [user;]");
  EXPECT_EQ(one("def f(name):\n    callback_of(lambda e, n=name: print(n))\n"), "lambda  [name;]");
  EXPECT_EQ(one("import os\ndef f(code):\n    callback_of(lambda: os._exit(0))\n"), "lambda  []");
  EXPECT_EQ(one("def f(code):\n    callback_of(lambda: code)\n"), "lambda  [code;]");
  EXPECT_EQ(one("class W:\n    def __init__(self):\n        callback_of(self.refresh)\n"
                "    def refresh(self):\n        pass\n"),
            "bound self.refresh [self;]");
  // A classmethod, a property, an attribute the class does not define: no bound method.
  EXPECT_EQ(one("class W:\n    def f(self):\n        callback_of(self.make)\n"
                "    @classmethod\n    def make(cls):\n        pass\n"),
            "none  []");
  EXPECT_EQ(one("class W:\n    def f(self):\n        callback_of(self.callback)\n"), "none  []");
  EXPECT_EQ(one("import functools\nclass W:\n    def f(self, key):\n"
                "        callback_of(functools.partial(self.redraw, key))\n"
                "    def redraw(self, key):\n        pass\n"),
            "bound functools.partial(self.redraw, key) [self;key;]");
  EXPECT_EQ(one("def f(user):\n    handler = lambda e: print(user)\n    callback_of(handler)\n"),
            "lambda handler [user;]");
  // Module-level functions, parameters and weak references keep nothing per call.
  EXPECT_EQ(one("def log(e):\n    pass\ndef f(x):\n    callback_of(log)\n"), "none  []");
  EXPECT_EQ(one("def f(handler):\n    callback_of(handler)\n"), "none  []");
  EXPECT_EQ(one("import weakref\nclass W:\n    def f(self):\n"
                "        callback_of(weakref.WeakMethod(self.f))\n"),
            "none  []");
}

TEST(CallbackEvidence, RegistriesThatHoldCallbacksWeakly) {
  const std::string observable =
      "import weakref\nclass Observable:\n"
      "    def connect_signal(self, name, func):\n"
      "        self._callbacks[name].append(weakref.WeakMethod(func))\n"
      "    def connect(self, name, func):\n        self.connect_signal(name, func)\n"
      "weak_hold(Observable.connect)\n";
  EXPECT_EQ(
      one(observable),
      "hands its arguments to `connect_signal()`, which wraps `func` in `weakref.WeakMethod`");
  EXPECT_EQ(one("import weakref\nclass Bus:\n    def __init__(self):\n"
                "        self._handlers = weakref.WeakSet()\n"
                "    def subscribe(self, handler):\n        self._handlers.add(handler)\n"
                "weak_hold(Bus.subscribe)\n"),
            "stores `handler` in a `weakref.WeakSet`");
  EXPECT_EQ(one("from weakref import WeakKeyDictionary\nclass Bus:\n"
                "    handlers = WeakKeyDictionary()\n"
                "    def subscribe(self, handler):\n        self.handlers[handler] = True\n"
                "weak_hold(Bus.subscribe)\n"),
            "stores `handler` in a `weakref.WeakKeyDictionary`");
  EXPECT_EQ(one("class Signal:\n    def connect(self, receiver, sender=None, weak=True):\n"
                "        self.receivers.append(receiver)\nweak_hold(Signal.connect)\n"),
            "takes `weak=True` by default");
  EXPECT_EQ(one("class Bus:\n    def __init__(self):\n        self._handlers = []\n"
                "    def subscribe(self, handler):\n        self._handlers.append(handler)\n"
                "weak_hold(Bus.subscribe)\n"),
            "");
  // Delegation between methods is followed a few steps, not forever.
  EXPECT_EQ(one("class Bus:\n    def a(self, f):\n        self.b(f)\n"
                "    def b(self, f):\n        self.a(f)\nweak_hold(Bus.a)\n"),
            "");
}

TEST(ExecutionEvidence, CodeThatRunsOnce) {
  EXPECT_EQ(one("runs_once()\n"), "at module level");
  EXPECT_EQ(one("def install():\n    runs_once()\n"), "in `install()`, which takes no arguments");
  EXPECT_EQ(one("def main(argv):\n    runs_once()\n"), "in `main()`, which runs once");
  EXPECT_EQ(one("from django.apps import AppConfig\nclass C(AppConfig):\n"
                "    def ready(self):\n        runs_once()\n"),
            "in `ready()` of a Django `AppConfig`, which runs once per process");
  EXPECT_EQ(one("class C:\n    @classmethod\n    def setup(cls):\n        runs_once()\n"),
            "in `C.setup()`, which takes no arguments");
  // Input, an instance (one per object), a handler nested in `main`: it repeats.
  EXPECT_EQ(one("def handle(request):\n    runs_once()\n"), "");
  EXPECT_EQ(one("class C:\n    def __init__(self):\n        runs_once()\n"), "");
  EXPECT_EQ(one("def main():\n    def on_request(request):\n        runs_once()\n"), "");
}

TEST(ExecutionEvidence, OnceGuardsAndEmptiedRegistries) {
  EXPECT_EQ(one("class C:\n    def f(self, x):\n        if not self._done:\n"
                "            once_guard()\n            self._done = True\n"),
            "under the once-guard on `_done`");
  EXPECT_EQ(one("def f(x):\n    if _installed:\n        return\n    once_guard()\n"
                "    _installed = True\n"),
            "under the once-guard on `_installed`");
  EXPECT_EQ(one("def f(x):\n    if x:\n        once_guard()\n"), "");
  EXPECT_EQ(one("import atexit\ndef child(x):\n    atexit._exithandlers = []\n"
                "    emptied_here(atexit)\n"),
            "atexit._exithandlers = []");
  EXPECT_EQ(one("def f(x):\n    registry.handlers.clear()\n    emptied_here(registry.handlers)\n"),
            "registry.handlers.clear()");
  EXPECT_EQ(one("def f(x):\n    other.clear()\n    emptied_here(registry.handlers)\n"), "");
  EXPECT_TRUE(isVendoredPath("app/_vendor/six.py"));
  EXPECT_TRUE(isVendoredPath("src\\third_party\\lib.py"));
  EXPECT_FALSE(isVendoredPath("app/vendors.py"));
  EXPECT_FALSE(isVendoredPath("vendor"));
}

TEST(LifetimeEvidence, ProjectNamesAndGetters) {
  EXPECT_EQ(one("from .app import state\nproject_name(state.commands)\n"),
            "pkg.app.state.commands");
  EXPECT_EQ(one("bus = Bus()\ndef f():\n    project_name(bus.handlers)\n"),
            "pkg.module.bus.handlers");
  EXPECT_EQ(one("def f(bus):\n    project_name(bus)\n"), "");
  EXPECT_EQ(one("from .settings import get_settings\ndef f():\n    s = get_settings()\n"
                "    getter_called(s)\n"),
            "pkg.settings.get_settings");
  // A class makes a new object; a call with arguments is no getter.
  EXPECT_EQ(one("from gi.repository import Gtk\ndef f():\n    m = Gtk.Menu()\n"
                "    getter_called(m)\n"),
            "");
  EXPECT_EQ(one("from .s import load\ndef f(p):\n    getter_called(load(p))\n"), "");
  EXPECT_EQ(one("from . import app\nclass Window:\n    def __init__(self):\n"
                "        app.window = self\nsingleton_of(Window)\n"),
            "`Window.__init__` stores `self` in `app.window`");
  EXPECT_EQ(one("class S:\n    _instance = None\n    def __new__(cls):\n"
                "        if cls._instance is None:\n"
                "            cls._instance = super().__new__(cls)\n"
                "        return cls._instance\nsingleton_of(S)\n"),
            "`S.__new__` stores the instance in `cls._instance`");
  EXPECT_EQ(one("class Tab:\n    def __init__(self):\n        self.tabs = [self]\n"
                "        self.me = self\nsingleton_of(Tab)\n"),
            "");
}

TEST(RegistrationEvidence, RegistrationsAndRemovals) {
  EXPECT_EQ(registrationsIn("from atexit import register as on_exit, unregister\n"
                            "bus = Bus()\n"
                            "def handle(user):\n"
                            "    bus.subscribe(lambda e: print(user))\n"
                            "    token = bus.subscribe(print)\n"
                            "    on_exit(print)\n"
                            "    unregister(print)\n"),
            (std::vector<std::string>{
                "  says: A lambda (capturing `user`) is subscribed to module-level `bus`",
                "register register on atexit (atexit) in handle repeats:  keys 1",
                "register subscribe on pkg.module.bus (bus) in handle once:  keys 1",
                "register subscribe on pkg.module.bus (bus) in handle repeats:  keys 0",
                "remove unregister from atexit (atexit) in handle",
            }));
  EXPECT_EQ(registrationsIn("import functools\n"
                            "@functools.singledispatch\ndef describe(x):\n    pass\n"
                            "def f(config, post_save):\n"
                            "    @describe.register(int)\n"
                            "    def _(value):\n        print(config)\n"
                            "    post_save.connect(_, weak=False, dispatch_uid='x')\n"),
            (std::vector<std::string>{
                "  says: `_` (capturing `config`) is connected to `post_save`",
                "  says: `_` (capturing `config`) is registered with module-level `describe`",
                "register connect on  (post_save) in f repeats: _ keys 0 weak=False uid",
                // The call in the decorator keeps its result: not a registration that repeats.
                "register register on pkg.module.describe (describe) in f once:  keys 1 types",
                "register register on pkg.module.describe (describe) in f repeats: _ keys 1 types",
            }));
  EXPECT_EQ(registrationsIn("from .settings import get_settings\nbus = Bus()\n"
                            "class W:\n    def f(self):\n"
                            "        settings = get_settings()\n"
                            "        settings.connect('changed', self.f)\n"
                            "        self.addCleanup(bus.disconnect, self.f)\n"
                            "        if not self._on:\n"
                            "            bus.connect(self.f)\n            self._on = True\n"),
            (std::vector<std::string>{
                "  says: `self.f` is connected to `settings` (`get_settings()`, a process-wide "
                "singleton)",
                "register connect on  (settings) in W repeats getter pkg.settings.get_settings: "
                "self.f keys 1",
                "register connect on pkg.module.bus (bus) in W once: self.f keys 0",
                "remove disconnect from pkg.module.bus (bus) in W",
            }));
}

TEST(RegistrationEvidence, WhatRegisteringAgainKeeps) {
  EXPECT_TRUE(keepsAnotherCallback(std::nullopt, true, false));
  EXPECT_TRUE(keepsAnotherCallback(RegistryHold::Strong, false, false));
  EXPECT_FALSE(keepsAnotherCallback(RegistryHold::WeakByDefault, true, false));
  EXPECT_TRUE(keepsAnotherCallback(RegistryHold::WeakByDefault, true, true));  // weak=False
  EXPECT_FALSE(keepsAnotherCallback(RegistryHold::WeakBoundMethods, true, false));
  EXPECT_TRUE(keepsAnotherCallback(RegistryHold::WeakBoundMethods, false, false));
  EXPECT_FALSE(keepsAnotherCallback(RegistryHold::Replaces, false, false));
}

TEST(RegistrationEvidence, RemovalsWhereNothingRegistersUndoTheOthers) {
  EXPECT_EQ(registrationsIn("bus = Bus()\n"
                            "def install(user):\n"
                            "    bus.subscribe(lambda e: print(user))\n"
                            "    bus.unsubscribe(print)\n"
                            "def uninstall(handler):\n"
                            "    bus.unsubscribe(handler)\n"),
            (std::vector<std::string>{
                "  says: A lambda (capturing `user`) is subscribed to module-level `bus`",
                "register subscribe on pkg.module.bus (bus) in install repeats:  keys 0",
                // It removes what its own function registers: nothing said about the others.
                "remove unsubscribe from pkg.module.bus (bus) in install",
                "remove unsubscribe from pkg.module.bus (bus) in uninstall, undoing those "
                "elsewhere",
            }));
  EXPECT_EQ(registrationsIn("import atexit\natexit.unregister(print)\n"),
            (std::vector<std::string>{"remove unregister from atexit (atexit) in , undoing those "
                                      "elsewhere"}));
}

TEST(ProjectEvidence, DefinitionsOfAFile) {
  EXPECT_EQ(registrationsIn("import weakref\nfrom typing import cast\n"
                            "from .helpers import Observable\n"
                            "from . import state\n"
                            "class Commands(Observable):\n"
                            "    def connect(self, name, func):\n"
                            "        self._f.append(weakref.ref(func))\n"
                            "class Plain:\n"
                            "    def connect(self, name, func):\n"
                            "        self._f.append(func)\n"
                            "commands = Commands()\n"
                            "plugins = cast(Plain, None)\n"
                            "_settings = Plain()\n"
                            "def get_settings():\n    return _settings\n"
                            // Returns of a nested function or class are not the getter's.
                            "def get_shared():\n"
                            "    def fallback():\n        return make()\n"
                            "    class Local:\n"
                            "        def m(self):\n            return 1\n"
                            "    if _settings:\n        return _settings\n"
                            "    return None\n"
                            "def get_either():\n"
                            "    if _settings:\n        return _settings\n"
                            "    return make()\n"
                            "def make():\n    return Plain()\n"
                            "def main():\n    state.window = Plain()\n"
                            "def build(items):\n    for x in items:\n        Plain()\n"),
            (std::vector<std::string>{
                "class pkg.module.Commands bases pkg.helpers.Observable weak connect",
                "class pkg.module.Plain bases strong connect",
                "getter pkg.module.get_settings returns pkg.module._settings",
                "getter pkg.module.get_shared returns pkg.module._settings",
                "instances of pkg.module.Commands once",
                "instances of pkg.module.Plain repeat",
                "made pkg.module._settings by pkg.module.Plain",
                "made pkg.module.commands by pkg.module.Commands",
                "made pkg.module.plugins by pkg.module.Plain",
                "made pkg.state.window by pkg.module.Plain",
                "register append on  (_f) in Commands repeats:  keys 1",
                "register append on  (_f) in Plain repeats:  keys 1",
            }));
}

TEST(ProjectEvidence, TheIndexJoinsFiles) {
  ProjectDefinitions helpers;
  helpers.classes.push_back({"app.helpers.Observable", {}, {"connect"}, {}});
  helpers.classes.push_back({"app.helpers.Signal", {"django.dispatch.Signal"}, {}, {}});
  ProjectDefinitions commands;
  commands.classes.push_back({"app.commands.Commands", {"app.helpers.Observable"}, {}, {}});
  commands.classes.push_back({"app.commands.Strong", {"app.helpers.Observable"}, {}, {"connect"}});
  commands.made_by.emplace_back("app.state.commands", "app.commands.Commands");
  commands.singleton_getters.emplace_back("app.settings.get_settings", "app.settings._settings");
  commands.instantiations = {{"app.commands.Commands", false}, {"app.commands.Strong", true}};
  ProjectDefinitions read_back;
  std::string bytes;
  FactsWriter out(bytes);
  commands.write(out);
  FactsReader in(bytes);
  ASSERT_TRUE(read_back.read(in));
  EXPECT_TRUE(in.atEnd());

  ProjectIndex index;
  index.add(helpers);
  index.add(read_back);
  const LibrarySettings settings;
  const LibraryKnowledge library(settings);
  EXPECT_EQ(index.registryHold(library, "app.commands.Commands", "connect"),
            RegistryHold::WeakByDefault);
  EXPECT_EQ(index.registryHold(library, "app.commands.Strong", "connect"), RegistryHold::Strong);
  EXPECT_EQ(index.registryHold(library, "app.helpers.Signal", "connect"),
            RegistryHold::WeakByDefault);
  EXPECT_EQ(index.registryHold(library, "app.commands.Commands", "subscribe"), std::nullopt);
  // A module attribute assigned a Commands elsewhere holds as Commands does; the first known
  // name decides.
  const std::array<std::string_view, 2> names = {"app.state.unknown", "app.state.commands"};
  EXPECT_EQ(index.registryHoldOfAny(library, names, "connect"), RegistryHold::WeakByDefault);
  EXPECT_EQ(index.registryHoldOfAny(library, std::span(names).first(1), "connect"), std::nullopt);
  EXPECT_EQ(index.madeBy("app.state.commands"),
            std::vector<std::string_view>{"app.commands.Commands"});
  EXPECT_EQ(index.singletonGetter("app.settings.get_settings"), "app.settings._settings");
  EXPECT_EQ(index.singletonGetter("app.settings.make"), std::nullopt);
  // Commands is made once, but Strong, a subclass of Observable, is made repeatedly.
  EXPECT_TRUE(index.onlyMadeOnce("app.commands.Commands"));
  EXPECT_FALSE(index.onlyMadeOnce("app.helpers.Observable"));
  EXPECT_FALSE(index.onlyMadeOnce("app.helpers.Signal"));  // made nowhere in the project
}

// --- Retention (retention_evidence.h) and class layouts (class_layout.h) ------------------------
// A second probe, of its own: every call of `Made(...)` reports where retentionOf() says the value
// is kept, then the iterables of the loops around it that it is kept across; every class whose
// name starts with `Probe` reports its classLayout().
class KeptProbe final : public RuleChecker {
 public:
  void onNode(TSNode node, NodeKind kind, RuleContext& context) override {
    if (kind == NodeKind::ClassDefinition) {
      if (context.text(childByField(node, Field::Name)).starts_with("Probe")) {
        classes_.push_back({node, context.scope()});
      }
    } else if (context.text(childByField(node, Field::Function)) == "Made") {
      values_.push_back({node, context.scope()});
    }
  }

  void finish(RuleContext& context) override {
    static constexpr const char* kKeepers[] = {"none",     "container", "name",
                                               "returned", "yielded",   "call"};
    for (const Probe& value : values_) {
      const RetentionEvidence kept = retentionOf(context, value.scope, value.node);
      std::string message = std::string(kKeepers[static_cast<int>(kept.keeper)]) + ": " +
                            kept.phrase + (kept.outlives_function ? " (outlives)" : "") +
                            " | across:";
      for (const EnclosingLoop& loop : enclosingLoops(context, value.scope, value.node)) {
        if (keptAcross(kept, loop) && !loop.per_failure) {
          message += " " + std::string(context.text(loop.iterable));
        }
      }
      report(context, value.node, std::move(message));
    }
    for (const Probe& probe : classes_) {
      const ClassLayout layout = classLayout(context, probe.node, probe.scope);
      std::string message =
          std::string(layout.declares_slots ? "slots" : "no slots") +
          (layout.keeps_dict ? ", keeps dict" : "") + (layout.interned ? ", interned" : "") +
          (ts_node_is_null(layout.dataclass_decorator) ? "" : ", dataclass") + ": ";
      for (std::string_view attribute : layout.instance_attributes) {
        message += std::string(attribute) + " ";
      }
      report(context, probe.node, std::move(message));
    }
  }

 private:
  struct Probe {
    TSNode node;
    ScopeId scope;
  };
  static void report(RuleContext& context, TSNode node, std::string message) {
    Diagnostic diagnostic;
    diagnostic.start = ts_node_start_byte(node);
    diagnostic.end = ts_node_end_byte(node);
    diagnostic.message = std::move(message);
    context.report(std::move(diagnostic));
  }
  std::vector<Probe> values_;
  std::vector<Probe> classes_;
};

constexpr std::array kKeptKinds = {NodeKind::Call, NodeKind::ClassDefinition};
const RuleDefinition kKeptProbe{
    .code = "TEST011",
    .name = "retention-probe",
    .subscriptions = kKeptKinds,
    .create = []() -> std::unique_ptr<RuleChecker> { return std::make_unique<KeptProbe>(); },
};

std::string kept(const std::string& text) {
  static const RuleDefinition* table[1] = {&kKeptProbe};
  AnalysisOptions options;
  options.rules = RuleTable(table, 1);
  options.enabled.set(0);
  options.path = "module.py";
  const SourceText source(text);
  const std::vector<Diagnostic> diagnostics = analyze(source, options).diagnostics;
  EXPECT_EQ(diagnostics.size(), 1U) << text;
  return diagnostics.empty() ? std::string() : diagnostics.front().message;
}

TEST(RetentionEvidence, ContainersThatOutliveTheLoop) {
  EXPECT_EQ(kept("class S:\n    def load(self, f):\n        for line in f:\n"
                 "            self.rows.append(Made(line))\n"),
            "container: kept in `self.rows` (outlives) | across: f");
  EXPECT_EQ(kept("def load(f):\n    index = {}\n    for k in f:\n        index[k] = Made(k)\n"),
            "container: kept in `index` | across: f");
  EXPECT_EQ(kept("ROWS = []\nfor line in f:\n    ROWS.append((line, Made(line)))\n"),
            "container: kept in `ROWS` (outlives) | across: f");
  // A list made afresh on each pass keeps values across the inner loop only...
  EXPECT_EQ(
      kept("def f(chunks):\n    for chunk in chunks:\n        batch = []\n"
           "        for x in chunk:\n            batch.append(Made(x))\n        send(batch)\n"),
      "container: kept in `batch` | across: chunk");
  // ... unless the batch is kept in turn.
  EXPECT_EQ(kept("class S:\n    def f(self, chunks):\n        for chunk in chunks:\n"
                 "            batch = []\n            for x in chunk:\n"
                 "                batch.append(Made(x))\n            self.batches.append(batch)\n"),
            "container: kept in `self.batches` (outlives) | across: chunk chunks");
  // Stored just before `break`: one value.
  EXPECT_EQ(
      kept("def f(xs):\n    d = {}\n    for x in xs:\n        d[x] = Made(x)\n        break\n"),
      "none:  | across:");
}

TEST(RetentionEvidence, ContainersTheLoopEmptiesOrTrimsKeepAFewAtOnce) {
  for (const char* trim :
       {"batch.clear()", "del batch[:]", "batch.pop(0)", "del batch[10:]", "batch.popleft()"}) {
    EXPECT_EQ(kept("def f(rows, flush):\n    batch = []\n    for r in rows:\n"
                   "        batch.append(Made(r))\n        if len(batch) > 100:\n"
                   "            flush(batch)\n            " +
                   std::string(trim) + "\n    return batch\n"),
              "none:  | across:")
        << trim;
  }
  // Bound afresh: kept, but not across the loop (the name was bound before it too).
  EXPECT_EQ(kept("def f(rows, flush):\n    batch = []\n    for r in rows:\n"
                 "        batch.append(Made(r))\n        if len(batch) > 100:\n"
                 "            flush(batch)\n            batch = []\n    return batch\n"),
            "container: kept in `batch` | across:");
  // Trimming another container, or flushing without emptying, keeps them all.
  EXPECT_EQ(kept("def f(rows, flush, other):\n    batch = []\n    for r in rows:\n"
                 "        batch.append(Made(r))\n        if len(batch) > 100:\n"
                 "            flush(batch)\n            other.clear()\n    return batch\n"),
            "container: kept in `batch` | across: rows");
  // One value per key the code fixes; one per item for a key from the data.
  EXPECT_EQ(kept("def f(rows):\n    d = {}\n    for r in rows:\n        d[\"last\"] = Made(r)\n"
                 "    return d\n"),
            "none:  | across:");
  EXPECT_EQ(kept("def f(rows):\n    d = {}\n    for r in rows:\n        d[r.key] = Made(r)\n"
                 "    return d\n"),
            "container: kept in `d` | across: rows");
}

TEST(RetentionEvidence, ContainersThatStopFillingOrHoldWeaklyKeepAFewAtOnce) {
  // Capped, or the loop ends once full.
  EXPECT_EQ(kept("def f(rows, k):\n    top = []\n    for r in rows:\n"
                 "        if len(top) < k:\n            top.append(Made(r))\n    return top\n"),
            "none:  | across:");
  EXPECT_EQ(kept("def f(rows, k):\n    top = []\n    for r in rows:\n"
                 "        top.append(Made(r))\n        if len(top) >= k:\n            break\n"
                 "    return top\n"),
            "none:  | across:");
  // A length read for something else bounds nothing.
  EXPECT_EQ(kept("def f(rows, k):\n    top = []\n    for r in rows:\n"
                 "        top.append(Made(r))\n        if len(top) >= k:\n            log(k)\n"
                 "    return top\n"),
            "container: kept in `top` | across: rows");
  // Bounded containers held by the instance or the class; a maxlen given in its place.
  EXPECT_EQ(kept("from collections import deque\nclass W:\n    def __init__(self):\n"
                 "        self.recent = deque(maxlen=100)\n    def fill(self, rows):\n"
                 "        for r in rows:\n            self.recent.append(Made(r))\n"),
            "none:  | across:");
  EXPECT_EQ(kept("import collections\nclass W:\n    recent = collections.deque([], 10)\n"
                 "    def fill(self, rows):\n        for r in rows:\n"
                 "            self.recent.append(Made(r))\n"),
            "none:  | across:");
  EXPECT_EQ(kept("from collections import deque\nclass W:\n    def __init__(self):\n"
                 "        self.recent = deque(maxlen=100)\n    def reset(self):\n"
                 "        self.recent = []\n    def fill(self, rows):\n"
                 "        for r in rows:\n            self.recent.append(Made(r))\n"),
            "container: kept in `self.recent` (outlives) | across: rows");
  // Held weakly: nothing keeps them.
  EXPECT_EQ(kept("import weakref\ndef f(rows):\n    live = weakref.WeakSet()\n"
                 "    for r in rows:\n        live.add(Made(r))\n    return live\n"),
            "none:  | across:");
  // One in many: `not i % N`, or the rest of the pass skipped by `if i % N: continue`.
  EXPECT_EQ(kept("def f(rows, out):\n    for i in rows:\n        if not i % 100_000:\n"
                 "            out.append(Made(i))\n"),
            "none:  | across:");
  EXPECT_EQ(kept("def f(rows, out):\n    for i in rows:\n        if i % 10_000:\n"
                 "            continue\n        out.append(Made(i))\n"),
            "none:  | across:");
  EXPECT_EQ(kept("def f(rows, out):\n    for i in rows:\n        if i % 2:\n"
                 "            continue\n        out.append(Made(i))\n"),
            "container: kept in `out` | across: rows");
}

TEST(RetentionEvidence, CollectionsNamesReturnsAndYields) {
  EXPECT_EQ(kept("def f(rows):\n    return [Made(r) for r in rows]\n"),
            "returned: returned by `f()` (outlives) | across: rows");
  EXPECT_EQ(
      kept("class S:\n    def f(self, rows):\n        self.rows = {r: Made(r) for r in rows}\n"),
      "name: kept in `self.rows` (outlives) | across: rows");
  EXPECT_EQ(kept("def f(rows):\n    return sorted(Made(r) for r in rows)\n"),
            "returned: returned by `f()` (outlives) | across: rows");
  EXPECT_EQ(kept("def f(rows):\n    for r in rows:\n        yield Made(r)\n"),
            "yielded: yielded by `f()` (outlives) | across: rows");
  // Rebound on every pass: one at a time.
  EXPECT_EQ(kept("class S:\n    def f(self, rows):\n        for r in rows:\n"
                 "            self.last = Made(r)\n"),
            "name: kept in `self.last` (outlives) | across:");
  // A return inside the loop ends it: the first value only.
  EXPECT_EQ(kept("def f(rows):\n    for r in rows:\n        return Made(r)\n"),
            "returned: returned by `f()` (outlives) | across:");
}

TEST(RetentionEvidence, BoundThenStoredAndPassedToAStoringCall) {
  EXPECT_EQ(kept("class S:\n    def f(self, rows):\n        for r in rows:\n"
                 "            rec = Made(r)\n            rec.check()\n            "
                 "self.rows.append(rec)\n"),
            "container: kept in `self.rows` (outlives) | across: rows");
  EXPECT_EQ(
      kept("class S:\n    def set_state(self, host, state):\n        self.states[host] = state\n"
           "    def scan(self, hosts):\n        for h in hosts:\n"
           "            self.set_state(h, Made(h))\n"),
      "call: kept in `self.states` by `set_state()` (outlives) | across: hosts");
  EXPECT_EQ(kept("PLUGINS = []\ndef register(p):\n    PLUGINS.append(p)\n"
                 "def scan(paths):\n    for p in paths:\n        register(Made(p))\n"),
            "call: kept in `PLUGINS` by `register()` (outlives) | across: paths");
}

TEST(RetentionEvidence, UsedWithinThePassIsNotKept) {
  // Bound to a name that each pass binds again: one at a time.
  EXPECT_EQ(kept("def f(rows):\n    for r in rows:\n        p = Made(r)\n        p.run()\n"),
            "name: kept in `p` | across:");
  EXPECT_EQ(kept("def f(rows):\n    for r in rows:\n        print(Made(r))\n"), "none:  | across:");
  EXPECT_EQ(kept("def f(rows):\n    return any([Made(r) for r in rows])\n"), "none:  | across:");
  EXPECT_EQ(kept("def f(rows):\n    return ''.join(Made(r) for r in rows)\n"), "none:  | across:");
  // A function that does not keep its parameter.
  EXPECT_EQ(
      kept("def show(p):\n    print(p)\ndef f(rows):\n    for r in rows:\n        show(Made(r))\n"),
      "none:  | across:");
  // One per failure, in an `except` handler inside the loop.
  EXPECT_EQ(
      kept("def f(rows):\n    tried = []\n    for r in rows:\n        try:\n            g(r)\n"
           "        except OSError:\n            tried.append(Made(r))\n"),
      "container: kept in `tried` | across:");
}

TEST(ClassLayout, SlotsDictionariesAndAttributes) {
  EXPECT_EQ(kept("class Probe:\n    def __init__(self, a):\n        self.a = a\n        self.b, "
                 "self.c = a, a\n"
                 "    @classmethod\n    def make(cls):\n        cls.d = 1\n"),
            "no slots: a b c ");
  EXPECT_EQ(
      kept(
          "class Probe:\n    __slots__ = ('a',)\n    def __init__(self, a):\n        self.a = a\n"),
      "slots: a ");
  EXPECT_EQ(kept("class Probe:\n    def __init__(self, d):\n        vars(self).update(d)\n"),
            "no slots, keeps dict: ");
  EXPECT_EQ(
      kept("def vars(x):\n    return x\nclass Probe:\n    def f(self):\n        vars(self)\n"),
      "no slots: ");
  EXPECT_EQ(kept("import functools\nclass Probe:\n    @functools.lru_cache\n"
                 "    def __new__(cls, name):\n        return object.__new__(cls)\n"),
            "no slots, interned: ");
  EXPECT_EQ(kept("from dataclasses import dataclass\n@dataclass\nclass Probe:\n    a: int\n"),
            "no slots, dataclass: ");
  EXPECT_EQ(kept("import attr\n@attr.s\nclass Probe:\n    a = attr.ib()\n"),
            "no slots, keeps dict: ");
  EXPECT_EQ(kept("import attrs\n@attrs.define\nclass Probe:\n    a: int\n"), "slots: ");
  EXPECT_EQ(kept("class Probe(metaclass=Meta):\n    pass\n"), "no slots, keeps dict: ");
}

}  // namespace
}  // namespace heaplint

namespace heaplint {
namespace {

TEST(CodeModel, ReceiverMembersFromTheClassBody) {
  const std::string text = R"(import abc

class Widget:
    def close(self): ...

    @classmethod
    def build(cls): ...

    @staticmethod
    def helper(): ...

    @property
    def size(self): ...

    @abc.abstractmethod
    def draw(self): ...

    def patched(self): ...

    def __init__(self):
        self.patched = None
        member_kind(self.close)
        member_kind(self.build)
        member_kind(self.helper)
        member_kind(self.size)
        member_kind(self.draw)
        member_kind(self.patched)
        member_kind(self.inherited)

    @classmethod
    def make(cls):
        member_kind(cls.build)
        member_kind(cls.close)

def outside(self):
    member_kind(self.close)
)";
  EXPECT_EQ(probe(text),
            (std::vector<std::string>{"instance method", "class method", "static method", "unknown",
                                      "instance method", "unknown", "unknown", "class method",
                                      "unknown", "unknown"}));
}

}  // namespace
}  // namespace heaplint

// --- What keys are made of (key_evidence.h), who calls with what (call_evidence.h), how
// containers grow (container_evidence.h): asked by a probe of their own.
#include "analyzer/call_evidence.h"
#include "analyzer/container_evidence.h"
#include "analyzer/key_evidence.h"

namespace heaplint {
namespace {

// `key_of(x)` reports keyEvidence(x); a function named `target` reports what its callers pass
// for its first parameter; a module-level `_cache` reports how it grows.
class KeyProbe final : public RuleChecker {
 public:
  KeyProbe()
      : uses_([](TSNode node, const RuleContext& context) {
          return context.text(node) == "_cache" || context.text(node).ends_with("._cache");
        }) {}

  void onNode(TSNode node, NodeKind kind, RuleContext& context) override {
    if (kind == NodeKind::Call && context.text(childByField(node, Field::Function)) == "key_of") {
      probes_.push_back({node, context.scope()});
    }
    for (NodeKind use : containerUseKinds()) {
      if (use == kind) uses_.onNode(node, kind, context);
    }
  }

  void finish(RuleContext& context) override {
    for (const auto& [call, scope] : probes_) {
      const KeyEvidence evidence =
          keyEvidence(context, scope, nthNamedChild(childByField(call, Field::Arguments), 0));
      report(context, call,
             std::string(keySourceName(evidence.source)) + " " +
                 std::to_string(evidence.parameters) + ": " + evidence.reason);
    }
    const CallFacts& facts = context.callFacts();
    CallIndex index;
    index.add(0, facts);
    // What the facts say of the calls of a function named `plain`.
    for (const CallSite& site : facts.calls) {
      if (!site.callee.ends_with(".plain")) continue;
      Diagnostic diagnostic;
      diagnostic.message = "plain called at line " + std::to_string(site.row + 1) + " with " +
                           std::to_string(site.arguments.size()) + " arguments described";
      context.report(std::move(diagnostic));
    }
    for (const Binding& binding : context.semantic().bindings()) {
      if (binding.name != "target" || binding.kind != BindingKind::FunctionDefinition) continue;
      const FunctionSignature signature = functionSignature(context, binding.node, binding.scope);
      const CallIndex::Keys keys = index.keysFromCallers(signature, 1);
      report(context, binding.node,
             "callers " + std::string(keySourceName(keys.source)) + ": " + keys.reason +
                 (keys.has_callers ? "" : " (no callers)") +
                 (keys.unseen_callers ? " (unseen callers)" : "") +
                 (index.isCleared(signature.name) ? " (cleared)" : ""));
    }
    ContainerFacts containers;
    const std::vector<ContainerUse> uses = uses_.finish(context);
    describeContainerUses(
        context, uses, [](const ContainerUse&) { return std::string("_cache"); }, containers);
    ContainerLedger ledger;
    ledger.add(0, containers, index);
    if (!containers.events.empty()) {
      const auto growth = ledger.growthOf("_cache", index);
      std::string message = ledger.isEvicted("_cache") ? "evicted" : "kept";
      if (growth) {
        message += " grows " + std::string(keySourceName(growth->source)) + ": " + growth->reason;
      }
      Diagnostic diagnostic;
      diagnostic.message = message;
      context.report(std::move(diagnostic));
    }
  }

 private:
  static void report(RuleContext& context, TSNode node, std::string message) {
    Diagnostic diagnostic;
    diagnostic.start = ts_node_start_byte(node);
    diagnostic.end = ts_node_end_byte(node);
    diagnostic.message = std::move(message);
    context.report(std::move(diagnostic));
  }

  std::vector<std::pair<TSNode, ScopeId>> probes_;
  ContainerUseCollector uses_;
};

constexpr std::array kKeyProbeKinds = {
    NodeKind::Call,
    NodeKind::Identifier,
    NodeKind::Attribute,
    NodeKind::Subscript,
    NodeKind::Assignment,
    NodeKind::AugmentedAssignment,
    NodeKind::ComparisonOperator,
};
const RuleDefinition kKeyProbe{
    .code = "TEST011",
    .name = "key-probe",
    .subscriptions = kKeyProbeKinds,
    .create = []() -> std::unique_ptr<RuleChecker> { return std::make_unique<KeyProbe>(); },
    .uses_call_facts = true,
};

// The same probe for a rule that follows keys only into functions with a mutable default.
const RuleDefinition kKeyProbeForMutableDefaults{
    .code = "TEST012",
    .name = "key-probe-for-mutable-defaults",
    .subscriptions = kKeyProbeKinds,
    .create = []() -> std::unique_ptr<RuleChecker> { return std::make_unique<KeyProbe>(); },
    .uses_call_facts = true,
    .call_facts_for_mutable_defaults = true,
};

std::vector<std::string> keyProbe(const std::string& text, const std::string& module = "app.mod",
                                  const RuleDefinition* probe = &kKeyProbe) {
  static const RuleDefinition* table[1];
  table[0] = probe;
  AnalysisOptions options;
  options.rules = RuleTable(table, 1);
  options.enabled.set(0);
  options.path = "app/mod.py";
  options.module.name = module;
  const SourceText source(text);
  std::vector<std::string> messages;
  for (const Diagnostic& diagnostic : analyze(source, options).diagnostics) {
    messages.push_back(diagnostic.message);
  }
  return messages;
}

std::string key(const std::string& text) {
  const std::vector<std::string> messages = keyProbe(text);
  EXPECT_EQ(messages.size(), 1U) << text;
  return messages.empty() ? std::string() : messages.front();
}

TEST(KeyEvidence, ClosedSetsAndClasses) {
  EXPECT_EQ(key("key_of('x')\n"), "closed 0: a literal");
  EXPECT_EQ(key("NAMES = {}\ndef f():\n    key_of(NAMES)\n"), "closed 0: the module-level `NAMES`");
  EXPECT_EQ(key("import sys\ndef f():\n    key_of(sys.version)\n"), "closed 0: `sys.version`");
  EXPECT_EQ(key("def f(obj):\n    key_of(type(obj))\n"), "class 0: `type(obj)`");
  EXPECT_EQ(key("def f(obj):\n    key_of(obj.__class__)\n"), "class 0: `obj.__class__`");
  EXPECT_EQ(key("class A:\n    pass\ndef f():\n    key_of(A)\n"), "class 0: the class `A`");
  EXPECT_EQ(key("def f(kind: type[int]):\n    key_of(kind)\n"), "class 0: `kind`");
  EXPECT_EQ(key("def f():\n    for name in ('a', 'b'):\n        key_of(name)\n"),
            "closed 0: `name`, an item of a literal of 2 items");
  // One of a few values, whatever the data: the condition only picks a branch, a remainder by a
  // written number has that many values.
  EXPECT_EQ(key("def f(path):\n    for line in open(path):\n"
                "        key_of('comment' if line.startswith('#') else 'code')\n"),
            "closed 0: a literal");
  EXPECT_EQ(key("def f(path):\n    for line in open(path):\n        key_of(hash(line) % 16)\n"),
            "closed 0: a remainder");
  EXPECT_EQ(key("def f(path, n):\n    for line in open(path):\n        key_of(hash(line) % n)\n"),
            "data 2: `line`, an item of the result of `open()`");
  EXPECT_EQ(key("def f(path):\n    for line in open(path):\n"
                "        key_of(line if line else 'empty')\n"),
            "data 0: `line`, an item of the result of `open()`");
  // `min()` with a written limit is one of that many numbers; `max()` or a limit from a
  // parameter is not.
  EXPECT_EQ(key("def f(path):\n    for line in open(path):\n        key_of(min(len(line), 80))\n"),
            "closed 0: a length below a limit, `min(len(line), 80)`");
  EXPECT_EQ(key("def f(path):\n    for line in open(path):\n        key_of(max(len(line), 80))\n")
                .substr(0, 7),
            "data 0:");
  EXPECT_EQ(key("def f(path):\n    for line in open(path):\n        key_of(min(float(line), 80))\n")
                .substr(0, 7),
            "data 0:");
  EXPECT_EQ(
      key("def f(path):\n    for line in open(path):\n        key_of(min(len(line), 10**9))\n")
          .substr(0, 7),
      "data 0:");
  EXPECT_EQ(key("def f(path, n):\n    for line in open(path):\n        key_of(min(len(line), n))\n")
                .substr(0, 7),
            "data 2:");
}

TEST(KeyEvidence, YesOrNoAnswersAndEnumMembersAreClosed) {
  EXPECT_EQ(key("def f(path):\n    for line in open(path):\n"
                "        key_of(line.startswith('#'))\n"),
            "closed 0: a boolean, `line.startswith('#')`");
  EXPECT_EQ(key("def f(path):\n    for line in open(path):\n        key_of(bool(line))\n"),
            "closed 0: a boolean, `bool(line)`");
  EXPECT_EQ(key("import enum\nclass Level(enum.Enum):\n    LOW = 1\n"
                "def f(path):\n    for line in open(path):\n        key_of(Level(line))\n"),
            "closed 0: a member of the Enum `Level`");
  // Not every method answers yes or no, nor every class is an Enum.
  EXPECT_EQ(key("def f(path):\n    for line in open(path):\n        key_of(line.strip())\n"),
            "data 0: `line`, an item of the result of `open()`");
}

TEST(KeyEvidence, ConfigurationAndData) {
  EXPECT_EQ(key("from django.conf import settings\ndef f(request):\n"
                "    key_of(getattr(request, 'urlconf', settings.ROOT_URLCONF))\n"),
            "configuration 0: the setting `settings.ROOT_URLCONF`");
  EXPECT_EQ(key("def f(options):\n    key_of(options.python_executable)\n"),
            "configuration 0: the setting `options.python_executable`");
  EXPECT_EQ(key("def f(path):\n    for line in open(path):\n        key_of(line)\n"),
            "data 0: `line`, an item of the result of `open()`");
}

TEST(KeyEvidence, ObjectsThatTheKeyKeepsAlive) {
  EXPECT_EQ(key("class W:\n    def f(self):\n        key_of(self)\n"), "object 0: `self`");
  EXPECT_EQ(key("class W:\n    def draw(self):\n        pass\n    def f(self):\n"
                "        key_of(self.draw)\n"),
            "object 0: the bound method `self.draw`, which holds `self`");
  EXPECT_EQ(key("class W:\n    def f(self):\n        key_of(self.name)\n"),
            "unknown 0: `self.name`");
  EXPECT_EQ(key("class Figure:\n    pass\ndef f():\n    key_of(Figure())\n"),
            "object 0: a new `Figure`");
  EXPECT_EQ(key("from app.contacts import Contact\ndef f(contact: Contact):\n"
                "    print(contact.name)\n    key_of(contact)\n"),
            "object 0: `contact`, a `Contact`");
  EXPECT_EQ(key("from app import types\ndef f(contact: types.Contact | None):\n"
                "    contact.refresh()\n    color = get_color(contact)\n    key_of(color)\n"),
            "entity 0: `color`, `get_color(contact)`, made from `contact`, a `Contact`");
  // Not used as an object: an imported name may be a type alias (`Pos = int`).
  EXPECT_EQ(key("from app.types import Pos\ndef f(src, pos: Pos):\n    key_of(pos)\n"),
            "closed 2: `pos`, a parameter of `f()`");
  // A property is a value of the instance, not a bound method.
  EXPECT_EQ(key("class W:\n    @property\n    def name(self):\n        return 1\n"
                "    def f(self):\n        key_of(self.name)\n"),
            "unknown 0: `self.name`");
  // A class of another package is no entity of this program's.
  EXPECT_EQ(key("import re\ndef f(match: re.Match):\n    key_of(match.group(1))\n"),
            "closed 1: `match`, a parameter of `f()`");
}

TEST(KeyEvidence, ParametersAreTheCallersToDecide) {
  EXPECT_EQ(key("def f(a, key):\n    key_of((key, 'x'))\n"),
            "closed 2: `key`, a parameter of `f()`");
  EXPECT_EQ(key("def f(segment):\n    segment = str(segment)\n    key_of(segment)\n"),
            "closed 1: `segment`, a parameter of `f()`");
  EXPECT_EQ(key("def f(match):\n    hour, minute = match.groups()\n    key_of(hour)\n"),
            "closed 1: `match`, a parameter of `f()`");
  // A helper nested in the function is part of it.
  EXPECT_EQ(key("def f(key):\n    def helper():\n        key_of(key)\n"),
            "closed 1: `key`, a parameter of `f()`");
  EXPECT_EQ(key("def f():\n    key_of(next_id())\n"), "unknown 0: `next_id()`");
}

TEST(KeyEvidence, ReasonsInFactsCarryNoLineNumbers) {
  EXPECT_EQ(reasonForFacts("`line`, an item of the lines of the file opened at line 926"),
            "`line`, an item of the lines of the file opened");
  EXPECT_EQ(reasonForFacts("at line 3 and at line 12, `x`"), "at line 3 and, `x`");
  EXPECT_EQ(reasonForFacts("a name at line start"), "a name at line start");
}

TEST(CallEvidence, CallersDecideWhatParametersHold) {
  const auto callers = [](const std::string& text) {
    for (const std::string& message : keyProbe(text)) {
      if (message.starts_with("callers")) return message;
    }
    return std::string("no target");
  };
  EXPECT_EQ(callers("def target(name):\n    SEEN.add(name)\ndef a():\n    target('x')\n"
                    "def b():\n    target('y')\n"),
            "callers closed: a literal");
  EXPECT_EQ(
      callers("def target(name):\n    SEEN.add(name)\ndef a(path):\n    for line in open(path):\n"
              "        target(line)\n"),
      "callers data: `line`, an item of the result of `open()`");
  // A caller passing on its own input: its own callers decide, if the project shows them.
  EXPECT_EQ(callers("def target(name):\n    SEEN.add(name)\ndef a(value):\n    target(value)\n"
                    "def b(other):\n    a(other)\ndef c(more):\n    b(more)\ndef d(x):\n"
                    "    c(x)\nd(1)\nd(y)\n"),
            "callers parameter: `value`, a parameter of `a()`");
  EXPECT_EQ(callers("def target(name):\n    SEEN.add(name)\ndef a(value):\n    target(value)\n"),
            "callers unknown: `value`, a parameter of `a()`, which no caller in the project "
            "shows");
  EXPECT_EQ(callers("def target(name):\n    SEEN.add(name)\ndef a(value):\n    target(value)\n"
                    "def b():\n    a('x')\n    a('y')\n"),
            "callers closed: a literal");
  EXPECT_EQ(callers("def target(name):\n    SEEN.add(name)\ndef a(value):\n    target(value)\n"
                    "def b(path):\n    for line in open(path):\n        a(line)\n"),
            "callers data: `line`, an item of the result of `open()`");
  // Left out: the default decides; recursion passes on what it was given.
  EXPECT_EQ(callers("def target(version=None):\n    target(version.upper())\n"
                    "def a():\n    target()\n"),
            "callers closed: the default of `version`");
  EXPECT_EQ(callers("def target(name):\n    SEEN.add(name)\n"), "callers unknown:  (no callers)");
  EXPECT_EQ(callers("def target(name):\n    SEEN.add(name)\ndef a():\n    target('x')\n"
                    "register(target)\n"),
            "callers closed: a literal (unseen callers)");
  EXPECT_EQ(callers("import functools\n@functools.cache\ndef target(name):\n    SEEN.add(name)\n"
                    "def a():\n    target.cache_clear()\n"),
            "callers unknown:  (no callers) (cleared)");
  // Methods: `self` fills the first slot.
  EXPECT_EQ(callers("class C:\n    @staticmethod\n    def target(name):\n        pass\n"
                    "    def run(self, rows):\n        self.target(rows)\n"
                    "def f(path):\n    C().run(open(path))\n"),
            "callers unknown: `rows`, a parameter of `C.run()`, which no caller in the project "
            "shows");
  EXPECT_EQ(callers("class C:\n    @staticmethod\n    def target(name):\n        pass\n"
                    "    def run(self):\n        self.target('x')\n"),
            "callers closed: a literal");

  // Only the calls of functions that may fill a cache, or pass their parameters on to one,
  // have their arguments described.
  const auto described = [](const std::string& text) {
    std::vector<std::string> found;
    for (const std::string& message : keyProbe(text)) {
      if (message.starts_with("plain")) found.push_back(message);
    }
    return found;
  };
  EXPECT_EQ(described("def plain(name):\n    return name.upper()\ndef a(path):\n"
                      "    for line in open(path):\n        plain(line)\n"),
            std::vector<std::string>{"plain called at line 5 with 0 arguments described"});
  EXPECT_EQ(described("def plain(name):\n    SEEN[name] = 1\ndef a():\n    plain('x')\n"),
            std::vector<std::string>{"plain called at line 4 with 1 arguments described"});
  EXPECT_EQ(described("from app import helpers\ndef plain(name):\n    helpers.remember(name)\n"
                      "def a():\n    plain('x')\n"),
            std::vector<std::string>{"plain called at line 5 with 1 arguments described"});
  EXPECT_EQ(described("class C:\n    def plain(self, name):\n        return name\n"
                      "    def run(self):\n        self.plain('x')\n"),
            std::vector<std::string>{"plain called at line 5 with 0 arguments described"});
  EXPECT_EQ(described("class C:\n    @property\n    def plain(self):\n        return 1\n"
                      "    def run(self):\n        self.plain('x')\n"),
            std::vector<std::string>{"plain called at line 6 with 1 arguments described"});

  // For rules that follow keys into functions with a mutable default only (MEM204): the calls
  // of those, and of the functions that pass their parameters on to them.
  const auto describedForMutableDefaults = [](const std::string& text) {
    std::vector<std::string> found;
    for (const std::string& message : keyProbe(text, "app.mod", &kKeyProbeForMutableDefaults)) {
      if (message.starts_with("plain")) found.push_back(message);
    }
    return found;
  };
  const std::string fills = "def plain(name):\n    SEEN[name] = 1\ndef a():\n    plain('x')\n";
  EXPECT_EQ(describedForMutableDefaults(fills),
            std::vector<std::string>{"plain called at line 4 with 0 arguments described"});
  for (const char* mutable_default : {"{}", "[]", "set()", "{k: 1 for k in 'ab'}"}) {
    EXPECT_EQ(describedForMutableDefaults("def plain(name, _seen=" + std::string(mutable_default) +
                                          "):\n    _seen[name] = 1\ndef a():\n    plain('x')\n"),
              std::vector<std::string>{"plain called at line 4 with 1 arguments described"})
        << mutable_default;
  }
  EXPECT_EQ(describedForMutableDefaults("def memo(name, _seen={}):\n    _seen[name] = 1\n"
                                        "def plain(name):\n    memo(name)\n"
                                        "def a():\n    plain('x')\n"),
            std::vector<std::string>{"plain called at line 6 with 1 arguments described"});
  EXPECT_EQ(describedForMutableDefaults("def plain(name, limit=10, label='x', flag=None):\n"
                                        "    SEEN[name] = 1\ndef a():\n    plain('x')\n"),
            std::vector<std::string>{"plain called at line 4 with 0 arguments described"});
  // Callees elsewhere may be such functions.
  EXPECT_EQ(describedForMutableDefaults("from app.other import plain\ndef a():\n    plain('x')\n"),
            std::vector<std::string>{"plain called at line 3 with 1 arguments described"});

  // A decorator registers the function at import.
  EXPECT_EQ(callers("def target(function):\n    return function\n@target\ndef g():\n    pass\n"),
            "callers closed: the decorated definition");
}

// The walk collects the calls only for rules that say they read them.
class CallCounter final : public RuleChecker {
 public:
  void onNode(TSNode /*node*/, NodeKind /*kind*/, RuleContext& /*context*/) override {}
  void finish(RuleContext& context) override {
    Diagnostic diagnostic;
    diagnostic.message = std::to_string(context.callFacts().calls.size()) + " calls";
    context.report(std::move(diagnostic));
  }
};

std::string countCalls(bool uses_call_facts) {
  static const RuleDefinition counting{
      .code = "TEST012",
      .name = "call-counter",
      .create = []() -> std::unique_ptr<RuleChecker> { return std::make_unique<CallCounter>(); },
      .uses_call_facts = true,
  };
  static const RuleDefinition not_asking{
      .code = "TEST013",
      .name = "call-counter-not-asking",
      .create = []() -> std::unique_ptr<RuleChecker> { return std::make_unique<CallCounter>(); },
  };
  static const RuleDefinition* table[1];
  table[0] = uses_call_facts ? &counting : &not_asking;
  AnalysisOptions options;
  options.rules = RuleTable(table, 1);
  options.enabled.set(0);
  options.path = "app/mod.py";
  options.module.name = "app.mod";
  const SourceText source("def load(x):\n    return x\nload(1)\nload(2)\n");
  const FileAnalysis analysis = analyze(source, options);
  return analysis.diagnostics.empty() ? std::string() : analysis.diagnostics.front().message;
}

TEST(CallEvidence, CollectedOnlyForRulesThatReadThem) {
  EXPECT_EQ(countCalls(true), "2 calls");
  EXPECT_EQ(countCalls(false), "0 calls");
}

TEST(CallEvidence, ReexportedNamesAreOneFunction) {
  CallFacts package;
  package.aliases = {{"pkg.FiniteField", "pkg.finitefield.FiniteField"}};
  CallFacts user;
  CallSite site;
  site.callee = "pkg.FiniteField";
  site.caller = "app.run";
  site.arguments.push_back(CallArgument{"", KeySource::Data, 0, "rows"});
  user.calls.push_back(site);
  user.referenced = {"pkg.FiniteField.make"};
  CallIndex index;
  index.add(0, user);  // added before the package that re-exports the name
  index.add(1, package);
  EXPECT_EQ(index.callsOf("pkg.finitefield.FiniteField").size(), 1U);
  EXPECT_TRUE(index.callsOf("pkg.FiniteField").empty());
  EXPECT_EQ(index.canonical("pkg.FiniteField.make"), "pkg.finitefield.FiniteField.make");
  EXPECT_TRUE(index.isReferenced("pkg.finitefield.FiniteField.make"));
}

TEST(ContainerEvidence, GrowthEvictionAndKeys) {
  const auto growth = [](const std::string& text) {
    for (const std::string& message : keyProbe(text)) {
      if (message.starts_with("kept") || message.starts_with("evicted")) return message;
    }
    return std::string("no uses");
  };
  EXPECT_EQ(growth("_cache = {}\ndef load(key):\n    _cache[key] = 1\n"
                   "def run(path):\n    for line in open(path):\n        load(line)\n"),
            "kept grows data: `line`, an item of the result of `open()`");
  EXPECT_EQ(growth("_cache = set()\nclass C:\n    def __init__(self):\n"
                   "        _cache.add(self)\n"),
            "kept grows object: `self`");
  EXPECT_EQ(growth("_cache = {}\ndef load(key):\n    _cache[key] = 1\ndef a():\n    load('x')\n"),
            "kept grows closed: a literal");
  EXPECT_EQ(growth("_cache = {}\ndef load(key):\n    _cache[key] = 1\n"),
            "kept grows parameter: `key`, a parameter of `load()`");
  EXPECT_EQ(growth("import collections\n_cache = collections.defaultdict(list)\n"
                   "class C:\n    def on(self, event: 'x'):\n"
                   "        _cache['all'].append(Event())\nclass Event:\n    pass\n"),
            "kept grows object: a new `Event`");
  EXPECT_EQ(growth("_cache = {}\ndef load(key):\n    _cache[key] = 1\ndef drop():\n"
                   "    _cache.clear()\n"),
            "evicted grows parameter: `key`, a parameter of `load()`");
  EXPECT_EQ(growth("_cache = {}\ndef load(key):\n    if len(_cache) > 100:\n        return\n"
                   "    _cache[key] = 1\n"),
            "evicted grows parameter: `key`, a parameter of `load()`");
  EXPECT_EQ(growth("_cache = {}\ndef load(key):\n    _cache[key] = 1\n    consume(_cache)\n"),
            "evicted grows parameter: `key`, a parameter of `load()`");
  EXPECT_EQ(growth("_cache = {}\ndef load(key):\n    _cache[key] = 1\n    print(sorted(_cache))\n"),
            "kept grows parameter: `key`, a parameter of `load()`");
  // Demonstration code does not count.
  EXPECT_EQ(growth("_cache = {}\ndef run_demo(path):\n    for line in open(path):\n"
                   "        _cache[line] = 1\n"),
            "kept");
}

TEST(CallEvidence, DemoAndDebugCode) {
  EXPECT_TRUE(isDemoOrDebugCode("nltk.classify.util.wsd_demo"));
  EXPECT_TRUE(isDemoOrDebugCode("pyqtgraph.debug.qObjectReport"));
  EXPECT_TRUE(isDemoOrDebugCode("pyqtgraph.examples.ExampleApp.load"));
  EXPECT_FALSE(isDemoOrDebugCode("pyramid.traversal.quote_path_segment"));
  EXPECT_FALSE(isDemoOrDebugCode("app.exemplary.load"));
  EXPECT_TRUE(isDemoOrDebugCode("app.DemoApp.run"));
  EXPECT_TRUE(isDemoOrDebugCode("app.demonstration.load"));
  EXPECT_TRUE(isDemoOrDebugCode("app.demos.load"));
  // Words that only hold the letters.
  EXPECT_TRUE(isDemoOrDebugCode("app.demotools.run"));
  EXPECT_TRUE(isDemoOrDebugCode("app.demolib.run"));
  for (const char* name :
       {"census.demographics.load", "app.democracy.vote", "app.pandemonium.run", "users.demote",
        "site.demolish.plan", "libcst.codemod.run", "radio.demodulate", "camera.demosaic"}) {
    EXPECT_FALSE(isDemoOrDebugCode(name)) << name;
  }
}

}  // namespace
}  // namespace heaplint

// --- argument_evidence.h: which parameters the callers of the project pass ---

namespace heaplint {
namespace {

CallSite callOf(std::string callee, std::string caller, CallForm form,
                std::vector<std::string> keywords) {
  CallSite site;
  site.callee = std::move(callee);
  site.caller = std::move(caller);
  site.form = form;
  for (std::string& keyword : keywords) {
    CallArgument argument;
    argument.keyword = std::move(keyword);  // empty: positional
    site.arguments.push_back(std::move(argument));
  }
  return site;
}

FunctionSignature signatureOf(std::string name, MethodKind kind,
                              std::vector<std::string> parameters) {
  FunctionSignature signature;
  signature.name = std::move(name);
  signature.kind = kind;
  for (std::string& parameter : parameters) {
    signature.slots.push_back(
        FunctionSignature::Slot{std::move(parameter), true, false, KeySource::Unknown});
  }
  return signature;
}

TEST(ArgumentEvidence, CallersThatPassAParameter) {
  CallFacts facts;
  // fib(n - 1, _memo) inside fib itself: recursion passes the memo on.
  facts.calls.push_back(callOf("app.fib", "app.fib", CallForm::Plain, {"", ""}));
  facts.calls.push_back(callOf("app.fib", "app.main", CallForm::Plain, {""}));
  // walk(root, seen) from elsewhere: an accumulator handed in.
  facts.calls.push_back(callOf("app.walk", "app.main", CallForm::Plain, {"", ""}));
  // render("x", context={...}): by keyword.
  facts.calls.push_back(callOf("app.render", "", CallForm::Plain, {"", "context"}));
  // obj.lookup(key) binds `key` to the slot after `self`; Class.lookup(obj, key) does not.
  facts.calls.push_back(callOf("app.Table.lookup", "app.main", CallForm::Instance, {""}));
  facts.calls.push_back(callOf("app.Table.get", "app.main", CallForm::Class, {"", ""}));
  // Table(rows) passes `rows` to `__init__`'s slot after `self`.
  facts.calls.push_back(callOf("app.Table", "app.main", CallForm::Constructor, {""}));
  CallSite unpacked = callOf("app.spread", "app.main", CallForm::Plain, {});
  unpacked.unpacked = true;
  facts.calls.push_back(unpacked);
  CallIndex calls;
  calls.add(3, facts);

  const FunctionSignature fib = signatureOf("app.fib", MethodKind::NotAMethod, {"n", "_memo"});
  EXPECT_FALSE(callPassing(calls, fib, 1).has_value());
  ASSERT_TRUE(callPassing(calls, fib, 0).has_value());
  EXPECT_EQ(callPassing(calls, fib, 0)->file, 3U);
  const FunctionSignature walk = signatureOf("app.walk", MethodKind::NotAMethod, {"node", "seen"});
  EXPECT_TRUE(callPassing(calls, walk, 1).has_value());
  const FunctionSignature render =
      signatureOf("app.render", MethodKind::NotAMethod, {"name", "cache", "context"});
  EXPECT_FALSE(callPassing(calls, render, 1).has_value());
  EXPECT_TRUE(callPassing(calls, render, 2).has_value());
  const FunctionSignature lookup =
      signatureOf("app.Table.lookup", MethodKind::Instance, {"self", "key", "_cache"});
  EXPECT_TRUE(callPassing(calls, lookup, 1).has_value());
  EXPECT_FALSE(callPassing(calls, lookup, 2).has_value());
  const FunctionSignature get =
      signatureOf("app.Table.get", MethodKind::Instance, {"self", "key", "_cache"});
  EXPECT_TRUE(callPassing(calls, get, 1).has_value());
  EXPECT_FALSE(callPassing(calls, get, 2).has_value());
  const FunctionSignature init =
      signatureOf("app.Table.__init__", MethodKind::Instance, {"self", "rows", "_seen"});
  EXPECT_TRUE(callPassing(calls, init, 1).has_value());
  EXPECT_FALSE(callPassing(calls, init, 2).has_value());
  const FunctionSignature spread =
      signatureOf("app.spread", MethodKind::NotAMethod, {"x", "_cache"});
  ASSERT_TRUE(callPassing(calls, spread, 1).has_value());
  EXPECT_TRUE(callPassing(calls, spread, 1)->unpacked);
  EXPECT_FALSE(callPassing(calls, spread, 7).has_value());
}

}  // namespace
}  // namespace heaplint

// --- frame_evidence.h: which expressions keep a frame ---

namespace heaplint {
namespace {

// Reports, for every call that makes frames and every `.tb_frame`, the outermost expression that
// still holds the frame, what it holds and whether it is the calling function's own frame.
class FrameProbe final : public RuleChecker {
 public:
  void onNode(TSNode node, NodeKind kind, RuleContext& context) override {
    sources_.emplace_back(node, context.scope());
    (void)kind;
  }
  void finish(RuleContext& context) override {
    for (const auto& [node, scope] : sources_) {
      std::string qualified;
      if (kindOf(node) == NodeKind::Call) {
        qualified = context.semantic().qualifiedName(scope, childByField(node, Field::Function));
        if (framesMadeBy(qualified) == FrameHeld::Nothing) continue;
      } else if (context.text(childByField(node, Field::AttributeName)) != "tb_frame") {
        continue;
      }
      const FrameValue frame = frameValueOf(context, node, qualified);
      static constexpr const char* kHeld[] = {"nothing", "frame", "stack", "record"};
      Diagnostic diagnostic;
      diagnostic.message = std::string(kHeld[static_cast<int>(frame.held)]) + " " +
                           std::string(context.text(frame.value)) + (frame.own ? " own" : "");
      context.report(std::move(diagnostic));
    }
  }

 private:
  std::vector<std::pair<TSNode, ScopeId>> sources_;
};

constexpr std::array kFrameKinds = {NodeKind::Call, NodeKind::Attribute};
const RuleDefinition kFrameProbe{
    .code = "TEST012",
    .name = "frame-probe",
    .subscriptions = kFrameKinds,
    .create = []() -> std::unique_ptr<RuleChecker> { return std::make_unique<FrameProbe>(); },
};

std::vector<std::string> framesIn(const std::string& text) {
  static const RuleDefinition* table[1] = {&kFrameProbe};
  AnalysisOptions options;
  options.rules = RuleTable(table, 1);
  options.enabled.set(0);
  options.path = "pkg/module.py";
  options.module.name = "pkg.module";
  const SourceText source(text);
  std::vector<std::string> messages;
  for (const Diagnostic& diagnostic : analyze(source, options).diagnostics) {
    messages.push_back(diagnostic.message);
  }
  return messages;
}

TEST(FrameEvidence, WhatKeepsAFrame) {
  using Lines = std::vector<std::string>;
  EXPECT_EQ(
      framesIn("import sys\ndef f():\n    x = sys._getframe()\n    y = sys._getframe(0)\n"
               "    z = sys._getframe(1)\n"),
      (Lines{"frame sys._getframe() own", "frame sys._getframe(0) own", "frame sys._getframe(1)"}));
  EXPECT_EQ(framesIn("from sys import _getframe as gf\nimport inspect as ins\n"
                     "a = gf().f_back\nb = ins.currentframe()\n"),
            (Lines{"frame gf().f_back", "frame ins.currentframe() own"}));
  // Stack records: item 0 and `.frame` are frames; the function name is not.
  EXPECT_EQ(framesIn("import inspect\na = inspect.stack()[1][0]\nb = inspect.stack()[0].frame\n"
                     "c = inspect.stack()[1][3]\nd = inspect.stack()[1:]\ne = inspect.stack()\n"),
            (Lines{"frame inspect.stack()[1][0]", "frame inspect.stack()[0].frame own",
                   "record inspect.stack()[1]", "stack inspect.stack()[1:]",
                   "stack inspect.stack() own"}));
  // What is read from a frame is no frame.
  EXPECT_EQ(framesIn("import sys\nname = sys._getframe(1).f_code.co_name\n"),
            (Lines{"frame sys._getframe(1)"}));
  EXPECT_EQ(framesIn("def f(tb):\n    frames = [tb.tb_frame]\n"), (Lines{"stack [tb.tb_frame]"}));
  // inspect.trace() starts at the handler's function: own only in the handler.
  EXPECT_EQ(framesIn("import inspect\ndef f():\n    try:\n        pass\n    except E:\n"
                     "        t = inspect.trace()\ndef g():\n    t = inspect.trace()\n"),
            (Lines{"stack inspect.trace() own", "stack inspect.trace()"}));
  // Names that only look like the sources.
  EXPECT_EQ(framesIn("def stack():\n    pass\nx = stack()\n"), Lines{});
}

}  // namespace
}  // namespace heaplint

// --- What instances carry across files (class_hierarchy.h) --------------------------------------
// A probe that leaves describeModuleClasses() of its file as facts; the tests join files in a
// ClassHierarchy and ask what instances of each class carry.
#include "analyzer/class_hierarchy.h"
#include "analyzer/facts_io.h"

namespace heaplint {
namespace {

class ClassesProbe final : public RuleChecker {
 public:
  void onNode(TSNode /*node*/, NodeKind /*kind*/, RuleContext& /*context*/) override {}
  void finish(RuleContext& context) override {
    facts_ = std::make_unique<ClassFacts>();
    facts_->module = describeModuleClasses(context);
  }
  std::unique_ptr<FileFacts> takeFacts() override { return std::move(facts_); }

 private:
  std::unique_ptr<ClassFacts> facts_;
};

const RuleDefinition kClassesProbe{
    .code = "TEST013",
    .name = "classes-probe",
    .subscriptions = {},
    .create = []() -> std::unique_ptr<RuleChecker> { return std::make_unique<ClassesProbe>(); },
    .join = [](std::span<const ProjectFileView> /*files*/, const AnalysisOptions& /*options*/,
               ProjectReporter& /*reporter*/) {},  // facts are kept for project rules only
    .read_facts = ClassFacts::read,
};

// The file's classes, written and read back as the result cache does.
std::unique_ptr<FileFacts> classesOf(const std::string& text, const std::string& module) {
  static const RuleDefinition* table[1] = {&kClassesProbe};
  AnalysisOptions options;
  options.rules = RuleTable(table, 1);
  options.enabled.set(0);
  options.path = "module.py";
  options.module.name = module;
  const SourceText source(text);
  FileAnalysis analysis = analyze(source, options);
  std::string bytes;
  FactsWriter out(bytes);
  analysis.facts.at(0)->write(out);
  FactsReader in(bytes);
  std::unique_ptr<FileFacts> read = ClassFacts::read(in);
  EXPECT_TRUE(read != nullptr && in.atEnd());
  return read;
}

std::string presence(Presence value) {
  return value == Presence::Yes ? "yes" : value == Presence::No ? "no" : "unknown";
}

// "dict no, weakref yes" for the class `name` of the project.
std::string layoutOf(const ClassHierarchy& hierarchy, const std::string& name) {
  const ClassHierarchy::Found* found = hierarchy.find(name);
  if (found == nullptr) return "not found";
  const InstanceLayout layout = hierarchy.instanceLayout(*found->summary);
  return "dict " + presence(layout.dict) + ", weakref " + presence(layout.weakref) +
         (layout.dict_from.empty() ? "" : " from " + layout.dict_from);
}

// Every file keeps its classes until the join: the module's name is written once, and a plain
// `import` (a module, never a class) is no re-export.
TEST(ClassHierarchy, ModuleClassesNameTheirModuleOnce) {
  const std::string text =
      "import collections.abc\nimport os as system\nfrom app.base import Base as Root\n"
      "class Record(Root):\n    __slots__ = ()\nclass Other:\n    pass\n";
  const std::unique_ptr<FileFacts> facts = classesOf(text, "app.long_module_name");
  const auto& module = static_cast<const ClassFacts&>(*facts).module;
  ASSERT_EQ(module.classes.size(), 2U);
  EXPECT_EQ(module.classes[0].qualified, "app.long_module_name.Record");
  EXPECT_EQ(module.classes[0].name, "Record");
  EXPECT_EQ(module.classes[0].bases, std::vector<std::string>{"app.base.Base"});
  EXPECT_EQ(module.classes[1].qualified, "app.long_module_name.Other");
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(module.reexports, (Pairs{{"app.long_module_name.Root", "app.base.Base"}}));
  std::string bytes;
  FactsWriter out(bytes);
  facts->write(out);
  size_t seen = 0;
  for (size_t at = bytes.find("long_module_name"); at != std::string::npos;
       at = bytes.find("long_module_name", at + 1)) {
    ++seen;
  }
  EXPECT_EQ(seen, 1U);
  // A module without a name (standard input): names stand alone.
  const std::unique_ptr<FileFacts> unnamed = classesOf(text, "");
  EXPECT_EQ(static_cast<const ClassFacts&>(*unnamed).module.classes[0].qualified, "Record");
  EXPECT_EQ(static_cast<const ClassFacts&>(*unnamed).module.reexports,
            (Pairs{{"Root", "app.base.Base"}}));
}

TEST(ClassHierarchy, SlotsOfEveryBaseAcrossFiles) {
  const std::unique_ptr<FileFacts> base = classesOf(
      "class Base:\n    __slots__ = ('a',)\n"
      "class Weak:\n    __slots__ = 'w', '__weakref__'\n"
      "class Open:\n    pass\n"
      "class Dicted:\n    __slots__ = ['__dict__']\n",
      "app.base");
  const std::unique_ptr<FileFacts> init = classesOf("from app.base import Base\n", "app");
  const std::unique_ptr<FileFacts> models = classesOf(
      "import abc, dataclasses, threading, typing\nfrom app import Base\n"
      "from app.base import Weak, Open, Dicted\nfrom lib import Unknown\n"
      "class Child(Base, abc.ABC):\n    __slots__ = ('b',)\n"
      "class Gen(typing.Generic[T], Base):\n    __slots__ = ()\n"
      "class WeakChild(Base, Weak):\n    __slots__ = ()\n"
      "class UnderOpen(Open):\n    __slots__ = ('c',)\n"
      "class UnderDicted(Dicted):\n    __slots__ = ('c',)\n"
      "class UnderUnknown(Unknown):\n    __slots__ = ('c',)\n"
      "class Computed(Base):\n    __slots__ = tuple(NAMES)\n"
      "class Meta(Base, metaclass=M):\n    __slots__ = ()\n"
      "class Abstract(Base, metaclass=abc.ABCMeta):\n    __slots__ = ()\n"
      "class Worker(threading.Thread):\n    __slots__ = ('job',)\n"
      "class Failure(ValueError):\n    __slots__ = ('code',)\n"
      "@dataclasses.dataclass(slots=True)\nclass Data(Base):\n    x: int\n"
      "@dataclasses.dataclass(slots=True, weakref_slot=True)\nclass WeakData:\n    x: int\n",
      "app.models");
  const std::array<ProjectFileView, 3> files = {
      ProjectFileView{"app/base.py", nullptr, base.get()},
      ProjectFileView{"app/__init__.py", nullptr, init.get()},
      ProjectFileView{"app/models.py", nullptr, models.get()}};
  const ClassHierarchy hierarchy(files);
  EXPECT_EQ(layoutOf(hierarchy, "app.base.Base"), "dict no, weakref no");
  EXPECT_EQ(layoutOf(hierarchy, "app.Base"), "dict no, weakref no");  // through the re-export
  EXPECT_EQ(layoutOf(hierarchy, "app.base.Weak"), "dict no, weakref yes");
  EXPECT_EQ(layoutOf(hierarchy, "app.models.Child"), "dict no, weakref no");
  EXPECT_EQ(layoutOf(hierarchy, "app.models.Gen"), "dict no, weakref no");
  EXPECT_EQ(layoutOf(hierarchy, "app.models.WeakChild"), "dict no, weakref yes");
  EXPECT_EQ(layoutOf(hierarchy, "app.models.UnderOpen"),
            "dict yes, weakref yes from app.base.Open");
  EXPECT_EQ(layoutOf(hierarchy, "app.models.UnderDicted"),
            "dict yes, weakref no from app.base.Dicted");
  EXPECT_EQ(layoutOf(hierarchy, "app.models.UnderUnknown"), "dict unknown, weakref unknown");
  EXPECT_EQ(layoutOf(hierarchy, "app.models.Computed"), "dict unknown, weakref unknown");
  EXPECT_EQ(layoutOf(hierarchy, "app.models.Meta"), "dict unknown, weakref unknown");
  EXPECT_EQ(layoutOf(hierarchy, "app.models.Abstract"), "dict no, weakref no");
  EXPECT_EQ(layoutOf(hierarchy, "app.models.Worker"),
            "dict yes, weakref yes from threading.Thread");
  EXPECT_EQ(layoutOf(hierarchy, "app.models.Failure"),
            "dict yes, weakref no from builtins.ValueError");
  EXPECT_EQ(layoutOf(hierarchy, "app.models.Data"), "dict no, weakref no");
  EXPECT_EQ(layoutOf(hierarchy, "app.models.WeakData"), "dict no, weakref yes");
  EXPECT_EQ(layoutOf(hierarchy, "app.models.Missing"), "not found");

  const ClassSummary& failure = *hierarchy.find("app.models.Failure")->summary;
  EXPECT_TRUE(hierarchy.instanceLayout(failure).exception);
  // Base is extended by UnderOpen's kind of class nowhere, but WeakChild gives it a weakref.
  const ClassSummary& base_class = *hierarchy.find("app.base.Base")->summary;
  EXPECT_TRUE(hierarchy.subclassMayHave(base_class, &InstanceLayout::weakref));
  EXPECT_TRUE(hierarchy.subclassMayHave(base_class, &InstanceLayout::dict));  // Computed, Meta
  const ClassSummary& weak = *hierarchy.find("app.base.Weak")->summary;
  EXPECT_FALSE(hierarchy.subclassMayHave(weak, &InstanceLayout::dict));
  EXPECT_EQ(hierarchy.find("app.base.Weak")->summary->slot_names,
            (std::vector<std::string>{"w", "__weakref__"}));
}

TEST(ClassHierarchy, StandardLibraryLayouts) {
  EXPECT_EQ(stdlibLayout("builtins.object").dict, Presence::No);
  EXPECT_EQ(stdlibLayout("collections.abc.Mapping").weakref, Presence::No);
  EXPECT_EQ(stdlibLayout("builtins.set").weakref, Presence::Yes);
  EXPECT_EQ(stdlibLayout("logging.Handler").dict, Presence::Yes);
  EXPECT_TRUE(stdlibLayout("builtins.OSError").exception);
  EXPECT_EQ(stdlibLayout("builtins.tuple").dict, Presence::Unknown);  // no `__weakref__` possible
  EXPECT_EQ(stdlibLayout("somelib.Base").dict, Presence::Unknown);
}

// The memo of followed bindings (KeyMemo) stands in only where following again gives the same:
// every argument of every call, asked in walk order with one memo per file and again without.
class KeyMemoProbe final : public RuleChecker {
 public:
  void onNode(TSNode node, NodeKind kind, RuleContext& context) override {
    if (kind == NodeKind::Call) calls_.push_back({node, context.scope()});
  }

  void finish(RuleContext& context) override {
    KeyMemo memo;
    for (const auto& [call, scope] : calls_) {
      const TSNode arguments = childByField(call, Field::Arguments);
      const uint32_t count = namedChildCount(arguments);
      for (uint32_t i = 0; i < count; ++i) {
        const TSNode argument = nthNamedChild(arguments, i);
        const KeyEvidence plain = keyEvidence(context, scope, argument);
        const KeyEvidence remembered = keyEvidence(context, scope, argument, &memo);
        ++*compared_;
        if (plain.source != remembered.source || plain.parameters != remembered.parameters ||
            plain.reason != remembered.reason) {
          mismatches_->push_back(std::string(context.text(argument)) + ": " + plain.reason + " | " +
                                 remembered.reason);
        }
      }
    }
  }

  static inline size_t* compared_ = nullptr;
  static inline std::vector<std::string>* mismatches_ = nullptr;

 private:
  std::vector<std::pair<TSNode, ScopeId>> calls_;
};

constexpr std::array kKeyMemoProbeKinds = {NodeKind::Call};
const RuleDefinition kKeyMemoProbe{
    .code = "TEST012",
    .name = "key-memo-probe",
    .subscriptions = kKeyMemoProbeKinds,
    .create = []() -> std::unique_ptr<RuleChecker> { return std::make_unique<KeyMemoProbe>(); },
};

TEST(KeyEvidence, TheMemoAnswersAsFollowingAgainWould) {
  size_t compared = 0;
  std::vector<std::string> mismatches;
  KeyMemoProbe::compared_ = &compared;
  KeyMemoProbe::mismatches_ = &mismatches;
  static const RuleDefinition* table[1] = {&kKeyMemoProbe};
  AnalysisOptions options;
  options.rules = RuleTable(table, 1);
  options.enabled.set(0);
  options.path = "app/mod.py";
  options.module.name = "app.mod";
  // Chains past the depth and step limits, cycles, and names rebound from themselves.
  std::string chains = "def deep(p):\n    a0 = p\n";
  for (int i = 1; i < 30; ++i) {
    chains += "    a" + std::to_string(i) + " = a" + std::to_string(i - 1) + "\n";
  }
  for (int i = 0; i < 30; i += 3)
    chains += "    use(a" + std::to_string(i) + ", a29)\n";
  chains +=
      "def cycle(x):\n    a = b\n    b = a\n    a = x\n    use(a, b)\n    use(b)\n"
      "    for line in open(x):\n        line = line.strip()\n        use(line, a)\n";
  std::vector<std::string> texts{chains};
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(HEAPLINT_SOURCE_DIR "/fixtures")) {
    if (entry.path().extension() != ".py") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    texts.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  for (const std::string& text : texts) {
    const SourceText source(text);
    analyze(source, options);
  }
  KeyMemoProbe::compared_ = nullptr;
  KeyMemoProbe::mismatches_ = nullptr;
  EXPECT_GT(compared, 5000u);
  EXPECT_TRUE(mismatches.empty()) << mismatches.size() << " differ, first: " << mismatches[0];
}

// Descriptors that cache a method's result in the instance's `__dict__`, read from their names
// (qualified or spelled), and the lookalikes that do not.
TEST(LibraryKnowledgeTest, NamesOfDescriptorsCachingOnTheInstance) {
  for (const std::string_view name :
       {"functools.cached_property", "django.utils.functional.cached_property", "reify",
        "pyramid.decorator.reify", "sqlalchemy.util.memoized_property", "memoized_instancemethod",
        "mercurial.util.propertycache", "cache_readonly", "method_cache", "lazy_property",
        "LazyProperty", "lazyprop", "cachedproperty", "CachedAttribute"}) {
    EXPECT_TRUE(LibraryKnowledge::cachesOnTheInstance(name, CachingUse::Decorator)) << name;
  }
  EXPECT_TRUE(LibraryKnowledge::cachesOnTheInstance("lazy.lazy", CachingUse::Decorator));
  EXPECT_TRUE(LibraryKnowledge::cachesOnTheInstance("method_cache", CachingUse::CalledInClassBody));
  for (const std::string_view name :
       {"", "_", "property", "functools.cache", "functools.lru_cache", "cachetools.cached",
        "gettext_lazy", "reverse_lazy", "keep_lazy_text", "non_memoized_property",
        "ro_non_memoized_property", "cached_classproperty", "lazy_staticmethod", "abstractproperty",
        "memoize", "hooks"}) {
    EXPECT_FALSE(LibraryKnowledge::cachesOnTheInstance(name, CachingUse::Decorator)) << name;
  }
  // A class named for what it caches, called in a class body, is a container; bare `lazy` is a
  // descriptor only as a decorator.
  EXPECT_FALSE(LibraryKnowledge::cachesOnTheInstance("MethodCache", CachingUse::CalledInClassBody));
  EXPECT_FALSE(LibraryKnowledge::cachesOnTheInstance("lazy", CachingUse::CalledInClassBody));
}

}  // namespace
}  // namespace heaplint
