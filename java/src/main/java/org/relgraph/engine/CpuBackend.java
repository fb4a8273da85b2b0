package org.relgraph.engine;

import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.openblas.global.openblas;
import org.bytedeco.openblas.presets.openblas_nolapack;
import org.relgraph.nativecpu.KernelException;
import org.relgraph.nativecpu.RelgraphKernels;

/**
 * The native CPU backend: relgraph's C++ block-sparse kernels and training operations (compiled for
 * AVX-512, AVX2 and portable x86-64; every operation runs the copy of the backend's {@link Isa}),
 * multithreaded on the kernels' own fork-join pool, and a dense library's sgemm for the dense and
 * masked modes: OpenBLAS by default, or oneDNN ({@link BareSgemm.Library}), which the benchmarks
 * choose where it is the faster library of the machine.
 *
 * <p>Its tensors are host memory, off-heap and direct, handed to the kernels as JavaCPP pointers
 * without a copy; operations run synchronously on the calling thread and its pool.
 *
 * <p>{@link Backend}'s front checks every argument first; the C++ side checks every buffer's length
 * and every offset again, and any native failure, a rejected call or an exception in a pool task
 * alike, surfaces as {@link NativeException}.
 *
 * <p><b>OpenBLAS threads.</b> OpenBLAS has one thread count for the whole process. A backend sets
 * it to its own {@link #threads()} before a dense product only when the count last set differs, so
 * back-to-back products cost nothing extra (setting it on every call made OpenBLAS several times
 * slower at small sizes). Backends with the same thread count, such as a sweep's one-thread
 * workers, never change it after the first product. Backends with different counts that run dense
 * products at the same time on several threads may run some products with the other's count: the
 * results stay correct, only the speed changes.
 *
 * <p>If the native libraries cannot load, {@link #isAvailable()} is false and {@link
 * #unavailabilityCause()} says why; {@link #create} then throws, and the {@link JavaBackend} still
 * works.
 */
public final class CpuBackend extends Backend {
  /** Instruction sets the kernels are compiled for. */
  public enum Isa {
    PORTABLE,
    AVX2,
    AVX512
  }

  private static final Throwable LOAD_FAILURE;
  private static final Isa BEST;

  static {
    Throwable failure = null;
    Isa best = Isa.PORTABLE;
    try {
      best = Isa.values()[RelgraphKernels.best_isa()];
      configureOpenBlasEnvironment();
      Loader.load(openblas.class);
    } catch (Throwable t) {
      failure = t;
    }
    LOAD_FAILURE = failure;
    BEST = best;
  }

  /**
   * System property naming the OpenBLAS core type to load: {@code auto} lets OpenBLAS detect the
   * CPU even where the environment forces a type (OPENBLAS_CORETYPE), any other value forces that
   * type. Unset (the default, and in tests), the environment is left alone. Benchmarks set it so
   * the dense baselines run the fastest correct kernel for the CPU.
   */
  public static final String CORETYPE_PROPERTY = "relgraph.openblas.coretype";

  /**
   * Before OpenBLAS loads (it reads its environment once): apply {@link #CORETYPE_PROPERTY}, and
   * unless the user chose otherwise, let OpenBLAS's idle threads sleep almost at once instead of
   * spinning for about 2^28 cycles, which would take the cores the block-sparse kernels run on when
   * a model mixes dense and block-sparse products.
   */
  private static void configureOpenBlasEnvironment() {
    String core = System.getProperty(CORETYPE_PROPERTY);
    if (core != null && !core.isBlank()) {
      if (core.equals("auto")) {
        RelgraphKernels.set_env("OPENBLAS_CORETYPE", null);
        RelgraphKernels.set_env("OPENBLAS_L2_SIZE", null);
      } else {
        RelgraphKernels.set_env("OPENBLAS_CORETYPE", core);
      }
    }
    if (System.getenv("OPENBLAS_THREAD_TIMEOUT") == null) {
      RelgraphKernels.set_env("OPENBLAS_THREAD_TIMEOUT", "4");
    }
  }

  /** OpenBLAS's thread count as last set through {@link #useBlasThreads}; 0 before. */
  private static volatile int blasThreads;

