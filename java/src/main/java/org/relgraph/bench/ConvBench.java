package org.relgraph.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.relgraph.engine.Backend;
import org.relgraph.engine.CpuBackend;
import org.relgraph.engine.MemoryLimits;
import org.relgraph.engine.OneDnnConv;
import org.relgraph.engine.Tensor;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.io.CsvText;
import org.relgraph.model.ChannelPartition;
import org.relgraph.nn.Conv;
import org.relgraph.nn.ExecutionMode;

/**
 * Time of relational convolutions against the fastest dense convolution of the CPU, at the shapes
 * of the paper's networks: {@code relgraph bench convs} and the JMH {@code ConvBenchmark}.
 *
 * <p><b>Shapes.</b> A {@code K × K} convolution ({@code K} = 3 or 1, stride 1, padding {@code K/2})
 * {@code C → C} on {@code S × S} images, {@code (C, S)} a stage of the paper's CIFAR CNN (64/32,
 * 128/16, 256/8) or of ResNet-34 (64/56, 128/28, 256/14, 512/7), over a batch. Activations are
 * channel-major, {@code C × batch × S × S}, as the engine keeps them.
 *
 * <p><b>Rows</b>, per batch, shape and kernel, all forward only (op {@code forward}):
 *
 * <ul>
 *   <li>{@value #ONEDNN}: oneDNN's own convolution primitive at width {@code C} ({@link
 *       OneDnnConv}: its preferred layouts, reorders outside the timed loop);
 *   <li>{@code dense} at width {@code C}: the engine's dense {@link Conv} (im2col, then one sgemm
 *       through the backend's dense library); the baseline is the faster of these two;
 *   <li>{@code blocksparse}, {@code masked} and {@code dense} at the matched width {@code w}: the
 *       relational convolution {@code w → w} over the 64-node WS-flex graph with {@code k/n =
 *       0.125} ({@link LayerBench#graph}), {@code w} the smallest width whose multiply-adds reach
 *       the dense convolution's at {@code C} ({@link StackMatching#layerMatchedWidth}), and a dense
 *       convolution at that width for scale.
 * </ul>
 *
 * <p><b>Useful GFLOP/s</b>: {@code 2 × multiply-adds of existing blocks × batch × S² / time} (the
 * masked mode computes the whole dense product, but only existing blocks count).
 *
 * <p><b>Timing</b>: the layer benchmark's warm-up and median of samples; a configuration's
 * baselines and block-sparse convolution side by side ({@link LayerBench#interleavedMedianSeconds}:
 * their samples taken in turns, so that a shared machine's busy spells fall on all of them alike),
 * then the masked and wide dense ones on their own ({@link LayerBench#medianSeconds}); the first
 * configuration runs for {@link LayerBench.Timing#startupSeconds()} first.
 */
public final class ConvBench {
  /** The CSV header. */
  public static final String HEADER =
      "backend,op,net,stage,kernel,batch,channels,size,width,nodes,density,ms,gflops";

  /** The backend column of oneDNN's convolution primitive. */
  public static final String ONEDNN = "onednn-conv";

  /** The op column: every row times the forward pass. */
  public static final String OP = "forward";

  /** Pattern (k/n) of the relational convolutions. */
  public static final double PATTERN = 0.125;

  /** Batches of the full run. */
  public static final int[] BATCHES = {32, 128};

  /** Kernels of every run. */
  public static final int[] KERNELS = {3, 1};

  /**
   * One convolution shape of a network: stage {@code stage} (from 1) of {@code net}, {@code
   * channels} in and out on {@code size × size} images.
   */
  public record Shape(String net, int stage, int channels, int size) {
    /** Checks the values. */
    public Shape {
      if (channels < LayerBench.NODES || size < 1 || stage < 1) {
        throw new IllegalArgumentException(
            "shape " + net + " stage " + stage + ": " + channels + " channels, size " + size);
      }
    }

