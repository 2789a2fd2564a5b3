// A progress line on stderr for long runs: "[1234/5678] files checked". Only for a person
// watching: stderr must be a terminal and the CI variable unset, so logs and pipes never see it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <ostream>
#include <thread>

namespace heaplint::cli {

// Whether a progress line suits this run: stderr is a terminal and CI is unset or empty.
bool progressWanted();

class ProgressLine {
 public:
  // Draws nothing until `delay` has passed (short runs stay silent), then redraws at most every
  // `interval` from its own thread; workers only bump an atomic counter.
  ProgressLine(std::ostream& out, size_t total, bool enabled,
               std::chrono::milliseconds delay = std::chrono::milliseconds(500),
               std::chrono::milliseconds interval = std::chrono::milliseconds(100));
  // Erases the line if one was drawn.
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  void advance() { done_.fetch_add(1, std::memory_order_relaxed); }

 private:
  void run(std::chrono::milliseconds delay, std::chrono::milliseconds interval);

  std::ostream& out_;
  size_t total_;
  std::atomic<size_t> done_{0};
  bool drawn_ = false;
  bool stopping_ = false;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread thread_;
};

}  // namespace heaplint::cli
