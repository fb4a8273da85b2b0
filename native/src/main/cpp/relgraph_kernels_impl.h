// Block-sparse kernels for one instruction set. Included once per ISA by relgraph_kernels.h,
// inside a namespace that defines ISA (0 portable, 1 AVX2 + FMA, 2 AVX-512), VW (floats per
// vector), TR and TC (the register tile of forward and backward-data: TR rows of TC vectors), TR2
// and TC2 (a second tile shape for nodes whose channel count suits it better, or TR and TC again),
// DTR and DTC (the weight gradient's tile: DTR rows of DTC vectors of columns of W_v, or, without
// a transpose, of DTC single columns), TALL_DTR, TALL_DTC and TALL_ROWS (the transposing weight
// gradient's tile over nodes of at least TALL_ROWS rows), ROWS_CHANNELS and ROWS_CHANNELS_WIDE
// (where the weight gradient goes without a transpose, see weight_gradient_by_rows) and under a
// '#pragma GCC target' for that ISA. No includes here.
//
// Activations are feature-major: a matrix of channels x batch, row stride ld (>= batch), so a
// channel's values over the batch are contiguous. Weights of output node v form one row-major
// matrix W_v of |out_v| rows and K_v columns, the input channels of v's blocks side by side.
//
// Every product is a sum over segments: a row tile of the result is
//   y[r][col] = sum over segments s, steps k of coef_s[r * rs + k * ks_s] * x_s[k * ldx + col]
// computed in registers (TR rows x TC vectors), then stored (DenseStore) or, for the weight
// gradient, written by dw_tile (or, without a transpose, by dwb_tile: dot products of dY and X
// rows). The entry points (forward, backward_data, backward_weight) take
// a layout checked by make() and buffers checked against it, and record their ISA in last_isa.

typedef float vf __attribute__((vector_size(VW * 4)));

