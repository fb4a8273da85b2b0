// The emulated device: relgraph's kernel sources compiled with g++ against the emulation, a
// registry of the kernels made from their signatures, and the C API of relgraph_emu_api.h.
// Header-only so that the JavaCPP binding (EmuApi) and the native tests compile it the same way;
// include it in exactly one translation unit.
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <type_traits>
#include <utility>

#include "emu_cuda.h"
#include "relgraph_emu_api.h"
#include "relgraph_kernels.cu"

// Every kernel of relgraph_cuda.h. The registry takes each one's parameter types from its
// declaration, so a signature change needs no change here.
#define RG_EMU_KERNELS(X) \
  X(rg_bs_forward)        \
  X(rg_bs_backward_data)  \
  X(rg_bs_backward_weight) \
  X(rg_bn_relu_forward)   \
  X(rg_bn_relu_backward)  \
  X(rg_softmax_xent)      \
  X(rg_xent_accumulate)   \
  X(rg_add_bias)          \
  X(rg_bias_gradient)     \
  X(rg_sgd_step)          \
  X(rg_multiply)          \
  X(rg_gemm_ref)

namespace emu {

template <typename T>
inline const char* type_name() {
  if (std::is_same_v<T, int>) return "int";
  if (std::is_same_v<T, float>) return "float";
  if (std::is_same_v<T, long long>) return "long long";
  if (std::is_same_v<T, const int*>) return "const int*";
  if (std::is_same_v<T, int*>) return "int*";
  if (std::is_same_v<T, const float*>) return "const float*";
  if (std::is_same_v<T, float*>) return "float*";
  if (std::is_same_v<T, const long long*>) return "const long long*";
  if (std::is_same_v<T, long long*>) return "long long*";
  if (std::is_same_v<T, const double*>) return "const double*";
  if (std::is_same_v<T, double*>) return "double*";
  return "?";
}

template <typename T>
inline T unpack(long long slot) {
  if constexpr (std::is_pointer_v<T>) {
    return reinterpret_cast<T>(static_cast<std::uintptr_t>(slot));
  } else if constexpr (std::is_same_v<T, float>) {
    std::uint32_t bits = static_cast<std::uint32_t>(static_cast<std::uint64_t>(slot));
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
  } else if constexpr (std::is_same_v<T, int>) {
    return static_cast<int>(static_cast<std::uint32_t>(static_cast<std::uint64_t>(slot)));
  } else {
    static_assert(std::is_same_v<T, long long>, "kernel parameters: pointers, int, float, long long");
    return slot;
  }
}

struct KernelInfo {
  const char* name;
  int nargs;
  void (*invoke)(const long long*);
  std::string signature;
  std::vector<bool> isPointer;
};

template <auto F, typename... A, std::size_t... I>
inline void invoke_impl(void (*)(A...), const long long* args, std::index_sequence<I...>) {
  F(unpack<A>(args[I])...);
}

template <auto F, typename... A>
inline KernelInfo describe(const char* name, void (*)(A...)) {
  KernelInfo k;
  k.name = name;
  k.nargs = (int)sizeof...(A);
  k.invoke = [](const long long* args) {
    invoke_impl<F>(F, args, std::index_sequence_for<A...>{});
  };
  const char* names[] = {type_name<A>()..., ""};
  for (std::size_t i = 0; i < sizeof...(A); ++i) {
    if (i) k.signature += ",";
    k.signature += names[i];
  }
  k.isPointer = {std::is_pointer_v<A>...};
  return k;
}

inline const std::vector<KernelInfo>& registry() {
#define RG_EMU_DESCRIBE(f) describe<&f>(#f, &f),
  static const std::vector<KernelInfo> kernels = {RG_EMU_KERNELS(RG_EMU_DESCRIBE)};
#undef RG_EMU_DESCRIBE
  return kernels;
}

struct Device {
  std::mutex lock;
  std::map<std::uintptr_t, std::size_t> allocations;  // base -> bytes
  std::string lastError;
};

inline Device& device() {
  static Device d;
  return d;
}

/** The allocation holding address p, or allocations.end(). */
inline std::map<std::uintptr_t, std::size_t>::const_iterator find_allocation(
    const Device& d, std::uintptr_t p) {
  auto it = d.allocations.upper_bound(p);
  if (it == d.allocations.begin()) return d.allocations.end();
  --it;
  return p < it->first + it->second ? it : d.allocations.end();
}

constexpr long long kMaxSharedBytes = 227 * 1024;

}  // namespace emu

