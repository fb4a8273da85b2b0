// What the hand-run A/B harnesses (tile_ab.cpp, conv_ab.cpp) share: the stand-in layouts over 64
// nodes, and timing two variants in turns. Include after relgraph_kernels.h.
#pragma once

#include <algorithm>
#include <chrono>
#include <random>
#include <set>
#include <utility>
#include <vector>

using namespace relgraph;

struct Layout {
  int n = 64;
  std::vector<int> outOff, inOff, rowPtr, colIdx, blockCol, rowK, tPtr, tBlock, blockRow;
  std::vector<long long> rowBase;
  long long weights = 0;
};

static std::vector<int> partition(int channels, int n, std::mt19937& rng) {
  std::vector<int> size(n, channels / n), off(n + 1, 0);
  std::vector<int> idx(n);
  for (int i = 0; i < n; ++i) idx[i] = i;
  std::shuffle(idx.begin(), idx.end(), rng);
  for (int i = 0; i < channels % n; ++i) size[idx[i]]++;
  for (int i = 0; i < n; ++i) off[i + 1] = off[i] + size[i];
  return off;
}

// 64 nodes over a ring lattice of degree k (plus each node itself) with 30% of the edges rewired,
// or the complete graph (k >= 63). With taps > 0 the input partition is the output's scaled by
// taps (a relational convolution's im2col rows); otherwise a partition of its own.
// inWidth: input channels where they differ from the output's (0: the same partition, for taps).
static Layout make_layout(int width, int k, unsigned seed, int taps = 0, int inWidth = 0) {
  Layout l;
  std::mt19937 rng(seed);
  int n = l.n;
  std::vector<std::set<int>> adj(n);
  for (int v = 0; v < n; ++v) adj[v].insert(v);
  if (k >= n - 1) {
    for (int v = 0; v < n; ++v)
      for (int u = 0; u < n; ++u) adj[v].insert(u);
  } else {
    std::uniform_real_distribution<double> coin(0, 1);
    for (int v = 0; v < n; ++v)
      for (int d = 1; d <= k / 2; ++d) {
        int u = (v + d) % n;
        if (coin(rng) < 0.3) u = rng() % n;
        adj[v].insert(u);
        adj[u].insert(v);
      }
  }
  l.outOff = partition(width, n, rng);
  if (taps > 0) {
    l.inOff = inWidth > 0 ? partition(inWidth, n, rng) : l.outOff;
    for (int& x : l.inOff) x *= taps;
  } else {
    l.inOff = partition(width, n, rng);
  }
  l.rowPtr.push_back(0);
  for (int v = 0; v < n; ++v) {
    int col = 0;
    for (int u : adj[v]) {
      l.colIdx.push_back(u);
      l.blockCol.push_back(col);
      l.blockRow.push_back(v);
      col += l.inOff[u + 1] - l.inOff[u];
    }
    l.rowPtr.push_back((int)l.colIdx.size());
    l.rowK.push_back(col);
    l.rowBase.push_back(l.weights);
    l.weights += (long long)(l.outOff[v + 1] - l.outOff[v]) * col;
  }
  std::vector<std::vector<int>> byIn(n);
  for (int j = 0; j < (int)l.colIdx.size(); ++j) byIn[l.colIdx[j]].push_back(j);
  l.tPtr.push_back(0);
  for (int u = 0; u < n; ++u) {
    for (int j : byIn[u]) l.tBlock.push_back(j);
    l.tPtr.push_back((int)l.tBlock.size());
  }
  return l;
}

template <typename T>
static Span<const T> span(const std::vector<T>& v) {
  return Span<const T>{v.data(), (long long)v.size()};
}

static Kernel kernel(const Layout& l, int batch) {
  return make(batch, batch, l.n, l.n, (int)l.colIdx.size(), span(l.outOff), span(l.inOff),
              span(l.rowPtr), span(l.colIdx), span(l.blockCol), span(l.rowBase), span(l.rowK),
              span(l.tPtr), span(l.tBlock), span(l.blockRow));
}

static double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Calls of f that last about `seconds` (at least one).
template <typename F>
static int calls_for(F f, double seconds) {
  f();
  double t0 = now();
  f();
  double once = now() - t0;
  return std::max(1, (int)(seconds / std::max(once, 1e-7)));
}

// Seconds per call of a and b, each the best of `samples` samples taken in turns (a, b, a, b,
// ...), so that a quiet moment of the machine is as likely to fall on either.
template <typename A, typename B>
static std::pair<double, double> best_in_turns(A a, B b, int samples, double sample = 0.002) {
  int na = calls_for(a, sample), nb = calls_for(b, sample);
  double ba = 1e9, bb = 1e9;
  for (int s = 0; s < samples; ++s) {
    double t = now();
    for (int i = 0; i < na; ++i) a();
    ba = std::min(ba, (now() - t) / na);
    t = now();
    for (int i = 0; i < nb; ++i) b();
    bb = std::min(bb, (now() - t) / nb);
  }
  return {ba, bb};
}
