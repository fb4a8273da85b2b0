package org.relgraph.train;

import org.relgraph.engine.Tensor;

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
  static Parameter zeros(String name, int rows, int cols) {
    return of(name, Tensor.zeros(rows, cols), Tensor.zeros(rows, cols));
  }

  /** A parameter over existing value and gradient tensors, with a fresh momentum buffer. */
  static Parameter of(String name, Tensor value, Tensor grad) {
    return new Parameter(name, value, grad, Tensor.zeros(value.rows(), value.cols()));
  }

  void close() {
    value.close();
    grad.close();
    velocity.close();
  }
}
