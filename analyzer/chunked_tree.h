// A document's syntax as a run of trees, each covering consecutive top-level statements, so that
// an edit re-parses only the statements around it.
//
// Why: tree-sitter's incremental re-parse is cheap while the text stays valid, but an edit that
// breaks a statement (a keyword turned into a name, an unclosed bracket) sends it into error
// recovery, which can re-parse much of the rest of a large file. Top-level statements start at
// column 0 and share no parser state, so a run of them parses alone to the same statements, and an
// error stays inside its run. The language server keeps one of these per open document; the CLI
// parses a file whole.
#pragma once

#include <tree_sitter/api.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/diagnostic.h"
#include "analyzer/helper_threads.h"
#include "analyzer/source_text.h"

namespace heaplint {

class ChunkedTree {
 public:
  // Texts up to this size are one chunk: a whole re-parse of them is already quick.
  static constexpr uint32_t kSingleChunkLimit = 8 * 1024;
  // About how many bytes of statements each chunk holds.
  static constexpr uint32_t kTargetChunkSize = 2 * 1024;

  // Parses `source` afresh; with `helpers`, a text cut into runs is parsed on them too.
  void parse(const SourceText& source, PythonParser& parser, HelperThreads* helpers = nullptr);
  // Records that bytes [start, end) of `before` were replaced with `replacement`. Call once per
  // edit, in order, then reparse() once with the final text.
  void edit(const SourceText& before, uint32_t start, uint32_t end, std::string_view replacement);
  // Re-parses the chunks that edits touched.
  void reparse(const SourceText& source, PythonParser& parser);

  bool empty() const { return chunks_.empty(); }
  // Whether the last split cut the text where it says statements start, without parsing it whole
  // first (the usual case for a text without syntax errors).
  bool lastSplitByText() const { return last_split_by_text_; }
  size_t chunkCount() const { return chunks_.size(); }
  // Where each chunk begins in the current text.
  std::vector<uint32_t> chunkStarts() const;
  // The trees in document order, for analyzeTrees().
  std::vector<const TSTree*> trees() const;
  struct RunView {
    uint32_t start = 0;  // byte range in the current text
    uint32_t end = 0;
    const TSTree* tree = nullptr;
  };
  // The chunks that have a tree (all but those whose parse failed), in document order.
  std::vector<RunView> runs() const;
  // The smallest node spanning [start, end), looked up in the chunk that holds `start`.
  TSNode descendantForByteRange(uint32_t start, uint32_t end) const;
  // Whether the text as edited since the last parse, [start, end) in it holding every edit, is
  // broken inside one method of a top-level class in a large run. Judged by parsing that method
  // alone with its class's header, which takes about a millisecond where the class's run, broken,
  // takes tens (tree-sitter's error recovery); the two had an error on the same edits in all 512
  // edits measured in methods (docs/editors.md). Lines typed between two members are judged with
  // the member after them, lines typed below the last member alone. False whenever it cannot be
  // judged that way (the edit is not inside one such method, between two members or below the
  // last, or the run is small enough to re-parse at once).
  // Runs smaller than `minimum_run`, beside runs smaller too (a broken run is re-parsed with its
  // neighbours: rejoinAround), are re-parsed even when an edit breaks them.
  static constexpr uint32_t kMethodAloneMinimum = 4 * 1024;
  bool editLeavesMethodBroken(const SourceText& source, PythonParser& parser, uint32_t start,
                              uint32_t end, uint32_t minimum_run = kMethodAloneMinimum) const;
  // True when the text with `fix` applied still parses without errors; re-parses only the chunk
  // the fix lies in (the whole text when it spans chunks).
  bool fixKeepsSyntaxValid(PythonParser& parser, const SourceText& source, const Fix& fix) const;

 private:
  struct Chunk {
    uint32_t start = 0;  // byte range in the current text
    uint32_t end = 0;
    TreePtr tree;        // edited with ts_tree_edit after every edit; null when made afresh
    bool dirty = false;  // needs a re-parse
    // The text the edits since the last parse wrote, in the current text (none while from > to):
    // reparse() describes it to tree-sitter as running on to the next member of a class
    // (describedEditEnd in chunked_tree.cpp).
    uint32_t edited_from = 1;
    uint32_t edited_to = 0;
  };

  // Index of the chunk holding `offset` (an insertion at a boundary belongs to the chunk after).
  size_t chunkAt(uint32_t offset) const;
  // Parses [start, end) and splits the result into chunks at top-level statements.
  std::vector<Chunk> parseAndSplit(const SourceText& source, PythonParser& parser, uint32_t start,
                                   uint32_t end, HelperThreads* helpers = nullptr) const;
  // A chunk that fails to parse at its first or last statement may be the half of a construct cut
  // at a boundary (a decorator above the next chunk's `def`, an `else:` below the previous
  // chunk's `if`): joined with its neighbours, it is kept when that parses cleanly.
  // Returns the joined chunk's index, or kNotJoined.
  static constexpr size_t kNotJoined = static_cast<size_t>(-1);
  size_t rejoinAround(size_t index, const SourceText& source, PythonParser& parser);
  // A chunk broken by a construct that one chunk opens and a later one closes (a triple-quoted
  // string whose end was typed in the next chunk: each alone reads the other's string as code,
  // with errors anywhere, not only at an edge): joined with the chunks the construct spans, read
  // from the text, when the join parses cleanly. Returns the joined chunk's index, or kNotJoined.
  static constexpr uint32_t kMostBytesReadToRejoin = 32 * 1024;
  size_t rejoinAcrossOpenConstruct(size_t index, const SourceText& source, PythonParser& parser);
  // Replaces chunks [first, last] with one parse of their text when it has no error.
  bool joinIfClean(size_t first, size_t last, const SourceText& source, PythonParser& parser);

  std::vector<Chunk> chunks_;
  uint32_t text_start_ = 0;  // after a byte-order mark
  mutable bool last_split_by_text_ = false;
};

}  // namespace heaplint
