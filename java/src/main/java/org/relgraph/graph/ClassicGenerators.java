package org.relgraph.graph;

import java.util.Arrays;

/**
 * Classic graph families: Erdős–Rényi {@code G(n, m)}, Watts–Strogatz, Barabási–Albert, Harary,
 * ring lattices and complete graphs. All graphs are undirected.
 *
 * <p>The random generators draw from a {@link PythonRandom} seeded with {@code seed}, so the same
 * parameters and seed give the same graph on any machine. They consume the random stream exactly as
 * the networkx generator they follow does with {@code seed=seed}, so they also give networkx's
 * graph (nodes {@code 0..n-1}) where noted.
 *
 * <p>Invalid parameters throw {@link IllegalArgumentException} with a message naming the parameter
 * and its value.
 */
public final class ClassicGenerators {
  private ClassicGenerators() {}

  /**
   * A uniformly random graph on {@code n} nodes with exactly {@code m} edges (the {@code G(n, m)}
   * model).
   *
   * <p>For {@code m <= n(n-1)/4} this is networkx's {@code gnm_random_graph(n, m, seed)}: draw
   * {@code u} and {@code v} with {@code choice(nodes)} and keep the edge unless it is a self-loop
   * or already present, until there are {@code m} edges. For larger {@code m} the same process
   * draws the {@code n(n-1)/2 - m} edges that are missing and the result is their complement, so
   * that dense graphs cost no more than sparse ones; the distribution is uniform either way.
   *
   * @param n number of nodes, {@code >= 1}
   * @param m number of edges, {@code 0 <= m <= n(n-1)/2}
   * @param seed seed of the random stream
   * @throws IllegalArgumentException for {@code n} or {@code m} out of range
   */
  public static RelationalGraph erdosRenyi(int n, int m, long seed) {
    checkAtLeast("n", n, 1);
    long max = (long) n * (n - 1) / 2;
    if (m < 0 || m > max) {
      throw new IllegalArgumentException(
          "m = " + m + " out of range [0, " + max + "] for n = " + n);
    }
    RelationalGraph.checkNodeCount(n);
    int words = RelationalGraph.wordsPerRow(n);
    long[] rows = new long[n * words];
    boolean complement = 2L * m > max;
    long draw = complement ? max - m : m;
    PythonRandom rnd = new PythonRandom(seed);
    for (long count = 0; count < draw; ) {
      int u = rnd.randbelow(n);
      int v = rnd.randbelow(n);
      if (u == v || has(rows, words, u, v)) {
        continue;
      }
      link(rows, words, u, v);
      count++;
    }
    if (complement) {
      for (int u = 0; u < n; u++) {
        int base = u * words;
        for (int w = 0; w < words; w++) {
          rows[base + w] = ~rows[base + w] & wordMask(n, w);
        }
        rows[base + (u >>> 6)] &= ~(1L << u);
      }
    }
    return RelationalGraph.adopt(n, false, rows);
  }

  /**
   * A Watts–Strogatz small-world graph, as networkx's {@code watts_strogatz_graph(n, k, p, seed)}.
   *
   * <p>Starts from {@link #ringLattice(int, int) ringLattice(n, k)}; then for {@code j = 1..k/2}
   * and, inside, for each node {@code u} in order, the lattice edge {@code (u, u+j mod n)} is
   * rewired with probability {@code p} to {@code (u, w)}, {@code w} uniform among the nodes and
   * redrawn while it is {@code u} or already a neighbour of {@code u}; the rewiring is skipped when
   * {@code u} is already joined to every other node. The edge count {@code n·k/2} is preserved.
   *
   * @param n number of nodes, {@code >= 3}
   * @param k mean degree, even, {@code 2 <= k < n}
   * @param p rewiring probability in {@code [0, 1]}
   * @param seed seed of the random stream
   * @throws IllegalArgumentException for a parameter out of range
   */
  public static RelationalGraph wattsStrogatz(int n, int k, double p, long seed) {
    checkLattice(n, k);
    if (!(p >= 0.0 && p <= 1.0)) {
      throw new IllegalArgumentException("p = " + p + " out of range [0, 1]");
    }
    int words = RelationalGraph.wordsPerRow(n);
    long[] rows = latticeRows(n, k);
    int[] degree = new int[n];
    Arrays.fill(degree, k);
    PythonRandom rnd = new PythonRandom(seed);
    for (int j = 1; j <= k / 2; j++) {
      for (int u = 0; u < n; u++) {
        if (rnd.random() < p) {
          int v = (u + j) % n;
          int w = rnd.randbelow(n);
          boolean skip = false;
          while (w == u || has(rows, words, u, w)) {
            w = rnd.randbelow(n);
            if (degree[u] >= n - 1) {
              skip = true;
              break;
            }
          }
          if (!skip) {
            unlink(rows, words, u, v);
            degree[v]--;
            link(rows, words, u, w);
            degree[w]++;
          }
        }
      }
    }
    return RelationalGraph.adopt(n, false, rows);
  }

