// The language server's analysis of a document kept in runs of top-level statements
// (chunked_tree.h). After an edit it walks only the runs whose text changed, and the runs whose
// findings may depend on them; every other run's findings, facts and bindings are taken from the
// analysis before, moved to where the run now starts.
//
// What a run's findings may depend on outside the run:
// - the module-level names it uses: the walk of a run starts with the other runs' module-level
//   bindings (a prelude), and a run is walked again when a statement that binds a name it uses
//   changed anywhere (its text is the fingerprint; of a top-level class, its outline: the text
//   without its methods' bodies, unless the run's rules read more with
//   RuleContext::dependsOnTextOf);
// - what its rules declare with RuleContext::dependsOn / provides / moduleProvides: a run is
//   walked again when the set of runs providing a key it depends on changed.
// Cross-run questions that need more than that (is this class made hot anywhere, is this cache
// filled anywhere) are answered by the rules' facts, which are kept per run and joined per file
// as they are across files.
//
// A whole-file walk of the same trees is the reference: the tests compare the two after every
// edit of a random sequence.
#pragma once

#include <tree_sitter/api.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/chunked_tree.h"
#include "analyzer/helper_threads.h"
#include "analyzer/noqa.h"
#include "analyzer/semantic_model.h"

namespace heaplint {

class MethodLayoutMemo;

class IncrementalAnalysis {
 public:
  IncrementalAnalysis();
  ~IncrementalAnalysis();
  IncrementalAnalysis(const IncrementalAnalysis&) = delete;
  IncrementalAnalysis& operator=(const IncrementalAnalysis&) = delete;
  IncrementalAnalysis(IncrementalAnalysis&&) noexcept;
  IncrementalAnalysis& operator=(IncrementalAnalysis&&) noexcept;

  // The analysis of the document as it is now; what analyzeTrees() gives for the same trees.
  // With `helpers`, the runs to walk are walked on them too.
  FileAnalysis analyze(const SourceText& source, const ChunkedTree& syntax,
                       const AnalysisOptions& options, HelperThreads* helpers = nullptr);
  // The same for a reader that keeps only this document's findings from a join (the language
  // server): the document's calls are collected (AnalysisOptions::collect_call_facts) only while
  // its own findings may read them (ownFindingsReadCalls), and the document is analysed again at
  // once, every run collecting them, when they start to.
  FileAnalysis analyzeForOwnFindings(const SourceText& source, const ChunkedTree& syntax,
                                     AnalysisOptions options, HelperThreads* helpers = nullptr);
  // Forgets every run, so the next analysis walks them all (the settings changed), and the memo
  // of what the methods assign (a document past the size limit is not analysed: its memory
  // goes).
  void clear();
  // How many runs the last analyze() walked with the rules (both analyses of the last
  // analyzeForOwnFindings() that analysed twice).
  size_t walkedRuns() const { return walked_runs_; }
  // How many bytes of text those walks covered (a run walked twice counts twice).
  size_t walkedBytes() const { return walked_bytes_; }
  // How many methods those walks' class layouts took from the memo instead of reading them.
  size_t methodsRemembered() const { return methods_remembered_; }

  struct Run;

 private:
  // Forgets every run; what the methods assign stays (no option changes it).
  void forgetRuns();

  std::vector<std::unique_ptr<Run>> runs_;  // of the last analysis, in document order
  // Every key the runs of the last analysis provide, sorted (a vector of ProvidedKey).
  struct ProvidedKeys;
  std::unique_ptr<ProvidedKeys> provided_;
  // What the classes' methods assigned, by method text: the layout of a big slotted class is read
  // again on every keystroke in it (class_layout.h).
  std::unique_ptr<MethodLayoutMemo> method_layouts_;
  // analyzeForOwnFindings: whether the document's calls are collected, and whether every run kept
  // was walked collecting them.
  bool collects_call_facts_ = false;
  bool runs_collect_call_facts_ = true;
  size_t walked_runs_ = 0;
  size_t walked_bytes_ = 0;
  size_t methods_remembered_ = 0;
};

}  // namespace heaplint
