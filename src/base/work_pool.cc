#include "base/work_pool.h"

#include <algorithm>
#include <thread>
#include <vector>

namespace exhunt {

WorkPool::WorkPool(unsigned threads)
    : threads_(threads ? threads : std::max(1u, std::thread::hardware_concurrency())) {}

void WorkPool::Push(Task task, bool urgent) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (urgent)
      queue_.push_front(std::move(task));
    else
      queue_.push_back(std::move(task));
  }
  cv_.notify_one();
}

void WorkPool::Work(unsigned worker) {
  for (;;) {
    Task task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return !queue_.empty() || active_ == 0; });
      if (queue_.empty()) return;
      task = std::move(queue_.front());
      queue_.pop_front();
      ++active_;
    }
    task(worker);
    {
      std::lock_guard<std::mutex> lock(mu_);
      --active_;
    }
    cv_.notify_all();
  }
}

void WorkPool::Run() {
  std::vector<std::thread> threads;
  threads.reserve(threads_ - 1);
  for (unsigned i = 1; i < threads_; ++i) threads.emplace_back([this, i] { Work(i); });
  Work(0);
  for (auto& t : threads) t.join();
}

}  // namespace exhunt
