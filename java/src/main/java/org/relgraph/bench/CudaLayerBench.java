package org.relgraph.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.relgraph.engine.cuda.CudaBackend;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.nn.ExecutionMode;

/**
 * {@code relgraph bench layers --backend cuda}: the CUDA backend's block-sparse kernels against
 * cuBLAS on the same layers as {@link LayerBench} (64-node WS-flex patterns and the complete graph,
 * each width → width): masked (cuBLAS on {@code W ⊙ M}) on every pattern, dense (cuBLAS) on the
 * complete graph, and the FLOP-matched dense baseline at width {@link LayerBench#DENSE_WIDTH}. Rows
 * have {@link LayerBench#HEADER}'s columns; the backend column reads {@code cuda-blocksparse},
 * {@code cuda-masked} or {@code cuda-dense}. Each time is the median over samples of back-to-back
 * calls, measured with the device's events after a warm-up.
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

  /** Runs every configuration, handing each row to {@code each} as it is measured. */
  public List<LayerBench.Row> run(Consumer<LayerBench.Row> each) {
    List<LayerBench.Row> rows = new ArrayList<>();
    for (int batch : config.batches()) {
      for (int width : config.widths()) {
        for (double p : config.patterns()) {
          RelationalGraph g = LayerBench.graph(LayerBench.NODES, p);
          for (ExecutionMode mode : LayerBench.modes(p)) {
            time(mode, g, width, batch, rows, each);
          }
        }
      }
      time(
          ExecutionMode.DENSE,
          LayerBench.graph(LayerBench.NODES, LayerBench.COMPLETE),
          LayerBench.DENSE_WIDTH,
          batch,
          rows,
          each);
    }
    return rows;
  }

  private void time(
      ExecutionMode mode,
      RelationalGraph g,
      int width,
      int batch,
      List<LayerBench.Row> rows,
      Consumer<LayerBench.Row> each) {
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
    }
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
