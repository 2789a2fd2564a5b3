#include "cli/check_command.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <sstream>

#include "analyzer/analyze.h"
#include "analyzer/fix.h"
#include "cli/check_config.h"
#include "cli/file_discovery.h"
#include "cli/file_io.h"
#include "cli/formats/formats.h"
#include "cli/gating.h"
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

std::string where(const SourceText& source, std::string_view path, uint32_t offset) {
  const Location location = locationOf(source, offset);
  return std::string(path) + ":" + std::to_string(location.row) + ":" +
         std::to_string(location.column);
}

void addReports(FileReport& report, const SourceText& source,
                const std::vector<Diagnostic>& diagnostics) {
  for (const Diagnostic& diagnostic : diagnostics) {
    ReportedDiagnostic out;
    out.rule = diagnostic.rule;
    out.location = locationOf(source, diagnostic.start);
    out.end_location = locationOf(source, diagnostic.end);
    out.message = diagnostic.message;
    out.fix_title = diagnostic.fix_title;
    out.noqa_row = out.location.row;
    out.source_line = std::string(source.line(out.location.row - 1));
    if (diagnostic.fix) {
      ReportedFix fix;
      fix.applicability = diagnostic.fix->applicability;
      for (const Edit& edit : diagnostic.fix->edits) {
        fix.edits.push_back(ReportedEdit{edit.replacement, locationOf(source, edit.start),
                                         locationOf(source, edit.end)});
      }
      out.fix = std::move(fix);
    }
    report.diagnostics.push_back(std::move(out));
  }
}