    /** {@code cifar stage 2 (128 ch, 16x16)}. */
    public String text() {
      return String.format(
          Locale.ROOT, "%s stage %d (%d ch, %dx%d)", net, stage, channels, size, size);
    }
  }

  /** The stages of the paper's CIFAR-10 CNN. */
  public static final List<Shape> CIFAR =
      List.of(
          new Shape("cifar", 1, 64, 32),
          new Shape("cifar", 2, 128, 16),
          new Shape("cifar", 3, 256, 8));

  /** The stages of ResNet-34 on ImageNet (224 × 224 input). */
  public static final List<Shape> RESNET34 =
      List.of(
          new Shape("resnet34", 1, 64, 56),
          new Shape("resnet34", 2, 128, 28),
          new Shape("resnet34", 3, 256, 14),
          new Shape("resnet34", 4, 512, 7));

  /** Every shape: the CIFAR CNN's stages, then ResNet-34's. */
  public static List<Shape> allShapes() {
    List<Shape> out = new ArrayList<>(CIFAR);
    out.addAll(RESNET34);
    return List.copyOf(out);
  }

  /** The shape named {@code net} and {@code stage}. */
  public static Shape shape(String net, int stage) {
    for (Shape s : allShapes()) {
      if (s.net().equals(net) && s.stage() == stage) {
        return s;
      }
    }
    throw new IllegalArgumentException("no shape " + net + " stage " + stage);
  }

  /**
   * What to run.
   *
   * @param shapes convolution shapes
   * @param kernels kernel sizes (1, 3)
   * @param batches batch sizes
   * @param threads threads of the backend and of oneDNN
   * @param timing how long to measure
   */
  public record Config(
      List<Shape> shapes, int[] kernels, int[] batches, int threads, LayerBench.Timing timing) {
    /** Copies and checks every value before any work. */
    public Config {
      shapes = List.copyOf(shapes);
      kernels = kernels.clone();
      batches = batches.clone();
      if (shapes.isEmpty() || kernels.length == 0 || batches.length == 0) {
        throw new IllegalArgumentException("need at least one shape, kernel and batch");
      }
      for (int k : kernels) {
        if (k != 1 && k != 3) {
          throw new IllegalArgumentException("kernel " + k + " must be 1 or 3");
        }
      }
      for (int b : batches) {
        if (b < 1) {
          throw new IllegalArgumentException("batch " + b + " must be >= 1");
        }
        for (Shape s : shapes) {
          for (int k : kernels) {
            long cols = (long) matchedWidth(s.channels()) * k * k * b * s.size() * s.size();
            if (cols > MemoryLimits.MAX_TENSOR_VALUES) {
              throw new IllegalArgumentException(
                  "batch "
                      + b
                      + " at "
                      + s.text()
                      + ": the im2col matrix would be more values than a tensor holds"
                      + " (2^31 - 9)");
            }
          }
        }
      }
      if (threads < 1 || threads > 1024) {
        throw new IllegalArgumentException("threads = " + threads + " outside [1, 1024]");
      }
    }

    /** Every shape and kernel at {@link #BATCHES}. */
    public static Config full(int threads) {
      return new Config(allShapes(), KERNELS, BATCHES, threads, LayerBench.Timing.NORMAL);
    }

    /** {@code --quick}: the last CIFAR and ResNet-34 stages, both kernels, batch 32. */
    public static Config quick(int threads) {
      return new Config(
          List.of(shape("cifar", 3), shape("resnet34", 4)),
          KERNELS,
          new int[] {32},
          threads,
          LayerBench.Timing.QUICK);
    }

    /** This config with other batches. */
    public Config withBatches(int[] batches) {
      return new Config(shapes, kernels, batches, threads, timing);
    }

    @Override
    public int[] kernels() {
      return kernels.clone();
    }

    @Override
    public int[] batches() {
      return batches.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Config c
          && shapes.equals(c.shapes)
          && Arrays.equals(kernels, c.kernels)
          && Arrays.equals(batches, c.batches)
          && threads == c.threads
          && timing.equals(c.timing);
    }

    @Override
    public int hashCode() {
      return shapes.hashCode() * 31 + Arrays.hashCode(kernels) + Arrays.hashCode(batches);
    }

    @Override
    public String toString() {
      return "Config(shapes="
          + shapes
          + ", kernels="
          + Arrays.toString(kernels)
          + ", batches="
          + Arrays.toString(batches)
          + ", threads="
          + threads
          + ", "
          + timing
          + ")";
    }
  }

