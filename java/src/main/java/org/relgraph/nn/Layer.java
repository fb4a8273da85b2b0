package org.relgraph.nn;

import java.util.List;
import java.util.Map;
import org.relgraph.engine.Backend;
import org.relgraph.engine.Tensor;

/**
 * One layer of a {@link Network}: a function from {@code inputs × batch} activations to {@code
 * outputs × batch} activations (feature-major, as the {@link Backend} takes them), with its
 * trainable {@link Parameter}s. A layer holds its weights and nothing that depends on the batch;
 * the network owns the activations and passes them in.
 *
 * <p>Parameters are exchanged in a dense form that does not depend on how the layer stores them
 * ({@link #denseValue}): a block-sparse layer stores only its blocks, but its dense form is the
 * {@code out × in} matrix with zeros outside them, the same in every {@link ExecutionMode}. Model
 * files and checks use the dense form; the optimizer works on {@link Parameter#value()} as stored.
 *
 * <p>On images, activations are {@code channels × batch × H × W}; a layer's {@link #outputShape}
 * says what one sample becomes ({@code {C}} or {@code {C, H, W}}). A layer that keeps the pixels
 * (batch norm, and a {@link Linear}, which is then a 1 × 1 convolution) takes either.
 *
 * <p>Implementations: {@link Linear} (dense, block-sparse, masked; built by {@link
 * Linear#relational} for a relational layer), {@link BatchNormRelu}, {@link BatchNormalization},
 * {@link Conv}, {@link DepthwiseConv}, {@link GlobalAvgPool}, {@link Residual}.
 */
public interface Layer extends AutoCloseable {
  /** Input channels. */
  int inputs();

  /** Output channels. */
  int outputs();

  /**
   * Writes {@code y} ({@code outputs × batch}) from {@code x} ({@code inputs × batch}); {@code
   * training} selects batch statistics over running ones where the layer has them.
   */
  void forward(Backend backend, Tensor x, Tensor y, boolean training);

  /**
   * The backward pass of the last training {@link #forward} from {@code x} to {@code y}: writes the
   * parameters' gradients from the output gradient {@code dy}, and the input gradient {@code dx}
   * unless it is null (the first layer of a network needs none).
   */
  void backward(Backend backend, Tensor x, Tensor y, Tensor dy, Tensor dx);

  /**
   * The shape of one output sample for one input sample of {@code input} ({@code {C}} or {@code {C,
   * H, W}}). By default the channels change from {@link #inputs()} to {@link #outputs()} and the
   * pixels stay.
   *
   * @throws IllegalArgumentException when the layer cannot take that input
   */
  default int[] outputShape(int[] input) {
    if (input[0] != inputs()) {
      throw new IllegalArgumentException(
          getClass().getSimpleName() + " takes " + inputs() + " channels, got " + input[0]);
    }
    int[] out = input.clone();
    out[0] = outputs();
    return out;
  }

  /**
   * Whether {@link #backward} accepts a null {@code dx} (a network's first layer then skips its
   * input gradient).
   */
  default boolean canSkipInputGradient() {
    return false;
  }

  /** The trainable parameters, in a fixed order. */
  List<Parameter> parameters();

  /** A parameter's values in dense form (see the class comment). */
  default float[] denseValue(Parameter p) {
    return p.value().toArray();
  }

  /** A parameter's gradient in dense form. */
  default float[] denseGradient(Parameter p) {
    return p.grad().toArray();
  }

  /** Replaces a parameter's values from their dense form. */
  default void setDenseValue(Parameter p, float[] dense) {
    p.value().copyFrom(dense);
  }

  /** State that is not trained but saved (BatchNorm's running statistics), by name. */
  default Map<String, Tensor> buffers() {
    return Map.of();
  }

  /** Frees the native memory of the parameters and buffers. */
  @Override
  void close();
}
