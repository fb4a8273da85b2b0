package org.relgraph.nn;

import java.util.List;
import org.relgraph.engine.Backend;
import org.relgraph.engine.Tensor;

/**
 * Max pooling, 3 × 3, stride 2, padding 1 ({@link Backend#maxPool}): the end of the ImageNet
 * models' stems. Images {@code C × batch × H × W} to {@code C × batch × ⌈H/2⌉ × ⌈W/2⌉}.
 */
public final class MaxPool implements Layer {
  private final int channels;

  /**
   * @throws IllegalArgumentException for channels < 1
   */
  public MaxPool(int channels) {
    if (channels < 1) {
      throw new IllegalArgumentException("channels = " + channels + " must be >= 1");
    }
    this.channels = channels;
  }

  @Override
  public int inputs() {
    return channels;
  }

  @Override
  public int outputs() {
    return channels;
  }

  @Override
  public int[] outputShape(int[] input) {
    return Images.strided("max pooling", channels, input, channels, 2);
  }

  @Override
  public void forward(Backend b, Tensor x, Tensor y, boolean training) {
    b.maxPool(x, y);
  }

  @Override
  public void backward(Backend b, Tensor x, Tensor y, Tensor dy, Tensor dx) {
    if (dx != null) {
      b.maxPoolBackward(x, dy, dx);
    }
  }

  @Override
  public boolean canSkipInputGradient() {
    return true;
  }

  @Override
  public List<Parameter> parameters() {
    return List.of();
  }

  @Override
  public void close() {}
}