  /** One CSV row: {@code channels} is the shape's (baseline) width, {@code width} the timed one. */
  public record Row(
      String backend,
      Shape shape,
      int kernel,
      int batch,
      int width,
      int nodes,
      double density,
      double ms,
      double gflops) {
    /** The row as CSV, matching {@link #HEADER}. */
    public String csv() {
      return String.format(
          Locale.ROOT,
          "%s,%s,%s,%d,%d,%d,%d,%d,%d,%d,%.6f,%.4f,%s",
          CsvText.field(backend),
          OP,
          CsvText.field(shape.net()),
          shape.stage(),
          kernel,
          batch,
          shape.channels(),
          shape.size(),
          width,
          nodes,
          density,
          ms,
          LayerBench.Row.gflopsText(gflops));
    }

    /** Whether this row times the configuration {@code (shape, kernel, batch)}. */
    boolean of(Shape s, int k, int b) {
      return shape.equals(s) && kernel == k && batch == b;
    }
  }

  /** The graph of the relational convolutions. */
  public static RelationalGraph graph() {
    return LayerBench.graph(LayerBench.NODES, PATTERN);
  }

  /**
   * The FLOP-matched width of a relational convolution standing in for a dense one of {@code c}.
   */
  public static int matchedWidth(int channels) {
    return StackMatching.layerMatchedWidth(graph(), channels, LayerBench.SEED);
  }

  private final Config config;
  private final CpuBackend backend;
  private final String sgemmNote;
  private final boolean oneDnn;
  private final String oneDnnMissing;
  private final Map<String, Double> floors = new LinkedHashMap<>();

  /**
   * A benchmark of {@code backend} (its instruction set and dense library, which {@code sgemmNote}
   * describes: {@link DenseChoice#describe()}), whose thread count must be {@code
   * config.threads()}. oneDNN's convolution takes part where oneDNN loads with that thread count.
   */
  public ConvBench(Config config, CpuBackend backend, String sgemmNote) {
    if (backend.threads() != config.threads()) {
      throw new IllegalArgumentException(
          "backend threads " + backend.threads() + " != config threads " + config.threads());
    }
    this.config = config;
    this.backend = backend;
    this.sgemmNote = sgemmNote;
    String missing = null;
    try {
      new OneDnnConv(LayerBench.NODES, LayerBench.NODES, 1, 1, 1, 1, config.threads()).close();
    } catch (IllegalStateException e) {
      missing = e.getMessage().lines().findFirst().orElse("");
    }
    this.oneDnn = missing == null;
    this.oneDnnMissing = missing;
  }

  /** Whether oneDNN's convolution is timed. */
  public boolean oneDnnTimed() {
    return oneDnn;
  }

