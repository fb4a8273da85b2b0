package org.relgraph.train;

import org.relgraph.engine.Backend;
import org.relgraph.engine.BlockSparseLayout;
import org.relgraph.engine.Tensor;
import org.relgraph.engine.TensorFactory;

/**
 * A bias-free linear layer {@code y = W·x} in one execution mode. Its weight is a {@link
 * Parameter}; {@link #denseWeights()} and {@link #setDenseWeights} exchange the values as a dense
 * {@code out × in} array (zeros outside the graph's blocks), whatever the mode stores.
 */
abstract class Linear {
  final int out;
  final int in;
  final Parameter weight;

  Linear(int out, int in, Parameter weight) {
    this.out = out;
    this.in = in;
    this.weight = weight;
  }

  abstract void forward(Backend b, Tensor x, Tensor y);

  /** Writes the weight gradient from {@code dy} and {@code x}, and {@code dx} unless null. */
  abstract void backward(Backend b, Tensor dy, Tensor x, Tensor dx);

  abstract float[] denseWeights();

  /** The weight gradient as a dense {@code out × in} array (zeros outside the blocks). */
  float[] denseGradient() {
    return weight.grad().toArray();
  }

  abstract void setDenseWeights(float[] dense);

  void close() {
    weight.close();
  }

  /** Every weight stored and multiplied: the stem, the head, and the complete graph. */
  static final class Dense extends Linear {
    Dense(TensorFactory tensors, String name, int out, int in) {
      super(out, in, Parameter.zeros(tensors, name, out, in));
    }

    @Override
    void forward(Backend b, Tensor x, Tensor y) {
      b.denseForward(weight.value(), x, y);
    }

    @Override
    void backward(Backend b, Tensor dy, Tensor x, Tensor dx) {
      b.denseBackwardWeight(dy, x, weight.grad());
      if (dx != null) {
        b.denseBackwardData(weight.value(), dy, dx);
      }
    }

    @Override
    float[] denseWeights() {
      return weight.value().toArray();
    }

    @Override
    void setDenseWeights(float[] dense) {
      weight.value().copyFrom(dense);
    }
  }

  /** Only the graph's blocks, through the block-sparse kernels. */
  static final class BlockSparse extends Linear {
    private final BlockSparseLayout layout;

    BlockSparse(TensorFactory tensors, String name, BlockSparseLayout layout) {
      super(
          layout.out().channels(),
          layout.in().channels(),
          Parameter.zeros(tensors, name, 1, Math.toIntExact(layout.weightCount())));
      this.layout = layout;
    }

    @Override
    void forward(Backend b, Tensor x, Tensor y) {
      b.forward(layout, weight.value(), x, y);
    }

    @Override
    void backward(Backend b, Tensor dy, Tensor x, Tensor dx) {
      b.backwardWeight(layout, dy, x, weight.grad());
      if (dx != null) {
        b.backwardData(layout, weight.value(), dy, dx);
      }
    }

    @Override
    float[] denseWeights() {
      return layout.toDense(weight.value().toArray());
    }

    @Override
    float[] denseGradient() {
      return layout.toDense(weight.grad().toArray());
    }

    @Override
    void setDenseWeights(float[] dense) {
      weight.value().copyFrom(layout.fromDense(dense));
    }

    @Override
    void close() {
      super.close();
      layout.close();
    }
  }

  /** Dense weights multiplied by the graph's mask before every product: the paper's method. */
  static final class Masked extends Linear {
    private final Tensor mask;
    private final Tensor scratch;

    Masked(TensorFactory tensors, String name, BlockSparseLayout layout) {
      super(
          layout.out().channels(),
          layout.in().channels(),
          Parameter.zeros(tensors, name, layout.out().channels(), layout.in().channels()));
      this.mask = tensors.of(out, in, layout.denseMask());
      this.scratch = tensors.zeros(out, in);
      layout.close();
    }

    @Override
    void forward(Backend b, Tensor x, Tensor y) {
      b.maskedForward(weight.value(), mask, x, y, scratch);
    }

    @Override
    void backward(Backend b, Tensor dy, Tensor x, Tensor dx) {
      b.maskedBackwardWeight(mask, dy, x, weight.grad());
      if (dx != null) {
        b.maskedBackwardData(weight.value(), mask, dy, dx, scratch);
      }
    }

    @Override
    float[] denseWeights() {
      float[] w = weight.value().toArray();
      float[] m = mask.toArray();
      for (int i = 0; i < w.length; i++) {
        w[i] *= m[i];
      }
      return w;
    }

    @Override
    void setDenseWeights(float[] dense) {
      weight.value().copyFrom(dense);
    }

    @Override
    void close() {
      super.close();
      mask.close();
      scratch.close();
    }
  }
}