  /** How many times {@link #useBlasThreads} has set it (for tests). */
  private static int blasThreadSettings;

  private static final Object BLAS_THREADS_LOCK = new Object();

  private final Isa isa;
  private final int threads;
  private final BareSgemm.Library dense;
  // whether dense convolutions run on oneDNN's convolution primitives (else im2col + sgemm)
  private final boolean convolutionPrimitives;

  private CpuBackend(Isa isa, int threads, BareSgemm.Library dense, boolean convolutionPrimitives) {
    this.isa = isa;
    this.threads = threads;
    this.dense = dense;
    this.convolutionPrimitives = convolutionPrimitives;
  }

  /** Whether the native kernels and OpenBLAS loaded. */
  public static boolean isAvailable() {
    return LOAD_FAILURE == null;
  }

  /** Why the native libraries did not load, or null when they did. */
  public static Throwable unavailabilityCause() {
    return LOAD_FAILURE;
  }

  /** The best instruction set of this CPU that the kernels support. */
  public static Isa bestIsa() {
    requireAvailable();
    return BEST;
  }

  /** The CPU backend on all processors with the best instruction set. */
  public static CpuBackend create() {
    return create(bestIsa(), Runtime.getRuntime().availableProcessors());
  }

  /**
   * A CPU backend with the given instruction set and thread count (for tests and benchmarks).
   *
   * @throws IllegalArgumentException for an instruction set this CPU lacks, or threads outside [1,
   *     1024]
   */
  public static CpuBackend create(Isa isa, int threads) {
    return create(isa, threads, BareSgemm.Library.OPENBLAS);
  }

  /**
   * A CPU backend whose dense products call {@code dense} (for benchmarks: the baseline is the
   * faster dense library of the machine).
   *
   * @throws IllegalArgumentException for an instruction set this CPU lacks, or threads outside [1,
   *     1024]
   *     <p>oneDNN's thread count is fixed when it loads: the first backend or loop that uses it
   *     loads it with its own thread count, and later ones with other counts run their dense
   *     products on that one ({@link #denseThreads()}).
   * @throws IllegalStateException when oneDNN is asked for and does not load
   */
  public static CpuBackend create(Isa isa, int threads, BareSgemm.Library dense) {
    return create(isa, threads, dense, false);
  }

  private static CpuBackend create(
      Isa isa, int threads, BareSgemm.Library dense, boolean convolutionPrimitives) {
    requireAvailable();
    if (isa.ordinal() > BEST.ordinal()) {
      throw new IllegalArgumentException("instruction set " + isa + " not supported by this CPU");
    }
    if (threads < 1 || threads > 1024) {
      throw new IllegalArgumentException("threads = " + threads + " outside [1, 1024]");
    }
    if (dense == BareSgemm.Library.DNNL) {
      BareSgemm.Dnnl.load(threads);
    }
    return new CpuBackend(isa, threads, dense, convolutionPrimitives);
  }

  /**
   * A CPU backend whose dense products call oneDNN and whose dense convolutions (a dense network's,
   * and every stem) run on oneDNN's own convolution primitives ({@link OneDnnConv}, forward,
   * backward-data and weight gradient, reordering the engine's images into the layouts they choose
   * and back on every call), not on im2col + sgemm: the dense convolution baseline of the
   * convolutional networks' epoch benchmark.
   *
   * @throws IllegalArgumentException as {@link #create(Isa, int, BareSgemm.Library)}
   * @throws IllegalStateException when oneDNN does not load
   */
  public static CpuBackend withConvolutionPrimitives(Isa isa, int threads) {
    return create(isa, threads, BareSgemm.Library.DNNL, true);
  }

  private static void requireAvailable() {
    if (LOAD_FAILURE != null) {
      throw new IllegalStateException(
          "native CPU backend unavailable: " + LOAD_FAILURE, LOAD_FAILURE);
    }
  }

  /** The instruction set this backend runs. */
  public Isa isa() {
    return isa;
  }

  /** Threads per call. */
  public int threads() {
    return threads;
  }

  /** The library of the dense products (and of the masked ones). */
  public BareSgemm.Library denseLibrary() {
    return dense;
  }

