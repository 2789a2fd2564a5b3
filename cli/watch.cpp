#include "cli/watch.h"

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string_view>

#include "config/configuration.h"

namespace heaplint::cli {
namespace {
namespace fs = std::filesystem;

constexpr uint32_t kEvents =
    IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_MODIFY;

bool isSkippedDirectory(const fs::path& directory) {
  const std::vector<std::string>& skipped = config::defaultExclude();
  return std::find(skipped.begin(), skipped.end(), directory.filename().string()) != skipped.end();
}

// Watches `directory` and every directory below it that a check would walk into.
void watchTree(int inotify, const fs::path& directory) {
  if (isSkippedDirectory(directory)) return;
  inotify_add_watch(inotify, directory.c_str(), kEvents);
  std::error_code error;
  for (fs::recursive_directory_iterator it(directory, error), end; !error && it != end;
       it.increment(error)) {
    if (!it->is_directory(error) || it->is_symlink(error)) continue;
    if (isSkippedDirectory(it->path())) {
      it.disable_recursion_pending();
      continue;
    }
    inotify_add_watch(inotify, it->path().c_str(), kEvents);
  }
}

bool matters(std::string_view name) {
  return name.ends_with(".py") || name.ends_with(".pyi") || name.ends_with(".ipynb") ||
         name.ends_with(".toml");
}

// Reads the pending events; true when one of them concerns a file or directory that matters.
bool drain(int inotify) {
  alignas(inotify_event) std::array<char, 16384> buffer{};
  bool relevant = false;
  while (true) {
    const ssize_t length = ::read(inotify, buffer.data(), buffer.size());
    if (length <= 0) break;
    for (ssize_t at = 0; at < length;) {
      const auto* event = reinterpret_cast<const inotify_event*>(buffer.data() + at);
      const std::string_view name = event->len > 0 ? std::string_view(event->name) : "";
      if ((event->mask & IN_ISDIR) != 0 || matters(name)) relevant = true;
      at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
    }
  }
  return relevant;
}

}  // namespace

int watchAndRerun(const std::vector<std::string>& paths, const std::function<int()>& run) {
  const int inotify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify < 0) {
    std::cerr << "heaplint: error: --watch: cannot watch files: " << std::strerror(errno) << '\n';
    return 2;
  }
  const auto watchAll = [&] {
    for (const std::string& path : paths.empty() ? std::vector<std::string>{"."} : paths) {
      std::error_code error;
      const fs::path absolute = fs::absolute(path, error);
      watchTree(inotify, fs::is_directory(absolute, error) ? absolute : absolute.parent_path());
    }
  };
  watchAll();
  run();
  std::cerr << "Watching for file changes (Ctrl-C to stop).\n";
  while (true) {
    pollfd descriptor{inotify, POLLIN, 0};
    if (::poll(&descriptor, 1, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    bool relevant = drain(inotify);
    // Editors write a file in several steps: wait until the burst is over.
    while (::poll(&descriptor, 1, 100) > 0)
      relevant = drain(inotify) || relevant;
    if (!relevant) continue;
    watchAll();  // new directories; watching one twice is harmless
    std::cerr << "File change detected, checking again.\n";
    run();
    std::cerr << "Watching for file changes (Ctrl-C to stop).\n";
  }
  ::close(inotify);
  std::cerr << "heaplint: error: --watch: " << std::strerror(errno) << '\n';
  return 2;
}

}  // namespace heaplint::cli
