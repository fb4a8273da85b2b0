package org.relgraph.engine.cuda;

import java.util.Optional;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.relgraph.engine.BlockSparseLayout;
import org.relgraph.engine.Tensor;
import org.relgraph.model.ChannelPartition;

/**
 * A relational layer's weights in cuSPARSE's BSR form on the device, for timing cuSPARSE's {@code
 * bsrmm} against relgraph's forward kernel ({@link CudaDevice#bsrmm}). BSR holds square blocks of
 * one size only, so only layers whose every node has the same number of input and output channels
 * fit ({@link #unsupported}); a width of 1539 over 64 nodes (blocks of 24 and 25 channels) does
 * not. The values are the layout's, reordered from its {@code W_v} rows into row-major blocks.
 */
public final class BsrProduct implements AutoCloseable {
  private final CudaDevice device;
  private final int nodes;
  private final int blockDim;
  private final int blocks;
  private long values;
  private long rowPtr;
  private long colInd;

  private BsrProduct(CudaDevice device, int nodes, int blockDim, int blocks) {
    this.device = device;
    this.nodes = nodes;
    this.blockDim = blockDim;
    this.blocks = blocks;
  }

  /** Why BSR cannot hold this layout's blocks, or empty when it can. */
  public static Optional<String> unsupported(BlockSparseLayout layout) {
    int[] out = range(layout.out());
    int[] in = range(layout.in());
    int lo = Math.min(out[0], in[0]);
    int hi = Math.max(out[1], in[1]);
    if (out[0] != out[1] || in[0] != in[1]) {
      return Optional.of(
          "blocks of uneven size ("
              + lo
              + " to "
              + hi
              + " channels per node); BSR holds equal square blocks only");
    }
    if (out[0] != in[0] || layout.out().nodes() != layout.in().nodes()) {
      return Optional.of(
          "blocks of " + out[0] + " × " + in[0] + " channels; BSR holds equal square blocks only");
    }
    return Optional.empty();
  }

  /** The smallest and largest node of a partition. */
  private static int[] range(ChannelPartition p) {
    int lo = Integer.MAX_VALUE;
    int hi = 0;
    for (int v = 0; v < p.nodes(); v++) {
      lo = Math.min(lo, p.size(v));
      hi = Math.max(hi, p.size(v));
    }
    return new int[] {lo, hi};
  }

  /**
   * The layout's blocks with {@code blockWeights} (in the layout's order, {@link
   * BlockSparseLayout#weightCount()} of them) on {@code backend}'s device.
   *
   * @throws IllegalArgumentException when BSR cannot hold the layout or the weights do not match
   */
  public static BsrProduct create(
      CudaBackend backend, BlockSparseLayout layout, float[] blockWeights) {
    Optional<String> why = unsupported(layout);
    if (why.isPresent()) {
      throw new IllegalArgumentException("layout " + layout + ": " + why.get());
    }
    if (blockWeights.length != layout.weightCount()) {
      throw new IllegalArgumentException(
          blockWeights.length + " weights for a layout of " + layout.weightCount());
    }
    BlockSparseLayout.Indices ix = layout.indices();
    int n = layout.out().nodes();
    int bs = layout.out().size(0);
    int nnzb = layout.blockCount();
    float[] bsr = new float[blockWeights.length];
    for (int v = 0; v < n; v++) {
      for (int j = ix.rowPtr()[v]; j < ix.rowPtr()[v + 1]; j++) {
        for (int r = 0; r < bs; r++) {
          for (int c = 0; c < bs; c++) {
            // W_v is |out_v| × K_v row-major; block j starts at column blockCol[j]
            long from = ix.rowBase()[v] + (long) r * ix.rowK()[v] + ix.blockCol()[j] + c;
            bsr[(int) ((long) j * bs * bs + (long) r * bs + c)] = blockWeights[(int) from];
          }
        }
      }
    }
    CudaDevice device = backend.device();
    BsrProduct p = new BsrProduct(device, n, bs, nnzb);
    try {
      p.values = upload(device, bsr);
      p.rowPtr = upload(device, ix.rowPtr());
      p.colInd = upload(device, ix.colIdx());
      return p;
    } catch (RuntimeException e) {
      p.close();
      throw e;
    }
  }

  private static long upload(CudaDevice device, float[] v) {
    long a = device.malloc(4L * v.length);
    try (FloatPointer host = new FloatPointer(v)) {
      device.copyToDevice(a, host, 4L * v.length);
    } catch (RuntimeException e) {
      device.free(a);
      throw e;
    }
    return a;
  }

  private static long upload(CudaDevice device, int[] v) {
    long a = device.malloc(4L * v.length);
    try (IntPointer host = new IntPointer(v)) {
      device.copyToDevice(a, host, 4L * v.length);
    } catch (RuntimeException e) {
      device.free(a);
      throw e;
    }
    return a;
  }

  /**
   * {@code y = (W·x)ᵀ}: {@code x} is the input feature-major ({@code in × batch}), {@code y} the
   * output batch-major ({@code batch × out}), both tensors of the backend this was made on.
   */
  public void forward(Tensor x, Tensor y) {
    int width = nodes * blockDim;
    int batch = x.cols();
    if (x.rows() != width || y.rows() != batch || y.cols() != width) {
      throw new IllegalArgumentException(
          "x "
              + x.rows()
              + " × "
              + x.cols()
              + " and y "
              + y.rows()
              + " × "
              + y.cols()
              + " do not fit a "
              + width
              + "-wide layer (x: in × batch, y: batch × out)");
    }
    device.bsrmm(
        nodes,
        nodes,
        batch,
        blocks,
        blockDim,
        values,
        rowPtr,
        colInd,
        CudaTensor.of(x),
        batch,
        CudaTensor.of(y),
        width);
  }

  /** Frees the device copies; idempotent. */
  @Override
  public void close() {
    device.free(values);
    device.free(rowPtr);
    device.free(colInd);
    values = 0;
    rowPtr = 0;
    colInd = 0;
  }
}
