#include "analyzer/analyze.h"

#include <algorithm>

#include "analyzer/fix.h"
#include "analyzer/noqa.h"
#include "analyzer/semantic_model.h"
#include "analyzer/walker.h"

namespace heaplint {

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
  const uint32_t start = source.hasByteOrderMark() ? 3 : 0;
  const Position start_position = source.utf8Position(start);
  const TSRange range{TSPoint{start_position.row, start_position.column},
                      TSPoint{UINT32_MAX, UINT32_MAX}, start, UINT32_MAX};
  ts_parser_set_included_ranges(parser_, &range, 1);
  if (source.hasLoneCarriageReturn()) {
    // Same length, so every offset in the tree is still an offset in the original text.
    std::string normalized(source.text());
    for (size_t i = 0; i < normalized.size(); ++i) {
      if (normalized[i] == '\r' && (i + 1 == normalized.size() || normalized[i + 1] != '\n')) {
        normalized[i] = '\n';
      }
    }
    return TreePtr(ts_parser_parse_string(parser_, old_tree, normalized.data(),
                                          static_cast<uint32_t>(normalized.size())));
  }
  return TreePtr(ts_parser_parse_string(parser_, old_tree, source.text().data(), source.size()));
}

bool findFirstSyntaxError(TSNode root, uint32_t& offset) {
  if (!ts_node_has_error(root)) return false;
  TSTreeCursor cursor = ts_tree_cursor_new(root);
  bool found = false;
  bool done = false;
  while (!done) {
    const TSNode node = ts_tree_cursor_current_node(&cursor);
    if (ts_node_is_error(node) || ts_node_is_missing(node)) {
      offset = ts_node_start_byte(node);
      found = true;
      break;
    }
    // Descend only into subtrees that contain an error.
    if (ts_node_has_error(node) && ts_tree_cursor_goto_first_child(&cursor)) continue;
    while (!ts_tree_cursor_goto_next_sibling(&cursor)) {
      if (!ts_tree_cursor_goto_parent(&cursor)) {
        done = true;
        break;
      }
    }
  }
  ts_tree_cursor_delete(&cursor);
  return found;
}

FileAnalysis analyzeFile(const SourceText& source, const AnalysisOptions& options) {
  PythonParser& parser = PythonParser::forThisThread();
  const TreePtr tree = parser.parse(source);
  if (!tree) return FileAnalysis{};
  return analyzeTree(source, *tree, options);
}

FileAnalysis analyze(const SourceText& source, const AnalysisOptions& options) {
  FileAnalysis analysis = analyzeFile(source, options);
  const size_t before = analysis.diagnostics.size();
  FileAnalysis* files[] = {&analysis};
  joinProject(files, options);
  if (analysis.diagnostics.size() != before) verifyFixes(source, analysis.diagnostics);
  return analysis;
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

FileAnalysis analyzeTree(const SourceText& source, const TSTree& tree,
                         const AnalysisOptions& options) {
  FileAnalysis result;
  result.path = std::string(options.path);
  result.module = options.module;
  const TSNode root = ts_tree_root_node(&tree);
  result.has_syntax_error = findFirstSyntaxError(root, result.syntax_error_offset);

  std::vector<ActiveRule> rules;
  rules.reserve(options.enabled.count());
  for (size_t i = 0; i < options.rules.size(); ++i) {
    if (options.enabled.test(i)) {
      rules.push_back(ActiveRule{options.rules[i], options.rules[i]->create()});
    }
  }

  SemanticModel semantic(source.text());
  NoqaDirectives& noqa = result.noqa;
  Walker walker(source, options, semantic, rules, noqa);
  std::vector<Diagnostic> diagnostics = walker.run(root);
  for (ActiveRule& rule : rules) {
    if (rule.definition->join == nullptr) continue;
    std::unique_ptr<FileFacts> facts = rule.checker->takeFacts();
    if (!facts) continue;
    if (result.facts.empty()) result.facts.resize(options.rules.size());
    const auto it = std::find(options.rules.begin(), options.rules.end(), rule.definition);
    result.facts[static_cast<size_t>(it - options.rules.begin())] = std::move(facts);
  }

  const auto ruleIndex = [&](const RuleDefinition* rule) {
    const auto it = std::find(options.rules.begin(), options.rules.end(), rule);
    return static_cast<size_t>(it - options.rules.begin());
  };
  result.reported = options.reported;
  for (Diagnostic& diagnostic : diagnostics) {
    if (!options.reported.test(ruleIndex(diagnostic.rule))) continue;
    if (noqa.suppresses(source.rowOf(diagnostic.start), ruleIndex(diagnostic.rule))) {
      ++result.suppressed_count;
      continue;
    }
    // Ruff's choice too: no fixes in a file that does not parse, and none that break parsing.
    if (result.has_syntax_error) diagnostic.fix.reset();
    result.diagnostics.push_back(std::move(diagnostic));
  }
  if (options.verify_fixes && !result.has_syntax_error) {
    dropFixesThatBreakSyntax(PythonParser::forThisThread(), tree, source, result.diagnostics);
  }
  std::stable_sort(result.diagnostics.begin(), result.diagnostics.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     if (a.start != b.start) return a.start < b.start;
                     return a.rule->code < b.rule->code;
                   });
  return result;
}

}  // namespace heaplint