  /**
   * Threads of the dense products: {@link #threads()} with OpenBLAS, oneDNN's own count (fixed when
   * it loaded) with oneDNN.
   */
  public int denseThreads() {
    return dense == BareSgemm.Library.DNNL ? BareSgemm.Dnnl.threads(threads) : threads;
  }

  @Override
  public String name() {
    return "cpu";
  }

  @Override
  protected Tensor allocate(int[] shape) {
    return new HostTensor(this, shape);
  }

  /** OpenBLAS's version and the kernel (core) it runs, for benchmark reports. */
  public static String blasDescription() {
    requireAvailable();
    String path = null;
    for (Map.Entry<String, String> e : Loader.getLoadedLibraries().entrySet()) {
      String file = e.getValue() == null ? "" : e.getValue();
      if (file.matches(".*/libopenblas[^/]*\\.so[^/]*")) {
        path = file;
      }
    }
    String config = path == null ? "" : RelgraphKernels.blas_config(path).getString();
    String core = path == null ? "unknown" : RelgraphKernels.blas_corename(path).getString();
    return String.format(
        Locale.ROOT,
        "OpenBLAS %s core=%s",
        config.replaceAll("^OpenBLAS\\s+", "").split("\\s+")[0],
        core);
  }

  /** Peak FMA throughput of {@code threads} threads, GFLOP/s, from a register-only loop. */
  public static double fmaPeakGflops(int threads, double seconds) {
    requireAvailable();
    return call(() -> RelgraphKernels.fma_peak_gflops(threads, seconds));
  }

  /**
   * {@link #fmaPeakGflops(int, double)} with the vectors of {@code isa} (0 for {@link
   * Isa#PORTABLE}): the peak a backend forced to a narrower instruction set can reach.
   *
   * @throws IllegalArgumentException for an instruction set this CPU lacks
   */
  public static double fmaPeakGflops(Isa isa, int threads, double seconds) {
    requireAvailable();
    if (isa.ordinal() > BEST.ordinal()) {
      throw new IllegalArgumentException("instruction set " + isa + " not supported by this CPU");
    }
    return call(() -> RelgraphKernels.fma_peak_gflops_isa(isa.ordinal(), threads, seconds));
  }

  @Override
  protected void doForward(BlockSparseLayout l, Tensor w, Tensor x, Tensor y) {
    blockSparse(RelgraphKernels::bs_forward, l, x.cols(), w, x, y);
  }

  @Override
  protected void doBackwardData(BlockSparseLayout l, Tensor w, Tensor dy, Tensor dx) {
    blockSparse(RelgraphKernels::bs_backward_data, l, dy.cols(), w, dy, dx);
  }

  @Override
  protected void doBackwardWeight(BlockSparseLayout l, Tensor dy, Tensor x, Tensor dw) {
    blockSparse(RelgraphKernels::bs_backward_weight, l, x.cols(), dy, x, dw);
  }

  @Override
  public boolean convolvesWithoutIm2col() {
    return true;
  }

  @Override
  protected void doConvForward(
      BlockSparseLayout l, Tensor w, Tensor x, int kernel, int stride, Tensor y) {
    convolution(RelgraphKernels::bs_conv_forward, l, x, kernel, stride, w, x, y);
  }

  @Override
  protected void doConvBackwardData(
      BlockSparseLayout l, Tensor w, Tensor dy, int kernel, int stride, Tensor dx) {
    convolution(RelgraphKernels::bs_conv_backward_data, l, dx, kernel, stride, w, dy, dx);
  }

  @Override
  protected void doConvBackwardWeight(
      BlockSparseLayout l, Tensor dy, Tensor x, int kernel, int stride, Tensor dw) {
    convolution(RelgraphKernels::bs_conv_backward_weight, l, x, kernel, stride, dy, x, dw);
  }

