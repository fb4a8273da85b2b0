package org.relgraph.nativecpu;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Const;
import org.bytedeco.javacpp.annotation.Namespace;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP binding of relgraph's C++ kernels ({@code src/main/cpp/relgraph_kernels.h}). Raw and
 * unchecked beyond the C++ side's own checks: call it only through {@code org.relgraph.engine},
 * which validates every size and index first.
 */
@Platform(include = "relgraph_kernels.h", compiler = "cpp17")
@Namespace("relgraph")
public final class RelgraphKernels {
  static {
    Loader.load();
  }

  private RelgraphKernels() {}

  /** Best instruction set of this CPU: 0 portable, 1 AVX2 + FMA, 2 AVX-512. */
  public static native int best_isa();

  /** Processors OpenMP sees. */
  public static native int max_threads();

  /** Y = X·Wᵀ on existing blocks; activations feature-major (channels × batch, row stride ld). */
  public static native void bs_forward(
      int isa,
      int threads,
      int batch,
      long ld,
      int nOut,
      int nIn,
      int nnz,
      @Const IntPointer outOff,
      @Const IntPointer inOff,
      @Const IntPointer rowPtr,
      @Const IntPointer colIdx,
      @Const IntPointer blockCol,
      @Const @Cast("const long long*") LongPointer rowBase,
      @Const IntPointer rowK,
      @Const IntPointer tPtr,
      @Const IntPointer tBlock,
      @Const IntPointer blockRow,
      @Const FloatPointer w,
      @Const FloatPointer x,
      FloatPointer y);

  /** dX = dY·W on existing blocks. */
  public static native void bs_backward_data(
      int isa,
      int threads,
      int batch,
      long ld,
      int nOut,
      int nIn,
      int nnz,
      @Const IntPointer outOff,
      @Const IntPointer inOff,
      @Const IntPointer rowPtr,
      @Const IntPointer colIdx,
      @Const IntPointer blockCol,
      @Const @Cast("const long long*") LongPointer rowBase,
      @Const IntPointer rowK,
      @Const IntPointer tPtr,
      @Const IntPointer tBlock,
      @Const IntPointer blockRow,
      @Const FloatPointer w,
      @Const FloatPointer dy,
      FloatPointer dx);

  /** dW = dYᵀ·X on existing blocks only. */
  public static native void bs_backward_weight(
      int isa,
      int threads,
      int batch,
      long ld,
      int nOut,
      int nIn,
      int nnz,
      @Const IntPointer outOff,
      @Const IntPointer inOff,
      @Const IntPointer rowPtr,
      @Const IntPointer colIdx,
      @Const IntPointer blockCol,
      @Const @Cast("const long long*") LongPointer rowBase,
      @Const IntPointer rowK,
      @Const IntPointer tPtr,
      @Const IntPointer tBlock,
      @Const IntPointer blockRow,
      @Const FloatPointer dy,
      @Const FloatPointer x,
      FloatPointer dw);

  /** out = a ⊙ b elementwise, n floats. */
  public static native void multiply(
      long n, @Const FloatPointer a, @Const FloatPointer b, FloatPointer out, int threads);

  /** {@code openblas_get_corename()} of the OpenBLAS library already loaded from {@code path}. */
  public static native @Cast("const char*") BytePointer blas_corename(String path);

  /** {@code openblas_get_config()} of the OpenBLAS library already loaded from {@code path}. */
  public static native @Cast("const char*") BytePointer blas_config(String path);

  /**
   * Sets ({@code value} non-null) or removes an environment variable of this process; for
   * OpenBLAS's core-type variables, which it reads when it loads.
   */
  public static native int set_env(String name, String value);

  /** Register-only FMA peak of {@code threads} threads in GFLOP/s (0 without AVX2). */
  public static native double fma_peak_gflops(int threads, double seconds);
}
