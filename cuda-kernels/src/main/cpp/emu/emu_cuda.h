// A small emulation of CUDA's execution model for g++, so that the kernel sources
// (src/main/cuda/*.cu) run on the CPU in tests: the same source compiles with nvcc for the GPU.
//
// What it covers:
//   - dim3, uint3, gridDim, blockDim, blockIdx, threadIdx;
//   - the threads of a block as cooperative fibers (a hand-rolled x86-64 context switch, ucontext
//     elsewhere) with real __syncthreads barriers: a barrier releases only when every thread of
//     the block has reached it; a thread that has exited while others wait is an error, as is a
//     deadlock;
//   - __shared__ variables (function-scope statics: blocks run one after another, so each block
//     sees its own storage, uninitialised as on a GPU) and dynamic shared memory
//     (RG_DYNAMIC_SHARED), poisoned with 0xFF bytes before each block;
//   - warp shuffles (__shfl_sync, __shfl_up_sync, __shfl_down_sync, __shfl_xor_sync) and votes
//     (__all_sync, __any_sync, __ballot_sync, __syncwarp) through a per-warp exchange with a warp
//     barrier; a lane outside the mask, or a missing lane, is an error;
//   - atomics (atomicAdd for int, unsigned, float, double; atomicMax, atomicExch, atomicCAS):
//     fibers switch only at barriers, so a read-modify-write is atomic.
// Launches are serialised by the caller (relgraph_emu_impl.h); blocks run in grid order.
//
// Not emulated: memory spaces (every pointer is a host pointer), timing, streams, warp-synchronous
// code without *_sync (wrong on a GPU anyway), and concurrent blocks (races between blocks are for
// compute-sanitizer on a GPU).
#pragma once

#include <math.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#define EMU_ASAN 1
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#else
#define EMU_ASAN 0
#endif

#if !defined(__x86_64__)
#include <ucontext.h>
#endif

#include <sys/mman.h>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __noinline__ __attribute__((noinline))
#define __restrict__ __restrict
#define __launch_bounds__(...)
#define __shared__ static

namespace emu {

struct uint3 {
  unsigned x, y, z;
};

struct dim3 {
  unsigned x, y, z;
  constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};

enum class State { Ready, WaitBlock, WaitWarp, Done };

struct Fiber {
  void* sp = nullptr;  // saved stack pointer (x86-64) while switched out
#if !defined(__x86_64__)
  ucontext_t ctx;
#endif
  char* stack = nullptr;
  std::size_t stackSize = 0;
  uint3 tid{0, 0, 0};
  int lane = 0, warp = 0;
  State state = State::Ready;
  unsigned warpMask = 0;
  unsigned long long xchg = 0;  // this lane's slot in the warp exchange
  void* asanFake = nullptr;
};

/** The state of the running launch. One at a time (the API holds a lock). */
struct Runtime {
  dim3 grid, block;
  uint3 bidx{0, 0, 0};
  std::vector<Fiber> fibers;
  int threads = 0;
  Fiber* cur = nullptr;
  void* schedSp = nullptr;
#if !defined(__x86_64__)
  ucontext_t schedCtx;
#endif
  const void* schedBottom = nullptr;
  std::size_t schedSize = 0;
  std::vector<unsigned char> dyn;  // dynamic shared memory of the block
  std::size_t dynBytes = 0;
  void (*body)(const long long*) = nullptr;  // the kernel, unpacking its arguments
  const long long* args = nullptr;
  bool failed = false;
  std::string error;
  bool stacksDirty = false;  // a block was abandoned: its fibers' stacks hold stale frames
};

inline Runtime g;

/** Records the first error of a launch; the block is abandoned at the next switch. */
inline void fail(const std::string& msg) {
  if (!g.failed) {
    g.failed = true;
    g.error = msg;
  }
}

inline void* dynamic_shared() { return g.dyn.data(); }
inline unsigned dynamic_shared_bytes() { return (unsigned)g.dynBytes; }

}  // namespace emu

