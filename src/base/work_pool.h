// A fixed pool of worker threads running tasks from one queue.
//
// Each task receives the index of the worker that runs it, so that callers
// can keep per-worker scratch (vectorscan scratch, record buffers) in a
// plain vector indexed by worker: no locking, no thread-local state.
// Tasks may push further tasks; Run() returns when the queue is empty and
// no task is running. The calling thread is worker 0.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>

namespace exhunt {

class WorkPool {
 public:
  using Task = std::function<void(unsigned worker)>;

  // threads == 0: one per core.
  explicit WorkPool(unsigned threads);
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  unsigned size() const { return threads_; }
  // Queues a task; `urgent` tasks run before those already queued.
  void Push(Task task, bool urgent = false);
  // Runs queued tasks (and those they push) on every worker until all are done.
  void Run();

 private:
  void Work(unsigned worker);

  unsigned threads_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> queue_;
  int active_ = 0;
};

}  // namespace exhunt
