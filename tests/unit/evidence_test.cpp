// The analyzer's shared evidence (size_evidence.h, lifetime_evidence.h, code_model.h), asked by a
// test-only rule: `size_of(x)` reports what iterableSize() says of `x`, `lifetime_of(x)` what
// lifetimeOf() says.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/lifetime_evidence.h"
#include "analyzer/size_evidence.h"
#include "analyzer/walker.h"

namespace heaplint {
namespace {

class EvidenceProbe final : public RuleChecker {
 public:
  void onNode(TSNode call, NodeKind /*kind*/, RuleContext& context) override {
    const std::string_view callee = context.text(childByField(call, Field::Function));
    if (callee == "size_of" || callee == "count_of" || callee == "lifetime_of") {
      probes_.push_back(Probe{call, context.scope(), std::string(callee)});
    }
  }

  void finish(RuleContext& context) override {
    for (const Probe& probe : probes_) {
      const TSNode argument = nthNamedChild(childByField(probe.call, Field::Arguments), 0);
      Diagnostic diagnostic;
      diagnostic.start = ts_node_start_byte(probe.call);
      diagnostic.end = ts_node_end_byte(probe.call);
      if (probe.what == "lifetime_of") {
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
  };
  std::vector<Probe> probes_;
};

constexpr std::array kCalls = {NodeKind::Call};
const RuleDefinition kProbe{
    .code = "TEST010",
    .name = "evidence-probe",
    .subscriptions = kCalls,
    .create = []() -> std::unique_ptr<RuleChecker> { return std::make_unique<EvidenceProbe>(); },
};

std::vector<std::string> probe(const std::string& text) {
  static const RuleDefinition* table[1] = {&kProbe};
  AnalysisOptions options;
  options.rules = RuleTable(table, 1);
  options.enabled.set(0);
  options.path = "module.py";
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

TEST(SizeEvidence, LiteralsAndConstantsAreSmall) {
  EXPECT_EQ(one("size_of(('x', 'y'))\n"), "small: a literal of 2 items");
  EXPECT_EQ(one("AXES = ['x', 'y', 'z']\nsize_of(AXES)\n"), "small: a literal of 3 items");
  EXPECT_EQ(one("def f():\n    names = ('a', 'b')\n    size_of(names)\n"),
            "small: a literal of 2 items");
  EXPECT_EQ(one("size_of(range(10))\n"), "small: a `range` of literal bounds");
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
            "data: the lines of the file opened at line 2");
  EXPECT_EQ(one("import csv\ndef load(f):\n    reader = csv.reader(f)\n    size_of(reader)\n"),
            "data: `reader`, the result of `csv.reader()` at line 3");
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
    if (kind == NodeKind::Call) {
      calls_.onCall(node, context);
      if (context.text(childByField(node, Field::Function)) == "key_of") {
        probes_.push_back({node, context.scope()});
      }
    } else if (kind == NodeKind::Decorator) {
      calls_.onDecorator(node, context);
    }
    if (kind == NodeKind::Identifier || kind == NodeKind::Attribute) {
      calls_.onName(node, kind, context);
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
    const CallFacts facts = calls_.finish(context);
    CallIndex index;
    index.add(0, facts);
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
  CallCollector calls_;
  ContainerUseCollector uses_;
};

constexpr std::array kKeyProbeKinds = {
    NodeKind::Call,
    NodeKind::Decorator,
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
};

std::vector<std::string> keyProbe(const std::string& text, const std::string& module = "app.mod") {
  static const RuleDefinition* table[1] = {&kKeyProbe};
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
  EXPECT_EQ(callers("def target(name):\n    pass\ndef a():\n    target('x')\n"
                    "def b():\n    target('y')\n"),
            "callers closed: a literal");
  EXPECT_EQ(callers("def target(name):\n    pass\ndef a(path):\n    for line in open(path):\n"
                    "        target(line)\n"),
            "callers data: `line`, an item of the result of `open()`");
  // A caller passing on its own input: its own callers decide, if the project shows them.
  EXPECT_EQ(callers("def target(name):\n    pass\ndef a(value):\n    target(value)\n"
                    "def b(other):\n    a(other)\ndef c(more):\n    b(more)\ndef d(x):\n"
                    "    c(x)\nd(1)\nd(y)\n"),
            "callers parameter: `value`, a parameter of `a()`");
  EXPECT_EQ(callers("def target(name):\n    pass\ndef a(value):\n    target(value)\n"),
            "callers unknown: `value`, a parameter of `a()`, which no caller in the project "
            "shows");
  EXPECT_EQ(callers("def target(name):\n    pass\ndef a(value):\n    target(value)\n"
                    "def b():\n    a('x')\n    a('y')\n"),
            "callers closed: a literal");
  EXPECT_EQ(callers("def target(name):\n    pass\ndef a(value):\n    target(value)\n"
                    "def b(path):\n    for line in open(path):\n        a(line)\n"),
            "callers data: `line`, an item of the result of `open()`");
  // Left out: the default decides; recursion passes on what it was given.
  EXPECT_EQ(callers("def target(version=None):\n    target(version.upper())\n"
                    "def a():\n    target()\n"),
            "callers closed: the default of `version`");
  EXPECT_EQ(callers("def target(name):\n    pass\n"), "callers unknown:  (no callers)");
  EXPECT_EQ(callers("def target(name):\n    pass\ndef a():\n    target('x')\n"
                    "register(target)\n"),
            "callers closed: a literal (unseen callers)");
  EXPECT_EQ(callers("import functools\n@functools.cache\ndef target(name):\n    pass\n"
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

  // A decorator registers the function at import.
  EXPECT_EQ(callers("def target(function):\n    return function\n@target\ndef g():\n    pass\n"),
            "callers closed: the decorated definition");
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
}

}  // namespace
}  // namespace heaplint
