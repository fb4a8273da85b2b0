package org.relgraph.engine;

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
 * A dense {@code K × K} convolution (K = 1 or 3, stride 1, padding K/2, no bias) as oneDNN's own
 * convolution primitive, forward only: the dense convolution baseline of the convolution benchmark,
 * beside the engine's im2col + sgemm {@link org.relgraph.nn.Conv}.
 *
 * <p>The primitive chooses its own memory layouts ({@code format_tag any}: for source, weights and
 * destination, typically blocked layouts such as {@code nChw16c}); the user's data, channel-major
 * images {@code C × N × H × W} as the engine keeps them and weights {@code O × I × K × K}, are
 * reordered into them by {@link #setInput} and {@link #setWeights}, and the result back by {@link
 * #output}. {@link #forward} runs the convolution alone, with no reorder, which is what a benchmark
 * times.
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
  private final int batch;
  private final int height;
  private final int width;
  private final List<dnnl_memory_desc> descs = new ArrayList<>();
  private final List<dnnl_memory> memories = new ArrayList<>();
  private final List<dnnl_primitive> primitives = new ArrayList<>();
  private final List<dnnl_primitive_desc> primitiveDescs = new ArrayList<>();
  private final List<Pointer> buffers = new ArrayList<>();
  private dnnl_engine engine;
  private dnnl_stream stream;
  private dnnl_primitive_desc convDesc;
  private dnnl_primitive conv;
  private dnnl_exec_arg_t convArgs;
  private Staged src;
  private Staged weights;
  private Staged dst;
  private boolean closed;

  /**
   * A convolution {@code in → out} channels, {@code kernel × kernel}, over {@code batch} images of
   * {@code height × width}, on oneDNN's {@code threads} threads; weights and input zero.
   *
   * @throws IllegalArgumentException for a kernel other than 1 or 3, or sizes below 1
   * @throws IllegalStateException when oneDNN does not load, was loaded with another thread count,
   *     or refuses the convolution
   */
  public OneDnnConv(int out, int in, int kernel, int batch, int height, int width, int threads) {
    ConvGeometry.checkKernel(kernel);
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
    this.batch = batch;
    this.height = height;
    this.width = width;
    try {
      build();
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  private void build() {
    engine = new dnnl_engine();
    check(dnnl.dnnl_engine_create(engine, dnnl.dnnl_cpu, 0), "dnnl_engine_create");
    stream = new dnnl_stream();
    check(
        dnnl.dnnl_stream_create(stream, engine, dnnl.dnnl_stream_default_flags),
        "dnnl_stream_create");
    long[] srcDims = {batch, in, height, width};
    long[] weightDims = {out, in, kernel, kernel};
    long[] dstDims = {batch, out, height, width};
    long pad = kernel / 2;
    convDesc = new dnnl_primitive_desc();
    check(
        dnnl.dnnl_convolution_forward_primitive_desc_create(
            convDesc,
            engine,
            dnnl.dnnl_forward_training,
            dnnl.dnnl_convolution_direct,
            desc(srcDims, dnnl.dnnl_format_tag_any),
            desc(weightDims, dnnl.dnnl_format_tag_any),
            null,
            desc(dstDims, dnnl.dnnl_format_tag_any),
            new long[] {1, 1},
            new long[] {0, 0},
            new long[] {pad, pad},
            new long[] {pad, pad},
            null),
        "dnnl_convolution_forward_primitive_desc_create");
    primitiveDescs.add(convDesc);
    conv = new dnnl_primitive();
    check(dnnl.dnnl_primitive_create(conv, convDesc), "dnnl_primitive_create");
    primitives.add(conv);
    // the user's layouts: images channel-major (C, N, H, W is oneDNN's "bacd" of N, C, H, W)
    src = stage(desc(srcDims, dnnl.dnnl_bacd), dnnl.dnnl_query_src_md, true);
    weights = stage(desc(weightDims, dnnl.dnnl_oihw), dnnl.dnnl_query_weights_md, true);
    dst = stage(desc(dstDims, dnnl.dnnl_bacd), dnnl.dnnl_query_dst_md, false);
    convArgs = new dnnl_exec_arg_t(3);
    buffers.add(convArgs);
    convArgs.position(0).arg(DNNL_ARG_SRC).memory(src.primitive);
    convArgs.position(1).arg(DNNL_ARG_WEIGHTS).memory(weights.primitive);
    convArgs.position(2).arg(DNNL_ARG_DST).memory(dst.primitive);
    convArgs.position(0);
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

  /**
   * One argument of the convolution: the user's buffer in its own layout, the primitive's memory in
   * the layout the convolution chose, and the reorder between them (input: user to primitive;
   * output: primitive to user), or none when the layouts are the same.
   */
  private static final class Staged {
    FloatPointer user;
    dnnl_memory userMemory;
    dnnl_memory primitive;
    dnnl_primitive reorder;
    dnnl_exec_arg_t reorderArgs;
  }

  private Staged stage(dnnl_memory_desc userDesc, int query, boolean input) {
    Staged s = new Staged();
    dnnl_memory_desc chosen = dnnl.dnnl_primitive_desc_query_md(convDesc, query, 0);
    long values = dnnl.dnnl_memory_desc_get_size(userDesc) / Float.BYTES;
    s.user = new FloatPointer(values);
    buffers.add(s.user);
    s.userMemory = memory(userDesc, s.user);
    if (dnnl.dnnl_memory_desc_equal(userDesc, chosen) != 0) {
      s.primitive = s.userMemory;
      return s;
    }
    s.primitive = memory(chosen, ALLOCATE);
    dnnl_memory_desc from = input ? userDesc : chosen;
    dnnl_memory_desc to = input ? chosen : userDesc;
    dnnl_primitive_desc pd = new dnnl_primitive_desc();
    check(
        dnnl.dnnl_reorder_primitive_desc_create(pd, from, engine, to, engine, null),
        "dnnl_reorder_primitive_desc_create");
    primitiveDescs.add(pd);
    s.reorder = new dnnl_primitive();
    check(dnnl.dnnl_primitive_create(s.reorder, pd), "dnnl_primitive_create (reorder)");
    primitives.add(s.reorder);
    s.reorderArgs = new dnnl_exec_arg_t(2);
    buffers.add(s.reorderArgs);
    s.reorderArgs.position(0).arg(DNNL_ARG_FROM).memory(input ? s.userMemory : s.primitive);
    s.reorderArgs.position(1).arg(DNNL_ARG_TO).memory(input ? s.primitive : s.userMemory);
    s.reorderArgs.position(0);
    return s;
  }

  private dnnl_memory memory(dnnl_memory_desc d, Pointer handle) {
    dnnl_memory m = new dnnl_memory();
    check(dnnl.dnnl_memory_create(m, d, engine, handle), "dnnl_memory_create");
    memories.add(m);
    return m;
  }

  private void reorder(Staged s) {
    if (s.reorder != null) {
      execute(s.reorder, 2, s.reorderArgs, "reorder");
    }
  }

  private void execute(dnnl_primitive p, int count, dnnl_exec_arg_t args, String what) {
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

  /** Sets the input: channel-major images, {@code in × batch × height × width} values. */
  public void setInput(float[] channelMajor) {
    requireOpen();
    put(src.user, channelMajor, (long) in * batch * height * width, "input");
    reorder(src);
  }

  /**
   * Sets the weights, {@code out × in × K × K} values (PyTorch's {@code weight[o][c][ky][kx]}, the
   * engine's dense convolution weight).
   */
  public void setWeights(float[] oihw) {
    requireOpen();
    put(weights.user, oihw, (long) out * in * kernel * kernel, "weights");
    reorder(weights);
  }

  /** The convolution, in the layouts the primitive chose: no reorder. */
  public void forward() {
    requireOpen();
    execute(conv, 3, convArgs, "convolution");
  }

  /** The output of the last {@link #forward}, channel-major: {@code out × batch × H × W}. */
  public float[] output() {
    requireOpen();
    reorder(dst);
    float[] y = new float[Math.toIntExact((long) out * batch * height * width)];
    dst.user.position(0).get(y);
    return y;
  }

  /** oneDNN's name of the implementation it runs, e.g. {@code brg_conv_fwd:avx512_core}. */
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
    return (long) out * in * kernel * kernel * batch * height * width;
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
