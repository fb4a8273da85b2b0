package org.relgraph.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.relgraph.engine.BatchNorm;
import org.relgraph.engine.BlockSparseLayout;
import org.relgraph.engine.LossAccumulator;
import org.relgraph.engine.SgdSettings;
import org.relgraph.engine.Tensor;
import org.relgraph.engine.TensorScope;
import org.relgraph.graph.WsFlex;
import org.relgraph.model.ChannelPartition;

/**
 * What is particular to the CUDA backend, on the emulated device: layouts go to the device once, a
 * training step never reads the device, the argument slots the kernels receive, and memory is freed
 * with the tensors and the backend.
 */
class CudaBackendTest {
  /** Counts what crosses to the host and every wait, around an emulated device. */
  static final class CountingDevice implements CudaDevice {
    final EmulatedDevice inner = new EmulatedDevice();
    int toHost;
    int toDevice;
    int waits;
    int launches;

    @Override
    public String description() {
      return "counting " + inner.description();
    }

    @Override
    public long malloc(long bytes) {
      return inner.malloc(bytes);
    }

    @Override
    public void free(long address) {
      inner.free(address);
    }

    @Override
    public void copyToDevice(long dst, Pointer src, long bytes) {
      toDevice++;
      inner.copyToDevice(dst, src, bytes);
    }

    @Override
    public void copyToHost(Pointer dst, long src, long bytes) {
      toHost++;
      inner.copyToHost(dst, src, bytes);
    }

    @Override
    public void copyOnDevice(long dst, long src, long bytes) {
      inner.copyOnDevice(dst, src, bytes);
    }

    @Override
    public void memset(long dst, int value, long bytes) {
      inner.memset(dst, value, bytes);
    }

    @Override
    public void launch(String kernel, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args) {
      launches++;
      inner.launch(kernel, grid, block, sharedBytes, args);
    }

    @Override
    public void synchronize() {
      waits++;
      inner.synchronize();
    }

    @Override
    public Event record() {
      return inner.record();
    }

    @Override
    public void sgemm(
        boolean transA,
        boolean transB,
        int m,
        int n,
        int k,
        float alpha,
        long a,
        int lda,
        long b,
        int ldb,
        float beta,
        long c,
        int ldc) {
      inner.sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    @Override
    public void bsrmm(
        int mb,
        int kb,
        int n,
        int nnzb,
        int blockDim,
        long values,
        long rowPtr,
        long colInd,
        long b,
        int ldb,
        long c,
        int ldc) {
      inner.bsrmm(mb, kb, n, nnzb, blockDim, values, rowPtr, colInd, b, ldb, c, ldc);
    }

    @Override
    public MathMode mathMode() {
      return inner.mathMode();
    }

    @Override
    public void setMathMode(MathMode mode) {
      inner.setMathMode(mode);
    }

    @Override
    public void close() {
      inner.close();
    }
  }

  private static float[] random(SplittableRandom r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return a;
  }

  private static BlockSparseLayout layout() {
    return BlockSparseLayout.of(
        WsFlex.generate(8, 3, 0.4, 2),
        ChannelPartition.of(37, 8, 1),
        ChannelPartition.of(29, 8, 2));
  }

  @Test
  void aTrainingStepNeverWaitsForTheDeviceAndTheLossIsOneRead() {
    CountingDevice device = new CountingDevice();
    SplittableRandom r = new SplittableRandom(3);
    int batch = 9;
    int classes = 37;
    int[] labels = new int[batch];
    Arrays.setAll(labels, i -> r.nextInt(classes));
    try (CudaBackend b = new CudaBackend(device);
        BlockSparseLayout l = layout();
        TensorScope s = b.newScope();
        BatchNorm bn = new BatchNorm(b, 37)) {
      Tensor w = s.of(1, (int) l.weightCount(), random(r, (int) l.weightCount()));
      Tensor grad = s.zeros(1, (int) l.weightCount());
      Tensor velocity = s.zeros(1, (int) l.weightCount());
      Tensor x = s.of(29, batch, random(r, 29 * batch));
      Tensor y = s.zeros(37, batch);
      Tensor a = s.zeros(37, batch);
      Tensor da = s.zeros(37, batch);
      Tensor dy = s.zeros(37, batch);
      Tensor dx = s.zeros(29, batch);
      LossAccumulator loss = b.newLossAccumulator();
      SgdSettings sgd = new SgdSettings(0.9f, 5e-4f, true);
      int before = device.toHost;
      int waits = device.waits;
      for (int step = 0; step < 3; step++) {
        b.forward(l, w, x, y);
        b.batchNormReluForward(bn, y, a, true);
        b.softmaxCrossEntropy(a, labels, da, loss);
        b.batchNormReluBackward(bn, y, a, da, dy);
        b.backwardData(l, w, dy, dx);
        b.backwardWeight(l, dy, x, grad);
        b.sgdStep(w, grad, velocity, sgd, 0.1f);
      }
      assertEquals(before, device.toHost, "a training step copied values to the host");
      assertEquals(waits, device.waits, "a training step waited for the device");
      assertEquals(1, b.cachedLayouts(), "one layout, uploaded once");
      LossAccumulator.Totals t = loss.read();
      assertEquals(before + 1, device.toHost, "reading the loss is one copy");
      assertEquals(3, t.batches());
      assertEquals(3L * batch, t.samples());
      assertTrue(t.meanBatchLoss() > 0 && Double.isFinite(t.meanBatchLoss()), t.toString());
    }
  }

