// The `heaplint` binary: check, rule, rules and server subcommands.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <map>

#include "cli/check_command.h"
#include "cli/gating.h"
#include "cli/rule_commands.h"
#include "lsp/server.h"

#ifndef HEAPLINT_VERSION
#define HEAPLINT_VERSION "0.0.0"
#endif

namespace {

int run(int argc, char** argv) {
  using namespace heaplint::cli;
  CLI::App app{"heaplint: finds memory antipatterns in Python code", "heaplint"};
  app.set_version_flag("--version", std::string("heaplint ") + HEAPLINT_VERSION);
  app.require_subcommand(1);

  CheckOptions check;
  bool no_respect_gitignore = false;
  const std::map<std::string, OutputFormat> formats{
      {"concise", OutputFormat::Concise}, {"full", OutputFormat::Full},
      {"json", OutputFormat::Json},       {"json-lines", OutputFormat::JsonLines},
      {"sarif", OutputFormat::Sarif},     {"github", OutputFormat::Github},
      {"gitlab", OutputFormat::Gitlab},   {"junit", OutputFormat::Junit},
      {"pylint", OutputFormat::Pylint}};
  CLI::App* check_command =
      app.add_subcommand("check", "Lint Python files for memory antipatterns");
  check_command->add_option("paths", check.paths, "Files or directories to check (default: .)");
  check_command
      ->add_option("--output-format", check.format,
                   "Output format: concise, full, json, json-lines, sarif, github, gitlab, junit "
                   "or pylint")
      ->transform(CLI::CheckedTransformer(formats, CLI::ignore_case));
  // One value per occurrence (comma-separated), so `--select MEM101 file.py` keeps file.py a path.
  check_command
      ->add_option("--select", check.select, "Rules to enable: codes, names, prefixes, ALL")
      ->delimiter(',')
      ->allow_extra_args(false);
  check_command->add_option("--ignore", check.ignore, "Rules to disable: codes, names, prefixes")
      ->delimiter(',')
      ->allow_extra_args(false);
  check_command->add_flag("--fix", check.fix, "Apply safe fixes in place");
  check_command->add_flag("--unsafe-fixes", check.unsafe_fixes, "Also apply or show unsafe fixes");
  check_command->add_flag("--diff", check.diff,
                          "Print the fixes as a unified diff; change nothing");
  check_command->add_flag("--exit-zero", check.exit_zero, "Exit 0 even when there are findings");
  check_command->add_flag("--statistics", check.statistics, "Print counts per rule");
  check_command->add_flag("-q,--quiet", check.quiet, "Print findings only");
  check_command->add_flag("--no-respect-gitignore", no_respect_gitignore,
                          "Also check files that .gitignore files ignore");
  check_command->add_option("--stdin-filename", check.stdin_filename,
                            "Read the source from standard input, reporting it under this name");
  check_command->add_option("-j,--threads", check.threads,
                            "Worker threads (default: one per core)");
  // CI gating: report files, baselines, changed lines only, noqa adoption, the result cache.
  check_command->add_option("-o,--output-file", check.output_file,
                            "Write the report to this file instead of standard output");
  check_command->add_option("--write-baseline", check.write_baseline,
                            "Record the current findings in this file and exit 0");
  check_command->add_option("--baseline", check.baseline,
                            "Report only findings not recorded in this baseline file");
  check_command->add_option("--diff-base", check.diff_base,
                            "Report only findings on lines changed since this git revision");
  check_command->add_flag("--add-noqa", check.add_noqa,
                          "Add `# noqa: CODE` comments that silence every current finding");
  check_command->add_flag("--no-cache", check.no_cache, "Neither read nor write the result cache");
  check_command->add_option("--cache-dir", check.cache_dir,
                            "Result cache directory (default: $HEAPLINT_CACHE_DIR or "
                            ".heaplint_cache)");

  // Configuration files (README: Configuration).
  CLI::Option* config_option =
      check_command->add_option("--config", check.config_file,
                                "Use this configuration file for every path (pyproject.toml, "
                                "heaplint.toml)");
  check_command->add_flag("--isolated", check.isolated, "Ignore every configuration file")
      ->excludes(config_option);
  check_command
      ->add_option("--extend-select", check.extend_select,
                   "Rules to enable in addition to the configured ones")
      ->delimiter(',')
      ->allow_extra_args(false);
  check_command->add_flag("--force-exclude", check.force_exclude,
                          "Apply exclude settings to files named on the command line too");
  check_command->add_flag("--show-settings", check.show_settings,
                          "Print the settings that apply to the first path, then exit");

  std::string rule_selector;
  CLI::App* rule_command = app.add_subcommand("rule", "Print a rule's documentation");
  rule_command->add_option("rule", rule_selector, "A rule code or name")->required();

  bool rules_json = false;
  CLI::App* rules_command = app.add_subcommand("rules", "List every rule");
  rules_command->add_flag("--json", rules_json, "Print the rules as JSON");

  std::optional<std::string> clean_cache_dir;
  CLI::App* clean_command = app.add_subcommand("clean", "Remove the result cache");
  clean_command->add_option("--cache-dir", clean_cache_dir,
                            "Result cache directory (default: $HEAPLINT_CACHE_DIR or "
                            ".heaplint_cache)");

  CLI::App* server_command =
      app.add_subcommand("server", "Run the language server (LSP 3.17) over stdin and stdout");
  // LSP clients (vscode-languageclient) name the transport; standard streams are the only one.
  bool stdio_transport = true;
  server_command->add_flag("--stdio", stdio_transport,
                           "Serve over stdin and stdout (the only transport, also the default)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForAllHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForVersion& version) {
    return app.exit(version);
  } catch (const CLI::ParseError& error) {
    std::cerr << "heaplint: error: " << error.what() << " (see `heaplint --help`)\n";
    return kExitError;
  }

  try {
    if (check_command->parsed()) {
      check.respect_gitignore = !no_respect_gitignore;
      return runCheck(check);
    }
    if (rule_command->parsed()) return runRule(rule_selector);
    if (rules_command->parsed()) return runRules(rules_json);
    if (clean_command->parsed()) return runClean(clean_cache_dir);
    if (server_command->parsed()) return heaplint::lsp::runServer(HEAPLINT_VERSION);
  } catch (const std::exception& exception) {
    std::cerr << "heaplint: internal error: " << exception.what() << '\n';
    return kExitError;
  }
  return kExitError;
}

}  // namespace

int main(int argc, char** argv) {
  // Anything that escapes (a failed allocation while setting up the options) still ends with the
  // usual exit code for errors, not an abort.
  try {
    return run(argc, argv);
  } catch (const std::exception& exception) {
    std::fprintf(stderr, "heaplint: internal error: %s\n", exception.what());
  } catch (...) {
    std::fprintf(stderr, "heaplint: internal error\n");
  }
  return heaplint::cli::kExitError;
}
