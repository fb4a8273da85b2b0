package org.relgraph.engine;

import java.nio.FloatBuffer;
import java.util.concurrent.atomic.AtomicReference;
import org.bytedeco.javacpp.FloatPointer;

/**
 * A tensor in host memory: off-heap, direct, handed to native code as a JavaCPP {@link
 * FloatPointer} without a copy. The tensors of the host backends ({@link JavaBackend}, {@link
 * CpuBackend}).
 */
final class HostTensor extends Tensor {
  private final AtomicReference<FloatPointer> memory;
  private final FloatBuffer view;

  HostTensor(Backend backend, int[] shape) {
    super(backend, shape);
    long n = (long) rows() * cols();
    FloatPointer p = new FloatPointer(n);
    if (p.isNull()) {
      throw new OutOfMemoryError("cannot allocate " + 4 * n + " bytes of native memory");
    }
    p.zero();
    this.memory = new AtomicReference<>(p);
    this.view = p.asBuffer();
  }

  /** The native memory, for the host backends; throws once closed. */
  FloatPointer pointer() {
    FloatPointer p = memory.get();
    if (p == null) {
      checkOpen();
      throw new IllegalStateException("tensor " + shapeText() + " is closed");
    }
    return p;
  }

  /** The memory of a tensor the front has checked to be this backend's. */
  static FloatPointer of(Tensor t) {
    return ((HostTensor) t).pointer();
  }

  @Override
  protected void copyToHost(float[] out) {
    pointer();
    view.duplicate().get(out);
  }

  @Override
  protected float valueAt(int index) {
    pointer();
    return view.get(index);
  }

  @Override
  protected void copyFromHost(float[] values) {
    pointer();
    view.duplicate().put(values);
  }

  @Override
  protected void fillZero() {
    pointer().zero();
  }

  @Override
  protected void release() {
    FloatPointer p = memory.getAndSet(null);
    if (p != null) {
      p.close();
    }
  }
}
