package org.relgraph.engine.cuda;

import org.bytedeco.javacpp.Pointer;

/**
 * The narrow interface {@link CudaBackend} runs on: device memory, copies, kernel launches by name,
 * one ordered stream, events, a single-precision gemm and cuSPARSE's BSR product (for comparison).
 * Device memory is addressed by plain {@code long} addresses; host memory by JavaCPP pointers at
 * position 0 (copies start at the pointer's address).
 *
 * <p>Operations are issued in order on one stream and may run asynchronously; {@link
 * #synchronize()} waits for them, and every copy to the host waits for the work before it.
 * Implementations: {@link DriverDevice} (a real GPU through the CUDA driver API and cuBLAS) and
 * {@link EmulatedDevice} (host memory and the kernels' CPU emulation, for tests). Not thread-safe.
 * Any failure surfaces as {@link org.relgraph.engine.NativeException} naming the call.
 */
public interface CudaDevice extends AutoCloseable {
  /** Math mode of {@link #sgemm}: plain FP32 (the default) or TF32 tensor cores. */
  enum MathMode {
    FP32,
    TF32
  }

  /** What the device is, one line (name, compute capability, driver), for reports. */
  String description();

  /** {@code bytes} of device memory (at least 1); never returns 0. */
  long malloc(long bytes);

  /** Frees memory from {@link #malloc}; 0 is ignored. */
  void free(long address);

  /** Copies {@code bytes} from host memory to the device, in stream order. */
  void copyToDevice(long dst, Pointer src, long bytes);

  /** Copies {@code bytes} from the device to host memory, after the work issued before it. */
  void copyToHost(Pointer dst, long src, long bytes);

  /** Copies {@code bytes} within the device, in stream order. */
  void copyOnDevice(long dst, long src, long bytes);

  /** Sets {@code bytes} bytes to {@code value} (its low 8 bits), in stream order. */
  void memset(long dst, int value, long bytes);

  /**
   * Launches the kernel named {@code kernel} (an extern "C" name of relgraph_cuda.h) on {@code
   * grid} blocks of {@code block} threads with {@code sharedBytes} of dynamic shared memory.
   */
  void launch(String kernel, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args);

  /** Waits until everything issued so far has finished. */
  void synchronize();

  /** A new event recorded now in the stream. */
  Event record();

  /**
   * Column-major single-precision gemm with cuBLAS's conventions: {@code C = alpha·op(A)·op(B) +
   * beta·C}, {@code op(A)} {@code m × k}, {@code op(B)} {@code k × n}, C {@code m × n}; with beta
   * 0, C is not read.
   */
  void sgemm(
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
      int ldc);

  /**
   * cuSPARSE's block-sparse times dense product in FP32 (the legacy {@code cusparseSbsrmm}, blocks
   * stored row-major, indices from 0): {@code C = A·Bᵀ}. A has {@code mb × kb} blocks of {@code
   * blockDim × blockDim}, {@code nnzb} of them, given by {@code rowPtr} ({@code mb + 1} ints),
   * {@code colInd} ({@code nnzb} ints) and {@code values} ({@code nnzb · blockDim²} floats, block
   * after block). B is {@code n × kb·blockDim}, column-major with leading dimension {@code ldb}; C
   * is {@code mb·blockDim × n}, column-major with {@code ldc}, and is not read. Feature-major
   * activations (channels × batch) are B as they lie, and C is then the output batch-major.
   */
  void bsrmm(
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
      int ldc);

  /** The math mode {@link #sgemm} runs in. */
  MathMode mathMode();

  /** Chooses the math mode of later {@link #sgemm} calls. */
  void setMathMode(MathMode mode);

  /** Frees everything the device holds; later calls do nothing. */
  @Override
  void close();

  /** Grid or block dimensions. */
  record Dim3(int x, int y, int z) {
    /** Validates: every dimension at least 1. */
    public Dim3 {
      if (x < 1 || y < 1 || z < 1) {
        throw new IllegalArgumentException("dimensions (" + x + ", " + y + ", " + z + ") below 1");
      }
    }

    /** {@code (x, 1, 1)}. */
    public static Dim3 of(int x) {
      return new Dim3(x, 1, 1);
    }

    /** {@code ceil(a / b)}. */
    public static int cdiv(long a, int b) {
      return Math.toIntExact((a + b - 1) / b);
    }
  }

  /** A point in the device's stream; {@link #millisSince} times the work between two events. */
  interface Event extends AutoCloseable {
    /** Milliseconds from {@code start} to this event; waits for this event. */
    float millisSince(Event start);

    @Override
    void close();
  }
}
