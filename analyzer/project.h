// Project-wide rules. Some questions span files (is this class instantiated in a loop anywhere?
// does any module evict from this cache?). Each file's pass leaves small per-rule facts; after
// every file is analysed (in parallel), each project rule joins the facts of all files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/diagnostic.h"
#include "analyzer/project_modules.h"

namespace heaplint {

struct AnalysisOptions;
struct CallFacts;
struct FileAnalysis;
class SourceText;
class FactsWriter;

// What a rule learned about one file, for its project-wide step. Each rule defines its own.
class FileFacts {
 public:
  virtual ~FileFacts() = default;
  // For the result cache: the rule's `read_facts` must read back exactly what this writes.
  virtual void write(FactsWriter& /*out*/) const {}

  // For analysis in runs (incremental_analysis.h), where each run of a document leaves its own
  // facts and a document's facts are its runs' facts in order. Rules with facts implement both.
  // An empty set of facts of the same rule.
  virtual std::unique_ptr<FileFacts> makeEmpty() const { return nullptr; }
  // Adds the facts of the next run after these, moved by `bytes` and `rows` (an edit above the
  // run moved it since they were made).
  virtual void appendShifted(const FileFacts& /*next*/, int64_t /*bytes*/, int64_t /*rows*/) {}
};

// One file as a project rule sees it.
struct ProjectFileView {
  std::string_view path;
  const ModuleInfo* module = nullptr;
  const FileFacts* facts = nullptr;  // this rule's facts for the file, or null
  // For a rule that reads its packed facts itself (RuleDefinition::reads_packed_facts): its
  // facts for the file as FileFacts::write wrote them, when `facts` is null.
  std::string_view packed_facts;
  // The file's calls (call_evidence.h) for a rule that uses call facts and has facts for the
  // file (it ran there; for a rule reading packed facts, has them packed): as objects, or packed
  // (CallFacts::write's bytes; CallIndex reads either), or neither.
  const CallFacts* calls = nullptr;
  std::string_view packed_calls;
};

class ProjectReporter {
 public:
  virtual ~ProjectReporter() = default;
  // `row` is the 0-based line whose `# noqa` comments may silence the diagnostic.
  virtual void report(size_t file_index, Diagnostic diagnostic, uint32_t row) = 0;
};

// Joins the facts of every file for every enabled project rule and adds the resulting
// diagnostics (silenced ones dropped) to the files' analyses, keeping them in source order.
// The rules join side by side on up to `threads` threads (0: one per core).
void joinProject(std::span<FileAnalysis* const> files, const AnalysisOptions& options,
                 unsigned threads = 1);

// The words a file not analysed yet must hold for its facts to change what the project rule
// `rule_index` reports, from the facts of `files` (RuleDefinition::wanted_words), added to
// `words`. False when every file may matter.
bool wantedWords(std::span<FileAnalysis* const> files, const AnalysisOptions& options,
                 size_t rule_index, std::vector<std::string>& words);

// Where packed facts wait for the join: large blocks shared by every thread. The bytes each file
// keeps then sit together instead of scattered through the memory its analysis freed, where they
// would keep the allocator from reusing that memory for the next file (the heap would grow with
// the number of files).
class PackedFactsStore {
 public:
  // A copy of the bytes, valid as long as the store.
  std::string_view keep(std::string_view bytes);

 private:
  static constexpr size_t kBlockSize = size_t{1} << 20;
  std::mutex mutex_;
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t used_ = kBlockSize;  // in the last block
};

// Packs a file's facts (FileAnalysis::facts and ::call_facts) into FileAnalysis::packed_facts,
// in `store`: each rule's facts serialized as the result cache writes them. A project of many files
// then keeps about a kilobyte a file until the join instead of the facts' objects; joinProject
// reads back one rule's facts of every file at a time. A rule whose facts are byte for byte an
// earlier rule's points at them instead. The facts of a rule that cannot read them back stay
// unpacked.
void packFacts(FileAnalysis& analysis, std::span<const RuleDefinition* const> rules,
               PackedFactsStore& store);
// The same, returning the packed bytes (this thread's buffer, valid until its next call) for the
// caller to keep and point FileAnalysis::packed_facts at.
std::string_view packFacts(FileAnalysis& analysis, std::span<const RuleDefinition* const> rules);

// Runs body(0..count-1) on `threads` threads (0: one per core); each index runs once.
void parallelFor(size_t count, unsigned threads, const std::function<void(size_t)>& body);

// A whole project held in memory: every file's text and analysis. Used where fixes may go round
// several times (--fix, --diff, fixture projects); plain checking streams files instead.
struct ProjectSource {
  std::string path;
  ModuleInfo module;
  std::unique_ptr<SourceText> source;
  std::unique_ptr<FileAnalysis> analysis;
  size_t fixed = 0;
  std::vector<const RuleDefinition*> fixed_rules;  // the rule of each fix applied
  // This file's rules and settings (from its configuration file); null: the project's.
  const AnalysisOptions* options = nullptr;
  // PEP 263: what the file is written back in (AnalysisOptions::encoding, ::writable).
  std::string encoding;
  bool writable = true;
};

// Analyses every file (in parallel), then joins the project rules.
void analyzeProject(std::span<ProjectSource> files, const AnalysisOptions& options,
                    unsigned threads);

// Applies every applicable fix, re-analyses the files that changed and joins again, until no fix
// applies (at most 100 rounds). Leaves each file's final analysis in place.
void fixProject(std::span<ProjectSource> files, const AnalysisOptions& options, bool include_unsafe,
                unsigned threads);

}  // namespace heaplint
