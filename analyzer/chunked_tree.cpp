#include "analyzer/chunked_tree.h"

#include <algorithm>
#include <cctype>
#include <thread>

#include "analyzer/fix.h"
#include "analyzer/syntax.h"

namespace heaplint {
namespace {

// A node that begins a top-level statement at column 0, where a chunk may start.
bool startsStatementAtColumnZero(TSNode child) {
  return ts_node_is_named(child) && kindOf(child) != NodeKind::Comment &&
         !ts_node_is_error(child) && ts_node_start_point(child).column == 0;
}

// Whether a parse of [start, end) from scratch could cut it into runs: a top-level statement after
// the first starts at column 0 far enough from both ends (the test parseAndSplit applies). A run
// that is one big class has none, and parsing it again to find that out would double the cost of
// every edit in it.
bool hasSplitPoint(TSNode root, uint32_t start, uint32_t end, uint32_t target_size) {
  const uint32_t count = ts_node_child_count(root);
  for (uint32_t i = 1; i < count; ++i) {
    const TSNode child = ts_node_child(root, i);
    const uint32_t at = ts_node_start_byte(child);
    if (at - start >= target_size && end - at >= target_size / 2 &&
        startsStatementAtColumnZero(child)) {
      return true;
    }
  }
  return false;
}

// Whether the first or the last statement of a chunk has a syntax error.
bool errorAtAnEdge(TSNode root) {
  if (!ts_node_has_error(root)) return false;
  if (ts_node_is_error(root)) return true;
  const uint32_t count = ts_node_child_count(root);
  if (count == 0) return true;
  return ts_node_has_error(ts_node_child(root, 0)) ||
         ts_node_has_error(ts_node_child(root, count - 1));
}

// Where the edits of a chunk, the last of them ending at `end`, are best described to tree-sitter
// as ending. An edit at the start of a line in a top-level definition makes the zero-width
// indentation token before it count as changed; the incremental re-parse then finds the indentation
// scanner's state of the old nodes after it different from its own, and on each such mismatch skips
// the old subtree whole instead of looking inside (parser.c, ts_parser__reuse_node): every later
// member of a class is parsed again, 6-12 ms in SymPy's `Expr` where the same edit near its end
// costs 0.5. Described as running on to the first token of the definition's next member (the text
// between is unchanged, so the description stays true), the parser lexes that token itself, the
// states agree again, and the re-parse takes 0.5 ms and gives the same tree (docs/editors.md).
uint32_t describedEditEnd(const TSTree& tree, std::string_view text, uint32_t end,
                          uint32_t chunk_end) {
  const TSNode statement = ts_node_first_named_child_for_byte(ts_tree_root_node(&tree), end);
  if (ts_node_is_null(statement) || ts_node_start_byte(statement) > end) return end;
  const TSNode definition = undecorated(statement);
  const NodeKind kind = kindOf(definition);
  if (kind != NodeKind::ClassDefinition && kind != NodeKind::FunctionDefinition) return end;
  const TSNode body = childByField(definition, Field::Body);
  if (ts_node_is_null(body) || ts_node_start_byte(body) > end ||
      ts_node_named_child_count(body) == 0) {
    return end;
  }
  const uint32_t member_column = ts_node_start_point(ts_node_named_child(body, 0)).column;
  const size_t limit = std::min<size_t>(chunk_end, text.size());
  size_t line = text.find('\n', end);
  while (line != std::string_view::npos && ++line < limit) {
    size_t at = line;
    while (at < limit && (text[at] == ' ' || text[at] == '\t' || text[at] == '\f'))
      ++at;
    if (at == limit) break;
    if (text[at] != '\n' && text[at] != '\r' && at - line <= member_column) {
      return static_cast<uint32_t>(at);
    }
    line = text.find('\n', at);
  }
  return end;
}

// Whether a chunk may still start at `offset` after an edit: at the start of a line, with the
// first line of code at column 0. A deleted newline puts the statements on both sides on one
// line, and an indented first statement belongs to the block above: only a parse of both chunks
// can judge them (a parse of the second alone accepts the indentation).
bool boundaryHolds(std::string_view text, uint32_t offset) {
  if (offset == 0 || (text[offset - 1] != '\n' && text[offset - 1] != '\r')) return false;
  size_t line = offset;
  while (line < text.size()) {
    size_t i = line;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\f'))
      ++i;
    if (i == text.size()) return true;
    if (text[i] != '\n' && text[i] != '\r' && text[i] != '#') return i == line;
    const size_t end = text.find('\n', i);
    if (end == std::string_view::npos) return true;
    line = end + 1;
  }
  return true;
}

// What a reader of Python text carries from one line to the next: open brackets, an open string,
// a backslash continuation. Read from the text alone, without a parse.
struct OpenConstructs {
  int brackets = 0;
  char quote = 0;          // the open string's quote character, 0 outside strings
  bool triple = false;     // the open string is triple-quoted
  bool continued = false;  // the line before ended with a backslash (outside strings)
  bool any() const { return brackets > 0 || quote != 0 || continued; }
};

// Reads the line from `i` on (up to `end`) and returns where its line feed is, or `end`.
uint32_t readLine(std::string_view text, uint32_t i, uint32_t end, OpenConstructs& open) {
  open.continued = false;
  while (i < end && text[i] != '\n') {
    const char c = text[i];
    if (open.quote != 0) {
      if (c == '\\') {
        i += 2;
        continue;
      }
      if (c == open.quote &&
          (!open.triple || (i + 2 < end && text[i + 1] == c && text[i + 2] == c))) {
        i += open.triple ? 3 : 1;
        open.quote = 0;
        continue;
      }
      ++i;
      continue;
    }
    if (c == '#') {
      while (i < end && text[i] != '\n')
        ++i;
      break;
    }
    if (c == '"' || c == '\'') {
      open.quote = c;
      open.triple = i + 2 < end && text[i + 1] == c && text[i + 2] == c;
      i += open.triple ? 3 : 1;
      continue;
    }
    if (c == '(' || c == '[' || c == '{') ++open.brackets;
    if ((c == ')' || c == ']' || c == '}') && open.brackets > 0) --open.brackets;
    if (c == '\\' && i + 1 < end && (text[i + 1] == '\n' || text[i + 1] == '\r'))
      open.continued = true;
    ++i;
  }
  // A single-quoted string does not continue past the end of its line (unless escaped, which
  // the loop above stepped over).
  if (open.quote != 0 && !open.triple) open.quote = 0;
  return std::min(i, end);
}

// What text[start, end) leaves open at its end, read on from `open`.
OpenConstructs openAfter(std::string_view text, uint32_t start, uint32_t end,
                         OpenConstructs open = {}) {
  for (uint32_t i = start; i < end; ++i)  // past each line feed
    i = readLine(text, i, end, open);
  return open;
}

// Where top-level statements start in text[start, end), read from the text alone: lines at column
// 0 outside brackets, strings and continuations, except comments, the clauses that continue a
// compound statement (`else:`, `except`, ...) and a definition under its decorators. Only a guess
// to cut a text into runs without parsing it whole first: the runs' parses are the check.
std::vector<uint32_t> statementStartsByText(std::string_view text, uint32_t start, uint32_t end) {
  std::vector<uint32_t> starts;
  OpenConstructs open;
  bool after_decorator = false;
  const auto startsWithWord = [&](uint32_t at, std::string_view word) {
    return text.substr(at, word.size()) == word &&
           (at + word.size() >= end ||
            !(std::isalnum(static_cast<unsigned char>(text[at + word.size()])) ||
              text[at + word.size()] == '_'));
  };
  for (uint32_t i = start; i < end; ++i) {  // past each line feed
    // At the start of a line.
    const char first = text[i];
    if (!open.any() && first != ' ' && first != '\t' && first != '\f' && first != '\n' &&
        first != '\r' && first != '#') {
      const bool clause = startsWithWord(i, "else") || startsWithWord(i, "elif") ||
                          startsWithWord(i, "except") || startsWithWord(i, "finally");
      if (!clause && !after_decorator) starts.push_back(i);
      after_decorator = first == '@';
    }
    i = readLine(text, i, end, open);
  }
  return starts;
}

}  // namespace

void ChunkedTree::parse(const SourceText& source, PythonParser& parser, HelperThreads* helpers) {
  text_start_ = source.hasByteOrderMark() ? 3 : 0;
  chunks_ = parseAndSplit(source, parser, text_start_, source.size(), helpers);
}

std::vector<ChunkedTree::Chunk> ChunkedTree::parseAndSplit(const SourceText& source,
                                                           PythonParser& parser, uint32_t start,
                                                           uint32_t end,
                                                           HelperThreads* helpers) const {
  std::vector<Chunk> pieces;
  last_split_by_text_ = false;
  const bool small =
      source.size() <= kSingleChunkLimit && start == text_start_ && end == source.size();
  if (!small && end - start >= 2 * kTargetChunkSize) {
    // Cut where the text says statements start, and keep the cut when every run parses cleanly:
    // one parse of the text instead of two. Anything else (a text with errors, a guess that split
    // a construct) is cut from a parse of the whole.
    std::vector<uint32_t> boundaries;
    uint32_t piece_start = start;
    for (const uint32_t at : statementStartsByText(source.text(), start, end)) {
      if (at - piece_start < kTargetChunkSize || end - at < kTargetChunkSize / 2) continue;
      boundaries.push_back(at);
      piece_start = at;
    }
    if (!boundaries.empty()) {
      boundaries.push_back(end);
      if (helpers != nullptr) {
        // Each run parses alone, so the runs can be parsed side by side (each thread with its
        // own parser). A text with an error somewhere costs its other runs' parses in vain.
        pieces.resize(boundaries.size());
        for (size_t i = 0; i < pieces.size(); ++i) {
          pieces[i].start = i == 0 ? start : boundaries[i - 1];
          pieces[i].end = boundaries[i];
        }
        const std::thread::id caller = std::this_thread::get_id();
        helpers->forEachLargestFirst(
            pieces.size(), [&](size_t i) { return pieces[i].end - pieces[i].start; },
            [&](size_t i) {
              PythonParser& own =
                  std::this_thread::get_id() == caller ? parser : PythonParser::forThisThread();
              pieces[i].tree = own.parseRange(source, pieces[i].start, pieces[i].end);
            });
      } else {
        uint32_t from = start;
        for (const uint32_t to : boundaries) {
          Chunk piece{from, to, parser.parseRange(source, from, to), false};
          const bool clean = piece.tree && !ts_node_has_error(ts_tree_root_node(piece.tree.get()));
          pieces.push_back(std::move(piece));
          if (!clean) break;
          from = to;
        }
      }
      const bool clean = std::all_of(pieces.begin(), pieces.end(), [](const Chunk& piece) {
        return piece.tree && !ts_node_has_error(ts_tree_root_node(piece.tree.get()));
      });
      last_split_by_text_ = clean;
      if (clean) return pieces;
      pieces.clear();
    }
  }
  Chunk whole{start, end, parser.parseRange(source, start, end), false};
  if (small || !whole.tree || end - start < 2 * kTargetChunkSize) {
    pieces.push_back(std::move(whole));
    return pieces;
  }
  std::vector<uint32_t> boundaries;
  const TSNode root = ts_tree_root_node(whole.tree.get());
  uint32_t piece_start = start;
  const uint32_t count = ts_node_child_count(root);
  for (uint32_t i = 1; i < count; ++i) {
    const TSNode child = ts_node_child(root, i);
    const uint32_t at = ts_node_start_byte(child);
    if (at - piece_start < kTargetChunkSize || end - at < kTargetChunkSize / 2) continue;
    if (!startsStatementAtColumnZero(child)) continue;
    boundaries.push_back(at);
    piece_start = at;
  }
  if (boundaries.empty()) {
    pieces.push_back(std::move(whole));
    return pieces;
  }
  boundaries.push_back(end);
  uint32_t from = start;
  for (const uint32_t to : boundaries) {
    pieces.push_back(Chunk{from, to, parser.parseRange(source, from, to), false});
    from = to;
  }
  return pieces;
}

size_t ChunkedTree::chunkAt(uint32_t offset) const {
  // The first chunk whose end lies beyond the offset; the last one for the end of the text.
  const auto it = std::upper_bound(chunks_.begin(), chunks_.end(), offset,
                                   [](uint32_t at, const Chunk& chunk) { return at < chunk.end; });
  return it == chunks_.end() ? chunks_.size() - 1 : static_cast<size_t>(it - chunks_.begin());
}

void ChunkedTree::edit(const SourceText& before, uint32_t start, uint32_t end,
                       std::string_view replacement) {
  if (chunks_.empty()) return;
  const int64_t delta = static_cast<int64_t>(replacement.size()) - (end - start);
  const auto shifted = [delta](uint32_t offset) {
    return static_cast<uint32_t>(static_cast<int64_t>(offset) + delta);
  };
  if (start < text_start_) {
    // The byte-order mark changed: start over with one chunk of the whole text.
    const uint32_t new_end = shifted(chunks_.back().end);
    chunks_.clear();
    chunks_.push_back(Chunk{0, new_end, nullptr, true});
    text_start_ = 0;
    return;
  }
  size_t first = chunkAt(start);
  size_t last = start == end ? first : chunkAt(end - 1);
  if (first != last) {
    // An edit across a boundary: its chunks become one, parsed afresh.
    chunks_[first].end = chunks_[last].end;
    chunks_[first].tree.reset();
    chunks_.erase(chunks_.begin() + static_cast<std::ptrdiff_t>(first) + 1,
                  chunks_.begin() + static_cast<std::ptrdiff_t>(last) + 1);
  }
  const TSInputEdit input = inputEditFor(before, start, end, replacement);
  Chunk& edited = chunks_[first];
  if (edited.tree) ts_tree_edit(edited.tree.get(), &input);
  // Where the edits since the last parse lie, in the text after this one.
  const auto mapped = [&](uint32_t offset, uint32_t inside) {
    return offset < start ? offset : offset >= end ? shifted(offset) : inside;
  };
  const auto new_end = static_cast<uint32_t>(start + replacement.size());
  if (edited.edited_from > edited.edited_to) {
    edited.edited_from = start;
    edited.edited_to = new_end;
  } else {
    edited.edited_from = std::min(mapped(edited.edited_from, start), start);
    edited.edited_to = std::max(mapped(edited.edited_to, new_end), new_end);
  }
  edited.end = shifted(edited.end);
  edited.dirty = true;
  for (size_t i = first + 1; i < chunks_.size(); ++i) {
    Chunk& chunk = chunks_[i];
    // Nothing in it changed: the edit only moves its nodes.
    if (chunk.tree) ts_tree_edit(chunk.tree.get(), &input);
    chunk.start = shifted(chunk.start);
    chunk.end = shifted(chunk.end);
    if (chunk.edited_from <= chunk.edited_to) {
      chunk.edited_from = shifted(chunk.edited_from);
      chunk.edited_to = shifted(chunk.edited_to);
    }
  }
}

void ChunkedTree::reparse(const SourceText& source, PythonParser& parser) {
  if (chunks_.empty()) {
    parse(source, parser);
    return;
  }
  text_start_ = source.hasByteOrderMark() ? 3 : 0;
  if (chunks_.front().start != text_start_) {
    chunks_.front().start = text_start_;
    chunks_.front().tree.reset();
    chunks_.front().dirty = true;
  }
  for (size_t i = 0; i < chunks_.size();) {
    Chunk& chunk = chunks_[i];
    if (!chunk.dirty) {
      ++i;
      continue;
    }
    if (chunk.start == chunk.end && chunks_.size() > 1) {
      // Emptied by a deletion: its neighbour takes over the (empty) range.
      chunks_.erase(chunks_.begin() + static_cast<std::ptrdiff_t>(i));
      if (i < chunks_.size()) chunks_[i].dirty = true;  // its boundary may have moved into a line
      continue;
    }
    if (i > 0 && !boundaryHolds(source.text(), chunk.start)) {
      chunks_[i - 1].end = chunk.end;
      chunks_[i - 1].tree.reset();
      chunks_[i - 1].dirty = true;
      chunks_.erase(chunks_.begin() + static_cast<std::ptrdiff_t>(i));
      --i;
      continue;
    }
    if (i + 1 < chunks_.size() && !boundaryHolds(source.text(), chunks_[i + 1].start)) {
      chunk.end = chunks_[i + 1].end;
      chunk.tree.reset();
      chunks_.erase(chunks_.begin() + static_cast<std::ptrdiff_t>(i) + 1);
      continue;
    }
    if (chunk.tree && chunk.edited_from <= chunk.edited_to) {
      const uint32_t described_end = describedEditEnd(*chunk.tree, source.text(), chunk.edited_to,
                                                      std::min(chunk.end, source.size()));
      if (described_end > chunk.edited_to) {
        // The text from the edits to `described_end` is described as replaced by itself.
        const TSInputEdit described = inputEditFor(
            source, chunk.edited_from, described_end,
            source.text().substr(chunk.edited_from, described_end - chunk.edited_from));
        ts_tree_edit(chunk.tree.get(), &described);
      }
    }
    chunk.edited_from = 1;
    chunk.edited_to = 0;
    chunk.tree = parser.parseRange(source, chunk.start, chunk.end, chunk.tree.get());
    chunk.dirty = false;
    if (!chunk.tree) {
      ++i;
      continue;
    }
    const TSNode root = ts_tree_root_node(chunk.tree.get());
    if (chunks_.size() > 1 && ts_node_has_error(root)) {
      size_t joined = errorAtAnEdge(root) ? rejoinAround(i, source, parser) : kNotJoined;
      if (joined == kNotJoined) joined = rejoinAcrossOpenConstruct(i, source, parser);
      // The chunks after the joined one are next (some may wait for their re-parse).
      if (joined != kNotJoined) i = joined;
    } else if (source.size() > kSingleChunkLimit && !ts_node_has_error(root) &&
               chunk.end - chunk.start > 4 * kTargetChunkSize &&
               hasSplitPoint(root, chunk.start, chunk.end, kTargetChunkSize)) {
      // Grown by pasting or rejoining: split again so that later edits stay cheap.
      std::vector<Chunk> pieces = parseAndSplit(source, parser, chunk.start, chunk.end);
      const size_t added = pieces.size();
      chunks_.erase(chunks_.begin() + static_cast<std::ptrdiff_t>(i));
      chunks_.insert(chunks_.begin() + static_cast<std::ptrdiff_t>(i),
                     std::make_move_iterator(pieces.begin()),
                     std::make_move_iterator(pieces.end()));
      i += added;
      continue;
    }
    ++i;
  }
}

size_t ChunkedTree::rejoinAround(size_t index, const SourceText& source, PythonParser& parser) {
  const size_t first = index > 0 ? index - 1 : index;
  const size_t last = index + 1 < chunks_.size() ? index + 1 : index;
  // A neighbour that still waits for its own re-parse is handled when its turn comes.
  if (chunks_[first].dirty || chunks_[last].dirty) return kNotJoined;
  return joinIfClean(first, last, source, parser) ? first : kNotJoined;
}

size_t ChunkedTree::rejoinAcrossOpenConstruct(size_t index, const SourceText& source,
                                              PythonParser& parser) {
  // Chunks are cut where nothing is open, so reading from the start of one that leaves nothing
  // open before it is reading from where nothing is open. Back over the chunks that end open
  // (their end is where the construct may have begun), then forward to the first end where
  // nothing is open again: a broken chunk at each end of that range, and a join that parses
  // cleanly, say the range is one construct.
  const std::string_view text = source.text();
  // Read at most this much text per re-parse of a broken chunk: a keystroke in an unclosed
  // string in a big class's chunk must not read the whole class again and again.
  uint32_t budget = kMostBytesReadToRejoin;
  const auto affordable = [&](size_t i) {
    const uint32_t size = chunks_[i].end - chunks_[i].start;
    if (size > budget) return false;
    budget -= size;
    return true;
  };
  // Back over up to half the budget's worth of chunks (a chunk wholly inside a string reads as
  // plain code alone, so where the construct began is only known reading forward), then forward:
  // the construct starts after the last chunk before `index` that leaves nothing open, and ends
  // with the first one from `index` on that leaves nothing open.
  size_t first = index;
  for (uint32_t back = 0; first > 0 && !chunks_[first - 1].dirty;) {
    back += chunks_[first - 1].end - chunks_[first - 1].start;
    if (back > kMostBytesReadToRejoin / 2) break;
    --first;
  }
  OpenConstructs open;
  size_t last = kNotJoined;
  for (size_t i = first; i < chunks_.size() && affordable(i); ++i) {
    open = openAfter(text, chunks_[i].start, chunks_[i].end, open);
    if (open.any()) continue;
    if (i >= index) {
      last = i;
      break;
    }
    // Nothing is open after this one: the construct starts later, and what was read to learn
    // that is not charged to reading the construct.
    first = i + 1;
    budget += chunks_[i].end - chunks_[i].start;
  }
  if (last == kNotJoined || first == last) return kNotJoined;
  const auto brokenAlone = [&](size_t i) {
    const Chunk& chunk = chunks_[i];
    return !chunk.dirty && chunk.tree && ts_node_has_error(ts_tree_root_node(chunk.tree.get()));
  };
  // A clean chunk at either end is more likely code that a quote being typed (an open `"""`
  // with its end not yet written) reads as a string: no join, and no parse of it per keystroke.
  if (!brokenAlone(first) || !brokenAlone(last)) return kNotJoined;
  for (size_t i = first; i <= last; ++i) {
    if (chunks_[i].dirty) return kNotJoined;
  }
  return joinIfClean(first, last, source, parser) ? first : kNotJoined;
}

bool ChunkedTree::joinIfClean(size_t first, size_t last, const SourceText& source,
                              PythonParser& parser) {
  TreePtr joined = parser.parseRange(source, chunks_[first].start, chunks_[last].end);
  if (!joined || ts_node_has_error(ts_tree_root_node(joined.get()))) return false;
  chunks_[first].end = chunks_[last].end;
  chunks_[first].tree = std::move(joined);
  chunks_.erase(chunks_.begin() + static_cast<std::ptrdiff_t>(first) + 1,
                chunks_.begin() + static_cast<std::ptrdiff_t>(last) + 1);
  return true;
}

std::vector<uint32_t> ChunkedTree::chunkStarts() const {
  std::vector<uint32_t> starts;
  starts.reserve(chunks_.size());
  for (const Chunk& chunk : chunks_)
    starts.push_back(chunk.start);
  return starts;
}

std::vector<const TSTree*> ChunkedTree::trees() const {
  std::vector<const TSTree*> trees;
  trees.reserve(chunks_.size());
  for (const Chunk& chunk : chunks_) {
    if (chunk.tree) trees.push_back(chunk.tree.get());
  }
  return trees;
}

std::vector<ChunkedTree::RunView> ChunkedTree::runs() const {
  std::vector<RunView> runs;
  runs.reserve(chunks_.size());
  for (const Chunk& chunk : chunks_) {
    if (chunk.tree) runs.push_back(RunView{chunk.start, chunk.end, chunk.tree.get()});
  }
  return runs;
}

TSNode ChunkedTree::descendantForByteRange(uint32_t start, uint32_t end) const {
  if (chunks_.empty()) return TSNode{};
  const Chunk& chunk = chunks_[chunkAt(start)];
  if (!chunk.tree) return TSNode{};
  return ts_node_descendant_for_byte_range(ts_tree_root_node(chunk.tree.get()), start, end);
}

namespace {

// How much of a run after lines typed below a class's last member is parsed with them; a run
// that goes on longer (runs joined after edits) is not judged.
constexpr uint32_t kMostBytesAfterLastMember = 8 * 1024;

// Whether text[from, to) holds only blank lines and comments.
bool onlyBlankLinesAndComments(std::string_view text, uint32_t from, uint32_t to) {
  for (uint32_t i = from; i < to; ++i) {
    const char c = text[i];
    if (c == '#') {
      while (i < to && text[i] != '\n')
        ++i;
    } else if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\f') {
      return false;
    }
  }
  return true;
}

// Whether the whole lines holding [start, end), typed between two members of a class's `body` or
// after its last member (a new method or attribute being written), are broken: parsed alone with
// the class's header and the member after them, as editLeavesMethodBroken parses a method. False
// when that cannot be judged. Judging a text broken that parses in the file only delays its
// analysis to a pause in typing (the server publishes the findings from before the edit
// meanwhile).
bool linesBetweenMembersBroken(const SourceText& source, PythonParser& parser, TSNode body,
                               std::string_view body_indent, PythonParser::ByteRange header,
                               uint32_t start, uint32_t end, uint32_t chunk_end) {
  // The whole lines the edits wrote: an edit that ends at the start of a line ends on the line
  // before.
  uint32_t lines_start = source.lineStart(source.rowOf(start));
  const auto lineEndAfter = [&](uint32_t offset) {
    return std::min<uint32_t>(source.lineEnd(source.rowOf(offset)) + 1, source.size());
  };
  uint32_t lines_end = lineEndAfter(end > start ? end - 1 : end);
  // The member after the lines, parsed with them: what is typed above a method may belong to it
  // (a decorator), and an open string or bracket runs on into it. A statement of the class's own
  // on the lines (`x` typed before, now `x =`) is taken whole with them; a method or a class
  // there, or a statement the tree from before read with an error, cannot be judged this way.
  // One pass with a cursor: a big class's body has hundreds of members, in order.
  TSNode next{};
  bool judgeable = true;
  TSTreeCursor cursor = ts_tree_cursor_new(body);
  for (bool more = ts_tree_cursor_goto_first_child(&cursor); more && judgeable;
       more = ts_tree_cursor_goto_next_sibling(&cursor)) {
    const TSNode child = ts_tree_cursor_current_node(&cursor);
    if (!ts_node_is_named(child)) continue;
    const uint32_t child_line = source.lineStart(source.rowOf(ts_node_start_byte(child)));
    if (child_line >= lines_end) {
      if (kindOf(child) == NodeKind::Comment) continue;
      next = child;
      break;
    }
    if (ts_node_end_byte(child) <= lines_start) continue;
    const NodeKind kind = kindOf(child);
    judgeable = kind != NodeKind::FunctionDefinition && kind != NodeKind::DecoratedDefinition &&
                kind != NodeKind::ClassDefinition && !ts_node_has_error(child);
    lines_start = std::min(lines_start, child_line);
    lines_end = std::max(lines_end, lineEndAfter(ts_node_end_byte(child) - 1));
  }
  ts_tree_cursor_delete(&cursor);
  if (!judgeable || lines_start < header.end || lines_end > chunk_end) return false;
  // Typed at the body's indentation, as a new member is; anything else may end the class or
  // nest in the member before, which the lines alone cannot tell.
  const std::string_view lines = source.text().substr(lines_start, lines_end - lines_start);
  // The first line with code (a pasted block may start with a comment).
  size_t written = lines.find_first_not_of(" \t\r\n");
  while (written != std::string_view::npos && lines[written] == '#') {
    const size_t line_end = lines.find('\n', written);
    written = line_end == std::string_view::npos ? line_end
                                                 : lines.find_first_not_of(" \t\r\n", line_end);
  }
  if (written == std::string_view::npos) return false;
  const size_t line_of_written = lines.rfind('\n', written);
  const size_t indent_start = line_of_written == std::string_view::npos ? 0 : line_of_written + 1;
  if (lines.substr(indent_start, written - indent_start) != body_indent) return false;
  // A clause continues a compound statement of the class's own above the lines, which they are
  // not parsed with.
  const std::string_view word = lines.substr(written);
  for (const std::string_view clause : {"else", "elif", "except", "finally"}) {
    if (word.starts_with(clause) &&
        (word.size() == clause.size() ||
         !(std::isalnum(static_cast<unsigned char>(word[clause.size()])) ||
           word[clause.size()] == '_'))) {
      return false;
    }
  }
  // Below the last member, the lines are parsed with the rest of the run (see below).
  uint32_t judged_end = chunk_end;
  if (!ts_node_is_null(next)) {
    // The member after the lines, at the body's indentation (a method, an attribute, ...): in a
    // member indented otherwise the body's indentation may have changed.
    const uint32_t next_start = source.lineStart(source.rowOf(ts_node_start_byte(next)));
    judged_end = ts_node_end_byte(next);
    if (judged_end > chunk_end || ts_node_has_error(next) ||
        source.text().substr(next_start, ts_node_start_byte(next) - next_start) != body_indent) {
      return false;
    }
  } else {
    // After the last member, the lines are parsed with the rest of the run, as in the file: what
    // follows may continue them (after a backslash, or closing a bracket at column 0) or be
    // code the edits indented into the class. The rest of the run was clean before the edits
    // (errorBesides), and is unchanged text. Anything but blank lines and comments between the
    // class and the lines may be another block.
    if (!onlyBlankLinesAndComments(source.text(), ts_node_end_byte(body), lines_start) ||
        chunk_end - lines_end > kMostBytesAfterLastMember) {
      return false;
    }
  }
  const PythonParser::ByteRange ranges[] = {header, {lines_start, judged_end}};
  const TreePtr alone = parser.parseRanges(source, ranges);
  return alone && ts_node_has_error(ts_tree_root_node(alone.get()));
}

// The last top-level statement of `root` that ends at or before `offset`, skipping comments; null
// when none does. One pass with a cursor.
TSNode lastStatementBefore(TSNode root, uint32_t offset) {
  TSNode last{};
  TSTreeCursor cursor = ts_tree_cursor_new(root);
  for (bool more = ts_tree_cursor_goto_first_child(&cursor); more;
       more = ts_tree_cursor_goto_next_sibling(&cursor)) {
    const TSNode child = ts_tree_cursor_current_node(&cursor);
    if (ts_node_start_byte(child) >= offset) break;
    if (ts_node_is_named(child) && kindOf(child) != NodeKind::Comment &&
        ts_node_end_byte(child) <= offset) {
      last = child;
    }
  }
  ts_tree_cursor_delete(&cursor);
  return last;
}

}  // namespace

