// TEST HOOKS. Compiled into the library so that relgraph's own tests can reach code paths no
// valid call reaches (a task that throws inside the pool) and see which compiled copy of the
// kernels ran. Not part of the API: nothing but tests calls them. Included by relgraph_kernels.h.
#pragma once

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include "relgraph_kernels.h"

namespace relgraph {

/**
 * Test hook: runs `threads` tasks on the pool, which wait for each other at a barrier so that
 * each worker (0 = the caller, 1 .. threads - 1 = helpers) runs exactly one. Then worker
 * `thrower` throws std::runtime_error("test hook: worker N threw") while the others sleep 20 ms
 * and count themselves finished (thrower -1: nobody throws, all finish). Returns the number
 * finished. If the
 * pool lets the exception out before every other task has finished, throws std::logic_error
 * instead: it unwound while helpers still ran.
 */
inline int test_throw_in_pool(int threads, int thrower) {
  RELGRAPH_CHECK(threads >= 2 && threads <= 64, "test hook: threads outside [2, 64]");
  RELGRAPH_CHECK(thrower >= -1 && thrower < threads, "test hook: thrower outside [-1, threads)");
  std::atomic<int> arrived{0};
  std::atomic<int> finished{0};
  try {
    Pool::instance().run(threads, threads, [&](int worker, int) {
      arrived.fetch_add(1);
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
      while (arrived.load() < threads) {
        if (std::chrono::steady_clock::now() > deadline) {
          throw std::runtime_error("test hook: the pool's workers never met");
        }
        std::this_thread::yield();
      }
      if (worker == thrower) {
        throw std::runtime_error("test hook: worker " + std::to_string(worker) + " threw");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      finished.fetch_add(1);
    });
  } catch (...) {
    if (finished.load() != threads - 1) {
      throw std::logic_error("test hook: the pool rethrew while " +
                             std::to_string(threads - 1 - finished.load()) +
                             " other task(s) still ran");
    }
    throw;
  }
  return finished.load();
}

/**
 * Test hook: the instruction set whose copy of the kernels ran last on this thread (0 portable,
 * 1 AVX2 + FMA, 2 AVX-512; -1 before any).
 */
inline int test_last_isa() { return last_isa; }

}  // namespace relgraph
