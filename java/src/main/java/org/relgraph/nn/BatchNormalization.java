package org.relgraph.nn;

import org.relgraph.engine.Backend;
import org.relgraph.engine.Tensor;
import org.relgraph.engine.TensorFactory;

/**
 * Batch normalisation per channel without ReLU ({@link Backend#batchNormForward}), on feature
 * vectors or images: the last layer of a residual branch, before the addition. Parameters and
 * buffers are named as {@link BatchNormRelu}'s.
 */
public final class BatchNormalization extends PerChannelNorm {
  /** A layer of {@code channels} channels: γ = 1, β = 0, running mean 0 and variance 1. */
  public BatchNormalization(TensorFactory tensors, String name, int channels) {
    super(tensors, name, channels);
  }

  @Override
  public void forward(Backend backend, Tensor x, Tensor y, boolean training) {
    backend.batchNormForward(bn, x, y, training);
  }

  @Override
  void backwardInto(Backend backend, Tensor x, Tensor y, Tensor dy, Tensor dx) {
    backend.batchNormBackward(bn, x, dy, dx);
  }
}