bool ChunkedTree::editLeavesMethodBroken(const SourceText& source, PythonParser& parser,
                                         uint32_t start, uint32_t end, uint32_t minimum_run) const {
  if (chunks_.empty() || start > end || end > source.size()) return false;
  const size_t index = chunkAt(start);
  const Chunk& chunk = chunks_[index];
  // What a re-parse of the chunk reads when the edits break it: the chunk, and its neighbours,
  // which rejoinAround parses with it (a small class after one of hundreds of kilobytes). Judged
  // when any of them is large.
  uint32_t largest = chunk.end - chunk.start;
  if (index > 0) largest = std::max(largest, chunks_[index - 1].end - chunks_[index - 1].start);
  if (index + 1 < chunks_.size()) {
    largest = std::max(largest, chunks_[index + 1].end - chunks_[index + 1].start);
  }
  if (!chunk.tree || !chunk.dirty || end > chunk.end || largest < minimum_run) return false;
  // The chunk's tree is the one before the edits, moved through them (ts_tree_edit): its nodes
  // around the edit still say where the class and the method are.
  const TSNode root = ts_tree_root_node(chunk.tree.get());
  // The child of `parent` whose lines hold the edits: they lie within it, or on its last line
  // after it with only spaces between (`return value ` then `+`: tree-sitter stretches a node
  // over text typed at its end, not over text typed after a space).
  const std::string_view text = source.text();
  const auto holding = [&](TSNode parent) {
    const uint32_t count = ts_node_named_child_count(parent);
    for (uint32_t i = 0; i < count; ++i) {
      const TSNode child = ts_node_named_child(parent, i);
      const uint32_t child_end = ts_node_end_byte(child);
      if (source.lineStart(source.rowOf(ts_node_start_byte(child))) > start) continue;
      if (end <= child_end) return child;
      if (child_end <= start && source.rowOf(end) == source.rowOf(child_end) &&
          text.find_first_not_of(" \t", child_end) >= static_cast<size_t>(start)) {
        return child;
      }
    }
    return TSNode{};
  };
  TSNode top = holding(root);
  // Lines typed below a class, after its last member: indented as its body, they belong to it.
  if (ts_node_is_null(top)) top = lastStatementBefore(root, start);
  if (ts_node_is_null(top)) return false;
  const TSNode statement = undecorated(top);
  if (kindOf(statement) != NodeKind::ClassDefinition) return false;
  const TSNode body = childByField(statement, Field::Body);
  if (ts_node_is_null(body)) return false;
  // Not a method: the edit lies between methods (null), or in a statement of the class's own,
  // such as the first word of a new member typed before the edit (`x`, then `x =`).
  const TSNode member = holding(body);
  const NodeKind member_kind = kindOf(member);
  const bool in_method =
      member_kind == NodeKind::FunctionDefinition || member_kind == NodeKind::DecoratedDefinition;
  if (!in_method && !ts_node_is_null(member) &&
      (member_kind == NodeKind::ClassDefinition || ts_node_has_error(member))) {
    return false;
  }
  // A tree with an error outside the member (the edit undoes one that broke the text) may have
  // ended the method early or read part of it as other statements: its bounds say nothing then.
  // One pass over the children with a cursor: ts_node_child(parent, i) starts again from the
  // first child each time, and a big class's body has hundreds.
  const auto errorBesides = [](TSNode parent, TSNode kept) {
    if (!ts_node_has_error(parent)) return false;
    TSTreeCursor cursor = ts_tree_cursor_new(parent);
    bool found = false;
    for (bool more = ts_tree_cursor_goto_first_child(&cursor); more && !found;
         more = ts_tree_cursor_goto_next_sibling(&cursor)) {
      const TSNode child = ts_tree_cursor_current_node(&cursor);
      found = !ts_node_eq(child, kept) && ts_node_has_error(child);
    }
    ts_tree_cursor_delete(&cursor);
    return found;
  };
  if (errorBesides(root, top) || (!ts_node_eq(top, statement) && errorBesides(top, statement)) ||
      errorBesides(statement, body) || errorBesides(body, member)) {
    return false;
  }
  const uint32_t header_start = ts_node_start_byte(statement);
  const uint32_t body_row = source.rowOf(ts_node_start_byte(body));
  // A class the edits deleted or rewrote is not judged: the tree from before keeps a deleted one
  // as nodes of no width where it was, and their header and body would be whatever follows. Nor
  // is `class A: pass`, its body on the header's line.
  if (body_row <= source.rowOf(header_start) || header_start >= text.size() ||
      !text.substr(header_start).starts_with("class")) {
    return false;
  }
  // The start of the body's line, not one past the line feed of the line before: in a CRLF text
  // that would end the header at the `\r`, which alone is no line break to tree-sitter.
  const uint32_t header_end = source.lineStart(body_row);
  const uint32_t body_line = header_end;
  const std::string_view body_indent =
      source.text().substr(body_line, ts_node_start_byte(body) - body_line);
  if (body_indent.empty() || body_indent.find_first_not_of(" \t") != std::string_view::npos) {
    return false;
  }
  // Whether text[from, to) starts a method (or its decorator) at the body's indentation.
  // The tree is the one before the edit: a method it saw may be gone from the text (an edit that
  // deletes the `def g():` that error recovery had read as one). Parsed alone, the member's first
  // line sets the body's indentation; in the file the members before it do. A member now
  // indented unlike the body (a space typed before its `@`, a tab for spaces) reads as broken
  // alone where the whole text may parse as a nested block: nothing can be said. The indentation
  // is compared as written: tree-sitter counts a tab as 8 columns.
  const auto startsMethodAtBodyIndent = [&](uint32_t from, uint32_t to) {
    const std::string_view lines = text.substr(from, to - from);
    const size_t first = lines.find_first_not_of(" \t");
    if (first == std::string_view::npos || lines.substr(0, first) != body_indent) return false;
    const std::string_view opening = lines.substr(first);
    return opening.starts_with("def") || opening.starts_with("async") || opening.starts_with("@");
  };
  if (!in_method) {
    return linesBetweenMembersBroken(source, parser, body, body_indent, {header_start, header_end},
                                     start, end, chunk.end);
  }
  const uint32_t member_start = source.lineStart(source.rowOf(ts_node_start_byte(member)));
  // Edits after the member's end, on its last line, count as typed at its end.
  const uint32_t member_end = std::max(ts_node_end_byte(member), end);
  if (member_start < header_end || start < member_start || member_end > chunk.end) return false;
  // A broken member that ends where the edit does may have been cut there by the text the edit
  // removes (`except OS` + `class K: ...` + `Error:`, read as a method ending in an error, and
  // statements after it): the old bounds need not hold the method now. A clean one ends there
  // when the edit types at the end of its last line (tree-sitter stretches it over the text).
  if (member_end <= end && ts_node_has_error(member)) return false;
  if (!startsMethodAtBodyIndent(member_start, member_end)) return false;
  // A member that the tree from before read with an error may have taken in the start of the
  // member after it (`        @classmethod`, indented too far, read as the end of the method
  // above): once the edits mend that, the member's text ends inside the next one. Parsed with
  // the member after it, the text is whole again.
  // So is a member the edits end at the end of (tree-sitter stretches a node over text typed at
  // its end): `\n    @property` pasted after its last line belongs to the method after it.
  // Or a member whose text from before now ends in a line that starts a member at the body's
  // indentation: `return k` then `    @functools.lru_cache()` was one matrix product, and typing
  // `ey` + a line break after the `k` leaves the decorator as the start of the next method.
  const auto endsInMemberStart = [&](uint32_t from, uint32_t to) {
    if (to <= from) return false;
    const uint32_t last_line = source.lineStart(source.rowOf(to - 1));
    return last_line > from && startsMethodAtBodyIndent(last_line, to);
  };
  uint32_t judged_end = member_end;
  TSNode after = ts_node_next_named_sibling(member);
  while (kindOf(after) == NodeKind::Comment)  // a comment or a line continuation
    after = ts_node_next_named_sibling(after);
  if (ts_node_is_null(after)) {
    // The class's last member: what follows it is the module's code, which may continue its last
    // line (after a backslash, or closing a bracket at column 0). Parsed with the rest of the
    // run, as lines typed below the last member are, when that is short.
    if (chunk.end - member_end <= kMostBytesAfterLastMember) judged_end = chunk.end;
  } else if ((ts_node_has_error(member) || member_end <= end ||
              endsInMemberStart(member_start, member_end)) &&
             ts_node_end_byte(after) <= chunk.end) {
    judged_end = ts_node_end_byte(after);
  }
  const PythonParser::ByteRange ranges[] = {{header_start, header_end}, {member_start, judged_end}};
  const TreePtr alone = parser.parseRanges(source, ranges);
  return alone && ts_node_has_error(ts_tree_root_node(alone.get()));
}

