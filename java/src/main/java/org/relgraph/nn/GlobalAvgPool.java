package org.relgraph.nn;

import java.util.List;
import org.relgraph.engine.Backend;
import org.relgraph.engine.Tensor;

/** Global average pooling: images {@code C × batch × H × W} to features {@code C × batch}. */
public final class GlobalAvgPool implements Layer {
  private final int channels;

  /**
   * @throws IllegalArgumentException for channels < 1
   */
  public GlobalAvgPool(int channels) {
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
    Images.check("global average pooling", channels, input);
    return new int[] {channels};
  }

  @Override
  public void forward(Backend b, Tensor x, Tensor y, boolean training) {
    b.globalAvgPool(x, y);
  }

  @Override
  public void backward(Backend b, Tensor x, Tensor y, Tensor dy, Tensor dx) {
    if (dx != null) {
      b.globalAvgPoolBackward(dy, dx);
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
