// heaplint-incremental-edits: the language server's work per keystroke, without the server.
//
// Replays what tests/benchmarks/lsp_latency.py sends (a character typed into an identifier on a
// random line, then deleted by the next edit) on a file kept as the server keeps a document
// (ChunkedTree + IncrementalAnalysis + the join of the file's project facts), and prints the CPU
// time of each step per edit: re-parse (apart for texts the edit left broken), incremental
// analysis, join; the runs and bytes walked; tree-sitter's account of the edited run's re-parse
// (tokens lexed, nodes reused, error recoveries); and what a parse of the edited method alone
// would cost (its class's header and its lines as included ranges). Small enough to run under
// callgrind (`valgrind --tool=callgrind build/heaplint-incremental-edits --edits 50 FILE`): it is
// for seeing where an edit's time goes before changing the design (docs/editors.md, "Latency").
//
//   heaplint-incremental-edits [--edits N] [--seed S] [--all-rules] [--list-slow MS] FILE...
//
// `--list-slow MS` lists every edit that left the text valid and took over MS ms to re-parse,
// with its line and how far its run goes on below it.
#include <time.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/chunked_tree.h"
#include "analyzer/fix.h"
#include "analyzer/incremental_analysis.h"
#include "analyzer/source_text.h"
#include "analyzer/syntax.h"
#include "rules/registry.h"