  /**
   * The signature of the three convolution products: a block-sparse kernel's and the image's
   * geometry.
   */
  @FunctionalInterface
  interface ConvolutionKernel {
    void call(
        int isa,
        int threads,
        int batch,
        long ld,
        int nOut,
        int nIn,
        int nnz,
        IntPointer outOff,
        IntPointer inOff,
        IntPointer rowPtr,
        IntPointer colIdx,
        IntPointer blockCol,
        LongPointer rowBase,
        IntPointer rowK,
        IntPointer tPtr,
        IntPointer tBlock,
        IntPointer blockRow,
        int channels,
        int images,
        int h,
        int w,
        int kernel,
        int stride,
        FloatPointer a,
        FloatPointer b,
        FloatPointer out);
  }

  /** Runs a convolution product on validated tensors; {@code image} gives the geometry. */
  private void convolution(
      ConvolutionKernel kernel,
      BlockSparseLayout l,
      Tensor image,
      int k,
      int stride,
      Tensor a,
      Tensor b,
      Tensor out) {
    BlockSparseLayout.NativeCopy n = l.nativeCopy();
    int[] s = image.shape();
    int batch = (int) ConvGeometry.outputPixels(s, stride);
    run(
        () ->
            kernel.call(
                isa.ordinal(),
                threads,
                batch,
                batch,
                l.out().nodes(),
                l.in().nodes(),
                l.blockCount(),
                n.outOff,
                n.inOff,
                n.rowPtr,
                n.colIdx,
                n.blockCol,
                n.rowBase,
                n.rowK,
                n.tPtr,
                n.tBlock,
                n.blockRow,
                s[0],
                s[1],
                s[2],
                s[3],
                k,
                stride,
                HostTensor.of(a),
                HostTensor.of(b),
                HostTensor.of(out)));
  }

  /** The signature the three block-sparse kernels share: the layout, two inputs, one output. */
  @FunctionalInterface
  private interface BlockSparseKernel {
    void call(
        int isa,
        int threads,
        int batch,
        long ld,
        int nOut,
        int nIn,
        int nnz,
        IntPointer outOff,
        IntPointer inOff,
        IntPointer rowPtr,
        IntPointer colIdx,
        IntPointer blockCol,
        LongPointer rowBase,
        IntPointer rowK,
        IntPointer tPtr,
        IntPointer tBlock,
        IntPointer blockRow,
        FloatPointer a,
        FloatPointer b,
        FloatPointer out);
  }

  /** Runs a block-sparse kernel on already validated tensors (feature-major, row stride batch). */
  private void blockSparse(
      BlockSparseKernel kernel, BlockSparseLayout l, int batch, Tensor a, Tensor b, Tensor out) {
    BlockSparseLayout.NativeCopy n = l.nativeCopy();
    run(
        () ->
            kernel.call(
                isa.ordinal(),
                threads,
                batch,
                batch,
                l.out().nodes(),
                l.in().nodes(),
                l.blockCount(),
                n.outOff,
                n.inOff,
                n.rowPtr,
                n.colIdx,
                n.blockCol,
                n.rowBase,
                n.rowK,
                n.tPtr,
                n.tBlock,
                n.blockRow,
                HostTensor.of(a),
                HostTensor.of(b),
                HostTensor.of(out)));
  }

  @Override
  protected void doDenseForward(Tensor w, Tensor x, Tensor y) {
    sgemm(false, false, w.rows(), x.cols(), w.cols(), w, w.cols(), x, x.cols(), y);
  }

  @Override
  protected void doDenseBackwardData(Tensor w, Tensor dy, Tensor dx) {
    sgemm(true, false, w.cols(), dy.cols(), w.rows(), w, w.cols(), dy, dy.cols(), dx);
  }

  @Override
  protected void doDenseBackwardWeight(Tensor dy, Tensor x, Tensor dw) {
    sgemm(false, true, dw.rows(), dw.cols(), x.cols(), dy, dy.cols(), x, x.cols(), dw);
  }

  // oneDNN's convolutions by shape {out, in, kernel, stride, batch, height, width}, made on first
  // use
  private final Map<java.util.List<Integer>, OneDnnConv> oneDnnConvs = new java.util.HashMap<>();

  /** Made by {@link #withConvolutionPrimitives}: oneDNN's convolution primitives. */
  @Override
  public boolean hasDenseConvolution() {
    return convolutionPrimitives;
  }

