// The analyzer on arbitrary bytes with every rule on, read as the command line reads a file (PEP
// 263: a coding cookie decodes it): no crash, no hang, a decoded text that encodes back to the
// bytes whenever fixes may be written, every finding inside the text with positions the
// language server can convert, the project rules' facts packed as `heaplint check` keeps them
// for the join (packFacts) joining to the findings the facts' objects gave, and MEM204 alone
// (fewer calls described) reporting what it reports beside every rule, and every rule's may_find
// (a project rule's may_report_in) saying yes to the text of a file that parses wherever the rule
// reports with nothing ruled out.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "analyzer/code_text.h"
#include "analyzer/project.h"
#include "analyzer/source_text_encoding.h"
#include "tests/fuzz/fuzz_support.h"

using namespace heaplint;

namespace {

std::vector<std::string> projectFindings(const FileAnalysis& analysis) {
  std::vector<std::string> findings;
  for (const Diagnostic& diagnostic : analysis.diagnostics) {
    if (diagnostic.rule->join == nullptr) continue;
    findings.push_back(std::to_string(diagnostic.start) + "-" + std::to_string(diagnostic.end) +
                       " " + std::string(diagnostic.rule->code) + " " + diagnostic.message);
  }
  return findings;
}

void requirePackedFactsJoinAlike(const SourceText& source, const AnalysisOptions& options,
                                 const FileAnalysis& analysis) {
  FileAnalysis packed = analyzeFile(source, options);
  PackedFactsStore store;
  packFacts(packed, options.rules, store);
  fuzz::require(packed.facts.empty() && !packed.call_facts,
                "a project rule's facts were left unpacked");
  FileAnalysis* files[] = {&packed};
  joinProject(files, options);
  fuzz::require(projectFindings(packed) == projectFindings(analysis),
                "the packed facts join to other findings than the facts' objects");
}

// MEM204 alone has the walk describe fewer calls (RuleDefinition::call_facts_for_mutable_defaults)
// than with the rules that read every cache filler's calls: it must report the same.
void requireMutableDefaultCallsAlike(const SourceText& source, const AnalysisOptions& options,
                                     const FileAnalysis& analysis) {
  static const int mem204 = findRule(options.rules, "MEM204");
  fuzz::require(mem204 >= 0, "MEM204 is not in the registry");
  AnalysisOptions alone = options;
  alone.enabled.reset();
  alone.enabled.set(static_cast<size_t>(mem204));
  const auto findingsOf = [&](const FileAnalysis& of) {
    std::vector<std::string> findings;
    for (const std::string& finding : projectFindings(of)) {
      if (finding.find(" MEM204 ") != std::string::npos) findings.push_back(finding);
    }
    return findings;
  };
  fuzz::require(findingsOf(analyze(source, alone)) == findingsOf(analysis),
                "MEM204 alone reports other findings than beside every rule");
}

// The same rules with no may_find: what each would report if no file were ruled out.
void requireMayFindSaysYesWhereRulesReport(const SourceText& source,
                                           const AnalysisOptions& options) {
  static const std::vector<RuleDefinition> unfiltered = [&] {
    std::vector<RuleDefinition> rules;
    for (const RuleDefinition* rule : options.rules) {
      rules.push_back(*rule);
      rules.back().may_find = nullptr;
    }
    return rules;
  }();
  static const std::vector<const RuleDefinition*> table = [] {
    std::vector<const RuleDefinition*> pointers;
    pointers.reserve(unfiltered.size());
    for (const RuleDefinition& rule : unfiltered)
      pointers.push_back(&rule);
    return pointers;
  }();
  AnalysisOptions all = options;
  all.rules = table;
  const CodeText text(source.text());
  const FileAnalysis unfiltered_analysis = analyze(source, all);
  if (unfiltered_analysis.has_syntax_error) return;  // RuleDefinition::may_find allows it
  for (const Diagnostic& diagnostic : unfiltered_analysis.diagnostics) {
    const auto index = static_cast<size_t>(diagnostic.rule - unfiltered.data());
    const RuleDefinition& rule = *options.rules[index];
    // Not asked where the text is unsure, as for may_report_in (RuleDefinition::may_find): a
    // lone carriage return ends a comment for Python, not for the blanker.
    fuzz::require(rule.may_find == nullptr || text.unsure() || rule.may_find(text),
                  "a rule's may_find ruled out a file the rule reports in");
    fuzz::require(rule.may_report_in == nullptr || text.unsure() ||
                      rule.may_report_in(text, *options.settings),
                  "a project rule's may_report_in ruled out a file its join reports in");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > fuzz::kMaxInput) return 0;
  static const AnalysisOptions every_rule = fuzz::everyRule();
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const DecodedSource decoded = decodePythonSource(bytes);
  if (decoded.writable) {
    // A fixed file is written back through this encoding: it must give the bytes read.
    fuzz::require(encodePythonSource(decoded.text, decoded.encoding) == bytes,
                  "a writable decoded text does not encode back to the file's bytes");
  }
  AnalysisOptions options = every_rule;
  options.encoding = decoded.encoding;
  options.writable = decoded.writable;
  const SourceText source(decoded.text);
  const FileAnalysis analysis = analyze(source, options);
  requirePackedFactsJoinAlike(source, options, analysis);
  requireMutableDefaultCallsAlike(source, options, analysis);
  requireMayFindSaysYesWhereRulesReport(source, options);
  for (const Diagnostic& diagnostic : analysis.diagnostics) {
    fuzz::require(diagnostic.start <= diagnostic.end && diagnostic.end <= source.size(),
                  "a finding's range is outside the text");
    const Position start = source.utf16Position(diagnostic.start);
    fuzz::require(source.offsetFromUtf16(start) <= diagnostic.start,
                  "a UTF-16 position does not lead back into the text");
    if (diagnostic.fix) {
      fuzz::require(fixFitsFile(*diagnostic.fix, decoded.encoding, decoded.writable),
                    "a fix the file's encoding cannot hold was offered");
      uint32_t previous_end = 0;
      for (const Edit& edit : diagnostic.fix->edits) {
        fuzz::require(
            edit.start <= edit.end && edit.end <= source.size() && edit.start >= previous_end,
            "a fix's edits are out of order or outside the text");
        previous_end = edit.end;
      }
    }
  }
  return 0;
}