namespace {

using heaplint::AnalysisOptions;
using heaplint::ChunkedTree;
using heaplint::FileAnalysis;
using heaplint::IncrementalAnalysis;
using heaplint::PythonParser;
using heaplint::SourceText;
using heaplint::TreePtr;

double threadCpuMs() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

double percentile(std::vector<double> values, double fraction) {
  std::sort(values.begin(), values.end());
  const auto index =
      static_cast<size_t>(std::lround(fraction * static_cast<double>(values.size() - 1)));
  return values[std::min(index, values.size() - 1)];
}

// What tree-sitter does in an incremental re-parse, from its debug log: tokens lexed again (and
// their bytes), old nodes reused, tokens skipped in error recovery.
struct ParseLog {
  uint64_t lexed = 0, lexed_bytes = 0, reused = 0, skipped = 0, recoveries = 0;
  static void log(void* payload, TSLogType type, const char* message) {
    if (type != TSLogTypeParse) return;
    auto& self = *static_cast<ParseLog*>(payload);
    const std::string_view text(message);
    if (text.starts_with("lexed_lookahead")) {
      ++self.lexed;
      const size_t size = text.find("size:");
      if (size != std::string_view::npos)
        self.lexed_bytes += std::strtoull(message + size + 5, nullptr, 10);
    } else if (text.starts_with("reuse_node")) {
      ++self.reused;
    } else if (text.starts_with("skip_token")) {
      ++self.skipped;
    } else if (text.starts_with("recover")) {
      ++self.recoveries;
    }
  }
};

struct Steps {
  std::vector<double> reparse, analysis, join, total;
  std::vector<double> walked, walked_bytes;
  // The re-parse split by whether the edit left the text broken (error recovery) or not.
  std::vector<double> reparse_broken, reparse_valid;
  // The experiment: the edited method parsed alone, with the included ranges of its class header
  // and its own lines, and whether that parse has an error exactly when the run's has.
  std::vector<double> method_parse;
  // The edited run's re-parse replayed with tree-sitter's log on, broken and valid texts apart.
  ParseLog log_broken, log_valid;
  int broken_count = 0, valid_count = 0;
  int method_error_agrees = 0;
  int method_edits = 0;
  // ChunkedTree::editLeavesMethodBroken before each re-parse: its time, and how often it said
  // broken of a text the re-parse found broken (right) or valid (wrong).
  std::vector<double> judge;
  int judged_broken_right = 0, judged_broken_wrong = 0;
};

// Where lsp_latency.py types on a line (its typed_at): before the first letter, else before the
// first character; on a blank line at the indentation of the next line with text, with the
// spaces that auto-indent would put there.
struct TypedAt {
  uint32_t column = 0;
  std::string text;
};

TypedAt typedAt(const SourceText& source, uint32_t row) {
  // A line's text without its line break, and where its first non-blank character is.
  const auto textOf = [&](uint32_t at) {
    const std::string_view line = source.slice(source.lineStart(at), source.lineEnd(at));
    return line.substr(0, line.find_first_of("\r\n"));
  };
  const auto indentation = [](std::string_view text) {
    return static_cast<uint32_t>(std::min(text.find_first_not_of(" \t"), text.size()));
  };
  const std::string_view text = textOf(row);
  if (indentation(text) < text.size()) {
    const auto letter = std::find_if(text.begin(), text.end(), [](char c) {
      return std::isalpha(static_cast<unsigned char>(c)) != 0;
    });
    return {letter == text.end() ? indentation(text) : static_cast<uint32_t>(letter - text.begin()),
            "q"};
  }
  uint32_t indent = 0;
  for (uint32_t below = row + 1; below < source.lineCount(); ++below) {
    const std::string_view next = textOf(below);
    if (indentation(next) < next.size()) {
      indent = indentation(next);
      break;
    }
  }
  const auto length = static_cast<uint32_t>(text.size());
  return {length, std::string(indent > length ? indent - length : 0, ' ') + "q"};
}

// A method of a top-level class in the original text: the class header's bytes (`class X(...):`
// to the end of its line) and the method's (decorators included, from the start of its line).
struct MethodRange {
  uint32_t header_start, header_end, start, end;
};

std::vector<MethodRange> methodsOfTopLevelClasses(const SourceText& source, const TSTree* tree) {
  std::vector<MethodRange> methods;
  const TSNode root = ts_tree_root_node(tree);
  for (uint32_t i = 0; i < ts_node_named_child_count(root); ++i) {
    TSNode statement = ts_node_named_child(root, i);
    if (std::string_view(ts_node_type(statement)) == "decorated_definition") {
      statement = ts_node_child_by_field_name(statement, "definition", 10);
    }
    if (std::string_view(ts_node_type(statement)) != "class_definition") continue;
    const TSNode body = ts_node_child_by_field_name(statement, "body", 4);
    if (ts_node_is_null(body)) continue;
    const uint32_t header_start = ts_node_start_byte(statement);
    const uint32_t header_end = source.lineEnd(source.rowOf(ts_node_start_byte(body)) - 1) + 1;
    for (uint32_t j = 0; j < ts_node_named_child_count(body); ++j) {
      const TSNode member = ts_node_named_child(body, j);
      const std::string_view type = ts_node_type(member);
      if (type != "function_definition" && type != "decorated_definition") continue;
      const uint32_t start = source.lineStart(source.rowOf(ts_node_start_byte(member)));
      if (start < header_end) continue;  // a one-line class
      methods.push_back(MethodRange{header_start, header_end, start, ts_node_end_byte(member)});
    }
  }
  return methods;
}

TSRange rangeOf(const SourceText& source, uint32_t start, uint32_t end) {
  const heaplint::Position from = source.utf8Position(start);
  const heaplint::Position to = source.utf8Position(end);
  return TSRange{TSPoint{from.row, from.column}, TSPoint{to.row, to.column}, start, end};
}

double list_slow_ms = 0;  // --list-slow

void replay(const std::string& path, const std::string& text, int edits, unsigned seed,
            const AnalysisOptions& options) {
  PythonParser& parser = PythonParser::forThisThread();
  auto source = std::make_unique<SourceText>(text);
  ChunkedTree syntax;
  IncrementalAnalysis incremental;
  const double open_start = threadCpuMs();
  syntax.parse(*source, parser);
  const double open_parse_ms = threadCpuMs() - open_start;
  {
    FileAnalysis analysis = incremental.analyzeForOwnFindings(*source, syntax, options);
    FileAnalysis* files[] = {&analysis};
    heaplint::joinProject(files, options);
  }
  const double open_ms = threadCpuMs() - open_start;
  // The open as the server makes it, the runs parsed and walked on the helper threads too: wall
  // time, the median of 5 fresh opens.
  std::vector<double> helped_parse;
  std::vector<double> helped_open;
  {
    heaplint::HelperThreads helpers(heaplint::HelperThreads::helpersForThisMachine());
    for (int round = 0; round < 5; ++round) {
      ChunkedTree fresh_syntax;
      IncrementalAnalysis fresh_incremental;
      const auto started = std::chrono::steady_clock::now();
      fresh_syntax.parse(*source, parser, &helpers);
      const auto parsed = std::chrono::steady_clock::now();
      FileAnalysis analysis =
          fresh_incremental.analyzeForOwnFindings(*source, fresh_syntax, options, &helpers);
      FileAnalysis* files[] = {&analysis};
      heaplint::joinProject(files, options);
      const auto done = std::chrono::steady_clock::now();
      helped_parse.push_back(std::chrono::duration<double, std::milli>(parsed - started).count());
      helped_open.push_back(std::chrono::duration<double, std::milli>(done - started).count());
    }
    std::sort(helped_parse.begin(), helped_parse.end());
    std::sort(helped_open.begin(), helped_open.end());
  }

  std::vector<MethodRange> methods;
  {
    const TreePtr whole = parser.parse(*source);
    methods = methodsOfTopLevelClasses(*source, whole.get());
  }
  TSParser* method_parser = ts_parser_new();
  ts_parser_set_language(method_parser, tree_sitter_python());
  std::mt19937 random(seed);
  Steps steps;
  bool undo = false;
  uint32_t at = 0;
  size_t typed_length = 0;
  for (int i = 0; i < edits; ++i) {
    uint32_t start = at;
    uint32_t end = 0;
    std::string replacement;
    if (undo) {
      end = at + static_cast<uint32_t>(typed_length);
    } else {
      const uint32_t row = static_cast<uint32_t>(random() % (source->lineCount() - 1));
      const TypedAt typed = typedAt(*source, row);
      at = source->lineStart(row) + typed.column;
      start = end = at;
      replacement = typed.text;
      typed_length = replacement.size();
    }
    undo = !undo;
    // The run holding the edit, before it: its old tree, for the logged replay below.
    TreePtr logged_old;
    uint32_t logged_start = 0, logged_end = 0;
    for (const ChunkedTree::RunView& run : syntax.runs()) {
      if (run.start <= start && start < run.end) {
        logged_old.reset(ts_tree_copy(run.tree));
        logged_start = run.start;
        logged_end = run.end;
      }
    }
    const std::unique_ptr<SourceText> before =
        std::make_unique<SourceText>(std::string(source->text()));
    const double t0 = threadCpuMs();
    syntax.edit(*source, start, end, replacement);
    std::string updated(source->text());
    updated.replace(start, end - start, replacement);
    source = std::make_unique<SourceText>(std::move(updated));
    // What the server asks before re-parsing (ChunkedTree::editLeavesMethodBroken), timed apart.
    const double j0 = threadCpuMs();
    const bool judged_broken = syntax.editLeavesMethodBroken(
        *source, parser, start, start + static_cast<uint32_t>(replacement.size()));
    const double j1 = threadCpuMs();
    syntax.reparse(*source, parser);
    const double t1 = threadCpuMs() - (j1 - j0);
    FileAnalysis analysis = incremental.analyzeForOwnFindings(*source, syntax, options);
    const double t2 = threadCpuMs();
    FileAnalysis* files[] = {&analysis};
    heaplint::joinProject(files, options);
    const double t3 = threadCpuMs();
    bool broken = false;
    for (const ChunkedTree::RunView& run : syntax.runs())
      broken = broken || ts_node_has_error(ts_tree_root_node(run.tree));
    (broken ? steps.reparse_broken : steps.reparse_valid).push_back(t1 - t0);
    if (!broken && list_slow_ms > 0 && t1 - t0 > list_slow_ms) {
      const uint32_t row = source->rowOf(start);
      uint32_t run_end_row = row;
      for (const ChunkedTree::RunView& run : syntax.runs()) {
        if (run.start <= start && start < run.end) run_end_row = source->rowOf(run.end);
      }
      std::cout << "  slow valid re-parse: " << t1 - t0 << " ms, line " << row + 1
                << (undo ? " (typed)" : " (undone)") << ", " << run_end_row - row
                << " lines before its run's end: "
                << source->slice(source->lineStart(row), source->lineEnd(row)) << "\n";
    }
    steps.judge.push_back(j1 - j0);
    if (judged_broken) ++(broken ? steps.judged_broken_right : steps.judged_broken_wrong);
    if (logged_old) {
      const TSInputEdit input = heaplint::inputEditFor(*before, start, end, replacement);
      ts_tree_edit(logged_old.get(), &input);
      const uint32_t new_end =
          logged_end + static_cast<uint32_t>(replacement.size()) - (end - start);
      const TSRange range =
          rangeOf(*source, logged_start, std::min<uint32_t>(new_end, source->size()));
      ParseLog& log = broken ? steps.log_broken : steps.log_valid;
      ++(broken ? steps.broken_count : steps.valid_count);
      ts_parser_set_logger(method_parser, TSLogger{&log, &ParseLog::log});
      ts_parser_set_included_ranges(method_parser, &range, 1);
      TSTree* reparsed =
          ts_parser_parse_string(method_parser, logged_old.get(), source->text().data(),
                                 static_cast<uint32_t>(source->size()));
      ts_parser_set_logger(method_parser, TSLogger{nullptr, nullptr});
      ts_tree_delete(reparsed);
    }
    // Edits are a character typed at `at` and then deleted: the method holding `at` in the
    // original text, one byte longer while the character is there.
    const auto method = std::find_if(methods.begin(), methods.end(), [&](const MethodRange& m) {
      return m.start <= at && at < m.end;
    });
    if (method != methods.end()) {
      const uint32_t grown = undo ? 1 : 0;  // `undo` already flipped: the character is there
      const TSRange ranges[] = {rangeOf(*source, method->header_start, method->header_end),
                                rangeOf(*source, method->start, method->end + grown)};
      const double m0 = threadCpuMs();
      ts_parser_set_included_ranges(method_parser, ranges, 2);
      TSTree* alone = ts_parser_parse_string(method_parser, nullptr, source->text().data(),
                                             static_cast<uint32_t>(source->size()));
      steps.method_parse.push_back(threadCpuMs() - m0);
      ++steps.method_edits;
      if (ts_node_has_error(ts_tree_root_node(alone)) == broken) ++steps.method_error_agrees;
      ts_tree_delete(alone);
    }
    steps.reparse.push_back(t1 - t0);
    steps.analysis.push_back(t2 - t1);
    steps.join.push_back(t3 - t2);
    steps.total.push_back(t3 - t0);
    steps.walked.push_back(static_cast<double>(incremental.walkedRuns()));
    steps.walked_bytes.push_back(static_cast<double>(incremental.walkedBytes()));
  }
  const auto row = [&](const char* name, const std::vector<double>& values) {
    double sum = 0;
    for (const double value : values)
      sum += value;
    std::cout << "  " << name << ": mean " << sum / static_cast<double>(values.size())
              << " ms, p50 " << percentile(values, 0.5) << ", p95 " << percentile(values, 0.95)
              << ", max " << percentile(values, 1.0) << "\n";
  };
  std::cout << path << ": " << source->size() << " bytes, " << syntax.chunkCount() << " runs, open "
            << open_ms << " ms CPU (parse " << open_parse_ms << "), " << edits
            << " edits (CPU per edit)\n";
  std::cout << "  open on " << heaplint::HelperThreads::helpersForThisMachine() + 1
            << " threads, wall, median of 5: " << helped_open[2] << " ms (parse " << helped_parse[2]
            << ")\n";
  row("reparse ", steps.reparse);
  if (!steps.reparse_broken.empty()) row("  of which broken", steps.reparse_broken);
  if (!steps.reparse_valid.empty()) row("  of which valid ", steps.reparse_valid);
  if (!steps.method_parse.empty()) {
    row("method alone (class header + method, fresh parse)", steps.method_parse);
    std::cout << "  method alone has an error exactly when the run has: "
              << steps.method_error_agrees << " of " << steps.method_edits << " edits in methods\n";
  }
  row("editLeavesMethodBroken", steps.judge);
  std::cout << "  said broken: " << steps.judged_broken_right << " of the "
            << steps.reparse_broken.size() << " edits the re-parse found broken, and "
            << steps.judged_broken_wrong << " that it found valid\n";
  for (const auto& [name, log, count] :
       {std::tuple{"broken", &steps.log_broken, steps.broken_count},
        std::tuple{"valid", &steps.log_valid, steps.valid_count}}) {
    if (count == 0) continue;
    const double n = count;
    std::cout << "  re-parse of the edited run, " << name << " texts (" << count
              << " edits), per edit: " << static_cast<double>(log->lexed) / n << " tokens lexed ("
              << static_cast<double>(log->lexed_bytes) / n << " bytes), "
              << static_cast<double>(log->reused) / n << " nodes reused, "
              << static_cast<double>(log->skipped) / n << " tokens skipped, "
              << static_cast<double>(log->recoveries) / n << " recoveries\n";
  }
  ts_parser_delete(method_parser);
  row("analysis", steps.analysis);
  row("join    ", steps.join);
  row("total   ", steps.total);
  double walked = 0;
  for (const double value : steps.walked)
    walked += value;
  double walked_bytes = 0;
  for (const double value : steps.walked_bytes)
    walked_bytes += value;
  std::cout << "  runs walked per edit: " << walked / static_cast<double>(edits) << ", bytes "
            << walked_bytes / static_cast<double>(edits) << " of " << source->size()
            << " in the file\n";
}

}  // namespace

