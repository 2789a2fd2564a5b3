#include "analyzer/foreground_gate.h"

namespace heaplint {

void ForegroundGate::enter() {
  busy_.fetch_add(1, std::memory_order_acq_rel);
}

void ForegroundGate::leave() {
  if (busy_.fetch_sub(1, std::memory_order_acq_rel) == 1) busy_.notify_all();
}

void ForegroundGate::waitSlowly() const {
  // wait() returns once the value differs from the one read (or spuriously): read it again.
  for (int busy = busy_.load(std::memory_order_acquire); busy != 0;
       busy = busy_.load(std::memory_order_acquire)) {
    busy_.wait(busy, std::memory_order_acquire);
  }
}

}  // namespace heaplint
