package org.relgraph.nn;

import org.relgraph.engine.Backend;
import org.relgraph.engine.Tensor;
import org.relgraph.engine.TensorFactory;

/**
 * Batch normalisation followed by ReLU, per channel ({@link Backend#batchNormReluForward}):
 * parameters {@code name.gamma} and {@code name.beta}, buffers {@code name.running_mean} and {@code
 * name.running_var}. It needs its input gradient written, so it is never a network's first layer.
 */
public final class BatchNormRelu extends PerChannelNorm {
  /** A layer of {@code channels} channels: γ = 1, β = 0, running mean 0 and variance 1. */
  public BatchNormRelu(TensorFactory tensors, String name, int channels) {
    super(tensors, name, channels);
  }

  @Override
  public void forward(Backend backend, Tensor x, Tensor y, boolean training) {
    backend.batchNormReluForward(bn, x, y, training);
  }

  @Override
  void backwardInto(Backend backend, Tensor x, Tensor y, Tensor dy, Tensor dx) {
    backend.batchNormReluBackward(bn, x, y, dy, dx);
  }
}
