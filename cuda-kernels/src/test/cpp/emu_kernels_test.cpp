// The emulated kernels against float64 references (kernel_checks.h), the emulation's own
// semantics (barriers, shuffles, votes, shared memory, atomics) and the C API's validation.
// Built and run by the Maven build (EmuNativeTest) with -fsanitize=address,undefined.
// Usage: emu_kernels_test [--full] [--seed N]
#include "relgraph_emu.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "emu_device.h"

using rgtest::expect;

namespace {

// ---- The emulation itself, through run_block with bodies of our own -------------------------

int g_out[1024];
float g_outf[1024];

void run(void (*body)(const long long*), int threads, const char* what, bool expectOk = true) {
  emu::g.grid = dim3(1, 1, 1);
  emu::g.block = dim3(threads, 1, 1);
  emu::g.bidx = uint3{0, 0, 0};
  emu::g.threads = threads;
  emu::g.dynBytes = 0;
  emu::g.body = body;
  emu::g.args = nullptr;
  emu::g.failed = false;
  emu::g.error.clear();
  bool ok = emu::run_block();
  expect(ok == expectOk, std::string(what) + (ok ? "" : ": " + emu::g.error));
}

void body_barrier(const long long*) {
  __shared__ int s[256];
  const int t = threadIdx.x;
  s[t] = t;
  __syncthreads();
  g_out[t] = s[(t + 1) % blockDim.x];  // written by another thread before the barrier
}

void body_reduce(const long long*) {
  float v = (float)threadIdx.x;
  for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
  int x = (int)threadIdx.x;
  x = __shfl_xor_sync(0xffffffffu, x, 1);
  int up = __shfl_up_sync(0xffffffffu, (int)threadIdx.x, 2);
  int src = __shfl_sync(0xffffffffu, (int)threadIdx.x * 10, 3);
  unsigned ballot = __ballot_sync(0xffffffffu, threadIdx.x % 2 == 0);
  int all = __all_sync(0xffffffffu, threadIdx.x < 1000);
  int any = __any_sync(0xffffffffu, threadIdx.x == 5);
  double dv = __shfl_down_sync(0xffffffffu, (double)threadIdx.x + 0.5, 1);
  const int t = threadIdx.x;
  g_outf[t] = v;
  g_out[t] = x * 1000000 + up * 1000 + src;
  if (t == 0 && !(ballot == 0x55555555u && all && any && dv == 1.5)) g_out[t] = -1;
}

void body_atomic(const long long*) {
  __shared__ int count;
  __shared__ float sum;
  if (threadIdx.x == 0) {
    count = 0;
    sum = 0;
  }
  __syncthreads();
  atomicAdd(&count, 1);
  atomicAdd(&sum, 0.5f);
  __syncthreads();
  if (threadIdx.x == 0) {
    g_out[0] = count;
    g_outf[0] = sum;
  }
}

void body_divergent_barrier(const long long*) {
  if (threadIdx.x < 5) return;
  __syncthreads();
}

void body_partial_warp(const long long*) {
  // Lane 7 never joins the shuffle: the warp operation can never complete.
  if (threadIdx.x == 7) return;
  (void)__shfl_sync(0xffffffffu, 1, 0);
}

void check_emulation() {
  run(body_barrier, 256, "barrier");
  bool ok = true;
  for (int t = 0; t < 256; ++t) ok &= g_out[t] == (t + 1) % 256;
  expect(ok, "__syncthreads makes other threads' shared writes visible");

  run(body_reduce, 64, "warp operations");
  ok = g_out[0] != -1;
  for (int w = 0; w < 2; ++w) {
    ok &= g_outf[w * 32] == (float)(32 * w * 32 + 496);  // sum of the warp's thread indices
    for (int l = 0; l < 32; ++l) {
      const int t = w * 32 + l;
      const int up = l >= 2 ? t - 2 : t;
      if (t != 0) ok &= g_out[t] == (t ^ 1) * 1000000 + up * 1000 + (w * 32 + 3) * 10;
    }
  }
  expect(ok, "shuffles (down, xor, up, indexed, double) and votes");

  run(body_atomic, 96, "atomics");
  expect(g_out[0] == 96 && g_outf[0] == 48.f, "atomicAdd on shared int and float");

  run(body_divergent_barrier, 64, "a barrier some threads skip fails", false);
  expect(emu::g.error.find("__syncthreads reached by 59 of 64") != std::string::npos,
         "the divergent barrier names its counts: " + emu::g.error);
  run(body_partial_warp, 32, "a shuffle without all its lanes fails", false);
  expect(!emu::g.error.empty(), "a deadlocked warp operation is reported");
  run(body_barrier, 256, "the emulation runs again after failed blocks");
}

// ---- The C API's validation ---------------------------------------------------------------------

void check_api() {
  expect(emu_kernel_count() == 12, "12 kernels registered");
  bool named = true;
  for (int i = 0; i < emu_kernel_count(); ++i)
    named &= std::string(emu_kernel_name(i)).rfind("rg_", 0) == 0;
  expect(named && std::string(emu_kernel_name(99)).empty(), "kernel names");
  expect(std::string(emu_kernel_signature("rg_multiply")) ==
             "long long,const float*,const float*,float*",
         std::string("signature from the declaration: ") + emu_kernel_signature("rg_multiply"));

  long long a = emu_malloc(256 * 4), b = emu_malloc(256 * 4);
  expect(a && b, "emu_malloc");
  float host[256];
  for (int i = 0; i < 256; ++i) host[i] = (float)i;
  emu_memcpy(a, (long long)(std::uintptr_t)host, sizeof host);
  emu_memset(b, 0, 256 * 4);
  long long args[4] = {256, a, a, b};
  expect(emu_launch("rg_multiply", 1, 1, 1, 256, 1, 1, 0, args, 4) == 0, "a good launch");
  emu_memcpy((long long)(std::uintptr_t)host, b, sizeof host);
  expect(host[255] == 255.f * 255.f && std::string(emu_last_error()).empty(), "its result");

  auto fails = [&](int rc, const char* needle, const char* what) {
    const std::string e = emu_last_error();
    expect(rc != 0 && e.find(needle) != std::string::npos, std::string(what) + ": '" + e + "'");
  };
  fails(emu_launch("rg_nothing", 1, 1, 1, 256, 1, 1, 0, args, 4), "unknown kernel", "unknown kernel");
  fails(emu_launch(nullptr, 1, 1, 1, 256, 1, 1, 0, args, 4), "no kernel name", "null name");
  fails(emu_launch("rg_multiply", 1, 1, 1, 256, 1, 1, 0, args, 3), "3 arguments given", "nargs");
  fails(emu_launch("rg_multiply", 0, 1, 1, 256, 1, 1, 0, args, 4), "grid", "empty grid");
  fails(emu_launch("rg_multiply", 1, 70000, 1, 256, 1, 1, 0, args, 4), "grid", "grid.y too big");
  fails(emu_launch("rg_multiply", 1, 1, 1, 2048, 1, 1, 0, args, 4), "block", "2048 threads");
  fails(emu_launch("rg_multiply", 1, 1, 1, 64, 32, 1, 0, args, 4), "block", "64 x 32 threads");
  fails(emu_launch("rg_multiply", 1, 1, 1, 256, 1, 1, 228 * 1024, args, 4), "shared memory",
        "shared memory over 227 KiB");
  fails(emu_launch("rg_multiply", 1, 1, 1, 256, 1, 1, -1, args, 4), "shared memory",
        "negative shared memory");
  long long bad[4] = {256, a, 12345, b};
  fails(emu_launch("rg_multiply", 1, 1, 1, 256, 1, 1, 0, bad, 4), "argument 2", "not a device address");
  fails(emu_launch("rg_multiply", 1, 1, 1, 128, 1, 1, 0, args, 4), "blockDim must be",
        "the kernel's own geometry check");
  fails(emu_launch("rg_multiply", 1, 1, 1, 256, 1, 1, 0, nullptr, 4), "no argument array",
        "null args");
  // Backward-data refuses too little dynamic shared memory (it would index past it).
  std::mt19937_64 rng(1);
  rgtest::EmuDevice dev;
  rgtest::HostLayout L({4, 4, 4}, {4, 4, 4}, rgtest::pattern("complete", 3, 1, rng));
  rgtest::DevLayout dl(dev, L);
  rgtest::Buf<float> w(dev, L.weights), y(dev, 12), x(dev, 12);
  fails(emu_launch("rg_bs_backward_data", 1, 3, 1, 256, 1, 1, 4 * 3,
                   std::vector<long long>{3, 1, dl.outOff.ptr, dl.inOff.ptr, dl.tPtr.ptr,
                                          dl.tBlock.ptr, dl.blockRow.ptr, dl.blockCol.ptr,
                                          dl.rowBase.ptr, dl.rowK.ptr, w.ptr, y.ptr, x.ptr}
                       .data(),
                   13),
        "dynamic shared memory below", "backward-data with too little shared memory");
  emu_free(a);
  emu_free(b);
  emu_free(a);
  expect(std::string(emu_last_error()).find("not an allocation") != std::string::npos,
         "double free reported");
  expect(emu_malloc(0) == 0 && emu_malloc(-5) == 0, "emu_malloc of no bytes fails");
  long long c = emu_malloc(16);
  emu_memset(c, 0, 32);
  expect(std::string(emu_last_error()).find("past the end") != std::string::npos,
         "memset past an allocation refused");
  emu_free(c);
}

}  // namespace

int main(int argc, char** argv) {
  bool full = false;
  unsigned long long seed = 20261130;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--full") full = true;
    else if (a == "--seed" && i + 1 < argc) seed = std::strtoull(argv[++i], nullptr, 10);
    else {
      std::fprintf(stderr, "usage: emu_kernels_test [--full] [--seed N]\n");
      return 2;
    }
  }
  std::printf("seed %llu%s\n", seed, full ? ", full shapes" : "");
  try {
    check_emulation();
    check_api();
    rgtest::EmuDevice dev;
    return rgtest::run_all(dev, full, seed);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "FAIL: %s\n", e.what());
    return 1;
  }
}
