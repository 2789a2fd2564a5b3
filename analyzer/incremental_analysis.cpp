#include "analyzer/incremental_analysis.h"

#include <algorithm>
#include <functional>
#include <span>
#include <string_view>
#include <utility>

#include "analyzer/class_layout.h"
#include "analyzer/code_model.h"
#include "analyzer/walker.h"

namespace heaplint {
namespace {

// A key a run provides: a module-level name with the text of the statement that binds it, or a
// rule's key (fingerprint 0: only whether the run provides it counts).
struct ProvidedKey {
  uint64_t key = 0;
  uint64_t fingerprint = 0;
  auto operator<=>(const ProvidedKey&) const = default;
};

uint64_t hashText(std::string_view text) {
  return std::hash<std::string_view>{}(text);
}

// Where the prelude bindings' nodes are: looked up in their run's current tree on first use.
struct PreludeNodes {
  struct Entry {
    const TSTree* tree = nullptr;
    uint32_t start = 0;
    uint32_t end = 0;
    TSSymbol symbol = 0;
  };
  std::vector<Entry> entries;
};

TSNode lookUpPreludeNode(const void* context, const Binding& binding) {
  const auto& nodes = *static_cast<const PreludeNodes*>(context);
  const PreludeNodes::Entry& entry = nodes.entries[binding.prelude_index];
  TSNode node =
      ts_node_descendant_for_byte_range(ts_tree_root_node(entry.tree), entry.start, entry.end);
  // The smallest node over the range may be a child that covers all of it (the name inside a
  // dotted_name): go up to the node the binding was made with.
  while (!ts_node_is_null(node) &&
         (ts_node_symbol(node) != entry.symbol || ts_node_start_byte(node) != entry.start ||
          ts_node_end_byte(node) != entry.end)) {
    node = ts_node_parent(node);
  }
  return node;
}

bool intersects(std::span<const uint64_t> sorted, std::span<const uint64_t> other_sorted) {
  auto a = sorted.begin();
  auto b = other_sorted.begin();
  while (a != sorted.end() && b != other_sorted.end()) {
    if (*a < *b) {
      ++a;
    } else if (*b < *a) {
      ++b;
    } else {
      return true;
    }
  }
  return false;
}

// Whether `text` holds nothing but blank lines and whole-line comments: what lies between two
// comment nodes, including the lines of a long comment block that the parse left out
// (comment_blocks.h), which no node stands for.
bool onlyCommentLines(std::string_view text) {
  for (size_t start = 0; start < text.size();) {
    const size_t feed = text.find('\n', start);
    const size_t end = feed == std::string_view::npos ? text.size() : feed;
    const size_t first = text.find_first_not_of(" \t\r\f", start);
    if (first < end && text[first] != '#') return false;
    start = end + 1;
  }
  return true;
}

// The class a top-level statement defines (through its decorators), or a null node.
TSNode classDefinedBy(TSNode statement) {
  const TSNode definition = undecorated(statement);
  return kindOf(definition) == NodeKind::ClassDefinition ? definition : TSNode{};
}

// What the walks of other runs read of a top-level class statement (`statement`, the class or
// its decorated definition), and so what they are walked again for: its text with the bodies of
// the methods left out (the header and decorators, class-level statements, and each method's
// decorators and signature stay). The class's docstring and the comments among its members are
// left out too: prose that no reader of the class looks at, where typing used to walk again
// every run that names the class (in `_pydecimal.py`, its whole `Decimal` class for a keystroke
// in an exception's docstring). A rule that reads more says so (RuleContext::dependsOnTextOf).
uint64_t outlineHash(const SourceText& source, TSNode statement) {
  uint64_t hash = 0;
  uint32_t from = ts_node_start_byte(statement);
  const auto skip = [&](uint32_t start, uint32_t end) {
    const std::string_view between = source.slice(from, start);
    if (!onlyCommentLines(between)) hash = hash * 1099511628211ULL ^ hashText(between);
    from = end;
  };
  // A comment; a line continuation stays (it joins the lines around it).
  const auto isProse = [](TSNode node) {
    return kindOf(node) == NodeKind::Comment && !isLineContinuation(node);
  };
  const TSNode class_node = classDefinedBy(statement);
  // Comments above the first statement of the body (and after the header's colon) are the
  // class's children: the body starts at its first statement.
  for (uint32_t i = 0, count = namedChildCount(class_node); i < count; ++i) {
    const TSNode child = nthNamedChild(class_node, i);
    if (isProse(child)) skip(ts_node_start_byte(child), ts_node_end_byte(child));
  }
  const TSNode body = childByField(class_node, Field::Body);
  bool first_statement = true;
  for (uint32_t i = 0, count = namedChildCount(body); i < count; ++i) {
    const TSNode member = nthNamedChild(body, i);
    if (isProse(member)) {
      skip(ts_node_start_byte(member), ts_node_end_byte(member));
      continue;
    }
    if (kindOf(member) == NodeKind::Comment) continue;
    if (std::exchange(first_statement, false) && isDocstring(member)) {
      skip(ts_node_start_byte(member), ts_node_end_byte(member));
      continue;
    }
    const TSNode function = undecorated(member);
    if (kindOf(function) != NodeKind::FunctionDefinition) continue;
    const TSNode method_body = childByField(function, Field::Body);
    if (!ts_node_is_null(method_body)) {
      skip(ts_node_start_byte(method_body), ts_node_end_byte(method_body));
    }
  }
  skip(ts_node_end_byte(statement), ts_node_end_byte(statement));
  return hash;
}

// Whether `binding` is the name a top-level class statement binds (not a name bound with
// `global` in one of its methods).
bool bindsTheClass(const Binding& binding, TSNode statement) {
  const TSNode class_node = classDefinedBy(statement);
  return binding.kind == BindingKind::ClassDefinition && !ts_node_is_null(class_node) &&
         ts_node_eq(binding.node, class_node);
}

void sortUnique(std::vector<uint64_t>& values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
}

}  // namespace

struct IncrementalAnalysis::Run {
  // A module-level binding of the run, with offsets from the run's start.
  struct RunBinding {
    Binding binding;  // offset relative; name and node unset
    uint32_t name_length = 0;
    std::string qualified;  // imports
    TSSymbol symbol = 0;    // of the binding's node
    uint32_t node_start = 0;
    uint32_t node_end = 0;
  };

