#include "analyzer/foreground_gate.h"

namespace heaplint {

void ForegroundGate::enter() {
  busy_.fetch_add(1, std::memory_order_acq_rel);
}

void ForegroundGate::leave() {
  if (busy_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  // Taken so that a waiter between its check and its wait cannot miss the notification.
  { const std::lock_guard lock(mutex_); }
  idle_.notify_all();
}

void ForegroundGate::waitSlowly() const {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return busy_.load(std::memory_order_acquire) == 0; });
}

}  // namespace heaplint
