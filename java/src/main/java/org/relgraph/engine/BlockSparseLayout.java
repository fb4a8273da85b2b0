package org.relgraph.engine;

import java.util.concurrent.atomic.AtomicReference;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.model.ChannelPartition;
import org.relgraph.model.Flops;

/**
 * The weight structure of a relational layer: a node-partitioned block-sparse matrix.
 *
 * <p>Rows are output channels partitioned over the graph's nodes, columns input channels
 * partitioned over the same nodes. Block (v, u) exists iff {@code v == u} (every node receives from
 * itself) or {@code u -> v} is an edge. The weights of output node v form one row-major matrix
 * {@code W_v} of {@code |out_v|} rows and {@code K_v} columns: the input channels of v's blocks
 * side by side, blocks in ascending input node (CSR order). The matrices follow each other in one
 * buffer of {@link #weightCount()} floats. A transposed index lists each input node's blocks for
 * the backward pass, so no transposed copy of the weights is ever made.
 *
 * <p>Immutable. Its native copy is made on first use by a native backend and freed by {@link
 * #close()} (or by the garbage collector).
 */
public final class BlockSparseLayout implements AutoCloseable {
  private final ChannelPartition out;
  private final ChannelPartition in;
  private final int[] rowPtr;
  private final int[] colIdx;
  private final int[] blockCol;
  private final long[] rowBase;
  private final int[] rowK;
  private final int[] tPtr;
  private final int[] tBlock;
  private final int[] blockRow;
  private final long weightCount;
  private final long multiplyAdds;
  private final AtomicReference<NativeCopy> nativeCopy = new AtomicReference<>();

