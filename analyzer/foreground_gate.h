// Lets background work (the language server's workspace index) give way while foreground work
// (answering the editor) is under way. The index threads run under SCHED_IDLE, but on a machine
// whose two cores are hyperthreads or a VM's shared vCPUs an idle-class thread still slows the
// foreground's two: opening a 6,600-line file while the index parsed it took 35-65 ms instead of
// 30-35. A background thread calls waitUntilIdle() where it can stop (PythonParser calls it every
// hundred parser operations when told to give way, see PythonParser::giveWayTo).
#pragma once

#include <atomic>

namespace heaplint {

class ForegroundGate {
 public:
  // Marks foreground work for its lifetime; they may nest and overlap.
  class Busy {
   public:
    explicit Busy(ForegroundGate& gate) : gate_(gate) { gate_.enter(); }
    ~Busy() { gate_.leave(); }
    Busy(const Busy&) = delete;
    Busy& operator=(const Busy&) = delete;

   private:
    ForegroundGate& gate_;
  };

  // Returns once no foreground work is under way: at once (one atomic load) when none is.
  void waitUntilIdle() const {
    if (busy_.load(std::memory_order_acquire) == 0) return;
    waitSlowly();
  }

 private:
  void enter();
  void leave();
  void waitSlowly() const;

  // Waited on with C++20's atomic wait (a futex): no lock is shared with the background threads,
  // which could hold one while preempted and make the foreground wait behind an idle-class
  // thread.
  std::atomic<int> busy_{0};
};

}  // namespace heaplint