  @Test
  void layoutsAreUploadedOncePerLayoutAndFreedWithTheBackend() {
    CountingDevice device = new CountingDevice();
    SplittableRandom r = new SplittableRandom(4);
    CudaBackend b = new CudaBackend(device);
    try (BlockSparseLayout l = layout();
        BlockSparseLayout other = layout()) {
      Tensor w = b.of(1, (int) l.weightCount(), random(r, (int) l.weightCount()));
      Tensor x = b.of(29, 5, random(r, 29 * 5));
      Tensor y = b.zeros(37, 5);
      b.forward(l, w, x, y);
      int uploads = device.toDevice;
      b.forward(l, w, x, y);
      b.backwardData(l, w, y, x);
      b.backwardWeight(l, y, x, w);
      assertEquals(uploads, device.toDevice, "the layout went up again");
      assertEquals(1, b.cachedLayouts());
      b.forward(other, w, x, y);
      assertEquals(2, b.cachedLayouts(), "another layout object has its own copy");
    }
    assertTrue(device.inner.liveAllocations() > 0);
    b.close();
    assertEquals(0, device.inner.liveAllocations(), "device memory left after close");
  }

  @Test
  void closingATensorFreesItsDeviceMemory() {
    EmulatedDevice device = new EmulatedDevice();
    try (CudaBackend b = new CudaBackend(device)) {
      int before = device.liveAllocations();
      Tensor t = b.zeros(3, 4);
      assertEquals(before + 1, device.liveAllocations());
      t.close();
      t.close();
      assertEquals(before, device.liveAllocations());
    }
  }

  @Test
  void kernelArgumentsAreOneSlotEachWithIntsAndFloatsInTheLowHalf() {
    KernelArgs a = new KernelArgs().ptr(0x7f00_1234_5678L).i32(-1).f32(1.5f).i64(-2L);
    assertEquals(4, a.count());
    assertEquals(0x7f00_1234_5678L, a.slots()[0]);
    assertEquals(0xffff_ffffL, a.slots()[1], "an int fills only the low 32 bits");
    assertEquals(Float.floatToRawIntBits(1.5f), (int) a.slots()[2]);
    assertEquals(0, a.slots()[2] >>> 32);
    assertEquals(-2L, a.slots()[3]);
    assertEquals("(0x7f0012345678, -1, 1.5f, -2L)", a.toString());
    KernelArgs many = new KernelArgs();
    for (int i = 0; i < 40; i++) {
      many.i32(i);
    }
    assertEquals(39, many.slots()[39]);
  }

  @Test
  void aFailedLaunchNamesTheKernelAndItsArguments() {
    try (EmulatedDevice d = new EmulatedDevice()) {
      Exception e =
          assertThrows(
              RuntimeException.class,
              () ->
                  d.launch(
                      "rg_no_such_kernel",
                      CudaDevice.Dim3.of(1),
                      CudaDevice.Dim3.of(1),
                      0,
                      new KernelArgs().i32(3)));
      assertTrue(e.getMessage().contains("rg_no_such_kernel(3)"), e.getMessage());
    }
  }

  @Test
  void theMathModeIsFp32UnlessTf32IsChosen() {
    try (EmulatedDevice d = new EmulatedDevice()) {
      assertEquals(CudaDevice.MathMode.FP32, d.mathMode());
      d.setMathMode(CudaDevice.MathMode.TF32);
      assertEquals(CudaDevice.MathMode.TF32, d.mathMode());
    }
    assertEquals(CudaDevice.MathMode.FP32, CudaBackendProvider.requestedMathMode());
    System.setProperty(CudaBackendProvider.MATH_PROPERTY, "tf32");
    try {
      assertEquals(CudaDevice.MathMode.TF32, CudaBackendProvider.requestedMathMode());
      System.setProperty(CudaBackendProvider.MATH_PROPERTY, "fp16");
      assertThrows(IllegalArgumentException.class, CudaBackendProvider::requestedMathMode);
    } finally {
      System.clearProperty(CudaBackendProvider.MATH_PROPERTY);
    }
  }

  @Test
  void theCauseOfAMissingLibraryNamesIt() {
    UnsatisfiedLinkError e =
        new UnsatisfiedLinkError(
            "/x/libjnicudart.so: libcudart.so.13: cannot open shared object file: No such file");
    String cause = CudaProbe.missingLibrary(new RuntimeException("no jnicudart", e));
    assertTrue(cause.startsWith("libcudart.so.13 not found"), cause);
    assertTrue(
        CudaProbe.missingLibrary(
                new UnsatisfiedLinkError("libcuda.so.1: cannot open shared object file"))
            .startsWith("libcuda.so.1 not found: no NVIDIA driver"));
    assertTrue(
        CudaProbe.missingLibrary(
                new UnsatisfiedLinkError("libcublas.so.13: cannot open shared object file"))
            .startsWith("libcublas.so.13 not found"));
    assertFalse(CudaProbe.missingLibrary(new UnsatisfiedLinkError("odd")).contains("\n"));
  }
}
