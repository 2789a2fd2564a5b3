// The analyzer's shared evidence (size_evidence.h, lifetime_evidence.h, code_model.h), asked by a
// test-only rule: `size_of(x)` reports what iterableSize() says of `x`, `lifetime_of(x)` what
// lifetimeOf() says.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/code_model.h"
#include "analyzer/lifetime_evidence.h"
#include "analyzer/size_evidence.h"
#include "analyzer/walker.h"

namespace heaplint {
namespace {

class EvidenceProbe final : public RuleChecker {
 public:
  void onNode(TSNode call, NodeKind /*kind*/, RuleContext& context) override {
    const std::string_view callee = context.text(childByField(call, Field::Function));
    if (callee == "size_of" || callee == "count_of" || callee == "lifetime_of" ||
        callee == "member_kind") {
      probes_.push_back(Probe{call, context.scope(), std::string(callee)});
    }
  }

  void finish(RuleContext& context) override {
    for (const Probe& probe : probes_) {
      const TSNode argument = nthNamedChild(childByField(probe.call, Field::Arguments), 0);
      Diagnostic diagnostic;
      diagnostic.start = ts_node_start_byte(probe.call);
      diagnostic.end = ts_node_end_byte(probe.call);
      if (probe.what == "member_kind") {
        static constexpr const char* kMembers[] = {"unknown", "instance method", "class method",
                                                   "static method"};
        diagnostic.message =
            kMembers[static_cast<int>(receiverMemberKind(context, probe.scope, argument))];
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