int main(int argc, char** argv) {
  int edits = 200;
  unsigned seed = 4;
  bool all_rules = false;
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    const std::string argument = argv[i];
    if (argument == "--edits" && i + 1 < argc) {
      edits = std::atoi(argv[++i]);
    } else if (argument == "--seed" && i + 1 < argc) {
      seed = static_cast<unsigned>(std::atoi(argv[++i]));
    } else if (argument == "--all-rules") {
      all_rules = true;
    } else if (argument == "--list-slow" && i + 1 < argc) {
      list_slow_ms = std::atof(argv[++i]);
    } else {
      paths.push_back(argument);
    }
  }
  if (paths.empty() || edits <= 0) {
    std::cerr << "usage: heaplint-incremental-edits [--edits N] [--seed S] [--all-rules] "
                 "[--list-slow MS] FILE...\n";
    return 2;
  }
  AnalysisOptions options;
  options.rules = heaplint::allRules();
  for (size_t i = 0; i < options.rules.size(); ++i) {
    // As the server runs them by default: every rule but the preview ones.
    if (all_rules || !options.rules[i]->preview) options.enabled.set(i);
  }
  options.verify_fixes = false;  // as the server: fixes are checked when a code action asks
  for (const std::string& path : paths) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream contents;
    contents << in.rdbuf();
    options.path = path;
    replay(path, contents.str(), edits, seed, options);
  }
  return 0;
}
