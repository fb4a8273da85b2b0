package org.relgraph.engine.cuda;

import java.util.HashSet;
import java.util.Set;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.relgraph.cuda.emu.EmuApi;
import org.relgraph.engine.NativeException;

/**
 * The device of the tests: "device" memory is host memory, and kernels run on the CPU in the
 * kernels' emulation of the CUDA execution model (cuda-kernels, {@link EmuApi}), the same sources
 * the fatbin is compiled from. Every launch runs to completion before it returns, so the stream is
 * always idle; gemm is the kernels' reference {@code rg_gemm_ref}, FP32 in either math mode, and
 * cuSPARSE's {@code bsrmm} a plain host reference.
 *
 * <p>It proves the Java side (argument marshalling, layouts on the device, every kernel's indexing)
 * without a GPU; it says nothing about speed.
 */
public final class EmulatedDevice implements CudaDevice {
  private final Set<Long> allocations = new HashSet<>();
  private MathMode mathMode = MathMode.FP32;
  private boolean closed;

  /** A new emulated device. */
  public EmulatedDevice() {}

  private void open() {
    if (closed) {
      throw new IllegalStateException("emulated CUDA device is closed");
    }
  }

  @Override
  public String description() {
    return "emulated CUDA device (CPU, " + EmuApi.emu_kernel_count() + " kernels)";
  }

  @Override
  public long malloc(long bytes) {
    open();
    long a = EmuApi.emu_malloc(Math.max(1, bytes));
    if (a == 0) {
      throw new NativeException("emu_malloc(" + bytes + " bytes) failed: " + lastError(), null);
    }
    allocations.add(a);
    return a;
  }

  @Override
  public void free(long address) {
    if (address != 0 && !closed && allocations.remove(address)) {
      EmuApi.emu_free(address);
    }
  }

  @Override
  public void copyToDevice(long dst, Pointer src, long bytes) {
    open();
    EmuApi.emu_memcpy(dst, src.address(), bytes);
  }

  @Override
  public void copyToHost(Pointer dst, long src, long bytes) {
    open();
    EmuApi.emu_memcpy(dst.address(), src, bytes);
  }

  @Override
  public void copyOnDevice(long dst, long src, long bytes) {
    open();
    EmuApi.emu_memcpy(dst, src, bytes);
  }

  @Override
  public void memset(long dst, int value, long bytes) {
    open();
    EmuApi.emu_memset(dst, value, bytes);
  }

  @Override
  public void launch(String kernel, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args) {
    open();
    long[] slots = args.slots();
    int status =
        EmuApi.emu_launch(
            kernel,
            grid.x(),
            grid.y(),
            grid.z(),
            block.x(),
            block.y(),
            block.z(),
            sharedBytes,
            slots.length == 0 ? new long[1] : slots,
            slots.length);
    if (status != 0) {
      throw new NativeException(
          "emulated launch of " + kernel + args + " failed: " + lastError(), null);
    }
  }

  private static String lastError() {
    String e = EmuApi.emu_last_error();
    return e == null || e.isEmpty() ? "no message" : e;
  }

  @Override
  public void synchronize() {
    open();
  }

  /** Launches finish before they return: an event is the host's clock. */
  @Override
  public Event record() {
    open();
    return new HostTime(System.nanoTime());
  }

  private record HostTime(long nanos) implements Event {
    @Override
    public float millisSince(Event start) {
      return (nanos - ((HostTime) start).nanos) / 1e6f;
    }

    @Override
    public void close() {}
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
    launch(
        "rg_gemm_ref",
        new Dim3(Dim3.cdiv(m, 16), Dim3.cdiv(n, 16), 1),
        new Dim3(16, 16, 1),
        0,
        new KernelArgs()
            .i32(transA ? 1 : 0)
            .i32(transB ? 1 : 0)
            .i32(m)
            .i32(n)
            .i32(k)
            .f32(alpha)
            .ptr(a)
            .i32(lda)
            .ptr(b)
            .i32(ldb)
            .f32(beta)
            .ptr(c)
            .i32(ldc));
  }

