#include "analyzer/project.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <exception>
#include <system_error>
#include <thread>

#include "analyzer/analyze.h"
#include "analyzer/call_evidence.h"
#include "analyzer/facts_io.h"
#include "analyzer/fix.h"
#include "analyzer/unused_noqa.h"

namespace heaplint {
namespace fs = std::filesystem;

namespace {

// Each rule's join reports into its own buffer, so that the rules can join side by side; the
// buffers are then delivered to the files in rule order, as one join after the other would.
class BufferingReporter final : public ProjectReporter {
 public:
  struct Pending {
    size_t file_index;
    Diagnostic diagnostic;
    uint32_t row;
  };

  void report(size_t file_index, Diagnostic diagnostic, uint32_t row) override {
    pending_.push_back(Pending{file_index, std::move(diagnostic), row});
  }

  // Adds the reports to the files (silenced ones counted and dropped); notes the files touched.
  void deliver(std::span<FileAnalysis* const> files, const RuleDefinition* rule, size_t rule_index,
               std::vector<size_t>& touched) {
    for (Pending& pending : pending_) {
      if (pending.file_index >= files.size()) continue;
      FileAnalysis& file = *files[pending.file_index];
      if (!file.reported.test(rule_index)) continue;
      if (file.noqa.suppress(pending.row, rule_index, true)) {
        ++file.suppressed_count;
        continue;
      }
      Diagnostic& diagnostic = pending.diagnostic;
      if (diagnostic.fix && !fixFitsFile(*diagnostic.fix, file.encoding, file.writable)) {
        diagnostic.fix.reset();
      }
      diagnostic.rule = rule;
      if (!file.fixable.test(rule_index)) diagnostic.fix.reset();
      file.diagnostics.push_back(std::move(diagnostic));
      touched.push_back(pending.file_index);
    }
    pending_.clear();
  }

