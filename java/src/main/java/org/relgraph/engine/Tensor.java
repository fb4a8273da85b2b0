package org.relgraph.engine;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A float tensor that belongs to the {@link Backend} that allocated it, on that backend's device.
 * Its shape is 2-D, {@code channels × batch}, or 4-D, {@code channels × batch × H × W}, stored
 * channel-major and dense; {@link #rows()} is the channels and {@link #cols()} the rest ({@code
 * batch · H · W}), the matrix the products see. Dense weights are {@code out × in}; block-sparse
 * weights one row of {@link BlockSparseLayout#weightCount()} values.
 *
 * <p>A tensor has no host view: values cross between the host and the device only through the
 * explicit copies {@link #copyFrom(float[])} and {@link #toArray()} (and {@link #get}, one value),
 * which wait for the backend's pending work. Only the backend that made a tensor computes on it;
 * any other throws {@link IllegalArgumentException}.
 *
 * <p>Tensors own memory: close them, or the {@link TensorScope} or backend they came from; {@code
 * close()} is idempotent and any use after it throws {@link IllegalStateException}.
 */
public abstract class Tensor implements AutoCloseable {
  private final Backend backend;
  private final int[] shape;
  private final int rows;
  private final int cols;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile TensorScope scope;

  /**
   * A tensor of {@code shape} on {@code backend}; for backends' own tensor classes.
   *
   * @throws IllegalArgumentException for a shape of another rank than 2 or 4, a dimension below 1,
   *     or more than {@link MemoryLimits#MAX_TENSOR_VALUES} values
   */
  protected Tensor(Backend backend, int[] shape) {
    this.backend = backend;
    this.shape = shape.clone();
    checkShape(this.shape);
    this.rows = this.shape[0];
    this.cols = Math.toIntExact(count(this.shape) / rows);
  }

  static void checkShape(int[] shape) {
    if (shape.length != 2 && shape.length != 4) {
      throw new IllegalArgumentException(
          "a tensor has 2 or 4 dimensions (channels x batch [x H x W]), got "
              + shape.length
              + ": "
              + describe(shape));
    }
    for (int d : shape) {
      if (d < 1) {
        throw new IllegalArgumentException(
            "tensor shape "
                + describe(shape)
                + " must be >= "
                + (shape.length == 2 ? "1 x 1" : "1 x 1 x 1 x 1"));
      }
    }
    if (count(shape) > MemoryLimits.MAX_TENSOR_VALUES) {
      throw new IllegalArgumentException("tensor " + describe(shape) + " too large");
    }
  }

  private static long count(int[] shape) {
    long n = 1;
    for (int d : shape) {
      n *= d;
      if (n > Integer.MAX_VALUE) {
        return Long.MAX_VALUE;
      }
    }
    return n;
  }

  static String describe(int[] shape) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < shape.length; i++) {
      s.append(i == 0 ? "" : " x ").append(shape[i]);
    }
    return s.toString();
  }

  /** The backend that made this tensor, the only one that computes on it. */
  public final Backend backend() {
    return backend;
  }

  /** The dimensions: {@code channels, batch} or {@code channels, batch, H, W}. */
  public final int[] shape() {
    return shape.clone();
  }

  /** 2 or 4. */
  public final int rank() {
    return shape.length;
  }

  /** Rows of the matrix view: the first dimension (channels). */
  public final int rows() {
    return rows;
  }

  /** Columns of the matrix view: the product of the other dimensions. */
  public final int cols() {
    return cols;
  }

  /** Number of values. */
  public final int size() {
    return rows * cols;
  }

  /** Whether {@link #close()} has run (on this tensor, its scope or its backend). */
  public final boolean isClosed() {
    return closed.get();
  }

  /** Throws {@link IllegalStateException} when closed. */
  final void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("tensor " + describe(shape) + " is closed");
    }
  }

  /** All values, channel-major, copied to the host once the backend's pending work is done. */
  public final float[] toArray() {
    checkOpen();
    backend.synchronize();
    float[] out = new float[size()];
    copyToHost(out);
    return out;
  }

  /** The value at (row, col) of the matrix view, copied to the host: for tests and diagnostics. */
  public final float get(int row, int col) {
    checkOpen();
    if (row < 0 || row >= rows || col < 0 || col >= cols) {
      throw new IndexOutOfBoundsException(
          "(" + row + ", " + col + ") outside " + rows + " x " + cols);
    }
    backend.synchronize();
    return valueAt(row * cols + col);
  }

  /**
   * Replaces all values by a copy of {@code values} (channel-major, length {@link #size()}).
   *
   * @throws IllegalArgumentException for another length; the tensor is then unchanged
   */
  public final void copyFrom(float[] values) {
    checkOpen();
    if (values.length != size()) {
      throw new IllegalArgumentException(
          "expected " + size() + " values for " + describe(shape) + ", got " + values.length);
    }
    backend.synchronize();
    copyFromHost(values);
  }

  /** Sets every value to zero (on the device). */
  public final void zero() {
    checkOpen();
    fillZero();
  }

  /** Copies every value into {@code out} (length {@link #size()}); the backend has synchronized. */
  protected abstract void copyToHost(float[] out);

  /** One value by flat index; the backend has synchronized. */
  protected abstract float valueAt(int index);

  /** Copies {@code values} (length {@link #size()}) in; the backend has synchronized. */
  protected abstract void copyFromHost(float[] values);

  /** Sets every value to zero. */
  protected abstract void fillZero();

  /** Frees the memory; called once. */
  protected abstract void release();

  void attach(TensorScope s) {
    scope = s;
  }

  /** Frees the memory; later calls do nothing. */
  @Override
  public final void close() {
    if (closed.compareAndSet(false, true)) {
      TensorScope s = scope;
      if (s != null) {
        s.forget(this);
      }
      backend.forget(this);
      release();
    }
  }

  @Override
  public String toString() {
    return "Tensor(" + describe(shape) + (isClosed() ? ", closed)" : ")");
  }

  /** The shape as {@code 2 x 3}. */
  public final String shapeText() {
    return describe(shape);
  }

  /** Whether the two have the same dimensions. */
  final boolean sameShape(Tensor o) {
    return Arrays.equals(shape, o.shape);
  }
}
