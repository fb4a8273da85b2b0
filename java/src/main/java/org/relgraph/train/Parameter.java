package org.relgraph.train;

import org.relgraph.engine.Tensor;
import org.relgraph.engine.TensorFactory;

/**
 * A trainable tensor with its gradient and SGD momentum buffer, all of one shape.
 *
 * @param name a stable name, used in model files
 * @param value the values
 * @param grad the gradient, written by the backward pass
 * @param velocity the momentum buffer
 */
record Parameter(String name, Tensor value, Tensor grad, Tensor velocity) {
  /** A zero parameter of the given shape. */
  static Parameter zeros(TensorFactory tensors, String name, int rows, int cols) {
    return of(tensors, name, tensors.zeros(rows, cols), tensors.zeros(rows, cols));
  }

  /** A parameter over existing value and gradient tensors, with a fresh momentum buffer. */
  static Parameter of(TensorFactory tensors, String name, Tensor value, Tensor grad) {
    return new Parameter(name, value, grad, tensors.zeros(value.shape()));
  }

  void close() {
    value.close();
    grad.close();
    velocity.close();
  }
}
