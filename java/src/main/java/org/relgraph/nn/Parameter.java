package org.relgraph.nn;

import org.relgraph.engine.Tensor;
import org.relgraph.engine.TensorFactory;

/**
 * A trainable tensor with its gradient (same shape) and its SGD momentum buffer, which is allocated
 * at the first {@link #velocity()} call (an optimizer step): a layer that only runs forward and
 * backward, as in the benchmarks, holds no momentum.
 */
public final class Parameter implements AutoCloseable {
  private final String name;
  private final Tensor value;
  private final Tensor grad;
  private final boolean owned;
  private Tensor velocity;

  private Parameter(String name, Tensor value, Tensor grad, boolean owned) {
    this.name = name;
    this.value = value;
    this.grad = grad;
    this.owned = owned;
  }

  /** A zero parameter of the given shape, owning its tensors. */
  public static Parameter zeros(TensorFactory tensors, String name, int rows, int cols) {
    Tensor v = tensors.zeros(rows, cols);
    try {
      return new Parameter(name, v, tensors.zeros(rows, cols), true);
    } catch (RuntimeException | Error e) {
      v.close();
      throw e;
    }
  }

  /**
   * A parameter over value and gradient tensors that another object owns (a {@link
   * org.relgraph.engine.BatchNorm}'s scale and shift): closing it frees only its momentum buffer.
   */
  public static Parameter over(String name, Tensor value, Tensor grad) {
    return new Parameter(name, value, grad, false);
  }

  /** A stable name, used in model files: {@code stem.weight}, {@code relational0.bn.gamma}, ... */
  public String name() {
    return name;
  }

  /** The values, in the form the layer stores them. */
  public Tensor value() {
    return value;
  }

  /** The gradient, written by the backward pass. */
  public Tensor grad() {
    return grad;
  }

  /** The momentum buffer, zero when first asked for. */
  public Tensor velocity() {
    if (velocity == null) {
      velocity = value.backend().zeros(value.shape());
    }
    return velocity;
  }

  /** Frees the momentum buffer, and the value and gradient when this parameter owns them. */
  @Override
  public void close() {
    if (owned) {
      value.close();
      grad.close();
    }
    if (velocity != null) {
      velocity.close();
    }
  }

  @Override
  public String toString() {
    return "Parameter(" + name + ", " + value.rows() + " x " + value.cols() + ")";
  }
}
