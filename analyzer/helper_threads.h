// A few threads kept to split one piece of work across the cores: the language server parses and
// walks a large document's runs (chunked_tree.h, incremental_analysis.h) on them, so opening a
// 6,000-line file uses both cores of a laptop instead of one. The threads stay for the process's
// life, so the per-thread parser and memos they warm up are kept between jobs.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

namespace heaplint {

class HelperThreads {
 public:
  // Starts `helpers` threads besides the caller's (0: every job runs on the caller's thread).
  explicit HelperThreads(unsigned helpers);
  ~HelperThreads();
  HelperThreads(const HelperThreads&) = delete;
  HelperThreads& operator=(const HelperThreads&) = delete;

  // One helper per core beyond the first.
  static unsigned helpersForThisMachine();

  // Calls task(i) once for every i in [0, count), on the caller's thread and the helpers, and
  // returns when every call has returned. The first exception a call throws is rethrown here once
  // the others are done. One caller at a time: jobs do not nest.
  void forEach(size_t count, const std::function<void(size_t)>& task);
  // The same, the items that `size` says are largest first (ties in index order), so that no
  // thread is left with a big one at the end while the others wait. `task` gets the item's index.
  void forEachLargestFirst(size_t count, const std::function<size_t(size_t)>& size,
                           const std::function<void(size_t)>& task);

 private:
  struct Shared;
  std::shared_ptr<Shared> shared_;
  std::vector<std::thread> threads_;
};

}  // namespace heaplint