extern "C" {

inline long long emu_malloc(long long bytes) {
  emu::Device& d = emu::device();
  std::lock_guard<std::mutex> guard(d.lock);
  if (bytes <= 0) {
    d.lastError = "emu_malloc: " + std::to_string(bytes) + " bytes; need at least 1";
    return 0;
  }
  void* p = std::malloc((std::size_t)bytes);
  if (!p) {
    d.lastError = "emu_malloc: out of host memory for " + std::to_string(bytes) + " bytes";
    return 0;
  }
  std::memset(p, 0xFF, (std::size_t)bytes);
  d.allocations[(std::uintptr_t)p] = (std::size_t)bytes;
  d.lastError.clear();
  return (long long)(std::uintptr_t)p;
}

inline void emu_free(long long ptr) {
  emu::Device& d = emu::device();
  std::lock_guard<std::mutex> guard(d.lock);
  auto it = d.allocations.find((std::uintptr_t)ptr);
  if (it == d.allocations.end()) {
    d.lastError = "emu_free: " + std::to_string(ptr) + " is not an allocation of emu_malloc";
    return;
  }
  std::free((void*)it->first);
  d.allocations.erase(it);
  d.lastError.clear();
}

/** Checks that [p, p + bytes) fits its allocation when p lies in one (other memory is Java's). */
inline bool emu_range_ok(emu::Device& d, long long p, long long bytes, const char* what) {
  auto it = emu::find_allocation(d, (std::uintptr_t)p);
  if (it != d.allocations.end() && (std::uintptr_t)p + (std::uintptr_t)bytes > it->first + it->second) {
    d.lastError = std::string(what) + ": " + std::to_string(bytes) + " bytes at " +
                  std::to_string(p) + " run past the end of its allocation";
    return false;
  }
  return true;
}

inline void emu_memcpy(long long dst, long long src, long long bytes) {
  emu::Device& d = emu::device();
  std::lock_guard<std::mutex> guard(d.lock);
  if (bytes < 0 || (bytes > 0 && (!dst || !src))) {
    d.lastError = "emu_memcpy: null address or negative size";
    return;
  }
  if (!emu_range_ok(d, dst, bytes, "emu_memcpy destination") ||
      !emu_range_ok(d, src, bytes, "emu_memcpy source"))
    return;
  if (bytes) std::memmove((void*)(std::uintptr_t)dst, (const void*)(std::uintptr_t)src, (std::size_t)bytes);
  d.lastError.clear();
}

inline void emu_memset(long long dst, int value, long long bytes) {
  emu::Device& d = emu::device();
  std::lock_guard<std::mutex> guard(d.lock);
  if (bytes < 0 || (bytes > 0 && !dst)) {
    d.lastError = "emu_memset: null address or negative size";
    return;
  }
  if (!emu_range_ok(d, dst, bytes, "emu_memset")) return;
  if (bytes) std::memset((void*)(std::uintptr_t)dst, value, (std::size_t)bytes);
  d.lastError.clear();
}

inline int emu_launch(const char* kernel, int gx, int gy, int gz, int bx, int by, int bz,
                      int sharedBytes, const long long* args, int nargs) {
  emu::Device& d = emu::device();
  std::lock_guard<std::mutex> guard(d.lock);
  auto error = [&](const std::string& msg) {
    d.lastError = msg;
    return -1;
  };
  if (!kernel) return error("emu_launch: no kernel name");
  const emu::KernelInfo* k = nullptr;
  for (const auto& info : emu::registry())
    if (std::strcmp(info.name, kernel) == 0) k = &info;
  const std::string name = kernel;
  if (!k) return error("emu_launch: unknown kernel '" + name + "'");
  if (nargs != k->nargs)
    return error(name + ": " + std::to_string(nargs) + " arguments given, the kernel takes " +
                 std::to_string(k->nargs) + " (" + k->signature + ")");
  if (nargs > 0 && !args) return error(name + ": no argument array");
  if (gx < 1 || gy < 1 || gz < 1 || gy > 65535 || gz > 65535)
    return error(name + ": grid (" + std::to_string(gx) + ", " + std::to_string(gy) + ", " +
                 std::to_string(gz) + ") outside x in [1, 2^31 - 1], y and z in [1, 65535]");
  if (bx < 1 || by < 1 || bz < 1 || bx > 1024 || by > 1024 || bz > 64 ||
      (long long)bx * by * bz > 1024)
    return error(name + ": block (" + std::to_string(bx) + ", " + std::to_string(by) + ", " +
                 std::to_string(bz) + ") outside the limits (x, y <= 1024, z <= 64, at most " +
                 "1024 threads)");
  if (sharedBytes < 0 || sharedBytes > emu::kMaxSharedBytes)
    return error(name + ": " + std::to_string(sharedBytes) +
                 " bytes of dynamic shared memory outside [0, 227 KiB]");
  for (int i = 0; i < nargs; ++i) {
    if (k->isPointer[i] &&
        emu::find_allocation(d, (std::uintptr_t)args[i]) == d.allocations.end())
      return error(name + ": argument " + std::to_string(i) + " (" +
                   std::to_string(args[i]) + ") is not a device address");
  }
  emu::Runtime& g = emu::g;
  g.grid = dim3(gx, gy, gz);
  g.block = dim3(bx, by, bz);
  g.threads = bx * by * bz;
  g.dynBytes = (std::size_t)sharedBytes;
  if (g.dyn.size() < g.dynBytes) g.dyn.resize(g.dynBytes);
  g.body = k->invoke;
  g.args = args;
  g.failed = false;
  g.error.clear();
  for (int z = 0; z < gz; ++z)
    for (int y = 0; y < gy; ++y)
      for (int x = 0; x < gx; ++x) {
        g.bidx = uint3{(unsigned)x, (unsigned)y, (unsigned)z};
        if (!emu::run_block()) return error(name + ": " + g.error);
      }
  d.lastError.clear();
  return 0;
}

inline const char* emu_last_error() { return emu::device().lastError.c_str(); }

inline int emu_kernel_count() { return (int)emu::registry().size(); }

inline const char* emu_kernel_name(int i) {
  const auto& r = emu::registry();
  return i >= 0 && i < (int)r.size() ? r[i].name : "";
}

inline const char* emu_kernel_signature(const char* kernel) {
  if (!kernel) return "";
  for (const auto& info : emu::registry())
    if (std::strcmp(info.name, kernel) == 0) return info.signature.c_str();
  return "";
}

}  // extern "C"
