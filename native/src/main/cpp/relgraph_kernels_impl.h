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
#pragma omp parallel num_threads(threads)
  {
    Segment* seg = new Segment[k.maxRowBlocks > 0 ? k.maxRowBlocks : 1];
#pragma omp for schedule(dynamic, 1)
    for (int v = 0; v < k.nOut; ++v) {
      int n = 0;
      long kv = k.rowK[v];
      for (int j = k.rowPtr[v]; j < k.rowPtr[v + 1]; ++j) {
        int u = k.colIdx[j];
        seg[n++] = Segment{W + k.rowBase[v] + k.blockCol[j], X + (long)k.inOff[u] * k.ld, 1,
                           k.inOff[u + 1] - k.inOff[u]};
      }
      node_rows(seg, n, kv, k.ld, k.batch, k.outOff[v + 1] - k.outOff[v],
                Y + (long)k.outOff[v] * k.ld);
    }
    delete[] seg;
  }
}

static void backward_data(const Kernel& k, const float* W, const float* dY, float* dX,
                          int threads) {
#pragma omp parallel num_threads(threads)
  {
    Segment* seg = new Segment[k.maxColBlocks > 0 ? k.maxColBlocks : 1];
#pragma omp for schedule(dynamic, 1)
    for (int u = 0; u < k.nIn; ++u) {
      int n = 0;
      for (int t = k.tPtr[u]; t < k.tPtr[u + 1]; ++t) {
        int j = k.tBlock[t];
        int v = k.blockRow[j];
        seg[n++] = Segment{W + k.rowBase[v] + k.blockCol[j], dY + (long)k.outOff[v] * k.ld,
                           (long)k.rowK[v], k.outOff[v + 1] - k.outOff[v]};
      }
      node_rows(seg, n, 1, k.ld, k.batch, k.inOff[u + 1] - k.inOff[u],
                dX + (long)k.inOff[u] * k.ld);
    }
    delete[] seg;
  }
}

// dW[o][c] = sum_b dY[o][b] * X[c][b] for RO x RC entries.
template <int RO, int RC>
static inline void dw_tile(const float* dy, const float* x, long ld, int batch, float* dw,
                           long ldw) {
  vf acc[RO][RC];
#pragma GCC unroll 8
  for (int o = 0; o < RO; ++o)
#pragma GCC unroll 8
    for (int c = 0; c < RC; ++c) acc[o][c] = vf{};
  int b = 0;
  for (; b + VW <= batch; b += VW) {
    vf xv[RC];
#pragma GCC unroll 8
    for (int c = 0; c < RC; ++c) xv[c] = loadu(x + c * ld + b);
#pragma GCC unroll 8
    for (int o = 0; o < RO; ++o) {
      vf d = loadu(dy + o * ld + b);
#pragma GCC unroll 8
      for (int c = 0; c < RC; ++c) acc[o][c] += d * xv[c];
    }
  }
  for (int o = 0; o < RO; ++o) {
    for (int c = 0; c < RC; ++c) {
      float s = hsum(acc[o][c]);
      for (int bb = b; bb < batch; ++bb) s += dy[o * ld + bb] * x[c * ld + bb];
      dw[o * ldw + c] = s;
    }
  }
}

template <int RO, int RC>
static inline void dw_dispatch(int ro, int rc, const float* dy, const float* x, long ld,
                               int batch, float* dw, long ldw) {
  if constexpr (RO > 0 && RC > 0) {
    if (ro == RO && rc == RC) {
      dw_tile<RO, RC>(dy, x, ld, batch, dw, ldw);
    } else if (ro < RO) {
      dw_dispatch<RO - 1, RC>(ro, rc, dy, x, ld, batch, dw, ldw);
    } else {
      dw_dispatch<RO, RC - 1>(ro, rc, dy, x, ld, batch, dw, ldw);
    }
  }
}

static void backward_weight(const Kernel& k, const float* dY, const float* X, float* dW,
                            int threads) {
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
  for (int j = 0; j < k.nnz; ++j) {
    int v = k.blockRow[j];
    int u = k.colIdx[j];
    int no = k.outOff[v + 1] - k.outOff[v];
    int nc = k.inOff[u + 1] - k.inOff[u];
    long ldw = k.rowK[v];
    float* dw = dW + k.rowBase[v] + k.blockCol[j];
    const float* dy = dY + (long)k.outOff[v] * k.ld;
    const float* x = X + (long)k.inOff[u] * k.ld;
    for (int o0 = 0; o0 < no; o0 += DWO) {
      int ro = no - o0 < DWO ? no - o0 : DWO;
      for (int c0 = 0; c0 < nc; c0 += DWC) {
        int rc = nc - c0 < DWC ? nc - c0 : DWC;
        dw_dispatch<DWO, DWC>(ro, rc, dy + o0 * k.ld, x + c0 * k.ld, k.ld, k.batch,
                              dw + o0 * ldw + c0, ldw);
      }
    }
  }
}
