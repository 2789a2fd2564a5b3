// The `heaplint` binary: check, rule, rules and server subcommands.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/check_command.h"
#include "cli/completions.h"
#include "cli/gating.h"
#include "cli/rule_commands.h"
#include "cli/suggest.h"
#include "cli/watch.h"
#include "config/configuration.h"
#include "lsp/server.h"

#ifndef HEAPLINT_VERSION
#define HEAPLINT_VERSION "0.0.0"
#endif

namespace {

std::string lowercase(std::string text) {
  for (char& c : text)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

const std::map<std::string, int> kTextOrJson{{"text", 0}, {"json", 1}};
const std::map<std::string, int> kShells{{"bash", 0}, {"fish", 1}, {"zsh", 2}};
const std::map<std::string, int> kColorModes{{"auto", 0}, {"always", 1}, {"never", 2}};

// `--add-noqa=REASON` -> `--add-noqa --add-noqa-reason=REASON`; the program name is dropped.
std::vector<std::string> splitAddNoqaReason(int argc, char** argv) {
  std::vector<std::string> out;
  constexpr std::string_view kWithReason = "--add-noqa=";
  for (int i = 1; i < argc; ++i) {
    const std::string_view argument = argv[i];
    if (argument == "--") {
      out.insert(out.end(), argv + i, argv + argc);
      break;
    }
    if (argument.starts_with(kWithReason)) {
      out.emplace_back("--add-noqa");
      out.push_back("--add-noqa-reason=" + std::string(argument.substr(kWithReason.size())));
    } else {
      out.emplace_back(argument);
    }
  }
  return out;
}

// --config: a file's path, or TOML settings (`--config 'preview = true'`), as in Ruff. As in
// Ruff, settings still apply under --isolated, but a file is an error there.
bool splitConfigArguments(const std::vector<std::string>& arguments,
                          heaplint::cli::CheckOptions& check) {
  for (const std::string& argument : arguments) {
    std::error_code error;
    if (std::filesystem::is_regular_file(argument, error) ||
        !heaplint::config::isConfigurationSnippet(argument)) {
      if (check.isolated) {
        std::cerr << "heaplint: error: --config `" << argument
                  << "` cannot be used with --isolated, which ignores every configuration file "
                     "(a setting is written `--config 'KEY = VALUE'`)\n";
        return false;
      }
      if (check.config_file) {
        std::cerr << "heaplint: error: --config names two files, `" << *check.config_file
                  << "` and `" << argument << "` (a setting is written `--config 'KEY = VALUE'`)\n";
        return false;
      }
      check.config_file = argument;
    } else {
      check.config_snippets.push_back(argument);
    }
  }
  return true;
}

// Accepts one of the map's names (any case) and nothing else; the error lists them.
template <typename Value>
CLI::Validator nameValidator(const std::map<std::string, Value>& names, std::string what) {
  std::string list;
  for (const auto& [name, value] : names)
    list += (list.empty() ? "" : ", ") + name;
  return CLI::Validator(
      [&names, what, list](std::string& value) -> std::string {
        if (names.contains(lowercase(value))) return {};
        return "`" + value + "` is not an " + what + " (expected one of " + list + ")";
      },
      "", what);
}

// `heaplint chek`: name the closest subcommand rather than CLI11's "A subcommand is required".
std::optional<std::string> unknownSubcommand(const CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return std::nullopt;
  const std::string_view typed = argv[1];
  std::vector<std::string> names;
  for (const CLI::App* subcommand : app.get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(subcommand->get_name());
  }
  if (std::find(names.begin(), names.end(), typed) != names.end()) return std::nullopt;
  const std::vector<std::string_view> views(names.begin(), names.end());
  std::string message = "unknown subcommand `" + std::string(typed) + "`";
  if (const std::optional<std::string_view> closest = heaplint::cli::closestName(typed, views)) {
    message += " (did you mean `" + std::string(*closest) + "`?)";
  } else {
    std::string list;
    for (const std::string& name : names)
      list += (list.empty() ? "" : ", ") + name;
    message += " (expected one of " + list + ")";
  }
  return message;
}

int run(int argc, char** argv) {
  using namespace heaplint::cli;
  CLI::App app{"heaplint: finds memory antipatterns in Python code", "heaplint"};
  app.set_version_flag("-V,--version", std::string("heaplint ") + HEAPLINT_VERSION);
  app.require_subcommand(1);

  CheckOptions check;
  bool no_respect_gitignore = false;
  const std::map<std::string, OutputFormat>& formats = outputFormatsByName();
  CLI::App* check_command =
      app.add_subcommand("check", "Lint Python files for memory antipatterns");
  check_command->add_option("paths", check.paths, "Files or directories to check (default: .)");
  // A plain name check rather than CLI11's enum transformer, whose help and errors show its map
  // (`{concise->0,...}`) and which accepts the numbers too.
  std::string format_name;
  check_command
      ->add_option("--output-format", format_name,
                   "Output format: concise, full, json, json-lines, sarif, github, gitlab, junit "
                   "or pylint (default: concise; also $HEAPLINT_OUTPUT_FORMAT)")
      ->type_name("FORMAT")
      ->envname("HEAPLINT_OUTPUT_FORMAT")
      ->check(nameValidator(formats, "output format"));
  // One value per occurrence (comma-separated), so `--select MEM101 file.py` keeps file.py a path.
  check_command
      ->add_option("--select", check.select, "Rules to enable: codes, names, prefixes, ALL")
      ->delimiter(',')
      ->allow_extra_args(false);
  check_command->add_option("--ignore", check.ignore, "Rules to disable: codes, names, prefixes")
      ->delimiter(',')
      ->allow_extra_args(false);
  // Each on/off pair: the command line wins over the configuration (`fix = true`), which wins
  // over the default.
  bool fix = false;
  bool no_fix = false;
  bool unsafe_fixes = false;
  bool no_unsafe_fixes = false;
  bool show_fixes = false;
  bool no_show_fixes = false;
  check_command->add_flag("--fix", fix, "Apply safe fixes in place");
  check_command->add_flag("--no-fix", no_fix, "Do not apply fixes (over `fix = true`)");
  check_command->add_flag("--unsafe-fixes", unsafe_fixes, "Also apply or show unsafe fixes");
  check_command->add_flag("--no-unsafe-fixes", no_unsafe_fixes,
                          "Neither apply nor show unsafe fixes (over `unsafe-fixes = true`)");
  check_command->add_flag("--fix-only", check.fix_only,
                          "Apply fixes and report nothing about what remains");
  check_command->add_flag("--exit-non-zero-on-fix", check.exit_non_zero_on_fix,
                          "Exit 1 when anything was fixed, even if no finding remains");
  check_command->add_flag("--show-fixes", show_fixes, "List the fixes applied, per file and rule");
  check_command->add_flag("--no-show-fixes", no_show_fixes, "Do not list the fixes applied");
  bool watch = false;
  check_command->add_flag("-w,--watch", watch,
                          "Check again whenever a Python file, notebook or configuration changes");
  check_command->add_flag("--show-files", check.show_files,
                          "Print the files that would be checked, then exit");
  check_command
      ->add_option("--color", check.color, "When to colour the output: auto, always, never")
      ->type_name("WHEN")
      ->check(nameValidator(kColorModes, "colour mode"));
  check_command
      ->add_option("--exclude", check.exclude,
                   "Patterns to skip, replacing the configured `exclude` (comma-separated)")
      ->delimiter(',')
      ->allow_extra_args(false);
  check_command
      ->add_option("--extend-exclude", check.extend_exclude,
                   "Patterns to skip in addition to the configured ones (comma-separated)")
      ->delimiter(',')
      ->allow_extra_args(false);
  check_command
      ->add_option("--per-file-ignores", check.per_file_ignores,
                   "PATTERN:CODES, replacing the configured per-file-ignores (repeatable)")
      ->allow_extra_args(false);
  check_command
      ->add_option("--extend-per-file-ignores", check.extend_per_file_ignores,
                   "PATTERN:CODES, in addition to the configured per-file-ignores (repeatable)")
      ->allow_extra_args(false);
  check_command->add_option("--target-version", check.target_version,
                            "The oldest Python the code supports (py38 .. py313)");
  check_command->add_flag("--diff", check.diff,
                          "Print the fixes as a unified diff; change nothing");
  check_command->add_flag("-e,--exit-zero", check.exit_zero, "Exit 0 even when there are findings");
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
                          "Add `# noqa: CODE` comments that silence every current finding "
                          "(--add-noqa=REASON writes the reason after the codes)");
  // `--add-noqa=REASON` arrives here (see splitAddNoqaReason): an optional value taken by the
  // flag itself would swallow the path that follows `--add-noqa`.
  check_command->add_option("--add-noqa-reason", check.add_noqa_reason)->group("");
  check_command
      ->add_flag("--no-cache", check.no_cache,
                 "Neither read nor write the result cache (also $HEAPLINT_NO_CACHE)")
      ->envname("HEAPLINT_NO_CACHE");
  check_command->add_option("--cache-dir", check.cache_dir,
                            "Result cache directory (default: $HEAPLINT_CACHE_DIR, `cache-dir`, "
                            "else .heaplint_cache at the project root)");

  check_command
      ->add_option("--max-file-size", check.max_file_size,
                   "Skip files larger than this, with a warning (default 10M; 0: no limit)")
      ->envname("HEAPLINT_MAX_FILE_SIZE");

  // Configuration files (README: Configuration).
  std::vector<std::string> config_arguments;
  check_command
      ->add_option("--config", config_arguments,
                   "A configuration file for every path (pyproject.toml, "
                   "heaplint.toml), or a setting over every file: 'KEY = VALUE'")
      ->allow_extra_args(false);
  // Not excluding --config: its 'KEY = VALUE' settings still apply (splitConfigArguments).
  check_command->add_flag("--isolated", check.isolated,
                          "Ignore every configuration file (--config settings still apply)");
  check_command
      ->add_option("--extend-select", check.extend_select,
                   "Rules to enable in addition to the configured ones")
      ->delimiter(',')
      ->allow_extra_args(false);
  check_command->add_flag("--force-exclude", check.force_exclude,
                          "Apply exclude settings to files named on the command line too");
  bool preview = false;
  bool no_preview = false;
  check_command->add_flag("--preview", preview,
                          "Also run the rules in preview (not yet precise on unseen code)");
  check_command->add_flag("--ignore-noqa", check.ignore_noqa,
                          "Ignore every `# noqa` and `# heaplint: noqa` comment");
  check_command->add_flag("--no-preview", no_preview, "Run no rule in preview (the default)");
  check_command->add_flag("--show-settings", check.show_settings,
                          "Print the settings that apply to the first path, then exit");

  std::string rule_selector;
  bool all_rules = false;
  std::string rule_format = "text";
  CLI::App* rule_command = app.add_subcommand("rule", "Print a rule's documentation");
  CLI::Option* rule_option = rule_command->add_option("rule", rule_selector, "A rule code or name");
  rule_command->add_flag("--all", all_rules, "Every rule's documentation")->excludes(rule_option);
  rule_command->add_option("--output-format", rule_format, "text or json")
      ->type_name("FORMAT")
      ->check(nameValidator(kTextOrJson, "output format"));

  std::string shell;
  CLI::App* completion_command = app.add_subcommand(
      "generate-shell-completion", "Print a completion script for bash, zsh or fish");
  completion_command->add_option("shell", shell, "bash, zsh or fish")
      ->required()
      ->check(nameValidator(kShells, "shell"));

  std::string version_format = "text";
  CLI::App* version_command = app.add_subcommand("version", "Print the version");
  version_command->add_option("--output-format", version_format, "text or json")
      ->type_name("FORMAT")
      ->check(nameValidator(kTextOrJson, "output format"));

  bool rules_json = false;
  CLI::App* rules_command = app.add_subcommand("rules", "List every rule");
  rules_command->add_flag("--json", rules_json, "Print the rules as JSON");

  std::optional<std::string> clean_cache_dir;
  CLI::App* clean_command = app.add_subcommand("clean", "Remove the result cache");
  clean_command->add_option("--cache-dir", clean_cache_dir,
                            "Result cache directory (default: $HEAPLINT_CACHE_DIR, `cache-dir`, "
                            "else .heaplint_cache at the project root)");

  CLI::App* server_command =
      app.add_subcommand("server", "Run the language server (LSP 3.17) over stdin and stdout");
  // LSP clients (vscode-languageclient) name the transport; standard streams are the only one.
  bool stdio_transport = true;
  server_command->add_flag("--stdio", stdio_transport,
                           "Serve over stdin and stdout (the only transport, also the default)");

  if (const std::optional<std::string> error = unknownSubcommand(app, argc, argv)) {
    std::cerr << "heaplint: error: " << *error << " (see `heaplint --help`)\n";
    return kExitError;
  }
  std::vector<std::string> arguments = splitAddNoqaReason(argc, argv);
  try {
    std::reverse(arguments.begin(), arguments.end());  // CLI11 takes them last first
    app.parse(arguments);
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
      check.format = formats.at(lowercase(format_name.empty() ? "concise" : format_name));
      check.format_given = !format_name.empty();
      check.respect_gitignore = !no_respect_gitignore;
      if (fix || no_fix) check.fix_given = fix && !no_fix;
      if (unsafe_fixes || no_unsafe_fixes)
        check.unsafe_fixes_given = unsafe_fixes && !no_unsafe_fixes;
      if (show_fixes || no_show_fixes) check.show_fixes_given = show_fixes && !no_show_fixes;
      check.color = lowercase(check.color);
      if (!splitConfigArguments(config_arguments, check)) return kExitError;
      if (watch) return watchAndRerun(check.paths, [&check] { return runCheck(check); });
      if (preview || no_preview) check.preview = preview && !no_preview;
      return runCheck(check);
    }
    if (rule_command->parsed()) {
      const bool json = lowercase(rule_format) == "json";
      if (all_rules) return runAllRules(json);
      if (rule_selector.empty()) {
        std::cerr << "heaplint: error: name a rule, or give --all (see `heaplint rules`)\n";
        return kExitError;
      }
      return runRule(rule_selector, json);
    }
    if (version_command->parsed()) return runVersion(lowercase(version_format) == "json");
    if (completion_command->parsed()) {
      std::cout << *completionScript(app, lowercase(shell));
      return kExitClean;
    }
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
