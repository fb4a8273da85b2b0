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

  /**
   * Batch normalisation fused with ReLU over feature-major activations ({@code channels × batch});
   * training mode uses and saves batch statistics and updates the running ones, evaluation mode
   * uses the running ones.
   */
  public static native void bn_relu_forward(
      int threads,
      int channels,
      int batch,
      @Const FloatPointer x,
      @Const FloatPointer gamma,
      @Const FloatPointer beta,
      FloatPointer y,
      FloatPointer mean,
      FloatPointer invStd,
      FloatPointer runMean,
      FloatPointer runVar,
      float momentum,
      float eps,
      int training);

  /** Backward of {@link #bn_relu_forward} in training mode. */
  public static native void bn_relu_backward(
      int threads,
      int channels,
      int batch,
      @Const FloatPointer x,
      @Const FloatPointer y,
      @Const FloatPointer dy,
      @Const FloatPointer gamma,
      @Const FloatPointer mean,
      @Const FloatPointer invStd,
      FloatPointer dx,
      FloatPointer dgamma,
      FloatPointer dbeta);

  /** Mean softmax cross-entropy; writes dLogits and the count of correct predictions. */
  public static native double softmax_xent(
      int classes,
      int batch,
      @Const FloatPointer logits,
      @Const IntPointer labels,
      FloatPointer dLogits,
      IntPointer correct);

  /** {@code y[c][b] += bias[c]}. */
  public static native void add_bias(
      int threads, int channels, int batch, FloatPointer y, @Const FloatPointer bias);

  /** {@code db[c] = Σ_b dy[c][b]}. */
  public static native void bias_gradient(
      int threads, int channels, int batch, @Const FloatPointer dy, FloatPointer db);

  /** One SGD step with momentum, weight decay and optionally Nesterov (PyTorch's semantics). */
  public static native void sgd_step(
      int threads,
      long n,
      FloatPointer w,
      @Const FloatPointer g,
      FloatPointer buf,
      float lr,
      float momentum,
      float weightDecay,
      int nesterov);

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
