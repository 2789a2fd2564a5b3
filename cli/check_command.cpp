#include "cli/check_command.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <thread>

#include "analyzer/analyze.h"
#include "analyzer/fix.h"
#include "cli/file_discovery.h"
#include "cli/file_io.h"
#include "cli/unified_diff.h"
#include "rules/registry.h"

namespace heaplint::cli {
namespace {

struct Job {
  const CheckOptions& options;
  const AnalysisOptions& analysis;
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
FileReport lintSource(const Job& job, std::string path, std::string contents,
                      std::string& final_text) {
  FileReport report;
  report.path = std::move(path);
  auto source = std::make_unique<SourceText>(std::move(contents));
  if (!source->isValidUtf8()) {
    report.warnings.push_back(where(*source, report.path, source->firstInvalidUtf8Offset()) +
                              ": not valid UTF-8; checked as far as it parses");
  }
  const bool fixing = job.options.fix || job.options.diff;
  const std::string original = fixing ? std::string(source->text()) : std::string();
  FixLoopResult result =
      fixing ? fixUntilStable(std::move(source), job.analysis, job.options.unsafe_fixes)
             : FixLoopResult{nullptr, {}, 0};
  if (!fixing) {
    result.analysis = analyze(*source, job.analysis);
    result.source = std::move(source);
  }
  const FileAnalysis& analysis = result.analysis;
  source = std::move(result.source);
  report.fixed = result.fixed;
  if (analysis.has_syntax_error) {
    report.warnings.push_back(where(*source, report.path, analysis.syntax_error_offset) +
                              ": syntax error; only the parts that parse were checked");
  }
  if (job.options.diff) report.diff = unifiedDiff(report.path, original, source->text());
  addReports(report, *source, analysis.diagnostics);
  final_text = std::string(source->text());
  return report;
}

FileReport lintFile(const Job& job, const SourceFile& file) {
  std::string contents;
  std::string error;
  if (!readFile(file.path, contents, error)) {
    FileReport report;
    report.path = file.display;
    report.error = file.display + ": " + error;
    return report;
  }
  const std::string original = job.options.fix && !job.options.diff ? contents : std::string();
  std::string final_text;
  FileReport report = lintSource(job, file.display, std::move(contents), final_text);
  if (job.options.fix && !job.options.diff && report.fixed > 0 && final_text != original) {
    if (!writeFileAtomically(file.path, final_text, error)) {
      report.error = file.display + ": cannot write the fixed file: " + error;
      report.fixed = 0;
    }
  }
  return report;
}

std::vector<FileReport> lintAll(const Job& job, const std::vector<SourceFile>& files) {
  std::vector<FileReport> reports(files.size());
  std::atomic<size_t> next{0};
  const auto work = [&] {
    for (size_t i = next++; i < files.size(); i = next++) {
      try {
        reports[i] = lintFile(job, files[i]);
      } catch (const std::exception& exception) {
        reports[i] = FileReport{};
        reports[i].path = files[i].display;
        reports[i].error = files[i].display + ": internal error: " + exception.what();
      }
    }
  };
  unsigned threads = job.options.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<size_t>(threads, std::max<size_t>(files.size(), 1)));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& thread : pool) thread.join();
  return reports;
}

std::string plural(size_t count, std::string_view singular, std::string_view plural_form) {
  return std::to_string(count) + " " + std::string(count == 1 ? singular : plural_form);
}

void writeSummary(std::ostream& out, const std::vector<FileReport>& reports,
                  const CheckOptions& options, const OutputStyle& style) {
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
    out << "All checks passed!\n";
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

bool resolveSelection(const CheckOptions& options, RuleSet& enabled) {
  const RuleTable rules = allRules();
  if (options.select.empty()) {
    selectRules(rules, "ALL", enabled);
  } else {
    for (const std::string& selector : options.select) {
      if (!selectRules(rules, selector, enabled)) {
        std::cerr << "heaplint: error: unknown rule selector `" << selector
                  << "` in --select (see `heaplint rules`)\n";
        return false;
      }
    }
  }
  for (const std::string& selector : options.ignore) {
    RuleSet ignored;
    if (!selectRules(rules, selector, ignored)) {
      std::cerr << "heaplint: error: unknown rule selector `" << selector
                << "` in --ignore (see `heaplint rules`)\n";
      return false;
    }
    enabled &= ~ignored;
  }
  return true;
}

bool wantsColor() {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  return ::isatty(STDOUT_FILENO) == 1;
}

}  // namespace

int runCheck(const CheckOptions& options) {
  RuleSet enabled;
  if (!resolveSelection(options, enabled)) return kExitError;
  AnalysisOptions analysis;
  analysis.rules = allRules();
  analysis.enabled = enabled;
  const Job job{options, analysis};
  OutputStyle style;
  style.color = wantsColor();
  style.show_unsafe_fixes = options.unsafe_fixes;

  bool failed = false;
  std::vector<FileReport> reports;
  const bool from_stdin =
      options.stdin_filename.has_value() || (options.paths.size() == 1 && options.paths[0] == "-");
  std::string stdin_result;
  if (from_stdin) {
    std::string contents;
    if (!readStream(std::cin, contents)) {
      std::cerr << "heaplint: error: cannot read standard input\n";
      return kExitError;
    }
    const std::string name = options.stdin_filename.value_or("-");
    const std::string original = contents;
    reports.push_back(lintSource(job, name, std::move(contents), stdin_result));
    if (!options.fix || options.diff) stdin_result.clear();
    if (options.fix && !options.diff && reports.back().fixed == 0) stdin_result = original;
  } else {
    const std::vector<std::string> paths =
        options.paths.empty() ? std::vector<std::string>{"."} : options.paths;
    Discovery discovery = discoverFiles(paths, DiscoveryOptions{options.respect_gitignore});
    for (const std::string& error : discovery.errors) {
      std::cerr << "heaplint: error: " << error << '\n';
      failed = true;
    }
    if (discovery.files.empty() && discovery.errors.empty() && !options.quiet) {
      std::cerr << "warning: no Python files found under " << paths.front()
                << (paths.size() > 1 ? " and the other paths" : "") << '\n';
    }
    reports = lintAll(job, discovery.files);
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

  size_t remaining = 0;
  size_t fixed = 0;
  bool any_diff = false;
  for (const FileReport& report : reports) {
    remaining += report.diagnostics.size();
    fixed += report.fixed;
    any_diff = any_diff || !report.diff.empty();
  }

  // With --fix on standard input the fixed source goes to stdout and the findings to stderr.
  std::ostream& out = from_stdin && options.fix && !options.diff ? std::cerr : std::cout;
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
      switch (options.format) {
        case OutputFormat::Concise:
          writeConcise(out, reports, style);
          break;
        case OutputFormat::Full:
          writeFull(out, reports, style);
          break;
        case OutputFormat::Json:
          writeJson(out, reports);
          break;
      }
    }
    if (!options.quiet && options.format != OutputFormat::Json && !options.statistics) {
      writeSummary(out, reports, options, style);
    }
  }
  out.flush();

  if (failed) return kExitError;
  if (options.exit_zero) return kExitClean;
  if (options.diff) return any_diff ? kExitFindings : kExitClean;
  return remaining > 0 ? kExitFindings : kExitClean;
}

}  // namespace heaplint::cli
