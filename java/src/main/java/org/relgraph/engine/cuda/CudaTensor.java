package org.relgraph.engine.cuda;

import org.bytedeco.javacpp.FloatPointer;
import org.relgraph.engine.Tensor;

/**
 * A tensor in device memory: {@link #address()} is what the kernels and gemm take. Values reach the
 * host only through the explicit copies of {@link Tensor}.
 */
final class CudaTensor extends Tensor {
  private final CudaDevice device;
  private volatile long address;

  CudaTensor(CudaBackend backend, int[] shape) {
    super(backend, shape);
    this.device = backend.device();
    long bytes = 4L * size();
    long a = device.malloc(bytes);
    device.memset(a, 0, bytes);
    this.address = a;
  }

  /** The device address; throws once closed. */
  long address() {
    long a = address;
    if (a == 0) {
      throw new IllegalStateException("tensor " + shapeText() + " is closed");
    }
    return a;
  }

  /** The address of a tensor the front has checked to be this backend's. */
  static long of(Tensor t) {
    return ((CudaTensor) t).address();
  }

  private long bytes() {
    return 4L * size();
  }

  @Override
  protected void copyToHost(float[] out) {
    try (FloatPointer host = new FloatPointer(size())) {
      device.copyToHost(host, address(), bytes());
      host.get(out);
    }
  }

  @Override
  protected float valueAt(int index) {
    try (FloatPointer host = new FloatPointer(1)) {
      device.copyToHost(host, address() + 4L * index, 4);
      return host.get(0);
    }
  }

  @Override
  protected void copyFromHost(float[] values) {
    try (FloatPointer host = new FloatPointer(values)) {
      device.copyToDevice(address(), host, bytes());
    }
  }

  @Override
  protected void fillZero() {
    device.memset(address(), 0, bytes());
  }

  @Override
  protected void release() {
    long a = address;
    address = 0;
    device.free(a);
  }
}
