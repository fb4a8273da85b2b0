// A/B microbenchmark of the relational convolutions that run straight from the image
// (conv_forward, conv_backward_data, conv_backward_weight): the library's AVX-512 copy (or AVX2's,
// ALT_AVX2 below) against a second copy compiled from another relgraph_conv_impl.h
// (ALT_CONV_IMPL, a quoted path; by default the library's own), in one process, taking turns,
// best of many, so that a noisy machine hits both alike. Not part of the build; compile by hand,
// e.g. against the header of an earlier commit:
//
//   git show HEAD~1:native/src/main/cpp/relgraph_conv_impl.h > /tmp/old_conv_impl.h
//   g++ -std=c++17 -O3 -ffp-contract=fast -pthread -Wno-psabi -Inative/src/main/cpp
//       -DALT_CONV_IMPL='"/tmp/old_conv_impl.h"' native/src/test/cpp/conv_ab.cpp -o conv_ab
//   ./conv_ab [threads=2] [samples=12] [op=0] [cases]
//
// (ALT_KERNELS_IMPL, also a quoted path, does the same for relgraph_kernels_impl.h.)
//
// op: 0 forward, 1 backward-data, 2 weight gradient; cases: names to run (default all), e.g.
// cifar2,res2. The shapes: 3 x 3 convolutions, stride 1 (s2: stride 2), batch 32, at the
// FLOP-matched widths of `relgraph bench convs` (172, 342, 684, 1366 channels over 64 nodes) and
// the CIFAR CNN's and ResNet-34's image sizes; and at batch 128 the FLOP-matched CNN's relational
// layers on Fashion-MNIST (the stem keeps 28 x 28 at 64 channels; fm01: 64 to 183 channels at
// stride 2 to 14 x 14; fm1: 183 at 14 x 14; fm12: 183 to 363 at stride 2 to 7 x 7; fm2: 363 at
// 7 x 7; fm23: 363 to 724 at stride 2 to 4 x 4; fm3: 724 at 4 x 4).
// All over a ring lattice of degree 8 (plus the node itself) with 30% of the edges rewired, a
// stand-in for the benchmark's WS-flex graph. Prints each copy's time and GFLOP/s and the largest
// difference between their results. With -DALT_AVX2 both copies are AVX2's (the library's avx2
// copy against the second built with its constants).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <set>
#include <string>

#include "relgraph_kernels.h"

#ifndef ALT_CONV_IMPL
#define ALT_CONV_IMPL "relgraph_conv_impl.h"
#endif
#ifndef ALT_KERNELS_IMPL  // the second copy's products (another relgraph_kernels_impl.h)
#define ALT_KERNELS_IMPL "relgraph_kernels_impl.h"
#endif

