package org.relgraph.nn;

import java.util.List;
import org.relgraph.engine.Backend;
import org.relgraph.engine.Tensor;
import org.relgraph.engine.TensorFactory;

/**
 * A depthwise 3 × 3 convolution (padding 1, stride 1 or 2, no bias): each channel convolved with
 * its own kernel, the first half of a separable block. Weight {@code name.weight}, {@code channels
 * × 9}, zero at first.
 */
public final class DepthwiseConv implements Layer {
  private final int channels;
  private final int stride;
  private final Parameter weight;

  /**
   * @throws IllegalArgumentException for channels < 1 or a stride other than 1 or 2
   */
  public DepthwiseConv(TensorFactory tensors, String name, int channels, int stride) {
    if (channels < 1) {
      throw new IllegalArgumentException("channels = " + channels + " must be >= 1");
    }
    if (stride != 1 && stride != 2) {
      throw new IllegalArgumentException("stride = " + stride + " must be 1 or 2");
    }
    this.channels = channels;
    this.stride = stride;
    this.weight = Parameter.zeros(tensors, name + ".weight", channels, 9);
  }

  @Override
  public int inputs() {
    return channels;
  }

  @Override
  public int outputs() {
    return channels;
  }

  /** The kernels, {@code channels × 9}. */
  public Parameter weight() {
    return weight;
  }

  @Override
  public int[] outputShape(int[] input) {
    return Images.strided("a depthwise convolution", channels, input, channels, stride);
  }

  @Override
  public void forward(Backend b, Tensor x, Tensor y, boolean training) {
    b.depthwiseForward(weight.value(), x, stride, y);
  }

  @Override
  public void backward(Backend b, Tensor x, Tensor y, Tensor dy, Tensor dx) {
    b.depthwiseBackwardWeight(dy, x, stride, weight.grad());
    if (dx != null) {
      b.depthwiseBackwardData(weight.value(), dy, stride, dx);
    }
  }

  @Override
  public boolean canSkipInputGradient() {
    return true;
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(weight);
  }

  @Override
  public void close() {
    weight.close();
  }
}
