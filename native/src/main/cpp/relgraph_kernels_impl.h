// Block-sparse kernels for one instruction set. Included once per ISA by relgraph_kernels.h,
// inside a namespace that defines VW (floats per vector), TR and TC (the register tile: TR rows
// of TC vectors) and under a '#pragma GCC target' for that ISA. No includes here.
//
// Activations are feature-major: a matrix of channels x batch, row stride ld (>= batch), so a
// channel's values over the batch are contiguous. Weights of output node v form one row-major
// matrix W_v of |out_v| rows and K_v columns, the input channels of v's blocks side by side.
//
// Every product is a sum over segments: a row tile of the result is
//   y[r][col] = sum over segments s, steps k of coef_s[r * rs + k * ks_s] * x_s[k * ldx + col]
// computed in registers (TR rows x TC vectors), then stored by a Store policy.

typedef float vf __attribute__((vector_size(VW * 4)));

static inline vf loadu(const float* p) {
  vf v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

static inline void storeu(float* p, vf v) { __builtin_memcpy(p, &v, sizeof v); }

static inline vf splat(float s) { return vf{} + s; }

// One source of a sum: len steps; coefficient of row r at step k is coef[r * rs + k * ks]; the
// activation row of step k starts at x + k * ldx.
struct Segment {
  const float* coef;
  const float* x;
  long ks;
  int len;
};

// Stores rows of a row-major result; columns at or beyond `limit` are dropped (a last vector
// may run past the end when the inputs are padded).
struct DenseStore {
  float* y;
  long ldy;
  int limit;
  void vec(int r, int col, vf v) const {
    if (col + VW <= limit) {
      storeu(y + r * ldy + col, v);
    } else {
      for (int l = 0; col + l < limit; ++l) y[r * ldy + col + l] = v[l];
    }
  }
  void one(int r, int col, float v) const { y[r * ldy + col] = v; }
  DenseStore rows(int r0) const { return DenseStore{y + r0 * ldy, ldy, limit}; }
};

template <int RR, int CC, class Store>
static inline void tile(const Segment* seg, int nseg, long rs, long ldx, int col0,
                        const Store& st) {
  vf acc[RR][CC];
#pragma GCC unroll 8
  for (int r = 0; r < RR; ++r)
#pragma GCC unroll 8
    for (int c = 0; c < CC; ++c) acc[r][c] = vf{};
  for (int s = 0; s < nseg; ++s) {
    const float* cf = seg[s].coef;
    const float* xp = seg[s].x + col0;
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
      xp += ldx;
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < RR; ++r)
#pragma GCC unroll 8
    for (int c = 0; c < CC; ++c) st.vec(r, col0 + c * VW, acc[r][c]);
}

// Columns [col0, cols) one at a time.
template <int RR, class Store>
static inline void tile_tail(const Segment* seg, int nseg, long rs, long ldx, int col0, int cols,
                             const Store& st) {
  for (int col = col0; col < cols; ++col) {
    float acc[RR] = {};
    for (int s = 0; s < nseg; ++s) {
      const float* cf = seg[s].coef;
      const float* xp = seg[s].x + col;
      for (int k = 0; k < seg[s].len; ++k) {
        float xv = xp[k * ldx];
        for (int r = 0; r < RR; ++r) acc[r] += cf[r * rs + k * seg[s].ks] * xv;
      }
    }
    for (int r = 0; r < RR; ++r) st.one(r, col, acc[r]);
  }
}

// PAD: the inputs are readable up to a whole vector past `cols`, so a last partial vector is
// computed as a vector and stored in part; otherwise the last columns go one at a time.
// The last few vectors of a row tile, all in one tile of `vectors` (<= TC) vectors.
template <int RR, int CC, class Store>
static inline void tile_rest(int vectors, const Segment* seg, int nseg, long rs, long ldx,
                             int col0, const Store& st) {
  if constexpr (CC > 0) {
    if (vectors == CC) {
      tile<RR, CC>(seg, nseg, rs, ldx, col0, st);
    } else {
      tile_rest<RR, CC - 1>(vectors, seg, nseg, rs, ldx, col0, st);
    }
  }
}

template <int RR, bool PAD, class Store>
static inline void rows(const Segment* seg, int nseg, long rs, long ldx, int cols,
                        const Store& st) {
  int c = 0;
  for (; c + TC * VW <= cols; c += TC * VW) tile<RR, TC>(seg, nseg, rs, ldx, c, st);
  int vectors = PAD ? (cols - c + VW - 1) / VW : (cols - c) / VW;
  tile_rest<RR, TC>(vectors, seg, nseg, rs, ldx, c, st);  // PAD may round up to TC
  c += vectors * VW;
  if (!PAD && c < cols) tile_tail<RR>(seg, nseg, rs, ldx, c, cols, st);
}

template <int RR, bool PAD, class Store>
static inline void rows_dispatch(int rr, const Segment* seg, int nseg, long rs, long ldx,
                                 int cols, const Store& st) {
  if constexpr (RR > 0) {
    if (rr == RR) {
      rows<RR, PAD>(seg, nseg, rs, ldx, cols, st);
    } else {
      rows_dispatch<RR - 1, PAD>(rr, seg, nseg, rs, ldx, cols, st);
    }
  }
}

// All `count` result rows, in tiles of TR rows; moves every segment's coefficients along.
template <bool PAD = false, class Store>
static void node_rows(Segment* seg, int nseg, long rs, long ldx, int cols, int count,
                      const Store& st) {
  for (int r0 = 0; r0 < count; r0 += TR) {
    int rr = count - r0 < TR ? count - r0 : TR;
    rows_dispatch<TR, PAD>(rr, seg, nseg, rs, ldx, cols, st.rows(r0));
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
              DenseStore{Y + (long)k.outOff[v] * k.ld, k.ld, k.batch});
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
              DenseStore{dX + (long)k.inOff[u] * k.ld, k.ld, k.batch});
  });
}

// dW_v = dY_v X^T on v's blocks: X is transposed once (batch-major, padded by a vector), so the
// input channels of a run of consecutive input nodes are contiguous in a row; for each output
// node v and each such run of its blocks, one product reduces over the batch and writes
// straight into W_v's layout, where the run's columns are contiguous too.
static void backward_weight(const Kernel& k, const float* dY, const float* X, float* dW,
                            int threads) {
  // A grow-only buffer: allocating it per call costs page faults that rival the arithmetic of
  // small layers. One weight-gradient call at a time uses it.
  static std::mutex busy;
  static std::vector<float> xt;
  std::lock_guard<std::mutex> lock(busy);
  const int in = k.inOff[k.nIn];
  if (xt.size() < (size_t)k.batch * in + VW) xt.resize((size_t)k.batch * in + VW);
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
    const int j1 = k.rowPtr[v + 1];
    for (int j = k.rowPtr[v]; j < j1;) {
      int je = j + 1;
      while (je < j1 && k.colIdx[je] == k.colIdx[je - 1] + 1) ++je;
      const int c0 = k.inOff[k.colIdx[j]];
      const int cols = k.inOff[k.colIdx[je - 1] + 1] - c0;
      Segment seg{dY + (long)k.outOff[v] * k.ld, xtp + c0, 1, k.batch};
      node_rows<true>(&seg, 1, k.ld, in, cols, k.outOff[v + 1] - k.outOff[v],
                      DenseStore{dW + k.rowBase[v] + k.blockCol[j], (long)k.rowK[v], cols});
      j = je;
    }
  });
}
