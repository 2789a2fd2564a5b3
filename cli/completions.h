// `heaplint generate-shell-completion SHELL`: completion scripts for bash, zsh and fish, made
// from the command line's own definition, so they never fall behind a new flag.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace heaplint::cli {

// The script for `shell` ("bash", "zsh", "fish"), or nullopt for another shell.
std::optional<std::string> completionScript(const CLI::App& app, std::string_view shell);

}  // namespace heaplint::cli
