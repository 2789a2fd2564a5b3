// The single walk over a file's syntax tree. It keeps the context stacks rules need (scope,
// enclosing function and class, loop depth, try/finally), builds the semantic model, collects noqa
// comments, and dispatches each node to the rules subscribed to its kind.
#pragma once

#include <tree_sitter/api.h>

#include <array>
#include <memory>
#include <span>
#include <vector>

#include "analyzer/diagnostic.h"
#include "analyzer/noqa.h"
#include "analyzer/rule.h"
#include "analyzer/semantic_model.h"
#include "analyzer/source_text.h"
#include "analyzer/syntax.h"

namespace heaplint {

struct AnalysisOptions;
struct CallFacts;
class CallCollector;
class FileFacts;
class MethodLayoutMemo;

// A module-level binding made by another run of a document analysed in runs
// (incremental_analysis.h): the walk of one run sees the names the others bind.
struct PreludeBinding {
  Binding binding;             // name, kind and offset in the current text; node left null
  std::string_view qualified;  // for imports: what the import binds ("os.path", ".models.Record")
};

enum FrameFlag : uint8_t {
  kStore = 1 << 0,           // an assignment target (a name, attribute, subscript or their tuple)
  kParameter = 1 << 1,       // names here are parameters
  kFirstForClause = 1 << 2,  // the first `for` clause of a comprehension
  kSeenForClause = 1 << 3,   // (on comprehensions) the first `for` clause was entered
  kOpensExecution = 1 << 4,  // leaving this node pops an execution context
  kInFinally = 1 << 5,       // leaving this node closes a finally clause
};

// One entry per node on the path from the root to the node being visited.
struct Frame {
  TSNode node{};
  NodeKind kind = NodeKind::Other;
  // The field this node fills in its parent. Recorded only below parents that have fields the
  // walker or rules use (statements, definitions, calls, attributes, subscripts, comprehensions,
  // parameters, operators: kParentsWithTrackedFields in walker.cpp); None elsewhere.
  Field field = Field::None;
  uint8_t flags = 0;
  int8_t loop_delta = 0;
  BindingKind binding_kind = BindingKind::Assignment;  // for kStore frames
  ScopeId scope = kNoScope;        // the scope names used in this node resolve in
  ScopeId inner_scope = kNoScope;  // the scope this node opens (function, class, comprehension)

  // Assigned to (`x = ...`, `a.b = ...`, `d[k] += ...`, `for x in ...`, `with ... as x`).
  bool isStoreTarget() const { return (flags & kStore) != 0; }
};

// A body that executes as a unit: the module, a class body, a function or lambda body.
struct ExecutionContext {
  TSNode node{};  // module, class_definition, function_definition or lambda
  NodeKind kind = NodeKind::Module;
  ScopeId scope = kNoScope;
  uint32_t loop_depth = 0;     // loops and comprehensions around the current node, in this body
  uint32_t finally_depth = 0;  // finally clauses around the current node, in this body
};

// A key another run of the document provides (analysis in runs), and whether that run comes
// after the one walked.
struct OtherRunKey {
  uint64_t key = 0;
  bool after = false;
  auto operator<=>(const OtherRunKey&) const = default;
};

class RuleContext {
 public:
  RuleContext(const SourceText& source, const AnalysisOptions& options, SemanticModel& semantic);
  ~RuleContext();
  RuleContext(const RuleContext&) = delete;
  RuleContext& operator=(const RuleContext&) = delete;

  const SourceText& source() const { return source_; }
  std::string_view text(TSNode node) const { return nodeText(source_.text(), node); }
  const AnalysisOptions& options() const { return options_; }
  const SemanticModel& semantic() const { return semantic_; }
  // Whether the file is test code by the settings' test-file patterns (decided once per file).
  bool isTestFile() const;

  // Walk state, valid inside onNode.
  const Frame& frame(size_t up = 0) const { return frames_[frames_.size() - 1 - up]; }
  size_t depth() const { return frames_.size(); }
  ScopeId scope() const { return frames_.back().scope; }
  const ExecutionContext& execution() const { return executions_.back(); }
  // The innermost enclosing function or lambda body, or nullptr at module or class level.
  const ExecutionContext* enclosingFunction() const;
  // Every enclosing body, outermost (the module) first.
  std::span<const ExecutionContext> executions() const { return executions_; }
  uint32_t loopDepth() const { return executions_.back().loop_depth; }
  bool inFinally() const { return executions_.back().finally_depth > 0; }

  void report(Diagnostic diagnostic);
  const RuleDefinition* currentRule() const { return current_rule_; }

  // For analysis in runs (the language server re-walks only the runs an edit touched, see
  // incremental_analysis.h). Module-level names need nothing: the names each run binds and uses
  // are tracked. A rule whose findings in one run depend on something else in another run says
  // so with a key of its own: provides(key) where the thing is, dependsOn(key) where the findings
  // need it. A change to a run that provides a key re-walks every run that depends on it.
  // Const: recording a key changes no answer, and the call facts (call_evidence.h), described
  // from a const context at the end of the walk, record keys too.
  void provides(std::string_view key) const;
  void dependsOn(std::string_view key) const;
  // A value followed into a binding of another run (a prelude binding, in analysis in runs)
  // reads module-level names there: the findings depend on each name in `value`. Const, as the
  // helpers that follow values have a const context: it records, it changes no answer.
  void dependsOnNamesIn(TSNode value) const;
  // The findings read more of the top-level statement that binds module-level `name` than what
  // other runs are walked again for (its outline: of a class, all but its methods' bodies): the
  // run is then walked again when any of that statement's text changes.
  void dependsOnTextOf(std::string_view name) const;
  // Whether this run or, in analysis in runs, another run of the module provides the key. A rule
  // that asks must also depend on the key.
  bool moduleProvides(std::string_view key) const;
  // Whether, in analysis in runs, a run further down the module provides the key (a whole-file
  // walk has no other runs: the rule sees that code itself).
  bool laterRunProvides(std::string_view key) const;
  // Whether this walk is of one run of a document analysed in runs: other runs may depend on
  // what this one provides even when it has nothing of its own to report.
  bool analysingOneRun() const { return analysing_one_run_; }
  // In analysis in runs: what the classes' methods assign, remembered across the analyses of the
  // document (class_layout.h); null otherwise.
  MethodLayoutMemo* methodLayoutMemo() const { return method_layout_memo_; }
  std::span<const uint64_t> providedKeys() const { return provided_keys_; }
  std::span<const uint64_t> dependedKeys() const { return depended_keys_; }