// Lints one source; with --fix or --diff, applies fixes round by round until none apply.
// Returns the final text in `final_text`.
void addWarnings(FileReport& report, const SourceText& source, const FileAnalysis& analysis) {
  if (!source.isValidUtf8()) {
    report.warnings.push_back(where(source, report.path, source.firstInvalidUtf8Offset()) +
                              ": not valid UTF-8; checked as far as it parses");
  }
  if (analysis.has_syntax_error) {
    report.warnings.push_back(where(source, report.path, analysis.syntax_error_offset) +
                              ": syntax error; only the parts that parse were checked");
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

AnalysisOptions optionsForFile(const AnalysisOptions& base, const std::string& path,
                               const ModuleInfo& module) {
  AnalysisOptions options = base;
  options.path = path;
  options.module = module;
  return options;
}

// Standard input is one file on its own; with --fix its fixed text is returned in `fixed_text`.
FileReport lintStdin(const Job& job, const std::string& path, std::string contents,
                     std::string& fixed_text) {
  FileReport report;
  report.path = path;
  const ModuleInfo module = moduleInfoForPath(path);
  const AnalysisOptions options = optionsForFile(job.file_analysis[0], path, module);
  const bool fixing = job.options.fix || job.options.diff;
  const std::string original = fixing ? contents : std::string();
  FixLoopResult result;
  if (fixing) {
    result = fixUntilStable(std::make_unique<SourceText>(std::move(contents)), options,
                            job.options.unsafe_fixes);
  } else {
    result.source = std::make_unique<SourceText>(std::move(contents));
    result.analysis = analyze(*result.source, options);
  }
  report.fixed = result.fixed;
  addWarnings(report, *result.source, result.analysis);
  addReports(report, *result.source, result.analysis.diagnostics);
  if (job.options.diff) report.diff = unifiedDiff(path, original, result.source->text());
  fixed_text = std::string(result.source->text());
  return report;
}

std::vector<ModuleInfo> moduleInfos(const std::vector<SourceFile>& files) {
  std::vector<ModuleInfo> modules;
  modules.reserve(files.size());
  for (const SourceFile& file : files) {
    modules.push_back(moduleInfoForPath(file.path));
    modules.back().compiled_beside = file.compiled_beside;
  }
  return modules;
}

// Checking without fixes streams: each file's text is dropped once its findings are converted,
// and only files that the project step adds findings to are read again.
std::vector<FileReport> lintFiles(const Job& job, const std::vector<SourceFile>& files) {
  const std::vector<ModuleInfo> modules = moduleInfos(files);
  std::vector<FileReport> reports(files.size());
  std::vector<FileAnalysis> analyses(files.size());
  ProgressLine progress(std::cerr, files.size(), !job.options.quiet && progressWanted());
  parallelFor(files.size(), job.options.threads, [&](size_t i) {
    progress.advance();
    FileReport& report = reports[i];
    report.path = files[i].display;
    std::string contents;
    std::string error;
    if (!readFile(files[i].path, contents, error)) {
      report.error = files[i].display + ": " + error;
      return;
    }
    // An unchanged file's own findings and project facts come from the cache.
    if (job.cache != nullptr &&
        job.cache->restore(i, files[i].path, modules[i], job.file_analysis[i], contents, report,
                           analyses[i])) {
      return;
    }
    try {
      const SourceText source(std::move(contents));
      analyses[i] =
          analyzeFile(source, optionsForFile(job.file_analysis[i], files[i].display, modules[i]));
      addWarnings(report, source, analyses[i]);
      addReports(report, source, analyses[i].diagnostics);
      if (job.cache != nullptr) job.cache->record(i, report, analyses[i]);
      analyses[i].diagnostics.clear();
    } catch (const std::exception& exception) {
      report.error = files[i].display + ": internal error: " + exception.what();
    }
  });

  std::vector<FileAnalysis*> pointers;
  pointers.reserve(analyses.size());
  for (FileAnalysis& analysis : analyses) pointers.push_back(&analysis);
  joinProject(pointers, job.analysis);

  parallelFor(files.size(), job.options.threads, [&](size_t i) {
    if (analyses[i].diagnostics.empty()) return;
    std::string contents;
    std::string error;
    if (!readFile(files[i].path, contents, error)) {
      reports[i].error = files[i].display + ": " + error;
      return;
    }
    const SourceText source(std::move(contents));
    verifyFixes(source, analyses[i].diagnostics);
    addReports(reports[i], source, analyses[i].diagnostics);
    sortReport(reports[i]);
  });
  return reports;
}

// --fix and --diff hold the project in memory: fixes go round until none applies, and project
// rules are joined again after each round.
std::vector<FileReport> fixFiles(const Job& job, const std::vector<SourceFile>& files) {
  const std::vector<ModuleInfo> modules = moduleInfos(files);
  std::vector<FileReport> reports(files.size());
  std::vector<ProjectSource> project;
  std::vector<size_t> report_of;  // project index -> report index
  std::vector<std::string> originals;
  for (size_t i = 0; i < files.size(); ++i) {
    reports[i].path = files[i].display;
    std::string contents;
    std::string error;
    if (!readFile(files[i].path, contents, error)) {
      reports[i].error = files[i].display + ": " + error;
      continue;
    }
    originals.push_back(contents);
    ProjectSource source;
    source.path = files[i].display;
    source.module = modules[i];
    source.source = std::make_unique<SourceText>(std::move(contents));
    source.options = &job.file_analysis[i];
    project.push_back(std::move(source));
    report_of.push_back(i);
  }
  fixProject(project, job.analysis, job.options.unsafe_fixes, job.options.threads);
  parallelFor(project.size(), job.options.threads, [&](size_t k) {
    const ProjectSource& file = project[k];
    const size_t i = report_of[k];
    FileReport& report = reports[i];
    report.fixed = file.fixed;
    addWarnings(report, *file.source, *file.analysis);
    addReports(report, *file.source, file.analysis->diagnostics);
    const bool changed = file.source->text() != originals[k];
    if (job.options.diff) {
      report.diff = unifiedDiff(report.path, originals[k], file.source->text());
    } else if (changed) {
      std::string error;
      if (!writeFileAtomically(files[i].path, std::string(file.source->text()), error)) {
        report.error = files[i].display + ": cannot write the fixed file: " + error;
        report.fixed = 0;
      }
    }
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
    out << "Found " << plural(remaining + fixed, "finding", "findings") << " (" << fixed << " fixed, "
        << remaining << " remaining).\n";
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
  return true;
}

bool wantsColor() {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  return ::isatty(STDOUT_FILENO) == 1;
}

int checkWithConfiguration(const CheckOptions& options) {
  if (!validSelectors(options)) return kExitError;
  config::ConfigResolver resolver(resolverOptions(options));
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
  style.color = wantsColor();
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
      analysis = analysisOptionsFor(resolver, std::vector<std::filesystem::path>{name});
      const Job job{options, analysis.project, analysis.per_file};
      reports.push_back(lintStdin(job, name, std::move(contents), stdin_result));
    }
  } else {
    const std::vector<std::string> paths =
        options.paths.empty() ? std::vector<std::string>{"."} : options.paths;
    Discovery discovery = discoverFiles(paths, discoveryOptions(resolver, options, paths.front()));
    for (const std::string& error : discovery.errors) {
      std::cerr << "heaplint: error: " << error << '\n';
      failed = true;
    }
    if (discovery.files.empty() && discovery.errors.empty() && !options.quiet) {
      std::cerr << "warning: no Python files found under " << paths.front()
                << (paths.size() > 1 ? " and the other paths" : "") << '\n';
    }
    std::vector<std::filesystem::path> opened;
    for (const SourceFile& file : discovery.files)
      opened.push_back(file.path);
    analysis = analysisOptionsFor(resolver, opened);
    if (options.fix || options.diff) {
      reports = fixFiles(Job{options, analysis.project, analysis.per_file}, discovery.files);
    } else {
      std::optional<ResultCache> cache;
      if (!options.no_cache) {
        cache.emplace(cacheDirectory(options.cache_dir), analysis.project, discovery.files.size());
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
      for (const std::string& warning : report.warnings) std::cerr << "warning: " << warning << '\n';
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
  std::ostream& out = options.output_file ? report_file
                      : from_stdin && options.fix && !options.diff ? std::cerr
                                                                   : std::cout;
  if (options.diff) {
    for (const FileReport& report : reports) std::cout << report.diff;
    if (!options.quiet) {
      std::cerr << (any_diff ? "Would fix " + plural(fixed, "finding", "findings") + ".\n"
                             : std::string("No fixes available.\n"));
    }
  } else {
    if (from_stdin && options.fix) std::cout << stdin_result;
    if (options.statistics) {
      writeStatistics(out, reports, style);
    } else {
      const SourceLookup lookup = [&](const FileReport& report) -> std::optional<std::string> {
        if (from_stdin) return stdin_result;
        std::string contents;
        std::string error;
        if (!readFile(report.path, contents, error)) return std::nullopt;
        return contents;
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
  if (options.diff) return any_diff ? kExitFindings : kExitClean;
  return remaining > 0 ? kExitFindings : kExitClean;
}

}  // namespace

int runCheck(const CheckOptions& options) {
  try {
    return checkWithConfiguration(options);
  } catch (const config::ConfigError& error) {
    std::cerr << "heaplint: error: " << error.what() << '\n';
    return kExitError;
  }
}

}  // namespace heaplint::cli
