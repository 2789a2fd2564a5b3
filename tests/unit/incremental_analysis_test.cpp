#include "analyzer/incremental_analysis.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "analyzer/call_evidence.h"
#include "analyzer/concat.h"
#include "analyzer/walker.h"
#include "rules/registry.h"
#include "tests/unit/all_rules.h"

namespace heaplint {
namespace {

// Enough small functions to fill many runs of ChunkedTree::kTargetChunkSize.
std::string filler(int first, int count) {
  std::string text;
  for (int i = first; i < first + count; ++i) {
    const std::string n = std::to_string(i);
    text += "def helper_";
    text += n;
    text += "(values):\n    total = 0\n    for value in values:\n        total += value * ";
    text += n;
    text += "\n    return total\n\n\n";
  }
  return text;
}

std::vector<std::string> codesOf(const FileAnalysis& analysis) {
  std::vector<std::string> codes;
  for (const Diagnostic& diagnostic : analysis.diagnostics)
    codes.emplace_back(diagnostic.rule->code);
  return codes;
}

std::vector<std::string> messagesOf(const FileAnalysis& analysis) {
  std::vector<std::string> messages;
  for (const Diagnostic& diagnostic : analysis.diagnostics)
    messages.push_back(diagnostic.message);
  return messages;
}

// A document held in runs, edited the way the language server edits it.
class Document {
 public:
  explicit Document(std::string text, AnalysisOptions options = allRulesOptions())
      : options_(std::move(options)), source_(std::make_unique<SourceText>(std::move(text))) {
    syntax_.parse(*source_, PythonParser::forThisThread());
  }

  void replace(std::string_view old_text, std::string_view new_text) {
    const size_t at = source_->text().find(old_text);
    ASSERT_NE(at, std::string_view::npos) << old_text;
    const auto start = static_cast<uint32_t>(at);
    const auto end = static_cast<uint32_t>(at + old_text.size());
    syntax_.edit(*source_, start, end, new_text);
    std::string updated(source_->text());
    updated.replace(at, old_text.size(), new_text);
    source_ = std::make_unique<SourceText>(std::move(updated));
    syntax_.reparse(*source_, PythonParser::forThisThread());
  }

  FileAnalysis analyze() { return incremental_.analyze(*source_, syntax_, options_); }
  // With the project rules' join over the document alone, as the language server runs it.
  FileAnalysis analyzeJoined() {
    FileAnalysis analysis = analyze();
    FileAnalysis* files[] = {&analysis};
    joinProject(files, options_);
    return analysis;
  }
  // As the language server analyses it: the document's calls only while its findings read them.
  FileAnalysis analyzeForOwnFindings() {
    FileAnalysis analysis = incremental_.analyzeForOwnFindings(*source_, syntax_, options_);
    FileAnalysis* files[] = {&analysis};
    joinProject(files, options_);
    return analysis;
  }
  FileAnalysis analyzeWhole() const { return heaplint::analyze(*source_, options_); }
  size_t walked() const { return incremental_.walkedRuns(); }
  size_t remembered() const { return incremental_.methodsRemembered(); }
  size_t runs() const { return syntax_.chunkCount(); }

