// A/B microbenchmark of the block-sparse kernels' register tiles: the library's own AVX2 (or
// AVX-512) copy against a second copy of the same kernels compiled with other tiles, in one
// process, taking turns, best of many, so that a noisy machine hits both alike. The second copy:
// ALT_TR rows x ALT_TC vectors of ALT_VW lanes (8 for AVX2, 16 for AVX-512), the second shape
// ALT_TR2 x ALT_TC2, the weight gradient's tile ALT_DTR x ALT_DTC (and ALT_TALL_DTR x ALT_TALL_DTC
// over nodes of at least ALT_TALL_ROWS rows; by default none), and ALT_ROWS, ALT_ROWS_WIDE
// (ROWS_CHANNELS and ROWS_CHANNELS_WIDE: where the weight gradient goes without a transpose; 0,
// the default: never). Not part of the build; compile by hand, e.g. the library's AVX2 tiles
// against the former 4 x 3 everywhere:
//
//   g++ -std=c++17 -O3 -ffp-contract=fast -pthread -Wno-psabi -Inative/src/main/cpp
//       -DALT_TR=4 -DALT_TC=3 -DALT_DTR=4 -DALT_DTC=3 native/src/test/cpp/tile_ab.cpp -o tile_ab
//   ./tile_ab [isa=1] [threads=1] [samples=200] [op=-1] [cases]
//
// op: 0 forward, 1 backward-data, 2 weight gradient, -1 all three; cases "dw": the weight
// gradient's shapes (widths 768 and 1539, k 8 and 16, batches 128 and 1024, batch 17, wide
// batches over nodes of 1, 4 and 8 channels) instead of the tiles'; cases "wide": batches of 1024
// to 6272 columns (a relational 1 x 1 convolution's batch x H x W, the MLP at batch 1024), where
// ALT_WIDE_PRODUCT_BYTES and ALT_WIDE_GRADIENT_BYTES (WIDE_PRODUCT_BYTES, WIDE_GRADIENT_BYTES: the
// activations' bytes from which such products go in column chunks; every ALT_..._BYTES defaults to
// the library's constant) matter; the library's against
// never: -DALT_VW=16 -DALT_TC=4 -DALT_TALL_DTR=8 -DALT_TALL_DTC=3 -DALT_TALL_ROWS=16
// -DALT_ROWS_WIDE=4 -DALT_WIDE_PRODUCT_BYTES='(1L<<60)'
// -DALT_WIDE_GRADIENT_BYTES='(1L<<60)', then ./tile_ab 2 2 40 -1 wide. The library's AVX2 weight
// gradient against the transposing one: -DALT_TR=6 -DALT_TC=2 -DALT_TR2=4 -DALT_TC2=3 -DALT_DTR=4
// -DALT_DTC=3, then ./tile_ab 1 1 60 2 dw. ALT_OWN_TRANSPOSE_BYTES (OWN_TRANSPOSE_BYTES: up to how
// many bytes of activations each worker of the transposing weight gradient makes its own
// transpose); 0 for one transpose shared by all workers: -DALT_VW=16 -DALT_TC=4 -DALT_TALL_DTR=8
// -DALT_TALL_DTC=3 -DALT_TALL_ROWS=16 -DALT_ROWS_WIDE=4 -DALT_OWN_TRANSPOSE_BYTES=0, then
// ./tile_ab 2 2 60 2 dw. The AVX-512 weight gradient's 8 x 3 tiles over nodes of at least 16
// rows against 6 x 4 everywhere: -DALT_VW=16 -DALT_TC=4 -DALT_ROWS_WIDE=4, then ./tile_ab 2 2 40 2
// dw (and wide).
// Cases "conv1": relational 1 x 1 convolutions over 172, 342 and 684 channels, 8192 to 131,072
// columns (thin nodes, where the forward pass and backward-data run in packed column chunks).
// ALT_TRANSPOSED_DATA_BYTES (TRANSPOSED_DATA_BYTES: from how many bytes of weights the AVX2
// backward-data in column chunks runs as the forward pass of the transposed kernel), cases "data"
// (batches of 1024 and 2048, complete graphs among them; where ALT_LONG_NODE_BYTES,
// LONG_NODE_BYTES: from how many bytes of activations AVX-512 forward passes over long nodes go in
// column chunks, matters too); never: -DALT_TR=6 -DALT_TC=2 -DALT_TR2=4
// -DALT_TC2=3 -DALT_DTR=4 -DALT_DTC=3 -DALT_ROWS=12 -DALT_ROWS_WIDE=4
// -DALT_TRANSPOSED_DATA_BYTES='(1L<<60)', then ./tile_ab 1 2 30 1 data.
//
// Layouts: 64 nodes, a ring lattice of degree k (plus the node itself) with 30% of the edges
// rewired (a stand-in for the benchmark's WS-flex graphs) or the complete graph, at the widths
// and batches of `relgraph bench layers`. Also checks that the two copies agree.
#include <algorithm>
#include <cstdio>
#include <random>
#include <set>
#include <string>