  // The file's calls of project functions and what they pass (call_evidence.h), described at
  // most once per file, on the first request, for every rule that reads them. After the walk,
  // for rules whose definition sets `uses_call_facts` (others get no calls).
  const CallFacts& callFacts() const;

 private:
  friend class Walker;
  const SourceText& source_;
  const AnalysisOptions& options_;
  SemanticModel& semantic_;
  std::vector<Frame> frames_;
  std::vector<ExecutionContext> executions_;
  std::vector<Diagnostic> diagnostics_;
  const RuleDefinition* current_rule_ = nullptr;
  mutable int8_t is_test_file_ = -1;  // unknown until asked
  mutable std::vector<uint64_t> provided_keys_;
  mutable std::vector<uint64_t> depended_keys_;
  std::span<const OtherRunKey> other_runs_keys_;  // sorted
  bool analysing_one_run_ = false;
  MethodLayoutMemo* method_layout_memo_ = nullptr;
  // Fed by the walk when an active rule uses call facts; describes them when first asked.
  std::unique_ptr<CallCollector> calls_;
};

// The hash that analysis in runs keys names and rules' keys by.
uint64_t dependencyKey(std::string_view text);
// The key of the whole text of the statement binding module-level `name` (dependsOnTextOf).
uint64_t textDependencyKey(std::string_view name);

struct ActiveRule {
  const RuleDefinition* definition;
  std::unique_ptr<RuleChecker> checker;
};

class Walker {
 public:
  Walker(const SourceText& source, const AnalysisOptions& options, SemanticModel& semantic,
         std::vector<ActiveRule>& rules, NoqaDirectives& noqa);
  // Walks the tree once, then runs every rule's finish step. Returns the rules' diagnostics.
  std::vector<Diagnostic> run(TSNode root);
  // The same over a text parsed in runs of top-level statements: one module root per run, in
  // order; their statements are walked as children of the first root's module.
  std::vector<Diagnostic> run(std::span<const TSNode> roots);

  // Analysis in runs: the walk of one run starts with the module-level bindings of the others.
  // Marks the walk as one of a document's runs (RuleContext::analysingOneRun).
  void setPrelude(std::span<const PreludeBinding> prelude,
                  std::span<const StarImport> star_imports);
  // Records every name the walk reads (not the names it binds, nor `a.name` or `f(name=...)`).
  struct NameUse {
    std::string_view name;
    ScopeId scope;
    uint32_t offset;
  };
  void collectNameUses(std::vector<NameUse>* uses) { name_uses_ = uses; }
  // For a walk without rules that only records the module's own bindings (the preludes of
  // incremental_analysis.h): function bodies are passed over unless they say `global`, the only
  // way they bind a module-level name.
  void recordOnlyModuleBindings() { only_module_bindings_ = true; }
  // The keys the other runs provide (sorted), for RuleContext::moduleProvides.
  void setOtherRunsKeys(std::span<const OtherRunKey> keys) { context_.other_runs_keys_ = keys; }
  // Analysis in runs: the memo the class layouts read methods through (class_layout.h).
  void rememberMethodLayoutsIn(MethodLayoutMemo* memo) { context_.method_layout_memo_ = memo; }
  const RuleContext& context() const { return context_; }
  // After run(): the file's calls for the project step (FileAnalysis::call_facts), or null when
  // no active rule reads them.
  std::unique_ptr<FileFacts> takeCallFacts();

 private:
  // Returns whether the walk should visit the node's children. `field`: the node's field in its
  // parent (0: none).
  bool enter(TSNode node, TSFieldId field);
  void leave();
  // Enters and leaves every node below `node` (not `node` itself), in document order.
  void walkBelow(TSNode node);
  void bindIdentifier(const Frame& frame, BindingKind kind);
  void bindDefinition(TSNode definition, BindingKind kind, ScopeId scope);
  void bindImports(TSNode statement, NodeKind kind, ScopeId scope);
  void declareNames(TSNode statement, BindingKind kind, ScopeId scope);
  ScopeId bindingScopeFor(std::string_view name, ScopeId scope, bool& through_global) const;

  const SourceText& source_;
  SemanticModel& semantic_;
  std::vector<ActiveRule>& rules_;
  NoqaDirectives& noqa_;
  RuleContext context_;
  std::array<std::vector<ActiveRule*>, kNodeKindCount> subscribers_;
  // `global` declarations seen so far, as (function scope, name).
  std::vector<std::pair<ScopeId, std::string_view>> global_declarations_;
  std::span<const PreludeBinding> prelude_;
  std::span<const StarImport> prelude_star_imports_;
  std::vector<NameUse>* name_uses_ = nullptr;
  bool only_module_bindings_ = false;
};

}  // namespace heaplint
