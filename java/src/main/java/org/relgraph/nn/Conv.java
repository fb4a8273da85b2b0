package org.relgraph.nn;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.relgraph.engine.Backend;
import org.relgraph.engine.ConvGeometry;
import org.relgraph.engine.Tensor;
import org.relgraph.engine.TensorFactory;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.model.ChannelPartition;

/**
 * A {@code K × K} convolution (K = 1 or 3, or any odd K for a dense one; padding K/2, stride 1 or
 * 2, no bias) on images {@code channels × batch × H × W}: {@link Backend#im2col} then the product
 * of a {@link Linear} whose inputs are {@code channels·K²} (a relational one over {@link
 * ConvGeometry#im2colLayout}, so block (v, u) holds v's whole kernel over u's channels). A 1 × 1
 * convolution at stride 1 multiplies the image itself, with no im2col.
 *
 * <p>Its weight is the Linear's, {@code name.weight}; its dense form is {@code out × in·K²},
 * PyTorch's {@code weight[o][c][ky][kx]} flattened, with zeros outside the graph's blocks.
 *
 * <p>A block-sparse convolution on a backend that {@link Backend#convolvesWithoutIm2col()} (the
 * native CPU backend) runs its three products straight from the image, in column chunks the size of
 * a cache, and never forms the im2col matrix. Otherwise the im2col matrix of the last forward pass
 * is kept (one per image shape) for the weight gradient, so the layer holds memory that depends on
 * the batch, freed by {@link #close()}.
 *
 * <p>A dense convolution (the dense mode's, and every stem) on a backend that {@link
 * Backend#hasDenseConvolution()} (the native CPU backend made {@code withConvolutionPrimitives})
 * runs on oneDNN's convolution primitives instead: the fastest dense convolution of the machine,
 * the dense baseline a relational network is measured against.
 */
public final class Conv implements Layer {
  private final int in;
  private final int kernel;
  private final int stride;
  private final Linear product;
  // Per input tensor shape: the im2col matrix and its gradient.
  private final Map<List<Integer>, Tensor[]> scratch = new HashMap<>();

  private Conv(int in, int kernel, int stride, Linear product) {
    this.in = in;
    this.kernel = kernel;
    this.stride = stride;
    this.product = product;
  }

  private static void check(int kernel, int stride) {
    if (kernel != 1 && kernel != 3) {
      throw new IllegalArgumentException("kernel = " + kernel + " must be 1 or 3");
    }
    checkStride(stride);
  }

  private static void checkStride(int stride) {
    if (stride != 1 && stride != 2) {
      throw new IllegalArgumentException("stride = " + stride + " must be 1 or 2");
    }
  }

  /**
   * A relational convolution over {@code graph} in {@code mode} (dense needs the complete graph):
   * output and input channels divided over its nodes, weights zero.
   *
   * @throws IllegalArgumentException for a kernel other than 1 or 3, a stride other than 1 or 2,
   *     dense mode on another graph, or partitions that do not match the graph
   */
  public static Conv relational(
      TensorFactory tensors,
      String name,
      ExecutionMode mode,
      RelationalGraph graph,
      ChannelPartition out,
      ChannelPartition in,
      int kernel,
      int stride) {
    check(kernel, stride);
    ChannelPartition cols = ConvGeometry.scaled(in, kernel);
    return new Conv(
        in.channels(), kernel, stride, Linear.relational(tensors, name, mode, graph, out, cols));
  }

  /**
   * An ordinary dense convolution (the stem's), {@code in → out} channels, weights zero. Its kernel
   * may be any odd size up to {@link ConvGeometry#MAX_DENSE_KERNEL} (ResNet's stem is 7 × 7): it
   * runs through {@link Backend#im2col} and a dense product.
   *
   * @throws IllegalArgumentException for another kernel, a stride other than 1 or 2, or no channels
   */
  public static Conv dense(
      TensorFactory tensors, String name, int out, int in, int kernel, int stride) {
    ConvGeometry.checkDenseKernel(kernel);
    checkStride(stride);
    if (out < 1 || in < 1) {
      throw new IllegalArgumentException("channels " + in + " -> " + out + " must be >= 1");
    }
    return new Conv(
        in,
        kernel,
        stride,
        Linear.dense(tensors, name, out, Math.multiplyExact(in, kernel * kernel)));
  }

