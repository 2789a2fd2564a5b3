// The rule machinery: a rule is a definition (metadata and documentation) plus a per-file checker
// that subscribes to node kinds. The registry of all rules lives in rules/, not here.
#pragma once

#include <tree_sitter/api.h>

#include <bitset>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/project.h"
#include "analyzer/syntax.h"

namespace heaplint {

class RuleContext;
class CodeText;
class FactsReader;
struct AnalysisOptions;
struct LintSettings;

enum class FixAvailability : uint8_t { None, Sometimes, Always };

// Whether a rule runs on test code (the settings' test-file patterns). One policy for every rule:
// a test's loops, caches and collections are short-lived and deliberate, so rules skip test files
// unless what they find breaks other tests too (the collector left disabled, say).
enum class TestCode : uint8_t { Skip, Check };

class RuleChecker {
 public:
  virtual ~RuleChecker() = default;
  // Called for every node whose kind the definition subscribes to, in document order.
  virtual void onNode(TSNode node, NodeKind kind, RuleContext& context) = 0;
  // Called once after the walk; the semantic model answers name-resolution questions from here on.
  virtual void finish(RuleContext& /*context*/) {}
  // Project rules hand over what they learned about the file (after finish).
  virtual std::unique_ptr<FileFacts> takeFacts() { return nullptr; }
};

// A project rule's step after every file was analysed: sees every file's facts.
using ProjectJoin = void (*)(std::span<const ProjectFileView> files, const AnalysisOptions& options,
                             ProjectReporter& reporter);

struct RuleDefinition {
  std::string_view code;     // "MEM101"
  std::string_view name;     // "list-comprehension-in-reducer"
  std::string_view summary;  // one line, for `heaplint rules`
  std::string_view documentation;
  FixAvailability fix_availability = FixAvailability::None;
  TestCode test_code = TestCode::Skip;
  std::span<const NodeKind> subscriptions;
  // Null for a rule the analyzer itself reports (HL100, from the noqa machinery): no checker.
  std::unique_ptr<RuleChecker> (*create)() = nullptr;
  ProjectJoin join = nullptr;  // set for rules that decide across files
  // Project rules: reads back what their FileFacts::write wrote (null when the input is bad), so
  // cached files still take part in the join.
  std::unique_ptr<FileFacts> (*read_facts)(FactsReader& in) = nullptr;
  // Not yet precise enough on unseen code: runs only when preview is on (`--preview`, as in Ruff).
  bool preview = false;
  // The Ruff rule that finds the same thing ("C419"): `# noqa: C419` silences this rule too,
  // unless the `ruff-noqa-codes` setting is off.
  std::string_view ruff_code = {};
  // Reads RuleContext::callFacts() (call_evidence.h): the walk collects the file's calls only
  // when an active rule says so, and describes them once for all of them.
  bool uses_call_facts = false;
  // With uses_call_facts: the join follows keys only into functions that have a default value
  // that may make a mutable container (MEM204), and into the functions that pass their
  // parameters on to those. When every active rule that reads call facts says so, the walk
  // describes what the arguments of those calls are made of only, not of the calls of every
  // function that may fill a container: describing them is most of what call facts cost.
  bool call_facts_for_mutable_defaults = false;
  // With uses_call_facts: whether the join, reporting in this one file only, reads its own calls,
  // judged from the file's own facts (MEM204: only when it has a candidate, whose callers may be
  // in it). The editor, which keeps only the open document's findings, collects no call facts
  // while no active rule says yes (ownFindingsReadCalls in analyze.h). Null: always yes.
  bool (*reads_own_calls)(const FileFacts* own_facts) = nullptr;
  // The join reads each file's packed facts itself (ProjectFileView::packed_facts), a file at a
  // time, instead of finding every file's facts unpacked: for facts that the join keeps only a
  // small part of, on a project of many files.
  bool reads_packed_facts = false;
  // A word a file must contain, not as part of a longer name, for the rule to find anything in
  // it ("gc": a rule about the gc module's functions, which reach a file only through an import
  // naming it). A whole-file analysis does not run the rule on other files. Empty: every file.
  std::string_view needs_text = {};
  // Per-file rules: whether the rule may find anything in a file, from its text alone
  // (code_text.h), before it is parsed. Must never say no to a file the rule would report in: it is
  // asked only for whole files, and a file no rule may find anything in is not even parsed. Null:
  // any file. Not asked where the text is unsure (CodeText::unsure: stray bytes the parser's
  // recovery skips). A file with other syntax errors may still read otherwise to the parser's
  // recovery than to the text (a name skipped between a callee and its parenthesis): there a
  // finding in the broken part may be lost, which "checked as far as it parses" allows.
  bool (*may_find)(const CodeText& text) = nullptr;
  // Project rules: whether the join may report anything in a file, from its text alone (read as
  // may_find is, and not asked where CodeText::unsure). A check run that finds no such file
  // parses none of the files only this rule's facts would need; when it finds some, it parses
  // the files wanted_words names, or all. Must never say no to a file the join reports in.
  // Null: any file.
  bool (*may_report_in)(const CodeText& text, const LintSettings& settings) = nullptr;
  // Project rules with may_report_in: the words a file not yet analysed must hold (as whole
  // names, anywhere in its text, or as the last name of its module: `events` for
  // pkg/events.py) for its facts to change what the join reports, given the files
  // analysed so far (their facts in `files`; a file without facts was not analysed, or the rule
  // does not run there). A file holding none of them is not parsed. Adds nothing and returns
  // false when every file may matter. Null: every file may matter.
  bool (*wanted_words)(std::span<const ProjectFileView> files, const AnalysisOptions& options,
                       std::vector<std::string>& words) = nullptr;
};

inline constexpr size_t kMaxRules = 64;
using RuleSet = std::bitset<kMaxRules>;

// The whole registry as the analyzer sees it: rule i of the span is bit i of a RuleSet.
using RuleTable = std::span<const RuleDefinition* const>;

// Index of the rule whose code or name is `token` (case-insensitive), or -1.
int findRule(RuleTable rules, std::string_view token);

// Resolves a selector (a code, a name, a code prefix such as "MEM1", or "ALL") to rules, preview
// rules included. Returns false when the selector matches nothing.
bool selectRules(RuleTable rules, std::string_view selector, RuleSet& out);

// The rules a configuration runs: `select` (every rule when absent), plus `extend_select`, minus
// `ignore`. Preview rules run only when `preview` is on, however they are selected (as in Ruff);
// the selectors that then pick nothing but preview rules are listed in `ignored_preview`, for a
// warning. Selectors are assumed valid (selectRules).
struct RuleSelection {
  RuleSet enabled;
  std::vector<std::string> ignored_preview;
};
RuleSelection resolveRuleSelection(RuleTable rules, const std::vector<std::string>* select,
                                   const std::vector<std::string>& extend_select,
                                   const std::vector<std::string>& ignore, bool preview);

}  // namespace heaplint
