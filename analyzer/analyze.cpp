#include "analyzer/analyze.h"

#include <time.h>

#include <algorithm>

#include "analyzer/code_text.h"
#include "analyzer/comment_blocks.h"
#include "analyzer/fix.h"
#include "analyzer/noqa.h"
#include "analyzer/semantic_model.h"
#include "analyzer/source_text_encoding.h"
#include "analyzer/syntax_fstrings.h"
#include "analyzer/walker.h"

namespace heaplint {
namespace {

// Ten seconds of CPU and ten per megabyte: a hundred times what Python source needs, so that
// only garbage (200 KB of random bytes take 12 s in tree-sitter's error recovery) reaches it.
// CPU time of this thread, not wall time: a loaded machine must not change what is checked.
constexpr uint64_t kParseBudgetMicros = 10'000'000;
constexpr uint64_t kParseBudgetMicrosPerByte = 10;

// Blocks of this many comment and blank lines or more are parsed by a few of their lines only
// (comment_blocks.h): a block of 32 lines of 80 bytes costs the scanner about 0.5 ms. At most
// this many ranges are left out of a range parsed: each costs every jump of the lexer a step.
constexpr size_t kCommentBlockLinesLeftOut = 32;
constexpr size_t kMostCommentBlocksLeftOut = 32;

uint64_t threadCpuMicros() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<uint64_t>(now.tv_sec) * 1'000'000 + static_cast<uint64_t>(now.tv_nsec) / 1000;
}

struct ParseBudget {
  uint64_t deadline;  // in threadCpuMicros()
  uint32_t calls = 0;
  const PythonParser* parser = nullptr;
};

// Called by tree-sitter every hundred parser operations; true stops the parse. A background
// parse waits here while the foreground works; the wait costs no CPU time, so no budget. The
// thread's CPU clock is a system call (no vDSO), 2% of a parse when read on every call: it is
// read on every 16th, still well under a millisecond apart.
bool onParseProgress(TSParseState* state) {
  auto& budget = *static_cast<ParseBudget*>(state->payload);
  budget.parser->waitForForeground();
  if (++budget.calls % 16 != 0) return false;
  return threadCpuMicros() > budget.deadline;
}

struct Text {
  const char* data;
  uint32_t size;
};

const char* readText(void* payload, uint32_t byte, TSPoint /*point*/, uint32_t* bytes_read) {
  const auto* text = static_cast<const Text*>(payload);
  if (byte >= text->size) {
    *bytes_read = 0;
    return "";
  }
  *bytes_read = text->size - byte;
  return text->data + byte;
}

}  // namespace

PythonParser::PythonParser() : parser_(ts_parser_new()) {
  ts_parser_set_language(parser_, Syntax::instance().language());
}

PythonParser::~PythonParser() {
  ts_parser_delete(parser_);
}

PythonParser& PythonParser::forThisThread() {
  thread_local PythonParser parser;
  return parser;
}

TreePtr PythonParser::parse(const SourceText& source, const TSTree* old_tree) {
  // A byte-order mark is not Python: leave it out of the parsed range so offsets stay file offsets.
  return parseRange(source, source.hasByteOrderMark() ? 3 : 0, UINT32_MAX, old_tree);
}

namespace {

// Whether the `=` of a `:=` is read as a walrus or as a format spec (syntax_fstrings.h) depends on
// text that may be far from an edit (a quote typed above it): a copy of `old_tree` with every `:=`
// of bytes [start, end) marked as edited, so that a re-parse reuses no node built on the other
// reading; null when there is none.
TreePtr withColonEqualsMarkedEdited(const SourceText& source, const TSTree& old_tree,
                                    uint32_t start, uint32_t end) {
  TreePtr marked;
  const std::string_view text = source.text();
  for (size_t at = text.find(":=", start); at != std::string_view::npos && at < end;
       at = text.find(":=", at + 2)) {
    if (!marked) marked.reset(ts_tree_copy(&old_tree));
    const auto offset = static_cast<uint32_t>(at + 1);
    const Position position = source.utf8Position(offset);
    const TSPoint point{position.row, position.column};
    const TSPoint after{position.row, position.column + 1};
    const TSInputEdit edit{offset, offset + 1, offset + 1, point, after, after};
    ts_tree_edit(marked.get(), &edit);
  }
  return marked;
}

}  // namespace