  private OneDnnConv oneDnnConv(Tensor w, Tensor x, int kernel, int stride) {
    int[] s = x.shape();
    return oneDnnConvs.computeIfAbsent(
        java.util.List.of(w.rows(), s[0], kernel, stride, s[1], s[2], s[3]),
        k -> new OneDnnConv(w.rows(), s[0], kernel, stride, s[1], s[2], s[3], denseThreads()));
  }

  @Override
  protected void doDenseConvForward(Tensor w, Tensor x, int kernel, int stride, Tensor y) {
    if (!hasDenseConvolution()) {
      super.doDenseConvForward(w, x, kernel, stride, y);
      return;
    }
    oneDnnConv(w, x, kernel, stride).forward(HostTensor.of(x), HostTensor.of(w), HostTensor.of(y));
  }

  @Override
  protected void doDenseConvBackward(
      Tensor w, Tensor x, Tensor dy, int kernel, int stride, Tensor dw, Tensor dx) {
    if (!hasDenseConvolution()) {
      super.doDenseConvBackward(w, x, dy, kernel, stride, dw, dx);
      return;
    }
    oneDnnConv(w, x, kernel, stride)
        .backward(
            HostTensor.of(x),
            HostTensor.of(w),
            HostTensor.of(dy),
            HostTensor.of(dw),
            dx == null ? null : HostTensor.of(dx));
  }

  @Override
  protected void release() {
    for (OneDnnConv c : oneDnnConvs.values()) {
      c.close();
    }
    oneDnnConvs.clear();
  }

  @Override
  protected void doBatchNormReluForward(
      BatchNorm bn, Tensor x, Tensor y, boolean training, int batch) {
    run(
        () ->
            RelgraphKernels.bn_relu_forward(
                isa.ordinal(),
                threads,
                bn.channels(),
                batch,
                HostTensor.of(x),
                HostTensor.of(bn.gamma),
                HostTensor.of(bn.beta),
                HostTensor.of(y),
                HostTensor.of(bn.savedMean),
                HostTensor.of(bn.savedInvStd),
                HostTensor.of(bn.runningMean),
                HostTensor.of(bn.runningVar),
                bn.momentum(),
                bn.eps(),
                training ? 1 : 0));
  }

  @Override
  protected void doBatchNormReluBackward(
      BatchNorm bn, Tensor x, Tensor y, Tensor dy, Tensor dx, int batch) {
    run(
        () ->
            RelgraphKernels.bn_relu_backward(
                isa.ordinal(),
                threads,
                bn.channels(),
                batch,
                HostTensor.of(x),
                HostTensor.of(y),
                HostTensor.of(dy),
                HostTensor.of(bn.gamma),
                HostTensor.of(bn.savedMean),
                HostTensor.of(bn.savedInvStd),
                HostTensor.of(dx),
                HostTensor.of(bn.gammaGrad),
                HostTensor.of(bn.betaGrad)));
  }

  @Override
  protected void doBatchNormForward(BatchNorm bn, Tensor x, Tensor y, boolean training, int batch) {
    run(
        () ->
            RelgraphKernels.bn_forward(
                isa.ordinal(),
                threads,
                bn.channels(),
                batch,
                HostTensor.of(x),
                HostTensor.of(bn.gamma),
                HostTensor.of(bn.beta),
                HostTensor.of(y),
                HostTensor.of(bn.savedMean),
                HostTensor.of(bn.savedInvStd),
                HostTensor.of(bn.runningMean),
                HostTensor.of(bn.runningVar),
                bn.momentum(),
                bn.eps(),
                training ? 1 : 0));
  }

  @Override
  protected void doBatchNormBackward(BatchNorm bn, Tensor x, Tensor dy, Tensor dx, int batch) {
    run(
        () ->
            RelgraphKernels.bn_backward(
                isa.ordinal(),
                threads,
                bn.channels(),
                batch,
                HostTensor.of(x),
                HostTensor.of(dy),
                HostTensor.of(bn.gamma),
                HostTensor.of(bn.savedMean),
                HostTensor.of(bn.savedInvStd),
                HostTensor.of(dx),
                HostTensor.of(bn.gammaGrad),
                HostTensor.of(bn.betaGrad)));
  }