#include "relgraph_kernels.h"

#ifndef ALT_TR
#define ALT_TR 6
#endif
#ifndef ALT_TC
#define ALT_TC 2
#endif
#ifndef ALT_DTR
#define ALT_DTR ALT_TR
#endif
#ifndef ALT_DTC
#define ALT_DTC ALT_TC
#endif
#ifndef ALT_TALL_DTR
#define ALT_TALL_DTR ALT_DTR
#endif
#ifndef ALT_TALL_DTC
#define ALT_TALL_DTC ALT_DTC
#endif
#ifndef ALT_TALL_ROWS
#define ALT_TALL_ROWS 0
#endif
#ifndef ALT_TR2
#define ALT_TR2 ALT_TR
#endif
#ifndef ALT_TC2
#define ALT_TC2 ALT_TC
#endif
#ifndef ALT_ROWS
#define ALT_ROWS 0
#endif
#ifndef ALT_ROWS_WIDE
#define ALT_ROWS_WIDE 0
#endif
#ifndef ALT_WIDE_PRODUCT_BYTES
#define ALT_WIDE_PRODUCT_BYTES ::relgraph::WIDE_PRODUCT_BYTES
#endif
#ifndef ALT_WIDE_GRADIENT_BYTES
#define ALT_WIDE_GRADIENT_BYTES ::relgraph::WIDE_GRADIENT_BYTES
#endif
#ifndef ALT_TRANSPOSED_DATA_BYTES
#define ALT_TRANSPOSED_DATA_BYTES ::relgraph::TRANSPOSED_DATA_BYTES
#endif
#ifndef ALT_LONG_NODE_BYTES
#define ALT_LONG_NODE_BYTES ::relgraph::LONG_NODE_BYTES
#endif
#ifndef ALT_OWN_TRANSPOSE_BYTES
#define ALT_OWN_TRANSPOSE_BYTES ::relgraph::OWN_TRANSPOSE_BYTES
#endif
#ifndef ALT_VW
#define ALT_VW 8
#endif

namespace relgraph {
#pragma GCC push_options
#if ALT_VW == 16
#pragma GCC target("avx512f,avx512vl,avx512dq,fma")
#define ALT_TARGET "avx512"
#else
#pragma GCC target("avx2,fma")
#define ALT_TARGET "avx2"
#endif
namespace alt {
constexpr int ISA = 1, VW = ALT_VW, TR = ALT_TR, TC = ALT_TC, TR2 = ALT_TR2, TC2 = ALT_TC2,
              DTR = ALT_DTR, DTC = ALT_DTC;
constexpr int TALL_DTR = ALT_TALL_DTR, TALL_DTC = ALT_TALL_DTC, TALL_ROWS = ALT_TALL_ROWS;
constexpr int ROWS_CHANNELS = ALT_ROWS, ROWS_CHANNELS_WIDE = ALT_ROWS_WIDE;
constexpr long WIDE_PRODUCT_BYTES = ALT_WIDE_PRODUCT_BYTES;
constexpr long WIDE_GRADIENT_BYTES = ALT_WIDE_GRADIENT_BYTES;
constexpr long OWN_TRANSPOSE_BYTES = ALT_OWN_TRANSPOSE_BYTES;
constexpr long TRANSPOSED_DATA_BYTES = ALT_TRANSPOSED_DATA_BYTES;
constexpr long LONG_NODE_BYTES = ALT_LONG_NODE_BYTES;
#include "relgraph_kernels_impl.h"
}  // namespace alt
#pragma GCC pop_options
}  // namespace relgraph

#include "ab_common.h"