TreePtr PythonParser::parseRange(const SourceText& source, uint32_t start, uint32_t end,
                                 const TSTree* old_tree) {
  const ByteRange range{start, end};
  return parseRanges(source, std::span<const ByteRange>(&range, 1), old_tree);
}

namespace {

// `ranges` without what long blocks of comment lines let a parse leave out (comment_blocks.h).
// A range's lines are taken from the first line that starts in it.
std::vector<PythonParser::ByteRange> withoutCommentBlockInteriors(
    const SourceText& source, std::span<const PythonParser::ByteRange> ranges) {
  std::vector<PythonParser::ByteRange> kept;
  kept.reserve(ranges.size());
  const std::string_view text = source.text();
  for (const PythonParser::ByteRange& range : ranges) {
    const uint32_t until = std::min(range.end, source.size());
    uint32_t lines_start = range.start;
    if (lines_start > 0 && lines_start < until && text[lines_start - 1] != '\n') {
      lines_start = source.lineStart(source.rowOf(lines_start) + 1);
    }
    uint32_t from = range.start;
    if (lines_start < until) {
      for (const auto& [start, end] :
           commentBlockInteriors(text.substr(lines_start, until - lines_start),
                                 kCommentBlockLinesLeftOut, kMostCommentBlocksLeftOut)) {
        kept.push_back({from, lines_start + start});
        from = lines_start + end;
      }
    }
    kept.push_back({from, range.end});
  }
  return kept;
}

}  // namespace

TreePtr PythonParser::parseRanges(const SourceText& source,
                                  std::span<const ByteRange> requested_ranges,
                                  const TSTree* old_tree) {
  std::vector<TSRange> ranges;
  const auto include = [&](std::span<const ByteRange> byte_ranges) {
    ranges.clear();
    for (const ByteRange& byte_range : byte_ranges) {
      uint32_t end = byte_range.end;
      // Points are in bytes within a line, as tree-sitter counts them.
      const Position start_position = source.utf8Position(byte_range.start);
      // A range reaching the end of the text stays open-ended, exactly as a parse of the whole
      // text.
      TSPoint end_point{UINT32_MAX, UINT32_MAX};
      if (end < source.size()) {
        const Position end_position = source.utf8Position(end);
        end_point = TSPoint{end_position.row, end_position.column};
      } else {
        end = UINT32_MAX;
      }
      ranges.push_back(TSRange{TSPoint{start_position.row, start_position.column}, end_point,
                               byte_range.start, end});
    }
    return ts_parser_set_included_ranges(parser_, ranges.data(),
                                         static_cast<uint32_t>(ranges.size()));
  };
  // Ranges out of order would leave the last call's in place: then the ranges as asked.
  if (!include(withoutCommentBlockInteriors(source, requested_ranges))) include(requested_ranges);
  if (ranges.empty()) return nullptr;
  // The budget is for the bytes asked for, left out or not.
  uint64_t length = 0;
  for (const ByteRange& range : requested_ranges)
    length += std::min(range.end, source.size()) - std::min(range.start, source.size());
  const uint32_t start = ranges.front().start_byte;
  const uint32_t end = ranges.back().end_byte;
  // Format specs starting with `=` that the grammar would misread (syntax_fstrings.h).
  const std::vector<uint32_t> spec_equals =
      formatSpecsStartingWithEquals(source.text(), start, end);
  TreePtr marked_old_tree;
  if (old_tree != nullptr) {
    marked_old_tree = withColonEqualsMarkedEdited(source, *old_tree, start, end);
    if (marked_old_tree) old_tree = marked_old_tree.get();
  }
  ParseBudget budget{threadCpuMicros() + kParseBudgetMicros + kParseBudgetMicrosPerByte * length, 0,
                     this};
  const TSParseOptions options{&budget, onParseProgress};
  const auto parse = [&](const char* data, uint32_t size) {
    Text text{data, size};
    const TSInput input{&text, readText, TSInputEncodingUTF8, nullptr};
    return finished(ts_parser_parse_with_options(parser_, old_tree, input, options));
  };
  if (source.hasLoneCarriageReturn() || !spec_equals.empty()) {
    // Same length, so every offset in the tree is still an offset in the original text.
    std::string normalized(source.text());
    for (size_t i = 0; source.hasLoneCarriageReturn() && i < normalized.size(); ++i) {
      if (normalized[i] == '\r' && (i + 1 == normalized.size() || normalized[i + 1] != '\n')) {
        normalized[i] = '\n';
      }
    }
    for (const uint32_t offset : spec_equals)
      normalized[offset] = ' ';
    return parse(normalized.data(), static_cast<uint32_t>(normalized.size()));
  }
  return parse(source.text().data(), source.size());
}

