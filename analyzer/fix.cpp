#include "analyzer/fix.h"

#include <algorithm>
#include <iterator>
#include <string_view>
#include <vector>

#include "analyzer/syntax.h"

namespace heaplint {
namespace {

// Whether an edit (sorted, non-overlapping, `edits` of the text before) leaves a call in `text`
// (the text after) that gives one keyword argument twice: it parses, but does not compile.
bool repeatsAKeyword(TSNode root, std::string_view text, std::span<const Edit> edits) {
  int64_t moved = 0;
  for (const Edit& edit : edits) {
    const auto start = static_cast<uint32_t>(edit.start + moved);
    const auto end = static_cast<uint32_t>(start + edit.replacement.size());
    moved +=
        static_cast<int64_t>(edit.replacement.size()) - static_cast<int64_t>(edit.end - edit.start);
    TSNode node = ts_node_descendant_for_byte_range(root, start, end);
    // The argument list the edit is in (or next to): a few levels up at most.
    for (int depth = 0; depth < 4 && !ts_node_is_null(node); ++depth, node = parentOf(node)) {
      if (kindOf(node) != NodeKind::ArgumentList) continue;
      std::vector<std::string_view> names;
      for (uint32_t i = 0, count = namedChildCount(node); i < count; ++i) {
        const TSNode argument = nthNamedChild(node, i);
        if (kindOf(argument) != NodeKind::KeywordArgument) continue;
        const std::string_view name = nodeText(text, childByField(argument, Field::Name));
        if (std::find(names.begin(), names.end(), name) != names.end()) return true;
        names.push_back(name);
      }
      break;
    }
  }
  return false;
}

}  // namespace

TSInputEdit inputEditFor(const SourceText& source, uint32_t start, uint32_t end,
                         std::string_view replacement) {
  const auto pointAt = [&](uint32_t offset) {
    const Position position = source.utf8Position(offset);
    return TSPoint{position.row, position.column};
  };
  TSInputEdit edit;
  edit.start_byte = start;
  edit.old_end_byte = end;
  edit.new_end_byte = start + static_cast<uint32_t>(replacement.size());
  edit.start_point = pointAt(start);
  edit.old_end_point = pointAt(end);
  edit.new_end_point = edit.start_point;
  for (const char c : replacement) {
    if (c == '\n') {
      ++edit.new_end_point.row;
      edit.new_end_point.column = 0;
    } else {
      ++edit.new_end_point.column;
    }
  }
  return edit;
}

std::string applyEdits(std::string_view text, std::span<const Edit> edits) {
  std::string result;
  result.reserve(text.size());
  uint32_t cursor = 0;
  for (const Edit& edit : edits) {
    result.append(text.substr(cursor, edit.start - cursor));
    result.append(edit.replacement);
    cursor = edit.end;
  }
  result.append(text.substr(cursor));
  return result;
}

namespace {

// Adds `edits` (one fix's) to `combined` (sorted, not overlapping) when each either repeats an
// edit already there, which is applied once (two fixes that add the same `import itertools`:
// Ruff's rule too), or fits between its neighbours without touching them (an edit may end where
// the next starts, but two different edits never start at one offset: their order would be
// unclear). False, and `combined` unchanged, otherwise.
bool mergeEdits(std::vector<Edit>& combined, const std::vector<Edit>& edits) {
  const auto position = [&](uint32_t start) {
    return std::lower_bound(combined.begin(), combined.end(), start,
                            [](const Edit& e, uint32_t at) { return e.start < at; });
  };
  const auto repeated = [&](const Edit& edit) {
    for (auto at = position(edit.start); at != combined.end() && at->start == edit.start; ++at) {
      if (at->end == edit.end && at->replacement == edit.replacement) return true;
    }
    return false;
  };
  const auto fits = [&](const Edit& edit) {
    const auto next = position(edit.start);
    if (next != combined.end() && (next->start == edit.start || next->start < edit.end)) {
      return false;
    }
    return next == combined.begin() || std::prev(next)->end <= edit.start;
  };
  // The fix's own edits are sorted and apart; each is checked against `combined` alone.
  for (const Edit& edit : edits) {
    if (!repeated(edit) && !fits(edit)) return false;
  }
  for (const Edit& edit : edits) {
    if (!repeated(edit)) combined.insert(position(edit.start), edit);
  }
  return true;
}

}  // namespace

bool fixKeepsSyntaxValid(PythonParser& parser, const TSTree& tree, const SourceText& source,
                         const Fix& fix) {
  // ts_tree_edit goes through every child of each node on the way to the edit: thousands of edits
  // in a module of thousands of statements would cost their product. Past a few dozen edits the
  // re-parse touches most of the text anyway, so the fixed text is parsed afresh.
  constexpr size_t kMaxIncrementalEdits = 32;
  if (fix.edits.size() > kMaxIncrementalEdits) {
    const SourceText fixed(applyEdits(source.text(), fix.edits));
    const TreePtr parsed = parser.parse(fixed);
    return parsed != nullptr && !ts_node_has_error(ts_tree_root_node(parsed.get())) &&
           !repeatsAKeyword(ts_tree_root_node(parsed.get()), fixed.text(), fix.edits);
  }
  TreePtr edited(ts_tree_copy(&tree));
  // Edits are applied back to front so that earlier offsets stay valid.
  for (auto it = fix.edits.rbegin(); it != fix.edits.rend(); ++it) {
    const TSInputEdit input = inputEditFor(source, it->start, it->end, it->replacement);
    ts_tree_edit(edited.get(), &input);
  }
  const SourceText fixed(applyEdits(source.text(), fix.edits));
  const TreePtr reparsed = parser.parse(fixed, edited.get());
  return reparsed != nullptr && !ts_node_has_error(ts_tree_root_node(reparsed.get())) &&
         !repeatsAKeyword(ts_tree_root_node(reparsed.get()), fixed.text(), fix.edits);
}

void dropFixesThatBreakSyntax(PythonParser& parser, const TSTree& tree, const SourceText& source,
                              std::span<Diagnostic> diagnostics) {
  std::vector<Diagnostic*> fixable;
  for (Diagnostic& diagnostic : diagnostics) {
    if (diagnostic.fix && !diagnostic.fix->edits.empty()) fixable.push_back(&diagnostic);
  }
  std::stable_sort(fixable.begin(), fixable.end(), [](const Diagnostic* a, const Diagnostic* b) {
    return a->fix->edits.front().start < b->fix->edits.front().start;
  });
  std::vector<Diagnostic*> batch;
  std::vector<Diagnostic*> alone;
  Fix combined;
  for (Diagnostic* diagnostic : fixable) {
    if (!mergeEdits(combined.edits, diagnostic->fix->edits)) {
      alone.push_back(diagnostic);
      continue;
    }
    batch.push_back(diagnostic);
  }
  // A batch that breaks the syntax is split in halves until the fixes that break it are found:
  // checking each of thousands of fixes alone would cost a re-parse of the file each.
  std::vector<std::pair<size_t, size_t>> pending;  // [first, last) of `batch`
  if (!batch.empty()) pending.emplace_back(0, batch.size());
  while (!pending.empty()) {
    const auto [first, last] = pending.back();
    pending.pop_back();
    Fix part;
    for (size_t i = first; i < last; ++i) {
      // Without an earlier fix of the batch, an edit it shared may now come out of order: that
      // fix is checked alone.
      if (!mergeEdits(part.edits, batch[i]->fix->edits)) alone.push_back(batch[i]);
    }
    if (fixKeepsSyntaxValid(parser, tree, source, part)) continue;
    if (last - first == 1) {
      batch[first]->fix.reset();
      continue;
    }
    const size_t middle = first + (last - first) / 2;
    pending.emplace_back(middle, last);
    pending.emplace_back(first, middle);
  }
  for (Diagnostic* diagnostic : alone) {
    if (diagnostic->fix && !fixKeepsSyntaxValid(parser, tree, source, *diagnostic->fix)) {
      diagnostic->fix.reset();
    }
  }
}

FixOutcome applyFixes(std::string_view text, std::span<const Diagnostic> diagnostics,
                      bool include_unsafe) {
  std::vector<const Diagnostic*> fixes;
  for (const Diagnostic& diagnostic : diagnostics) {
    if (!diagnostic.fix || diagnostic.fix->edits.empty()) continue;
    if (diagnostic.fix->applicability == Applicability::Unsafe && !include_unsafe) continue;
    fixes.push_back(&diagnostic);
  }
  std::stable_sort(fixes.begin(), fixes.end(), [](const Diagnostic* a, const Diagnostic* b) {
    return a->fix->edits.front().start < b->fix->edits.front().start;
  });
  std::vector<Edit> edits;
  FixOutcome outcome;
  for (const Diagnostic* diagnostic : fixes) {
    // Fixes that touch the same text as one taken already (other than by the same edit) wait
    // for the next round.
    if (!mergeEdits(edits, diagnostic->fix->edits)) continue;
    ++outcome.applied;
    outcome.rules.push_back(diagnostic->rule);
    outcome.fixed.push_back(diagnostic);
  }
  // `edits` is sorted: mergeEdits keeps it so.
  outcome.text = applyEdits(text, edits);
  outcome.edits = std::move(edits);
  return outcome;
}

void moveOffsets(std::span<const Edit> edits, std::vector<uint32_t>& offsets) {
  for (uint32_t& offset : offsets) {
    int64_t moved = offset;
    for (const Edit& edit : edits) {
      const auto grown = static_cast<int64_t>(edit.replacement.size()) -
                         static_cast<int64_t>(edit.end - edit.start);
      if (edit.end <= offset) {
        moved += grown;  // before the offset (an insertion right at it too)
      } else if (edit.start < offset) {
        moved += static_cast<int64_t>(edit.start) + grown - static_cast<int64_t>(offset) +
                 static_cast<int64_t>(edit.end - edit.start);  // inside: after the replacement
        break;
      } else {
        break;
      }
    }
    offset = static_cast<uint32_t>(moved);
  }
}

namespace {

std::string replacementsOf(const Fix& fix) {
  std::string text;
  for (const Edit& edit : fix.edits) {
    text += edit.replacement;
    text += '\0';
  }
  return text;
}

}  // namespace

void FixHistory::record(const FixOutcome& outcome) {
  for (const Diagnostic* diagnostic : outcome.fixed) {
    applied_.push_back(
        Applied{diagnostic->rule, diagnostic->start, replacementsOf(*diagnostic->fix)});
  }
  std::vector<uint32_t> starts;
  starts.reserve(applied_.size());
  for (const Applied& fix : applied_)
    starts.push_back(fix.start);
  moveOffsets(outcome.edits, starts);
  for (size_t i = 0; i < applied_.size(); ++i)
    applied_[i].start = starts[i];
}

void FixHistory::dropRepeated(std::span<Diagnostic> diagnostics) const {
  if (applied_.empty()) return;
  for (Diagnostic& diagnostic : diagnostics) {
    if (!diagnostic.fix) continue;
    const bool repeated = std::any_of(applied_.begin(), applied_.end(), [&](const Applied& a) {
      return a.rule == diagnostic.rule && a.start == diagnostic.start &&
             a.replacements == replacementsOf(*diagnostic.fix);
    });
    if (repeated) diagnostic.fix.reset();
  }
}

namespace {

constexpr int kMaxFixRounds = 100;

bool hasApplicableFix(const std::vector<Diagnostic>& diagnostics, bool include_unsafe) {
  return std::any_of(diagnostics.begin(), diagnostics.end(), [&](const Diagnostic& d) {
    return d.fix && (d.fix->applicability == Applicability::Safe || include_unsafe);
  });
}

bool parsesCleanly(const SourceText& source) {
  const TreePtr tree = PythonParser::forThisThread().parse(source);
  return tree && !ts_node_has_error(ts_tree_root_node(tree.get()));
}

}  // namespace

FixLoopResult fixUntilStable(std::unique_ptr<SourceText> source, const AnalysisOptions& options,
                             bool include_unsafe, std::vector<uint32_t>* carried) {
  FixLoopResult result;
  result.analysis = analyze(*source, options);
  FixHistory history;
  for (int round = 0;
       round < kMaxFixRounds && hasApplicableFix(result.analysis.diagnostics, include_unsafe);
       ++round) {
    FixOutcome outcome = applyFixes(source->text(), result.analysis.diagnostics, include_unsafe);
    auto fixed = std::make_unique<SourceText>(std::move(outcome.text));
    std::vector<Diagnostic> first;  // outlives `outcome.fixed`, which may point into it
    // Each fix was checked alone; if together they break the syntax, apply them one at a time.
    if (!parsesCleanly(*fixed)) {
      for (const Diagnostic& d : result.analysis.diagnostics) {
        if (d.fix && (d.fix->applicability == Applicability::Safe || include_unsafe)) {
          first.push_back(d);
          break;
        }
      }
      outcome = applyFixes(source->text(), first, include_unsafe);
      fixed = std::make_unique<SourceText>(std::move(outcome.text));
      if (!parsesCleanly(*fixed)) break;
    }
    result.fixed += outcome.applied;
    result.fixed_rules.insert(result.fixed_rules.end(), outcome.rules.begin(), outcome.rules.end());
    if (carried != nullptr) moveOffsets(outcome.edits, *carried);
    history.record(outcome);
    source = std::move(fixed);
    result.analysis = analyze(*source, options);
    history.dropRepeated(result.analysis.diagnostics);
  }
  result.source = std::move(source);
  return result;
}

}  // namespace heaplint
