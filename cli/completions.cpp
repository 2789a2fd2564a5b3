#include "cli/completions.h"

#include <vector>

namespace heaplint::cli {
namespace {

struct Flag {
  std::string name;  // "--fix" or "-q"
  std::string description;
};

struct Subcommand {
  std::string name;
  std::string description;
  std::vector<Flag> flags;
};

std::vector<Subcommand> subcommandsOf(const CLI::App& app) {
  std::vector<Subcommand> out;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    Subcommand subcommand{sub->get_name(), sub->get_description(), {}};
    for (const CLI::Option* option : sub->get_options()) {
      if (option->get_group().empty()) continue;  // hidden
      for (const std::string& name : option->get_lnames()) {
        subcommand.flags.push_back(Flag{"--" + name, option->get_description()});
      }
      for (const std::string& name : option->get_snames()) {
        subcommand.flags.push_back(Flag{"-" + name, option->get_description()});
      }
    }
    out.push_back(std::move(subcommand));
  }
  return out;
}

// Single-quoted for a shell word: ' becomes '\''.
std::string shellWord(std::string_view text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else if (c != '\n') {
      out += c;
    }
  }
  return out + "'";
}

std::string bash(const std::vector<Subcommand>& subcommands) {
  std::string names;
  for (const Subcommand& sub : subcommands)
    names += (names.empty() ? "" : " ") + sub.name;
  std::string script =
      "# bash completion for heaplint: eval \"$(heaplint generate-shell-completion bash)\"\n"
      "_heaplint() {\n"
      "    local current=\"${COMP_WORDS[COMP_CWORD]}\"\n"
      "    if [ \"$COMP_CWORD\" -eq 1 ]; then\n"
      "        COMPREPLY=($(compgen -W " +
      shellWord(names + " --help --version -V") +
      " -- \"$current\"))\n"
      "        return\n"
      "    fi\n"
      "    local flags=\"\"\n"
      "    case \"${COMP_WORDS[1]}\" in\n";
  for (const Subcommand& sub : subcommands) {
    std::string flags;
    for (const Flag& flag : sub.flags)
      flags += (flags.empty() ? "" : " ") + flag.name;
    script += "        " + sub.name + ") flags=" + shellWord(flags) + " ;;\n";
  }
  script +=
      "    esac\n"
      "    if [[ \"$current\" == -* ]]; then\n"
      "        COMPREPLY=($(compgen -W \"$flags\" -- \"$current\"))\n"
      "    else\n"
      "        COMPREPLY=($(compgen -f -- \"$current\"))\n"
      "    fi\n"
      "}\n"
      "complete -o filenames -F _heaplint heaplint\n";
  return script;
}

std::string zsh(const std::vector<Subcommand>& subcommands) {
  std::string script =
      "#compdef heaplint\n"
      "# zsh completion for heaplint: heaplint generate-shell-completion zsh > "
      "\"${fpath[1]}/_heaplint\"\n"
      "_heaplint() {\n"
      "    local -a subcommands\n"
      "    subcommands=(\n";
  for (const Subcommand& sub : subcommands) {
    script += "        " + shellWord(sub.name + ":" + sub.description) + "\n";
  }
  script +=
      "    )\n"
      "    if (( CURRENT == 2 )); then\n"
      "        _describe 'subcommand' subcommands\n"
      "        return\n"
      "    fi\n"
      "    local -a flags\n"
      "    case $words[2] in\n";
  for (const Subcommand& sub : subcommands) {
    script += "        " + sub.name + ") flags=(";
    for (const Flag& flag : sub.flags)
      script += " " + shellWord(flag.name + "[" + flag.description + "]");
    script += " ) ;;\n";
  }
  script +=
      "    esac\n"
      "    _arguments -s $flags '*:file:_files'\n"
      "}\n"
      "_heaplint \"$@\"\n";
  return script;
}

std::string fish(const std::vector<Subcommand>& subcommands) {
  std::string names;
  for (const Subcommand& sub : subcommands)
    names += (names.empty() ? "" : " ") + sub.name;
  std::string script =
      "# fish completion for heaplint: heaplint generate-shell-completion fish > "
      "~/.config/fish/completions/heaplint.fish\n";
  for (const Subcommand& sub : subcommands) {
    script += "complete -c heaplint -n " + shellWord("not __fish_seen_subcommand_from " + names) +
              " -f -a " + shellWord(sub.name) + " -d " + shellWord(sub.description) + "\n";
  }
  for (const Subcommand& sub : subcommands) {
    for (const Flag& flag : sub.flags) {
      const bool is_long = flag.name.starts_with("--");
      script += "complete -c heaplint -n " + shellWord("__fish_seen_subcommand_from " + sub.name) +
                (is_long ? " -l " : " -s ") + shellWord(flag.name.substr(is_long ? 2 : 1)) +
                " -d " + shellWord(flag.description) + "\n";
    }
  }
  return script;
}

}  // namespace

std::optional<std::string> completionScript(const CLI::App& app, std::string_view shell) {
  const std::vector<Subcommand> subcommands = subcommandsOf(app);
  if (shell == "bash") return bash(subcommands);
  if (shell == "zsh") return zsh(subcommands);
  if (shell == "fish") return fish(subcommands);
  return std::nullopt;
}

}  // namespace heaplint::cli
