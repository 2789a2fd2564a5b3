#include "cli/progress.h"

#include <unistd.h>

#include <cstdlib>
#include <string>

namespace heaplint::cli {

bool progressWanted() {
  const char* ci = std::getenv("CI");
  if (ci != nullptr && ci[0] != '\0') return false;
  return ::isatty(STDERR_FILENO) == 1;
}

ProgressLine::ProgressLine(std::ostream& out, size_t total, bool enabled,
                           std::chrono::milliseconds delay, std::chrono::milliseconds interval)
    : out_(out), total_(total) {
  if (enabled && total > 0) thread_ = std::thread([=, this] { run(delay, interval); });
}

ProgressLine::~ProgressLine() {
  if (!thread_.joinable()) return;
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  // "\r\x1b[K": back to the start of the line and clear it, so the findings start clean.
  if (drawn_) out_ << "\r\x1b[K" << std::flush;
}

void ProgressLine::run(std::chrono::milliseconds delay, std::chrono::milliseconds interval) {
  std::unique_lock lock(mutex_);
  if (wake_.wait_for(lock, delay, [this] { return stopping_; })) return;
  do {
    const size_t done = done_.load(std::memory_order_relaxed);
    out_ << "\r\x1b[K[" << done << '/' << total_ << "] files checked" << std::flush;
    drawn_ = true;
  } while (!wake_.wait_for(lock, interval, [this] { return stopping_; }));
}

}  // namespace heaplint::cli
