package org.relgraph.engine.cuda;

import static org.relgraph.engine.cuda.CudaDevice.Dim3.cdiv;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.IntPointer;
import org.relgraph.engine.Backend;
import org.relgraph.engine.BatchNorm;
import org.relgraph.engine.BlockSparseLayout;
import org.relgraph.engine.LossAccumulator;
import org.relgraph.engine.SgdSettings;
import org.relgraph.engine.Tensor;
import org.relgraph.engine.cuda.CudaDevice.Dim3;

/**
 * The CUDA backend: tensors resident in device memory, every operation a kernel of relgraph's
 * fatbin (cuda-kernels, relgraph_cuda.h) or the device's gemm (cuBLAS SGEMM on a GPU) for the dense
 * and masked products, all issued in order on one stream.
 *
 * <p>Nothing crosses to the host inside a training step: a layout's index arrays are uploaded once
 * per layout and cached (freed when the layout is garbage-collected or the backend closes), the
 * labels of a batch go up with the batch, and loss and correct count add into a {@link
 * LossAccumulator} on the device. Values come back only through {@link Tensor#toArray()}, {@link
 * Tensor#get} and {@link LossAccumulator#read()}, each of which waits for the stream.
 *
 * <p>It runs on any {@link CudaDevice}: {@link DriverDevice} on a GPU, {@link EmulatedDevice} on
 * the CPU for tests. Closing the backend closes its device.
 */
public final class CudaBackend extends Backend {
  private static final Dim3 THREADS = Dim3.of(256);
  private static final int MAX_GRID_YZ = 65535;

  private final CudaDevice device;
  private final Map<BlockSparseLayout, DeviceLayout> layouts = new IdentityHashMap<>();
  private final List<LayoutRef> layoutRefs = new ArrayList<>();
  private final ReferenceQueue<BlockSparseLayout> collected = new ReferenceQueue<>();
  private final List<DeviceLossAccumulator> accumulators = new ArrayList<>();
  private final Scratch labels = new Scratch(4);
  private final Scratch sampleLoss = new Scratch(8);
  private final Scratch sampleCorrect = new Scratch(4);

  /** A backend on {@code device}, which it owns from now on. */
  public CudaBackend(CudaDevice device) {
    if (device == null) {
      throw new IllegalArgumentException("device missing");
    }
    this.device = device;
  }

  /** The device this backend runs on. */
  public CudaDevice device() {
    return device;
  }

  @Override
  public String name() {
    return "cuda";
  }

  /** Layouts whose index arrays are on the device now (for tests). */
  public int cachedLayouts() {
    purgeCollected();
    return layouts.size();
  }

  @Override
  protected Tensor allocate(int[] shape) {
    return new CudaTensor(this, shape);
  }

  @Override
  protected LossAccumulator createLossAccumulator() {
    DeviceLossAccumulator a = new DeviceLossAccumulator(this);
    accumulators.add(a);
    return a;
  }

  @Override
  protected void doSynchronize() {
    device.synchronize();
  }