  /**
   * The CSV's first line: the dense libraries and the engine's sgemm choice (with its times), what
   * the baseline is (the faster of oneDNN's convolution primitive, named with its implementation,
   * and the engine's im2col + sgemm, per configuration), what is timed, the relational graph, the
   * block-sparse instruction set and the FMA peak.
   */
  public String comment() {
    String dnn;
    if (oneDnn) {
      try (OneDnnConv probe = probe()) {
        dnn =
            "onednn-conv: oneDNN convolution primitive, impl "
                + probe.implementation()
                + String.format(
                    Locale.ROOT,
                    " at %s %dx%d batch %d",
                    config.shapes().get(0).text(),
                    config.kernels()[0],
                    config.kernels()[0],
                    config.batches()[0])
                + ", its own layouts, reorders untimed";
      }
    } else {
      dnn = "onednn-conv not timed (" + oneDnnMissing + ")";
    }
    String base =
        LayerBench.comment(backend, config.threads(), config.timing().fmaSeconds(), sgemmNote);
    return base
        + String.format(
            Locale.ROOT,
            "; baseline: per configuration the faster of %s and dense (im2col + %s sgemm), their"
                + " times in the rows, the choice in the closing lines; timed: forward only;"
                + " relational: %d-node WS-flex k/n=%s p=%s, FLOP-matched width",
            dnn,
            backend.denseLibrary().label(),
            LayerBench.NODES,
            PATTERN,
            LayerBench.REWIRE);
  }

  private OneDnnConv probe() {
    Shape s = config.shapes().get(0);
    return new OneDnnConv(
        s.channels(),
        s.channels(),
        config.kernels()[0],
        config.batches()[0],
        s.size(),
        s.size(),
        config.threads());
  }

  /**
   * Runs every configuration, in order batch, shape, kernel: {@value #ONEDNN} (where it loads),
   * dense at the shape's width and block-sparse at the matched width, timed side by side, then
   * masked and dense at the matched width. Each row goes to {@code each} as soon as it is measured.
   */
  public List<Row> run(Consumer<Row> each) {
    List<Row> rows = new ArrayList<>();
    RelationalGraph graph = graph();
    boolean first = true;
    for (int batch : config.batches()) {
      for (Shape shape : config.shapes()) {
        int w = matchedWidth(shape.channels());
        for (int kernel : config.kernels()) {
          // the baselines and the block-sparse convolution side by side, then the others
          List<Case> together = new ArrayList<>();
          if (oneDnn) {
            together.add(new Case(null, shape, kernel, batch, shape.channels()));
          }
          together.add(new Case(ExecutionMode.DENSE, shape, kernel, batch, shape.channels()));
          together.add(new Case(ExecutionMode.BLOCKSPARSE, shape, kernel, batch, w));
          List<Timed> timed = new ArrayList<>();
          try {
            for (Case c : together) {
              timed.add(c.create(backend, graph, LayerBench.DATA_SEED));
            }
            if (first) {
              first = false;
              startUp(timed.get(0));
            }
            double[] seconds =
                LayerBench.interleavedMedianSeconds(
                    timed.stream().map(t -> (Runnable) t::forward).toList(), config.timing());
            for (int i = 0; i < timed.size(); i++) {
              Row r = timed.get(i).row(seconds[i]);
              rows.add(r);
              each.accept(r);
            }
            Runnable floor = timed.get(timed.size() - 1).floor();
            if (floor != null) {
              floors.put(
                  floorKey(shape, kernel, batch),
                  1e3 * LayerBench.medianSeconds(floor, config.timing()));
            }
          } finally {
            for (Timed t : timed) {
              t.close();
            }
          }
          for (Case c :
              List.of(
                  new Case(ExecutionMode.MASKED, shape, kernel, batch, w),
                  new Case(ExecutionMode.DENSE, shape, kernel, batch, w))) {
            try (Timed t = c.create(backend, graph, LayerBench.DATA_SEED)) {
              Row r = t.row(LayerBench.medianSeconds(t::forward, config.timing()));
              rows.add(r);
              each.accept(r);
            }
          }
        }
      }
    }
    return rows;
  }

  /** Runs {@code t} for the timing's start-up seconds: the first configuration's, once. */
  private void startUp(Timed t) {
    long end = System.nanoTime() + (long) (config.timing().startupSeconds() * 1e9);
    do {
      t.forward();
    } while (System.nanoTime() < end);
  }