static inline vf loadu(const float* p) {
  vf v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

// A vector loaded into a register that stays there. Left alone, the compiler folds the load of an
// activation vector into each FMA of a thin tile that uses it (2 or 3 loads per vector and step
// instead of one), and the tile becomes load-bound (tile_ab "conv1", AVX-512, 2 threads: 172
// channels over 64 nodes took 0.92-0.93 of the former time with the loads held).
static inline vf load_held(const float* p) {
  vf v = loadu(p);
#if defined(__x86_64__) || defined(__i386__)
  asm("" : "+v"(v));
#endif
  return v;
}

static inline void storeu(float* p, vf v) { __builtin_memcpy(p, &v, sizeof v); }

// Lane masks kept as floats: all bits set (a NaN) where a lane counts, +0 where it does not; ANDed
// with a vector of values as `lanes`, or compared with 0 (unordered: a set lane is != 0, never
// == 0).
typedef int lanes __attribute__((vector_size(VW * 4)));
static inline float lane_on() {
  const unsigned all = ~0u;
  float m;
  __builtin_memcpy(&m, &all, sizeof m);
  return m;
}

// s - 0 is s for every s (s + 0 is not, for -0), so this folds to a plain broadcast.
static inline vf splat(float s) { return s - vf{}; }

// One source of a sum: len steps; coefficient of row r at step k is coef[r * rs + k * ks]; the
// activation row of step k starts at x + k * ldx.
struct Segment {
  const float* coef;
  const float* x;
  long ks;
  int len;
  const float* coef2 = nullptr;  // a pair's shared segment: the second node's coefficients
};

// Stores rows of a row-major result.
struct DenseStore {
  float* y;
  long ldy;
  bool add = false;  // add to the values already there (a later slice of a long reduction)
  void vec(int r, int col, vf v) const {
    float* p = y + r * ldy + col;
    storeu(p, add ? loadu(p) + v : v);
  }
  void one(int r, int col, float v) const {
    float* p = y + r * ldy + col;
    *p = add ? *p + v : v;
  }
  DenseStore rows(int r0) const { return DenseStore{y + r0 * ldy, ldy, add}; }
  DenseStore adding() const { return DenseStore{y, ldy, true}; }
};

// Height of row tile t when `count` rows are split into `tiles` tiles of equal height (8 rows
// as 4 + 4, not 6 + 2: a thin tile has too few accumulators to keep the FMAs busy).
static inline int tile_height(int count, int tiles, int t) {
  return count / tiles + (t < count % tiles ? 1 : 0);
}

// Small tiles keep several sets of accumulators over interleaved steps, so that enough
// independent FMA chains hide the FMA latency; zero() and fold() start and merge them.
template <int RR, int CC>
constexpr int accumulator_sets() {
  return RR * CC >= 8 ? 1 : RR * CC >= 4 ? 2 : 4;
}

template <int KU, int RR, int CC>
static inline void zero(vf (&acc)[KU][RR][CC]) {
#pragma GCC unroll 4
  for (int u = 0; u < KU; ++u)
#pragma GCC unroll 8
    for (int r = 0; r < RR; ++r)
#pragma GCC unroll 8
      for (int c = 0; c < CC; ++c) acc[u][r][c] = vf{};
}

template <int KU, int RR, int CC>
static inline void fold(vf (&acc)[KU][RR][CC]) {
#pragma GCC unroll 4
  for (int u = 1; u < KU; ++u)
#pragma GCC unroll 8
    for (int r = 0; r < RR; ++r)
#pragma GCC unroll 8
      for (int c = 0; c < CC; ++c) acc[0][r][c] += acc[u][r][c];
}

// An activation vector of a tile of RR rows: held in a register where the tile is thin (RR <= 3),
// where the compiler would otherwise fold it into each row's FMA (see load_held).
template <int RR>
static inline vf load_x(const float* p) {
  if constexpr (RR <= 3) return load_held(p);
  return loadu(p);
}

template <int RR, int CC>
static inline void tile(const Segment* seg, int nseg, long rs, long ldx, int col0,
                        const DenseStore& st, long coefOff) {
  constexpr int KU = accumulator_sets<RR, CC>();
  vf acc[KU][RR][CC];
  zero(acc);
  for (int s = 0; s < nseg; ++s) {
    const float* cf = seg[s].coef + coefOff;
    const float* xp = seg[s].x + col0;
    const long ks = seg[s].ks;
    const int len = seg[s].len;
    int k = 0;
    for (; k + KU <= len; k += KU) {
#pragma GCC unroll 4
      for (int u = 0; u < KU; ++u) {
        vf x[CC];
#pragma GCC unroll 8
        for (int c = 0; c < CC; ++c) x[c] = load_x<RR>(xp + u * ldx + c * VW);
#pragma GCC unroll 8
        for (int r = 0; r < RR; ++r) {
          vf w = splat(cf[r * rs + u * ks]);
#pragma GCC unroll 8
          for (int c = 0; c < CC; ++c) acc[u][r][c] += w * x[c];
        }
      }
      cf += KU * ks;
      xp += KU * ldx;
    }
    for (; k < len; ++k) {
      vf x[CC];
#pragma GCC unroll 8
      for (int c = 0; c < CC; ++c) x[c] = load_x<RR>(xp + c * VW);
#pragma GCC unroll 8
      for (int r = 0; r < RR; ++r) {
        vf w = splat(cf[r * rs]);
#pragma GCC unroll 8
        for (int c = 0; c < CC; ++c) acc[0][r][c] += w * x[c];
      }
      cf += ks;
      xp += ldx;
    }
  }
  fold(acc);
#pragma GCC unroll 8
  for (int r = 0; r < RR; ++r)
#pragma GCC unroll 8
    for (int c = 0; c < CC; ++c) st.vec(r, col0 + c * VW, acc[0][r][c]);
}

// Columns [col0, cols) one at a time.
template <int RR>
static inline void tile_tail(const Segment* seg, int nseg, long rs, long ldx, int col0, int cols,
                             const DenseStore& st, long coefOff) {
  for (int col = col0; col < cols; ++col) {
    float acc[RR] = {};
    for (int s = 0; s < nseg; ++s) {
      const float* cf = seg[s].coef + coefOff;
      const float* xp = seg[s].x + col;
      for (int k = 0; k < seg[s].len; ++k) {
        float xv = xp[k * ldx];
        for (int r = 0; r < RR; ++r) acc[r] += cf[r * rs + k * seg[s].ks] * xv;
      }
    }
    for (int r = 0; r < RR; ++r) st.one(r, col, acc[r]);
  }
}

// One row tile (RR rows) over columns [col0, col0 + vectors * VW), vectors <= TC.
template <int RR, int CC>
static inline void tile_cols(int vectors, const Segment* seg, int nseg, long rs, long ldx,
                             int col0, const DenseStore& st, long coefOff) {
  if constexpr (CC > 0) {
    if (vectors == CC) {
      tile<RR, CC>(seg, nseg, rs, ldx, col0, st, coefOff);
    } else {
      tile_cols<RR, CC - 1>(vectors, seg, nseg, rs, ldx, col0, st, coefOff);
    }
  }
}

template <int RR, int CC>
static inline void tile_rows(int rr, int vectors, const Segment* seg, int nseg, long rs,
                             long ldx, int col0, const DenseStore& st, long coefOff) {
  if constexpr (RR > 0) {
    if (rr == RR) {
      tile_cols<RR, CC>(vectors, seg, nseg, rs, ldx, col0, st, coefOff);
    } else {
      tile_rows<RR - 1, CC>(rr, vectors, seg, nseg, rs, ldx, col0, st, coefOff);
    }
  }
}

template <int RR>
static inline void tail_rows(int rr, const Segment* seg, int nseg, long rs, long ldx, int col0,
                             int cols, const DenseStore& st, long coefOff) {
  if constexpr (RR > 0) {
    if (rr == RR) {
      tile_tail<RR>(seg, nseg, rs, ldx, col0, cols, st, coefOff);
    } else {
      tail_rows<RR - 1>(rr, seg, nseg, rs, ldx, col0, cols, st, coefOff);
    }
  }
}

// Reduction steps per slice: a column block's activations for one slice (KC rows of TC vectors,
// 128 KiB with AVX-512) stay in cache while every row tile of the node uses them; with long rows
// (large batches) a whole column block of a dense node would not.
constexpr int KC = 512;

// All `count` result rows over `cols` columns with register tiles of at most R rows of C vectors.
// Column blocks of C vectors are the outer loop, so a block of activations stays in cache while
// every row tile uses it; rows are split into as few tiles of at most R rows as possible, of equal
// height; columns that do not fill a last vector go one at a time.
template <int R, int C>
static void node_rows_tiled(const Segment* seg, int nseg, long rs, long ldx, int cols, int count,
                            const DenseStore& st) {
  const int tiles = (count + R - 1) / R;
  const int vecCols = cols / VW * VW;
  for (int c = 0; c < vecCols; c += C * VW) {
    int vectors = (vecCols - c + VW - 1) / VW;
    if (vectors > C) vectors = C;
    // Slices of whole segments, about KC steps each; later slices add to the first's results.
    int s0 = 0;
    do {  // at least once: a node without blocks still writes its zeros
      int s1 = s0;
      int steps = 0;
      while (s1 < nseg && (s1 == s0 || steps + seg[s1].len <= KC)) steps += seg[s1++].len;
      DenseStore slice = s0 == 0 ? st : st.adding();
      int r0 = 0;
      for (int t = 0; t < tiles; ++t) {
        int rr = tile_height(count, tiles, t);
        tile_rows<R, C>(rr, vectors, seg + s0, s1 - s0, rs, ldx, c, slice.rows(r0),
                        (long)r0 * rs);
        r0 += rr;
      }
      s0 = s1;
    } while (s0 < nseg);
  }
  if (vecCols < cols) {
    int r0 = 0;
    for (int t = 0; t < tiles; ++t) {
      int rr = tile_height(count, tiles, t);
      tail_rows<R>(rr, seg, nseg, rs, ldx, vecCols, cols, st.rows(r0), (long)r0 * rs);
      r0 += rr;
    }
  }
}

// Accumulators of the thinnest tile when `count` rows are split into tiles of at most r rows of c
// vectors: what keeps the FMAs busy.
static inline int thinnest_tile(int count, int r, int c) {
  if (count <= 0) return 0;
  const int tiles = (count + r - 1) / r;
  return count / tiles * c;
}

// node_rows_tiled with the tile TR x TC, or the second shape TR2 x TC2 where its thinnest tile
// holds more accumulators (with AVX2, 6 x 2 tiles suit nodes of 24 or 25 channels, 4 x 3 tiles
// nodes of 8 or 16, whose 6-row split leaves tiles of 4 or 5 rows of 2 vectors).
static void node_rows(const Segment* seg, int nseg, long rs, long ldx, int cols, int count,
                      const DenseStore& st) {
  if constexpr (TR2 != TR || TC2 != TC) {
    if (thinnest_tile(count, TR2, TC2) > thinnest_tile(count, TR, TC)) {
      node_rows_tiled<TR2, TC2>(seg, nseg, rs, ldx, cols, count, st);
      return;
    }
  }
  node_rows_tiled<TR, TC>(seg, nseg, rs, ldx, cols, count, st);
}

// Batches of at least WIDE_BATCH columns (a convolution's batch x H x W) are cut into column
// chunks, and each task runs every node over one chunk: the chunk's activations then stay in
// cache while all the nodes that read them do. Tasks of whole nodes would each stream their
// inputs over the whole batch from memory, once per node: with nodes of one to four channels
// (64 channels over 64 nodes) that is one pass over memory per few result rows. With 8-float
// vectors, forward and backward-data also gain from chunks at batch 1024 (a row of 4 KiB puts
// every step of a tile on another page): 1.5 times faster at width 1539, k/n 0.125, forced AVX2
// on an AVX-512 machine; with AVX-512 they did not, nor did the weight gradient.
constexpr int WIDE_BATCH = 8192;
constexpr int WIDE_PRODUCT_BATCH = VW == 8 ? 1024 : WIDE_BATCH;

// Narrower batches are chunked too where the activations a product reads outgrow the caches (from
// 1024 columns and WIDE_PRODUCT_BYTES of X in the forward pass or of dY in backward-data; from 2048
// columns and WIDE_GRADIENT_BYTES of both in the weight gradient): whole-node tasks then stream
// their blocks' rows from memory once per node. A relational 1 x 1 convolution's batch x H x W is
// often there. (The weight gradient over thin nodes without a transpose, weight_gradient_by_rows,
// stays whole: with AVX2 it lost at 342 and 684 channels in chunks, 0.6-0.8 times as fast.)
// In chunks (tile_ab "wide", AVX-512, 2 threads), 1366 channels over 7 x 7 pixels at batch 128
// (6272 columns, 34 MB) took 0.72-0.81 of the time in the forward pass and backward-data and
// 0.67-0.73 in the weight gradient (docs/benchmarks.md, 2026-12-02). Lower thresholds lost: at
// 4 MiB, width 684 over 3136 columns (8.6 MB) in the forward pass and backward-data, and widths
// 768 and 1539 at batch 1024 (6.3 and 12.6 MB of X and dY) in the weight gradient; from 1024
// columns, the weight gradient of 1366 channels over 1568 columns (17 MB).
static inline bool outgrows_caches(int batch, long rows, int fromBatch, long bytes) {
  return batch >= fromBatch && rows * batch * 4 >= bytes;
}
static inline bool wide_product(int batch, long rows) {
  return batch >= WIDE_PRODUCT_BATCH || outgrows_caches(batch, rows, 1024, WIDE_PRODUCT_BYTES);
}

// Columns per chunk: the chunk of `rows` activation rows fills about 512 KiB, in whole multiples
// of 64 columns, at least 64 and at most 2048.
static inline int chunk_columns(long rows) {
  long c = 512L * 1024 / (4 * (rows > 0 ? rows : 1)) / 64 * 64;
  return c < 64 ? 64 : c > 2048 ? 2048 : (int)c;
}

// Column chunks of [0, batch): body(worker, first column, columns) on `threads` threads. With
// `phases` 2, the even chunks all run first, then the odd ones (for bodies whose writes reach into
// the neighbouring chunks').
template <typename F>
static void over_chunks(int threads, int batch, int chunk, const F& body, int phases = 1) {
  const int chunks = (batch + chunk - 1) / chunk;
  for (int phase = 0; phase < phases; ++phase) {
    Pool::instance().run(threads, (chunks - phase + phases - 1) / phases, [&](int t, int task) {
      const int c0 = (task * phases + phase) * chunk;
      body(t, c0, batch - c0 < chunk ? batch - c0 : chunk);
    });
  }
}

// The segments of output node v, their activation rows left null: row[s] is the first row of X
// that segment s reads (ForwardPlan::unit points them into a chunk). Returns their count.
static int node_segments(const Kernel& k, const float* W, int v, Segment* seg, int* row) {
  // A run of consecutive input nodes is one segment: their rows of X and their columns of W_v
  // are both contiguous (few long reductions beat many short ones of 2 or 3 steps).
  int n = 0;
  for (int j = k.rowPtr[v]; j < k.rowPtr[v + 1]; ++j) {
    const int u = k.colIdx[j], width = k.inOff[u + 1] - k.inOff[u];
    if (n > 0 && u == k.colIdx[j - 1] + 1) {
      seg[n - 1].len += width;
      continue;
    }
    row[n] = k.inOff[u];
    seg[n++] = Segment{W + k.rowBase[v] + k.blockCol[j], nullptr, 1, width};
  }
  return n;
}

// Two consecutive output nodes of at most PAIR_ROWS rows each, which merge_thin_nodes left apart
// (the blocks they do not share would have cost more in zeros than the merged tile gains), run as
// one register tile of both nodes' rows without zeros: an input node both read is a segment that
// feeds every row of the tile (coef the first node's coefficients, coef2 the second's), one that
// only one of them reads feeds only that node's rows. A rewired graph's neighbouring nodes share
// most of their ring blocks.
constexpr int PAIR_ROWS = TR / 2;

// acc[0, RN) += the coefficients of step k (row stride rs) times x.
template <int RN, int CC>
static inline void rows_step(vf (*acc)[CC], const vf (&x)[CC], const float* cf, long rs, int k) {
#pragma GCC unroll 8
  for (int r = 0; r < RN; ++r) {
    vf w = splat(cf[r * rs + k]);
#pragma GCC unroll 8
    for (int c = 0; c < CC; ++c) acc[r][c] += w * x[c];
  }
}

// acc[0, RN) += segments seg[s0, s1) (coefficient row stride rs) over CC vectors at col0.
template <int RN, int CC>
static inline void rows_segments(vf (*acc)[CC], const Segment* seg, int s0, int s1, long rs,
                                 long ldx, int col0) {
  for (int s = s0; s < s1; ++s) {
    const float* xp = seg[s].x + col0;
    for (int k = 0; k < seg[s].len; ++k) {
      vf x[CC];
#pragma GCC unroll 8
      for (int c = 0; c < CC; ++c) x[c] = load_x<RN>(xp + c * VW);
      rows_step<RN>(acc, x, seg[s].coef, rs, k);
      xp += ldx;
    }
  }
}

// A pair's register tile over columns [col0, col0 + CC * VW): its segments are seg[0, nS) shared
// (each activation vector feeds both nodes' rows), then nA of the first node's only, then nB of
// the second's only; rsA and rsB are the nodes' row strides of coefficients (steps are
// contiguous).
template <int RA, int RB, int CC>
static inline void pair_tile(const Segment* seg, int nS, int nA, int nB, long rsA, long rsB,
                             long ldx, int col0, const DenseStore& st) {
  constexpr int RR = RA + RB;
  vf acc[RR][CC];
#pragma GCC unroll 8
  for (int r = 0; r < RR; ++r)
#pragma GCC unroll 8
    for (int c = 0; c < CC; ++c) acc[r][c] = vf{};
  for (int s = 0; s < nS; ++s) {
    const float* xp = seg[s].x + col0;
    for (int k = 0; k < seg[s].len; ++k) {
      vf x[CC];
#pragma GCC unroll 8
      for (int c = 0; c < CC; ++c) x[c] = load_held(xp + c * VW);
      rows_step<RA>(acc, x, seg[s].coef, rsA, k);
      rows_step<RB>(acc + RA, x, seg[s].coef2, rsB, k);
      xp += ldx;
    }
  }
  rows_segments<RA>(acc, seg, nS, nS + nA, rsA, ldx, col0);
  rows_segments<RB>(acc + RA, seg, nS + nA, nS + nA + nB, rsB, ldx, col0);
#pragma GCC unroll 8
  for (int r = 0; r < RR; ++r)
#pragma GCC unroll 8
    for (int c = 0; c < CC; ++c) st.vec(r, col0 + c * VW, acc[r][c]);
}

template <int RA, int RB, int CC>
static inline void pair_cols(int vectors, const Segment* seg, int nS, int nA, int nB, long rsA,
                             long rsB, long ldx, int col0, const DenseStore& st) {
  if constexpr (CC > 0) {
    if (vectors == CC) {
      pair_tile<RA, RB, CC>(seg, nS, nA, nB, rsA, rsB, ldx, col0, st);
    } else {
      pair_cols<RA, RB, CC - 1>(vectors, seg, nS, nA, nB, rsA, rsB, ldx, col0, st);
    }
  }
}

// The pair's ra + rb rows over `cols` columns: tiles of TC vectors, then columns that do not fill
// a vector one at a time.
template <int RA = PAIR_ROWS, int RB = PAIR_ROWS>
static void pair_rows(int ra, int rb, const Segment* seg, int nS, int nA, int nB, long rsA,
                      long rsB, long ldx, int cols, const DenseStore& st) {
  if constexpr (RA > 1) {
    if (ra < RA) {
      pair_rows<RA - 1, RB>(ra, rb, seg, nS, nA, nB, rsA, rsB, ldx, cols, st);
      return;
    }
  }
  if constexpr (RB > 1) {
    if (rb < RB) {
      pair_rows<RA, RB - 1>(ra, rb, seg, nS, nA, nB, rsA, rsB, ldx, cols, st);
      return;
    }
  }
  const int vecCols = cols / VW * VW;
  for (int c = 0; c < vecCols; c += TC * VW) {
    const int vectors = (vecCols - c) / VW < TC ? (vecCols - c) / VW : TC;
    pair_cols<RA, RB, TC>(vectors, seg, nS, nA, nB, rsA, rsB, ldx, c, st);
  }
  for (int col = vecCols; col < cols; ++col) {
    float acc[RA + RB] = {};
    for (int s = 0; s < nS + nA + nB; ++s) {
      const bool a = s < nS + nA, b = s < nS || s >= nS + nA;
      const float* ca = seg[s].coef;
      const float* cb = s < nS ? seg[s].coef2 : seg[s].coef;
      for (int k = 0; k < seg[s].len; ++k) {
        const float xv = seg[s].x[k * ldx + col];
        if (a)
          for (int r = 0; r < RA; ++r) acc[r] += ca[r * rsA + k] * xv;
        if (b)
          for (int r = 0; r < RB; ++r) acc[RA + r] += cb[r * rsB + k] * xv;
      }
    }
    for (int r = 0; r < RA + RB; ++r) st.one(r, col, acc[r]);
  }
}

// match (the blocks of a, then those of a + 1) = for each block, the other node's block of the
// same input node, or -1; returns whether any matched.
static bool pair_match(const Kernel& k, int a, std::vector<int>& match) {
  const int a0 = k.rowPtr[a], b0 = k.rowPtr[a + 1], b1 = k.rowPtr[a + 2];
  match.assign(b1 - a0, -1);
  bool any = false;
  for (int i = a0, j = b0; i < b0 && j < b1;) {
    if (k.colIdx[i] == k.colIdx[j]) {
      match[i - a0] = j;
      match[j - a0] = i;
      any = true;
    }
    if (k.colIdx[i] <= k.colIdx[j]) ++i; else ++j;
  }
  return any;
}

// Each unit's first output node, then nOut: a unit is one node, or two consecutive nodes of at
// most maxRows rows each that share a block (the forward pass's and the weight gradient's pairs).
static void pair_units(const Kernel& k, int maxRows, std::vector<int>& units) {
  auto rows = [&](int v) { return k.outOff[v + 1] - k.outOff[v]; };
  auto thin = [&](int v) { return rows(v) >= 1 && rows(v) <= maxRows; };
  std::vector<int> match;
  units.clear();
  for (int v = 0; v < k.nOut;) {
    units.push_back(v);
    const bool pair = maxRows >= 1 && v + 1 < k.nOut && thin(v) && thin(v + 1) &&
                      k.rowK[v] + k.rowK[v + 1] <= 2 * KC && pair_match(k, v, match);
    v += pair ? 2 : 1;
  }
  units.push_back(k.nOut);
}

// The segments of output nodes a and a + 1 (a pair), as node_segments: count[0] shared by both
// nodes, then count[1] of a's only, then count[2] of a + 1's only (pair_rows' nS, nA, nB).
static void pair_segments(const Kernel& k, const float* W, int a, Segment* seg, int* row,
                          int* count) {
  thread_local std::vector<int> match;
  pair_match(k, a, match);
  const int a0 = k.rowPtr[a];
  int n = 0;
  // v's blocks j with shared(j) as it wants them, a run of consecutive input nodes as one segment
  // (as in node_segments); shared segments carry the other node's coefficients too.
  auto segments = [&](int v, bool shared) {
    int last = -2;
    for (int j = k.rowPtr[v]; j < k.rowPtr[v + 1]; ++j) {
      const int other = match[j - a0];
      if ((other >= 0) != shared) continue;
      const int u = k.colIdx[j], width = k.inOff[u + 1] - k.inOff[u];
      if (last == u - 1) {
        seg[n - 1].len += width;
      } else {
        row[n] = k.inOff[u];
        seg[n++] = Segment{W + k.rowBase[v] + k.blockCol[j], nullptr, 1, width,
                           shared ? W + k.rowBase[a + 1] + k.blockCol[other] : nullptr};
      }
      last = u;
    }
    return n;
  };
  count[0] = segments(a, true);
  count[1] = segments(a, false) - count[0];
  count[2] = segments(a + 1, false) - count[0] - count[1];
}

// Input node u of dX over `cols` columns: dy and dx point at the first column, row strides ldy,
// ldx.
static inline void backward_data_node(const Kernel& k, const float* W, const float* dY, long ldy,
                                      float* dX, long ldx, int u, int cols, Segment* seg) {
  int n = 0;
  for (int q = k.tPtr[u]; q < k.tPtr[u + 1]; ++q) {
    int j = k.tBlock[q];
    int v = k.blockRow[j];
    seg[n++] = Segment{W + k.rowBase[v] + k.blockCol[j], dY + (long)k.outOff[v] * ldy,
                       (long)k.rowK[v], k.outOff[v + 1] - k.outOff[v]};
  }
  node_rows(seg, n, 1, ldy, cols, k.inOff[u + 1] - k.inOff[u],
            DenseStore{dX + (long)k.inOff[u] * ldx, ldx});
}

// dst (rows x cols, row stride cols) = the columns [0, cols) of src (row stride lds): a chunk of
// a wide batch packed, so that a tile's steps read nearby rows rather than rows a whole batch
// apart (each on another page).
static void pack_columns(const float* src, long lds, int rows, int cols, float* dst) {
  for (int r = 0; r < rows; ++r) __builtin_memcpy(dst + (long)r * cols, src + r * lds, cols * 4L);
}

// Scratch of at least n floats that belongs to the calling thread and grows only: allocating
// (and faulting in) tens of megabytes per call cost more than the arithmetic of a chunked
// product. Buffers used at the same time on one thread need different slots.
enum ScratchSlot { PACK_SLOT, TRANSPOSE_SLOT, PART_SLOT, IMAGE_SLOT, PHASE_SLOT };

template <ScratchSlot S>
static float* thread_scratch(size_t n) {
  thread_local std::vector<float> b;
  if (b.size() < n) b.resize(n);
  return b.data();
}

// node(worker, seg, i, src, lds, c0, cols) for every node i < nodes over column chunks of `chunk`
// columns: each task fills its worker's pack (`rows` rows of the chunk, row stride cols) with
// fill(worker, pack, c0, cols), runs every node over it (src = the pack, lds = cols, c0 its first
// column), then calls finish(worker, c0, cols). seg holds maxBlocks + 1 segments per worker.
// `phases` 2 runs the even chunks first, then the odd ones, for a finish whose writes reach into
// the neighbouring chunks' (col2im's).
template <typename Fill, typename Node, typename Finish>
static void over_packed_chunks(int batch, int chunk, int nodes, int maxBlocks, int rows,
                               int threads, const Fill& fill, const Node& node,
                               const Finish& finish, int phases = 1) {
  std::vector<std::vector<Segment>> scratch(threads, std::vector<Segment>(maxBlocks + 1));
  over_chunks(
      threads, batch, chunk,
      [&](int t, int c0, int cols) {
        float* pack = thread_scratch<PACK_SLOT>((size_t)rows * chunk);
        fill(t, pack, c0, cols);
        for (int i = 0; i < nodes; ++i) node(t, scratch[t].data(), i, pack, (long)cols, c0, cols);
        finish(t, c0, cols);
      },
      phases);
}

// node(worker, seg, i, src, lds, c0, cols) for every node i < nodes, each reading `rows` rows of
// src (row stride k.ld) over all k.batch columns: whole nodes as the tasks or, for a wide batch,
// column chunks of src packed per task (over_packed_chunks).
template <typename Node>
static void over_nodes(const Kernel& k, int nodes, int maxBlocks, const float* src, int rows,
                       int threads, const Node& node, bool chunked = false) {
  if (chunked || wide_product(k.batch, rows)) {
    over_packed_chunks(
        k.batch, chunk_columns(rows), nodes, maxBlocks, rows, threads,
        [&](int, float* pack, int c0, int cols) {
          pack_columns(src + c0, k.ld, rows, cols, pack);
        },
        node, [](int, int, int) {});
    return;
  }
  std::vector<std::vector<Segment>> scratch(threads, std::vector<Segment>(maxBlocks + 1));
  Pool::instance().run(threads, nodes, [&](int t, int i) {
    node(t, scratch[t].data(), i, src, k.ld, 0, k.batch);
  });
}

// Output nodes of a few rows (a relational CNN's first stage has 2 or 3 channels per node) make
// register tiles of as many rows, in which each activation vector loaded feeds that few FMAs.
// The forward pass runs a run of consecutive such nodes as one node over the union of their
// blocks, with zero weights where a node lacks a block, where the merged node costs less by a
// model of a node's time: its columns times (rows + 2), the 2 standing for what a thin tile
// loses. A complete graph's thin nodes always merge; a ring lattice's neighbours share most of
// their blocks. The merged layout forms a Kernel of its own over repacked weights.
struct MergedNodes {
  std::vector<int> outOff, rowPtr, colIdx, blockCol, rowK, group;
  std::vector<long long> rowBase;
  std::vector<float> w;
  std::vector<char> inUnion;
  Kernel k;
};

// f(offset in the merged weights, offset in the original ones, length) for every row of every
// block of every node that m merged (m.group: each group's first node, then nOut).
template <typename F>
static void for_merged_blocks_of(const Kernel& k, const MergedNodes& m, int g, const F& f) {
  const int K = m.rowK[g];
  for (int v = m.group[g]; v < m.group[g + 1]; ++v) {
    const long long row0 = m.rowBase[g] + (long long)(k.outOff[v] - m.outOff[g]) * K;
    int q = m.rowPtr[g];  // union blocks ascend, as v's do
    for (int j = k.rowPtr[v]; j < k.rowPtr[v + 1]; ++j) {
      while (m.colIdx[q] != k.colIdx[j]) ++q;
      const int len = k.inOff[k.colIdx[j] + 1] - k.inOff[k.colIdx[j]];
      for (int i = 0; i < k.outOff[v + 1] - k.outOff[v]; ++i) {
        f(row0 + (long long)i * K + m.blockCol[q],
          k.rowBase[v] + (long long)i * k.rowK[v] + k.blockCol[j], len);
      }
    }
  }
}

template <typename F>
static void for_merged_blocks(const Kernel& k, const MergedNodes& m, const F& f) {
  for (int g = 0; g + 1 < (int)m.group.size(); ++g) for_merged_blocks_of(k, m, g, f);
}

// Fills m and returns true where merging thin nodes into nodes of at most maxRows rows pays, else
// returns false. Repacks W into m.w unless W is null.
static bool merge_thin_nodes(const Kernel& k, const float* W, int maxRows, MergedNodes& m) {
  auto rows = [&](int v) { return k.outOff[v + 1] - k.outOff[v]; };
  auto width = [&](int u) { return k.inOff[u + 1] - k.inOff[u]; };
  bool candidates = false;
  for (int v = 0; v + 1 < k.nOut && !candidates; ++v) {
    candidates = rows(v) + rows(v + 1) <= maxRows;
  }
  if (!candidates) return false;
  m.outOff.assign(1, 0);
  m.rowPtr.assign(1, 0);
  m.colIdx.clear();
  m.blockCol.clear();
  m.rowK.clear();
  m.rowBase.clear();
  m.group.clear();  // first node of each group, then nOut
  m.inUnion.assign(k.nIn, 0);
  long long extent = 0;
  for (int v = 0; v < k.nOut;) {
    int r = rows(v), e = v + 1;
    long long cols = k.rowK[v];
    for (int j = k.rowPtr[v]; j < k.rowPtr[v + 1]; ++j) m.inUnion[k.colIdx[j]] = 1;
    for (; e < k.nOut && r + rows(e) <= maxRows; ++e) {
      long long added = 0;
      for (int j = k.rowPtr[e]; j < k.rowPtr[e + 1]; ++j) {
        if (!m.inUnion[k.colIdx[j]]) added += width(k.colIdx[j]);
      }
      const long long merged = (cols + added) * (r + rows(e) + 2);
      if (merged >= cols * (r + 2) + (long long)k.rowK[e] * (rows(e) + 2)) break;
      for (int j = k.rowPtr[e]; j < k.rowPtr[e + 1]; ++j) m.inUnion[k.colIdx[j]] = 1;
      cols += added;
      r += rows(e);
    }
    int c = 0;
    for (int u = 0; u < k.nIn; ++u) {
      if (!m.inUnion[u]) continue;
      m.inUnion[u] = 0;
      m.colIdx.push_back(u);
      m.blockCol.push_back(c);
      c += width(u);
    }
    m.group.push_back(v);
    m.outOff.push_back(k.outOff[e]);
    m.rowPtr.push_back((int)m.colIdx.size());
    m.rowK.push_back(c);
    m.rowBase.push_back(extent);
    extent += (long long)r * c;
    v = e;
  }
  const int groups = (int)m.group.size();
  if (groups == k.nOut) return false;
  m.group.push_back(k.nOut);
  if (W) {
    m.w.assign(extent, 0.0f);
    for_merged_blocks(k, m, [&](long long merged, long long original, int len) {
      __builtin_memcpy(m.w.data() + merged, W + original, sizeof(float) * len);
    });
  }
  m.k = k;
  m.k.nOut = groups;
  m.k.nnz = (int)m.colIdx.size();
  m.k.outOff = m.outOff.data();
  m.k.rowPtr = m.rowPtr.data();
  m.k.colIdx = m.colIdx.data();
  m.k.blockCol = m.blockCol.data();
  m.k.rowBase = m.rowBase.data();
  m.k.rowK = m.rowK.data();
  m.k.tPtr = m.k.tBlock = m.k.blockRow = nullptr;  // the forward pass needs no transposed index
  m.k.maxRowBlocks = 0;
  for (int g = 0; g < groups; ++g) {
    if (m.rowPtr[g + 1] - m.rowPtr[g] > m.k.maxRowBlocks) m.k.maxRowBlocks = m.rowPtr[g + 1] - m.rowPtr[g];
  }
  m.k.weightExtent = extent;
  return true;
}

// The layout and weights the forward pass runs: k and W, or their merged thin nodes (in m).
static const Kernel& forward_layout(const Kernel& k, const float*& W, MergedNodes& m) {
  if (!merge_thin_nodes(k, W, TR, m)) return k;
  W = m.w.data();
  return m.k;
}

// Every unit's segments (node_segments, pair_segments), built once per pass rather than once per
// unit and column chunk where a pass goes in chunks: at[4i] is unit i's first segment in seg and
// row, at[4i + 1 .. 4i + 3] its pair_rows counts (a single node's all in the first). (tile_ab
// "conv1", AVX-512, 2 threads: with the held loads of thin tiles, 172 channels over 64 nodes took
// 0.82-0.86 of the time. Built for whole-node tasks, which run each unit once, on the calling
// thread they cost up to 9% at batch 128.)
struct UnitSegments {
  std::vector<Segment> seg;
  std::vector<int> row, at;
};

// What the forward pass runs: the layout and weights (forward_layout), its units (pair_units) and
// their segments, held in the calling thread's own buffers (the pool's workers reach them through
// this).
struct ForwardPlan {
  const Kernel& k;
  const float* W;
  const std::vector<int>& units;
  UnitSegments& built;
  bool prebuilt = false;  // built holds every unit's segments (prebuild)
  int count() const { return (int)units.size() - 1; }
  int maxBlocks() const { return 2 * k.maxRowBlocks; }  // a pair's segments
  // Unit i's segments into seg and row, its pair_rows counts into counts[0 .. 2].
  void segments(int i, Segment* seg, int* row, int* counts) const {
    if (units[i + 1] - units[i] == 2) {
      pair_segments(k, W, units[i], seg, row, counts);
    } else {
      counts[0] = node_segments(k, W, units[i], seg, row);
      counts[1] = counts[2] = 0;
    }
  }
  // Builds every unit's segments once, for passes that run each unit over many column chunks.
  void prebuild() {
    built.seg.resize(k.nnz > 0 ? k.nnz : 1);  // at most one segment per block
    built.row.resize(built.seg.size());
    built.at.assign(4 * (size_t)count(), 0);
    int first = 0;
    for (int i = 0; i < count(); ++i) {
      int* at = &built.at[4 * (size_t)i];
      at[0] = first;
      segments(i, built.seg.data() + first, built.row.data() + first, at + 1);
      first += at[1] + at[2] + at[3];
    }
    prebuilt = true;
  }
  // Unit i over `cols` columns: x and y point at the first column, row strides ldx, ldy.
  void unit(int i, const float* x, long ldx, float* y, long ldy, int cols, Segment* seg) const {
    thread_local std::vector<int> ownRow;
    int own[4] = {0, 0, 0, 0};  // as built.at's four, for a unit built here
    const int* at = own;
    const int* row;
    if (prebuilt) {
      at = &built.at[4 * (size_t)i];
      row = built.row.data() + at[0];
      for (int q = 0; q < at[1] + at[2] + at[3]; ++q) seg[q] = built.seg[at[0] + q];
    } else {
      ownRow.resize(maxBlocks() + 1);
      segments(i, seg, ownRow.data(), own + 1);
      row = ownRow.data();
    }
    const int n = at[1] + at[2] + at[3];
    for (int q = 0; q < n; ++q) seg[q].x = x + (long)row[q] * ldx;
    const int v = units[i];
    const DenseStore st{y + (long)k.outOff[v] * ldy, ldy};
    const int rows = k.outOff[v + 1] - k.outOff[v];
    if (units[i + 1] - v == 2) {
      pair_rows(rows, k.outOff[v + 2] - k.outOff[v + 1], seg, at[1], at[2], at[3], k.rowK[v],
                k.rowK[v + 1], ldx, cols, st);
    } else {
      node_rows(seg, n, k.rowK[v], ldx, cols, rows, st);
    }
  }
};

static ForwardPlan forward_plan(const Kernel& k0, const float* W) {
  thread_local MergedNodes merged;
  thread_local std::vector<int> units;
  thread_local UnitSegments built;
  const Kernel& k = forward_layout(k0, W, merged);
  pair_units(k, PAIR_ROWS, units);
  return ForwardPlan{k, W, units, built};
}

// Whether a forward pass of 1024 columns or more, too narrow for wide_product, goes in column
// chunks all the same: with 16-float vectors, over LONG_NODE_BYTES of X whose nodes read
// LONG_NODE_STEPS rows of it or more on average. Whole-node tasks would each stream their rows of
// X from L3, once per node: a complete graph's nodes all of X. (tile_ab "data", AVX-512, 2
// threads, batch 1024, old / new time: the complete graph over 1539, 1024, 768 and 512 channels
// 1.49, 1.56, 1.19 and 1.40, 1024 channels at k 16 (272 steps) 1.00-1.12; 1539 channels at k 8
// (216 steps) level. Thin nodes lost in chunks from 4 MiB: 684 channels over 3136 columns (96
// steps) took 1.18 times as long. Backward-data in such chunks alone did not gain: 0.96-1.04.)
// The rule of long_node_forward for `rows` rows of activations over `batch` columns that `nodes`
// nodes read `steps` of in all (a forward pass's inputs, or backward-data's dY, which the
// transposed kernel's input nodes read).
static inline bool long_nodes(int batch, long rows, long steps, int nodes) {
  return VW == 16 && batch >= 1024 && rows * batch * 4 >= LONG_NODE_BYTES &&
         steps >= (long)LONG_NODE_STEPS * nodes;
}

static inline bool long_node_forward(const Kernel& k, long rows) {
  long steps = 0;
  for (int v = 0; v < k.nOut; ++v) steps += k.rowK[v];
  return long_nodes(k.batch, rows, steps, k.nOut);
}

static void forward(const Kernel& k0, const float* W, const float* X, float* Y, int threads) {
  last_isa = ISA;
  ForwardPlan p = forward_plan(k0, W);
  const int rows = p.k.inOff[p.k.nIn];
  const bool chunked = long_node_forward(p.k, rows) || wide_product(p.k.batch, rows);
  if (chunked) p.prebuild();
  over_nodes(
      p.k, p.count(), p.maxBlocks(), X, rows, threads,
      [&](int, Segment* seg, int i, const float* x, long ldx, int c0, int cols) {
        p.unit(i, x, ldx, Y + c0, p.k.ld, cols, seg);
      },
      chunked);
}

typedef float v8 __attribute__((vector_size(32)));
typedef int v8i __attribute__((vector_size(32)));

static inline v8 load8(const float* p) {
  v8 v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

// dst (8 x 8, row stride ldd) = transpose of src (8 x 8, row stride lds), in registers.
static inline __attribute__((always_inline)) void transpose8(const float* src, long lds, float* dst, long ldd) {
  v8 r[8], t[8], u[8];
  for (int i = 0; i < 8; ++i) r[i] = load8(src + i * lds);
  const v8i lo = {0, 8, 1, 9, 4, 12, 5, 13}, hi = {2, 10, 3, 11, 6, 14, 7, 15};
  for (int i = 0; i < 8; i += 2) {
    t[i] = __builtin_shuffle(r[i], r[i + 1], lo);
    t[i + 1] = __builtin_shuffle(r[i], r[i + 1], hi);
  }
  const v8i lo2 = {0, 1, 8, 9, 4, 5, 12, 13}, hi2 = {2, 3, 10, 11, 6, 7, 14, 15};
  for (int i = 0; i < 8; i += 4) {
    u[i] = __builtin_shuffle(t[i], t[i + 2], lo2);
    u[i + 1] = __builtin_shuffle(t[i], t[i + 2], hi2);
    u[i + 2] = __builtin_shuffle(t[i + 1], t[i + 3], lo2);
    u[i + 3] = __builtin_shuffle(t[i + 1], t[i + 3], hi2);
  }
  const v8i lo4 = {0, 1, 2, 3, 8, 9, 10, 11}, hi4 = {4, 5, 6, 7, 12, 13, 14, 15};
  for (int i = 0; i < 4; ++i) {
    v8 a = __builtin_shuffle(u[i], u[i + 4], lo4);
    v8 b = __builtin_shuffle(u[i], u[i + 4], hi4);
    __builtin_memcpy(dst + i * ldd, &a, sizeof a);
    __builtin_memcpy(dst + (i + 4) * ldd, &b, sizeof b);
  }
}

// dst[b][c] = src[c][b] for r0 <= c < r1, b < cols, in 8 x 8 register blocks.
static void transpose_rows(const float* src, long lds, int r0, int r1, int cols, float* dst,
                           long ldd) {
  int r = r0;
  for (; r + 8 <= r1; r += 8) {
    int b = 0;
    for (; b + 8 <= cols; b += 8) transpose8(src + r * lds + b, lds, dst + (long)b * ldd + r, ldd);
    for (; b < cols; ++b)
      for (int i = 0; i < 8; ++i) dst[(long)b * ldd + r + i] = src[(r + i) * lds + b];
  }
  for (; r < r1; ++r)
    for (int b = 0; b < cols; ++b) dst[(long)b * ldd + r] = src[r * lds + b];
}

// dst[b][c] = src[c][b] for c < rows, b < cols.
static void transpose(const float* src, long lds, int rows, int cols, float* dst, long ldd,
                      int threads) {
  const int group = 64;  // rows per task
  int tasks = (rows + group - 1) / group;
  Pool::instance().run(threads, tasks, [&](int, int task) {
    int r0 = task * group, r1 = r0 + group < rows ? r0 + group : rows;
    transpose_rows(src, lds, r0, r1, cols, dst, ldd);
  });
}

// The transposed kernel: the nodes swap roles and each block is transposed, its taps flipped
// where it has several (tap t of W_v[r][(c, t)] becomes tap K^2 - 1 - t of the row for channel
// c), so that the backward-data product of k is the forward product of this kernel over dY (for
// a shifted convolution, over dY's planes). With `pick`, the rows have `picked` taps instead: tap
// i is k's tap pick[i] (a phase of a strided convolution's taps). Only the fields forward and
// taps_products read are set (no transposed block index of its own).
struct TransposedKernel {
  std::vector<int> outOff, inOff, rowPtr, colIdx, blockCol, rowK;
  std::vector<long long> rowBase;
  std::vector<float> W;
  Kernel k{};
};

static void transpose_kernel(const Kernel& k, int taps, const float* W, TransposedKernel& t,
                             int threads, const int* pick = nullptr, int picked = 0) {
  const int nt = pick ? picked : taps;  // the transposed rows' taps
  t.outOff.assign(k.nIn + 1, 0);
  t.inOff.assign(k.nOut + 1, 0);
  for (int u = 0; u < k.nIn; ++u) t.outOff[u + 1] = k.inOff[u + 1] / taps;
  for (int v = 0; v < k.nOut; ++v) t.inOff[v + 1] = k.outOff[v + 1] * nt;
  t.rowPtr.assign(k.nIn + 1, 0);
  t.colIdx.resize(k.nnz);
  t.blockCol.resize(k.nnz);
  t.rowK.assign(k.nIn, 0);
  t.rowBase.assign(k.nIn, 0);
  long long base = 0;
  for (int u = 0; u < k.nIn; ++u) {
    t.rowBase[u] = base;
    for (int i = k.tPtr[u]; i < k.tPtr[u + 1]; ++i) {
      const int v = k.blockRow[k.tBlock[i]];
      t.colIdx[i] = v;
      t.blockCol[i] = t.rowK[u];
      t.rowK[u] += (k.outOff[v + 1] - k.outOff[v]) * nt;
    }
    t.rowPtr[u + 1] = k.tPtr[u + 1];
    base += (long long)(t.outOff[u + 1] - t.outOff[u]) * t.rowK[u];
  }
  t.W.resize(base);
  // Each input node's rows of the transposed weights are its own: the nodes are the tasks.
  Pool::instance().run(threads, k.nIn, [&](int, int u) {
    const int channels = (k.inOff[u + 1] - k.inOff[u]) / taps;
    for (int i = k.tPtr[u]; i < k.tPtr[u + 1]; ++i) {
      const int j = k.tBlock[i], v = k.blockRow[j], rows = k.outOff[v + 1] - k.outOff[v];
      const float* block = W + k.rowBase[v] + k.blockCol[j];
      float* to = t.W.data() + t.rowBase[u] + t.blockCol[i];
      if (taps == 1) {
        transpose_rows(block, k.rowK[v], 0, rows, channels, to, t.rowK[u]);
        continue;
      }
      for (int r = 0; r < rows; ++r) {
        const float* from = block + (long long)r * k.rowK[v];
        for (int c = 0; c < channels; ++c) {
          float* dst = to + (long long)c * t.rowK[u] + (long long)r * nt;
          for (int i = 0; i < nt; ++i) dst[i] = from[c * taps + (pick ? pick[i] : taps - 1 - i)];
        }
      }
    }
  });
  Kernel& kt = t.k;
  kt.batch = k.batch;
  kt.ld = k.ld;
  kt.nOut = k.nIn;
  kt.nIn = k.nOut;
  kt.nnz = k.nnz;
  kt.outOff = t.outOff.data();
  kt.inOff = t.inOff.data();
  kt.rowPtr = t.rowPtr.data();
  kt.colIdx = t.colIdx.data();
  kt.blockCol = t.blockCol.data();
  kt.rowBase = t.rowBase.data();
  kt.rowK = t.rowK.data();
  kt.maxRowBlocks = k.maxColBlocks;
  kt.maxColBlocks = k.maxRowBlocks;
  kt.weightExtent = base;
}

// With 8-float vectors, backward-data over column chunks (wide_product) walks the columns of every
// W_v, a row of W_v (K_v floats) a step, once per chunk; over TRANSPOSED_DATA_BYTES of weights it
// runs as the forward pass of the transposed kernel instead, which reads each row once a chunk.
// (tile_ab, forced AVX2, 2 threads, batch 1024, complete graph: see docs/benchmarks.md.) With
// 16-float vectors, so does backward-data wherever the transposed kernel's forward pass would go
// in column chunks over long nodes (long_node_forward): from 1024 columns and LONG_NODE_BYTES of
// dY, input nodes that LONG_NODE_STEPS output rows or more read on average. (tile_ab "data",
// AVX-512, 2 threads, old / new time: the complete graph over 1539, 1024, 768 and 512 channels at
// batch 1024 1.30, 1.27, 1.50 and 1.32, over 1550 at batch 2048 1.30; nodes of fewer steps
// unchanged.)
static inline bool transposed_backward_data(const Kernel& k) {
  if (VW == 16) {
    long steps = 0;  // the transposed kernel's rows of dY over its nodes, as its forward counts
    for (int v = 0; v < k.nOut; ++v) {
      steps += (long)(k.rowPtr[v + 1] - k.rowPtr[v]) * (k.outOff[v + 1] - k.outOff[v]);
    }
    return long_nodes(k.batch, k.outOff[k.nOut], steps, k.nIn);
  }
  return VW == 8 && wide_product(k.batch, k.outOff[k.nOut]) &&
         k.weightExtent * 4 >= TRANSPOSED_DATA_BYTES;
}

static void backward_data(const Kernel& k, const float* W, const float* dY, float* dX,
                          int threads) {
  last_isa = ISA;
  if (transposed_backward_data(k)) {
    thread_local TransposedKernel t;
    transpose_kernel(k, 1, W, t, threads);
    forward(t.k, t.W.data(), dY, dX, threads);
    return;
  }
  over_nodes(k, k.nIn, k.maxColBlocks, dY, k.outOff[k.nOut], threads,
             [&](int, Segment* seg, int u, const float* dy, long ldy, int c0, int cols) {
               backward_data_node(k, W, dy, ldy, dX + c0, k.ld, u, cols, seg);
             });
}

// One vector of weight-gradient columns: activations (batch-major, row stride ldx) start at x;
// results go to column `col` of W_v, `lanes` of them (the last vector of a run may be partial).
// A paired vector (x2 set) holds two short tails of at most VW/2 columns each: lanes 0..VW/2-1
// from x (results to col, lanes of them) and lanes VW/2.. from x2 (to col2, lanes2 of them), so
// that runs of, say, 24 columns fill vectors of 16 lanes completely.
struct ColumnVector {
  const float* x;
  int col;
  int lanes;
  const float* x2 = nullptr;
  int col2 = 0;
  int lanes2 = 0;
};

typedef float hf __attribute__((vector_size(VW * 2)));

static inline hf loadh(const float* p) {
  hf v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

// Two half vectors side by side (a template, so that only the branch of this VW is compiled).
template <typename H>
static inline vf combine(H a, H b) {
  constexpr int N = 2 * (int)(sizeof(H) / sizeof(float));
  if constexpr (N == 16) {
    return __builtin_shufflevector(a, b, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  } else if constexpr (N == 8) {
    return __builtin_shufflevector(a, b, 0, 1, 2, 3, 4, 5, 6, 7);
  } else {
    return __builtin_shufflevector(a, b, 0, 1, 2, 3);
  }
}

// Loads column vector c's activations at batch index k.
template <bool P>
static inline vf load_columns(const float* x, const float* x2, long off) {
  if constexpr (P) {
    return combine(loadh(x + off), loadh(x2 + off));
  } else {
    return loadu(x + off);
  }
}

// Where a weight-gradient tile's rows go: row r of W_v at w + r * ldw, columns at a column
// vector's col (and col2, for two half vectors). A pair of thin nodes (pair_units) stacks the
// second node's rows from `split` on: they go to w2 + (r - split) * ldw2, at col2.
struct DwOut {
  float* w;
  long ldw;
  float* w2 = nullptr;
  long ldw2 = 0;
  int split = INT_MAX;
  float* at(int r, const ColumnVector& cv) const {
    return r < split ? w + r * ldw + cv.col : w2 + (r - split) * ldw2 + cv.col2;
  }
};

// RR rows of dW_v (starting at row r0: dy = dY row r0, o = W_v row r0) for CC column vectors,
// reducing over the batch.
template <bool P, int RR, int CC>
static inline void dw_tile(const float* dy, long ld, int batch, const ColumnVector* cv, long ldx,
                           const DwOut& o, bool add) {
  constexpr int KU = accumulator_sets<RR, CC>();
  vf acc[KU][RR][CC];
  zero(acc);
  const float* xs[CC];
  const float* xs2[CC];
#pragma GCC unroll 8
  for (int c = 0; c < CC; ++c) {
    xs[c] = cv[c].x;
    xs2[c] = cv[c].x2;
  }
  int k = 0;
  for (; k + KU <= batch; k += KU) {
#pragma GCC unroll 4
    for (int u = 0; u < KU; ++u) {
      vf x[CC];
#pragma GCC unroll 8
      for (int c = 0; c < CC; ++c) x[c] = load_columns<P>(xs[c], xs2[c], (long)(k + u) * ldx);
#pragma GCC unroll 8
      for (int r = 0; r < RR; ++r) {
        vf d = splat(dy[r * ld + k + u]);
#pragma GCC unroll 8
        for (int c = 0; c < CC; ++c) acc[u][r][c] += d * x[c];
      }
    }
  }
  for (; k < batch; ++k) {
    vf x[CC];
#pragma GCC unroll 8
    for (int c = 0; c < CC; ++c) x[c] = load_columns<P>(xs[c], xs2[c], (long)k * ldx);
#pragma GCC unroll 8
    for (int r = 0; r < RR; ++r) {
      vf d = splat(dy[r * ld + k]);
#pragma GCC unroll 8
      for (int c = 0; c < CC; ++c) acc[0][r][c] += d * x[c];
    }
  }
  fold(acc);
#pragma GCC unroll 8
  for (int r = 0; r < RR; ++r)
#pragma GCC unroll 8
    for (int c = 0; c < CC; ++c) {
      float* out = o.at(r, cv[c]);
      if (!P && cv[c].lanes == VW) {
        storeu(out, add ? loadu(out) + acc[0][r][c] : acc[0][r][c]);
      } else {
        for (int l = 0; l < cv[c].lanes; ++l) out[l] = (add ? out[l] : 0.0f) + acc[0][r][c][l];
        if constexpr (P) {
          float* out2 = o.w + r * o.ldw + cv[c].col2;
          for (int l = 0; l < cv[c].lanes2; ++l) {
            out2[l] = (add ? out2[l] : 0.0f) + acc[0][r][c][VW / 2 + l];
          }
        }
      }
    }
}

template <bool P, int RR, int CC>
static inline void dw_cols(int cc, const float* dy, long ld, int batch, const ColumnVector* cv,
                           long ldx, const DwOut& o, bool add) {
  if constexpr (CC > 0) {
    if (cc == CC) {
      dw_tile<P, RR, CC>(dy, ld, batch, cv, ldx, o, add);
    } else {
      dw_cols<P, RR, CC - 1>(cc, dy, ld, batch, cv, ldx, o, add);
    }
  }
}

template <bool P, int RR, int CC = DTC>
static inline void dw_rows(int rr, int cc, const float* dy, long ld, int batch,
                           const ColumnVector* cv, long ldx, const DwOut& o, bool add) {
  if constexpr (RR > 0) {
    if (rr == RR) {
      dw_cols<P, RR, CC>(cc, dy, ld, batch, cv, ldx, o, add);
    } else {
      dw_rows<P, RR - 1, CC>(rr, cc, dy, ld, batch, cv, ldx, o, add);
    }
  }
}

// Every row tile (R rows) of one output node for a list of column vectors, C at a time.
template <bool P, int R, int C>
static inline void dw_node_tiles(const std::vector<ColumnVector>& cvs, int count, const float* dy,
                                 long ld, int batch, long ldx, float* w, long ldw, bool add) {
  const int tiles = (count + R - 1) / R;
  const int nv = (int)cvs.size();
  for (int c = 0; c < nv; c += C) {
    int cc = nv - c < C ? nv - c : C;
    int r0 = 0;
    for (int t = 0; t < tiles; ++t) {
      int rr = tile_height(count, tiles, t);
      dw_rows<P, R, C>(rr, cc, dy + r0 * ld, ld, batch, cvs.data() + c, ldx,
                       DwOut{w + r0 * ldw, ldw}, add);
      r0 += rr;
    }
  }
}

// Every row tile of one output node: DTR x DTC tiles, or TALL_DTR x TALL_DTC over nodes of at
// least TALL_ROWS rows.
template <bool P>
static inline void dw_node(const std::vector<ColumnVector>& cvs, int count, const float* dy,
                           long ld, int batch, long ldx, float* w, long ldw, bool add) {
  if constexpr (TALL_DTR != DTR || TALL_DTC != DTC) {
    if (count >= TALL_ROWS) {
      dw_node_tiles<P, TALL_DTR, TALL_DTC>(cvs, count, dy, ld, batch, ldx, w, ldw, add);
      return;
    }
  }
  dw_node_tiles<P, DTR, DTC>(cvs, count, dy, ld, batch, ldx, w, ldw, add);
}

// The column vectors of v's blocks j that keep(j) selects, run by run (a run: consecutive input
// nodes, whose columns are contiguous both in xt and in W_v); a run's last vector, when it holds
// at most half a vector's lanes, goes to halves instead. Where other(j) is a block of a pair's
// second node (the same input node's), each vector's col2 is its column there, and every vector
// goes to cvs.
template <typename Keep, typename Other>
static void column_runs(const Kernel& k, int v, const float* xtp, const Keep& keep,
                        const Other& other, std::vector<ColumnVector>& cvs,
                        std::vector<ColumnVector>& halves) {
  const int j1 = k.rowPtr[v + 1];
  for (int j = k.rowPtr[v]; j < j1;) {
    if (!keep(j)) {
      ++j;
      continue;
    }
    int je = j + 1;
    while (je < j1 && keep(je) && k.colIdx[je] == k.colIdx[je - 1] + 1) ++je;
    const int c0 = k.inOff[k.colIdx[j]];
    const int cols = k.inOff[k.colIdx[je - 1] + 1] - c0;
    const int o = other(j);
    for (int c = 0; c < cols; c += VW) {
      ColumnVector cv{xtp + c0 + c, k.blockCol[j] + c, cols - c < VW ? cols - c : VW};
      if (o >= 0) cv.col2 = k.blockCol[o] + c;
      (o < 0 && cv.lanes <= VW / 2 ? halves : cvs).push_back(cv);
    }
    j = je;
  }
}

static inline int no_other(int) { return -1; }

// Every row tile of a node's `count` rows (dy, row stride ld; w, row stride ldw) over cvs, and over
// halves two at a time (two short tails share one vector).
static void dw_columns(std::vector<ColumnVector>& cvs, const std::vector<ColumnVector>& halves,
                       int count, const float* dy, long ld, int batch, long ldt, float* w, long ldw,
                       bool add) {
  thread_local std::vector<ColumnVector> pairs;
  pairs.clear();
  size_t h = 0;
  for (; h + 1 < halves.size(); h += 2) {
    ColumnVector p = halves[h];
    p.x2 = halves[h + 1].x;
    p.col2 = halves[h + 1].col;
    p.lanes2 = halves[h + 1].lanes;
    pairs.push_back(p);
  }
  if (h < halves.size()) cvs.push_back(halves[h]);
  dw_node<false>(cvs, count, dy, ld, batch, ldt, w, ldw, add);
  dw_node<true>(pairs, count, dy, ld, batch, ldt, w, ldw, add);
}

// dW_v = dY_v X^T on v's blocks over the columns of dy and xt (X transposed: batch-major, row
// stride ldt), `batch` of them; added to w when `add`. A run of consecutive input nodes has
// contiguous columns both in xt and in W_v. The node lists its columns as vectors (a run's last
// vector may be partial) and takes them DTC at a time, whatever run they come from, so short
// runs still fill whole register tiles; the reduction is over the batch.
static void backward_weight_node(const Kernel& k, int v, const float* dy, int batch,
                                 const float* xtp, long ldt, float* w, bool add) {
  thread_local std::vector<ColumnVector> cvs, halves;
  cvs.clear();
  halves.clear();
  column_runs(k, v, xtp, [](int) { return true; }, no_other, cvs, halves);
  dw_columns(cvs, halves, k.outOff[v + 1] - k.outOff[v], dy, k.ld, batch, ldt, w, k.rowK[v], add);
}

// backward_weight_node for a pair of thin output nodes a and a + 1 (pair_units): the columns of
// the input nodes both read in one tile of both nodes' rows (their dy rows are adjacent), the
// others in tiles of their own node's rows. wa and wb: the nodes' weights.
static void backward_weight_pair(const Kernel& k, int a, const float* dy, int batch,
                                 const float* xtp, long ldt, float* wa, float* wb, bool add) {
  const int b = a + 1;
  thread_local std::vector<int> match;
  pair_match(k, a, match);
  const int a0 = k.rowPtr[a];
  const int ra = k.outOff[b] - k.outOff[a], rb = k.outOff[b + 1] - k.outOff[b];
  auto shared = [&](int j) { return match[j - a0] >= 0; };
  thread_local std::vector<ColumnVector> both, cvs, halves;
  both.clear();
  // runs of shared input nodes: contiguous in W_a and in W_b
  column_runs(k, a, xtp, shared, [&](int j) { return match[j - a0]; }, both, halves);
  const DwOut pair{wa, k.rowK[a], wb, k.rowK[b], ra};
  const int nv = (int)both.size();
  for (int c = 0; c < nv; c += DTC) {
    dw_rows<false, DTR>(ra + rb, nv - c < DTC ? nv - c : DTC, dy, k.ld, batch, both.data() + c,
                        ldt, pair, add);
  }
  for (int v = a; v <= b; ++v) {
    cvs.clear();
    halves.clear();
    column_runs(k, v, xtp, [&](int j) { return !shared(j); }, no_other, cvs, halves);
    dw_columns(cvs, halves, v == a ? ra : rb, v == a ? dy : dy + (long)ra * k.ld, k.ld, batch,
               ldt, v == a ? wa : wb, k.rowK[v], add);
  }
}

// The weight gradient without a transpose: dW_v[r][col] = sum over the batch of
// dy[r][b] x_col[b] is a dot product of two rows that are both contiguous in the feature-major
// layout. A tile holds RR x CC accumulators, each a vector over VW batch columns: per step of VW
// columns it loads CC activation rows and RR dy rows, and the lanes are summed once at the end.
// Columns of W_v are single input channels, so thin nodes (12 channels) waste no lanes.

// out[i] = the sum of the lanes of a[i], i < N (with VW = 8, 8 vectors at a time by pairwise
// in-lane sums and one exchange of halves). A template of the vector type, so that only
// the branch of this VW is compiled.
template <int N, typename V>
static inline void lane_sums(const V* a, float* out) {
  if constexpr (sizeof(V) == 64) {  // halves added first
    typedef float V8 __attribute__((vector_size(32)));
    V8 h[N];
#pragma GCC unroll 8
    for (int i = 0; i < N; ++i) {
      h[i] = __builtin_shufflevector(a[i], a[i], 0, 1, 2, 3, 4, 5, 6, 7) +
             __builtin_shufflevector(a[i], a[i], 8, 9, 10, 11, 12, 13, 14, 15);
    }
    lane_sums<N>(h, out);
  } else if constexpr (sizeof(V) == 32) {
#pragma GCC unroll 4
    for (int g = 0; g < N; g += 8) {
      V r[8];
#pragma GCC unroll 8
      for (int i = 0; i < 8; ++i) r[i] = g + i < N ? a[g + i] : V{};
      V t[4], u[2];
#pragma GCC unroll 4
      for (int i = 0; i < 4; ++i) {
        t[i] = __builtin_shufflevector(r[2 * i], r[2 * i + 1], 0, 2, 8, 10, 4, 6, 12, 14) +
               __builtin_shufflevector(r[2 * i], r[2 * i + 1], 1, 3, 9, 11, 5, 7, 13, 15);
      }
#pragma GCC unroll 2
      for (int i = 0; i < 2; ++i) {
        u[i] = __builtin_shufflevector(t[2 * i], t[2 * i + 1], 0, 2, 8, 10, 4, 6, 12, 14) +
               __builtin_shufflevector(t[2 * i], t[2 * i + 1], 1, 3, 9, 11, 5, 7, 13, 15);
      }
      // u[0] = sums of r0..r3 over the low halves, then over the high halves; u[1] of r4..r7
      V s = __builtin_shufflevector(u[0], u[1], 0, 1, 2, 3, 8, 9, 10, 11) +
             __builtin_shufflevector(u[0], u[1], 4, 5, 6, 7, 12, 13, 14, 15);
      float tmp[8];
      __builtin_memcpy(tmp, &s, sizeof s);
#pragma GCC unroll 8
      for (int i = 0; i < 8; ++i)
        if (g + i < N) out[g + i] = tmp[i];
    }
  } else {
    for (int i = 0; i < N; ++i) {
      float s = 0;
      for (int l = 0; l < (int)(sizeof(V) / 4); ++l) s += a[i][l];
      out[i] = s;
    }
  }
}

// RR rows of dW_v (dy = dY row of the first, row stride ld; w = W_v's first row, row stride ldw)
// by CC columns of W_v, cs apart, whose activation rows are xr[0 .. CC-1], over `batch` columns.
// With M, an activation counts only where mask (over the same columns) is set: a convolution's tap
// that falls off the image reads a neighbouring pixel there, selected away rather than multiplied
// by 0, so that whatever that pixel holds never reaches the sum. The mask holds lane masks, which
// AVX-512 compares with 0 into a mask register and AVX2 ANDs in.
template <int RR, int CC, bool M>
static inline void dwb_tile(const float* dy, long ld, int batch, const float* const* xr,
                            const float* mask, float* w, long ldw, long cs, bool add) {
  constexpr int KU = accumulator_sets<RR, CC>();
  vf acc[KU][RR][CC];
  zero(acc);
  const float* xs[CC];
#pragma GCC unroll 8
  for (int c = 0; c < CC; ++c) xs[c] = xr[c];
  auto load_x = [&](int c, int k) {
    vf x = loadu(xs[c] + k);
    // (With AVX2 the AND took 0.87-0.99 of a compare and blend's time; conv_ab, weight gradient
    // over nodes of 3 and 6 channels. With AVX-512 the compare into a mask register stays.)
    if constexpr (M && VW == 16) x = loadu(mask + k) != 0.0f ? x : vf{};
    if constexpr (M && VW != 16) x = (vf)((lanes)x & (lanes)loadu(mask + k));
    return x;
  };
  const int vb = batch / VW * VW;
  int k = 0;
  for (; k + KU * VW <= vb; k += KU * VW) {
#pragma GCC unroll 4
    for (int u = 0; u < KU; ++u) {
      vf x[CC];
#pragma GCC unroll 8
      for (int c = 0; c < CC; ++c) x[c] = load_x(c, k + u * VW);
#pragma GCC unroll 8
      for (int r = 0; r < RR; ++r) {
        vf d = loadu(dy + r * ld + k + u * VW);
#pragma GCC unroll 8
        for (int c = 0; c < CC; ++c) acc[u][r][c] += d * x[c];
      }
    }
  }
  for (; k < vb; k += VW) {
    vf x[CC];
#pragma GCC unroll 8
    for (int c = 0; c < CC; ++c) x[c] = load_x(c, k);
#pragma GCC unroll 8
    for (int r = 0; r < RR; ++r) {
      vf d = loadu(dy + r * ld + k);
#pragma GCC unroll 8
      for (int c = 0; c < CC; ++c) acc[0][r][c] += d * x[c];
    }
  }
  fold(acc);
  float s[RR * CC];
  lane_sums<RR * CC>(&acc[0][0][0], s);
  for (; k < batch; ++k) {  // the last columns that do not fill a vector
    if (M && mask[k] == 0.0f) continue;
#pragma GCC unroll 8
    for (int r = 0; r < RR; ++r)
#pragma GCC unroll 8
      for (int c = 0; c < CC; ++c) s[r * CC + c] += dy[r * ld + k] * xs[c][k];
  }
#pragma GCC unroll 8
  for (int r = 0; r < RR; ++r)
#pragma GCC unroll 8
    for (int c = 0; c < CC; ++c) {
      float* out = w + r * ldw + c * cs;
      *out = (add ? *out : 0.0f) + s[r * CC + c];
    }
}

template <int RR, int CC, bool M>
static inline void dwb_cols(int cc, const float* dy, long ld, int batch, const float* const* xr,
                            const float* mask, float* w, long ldw, long cs, bool add) {
  if constexpr (CC > 0) {
    if (cc == CC) {
      dwb_tile<RR, CC, M>(dy, ld, batch, xr, mask, w, ldw, cs, add);
    } else {
      dwb_cols<RR, CC - 1, M>(cc, dy, ld, batch, xr, mask, w, ldw, cs, add);
    }
  }
}

// The tile of rr <= RR rows by cc <= CC columns (mask and cs as for dwb_tile).
template <int RR, int CC, bool M = false>
static inline void dwb_rows(int rr, int cc, const float* dy, long ld, int batch,
                            const float* const* xr, float* w, long ldw, bool add,
                            const float* mask = nullptr, long cs = 1) {
  if constexpr (RR > 0) {
    if (rr == RR) {
      dwb_cols<RR, CC, M>(cc, dy, ld, batch, xr, mask, w, ldw, cs, add);
    } else {
      dwb_rows<RR - 1, CC, M>(rr, cc, dy, ld, batch, xr, w, ldw, add, mask, cs);
    }
  }
}

// dW_v = dY_v X^T on v's blocks over `batch` columns of dy and x (feature-major, row strides ldy
// and ldx, both pointing at the first column), added to w when `add`: DTC columns of W_v at a time (the
// outer loop, so that their activation rows stay in cache), every row tile of the node for each.
// (Slicing the batch so that a node's dy rows stay in L1, and prefetching the next columns' rows,
// made it slower with AVX2 at batches of 128 to 1024.)
static void backward_weight_node_rows(const Kernel& k, int v, const float* dy, long ldy,
                                      const float* x, long ldx, int batch, float* w, bool add) {
  thread_local std::vector<const float*> xr;
  const int K = k.rowK[v];
  xr.resize(K + 1);
  for (int j = k.rowPtr[v]; j < k.rowPtr[v + 1]; ++j) {
    const int u = k.colIdx[j];
    for (int i = 0; i < k.inOff[u + 1] - k.inOff[u]; ++i) {
      xr[k.blockCol[j] + i] = x + (long)(k.inOff[u] + i) * ldx;
    }
  }
  const int count = k.outOff[v + 1] - k.outOff[v];
  const int tiles = (count + DTR - 1) / DTR;
  for (int c = 0; c < K; c += DTC) {
    const int cc = K - c < DTC ? K - c : DTC;
    int r0 = 0;
    for (int t = 0; t < tiles; ++t) {
      const int rr = tile_height(count, tiles, t);
      dwb_rows<DTR, DTC>(rr, cc, dy + r0 * ldy, ldy, batch, xr.data() + c, w + (long)r0 * K + c,
                         K, add);
      r0 += rr;
    }
  }
}

// Whether the weight gradient of this call goes without a transpose: where the output nodes have
// on average at most ROWS_CHANNELS channels and the batch is ROWS_BATCH to WIDE_BATCH - 1 columns,
// or at most ROWS_CHANNELS_WIDE channels and the batch is wide (0: never). The transpose costs
// most per product over thin nodes, and the transposing tile leaves lanes empty when a node has
// one to four channels; the rows kernel's lane sums cost more the fewer vector steps a tile has.
// Measured (tile_ab, an AVX-512 machine, A/B figures in docs/benchmarks.md): with AVX2, nodes of
// 12 channels gained from batch 128 on, nodes of 16 lost at batch 128 and gained from 256, nodes
// of 24 lost up to batch 512 and broke even at 1024, batches under 128 lost; in wide batches nodes
// of 1 to 4 channels gained (up to 4.5 times), nodes of 8 and 16 lost (their rows, a whole batch
// apart, each on another page); with AVX-512 only the wide batches of thin nodes gained. Since
// each worker transposes its own copy of X, the transposing kernel wins at batch 128 with AVX2
// too (rows / transposing time over nodes of 8 and 12 channels: 1.08-1.43; 10 channels 0.97),
// and the rows kernel still from 256 (0.71-0.97).
constexpr int ROWS_BATCH = 256;
static inline bool weight_gradient_by_rows(const Kernel& k) {
  const long out = k.outOff[k.nOut];
  if (k.batch >= WIDE_BATCH) return out <= (long)ROWS_CHANNELS_WIDE * k.nOut;
  return k.batch >= ROWS_BATCH && out <= (long)ROWS_CHANNELS * k.nOut;
}

// Row stride of transposed activations of `in` channels: padded off multiples of 4 KiB, whose
// rows would all fall into the same cache sets.
static inline long transposed_stride(int in) { return in + 2 * VW + 8; }

// Each worker's own copy of a weight gradient over column chunks (`extent` values), made and zeroed
// by the worker's first chunk (of), and their sum (sum).
struct WorkerParts {
  std::vector<float*> parts;
  long long extent;
  WorkerParts(int threads, long long extent) : parts(threads, nullptr), extent(extent) {}
  float* of(int t) {
    if (!parts[t]) {
      parts[t] = thread_scratch<PART_SLOT>(extent);
      std::fill(parts[t], parts[t] + extent, 0.0f);
    }
    return parts[t];
  }
  // dW[o .. o + len) = the sum of the parts at [p .. p + len).
  void sum(long long p, long long o, long long len, float* dW) const {
    bool first = true;
    for (const float* part : parts) {
      if (!part) continue;
      for (long long i = 0; i < len; ++i) dW[o + i] = first ? part[p + i] : dW[o + i] + part[p + i];
      first = false;
    }
  }
};

// Whether the weight gradient over thin nodes that merge_thin_nodes merged (into layout m) goes
// without a transpose all the same, over the nodes as they were: where the merged nodes are still
// thin (weight_gradient_by_rows) and their W_v narrower on average than two transposing tiles
// (2 DTC vectors), whose tiles would then be a vector or two wide. A sparse graph's thin nodes
// merge little: tile_ab (2 threads, ring lattices of degree 8 with 30% rewired, 8192 to 131,072
// columns, rows / merged time) read 0.73-0.85 at 172 channels over 64 nodes, 0.54-0.58 at 128
// and 0.24-0.28 at 64 with AVX-512, 0.70-0.75, 0.61-0.65 and 0.28-0.31 with AVX2. A complete
// graph's merge into full tiles with W_v as wide as the layer (AVX2: 1.3-1.9 times as long
// without the transpose).
static inline bool merged_by_rows(const Kernel& m) {
  long K = 0;
  for (int v = 0; v < m.nOut; ++v) K += m.rowK[v];
  return weight_gradient_by_rows(m) && K < 2L * DTC * VW * m.nOut;
}

// The weight gradient over column chunks of `chunk` columns: each task gets its chunk of X from
// source(worker, c0, cols), a pointer to the chunk's first column and its row stride (X itself,
// or a chunk the worker builds), transposes it (or, without a transpose, reads its rows in place)
// and adds every node's gradient over it to its worker's own copy of dW; the copies are summed at
// the end, node by node.
template <typename Source>
static void backward_weight_chunks(const Kernel& k0, const float* dY, int chunk,
                                   const Source& source, float* dW, int threads) {
  // Thin output nodes merged (merge_thin_nodes) compute their gradient over the union of their
  // blocks, and only their own blocks are kept in the final sum, unless merged_by_rows sends them
  // without a transpose; where none merge, the gradient goes without a transpose if
  // weight_gradient_by_rows says so. (Over a relational 3 x 3 convolution's nodes of 2 or 3
  // channels, the merged nodes took half the time of the rows kernel, with AVX-512 and AVX2.) The
  // pool's workers reach the caller's thread_local only through a reference.
  thread_local MergedNodes callers;
  MergedNodes& merged = callers;
  const bool merges = merge_thin_nodes(k0, nullptr, DTR, merged);
  const bool rows = merges ? merged_by_rows(merged.k) : weight_gradient_by_rows(k0);
  const bool isMerged = merges && !rows;
  const Kernel& k = isMerged ? merged.k : k0;
  thread_local std::vector<int> callersUnits;  // pairs of thin nodes, for the transposing kernel
  std::vector<int>& units = callersUnits;
  pair_units(k, rows ? 0 : DTR / 2, units);
  const int in = k.inOff[k.nIn];
  const long ldt = transposed_stride(in);
  WorkerParts parts(threads, k.weightExtent);
  over_chunks(threads, k.batch, chunk, [&](int t, int c0, int cols) {
    float* part = parts.of(t);
    if (rows) {
      const std::pair<const float*, long> x = source(t, c0, cols);
      for (int v = 0; v < k.nOut; ++v) {
        backward_weight_node_rows(k, v, dY + (long)k.outOff[v] * k.ld + c0, k.ld, x.first,
                                  x.second, cols, part + k.rowBase[v], true);
      }
      return;
    }
    float* xt = thread_scratch<TRANSPOSE_SLOT>(chunk * ldt + VW);
    const std::pair<const float*, long> x = source(t, c0, cols);
    transpose(x.first, x.second, in, cols, xt, ldt, 1);
    for (size_t i = 0; i + 1 < units.size(); ++i) {
      const int v = units[i];
      const float* dy = dY + (long)k.outOff[v] * k.ld + c0;
      if (units[i + 1] - v == 2) {
        backward_weight_pair(k, v, dy, cols, xt, ldt, part + k.rowBase[v], part + k.rowBase[v + 1],
                             true);
      } else {
        backward_weight_node(k, v, dy, cols, xt, ldt, part + k.rowBase[v], true);
      }
    }
  });
  auto sum = [&](long long p, long long o, int len) { parts.sum(p, o, len, dW); };
  Pool::instance().run(threads, k.nOut, [&](int, int v) {
    if (isMerged) {
      for_merged_blocks_of(k0, merged, v, sum);
    } else {
      sum(k.rowBase[v], k.rowBase[v], (k.outOff[v + 1] - k.outOff[v]) * k.rowK[v]);
    }
  });
}

// The weight gradient of a wide batch (see WIDE_BATCH and backward_weight), chunk by chunk of X.
static void backward_weight_wide(const Kernel& k, const float* dY, const float* X, float* dW,
                                 int threads) {
  const int chunk = chunk_columns((long)k.inOff[k.nIn] + k.outOff[k.nOut]);
  backward_weight_chunks(
      k, dY, chunk,
      [&](int, int c0, int) { return std::pair<const float*, long>(X + c0, k.ld); }, dW,
      threads);
}

// dW_v = dY_v X^T on v's blocks, never a dense dW; output nodes are the tasks. X is transposed
// (batch-major, padded by a vector): once by all workers together, or, up to OWN_TRANSPOSE_BYTES of
// X, by each worker into its own copy; or not at all where weight_gradient_by_rows says so.
static void backward_weight(const Kernel& k, const float* dY, const float* X, float* dW,
                            int threads) {
  last_isa = ISA;
  const bool rows = weight_gradient_by_rows(k);
  const long read = (long)k.inOff[k.nIn] + k.outOff[k.nOut];  // rows of X and dY
  if (k.batch >= WIDE_BATCH ||
      (!rows && outgrows_caches(k.batch, read, 2048, WIDE_GRADIENT_BYTES))) {
    backward_weight_wide(k, dY, X, dW, threads);
    return;
  }
  if (rows) {
    Pool::instance().run(threads, k.nOut, [&](int, int v) {
      backward_weight_node_rows(k, v, dY + (long)k.outOff[v] * k.ld, k.ld, X, k.ld, k.batch,
                                dW + k.rowBase[v], false);
    });
    return;
  }
  const int in = k.inOff[k.nIn];
  const long ldt = transposed_stride(in);
  if ((long)in * k.batch * 4 <= OWN_TRANSPOSE_BYTES) {
    // Each worker transposes all of X into its own scratch before its first node, so that no
    // worker reads the lines another has just written (a core fetching a transpose written by
    // the other took longer than transposing it twice, once on each core).
    std::vector<const float*> own(threads > 1 ? threads : 1, nullptr);
    Pool::instance().run(threads, k.nOut, [&](int t, int v) {
      if (!own[t]) {
        float* xt = thread_scratch<TRANSPOSE_SLOT>((size_t)k.batch * ldt + VW);
        transpose(X, k.ld, in, k.batch, xt, ldt, 1);
        own[t] = xt;
      }
      backward_weight_node(k, v, dY + (long)k.outOff[v] * k.ld, k.batch, own[t], ldt,
                           dW + k.rowBase[v], false);
    });
    return;
  }
  // The calling thread's scratch: the pool's helpers read it only while this caller waits, and
  // callers on other threads (parallel training runs) have their own.
  float* xtp = thread_scratch<TRANSPOSE_SLOT>((size_t)k.batch * ldt + VW);
  transpose(X, k.ld, in, k.batch, xtp, ldt, threads);
  Pool::instance().run(threads, k.nOut, [&](int, int v) {
    backward_weight_node(k, v, dY + (long)k.outOff[v] * k.ld, k.batch, xtp, ldt,
                         dW + k.rowBase[v], false);
  });
}
