// --watch: lint, then lint again whenever a Python file, a notebook or a configuration file below
// the checked paths changes (inotify), until interrupted, as `ruff check --watch`.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace heaplint::cli {

// Calls `run` once, then again after each change; returns only when watching fails (exit 2).
int watchAndRerun(const std::vector<std::string>& paths, const std::function<int()>& run);

}  // namespace heaplint::cli
