package org.relgraph.graph;

/**
 * The WS-flex generator of "Graph Structure of Neural Networks": a Watts-Strogatz-like graph whose
 * average degree {@code k} may be any real number in {@code [2, n-1]}.
 *
 * <ol>
 *   <li>{@code e = round-half-to-even(n·k/2)} undirected edges;
 *   <li>every node {@code i} links forward to {@code i+1 .. i+c} (mod n) with {@code c = e / n};
 *       nodes {@code 0 .. (e mod n)-1} get one more forward link, to {@code i+c+1};
 *   <li>each node's forward edges {@code (u, v)}, in order, are rewired with probability {@code p}
 *       to {@code (u, w)} for a uniform {@code w} that is neither {@code u} nor a neighbour of
 *       {@code u} (given up when {@code u} already touches every other node);
 *   <li>a disconnected result is drawn again from the same stream, up to {@value #MAX_TRIES} times.
 * </ol>
 *
 * <p>The random stream is CPython's {@code random.Random(seed)} ({@link PythonRandom}), so {@code
 * (n, k, p, seed)} names the same graph as in the paper's released graph sets.
 */
public final class WsFlex {
  /** Draws allowed before a disconnected result becomes an error. */
  public static final int MAX_TRIES = 100;

  private WsFlex() {}

  /**
   * The WS-flex graph for these parameters.
   *
   * @param n nodes, at least 2
   * @param k average degree, in {@code [2, n-1]}
   * @param p rewiring probability, in {@code [0, 1]}
   * @param seed seed of the Python-compatible random stream
   * @throws IllegalArgumentException for invalid parameters
   * @throws DisconnectedGraphException when {@value #MAX_TRIES} draws are all disconnected
   */
  public static RelationalGraph generate(int n, double k, double p, long seed) {
    Sampler s = new Sampler(n);
    s.draw(k, p, seed);
    return RelationalGraph.adopt(n, false, s.rows); // the sampler is discarded: no copy
  }

  /** The number of edges of a WS-flex graph: {@code n·k/2} rounded half to even, as Python does. */
  public static int edgeCount(int n, double k) {
    validate(n, k, 0);
    return (int) Math.rint(k * n / 2);
  }

