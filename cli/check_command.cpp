#include "cli/check_command.h"

#include <unistd.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <iostream>
#include <map>
#include <sstream>
#include <unordered_set>
#include <utility>

#include "analyzer/analyze.h"
#include "analyzer/code_text.h"
#include "analyzer/fix.h"
#include "cli/check_config.h"
#include "cli/file_discovery.h"
#include "cli/file_io.h"
#include "cli/formats/formats.h"
#include "cli/gating.h"
#include "cli/notebook.h"
#include "cli/progress.h"
#include "cli/result_cache.h"
#include "cli/unified_diff.h"
#include "rules/registry.h"

namespace heaplint::cli {
namespace {

struct Job {
  const CheckOptions& options;
  const AnalysisOptions& analysis;                 // the project step's
  std::span<const AnalysisOptions> file_analysis;  // each file's, from its configuration
  ResultCache* cache = nullptr;                    // plain checking only, not --fix/--diff
};

Location locationOf(const SourceText& source, uint32_t offset) {
  const Position position = source.codePointPosition(offset);
  return Location{position.row + 1, position.column + 1};
}

// In a notebook, rows count within the cell; `cell` gets the cell's number.
Location locationOf(const SourceText& source, uint32_t offset, const Notebook* notebook,
                    uint32_t* cell = nullptr) {
  Location location = locationOf(source, offset);
  if (notebook == nullptr) return location;
  const Notebook::CellRow cell_row = notebook->cellRow(location.row - 1);
  if (cell != nullptr) *cell = cell_row.cell;
  location.row = cell_row.row + 1;
  return location;
}

std::string where(const SourceText& source, std::string_view path, uint32_t offset) {
  const Location location = locationOf(source, offset);
  return std::string(path) + ":" + std::to_string(location.row) + ":" +
         std::to_string(location.column);
}

void addReports(FileReport& report, const SourceText& source,
                const std::vector<Diagnostic>& diagnostics, const Notebook* notebook = nullptr) {
  for (const Diagnostic& diagnostic : diagnostics) {
    ReportedDiagnostic out;
    out.rule = diagnostic.rule;
    out.location = locationOf(source, diagnostic.start, notebook, &out.cell);
    out.end_location = locationOf(source, diagnostic.end, notebook);
    out.message = diagnostic.message;
    out.fix_title = diagnostic.fix_title;
    out.noqa_row = out.location.row;
    out.source_line = std::string(source.line(source.rowOf(diagnostic.start)));
    if (diagnostic.fix) {
      ReportedFix fix;
      fix.applicability = diagnostic.fix->applicability;
      for (const Edit& edit : diagnostic.fix->edits) {
        fix.edits.push_back(ReportedEdit{edit.replacement, locationOf(source, edit.start, notebook),
                                         locationOf(source, edit.end, notebook)});
      }
      out.fix = std::move(fix);
    }
    report.diagnostics.push_back(std::move(out));
  }
}

// What reading the file found: a coding cookie heaplint cannot follow, undecodable bytes.
void addDecodingWarning(FileReport& report, const SourceText& source,
                        const DecodedSource& decoded) {
  if (!decoded.warning.empty()) {
    report.warnings.push_back(where(source, report.path, decoded.warning_offset) + ": " +
                              decoded.warning);
  }
}

void addWarnings(FileReport& report, const SourceText& source, const FileAnalysis& analysis) {
  if (analysis.parse_abandoned) {
    report.warnings.push_back(report.path +
                              ": not checked: the parser gave up on it (is it Python source?)");
    return;
  }
  if (!source.isValidUtf8()) {
    report.warnings.push_back(where(source, report.path, source.firstInvalidUtf8Offset()) +
                              ": not valid UTF-8; checked as far as it parses");
  }
  if (analysis.has_syntax_error) {
    report.warnings.push_back(where(source, report.path, analysis.syntax_error_offset) +
                              ": syntax error; only the parts that parse were checked");
  }
  for (const NoqaDirectives::Problem& problem : analysis.noqa.problems) {
    report.warnings.push_back(where(source, report.path, problem.offset) + ": " +
                              std::string(problem.message));
  }
}

void sortReport(FileReport& report) {
  std::stable_sort(report.diagnostics.begin(), report.diagnostics.end(),
                   [](const ReportedDiagnostic& a, const ReportedDiagnostic& b) {
                     if (a.location.row != b.location.row) return a.location.row < b.location.row;
                     if (a.location.column != b.location.column) {
                       return a.location.column < b.location.column;
                     }
                     return a.rule->code < b.rule->code;
                   });
}

// `base` is the file's own (its configuration, its module); `decoded` must outlive the options:
// they point to its encoding.
AnalysisOptions optionsForFile(const AnalysisOptions& base, const std::string& path,
                               const DecodedSource& decoded) {
  AnalysisOptions options = base;
  options.path = path;
  options.encoding = decoded.encoding;
  options.writable = decoded.writable;
  return options;
}

// A notebook's code cells as the Python text in `contents`; false (with a warning: the file is
// skipped) when a .ipynb file is not a notebook.
bool readNotebook(const SourceFile& file, std::string& contents, std::optional<Notebook>& notebook,
                  FileReport& report) {
  if (!isNotebookPath(file.path)) return true;
  std::string error;
  notebook = Notebook::parse(contents, error);
  if (!notebook) {
    report.warnings.push_back(file.display + ": " + error + "; skipped");
    return false;
  }
  contents = notebook->python();
  return true;
}

// A notebook's findings, after its fixes with --fix or --diff: its cells are checked and fixed
// together, on their own (cross-file rules see only the notebook). Returns the notebook's JSON
// with the fixed cells written back without reformatting anything else, or nullopt when nothing
// was fixed (or the fixes could not be mapped back: a warning says so).
std::optional<std::string> checkNotebook(const Job& job, const AnalysisOptions& file_options,
                                         const std::string& json_text, FileReport& report) {
  std::string error;
  const std::optional<Notebook> notebook = Notebook::parse(json_text, error);
  if (!notebook) {
    report.warnings.push_back(report.path + ": " + error + "; skipped");
    return std::nullopt;
  }
  std::vector<uint32_t> offsets = notebook->trackedOffsets();
  const DecodedSource utf8;  // notebooks are JSON: always UTF-8
  const AnalysisOptions options = optionsForFile(file_options, report.path, utf8);
  FixLoopResult result;
  if (job.options.fix || job.options.diff) {
    result = fixUntilStable(std::make_unique<SourceText>(notebook->python()), options,
                            job.options.unsafe_fixes, &offsets);
  } else {
    result.source = std::make_unique<SourceText>(notebook->python());
    result.analysis = analyze(*result.source, options);
  }
  addWarnings(report, *result.source, result.analysis);
  addReports(report, *result.source, result.analysis.diagnostics, &*notebook);
  if (result.fixed == 0) return std::nullopt;
  std::optional<std::string> updated = notebook->writeBack(result.source->text(), offsets);
  if (!updated) {
    report.warnings.push_back(report.path +
                              ": the fixes could not be mapped back into the cells; not written");
    return std::nullopt;
  }
  report.fixed = result.fixed;
  report.fixed_rules = result.fixed_rules;
  return updated;
}

// --fix and --diff on a notebook file: a notebook with nothing to fix is not touched at all.
void fixNotebook(const Job& job, const SourceFile& file, const AnalysisOptions& file_options,
                 FileReport& report) {
  std::string original;
  std::string error;
  if (!readFile(file.path, original, error)) {
    report.error = file.display + ": " + error;
    return;
  }
  const std::optional<std::string> updated = checkNotebook(job, file_options, original, report);
  if (!updated) return;
  if (job.options.diff) {
    report.diff = unifiedDiff(report.path, original, *updated);
  } else if (!writeFileAtomically(file.path, *updated, error)) {
    report.error = file.display + ": cannot write the fixed file: " + error;
    report.fixed = 0;
  }
}

uint64_t maxFileSize(const CheckOptions& options) {
  if (options.max_file_size.empty()) return kDefaultMaxFileSize;
  return parseFileSize(options.max_file_size).value_or(kDefaultMaxFileSize);
}

// A file over the size limit is skipped, with a warning rather than an error: it is usually
// generated, and checking it would take minutes and gigabytes.
bool overSizeLimit(const CheckOptions& options, const std::string& display, uint64_t size,
                   FileReport& report) {
  const uint64_t limit = maxFileSize(options);
  if (limit == 0 || size <= limit) return false;
  report.warnings.push_back(display + ": skipped: " + formatSize(size) + " is over the " +
                            formatSize(limit) + " file size limit (--max-file-size)");
  return true;
}

// Reads a file to check; false when it cannot be read (report.error) or is skipped.
bool readCheckedFile(const CheckOptions& options, const SourceFile& file, FileReport& report,
                     std::string& contents) {
  std::error_code size_error;
  const uintmax_t size = std::filesystem::file_size(file.path, size_error);
  if (!size_error && overSizeLimit(options, file.display, size, report)) return false;
  std::string error;
  if (!readFile(file.path, contents, error)) {
    report.error = file.display + ": " + error;
    return false;
  }
  // It may have grown since.
  return !overSizeLimit(options, file.display, contents.size(), report);
}

// Standard input is one file on its own; its bytes after any fixes (in the encoding its coding
// cookie names) are returned in `fixed_text`.
FileReport lintStdin(const Job& job, const std::string& path, std::string contents,
                     std::string& fixed_text) {
  FileReport report;
  report.path = path;
  if (overSizeLimit(job.options, path, contents.size(), report)) {
    fixed_text = std::move(contents);  // passed through as it is
    return report;
  }
  fixed_text = contents;
  if (isNotebookPath(path)) {
    // Notebook JSON in, the fixed notebook JSON out (the input's bytes when nothing is fixed).
    if (std::optional<std::string> updated =
            checkNotebook(job, job.file_analysis[0], contents, report)) {
      if (job.options.diff) report.diff = unifiedDiff(path, contents, *updated);
      fixed_text = std::move(*updated);
    }
    return report;
  }
  DecodedSource decoded = decodePythonSource(std::move(contents));
  const AnalysisOptions options = optionsForFile(job.file_analysis[0], path, decoded);
  const bool fixing = job.options.fix || job.options.diff;
  const std::string original = fixing ? decoded.text : std::string();
  FixLoopResult result;
  if (fixing) {
    result = fixUntilStable(std::make_unique<SourceText>(std::move(decoded.text)), options,
                            job.options.unsafe_fixes);
  } else {
    result.source = std::make_unique<SourceText>(std::move(decoded.text));
    result.analysis = analyze(*result.source, options);
  }
  report.fixed = result.fixed;
  report.fixed_rules = result.fixed_rules;
  addDecodingWarning(report, *result.source, decoded);
  addWarnings(report, *result.source, result.analysis);
  addReports(report, *result.source, result.analysis.diagnostics);
  if (job.options.diff) report.diff = unifiedDiff(path, original, result.source->text());
  if (result.fixed > 0) {
    if (std::optional<std::string> encoded =
            encodePythonSource(result.source->text(), decoded.encoding)) {
      fixed_text = std::move(*encoded);
    } else {
      report.error = path + ": the fixed text has characters that `" + decoded.codec +
                     "` cannot encode; left unchanged";
      report.fixed = 0;
    }
  }
  return report;
}

// A large file's tree takes megabytes from the malloc arena of the thread that parsed it, and
// glibc keeps them there once freed (one arena per thread; the small blocks that other files'
// analyses keep stop it from shrinking). When every thread has parsed a large file, the arenas
// together hold several such trees: the peak grew with how many large files the threads shared
// out. Handing the free pages back after a large file keeps one tree's worth. The threshold is
// a cost: each trim makes the next parses fault their pages in again (every file from 64 KB on
// cost 16% more CPU time on CPython's standard library; from 200 KB, two files there, 3%,
// within the noise of five runs).
constexpr size_t kLargeFileBytes = size_t{200} * 1024;

void returnFreedMemory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

// Whether every byte of `text` is part of a valid UTF-8 sequence.
bool isValidUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    const uint32_t length = utf8SequenceLength(text, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

// Whether one of `words` occurs in `text` as a whole name (isNameByte: matched whole, as Python
// reads it, whatever its letters).
bool holdsAnyWord(std::string_view text, const std::unordered_set<std::string_view>& words) {
  for (size_t i = 0; i < text.size();) {
    if (!isNameByte(text[i])) {
      ++i;
      continue;
    }
    const size_t start = i;
    while (i < text.size() && isNameByte(text[i]))
      ++i;
    if (words.contains(text.substr(start, i - start))) return true;
  }
  return false;
}

// Project rules whose facts a run parses for only where a join needs them: every enabled project
// rule says where it may report (RuleDefinition::may_report_in). Empty otherwise: then every
// file a project rule runs on is parsed, as before.
RuleSet projectRulesOnDemand(const AnalysisOptions& analysis) {
  RuleSet on_demand;
  for (size_t i = 0; i < analysis.rules.size(); ++i) {
    const RuleDefinition& rule = *analysis.rules[i];
    if (!analysis.enabled.test(i) || rule.join == nullptr) continue;
    if (rule.may_report_in == nullptr) return {};
    on_demand.set(i);
  }
  return on_demand;
}

// The text the rules would read: decoded when the file has a coding cookie (then `warns` says
// whether decoding has something to say).
std::string_view textToLookAt(std::string_view contents, const std::optional<Notebook>& notebook,
                              std::string& decoded_copy, bool& warns) {
  warns = false;
  if (notebook || !findCodingCookie(contents)) return contents;
  DecodedSource decoded = decodePythonSource(std::string(contents));
  warns = !decoded.warning.empty();
  decoded_copy = std::move(decoded.text);
  return decoded_copy;
}

// Checking without fixes streams: each file's text is dropped once its findings are converted,
// and only files that the project step adds findings to are read again.
//
// A file only project rules run on is parsed only when a join needs its facts: first every file
// whose own findings need the parse or where a project rule may report is analysed; then, while
// that adds facts, the files holding a word that the joins of those rules want
// (RuleDefinition::wanted_words), or all their files for a rule without such words. A file no
// join needs is read, never parsed (it gets no syntax-error warning: nothing in it was checked).
class StreamingLint {
 public:
  StreamingLint(const Job& job, const std::vector<SourceFile>& files)
      : job_(job),
        files_(files),
        reports_(files.size()),
        analyses_(files.size()),
        on_demand_(projectRulesOnDemand(job.analysis)),
        waiting_(files.size()),
        reporting_(files.size()) {
    // Named before the workers start, so that these strings sit together rather than among the
    // memory each file's analysis frees.
    for (size_t i = 0; i < files.size(); ++i)
      reports_[i].path = files[i].display;
    for (size_t rule = 0; rule < job.analysis.rules.size(); ++rule) {
      if (on_demand_.test(rule) && job.analysis.rules[rule]->wanted_words == nullptr) {
        without_words_.set(rule);
      }
    }
  }

  std::vector<FileReport> run() {
    ProgressLine progress(std::cerr, files_.size(), !job_.options.quiet && progressWanted());
    parallelFor(files_.size(), job_.options.threads, [&](size_t i) {
      progress.advance();
      guarded(i, [&] { lookAt(i); });
    });
    pointers_.reserve(analyses_.size());
    for (FileAnalysis& analysis : analyses_)
      pointers_.push_back(&analysis);
    analyseWhatJoinsWant();
    // One rule's join at a time: side by side, two rules' unpacked facts of every file are held
    // at once, and the peak RSS of 4 copies of CPython's files rose from 95 to 122 MiB
    // (memory_scaling.py) for about 0.1 s of a 10 s run.
    joinProject(pointers_, job_.analysis, 1);
    parallelFor(files_.size(), job_.options.threads, [&](size_t i) { reportJoined(i); });
    return std::move(reports_);
  }

 private:
  using Demand = ResultCache::Demand;

  // Runs `step` for file `i`; what it throws becomes the file's error, not the run's end.
  template <typename Step>
  void guarded(size_t i, Step step) {
    try {
      step();
    } catch (const std::exception& exception) {
      reports_[i].error = files_[i].display + ": internal error: " + exception.what();
    }
  }

  // Reads the file (false when it cannot be read, with the reason in its report).
  bool readSource(size_t i, std::string& contents, std::optional<Notebook>& notebook) {
    return readCheckedFile(job_.options, files_[i], reports_[i], contents) &&
           readNotebook(files_[i], contents, notebook, reports_[i]);
  }

  // An unchanged file's own findings and project facts come from the cache (not notebooks'),
  // with what its text said about the project rules; `cached.waiting`: it was only read.
  bool restore(size_t i, std::string_view contents, const std::optional<Notebook>& notebook,
               Demand& cached) {
    return job_.cache != nullptr && !notebook &&
           job_.cache->restore(i, files_[i].path, job_.file_analysis[i].module,
                               job_.file_analysis[i], contents, reports_[i], analyses_[i], cached);
  }

  // A file analysed in an earlier run, its findings and facts restored from the cache.
  void keepRestored(size_t i, std::string contents) {
    if (!declaredEncoding(contents).empty()) {
      // What the join needs to drop project fixes the file could not take (PEP 263).
      const DecodedSource decoded = decodePythonSource(std::move(contents));
      analyses_[i].encoding = decoded.encoding;
      analyses_[i].writable = decoded.writable;
    }
    packFacts(analyses_[i], job_.analysis.rules, packed_facts_);
  }

  // The file's own findings and its facts for the join, recorded in the cache with what its text
  // said (`demand`). `running`: the rules that run on it, when its text was already looked at.
  void analyzeContents(size_t i, std::string contents, const std::optional<Notebook>& notebook,
                       const std::optional<RuleSet>& running, const Demand& demand) {
    FileReport& report = reports_[i];
    try {
      // Notebooks are JSON, always UTF-8; a .py file may name its encoding (PEP 263).
      DecodedSource decoded;
      if (notebook) {
        decoded.text = std::move(contents);
      } else {
        decoded = decodePythonSource(std::move(contents));
      }
      const SourceText source(std::move(decoded.text));
      const AnalysisOptions options =
          optionsForFile(job_.file_analysis[i], files_[i].display, decoded);
      FileAnalysis& analysis = analyses_[i];
      analysis = running ? analyzeFile(source, options, *running) : analyzeFile(source, options);
      addDecodingWarning(report, source, decoded);
      addWarnings(report, source, analysis);
      addReports(report, source, analysis.diagnostics, notebook ? &*notebook : nullptr);
      if (job_.cache != nullptr && !notebook) job_.cache->record(i, report, analysis, demand);
      analysis.diagnostics.clear();
      analysis.diagnostics.shrink_to_fit();
      packFacts(analysis, job_.analysis.rules, packed_facts_);
      if (source.text().size() >= kLargeFileBytes) returnFreedMemory();
    } catch (const std::exception& exception) {
      report.error = files_[i].display + ": internal error: " + exception.what();
    }
  }

  // The first look at a file: analysed (or restored) now when its own findings need it or a join
  // may report in it; otherwise it waits, remembering which project rules run on it. The project
  // rules that may report somewhere are gathered as files are looked at: a rule without wanted
  // words among them needs every file it runs on, so such a file is then analysed at once rather
  // than read again later. Without a cache, a file analysed anyway does not ask those rules again
  // (with one, what each file says is kept for the next run, so it is asked in full).
  void lookAt(size_t i) {
    std::string contents;
    std::optional<Notebook> notebook;
    if (!readSource(i, contents, notebook)) return;
    Demand cached;
    const bool restored = restore(i, contents, notebook, cached);
    if (on_demand_.none()) {
      if (restored && !cached.waiting) {
        keepRestored(i, std::move(contents));
      } else {
        analyzeContents(i, std::move(contents), notebook, std::nullopt, Demand{});
      }
      return;
    }
    const RuleSet seen(reporting_seen_.load());
    Demand demand;
    std::optional<RuleSet> running;
    if (restored && cached.looked) {
      demand = cached;
      demand.waiting = false;
    } else {
      std::string decoded_copy;
      bool warns = false;
      const std::string_view text = textToLookAt(contents, notebook, decoded_copy, warns);
      AnalysisOptions options = job_.file_analysis[i];
      options.path = files_[i].display;
      const FileDemand looked = fileDemand(text, options, job_.cache != nullptr ? RuleSet() : seen);
      demand.project_running = looked.project_running;
      demand.project_reporting = looked.project_reporting;
      demand.looked = true;
      running = looked.running;
      // A file whose reading has something to warn about is analysed, for its warnings; so is
      // one the cache holds from a run that did not look (nothing says it may wait).
      demand.own = looked.own || warns || !isValidUtf8(text) || (restored && !cached.waiting);
    }
    if ((demand.project_reporting & ~seen).any()) {
      reporting_seen_ |= demand.project_reporting.to_ullong();
    }
    const RuleSet needed_here = (seen & without_words_) | ~on_demand_;
    if (!demand.own && demand.project_reporting.none() &&
        (demand.project_running & needed_here).none()) {
      if (restored && !cached.waiting) {
        // Analysed in an earlier run, when a join needed it: it waits as in a run without cache.
        reports_[i] = FileReport();
        reports_[i].path = files_[i].display;
        analyses_[i] = FileAnalysis{};
      }
      waiting_[i] = demand.project_running;
      analyses_[i].path = files_[i].display;
      analyses_[i].module = job_.file_analysis[i].module;
      if (job_.cache != nullptr && !notebook && !restored) job_.cache->recordWaiting(i, demand);
      return;
    }
    reporting_[i] = demand.project_reporting;
    if (restored && !cached.waiting) {
      keepRestored(i, std::move(contents));
    } else {
      analyzeContents(i, std::move(contents), notebook, running, demand);
    }
  }

  // The files the joins want, round by round while a round adds facts: for each project rule
  // some file may report for, the waiting files holding one of its wanted words, or all the files
  // it runs on when it has none to give.
  void analyseWhatJoinsWant() {
    RuleSet joined;
    for (const RuleSet& rules : reporting_)
      joined |= rules;
    joined &= on_demand_;
    for (bool more = joined.any(); more;) {
      RuleSet everywhere;  // rules every file of which may matter
      std::vector<std::pair<size_t, std::unordered_set<std::string_view>>> wanted;
      std::vector<std::vector<std::string>> words_of;  // what `wanted` points into
      words_of.reserve(joined.count());
      for (size_t rule = 0; rule < job_.analysis.rules.size(); ++rule) {
        if (!joined.test(rule)) continue;
        std::vector<std::string> words;
        if (!wantedWords(pointers_, job_.analysis, rule, words)) {
          everywhere.set(rule);
          continue;
        }
        if (words.empty()) continue;  // no file can hold one
        words_of.push_back(std::move(words));
        wanted.emplace_back(rule, std::unordered_set<std::string_view>(words_of.back().begin(),
                                                                       words_of.back().end()));
      }
      if (everywhere.none() && wanted.empty()) break;
      std::atomic<size_t> analysed{0};
      parallelFor(files_.size(), job_.options.threads, [&](size_t i) {
        guarded(i, [&] {
          if (analyseIfWanted(i, joined, everywhere, wanted)) ++analysed;
        });
      });
      more = analysed > 0 && everywhere != joined;
    }
  }

  // Whether waiting file `i` was analysed now: some rule of `joined` that runs on it needs every
  // file, or wants a word it holds.
  bool analyseIfWanted(
      size_t i, const RuleSet& joined, const RuleSet& everywhere,
      const std::vector<std::pair<size_t, std::unordered_set<std::string_view>>>& wanted) {
    const RuleSet rules = waiting_[i] & joined;
    if (rules.none()) return false;
    std::string contents;
    std::optional<Notebook> notebook;
    if (!readSource(i, contents, notebook)) {
      waiting_[i].reset();
      return false;
    }
    bool needed = (rules & everywhere).any();
    if (!needed) {
      std::string decoded_copy;
      bool warns = false;
      const std::string_view text = textToLookAt(contents, notebook, decoded_copy, warns);
      // A module holds its own name without writing it (`pkg.events` in pkg/events.py).
      const std::string_view module = job_.file_analysis[i].module.name;
      const std::string_view module_name = module.substr(module.rfind('.') + 1);
      for (const auto& [rule, words] : wanted) {
        needed = needed ||
                 (rules.test(rule) && (words.contains(module_name) || holdsAnyWord(text, words)));
      }
    }
    if (!needed) return false;
    // Only project rules run on a file that waited (FileDemand::own was false).
    const RuleSet running = std::exchange(waiting_[i], RuleSet());
    Demand cached;
    if (restore(i, contents, notebook, cached) && !cached.waiting) {
      keepRestored(i, std::move(contents));
    } else {
      Demand demand;  // it waited: nothing but project rules runs on it, none may report there
      demand.project_running = running;
      demand.looked = true;
      analyzeContents(i, std::move(contents), notebook, running, demand);
    }
    return true;
  }

  // The join's findings of file `i` (its text read again), and what the join kept of it freed
  // here, on both threads, not at the end on one.
  void reportJoined(size_t i) {
    FileAnalysis analysis = std::exchange(analyses_[i], FileAnalysis{});
    if (analysis.diagnostics.empty()) return;
    std::string contents;
    std::string error;
    if (!readFile(files_[i].path, contents, error)) {
      reports_[i].error = files_[i].display + ": " + error;
      return;
    }
    std::optional<Notebook> notebook;
    if (!readNotebook(files_[i], contents, notebook, reports_[i])) return;
    const SourceText source(notebook ? std::move(contents)
                                     : decodePythonSource(std::move(contents)).text);
    verifyFixes(source, analysis.diagnostics);
    addReports(reports_[i], source, analysis.diagnostics, notebook ? &*notebook : nullptr);
    sortReport(reports_[i]);
  }

  const Job& job_;
  const std::vector<SourceFile>& files_;
  std::vector<FileReport> reports_;
  std::vector<FileAnalysis> analyses_;
  std::vector<FileAnalysis*> pointers_;  // to analyses_, for the join
  PackedFactsStore packed_facts_;        // what each file keeps for the join
  const RuleSet on_demand_;
  RuleSet without_words_;  // the on-demand rules without wanted words
  // Per file, while it waits: the project rules that run on it (none once it is analysed).
  std::vector<RuleSet> waiting_;
  std::vector<RuleSet> reporting_;           // per file: the project rules that may report in it
  std::atomic<uint64_t> reporting_seen_{0};  // the union of reporting_ so far
};

std::vector<FileReport> lintFiles(const Job& job, const std::vector<SourceFile>& files) {
  return StreamingLint(job, files).run();
}

// --fix and --diff hold the project in memory: fixes go round until none applies, and project
// rules are joined again after each round.
std::vector<FileReport> fixFiles(const Job& job, const std::vector<SourceFile>& files) {
  std::vector<FileReport> reports(files.size());
  std::vector<ProjectSource> project;
  std::vector<size_t> report_of;  // project index -> report index
  std::vector<std::string> originals;
  std::vector<DecodedSource> decoded_files;  // for the warnings; their text is moved out
  std::vector<size_t> notebooks;
  for (size_t i = 0; i < files.size(); ++i) {
    reports[i].path = files[i].display;
    std::string contents;
    if (!readCheckedFile(job.options, files[i], reports[i], contents)) continue;
    if (isNotebookPath(files[i].path)) {
      notebooks.push_back(i);  // fixed on their own, below
      continue;
    }
    DecodedSource decoded = decodePythonSource(std::move(contents));
    originals.push_back(decoded.text);
    ProjectSource source;
    source.path = files[i].display;
    source.module = job.file_analysis[i].module;
    source.source = std::make_unique<SourceText>(std::move(decoded.text));
    source.options = &job.file_analysis[i];
    source.encoding = decoded.encoding;
    source.writable = decoded.writable;
    project.push_back(std::move(source));
    decoded_files.push_back(std::move(decoded));
    report_of.push_back(i);
  }
  fixProject(project, job.analysis, job.options.unsafe_fixes, job.options.threads);
  parallelFor(project.size(), job.options.threads, [&](size_t k) {
    const ProjectSource& file = project[k];
    const size_t i = report_of[k];
    FileReport& report = reports[i];
    report.fixed = file.fixed;
    report.fixed_rules = file.fixed_rules;
    addDecodingWarning(report, *file.source, decoded_files[k]);
    addWarnings(report, *file.source, *file.analysis);
    addReports(report, *file.source, file.analysis->diagnostics);
    const bool changed = file.source->text() != originals[k];
    if (job.options.diff) {
      report.diff = unifiedDiff(report.path, originals[k], file.source->text());
    } else if (changed) {
      std::string error;
      if (!writeSource(files[i].path, file.source->text(), file.encoding, error)) {
        report.error = files[i].display + ": cannot write the fixed file: " + error;
        report.fixed = 0;
      }
    }
  });
  parallelFor(notebooks.size(), job.options.threads, [&](size_t k) {
    const size_t i = notebooks[k];
    fixNotebook(job, files[i], job.file_analysis[i], reports[i]);
  });
  return reports;
}

std::string plural(size_t count, std::string_view singular, std::string_view plural_form) {
  return std::to_string(count) + " " + std::string(count == 1 ? singular : plural_form);
}

void writeSummary(std::ostream& out, const std::vector<FileReport>& reports,
                  const CheckOptions& options, const OutputStyle& style, bool failed) {
  size_t remaining = 0;
  size_t fixed = 0;
  size_t fixable = 0;
  size_t hidden_unsafe = 0;
  for (const FileReport& report : reports) {
    fixed += report.fixed;
    for (const ReportedDiagnostic& d : report.diagnostics) {
      ++remaining;
      if (isApplicable(d, style)) {
        ++fixable;
      } else if (d.fix) {
        ++hidden_unsafe;
      }
    }
  }
  if (remaining == 0 && fixed == 0) {
    if (!failed) out << "All checks passed!\n";
    return;
  }
  if (fixed > 0) {
    out << "Found " << plural(remaining + fixed, "finding", "findings") << " (" << fixed
        << " fixed, " << remaining << " remaining).\n";
  } else {
    out << "Found " << plural(remaining, "finding", "findings") << ".\n";
  }
  if (!options.fix && fixable > 0) {
    out << "[*] " << fixable << " fixable with the `--fix` option";
    if (hidden_unsafe > 0) {
      out << " (" << plural(hidden_unsafe, "hidden fix", "hidden fixes")
          << " can be enabled with the `--unsafe-fixes` option)";
    }
    out << ".\n";
  } else if (hidden_unsafe > 0) {
    out << "No fixes available (" << plural(hidden_unsafe, "hidden fix", "hidden fixes")
        << " can be enabled with the `--unsafe-fixes` option).\n";
  }
}

// The command line's selectors; configuration files combine them with their own.
bool validSelectors(const CheckOptions& options) {
  const RuleTable rules = allRules();
  const std::pair<const std::vector<std::string>*, std::string_view> lists[] = {
      {&options.select, "--select"},
      {&options.extend_select, "--extend-select"},
      {&options.ignore, "--ignore"}};
  for (const auto& [selectors, flag] : lists) {
    for (const std::string& selector : *selectors) {
      RuleSet selected;
      if (!selectRules(rules, selector, selected)) {
        std::cerr << "heaplint: error: unknown rule selector `" << selector << "` in " << flag
                  << " (see `heaplint rules`)\n";
        return false;
      }
    }
  }
  // --per-file-ignores PATTERN:CODES
  for (const std::vector<std::string>* entries :
       {&options.per_file_ignores, &options.extend_per_file_ignores}) {
    for (const std::string& entry : *entries) {
      const size_t colon = entry.rfind(':');
      bool valid = colon != std::string::npos && colon > 0 && colon + 1 < entry.size();
      for (size_t start = colon + 1; valid && start <= entry.size();) {
        size_t end = entry.find(',', start);
        if (end == std::string::npos) end = entry.size();
        RuleSet selected;
        valid = end > start && selectRules(rules, entry.substr(start, end - start), selected);
        start = end + 1;
      }
      if (!valid) {
        std::cerr << "heaplint: error: `" << entry
                  << "` in --per-file-ignores: expected PATTERN:CODE[,CODE...] with known rule "
                     "codes\n";
        return false;
      }
    }
  }
  return true;
}

bool environmentSet(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && value[0] != '\0' && std::string_view(value) != "0";
}

// --color, then NO_COLOR, then FORCE_COLOR / CLICOLOR_FORCE, then whether stdout is a terminal.
bool wantsColor(std::string_view mode) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  if (environmentSet("FORCE_COLOR") || environmentSet("CLICOLOR_FORCE")) return true;
  return ::isatty(STDOUT_FILENO) == 1;
}

// The settings a configuration may give the command line (`fix = true`, `output-format`, ...),
// from the configuration of the first path, where the command line left them unsaid.
bool applyConfiguredFlags(config::ConfigResolver& resolver, CheckOptions& options) {
  const std::string first = options.stdin_filename.value_or(
      options.paths.empty() || options.paths[0] == "-" ? "." : options.paths[0]);
  std::error_code error;
  const config::ResolvedSettings& settings = std::filesystem::is_directory(first, error)
                                                 ? resolver.forDirectory(first)
                                                 : resolver.forFile(first);
  options.fix = options.fix_given.value_or(settings.fix.value_or(false)) || options.fix_only;
  options.unsafe_fixes = options.unsafe_fixes_given.value_or(settings.unsafe_fixes.value_or(false));
  options.show_fixes = options.show_fixes_given.value_or(settings.show_fixes.value_or(false));
  options.force_exclude = options.force_exclude || settings.force_exclude.value_or(false);
  if (!options.format_given && settings.output_format) {
    const auto& formats = outputFormatsByName();
    const auto format = formats.find(*settings.output_format);
    if (format == formats.end()) {
      std::string names;
      for (const auto& [name, value] : formats)
        names += (names.empty() ? "" : ", ") + name;
      std::cerr << "heaplint: error: " << settings.config_file.string() << ": `output-format`: `"
                << *settings.output_format << "` is not an output format (expected one of " << names
                << ")\n";
      return false;
    }
    options.format = format->second;
  }
  return true;
}

// --show-fixes: what was fixed, per file and rule, as Ruff lists it.
void writeFixes(std::ostream& out, const std::vector<FileReport>& reports) {
  size_t total = 0;
  for (const FileReport& report : reports)
    total += report.fixed_rules.size();
  if (total == 0) return;
  out << "Fixed " << plural(total, "finding", "findings") << ":\n";
  for (const FileReport& report : reports) {
    if (report.fixed_rules.empty()) continue;
    std::map<std::string_view, std::pair<const RuleDefinition*, size_t>> by_rule;
    for (const RuleDefinition* rule : report.fixed_rules) {
      auto& entry = by_rule.try_emplace(rule->code, rule, 0).first->second;
      ++entry.second;
    }
    out << "- " << report.path << ":\n";
    for (const auto& [code, entry] : by_rule) {
      out << "    " << entry.second << " \u00d7 " << code << " (" << entry.first->name << ")\n";
    }
  }
  out << '\n';
}

int checkWithConfiguration(const CheckOptions& given) {
  if (!validSelectors(given)) return kExitError;
  config::ConfigResolver resolver(resolverOptions(given));
  CheckOptions options = given;
  if (!applyConfiguredFlags(resolver, options)) return kExitError;
  if (options.show_settings) {
    const std::string path = options.stdin_filename.value_or(
        options.paths.empty() || options.paths[0] == "-" ? "." : options.paths[0]);
    std::error_code error;
    printSettings(std::cout, path,
                  std::filesystem::is_directory(path, error) ? resolver.forDirectory(path)
                                                             : resolver.forFile(path));
    return kExitClean;
  }
  CheckAnalysisOptions analysis;
  OutputStyle style;
  style.color = wantsColor(options.color);
  style.show_unsafe_fixes = options.unsafe_fixes;

  bool failed = false;
  std::vector<FileReport> reports;
  const bool from_stdin =
      options.stdin_filename.has_value() || (options.paths.size() == 1 && options.paths[0] == "-");
  std::string stdin_result;
  if (!checkGatingOptions(options, from_stdin)) return kExitError;
  if (from_stdin) {
    std::string contents;
    if (!readStream(std::cin, contents)) {
      std::cerr << "heaplint: error: cannot read standard input\n";
      return kExitError;
    }
    const std::string name = options.stdin_filename.value_or("-");
    if (isForceExcluded(resolver, options, name)) {
      stdin_result = std::move(contents);  // with --fix, an excluded file passes through as it is
    } else {
      analysis =
          analysisOptionsFor(resolver, std::vector<std::filesystem::path>{name}, options.paths);
      const Job job{options, analysis.project, analysis.per_file};
      reports.push_back(lintStdin(job, name, std::move(contents), stdin_result));
    }
  } else {
    const std::vector<std::string> paths =
        options.paths.empty() ? std::vector<std::string>{"."} : options.paths;
    Discovery discovery = discoverFiles(paths, discoveryOptions(resolver, options, paths.front()));
    if (options.show_files) {
      for (const SourceFile& file : discovery.files)
        std::cout << file.display << '\n';
      for (const std::string& error : discovery.errors) {
        std::cerr << "heaplint: error: " << error << '\n';
      }
      return discovery.errors.empty() ? kExitClean : kExitError;
    }
    for (const std::string& error : discovery.errors) {
      std::cerr << "heaplint: error: " << error << '\n';
      failed = true;
    }
    if (discovery.files.empty() && discovery.errors.empty() && !options.quiet) {
      std::cerr << "warning: no Python files found under " << paths.front()
                << (paths.size() > 1 ? " and the other paths" : "") << '\n';
    }
    {
      // Freed before the files are checked: a run keeps what it holds for every file to its end.
      std::vector<std::filesystem::path> opened;
      opened.reserve(discovery.files.size());
      for (const SourceFile& file : discovery.files)
        opened.emplace_back(file.path);
      analysis = analysisOptionsFor(resolver, opened, paths);
    }
    // The walk listed each directory: whether a compiled module sits beside a source is known.
    for (size_t i = 0; i < discovery.files.size(); ++i) {
      analysis.per_file[i].module.compiled_beside = discovery.files[i].compiled_beside;
    }
    if (options.fix || options.diff) {
      reports = fixFiles(Job{options, analysis.project, analysis.per_file}, discovery.files);
    } else {
      std::optional<ResultCache> cache;
      if (!options.no_cache) {
        cache.emplace(cacheDirectoryFor(resolver, options.cache_dir, paths.front()),
                      analysis.project, discovery.files.size());
      }
      reports =
          lintFiles(Job{options, analysis.project, analysis.per_file, cache ? &*cache : nullptr},
                    discovery.files);
      if (cache) cache->save();
    }
  }

  if (!options.quiet) {
    for (const std::string& warning : analysis.warnings)
      std::cerr << "warning: " << warning << '\n';
  }
  for (const FileReport& report : reports) {
    if (report.error) {
      std::cerr << "heaplint: error: " << *report.error << '\n';
      failed = true;
    }
    if (!options.quiet) {
      for (const std::string& warning : report.warnings)
        std::cerr << "warning: " << warning << '\n';
    }
  }

  // CI gating (docs/ci.md): noqa adoption, baselines, changed lines.
  if (const std::optional<int> status = applyGating(options, reports)) return *status;
  if (options.add_noqa) return failed ? kExitError : runAddNoqa(options, reports);

  size_t remaining = 0;
  size_t fixed = 0;
  bool any_diff = false;
  for (const FileReport& report : reports) {
    remaining += report.diagnostics.size();
    fixed += report.fixed;
    any_diff = any_diff || !report.diff.empty();
  }

  // With --fix on standard input the fixed source goes to stdout and the findings to stderr.
  std::ostringstream report_file;
  std::ostream& out = options.output_file                          ? report_file
                      : from_stdin && options.fix && !options.diff ? std::cerr
                                                                   : std::cout;
  if (options.diff) {
    for (const FileReport& report : reports)
      std::cout << report.diff;
    if (!options.quiet) {
      std::cerr << (any_diff ? "Would fix " + plural(fixed, "finding", "findings") + ".\n"
                             : std::string("No fixes available.\n"));
    }
  } else if (options.fix_only) {
    // What remains is not reported: only what was fixed.
    if (from_stdin) std::cout << stdin_result;
    if (options.show_fixes) writeFixes(std::cerr, reports);
    if (!options.quiet) {
      std::cerr << (fixed > 0 ? "Fixed " + plural(fixed, "finding", "findings") + ".\n"
                              : std::string("No fixes applied.\n"));
    }
  } else {
    if (from_stdin && options.fix) std::cout << stdin_result;
    if (options.show_fixes && options.fix && !options.quiet && isHumanFormat(options.format)) {
      writeFixes(out, reports);
    }
    if (options.statistics && options.format == OutputFormat::Json) {
      writeStatisticsJson(out, reports, style);
    } else if (options.statistics) {
      writeStatistics(out, reports, style);
    } else {
      const SourceLookup lookup = [&](const FileReport& report) -> std::optional<std::string> {
        if (from_stdin && isNotebookPath(report.path)) return stdin_result;
        if (from_stdin) return decodePythonSource(stdin_result).text;
        std::string contents;
        std::string error;
        if (!readFile(report.path, contents, error)) return std::nullopt;
        if (isNotebookPath(report.path)) return contents;
        return decodePythonSource(std::move(contents)).text;
      };
      writeReport(out, reports, options.format, style, lookup);
    }
    if (!options.quiet && isHumanFormat(options.format) && !options.statistics) {
      writeSummary(out, reports, options, style, failed);
    }
  }
  if (options.output_file) {
    std::string error;
    if (!writeFileAtomically(*options.output_file, report_file.str(), error)) {
      std::cerr << "heaplint: error: cannot write " << *options.output_file << ": " << error
                << '\n';
      return kExitError;
    }
  }
  out.flush();

  if (failed) return kExitError;
  if (options.exit_zero) return kExitClean;
  if (options.exit_non_zero_on_fix && fixed > 0) return kExitFindings;
  if (options.fix_only) return kExitClean;
  if (options.diff) return any_diff ? kExitFindings : kExitClean;
  return remaining > 0 ? kExitFindings : kExitClean;
}

}  // namespace

int runCheck(const CheckOptions& options) {
  if (!options.max_file_size.empty() && !parseFileSize(options.max_file_size)) {
    std::cerr << "heaplint: error: --max-file-size: `" << options.max_file_size
              << "` is not a size (bytes, or a number with K, M or G)\n";
    return kExitError;
  }
  try {
    return checkWithConfiguration(options);
  } catch (const config::ConfigError& error) {
    std::cerr << "heaplint: error: " << error.what() << '\n';
    return kExitError;
  }
}

}  // namespace heaplint::cli