TreePtr PythonParser::finished(TSTree* tree) {
  // A parse stopped by its budget would otherwise resume on the next call, with another text.
  if (tree == nullptr) ts_parser_reset(parser_);
  return TreePtr(tree);
}

bool findFirstSyntaxError(TSNode root, uint32_t& offset) {
  if (!ts_node_has_error(root)) return false;
  // Follow the first child with an error down to the innermost ERROR or MISSING node. An ERROR
  // node can hold whole valid statements before the first real problem (tree-sitter wraps a
  // module it could not parse in one ERROR from byte 0), so the walk goes on inside it. When no
  // visible child has an error, the error is a token the grammar hides (a missing newline between
  // two statements on one line): the node holding it is as close as the tree lets us point.
  TSTreeCursor cursor = ts_tree_cursor_new(root);
  TSNode node = root;
  while (!ts_node_is_missing(node)) {
    bool descended = false;
    const bool in_error = ts_node_is_error(node);
    if (ts_tree_cursor_goto_first_child(&cursor)) {
      do {
        const TSNode child = ts_tree_cursor_current_node(&cursor);
        // Inside an ERROR, a bare token (a stray `)`, a keyword whose statement fell apart) is
        // where parsing went wrong, even though it carries no error of its own.
        if (ts_node_has_error(child) || (in_error && !ts_node_is_named(child))) {
          descended = true;
          break;
        }
      } while (ts_tree_cursor_goto_next_sibling(&cursor));
    }
    if (!descended) break;
    node = ts_tree_cursor_current_node(&cursor);
  }
  ts_tree_cursor_delete(&cursor);
  offset = ts_node_start_byte(node);
  return true;
}

namespace {
RuleSet rulesRunningOn(const AnalysisOptions& options, const CodeText* whole_text);
FileAnalysis analyzeTreesWith(const SourceText& source, std::span<const TSTree* const> trees,
                              const AnalysisOptions& options, const RuleSet& running);
}  // namespace

FileAnalysis analyzeFile(const SourceText& source, const AnalysisOptions& options) {
  const CodeText text(source.text());
  return analyzeFile(source, options, rulesRunningOn(options, &text));
}

FileAnalysis analyzeFile(const SourceText& source, const AnalysisOptions& options,
                         const RuleSet& running) {
  if (running.none() && !mentionsNoqa(source.text())) {
    // Nothing would read the tree: the parse, most of a file's cost, is skipped.
    FileAnalysis unread;
    unread.path = std::string(options.path);
    unread.module = options.module;
    settleDiagnostics(source, options, {}, unread);
    return unread;
  }
  PythonParser& parser = PythonParser::forThisThread();
  const TreePtr tree = parser.parse(source);
  if (!tree) {
    FileAnalysis abandoned;
    abandoned.path = std::string(options.path);
    abandoned.module = options.module;
    abandoned.reported = options.reported;
    abandoned.parse_abandoned = true;
    return abandoned;
  }
  parser.waitForForeground();
  const TSTree* const trees[] = {tree.get()};
  return analyzeTreesWith(source, trees, options, running);
}