namespace relgraph {
#pragma GCC push_options
#ifdef ALT_AVX2
#pragma GCC target("avx2,fma")
namespace alt {
constexpr int ISA = 1, VW = 8, TR = 6, TC = 2, TR2 = 4, TC2 = 3, DTR = 4, DTC = 3;
constexpr int TALL_DTR = DTR, TALL_DTC = DTC, TALL_ROWS = 0;
constexpr int ROWS_CHANNELS = 12, ROWS_CHANNELS_WIDE = 4;
#else
#pragma GCC target("avx512f,avx512vl,avx512dq,fma")
namespace alt {
constexpr int ISA = 2, VW = 16, TR = 6, TC = 4, TR2 = TR, TC2 = TC, DTR = TR, DTC = TC;
constexpr int TALL_DTR = 8, TALL_DTC = 3, TALL_ROWS = 16;
constexpr int ROWS_CHANNELS = 0, ROWS_CHANNELS_WIDE = 4;
#endif
#include ALT_KERNELS_IMPL
#include "relgraph_train_impl.h"
#include ALT_CONV_IMPL
}  // namespace alt
#pragma GCC pop_options
}  // namespace relgraph

#include "ab_common.h"

#ifdef ALT_AVX2
#define VW_NAME "AVX2"
#else
#define VW_NAME "AVX-512"
#endif

int main(int argc, char** argv) {
  const int threads = argc > 1 ? atoi(argv[1]) : 2, samples = argc > 2 ? atoi(argv[2]) : 12;
  const int op = argc > 3 ? atoi(argv[3]) : 0;
  const std::string only = argc > 4 ? argv[4] : "";
  struct Case {
    const char* name;
    int width, size, stride, batch = 32, in = 0;  // in: input channels, if not width
  } cases[] = {{"cifar1", 172, 32, 1},      {"cifar2", 342, 16, 1},  {"cifar3", 684, 8, 1},
               {"res1", 172, 56, 1},        {"res2", 342, 28, 1},    {"res3", 684, 14, 1},
               {"res4", 1366, 7, 1},        {"cifar1s2", 172, 32, 2}, {"res2s2", 342, 28, 2},
               {"fm01", 183, 28, 2, 128, 64}, {"fm1", 183, 14, 1, 128},
               {"fm12", 363, 14, 2, 128, 183}, {"fm2", 363, 7, 1, 128},
               {"fm23", 724, 7, 2, 128, 363}, {"fm3", 724, 4, 1, 128}};
  using F = void (*)(const Kernel&, const ConvShape&, const float*, const float*, float*, int);
#ifdef ALT_AVX2
  namespace lib = avx2;
#else
  namespace lib = avx512;
#endif
  const F A[3] = {lib::conv_forward, lib::conv_backward_data, lib::conv_backward_weight};
  const F B[3] = {alt::conv_forward, alt::conv_backward_data, alt::conv_backward_weight};
  printf("# threads=%d op=%d: A = the library's %s copy, B = %s; best of %d samples of"
         " about 10 ms each, in turns\n",
         threads, op, VW_NAME, ALT_CONV_IMPL, samples);
  printf("case,width,size,stride,A_ms,B_ms,B/A,max_abs_diff,A_gflops,B_gflops\n");
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-1, 1);
  const int taps = 9;
  for (const Case& c : cases) {
    if (!only.empty() && ("," + only + ",").find("," + std::string(c.name) + ",") == std::string::npos)
      continue;
    const int batch = c.batch;
    const int in = c.in > 0 ? c.in : c.width;
    Layout l = make_layout(c.width, 8, 11, taps, c.in);
    ConvShape g = conv_shape(in, batch, c.size, c.size, 3, c.stride, "conv_ab");
    const int cols = (int)(batch * g.outPlane());
    Kernel k = make(cols, cols, l.n, l.n, (int)l.colIdx.size(), span(l.outOff), span(l.inOff),
                    span(l.rowPtr), span(l.colIdx), span(l.blockCol), span(l.rowBase),
                    span(l.rowK), span(l.tPtr), span(l.tBlock), span(l.blockRow));
    std::vector<float> W(l.weights), X(image_size(g)), Y((size_t)c.width * cols);
    for (float& v : W) v = u(rng) * 0.05f;
    for (float& v : X) v = u(rng);
    for (float& v : Y) v = u(rng);
    const float* a = op == 2 ? Y.data() : W.data();
    const float* b = op == 1 ? Y.data() : X.data();
    const size_t outN = op == 0 ? Y.size() : op == 1 ? X.size() : W.size();
    std::vector<float> outA(outN), outB(outN);
    A[op](k, g, a, b, outA.data(), threads);
    B[op](k, g, a, b, outB.data(), threads);
    double diff = 0;
    for (size_t i = 0; i < outN; ++i) diff = std::max(diff, (double)std::fabs(outA[i] - outB[i]));
    auto [ma, mb] = best_in_turns([&] { A[op](k, g, a, b, outA.data(), threads); },
                                  [&] { B[op](k, g, a, b, outB.data(), threads); }, samples, 0.01);
    const double flops = 2.0 * cols * l.weights;  // one multiply-add per weight and pixel
    printf("%s,%d,%d,%d,%.4f,%.4f,%.3f,%.2g,%.1f,%.1f\n", c.name, c.width, c.size, c.stride,
           ma * 1e3, mb * 1e3, mb / ma, diff, flops / ma * 1e-9, flops / mb * 1e-9);
    fflush(stdout);
  }
  return 0;
}