  @Override
  protected void doIm2col(Tensor x, int kernel, int stride, Tensor cols) {
    int[] s = x.shape();
    run(
        () ->
            RelgraphKernels.im2col(
                isa.ordinal(),
                threads,
                s[0],
                s[1],
                s[2],
                s[3],
                kernel,
                stride,
                HostTensor.of(x),
                HostTensor.of(cols)));
  }

  @Override
  protected void doCol2im(Tensor cols, int kernel, int stride, Tensor dx) {
    int[] s = dx.shape();
    run(
        () ->
            RelgraphKernels.col2im(
                isa.ordinal(),
                threads,
                s[0],
                s[1],
                s[2],
                s[3],
                kernel,
                stride,
                HostTensor.of(cols),
                HostTensor.of(dx)));
  }

  @Override
  protected void doDepthwiseForward(Tensor w, Tensor x, int stride, Tensor y) {
    int[] s = x.shape();
    run(
        () ->
            RelgraphKernels.depthwise_forward(
                isa.ordinal(),
                threads,
                s[0],
                s[1],
                s[2],
                s[3],
                stride,
                HostTensor.of(w),
                HostTensor.of(x),
                HostTensor.of(y)));
  }

  @Override
  protected void doDepthwiseBackwardData(Tensor w, Tensor dy, int stride, Tensor dx) {
    int[] s = dx.shape();
    run(
        () ->
            RelgraphKernels.depthwise_backward_data(
                isa.ordinal(),
                threads,
                s[0],
                s[1],
                s[2],
                s[3],
                stride,
                HostTensor.of(w),
                HostTensor.of(dy),
                HostTensor.of(dx)));
  }

  @Override
  protected void doDepthwiseBackwardWeight(Tensor dy, Tensor x, int stride, Tensor dw) {
    int[] s = x.shape();
    run(
        () ->
            RelgraphKernels.depthwise_backward_weight(
                isa.ordinal(),
                threads,
                s[0],
                s[1],
                s[2],
                s[3],
                stride,
                HostTensor.of(dy),
                HostTensor.of(x),
                HostTensor.of(dw)));
  }

  @Override
  protected void doAdd(Tensor a, Tensor b, Tensor y) {
    run(
        () ->
            RelgraphKernels.add(
                isa.ordinal(),
                threads,
                a.size(),
                HostTensor.of(a),
                HostTensor.of(b),
                HostTensor.of(y)));
  }

  @Override
  protected void doRelu(Tensor x, Tensor y) {
    run(
        () ->
            RelgraphKernels.relu(
                isa.ordinal(), threads, x.size(), HostTensor.of(x), HostTensor.of(y)));
  }

  @Override
  protected void doReluBackward(Tensor y, Tensor dy, Tensor dx) {
    run(
        () ->
            RelgraphKernels.relu_backward(
                isa.ordinal(),
                threads,
                y.size(),
                HostTensor.of(y),
                HostTensor.of(dy),
                HostTensor.of(dx)));
  }

  @Override
  protected void doMaxPool(Tensor x, Tensor y) {
    int[] s = x.shape();
    run(
        () ->
            RelgraphKernels.max_pool(
                isa.ordinal(),
                threads,
                s[0],
                s[1],
                s[2],
                s[3],
                HostTensor.of(x),
                HostTensor.of(y)));
  }

  @Override
  protected void doMaxPoolBackward(Tensor x, Tensor dy, Tensor dx) {
    int[] s = x.shape();
    run(
        () ->
            RelgraphKernels.max_pool_backward(
                isa.ordinal(),
                threads,
                s[0],
                s[1],
                s[2],
                s[3],
                HostTensor.of(x),
                HostTensor.of(dy),
                HostTensor.of(dx)));
  }

  @Override
  protected void doGlobalAvgPool(Tensor x, Tensor y) {
    run(
        () ->
            RelgraphKernels.avg_pool(
                isa.ordinal(),
                threads,
                y.rows(),
                y.cols(),
                x.size() / y.size(),
                HostTensor.of(x),
                HostTensor.of(y)));
  }