namespace {

// Whether the enabled rule runs on the file: its test-code policy; given the whole file's
// text, its needs_text and may_find.
bool runsOn(const RuleDefinition& rule, bool test_file, const CodeText* whole_text) {
  if (rule.create == nullptr || (test_file && rule.test_code == TestCode::Skip)) return false;
  if (whole_text == nullptr) return true;
  return (rule.needs_text.empty() || whole_text->rawHasWord(rule.needs_text)) &&
         (rule.may_find == nullptr || rule.may_find(*whole_text) || whole_text->unsure());
}

// The enabled rules that run on the file, each rule's tests of the text asked once.
RuleSet rulesRunningOn(const AnalysisOptions& options, const CodeText* whole_text) {
  const bool test_file = isTestFile(options.path, options.settings->test_file_patterns);
  RuleSet running;
  for (size_t i = 0; i < options.rules.size(); ++i) {
    if (options.enabled.test(i) && runsOn(*options.rules[i], test_file, whole_text)) {
      running.set(i);
    }
  }
  return running;
}

std::vector<ActiveRule> createRules(const AnalysisOptions& options, const RuleSet& running) {
  std::vector<ActiveRule> rules;
  rules.reserve(running.count());
  for (size_t i = 0; i < options.rules.size(); ++i) {
    if (running.test(i)) rules.push_back(ActiveRule{options.rules[i], options.rules[i]->create()});
  }
  return rules;
}

}  // namespace

std::vector<ActiveRule> createActiveRules(const AnalysisOptions& options,
                                          std::optional<std::string_view> whole_text) {
  std::optional<CodeText> text;
  if (whole_text) text.emplace(*whole_text);
  return createRules(options, rulesRunningOn(options, text ? &*text : nullptr));
}

bool ownFindingsReadCalls(const FileAnalysis& analysis, const AnalysisOptions& options) {
  for (size_t i = 0; i < options.rules.size(); ++i) {
    const RuleDefinition& rule = *options.rules[i];
    if (!options.enabled.test(i) || !rule.uses_call_facts) continue;
    if (rule.reads_own_calls == nullptr) return true;
    const FileFacts* facts = i < analysis.facts.size() ? analysis.facts[i].get() : nullptr;
    if (rule.reads_own_calls(facts)) return true;
  }
  return false;
}

bool fileNeedsAnalysis(std::string_view text, const AnalysisOptions& options) {
  const CodeText code(text);
  return mentionsNoqa(text) || rulesRunningOn(options, &code).any();
}

FileDemand fileDemand(std::string_view text, const AnalysisOptions& options, const RuleSet& known) {
  const CodeText code(text);
  FileDemand demand;
  demand.running = rulesRunningOn(options, &code);
  for (size_t i = 0; i < options.rules.size(); ++i) {
    if (!demand.running.test(i)) continue;
    if (options.rules[i]->join == nullptr) {
      demand.own = true;
    } else {
      demand.project_running.set(i);
    }
  }
  demand.own = demand.own || mentionsNoqa(text);
  for (size_t i = 0; i < options.rules.size(); ++i) {
    if (!demand.project_running.test(i)) continue;
    const RuleDefinition& rule = *options.rules[i];
    if ((demand.own && known.test(i)) || rule.may_report_in == nullptr || code.unsure() ||
        rule.may_report_in(code, *options.settings)) {
      demand.project_reporting.set(i);
    }
  }
  return demand;
}

FileAnalysis analyze(const SourceText& source, const AnalysisOptions& options) {
  FileAnalysis analysis = analyzeFile(source, options);
  const size_t before = analysis.diagnostics.size();
  FileAnalysis* files[] = {&analysis};
  joinProject(files, options);
  if (analysis.diagnostics.size() != before) verifyFixes(source, analysis.diagnostics);
  return analysis;
}

bool fixFitsFile(const Fix& fix, std::string_view encoding, bool writable) {
  return writable && std::all_of(fix.edits.begin(), fix.edits.end(), [&](const Edit& edit) {
           return canEncode(edit.replacement, encoding);
         });
}

void verifyFixes(const SourceText& source, std::vector<Diagnostic>& diagnostics) {
  const bool any_fix = std::any_of(diagnostics.begin(), diagnostics.end(),
                                   [](const Diagnostic& d) { return d.fix.has_value(); });
  if (!any_fix) return;
  PythonParser& parser = PythonParser::forThisThread();
  const TreePtr tree = parser.parse(source);
  const bool broken = !tree || ts_node_has_error(ts_tree_root_node(tree.get()));
  if (!broken) {
    dropFixesThatBreakSyntax(parser, *tree, source, diagnostics);
    return;
  }
  for (Diagnostic& diagnostic : diagnostics)
    diagnostic.fix.reset();
}

