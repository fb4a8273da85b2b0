// The GPU harness of gpu-check.sh: the kernel checks of kernel_checks.h on a GPU (the fatbin
// built from the same sources, loaded and launched by name through the driver API as the Java
// backend does), and the timings of the block-sparse products against cuBLAS (dense at the same
// width, dense at width 512, masked: W ⊙ M then a dense product) and cuSPARSE BSR.
//
//   gpu_harness check FATBIN [--small] [--seed N]   every kernel against float64 references
//   gpu_harness bench FATBIN OUTDIR [--quick|--tiny] timings: OUTDIR/harness.csv
//
// Compiled by nvcc on the GPU machine (-lcuda -lcublas -lcusparse). With -DRG_HARNESS_EMU it
// compiles with g++ against the emulation instead (timings stubbed), so that the build checks
// that it compiles.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#ifdef RG_HARNESS_EMU
#include "relgraph_emu.h"
#include "emu_device.h"
#else
#include <cublas_v2.h>
#include <cuda.h>
#include <cusparse.h>
#endif
#include "kernel_checks.h"

namespace {

using rgtest::Buf;
using rgtest::Device;
using rgtest::slot;

#ifndef RG_HARNESS_EMU

void cu(CUresult r, const char* what) {
  if (r != CUDA_SUCCESS) {
    const char* s = nullptr;
    cuGetErrorString(r, &s);
    throw std::runtime_error(std::string(what) + ": " + (s ? s : "unknown CUDA error"));
  }
}

void blas(cublasStatus_t s, const char* what) {
  if (s != CUBLAS_STATUS_SUCCESS)
    throw std::runtime_error(std::string(what) + ": cuBLAS status " + std::to_string((int)s));
}

void sparse(cusparseStatus_t s, const char* what) {
  if (s != CUSPARSE_STATUS_SUCCESS)
    throw std::runtime_error(std::string(what) + ": " + cusparseGetErrorString(s));
}

/** The GPU through the driver API: the fatbin's kernels by name, as the Java backend runs them. */
struct CudaDevice : Device {
  CUdevice dev;
  CUcontext ctx;
  CUmodule mod;
  std::map<std::string, CUfunction> fns;
  bool syncEach;

