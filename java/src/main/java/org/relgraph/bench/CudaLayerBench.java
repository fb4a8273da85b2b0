package org.relgraph.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.relgraph.engine.BlockSparseLayout;
import org.relgraph.engine.Tensor;
import org.relgraph.engine.cuda.BsrProduct;
import org.relgraph.engine.cuda.CudaBackend;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.nn.ExecutionMode;
import org.relgraph.nn.Linear;

/**
 * {@code relgraph bench layers --backend cuda}: the CUDA backend's block-sparse kernels against
 * cuBLAS on the same layers as {@link LayerBench} (64-node WS-flex patterns and the complete graph,
 * each width → width): masked (cuBLAS on {@code W ⊙ M}) on every pattern, dense (cuBLAS) on the
 * complete graph, and the FLOP-matched dense baseline at width {@link LayerBench#DENSE_WIDTH}. Rows
 * have {@link LayerBench#HEADER}'s columns; the backend column reads {@code cuda-blocksparse},
 * {@code cuda-masked} or {@code cuda-dense}. After each block-sparse layer, cuSPARSE's BSR forward
 * product on the same blocks ({@value #CUSPARSE_BSR}, forward only), where the blocks are of one
 * size; elsewhere that row is skipped with its reason. Each time is the median over samples of
 * back-to-back calls, measured with the device's events after a warm-up.
 */
public final class CudaLayerBench {
  private final LayerBench.Config config;
  private final CudaBackend backend;

  /** A benchmark of {@code config} on {@code backend} (not closed here). */
  public CudaLayerBench(LayerBench.Config config, CudaBackend backend) {
    this.config = config;
    this.backend = backend;
  }

  /** The comment line: the device and the gemm's math mode. */
  public String comment() {
    return String.format(
        Locale.ROOT,
        "# relgraph bench layers --backend cuda: %s; cuBLAS SGEMM math %s; median of %d samples",
        backend.device().description(),
        backend.device().mathMode().name().toLowerCase(Locale.ROOT),
        config.timing().samples());
  }

  /** The backend column of cuSPARSE's BSR forward rows. */
  public static final String CUSPARSE_BSR = "cuda-cusparse-bsr";

  /** Runs every configuration, handing each row to {@code each} as it is measured. */
  public List<LayerBench.Row> run(Consumer<LayerBench.Row> each) {
    return run(each, note -> {});
  }

  /**
   * Runs every configuration, handing each row to {@code each} as it is measured and each row it
   * skips, with the reason, to {@code skipped} (one line, e.g. cuSPARSE's BSR row at a width whose
   * blocks differ in size).
   */
  public List<LayerBench.Row> run(Consumer<LayerBench.Row> each, Consumer<String> skipped) {
    List<LayerBench.Row> rows = new ArrayList<>();
    for (int batch : config.batches()) {
      for (int width : config.widths()) {
        for (double p : config.patterns()) {
          RelationalGraph g = LayerBench.graph(LayerBench.NODES, p);
          for (ExecutionMode mode : LayerBench.modes(p)) {
            time(mode, g, width, batch, rows, each, skipped);
          }
        }
      }
      time(
          ExecutionMode.DENSE,
          LayerBench.graph(LayerBench.NODES, LayerBench.COMPLETE),
          LayerBench.DENSE_WIDTH,
          batch,
          rows,
          each,
          skipped);
    }
    return rows;
  }

  private void time(
      ExecutionMode mode,
      RelationalGraph g,
      int width,
      int batch,
      List<LayerBench.Row> rows,
      Consumer<LayerBench.Row> each,
      Consumer<String> skipped) {
    try (LayerBench.Layer layer =
        LayerBench.Layer.create(backend, mode, g, width, width, batch, LayerBench.DATA_SEED)) {
      for (LayerBench.Op op : LayerBench.LAYER_OPS) {
        double seconds = medianSeconds(backend, () -> layer.run(op), config.timing());
        LayerBench.Row r = layer.row(op, seconds);
        LayerBench.Row labelled =
            new LayerBench.Row(
                "cuda-" + r.backend(),
                r.op(),
                r.batch(),
                r.width(),
                r.nodes(),
                r.density(),
                r.ms(),
                r.gflops());
        rows.add(labelled);
        each.accept(labelled);
      }
      if (mode == ExecutionMode.BLOCKSPARSE) {
        timeBsr(layer, rows, each, skipped);
      }
    }
  }

  /**
   * cuSPARSE's BSR forward product (legacy {@code bsrmm}, as the GPU check's harness calls it) on
   * the block-sparse layer's own blocks and weights, writing the output batch-major (the same
   * work); skipped, and said so, where the blocks differ in size or cuSPARSE fails.
   */
  private void timeBsr(
      LayerBench.Layer layer,
      List<LayerBench.Row> rows,
      Consumer<LayerBench.Row> each,
      Consumer<String> skipped) {
    BlockSparseLayout layout = ((Linear.BlockSparse) layer.linear()).layout();
    String what =
        String.format(
            Locale.ROOT,
            "%s forward, width %d, density %.6f, batch %d",
            CUSPARSE_BSR,
            layer.out(),
            layer.density(),
            layer.batch());
    java.util.Optional<String> why = BsrProduct.unsupported(layout);
    if (why.isPresent()) {
      skipped.accept(what + ": skipped: " + why.get());
      return;
    }
    double seconds;
    try (BsrProduct bsr =
            BsrProduct.create(backend, layout, layer.linear().weight().value().toArray());
        Tensor x = backend.of(layer.in(), layer.batch(), inputs(layer.in() * layer.batch()));
        Tensor y = backend.zeros(layer.batch(), layer.out())) {
      seconds = medianSeconds(backend, () -> bsr.forward(x, y), config.timing());
    } catch (org.relgraph.engine.NativeException e) {
      skipped.accept(what + ": skipped: " + e.getMessage().lines().findFirst().orElse(""));
      return;
    }
    LayerBench.Row r =
        new LayerBench.Row(
            CUSPARSE_BSR,
            LayerBench.Op.FORWARD.label(),
            layer.batch(),
            layer.out(),
            LayerBench.NODES,
            layer.density(),
            seconds * 1e3,
            2.0 * layer.usefulMultiplyAdds() / seconds / 1e9);
    rows.add(r);
    each.accept(r);
  }

  private static float[] inputs(int count) {
    java.util.SplittableRandom rng = new java.util.SplittableRandom(LayerBench.DATA_SEED);
    float[] v = new float[count];
    for (int i = 0; i < count; i++) {
      v[i] = (float) rng.nextDouble(-1, 1);
    }
    return v;
  }

  /**
   * The median time of one call, in seconds, from device events around samples of back-to-back
   * calls (the calls are asynchronous: host time would measure the launches).
   */
  static double medianSeconds(CudaBackend backend, Runnable op, LayerBench.Timing timing) {
    Runnable synced =
        () -> {
          op.run();
          backend.synchronize();
        };
    // the host-side median with a wait after each call sizes the samples; events time them
    double perCall = LayerBench.medianSeconds(synced, timing);
    int inner =
        (int) Math.max(1, Math.min(1000, timing.targetSeconds() / timing.samples() / perCall));
    double[] s = new double[timing.samples()];
    for (int i = 0; i < s.length; i++) {
      try (var start = backend.device().record()) {
        for (int j = 0; j < inner; j++) {
          op.run();
        }
        try (var end = backend.device().record()) {
          s[i] = end.millisSince(start) / 1e3 / inner;
        }
      }
    }
    java.util.Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }
}
