// Waiting in tests for what another thread does.
#pragma once

#include <atomic>
#include <chrono>
#include <thread>

namespace heaplint {

// Polls `done` for up to `limit`; its value then.
inline bool becomesTrue(const std::atomic<bool>& done, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!done && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return done;
}

}  // namespace heaplint
