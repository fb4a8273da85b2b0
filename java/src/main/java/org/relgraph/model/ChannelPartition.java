package org.relgraph.model;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * How a layer's channels are divided among the nodes of its relational graph: node {@code i} owns
 * the contiguous channels {@code offset(i) .. offset(i+1)-1}.
 *
 * <p>{@link #of(int, int, long)} follows the paper's rule: each node gets {@code ⌊c/n⌋} channels
 * and {@code c mod n} nodes, picked by a seeded permutation, get one more. Any other division
 * (sizes of at least 1) can be given with {@link #ofSizes(int...)}.
 */
public final class ChannelPartition {
  private final int[] offsets;

  private ChannelPartition(int[] offsets) {
    this.offsets = offsets;
  }

  /** {@code channels} over {@code nodes} nodes, the remainder spread by a seeded permutation. */
  public static ChannelPartition of(int channels, int nodes, long seed) {
    if (nodes < 1) {
      throw new IllegalArgumentException("nodes = " + nodes + " must be >= 1");
    }
    if (channels < nodes) {
      throw new IllegalArgumentException(
          "channels = " + channels + " fewer than nodes = " + nodes + " (every node needs one)");
    }
    int[] sizes = new int[nodes];
    Arrays.fill(sizes, channels / nodes);
    int[] perm = new int[nodes];
    for (int i = 0; i < nodes; i++) {
      perm[i] = i;
    }
    SplittableRandom rng = new SplittableRandom(seed);
    for (int i = nodes - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    for (int i = 0; i < channels % nodes; i++) {
      sizes[perm[i]]++;
    }
    return ofSizes(sizes);
  }

  /** A partition with the given channel count per node, in node order. */
  public static ChannelPartition ofSizes(int... sizes) {
    if (sizes.length < 1) {
      throw new IllegalArgumentException("a partition needs at least one node");
    }
    int[] offsets = new int[sizes.length + 1];
    for (int i = 0; i < sizes.length; i++) {
      if (sizes[i] < 1) {
        throw new IllegalArgumentException(
            "node " + i + " has " + sizes[i] + " channels, need >= 1");
      }
      long next = (long) offsets[i] + sizes[i];
      if (next > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("more than 2^31 - 1 channels");
      }
      offsets[i + 1] = (int) next;
    }
    return new ChannelPartition(offsets);
  }

  /** Number of nodes. */
  public int nodes() {
    return offsets.length - 1;
  }

  /** Total number of channels. */
  public int channels() {
    return offsets[offsets.length - 1];
  }

  /** First channel of node {@code i}. */
  public int offset(int i) {
    return offsets[i];
  }

  /** Channels of node {@code i}. */
  public int size(int i) {
    return offsets[i + 1] - offsets[i];
  }

  /** A copy of the {@code nodes + 1} offsets. */
  public int[] offsets() {
    return offsets.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChannelPartition p && Arrays.equals(p.offsets, offsets);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(offsets);
  }

  @Override
  public String toString() {
    return "ChannelPartition(" + channels() + " channels over " + nodes() + " nodes)";
  }
}
