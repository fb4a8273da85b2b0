package org.relgraph.nn;

import java.util.List;
import org.relgraph.engine.Backend;
import org.relgraph.engine.BlockSparseLayout;
import org.relgraph.engine.Tensor;
import org.relgraph.engine.TensorFactory;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.model.ChannelPartition;

/**
 * A linear layer {@code y = W·x} (and {@code + b} for a dense layer with a bias) in one execution
 * mode: {@link Dense}, {@link BlockSparse} or {@link Masked}. {@link #relational} is the one place
 * that picks the kind from an {@link ExecutionMode}; the trainer's networks and the benchmarks both
 * build their layers there.
 *
 * <p>Its weight is a {@link Parameter} stored as the mode stores it; {@link #denseWeights()} and
 * {@link #setDenseWeights} exchange the values as a dense {@code out × in} array (zeros outside the
 * graph's blocks), whatever the mode. The three products are also callable one by one ({@link
 * #backwardData}, {@link #backwardWeight}), as the benchmarks time them.
 */
public abstract sealed class Linear implements Layer
    permits Linear.Dense, Linear.BlockSparse, Linear.Masked {
  private final int out;
  private final int in;
  private final Parameter weight;

  private Linear(int out, int in, Parameter weight) {
    this.out = out;
    this.in = in;
    this.weight = weight;
  }

  /**
   * A dense {@code in → out} layer without bias, weights zero; its weight is {@code name.weight}.
   */
  public static Dense dense(TensorFactory tensors, String name, int out, int in) {
    return new Dense(tensors, name, out, in, false);
  }

  /** A dense {@code in → out} layer with a bias ({@code name.weight}, {@code name.bias}), zero. */
  public static Dense denseWithBias(TensorFactory tensors, String name, int out, int in) {
    return new Dense(tensors, name, out, in, true);
  }

  /**
   * A relational layer over {@code graph}: output channels {@code out} and input channels {@code
   * in} divided over its nodes, block (v, u) present iff v = u or u → v; weights zero, named {@code
   * name.weight}. {@link ExecutionMode#DENSE} stores every block and needs the complete graph.
   *
   * @throws IllegalArgumentException for dense mode on another graph, or partitions that do not
   *     match the graph's nodes
   */
  public static Linear relational(
      TensorFactory tensors,
      String name,
      ExecutionMode mode,
      RelationalGraph graph,
      ChannelPartition out,
      ChannelPartition in) {
    if (mode == ExecutionMode.DENSE && !graph.isComplete()) {
      throw new IllegalArgumentException(
          "mode dense runs the complete graph only; use blocksparse or masked for this graph");
    }
    return switch (mode) {
      case DENSE -> dense(tensors, name, out.channels(), in.channels());
      case BLOCKSPARSE -> new BlockSparse(tensors, name, BlockSparseLayout.of(graph, out, in));
      case MASKED -> new Masked(tensors, name, BlockSparseLayout.of(graph, out, in));
    };
  }

  @Override
  public final int inputs() {
    return in;
  }

  @Override
  public final int outputs() {
    return out;
  }

  @Override
  public boolean canSkipInputGradient() {
    return true;
  }

  /** The weight, as the mode stores it. */
  public final Parameter weight() {
    return weight;
  }

  /** Fraction of the {@code out × in} blocks present: 1 for a dense layer. */
  public abstract double blockDensity();

  /** Multiply-adds of one product per sample, present blocks only. */
  public abstract long multiplyAddsPerSample();

  /** {@code y = W·x}. */
  public abstract void forward(Backend b, Tensor x, Tensor y);

  /** {@code dx = Wᵀ·dy}. */
  public abstract void backwardData(Backend b, Tensor dy, Tensor dx);

  /** The weight gradient {@code dW = dy·xᵀ} (present blocks only). */
  public abstract void backwardWeight(Backend b, Tensor dy, Tensor x);

  @Override
  public void forward(Backend b, Tensor x, Tensor y, boolean training) {
    forward(b, x, y);
  }

  /** The weight gradient, then {@code dx} unless null; {@code y} is not needed. */
  @Override
  public void backward(Backend b, Tensor x, Tensor y, Tensor dy, Tensor dx) {
    backwardWeight(b, dy, x);
    if (dx != null) {
      backwardData(b, dy, dx);
    }
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(weight);
  }

  /** The weights as a dense {@code out × in} array (zeros outside the blocks). */
  public abstract float[] denseWeights();

  /** The weight gradient as a dense {@code out × in} array (zeros outside the blocks). */
  public float[] denseGradient() {
    return weight.grad().toArray();
  }

  /** Replaces the weights from a dense {@code out × in} array; values outside the blocks go. */
  public abstract void setDenseWeights(float[] dense);

  @Override
  public float[] denseValue(Parameter p) {
    return p == weight ? denseWeights() : p.value().toArray();
  }

  @Override
  public float[] denseGradient(Parameter p) {
    return p == weight ? denseGradient() : p.grad().toArray();
  }

  @Override
  public void setDenseValue(Parameter p, float[] dense) {
    if (p == weight) {
      setDenseWeights(dense);
    } else {
      p.value().copyFrom(dense);
    }
  }

  @Override
  public void close() {
    weight.close();
  }

  /** Every weight stored and multiplied: the stem, the head, and the complete graph. */
  public static final class Dense extends Linear {
    private final Parameter bias;

    private Dense(TensorFactory tensors, String name, int out, int in, boolean withBias) {
      super(out, in, Parameter.zeros(tensors, name + ".weight", out, in));
      Parameter b = null;
      if (withBias) {
        try {
          b = Parameter.zeros(tensors, name + ".bias", out, 1);
        } catch (RuntimeException | Error e) {
          weight().close();
          throw e;
        }
      }
      this.bias = b;
    }

    /** The bias ({@code out × 1}), or null. */
    public Parameter bias() {
      return bias;
    }

    @Override
    public double blockDensity() {
      return 1;
    }

    @Override
    public long multiplyAddsPerSample() {
      return (long) outputs() * inputs();
    }

    @Override
    public void forward(Backend b, Tensor x, Tensor y) {
      b.denseForward(weight().value(), x, y);
      if (bias != null) {
        b.addBias(y, bias.value());
      }
    }

    @Override
    public void backwardData(Backend b, Tensor dy, Tensor dx) {
      b.denseBackwardData(weight().value(), dy, dx);
    }

    @Override
    public void backwardWeight(Backend b, Tensor dy, Tensor x) {
      b.denseBackwardWeight(dy, x, weight().grad());
      if (bias != null) {
        b.biasGradient(dy, bias.grad());
      }
    }

    @Override
    public List<Parameter> parameters() {
      return bias == null ? List.of(weight()) : List.of(weight(), bias);
    }

    @Override
    public float[] denseWeights() {
      return weight().value().toArray();
    }

    @Override
    public void setDenseWeights(float[] dense) {
      weight().value().copyFrom(dense);
    }

    @Override
    public void close() {
      super.close();
      if (bias != null) {
        bias.close();
      }
    }
  }

  /** Only the graph's blocks, through the block-sparse kernels. */
  public static final class BlockSparse extends Linear {
    private final BlockSparseLayout layout;

    private BlockSparse(TensorFactory tensors, String name, BlockSparseLayout layout) {
      super(
          layout.out().channels(),
          layout.in().channels(),
          zerosOrClose(tensors, name, 1, layout.weightCount(), layout));
      this.layout = layout;
    }

    /** The layout of the blocks; the layer owns it. */
    public BlockSparseLayout layout() {
      return layout;
    }

    @Override
    public double blockDensity() {
      return layout.blockDensity();
    }

    @Override
    public long multiplyAddsPerSample() {
      return layout.multiplyAddsPerSample();
    }

    @Override
    public void forward(Backend b, Tensor x, Tensor y) {
      b.forward(layout, weight().value(), x, y);
    }

    @Override
    public void backwardData(Backend b, Tensor dy, Tensor dx) {
      b.backwardData(layout, weight().value(), dy, dx);
    }

    @Override
    public void backwardWeight(Backend b, Tensor dy, Tensor x) {
      b.backwardWeight(layout, dy, x, weight().grad());
    }

    @Override
    public float[] denseWeights() {
      return layout.toDense(weight().value().toArray());
    }

    @Override
    public float[] denseGradient() {
      return layout.toDense(weight().grad().toArray());
    }

    @Override
    public void setDenseWeights(float[] dense) {
      weight().value().copyFrom(layout.fromDense(dense));
    }

    @Override
    public void close() {
      super.close();
      layout.close();
    }
  }

  /** Dense weights multiplied by the graph's mask before every product: the paper's method. */
  public static final class Masked extends Linear {
    private final Tensor mask;
    private final Tensor scratch;
    private final double density;
    private final long multiplyAdds;

    private Masked(TensorFactory tensors, String name, BlockSparseLayout layout) {
      super(
          layout.out().channels(),
          layout.in().channels(),
          zerosOrClose(
              tensors, name, layout.out().channels(), (long) layout.in().channels(), layout));
      Tensor m = null;
      try {
        this.density = layout.blockDensity();
        this.multiplyAdds = layout.multiplyAddsPerSample();
        m = tensors.of(outputs(), inputs(), layout.denseMask());
        this.scratch = tensors.zeros(outputs(), inputs());
        this.mask = m;
      } catch (RuntimeException | Error e) {
        if (m != null) {
          m.close();
        }
        weight().close();
        throw e;
      } finally {
        layout.close();
      }
    }

    @Override
    public double blockDensity() {
      return density;
    }

    @Override
    public long multiplyAddsPerSample() {
      return multiplyAdds;
    }

    @Override
    public void forward(Backend b, Tensor x, Tensor y) {
      b.maskedForward(weight().value(), mask, x, y, scratch);
    }

    @Override
    public void backwardData(Backend b, Tensor dy, Tensor dx) {
      b.maskedBackwardData(weight().value(), mask, dy, dx, scratch);
    }

    @Override
    public void backwardWeight(Backend b, Tensor dy, Tensor x) {
      b.maskedBackwardWeight(mask, dy, x, weight().grad());
    }

    @Override
    public float[] denseWeights() {
      float[] w = weight().value().toArray();
      float[] m = mask.toArray();
      for (int i = 0; i < w.length; i++) {
        w[i] *= m[i];
      }
      return w;
    }

    @Override
    public void setDenseWeights(float[] dense) {
      weight().value().copyFrom(dense);
    }

    @Override
    public void close() {
      super.close();
      mask.close();
      scratch.close();
    }
  }

  /** A zero weight; the layout is closed if it cannot be allocated (the layer would own it). */
  private static Parameter zerosOrClose(
      TensorFactory tensors, String name, int rows, long cols, BlockSparseLayout layout) {
    try {
      return Parameter.zeros(tensors, name + ".weight", rows, Math.toIntExact(cols));
    } catch (RuntimeException | Error e) {
      layout.close();
      throw e;
    }
  }
}
