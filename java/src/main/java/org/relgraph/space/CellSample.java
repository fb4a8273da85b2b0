package org.relgraph.space;

import java.util.SplittableRandom;
import java.util.function.IntPredicate;

/**
 * Sub-samples a design space the way the paper did: shuffle the graphs with a fixed seed, put each
 * on a {@code grid × grid} lattice of (C, L) cells, and keep the first graph of every non-empty
 * cell (the 3942-style set for {@code n = 64}). Coarser sets keep only the cells whose two indices
 * both satisfy a residue rule: {@code ≡ 5 (mod 9)} ({@link #COARSE}, the 52-style set) or {@code ∈
 * {2, 5, 8} (mod 9)} ({@link #MEDIUM}, the 449-style set).
 *
 * <p>The rules see cell indices counted from 1, as {@code numpy.digitize} numbers bins: with them,
 * 94% of the paper's 52-graph set and 98% of its 449-graph set fall in cells that pass the rule,
 * against none with indices counted from 0.
 */
public final class CellSample {
  /** Every non-empty cell. */
  public static final IntPredicate FINE = i -> true;

  /** Cells whose index is 2, 5 or 8 modulo 9 on each axis. */
  public static final IntPredicate MEDIUM = i -> i % 9 % 3 == 2;

  /** Cells whose index is 5 modulo 9 on each axis. */
  public static final IntPredicate COARSE = i -> i % 9 == 5;

  private final int grid;
  private final int[] representative; // cell -> graph index, -1 when empty

  private CellSample(int grid, int[] representative) {
    this.grid = grid;
    this.representative = representative;
  }

  /** The first graph of each cell, in the shuffled order, of a swept design space. */
  public static CellSample of(DesignSpace.Result space) {
    DesignSpaceConfig c = space.config();
    int n = space.size();
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    SplittableRandom rng = new SplittableRandom(c.shuffleSeed());
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    int grid = c.grid();
    int[] representative = new int[grid * grid];
    java.util.Arrays.fill(representative, -1);
    for (int i : order) {
      int cell = cell(space.clustering(i), space.pathLength(i), c);
      if (cell >= 0 && representative[cell] < 0) {
        representative[cell] = i;
      }
    }
    return new CellSample(grid, representative);
  }

  /**
   * The cell of a graph: {@code cIndex · grid + lIndex}, or -1 when (C, L) lies outside the grid or
   * is NaN. C = 1 and L = the upper bound fall in the last cell.
   */
  static int cell(double clustering, double pathLength, DesignSpaceConfig c) {
    double lo = c.pathLengthMin();
    double hi = c.pathLengthMax();
    if (!(clustering >= 0 && clustering <= 1 && pathLength >= lo && pathLength <= hi)) {
      return -1;
    }
    int g = c.grid();
    int ci = Math.min(g - 1, (int) (clustering * g));
    int li = Math.min(g - 1, (int) ((pathLength - lo) / (hi - lo) * g));
    return ci * g + li;
  }

  /**
   * Graph indices of the cells whose two indices, counted from 1, both pass {@code rule}; in cell
   * order.
   */
  public int[] select(IntPredicate rule) {
    int count = 0;
    int[] out = new int[representative.length];
    for (int ci = 0; ci < grid; ci++) {
      if (!rule.test(ci + 1)) {
        continue;
      }
      for (int li = 0; li < grid; li++) {
        int g = representative[ci * grid + li];
        if (g >= 0 && rule.test(li + 1)) {
          out[count++] = g;
        }
      }
    }
    return java.util.Arrays.copyOf(out, count);
  }

  /** Number of non-empty cells. */
  public int occupiedCells() {
    return select(FINE).length;
  }
}
