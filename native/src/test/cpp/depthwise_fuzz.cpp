// The depthwise convolution's tap-by-tap route (stride 1: shifted runs of images under masks)
// against its loops per pixel, in every ISA's copy, on 3000 random shapes (1 to 3 channels, 1 to 9
// images, sides 1 to 40, 1 to 3 threads), in buffers of exactly the tensors' sizes, so that
// AddressSanitizer sees a read or write past either end of any of them. Not part of the build;
// compile by hand with the sanitizers:
//
//   g++ -std=c++17 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -ffp-contract=fast
//       -pthread -Wno-psabi -Inative/src/main/cpp native/src/test/cpp/depthwise_fuzz.cpp -o fuzz
//   ./fuzz    (exit status 0: no sanitizer report, and the routes agree)
//
// Needs a CPU with AVX-512 (it calls every ISA's copy).
#include <cmath>
#include <cstdio>
#include <random>

#include "relgraph_kernels.h"

using namespace relgraph;

int main() {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(-1, 1);
  double worst[3] = {0, 0, 0};
  int cases = 0;
  for (int it = 0; it < 3000; ++it) {
    ConvShape g{};
    g.channels = 1 + rng() % 3; g.batch = 1 + rng() % 9;
    g.h = 1 + rng() % (it % 10 == 0 ? 40 : 12); g.w = 1 + rng() % (it % 10 == 1 ? 40 : 12);
    g.kernel = 3; g.stride = 1; g.ho = g.h; g.wo = g.w;
    size_t n = (size_t)g.channels * g.batch * g.plane();
    // exact-size heap buffers so that ASan sees any read past either end
    std::vector<float> x(n), dy(n), w(g.channels * 9);
    for (auto& v : x) v = u(rng); for (auto& v : dy) v = u(rng); for (auto& v : w) v = u(rng);
    int threads = 1 + rng() % 3;
    // One ISA's copy: both routes of each operation, compared.
    auto check = [&](auto fwd, auto fwdPixels, auto data, auto dataPixels, auto weight,
                     auto weightPixels) {
      std::vector<float> y1(n), y2(n), dx1(n), dx2(n), dw1(w.size()), dw2(w.size());
      fwd(threads, g, w.data(), x.data(), y1.data());
      fwdPixels(threads, g, w.data(), x.data(), y2.data());
      data(threads, g, w.data(), dy.data(), dx1.data());
      dataPixels(threads, g, w.data(), dy.data(), dx2.data());
      weight(threads, g, dy.data(), x.data(), dw1.data());
      weightPixels(threads, g, dy.data(), x.data(), dw2.data());
      for (size_t i = 0; i < n; ++i) {
        worst[0] = std::max(worst[0], (double)std::fabs(y1[i] - y2[i]));
        worst[1] = std::max(worst[1], (double)std::fabs(dx1[i] - dx2[i]));
      }
      const double terms = 1.0 + g.batch * g.plane();
      for (size_t i = 0; i < w.size(); ++i) {
        worst[2] = std::max(worst[2], std::fabs(dw1[i] - dw2[i]) / terms);
      }
    };
#define RELGRAPH_FUZZ_ISA(ns)                                                                 \
  check(ns::depthwise_forward, ns::depthwise_forward_pixels, ns::depthwise_backward_data,     \
        ns::depthwise_backward_data_pixels, ns::depthwise_backward_weight,                    \
        ns::depthwise_backward_weight_pixels)
    RELGRAPH_FUZZ_ISA(portable);
    RELGRAPH_FUZZ_ISA(avx2);
    RELGRAPH_FUZZ_ISA(avx512);
#undef RELGRAPH_FUZZ_ISA
    ++cases;
  }
  printf("%d cases; max |diff| forward %g, backward-data %g, weight gradient (per term) %g\n",
         cases, worst[0], worst[1], worst[2]);
  return worst[0] < 1e-5 && worst[1] < 1e-5 && worst[2] < 1e-6 ? 0 : 1;
}