  @Override
  public int inputs() {
    return in;
  }

  @Override
  public int outputs() {
    return product.outputs();
  }

  /** 1 or 3 (a dense convolution's: odd, up to {@link ConvGeometry#MAX_DENSE_KERNEL}). */
  public int kernel() {
    return kernel;
  }

  /** 1 or 2. */
  public int stride() {
    return stride;
  }

  /** The product over the im2col matrix: its weight is this layer's. */
  public Linear product() {
    return product;
  }

  /** Multiply-adds per output pixel of one sample. */
  public long multiplyAddsPerPixel() {
    return product.multiplyAddsPerSample();
  }

  /**
   * @throws IllegalArgumentException for an input that is not an image of {@link #inputs()}
   *     channels
   */
  @Override
  public int[] outputShape(int[] input) {
    return Images.strided("a convolution", in, input, outputs(), stride);
  }

  private boolean direct() {
    return kernel == 1 && stride == 1;
  }

  // A dense convolution on a backend with convolution primitives (oneDNN's) runs on them.
  private boolean primitive(Backend b) {
    return product instanceof Linear.Dense && b.hasDenseConvolution();
  }

  private Tensor[] scratch(Backend b, Tensor x) {
    int[] s = x.shape();
    return scratch.computeIfAbsent(
        List.of(s[0], s[1], s[2], s[3]),
        k -> {
          int n = (int) ConvGeometry.outputPixels(s, stride);
          return new Tensor[] {b.zeros(product.inputs(), n), null};
        });
  }

  /**
   * The block-sparse product, where {@code b} runs it straight from the image (no im2col matrix, no
   * scratch); otherwise null.
   */
  private Linear.BlockSparse implicit(Backend b) {
    return product instanceof Linear.BlockSparse bs && b.convolvesWithoutIm2col() ? bs : null;
  }

  @Override
  public void forward(Backend b, Tensor x, Tensor y, boolean training) {
    if (direct()) {
      product.forward(b, x, y);
      return;
    }
    Linear.BlockSparse bs = implicit(b);
    if (bs != null) {
      b.convForward(bs.layout(), bs.weight().value(), x, kernel, stride, y);
      return;
    }
    if (primitive(b)) {
      b.denseConvForward(product.weight().value(), x, kernel, stride, y);
      return;
    }
    Tensor cols = scratch(b, x)[0];
    b.im2col(x, kernel, stride, cols);
    product.forward(b, cols, y);
  }

  /** Uses the im2col matrix of the last forward pass on {@code x}'s shape, where one is kept. */
  @Override
  public void backward(Backend b, Tensor x, Tensor y, Tensor dy, Tensor dx) {
    if (direct()) {
      product.backward(b, x, y, dy, dx);
      return;
    }
    Linear.BlockSparse bs = implicit(b);
    if (bs != null) {
      b.convBackwardWeight(bs.layout(), dy, x, kernel, stride, bs.weight().grad());
      if (dx != null) {
        b.convBackwardData(bs.layout(), bs.weight().value(), dy, kernel, stride, dx);
      }
      return;
    }
    if (primitive(b)) {
      b.denseConvBackward(
          product.weight().value(), x, dy, kernel, stride, product.weight().grad(), dx);
      return;
    }
    Tensor[] s = scratch(b, x);
    product.backwardWeight(b, dy, s[0]);
    if (dx != null) {
      if (s[1] == null) {
        s[1] = b.zeros(s[0].shape());
      }
      product.backwardData(b, dy, s[1]);
      b.col2im(s[1], kernel, stride, dx);
    }
  }

  @Override
  public boolean canSkipInputGradient() {
    return true;
  }

  @Override
  public List<Parameter> parameters() {
    return product.parameters();
  }

  @Override
  public float[] denseValue(Parameter p) {
    return product.denseValue(p);
  }

  @Override
  public float[] denseGradient(Parameter p) {
    return product.denseGradient(p);
  }

  @Override
  public void setDenseValue(Parameter p, float[] dense) {
    product.setDenseValue(p, dense);
  }

  @Override
  public void close() {
    for (Tensor[] ts : scratch.values()) {
      for (Tensor t : ts) {
        if (t != null) {
          t.close();
        }
      }
    }
    scratch.clear();
    product.close();
  }
}