bool ChunkedTree::fixKeepsSyntaxValid(PythonParser& parser, const SourceText& source,
                                      const Fix& fix) const {
  if (fix.edits.empty()) return true;
  const SourceText fixed(applyEdits(source.text(), fix.edits));
  const uint32_t first_start = fix.edits.front().start;
  const uint32_t last_end = fix.edits.back().end;
  const size_t index = chunkAt(first_start);
  const Chunk& chunk = chunks_[index];
  const bool within_one_chunk = chunk.tree && first_start >= chunk.start &&
                                (last_end < chunk.end || index + 1 == chunks_.size());
  if (!within_one_chunk) {
    const TreePtr reparsed = parser.parse(fixed);
    return reparsed && !ts_node_has_error(ts_tree_root_node(reparsed.get()));
  }
  TreePtr edited(ts_tree_copy(chunk.tree.get()));
  int64_t delta = 0;
  // Back to front, so that earlier offsets stay valid.
  for (auto it = fix.edits.rbegin(); it != fix.edits.rend(); ++it) {
    const TSInputEdit input = inputEditFor(source, it->start, it->end, it->replacement);
    ts_tree_edit(edited.get(), &input);
    delta += static_cast<int64_t>(it->replacement.size()) - (it->end - it->start);
  }
  const uint32_t new_end = static_cast<uint32_t>(static_cast<int64_t>(chunk.end) + delta);
  const TreePtr reparsed = parser.parseRange(fixed, chunk.start, new_end, edited.get());
  return reparsed && !ts_node_has_error(ts_tree_root_node(reparsed.get()));
}

}  // namespace heaplint
