#include "base/work_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <vector>

namespace exhunt {
namespace {

TEST(WorkPool, RunsEveryTaskIncludingThosePushedByTasks) {
  WorkPool pool(3);
  std::atomic<int> done{0};
  for (int i = 0; i < 50; ++i)
    pool.Push([&](unsigned) {
      ++done;
      pool.Push([&](unsigned) { ++done; });
    });
  pool.Run();
  EXPECT_EQ(done.load(), 100);
}

TEST(WorkPool, WorkerIndexesStayBelowSizeAndScratchNeedsNoLock) {
  WorkPool pool(4);
  std::vector<int> per_worker(pool.size(), 0);  // each worker writes only its own slot
  std::atomic<int> out_of_range{0};
  for (int i = 0; i < 1000; ++i)
    pool.Push([&](unsigned w) {
      if (w >= per_worker.size())
        ++out_of_range;
      else
        ++per_worker[w];
    });
  pool.Run();
  int total = 0;
  for (int n : per_worker) total += n;
  EXPECT_EQ(out_of_range.load(), 0);
  EXPECT_EQ(total, 1000);
}

TEST(WorkPool, UrgentTasksRunFirstOnOneWorker) {
  WorkPool pool(1);
  std::vector<int> order;
  pool.Push([&](unsigned) { order.push_back(1); });
  pool.Push([&](unsigned) { order.push_back(0); }, /*urgent=*/true);
  pool.Run();
  EXPECT_EQ(order, (std::vector<int>{0, 1}));
}

TEST(WorkPool, ZeroThreadsMeansOnePerCore) { EXPECT_GE(WorkPool(0).size(), 1u); }

}  // namespace
}  // namespace exhunt