 private:
  std::vector<Pending> pending_;
};

// Where packFacts puts FileAnalysis::call_facts among the rules' facts.
constexpr uint32_t kCallFactsSlot = UINT32_MAX;
// Marks a rule whose facts are byte for byte an earlier rule's (MEM402 and MEM404 both keep the
// file's classes, and usually nothing else): followed by the rule and the earlier rule.
constexpr uint32_t kSameAsSlot = UINT32_MAX - 1;

// The bytes of `slot` in a file's packed facts, or empty when it has none. A rule packed as the
// same as an earlier one is followed to that rule's bytes (once: they are never a reference).
std::string_view packedSlot(std::string_view packed, uint32_t slot, bool follow = true) {
  FactsReader in(packed);
  while (!in.atEnd() && in.ok()) {
    const uint32_t index = in.u32();
    if (index == kSameAsSlot) {
      const uint32_t rule = in.u32();
      const uint32_t earlier = in.u32();
      if (follow && in.ok() && rule == slot) return packedSlot(packed, earlier, false);
      continue;
    }
    const std::string_view bytes = in.view();
    if (in.ok() && index == slot) return bytes;
  }
  return {};
}

// One project rule's view of every file, its facts unpacked from the packed ones into
// `unpacked`. `packed_calls`: every packed file's calls, for rules that use them.
std::vector<ProjectFileView> viewsFor(std::span<FileAnalysis* const> files,
                                      std::span<const std::string_view> packed_calls,
                                      size_t rule_index,
                                      std::vector<std::unique_ptr<FileFacts>>& unpacked,
                                      const RuleDefinition& rule) {
  std::vector<ProjectFileView> views(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    const FileAnalysis& file = *files[i];
    views[i].path = file.path;
    views[i].module = &file.module;
    views[i].facts = rule_index < file.facts.size() ? file.facts[rule_index].get() : nullptr;
    if (views[i].facts == nullptr && !file.packed_facts.empty()) {
      const std::string_view bytes =
          packedSlot(file.packed_facts, static_cast<uint32_t>(rule_index));
      if (rule.reads_packed_facts) {
        views[i].packed_facts = bytes;
      } else {
        if (unpacked.empty()) unpacked.resize(files.size());
        if (!bytes.empty()) {
          FactsReader in(bytes);
          unpacked[i] = rule.read_facts(in);
        }
        views[i].facts = unpacked[i].get();
      }
    }
    if (rule.uses_call_facts && (views[i].facts != nullptr || !views[i].packed_facts.empty())) {
      if (file.call_facts)
        views[i].calls = &static_cast<const FileCallFacts&>(*file.call_facts).calls;
      if (i < packed_calls.size()) views[i].packed_calls = packed_calls[i];
    }
  }
  return views;
}

// One project rule's join over every file's facts.
void joinRule(std::span<FileAnalysis* const> files, std::span<const std::string_view> packed_calls,
              const AnalysisOptions& options, size_t rule_index, BufferingReporter& reporter) {
  const RuleDefinition* rule = options.rules[rule_index];
  std::vector<std::unique_ptr<FileFacts>> unpacked;  // this rule's, of packed files
  const std::vector<ProjectFileView> views =
      viewsFor(files, packed_calls, rule_index, unpacked, *rule);
  rule->join(views, options, reporter);
}

}  // namespace

std::string_view PackedFactsStore::keep(std::string_view bytes) {
  if (bytes.empty()) return {};
  const std::lock_guard lock(mutex_);
  if (bytes.size() > kBlockSize / 4) {
    // A large one gets a block of its own, before the last block so that it stays the last.
    auto& block = *blocks_.insert(blocks_.end() - (blocks_.empty() ? 0 : 1),
                                  std::make_unique<char[]>(bytes.size()));
    std::copy(bytes.begin(), bytes.end(), block.get());
    return {block.get(), bytes.size()};
  }
  if (kBlockSize - used_ < bytes.size()) {
    blocks_.push_back(std::make_unique<char[]>(kBlockSize));
    used_ = 0;
  }
  char* start = blocks_.back().get() + used_;
  std::copy(bytes.begin(), bytes.end(), start);
  used_ += bytes.size();
  return {start, bytes.size()};
}

std::string_view packFacts(FileAnalysis& analysis, std::span<const RuleDefinition* const> rules) {
  // Reused by each thread's files: packing allocates nothing once it has grown.
  thread_local std::string packed;
  thread_local std::string bytes;
  // Where each rule's bytes went in `packed`: (rule, offset, size).
  thread_local std::vector<std::array<size_t, 3>> written;
  packed.clear();
  written.clear();
  bool all_packed = true;
  FactsWriter out(packed);
  for (size_t rule = 0; rule < analysis.facts.size(); ++rule) {
    std::unique_ptr<FileFacts>& facts = analysis.facts[rule];
    if (!facts) continue;
    if (rule >= rules.size() || rules[rule]->read_facts == nullptr) {
      all_packed = false;
      continue;
    }
    bytes.clear();
    FactsWriter facts_out(bytes);
    facts->write(facts_out);
    facts.reset();
    // A reference takes up to 11 bytes: not worth it for a few.
    const auto same = std::find_if(written.begin(), written.end(), [&](const auto& earlier) {
      return bytes.size() > 16 && earlier[2] == bytes.size() &&
             std::string_view(packed).substr(earlier[1], earlier[2]) == bytes;
    });
    if (same != written.end()) {
      out.u32(kSameAsSlot);
      out.u32(static_cast<uint32_t>(rule));
      out.u32(static_cast<uint32_t>((*same)[0]));
      continue;
    }
    out.u32(static_cast<uint32_t>(rule));
    out.string(bytes);
    written.push_back({rule, packed.size() - bytes.size(), bytes.size()});
  }
  if (analysis.call_facts) {
    bytes.clear();
    FactsWriter facts_out(bytes);
    analysis.call_facts->write(facts_out);
    out.u32(kCallFactsSlot);
    out.string(bytes);
    analysis.call_facts.reset();
  }
  if (all_packed) {
    analysis.facts.clear();
    analysis.facts.shrink_to_fit();
  }
  return packed;
}

void packFacts(FileAnalysis& analysis, std::span<const RuleDefinition* const> rules,
               PackedFactsStore& store) {
  analysis.packed_facts = store.keep(packFacts(analysis, rules));
}

void joinProject(std::span<FileAnalysis* const> files, const AnalysisOptions& options,
                 unsigned threads) {
  std::vector<size_t> touched;
  // HL100 judges the directives once the join has used them; a repeated join starts over.
  const int unused_noqa = findRule(options.rules, kUnusedNoqaCode);
  if (unused_noqa >= 0) {
    const RuleDefinition* rule = options.rules[static_cast<size_t>(unused_noqa)];
    for (FileAnalysis* file : files) {
      file->noqa.clearJoinUsage();
      std::erase_if(file->diagnostics, [&](const Diagnostic& d) { return d.rule == rule; });
    }
  }
  std::vector<size_t> joined;  // the project rules to join, in rule order
  for (size_t rule_index = 0; rule_index < options.rules.size(); ++rule_index) {
    if (options.enabled.test(rule_index) && options.rules[rule_index]->join != nullptr) {
      joined.push_back(rule_index);
    }
  }
  // Where each packed file's calls are, for the rules that read them (each indexes them itself,
  // CallIndex::addPacked, without making the facts' objects).
  std::vector<std::string_view> packed_calls;
  if (std::any_of(joined.begin(), joined.end(),
                  [&](size_t rule) { return options.rules[rule]->uses_call_facts; })) {
    packed_calls.resize(files.size());
    for (size_t i = 0; i < files.size(); ++i)
      packed_calls[i] = packedSlot(files[i]->packed_facts, kCallFactsSlot);
  }
  // A join reads the files' facts and reports; it changes nothing else, so the rules' joins run
  // side by side (the last step of a run, on one thread otherwise).
  std::vector<BufferingReporter> reporters(joined.size());
  std::vector<std::exception_ptr> failures(joined.size());  // rethrown here, as on one thread
  parallelFor(joined.size(), threads, [&](size_t k) {
    try {
      joinRule(files, packed_calls, options, joined[k], reporters[k]);
    } catch (...) {
      failures[k] = std::current_exception();
    }
  });
  for (const std::exception_ptr& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
  for (size_t k = 0; k < joined.size(); ++k) {
    reporters[k].deliver(files, options.rules[joined[k]], joined[k], touched);
  }
  if (unused_noqa >= 0) {
    for (size_t i = 0; i < files.size(); ++i) {
      if (reportUnusedNoqa(*files[i], options.rules, static_cast<size_t>(unused_noqa))) {
        touched.push_back(i);
      }
    }
  }
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  for (size_t index : touched) {
    std::stable_sort(files[index]->diagnostics.begin(), files[index]->diagnostics.end(),
                     [](const Diagnostic& a, const Diagnostic& b) {
                       if (a.start != b.start) return a.start < b.start;
                       return a.rule->code < b.rule->code;
                     });
  }
}

bool wantedWords(std::span<FileAnalysis* const> files, const AnalysisOptions& options,
                 size_t rule_index, std::vector<std::string>& words) {
  const RuleDefinition* rule = options.rules[rule_index];
  // The views below carry no packed calls: a rule reading them wants every file instead.
  if (rule->wanted_words == nullptr || rule->uses_call_facts) return false;
  std::vector<std::unique_ptr<FileFacts>> unpacked;
  const std::vector<ProjectFileView> views = viewsFor(files, {}, rule_index, unpacked, *rule);
  return rule->wanted_words(views, options, words);
}

void parallelFor(size_t count, unsigned threads, const std::function<void(size_t)>& body) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<size_t>(threads, std::max<size_t>(count, 1)));
  std::atomic<size_t> next{0};
  const auto work = [&] {
    for (size_t i = next++; i < count; i = next++)
      body(i);
  };
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (unsigned t = 1; t < threads; ++t)
    pool.emplace_back(work);
  work();
  for (std::thread& thread : pool)
    thread.join();
}

