package org.relgraph.engine;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * A dense {@code K × K} convolution (padding K/2, stride 1 or 2, no bias) as oneDNN's own
 * convolution primitives: the dense convolution baseline of the convolution benchmark, and the
 * dense convolutions of a {@link CpuBackend} whose dense library is oneDNN (forward, backward-data
 * and weight gradient, for training).
 *
 * <p>The primitives choose their own memory layouts ({@code format_tag any}: for images and
 * weights, typically blocked layouts such as {@code nChw16c}). The user's data are channel-major
 * images {@code C × N × H × W}, as the engine keeps them, and weights {@code O × I × K × K} (the
 * engine's dense convolution weight, rows {@code c·K² + ky·K + kx}); each argument is reordered
 * between the two where they differ, and every such reorder is part of the call that needs it.
 *
 * <ul>
 *   <li>For the benchmark, {@link #setInput} and {@link #setWeights} reorder into the primitive's
 *       layouts and {@link #output} back, so that {@link #forward()} runs the convolution alone.
 *   <li>For training, {@link #forward(Pointer, Pointer, Pointer)} and {@link #backward} take the
 *       engine's buffers and reorder in and out on every call: the layers between convolutions
 *       (batch norm, ReLU, pooling) read the engine's layout.
 * </ul>
 *
 * <p>oneDNN runs on its own OpenMP threads, whose count is fixed when it loads ({@link
 * BareSgemm.Dnnl}): a convolution asking for another count than the one oneDNN was loaded with is
 * refused.
 */
public final class OneDnnConv implements AutoCloseable {
  // DNNL_MEMORY_ALLOCATE, ((void *) -1): oneDNN allocates the buffer itself, aligned as it likes
  private static final Pointer ALLOCATE =
      new Pointer() {
        {
          address = -1L;
        }
      };

  private final int out;
  private final int in;
  private final int kernel;
  private final int stride;
  private final int batch;
  private final int height;
  private final int width;
  private final int outHeight;
  private final int outWidth;
  private final List<dnnl_memory_desc> descs = new ArrayList<>();
  private final List<dnnl_memory> memories = new ArrayList<>();
  private final List<dnnl_primitive> primitives = new ArrayList<>();
  private final List<dnnl_primitive_desc> primitiveDescs = new ArrayList<>();
  private final List<Pointer> buffers = new ArrayList<>();
  private dnnl_engine engine;
  private dnnl_stream stream;
  private dnnl_primitive_desc convDesc;
  private dnnl_primitive conv;
  // the arguments' shapes with format_tag any, for every primitive to choose its layouts
  private dnnl_memory_desc anyImage;
  private dnnl_memory_desc anyWeights;
  private dnnl_memory_desc anyOutput;
  private dnnl_memory_desc userImage;
  private dnnl_memory_desc userWeights;
  private dnnl_memory_desc userOutput;
  // the forward convolution's arguments: the benchmark's (own buffers), then training's
  private Arg src;
  private Arg weights;
  private Arg dst;
  private Arg trainSrc;
  private Arg trainWeights;
  private Arg trainDst;
  private dnnl_exec_arg_t benchmarkConvArgs;
  private dnnl_exec_arg_t trainConvArgs;
  private Backward backward;
  private boolean closed;

  /**
   * A convolution {@code in → out} channels, {@code kernel × kernel} (1 or 3), stride 1, over
   * {@code batch} images of {@code height × width}, on oneDNN's {@code threads} threads; weights
   * and input zero.
   *
   * @throws IllegalArgumentException for a kernel other than 1 or 3, or sizes below 1
   * @throws IllegalStateException when oneDNN does not load, was loaded with another thread count,
   *     or refuses the convolution
   */
  public OneDnnConv(int out, int in, int kernel, int batch, int height, int width, int threads) {
    this(out, in, checked(kernel), 1, batch, height, width, threads);
  }

  private static int checked(int kernel) {
    ConvGeometry.checkKernel(kernel);
    return kernel;
  }

  /**
   * A convolution {@code in → out} channels, {@code kernel × kernel} (odd, up to {@link
   * ConvGeometry#MAX_DENSE_KERNEL}), padding {@code kernel / 2}, {@code stride} 1 or 2, over {@code
   * batch} images of {@code height × width}, on oneDNN's {@code threads} threads.
   *
   * @throws IllegalArgumentException for another kernel or stride, or sizes below 1
   * @throws IllegalStateException when oneDNN does not load, was loaded with another thread count,
   *     or refuses the convolution
   */
  public OneDnnConv(
      int out, int in, int kernel, int stride, int batch, int height, int width, int threads) {
    ConvGeometry.checkDenseKernel(kernel);
    ConvGeometry.checkStride(stride);
    Shapes.require(
        out >= 1 && in >= 1 && batch >= 1 && height >= 1 && width >= 1,
        "convolution "
            + in
            + " -> "
            + out
            + " channels, batch "
            + batch
            + ", "
            + height
            + " × "
            + width
            + ": sizes must be >= 1");
    BareSgemm.Dnnl.require(threads);
    this.out = out;
    this.in = in;
    this.kernel = kernel;
    this.stride = stride;
    this.batch = batch;
    this.height = height;
    this.width = width;
    this.outHeight = ConvGeometry.outputSize(height, stride);
    this.outWidth = ConvGeometry.outputSize(width, stride);
    try {
      build();
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  private long[] imageDims() {
    return new long[] {batch, in, height, width};
  }

  private long[] weightDims() {
    return new long[] {out, in, kernel, kernel};
  }

  private long[] outputDims() {
    return new long[] {batch, out, outHeight, outWidth};
  }

  private long[] strides() {
    return new long[] {stride, stride};
  }

  private static final long[] NO_DILATION = {0, 0};

  // padding K/2 either side: oneDNN's output size, (size + 2 (K/2) - K) / stride + 1 rounded down,
  // is then ConvGeometry's (size - 1) / stride + 1
  private long[] padding() {
    return new long[] {kernel / 2, kernel / 2};
  }

  private void build() {
    engine = new dnnl_engine();
    check(dnnl.dnnl_engine_create(engine, dnnl.dnnl_cpu, 0), "dnnl_engine_create");
    stream = new dnnl_stream();
    check(
        dnnl.dnnl_stream_create(stream, engine, dnnl.dnnl_stream_default_flags),
        "dnnl_stream_create");
    anyImage = desc(imageDims(), dnnl.dnnl_format_tag_any);
    anyWeights = desc(weightDims(), dnnl.dnnl_format_tag_any);
    anyOutput = desc(outputDims(), dnnl.dnnl_format_tag_any);
    convDesc = new dnnl_primitive_desc();
    check(
        dnnl.dnnl_convolution_forward_primitive_desc_create(
            convDesc,
            engine,
            dnnl.dnnl_forward_training,
            dnnl.dnnl_convolution_direct,
            anyImage,
            anyWeights,
            null,
            anyOutput,
            strides(),
            NO_DILATION,
            padding(),
            padding(),
            null),
        "dnnl_convolution_forward_primitive_desc_create");
    primitiveDescs.add(convDesc);
    conv = primitive(convDesc, "convolution");
    // the user's layouts: images channel-major (C, N, H, W is oneDNN's "bacd" of N, C, H, W)
    userImage = desc(imageDims(), dnnl.dnnl_bacd);
    userWeights = desc(weightDims(), dnnl.dnnl_oihw);
    userOutput = desc(outputDims(), dnnl.dnnl_bacd);
  }

  /** A memory descriptor of f32 values, freed on close. */
  private dnnl_memory_desc desc(long[] dims, int tag) {
    dnnl_memory_desc d = new dnnl_memory_desc();
    check(
        dnnl.dnnl_memory_desc_create_with_tag(d, dims.length, dims, dnnl.dnnl_f32, tag),
        "dnnl_memory_desc_create_with_tag");
    descs.add(d);
    return d;
  }

  private dnnl_primitive primitive(dnnl_primitive_desc pd, String what) {
    dnnl_primitive p = new dnnl_primitive();
    check(dnnl.dnnl_primitive_create(p, pd), "dnnl_primitive_create (" + what + ")");
    primitives.add(p);
    return p;
  }

  /**
   * One argument of a primitive: the user's memory in its own layout (over a buffer of this
   * object's, or with its handle set per call), the primitive's memory in the layout it chose, and
   * the reorder between them (input: user to primitive; output: primitive to user), or none when
   * the layouts are the same.
   */
  private static final class Arg {
    FloatPointer own;
    dnnl_memory user;
    dnnl_memory primitive;
    dnnl_memory_desc chosen;
    dnnl_primitive reorder;
    dnnl_exec_arg_t reorderArgs;
  }

  /**
   * The argument of primitive {@code pd} that {@code query} names, in the user's layout {@code
   * userDesc}: over a buffer of its own ({@code own}), or over the buffers later calls pass.
   */
  private Arg arg(
      dnnl_primitive_desc pd, int query, dnnl_memory_desc userDesc, boolean input, boolean own) {
    Arg a = new Arg();
    a.chosen = dnnl.dnnl_primitive_desc_query_md(pd, query, 0);
    Pointer handle = null; // DNNL_MEMORY_NONE: set before each use
    if (own) {
      a.own = new FloatPointer(dnnl.dnnl_memory_desc_get_size(userDesc) / Float.BYTES);
      buffers.add(a.own);
      handle = a.own;
    }
    a.user = memory(userDesc, handle);
    if (dnnl.dnnl_memory_desc_equal(userDesc, a.chosen) != 0) {
      a.primitive = a.user;
      return a;
    }
    a.primitive = memory(a.chosen, ALLOCATE);
    dnnl_memory_desc from = input ? userDesc : a.chosen;
    dnnl_memory_desc to = input ? a.chosen : userDesc;
    dnnl_primitive_desc rd = new dnnl_primitive_desc();
    check(
        dnnl.dnnl_reorder_primitive_desc_create(rd, from, engine, to, engine, null),
        "dnnl_reorder_primitive_desc_create");
    primitiveDescs.add(rd);
    a.reorder = primitive(rd, "reorder");
    a.reorderArgs =
        args(
            DNNL_ARG_FROM, input ? a.user : a.primitive, DNNL_ARG_TO, input ? a.primitive : a.user);
    return a;
  }

  private dnnl_memory memory(dnnl_memory_desc d, Pointer handle) {
    dnnl_memory m = new dnnl_memory();
    check(dnnl.dnnl_memory_create(m, d, engine, handle), "dnnl_memory_create");
    memories.add(m);
    return m;
  }

  /** Points {@code a}'s user memory at {@code buffer}, a caller's. */
  private void point(Arg a, Pointer buffer) {
    check(dnnl.dnnl_memory_set_data_handle(a.user, buffer), "dnnl_memory_set_data_handle");
  }

  /** Points an input's user memory at {@code buffer} and reorders it into the primitive's. */
  private void in(Arg a, Pointer buffer) {
    point(a, buffer);
    reorder(a);
  }

  /** Runs {@code a}'s reorder, if it has one: an input's into the primitive, an output's back. */
  private void reorder(Arg a) {
    if (a.reorder != null) {
      execute(a.reorder, a.reorderArgs, "reorder");
    }
  }

  /**
   * The arguments of a primitive, {@code (argument, memory)} pairs (a memory, or an {@link Arg}'s
   * primitive memory), made once and freed on close.
   */
  private dnnl_exec_arg_t args(Object... pairs) {
    int n = pairs.length / 2;
    dnnl_exec_arg_t args = new dnnl_exec_arg_t(n);
    buffers.add(args);
    for (int i = 0; i < n; i++) {
      Object m = pairs[2 * i + 1];
      args.position(i)
          .arg((Integer) pairs[2 * i])
          .memory(m instanceof Arg a ? a.primitive : (dnnl_memory) m);
    }
    return args.position(0);
  }

  private void execute(dnnl_primitive p, dnnl_exec_arg_t args, String what) {
    int count = (int) args.capacity();
    check(
        dnnl.dnnl_primitive_execute(p, stream, count, args),
        "dnnl_primitive_execute (" + what + ")");
    check(dnnl.dnnl_stream_wait(stream), "dnnl_stream_wait");
  }

  private static void check(int status, String call) {
    if (status != dnnl.dnnl_success) {
      throw new IllegalStateException(call + " failed with oneDNN status " + status);
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("oneDNN convolution is closed");
    }
  }

  private static void put(FloatPointer p, float[] values, long expected, String what) {
    Shapes.require(
        values.length == expected, what + ": " + values.length + " values, expected " + expected);
    p.position(0).put(values, 0, values.length);
  }

  private void benchmarkArgs() {
    if (src == null) {
      src = arg(convDesc, dnnl.dnnl_query_src_md, userImage, true, true);
      weights = arg(convDesc, dnnl.dnnl_query_weights_md, userWeights, true, true);
      dst = arg(convDesc, dnnl.dnnl_query_dst_md, userOutput, false, true);
      benchmarkConvArgs = args(DNNL_ARG_SRC, src, DNNL_ARG_WEIGHTS, weights, DNNL_ARG_DST, dst);
    }
  }

  /** Sets the input: channel-major images, {@code in × batch × height × width} values. */
  public void setInput(float[] channelMajor) {
    requireOpen();
    benchmarkArgs();
    put(src.own, channelMajor, (long) in * batch * height * width, "input");
    reorder(src);
  }

  /**
   * Sets the weights, {@code out × in × K × K} values (PyTorch's {@code weight[o][c][ky][kx]}, the
   * engine's dense convolution weight).
   */
  public void setWeights(float[] oihw) {
    requireOpen();
    benchmarkArgs();
    put(weights.own, oihw, (long) out * in * kernel * kernel, "weights");
    reorder(weights);
  }

  /** The convolution of the benchmark's input, in the layouts the primitive chose: no reorder. */
  public void forward() {
    requireOpen();
    benchmarkArgs();
    execute(conv, benchmarkConvArgs, "convolution");
  }

  /** The output of the last {@link #forward()}, channel-major: {@code out × batch × Ho × Wo}. */
  public float[] output() {
    requireOpen();
    benchmarkArgs();
    reorder(dst);
    float[] y = new float[Math.toIntExact((long) out * batch * outHeight * outWidth)];
    dst.own.position(0).get(y);
    return y;
  }

  /**
   * {@code y} ({@code out × batch × Ho × Wo}) = the convolution of {@code x} ({@code in × batch × H
   * × W}) by {@code w} ({@code out × in × K × K}): buffers of that many floats, which the caller
   * checked.
   */
  public void forward(Pointer x, Pointer w, Pointer y) {
    requireOpen();
    if (trainSrc == null) {
      trainSrc = arg(convDesc, dnnl.dnnl_query_src_md, userImage, true, false);
      trainWeights = arg(convDesc, dnnl.dnnl_query_weights_md, userWeights, true, false);
      trainDst = arg(convDesc, dnnl.dnnl_query_dst_md, userOutput, false, false);
      trainConvArgs =
          args(DNNL_ARG_SRC, trainSrc, DNNL_ARG_WEIGHTS, trainWeights, DNNL_ARG_DST, trainDst);
    }
    in(trainSrc, x);
    in(trainWeights, w);
    point(trainDst, y);
    execute(conv, trainConvArgs, "convolution");
    reorder(trainDst);
  }

  /** The backward primitives and their arguments, made on the first {@link #backward}. */
  private final class Backward {
    final dnnl_primitive data;
    final dnnl_primitive weight;
    final Arg dataDy;
    final Arg dataW;
    final Arg dataDx;
    final Arg weightX;
    final Arg weightDy;
    final Arg weightDw;
    final dnnl_exec_arg_t dataArgs;
    final dnnl_exec_arg_t weightArgs;

    Backward() {
      dnnl_primitive_desc dataDesc = new dnnl_primitive_desc();
      check(
          dnnl.dnnl_convolution_backward_data_primitive_desc_create(
              dataDesc,
              engine,
              dnnl.dnnl_convolution_direct,
              anyImage,
              anyWeights,
              anyOutput,
              strides(),
              NO_DILATION,
              padding(),
              padding(),
              convDesc,
              null),
          "dnnl_convolution_backward_data_primitive_desc_create");
      primitiveDescs.add(dataDesc);
      data = primitive(dataDesc, "convolution backward-data");
      dnnl_primitive_desc weightDesc = new dnnl_primitive_desc();
      check(
          dnnl.dnnl_convolution_backward_weights_primitive_desc_create(
              weightDesc,
              engine,
              dnnl.dnnl_convolution_direct,
              anyImage,
              anyWeights,
              null,
              anyOutput,
              strides(),
              NO_DILATION,
              padding(),
              padding(),
              convDesc,
              null),
          "dnnl_convolution_backward_weights_primitive_desc_create");
      primitiveDescs.add(weightDesc);
      weight = primitive(weightDesc, "convolution weight gradient");
      dataDy = arg(dataDesc, dnnl.dnnl_query_diff_dst_md, userOutput, true, false);
      dataW = arg(dataDesc, dnnl.dnnl_query_weights_md, userWeights, true, false);
      dataDx = arg(dataDesc, dnnl.dnnl_query_diff_src_md, userImage, false, false);
      weightX = arg(weightDesc, dnnl.dnnl_query_src_md, userImage, true, false);
      // dY once, where both primitives chose the same layout for it
      weightDy =
          dnnl.dnnl_memory_desc_equal(
                      dnnl.dnnl_primitive_desc_query_md(weightDesc, dnnl.dnnl_query_diff_dst_md, 0),
                      dataDy.chosen)
                  != 0
              ? dataDy
              : arg(weightDesc, dnnl.dnnl_query_diff_dst_md, userOutput, true, false);
      weightDw = arg(weightDesc, dnnl.dnnl_query_diff_weights_md, userWeights, false, false);
      dataArgs =
          args(DNNL_ARG_DIFF_DST, dataDy, DNNL_ARG_WEIGHTS, dataW, DNNL_ARG_DIFF_SRC, dataDx);
      weightArgs =
          args(DNNL_ARG_SRC, weightX, DNNL_ARG_DIFF_DST, weightDy, DNNL_ARG_DIFF_WEIGHTS, weightDw);
    }
  }

  /**
   * The backward passes of {@link #forward(Pointer, Pointer, Pointer)} over {@code x} and {@code
   * w}: {@code dw} ({@code out × in × K × K}) = the weight gradient from the output gradient {@code
   * dy}, and, unless {@code dx} is null, {@code dx} ({@code in × batch × H × W}) = the input
   * gradient. Both overwritten.
   */
  public void backward(Pointer x, Pointer w, Pointer dy, Pointer dw, Pointer dx) {
    requireOpen();
    if (backward == null) {
      backward = new Backward();
    }
    Backward b = backward;
    in(b.dataDy, dy);
    if (b.weightDy != b.dataDy) {
      in(b.weightDy, dy);
    }
    in(b.weightX, x);
    point(b.weightDw, dw);
    execute(b.weight, b.weightArgs, "convolution weight gradient");
    reorder(b.weightDw);
    if (dx == null) {
      return;
    }
    in(b.dataW, w);
    point(b.dataDx, dx);
    execute(b.data, b.dataArgs, "convolution backward-data");
    reorder(b.dataDx);
  }

  /** oneDNN's name of the forward implementation it runs, e.g. {@code brg_conv_fwd:avx512_core}. */
  public String implementation() {
    requireOpen();
    PointerPointer<BytePointer> name = new PointerPointer<>(1);
    try {
      check(
          dnnl.dnnl_primitive_desc_query(convDesc, dnnl.dnnl_query_impl_info_str, 0, name),
          "dnnl_primitive_desc_query");
      return name.getString(0);
    } finally {
      name.close();
    }
  }

  /** Multiply-adds of one forward pass over the batch. */
  public long multiplyAdds() {
    return (long) out * in * kernel * kernel * batch * outHeight * outWidth;
  }

  /** Frees every oneDNN object and buffer; idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (dnnl_primitive p : primitives) {
      dnnl.dnnl_primitive_destroy(p);
    }
    for (dnnl_primitive_desc pd : primitiveDescs) {
      dnnl.dnnl_primitive_desc_destroy(pd);
    }
    for (dnnl_memory m : memories) {
      dnnl.dnnl_memory_destroy(m);
    }
    for (dnnl_memory_desc d : descs) {
      dnnl.dnnl_memory_desc_destroy(d);
    }
    if (stream != null && !stream.isNull()) {
      dnnl.dnnl_stream_destroy(stream);
    }
    if (engine != null && !engine.isNull()) {
      dnnl.dnnl_engine_destroy(engine);
    }
    for (Pointer b : buffers) {
      b.close();
    }
  }
}