  private BlockSparseLayout(
      ChannelPartition out, ChannelPartition in, boolean[][] exists, long multiplyAdds) {
    this.out = out;
    this.in = in;
    int nOut = out.nodes();
    int nIn = in.nodes();
    int nnz = 0;
    for (boolean[] row : exists) {
      for (boolean b : row) {
        nnz += b ? 1 : 0;
      }
    }
    rowPtr = new int[nOut + 1];
    colIdx = new int[nnz];
    blockCol = new int[nnz];
    blockRow = new int[nnz];
    rowBase = new long[nOut];
    rowK = new int[nOut];
    long base = 0;
    int j = 0;
    for (int v = 0; v < nOut; v++) {
      rowPtr[v] = j;
      rowBase[v] = base;
      int k = 0;
      for (int u = 0; u < nIn; u++) {
        if (exists[v][u]) {
          colIdx[j] = u;
          blockRow[j] = v;
          blockCol[j] = k;
          k += in.size(u);
          j++;
        }
      }
      rowK[v] = k;
      base += (long) out.size(v) * k;
    }
    rowPtr[nOut] = j;
    if (base > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "layer has " + base + " weights, more than a tensor holds");
    }
    if (base != multiplyAdds) {
      // One weight per multiply-add of a sample: the layout and Flops count the same blocks.
      throw new IllegalStateException(
          "layout of " + base + " weights for " + multiplyAdds + " multiply-adds per sample");
    }
    weightCount = base;
    this.multiplyAdds = multiplyAdds;
    tPtr = new int[nIn + 1];
    for (int b = 0; b < nnz; b++) {
      tPtr[colIdx[b] + 1]++;
    }
    for (int u = 0; u < nIn; u++) {
      tPtr[u + 1] += tPtr[u];
    }
    tBlock = new int[nnz];
    int[] fill = tPtr.clone();
    for (int b = 0; b < nnz; b++) {
      tBlock[fill[colIdx[b]]++] = b;
    }
  }

  /**
   * The layout of a layer over {@code graph}: {@code out} and {@code in} partition the output and
   * input channels over the graph's nodes.
   */
  public static BlockSparseLayout of(
      RelationalGraph graph, ChannelPartition out, ChannelPartition in) {
    int n = graph.nodeCount();
    if (out.nodes() != n || in.nodes() != n) {
      throw new IllegalArgumentException(
          "partitions over "
              + out.nodes()
              + " and "
              + in.nodes()
              + " nodes do not match a graph of "
              + n
              + " nodes");
    }
    boolean[][] exists = new boolean[n][n];
    for (int v = 0; v < n; v++) {
      exists[v][v] = true;
      for (int u : graph.predecessors(v)) {
        exists[v][u] = true;
      }
    }
    return new BlockSparseLayout(out, in, exists, Flops.relationalLayer(graph, out, in));
  }

  /** Output channel partition. */
  public ChannelPartition out() {
    return out;
  }

  /** Input channel partition. */
  public ChannelPartition in() {
    return in;
  }

  /** Number of existing blocks. */
  public int blockCount() {
    return colIdx.length;
  }

  /** Fraction of the (out × in) blocks that exist. */
  public double blockDensity() {
    return blockCount() / ((double) out.nodes() * in.nodes());
  }

  /** Number of weights: the multiply-adds of one forward sample, Σ |out_v| · |in_u|. */
  public long weightCount() {
    return weightCount;
  }

  /**
   * Multiply-adds per sample of each of the three products, as {@link Flops#relationalLayer} counts
   * them (the one FLOP count of relgraph; equal to {@link #weightCount()}).
   */
  public long multiplyAddsPerSample() {
    return multiplyAdds;
  }

  private int blockIndex(int v, int u) {
    for (int j = rowPtr[v]; j < rowPtr[v + 1]; j++) {
      if (colIdx[j] == u) {
        return j;
      }
    }
    return -1;
  }

  /**
   * Index in the weight buffer of dense weight (o, c) (output channel o, input channel c), or -1
   * when its block does not exist.
   */
  public long weightIndex(int o, int c) {
    int v = nodeOf(out, o);
    int u = nodeOf(in, c);
    int j = blockIndex(v, u);
    if (j < 0) {
      return -1;
    }
    return rowBase[v] + (long) (o - out.offset(v)) * rowK[v] + blockCol[j] + (c - in.offset(u));
  }

  private static int nodeOf(ChannelPartition p, int channel) {
    if (channel < 0 || channel >= p.channels()) {
      throw new IndexOutOfBoundsException(
          "channel " + channel + " outside [0, " + (p.channels() - 1) + "]");
    }
    int lo = 0;
    int hi = p.nodes() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (p.offset(mid) <= channel) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /** The 0/1 mask of existing weights as a dense {@code out × in} row-major array. */
  public float[] denseMask() {
    int rows = out.channels();
    int cols = in.channels();
    float[] m = new float[Math.multiplyExact(rows, cols)];
    for (int v = 0; v < out.nodes(); v++) {
      for (int j = rowPtr[v]; j < rowPtr[v + 1]; j++) {
        int u = colIdx[j];
        for (int o = out.offset(v); o < out.offset(v + 1); o++) {
          for (int c = in.offset(u); c < in.offset(u + 1); c++) {
            m[o * cols + c] = 1;
          }
        }
      }
    }
    return m;
  }

  /** Dense {@code out × in} weights (zeros where no block exists) from block-sparse ones. */
  public float[] toDense(float[] blockWeights) {
    checkWeights(blockWeights.length);
    int cols = in.channels();
    float[] dense = new float[Math.multiplyExact(out.channels(), cols)];
    forEachWeight((o, c, idx) -> dense[o * cols + c] = blockWeights[(int) idx]);
    return dense;
  }

  /** Block-sparse weights taken from dense {@code out × in} ones (others ignored). */
  public float[] fromDense(float[] dense) {
    int cols = in.channels();
    if (dense.length != (long) out.channels() * cols) {
      throw new IllegalArgumentException(
          "dense weights: expected " + (long) out.channels() * cols + ", got " + dense.length);
    }
    float[] w = new float[(int) weightCount];
    forEachWeight((o, c, idx) -> w[(int) idx] = dense[o * cols + c]);
    return w;
  }

  private void checkWeights(int length) {
    if (length != weightCount) {
      throw new IllegalArgumentException(
          "block weights: expected " + weightCount + ", got " + length);
    }
  }

  /** Visits every existing weight: output channel, input channel, index in the weight buffer. */
  interface WeightVisitor {
    void visit(int o, int c, long index);
  }

  void forEachWeight(WeightVisitor visitor) {
    for (int v = 0; v < out.nodes(); v++) {
      for (int j = rowPtr[v]; j < rowPtr[v + 1]; j++) {
        int u = colIdx[j];
        for (int o = out.offset(v); o < out.offset(v + 1); o++) {
          long rowStart = rowBase[v] + (long) (o - out.offset(v)) * rowK[v] + blockCol[j];
          for (int c = in.offset(u); c < in.offset(u + 1); c++) {
            visitor.visit(o, c, rowStart + (c - in.offset(u)));
          }
        }
      }
    }
  }

  /**
   * Copies of the index arrays, for backends outside this package that keep their own copy of the
   * layout (a device's): CSR order, the transposed index and the weight offsets, as {@link
   * NativeCopy} holds them.
   */
  public Indices indices() {
    return new Indices(
        out.offsets(),
        in.offsets(),
        rowPtr.clone(),
        colIdx.clone(),
        blockCol.clone(),
        rowBase.clone(),
        rowK.clone(),
        tPtr.clone(),
        tBlock.clone(),
        blockRow.clone());
  }

  /**
   * The layout's index arrays: node channel offsets ({@code nodes + 1} each), each output node's
   * blocks in CSR order ({@code rowPtr}, {@code colIdx}: input node, {@code blockCol}: first column
   * in {@code W_v}), where each {@code W_v} starts ({@code rowBase}) and its columns ({@code
   * rowK}), the transposed index ({@code tPtr}, {@code tBlock}) and each block's output node
   * ({@code blockRow}).
   */
  public record Indices(
      int[] outOff,
      int[] inOff,
      int[] rowPtr,
      int[] colIdx,
      int[] blockCol,
      long[] rowBase,
      int[] rowK,
      int[] tPtr,
      int[] tBlock,
      int[] blockRow) {}

  /** The native copy of the index arrays, made once. */
  NativeCopy nativeCopy() {
    NativeCopy c = nativeCopy.get();
    if (c == null) {
      NativeCopy made = new NativeCopy(this);
      if (nativeCopy.compareAndSet(null, made)) {
        return made;
      }
      made.close();
      return nativeCopy.get();
    }
    return c;
  }

  /** Whether a native copy currently exists (for tests). */
  boolean hasNativeCopy() {
    return nativeCopy.get() != null;
  }

  /** Frees the native copy, if one was made. The layout stays usable. */
  @Override
  public void close() {
    NativeCopy c = nativeCopy.getAndSet(null);
    if (c != null) {
      c.close();
    }
  }

  /** Index arrays in native memory, as the C++ kernels take them. */
  static final class NativeCopy implements AutoCloseable {
    final IntPointer outOff;
    final IntPointer inOff;
    final IntPointer rowPtr;
    final IntPointer colIdx;
    final IntPointer blockCol;
    final LongPointer rowBase;
    final IntPointer rowK;
    final IntPointer tPtr;
    final IntPointer tBlock;
    final IntPointer blockRow;

    NativeCopy(BlockSparseLayout l) {
      outOff = new IntPointer(l.out.offsets());
      inOff = new IntPointer(l.in.offsets());
      rowPtr = new IntPointer(l.rowPtr);
      colIdx = new IntPointer(nonEmpty(l.colIdx));
      blockCol = new IntPointer(nonEmpty(l.blockCol));
      rowBase = new LongPointer(l.rowBase);
      rowK = new IntPointer(l.rowK);
      tPtr = new IntPointer(l.tPtr);
      tBlock = new IntPointer(nonEmpty(l.tBlock));
      blockRow = new IntPointer(nonEmpty(l.blockRow));
    }

    private static int[] nonEmpty(int[] a) {
      return a.length == 0 ? new int[1] : a;
    }

    @Override
    public void close() {
      for (org.bytedeco.javacpp.Pointer p :
          new org.bytedeco.javacpp.Pointer[] {
            outOff, inOff, rowPtr, colIdx, blockCol, rowBase, rowK, tPtr, tBlock, blockRow
          }) {
        p.close();
      }
    }
  }

  @Override
  public String toString() {
    return String.format(
        java.util.Locale.ROOT,
        "BlockSparseLayout(%d x %d channels, %d x %d nodes, %d blocks, density %.3f)",
        out.channels(),
        in.channels(),
        out.nodes(),
        in.nodes(),
        blockCount(),
        blockDensity());
  }
}
