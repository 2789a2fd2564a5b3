#include "analyzer/chunked_tree.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "analyzer/concat.h"
#include "analyzer/fix.h"
#include "analyzer/incremental_analysis.h"
#include "rules/registry.h"
#include "tests/unit/all_rules.h"

namespace heaplint {
namespace {

// Every rule fixture that parses on its own, one after the other: a large module with findings of
// every rule and their lookalikes.
std::string fixturesAsOneModule() {
  std::vector<std::filesystem::path> paths;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(HEAPLINT_SOURCE_DIR "/fixtures")) {
    const std::string path = entry.path().string();
    // Fixtures whose import makes the whole module a memory-debugging tool would silence MEM501
    // and MEM503 everywhere in the one module, and with them what these tests check of them.
    const bool debugging_tool = path.find("_profiler") != std::string::npos ||
                                path.find("_debugging_tool") != std::string::npos ||
                                path.find("_micropython") != std::string::npos;
    // So would the files MEM504 takes for entry points by their content (a percent-format
    // script's `# %%` cell marker, a gunicorn configuration's settings and hooks) silence MEM504.
    const bool entry_point = path.find("MEM504_entry_files") != std::string::npos;
    if (entry.path().extension() != ".py" || path.find("/broken/") != std::string::npos ||
        path.ends_with(".fixed.py") || debugging_tool || entry_point) {
      continue;
    }
    paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  std::string module;
  for (const auto& path : paths) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream contents;
    contents << in.rdbuf();
    std::string text = contents.str();
    // File-level noqa comments would silence the whole module.
    if (text.find('\r') != std::string::npos || text.starts_with("\xEF\xBB\xBF") ||
        text.find("heaplint: noqa") != std::string::npos) {
      continue;
    }
    if (!text.empty() && text.back() != '\n') text += '\n';
    const SourceText source(text);
    const TreePtr tree = PythonParser::forThisThread().parse(source);
    if (!tree || ts_node_has_error(ts_tree_root_node(tree.get()))) continue;
    module += text;
  }
  return module;
}

using Finding = std::tuple<std::string_view, uint32_t, uint32_t, std::string>;

std::vector<Finding> findingsOf(const FileAnalysis& analysis) {
  std::vector<Finding> findings;
  for (const Diagnostic& diagnostic : analysis.diagnostics) {
    findings.emplace_back(diagnostic.rule->code, diagnostic.start, diagnostic.end,
                          diagnostic.message);
  }
  return findings;
}

// What one list has and the other lacks, for a readable failure.
std::string differences(const std::vector<Finding>& chunked, const std::vector<Finding>& whole) {
  std::string out;
  for (const Finding& finding : chunked) {
    if (std::find(whole.begin(), whole.end(), finding) == whole.end()) {
      out += "only in the chunks: " + std::string(std::get<0>(finding)) + " at " +
             std::to_string(std::get<1>(finding)) + ": " + std::get<3>(finding) + "\n";
    }
  }
  for (const Finding& finding : whole) {
    if (std::find(chunked.begin(), chunked.end(), finding) == chunked.end()) {
      out += "only in the whole file: " + std::string(std::get<0>(finding)) + " at " +
             std::to_string(std::get<1>(finding)) + ": " + std::get<3>(finding) + "\n";
    }
  }
  return out;
}

// The analysis of the chunks, joined like the language server joins a document.
FileAnalysis analyzeChunks(const SourceText& source, const ChunkedTree& syntax,
                           const AnalysisOptions& options) {
  FileAnalysis analysis = analyzeTrees(source, syntax.trees(), options);
  FileAnalysis* files[] = {&analysis};
  joinProject(files, options);
  return analysis;
}

// The language server's analysis: only the runs an edit touched are walked again, and the
// document's calls are collected only while its own findings may read them.
FileAnalysis analyzeIncrementally(IncrementalAnalysis& incremental, const SourceText& source,
                                  const ChunkedTree& syntax, const AnalysisOptions& options,
                                  HelperThreads* helpers = nullptr) {
  FileAnalysis analysis = incremental.analyzeForOwnFindings(source, syntax, options, helpers);
  FileAnalysis* files[] = {&analysis};
  joinProject(files, options);
  return analysis;
}

FileAnalysis analyzeWhole(const SourceText& source, const AnalysisOptions& options) {
  return analyze(source, options);
}

// The top-level statements of all chunks, as S-expressions.
std::string statementsOf(std::span<const TSTree* const> trees) {
  std::string out;
  for (const TSTree* tree : trees) {
    const TSNode root = ts_tree_root_node(tree);
    for (uint32_t i = 0; i < ts_node_named_child_count(root); ++i) {
      char* text = ts_node_string(ts_node_named_child(root, i));
      out += text;
      out += '\n';
      free(text);
    }
  }
  return out;
}

// The chunks analyse without a syntax error and exactly as the whole file does.
void expectChunksAnalyseLikeTheWholeFile(const SourceText& source, const ChunkedTree& syntax) {
  const AnalysisOptions options = allRulesOptions();
  const FileAnalysis chunked = analyzeChunks(source, syntax, options);
  EXPECT_FALSE(chunked.has_syntax_error);
  const std::vector<Finding> whole = findingsOf(analyzeWhole(source, options));
  EXPECT_TRUE(findingsOf(chunked) == whole) << differences(findingsOf(chunked), whole);
}

TEST(ChunkedTree, SmallTextsAreOneChunk) {
  const SourceText source("x = sum([a for a in open(b)])\n");
  ChunkedTree syntax;
  syntax.parse(source, PythonParser::forThisThread());
  EXPECT_EQ(syntax.chunkCount(), 1U);
}

TEST(ChunkedTree, ALargeModuleIsSplitAndAnalysedLikeTheWholeFile) {
  const std::string text = fixturesAsOneModule();
  ASSERT_GT(text.size(), ChunkedTree::kSingleChunkLimit);
  const SourceText source(text);
  ChunkedTree syntax;
  syntax.parse(source, PythonParser::forThisThread());
  EXPECT_GT(syntax.chunkCount(), 10U);

  const TreePtr whole = PythonParser::forThisThread().parse(source);
  const TSTree* const whole_trees[] = {whole.get()};
  EXPECT_EQ(statementsOf(syntax.trees()), statementsOf(whole_trees));

  const AnalysisOptions options = allRulesOptions();
  const std::vector<Finding> expected = findingsOf(analyzeWhole(source, options));
  EXPECT_GT(expected.size(), 100U);
  // Which rules report something in the one module, so that their findings are compared too.
  // Some fixtures silence a rule for their whole module, and so for the one module: a module-level
  // `sum`, `list` or `len` that some fixtures define (MEM101, MEM103, MEM104), the collector
  // turned off at import (MEM501), a module-level function that re-enables it (MEM502). Those
  // rules are compared on their own fixtures only (fixture_test.cpp); a rule that goes silent
  // here for another reason fails. (MEM504 speaks in the one module despite its main guards:
  // the `else` of one runs at import.)
  const std::set<std::string_view> silenced = {"MEM101", "MEM103", "MEM104", "MEM501", "MEM502"};
  for (const RuleDefinition* rule : options.rules) {
    const bool reported = std::any_of(expected.begin(), expected.end(), [&](const Finding& f) {
      return std::get<0>(f) == rule->code;
    });
    EXPECT_EQ(reported, !silenced.contains(rule->code)) << rule->code;
  }
  EXPECT_EQ(findingsOf(analyzeChunks(source, syntax, options)), expected);
  IncrementalAnalysis incremental;
  const std::vector<Finding> incremental_findings =
      findingsOf(analyzeIncrementally(incremental, source, syntax, options));
  EXPECT_TRUE(incremental_findings == expected) << differences(incremental_findings, expected);
}

// The language server parses and walks a document's runs on helper threads too: the same runs,
// the same trees, the same findings as on one thread.
TEST(ChunkedTree, RunsParsedAndWalkedOnHelperThreadsGiveTheSameFindings) {
  const std::string text = fixturesAsOneModule();
  const SourceText source(text);
  ChunkedTree alone;
  alone.parse(source, PythonParser::forThisThread());
  HelperThreads helpers(2);
  ChunkedTree helped;
  helped.parse(source, PythonParser::forThisThread(), &helpers);
  EXPECT_TRUE(helped.lastSplitByText());
  EXPECT_EQ(helped.chunkStarts(), alone.chunkStarts());
  EXPECT_EQ(statementsOf(helped.trees()), statementsOf(alone.trees()));

  const AnalysisOptions options = allRulesOptions();
  const std::vector<Finding> expected = findingsOf(analyzeWhole(source, options));
  IncrementalAnalysis incremental;
  const std::vector<Finding> helped_findings =
      findingsOf(analyzeIncrementally(incremental, source, helped, options, &helpers));
  EXPECT_TRUE(helped_findings == expected) << differences(helped_findings, expected);
  IncrementalAnalysis sequential;
  analyzeIncrementally(sequential, source, alone, options);
  EXPECT_EQ(incremental.walkedRuns(), sequential.walkedRuns()) << helped.chunkCount();
}

// Runs are cut where the text says top-level statements start, without a parse of the whole text
// first. Lines at column 0 that start no statement (inside strings, brackets and continuations,
// clauses of a compound statement, a definition under its decorators) must not be cut at.
TEST(ChunkedTree, CutsRunsWhereStatementsStartWithoutParsingTheWholeText) {
  const std::string block = R"py(DOC = """
def not_a_function():
    pass
class NotAClass:
"""

value = (
1,
2)
total = 1 + \
2

# a comment at column 0
@decorator

@other
def decorated():
    pass

if value:
    pass
else:
    pass
try:
    pass
except ValueError:
    pass
finally:
    pass

s = 'it\'s' + "#" + """
'''
""" + '"'

)py";
  // Column-0 lines inside a long string and a long bracket, where a wrong cut would likely fall.
  std::string inside_string = "TEXT = \"\"\"\n";
  std::string inside_brackets = "VALUES = [\n";
  for (int i = 0; i < 40; ++i) {
    inside_string += "line_" + std::to_string(i) + " = " + std::to_string(i) + "\n";
    inside_brackets += std::to_string(i) + ",\n";
  }
  inside_string += "\"\"\"\n\n";
  inside_brackets += "]\n\n";
  std::string text;
  for (int i = 0; i < 30; ++i) {
    text += block;
    text += inside_string;
    text += inside_brackets;
  }
  const SourceText source(text);
  ChunkedTree syntax;
  syntax.parse(source, PythonParser::forThisThread());
  EXPECT_GT(syntax.chunkCount(), 5U);
  EXPECT_TRUE(syntax.lastSplitByText());
  const TreePtr whole = PythonParser::forThisThread().parse(source);
  ASSERT_FALSE(ts_node_has_error(ts_tree_root_node(whole.get())));
  const TSTree* const whole_trees[] = {whole.get()};
  EXPECT_EQ(statementsOf(syntax.trees()), statementsOf(whole_trees));
  for (const TSTree* tree : syntax.trees())
    EXPECT_FALSE(ts_node_has_error(ts_tree_root_node(tree)));
}

// Random edits, each undone by the next: every other text is the valid original, and the chunks'
// analysis of it must be the whole file's; broken texts must be broken in the chunks too. Counts
// the runs the incremental analysis walked over all edits, in how many analyses, and the runs the
// text was cut into.
struct WalkCounts {
  size_t walked = 0;
  size_t analyses = 0;
  size_t runs = 0;
  size_t judged_broken = 0;       // edits editLeavesMethodBroken said broke a method
  size_t methods_remembered = 0;  // methods the class layouts took from MethodLayoutMemo
};
// 80 rounds of an edit and its undo, each analysing the whole fixtures' module five times; a
// quarter as many under the sanitizers (scripts/sanitize.sh sets HEAPLINT_TEST_SLOWDOWN), whose
// builds run each several times slower. HEAPLINT_CHUNK_ROUNDS=N runs N (for stress runs by hand).
int randomEditRounds() {
  if (const char* rounds = std::getenv("HEAPLINT_CHUNK_ROUNDS")) {
    const int count = std::atoi(rounds);
    EXPECT_GT(count, 0) << "HEAPLINT_CHUNK_ROUNDS=" << rounds << " is not a positive count";
    if (count > 0) return count;
  }
  const char* slowdown = std::getenv("HEAPLINT_TEST_SLOWDOWN");
  return slowdown != nullptr && std::atof(slowdown) > 1.0 ? 20 : 80;
}

// With `helpers`, the runs are parsed and walked on them too, as in the language server.
// With `rules`, those rules' options (every rule's when absent); `default_seed` picks the edits
// unless HEAPLINT_CHUNK_SEED does.
void checkRandomEditsAndTheirUndo(const std::string& text, WalkCounts& counts,
                                  HelperThreads* helpers = nullptr,
                                  const AnalysisOptions* rules = nullptr,
                                  unsigned default_seed = 5) {
  auto source = std::make_unique<SourceText>(text);
  PythonParser& parser = PythonParser::forThisThread();
  ChunkedTree syntax;
  syntax.parse(*source, parser, helpers);
  const AnalysisOptions options = rules != nullptr ? *rules : allRulesOptions();
  const std::vector<Finding> original = findingsOf(analyzeWhole(*source, options));
  IncrementalAnalysis incremental;
  analyzeIncrementally(incremental, *source, syntax, options, helpers);
  size_t& walked = counts.walked;
  size_t& analyses = counts.analyses;
  // The incremental analysis must give exactly what a walk of all the runs gives, broken or not.
  const auto checkIncremental = [&](const FileAnalysis& chunked, const std::string& what) {
    const FileAnalysis analysis =
        analyzeIncrementally(incremental, *source, syntax, options, helpers);
    walked += incremental.walkedRuns();
    counts.methods_remembered += incremental.methodsRemembered();
    ++analyses;
    ASSERT_EQ(analysis.has_syntax_error, chunked.has_syntax_error) << what;
    ASSERT_TRUE(findingsOf(analysis) == findingsOf(chunked))
        << what << " (incremental)\n"
        << differences(findingsOf(analysis), findingsOf(chunked));
  };

  // HEAPLINT_CHUNK_SEED=N runs another sequence of edits (for stress runs by hand).
  const char* seed = std::getenv("HEAPLINT_CHUNK_SEED");
  std::mt19937 random(seed != nullptr ? static_cast<unsigned>(std::atoi(seed)) : default_seed);
  const std::vector<std::string> pieces = {"q",
                                           "(",
                                           ")",
                                           ":",
                                           " ",
                                           "\n",
                                           "    ",
                                           "#",
                                           "\"\"\"",
                                           "'",
                                           "@functools.cache\n",
                                           "else:\n    pass\n",
                                           "x = 1\n",
                                           "def g():\n",
                                           "class K:\n    pass\n",
                                           "é",
                                           "\\\n"};
  const auto apply = [&](uint32_t start, uint32_t end, const std::string& replacement) {
    syntax.edit(*source, start, end, replacement);
    std::string updated(source->text());
    updated.replace(start, end - start, replacement);
    source = std::make_unique<SourceText>(std::move(updated));
    // What the server asks before re-parsing (here of runs of any size): when it says a method
    // is broken, the run's own parse must say so too.
    const uint32_t edited_end = start + static_cast<uint32_t>(replacement.size());
    const bool judged_broken = syntax.editLeavesMethodBroken(*source, parser, start, edited_end, 0);
    syntax.reparse(*source, parser);
    if (judged_broken) {
      ++counts.judged_broken;
      bool run_broken = false;
      for (const ChunkedTree::RunView& run : syntax.runs()) {
        if (run.start <= start && start < run.end)
          run_broken = ts_node_has_error(ts_tree_root_node(run.tree));
      }
      const uint32_t row = source->rowOf(start);
      ASSERT_TRUE(run_broken) << "said broken, parsed clean: `" << replacement << "` for "
                              << end - start << " bytes at line " << row + 1 << ", column "
                              << start - source->lineStart(row);
    }
  };
  for (int round = 0; round < randomEditRounds(); ++round) {
    // Chunk boundaries are where splitting could go wrong: edit there a third of the time, and
    // next to them (the end of the chunk before) another third.
    const std::vector<uint32_t> boundaries = syntax.chunkStarts();
    uint32_t start = 0;
    switch (random() % 3) {
      case 0:
        start = boundaries[1 + random() % (boundaries.size() - 1)];
        break;
      case 1:
        start = boundaries[1 + random() % (boundaries.size() - 1)] - 1;
        break;
      default: {
        const uint32_t row = random() % (source->lineCount() - 1);
        start =
            source->lineStart(row) + random() % (source->lineEnd(row) - source->lineStart(row) + 1);
      }
    }
    std::string replacement;
    uint32_t end = start;
    if (random() % 3 == 0 && start + 3 < source->size()) {
      end = start + 1 + random() % 3;
      while (end < source->size() && (source->text()[end] & 0xC0) == 0x80)
        ++end;
    } else {
      replacement = pieces[random() % pieces.size()];
    }
    const std::string removed(source->slice(start, end));
    apply(start, end, replacement);
    {
      const TreePtr fresh = parser.parse(*source);
      const bool fresh_broken = ts_node_has_error(ts_tree_root_node(fresh.get()));
      const FileAnalysis chunked = analyzeChunks(*source, syntax, options);
      ASSERT_EQ(chunked.has_syntax_error, fresh_broken)
          << "round " << round << ": inserted " << replacement << " at " << start;
      checkIncremental(chunked, "round " + std::to_string(round) + ": inserted " + replacement +
                                    " at " + std::to_string(start));
      if (::testing::Test::HasFatalFailure()) return;
      if (!fresh_broken) {
        const std::vector<Finding> whole = findingsOf(analyzeWhole(*source, options));
        ASSERT_TRUE(findingsOf(chunked) == whole)
            << "round " << round << ": inserted " << replacement << " at " << start << "\n"
            << differences(findingsOf(chunked), whole);
      }
    }
    apply(start, start + static_cast<uint32_t>(replacement.size()), removed);
    ASSERT_EQ(source->text(), text);
    const FileAnalysis chunked = analyzeChunks(*source, syntax, options);
    ASSERT_FALSE(chunked.has_syntax_error) << "round " << round;
    ASSERT_TRUE(findingsOf(chunked) == original) << "round " << round << "\n"
                                                 << differences(findingsOf(chunked), original);
    checkIncremental(chunked, "round " + std::to_string(round) + ": undone");
    if (::testing::Test::HasFatalFailure()) return;
  }
  counts.runs = syntax.chunkCount();
  std::cout << walked << " runs walked in " << analyses << " analyses of " << syntax.chunkCount()
            << " runs\n";
}

std::string readFile(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

TEST(ChunkedTree, EditsAndTheirUndoAnalyseLikeAFreshParse) {
  // HEAPLINT_CHUNK_FILE=path edits that file instead (for runs by hand on real code, such as the
  // four one-big-class modules of tests/benchmarks/lsp_latency.py).
  const char* file = std::getenv("HEAPLINT_CHUNK_FILE");
  WalkCounts counts;
  checkRandomEditsAndTheirUndo(file != nullptr ? readFile(file) : fixturesAsOneModule(), counts);
  if (HasFatalFailure()) return;
  // Most edits leave most runs alone.
  if (file == nullptr) EXPECT_LT(counts.walked, counts.analyses * counts.runs / 4);
}

// The class layouts read methods through the memo of what each assigns (MethodLayoutMemo) only in
// a document that does not name `builtins`, and the fixtures do: the sequences with the default
// rules and on helper threads edit them with the word spelled otherwise, the others as they are.
std::string withoutTheWordBuiltins(std::string text) {
  for (size_t at = text.find("builtins"); at != std::string::npos; at = text.find("builtins", at))
    text[at + 7] = 'z';
  return text;
}

// The rules the language server runs by default ask less of the shared evidence than every rule
// does (call facts only for functions with mutable defaults): the runs must agree there too.
TEST(ChunkedTree, EditsAndTheirUndoWithTheDefaultRulesAnalyseLikeAFreshParse) {
  const AnalysisOptions defaults = defaultRulesOptions();
  WalkCounts counts;
  checkRandomEditsAndTheirUndo(withoutTheWordBuiltins(fixturesAsOneModule()), counts, nullptr,
                               &defaults);
  EXPECT_GT(counts.methods_remembered, 0U);
}

// The fixtures again, each file's code indented into the body of a class, a few files to a class:
// modules that are a few big classes, as real ones often are (_pydecimal.py, SymPy's expr.py).
// Their functions become methods, their module-level containers class attributes, their calls
// class-level statements: the code the class-level rules (MEM203, MEM205, MEM301, MEM304, MEM401)
// look at, edited inside the classes.
std::string fixturesAsBigClasses() {
  const std::string module = fixturesAsOneModule();
  const SourceText source(module);
  const TreePtr tree = PythonParser::forThisThread().parse(source);
  const TSNode root = ts_tree_root_node(tree.get());
  std::string classes;
  std::string body;
  int count = 0;
  uint32_t copied_until = 0;  // statements sharing a line (`a; b`, a trailing comment) go once
  for (uint32_t i = 0; i < ts_node_child_count(root); ++i) {
    const TSNode statement = ts_node_child(root, i);
    const uint32_t start = source.lineStart(source.rowOf(ts_node_start_byte(statement)));
    if (start < copied_until) continue;
    const uint32_t end_row = source.rowOf(ts_node_end_byte(statement));
    const uint32_t end = std::min<uint32_t>(source.lineEnd(end_row) + 1, source.size());
    const std::string_view text = source.slice(start, end);
    copied_until = end;
    // Imports stay at module level: in a class they would bind class attributes, which the
    // methods do not see.
    const std::string_view type = ts_node_type(statement);
    if (type == "import_statement" || type == "import_from_statement" ||
        type == "future_import_statement") {
      classes += text;
      continue;
    }
    size_t line = 0;
    while (line < text.size()) {
      const size_t next = std::min(text.find('\n', line), text.size() - 1) + 1;
      if (next - line > 1) body += "    ";
      body += text.substr(line, next - line);
      line = next;
    }
    // About 40 KB of code in each class (SymPy's `Expr` is 130 KB).
    if (body.size() > size_t{40} * 1024) {
      classes += "class Big" + std::to_string(count++) + ":\n" + body + "\n";
      body.clear();
    }
  }
  if (!body.empty()) classes += "class Big" + std::to_string(count) + ":\n" + body;
  return classes;
}

// The big classes must hold what the class-level rules report, or edits in them test little.
TEST(ChunkedTree, BigClassesHoldFindingsOfTheClassLevelRules) {
  const std::string text = fixturesAsBigClasses();
  const SourceText source(text);
  ChunkedTree syntax;
  syntax.parse(source, PythonParser::forThisThread());
  // A chunk a class at most, however many classes the fixtures fill (a class is never cut).
  size_t classes = 0;
  for (size_t at = text.find("class Big"); at != std::string::npos;
       at = text.find("class Big", at + 1)) {
    ++classes;
  }
  EXPECT_GT(classes, 5U);
  EXPECT_LE(syntax.chunkCount(), classes + 1);
  std::map<std::string_view, size_t> by_rule;
  for (const Finding& finding : findingsOf(analyzeWhole(source, allRulesOptions())))
    ++by_rule[std::get<0>(finding)];
  for (const auto& [code, count] : by_rule)
    std::cout << code << ": " << count << "\n";
  // Cached functions became cached methods.
  EXPECT_GT(by_rule["MEM203"], 10U);
  // Closures registered from methods, `self.` attributes among them.
  EXPECT_GT(by_rule["MEM301"], 10U);
}

TEST(ChunkedTree, EditsInsideBigClassesAndTheirUndoAnalyseLikeAFreshParse) {
  const std::string text = fixturesAsBigClasses();
  const SourceText source(text);
  const TreePtr whole = PythonParser::forThisThread().parse(source);
  ASSERT_FALSE(ts_node_has_error(ts_tree_root_node(whole.get())));
  WalkCounts counts;
  checkRandomEditsAndTheirUndo(text, counts);
  EXPECT_GT(counts.judged_broken, 0U);  // 2 with the default seed
  if (HasFatalFailure()) return;
  const AnalysisOptions defaults = defaultRulesOptions();
  // Another sequence of edits (seed 2 found the broken-method judge's mistake on undoing a break).
  const size_t remembered = counts.methods_remembered;
  checkRandomEditsAndTheirUndo(withoutTheWordBuiltins(text), counts, nullptr, &defaults, 2);
  EXPECT_GT(counts.methods_remembered, remembered);
}

// An edit that changes what a name is bound to walks every run that uses it: several runs at
// once, side by side on the helpers.
TEST(ChunkedTree, EditsOnHelperThreadsAnalyseLikeAFreshParse) {
  HelperThreads helpers(2);
  WalkCounts counts;
  checkRandomEditsAndTheirUndo(withoutTheWordBuiltins(fixturesAsOneModule()), counts, &helpers);
  EXPECT_GT(counts.walked, counts.analyses);
  EXPECT_GT(counts.methods_remembered, 0U);  // the memo, shared by the walks on the helpers
}

// A decorator typed at the end of one chunk, above the `def` that starts the next: each chunk alone
// is broken, together they parse.
TEST(ChunkedTree, RejoinsADecoratorCutOffFromItsDefinition) {
  const std::string text = fixturesAsOneModule();
  auto source = std::make_unique<SourceText>(text);
  PythonParser& parser = PythonParser::forThisThread();
  ChunkedTree syntax;
  syntax.parse(*source, parser);
  uint32_t boundary = 0;
  for (const uint32_t start : syntax.chunkStarts()) {
    if (start > 0 && text.compare(start, 4, "def ") == 0) boundary = start;
  }
  ASSERT_GT(boundary, 0U) << "no chunk starts with a def";
  // Before the newline that ends the previous chunk: the decorator lands in that chunk.
  const std::string decorator = "\n@functools.cache";
  syntax.edit(*source, boundary - 1, boundary - 1, decorator);
  std::string updated = text;
  updated.insert(boundary - 1, decorator);
  source = std::make_unique<SourceText>(updated);
  syntax.reparse(*source, parser);

  expectChunksAnalyseLikeTheWholeFile(*source, syntax);
}

// `text` kept as chunks, then `X = """` typed at the start of one line and `"""` at the start of
// a later one, each in an edit with a re-parse after it, the opening quotes first or last.
// `places(source, syntax)` gives the two lines' starts in the text as first parsed.
struct TypedString {
  std::unique_ptr<SourceText> source;
  ChunkedTree syntax;
};
template <typename Places>
void typeAString(const std::string& text, bool opening_first, const Places& places,
                 TypedString& typed) {
  PythonParser& parser = PythonParser::forThisThread();
  std::string current = text;
  typed.source = std::make_unique<SourceText>(current);
  typed.syntax.parse(*typed.source, parser);
  const auto [opening_at, closing_at] = places(*typed.source, typed.syntax);
  const auto insert = [&](uint32_t at, std::string_view inserted) {
    typed.syntax.edit(*typed.source, at, at, inserted);
    current.insert(at, inserted);
    typed.source = std::make_unique<SourceText>(current);
    typed.syntax.reparse(*typed.source, parser);
  };
  const std::string_view opening = "X = \"\"\"\n";
  if (opening_first) {
    insert(opening_at, opening);
    insert(closing_at + static_cast<uint32_t>(opening.size()), "\"\"\"\n");
  } else {
    insert(closing_at, "\"\"\"\n");
    insert(opening_at, opening);
  }
}

// A triple-quoted string opened in one chunk and closed two chunks on, each quote typed in its own
// edit, in either order: each chunk alone reads the other's part of the string as code, with an
// error in its middle (not at an edge), until the three are joined again.
TEST(ChunkedTree, RejoinsAStringOpenedInOneChunkAndClosedInALaterOne) {
  std::string text;
  for (int i = 0; i < 400; ++i)
    text += "T" + std::to_string(i) + " = len([l for l in open('p') if l])\n";
  const AnalysisOptions options = allRulesOptions();
  for (const bool opening_first : {true, false}) {
    SCOPED_TRACE(opening_first ? "opening quotes first" : "closing quotes first");
    TypedString typed;
    // Five lines before the second chunk's start to five after the third's: the string spans a
    // whole chunk, which alone reads as plain code.
    typeAString(
        text, opening_first,
        [](const SourceText& source, const ChunkedTree& syntax) {
          EXPECT_GT(syntax.chunkCount(), 3U);
          if (syntax.chunkCount() <= 3) return std::pair<uint32_t, uint32_t>{};
          return std::pair{source.lineStart(source.rowOf(syntax.chunkStarts()[1]) - 5),
                           source.lineStart(source.rowOf(syntax.chunkStarts()[2]) + 5)};
        },
        typed);
    const FileAnalysis whole = analyzeWhole(*typed.source, options);
    ASSERT_FALSE(whole.has_syntax_error);
    // The lines in the string report nothing.
    EXPECT_LT(findingsOf(whole).size() + 50,
              findingsOf(analyzeWhole(SourceText(text), options)).size());
    expectChunksAnalyseLikeTheWholeFile(*typed.source, typed.syntax);
  }
}

// A string opened just before a big class's chunk (one class, about 21 KB) and closed in it, after
// 20 KB of other chunks: what is read to find where the string starts is not charged to reading
// the string, so the join is still within reach.
TEST(ChunkedTree, RejoinsAStringIntoABigChunkAfterManyOthers) {
  std::string text;
  for (int i = 0; i < 600; ++i)
    text += concat("T", std::to_string(i), " = len([l for l in open('p') if l])\n");
  text += "class Big:\n";
  for (int i = 0; i < 500; ++i)
    text += concat("    def m", std::to_string(i), "(self):\n        return 1\n");
  for (int i = 0; i < 60; ++i)
    text += concat("V", std::to_string(i), " = len([l for l in open('p') if l])\n");
  const auto class_at = static_cast<uint32_t>(text.find("class Big"));
  for (const bool opening_first : {true, false}) {
    SCOPED_TRACE(opening_first ? "opening quotes first" : "closing quotes first");
    TypedString typed;
    typeAString(
        text, opening_first,
        [&](const SourceText& source, const ChunkedTree& syntax) {
          uint32_t big = 0;
          for (const uint32_t start : syntax.chunkStarts()) {
            if (start <= class_at) big = start;
          }
          EXPECT_GT(big, 16U * 1024);
          return std::pair{source.lineStart(source.rowOf(big) - 5),
                           source.lineStart(source.rowOf(big) + 3)};
        },
        typed);
    expectChunksAnalyseLikeTheWholeFile(*typed.source, typed.syntax);
  }
}

// Two edits before one re-parse: a decorator typed at the end of the second chunk, which joins
// it with its neighbours, and a line typed in the fourth. The chunk after the joined ones must
// still get its re-parse.
TEST(ChunkedTree, ReparsesTheChunkAfterARejoinInTheSameRound) {
  std::string text = "import functools\n";
  for (int i = 0; i < 300; ++i)
    text += "def f" + std::to_string(i) + "(xs):\n    return len([x for x in xs])\n";
  PythonParser& parser = PythonParser::forThisThread();
  auto source = std::make_unique<SourceText>(text);
  ChunkedTree syntax;
  syntax.parse(*source, parser);
  ASSERT_GT(syntax.chunkCount(), 4U);
  const std::vector<uint32_t> starts = syntax.chunkStarts();
  ASSERT_EQ(text.compare(starts[2], 4, "def "), 0);
  std::string current = text;
  const auto edit = [&](uint32_t at, std::string_view inserted) {
    syntax.edit(*source, at, at, inserted);
    current.insert(at, inserted);
    source = std::make_unique<SourceText>(current);
  };
  const std::string_view decorator = "\n@functools.cache";
  edit(starts[2] - 1, decorator);
  edit(starts[3] + static_cast<uint32_t>(decorator.size()),
       "T = len([line for line in open('p')])\n");
  syntax.reparse(*source, parser);

  expectChunksAnalyseLikeTheWholeFile(*source, syntax);
}

// An edit that deletes a `def` which error recovery had read as a method: the tree from before
// the edit still holds that method, the text no longer does, and nothing is broken.
TEST(ChunkedTree, AMethodGoneWithTheEditIsNotJudgedBroken) {
  const std::string before =
      "class Plot:\n    windows = def g():\n[]\n\n    def __init__(self, windows):\n"
      "        self.windows = windows\n";
  auto source = std::make_unique<SourceText>(before);
  PythonParser& parser = PythonParser::forThisThread();
  ChunkedTree syntax;
  syntax.parse(*source, parser);
  const auto at = static_cast<uint32_t>(before.find("def g():\n"));
  syntax.edit(*source, at, at + 9, "");
  std::string after = before;
  after.erase(at, 9);
  source = std::make_unique<SourceText>(after);
  EXPECT_FALSE(syntax.editLeavesMethodBroken(*source, parser, at, at, 0));
  syntax.reparse(*source, parser);
  ASSERT_FALSE(syntax.runs().empty());
  EXPECT_FALSE(ts_node_has_error(ts_tree_root_node(syntax.runs().front().tree)));
}

// A space typed before a method's decorator: the class header with the method alone reads as
// broken (the method's line sets the body's indentation there), while the whole class parses,
// the odd line as a nested block. Nor is a tab for spaces judged alone (found by the random
// edits once the fixtures changed).
TEST(ChunkedTree, AMethodIndentedUnlikeItsBodyIsNotJudgedBroken) {
  const std::string before =
      "class Mode:\n    x = 1\n\n    @classmethod\n    def axes(cls, values):\n"
      "        return values\n\n    def gaps(self):\n        return 2\n";
  for (const std::string& indent : {std::string(" "), std::string("\t")}) {
    auto source = std::make_unique<SourceText>(before);
    PythonParser& parser = PythonParser::forThisThread();
    ChunkedTree syntax;
    syntax.parse(*source, parser);
    const auto at = static_cast<uint32_t>(before.find("    @classmethod"));
    const std::string replacement = indent == " " ? " " : "\t";
    const uint32_t end = indent == " " ? at : at + 4;
    syntax.edit(*source, at, end, replacement);
    std::string after = before;
    after.replace(at, end - at, replacement);
    source = std::make_unique<SourceText>(after);
    const bool judged_broken = syntax.editLeavesMethodBroken(
        *source, parser, at, at + static_cast<uint32_t>(replacement.size()), 0);
    syntax.reparse(*source, parser);
    ASSERT_FALSE(syntax.runs().empty());
    if (!ts_node_has_error(ts_tree_root_node(syntax.runs().front().tree))) {
      EXPECT_FALSE(judged_broken) << after;
    }
  }
}

// The undo of an edit that broke a method: the tree before it is the broken one, whose recovery
// may have ended the method at the broken text and read the rest as other statements. Its
// bounds must not make a valid text look broken (found by the random edits with other seeds).
TEST(ChunkedTree, AnEditUndoingABreakIsNotJudgedBrokenByTheBrokenTree) {
  const std::string method_before = "class Jobs:\n    def first(self):\n        return 1\n\n";
  const std::string method_after = "\n    def last(self):\n        return 2\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"    def retry(fn):\n        try:\n            return fn()\n        except OS",
       "Error:\n            return fn()\n"},
      {"    def bulk(path):\n        values = open(path).readlines()\n        return (\n"
       "            [models.ChosenUnslo",
       "tted(value) for value in values],\n        )\n"},
      {"    def len(cache)", ":\n        return cache\n"},
  };
  for (const std::string& inserted :
       {std::string("class K:\n    pass\n"), std::string("x = 1\n")}) {
    for (const auto& [head, tail] : cases) {
      const std::string valid = concat(method_before, head, tail, method_after);
      const std::string broken = concat(method_before, head, inserted, tail, method_after);
      auto source = std::make_unique<SourceText>(broken);
      PythonParser& parser = PythonParser::forThisThread();
      ChunkedTree syntax;
      syntax.parse(*source, parser);
      const auto at = static_cast<uint32_t>(method_before.size() + head.size());
      syntax.edit(*source, at, at + static_cast<uint32_t>(inserted.size()), "");
      source = std::make_unique<SourceText>(valid);
      const bool judged_broken = syntax.editLeavesMethodBroken(*source, parser, at, at, 0);
      syntax.reparse(*source, parser);
      ASSERT_FALSE(syntax.runs().empty());
      EXPECT_FALSE(ts_node_has_error(ts_tree_root_node(syntax.runs().front().tree))) << valid;
      EXPECT_FALSE(judged_broken) << "undoing " << inserted << " in\n" << valid;
    }
  }
}

// A text parsed in runs and edited as the server edits it: the runs are moved through each edit
// (ChunkedTree::edit) and the text is made anew; nothing is re-parsed until asked.
struct EditedText {
  explicit EditedText(std::string text)
      : current(std::move(text)), source(std::make_unique<SourceText>(current)) {
    syntax.parse(*source, parser);
  }
  void replace(uint32_t start, uint32_t end, std::string_view replacement) {
    syntax.edit(*source, start, end, replacement);
    current.replace(start, end - start, replacement);
    source = std::make_unique<SourceText>(current);
  }
  void insert(uint32_t at, std::string_view inserted) { replace(at, at, inserted); }
  bool judgedBroken(uint32_t start, uint32_t end, uint32_t minimum_run = 0) {
    return syntax.editLeavesMethodBroken(*source, parser, start, end, minimum_run);
  }
  // Re-parses the edited runs; whether the first run has an error.
  bool reparsedWithError() {
    syntax.reparse(*source, parser);
    return ts_node_has_error(ts_tree_root_node(syntax.runs().front().tree));
  }

  PythonParser& parser = PythonParser::forThisThread();
  std::string current;
  std::unique_ptr<SourceText> source;
  ChunkedTree syntax;
};

// Typing at the end of a method's last line, the commonest place to start a new statement, is
// judged like typing inside it: the method ends where the edit does there. So is typing after
// spaces typed there (`return x ` then `(`), which the re-parse leaves outside the method.
TEST(ChunkedTree, TypingAtTheEndOfAMethodIsJudged) {
  const std::string before =
      "class Jobs:\n    def first(self):\n        compute(1)\n        return x\n\n"
      "    def last(self):\n        return y\n\n\nrunner = Jobs()\n";
  for (const std::string_view spaces : {"", " ", "  ", "\t"}) {
    for (const std::string_view after_text : {"compute(1)", "return x", "return y"}) {
      SCOPED_TRACE(concat(after_text, "|", spaces, "|"));
      EditedText text(before);
      auto at = static_cast<uint32_t>(before.find(after_text) + after_text.size());
      if (!spaces.empty()) {
        text.insert(at, spaces);
        text.reparsedWithError();
        at += static_cast<uint32_t>(spaces.size());
      }
      text.insert(at, "(");
      EXPECT_TRUE(text.judgedBroken(at, at + 1));
      EXPECT_TRUE(text.reparsedWithError());
    }
  }
}

// A decorator indented too far is read as the end of the method above it, with an error; once
// the indentation is taken back, that method's old bounds end inside the decorated method: parsed
// with the member after it (past a comment between them), the text is judged valid, as it is.
TEST(ChunkedTree, AMethodThatTookInTheNextDecoratorIsJudgedWithIt) {
  for (const std::string_view between : {"", "    # a note\n"}) {
    SCOPED_TRACE(between);
    std::string before = "class Big:\n";
    for (int i = 0; i < 100; ++i) {
      before += concat("    def method_", std::to_string(i), "(self):\n        return self.x\n\n");
      if (i == 50) {
        before +=
            concat("    @classmethod\n", between, "    def make(cls):\n        return cls()\n\n");
      }
    }
    const auto at = static_cast<uint32_t>(before.find("    @classmethod") + 4);
    EditedText text(before);
    text.insert(at, "    ");
    ASSERT_TRUE(text.reparsedWithError());
    text.replace(at, at + 4, "");
    EXPECT_FALSE(text.judgedBroken(at, at));
  }
}

// In a text with CRLF line endings, a valid edit in a method or between two is judged valid: the
// class's header ends after its line feed, not at the `\r` before it.
TEST(ChunkedTree, EditsInABigClassWithCrlfLineEndingsAreJudgedValid) {
  std::string before = "class Big:\r\n";
  for (int i = 0; i < 100; ++i) {
    before +=
        concat("    def method_", std::to_string(i), "(self):\r\n        return self.x\r\n\r\n");
  }
  PythonParser& parser = PythonParser::forThisThread();
  for (const auto& [find, typed] : {std::pair<std::string_view, std::string_view>{
                                        "return self.x\r\n\r\n    def method_50", "y"},
                                    {"    def method_50", "    @property\r\n"}}) {
    SCOPED_TRACE(typed);
    auto source = std::make_unique<SourceText>(before);
    ChunkedTree syntax;
    syntax.parse(*source, parser);
    const auto at = static_cast<uint32_t>(before.find(find) + (typed == "y" ? 13 : 0));
    syntax.edit(*source, at, at, typed);
    std::string after = before;
    after.insert(at, typed);
    source = std::make_unique<SourceText>(after);
    EXPECT_FALSE(syntax.editLeavesMethodBroken(*source, parser, at,
                                               at + static_cast<uint32_t>(typed.size()), 0));
  }
}

// Lines typed in a big class, one character an edit after the new line (as the server sees them
// before re-parsing): between two methods, above a class attribute, and below the last method
// (with the module's code after the class). Judged with the member after them, or alone at the
// end of the class, so that a decorator above a method is not judged broken and an open string
// or bracket is.
TEST(ChunkedTree, LinesTypedInAClassAreJudgedWithTheMemberAfter) {
  std::string before = "class Big:\n";
  for (int i = 0; i < 100; ++i) {
    before += concat("    def method_", std::to_string(i), "(self):\n        \"\"\"Doc.\"\"\"\n",
                     "        return self.x\n\n");
    if (i == 70) before += "    limit = 10\n\n";
  }
  before += "\nrunner = Big()\n";
  for (const std::string_view place : {"    def method_50", "    limit = 10", "runner = Big()"}) {
    SCOPED_TRACE(place);
    const auto at = static_cast<uint32_t>(before.find(place));
    const bool before_method = place.find("def") != std::string_view::npos;
    // What the edits are judged, and whether the text parses.
    const struct {
      std::string_view typed;
      bool broken;
      bool parses;
    } cases[] = {{"x = [1, 2,", true, false},
                 {"X = \"\"\"abc", true, false},
                 {"def helper(self", true, false},
                 // A decorator above no definition is broken.
                 {"@property", !before_method, before_method},
                 {"size = 10", false, true},
                 {"# a comment", false, true},
                 // Indented unlike the body: not judged.
                 {"  y = (", false, false},
                 // May continue a class-level `if` above: not judged.
                 {"else: y = 2", false, false},
                 {"# otherwise\n    else: y = 2", false, false}};
    for (const auto& [typed, broken, parses] : cases) {
      SCOPED_TRACE(typed);
      EditedText text(before);
      // The new line is valid: the server re-parses it.
      text.insert(at, "    \n");
      text.reparsedWithError();
      // One character an edit; the server re-parses the text unless the edits since the last
      // re-parse are judged broken (then it waits for a pause in typing).
      uint32_t unparsed_start = 0;
      uint32_t unparsed_end = 0;
      bool judged_broken = false;
      for (size_t i = 0; i < typed.size(); ++i) {
        const auto offset = static_cast<uint32_t>(at + 4 + i);
        text.insert(offset, typed.substr(i, 1));
        if (!judged_broken) unparsed_start = offset;
        unparsed_end = offset + 1;
        judged_broken = text.judgedBroken(unparsed_start, unparsed_end);
        if (!judged_broken) text.reparsedWithError();
      }
      EXPECT_EQ(judged_broken, broken);
      EXPECT_EQ(text.reparsedWithError(), !parses);
    }
  }
}

// A small class after a big one is in a small run, but a broken run is re-parsed with its
// neighbours (the big class's run too): a method typed below its last member is judged, at the
// server's default minimum run.
TEST(ChunkedTree, AMethodTypedInASmallClassBesideABigOneIsJudged) {
  std::string before = "class Big:\n";
  for (int i = 0; i < 200; ++i) {
    before += concat("    def method_", std::to_string(i), "(self):\n        return self.x\n\n");
  }
  before += "\nclass Small(Big):\n    def first(self):\n        return 1\n\n\nrunner = Small()\n";
  for (int i = 0; i < 60; ++i)
    before += concat("value_", std::to_string(i), " = runner.first()\n");
  PythonParser& parser = PythonParser::forThisThread();
  auto source = std::make_unique<SourceText>(before);
  ChunkedTree syntax;
  syntax.parse(*source, parser);
  const auto at = static_cast<uint32_t>(before.find("\nrunner") + 1);
  ASSERT_NE(syntax.chunkStarts().size(), 1U);
  ASSERT_LT(source->size() - syntax.chunkStarts().back(), ChunkedTree::kMethodAloneMinimum);
  const std::string typed = "    def second(self\n";
  syntax.edit(*source, at, at, typed);
  std::string after = before;
  after.insert(at, typed);
  source = std::make_unique<SourceText>(after);
  EXPECT_TRUE(
      syntax.editLeavesMethodBroken(*source, parser, at, at + static_cast<uint32_t>(typed.size())));
}

// Among runs that are all small, a broken one is re-parsed at once, its neighbours with it: the
// minimum is not reached by adding small runs up (found in review).
TEST(ChunkedTree, AMethodTypedAmongSmallRunsIsReparsed) {
  std::string before;
  for (int i = 0; i < 300; ++i) {
    before += concat("class Small_", std::to_string(i), ":\n    def first(self):\n        return ",
                     std::to_string(i), "\n\n\n");
  }
  EditedText text(before);
  ASSERT_GT(text.syntax.chunkStarts().size(), 3U);
  const auto at = static_cast<uint32_t>(before.find("class Small_150"));
  const std::string typed = "    x = foo(\n";
  text.insert(at, typed);
  const auto end = at + static_cast<uint32_t>(typed.size());
  EXPECT_TRUE(text.judgedBroken(at, end));
  EXPECT_FALSE(text.judgedBroken(at, end, ChunkedTree::kMethodAloneMinimum));
}

// A class deleted whole leaves nodes of no width in the tree from before, whose "header" and
// "body" would be the text after it: not judged (the random-edit test's seed 2 found this, with
// the decorator after the class judged broken alone).
TEST(ChunkedTree, ADeletedClassIsNotJudged) {
  const std::string kept = "def first():\n    return 1\n\n\n";
  const std::string deleted = "class K:\n    pass\n";
  const std::string before =
      concat(kept, deleted, "@functools.cache\ndef second(key):\n    return key\n");
  PythonParser& parser = PythonParser::forThisThread();
  auto source = std::make_unique<SourceText>(before);
  ChunkedTree syntax;
  syntax.parse(*source, parser);
  const auto at = static_cast<uint32_t>(kept.size());
  syntax.edit(*source, at, at + static_cast<uint32_t>(deleted.size()), "");
  std::string after = before;
  after.erase(at, deleted.size());
  source = std::make_unique<SourceText>(after);
  EXPECT_FALSE(syntax.editLeavesMethodBroken(*source, parser, at, at, 0));
}

// A decorator indented less than the body (`   @cached_property`) is read as a module-level
// definition after the class; indenting it as the body moves the definition into the class. The
// line typed below the class's last member is then followed by indented code, parsed with it in
// the file: not judged (seed 5 of the random-edit test found it judged broken alone).
TEST(ChunkedTree, LinesFollowedByIndentedCodeBelowAClassAreNotJudged) {
  const std::string before =
      "class ShapeMixin(DirectShape):\n    __slots__ = ()\n   @cached_property\n"
      "    def perimeter(self):\n        return 0.0\n\n\nclass AbstractShape(Shape):\n"
      "    __slots__ = (\"sides\",)\n";
  PythonParser& parser = PythonParser::forThisThread();
  auto source = std::make_unique<SourceText>(before);
  ChunkedTree syntax;
  syntax.parse(*source, parser);
  const auto at = static_cast<uint32_t>(before.find("   @cached"));
  syntax.edit(*source, at, at, "\n ");
  std::string mended = before;
  mended.insert(at, "\n ");
  source = std::make_unique<SourceText>(mended);
  EXPECT_FALSE(syntax.editLeavesMethodBroken(*source, parser, at, at + 2, 0));
  syntax.reparse(*source, parser);
  EXPECT_FALSE(ts_node_has_error(ts_tree_root_node(syntax.runs().front().tree)));
}

// Edits at the end of a class, with the module's code after it: the text parses, and is not
// judged by the lines alone (found in review).
TEST(ChunkedTree, EditsRunningIntoTheCodeAfterAClassAreNotJudged) {
  std::string big_class = "class Big:\n";
  for (int i = 0; i < 100; ++i) {
    big_class +=
        concat("    def method_", std::to_string(i), "(self):\n        return self.x   \n\n");
  }
  const struct {
    std::string before;
    std::string_view from;  // the edit replaces from the end of this
    std::string_view to;    // to the end of this
    std::string_view replacement;
  } cases[] = {
      // From after the last method's trailing spaces into a statement below the class.
      {concat(big_class, "\nvalue = foo(1,\n            2)\n"), "return self.x   ", "foo(1",
       "\n\n\nx = foo(3"},
      // From a blank line below the class into the first line of a call it now continues.
      {concat(big_class, "\n\nCONFIG = dict(\n    a=1,\n)\n"), "return self.x   \n\n",
       "CONFIG = dict(", "    y = 1\n    x = foo("},
      // Found in the second review: the code after the class continues the lines (a backslash,
      // a bracket closed at column 0), or an edit moves the end of the last member to column 0.
      {concat(big_class, "    timeout = 30\nmain()\n"), "timeout = 30", "", " + \\"},
      {concat(big_class, "    x = 1\n\n\nCONFIG = dict(\n    a=1,\n)\n"), "    x = 1", "a=1,",
       " + dict(a=1,"},
      {concat(big_class, "    z = foo(1)@dec\ndef g():\n    pass\n"), "    z = foo(1)", "", "\n"},
      // In the last method, its last line continued by the module's code below the class.
      {concat(big_class, "\n\nmain()\n"), "method_99(self):\n        return self.x", "   ", " \\"},
  };
  PythonParser& parser = PythonParser::forThisThread();
  for (const auto& [before, from, to, replacement] : cases) {
    SCOPED_TRACE(replacement);
    auto source = std::make_unique<SourceText>(before);
    ChunkedTree syntax;
    syntax.parse(*source, parser);
    const auto start = static_cast<uint32_t>(before.rfind(from) + from.size());
    const auto end = static_cast<uint32_t>(before.find(to, start) + to.size());
    syntax.edit(*source, start, end, replacement);
    std::string after = before;
    after.replace(start, end - start, replacement);
    source = std::make_unique<SourceText>(after);
    EXPECT_FALSE(syntax.editLeavesMethodBroken(
        *source, parser, start, start + static_cast<uint32_t>(replacement.size()), 0));
    syntax.reparse(*source, parser);
    EXPECT_FALSE(ts_node_has_error(ts_tree_root_node(syntax.runs().front().tree)));
  }
}

// Lines typed below a class at column 0, or below a function, are not the class's: not judged.
TEST(ChunkedTree, LinesTypedBelowAClassAtColumnZeroAreNotJudged) {
  std::string before = "class Big:\n";
  for (int i = 0; i < 100; ++i) {
    before += concat("    def method_", std::to_string(i), "(self):\n        return self.x\n\n");
  }
  before += "\ndef helper():\n    return 1\n\n\nrunner = Big()\n";
  PythonParser& parser = PythonParser::forThisThread();
  for (const auto& [place, typed] :
       {std::pair<std::string_view, std::string_view>{"\ndef helper", "x = [1,"},
        {"\nrunner", "    x = [1,"}}) {
    SCOPED_TRACE(typed);
    auto source = std::make_unique<SourceText>(before);
    ChunkedTree syntax;
    syntax.parse(*source, parser);
    const auto at = static_cast<uint32_t>(before.find(place) + 1);
    syntax.edit(*source, at, at, concat(typed, "\n"));
    std::string after = before;
    after.insert(at, concat(typed, "\n"));
    source = std::make_unique<SourceText>(after);
    EXPECT_FALSE(syntax.editLeavesMethodBroken(*source, parser, at,
                                               at + static_cast<uint32_t>(typed.size()), 0));
  }
}

// Every node of the trees, in order, with its kind and byte range: two trees that give the same
// list are the same tree for the walk.
std::string nodesOf(std::span<const TSTree* const> trees) {
  std::string out;
  for (const TSTree* tree : trees) {
    TSTreeCursor cursor = ts_tree_cursor_new(ts_tree_root_node(tree));
    for (bool more = true; more;) {
      const TSNode node = ts_tree_cursor_current_node(&cursor);
      out += concat(ts_node_type(node), ts_node_is_missing(node) ? "(missing)" : "", " ",
                    std::to_string(ts_node_start_byte(node)), "-",
                    std::to_string(ts_node_end_byte(node)), "\n");
      more = ts_tree_cursor_goto_first_child(&cursor);
      while (!more) {
        if (ts_tree_cursor_goto_next_sibling(&cursor)) {
          more = true;
        } else if (!ts_tree_cursor_goto_parent(&cursor)) {
          break;
        }
      }
    }
    ts_tree_cursor_delete(&cursor);
  }
  return out;
}

struct TextEdit {
  std::string_view find;
  std::string_view replacement;
  size_t offset;  // into `find`
  size_t length;  // bytes replaced
};

// The nodes of nodesOf() but the runs' roots: where the runs are cut.
std::string statementNodesOf(std::span<const TSTree* const> trees) {
  std::string out;
  const std::string nodes = nodesOf(trees);
  for (size_t start = 0; start < nodes.size();) {
    const size_t end = nodes.find('\n', start) + 1;
    if (!std::string_view(nodes).substr(start).starts_with("module ")) {
      out.append(nodes, start, end - start);
    }
    start = end;
  }
  return out;
}

// Each sequence of edits made to `text`, then one re-parse: the tree a fresh parse gives; and so
// is the undo of the sequence, typed as one replacement of everything between its edits. With
// `same_runs`, the text must be cut into the same runs too (an edit that opens a string across
// runs joins them, and they may then be cut elsewhere than a fresh parse cuts them).
void expectEditsReparseLikeAFreshParse(const std::string& text,
                                       const std::vector<std::vector<TextEdit>>& sequences,
                                       bool same_runs = true) {
  const auto nodes = [&](const ChunkedTree& syntax) {
    return same_runs ? nodesOf(syntax.trees()) : statementNodesOf(syntax.trees());
  };
  PythonParser& parser = PythonParser::forThisThread();
  for (const std::vector<TextEdit>& sequence : sequences) {
    auto source = std::make_unique<SourceText>(text);
    ChunkedTree syntax;
    syntax.parse(*source, parser);
    for (const TextEdit& edit : sequence) {
      const size_t found = source->text().find(edit.find);
      ASSERT_NE(found, std::string_view::npos) << edit.find;
      const auto start = static_cast<uint32_t>(found + edit.offset);
      syntax.edit(*source, start, start + static_cast<uint32_t>(edit.length), edit.replacement);
      std::string updated(source->text());
      updated.replace(start, edit.length, edit.replacement);
      source = std::make_unique<SourceText>(std::move(updated));
    }
    syntax.reparse(*source, parser);
    ChunkedTree fresh;
    fresh.parse(*source, parser);
    EXPECT_EQ(nodes(syntax), nodes(fresh)) << sequence.front().find;
    ChunkedTree undone_fresh;
    const SourceText original(text);
    const auto diverge = static_cast<uint32_t>(
        std::mismatch(text.begin(), text.end(), source->text().begin(), source->text().end())
            .first -
        text.begin());
    size_t tail = 0;
    while (tail < text.size() - diverge && tail < source->size() - diverge &&
           text[text.size() - 1 - tail] == source->text()[source->size() - 1 - tail]) {
      ++tail;
    }
    syntax.edit(*source, diverge, static_cast<uint32_t>(source->size() - tail),
                std::string_view(text).substr(diverge, text.size() - tail - diverge));
    syntax.reparse(original, parser);
    undone_fresh.parse(original, parser);
    EXPECT_EQ(nodes(syntax), nodes(undone_fresh)) << "undoing " << sequence.front().find;
  }
}

// An edit inside a big top-level class is described to tree-sitter as running on to the class's
// next member (describedEditEnd): the re-parse must still give the tree a fresh parse gives, for
// edits at a line's start, on a `def` line, between members, in a docstring whose lines start at
// column 0, several before one re-parse, and ones that break the text and mend it again.
TEST(ChunkedTree, EditsInABigClassReparseToTheTreeOfAFreshParse) {
  std::string text =
      "import os\n\n\nclass Big(object):\n    \"\"\"A class.\n\nText at column 0.\n\"\"\"\n\n";
  for (int i = 0; i < 150; ++i) {
    const std::string n = std::to_string(i);
    if (i % 7 == 0) text += concat("    # member ", n, "\n");
    if (i % 5 == 0) text += "    @property\n";
    text += concat("    def method_", n, "(self):\n        result = self.x + ", n,
                   "\n        if result:\n            return result\n        return None\n\n");
  }
  text += "\ndef after():\n    return Big()\n";
  expectEditsReparseLikeAFreshParse(text,
                                    {
                                        {{"        result = self.x + 3\n", "q", 8, 0}},
                                        {{"    def method_4(self):", "q", 8, 0}},
                                        {{"        return None\n\n    def method_2(", "x", 19, 0}},
                                        {{"    def method_6(self):", "\n    x = 1\n", 0, 0}},
                                        {{"Text at column 0.", "More text", 0, 4}},
                                        {{"        if result:\n            return result\n        "
                                          "return None\n\n    def method_9",
                                          "", 8, 3},
                                         {"        result = self.x + 2\n", "z", 8, 0}},
                                        {{"        result = self.x + 1\n", "(", 8, 0}},
                                        {{"    def method_3(self):", "", 4, 4}},
                                        {{"\n\n    def method_8(self):", "", 0, 1}},
                                    });
}

// Long blocks of comment lines are parsed by their first and last lines (PythonParser::parseRange):
// edits that end a block, split it, join two, turn it into a string's text or a directive, in a
// class and at the top level, re-parse to the tree of a fresh parse.
TEST(ChunkedTree, EditsAroundLongCommentBlocksReparseToTheTreeOfAFreshParse) {
  std::string text = "import os\n\n\nclass Big(object):\n";
  for (int i = 0; i < 150; ++i) {
    const std::string n = std::to_string(i);
    text += concat("    def method_", n, "(self):\n        return self.x + ", n, "\n");
    if (i % 20 == 3) {
      for (int line = 0; line < 40; ++line) {
        text += concat(line % 3 == 0 ? "#" : "    #", " block ", n, " line ", std::to_string(line),
                       "\n");
      }
    }
  }
  text += "\n\n";
  for (int i = 0; i < 80; ++i) {
    text += concat("def function_", std::to_string(i), "():\n    return Big()\n\n\n");
    if (i == 40) {
      for (int line = 0; line < 40; ++line)
        text += concat("# top ", std::to_string(line), "\n");
    }
  }
  ASSERT_GT(text.size(), ChunkedTree::kSingleChunkLimit);
  expectEditsReparseLikeAFreshParse(
      text,
      {
          {{"    # block 3 line 20\n", "", 4, 1}},    // a line of code now
          {{"    # block 3 line 1\n", "'''", 0, 0}},  // a string opened
          {{"    # block 3 line 1\n", "'''", 0, 0}, {"# top 30\n", "'''", 0, 0}},
          {{"        return self.x + 24\n", "#", 8, 0}},  // joins two blocks
          {{"# block 43 line 39\n", "", 0, 19}},          // the last line gone
          {{"# block 23 line 21\n", "noqa ", 2, 0}},      // a directive splits the block
          {{"# top 0\n", "x = 1\n", 0, 0}, {"# top 39\n", "", 0, 1}},
          {{"# top 12\n", "    ", 0, 0}},
      },
      /*same_runs=*/false);
}