  /**
   * A Barabási–Albert preferential-attachment graph, as networkx's {@code barabasi_albert_graph(n,
   * m, seed)} with its default initial graph.
   *
   * <p>Starts from the star on nodes {@code 0..m} (centre {@code 0}); each further node {@code
   * m+1..n-1} joins {@code m} distinct existing nodes drawn with probability proportional to their
   * degree. The result has {@code m·(n-m)} edges. Targets are kept in a set that iterates like a
   * CPython {@code set} of ints, since that order feeds later draws.
   *
   * @param n number of nodes, {@code >= 2}
   * @param m edges added with each new node, {@code 1 <= m < n}
   * @param seed seed of the random stream
   * @throws IllegalArgumentException for a parameter out of range
   */
  public static RelationalGraph barabasiAlbert(int n, int m, long seed) {
    checkAtLeast("n", n, 2);
    if (m < 1 || m >= n) {
      throw new IllegalArgumentException(
          "m = " + m + " out of range [1, " + (n - 1) + "] for n = " + n);
    }
    long total = 2L * m * (n - m);
    if (total > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "n = " + n + " and m = " + m + " give too many edges: " + total / 2);
    }
    RelationalGraph.Builder b = RelationalGraph.builder(n, false);
    int[] repeated = new int[(int) total];
    int size = 0;
    for (int i = 1; i <= m; i++) {
      b.addEdge(0, i);
      repeated[size++] = 0;
    }
    for (int i = 1; i <= m; i++) {
      repeated[size++] = i;
    }
    PythonRandom rnd = new PythonRandom(seed);
    PyIntSet targets = new PyIntSet();
    for (int source = m + 1; source < n; source++) {
      targets.clear();
      while (targets.size() < m) {
        targets.add(repeated[rnd.randbelow(size)]);
      }
      int[] order = targets.toArray();
      for (int t : order) {
        b.addEdge(source, t);
        repeated[size++] = t;
      }
      for (int i = 0; i < m; i++) {
        repeated[size++] = source;
      }
    }
    return b.build();
  }

  /**
   * Harary's graph {@code H(k, n)}: a {@code k}-node-connected graph on {@code n} nodes with the
   * fewest possible edges, {@code ceil(k·n/2)} for {@code k >= 2} (and {@code n - 1}, a path, for
   * {@code k = 1}). Its edge set is that of networkx's {@code hkn_harary_graph(k, n)}: the path for
   * {@code k = 1}; otherwise the circulant graph joining each node to the {@code k/2} (rounded
   * down) nearest on each side, plus, for odd {@code k}, the diameters {@code (i, i + n/2)} for
   * {@code i < n/2} when {@code n} is even, or {@code (i, (i + (n-1)/2) mod n)} for {@code i <=
   * (n-1)/2} when {@code n} is odd.
   *
   * @param k node connectivity, {@code 1 <= k < n}
   * @param n number of nodes, {@code >= 2}
   * @throws IllegalArgumentException for a parameter out of range
   */
  public static RelationalGraph harary(int k, int n) {
    checkAtLeast("n", n, 2);
    if (k < 1 || k >= n) {
      throw new IllegalArgumentException(
          "k = " + k + " out of range [1, " + (n - 1) + "] for n = " + n);
    }
    RelationalGraph.checkNodeCount(n);
    int words = RelationalGraph.wordsPerRow(n);
    if (k == 1) {
      long[] rows = new long[n * words];
      for (int i = 0; i + 1 < n; i++) {
        link(rows, words, i, i + 1);
      }
      return RelationalGraph.adopt(n, false, rows);
    }
    long[] rows = latticeRows(n, 2 * (k / 2));
    int half = n / 2;
    if (k % 2 == 1) {
      if (n % 2 == 0) {
        for (int i = 0; i < half; i++) {
          link(rows, words, i, i + half);
        }
      } else {
        for (int i = 0; i <= half; i++) {
          link(rows, words, i, (i + half) % n);
        }
      }
    }
    return RelationalGraph.adopt(n, false, rows);
  }

  /**
   * The ring lattice: nodes {@code 0..n-1} on a ring, each joined to its {@code k/2} nearest
   * neighbours on each side, so every node has degree {@code k} and there are {@code n·k/2} edges.
   * With {@code k = n-1} ({@code n} odd) it is the complete graph.
   *
   * @param n number of nodes, {@code >= 3}
   * @param k degree, even, {@code 2 <= k <= n-1}
   * @throws IllegalArgumentException for a parameter out of range
   */
  public static RelationalGraph ringLattice(int n, int k) {
    checkLattice(n, k);
    return RelationalGraph.adopt(n, false, latticeRows(n, k));
  }

  /**
   * The complete graph on {@code n} nodes, {@code n(n-1)/2} edges.
   *
   * @param n number of nodes, {@code >= 1}
   * @throws IllegalArgumentException for {@code n < 1} or too large for a bitset graph
   */
  public static RelationalGraph complete(int n) {
    checkAtLeast("n", n, 1);
    RelationalGraph.checkNodeCount(n);
    int words = RelationalGraph.wordsPerRow(n);
    long[] rows = new long[n * words];
    for (int u = 0; u < n; u++) {
      int base = u * words;
      for (int w = 0; w < words; w++) {
        rows[base + w] = wordMask(n, w);
      }
      rows[base + (u >>> 6)] &= ~(1L << u);
    }
    return RelationalGraph.adopt(n, false, rows);
  }

  private static void checkAtLeast(String name, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " = " + value + " must be >= " + min);
    }
  }

  private static void checkLattice(int n, int k) {
    checkAtLeast("n", n, 3);
    if (k < 2 || k > n - 1) {
      throw new IllegalArgumentException(
          "k = " + k + " out of range [2, " + (n - 1) + "] for n = " + n);
    }
    if (k % 2 != 0) {
      throw new IllegalArgumentException("k = " + k + " must be even");
    }
    RelationalGraph.checkNodeCount(n);
  }

  /** Rows of the circulant graph joining each node to the nodes at ring distance 1..k/2. */
  private static long[] latticeRows(int n, int k) {
    RelationalGraph.checkNodeCount(n);
    int words = RelationalGraph.wordsPerRow(n);
    long[] rows = new long[n * words];
    for (int j = 1; j <= k / 2; j++) {
      for (int u = 0; u < n; u++) {
        link(rows, words, u, (u + j) % n);
      }
    }
    return rows;
  }

  /** The bits of word {@code w} that stand for nodes below {@code n}. */
  private static long wordMask(int n, int w) {
    int rest = n - (w << 6);
    return rest >= 64 ? -1L : (1L << rest) - 1;
  }

  private static boolean has(long[] rows, int words, int u, int v) {
    return (rows[u * words + (v >>> 6)] & (1L << v)) != 0;
  }

  private static void link(long[] rows, int words, int u, int v) {
    rows[u * words + (v >>> 6)] |= 1L << v;
    rows[v * words + (u >>> 6)] |= 1L << u;
  }

  private static void unlink(long[] rows, int words, int u, int v) {
    rows[u * words + (v >>> 6)] &= ~(1L << v);
    rows[v * words + (u >>> 6)] &= ~(1L << u);
  }

  /**
   * A set of non-negative ints that adds and iterates exactly as a CPython ({@code >= 3.7}) {@code
   * set} of small ints does: open addressing on {@code hash(i) = i}, runs of {@code LINEAR_PROBES =
   * 9} linear probes then perturbed jumps ({@code PERTURB_SHIFT = 5}), growth to four times the
   * size when the table is 3/5 full. Only insertions; no deletions, so there are no dummies.
   */
  static final class PyIntSet {
    private static final int MIN_SIZE = 8;
    private static final int LINEAR_PROBES = 9;
    private static final int PERTURB_SHIFT = 5;

    private int[] table = new int[MIN_SIZE];
    private int mask = MIN_SIZE - 1;
    private int used;

    PyIntSet() {
      Arrays.fill(table, -1);
    }

    int size() {
      return used;
    }

    void clear() {
      if (table.length != MIN_SIZE) {
        table = new int[MIN_SIZE];
        mask = MIN_SIZE - 1;
      }
      Arrays.fill(table, -1);
      used = 0;
    }

    /** Adds {@code key >= 0}; returns whether it was new. */
    boolean add(int key) {
      long perturb = key;
      int i = key & mask;
      while (true) {
        int probes = i + LINEAR_PROBES <= mask ? LINEAR_PROBES : 0;
        int j = i;
        while (true) {
          int e = table[j];
          if (e == -1) {
            table[j] = key;
            used++;
            if ((long) used * 5 >= (long) mask * 3) {
              resize(used > 50000 ? used * 2 : used * 4);
            }
            return true;
          }
          if (e == key) {
            return false;
          }
          if (probes-- == 0) {
            break;
          }
          j++;
        }
        perturb >>>= PERTURB_SHIFT;
        i = (int) ((i * 5L + 1 + perturb) & mask);
      }
    }

    private void resize(int minUsed) {
      int size = MIN_SIZE;
      while (size <= minUsed) {
        size <<= 1;
      }
      int[] old = table;
      table = new int[size];
      Arrays.fill(table, -1);
      mask = size - 1;
      for (int key : old) {
        if (key != -1) {
          insertClean(key);
        }
      }
    }

    private void insertClean(int key) {
      long perturb = key;
      int i = key & mask;
      while (true) {
        if (table[i] == -1) {
          table[i] = key;
          return;
        }
        if (i + LINEAR_PROBES <= mask) {
          for (int j = 1; j <= LINEAR_PROBES; j++) {
            if (table[i + j] == -1) {
              table[i + j] = key;
              return;
            }
          }
        }
        perturb >>>= PERTURB_SHIFT;
        i = (int) ((i * 5L + 1 + perturb) & mask);
      }
    }

    /** The elements in CPython's iteration order (table slot order). */
    int[] toArray() {
      int[] out = new int[used];
      int k = 0;
      for (int key : table) {
        if (key != -1) {
          out[k++] = key;
        }
      }
      return out;
    }
  }
}
