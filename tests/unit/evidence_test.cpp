// The analyzer's shared evidence (size_evidence.h, lifetime_evidence.h, code_model.h), asked by a
// test-only rule: `size_of(x)` reports what iterableSize() says of `x`, `lifetime_of(x)` what
// lifetimeOf() says.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/class_layout.h"
#include "analyzer/lifetime_evidence.h"
#include "analyzer/retention_evidence.h"
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