  uint64_t text_hash = 0;
  uint32_t length = 0;
  uint32_t start = 0;  // where the run began when it was walked
  uint32_t row = 0;
  std::vector<StarImport> star_imports;  // offsets relative
  std::vector<RunBinding> bindings;
  std::vector<ProvidedKey> provides;  // sorted
  std::vector<uint64_t> rule_keys;    // sorted: the rules' keys among `provides`
  std::vector<uint64_t> depends;      // sorted
  std::vector<Diagnostic> diagnostics;
  NoqaDirectives noqa;
  std::vector<std::unique_ptr<FileFacts>> facts;  // by rule index; empty when there are none
  std::unique_ptr<FileFacts> call_facts;          // FileAnalysis::call_facts of the run
};

namespace {

using Run = IncrementalAnalysis::Run;
using RunView = ChunkedTree::RunView;

class RunWalker {
 public:
  RunWalker(const SourceText& source, std::span<const RunView> views,
            std::vector<std::unique_ptr<Run>>& runs, const AnalysisOptions& options,
            MethodLayoutMemo& method_layouts)
      : source_(source),
        views_(views),
        runs_(runs),
        options_(options),
        method_layouts_(method_layouts) {}

  // The rules' keys every run but `index` provides, sorted.
  std::vector<OtherRunKey> otherRunsKeys(size_t index) const {
    std::vector<OtherRunKey> keys;
    for (size_t i = 0; i < runs_.size(); ++i) {
      if (i == index || !runs_[i]) continue;
      for (const uint64_t key : runs_[i]->rule_keys)
        keys.push_back(OtherRunKey{key, i > index});
    }
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    return keys;
  }