#if defined(__x86_64__)
// emu_ctx_switch(void** save, void* to): saves the callee-saved registers on the current stack,
// stores the stack pointer in *save, switches to `to` and restores the registers saved there.
extern "C" void emu_ctx_switch(void** save, void* to);
asm(R"(
  .pushsection .text
  .globl emu_ctx_switch
  .hidden emu_ctx_switch
  .type emu_ctx_switch, @function
emu_ctx_switch:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  subq $8, %rsp
  stmxcsr (%rsp)
  fnstcw 4(%rsp)
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  ldmxcsr (%rsp)
  fldcw 4(%rsp)
  addq $8, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
  .size emu_ctx_switch, .-emu_ctx_switch
  .popsection
)");
#endif

namespace emu {

inline void asan_start(void** fake, const void* bottom, std::size_t size) {
#if EMU_ASAN
  __sanitizer_start_switch_fiber(fake, bottom, size);
#else
  (void)fake, (void)bottom, (void)size;
#endif
}

inline void asan_finish(void* fake, const void** bottom, std::size_t* size) {
#if EMU_ASAN
  __sanitizer_finish_switch_fiber(fake, bottom, size);
#else
  (void)fake, (void)bottom, (void)size;
#endif
}

/** From a fiber back to the scheduler; returns when the scheduler resumes this fiber. */
inline void yield() {
  Fiber* f = g.cur;
  asan_start(&f->asanFake, g.schedBottom, g.schedSize);
#if defined(__x86_64__)
  emu_ctx_switch(&f->sp, g.schedSp);
#else
  swapcontext(&f->ctx, &g.schedCtx);
#endif
  asan_finish(f->asanFake, &g.schedBottom, &g.schedSize);
}

[[noreturn]] inline void fiber_main() {
  asan_finish(nullptr, &g.schedBottom, &g.schedSize);
  g.body(g.args);
  Fiber* f = g.cur;
  f->state = State::Done;
  asan_start(nullptr, g.schedBottom, g.schedSize);
#if defined(__x86_64__)
  emu_ctx_switch(&f->sp, g.schedSp);
#else
  swapcontext(&f->ctx, &g.schedCtx);
#endif
  __builtin_trap();
}

constexpr std::size_t kStackBytes = 256 * 1024;

/** Prepares fiber f to start at fiber_main on its own stack. */
inline bool prepare(Fiber& f) {
  if (!f.stack) {
    void* p = mmap(nullptr, kStackBytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return false;
    f.stack = (char*)p;
    f.stackSize = kStackBytes;
  }
#if EMU_ASAN
  if (g.stacksDirty) __asan_unpoison_memory_region(f.stack, f.stackSize);
#endif
#if defined(__x86_64__)
  // Top of stack: a zero return address for fiber_main, fiber_main itself (popped by ret), the
  // six callee-saved registers and the saved MXCSR / x87 control words emu_ctx_switch restores.
  auto* top = (std::uintptr_t*)((((std::uintptr_t)(f.stack + f.stackSize)) & ~(std::uintptr_t)15));
  top[-1] = 0;
  top[-2] = (std::uintptr_t)&fiber_main;
  for (int i = 3; i <= 8; ++i) top[-i] = 0;
  unsigned mxcsr = 0;
  unsigned short fpucw = 0;
  asm volatile("stmxcsr %0" : "=m"(mxcsr));
  asm volatile("fnstcw %0" : "=m"(fpucw));
  const std::uint64_t csr = mxcsr | (std::uint64_t)fpucw << 32;
  std::memcpy(&top[-9], &csr, 8);
  f.sp = &top[-9];
#else
  getcontext(&f.ctx);
  f.ctx.uc_stack.ss_sp = f.stack;
  f.ctx.uc_stack.ss_size = f.stackSize;
  f.ctx.uc_link = nullptr;
  makecontext(&f.ctx, (void (*)())fiber_main, 0);
#endif
  return true;
}

/** From the scheduler into fiber f until it yields or finishes. */
inline void resume(Fiber& f) {
  g.cur = &f;
  void* fake = nullptr;
  asan_start(&fake, f.stack, f.stackSize);
#if defined(__x86_64__)
  emu_ctx_switch(&g.schedSp, f.sp);
#else
  swapcontext(&g.schedCtx, &f.ctx);
#endif
  asan_finish(fake, nullptr, nullptr);
  g.cur = nullptr;
}

inline std::string block_name() {
  return "block (" + std::to_string(g.bidx.x) + ", " + std::to_string(g.bidx.y) + ", " +
         std::to_string(g.bidx.z) + ")";
}

/**
 * Runs the current block (g.bidx) to completion: every fiber until it waits or ends, then
 * releases complete warp barriers, else the block barrier. False with g.error on a failure.
 */
inline bool run_block() {
  const int n = g.threads;
  if ((int)g.fibers.size() < n) g.fibers.resize(n);
  for (int i = 0; i < n; ++i) {
    Fiber& f = g.fibers[i];
    f.tid = uint3{(unsigned)(i % g.block.x), (unsigned)((i / g.block.x) % g.block.y),
                  (unsigned)(i / (g.block.x * g.block.y))};
    f.lane = i & 31;
    f.warp = i >> 5;
    f.state = State::Ready;
    f.warpMask = 0;
    if (!prepare(f)) {
      fail("cannot map a stack for thread " + std::to_string(i));
      return false;
    }
  }
  g.stacksDirty = false;
  if (g.dynBytes) std::memset(g.dyn.data(), 0xFF, g.dynBytes);
  int done = 0;
  for (;;) {
    for (int i = 0; i < n; ++i) {
      Fiber& f = g.fibers[i];
      if (f.state != State::Ready) continue;
      resume(f);
      if (f.state == State::Done) ++done;
      if (g.failed) {
        g.stacksDirty = true;
        g.error = block_name() + ", thread " + std::to_string(i) + ": " + g.error;
        return false;
      }
    }
    if (done == n) return true;
    // Warp barriers whose lanes have all arrived.
    bool released = false;
    const int warps = (n + 31) / 32;
    for (int w = 0; w < warps; ++w) {
      const int l0 = w * 32, l1 = (w + 1) * 32 < n ? (w + 1) * 32 : n;
      unsigned waiting = 0, mask = 0, exists = 0;
      bool mixed = false;
      for (int i = l0; i < l1; ++i) {
        exists |= 1u << (i - l0);
        if (g.fibers[i].state == State::WaitWarp) {
          if (waiting && g.fibers[i].warpMask != mask) mixed = true;
          mask = g.fibers[i].warpMask;
          waiting |= 1u << (i - l0);
        }
      }
      if (!waiting) continue;
      if (mixed) {
        g.error = block_name() + ", warp " + std::to_string(w) +
                  ": lanes wait in warp operations with different masks";
        g.failed = true;
        g.stacksDirty = true;
        return false;
      }
      if ((mask & exists) == waiting) {
        for (int i = l0; i < l1; ++i)
          if (waiting & (1u << (i - l0))) g.fibers[i].state = State::Ready;
        released = true;
      }
    }
    if (released) continue;
    int atBlock = 0;
    for (int i = 0; i < n; ++i) atBlock += g.fibers[i].state == State::WaitBlock;
    if (atBlock == n - done && done == 0) {
      for (int i = 0; i < n; ++i) g.fibers[i].state = State::Ready;
      continue;
    }
    g.failed = true;
    g.stacksDirty = true;
    if (atBlock == n - done) {
      g.error = block_name() + ": __syncthreads reached by " + std::to_string(atBlock) + " of " +
                std::to_string(n) + " threads; the others have exited";
    } else {
      g.error = block_name() + ": deadlock: " + std::to_string(atBlock) +
                " threads wait at __syncthreads, " + std::to_string(n - done - atBlock) +
                " in warp operations whose lanes never all arrive";
    }
    return false;
  }
}

inline Fiber& self() { return *g.cur; }

inline void syncthreads() {
  self().state = State::WaitBlock;
  yield();
}

inline void warp_barrier(unsigned mask) {
  Fiber& f = self();
  if (!(mask & (1u << f.lane))) {
    fail("warp operation with a mask that leaves out the calling lane " +
         std::to_string(f.lane));
    yield();
    return;
  }
  f.warpMask = mask;
  f.state = State::WaitWarp;
  yield();
}

/** Every lane in mask publishes v, then reads lane src's value (its own when src < 0). */
template <typename T>
inline T exchange(unsigned mask, T v, int src) {
  static_assert(sizeof(T) <= 8, "a shuffle moves at most 8 bytes");
  Fiber& f = self();
  f.xchg = 0;
  std::memcpy(&f.xchg, &v, sizeof(T));
  warp_barrier(mask);
  T r = v;
  if (src >= 0 && !g.failed) {
    const int idx = f.warp * 32 + src;
    if (idx >= g.threads || !(mask & (1u << src))) {
      fail("shuffle from lane " + std::to_string(src) + ", outside the mask or the block");
    } else {
      std::memcpy(&r, &g.fibers[idx].xchg, sizeof(T));
    }
  }
  warp_barrier(mask);  // nobody overwrites a slot before every lane has read
  return r;
}

inline int seg_base(int lane, int width) { return lane & ~(width - 1); }

template <typename T>
inline T shfl(unsigned mask, T v, int srcLane, int width = 32) {
  const int lane = self().lane;
  return exchange(mask, v, seg_base(lane, width) + (srcLane & (width - 1)));
}

template <typename T>
inline T shfl_up(unsigned mask, T v, unsigned delta, int width = 32) {
  const int lane = self().lane;
  const int src = lane - (int)delta;
  return exchange(mask, v, src < seg_base(lane, width) ? -1 : src);
}

template <typename T>
inline T shfl_down(unsigned mask, T v, unsigned delta, int width = 32) {
  const int lane = self().lane;
  const int src = lane + (int)delta;
  return exchange(mask, v, src >= seg_base(lane, width) + width ? -1 : src);
}

template <typename T>
inline T shfl_xor(unsigned mask, T v, int laneMask, int width = 32) {
  const int lane = self().lane;
  const int src = lane ^ laneMask;
  return exchange(mask, v, src >= seg_base(lane, width) + width ? -1 : src);
}

inline unsigned ballot(unsigned mask, int pred) {
  Fiber& f = self();
  f.xchg = pred ? 1 : 0;
  warp_barrier(mask);
  unsigned r = 0;
  for (int l = 0; l < 32; ++l) {
    const int idx = f.warp * 32 + l;
    if ((mask & (1u << l)) && idx < g.threads && g.fibers[idx].xchg) r |= 1u << l;
  }
  warp_barrier(mask);
  return r;
}

}  // namespace emu

using emu::dim3;
using emu::uint3;

#define gridDim (::emu::g.grid)
#define blockDim (::emu::g.block)
#define blockIdx (::emu::g.bidx)
#define threadIdx (::emu::g.cur->tid)
#define warpSize 32

inline void __syncthreads() { ::emu::syncthreads(); }
inline void __syncwarp(unsigned mask = 0xffffffffu) { ::emu::warp_barrier(mask); }
inline void __threadfence() {}
inline void __threadfence_block() {}

template <typename T>
inline T __shfl_sync(unsigned mask, T v, int srcLane, int width = 32) {
  return ::emu::shfl(mask, v, srcLane, width);
}
template <typename T>
inline T __shfl_up_sync(unsigned mask, T v, unsigned delta, int width = 32) {
  return ::emu::shfl_up(mask, v, delta, width);
}
template <typename T>
inline T __shfl_down_sync(unsigned mask, T v, unsigned delta, int width = 32) {
  return ::emu::shfl_down(mask, v, delta, width);
}
template <typename T>
inline T __shfl_xor_sync(unsigned mask, T v, int laneMask, int width = 32) {
  return ::emu::shfl_xor(mask, v, laneMask, width);
}
inline unsigned __ballot_sync(unsigned mask, int pred) { return ::emu::ballot(mask, pred); }
inline int __all_sync(unsigned mask, int pred) {
  return ::emu::ballot(mask, pred) == (::emu::ballot(mask, 1));
}
inline int __any_sync(unsigned mask, int pred) { return ::emu::ballot(mask, pred) != 0; }

template <typename T>
inline T atomicAdd(T* p, T v) {
  T old = *p;
  *p = old + v;
  return old;
}
template <typename T>
inline T atomicMax(T* p, T v) {
  T old = *p;
  if (v > old) *p = v;
  return old;
}
template <typename T>
inline T atomicExch(T* p, T v) {
  T old = *p;
  *p = v;
  return old;
}
template <typename T>
inline T atomicCAS(T* p, T compare, T v) {
  T old = *p;
  if (old == compare) *p = v;
  return old;
}

template <typename T>
inline T __ldg(const T* p) {
  return *p;
}
inline float __fmaf_rn(float a, float b, float c) { return fmaf(a, b, c); }
inline double rsqrt(double x) { return 1.0 / sqrt(x); }
inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }
