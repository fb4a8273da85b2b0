// A small fork-join pool for the kernels (the only threads they use). Its idle threads sleep after
// a short spin instead of spinning on, so the kernels and OpenBLAS's own threads do not steal the
// same cores from each other when a model mixes them.
//
// A task that throws never takes its thread down (an exception leaving a helper's thread function
// would call std::terminate and end the JVM): each task's exception is caught where it runs, the
// tasks not yet started are skipped, and the first exception is rethrown on the caller only after
// every helper has left the call, so nothing the tasks use is unwound while they still run.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <sched.h>
#include <thread>
#include <vector>

namespace relgraph {

class Pool {
 public:
  static Pool& instance() {
    static Pool pool;
    return pool;
  }

  /**
   * Runs body(worker, i) for every i in [0, count) on `threads` threads (the caller is worker 0,
   * helpers 1 .. threads - 1), handing out indices one at a time. Returns when all are done.
   * Calls are serialised. If a task throws, the tasks not yet started are skipped and the first
   * exception is rethrown here once every helper is done with this call.
   */
  void run(int threads, int count, const std::function<void(int, int)>& body) {
    if (threads <= 1 || count <= 1) {
      for (int i = 0; i < count; ++i) body(0, i);
      return;
    }
    std::lock_guard<std::mutex> serial(callMutex_);
    int helpers = threads - 1;
    grow(helpers);
    callerCpu_.store(sched_getcpu(), std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(m_);
      body_ = &body;
      count_ = count;
      next_.store(0);
      active_ = helpers;
      remaining_.store(helpers);
      failed_.store(false);
      ++generation_;
    }
    cv_.notify_all();
    work(0);
    // Wait for the helpers: spin briefly, yielding (a helper may share this core), then sleep.
    auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(50);
    while (remaining_.load(std::memory_order_acquire) > 0) {
      std::this_thread::yield();
      if (std::chrono::steady_clock::now() > until) {
        std::unique_lock<std::mutex> lock(m_);
        done_.wait(lock, [&] { return remaining_.load() == 0; });
        break;
      }
    }
    body_ = nullptr;
    if (failed_.load(std::memory_order_acquire)) {
      std::exception_ptr error;
      {
        std::lock_guard<std::mutex> lock(errorMutex_);
        error.swap(error_);
      }
      std::rethrow_exception(error);
    }
  }

  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(m_);
      stop_.store(true);
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
  }

 private:
  Pool() = default;

  void grow(int helpers) {
    while ((int)workers_.size() < helpers) {
      int id = (int)workers_.size() + 1;
      workers_.emplace_back([this, id] { loop(id); });
    }
  }

  void work(int worker) {
    const std::function<void(int, int)>& body = *body_;
    for (int i = next_.fetch_add(1); i < count_; i = next_.fetch_add(1)) {
      if (failed_.load(std::memory_order_relaxed)) break;
      try {
        body(worker, i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(errorMutex_);
        if (!error_) error_ = std::current_exception();
        failed_.store(true, std::memory_order_release);
      }
    }
  }

  void loop(int id) {
    long seen = 0;
    while (true) {
      // Spin briefly for a back-to-back call, then sleep. A helper that finds itself on the
      // caller's core sleeps at once: the scheduler places a woken thread on an idle core,
      // whereas a spinning one can stay stuck beside the caller for many calls.
      auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(50);
      while (generation_.load(std::memory_order_acquire) == seen && !stop_ &&
             sched_getcpu() != callerCpu_.load(std::memory_order_relaxed) &&
             std::chrono::steady_clock::now() < until) {
        __builtin_ia32_pause();
      }
      {
        std::unique_lock<std::mutex> lock(m_);
        cv_.wait(lock, [&] { return stop_ || generation_.load() != seen; });
        if (stop_) return;
        seen = generation_.load();
        if (id > active_) continue;  // not needed for this call
      }
      work(id);
      if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> lock(m_);
        done_.notify_all();
      }
    }
  }

  std::mutex callMutex_;
  std::mutex m_;
  std::mutex errorMutex_;
  std::exception_ptr error_;  // the first exception of this call, under errorMutex_
  std::atomic<bool> failed_{false};
  std::condition_variable cv_;
  std::condition_variable done_;
  std::vector<std::thread> workers_;
  const std::function<void(int, int)>* body_ = nullptr;
  int count_ = 0;
  int active_ = 0;
  std::atomic<int> next_{0};
  std::atomic<int> remaining_{0};
  std::atomic<long> generation_{0};
  std::atomic<bool> stop_{false};
  std::atomic<int> callerCpu_{-1};
};

/** Runs body(first, last) over [0, n) in chunks of `chunk` on `threads` threads. */
template <typename Body>
inline void for_chunks(int threads, long long n, long long chunk, const Body& body) {
  int chunks = (int)((n + chunk - 1) / chunk);
  Pool::instance().run(threads, chunks, [&](int, int c) {
    long long first = (long long)c * chunk;
    long long last = first + chunk < n ? first + chunk : n;
    body(first, last);
  });
}

/** Channels per task: about 16k values, at least one channel. */
inline long long channel_chunk(int batch) {
  long long c = 16384 / (batch > 0 ? batch : 1);
  return c < 1 ? 1 : c;
}

}  // namespace relgraph