  // Walks run `index` and returns its new record; reads the other runs' records, so none is
  // replaced while walks are under way. Without rules, only its bindings are recorded (for the
  // preludes of other runs walked in the same analysis).
  std::unique_ptr<Run> walk(size_t index, bool with_rules,
                            std::span<const OtherRunKey> other_keys) const {
    const RunView& view = views_[index];
    auto run = std::make_unique<Run>();
    const std::string_view text = source_.slice(view.start, view.end);
    run->text_hash = hashText(text);
    run->length = static_cast<uint32_t>(text.size());
    run->start = view.start;
    run->row = source_.rowOf(view.start);

    SemanticModel semantic(source_.text());
    PreludeNodes nodes;
    std::vector<PreludeBinding> prelude;
    std::vector<StarImport> prelude_star_imports;
    if (with_rules) buildPrelude(index, prelude, nodes, prelude_star_imports);
    semantic.setPreludeNodeLookup(&lookUpPreludeNode, &nodes);
    std::vector<std::string_view> names_read_elsewhere;
    if (with_rules)
      semantic.recordNamesResolvedOutside(view.start, view.end, &names_read_elsewhere);

    std::vector<ActiveRule> rules;
    if (with_rules) rules = createActiveRules(options_);
    NoqaDirectives noqa;
    Walker walker(source_, options_, semantic, rules, noqa);
    walker.setPrelude(prelude, prelude_star_imports);
    walker.setOtherRunsKeys(other_keys);
    walker.rememberMethodLayoutsIn(&method_layouts_);
    std::vector<Walker::NameUse> uses;
    if (with_rules) {
      walker.collectNameUses(&uses);
    } else {
      walker.recordOnlyModuleBindings();
    }
    const TSNode root = ts_tree_root_node(view.tree);
    run->diagnostics = walker.run(std::span<const TSNode>(&root, 1));

    recordBindings(*run, semantic, root);
    if (with_rules) {
      // The run depends on the module-level names it reads and binds: a binding anywhere else in
      // the module may change what they resolve to. Names its functions bind locally do not.
      for (const Walker::NameUse& use : uses) {
        const Resolution resolution = semantic.resolve(use.scope, use.name, use.offset);
        if (resolution.binding != nullptr && resolution.binding->scope != 0) continue;
        run->depends.push_back(dependencyKey(use.name));
      }
      // Names looked up in another run's code, read through a prelude binding's node (the bases
      // of a class bound there): what they are bound to decides what was read.
      for (const std::string_view name : names_read_elsewhere)
        run->depends.push_back(dependencyKey(name));
      for (const Run::RunBinding& binding : run->bindings) {
        run->depends.push_back(dependencyKey(
            source_.slice(run->start + binding.binding.offset,
                          run->start + binding.binding.offset + binding.name_length)));
      }
      for (const uint64_t key : walker.context().providedKeys()) {
        run->rule_keys.push_back(key);
      }
      sortUnique(run->rule_keys);
      for (const uint64_t key : run->rule_keys)
        run->provides.push_back(ProvidedKey{key, 0});
      for (const uint64_t key : walker.context().dependedKeys())
        run->depends.push_back(key);
      run->depends.push_back(dependencyKey("*"));
      sortUnique(run->depends);
      run->noqa = std::move(noqa);
      for (ActiveRule& rule : rules) {
        if (rule.definition->join == nullptr) continue;
        std::unique_ptr<FileFacts> facts = rule.checker->takeFacts();
        if (!facts) continue;
        if (run->facts.empty()) run->facts.resize(options_.rules.size());
        const auto it = std::find(options_.rules.begin(), options_.rules.end(), rule.definition);
        run->facts[static_cast<size_t>(it - options_.rules.begin())] = std::move(facts);
      }
      run->call_facts = walker.takeCallFacts();
    }
    std::sort(run->provides.begin(), run->provides.end());
    return run;
  }

 private:
  void buildPrelude(size_t index, std::vector<PreludeBinding>& prelude, PreludeNodes& nodes,
                    std::vector<StarImport>& star_imports) const {
    for (size_t i = 0; i < runs_.size(); ++i) {
      if (i == index || !runs_[i]) continue;
      const Run& other = *runs_[i];
      const uint32_t start = views_[i].start;
      for (const StarImport& star : other.star_imports)
        star_imports.push_back(StarImport{start + star.offset, star.module});
      for (const Run::RunBinding& recorded : other.bindings) {
        PreludeBinding entry;
        entry.binding = recorded.binding;
        entry.binding.offset = start + recorded.binding.offset;
        entry.binding.name =
            source_.slice(entry.binding.offset, entry.binding.offset + recorded.name_length);
        entry.binding.prelude = true;
        entry.binding.prelude_index = static_cast<uint32_t>(nodes.entries.size());
        entry.qualified = recorded.qualified;
        nodes.entries.push_back(PreludeNodes::Entry{views_[i].tree, start + recorded.node_start,
                                                    start + recorded.node_end, recorded.symbol});
        prelude.push_back(entry);
      }
    }
  }