  @Override
  protected void release() {
    try {
      device.synchronize();
    } finally {
      for (DeviceLayout l : layouts.values()) {
        l.free();
      }
      layouts.clear();
      layoutRefs.clear();
      for (DeviceLossAccumulator a : accumulators) {
        a.free();
      }
      accumulators.clear();
      labels.free();
      sampleLoss.free();
      sampleCorrect.free();
      device.close();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Layouts on the device

  /** Remembers which layout a cache entry belongs to, without keeping the layout alive. */
  private static final class LayoutRef extends WeakReference<BlockSparseLayout> {
    final DeviceLayout onDevice;

    LayoutRef(BlockSparseLayout l, DeviceLayout onDevice, ReferenceQueue<BlockSparseLayout> q) {
      super(l, q);
      this.onDevice = onDevice;
    }
  }

  private DeviceLayout onDevice(BlockSparseLayout l) {
    purgeCollected();
    DeviceLayout d = layouts.get(l);
    if (d == null) {
      d = new DeviceLayout(device, l);
      layouts.put(l, d);
      layoutRefs.add(new LayoutRef(l, d, collected));
    }
    return d;
  }

  /** Frees the device copies of layouts the garbage collector has taken. */
  private void purgeCollected() {
    boolean waited = false;
    for (java.lang.ref.Reference<?> r; (r = collected.poll()) != null; ) {
      if (!waited) {
        device.synchronize(); // launches issued before may still read the copy
        waited = true;
      }
      LayoutRef ref = (LayoutRef) r;
      layoutRefs.remove(ref);
      layouts.values().remove(ref.onDevice);
      ref.onDevice.free();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The products

  private static long ptr(Tensor t) {
    return CudaTensor.of(t);
  }

  @Override
  protected void doForward(BlockSparseLayout l, Tensor w, Tensor x, Tensor y) {
    DeviceLayout d = onDevice(l);
    int batch = x.cols();
    device.launch(
        "rg_bs_forward",
        new Dim3(cdiv(batch, 64), d.nOut, cdiv(d.maxOut, 32)),
        THREADS,
        0,
        new KernelArgs()
            .i32(d.nOut)
            .i32(batch)
            .ptr(d.outOff)
            .ptr(d.inOff)
            .ptr(d.rowPtr)
            .ptr(d.colIdx)
            .ptr(d.blockCol)
            .ptr(d.rowBase)
            .ptr(d.rowK)
            .ptr(ptr(w))
            .ptr(ptr(x))
            .ptr(ptr(y)));
  }

  @Override
  protected void doBackwardData(BlockSparseLayout l, Tensor w, Tensor dy, Tensor dx) {
    DeviceLayout d = onDevice(l);
    int batch = dy.cols();
    device.launch(
        "rg_bs_backward_data",
        new Dim3(cdiv(batch, 64), d.nIn, cdiv(d.maxIn, 32)),
        THREADS,
        4 * (d.maxColBlocks + 1),
        new KernelArgs()
            .i32(d.nIn)
            .i32(batch)
            .ptr(d.outOff)
            .ptr(d.inOff)
            .ptr(d.tPtr)
            .ptr(d.tBlock)
            .ptr(d.blockRow)
            .ptr(d.blockCol)
            .ptr(d.rowBase)
            .ptr(d.rowK)
            .ptr(ptr(w))
            .ptr(ptr(dy))
            .ptr(ptr(dx)));
  }

  @Override
  protected void doBackwardWeight(BlockSparseLayout l, Tensor dy, Tensor x, Tensor dw) {
    DeviceLayout d = onDevice(l);
    device.launch(
        "rg_bs_backward_weight",
        new Dim3(d.nnz, cdiv(d.maxOut, 32), cdiv(d.maxIn, 32)),
        THREADS,
        0,
        new KernelArgs()
            .i32(d.nnz)
            .i32(x.cols())
            .ptr(d.outOff)
            .ptr(d.inOff)
            .ptr(d.colIdx)
            .ptr(d.blockRow)
            .ptr(d.blockCol)
            .ptr(d.rowBase)
            .ptr(d.rowK)
            .ptr(ptr(dy))
            .ptr(ptr(x))
            .ptr(ptr(dw)));
  }

  /**
   * Row-major {@code C (m × n) = op(A)·op(B)} through the device's column-major gemm: a row-major
   * matrix is its transpose in column-major order, so this computes {@code Cᵀ = op(B)ᵀ·op(A)ᵀ}.
   */
  private void gemm(
      boolean transA,
      boolean transB,
      int m,
      int n,
      int k,
      Tensor a,
      int lda,
      Tensor b,
      int ldb,
      Tensor c) {
    device.sgemm(transB, transA, n, m, k, 1f, ptr(b), ldb, ptr(a), lda, 0f, ptr(c), n);
  }

  @Override
  protected void doDenseForward(Tensor w, Tensor x, Tensor y) {
    gemm(false, false, w.rows(), x.cols(), w.cols(), w, w.cols(), x, x.cols(), y);
  }

  @Override
  protected void doDenseBackwardData(Tensor w, Tensor dy, Tensor dx) {
    gemm(true, false, w.cols(), dy.cols(), w.rows(), w, w.cols(), dy, dy.cols(), dx);
  }

  @Override
  protected void doDenseBackwardWeight(Tensor dy, Tensor x, Tensor dw) {
    gemm(false, true, dw.rows(), dw.cols(), x.cols(), dy, dy.cols(), x, x.cols(), dw);
  }

  @Override
  protected void doMultiply(Tensor a, Tensor b, Tensor out) {
    long n = a.size();
    device.launch(
        "rg_multiply",
        Dim3.of(cdiv(n, 256)),
        THREADS,
        0,
        new KernelArgs().i64(n).ptr(ptr(a)).ptr(ptr(b)).ptr(ptr(out)));
  }

  // ---------------------------------------------------------------------------------------------
  // Training operations

  @Override
  protected void doBatchNormReluForward(
      BatchNorm bn, Tensor x, Tensor y, boolean training, int batch) {
    device.launch(
        "rg_bn_relu_forward",
        Dim3.of(bn.channels()),
        THREADS,
        0,
        new KernelArgs()
            .i32(bn.channels())
            .i32(batch)
            .ptr(ptr(x))
            .ptr(ptr(bn.gamma()))
            .ptr(ptr(bn.beta()))
            .ptr(ptr(y))
            .ptr(ptr(bn.savedMean()))
            .ptr(ptr(bn.savedInvStd()))
            .ptr(ptr(bn.runningMean()))
            .ptr(ptr(bn.runningVar()))
            .f32(bn.momentum())
            .f32(bn.eps())
            .i32(training ? 1 : 0));
  }

  @Override
  protected void doBatchNormReluBackward(
      BatchNorm bn, Tensor x, Tensor y, Tensor dy, Tensor dx, int batch) {
    device.launch(
        "rg_bn_relu_backward",
        Dim3.of(bn.channels()),
        THREADS,
        0,
        new KernelArgs()
            .i32(bn.channels())
            .i32(batch)
            .ptr(ptr(x))
            .ptr(ptr(y))
            .ptr(ptr(dy))
            .ptr(ptr(bn.gamma()))
            .ptr(ptr(bn.savedMean()))
            .ptr(ptr(bn.savedInvStd()))
            .ptr(ptr(dx))
            .ptr(ptr(bn.gammaGrad()))
            .ptr(ptr(bn.betaGrad())));
  }

  @Override
  protected void doSoftmaxCrossEntropy(
      Tensor logits, int[] labelValues, Tensor dLogits, LossAccumulator totals) {
    int classes = logits.rows();
    int batch = logits.cols();
    long labelsOnDevice = labels.atLeast(batch);
    try (IntPointer host = new IntPointer(labelValues)) {
      device.copyToDevice(labelsOnDevice, host, 4L * batch);
    }
    long loss = sampleLoss.atLeast(batch);
    long correct = sampleCorrect.atLeast(batch);
    device.launch(
        "rg_softmax_xent",
        Dim3.of(cdiv(batch, 256)),
        THREADS,
        0,
        new KernelArgs()
            .i32(classes)
            .i32(batch)
            .ptr(ptr(logits))
            .ptr(labelsOnDevice)
            .ptr(ptr(dLogits))
            .ptr(loss)
            .ptr(correct));
    device.launch(
        "rg_xent_accumulate",
        Dim3.of(1),
        THREADS,
        0,
        new KernelArgs()
            .i32(batch)
            .ptr(loss)
            .ptr(correct)
            .ptr(((DeviceLossAccumulator) totals).address()));
  }

  @Override
  protected void doAddBias(Tensor y, Tensor bias) {
    int batch = y.cols();
    // grid.y holds the channels: launch in slices of at most 65535 of them
    for (int c0 = 0; c0 < y.rows(); c0 += MAX_GRID_YZ) {
      int channels = Math.min(MAX_GRID_YZ, y.rows() - c0);
      device.launch(
          "rg_add_bias",
          new Dim3(cdiv(batch, 256), channels, 1),
          THREADS,
          0,
          new KernelArgs()
              .i32(channels)
              .i32(batch)
              .ptr(ptr(y) + 4L * c0 * batch)
              .ptr(ptr(bias) + 4L * c0));
    }
  }

  @Override
  protected void doBiasGradient(Tensor dy, Tensor db) {
    device.launch(
        "rg_bias_gradient",
        Dim3.of(dy.rows()),
        THREADS,
        0,
        new KernelArgs().i32(dy.rows()).i32(dy.cols()).ptr(ptr(dy)).ptr(ptr(db)));
  }

  @Override
  protected void doSgdStep(Tensor w, Tensor grad, Tensor velocity, SgdSettings s, float lr) {
    long n = w.size();
    device.launch(
        "rg_sgd_step",
        Dim3.of(cdiv(n, 256)),
        THREADS,
        0,
        new KernelArgs()
            .i64(n)
            .ptr(ptr(w))
            .ptr(ptr(grad))
            .ptr(ptr(velocity))
            .f32(lr)
            .f32(s.momentum())
            .f32(s.weightDecay())
            .i32(s.nesterov() ? 1 : 0));
  }

  /** A device buffer that grows to the largest size asked for; reused in stream order. */
  private final class Scratch {
    private final int elementBytes;
    private long address;
    private long capacity;

    Scratch(int elementBytes) {
      this.elementBytes = elementBytes;
    }

    long atLeast(long elements) {
      if (elements > capacity) {
        // the stream may still read the old buffer: let it finish before freeing it
        if (address != 0) {
          device.synchronize();
          device.free(address);
          address = 0;
        }
        long grown = Math.max(elements, capacity * 2);
        address = device.malloc(grown * elementBytes);
        capacity = grown;
      }
      return address;
    }

    void free() {
      device.free(address);
      address = 0;
      capacity = 0;
    }
  }

  @Override
  public String toString() {
    return "CudaBackend(" + device.description() + ")";
  }
}
