#include "analyzer/helper_threads.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <numeric>
#include <utility>

namespace heaplint {

struct HelperThreads::Shared {
  std::mutex mutex;
  std::condition_variable wake;      // helpers: a job was posted, or the threads stop
  std::condition_variable finished;  // the caller: every helper left the job
  uint64_t generation = 0;           // of the job posted last
  bool stopping = false;
  const std::function<void(size_t)>* task = nullptr;
  size_t count = 0;
  std::atomic<size_t> next{0};
  unsigned busy = 0;  // helpers not done with the current job
  std::exception_ptr error;

  // Takes items of the current job until none is left.
  void drain() {
    for (size_t item = next.fetch_add(1); item < count; item = next.fetch_add(1)) {
      try {
        (*task)(item);
      } catch (...) {
        const std::lock_guard lock(mutex);
        if (!error) error = std::current_exception();
      }
    }
  }
};

HelperThreads::HelperThreads(unsigned helpers) : shared_(std::make_shared<Shared>()) {
  threads_.reserve(helpers);
  for (unsigned i = 0; i < helpers; ++i) {
    threads_.emplace_back([shared = shared_] {
      uint64_t seen = 0;
      std::unique_lock lock(shared->mutex);
      while (true) {
        shared->wake.wait(lock, [&] { return shared->stopping || shared->generation != seen; });
        if (shared->stopping) return;
        seen = shared->generation;
        lock.unlock();
        shared->drain();
        lock.lock();
        if (--shared->busy == 0) shared->finished.notify_one();
      }
    });
  }
}

HelperThreads::~HelperThreads() {
  {
    const std::lock_guard lock(shared_->mutex);
    shared_->stopping = true;
  }
  shared_->wake.notify_all();
  for (std::thread& thread : threads_)
    thread.join();
}

unsigned HelperThreads::helpersForThisMachine() {
  const unsigned cores = std::thread::hardware_concurrency();
  return cores > 1 ? cores - 1 : 0;
}

void HelperThreads::forEach(size_t count, const std::function<void(size_t)>& task) {
  if (threads_.empty() || count < 2) {
    for (size_t item = 0; item < count; ++item)
      task(item);
    return;
  }
  Shared& shared = *shared_;
  {
    const std::lock_guard lock(shared.mutex);
    shared.task = &task;
    shared.count = count;
    shared.next.store(0);
    shared.busy = static_cast<unsigned>(threads_.size());
    shared.error = nullptr;
    ++shared.generation;
  }
  shared.wake.notify_all();
  shared.drain();
  std::exception_ptr error;
  {
    std::unique_lock lock(shared.mutex);
    shared.finished.wait(lock, [&] { return shared.busy == 0; });
    shared.task = nullptr;
    error = std::exchange(shared.error, nullptr);
  }
  if (error) std::rethrow_exception(error);
}

void HelperThreads::forEachLargestFirst(size_t count, const std::function<size_t(size_t)>& size,
                                        const std::function<void(size_t)>& task) {
  std::vector<size_t> order(count);
  std::iota(order.begin(), order.end(), size_t{0});
  std::vector<size_t> sizes(count);
  for (size_t item = 0; item < count; ++item)
    sizes[item] = size(item);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return sizes[a] > sizes[b]; });
  forEach(count, [&](size_t k) { task(order[k]); });
}

}  // namespace heaplint