  // The run's own module-level bindings, and the names it provides: each with the text of the
  // top-level statement that binds it.
  void recordBindings(Run& run, const SemanticModel& semantic, TSNode root) const {
    struct Statement {
      uint32_t start;
      uint32_t end;
      TSNode node;
    };
    std::vector<Statement> statements;
    const uint32_t count = ts_node_child_count(root);
    statements.reserve(count);
    for (uint32_t i = 0; i < count; ++i) {
      const TSNode child = ts_node_child(root, i);
      statements.push_back(Statement{ts_node_start_byte(child), ts_node_end_byte(child), child});
    }
    const auto statementAt = [&](uint32_t offset) -> const Statement* {
      const auto it = std::upper_bound(statements.begin(), statements.end(), offset,
                                       [](uint32_t at, const Statement& s) { return at < s.end; });
      if (it == statements.end() || it->start > offset) return nullptr;
      return &*it;
    };
    const auto fingerprintAt = [&](uint32_t offset) {
      const Statement* statement = statementAt(offset);
      if (statement == nullptr) return hashText(source_.slice(offset, offset));
      return hashText(source_.slice(statement->start, statement->end));
    };
    // Every run depends on "*": a star import may bind any name.
    for (const StarImport& star : semantic.starImports()) {
      run.star_imports.push_back(StarImport{star.offset - run.start, star.module});
      run.provides.push_back(ProvidedKey{dependencyKey("*"), fingerprintAt(star.offset)});
    }
    for (const Binding& binding : semantic.bindings()) {
      if (binding.scope != 0 || binding.prelude) continue;
      Run::RunBinding recorded;
      recorded.binding = binding;
      recorded.binding.offset = binding.offset - run.start;
      recorded.binding.name = {};
      recorded.binding.node = {};
      recorded.binding.import_index = UINT32_MAX;
      recorded.name_length = static_cast<uint32_t>(binding.name.size());
      if (binding.kind == BindingKind::Import || binding.kind == BindingKind::FromImport) {
        recorded.qualified = std::string(semantic.importedName(binding));
      }
      recorded.symbol = ts_node_symbol(binding.node);
      recorded.node_start = ts_node_start_byte(binding.node) - run.start;
      recorded.node_end = ts_node_end_byte(binding.node) - run.start;
      const Statement* statement = statementAt(binding.offset);
      if (statement != nullptr && bindsTheClass(binding, statement->node)) {
        // Other runs are walked again when the class's outline changes, and those that read
        // more of it when its text does.
        run.provides.push_back(
            ProvidedKey{dependencyKey(binding.name), outlineHash(source_, statement->node)});
        run.provides.push_back(
            ProvidedKey{textDependencyKey(binding.name), fingerprintAt(binding.offset)});
      } else {
        run.provides.push_back(
            ProvidedKey{dependencyKey(binding.name), fingerprintAt(binding.offset)});
      }
      run.bindings.push_back(std::move(recorded));
    }
  }

