#include "cli/diff_base.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <sstream>

extern char** environ;

namespace heaplint::cli {
namespace fs = std::filesystem;
namespace {

struct ProcessResult {
  bool started = false;
  int status = -1;
  std::string output;  // standard output; standard error is discarded
};

ProcessResult runProcess(const std::vector<std::string>& arguments) {
  ProcessResult result;
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return result;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[1]);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::vector<char*> argv;
  argv.reserve(arguments.size() + 1);
  for (const std::string& argument : arguments)
    argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (spawned != 0) {
    ::close(pipe_fds[0]);
    return result;
  }
  result.started = true;
  char buffer[65536];
  while (true) {
    const ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    result.output.append(buffer, static_cast<size_t>(n));
  }
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// git quotes unusual paths C-style ("a\tb", octal bytes); undo that.
std::string unquoteGitPath(std::string_view path) {
  if (path.size() < 2 || path.front() != '"' || path.back() != '"') return std::string(path);
  std::string out;
  for (size_t i = 1; i + 1 < path.size(); ++i) {
    if (path[i] != '\\' || i + 2 >= path.size()) {
      out += path[i];
      continue;
    }
    const char c = path[++i];
    if (c >= '0' && c <= '7' && i + 2 < path.size()) {
      out += static_cast<char>(((c - '0') << 6) | ((path[i + 1] - '0') << 3) | (path[i + 2] - '0'));
      i += 2;
      continue;
    }
    switch (c) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'r':
        out += '\r';
        break;
      case 'v':
        out += '\v';
        break;
      default:
        out += c;  // \\ and \"
    }
  }
  return out;
}

std::string normalPath(const fs::path& path) {
  std::error_code error;
  const fs::path absolute = fs::absolute(path, error);
  const fs::path canonical = fs::weakly_canonical(absolute, error);
  return (error ? absolute : canonical).lexically_normal().string();
}

std::string trimNewline(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
    text.pop_back();
  return text;
}

}  // namespace

bool ChangedLines::contains(const std::string& absolute_path, uint32_t row) const {
  if (whole_files.contains(absolute_path)) return true;
  const auto it = ranges.find(absolute_path);
  if (it == ranges.end()) return false;
  return std::any_of(it->second.begin(), it->second.end(),
                     [&](const auto& range) { return row >= range.first && row <= range.second; });
}

std::map<std::string, std::vector<std::pair<uint32_t, uint32_t>>> parseUnifiedZeroDiff(
    const std::string& diff) {
  std::map<std::string, std::vector<std::pair<uint32_t, uint32_t>>> out;
  std::istringstream lines(diff);
  std::string line;
  std::string current;
  while (std::getline(lines, line)) {
    if (line.starts_with("+++ ")) {
      const std::string path = unquoteGitPath(line.substr(4));
      // "/dev/null": the file was deleted; nothing of it is left to report on.
      current = path.starts_with("b/") ? path.substr(2) : std::string();
      continue;
    }
    if (!line.starts_with("@@ ") || current.empty()) continue;
    // @@ -a[,b] +c[,d] @@
    const size_t plus = line.find(" +");
    if (plus == std::string::npos) continue;
    size_t i = plus + 2;
    uint32_t start = 0;
    while (i < line.size() && std::isdigit(static_cast<unsigned char>(line[i])) != 0) {
      start = start * 10 + static_cast<uint32_t>(line[i++] - '0');
    }
    uint32_t count = 1;
    if (i < line.size() && line[i] == ',') {
      count = 0;
      ++i;
      while (i < line.size() && std::isdigit(static_cast<unsigned char>(line[i])) != 0) {
        count = count * 10 + static_cast<uint32_t>(line[i++] - '0');
      }
    }
    if (count > 0) out[current].emplace_back(start, start + count - 1);
  }
  return out;
}

std::optional<ChangedLines> changedLinesSince(const std::string& revision, std::string& error) {
  const ProcessResult toplevel = runProcess({"git", "rev-parse", "--show-toplevel"});
  if (!toplevel.started) {
    error = "cannot run git (is it installed?)";
    return std::nullopt;
  }
  if (toplevel.status != 0) {
    error = "the current directory is not inside a git repository";
    return std::nullopt;
  }
  const fs::path root = trimNewline(toplevel.output);
  if (revision.empty() || revision.starts_with('-')) {
    error = "unknown revision `" + revision + "`";
    return std::nullopt;
  }
  const ProcessResult verified = runProcess(
      {"git", "rev-parse", "--verify", "--quiet", "--end-of-options", revision + "^{commit}"});
  if (verified.status != 0) {
    error = "unknown revision `" + revision + "`";
    return std::nullopt;
  }
  const std::string commit = trimNewline(verified.output);
  // Against the working tree: committed, staged and unstaged changes since the revision.
  const ProcessResult diff = runProcess(
      {"git", "-C", root.string(), "-c", "core.quotepath=off", "diff", "--unified=0", "--no-color",
       "--no-ext-diff", "--no-textconv", "--src-prefix=a/", "--dst-prefix=b/", commit, "--"});
  if (diff.status != 0) {
    error = "git diff failed";
    return std::nullopt;
  }
  ChangedLines changed;
  for (auto& [path, ranges] : parseUnifiedZeroDiff(diff.output)) {
    changed.ranges[normalPath(root / path)] = std::move(ranges);
  }
  const ProcessResult untracked =
      runProcess({"git", "-C", root.string(), "ls-files", "--others", "--exclude-standard", "-z"});
  if (untracked.status != 0) {
    error = "git ls-files failed";
    return std::nullopt;
  }
  size_t start = 0;
  while (start < untracked.output.size()) {
    size_t end = untracked.output.find('\0', start);
    if (end == std::string::npos) end = untracked.output.size();
    if (end > start)
      changed.whole_files.insert(normalPath(root / untracked.output.substr(start, end - start)));
    start = end + 1;
  }
  return changed;
}

void keepChangedLines(std::vector<FileReport>& reports, const ChangedLines& changed) {
  for (FileReport& report : reports) {
    const std::string path = normalPath(report.path);
    std::erase_if(report.diagnostics, [&](const ReportedDiagnostic& d) {
      return !changed.contains(path, d.location.row);
    });
  }
}

}  // namespace heaplint::cli