  static void validate(int n, double k, double p) {
    if (n < 2) {
      throw new IllegalArgumentException("WS-flex needs n >= 2 nodes, got n = " + n);
    }
    RelationalGraph.checkNodeCount(n);
    if (!(k >= 2 && k <= n - 1)) {
      throw new IllegalArgumentException(
          "WS-flex average degree k = " + k + " outside [2, " + (n - 1) + "] for n = " + n);
    }
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException(
          "WS-flex rewiring probability p = " + p + " outside [0, 1]");
    }
  }

  /** Thrown when every allowed draw of a random graph came out disconnected. */
  public static final class DisconnectedGraphException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    DisconnectedGraphException(String message) {
      super(message);
    }
  }

  /**
   * Reusable generator state for one thread and one node count: the bitset rows of the last graph
   * and the random stream. Sweeps use it to draw and measure millions of graphs without allocating.
   * Not thread-safe.
   */
  public static final class Sampler {
    private final int n;
    private final int words;
    final long[] rows;
    private final int[] degree;
    private final int[] bfsQueue;
    private final long[] seen;
    private final PythonRandom rng = new PythonRandom(0);

    /** A sampler of {@code n}-node graphs. */
    public Sampler(int n) {
      RelationalGraph.checkNodeCount(n);
      this.n = n;
      this.words = RelationalGraph.wordsPerRow(n);
      this.rows = new long[n * words];
      this.degree = new int[n];
      this.bfsQueue = new int[n];
      this.seen = new long[words];
    }

    /**
     * Draws the graph for {@code (k, p, seed)}, replacing the previous one.
     *
     * @throws IllegalArgumentException for invalid parameters
     * @throws DisconnectedGraphException when every allowed draw was disconnected
     */
    public void draw(double k, double p, long seed) {
      validate(n, k, p);
      rng.seed(seed);
      int e = (int) Math.rint(k * n / 2);
      for (int attempt = 0; attempt < MAX_TRIES; attempt++) {
        drawOnce(e, p);
        if (connected()) {
          return;
        }
      }
      throw new DisconnectedGraphException(
          "WS-flex(n = "
              + n
              + ", k = "
              + k
              + ", p = "
              + p
              + ", seed = "
              + seed
              + ") was disconnected in all "
              + MAX_TRIES
              + " draws");
    }

    /** The last graph drawn, as an immutable copy. */
    public RelationalGraph graph() {
      return RelationalGraph.adopt(n, false, rows.clone());
    }

    /**
     * Measures the last graph drawn: {@code out[0]} gets its clustering coefficient C, {@code
     * out[1]} its average path length L.
     */
    public void measure(double[] out) {
      if (words == 1) {
        GraphMeasures.clusteringAndPathLength64(n, rows, out);
      } else {
        out[0] = GraphMeasures.clustering(n, rows);
        out[1] = GraphMeasures.pathLengthOrNaN(n, rows);
      }
    }

    private void drawOnce(int e, double p) {
      if (words == 1) {
        drawOnce64(e, p);
        return;
      }
      final int n = this.n;
      final int words = this.words;
      final long[] rows = this.rows;
      java.util.Arrays.fill(rows, 0L);
      java.util.Arrays.fill(degree, 0);
      int c = e / n;
      int extra = e % n;
      for (int i = 0; i < n; i++) {
        int count = c + (i < extra ? 1 : 0);
        for (int j = 1; j <= count; j++) {
          int v = i + j;
          link(i, v < n ? v : v - n);
        }
      }
      if (p == 0) {
        // Python still draws r for every edge, but the untouched lattice is connected, so no
        // redraw ever reads the stream again.
        return;
      }
      for (int u = 0; u < n; u++) {
        int count = c + (u < extra ? 1 : 0);
        for (int j = 1; j <= count; j++) {
          int v = u + j < n ? u + j : u + j - n;
          if (rng.random() < p) {
            // Python: draw w until it is neither u nor a neighbour of u; after each redraw, give
            // up if u touches every other node. Its degree cannot change meanwhile, so a node of
            // full degree draws twice and gives up, and any other draws until a valid w.
            if (degree[u] >= n - 1) {
              rng.randbelow(n);
              rng.randbelow(n);
              continue;
            }
            // u's own bit is set for the draw only: neither u nor its neighbours may be drawn.
            int uWord = u * words + (u >>> 6);
            rows[uWord] |= 1L << u;
            int w = rng.randbelowExcluding(n, rows, u * words);
            rows[uWord] &= ~(1L << u);
            unlink(u, v);
            link(u, w);
          }
        }
      }
    }

    /**
     * {@link #drawOnce} for {@code n <= 64}, one word per row: the lattice is built row by row from
     * rotated bit runs, and a rewire is three word updates.
     */
    private void drawOnce64(int e, double p) {
      final int n = this.n;
      final long[] rows = this.rows;
      int c = e / n;
      int extra = e % n;
      for (int v = 0; v < n; v++) {
        int count = c + (v < extra ? 1 : 0);
        long row = ringRun(v + 1, count) | ringRun(v - c, c);
        int back = Math.floorMod(v - c - 1, n); // links forward to v only if it has an extra link
        if (back < extra) {
          row |= 1L << back;
        }
        rows[v] = row;
      }
      if (p == 0) {
        return; // as in the general path
      }
      for (int u = 0; u < n; u++) {
        int count = c + (u < extra ? 1 : 0);
        for (int j = 1; j <= count; j++) {
          if (rng.random() < p) {
            long ru = rows[u];
            if (Long.bitCount(ru) >= n - 1) {
              rng.randbelow(n); // as in the general path: two draws, then give up
              rng.randbelow(n);
              continue;
            }
            int v = u + j < n ? u + j : u + j - n;
            // The one-word variant of the rejection scan: ~10% faster over the design space
            // than the bitset one (the mask stays in a register).
            int w = rng.randbelowExcluding(n, ru | (1L << u));
            rows[u] = (ru & ~(1L << v)) | (1L << w);
            rows[v] &= ~(1L << u);
            rows[w] |= 1L << u;
          }
        }
      }
    }

    /** Bits {@code start, start+1, ..., start+length-1} modulo n, for {@code length < n <= 64}. */
    private long ringRun(int start, int length) {
      int s = Math.floorMod(start, n);
      long run = (1L << length) - 1;
      if (n == 64) {
        return Long.rotateLeft(run, s);
      }
      return ((run << s) | (run >>> (n - s))) & ((1L << n) - 1);
    }

    private void link(int u, int v) {
      long bit = 1L << v;
      int iu = u * words + (v >>> 6);
      if ((rows[iu] & bit) == 0) {
        rows[iu] |= bit;
        rows[v * words + (u >>> 6)] |= 1L << u;
        degree[u]++;
        degree[v]++;
      }
    }

    private void unlink(int u, int v) {
      rows[u * words + (v >>> 6)] &= ~(1L << v);
      rows[v * words + (u >>> 6)] &= ~(1L << u);
      degree[u]--;
      degree[v]--;
    }

    private boolean connected() {
      if (words == 1) {
        long all = n == 64 ? -1L : (1L << n) - 1;
        long visited = 1L;
        long frontier = 1L;
        while (frontier != 0) {
          long next = 0;
          for (long f = frontier; f != 0; f &= f - 1) {
            next |= rows[Long.numberOfTrailingZeros(f)];
          }
          frontier = next & ~visited;
          visited |= next;
        }
        return visited == all;
      }
      java.util.Arrays.fill(seen, 0L);
      seen[0] = 1L;
      int head = 0;
      int tail = 0;
      bfsQueue[tail++] = 0;
      while (head < tail) {
        int u = bfsQueue[head++];
        for (int w = 0; w < words; w++) {
          long fresh = rows[u * words + w] & ~seen[w];
          seen[w] |= fresh;
          for (; fresh != 0; fresh &= fresh - 1) {
            bfsQueue[tail++] = (w << 6) + Long.numberOfTrailingZeros(fresh);
          }
        }
      }
      return tail == n;
    }
  }
}