void settleDiagnostics(const SourceText& source, const AnalysisOptions& options,
                       std::vector<Diagnostic> diagnostics, FileAnalysis& result) {
  const auto ruleIndex = [&](const RuleDefinition* rule) {
    const auto it = std::find(options.rules.begin(), options.rules.end(), rule);
    return static_cast<size_t>(it - options.rules.begin());
  };
  result.reported = options.reported;
  result.enabled = options.enabled;
  result.fixable = options.fixable;
  result.encoding = std::string(options.encoding);
  result.writable = options.writable;
  for (Diagnostic& diagnostic : diagnostics) {
    if (!options.reported.test(ruleIndex(diagnostic.rule))) continue;
    if (result.noqa.suppress(source.rowOf(diagnostic.start), ruleIndex(diagnostic.rule), false)) {
      ++result.suppressed_count;
      continue;
    }
    // Ruff's choice too: no fixes in a file that does not parse, and none that break parsing.
    if (result.has_syntax_error || !options.fixable.test(ruleIndex(diagnostic.rule)) ||
        (diagnostic.fix && !fixFitsFile(*diagnostic.fix, options.encoding, options.writable))) {
      diagnostic.fix.reset();
    }
    result.diagnostics.push_back(std::move(diagnostic));
  }
  std::stable_sort(result.diagnostics.begin(), result.diagnostics.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     if (a.start != b.start) return a.start < b.start;
                     return a.rule->code < b.rule->code;
                   });
}

FileAnalysis analyzeTree(const SourceText& source, const TSTree& tree,
                         const AnalysisOptions& options) {
  const TSTree* const trees[] = {&tree};
  return analyzeTrees(source, trees, options);
}

FileAnalysis analyzeTrees(const SourceText& source, std::span<const TSTree* const> trees,
                          const AnalysisOptions& options) {
  const CodeText text(source.text());
  return analyzeTreesWith(source, trees, options, rulesRunningOn(options, &text));
}

namespace {

// analyzeTrees() with the rules that run on the file already chosen.
FileAnalysis analyzeTreesWith(const SourceText& source, std::span<const TSTree* const> trees,
                              const AnalysisOptions& options, const RuleSet& running) {
  FileAnalysis result;
  result.path = std::string(options.path);
  result.module = options.module;
  std::vector<TSNode> roots;
  roots.reserve(trees.size());
  for (const TSTree* tree : trees) {
    roots.push_back(ts_tree_root_node(tree));
    if (!result.has_syntax_error) {
      result.has_syntax_error = findFirstSyntaxError(roots.back(), result.syntax_error_offset);
    }
  }

  std::vector<ActiveRule> rules = createRules(options, running);

  SemanticModel semantic(source.text());
  NoqaDirectives& noqa = result.noqa;
  Walker walker(source, options, semantic, rules, noqa);
  std::vector<Diagnostic> diagnostics = walker.run(roots);
  for (ActiveRule& rule : rules) {
    if (rule.definition->join == nullptr) continue;
    std::unique_ptr<FileFacts> facts = rule.checker->takeFacts();
    if (!facts) continue;
    if (result.facts.empty()) result.facts.resize(options.rules.size());
    const auto it = std::find(options.rules.begin(), options.rules.end(), rule.definition);
    result.facts[static_cast<size_t>(it - options.rules.begin())] = std::move(facts);
  }
  result.call_facts = walker.takeCallFacts();

  settleDiagnostics(source, options, std::move(diagnostics), result);
  if (options.verify_fixes && !result.has_syntax_error) {
    if (trees.size() == 1) {
      dropFixesThatBreakSyntax(PythonParser::forThisThread(), *trees.front(), source,
                               result.diagnostics);
    } else {
      verifyFixes(source, result.diagnostics);
    }
  }
  return result;
}

}  // namespace

}  // namespace heaplint
