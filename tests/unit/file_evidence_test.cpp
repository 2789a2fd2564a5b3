// Which expressions are files the code opened, or paths (analyzer/file_evidence.h), asked by a
// test-only rule: `file_of(x)` reports the opening call openedFileCall() finds for `x`,
// `path_of(x)` what pathEvidence() finds. Kept apart from evidence_test.cpp so that the two merge
// without conflicts.
#include "analyzer/file_evidence.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/walker.h"

namespace heaplint {
namespace {

class FileProbe final : public RuleChecker {
 public:
  void onNode(TSNode call, NodeKind /*kind*/, RuleContext& context) override {
    const std::string_view callee = context.text(childByField(call, Field::Function));
    if (callee == "file_of" || callee == "path_of") {
      probes_.push_back(Probe{call, context.scope(), callee == "file_of"});
    }
  }

  void finish(RuleContext& context) override {
    for (const Probe& probe : probes_) {
      const TSNode argument = nthNamedChild(childByField(probe.call, Field::Arguments), 0);
      const TSNode evidence = probe.file ? openedFileCall(context, probe.scope, argument)
                                         : pathEvidence(context, probe.scope, argument);
      Diagnostic diagnostic;
      diagnostic.start = ts_node_start_byte(probe.call);
      diagnostic.end = ts_node_end_byte(probe.call);
      diagnostic.message = ts_node_is_null(evidence) ? "-" : std::string(context.text(evidence));
      context.report(std::move(diagnostic));
    }
  }

 private:
  struct Probe {
    TSNode call;
    ScopeId scope;
    bool file;
  };
  std::vector<Probe> probes_;
};

constexpr std::array kCalls = {NodeKind::Call};
const RuleDefinition kProbe{
    .code = "TEST011",
    .name = "file-evidence-probe",
    .subscriptions = kCalls,
    .create = []() -> std::unique_ptr<RuleChecker> { return std::make_unique<FileProbe>(); },
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

TEST(FileEvidence, FilesOpenedByTheCode) {
  EXPECT_EQ(probe("import io\n"
                  "def f(p):\n"
                  "    with open(p) as log:\n"
                  "        file_of(log)\n"
                  "    handle = io.open(p)\n"
                  "    file_of(handle)\n"
                  "    file_of(open(p, 'rb'))\n"),
            (std::vector<std::string>{"open(p)", "io.open(p)", "open(p, 'rb')"}));
}

TEST(FileEvidence, PathsAndTheirOpenMethod) {
  EXPECT_EQ(probe("from pathlib import Path\n"
                  "def f(name, base: Path):\n"
                  "    path_of(Path(name))\n"
                  "    path_of(base / 'x')\n"
                  "    file_of(base.open())\n"
                  "    p = Path(name) / 'log'\n"
                  "    with p.open() as stream:\n"
                  "        file_of(stream)\n"),
            (std::vector<std::string>{"Path(name)", "Path", "base.open()", "p.open()"}));
}

TEST(FileEvidence, WhatTheCodeDoesNotShow) {
  EXPECT_EQ(probe("import sys, os\n"
                  "def f(stream, self, p, open):\n"
                  "    file_of(stream)\n"
                  "    file_of(sys.stdin)\n"
                  "    file_of(self.log)\n"
                  "    file_of(os.open(p, 0))\n"
                  "    file_of(open(p))\n"
                  "    h = open\n"
                  "    h = h(p)\n"
                  "    file_of(h)\n"
                  "    path_of(p)\n"),
            (std::vector<std::string>(7, "-")));
}

TEST(FileEvidence, NameCyclesEnd) {
  EXPECT_EQ(probe("a = b\nb = a\nfile_of(a)\npath_of(b / 'x')\n"),
            (std::vector<std::string>{"-", "-"}));
}

}  // namespace
}  // namespace heaplint
