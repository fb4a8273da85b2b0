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
    Worker w = new Worker(n);
    w.generate(k, p, seed);
    return RelationalGraph.adopt(n, false, w.rows.clone());
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
  public static final class DisconnectedGraphException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DisconnectedGraphException(String message) {
      super(message);
    }
  }

  /**
   * Reusable generator state for one thread and one node count: the bitset rows of the last graph
   * and the random stream. Sweeps use it to generate millions of graphs without allocating.
   */
  static final class Worker {
    final int n;
    final int words;
    final long[] rows;
    private final int[] degree;
    private final int[] bfsQueue;
    private final long[] seen;
    private final PythonRandom rng = new PythonRandom(0);

    Worker(int n) {
      RelationalGraph.checkNodeCount(n);
      this.n = n;
      this.words = RelationalGraph.wordsPerRow(n);
      this.rows = new long[n * words];
      this.degree = new int[n];
      this.bfsQueue = new int[n];
      this.seen = new long[words];
    }

    /** Fills {@link #rows} with the graph for {@code (k, p, seed)}. */
    void generate(double k, double p, long seed) {
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

    private void drawOnce(int e, double p) {
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
          link(i, (i + j) % n);
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
          int v = (u + j) % n;
          if (rng.random() < p) {
            int w = rng.randbelow(n);
            boolean givenUp = false;
            while (w == u || (rows[u * words + (w >>> 6)] & (1L << w)) != 0) {
              w = rng.randbelow(n);
              if (degree[u] >= n - 1) {
                givenUp = true;
                break;
              }
            }
            if (!givenUp) {
              unlink(u, v);
              link(u, w);
            }
          }
        }
      }
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
