package org.relgraph.engine.cuda;

import org.bytedeco.javacpp.DoublePointer;
import org.relgraph.engine.LossAccumulator;

/**
 * A loss accumulator in device memory: five doubles (batches, samples, sum of batch means, sum of
 * sample losses, correct) that {@code rg_xent_accumulate} adds each batch into, in stream order.
 * Only {@link #read()} copies them to the host.
 */
final class DeviceLossAccumulator extends LossAccumulator {
  static final int SLOTS = 5;
  private final CudaDevice device;
  private long address;

  DeviceLossAccumulator(CudaBackend backend) {
    super(backend);
    this.device = backend.device();
    this.address = device.malloc(8L * SLOTS);
    device.memset(address, 0, 8L * SLOTS);
  }

  /** The device address of the totals. */
  long address() {
    return address;
  }

  @Override
  protected Totals totals() {
    try (DoublePointer host = new DoublePointer(SLOTS)) {
      device.copyToHost(host, address, 8L * SLOTS);
      return new Totals(
          (long) host.get(0), (long) host.get(1), host.get(2), host.get(3), (long) host.get(4));
    }
  }

  @Override
  protected void clear() {
    device.memset(address, 0, 8L * SLOTS);
  }

  /** Never called: the cross-entropy kernels add on the device. */
  @Override
  protected void add(double meanLoss, int correct, int batch) {
    throw new UnsupportedOperationException("a device accumulator is added to on the device");
  }

  /** Frees the device memory; called by the backend once the accumulator is closed. */
  void free() {
    long a = address;
    address = 0;
    device.free(a);
  }
}
