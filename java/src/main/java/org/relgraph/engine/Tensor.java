package org.relgraph.engine;

import java.nio.FloatBuffer;
import java.util.concurrent.atomic.AtomicReference;
import org.bytedeco.javacpp.FloatPointer;

/**
 * An off-heap float matrix of {@code rows × cols}, row-major and dense (row stride = cols).
 * Activations are feature-major (channels × batch); dense weights are {@code out × in};
 * block-sparse weights are one row of {@link BlockSparseLayout#weightCount()} values.
 *
 * <p>Tensors own native memory: close them (try-with-resources); {@code close()} is idempotent and
 * any use after it throws {@link IllegalStateException}.
 */
public final class Tensor implements AutoCloseable {
  private final int rows;
  private final int cols;
  private final AtomicReference<FloatPointer> memory;
  private final FloatBuffer view;

  private Tensor(int rows, int cols) {
    if (rows < 1 || cols < 1) {
      throw new IllegalArgumentException(
          "tensor shape " + rows + " x " + cols + " must be >= 1 x 1");
    }
    long n = (long) rows * cols;
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("tensor " + rows + " x " + cols + " too large");
    }
    this.rows = rows;
    this.cols = cols;
    FloatPointer p = new FloatPointer(n);
    if (p.isNull()) {
      throw new OutOfMemoryError("cannot allocate " + 4 * n + " bytes of native memory");
    }
    p.zero();
    this.memory = new AtomicReference<>(p);
    this.view = p.asBuffer();
  }

  /** A zero tensor. */
  public static Tensor zeros(int rows, int cols) {
    return new Tensor(rows, cols);
  }

  /** A tensor holding {@code values} (row-major, length rows × cols). */
  public static Tensor of(int rows, int cols, float[] values) {
    Tensor t = new Tensor(rows, cols);
    try {
      t.set(values);
    } catch (RuntimeException e) {
      t.close(); // a wrong length must not leave native memory to the garbage collector
      throw e;
    }
    return t;
  }

  /** Rows. */
  public int rows() {
    return rows;
  }

  /** Columns. */
  public int cols() {
    return cols;
  }

  /** Number of values, rows × cols. */
  public int size() {
    return rows * cols;
  }

  /** Whether {@link #close()} has run. */
  public boolean isClosed() {
    return memory.get() == null;
  }

  /** Value at (r, c). */
  public float get(int r, int c) {
    checkOpen();
    checkIndex(r, c);
    return view.get(r * cols + c);
  }

  /** Sets the value at (r, c). */
  public void set(int r, int c, float v) {
    checkOpen();
    checkIndex(r, c);
    view.put(r * cols + c, v);
  }

  /** All values, row-major. */
  public float[] toArray() {
    checkOpen();
    float[] out = new float[size()];
    view.duplicate().get(out);
    return out;
  }

  /** Replaces all values (row-major, length rows × cols). */
  public void set(float[] values) {
    checkOpen();
    if (values.length != size()) {
      throw new IllegalArgumentException(
          "expected " + size() + " values for " + rows + " x " + cols + ", got " + values.length);
    }
    view.duplicate().put(values);
  }

  /** Sets every value to zero. */
  public void zero() {
    pointer().zero();
  }

  /** The native memory, for the backends; throws once closed. */
  FloatPointer pointer() {
    FloatPointer p = memory.get();
    if (p == null) {
      throw new IllegalStateException("tensor " + rows + " x " + cols + " is closed");
    }
    return p;
  }

  private void checkOpen() {
    pointer();
  }

  private void checkIndex(int r, int c) {
    if (r < 0 || r >= rows || c < 0 || c >= cols) {
      throw new IndexOutOfBoundsException("(" + r + ", " + c + ") outside " + rows + " x " + cols);
    }
  }

  /** Frees the native memory; later calls do nothing. */
  @Override
  public void close() {
    FloatPointer p = memory.getAndSet(null);
    if (p != null) {
      p.close();
    }
  }

  @Override
  public String toString() {
    return "Tensor(" + rows + " x " + cols + (isClosed() ? ", closed)" : ")");
  }
}
