// rgtest::Device on the emulated device (relgraph_emu_api.h).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "kernel_checks.h"
#include "relgraph_emu_api.h"

namespace rgtest {

struct EmuDevice : Device {
  long long alloc(std::size_t bytes) override {
    long long p = emu_malloc((long long)bytes);
    if (!p) throw std::runtime_error(emu_last_error());
    return p;
  }
  void release(long long p) override { emu_free(p); }
  void upload(long long dst, const void* src, std::size_t bytes) override {
    emu_memcpy(dst, (long long)(std::uintptr_t)src, (long long)bytes);
    check("upload");
  }
  void download(void* dst, long long src, std::size_t bytes) override {
    emu_memcpy((long long)(std::uintptr_t)dst, src, (long long)bytes);
    check("download");
  }
  void zero(long long dst, std::size_t bytes) override {
    emu_memset(dst, 0, (long long)bytes);
    check("memset");
  }
  void launch(const char* kernel, int gx, int gy, int gz, int bx, int by, int bz, int shared,
              const std::vector<long long>& args) override {
    if (emu_launch(kernel, gx, gy, gz, bx, by, bz, shared, args.data(), (int)args.size()) != 0)
      throw std::runtime_error(emu_last_error());
  }
  void sync() override {}

 private:
  static void check(const char* what) {
    std::string e = emu_last_error();
    if (!e.empty()) throw std::runtime_error(std::string(what) + ": " + e);
  }
};

}  // namespace rgtest
