#include "analyzer/helper_threads.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace heaplint {
namespace {

TEST(HelperThreads, CallsEveryItemOnceOnTheCallerAndTheHelpers) {
  HelperThreads helpers(2);
  for (const size_t count : {0UL, 1UL, 2UL, 7UL, 1000UL}) {
    std::vector<std::atomic<int>> calls(count);
    std::mutex mutex;
    std::set<std::thread::id> threads;
    helpers.forEach(count, [&](size_t item) {
      ++calls[item];
      // Long enough that the helpers wake up before the caller has taken every item.
      std::this_thread::sleep_for(std::chrono::microseconds(count == 1000 ? 20 : 0));
      const std::lock_guard lock(mutex);
      threads.insert(std::this_thread::get_id());
    });
    for (size_t item = 0; item < count; ++item)
      EXPECT_EQ(calls[item].load(), 1) << item << " of " << count;
    if (count == 1000) EXPECT_GT(threads.size(), 1U);
  }
}

TEST(HelperThreads, WithoutHelpersEverythingRunsOnTheCallersThread) {
  HelperThreads helpers(0);
  const std::thread::id caller = std::this_thread::get_id();
  int calls = 0;
  helpers.forEach(50, [&](size_t) {
    EXPECT_EQ(std::this_thread::get_id(), caller);
    ++calls;
  });
  EXPECT_EQ(calls, 50);
}

TEST(HelperThreads, RethrowsAFailureAfterTheOtherItemsAreDone) {
  HelperThreads helpers(1);
  std::atomic<int> calls = 0;
  EXPECT_THROW(helpers.forEach(100,
                               [&](size_t item) {
                                 ++calls;
                                 if (item == 3) throw std::runtime_error("item 3");
                               }),
               std::runtime_error);
  EXPECT_EQ(calls.load(), 100);
  // The threads are still there for the next job.
  calls = 0;
  helpers.forEach(10, [&](size_t) { ++calls; });
  EXPECT_EQ(calls.load(), 10);
}

TEST(HelperThreads, LargestFirstStartsWithTheLargestItems) {
  // On the caller alone, the calls come in the order the items are handed out.
  HelperThreads alone(0);
  const std::vector<size_t> sizes = {3, 9, 1, 9, 0, 5};
  std::vector<size_t> order;
  alone.forEachLargestFirst(
      sizes.size(), [&](size_t item) { return sizes[item]; },
      [&](size_t item) { order.push_back(item); });
  EXPECT_EQ(order, (std::vector<size_t>{1, 3, 5, 0, 2, 4}));

  // With helpers, every item still runs once, under its own index.
  HelperThreads helpers(2);
  std::vector<std::atomic<int>> calls(sizes.size());
  helpers.forEachLargestFirst(
      sizes.size(), [&](size_t item) { return sizes[item]; }, [&](size_t item) { ++calls[item]; });
  for (size_t item = 0; item < sizes.size(); ++item)
    EXPECT_EQ(calls[item].load(), 1) << item;
}

}  // namespace
}  // namespace heaplint