  @Override
  protected void doGlobalAvgPoolBackward(Tensor dy, Tensor dx) {
    run(
        () ->
            RelgraphKernels.avg_pool_backward(
                isa.ordinal(),
                threads,
                dy.rows(),
                dy.cols(),
                dx.size() / dy.size(),
                HostTensor.of(dy),
                HostTensor.of(dx)));
  }

  @Override
  protected void doSoftmaxCrossEntropy(
      Tensor logits, int[] labels, Tensor dLogits, LossAccumulator totals) {
    try (IntPointer l = new IntPointer(labels);
        IntPointer correct = new IntPointer(1)) {
      double loss =
          call(
              () ->
                  RelgraphKernels.softmax_xent(
                      isa.ordinal(),
                      logits.rows(),
                      logits.cols(),
                      HostTensor.of(logits),
                      l,
                      HostTensor.of(dLogits),
                      correct));
      accumulate(totals, loss, correct.get(), logits.cols());
    }
  }

  @Override
  protected void doAddBias(Tensor y, Tensor bias) {
    run(
        () ->
            RelgraphKernels.add_bias(
                isa.ordinal(), threads, y.rows(), y.cols(), HostTensor.of(y), HostTensor.of(bias)));
  }

  @Override
  protected void doBiasGradient(Tensor dy, Tensor db) {
    run(
        () ->
            RelgraphKernels.bias_gradient(
                isa.ordinal(),
                threads,
                dy.rows(),
                dy.cols(),
                HostTensor.of(dy),
                HostTensor.of(db)));
  }

  @Override
  protected void doSgdStep(Tensor w, Tensor grad, Tensor velocity, SgdSettings s, float lr) {
    run(
        () ->
            RelgraphKernels.sgd_step(
                isa.ordinal(),
                threads,
                w.size(),
                HostTensor.of(w),
                HostTensor.of(grad),
                HostTensor.of(velocity),
                lr,
                s.momentum(),
                s.weightDecay(),
                s.nesterov() ? 1 : 0));
  }

  @Override
  protected void doMultiply(Tensor a, Tensor b, Tensor out) {
    run(
        () ->
            RelgraphKernels.multiply(
                isa.ordinal(),
                threads,
                a.size(),
                HostTensor.of(a),
                HostTensor.of(b),
                HostTensor.of(out)));
  }

  private void sgemm(
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
    if (dense == BareSgemm.Library.OPENBLAS) {
      useBlasThreads(threads);
    }
    run(
        () ->
            BareSgemm.gemm(
                dense,
                transA,
                transB,
                m,
                n,
                k,
                HostTensor.of(a),
                lda,
                HostTensor.of(b),
                ldb,
                HostTensor.of(c),
                n));
  }

  /**
   * Sets OpenBLAS's process-wide thread count to {@code n} unless it was last set to {@code n} (see
   * the class comment). The presets' setter looks up several symbols on every call, which is what
   * made setting it before every product expensive.
   */
  static void useBlasThreads(int n) {
    if (blasThreads != n) {
      synchronized (BLAS_THREADS_LOCK) {
        if (blasThreads != n) {
          openblas_nolapack.blas_set_num_threads(n);
          blasThreads = n;
          blasThreadSettings++;
        }
      }
    }
  }

  /** How many times OpenBLAS's thread count has been set so far (for tests). */
  static int blasThreadSettings() {
    synchronized (BLAS_THREADS_LOCK) {
      return blasThreadSettings;
    }
  }

  /** Runs a native call, reporting a C++ exception as {@link NativeException}. */
  static void run(Runnable nativeCall) {
    try {
      nativeCall.run();
    } catch (KernelException e) {
      throw new NativeException("native kernel failed: " + e.getMessage(), e);
    }
  }

  /** {@link #run} for a call with a result. */
  static double call(java.util.function.DoubleSupplier nativeCall) {
    try {
      return nativeCall.getAsDouble();
    } catch (KernelException e) {
      throw new NativeException("native kernel failed: " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "CpuBackend("
        + isa
        + ", "
        + threads
        + " threads"
        + (dense == BareSgemm.Library.OPENBLAS ? "" : ", dense " + dense.label())
        + (convolutionPrimitives ? ", its convolution primitives" : "")
        + ")";
  }
}
