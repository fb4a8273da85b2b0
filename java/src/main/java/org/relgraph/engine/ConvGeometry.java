package org.relgraph.engine;

import org.relgraph.graph.RelationalGraph;
import org.relgraph.model.ChannelPartition;

/**
 * Sizes of the convolutions the {@link Backend} runs: {@code K × K} kernels (K = 1 or 3; a dense
 * convolution's any odd K up to {@link #MAX_DENSE_KERNEL}) with padding {@code K/2} and stride 1 or
 * 2, over channel-major images ({@code channels × batch × H × W}).
 *
 * <p>A relational {@code K × K} convolution is {@link Backend#im2col} followed by the block-sparse
 * product over {@link #im2colLayout}: input node u's {@code |u|} channels become {@code K²·|u|}
 * rows of the im2col matrix, side by side (channel-major, tap-minor), so the input partition is the
 * channel partition scaled by {@code K²} and block (v, u) holds v's whole {@code K × K} kernel over
 * u's channels. The dense and masked modes multiply the same matrix by {@code C_out × C_in·K²}
 * weights, PyTorch's {@code weight[o][c][ky][kx]} flattened.
 */
public final class ConvGeometry {
  private ConvGeometry() {}

  /**
   * Output pixels along one side: {@code ⌊(size − 1)/stride⌋ + 1}.
   *
   * @throws IllegalArgumentException for size < 1 or stride other than 1 or 2
   */
  public static int outputSize(int size, int stride) {
    Shapes.require(size >= 1, "image size = " + size + " must be >= 1");
    checkStride(stride);
    return (size - 1) / stride + 1;
  }

  /**
   * Output pixels of a batch of images {@code {C, batch, H, W}} at {@code stride}: {@code
   * batch·Ho·Wo}, the columns of its im2col matrix.
   */
  public static long outputPixels(int[] image, int stride) {
    return (long) image[1] * outputSize(image[2], stride) * outputSize(image[3], stride);
  }

  static void checkStride(int stride) {
    Shapes.require(stride == 1 || stride == 2, "stride = " + stride + " must be 1 or 2");
  }

  static void checkKernel(int kernel) {
    Shapes.require(kernel == 1 || kernel == 3, "kernel = " + kernel + " must be 1 or 3");
  }

  /** The largest kernel of a dense convolution (a stem's: ResNet's is 7 × 7). */
  public static final int MAX_DENSE_KERNEL = 15;

  /**
   * Checks the kernel of a dense convolution, and of {@link Backend#im2col}: odd, from 1 to {@link
   * #MAX_DENSE_KERNEL} (padding K/2 keeps {@link #outputSize}).
   *
   * @throws IllegalArgumentException otherwise
   */
  public static void checkDenseKernel(int kernel) {
    Shapes.require(
        kernel >= 1 && kernel <= MAX_DENSE_KERNEL && kernel % 2 == 1,
        "kernel = " + kernel + " must be odd, from 1 to " + MAX_DENSE_KERNEL);
  }

  /** {@code p} with every node's channel count multiplied by {@code kernel²}. */
  public static ChannelPartition scaled(ChannelPartition p, int kernel) {
    checkKernel(kernel);
    int[] sizes = new int[p.nodes()];
    for (int i = 0; i < sizes.length; i++) {
      sizes[i] = Math.multiplyExact(p.size(i), kernel * kernel);
    }
    return ChannelPartition.ofSizes(sizes);
  }

  /**
   * The block-sparse layout of a relational {@code kernel × kernel} convolution over {@code graph}:
   * output channels {@code out}, input channels {@code in} scaled by {@code kernel²}.
   */
  public static BlockSparseLayout im2colLayout(
      RelationalGraph graph, ChannelPartition out, ChannelPartition in, int kernel) {
    return BlockSparseLayout.of(graph, out, scaled(in, kernel));
  }
}
