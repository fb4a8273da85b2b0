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
 * JavaCPP binding of relgraph's C++ kernels ({@code src/main/cpp/relgraph_kernels.h}). Call it only
 * through {@code org.relgraph.engine}, which validates every size and index first.
 *
 * <p>The C++ side checks again: every buffer ({@link Span}) arrives with its Pointer's remaining
 * length, layouts are checked for consistency and every offset a kernel touches against its buffer.
 * A call those checks reject, and any other C++ exception, throws {@link KernelException}; an
 * exception inside a thread-pool task is carried to the calling thread once the pool's other tasks
 * are done. {@code isa} selects the compiled copy of the kernels: 0 portable, 1 AVX2 + FMA, 2
 * AVX-512 (at most {@link #best_isa()}); {@code threads} is 1 to 1024.
 */
@Platform(include = "relgraph_kernels.h", compiler = "cpp17")
@Namespace("relgraph")
public final class RelgraphKernels {
  static {
    Loader.load();
  }

  private RelgraphKernels() {}

  /** Best instruction set of this CPU: 0 portable, 1 AVX2 + FMA, 2 AVX-512. */
  public static native int best_isa() throws KernelException;

  /** Y = X·Wᵀ on existing blocks; activations feature-major (channels × batch, row stride ld). */
  public static native void bs_forward(
      int isa,
      int threads,
      int batch,
      long ld,
      int nOut,
      int nIn,
      int nnz,
      @Span @Const IntPointer outOff,
      @Span @Const IntPointer inOff,
      @Span @Const IntPointer rowPtr,
      @Span @Const IntPointer colIdx,
      @Span @Const IntPointer blockCol,
      @Span @Const LongPointer rowBase,
      @Span @Const IntPointer rowK,
      @Span @Const IntPointer tPtr,
      @Span @Const IntPointer tBlock,
      @Span @Const IntPointer blockRow,
      @Span @Const FloatPointer w,
      @Span @Const FloatPointer x,
      @Span FloatPointer y)
      throws KernelException;

  /** dX = dY·W on existing blocks. */
  public static native void bs_backward_data(
      int isa,
      int threads,
      int batch,
      long ld,
      int nOut,
      int nIn,
      int nnz,
      @Span @Const IntPointer outOff,
      @Span @Const IntPointer inOff,
      @Span @Const IntPointer rowPtr,
      @Span @Const IntPointer colIdx,
      @Span @Const IntPointer blockCol,
      @Span @Const LongPointer rowBase,
      @Span @Const IntPointer rowK,
      @Span @Const IntPointer tPtr,
      @Span @Const IntPointer tBlock,
      @Span @Const IntPointer blockRow,
      @Span @Const FloatPointer w,
      @Span @Const FloatPointer dy,
      @Span FloatPointer dx)
      throws KernelException;

  /** dW = dYᵀ·X on existing blocks only. */
  public static native void bs_backward_weight(
      int isa,
      int threads,
      int batch,
      long ld,
      int nOut,
      int nIn,
      int nnz,
      @Span @Const IntPointer outOff,
      @Span @Const IntPointer inOff,
      @Span @Const IntPointer rowPtr,
      @Span @Const IntPointer colIdx,
      @Span @Const IntPointer blockCol,
      @Span @Const LongPointer rowBase,
      @Span @Const IntPointer rowK,
      @Span @Const IntPointer tPtr,
      @Span @Const IntPointer tBlock,
      @Span @Const IntPointer blockRow,
      @Span @Const FloatPointer dy,
      @Span @Const FloatPointer x,
      @Span FloatPointer dw)
      throws KernelException;

  /**
   * Y = the block-sparse product over im2col(X) of a {@code kernel × kernel} convolution, the
   * im2col matrix never formed: the layout is the product's (input channels {@code
   * channels·kernel²}, batch and row stride {@code images·ho·wo}), X the image ({@code channels ×
   * images × h × w}).
   */
  public static native void bs_conv_forward(
      int isa,
      int threads,
      int batch,
      long ld,
      int nOut,
      int nIn,
      int nnz,
      @Span @Const IntPointer outOff,
      @Span @Const IntPointer inOff,
      @Span @Const IntPointer rowPtr,
      @Span @Const IntPointer colIdx,
      @Span @Const IntPointer blockCol,
      @Span @Const LongPointer rowBase,
      @Span @Const IntPointer rowK,
      @Span @Const IntPointer tPtr,
      @Span @Const IntPointer tBlock,
      @Span @Const IntPointer blockRow,
      int channels,
      int images,
      int h,
      int w,
      int kernel,
      int stride,
      @Span @Const FloatPointer wt,
      @Span @Const FloatPointer x,
      @Span FloatPointer y)
      throws KernelException;

  /** dX (the image, overwritten) = col2im of dY·W on existing blocks, without the im2col matrix. */
  public static native void bs_conv_backward_data(
      int isa,
      int threads,
      int batch,
      long ld,
      int nOut,
      int nIn,
      int nnz,
      @Span @Const IntPointer outOff,
      @Span @Const IntPointer inOff,
      @Span @Const IntPointer rowPtr,
      @Span @Const IntPointer colIdx,
      @Span @Const IntPointer blockCol,
      @Span @Const LongPointer rowBase,
      @Span @Const IntPointer rowK,
      @Span @Const IntPointer tPtr,
      @Span @Const IntPointer tBlock,
      @Span @Const IntPointer blockRow,
      int channels,
      int images,
      int h,
      int w,
      int kernel,
      int stride,
      @Span @Const FloatPointer wt,
      @Span @Const FloatPointer dy,
      @Span FloatPointer dx)
      throws KernelException;

  /** dW = dYᵀ·im2col(X) on existing blocks, without the im2col matrix. */
  public static native void bs_conv_backward_weight(
      int isa,
      int threads,
      int batch,
      long ld,
      int nOut,
      int nIn,
      int nnz,
      @Span @Const IntPointer outOff,
      @Span @Const IntPointer inOff,
      @Span @Const IntPointer rowPtr,
      @Span @Const IntPointer colIdx,
      @Span @Const IntPointer blockCol,
      @Span @Const LongPointer rowBase,
      @Span @Const IntPointer rowK,
      @Span @Const IntPointer tPtr,
      @Span @Const IntPointer tBlock,
      @Span @Const IntPointer blockRow,
      int channels,
      int images,
      int h,
      int w,
      int kernel,
      int stride,
      @Span @Const FloatPointer dy,
      @Span @Const FloatPointer x,
      @Span FloatPointer dw)
      throws KernelException;

  /** out = a ⊙ b elementwise, n floats ({@code out} may be {@code a} or {@code b}). */
  public static native void multiply(
      int isa,
      int threads,
      long n,
      @Span @Const FloatPointer a,
      @Span @Const FloatPointer b,
      @Span FloatPointer out)
      throws KernelException;

  /**
   * Batch normalisation fused with ReLU over feature-major activations ({@code channels × batch});
   * training mode uses and saves batch statistics and updates the running ones, evaluation mode
   * uses the running ones.
   */
  public static native void bn_relu_forward(
      int isa,
      int threads,
      int channels,
      int batch,
      @Span @Const FloatPointer x,
      @Span @Const FloatPointer gamma,
      @Span @Const FloatPointer beta,
      @Span FloatPointer y,
      @Span FloatPointer mean,
      @Span FloatPointer invStd,
      @Span FloatPointer runMean,
      @Span FloatPointer runVar,
      float momentum,
      float eps,
      int training)
      throws KernelException;

  /** Backward of {@link #bn_relu_forward} in training mode. */
  public static native void bn_relu_backward(
      int isa,
      int threads,
      int channels,
      int batch,
      @Span @Const FloatPointer x,
      @Span @Const FloatPointer y,
      @Span @Const FloatPointer dy,
      @Span @Const FloatPointer gamma,
      @Span @Const FloatPointer mean,
      @Span @Const FloatPointer invStd,
      @Span FloatPointer dx,
      @Span FloatPointer dgamma,
      @Span FloatPointer dbeta)
      throws KernelException;

  /** Batch normalisation without ReLU; otherwise as {@link #bn_relu_forward}. */
  public static native void bn_forward(
      int isa,
      int threads,
      int channels,
      int batch,
      @Span @Const FloatPointer x,
      @Span @Const FloatPointer gamma,
      @Span @Const FloatPointer beta,
      @Span FloatPointer y,
      @Span FloatPointer mean,
      @Span FloatPointer invStd,
      @Span FloatPointer runMean,
      @Span FloatPointer runVar,
      float momentum,
      float eps,
      int training)
      throws KernelException;

  /** Backward of {@link #bn_forward} in training mode. */
  public static native void bn_backward(
      int isa,
      int threads,
      int channels,
      int batch,
      @Span @Const FloatPointer x,
      @Span @Const FloatPointer dy,
      @Span @Const FloatPointer gamma,
      @Span @Const FloatPointer mean,
      @Span @Const FloatPointer invStd,
      @Span FloatPointer dx,
      @Span FloatPointer dgamma,
      @Span FloatPointer dbeta)
      throws KernelException;

  /**
   * im2col of a {@code kernel × kernel} convolution (kernel 1 or 3, padding kernel/2, stride 1 or
   * 2): x ({@code channels × batch × h × w}) to cols ({@code channels·kernel² × batch·ho·wo}), row
   * {@code c·kernel² + ky·kernel + kx}.
   */
  public static native void im2col(
      int isa,
      int threads,
      int channels,
      int batch,
      int h,
      int w,
      int kernel,
      int stride,
      @Span @Const FloatPointer x,
      @Span FloatPointer cols)
      throws KernelException;

  /** The adjoint of {@link #im2col}: dx (overwritten) from cols. */
  public static native void col2im(
      int isa,
      int threads,
      int channels,
      int batch,
      int h,
      int w,
      int kernel,
      int stride,
      @Span @Const FloatPointer cols,
      @Span FloatPointer dx)
      throws KernelException;

  /** Depthwise 3×3 convolution, padding 1: y from w ({@code channels × 9}) and x. */
  public static native void depthwise_forward(
      int isa,
      int threads,
      int channels,
      int batch,
      int h,
      int w,
      int stride,
      @Span @Const FloatPointer wt,
      @Span @Const FloatPointer x,
      @Span FloatPointer y)
      throws KernelException;

  /** dx (overwritten) of {@link #depthwise_forward}. */
  public static native void depthwise_backward_data(
      int isa,
      int threads,
      int channels,
      int batch,
      int h,
      int w,
      int stride,
      @Span @Const FloatPointer wt,
      @Span @Const FloatPointer dy,
      @Span FloatPointer dx)
      throws KernelException;

  /** dw ({@code channels × 9}) of {@link #depthwise_forward}. */
  public static native void depthwise_backward_weight(
      int isa,
      int threads,
      int channels,
      int batch,
      int h,
      int w,
      int stride,
      @Span @Const FloatPointer dy,
      @Span @Const FloatPointer x,
      @Span FloatPointer dw)
      throws KernelException;

  /** Max pooling, 3×3, stride 2, padding 1: y from x ({@code channels × batch × h × w}). */
  public static native void max_pool(
      int isa,
      int threads,
      int channels,
      int batch,
      int h,
      int w,
      @Span @Const FloatPointer x,
      @Span FloatPointer y)
      throws KernelException;

  /** dx (overwritten) of {@link #max_pool}, from its input x and output gradient dy. */
  public static native void max_pool_backward(
      int isa,
      int threads,
      int channels,
      int batch,
      int h,
      int w,
      @Span @Const FloatPointer x,
      @Span @Const FloatPointer dy,
      @Span FloatPointer dx)
      throws KernelException;

  /** {@code y = a + b}, n floats. */
  public static native void add(
      int isa,
      int threads,
      long n,
      @Span @Const FloatPointer a,
      @Span @Const FloatPointer b,
      @Span FloatPointer y)
      throws KernelException;

  /** {@code y = max(0, x)}, n floats. */
  public static native void relu(
      int isa, int threads, long n, @Span @Const FloatPointer x, @Span FloatPointer y)
      throws KernelException;

  /** {@code dx = dy} where {@code y > 0}, else 0. */
  public static native void relu_backward(
      int isa,
      int threads,
      long n,
      @Span @Const FloatPointer y,
      @Span @Const FloatPointer dy,
      @Span FloatPointer dx)
      throws KernelException;

  /** y ({@code channels × batch}) = the mean of each plane of x. */
  public static native void avg_pool(
      int isa,
      int threads,
      int channels,
      int batch,
      long plane,
      @Span @Const FloatPointer x,
      @Span FloatPointer y)
      throws KernelException;

  /** dx (overwritten) = dy / plane over each plane. */
  public static native void avg_pool_backward(
      int isa,
      int threads,
      int channels,
      int batch,
      long plane,
      @Span @Const FloatPointer dy,
      @Span FloatPointer dx)
      throws KernelException;

  /** Mean softmax cross-entropy; writes dLogits and the count of correct predictions. */
  public static native double softmax_xent(
      int isa,
      int classes,
      int batch,
      @Span @Const FloatPointer logits,
      @Span @Const IntPointer labels,
      @Span FloatPointer dLogits,
      @Span IntPointer correct)
      throws KernelException;

  /** {@code y[c][b] += bias[c]}. */
  public static native void add_bias(
      int isa,
      int threads,
      int channels,
      int batch,
      @Span FloatPointer y,
      @Span @Const FloatPointer bias)
      throws KernelException;

  /** {@code db[c] = Σ_b dy[c][b]}. */
  public static native void bias_gradient(
      int isa,
      int threads,
      int channels,
      int batch,
      @Span @Const FloatPointer dy,
      @Span FloatPointer db)
      throws KernelException;

  /** One SGD step with momentum, weight decay and optionally Nesterov (PyTorch's semantics). */
  public static native void sgd_step(
      int isa,
      int threads,
      long n,
      @Span FloatPointer w,
      @Span @Const FloatPointer g,
      @Span FloatPointer buf,
      float lr,
      float momentum,
      float weightDecay,
      int nesterov)
      throws KernelException;

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
  public static native double fma_peak_gflops(int threads, double seconds) throws KernelException;

  /**
   * Register-only FMA peak of {@code threads} threads in GFLOP/s with the vectors of {@code isa} (1
   * AVX2: 8 lanes, 2 AVX-512: 16 lanes; 0 portable gives 0), at most {@link #best_isa()}.
   */
  public static native double fma_peak_gflops_isa(int isa, int threads, double seconds)
      throws KernelException;

  /**
   * TEST HOOK, not API: runs {@code threads} pool tasks, one per worker (0 the caller, 1.. the
   * helpers); worker {@code thrower} throws "test hook: worker N threw" (-1: none). Returns the
   * tasks that finished without throwing; throws "the pool rethrew while ... still ran" if the pool
   * let the exception out early.
   */
  public static native int test_throw_in_pool(int threads, int thrower) throws KernelException;

  /**
   * TEST HOOK, not API: the instruction set whose copy of the kernels ran last on this thread, -1
   * before any.
   */
  public static native int test_last_isa();
}
