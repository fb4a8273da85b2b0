// Block-sparse kernels for one instruction set. Included once per ISA by relgraph_kernels.h,
// inside a namespace that defines VW (floats per vector), TR and TC (the register tile: TR rows
// of TC vectors) and under a '#pragma GCC target' for that ISA. No includes here.
//
// Activations are feature-major: a matrix of channels x batch, row stride ld (>= batch), so a
// channel's values over the batch are contiguous. Weights of output node v form one row-major
// matrix W_v of |out_v| rows and K_v columns, the input channels of v's blocks side by side.

typedef float vf __attribute__((vector_size(VW * 4)));

static inline vf loadu(const float* p) {
  vf v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

static inline void storeu(float* p, vf v) { __builtin_memcpy(p, &v, sizeof v); }

static inline vf splat(float s) { return vf{} + s; }

static inline float hsum(vf v) {
  float s = 0;
  for (int i = 0; i < VW; ++i) s += v[i];
  return s;
}

// One source of a node's sum: len reduction steps; coefficient of row r at step k is
// coef[r * rs + k * ks]; the activation row of step k starts at x + k * ld.
struct Segment {
  const float* coef;
  const float* x;
  long ks;
  int len;
};

// y[r][b0 .. b0 + CC*VW) = sum over segments and steps of coef * x, for RR rows.
template <int RR, int CC>
static inline void tile(const Segment* seg, int nseg, long rs, long ld, int b0, float* y) {
  vf acc[RR][CC];
#pragma GCC unroll 8
  for (int r = 0; r < RR; ++r)
#pragma GCC unroll 8
    for (int c = 0; c < CC; ++c) acc[r][c] = vf{};
  for (int s = 0; s < nseg; ++s) {
    const float* cf = seg[s].coef;
    const float* xp = seg[s].x + b0;
    const long ks = seg[s].ks;
    const int len = seg[s].len;
    for (int k = 0; k < len; ++k) {
      vf x[CC];
#pragma GCC unroll 8
      for (int c = 0; c < CC; ++c) x[c] = loadu(xp + c * VW);
#pragma GCC unroll 8
      for (int r = 0; r < RR; ++r) {
        vf w = splat(cf[r * rs]);
#pragma GCC unroll 8
        for (int c = 0; c < CC; ++c) acc[r][c] += w * x[c];
      }
      cf += ks;
      xp += ld;
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < RR; ++r)
#pragma GCC unroll 8
    for (int c = 0; c < CC; ++c) storeu(y + r * ld + b0 + c * VW, acc[r][c]);
}

// Scalar columns [b0, batch) of RR rows, accumulated in double-free float like the vector path.
template <int RR>
static inline void tile_tail(const Segment* seg, int nseg, long rs, long ld, int b0, int batch,
                             float* y) {
  for (int b = b0; b < batch; ++b) {
    float acc[RR] = {};
    for (int s = 0; s < nseg; ++s) {
      const float* cf = seg[s].coef;
      const float* xp = seg[s].x + b;
      for (int k = 0; k < seg[s].len; ++k) {
        float xv = xp[k * ld];
        for (int r = 0; r < RR; ++r) acc[r] += cf[r * rs + k * seg[s].ks] * xv;
      }
    }
    for (int r = 0; r < RR; ++r) y[r * ld + b] = acc[r];
  }
}

// RR rows of y (row stride ld) over the whole batch; segment coefficients start at row 0 of the
// tile.
template <int RR>
static inline void rows(const Segment* seg, int nseg, long rs, long ld, int batch, float* y) {
  int b = 0;
  for (; b + TC * VW <= batch; b += TC * VW) tile<RR, TC>(seg, nseg, rs, ld, b, y);
  for (; b + VW <= batch; b += VW) tile<RR, 1>(seg, nseg, rs, ld, b, y);
  if (b < batch) tile_tail<RR>(seg, nseg, rs, ld, b, batch, y);
}

template <int RR>
static inline void rows_dispatch(int rr, const Segment* seg, int nseg, long rs, long ld,
                                 int batch, float* y) {
  if constexpr (RR > 0) {
    if (rr == RR) {
      rows<RR>(seg, nseg, rs, ld, batch, y);
    } else {
      rows_dispatch<RR - 1>(rr, seg, nseg, rs, ld, batch, y);
    }
  }
}

// Sums over the segments for `count` output rows, in tiles of TR rows; `advance` moves every
// segment's coefficients to the next tile (by TR * rs).
static void node_rows(Segment* seg, int nseg, long rs, long ld, int batch, int count, float* y) {
  for (int r0 = 0; r0 < count; r0 += TR) {
    int rr = count - r0 < TR ? count - r0 : TR;
    rows_dispatch<TR>(rr, seg, nseg, rs, ld, batch, y + (long)r0 * ld);
    for (int s = 0; s < nseg; ++s) seg[s].coef += (long)TR * rs;
  }
}

static void forward(const Kernel& k, const float* W, const float* X, float* Y, int threads) {
  std::vector<std::vector<Segment>> scratch(threads, std::vector<Segment>(k.maxRowBlocks + 1));
  Pool::instance().run(threads, k.nOut, [&](int t, int v) {
    Segment* seg = scratch[t].data();
    int n = 0;
    for (int j = k.rowPtr[v]; j < k.rowPtr[v + 1]; ++j) {
      int u = k.colIdx[j];
      seg[n++] = Segment{W + k.rowBase[v] + k.blockCol[j], X + (long)k.inOff[u] * k.ld, 1,
                         k.inOff[u + 1] - k.inOff[u]};
    }
    node_rows(seg, n, k.rowK[v], k.ld, k.batch, k.outOff[v + 1] - k.outOff[v],
              Y + (long)k.outOff[v] * k.ld);
  });
}

static void backward_data(const Kernel& k, const float* W, const float* dY, float* dX,
                          int threads) {
  std::vector<std::vector<Segment>> scratch(threads, std::vector<Segment>(k.maxColBlocks + 1));
  Pool::instance().run(threads, k.nIn, [&](int t, int u) {
    Segment* seg = scratch[t].data();
    int n = 0;
    for (int q = k.tPtr[u]; q < k.tPtr[u + 1]; ++q) {
      int j = k.tBlock[q];
      int v = k.blockRow[j];
      seg[n++] = Segment{W + k.rowBase[v] + k.blockCol[j], dY + (long)k.outOff[v] * k.ld,
                         (long)k.rowK[v], k.outOff[v + 1] - k.outOff[v]};
    }
    node_rows(seg, n, 1, k.ld, k.batch, k.inOff[u + 1] - k.inOff[u],
              dX + (long)k.inOff[u] * k.ld);
  });
}

// dW_v = dY_v X_v^T for each output node v: X is transposed once (batch-major), then each node
// gathers its blocks' input channels side by side (K_v columns padded to whole vectors) with
// contiguous copies, and one product per node runs the forward pass's register tile, reducing
// over the batch.
static void backward_weight(const Kernel& k, const float* dY, const float* X, float* dW,
                            int threads) {
  // Buffers grow and are reused across calls: allocating them per call costs page faults that
  // rival the arithmetic of small layers. One weight-gradient call at a time uses them.
  static std::mutex busy;
  static std::vector<float> xt;
  std::lock_guard<std::mutex> lock(busy);
  const int in = k.inOff[k.nIn];
  if (xt.size() < (size_t)k.batch * in) xt.resize((size_t)k.batch * in);
  float* xtp = xt.data();
  const int bt = 32;  // transpose in tiles to keep both sides in cache
  int tiles = (in + bt - 1) / bt;
  Pool::instance().run(threads, tiles, [&](int, int tile) {
    int c0 = tile * bt, c1 = c0 + bt < in ? c0 + bt : in;
    for (int b0 = 0; b0 < k.batch; b0 += bt) {
      int b1 = b0 + bt < k.batch ? b0 + bt : k.batch;
      for (int c = c0; c < c1; ++c)
        for (int b = b0; b < b1; ++b) xtp[(size_t)b * in + c] = X[(long)c * k.ld + b];
    }
  });
  Pool::instance().run(threads, k.nOut, [&](int, int v) {
    thread_local std::vector<float> gathered, product;
    const long kv = k.rowK[v];
    const long kvp = (kv + VW - 1) / VW * VW;
    const int rowsOut = k.outOff[v + 1] - k.outOff[v];
    if (gathered.size() < (size_t)(k.batch * kvp)) gathered.resize(k.batch * kvp);
    if (product.size() < (size_t)(rowsOut * kvp)) product.resize(rowsOut * kvp);
    float* xg = gathered.data();
    float* tmp = product.data();
    for (int b = 0; b < k.batch; ++b) {
      float* row = xg + b * kvp;
      const float* src = xtp + (size_t)b * in;
      for (int j = k.rowPtr[v]; j < k.rowPtr[v + 1]; ++j) {
        int u = k.colIdx[j];
        __builtin_memcpy(row + k.blockCol[j], src + k.inOff[u],
                         sizeof(float) * (k.inOff[u + 1] - k.inOff[u]));
      }
      for (long c = kv; c < kvp; ++c) row[c] = 0;
    }
    Segment seg{dY + (long)k.outOff[v] * k.ld, xg, 1, k.batch};
    node_rows(&seg, 1, k.ld, kvp, (int)kvp, rowsOut, tmp);
    float* dw = dW + k.rowBase[v];
    for (int o = 0; o < rowsOut; ++o)
      __builtin_memcpy(dw + o * kv, tmp + o * kvp, sizeof(float) * kv);
  });
}