  /**
   * One configuration to time: {@code mode} null for oneDNN's convolution, else the engine's
   * convolution in that mode (dense over the complete graph).
   */
  public record Case(ExecutionMode mode, Shape shape, int kernel, int batch, int width) {
    /** Builds it with seeded random data. */
    public Timed create(CpuBackend backend, RelationalGraph graph, long seed) {
      return mode == null
          ? OneDnnCase.create(this, backend.threads(), seed)
          : EngineCase.create(this, backend, graph, seed);
    }
  }

  /** A convolution ready to time. */
  public interface Timed extends AutoCloseable {
    /** One forward pass. */
    void forward();

    /** The output of the last forward, channel-major (for checks). */
    float[] output();

    /** The CSV row of a forward pass taking {@code seconds}. */
    Row row(double seconds);

    /**
     * A pass that reads the convolution's input and writes its output once each and computes
     * nothing more (a ReLU from one into the other), or null: the memory floor of {@link
     * #forward()}. It overwrites what {@link #output()} returns until the next forward pass.
     */
    default Runnable floor() {
      return null;
    }

    @Override
    void close();
  }

  /** Seeded uniform values in {@code ±scale}. */
  static float[] random(int n, double scale, SplittableRandom rng) {
    float[] v = new float[n];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) ((rng.nextDouble() * 2 - 1) * scale);
    }
    return v;
  }

  private static Row row(Case c, int nodes, double density, long multiplyAdds, double seconds) {
    return new Row(
        c.mode() == null ? ONEDNN : c.mode().label(),
        c.shape(),
        c.kernel(),
        c.batch(),
        c.width(),
        nodes,
        density,
        seconds * 1e3,
        2.0 * multiplyAdds / seconds / 1e9);
  }

  /** The engine's convolution with its tensors. */
  private static final class EngineCase implements Timed {
    private final Case c;
    private final Backend backend;
    private final Conv conv;
    private final double density;
    private Tensor x;
    private Tensor y;

    private EngineCase(Case c, Backend backend, Conv conv, double density) {
      this.c = c;
      this.backend = backend;
      this.conv = conv;
      this.density = density;
    }

    static EngineCase create(Case c, Backend backend, RelationalGraph graph, long seed) {
      int w = c.width();
      Conv conv =
          c.mode() == ExecutionMode.DENSE
              ? Conv.dense(backend, "conv", w, w, c.kernel(), 1)
              : Conv.relational(
                  backend,
                  "conv",
                  c.mode(),
                  graph,
                  ChannelPartition.of(w, graph.nodeCount(), LayerBench.SEED),
                  ChannelPartition.of(w, graph.nodeCount(), LayerBench.SEED),
                  c.kernel(),
                  1);
      EngineCase e = new EngineCase(c, backend, conv, conv.product().blockDensity());
      try {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor weight = conv.product().weight().value();
        weight.copyFrom(
            random(weight.size(), 1 / Math.sqrt((double) w * c.kernel() * c.kernel()), rng));
        int s = c.shape().size();
        e.x =
            backend.of(
                random(Math.multiplyExact(w, c.batch() * s * s), 1, rng), w, c.batch(), s, s);
        e.y = backend.zeros(w, c.batch(), s, s);
        return e;
      } catch (RuntimeException | Error ex) {
        e.close();
        throw ex;
      }
    }

    @Override
    public void forward() {
      conv.forward(backend, x, y, true);
    }

    @Override
    public float[] output() {
      return y.toArray();
    }

    @Override
    public Runnable floor() {
      return () -> backend.relu(x, y);
    }

    @Override
    public Row row(double seconds) {
      int s = c.shape().size();
      long mads = conv.multiplyAddsPerPixel() * c.batch() * s * s;
      return ConvBench.row(c, LayerBench.NODES, density, mads, seconds);
    }

    @Override
    public void close() {
      if (x != null) {
        x.close();
      }
      if (y != null) {
        y.close();
      }
      conv.close();
    }
  }

  /** oneDNN's convolution with its data. */
  private static final class OneDnnCase implements Timed {
    private final Case c;
    private final OneDnnConv conv;

    private OneDnnCase(Case c, OneDnnConv conv) {
      this.c = c;
      this.conv = conv;
    }

    static OneDnnCase create(Case c, int threads, long seed) {
      int w = c.width();
      int k = c.kernel();
      int s = c.shape().size();
      OneDnnConv conv = new OneDnnConv(w, w, k, c.batch(), s, s, threads);
      try {
        SplittableRandom rng = new SplittableRandom(seed);
        conv.setWeights(random(w * w * k * k, 1 / Math.sqrt((double) w * k * k), rng));
        conv.setInput(random(Math.multiplyExact(w, c.batch() * s * s), 1, rng));
        return new OneDnnCase(c, conv);
      } catch (RuntimeException | Error e) {
        conv.close();
        throw e;
      }
    }

    @Override
    public void forward() {
      conv.forward();
    }

    @Override
    public float[] output() {
      return conv.output();
    }

    @Override
    public Row row(double seconds) {
      return ConvBench.row(c, LayerBench.NODES, 1, conv.multiplyAdds(), seconds);
    }

    @Override
    public void close() {
      conv.close();
    }
  }

  /** Columns of the sgemm shapes {@link #sgemmShapes} gives, at most. */
  public static final int SGEMM_COLUMNS = 4096;

  /**
   * The dense products of the engine's dense convolutions at the shapes' widths, {@code {C, C·K²,
   * columns}} each, as {@link DenseChoice#choose} takes them (to pick the faster sgemm before the
   * run): the im2col matrix's columns ({@code batch · S²} of the first batch) capped at {@value
   * #SGEMM_COLUMNS}, so that the choice stays short.
   */
  public static List<int[]> sgemmShapes(Config config) {
    List<int[]> out = new ArrayList<>();
    int batch = config.batches()[0];
    for (Shape s : config.shapes()) {
      for (int k : config.kernels()) {
        int cols = (int) Math.min(SGEMM_COLUMNS, (long) batch * s.size() * s.size());
        int[] shape = {s.channels(), s.channels() * k * k, cols};
        if (out.stream().noneMatch(o -> Arrays.equals(o, shape))) {
          out.add(shape);
        }
      }
    }
    return out;
  }

  /**
   * The memory a run needs at its peak (one configuration at a time): the largest engine
   * convolution's im2col matrix, images, weights (with gradient, and the masked mode's mask and
   * scratch), and the staged random values on the heap. (The baselines and the block-sparse
   * convolution, alive together, need less than the dense one at the matched width.)
   */
  public static LayerBench.Memory memory(Config config) {
    LayerBench.Memory peak = new LayerBench.Memory(0, 0, "nothing");
    for (int batch : config.batches()) {
      for (Shape s : config.shapes()) {
        int w = matchedWidth(s.channels());
        for (int k : config.kernels()) {
          long pixels = (long) batch * s.size() * s.size();
          long cols = k == 1 ? 0 : (long) w * k * k * pixels;
          long weights = (long) w * w * k * k;
          long nat = 4 * (cols + 2L * w * pixels + 4 * weights);
          long heap = 4 * Math.max((long) w * pixels, weights);
          if (heap + nat > peak.heapBytes() + peak.nativeBytes()) {
            peak =
                new LayerBench.Memory(
                    heap,
                    nat,
                    String.format(
                        Locale.ROOT, "%s %dx%d, batch %d, width %d", s.text(), k, k, batch, w));
          }
        }
      }
    }
    return peak;
  }

  /**
   * Lines that compare, per configuration, the block-sparse convolution at the matched width with
   * the baseline (the faster of {@value #ONEDNN} and the engine's dense convolution at the shape's
   * width), and the masked with the block-sparse: {@code cifar stage 3 (256 ch, 8x8) 3x3, batch 32:
   * baseline onednn-conv 1.234 ms (dense 1.500 ms); blocksparse w=683 2.000 ms = 1.62x baseline;
   * masked/blocksparse = 2.10x}.
   */
  public static List<String> summary(List<Row> rows) {
    return summary(rows, Map.of());
  }

  /**
   * {@link #summary(List)}, each line ending with the configuration's memory floor where {@code
   * floors} has one ({@link #floors()}): {@code ; memory floor 1.100 ms = 0.89x baseline}.
   */
  public static List<String> summary(List<Row> rows, Map<String, Double> floors) {
    List<String> out = new ArrayList<>();
    List<Row> seen = new ArrayList<>();
    for (Row r : rows) {
      if (seen.stream().anyMatch(q -> q.of(r.shape(), r.kernel(), r.batch()))) {
        continue;
      }
      seen.add(r);
      Row dnn = find(rows, r, ONEDNN, true);
      Row dense = find(rows, r, ExecutionMode.DENSE.label(), true);
      Row bs = find(rows, r, ExecutionMode.BLOCKSPARSE.label(), false);
      Row masked = find(rows, r, ExecutionMode.MASKED.label(), false);
      if (dense == null || bs == null) {
        continue;
      }
      Row base = dnn != null && dnn.ms() < dense.ms() ? dnn : dense;
      Row other = base == dense ? dnn : dense;
      StringBuilder b =
          new StringBuilder(
              String.format(
                  Locale.ROOT,
                  "%s %dx%d, batch %d: baseline %s %.3f ms",
                  r.shape().text(),
                  r.kernel(),
                  r.kernel(),
                  r.batch(),
                  base.backend(),
                  base.ms()));
      b.append(
          other == null
              ? " (onednn-conv not timed)"
              : String.format(Locale.ROOT, " (%s %.3f ms)", other.backend(), other.ms()));
      b.append(
          String.format(
              Locale.ROOT,
              "; blocksparse w=%d %.3f ms = %.2fx baseline",
              bs.width(),
              bs.ms(),
              bs.ms() / base.ms()));
      if (masked != null) {
        b.append(String.format(Locale.ROOT, "; masked/blocksparse = %.2fx", masked.ms() / bs.ms()));
      }
      Double floor = floors.get(floorKey(r.shape(), r.kernel(), r.batch()));
      if (floor != null) {
        b.append(
            String.format(
                Locale.ROOT, "; memory floor %.3f ms = %.2fx baseline", floor, floor / base.ms()));
      }
      out.add(b.toString());
    }
    return out;
  }

  /**
   * The memory floor of each configuration's block-sparse convolution that {@link #run} timed, in
   * ms, by {@link #floorKey}: a ReLU from its input into its output (matched width × batch × S²
   * values each), the least time in which any pass can read the one and write the other where they
   * do not stay in cache. Where the floor is a large share of the baseline's time, as for a 1x1
   * convolution of few channels, the matched width's larger activations bound the ratio.
   */
  public Map<String, Double> floors() {
    return Collections.unmodifiableMap(floors);
  }

  /** The key of a configuration in {@link #floors()}. */
  public static String floorKey(Shape shape, int kernel, int batch) {
    return shape.text() + " " + kernel + "x" + kernel + " batch " + batch;
  }

  /** The row of {@code backend} in {@code like}'s configuration, at the shape's width or not. */
  private static Row find(List<Row> rows, Row like, String backend, boolean atShapeWidth) {
    for (Row r : rows) {
      if (r.of(like.shape(), like.kernel(), like.batch())
          && r.backend().equals(backend)
          && (r.width() == r.shape().channels()) == atShapeWidth) {
        return r;
      }
    }
    return null;
  }
}
