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
 * <p>Implementations: {@link Linear} (dense, block-sparse, masked; built by {@link
 * Linear#relational} for a relational layer), {@link BatchNormRelu}.
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