int main(int argc, char** argv) {
  int isa = argc > 1 ? atoi(argv[1]) : 1;
  int threads = argc > 2 ? atoi(argv[2]) : 1;
  int rounds = argc > 3 ? atoi(argv[3]) : 200;
  int onlyOp = argc > 4 ? atoi(argv[4]) : -1;       // 0 forward, 1 backward_data, 2 weight gradient
  const std::string caseSet = argc > 5 ? argv[5] : "";  // "dw", "wide", or the tiles' shapes
  LayerKernel base[3] = {isa == 2 ? avx512::forward : avx2::forward,
                         isa == 2 ? avx512::backward_data : avx2::backward_data,
                         isa == 2 ? avx512::backward_weight : avx2::backward_weight};
  LayerKernel other[3] = {alt::forward, alt::backward_data, alt::backward_weight};
  const char* names[3] = {"forward", "backward_data", "backward_weight"};
  printf("# isa=%d (%s) threads=%d: A = library tile, B = TR=%d TC=%d TR2=%d TC2=%d DTR=%d"
         " DTC=%d VW=%d (%s); best of %d samples of about 2 ms each, in turns, ms\n",
         isa, isa == 2 ? "avx512" : "avx2", threads, ALT_TR, ALT_TC, ALT_TR2, ALT_TC2, ALT_DTR,
         ALT_DTC, ALT_VW, ALT_TARGET, rounds);
  printf("width,k,batch,op,A_ms,B_ms,B/A,max_abs_diff,A_gflops,B_gflops\n");
  struct Case {
    int width, k, batch;
  } cases[] = {{1539, 8, 128}, {1539, 16, 128}, {1539, 63, 128}, {768, 8, 128},
               {1024, 16, 128}, {1549, 8, 128},  {1539, 8, 1024}, {512, 63, 128}};
  const Case dw[] = {{768, 8, 128},   {768, 16, 128},   {1539, 8, 128},  {1539, 16, 128},
                     {768, 8, 1024},  {768, 16, 1024},  {1539, 8, 1024}, {1539, 16, 1024},
                     {1539, 63, 128}, {768, 8, 17},     {64, 8, 8192 + 37},
                     {256, 8, 8192 + 37}, {512, 8, 8192 + 37}};
  std::vector<Case> run(std::begin(cases), std::end(cases));
  const Case wide[] = {{1366, 8, 6272}, {1366, 8, 1568}, {684, 8, 6272}, {684, 8, 3136},
                       {342, 8, 6272}, {1366, 8, 4096}, {768, 8, 1024}, {768, 16, 1024},
                       {1539, 8, 1024}, {1539, 16, 1024}, {1550, 8, 2048}, {172, 8, 3136}};
  const Case data[] = {{1539, 63, 1024}, {1024, 63, 1024}, {768, 63, 1024}, {512, 63, 1024},
                       {1539, 16, 1024}, {1024, 16, 1024}, {1539, 8, 1024}, {768, 16, 1024},
                       {1550, 63, 2048}};
  if (caseSet == "dw") run.assign(std::begin(dw), std::end(dw));
  if (caseSet == "data") run.assign(std::begin(data), std::end(data));
  if (caseSet == "wide") run.assign(std::begin(wide), std::end(wide));
  // relational 1 x 1 convolutions over thin nodes (2.7 to 10.7 channels a node): CIFAR stage 1 at
  // batch 32 and 128, stage 2 at batch 32 and 128, ResNet-34 stage 1 at batch 32, CIFAR stage 3
  const Case conv1[] = {{172, 8, 32768}, {172, 8, 131072}, {342, 8, 8192},
                        {342, 8, 32768}, {172, 8, 100352}, {684, 8, 8192}};
  if (caseSet == "conv1") run.assign(std::begin(conv1), std::end(conv1));
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-1, 1);
  for (auto c : run) {
    Layout l = make_layout(c.width, c.k, 11);
    Kernel kn = kernel(l, c.batch);
    std::vector<float> W(l.weights), X((size_t)c.width * c.batch), DY(X.size());
    for (auto& v : W) v = u(rng) * 0.05f;
    for (auto& v : X) v = u(rng);
    for (auto& v : DY) v = u(rng);
    std::vector<float> outA(std::max(X.size(), W.size())), outB(outA.size());
    for (int op = 0; op < 3; ++op) {
      if (onlyOp >= 0 && op != onlyOp) continue;
      const float* a = op == 2 ? DY.data() : W.data();
      const float* b = op == 0 ? X.data() : op == 1 ? DY.data() : X.data();
      size_t outN = op == 2 ? W.size() : X.size();
      base[op](kn, a, b, outA.data(), threads);
      other[op](kn, a, b, outB.data(), threads);
      double diff = 0;
      for (size_t i = 0; i < outN; ++i) diff = std::max(diff, (double)std::fabs(outA[i] - outB[i]));
      auto [ma, mb] = best_in_turns([&] { base[op](kn, a, b, outA.data(), threads); },
                                    [&] { other[op](kn, a, b, outB.data(), threads); }, rounds);
      double flops = 2.0 * c.batch * l.weights;  // each product: one multiply-add per weight
      printf("%d,%d,%d,%s,%.4f,%.4f,%.3f,%.2g,%.1f,%.1f\n", c.width, c.k, c.batch, names[op],
             ma * 1e3, mb * 1e3, mb / ma, diff, flops / ma * 1e-9, flops / mb * 1e-9);
      fflush(stdout);
    }
  }
  return 0;
}
