package org.relgraph.space;

/**
 * The parameter grid of a WS-flex design-space sweep and how its graphs are binned.
 *
 * <p>Average degrees are {@code (linspace(sqrt(degreeMin), sqrt(degreeMax), degreeSteps))²} and
 * rewiring probabilities {@code (linspace(0, 1, probabilitySteps))²}, both computed as numpy does;
 * each pair is drawn with seeds {@code 0 .. seeds-1}. Degrees below {@code minDegreeRatio · n} are
 * skipped. Graphs are then shuffled with {@code shuffleSeed} and binned on a {@code grid × grid}
 * lattice of clustering {@code [0, 1]} by path length {@code [pathLengthMin, pathLengthMax]}.
 *
 * <p>The defaults are the design space of the paper's text for {@code n = 64}: degrees from 4 to
 * {@code n - 2} in 200 steps, 300 probabilities, 30 seeds, {@code k/n >= 0.125}, a 135 × 135 grid
 * over {@code C in [0, 1]}, {@code L in [1, 4.5]}. The paper's released 64-node graph sets lie on a
 * slightly different degree grid: {@code degreeMin = 8, degreeSteps = 300}.
 */
public record DesignSpaceConfig(
    int nodes,
    double degreeMin,
    double degreeMax,
    int degreeSteps,
    int probabilitySteps,
    int seeds,
    double minDegreeRatio,
    long shuffleSeed,
    int grid,
    double pathLengthMin,
    double pathLengthMax,
    int threads) {

  /** Validates every field, naming the first invalid one. */
  public DesignSpaceConfig {
    if (nodes < 3) {
      throw new IllegalArgumentException("nodes = " + nodes + " must be >= 3");
    }
    if (!(degreeMin >= 2 && degreeMin <= nodes - 1)) {
      throw new IllegalArgumentException(
          "degree-min = " + degreeMin + " outside [2, " + (nodes - 1) + "]");
    }
    if (!(degreeMax >= degreeMin && degreeMax <= nodes - 1)) {
      throw new IllegalArgumentException(
          "degree-max = " + degreeMax + " outside [" + degreeMin + ", " + (nodes - 1) + "]");
    }
    if (degreeSteps < 1) {
      throw new IllegalArgumentException("degree-steps = " + degreeSteps + " must be >= 1");
    }
    if (probabilitySteps < 1) {
      throw new IllegalArgumentException(
          "probability-steps = " + probabilitySteps + " must be >= 1");
    }
    if (seeds < 1) {
      throw new IllegalArgumentException("seeds = " + seeds + " must be >= 1");
    }
    if (!(minDegreeRatio >= 0 && minDegreeRatio <= 1)) {
      throw new IllegalArgumentException(
          "min-degree-ratio = " + minDegreeRatio + " outside [0, 1]");
    }
    if (grid < 1 || grid > 4096) {
      throw new IllegalArgumentException("grid = " + grid + " outside [1, 4096]");
    }
    if (!(pathLengthMin >= 1 && pathLengthMax > pathLengthMin)) {
      throw new IllegalArgumentException(
          "path-length range [" + pathLengthMin + ", " + pathLengthMax + "] is empty or below 1");
    }
    if (threads < 1 || threads > 1024) {
      throw new IllegalArgumentException("threads = " + threads + " outside [1, 1024]");
    }
    long total = (long) degreeSteps * probabilitySteps * seeds;
    if (total > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("grid of " + total + " graphs is too large");
    }
  }

  /** The default largest degree: {@code n - 2}, or {@code n - 1} when that is below 2. */
  public static double defaultDegreeMax(int nodes) {
    return nodes - 2 >= 2 ? nodes - 2 : nodes - 1;
  }

  /** The default smallest degree: 4, or {@code degreeMax} when that is smaller. */
  public static double defaultDegreeMin(double degreeMax) {
    return Math.min(4, degreeMax);
  }

  /** The paper's design space for {@code nodes}, on all available processors. */
  public static DesignSpaceConfig defaults(int nodes) {
    return new DesignSpaceConfig(
        nodes,
        defaultDegreeMin(defaultDegreeMax(nodes)),
        defaultDegreeMax(nodes),
        200,
        300,
        30,
        0.125,
        0,
        135,
        1.0,
        4.5,
        Runtime.getRuntime().availableProcessors());
  }

  /**
   * The average degrees of the grid, before the {@code minDegreeRatio} filter. Squaring a square
   * root can land an ulp outside the range ({@code (√63)² = 63.00000000000001}); such values are
   * clamped to it.
   */
  public double[] degrees() {
    double[] s = linspace(Math.sqrt(degreeMin), Math.sqrt(degreeMax), degreeSteps);
    for (int i = 0; i < s.length; i++) {
      s[i] = Math.min(degreeMax, Math.max(degreeMin, s[i] * s[i]));
    }
    return s;
  }

  /** Indices into {@link #degrees()} of the degrees with {@code k/n >= minDegreeRatio}. */
  public int[] keptDegrees() {
    double[] k = degrees();
    return java.util.stream.IntStream.range(0, k.length)
        .filter(i -> k[i] / nodes >= minDegreeRatio)
        .toArray();
  }

  /** Number of graphs the sweep draws: kept degrees × probabilities × seeds. */
  public int graphCount() {
    return keptDegrees().length * probabilitySteps * seeds;
  }

  /** The rewiring probabilities of the grid. */
  public double[] probabilities() {
    double[] s = linspace(0, 1, probabilitySteps);
    for (int i = 0; i < s.length; i++) {
      s[i] *= s[i];
    }
    return s;
  }

  /** {@code numpy.linspace(start, stop, num)}, value for value. */
  static double[] linspace(double start, double stop, int num) {
    double[] y = new double[num];
    if (num == 1) {
      y[0] = start;
      return y;
    }
    double step = (stop - start) / (num - 1);
    for (int i = 0; i < num; i++) {
      y[i] = i * step + start;
    }
    y[num - 1] = stop;
    return y;
  }
}
