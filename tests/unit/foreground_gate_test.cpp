#include "analyzer/foreground_gate.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include "analyzer/analyze.h"
#include "analyzer/source_text.h"
#include "tests/unit/all_rules.h"
#include "tests/unit/eventually.h"

namespace heaplint {
namespace {

using namespace std::chrono_literals;

// A module big enough that its parse calls tree-sitter's progress callback many times (every
// hundred parser operations), yet parses in a few milliseconds.
SourceText manyFunctions() {
  std::string text;
  for (int i = 0; i < 500; ++i)
    text += "def f" + std::to_string(i) + "(a, b):\n    return [a + b for _ in range(3)]\n";
  return SourceText(std::move(text));
}

TEST(ForegroundGate, AnIdleGateLetsBackgroundWorkThrough) {
  const ForegroundGate gate;
  gate.waitUntilIdle();  // returns: nothing holds the gate
  SUCCEED();
}

// Runs `work` on a thread of its own whose parser gives way to a gate held meanwhile, and expects
// it to wait: not done within 300 ms while the gate is held (the work alone takes a few
// milliseconds), done once it is released.
void expectToWaitForTheGate(const std::function<void()>& work) {
  ForegroundGate gate;
  std::atomic<bool> done{false};
  std::optional<ForegroundGate::Busy> busy;
  busy.emplace(gate);
  std::thread background([&] {
    PythonParser& parser = PythonParser::forThisThread();
    parser.giveWayTo(&gate);
    work();
    parser.giveWayTo(nullptr);
    done = true;
  });
  EXPECT_FALSE(becomesTrue(done, 300ms));
  busy.reset();
  EXPECT_TRUE(becomesTrue(done, 10s));
  background.join();
}

TEST(ForegroundGate, ABackgroundParseWaitsUntilTheForegroundIsDone) {
  const SourceText source = manyFunctions();
  bool has_tree = false;
  expectToWaitForTheGate(
      [&] { has_tree = PythonParser::forThisThread().parse(source) != nullptr; });
  EXPECT_TRUE(has_tree);
}

TEST(ForegroundGate, ABackgroundAnalysisWaitsBetweenItsParseAndItsWalk) {
  // Too short for tree-sitter to call the progress callback (every hundred parser operations):
  // only the wait after the parse holds the analysis back.
  const SourceText source("import gc\ngc.collect()\n");
  AnalysisOptions options = allRulesOptions();
  options.path = "module.py";
  bool parsed = false;
  expectToWaitForTheGate([&] { parsed = !analyzeFile(source, options).parse_abandoned; });
  EXPECT_TRUE(parsed);
}

TEST(ForegroundGate, OverlappingForegroundWorkHoldsTheGateUntilTheLastEnds) {
  ForegroundGate gate;
  std::atomic<bool> through{false};
  std::optional<ForegroundGate::Busy> first;
  std::optional<ForegroundGate::Busy> second;
  first.emplace(gate);
  second.emplace(gate);
  std::thread background([&] {
    gate.waitUntilIdle();
    through = true;
  });
  first.reset();
  EXPECT_FALSE(becomesTrue(through, 200ms));
  second.reset();
  EXPECT_TRUE(becomesTrue(through, 10s));
  background.join();
}

TEST(ForegroundGate, AParserNotToldToGiveWayNeverWaits) {
  // The server's own thread parses while it holds the gate.
  const SourceText source = manyFunctions();
  ForegroundGate gate;
  std::optional<ForegroundGate::Busy> busy;
  busy.emplace(gate);
  std::atomic<bool> parsed{false};
  std::thread foreground([&] {
    EXPECT_NE(PythonParser::forThisThread().parse(source), nullptr);
    parsed = true;
  });
  const bool finished = becomesTrue(parsed, 10s);
  busy.reset();  // lets a wrongly waiting parse end, so the thread can be joined
  foreground.join();
  EXPECT_TRUE(finished);
}

}  // namespace
}  // namespace heaplint