  CudaDevice(const std::string& fatbin, bool syncEachLaunch) : syncEach(syncEachLaunch) {
    cu(cuInit(0), "cuInit");
    cu(cuDeviceGet(&dev, 0), "cuDeviceGet");
    cu(cuDevicePrimaryCtxRetain(&ctx, dev), "cuDevicePrimaryCtxRetain");
    cu(cuCtxSetCurrent(ctx), "cuCtxSetCurrent");
    std::ifstream in(fatbin, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + fatbin);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    cu(cuModuleLoadData(&mod, bytes.data()), "cuModuleLoadData");
  }
  std::string name() {
    char buf[256];
    cuDeviceGetName(buf, sizeof buf, dev);
    int drv = 0;
    cuDriverGetVersion(&drv);
    return std::string(buf) + ", driver API " + std::to_string(drv / 1000) + "." +
           std::to_string(drv % 1000 / 10);
  }
  long long alloc(std::size_t bytes) override {
    CUdeviceptr p;
    cu(cuMemAlloc(&p, std::max<std::size_t>(bytes, 1)), "cuMemAlloc");
    cu(cuMemsetD8(p, 0xFF, std::max<std::size_t>(bytes, 1)), "cuMemsetD8");
    return (long long)p;
  }
  void release(long long p) override { cuMemFree((CUdeviceptr)p); }
  void upload(long long dst, const void* src, std::size_t bytes) override {
    cu(cuMemcpyHtoD((CUdeviceptr)dst, src, bytes), "cuMemcpyHtoD");
  }
  void download(void* dst, long long src, std::size_t bytes) override {
    cu(cuMemcpyDtoH(dst, (CUdeviceptr)src, bytes), "cuMemcpyDtoH");
  }
  void zero(long long dst, std::size_t bytes) override {
    cu(cuMemsetD8((CUdeviceptr)dst, 0, bytes), "cuMemsetD8");
  }
  void launch(const char* kernel, int gx, int gy, int gz, int bx, int by, int bz, int shared,
              const std::vector<long long>& args) override {
    auto it = fns.find(kernel);
    if (it == fns.end()) {
      CUfunction f;
      cu(cuModuleGetFunction(&f, mod, kernel), kernel);
      it = fns.emplace(kernel, f).first;
    }
    // Each parameter's value starts at its slot: an int or float in the low half (little
    // endian), a pointer or long long in all of it.
    std::vector<long long> slots(args);
    std::vector<void*> params(slots.size());
    for (std::size_t i = 0; i < slots.size(); ++i) params[i] = &slots[i];
    cu(cuLaunchKernel(it->second, gx, gy, gz, bx, by, bz, shared, nullptr, params.data(),
                      nullptr),
       kernel);
    if (syncEach) cu(cuCtxSynchronize(), kernel);
  }
  void sync() override { cu(cuCtxSynchronize(), "cuCtxSynchronize"); }
};

/** Median of `reps` timed runs (CUDA events around each), after `warm` untimed ones, in ms. */
double median_ms(const std::function<void()>& f, int reps = 50, int warm = 3) {
  for (int i = 0; i < warm; ++i) f();
  CUevent a, b;
  cu(cuEventCreate(&a, CU_EVENT_DEFAULT), "cuEventCreate");
  cu(cuEventCreate(&b, CU_EVENT_DEFAULT), "cuEventCreate");
  std::vector<float> t(reps);
  for (int i = 0; i < reps; ++i) {
    cu(cuEventRecord(a, nullptr), "cuEventRecord");
    f();
    cu(cuEventRecord(b, nullptr), "cuEventRecord");
    cu(cuEventSynchronize(b), "cuEventSynchronize");
    cu(cuEventElapsedTime(&t[i], a, b), "cuEventElapsedTime");
  }
  cuEventDestroy(a);
  cuEventDestroy(b);
  std::sort(t.begin(), t.end());
  return t[reps / 2];
}

#else  // the emulation: one untimed run

using CudaDevice = rgtest::EmuDevice;
double median_ms(const std::function<void()>& f, int = 50, int = 3) {
  f();
  return 0;
}

#endif

/** Ring of degree k over n nodes: each node receives from itself and its k - 1 nearest. */
std::vector<std::vector<bool>> ring_degree(int n, int k) {
  std::vector<std::vector<bool>> e(n, std::vector<bool>(n, false));
  for (int v = 0; v < n; ++v) {
    int have = 0;
    for (int off = 0; have < k && off < n; ++off) {
      for (int s : {+1, -1}) {
        if (have >= k || (off == 0 && s < 0)) continue;
        int u = ((v + s * off) % n + n) % n;
        if (!e[v][u]) {
          e[v][u] = true;
          ++have;
        }
      }
    }
  }
  return e;
}

/** Fills count floats at p with random values in [lo, hi), cycling a fixed host pool (fast). */
void fill(Device& d, long long p, long long count, float lo = -1, float hi = 1) {
  static std::mt19937_64 rng(11);
  const long long pool = 1 << 20;
  static std::map<std::pair<float, float>, std::vector<float>> pools;
  auto& v = pools[{lo, hi}];
  if (v.empty()) v = rgtest::randoms(rng, pool, lo, hi);
  for (long long i = 0; i < count; i += pool) {
    const long long c = std::min(pool, count - i);
    d.upload(p + i * 4, v.data(), (std::size_t)c * 4);
  }
}

struct Row {
  int width, batch;
  double kn;
  int nodes, blocks;
  std::string product, backend;
  double ms;
  double flops;  // multiply-adds * 2 of the product
  std::string note;
};

int bench(CudaDevice& d, const std::string& outdir, bool quick, bool tiny) {
  std::vector<int> widths = {512, 1024, 1539, 2048};
  std::vector<int> batches = {128, 1024, 8192, 65536};
  std::vector<double> kns = {0.125, 0.25, 0.5, 1.0};
  if (quick) {
    widths = {512, 1539};
    batches = {128, 1024};
    kns = {0.125, 1.0};
  }
  if (tiny) {  // the emulated harness's run in the build: every path, once
    widths = {512, 516};
    batches = {3};
    kns = {0.125};
  }
  const int n = 64;
  std::vector<Row> rows;
  std::mt19937_64 rng(7);
#ifndef RG_HARNESS_EMU
  cublasHandle_t cb;
  blas(cublasCreate(&cb), "cublasCreate");
  blas(cublasSetMathMode(cb, CUBLAS_DEFAULT_MATH), "cublasSetMathMode");  // FP32, no TF32
  cusparseHandle_t cs;
  sparse(cusparseCreate(&cs), "cusparseCreate");
  cusparseMatDescr_t descr;
  sparse(cusparseCreateMatDescr(&descr), "cusparseCreateMatDescr");
#endif
  const float one = 1.f, zero = 0.f;
  (void)one;
  (void)zero;
  for (int batch : batches) {
    // Dense width 512 (the FLOP-matched baseline), once per batch.
    auto dense = [&](int w, const char* backend, bool masked, double kn) {
      const long long wx = (long long)w * batch;
      Buf<float> X(d, wx), Y(d, wx), W(d, (std::size_t)w * w), M(d, (std::size_t)w * w),
          WM(d, (std::size_t)w * w), dW(d, (std::size_t)w * w);
      const long long ww = (long long)w * w;
      fill(d, X.ptr, wx);
      fill(d, Y.ptr, wx);
      fill(d, W.ptr, ww);
      fill(d, M.ptr, ww, 0, 1);
      auto mul = [&](long long a, long long b, long long out) {
        d.launch("rg_multiply", rgtest::cdiv(ww, 256), 1, 1, 256, 1, 1, 0, {slot(ww), a, b, out});
      };
      const double f = 2.0 * w * w * batch;
#ifndef RG_HARNESS_EMU
      float* x = (float*)X.ptr;
      float* y = (float*)Y.ptr;
      float* wp = (float*)(masked ? WM.ptr : W.ptr);
      float* dw = (float*)dW.ptr;
      // Feature-major activations are column-major batch x width: Y = X W^T is
      // gemm(N, N, batch, w, w, X, W); dX = dY W is gemm(N, T); dW = dY^T X is gemm(T, N).
      auto fwd = [&] {
        if (masked) mul(W.ptr, M.ptr, WM.ptr);
        blas(cublasSgemm(cb, CUBLAS_OP_N, CUBLAS_OP_N, batch, w, w, &one, x, batch, wp, w, &zero, y, batch), "sgemm");
      };
      auto bwd = [&] {
        if (masked) mul(W.ptr, M.ptr, WM.ptr);
        blas(cublasSgemm(cb, CUBLAS_OP_N, CUBLAS_OP_T, batch, w, w, &one, y, batch, wp, w, &zero, x, batch), "sgemm");
      };
      auto dwf = [&] {
        blas(cublasSgemm(cb, CUBLAS_OP_T, CUBLAS_OP_N, w, w, batch, &one, x, batch, y, batch, &zero, dw, w), "sgemm");
        if (masked) mul(dW.ptr, M.ptr, dW.ptr);
      };
#else
      auto fwd = [&] { if (masked) mul(W.ptr, M.ptr, WM.ptr); };
      auto bwd = fwd;
      auto dwf = [&] { if (masked) mul(dW.ptr, M.ptr, dW.ptr); };
#endif
      rows.push_back({w, batch, kn, 1, 1, "fwd", backend, median_ms(fwd), f, ""});
      rows.push_back({w, batch, kn, 1, 1, "bwd_data", backend, median_ms(bwd), f, ""});
      rows.push_back({w, batch, kn, 1, 1, "dw", backend, median_ms(dwf), f, ""});
    };
    dense(512, "cublas_dense_512", false, 0);
    for (int width : widths) {
      dense(width, "cublas_dense", false, 0);
      dense(width, "cublas_masked", true, 0);
      std::vector<int> sizes = rgtest::sizes_even(width, n, rng);
      for (double kn : kns) {
        const int k = std::max(1, (int)std::lround(kn * n));
        rgtest::HostLayout L(sizes, sizes, ring_degree(n, k));
        rgtest::DevLayout dl(d, L);
        const long long xb = (long long)width * batch;
        Buf<float> W(d, L.weights), X(d, xb), Y(d, xb), dY(d, xb), dX(d, xb), dW(d, L.weights);
        fill(d, W.ptr, L.weights);
        fill(d, X.ptr, xb);
        fill(d, dY.ptr, xb);
        const double f = 2.0 * L.weights * batch;
        rows.push_back({width, batch, kn, n, L.nnz, "fwd", "blocksparse",
                        median_ms([&] { rgtest::bs_forward(d, dl, batch, W.ptr, X.ptr, Y.ptr); }), f, ""});
        rows.push_back({width, batch, kn, n, L.nnz, "bwd_data", "blocksparse",
                        median_ms([&] { rgtest::bs_backward_data(d, dl, batch, W.ptr, dY.ptr, dX.ptr); }), f, ""});
        rows.push_back({width, batch, kn, n, L.nnz, "dw", "blocksparse",
                        median_ms([&] { rgtest::bs_backward_weight(d, dl, batch, dY.ptr, X.ptr, dW.ptr); }), f, ""});
        // cuSPARSE BSR (legacy bsrmm: no transposed A, so forward only), uniform blocks only.
        if (width % n != 0) {
          rows.push_back({width, batch, kn, n, L.nnz, "fwd", "cusparse_bsr", -1, f,
                          "skipped: blocks of uneven size"});
        } else {
#ifndef RG_HARNESS_EMU
          const int bs = width / n;
          float* val = (float*)W.ptr;  // same count of values; their order differs (timing only)
          auto bsr = [&] {
            sparse(cusparseSbsrmm(cs, CUSPARSE_DIRECTION_ROW, CUSPARSE_OPERATION_NON_TRANSPOSE,
                                  CUSPARSE_OPERATION_TRANSPOSE, n, batch, n, L.nnz, &one, descr,
                                  val, (const int*)dl.rowPtr.ptr, (const int*)dl.colIdx.ptr, bs,
                                  (const float*)X.ptr, batch, &zero, (float*)Y.ptr, width),
                   "cusparseSbsrmm");
          };
          double ms = -1;
          std::string note = "Y as batch-major (transposed) output";
          try {
            ms = median_ms(bsr);
          } catch (const std::exception& e) {
            note = std::string("failed: ") + e.what();
          }
          rows.push_back({width, batch, kn, n, L.nnz, "fwd", "cusparse_bsr", ms, f, note});
#endif
        }
      }
    }
  }
  // CSV and a short table.
  std::ofstream csv(outdir + "/harness.csv");
  csv << "width,batch,kn,nodes,blocks,product,backend,median_ms,gflops,note\n";
  for (const Row& r : rows) {
    csv << r.width << "," << r.batch << "," << r.kn << "," << r.nodes << "," << r.blocks << ","
        << r.product << "," << r.backend << "," << r.ms << ","
        << (r.ms > 0 ? r.flops / r.ms / 1e6 : 0) << "," << r.note << "\n";
  }
  std::printf("wrote %zu timings to %s/harness.csv\n", rows.size(), outdir.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: gpu_harness check FATBIN [--small] [--seed N]\n"
                 "       gpu_harness bench FATBIN OUTDIR [--quick|--tiny]\n");
    return 2;
  }
  const std::string mode = argv[1], fatbin = argv[2];
  try {
    if (mode == "check") {
      bool small = false;
      unsigned long long seed = 20261130;
      for (int i = 3; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--small") small = true;
        else if (a == "--seed" && i + 1 < argc) seed = std::strtoull(argv[++i], nullptr, 10);
      }
#ifndef RG_HARNESS_EMU
      CudaDevice d(fatbin, true);
      std::printf("device: %s\n", d.name().c_str());
#else
      CudaDevice d;
#endif
      return small ? rgtest::run_small(d, seed) : rgtest::run_all(d, true, seed);
    }
    if (mode == "bench" && argc >= 4) {
      const std::string opt = argc >= 5 ? argv[4] : "";
#ifndef RG_HARNESS_EMU
      CudaDevice d(fatbin, false);
      std::printf("device: %s\n", d.name().c_str());
#else
      CudaDevice d;
#endif
      return bench(d, argv[3], opt == "--quick", opt == "--tiny");
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "FAIL: %s\n", e.what());
    return 1;
  }
  std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
  return 2;
}
