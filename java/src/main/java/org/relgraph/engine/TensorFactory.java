package org.relgraph.engine;

/**
 * Makes tensors on one {@link Backend}: the backend itself, or a {@link TensorScope} of it whose
 * close frees them together.
 */
public interface TensorFactory {
  /** The backend the tensors belong to. */
  Backend backend();

  /**
   * A zero tensor of {@code channels × batch} or {@code channels × batch × H × W}.
   *
   * @throws IllegalArgumentException for another rank, a dimension below 1, or too many values
   */
  Tensor zeros(int... shape);

  /** A {@code rows × cols} tensor holding a copy of {@code values} (row-major). */
  default Tensor of(int rows, int cols, float[] values) {
    return of(values, rows, cols);
  }

  /** A tensor of {@code shape} holding a copy of {@code values} (channel-major). */
  default Tensor of(float[] values, int... shape) {
    Tensor t = zeros(shape);
    try {
      t.copyFrom(values);
    } catch (RuntimeException e) {
      t.close(); // a wrong length must not leave the memory to the garbage collector
      throw e;
    }
    return t;
  }
}
