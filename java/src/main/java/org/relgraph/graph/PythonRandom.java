package org.relgraph.graph;

/**
 * The random stream of CPython's {@code random.Random(seed)}: Mersenne Twister MT19937 seeded by
 * {@code init_by_array} over the seed's 32-bit words.
 *
 * <p>It exists so that a WS-flex graph named by {@code (n, k, p, seed)} is the paper's graph edge
 * for edge. {@link #random()}, {@link #getrandbits(int)} and {@link #randbelow(int)} return what
 * Python's {@code random()}, {@code getrandbits(k)} and {@code _randbelow(n)} (hence {@code
 * choice}) return, in the same order. Not thread-safe: one instance per thread.
 */
public final class PythonRandom {
  private static final int N = 624;
  private static final int M = 397;
  private static final int MATRIX_A = 0x9908b0df;
  private static final int UPPER_MASK = 0x80000000;
  private static final int LOWER_MASK = 0x7fffffff;

  private final int[] mt = new int[N];
  // Tempered outputs of the current block: tempering the whole block at once lets the JIT
  // vectorise it, and rejection loops then scan a plain array.
  private final int[] out = new int[N];
  private int index;

  /** The stream of {@code random.Random(seed)}; like Python, a negative seed acts as its abs. */
  public PythonRandom(long seed) {
    seed(seed);
  }

  /**
   * Restarts the stream as {@code random.seed(seed)} does. Seeding costs about as much as drawing a
   * thousand numbers, and sweeps reuse a few seeds millions of times, so the seeded states of the
   * last {@value #CACHED_SEEDS} distinct seeds are kept.
   */
  public void seed(long seed) {
    int[] cached = seededStates.get(seed);
    if (cached != null) {
      System.arraycopy(cached, 0, mt, 0, N);
      index = N;
      return;
    }
    seedWithoutCache(seed);
    seededStates.put(seed, mt.clone());
  }

  private static final int CACHED_SEEDS = 64;

  private final java.util.Map<Long, int[]> seededStates =
      new java.util.LinkedHashMap<>(2 * CACHED_SEEDS, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<Long, int[]> eldest) {
          return size() > CACHED_SEEDS;
        }
      };

  private void seedWithoutCache(long seed) {
    long a = seed == Long.MIN_VALUE ? seed : Math.abs(seed);
    int[] key;
    int hi = (int) (a >>> 32);
    if (hi != 0) {
      key = new int[] {(int) a, hi};
    } else {
      key = new int[] {(int) a};
    }
    initByArray(key);
  }

  private void initGenrand(int s) {
    mt[0] = s;
    for (int i = 1; i < N; i++) {
      mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
    }
    index = N;
  }

  private void initByArray(int[] key) {
    initGenrand(19650218);
    int i = 1;
    int j = 0;
    for (int k = Math.max(N, key.length); k > 0; k--) {
      mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1664525)) + key[j] + j;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
      if (j >= key.length) {
        j = 0;
      }
    }
    for (int k = N - 1; k > 0; k--) {
      mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1566083941)) - i;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }

  private void twist() {
    int kk = 0;
    int y;
    for (; kk < N - M; kk++) {
      y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
      mt[kk] = mt[kk + M] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    }
    for (; kk < N - 1; kk++) {
      y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
      mt[kk] = mt[kk + (M - N)] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    }
    y = (mt[N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
    mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    for (int i = 0; i < N; i++) {
      int t = mt[i];
      t ^= t >>> 11;
      t ^= (t << 7) & 0x9d2c5680;
      t ^= (t << 15) & 0xefc60000;
      t ^= t >>> 18;
      out[i] = t;
    }
    index = 0;
  }

  /** The next 32-bit output (as an int; read it unsigned). */
  public int nextInt32() {
    if (index >= N) {
      twist();
    }
    return out[index++];
  }

  /** A float in [0, 1) with 53 random bits, as Python's {@code random()}. */
  public double random() {
    int i = index;
    if (i <= N - 2) {
      index = i + 2;
      return ((out[i] >>> 5) * 67108864.0 + (out[i + 1] >>> 6)) * (1.0 / 9007199254740992.0);
    }
    int a = nextInt32() >>> 5;
    int b = nextInt32() >>> 6;
    return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
  }

  /** Python's {@code getrandbits(k)} for {@code 1 <= k <= 32}: the top k bits of one output. */
  public int getrandbits(int k) {
    if (k < 1 || k > 32) {
      throw new IllegalArgumentException("k must be in [1, 32], got " + k);
    }
    return nextInt32() >>> (32 - k);
  }

  /**
   * A uniform draw from {@code 0..n-1} by rejection on {@code getrandbits(bit_length(n))}, as
   * Python's {@code _randbelow(n)} and so {@code choice(seq)} with {@code len(seq) == n}.
   */
  public int randbelow(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be >= 1, got " + n);
    }
    int shift = Integer.numberOfLeadingZeros(n); // 32 - bit_length(n)
    int r = nextInt32() >>> shift;
    while (r >= n) {
      r = nextInt32() >>> shift;
    }
    return r;
  }

  /**
   * Repeats {@link #randbelow(int)} until it returns a value {@code r} whose bit in a bitset is
   * clear (bit {@code r % 64} of word {@code excluded[from + r / 64]}), and returns it: the same
   * result and stream position as that loop, for any {@code n >= 1}. The caller must leave at least
   * one value allowed.
   */
  public int randbelowExcluding(int n, long[] excluded, int from) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be >= 1, got " + n);
    }
    if (from < 0 || from + ((n + 63) >>> 6) > excluded.length) {
      throw new IllegalArgumentException("bitset too short for n = " + n + " at offset " + from);
    }
    int shift = Integer.numberOfLeadingZeros(n);
    while (true) {
      if (index >= N) {
        twist();
      }
      int i = index;
      while (i < N) {
        int r = out[i++] >>> shift;
        // Branch-free: about half the draws are >= n at random; clamp the word index instead of
        // testing, and fold "r >= n" into the rejection bit.
        long word = excluded[from + (Math.min(r, n - 1) >>> 6)];
        long rejected = ((word >>> r) & 1) | ((n - 1 - r) >>> 31);
        if (rejected == 0) {
          index = i;
          return r;
        }
      }
      index = i;
    }
  }

  /**
   * Repeats {@link #randbelow(int)} until it returns a value whose bit in {@code excluded} is
   * clear, and returns that value: the same result and the same stream position as the loop, for
   * {@code 1 <= n <= 64}. The caller must leave at least one value allowed.
   */
  public int randbelowExcluding(int n, long excluded) {
    if (n < 1 || n > 64) {
      throw new IllegalArgumentException("n must be in [1, 64], got " + n);
    }
    int shift = Integer.numberOfLeadingZeros(n); // draws have bit_length(n) <= 7 bits
    long allowed = ~excluded & (n == 64 ? -1L : (1L << n) - 1);
    while (true) {
      if (index >= N) {
        twist();
      }
      int i = index;
      while (i < N) {
        int r = out[i++] >>> shift;
        // Branch-free test of "r < 64 and allowed": draws of 64..127 see an empty mask. About
        // half the draws are rejected at random, which a branch would mispredict.
        long mask = allowed & ((r >>> 6) - 1L);
        if (((mask >>> r) & 1) != 0) {
          index = i;
          return r;
        }
      }
      index = i;
    }
  }
}
