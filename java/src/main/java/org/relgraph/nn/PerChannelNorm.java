package org.relgraph.nn;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.relgraph.engine.Backend;
import org.relgraph.engine.BatchNorm;
import org.relgraph.engine.Tensor;
import org.relgraph.engine.TensorFactory;

/**
 * What batch normalisation with and without ReLU share: parameters {@code name.gamma} and {@code
 * name.beta}, buffers {@code name.running_mean} and {@code name.running_var}, and the need for an
 * input gradient, so that it is never a network's first layer.
 */
abstract sealed class PerChannelNorm implements Layer permits BatchNormRelu, BatchNormalization {
  private final String name;
  final BatchNorm bn;
  private final Parameter gamma;
  private final Parameter beta;

  /** A layer of {@code channels} channels: γ = 1, β = 0, running mean 0 and variance 1. */
  PerChannelNorm(TensorFactory tensors, String name, int channels) {
    this.name = name;
    this.bn = new BatchNorm(tensors, channels);
    this.gamma = Parameter.over(name + ".gamma", bn.gamma(), bn.gammaGrad());
    this.beta = Parameter.over(name + ".beta", bn.beta(), bn.betaGrad());
  }

  /** The statistics and parameters as the backend takes them. */
  public BatchNorm batchNorm() {
    return bn;
  }

  @Override
  public int inputs() {
    return bn.channels();
  }

  @Override
  public int outputs() {
    return bn.channels();
  }

  /**
   * @throws IllegalArgumentException when {@code dx} is null
   */
  @Override
  public final void backward(Backend backend, Tensor x, Tensor y, Tensor dy, Tensor dx) {
    if (dx == null) {
      throw new IllegalArgumentException(name + ": batch norm needs its input gradient");
    }
    backwardInto(backend, x, y, dy, dx);
  }

  /** The backward pass, with {@code dx} given. */
  abstract void backwardInto(Backend backend, Tensor x, Tensor y, Tensor dy, Tensor dx);

  @Override
  public List<Parameter> parameters() {
    return List.of(gamma, beta);
  }

  @Override
  public Map<String, Tensor> buffers() {
    Map<String, Tensor> b = new LinkedHashMap<>();
    b.put(name + ".running_mean", bn.runningMean());
    b.put(name + ".running_var", bn.runningVar());
    return b;
  }

  @Override
  public void close() {
    gamma.close();
    beta.close();
    bn.close();
  }
}