TEST(ChunkedTree, ChecksAFixByReparsingItsChunk) {
  const std::string text = fixturesAsOneModule();
  const SourceText source(text);
  PythonParser& parser = PythonParser::forThisThread();
  ChunkedTree syntax;
  syntax.parse(source, parser);
  const TreePtr whole = parser.parse(source);
  // A statement start in the middle of the text, far from the first chunk: a top-level `def`
  // without decorators (a decorator's line may end in a comment or a `\`).
  uint32_t at = 0;
  const TSNode root = ts_tree_root_node(whole.get());
  for (uint32_t i = 0, count = ts_node_named_child_count(root); i < count && at == 0; ++i) {
    const TSNode statement = ts_node_named_child(root, i);
    if (ts_node_start_byte(statement) > text.size() / 2 &&
        kindOf(statement) == NodeKind::FunctionDefinition) {
      at = ts_node_start_byte(statement);
    }
  }
  ASSERT_GT(at, 0u);
  for (const auto& [replacement, valid] : std::vector<std::pair<std::string, bool>>{
           {"pass\n", true}, {"(", false}, {")\n", false}, {"x = [\n1]\n", true}}) {
    const Fix fix{Applicability::Safe, {Edit{at, at, replacement}}};
    EXPECT_EQ(syntax.fixKeepsSyntaxValid(parser, source, fix), valid) << replacement;
    EXPECT_EQ(fixKeepsSyntaxValid(parser, *whole, source, fix), valid) << replacement;
  }
}

}  // namespace
}  // namespace heaplint