namespace {

AnalysisOptions optionsFor(const AnalysisOptions& base, const ProjectSource& file) {
  AnalysisOptions options = file.options != nullptr ? *file.options : base;
  options.path = file.path;
  options.module = file.module;
  options.encoding = file.encoding;
  options.writable = file.writable;
  return options;
}

bool isProjectRule(const Diagnostic& diagnostic) {
  return diagnostic.rule->join != nullptr;
}

void joinAll(std::span<ProjectSource> files, const AnalysisOptions& options, unsigned threads) {
  std::vector<FileAnalysis*> analyses;
  analyses.reserve(files.size());
  for (ProjectSource& file : files) {
    // Drop the previous join's findings: the join below recomputes them.
    std::erase_if(file.analysis->diagnostics, isProjectRule);
    analyses.push_back(file.analysis.get());
  }
  joinProject(analyses, options, threads);
  parallelFor(files.size(), threads, [&](size_t i) {
    std::vector<Diagnostic>& diagnostics = files[i].analysis->diagnostics;
    if (std::any_of(diagnostics.begin(), diagnostics.end(),
                    [](const Diagnostic& d) { return isProjectRule(d) && d.fix; })) {
      verifyFixes(*files[i].source, diagnostics);
    }
  });
}

bool applicable(const Diagnostic& diagnostic, bool include_unsafe) {
  return diagnostic.fix && (diagnostic.fix->applicability == Applicability::Safe || include_unsafe);
}

bool parsesCleanly(const SourceText& source) {
  const TreePtr tree = PythonParser::forThisThread().parse(source);
  return tree && !ts_node_has_error(ts_tree_root_node(tree.get()));
}

}  // namespace

