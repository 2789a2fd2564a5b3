#include "analyzer/foreground_gate.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include "analyzer/analyze.h"
#include "analyzer/source_text.h"
#include "tests/unit/all_rules.h"

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

// Polls `done` for up to `limit`.
bool becomesTrue(const std::atomic<bool>& done, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!done && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(1ms);
  return done;
}

TEST(ForegroundGate, AnIdleGateLetsBackgroundWorkThrough) {
  const ForegroundGate gate;
  gate.waitUntilIdle();  // returns: nothing holds the gate
  SUCCEED();
}

TEST(ForegroundGate, ABackgroundParseWaitsUntilTheForegroundIsDone) {
  const SourceText source = manyFunctions();
  ForegroundGate gate;
  std::atomic<bool> parsed{false};
  bool has_tree = false;
  std::optional<ForegroundGate::Busy> busy;
  busy.emplace(gate);
  std::thread background([&] {
    PythonParser& parser = PythonParser::forThisThread();
    parser.giveWayTo(&gate);
    has_tree = parser.parse(source) != nullptr;
    parser.giveWayTo(nullptr);
    parsed = true;
  });
  // The parse alone takes a few milliseconds.
  EXPECT_FALSE(becomesTrue(parsed, 300ms));
  busy.reset();
  EXPECT_TRUE(becomesTrue(parsed, 10s));
  background.join();
  EXPECT_TRUE(has_tree);
}

TEST(ForegroundGate, ABackgroundAnalysisWaitsBetweenItsParseAndItsWalk) {
  // Too short for tree-sitter to call the progress callback (every hundred parser operations):
  // only the wait after the parse holds the analysis back.
  const SourceText source("import gc\ngc.collect()\n");
  AnalysisOptions options = allRulesOptions();
  options.path = "module.py";
  ForegroundGate gate;
  std::atomic<bool> analysed{false};
  std::optional<ForegroundGate::Busy> busy;
  busy.emplace(gate);
  std::thread background([&] {
    PythonParser& parser = PythonParser::forThisThread();
    parser.giveWayTo(&gate);
    (void)analyzeFile(source, options);
    parser.giveWayTo(nullptr);
    analysed = true;
  });
  EXPECT_FALSE(becomesTrue(analysed, 300ms));
  busy.reset();
  EXPECT_TRUE(becomesTrue(analysed, 10s));
  background.join();
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