 private:
  AnalysisOptions options_;
  std::unique_ptr<SourceText> source_;
  ChunkedTree syntax_;
  IncrementalAnalysis incremental_;
};

TEST(IncrementalAnalysis, AnEditInsideAFunctionWalksOnlyItsRun) {
  Document document(filler(0, 200) + "def uses():\n    return sum([x for x in open(f)])\n");
  EXPECT_EQ(codesOf(document.analyze()), std::vector<std::string>{"MEM101"});
  ASSERT_GT(document.runs(), 10U);
  document.replace("value * 30\n", "value * 31\n");
  EXPECT_EQ(codesOf(document.analyze()), std::vector<std::string>{"MEM101"});
  EXPECT_EQ(document.walked(), 1U);
}

TEST(IncrementalAnalysis, ANewBindingWalksTheRunsThatReadTheName) {
  Document document("import os\n\n\n" + filler(0, 200) +
                    "def uses():\n    return sum([x for x in open(f)])\n");
  EXPECT_EQ(codesOf(document.analyze()), std::vector<std::string>{"MEM101"});
  // The module's own `sum` is not the builtin: the finding at the far end goes.
  document.replace("import os\n", "import os\nfrom numpy import sum\n");
  EXPECT_TRUE(document.analyze().diagnostics.empty());
  EXPECT_EQ(document.walked(), 2U);
  EXPECT_TRUE(document.analyzeWhole().diagnostics.empty());
  document.replace("from numpy import sum\n", "");
  EXPECT_EQ(codesOf(document.analyze()), std::vector<std::string>{"MEM101"});
}

TEST(IncrementalAnalysis, AStarImportInAnotherRunBindsWhatItsModuleExports) {
  // `from math import *` binds `fsum` but not `sum`, far from where they are used.
  Document document(
      "from math import *\n\n\n" + filler(0, 200) +
      "def uses(f):\n    return sum([x for x in open(f)]), fsum([float(y) for y in open(f)])\n");
  const std::vector<std::string> both{"MEM101", "MEM101"};
  EXPECT_EQ(codesOf(document.analyze()), both);
  EXPECT_EQ(codesOf(document.analyzeWhole()), both);
  // A module whose names are unknown may bind anything: both findings go.
  document.replace("from math import *\n", "from mathlib import *\n");
  EXPECT_TRUE(document.analyze().diagnostics.empty());
  EXPECT_TRUE(document.analyzeWhole().diagnostics.empty());
  document.replace("from mathlib import *\n", "from math import *\n");
  EXPECT_EQ(codesOf(document.analyze()), both);
}

TEST(IncrementalAnalysis, ARuleKeyWalksTheRunsThatDependOnIt) {
  // MEM502: `pause()` turns the collector off; `resume()`, far away in another run, is the
  // closing half of the pair.
  Document document("import gc\n\n\ndef pause():\n    gc.disable()\n\n\n" + filler(0, 200) +
                    "def resume():\n    gc.enable()\n");
  EXPECT_TRUE(document.analyze().diagnostics.empty());
  document.replace("    gc.enable()\n", "    pass\n");
  EXPECT_EQ(codesOf(document.analyze()), std::vector<std::string>{"MEM502"});
  EXPECT_EQ(codesOf(document.analyzeWhole()), std::vector<std::string>{"MEM502"});
  EXPECT_EQ(document.walked(), 2U);
  document.replace("def resume():\n    pass\n", "def resume():\n    gc.enable()\n");
  EXPECT_TRUE(document.analyze().diagnostics.empty());
}

TEST(IncrementalAnalysis, APoolInAnotherRunMakesAFunctionAWorkerInitializer) {
  // MEM502: `_init_worker()` turns the collector off in each worker process of a pool that names
  // it, far away in another run; a thread pool's initializer runs in the program's own process.
  Document document(
      "import gc\nimport multiprocessing\n\n\ndef _init_worker():\n    "
      "gc.disable()\n\n\n" +
      filler(0, 200) +
      "def run(jobs):\n    with multiprocessing.Pool(4, initializer=_init_worker) "
      "as pool:\n        return pool.map(len, jobs)\n");
  ASSERT_GT(document.runs(), 10U);
  EXPECT_TRUE(document.analyze().diagnostics.empty());
  EXPECT_TRUE(document.analyzeWhole().diagnostics.empty());
  document.replace("multiprocessing.Pool(4,", "multiprocessing.dummy.Pool(4,");
  EXPECT_EQ(codesOf(document.analyze()), std::vector<std::string>{"MEM502"});
  EXPECT_EQ(codesOf(document.analyzeWhole()), std::vector<std::string>{"MEM502"});
  document.replace("multiprocessing.dummy.Pool(4,", "multiprocessing.Pool(4,");
  EXPECT_TRUE(document.analyze().diagnostics.empty());
}

TEST(IncrementalAnalysis, AValueBoundInAnotherRunIsFollowedAndWatched) {
  // MEM102: `log`, read in the first run, is bound far below to `handle`, a file the module
  // opens further up. The run follows the values into the runs that bind them, as a walk of the
  // whole file does, and is walked again when one of them changes.
  Document document("def scan():\n    for line in log.readlines():\n        print(line)\n\n\n" +
                    filler(0, 100) + "handle = open('events.log')\n\n\n" + filler(100, 100) +
                    "log = handle\n");
  const std::vector<std::string> found{"MEM102"};
  EXPECT_EQ(codesOf(document.analyzeWhole()), found);
  EXPECT_EQ(codesOf(document.analyze()), found);
  ASSERT_GT(document.runs(), 10U);
  document.replace("handle = open(", "handle = make(");
  EXPECT_TRUE(document.analyzeWhole().diagnostics.empty());
  EXPECT_TRUE(document.analyze().diagnostics.empty());
  document.replace("handle = make(", "handle = open(");
  EXPECT_EQ(codesOf(document.analyze()), found);
}

// MEM204 with the default rules: the calls of a function whose default may be a mutable container
// are described for the join (what their arguments hold), those of other functions are not. A
// function of another run is judged by its definition there, as a whole walk judges it, and the
// runs calling it are walked again when that definition changes.
// MEM204's fixture: a function that remembers every event id in its default `_seen`.
std::string firstSeen(std::string_view seen_default) {
  return concat("def first_seen(event_id, _seen=", seen_default,
                "):\n    if event_id in _seen:\n        return False\n"
                "    _seen.add(event_id)\n    return True\n\n\n");
}

// A function that makes `call` of each line of a file.
std::string lineCounter(std::string_view call) {
  return concat("def count_new_events(path):\n    with open(path) as handle:\n        return sum(",
                call, " for line in handle)\n");
}

TEST(IncrementalAnalysis, ACallOfAFunctionInAnotherRunIsDescribedWhenItsDefaultIsMutable) {
  Document document(
      firstSeen("None") + filler(0, 100) + filler(100, 100) + lineCounter("first_seen(line)"),
      defaultRulesOptions());
  ASSERT_GT(document.runs(), 10U);
  EXPECT_TRUE(document.analyzeJoined().diagnostics.empty());
  document.replace("_seen=None", "_seen=set()");
  const std::vector<std::string> found{"MEM204"};
  EXPECT_EQ(codesOf(document.analyzeJoined()), found);
  EXPECT_EQ(document.walked(), 2U);  // the definition's run and the caller's
  document.replace("first_seen(line)", "first_seen('start')");
  EXPECT_TRUE(document.analyzeJoined().diagnostics.empty());
  EXPECT_EQ(document.walked(), 1U);
  document.replace("first_seen('start')", "first_seen(line)");
  EXPECT_EQ(codesOf(document.analyzeJoined()), found);
}

// The language server keeps only the open document's findings: it collects the document's calls
// only when the file's own facts say a join may read them (a MEM204 candidate), or when a rule
// that reads calls cannot tell (the preview cache rules).
TEST(OwnFindingsReadCalls, OnlyForAFileWithACandidateOrARuleThatCannotTell) {
  AnalysisOptions options = defaultRulesOptions();
  options.collect_call_facts = false;
  const SourceText without(firstSeen("None") + lineCounter("first_seen(line)"));
  const FileAnalysis quiet = analyzeFile(without, options);
  EXPECT_EQ(quiet.call_facts, nullptr);
  EXPECT_FALSE(ownFindingsReadCalls(quiet, options));
  const SourceText with(firstSeen("set()") + lineCounter("first_seen(line)"));
  EXPECT_TRUE(ownFindingsReadCalls(analyzeFile(with, options), options));
  options.collect_call_facts = true;
  EXPECT_NE(analyzeFile(without, options).call_facts, nullptr);
  AnalysisOptions preview = allRulesOptions();
  EXPECT_TRUE(ownFindingsReadCalls(analyzeFile(without, preview), preview));
}

// The call sites of `callee` among the analysis's call facts.
size_t callsOf(const FileAnalysis& analysis, std::string_view callee) {
  if (!analysis.call_facts) return 0;
  const auto& sites = static_cast<const FileCallFacts&>(*analysis.call_facts).calls.calls;
  return static_cast<size_t>(std::count_if(sites.begin(), sites.end(), [&](const CallSite& site) {
    return site.callee.ends_with(callee);
  }));
}

// In the server's mode the calls are collected once a candidate appears, from every run (the
// caller's run was walked without them), and a run walked while there is none collects none.
TEST(IncrementalAnalysis, TheServersModeCollectsCallsWhileACandidateIsThere) {
  Document document(
      firstSeen("None") + filler(0, 100) + filler(100, 100) + lineCounter("first_seen(line)"),
      defaultRulesOptions());
  ASSERT_GT(document.runs(), 10U);
  FileAnalysis analysis = document.analyzeForOwnFindings();
  EXPECT_TRUE(analysis.diagnostics.empty());
  EXPECT_EQ(analysis.call_facts, nullptr);
  document.replace("first_seen(line)", "first_seen(line) ");  // its run walked without calls
  EXPECT_EQ(document.analyzeForOwnFindings().call_facts, nullptr);
  EXPECT_EQ(document.walked(), 1U);
  document.replace("_seen=None", "_seen=set()");
  analysis = document.analyzeForOwnFindings();
  EXPECT_EQ(callsOf(analysis, "first_seen"), 1U);
  EXPECT_EQ(messagesOf(analysis), messagesOf(document.analyzeWhole()));
  ASSERT_EQ(codesOf(analysis), std::vector<std::string>{"MEM204"});
  EXPECT_GE(document.walked(), 1U + document.runs());  // the edited run, then every run again
  document.replace("_seen=set()", "_seen=None");
  EXPECT_TRUE(document.analyzeForOwnFindings().diagnostics.empty());
  document.replace("first_seen(line) ", "first_seen(line)");
  EXPECT_EQ(callsOf(document.analyzeForOwnFindings(), "first_seen"), 0U);
}

// A caller's arguments are described when its callee passes them on to a function with a mutable
// default, also when the callee is in another run (a chain of runs), and the finding's message
// names what the outermost caller passes, as a whole walk does.
TEST(IncrementalAnalysis, ArgumentsPassedOnThroughAnotherRunAreDescribed) {
  Document document(firstSeen("set()") + filler(0, 100) +
                        "def check(event_id):\n    return first_seen(event_id)\n\n\n" +
                        filler(100, 100) +
                        "def recheck(event_id):\n    return check(event_id)\n\n\n" +
                        filler(200, 100) + lineCounter("recheck(line)"),
                    defaultRulesOptions());
  ASSERT_GT(document.runs(), 15U);
  const std::vector<std::string> whole = messagesOf(document.analyzeWhole());
  ASSERT_EQ(whole.size(), 1U);
  EXPECT_NE(whole.front().find("lines of the file"), std::string::npos) << whole.front();
  EXPECT_EQ(messagesOf(document.analyzeJoined()), whole);
  // The middle of the chain stops passing the parameter on, and then passes it on again.
  document.replace("return check(event_id)", "return check('start')");
  EXPECT_EQ(messagesOf(document.analyzeJoined()), messagesOf(document.analyzeWhole()));
  document.replace("return check('start')", "return check(event_id)");
  EXPECT_EQ(messagesOf(document.analyzeJoined()), whole);
}

// A run that uses a class of another run reads its outline (header, class-level statements,
// methods' signatures): an edit inside a method's body does not walk it again, an edit of a
// signature does.
TEST(IncrementalAnalysis, AnEditInAMethodBodyWalksOnlyItsClassesRun) {
  const std::string cache =
      "class Cache:\n    size = 10\n\n"
      "    def lookup(self, key, _seen=None):\n        return key * 2\n\n\n";
  Document document(
      cache + filler(0, 100) + filler(100, 100) + lineCounter("Cache.lookup(None, line)"),
      defaultRulesOptions());
  ASSERT_GT(document.runs(), 10U);
  EXPECT_TRUE(document.analyzeJoined().diagnostics.empty());
  document.replace("return key * 2", "return key * 3");
  EXPECT_TRUE(document.analyzeJoined().diagnostics.empty());
  EXPECT_EQ(document.walked(), 1U);
  document.replace("_seen=None", "_seen=set()");
  EXPECT_TRUE(document.analyzeJoined().diagnostics.empty());
  EXPECT_EQ(document.walked(), 2U);  // the caller's calls of `lookup` are described now
  document.replace("return key * 3", "_seen.add(key)\n        return key * 3");
  const std::vector<std::string> found{"MEM204"};
  EXPECT_EQ(codesOf(document.analyzeJoined()), found);
  EXPECT_EQ(codesOf(document.analyzeWhole()), found);
  EXPECT_EQ(document.walked(), 1U);  // the join decides from the facts kept
}

// A class's docstring and the comments among its members are prose: typing there walks the
// class's run alone, not every run that names the class. Its class-level statements, a string
// that is not the docstring and an f-string in the docstring's place still walk those too. A
// subclass in the last run gives a finding that reads the class: MEM403, slots under a base
// without them.
TEST(IncrementalAnalysis, AnEditInAClassDocstringOrCommentWalksOnlyItsRun) {
  // A long block of comments too, of which the parse reads a few lines (comment_blocks.h).
  std::string notes = "    # Notes:\n";
  for (int i = 0; i < 40; ++i)
    notes += "    # note " + std::to_string(i) + "\n";
  const std::string cache =
      "class Cache:\n    # Results by key.\n    \"\"\"Keeps results.\"\"\"\n"
      "    size = 10  # entries\n    \"limit\"\n\n"
      "    # Looked up per line.\n    def lookup(self, key):\n        return key * 2\n\n" +
      notes + "    # End of notes.\n\n\n";
  Document document(cache + filler(0, 100) + filler(100, 100) +
                    "class Leaf(Cache):\n    __slots__ = (\"extra\",)\n");
  ASSERT_GT(document.runs(), 10U);
  const std::vector<std::string> slots_void{"MEM403"};
  ASSERT_EQ(codesOf(document.analyzeWhole()), slots_void);
  EXPECT_EQ(codesOf(document.analyzeJoined()), slots_void);
  for (const auto& [before, after] :
       {std::pair{"Keeps results.", "Keeps the results."},
        std::pair{"# Results by key.", "# Results."}, std::pair{"# entries", "# items"},
        std::pair{"# Looked up per line.", "# Looked up."}, std::pair{"# note 20", "# note"},
        std::pair{"# note 21\n", "# note 21\n\n"}}) {
    document.replace(before, after);
    EXPECT_EQ(codesOf(document.analyzeJoined()), slots_void) << after;
    EXPECT_EQ(document.walked(), 1U) << after;
  }
  document.replace("\"limit\"", "\"bound\"");
  EXPECT_EQ(codesOf(document.analyzeJoined()), slots_void);
  EXPECT_EQ(document.walked(), 2U);
  document.replace("\"\"\"Keeps the results.\"\"\"", "f\"Keeps {size} results.\"");
  EXPECT_EQ(codesOf(document.analyzeJoined()), slots_void);
  EXPECT_EQ(document.walked(), 2U);
  // The base gets slots: the subclass's run is walked again, and its finding goes.
  document.replace("size = 10", "__slots__ = ()");
  ASSERT_TRUE(document.analyzeWhole().diagnostics.empty());
  EXPECT_TRUE(document.analyzeJoined().diagnostics.empty());
  EXPECT_EQ(document.walked(), 2U);
}

// A slotted class's layout reads every method (what they assign outside the slots), and the
// analysis in runs remembers each method's part by its text (MethodLayoutMemo): a method edited
// to assign outside the slots, and back, gives what a whole-file walk gives. MEM401 reports the
// hot subclass only while its base's slots hold what the base assigns.
const std::string kSlottedBase =
    "class Leaky:\n    __slots__ = (\"a\",)\n\n"
    "    def __init__(self):\n        self.a = 1\n\n"
    "    def reset(self):\n        self.a = 0\n\n\n";
const std::string kHotSubclass =
    "class Sprite(Leaky):\n    def __init__(self, x):\n        super().__init__()\n"
    "        self.x = x\n\n\nSPRITES = [Sprite(i) for i in range(1_000_000)]\n";

TEST(IncrementalAnalysis, AnEditedMethodOfASlottedClassIsReadAgain) {
  Document document(kSlottedBase + filler(0, 100) + filler(100, 100) + kHotSubclass,
                    defaultRulesOptions());
  ASSERT_GT(document.runs(), 10U);
  const std::vector<std::string> hot{"MEM401"};
  ASSERT_EQ(codesOf(document.analyzeWhole()), hot);
  EXPECT_EQ(codesOf(document.analyzeJoined()), hot);
  for (int round = 0; round < 2; ++round) {
    document.replace("self.a = 0\n", "self.e = 0\n");
    ASSERT_TRUE(document.analyzeWhole().diagnostics.empty()) << round;
    EXPECT_TRUE(document.analyzeJoined().diagnostics.empty()) << round;
    // `__init__`, whose text is the same; `reset` too the second time.
    EXPECT_EQ(document.remembered(), round == 0 ? 1U : 2U) << round;
    document.replace("self.e = 0\n", "self.a = 0\n");
    EXPECT_EQ(codesOf(document.analyzeJoined()), hot) << round;
    EXPECT_EQ(document.remembered(), 2U) << round;
  }
  // A read of the attribute in a text of the same length, with the same first line, where the
  // assignment was: no assignment outside the slots. Only the text tells it from `reset` before
  // (a key of the first line and the length would replay that `reset`'s one name, read again at
  // its offset here: `e`, outside the slots).
  document.replace("self.a = 0\n", "x = self.e\n");
  ASSERT_EQ(codesOf(document.analyzeWhole()), hot);
  EXPECT_EQ(codesOf(document.analyzeJoined()), hot);
}

// What a method assigns is remembered only where its text alone decides it. In each case the
// method is edited once, then something else changes what its unchanged text assigns: the second
// step goes wrong if the memo answers for it.
TEST(IncrementalAnalysis, OnlyMethodsWhoseTextDecidesAreRemembered) {
  struct Case {
    const char* why;
    std::string above;  // code above the slotted base
    std::string method_before, method_after;
    bool reported_after_method;
    std::string change_before, change_after;
  };
  const std::string own_setattr = "def setattr(target, name, value):\n    pass\n\n\n";
  const std::string own_vars = "def vars(target):\n    return {}\n\n\n";
  const Case cases[] = {
      // A decorator makes the method static: `x` is no longer the instance.
      {"a decorator", "", "def reset(self):\n        self.a = 0", "def reset(x):\n        x.e = 0",
       false, "    def reset(x)", "    @staticmethod\n    def reset(x)"},
      // `setattr` is the module's own function, far away, until that function goes.
      {"a module's own setattr", own_setattr, "self.a = 0\n", "setattr(self, \"e\", 0)\n", true,
       own_setattr, ""},
      // The same for `vars`: the instance's `__dict__` is used once the module's own goes.
      {"a module's own vars", own_vars, "self.a = 0\n", "vars(self)\n", true, own_vars, ""},
      // The builtin under another name: the memo is not used in a document naming `builtins`.
      {"setattr from builtins", "from operator import setitem as put\n\n\n", "self.a = 0\n",
       "put(self, \"e\", 0)\n", true, "from operator import setitem as put",
       "from builtins import setattr as put"},
  };
  const std::vector<std::string> hot{"MEM401"};
  const auto codes = [&](bool reported) { return reported ? hot : std::vector<std::string>{}; };
  for (const Case& test : cases) {
    std::string text = test.above;
    text += kSlottedBase;
    text += filler(0, 100);
    text += filler(100, 100);
    text += kHotSubclass;
    Document document(std::move(text), defaultRulesOptions());
    document.replace(test.method_before, test.method_after);
    ASSERT_EQ(codesOf(document.analyzeWhole()), codes(test.reported_after_method)) << test.why;
    EXPECT_EQ(codesOf(document.analyzeJoined()), codes(test.reported_after_method)) << test.why;
    document.replace(test.change_before, test.change_after);
    ASSERT_EQ(codesOf(document.analyzeWhole()), codes(!test.reported_after_method)) << test.why;
    EXPECT_EQ(codesOf(document.analyzeJoined()), codes(!test.reported_after_method)) << test.why;
  }
}

// MEM304 reads every method of the class whose attribute keeps an exception, for a `raise` of
// it: the run storing it is walked again when a method's body changes, not only its outline.
TEST(IncrementalAnalysis, ARuleReadingMethodBodiesOfAnotherRunsClassIsWalkedForThem) {
  const std::string registry =
      "class Registry:\n    last = None\n\n"
      "    def again(self):\n        raise Registry.last\n\n\n";
  const std::string handler =
      "def handle():\n    try:\n        work()\n    except ValueError as error:\n"
      "        Registry.last = error\n";
  Document document(registry + filler(0, 100) + filler(100, 100) + handler);
  ASSERT_GT(document.runs(), 10U);
  const std::vector<std::string> raised_again = messagesOf(document.analyzeWhole());
  ASSERT_EQ(raised_again.size(), 1U);
  EXPECT_NE(raised_again.front().find("raised again"), std::string::npos) << raised_again.front();
  EXPECT_EQ(messagesOf(document.analyzeJoined()), raised_again);
  document.replace("raise Registry.last", "raise ValueError()");
  const std::vector<std::string> stored = messagesOf(document.analyzeWhole());
  EXPECT_NE(stored, raised_again);
  EXPECT_EQ(messagesOf(document.analyzeJoined()), stored);
  EXPECT_EQ(document.walked(), 2U);
}

// MEM202: a cache keyed by an Enum of the module holds a few entries. Whether `Color` is one is
// read from its bases, which name `Enum`, bound in a third run: the run of the cached function
// depends on that name too, though its own text does not use it.
TEST(IncrementalAnalysis, NamesReadInAnotherRunsCodeAreDependedOn) {
  Document document(
      "import functools\nfrom enum import Enum\n\n\n" + filler(0, 100) +
      "class Color(Enum):\n    RED = 1\n    GREEN = 2\n\n\n" + filler(100, 100) +
      "@functools.lru_cache(maxsize=None)\ndef describe(color: Color):\n    return str(color)\n\n\n"
      "def use(path):\n    for line in open(path):\n        describe(Color(line))\n");
  ASSERT_GT(document.runs(), 10U);
  EXPECT_TRUE(document.analyzeWhole().diagnostics.empty());
  EXPECT_TRUE(document.analyzeJoined().diagnostics.empty());
  document.replace("from enum import Enum", "from mylib import Enum");
  const std::vector<std::string> found{"MEM202"};
  EXPECT_EQ(codesOf(document.analyzeWhole()), found);
  EXPECT_EQ(codesOf(document.analyzeJoined()), found);
  document.replace("from mylib import Enum", "from enum import Enum");
  EXPECT_TRUE(document.analyzeJoined().diagnostics.empty());
}

// MEM301: `subscribe`, imported in the first run from a module, registers a closure far below.
// The run that calls it must know the name from the other run's import, as a whole walk does.
TEST(IncrementalAnalysis, ASubscribeFunctionImportedInAnotherRunRegisters) {
  Document document("from events import subscribe\n\n\n" + filler(0, 100) + filler(100, 100) +
                    "def watch(path):\n    subscribe(lambda event: print(path, event))\n");
  const std::vector<std::string> found{"MEM301"};
  EXPECT_EQ(codesOf(document.analyzeWhole()), found);
  ASSERT_GT(document.runs(), 10U);
  EXPECT_EQ(codesOf(document.analyzeJoined()), found);
  document.replace("print(path, event)", "print(event, path)");
  EXPECT_EQ(codesOf(document.analyzeJoined()), found);
}

// A whole-file analysis skips the gc rules in a file that never names gc (needs_text); the runs
// do not, since another run may add the name later: both must still agree.
TEST(IncrementalAnalysis, AGcRuleAppearsWhenAnEditFirstNamesGc) {
  Document document("def pause():\n    stop()\n\n\n" + filler(0, 200) + "def stop():\n    pass\n");
  EXPECT_TRUE(document.analyze().diagnostics.empty());
  document.replace("def stop():\n    pass\n", "import gc\n\n\ndef stop():\n    gc.disable()\n");
  EXPECT_EQ(codesOf(document.analyze()), std::vector<std::string>{"MEM502"});
  EXPECT_EQ(codesOf(document.analyzeWhole()), std::vector<std::string>{"MEM502"});
}

TEST(IncrementalAnalysis, OnlyTheWholeFileSkipsRulesForMissingText) {
  const AnalysisOptions options = allRulesOptions();
  const auto codes = [](const std::vector<ActiveRule>& rules) {
    std::vector<std::string> out;
    out.reserve(rules.size());
    for (const ActiveRule& rule : rules)
      out.emplace_back(rule.definition->code);
    return out;
  };
  const std::vector<std::string> all = codes(createActiveRules(options));
  // What the other rules' may_find want, so that only the gc rules' word makes a difference.
  const std::string others = "import weakref\nsum([len(list(x)) for x in stack()])\n";
  const std::vector<std::string> without_gc = codes(createActiveRules(options, others));
  const std::vector<std::string> with_gc =
      codes(createActiveRules(options, others + "import gc\n"));
  EXPECT_EQ(with_gc, all);
  for (const char* code : {"MEM501", "MEM502", "MEM503", "MEM504"}) {
    EXPECT_NE(std::find(all.begin(), all.end(), code), all.end()) << code;
    EXPECT_EQ(std::find(without_gc.begin(), without_gc.end(), code), without_gc.end()) << code;
  }
  EXPECT_EQ(without_gc.size() + 4, all.size());
  // The word, not the letters inside a longer name.
  for (const char* text : {"from math import gcd\n", "bgcolor = 1\n", "_gc = 2\n", "gc2 = 3\n"}) {
    EXPECT_EQ(codes(createActiveRules(options, others + text)), without_gc) << text;
  }
  for (const char* text :
       {"gc", "import gc as g\n", "x=(gc)", "__import__('gc')\n", "from gc import disable\n",
        // Non-ASCII bytes end a word: an invalid one or a no-break space is no letter.
        "\xffgc.disable()\n", "\xc2\xa0gc.disable()\n", "\xc3\xa9gc = 4\n"}) {
    EXPECT_EQ(codes(createActiveRules(options, others + text)), all) << text;
  }
  // Nor do the rules with a may_find run where it says no.
  const std::vector<std::string> bare = codes(createActiveRules(options, "import gc\nx = 1\n"));
  for (const char* code : {"MEM101", "MEM103", "MEM104", "MEM105", "MEM305", "MEM306"}) {
    EXPECT_EQ(std::find(bare.begin(), bare.end(), code), bare.end()) << code;
  }
  EXPECT_EQ(bare.size() + 6, all.size());
}

TEST(IncrementalAnalysis, FindingsAndFactsMoveWithTheirRun) {
  // MEM401 decides in the join, from facts each run keeps: an edit above them moves them.
  Document document(
      filler(0, 100) + "class Point:\n    def __init__(self, x):\n        self.x = x\n\n\n" +
      filler(100, 100) + "def points(path):\n    return [Point(v) for v in open(path)]\n");
  FileAnalysis analysis = document.analyze();
  FileAnalysis* files[] = {&analysis};
  joinProject(files, allRulesOptions());
  ASSERT_EQ(codesOf(analysis), std::vector<std::string>{"MEM401"});
  const uint32_t before = analysis.diagnostics.front().start;

  document.replace("def helper_0(values):\n", "def helper_0(values, extra=None):\n");
  analysis = document.analyze();
  joinProject(files, allRulesOptions());
  ASSERT_EQ(codesOf(analysis), std::vector<std::string>{"MEM401"});
  EXPECT_EQ(analysis.diagnostics.front().start, before + 12);
  EXPECT_EQ(document.walked(), 1U);
}

TEST(IncrementalAnalysis, AMessageNamingItsCallerStaysTrueWhenLinesAboveMove) {
  // The server keeps the findings of a run it does not walk again, and walks a run alone when
  // only it changed: a message may carry neither a line number of its file nor what only
  // another run knows (where MEM501's caller loop is).
  Document document("import gc\n\n\ndef release(item):\n    item.close()\n    gc.collect()\n\n\n" +
                    filler(0, 100) +
                    "def release_all(items):\n    for item in items:\n        release(item)\n");
  ASSERT_GT(document.runs(), 2U);  // the collecting function, the filler, the caller's loop
  FileAnalysis analysis = document.analyze();
  ASSERT_EQ(codesOf(analysis), std::vector<std::string>{"MEM501"});
  EXPECT_NE(analysis.diagnostics.front().message.find("is called in a loop: once per"),
            std::string::npos)
      << analysis.diagnostics.front().message;

  document.replace("def helper_0(values):\n",
                   "def helper_0(values):\n    \"\"\"Two\n    lines.\"\"\"\n");
  analysis = document.analyze();
  EXPECT_EQ(document.walked(), 1U);  // the caller's run is not walked again
  EXPECT_EQ(messagesOf(analysis), messagesOf(document.analyzeWhole()));
  document.replace("    item.close()\n", "    item.close()\n    item.release()\n");
  analysis = document.analyze();
  EXPECT_LT(document.walked(), document.runs());  // not the filler's runs
  EXPECT_EQ(messagesOf(analysis), messagesOf(document.analyzeWhole()));
}

}  // namespace
}  // namespace heaplint