  /**
   * A plain host reference of cuSPARSE's {@code bsrmm} (float64 sums, FP32 results): the emulation
   * has no cuSPARSE. Checks the structure first, so that bad indices fail in one line.
   */
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
    open();
    if (mb < 1 || kb < 1 || n < 1 || nnzb < 0 || blockDim < 1 || ldb < n) {
      throw new IllegalArgumentException(
          String.format(
              "bsrmm: mb = %d, kb = %d, n = %d, nnzb = %d, blockDim = %d, ldb = %d",
              mb, kb, n, nnzb, blockDim, ldb));
    }
    if (ldc < (long) mb * blockDim) {
      throw new IllegalArgumentException(
          "bsrmm: ldc = " + ldc + " below the " + (long) mb * blockDim + " rows of C");
    }
    int[] ptr = ints(rowPtr, mb + 1);
    int[] col = ints(colInd, nnzb);
    if (ptr[0] != 0 || ptr[mb] != nnzb) {
      throw new IllegalArgumentException(
          "bsrmm: rowPtr runs from " + ptr[0] + " to " + ptr[mb] + ", not 0 to " + nnzb);
    }
    for (int i = 0; i < mb; i++) {
      if (ptr[i] > ptr[i + 1]) {
        throw new IllegalArgumentException("bsrmm: rowPtr decreases at block row " + i);
      }
    }
    for (int j = 0; j < nnzb; j++) {
      if (col[j] < 0 || col[j] >= kb) {
        throw new IllegalArgumentException(
            "bsrmm: colInd[" + j + "] = " + col[j] + " outside 0.." + (kb - 1));
      }
    }
    int bs = blockDim;
    float[] a = floats(values, (long) nnzb * bs * bs);
    float[] x = floats(b, ((long) kb * bs - 1) * ldb + n);
    float[] y = new float[Math.toIntExact((long) (n - 1) * ldc + (long) mb * bs)];
    // C is read nowhere, but rows past mb·blockDim in each column keep what the device held
    copyToHostArray(y, c);
    double[] sum = new double[bs];
    for (int i = 0; i < mb; i++) {
      for (int s = 0; s < n; s++) {
        java.util.Arrays.fill(sum, 0);
        for (int j = ptr[i]; j < ptr[i + 1]; j++) {
          long block = (long) j * bs * bs;
          long in = (long) col[j] * bs;
          for (int r = 0; r < bs; r++) {
            double t = 0;
            for (int q = 0; q < bs; q++) {
              t += (double) a[(int) (block + (long) r * bs + q)] * x[(int) (s + (in + q) * ldb)];
            }
            sum[r] += t;
          }
        }
        for (int r = 0; r < bs; r++) {
          y[(int) ((long) i * bs + r + (long) s * ldc)] = (float) sum[r];
        }
      }
    }
    try (FloatPointer host = new FloatPointer(y)) {
      EmuApi.emu_memcpy(c, host.address(), 4L * y.length);
    }
  }

  private static int[] ints(long address, int count) {
    int[] v = new int[count];
    if (count > 0) {
      try (IntPointer host = new IntPointer(count)) {
        EmuApi.emu_memcpy(host.address(), address, 4L * count);
        host.get(v);
      }
    }
    return v;
  }

  private static float[] floats(long address, long count) {
    float[] v = new float[Math.toIntExact(count)];
    copyToHostArray(v, address);
    return v;
  }

  private static void copyToHostArray(float[] v, long address) {
    if (v.length > 0) {
      try (FloatPointer host = new FloatPointer(v.length)) {
        EmuApi.emu_memcpy(host.address(), address, 4L * v.length);
        host.get(v);
      }
    }
  }

  @Override
  public MathMode mathMode() {
    return mathMode;
  }

  /** Recorded only: the reference gemm is FP32 either way. */
  @Override
  public void setMathMode(MathMode mode) {
    mathMode = mode;
  }

  /** Device allocations not yet freed (for tests). */
  public int liveAllocations() {
    return allocations.size();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    for (long a : allocations) {
      EmuApi.emu_free(a);
    }
    allocations.clear();
    closed = true;
  }

  @Override
  public String toString() {
    return "EmulatedDevice";
  }
}