  const SourceText& source_;
  std::span<const RunView> views_;
  std::vector<std::unique_ptr<Run>>& runs_;
  const AnalysisOptions& options_;
  MethodLayoutMemo& method_layouts_;
};

// Every key the runs provide, sorted.
std::vector<ProvidedKey> allProvided(const std::vector<std::unique_ptr<Run>>& runs) {
  std::vector<ProvidedKey> all;
  for (const auto& run : runs) {
    if (run) all.insert(all.end(), run->provides.begin(), run->provides.end());
  }
  std::sort(all.begin(), all.end());
  return all;
}

// The keys provided differently before and after: their runs' dependents must be walked again.
std::vector<uint64_t> changedKeys(const std::vector<ProvidedKey>& before,
                                  const std::vector<ProvidedKey>& after) {
  std::vector<ProvidedKey> difference;
  std::set_symmetric_difference(before.begin(), before.end(), after.begin(), after.end(),
                                std::back_inserter(difference));
  std::vector<uint64_t> keys;
  keys.reserve(difference.size());
  for (const ProvidedKey& key : difference)
    keys.push_back(key.key);
  sortUnique(keys);
  return keys;
}

// The keys a run depends on among those given.
std::vector<OtherRunKey> keysDependedOn(const Run& run, const std::vector<OtherRunKey>& keys) {
  std::vector<OtherRunKey> result;
  for (const OtherRunKey& key : keys) {
    if (std::binary_search(run.depends.begin(), run.depends.end(), key.key)) result.push_back(key);
  }
  return result;
}

}  // namespace

struct IncrementalAnalysis::ProvidedKeys {
  std::vector<ProvidedKey> keys;
};

IncrementalAnalysis::IncrementalAnalysis() = default;
IncrementalAnalysis::~IncrementalAnalysis() = default;
IncrementalAnalysis::IncrementalAnalysis(IncrementalAnalysis&&) noexcept = default;
IncrementalAnalysis& IncrementalAnalysis::operator=(IncrementalAnalysis&&) noexcept = default;

void IncrementalAnalysis::clear() {
  forgetRuns();
  method_layouts_.reset();
}

void IncrementalAnalysis::forgetRuns() {
  runs_.clear();
  provided_.reset();
}

FileAnalysis IncrementalAnalysis::analyzeForOwnFindings(const SourceText& source,
                                                        const ChunkedTree& syntax,
                                                        AnalysisOptions options,
                                                        HelperThreads* helpers) {
  options.collect_call_facts = collects_call_facts_;
  FileAnalysis analysis = analyze(source, syntax, options, helpers);
  const bool reads_calls = ownFindingsReadCalls(analysis, options);
  if (reads_calls == collects_call_facts_) return analysis;
  collects_call_facts_ = reads_calls;
  // Calls collected that no finding reads are harmless: the runs keep them until walked again.
  // Calls not collected that a finding reads are needed now, from every run.
  if (!reads_calls) return analysis;
  options.collect_call_facts = true;
  const size_t walked_runs = walked_runs_;
  const size_t walked_bytes = walked_bytes_;
  const size_t methods_remembered = methods_remembered_;
  analysis = analyze(source, syntax, options, helpers);
  walked_runs_ += walked_runs;
  walked_bytes_ += walked_bytes;
  methods_remembered_ += methods_remembered;
  return analysis;
}

FileAnalysis IncrementalAnalysis::analyze(const SourceText& source, const ChunkedTree& syntax,
                                          const AnalysisOptions& options, HelperThreads* helpers) {
  // Runs walked without collecting calls have none to give when they are wanted again.
  if (options.collect_call_facts && !runs_collect_call_facts_) forgetRuns();
  runs_collect_call_facts_ = options.collect_call_facts;
  const std::vector<RunView> views = syntax.runs();
  if (!provided_) provided_ = std::make_unique<ProvidedKeys>();
  std::vector<ProvidedKey> provided_before = std::move(provided_->keys);

  // The runs before and after the edited ones keep their records: their text is the same, and so
  // is the order of everything around them (a text that repeats elsewhere is not the same run: a
  // name it uses may be bound between the two). An edit above a run only moved it.
  std::vector<std::unique_ptr<Run>> runs(views.size());
  const auto sameText = [&](size_t view, const Run& run) {
    const std::string_view text = source.slice(views[view].start, views[view].end);
    return run.length == text.size() && run.text_hash == hashText(text);
  };
  size_t prefix = 0;
  while (prefix < views.size() && prefix < runs_.size() && sameText(prefix, *runs_[prefix])) {
    runs[prefix] = std::move(runs_[prefix]);
    ++prefix;
  }
  size_t suffix = 0;
  while (suffix < views.size() - prefix && suffix < runs_.size() - prefix &&
         sameText(views.size() - 1 - suffix, *runs_[runs_.size() - 1 - suffix])) {
    runs[views.size() - 1 - suffix] = std::move(runs_[runs_.size() - 1 - suffix]);
    ++suffix;
  }
  std::vector<size_t> pending;
  for (size_t i = prefix; i < views.size() - suffix; ++i)
    pending.push_back(i);

  if (!method_layouts_) method_layouts_ = std::make_unique<MethodLayoutMemo>();
  method_layouts_->startAnalysis();
  RunWalker walker(source, views, runs, options, *method_layouts_);
  // Walks the pending runs, side by side on the helpers when there are any, each against the
  // records of the round before, and then replaces their records.
  std::vector<std::unique_ptr<Run>> fresh;
  const auto walkPending = [&](bool with_rules, std::vector<std::vector<OtherRunKey>>* keys) {
    fresh.resize(pending.size());
    const auto walkOne = [&](size_t k) {
      const size_t i = pending[k];
      std::span<const OtherRunKey> seen;
      if (keys != nullptr) {
        (*keys)[i] = walker.otherRunsKeys(i);
        seen = (*keys)[i];
      }
      fresh[k] = walker.walk(i, with_rules, seen);
    };
    if (helpers != nullptr) {
      helpers->forEachLargestFirst(
          pending.size(), [&](size_t k) { return views[pending[k]].end - views[pending[k]].start; },
          walkOne);
    } else {
      for (size_t k = 0; k < pending.size(); ++k)
        walkOne(k);
    }
    for (size_t k = 0; k < pending.size(); ++k)
      runs[pending[k]] = std::move(fresh[k]);
  };
  // Several new runs: each one's walk needs the others' bindings first.
  if (pending.size() > 1) walkPending(false, nullptr);
  std::vector<char> walked(views.size(), 0);
  std::vector<std::vector<OtherRunKey>> keys_seen(views.size());
  walked_runs_ = 0;
  walked_bytes_ = 0;
  // Walks until no run's findings can depend on a change: a run walked again provides the same
  // names (its text is the same), so only the rules' keys can ask for another round.
  for (int round = 0; !pending.empty(); ++round) {
    walkPending(true, &keys_seen);
    for (const size_t i : pending) {
      walked[i] = 1;
      ++walked_runs_;
      walked_bytes_ += views[i].end - views[i].start;
    }
    pending.clear();
    provided_->keys = allProvided(runs);
    const std::vector<uint64_t> changed = changedKeys(provided_before, provided_->keys);
    for (size_t i = 0; i < views.size(); ++i) {
      if (!walked[i]) {
        if (intersects(runs[i]->depends, changed)) pending.push_back(i);
      } else if (round < 8) {
        // Another run walked in the same round changed its keys.
        const std::vector<OtherRunKey> now = walker.otherRunsKeys(i);
        if (keysDependedOn(*runs[i], now) != keysDependedOn(*runs[i], keys_seen[i])) {
          pending.push_back(i);
        }
      }
    }
  }
  if (walked_runs_ == 0) provided_->keys = std::move(provided_before);  // nothing changed
  runs_ = std::move(runs);
  methods_remembered_ = method_layouts_->replayed();

  // The document's analysis: every run's results, moved to where the run is now.
  FileAnalysis result;
  result.path = std::string(options.path);
  result.module = options.module;
  std::vector<Diagnostic> diagnostics;
  for (size_t i = 0; i < views.size(); ++i) {
    const Run& run = *runs_[i];
    const int64_t bytes = static_cast<int64_t>(views[i].start) - run.start;
    const int64_t rows = static_cast<int64_t>(source.rowOf(views[i].start)) - run.row;
    if (!result.has_syntax_error) {
      result.has_syntax_error =
          findFirstSyntaxError(ts_tree_root_node(views[i].tree), result.syntax_error_offset);
    }
    for (Diagnostic diagnostic : run.diagnostics) {
      shiftBy(diagnostic, bytes);
      diagnostics.push_back(std::move(diagnostic));
    }
    for (NoqaDirectives::Line line : run.noqa.lines) {
      NoqaDirectives::shift(line, bytes, rows);
      result.noqa.lines.push_back(std::move(line));
    }
    for (NoqaDirectives::Line line : run.noqa.file_lines) {
      NoqaDirectives::shift(line, bytes, rows);
      result.noqa.file_lines.push_back(std::move(line));
    }
    for (NoqaDirectives::Problem problem : run.noqa.problems) {
      problem.offset = shiftedOffset(problem.offset, bytes);
      result.noqa.problems.push_back(problem);
    }
    result.noqa.file_blanket = result.noqa.file_blanket || run.noqa.file_blanket;
    result.noqa.file_rules |= run.noqa.file_rules;
    for (size_t rule = 0; rule < run.facts.size(); ++rule) {
      if (!run.facts[rule]) continue;
      if (result.facts.empty()) result.facts.resize(options.rules.size());
      std::unique_ptr<FileFacts>& merged = result.facts[rule];
      if (!merged) merged = run.facts[rule]->makeEmpty();
      if (merged) merged->appendShifted(*run.facts[rule], bytes, rows);
    }
    if (run.call_facts) {
      if (!result.call_facts) result.call_facts = run.call_facts->makeEmpty();
      result.call_facts->appendShifted(*run.call_facts, bytes, rows);
    }
  }
  settleDiagnostics(source, options, std::move(diagnostics), result);
  if (options.verify_fixes && !result.has_syntax_error) verifyFixes(source, result.diagnostics);
  return result;
}

}  // namespace heaplint