void analyzeProject(std::span<ProjectSource> files, const AnalysisOptions& options,
                    unsigned threads) {
  parallelFor(files.size(), threads, [&](size_t i) {
    files[i].analysis = std::make_unique<FileAnalysis>(
        analyzeFile(*files[i].source, optionsFor(options, files[i])));
  });
  joinAll(files, options, threads);
}

void fixProject(std::span<ProjectSource> files, const AnalysisOptions& options, bool include_unsafe,
                unsigned threads) {
  constexpr int kMaxRounds = 100;
  analyzeProject(files, options, threads);
  std::vector<FixHistory> histories(files.size());
  for (int round = 0; round < kMaxRounds; ++round) {
    std::atomic<bool> changed{false};
    parallelFor(files.size(), threads, [&](size_t i) {
      ProjectSource& file = files[i];
      const std::vector<Diagnostic>& diagnostics = file.analysis->diagnostics;
      if (std::none_of(diagnostics.begin(), diagnostics.end(),
                       [&](const Diagnostic& d) { return applicable(d, include_unsafe); })) {
        return;
      }
      FixOutcome outcome = applyFixes(file.source->text(), diagnostics, include_unsafe);
      auto fixed = std::make_unique<SourceText>(std::move(outcome.text));
      std::vector<Diagnostic> first;  // outlives `outcome.fixed`, which may point into it
      // Each fix was checked alone; if together they break the syntax, apply only the first.
      if (!parsesCleanly(*fixed)) {
        for (const Diagnostic& d : diagnostics) {
          if (applicable(d, include_unsafe)) {
            first.push_back(d);
            break;
          }
        }
        outcome = applyFixes(file.source->text(), first, include_unsafe);
        fixed = std::make_unique<SourceText>(std::move(outcome.text));
        if (!parsesCleanly(*fixed)) return;
      }
      if (outcome.applied == 0) return;
      file.fixed += outcome.applied;
      file.fixed_rules.insert(file.fixed_rules.end(), outcome.rules.begin(), outcome.rules.end());
      histories[i].record(outcome);
      file.source = std::move(fixed);
      file.analysis =
          std::make_unique<FileAnalysis>(analyzeFile(*file.source, optionsFor(options, file)));
      changed = true;
    });
    if (!changed) break;
    joinAll(files, options, threads);
    // After the join: the project rules' findings (and fixes) are made there.
    parallelFor(files.size(), threads,
                [&](size_t i) { histories[i].dropRepeated(files[i].analysis->diagnostics); });
  }
}

}  // namespace heaplint
