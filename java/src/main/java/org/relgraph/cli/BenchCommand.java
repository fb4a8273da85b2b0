package org.relgraph.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.relgraph.bench.BaselineCheck;
import org.relgraph.bench.ConvBench;
import org.relgraph.bench.ConvPlot;
import org.relgraph.bench.CudaLayerBench;
import org.relgraph.bench.DenseChoice;
import org.relgraph.bench.LayerBench;
import org.relgraph.bench.LayerPlot;
import org.relgraph.engine.BackendProvider;
import org.relgraph.engine.Backends;
import org.relgraph.engine.BareSgemm;
import org.relgraph.engine.CpuBackend;
import org.relgraph.engine.MemoryLimits;
import org.relgraph.io.OutputFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code relgraph bench}: benchmarks of the engine. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks of the engine.",
    subcommands = {BenchCommand.Layers.class, BenchCommand.Epochs.class, BenchCommand.Convs.class})
final class BenchCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "missing command: layers, epochs or convs");
  }

  /**
   * {@code relgraph bench layers}: time relational layers in the dense, masked, block-sparse modes.
   */
  @Command(
      name = "layers",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Time a relational layer's forward, backward-data and weight-gradient products (and the"
            + " three together, op 'step') in the dense, masked and block-sparse modes, over"
            + " 64-node WS-flex graphs and the complete graph, and the FLOP-matched three-layer"
            + " stack against three dense 512-wide layers (op 'matched_stack').",
        "Prints CSV (backend,op,batch,width,nodes,density,ms,gflops) after a comment line naming"
            + " the dense libraries, the baseline's library and why, the block-sparse instruction"
            + " set and the FMA peak at its vector width; gflops counts existing blocks only. Rows"
            + " of backend 'bare-sgemm' time the dense products as a bare OpenBLAS cblas_sgemm"
            + " loop, rows of 'bare-onednn' as a bare oneDNN dnnl_sgemm loop (where oneDNN loads);"
            + " where the dense baseline is more than 10%% slower than the faster loop, a '#"
            + " WARNING' line ends the CSV and stderr says so.",
        "Per batch and width, the dense layer, its bare loops and the block-sparse layers are"
            + " timed side by side, their samples in turns, so that a busy spell of the machine"
            + " falls on all of them alike (masked layers on their own after); per batch, the"
            + " matched and dense stacks side by side.",
        "OpenBLAS detects the CPU's own kernel unless -Drelgraph.openblas.coretype=TYPE is given"
            + " (RELGRAPH_JAVA_OPTS).",
        "Everything is checked before the first measurement: exit status 2 for an invalid option"
            + " (a width up to "
            + LayerBench.MAX_WIDTH
            + ", whose layer fits one tensor), 1 when"
            + " the largest configuration needs more memory than the JVM may use."
      })
  static final class Layers implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--quick",
        description =
            "Widths 512 and 1539, k/n = 0.125 and the complete graph, batch 128, shorter"
                + " measurements (under 2 minutes).")
    boolean quick;

    @Option(
        names = "--batch",
        arity = "1..*",
        split = ",",
        paramLabel = "N",
        description = "Batch sizes (default: 128 1024; 128 with --quick).")
    List<Integer> batches;

    @picocli.CommandLine.Mixin BackendOption backend = new BackendOption();

    @picocli.CommandLine.Mixin KernelOptions kernels = new KernelOptions();

    @Option(
        names = "--threads",
        paramLabel = "T",
        description = "Threads of the kernels (default: all processors).")
    Integer threads;

    @Option(
        names = {"-o", "--out"},
        paramLabel = "FILE.csv",
        description = "Also write the CSV to this file.")
    Path out;

    @Option(
        names = "--plot",
        paramLabel = "DIR",
        description = "Write DIR/layers_step_b<batch>.{png,svg}: step time against density.")
    Path plot;

    @Option(
        names = "--widths",
        arity = "1..*",
        split = ",",
        paramLabel = "W",
        description = "Layer widths (default: 512 768 1024 1539; 512 1539 with --quick).")
    List<Integer> widths;

    @Option(
        names = "--patterns",
        arity = "1..*",
        split = ",",
        paramLabel = "K/N",
        description =
            "Graph patterns: k/n of WS-flex graphs, or 'complete' (default: 0.125 0.25 0.5 0.75"
                + " complete; 0.125 complete with --quick).")
    List<String> patterns;

    @Override
    public Integer call() throws IOException {
      return guarded(spec.commandLine().getErr(), "bench layers", this::measure);
    }

    private int measure() throws IOException {
      kernels.check(); // before anything loads OpenBLAS, which reads its settings once
      requireNativeBackend(backend.name, "bench layers");
      if (Backends.find(backend.name).name().equals("cuda")) {
        return measureCuda();
      }
      int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
      LayerBench.Config base = quick ? LayerBench.Config.quick(t) : LayerBench.Config.full(t);
      LayerBench.Config config =
          new LayerBench.Config(
              widths != null ? ints(widths) : base.widths(),
              batches != null ? ints(batches) : base.batches(),
              patterns != null ? patterns(patterns) : base.patterns(),
              t,
              base.timing(),
              base.matchedStack());
      PrintWriter stdout = spec.commandLine().getOut();
      PrintWriter stderr = spec.commandLine().getErr();
      if (!ready(
          "layers",
          out,
          plot,
          threads,
          LayerBench.memory(config),
          "narrower widths or smaller batches",
          stderr)) {
        return Main.INPUT;
      }

      CpuBackend.Isa isa = kernels.isa();
      List<int[]> denseShapes = new java.util.ArrayList<>();
      for (int b : config.batches()) {
        for (int w : config.widths()) {
          denseShapes.add(new int[] {w, w, b});
        }
        if (config.matchedStack()) {
          denseShapes.add(new int[] {LayerBench.DENSE_WIDTH, LayerBench.DENSE_WIDTH, b});
        }
      }
      DenseChoice dense =
          DenseChoice.choose(kernels.denseLibrary, denseShapes, t, LayerBench.Timing.QUICK);
      LayerBench bench =
          new LayerBench(config, CpuBackend.create(isa, t, dense.library()), dense.describe());
      String comment = bench.comment();
      stdout.println(comment);
      stdout.println(LayerBench.HEADER);
      stdout.flush();
      List<LayerBench.Row> rows =
          bench.run(
              r -> {
                stdout.println(r.csv());
                stdout.flush();
              });
      List<BaselineCheck> checks = LayerBench.baselineChecks(rows);
      List<String> warnings =
          checks.stream().filter(BaselineCheck::trails).map(c -> "# " + c.line()).toList();
      warnings.forEach(stdout::println);
      stdout.flush();
      if (out != null) {
        List<String> lines =
            new java.util.ArrayList<>(rows.stream().map(LayerBench.Row::csv).toList());
        lines.addAll(warnings);
        writeCsv(out, comment, LayerBench.HEADER, lines);
      }
      if (plot != null) {
        LayerPlot.write(rows, plot);
      }
      for (String line : LayerBench.stackSummary(rows)) {
        stderr.println("relgraph: " + line);
      }
      for (BaselineCheck c : checks) {
        stderr.println("relgraph: " + c.line());
      }
      stderr.flush();
      return 0;
    }

    /** The CUDA backend against cuBLAS (its own rows; the CPU CSV is unchanged). */
    private int measureCuda() throws IOException {
      LayerBench.Config base = quick ? LayerBench.Config.quick(1) : LayerBench.Config.full(1);
      LayerBench.Config config =
          new LayerBench.Config(
              widths != null ? ints(widths) : base.widths(),
              batches != null ? ints(batches) : base.batches(),
              patterns != null ? patterns(patterns) : base.patterns(),
              1,
              base.timing(),
              false);
      if (out != null) {
        OutputFiles.checkFile(out, "--out");
      }
      PrintWriter stdout = spec.commandLine().getOut();
      try (org.relgraph.engine.cuda.CudaBackend cuda =
          (org.relgraph.engine.cuda.CudaBackend) Backends.find("cuda").create(1)) {
        CudaLayerBench bench = new CudaLayerBench(config, cuda);
        stdout.println(bench.comment());
        stdout.println(LayerBench.HEADER);
        stdout.flush();
        List<String> lines = new java.util.ArrayList<>();
        bench.run(
            r -> {
              lines.add(r.csv());
              stdout.println(r.csv());
              stdout.flush();
            },
            skipped -> {
              lines.add("# " + skipped);
              stdout.println("# " + skipped);
              stdout.flush();
            });
        if (out != null) {
          writeCsv(out, bench.comment(), LayerBench.HEADER, lines);
        }
      }
      return 0;
    }

    private static int[] ints(List<Integer> values) {
      return values.stream().mapToInt(Integer::intValue).toArray();
    }

    private static double[] patterns(List<String> values) {
      double[] out = new double[values.size()];
      for (int i = 0; i < out.length; i++) {
        String v = values.get(i).trim().toLowerCase(Locale.ROOT);
        if (v.equals("complete")) {
          out[i] = LayerBench.COMPLETE;
          continue;
        }
        try {
          out[i] = Double.parseDouble(v);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "--patterns '" + values.get(i) + "' is neither a k/n value nor 'complete'");
        }
      }
      return out;
    }
  }

  /** {@code relgraph bench epochs}: training epoch time, sparse against the baseline. */
  @Command(
      name = "epochs",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Time whole training epochs of the paper's MLP: the complete-graph baseline (dense and"
            + " block-sparse) and a FLOP-matched 64-node WS-flex graph (block-sparse and masked),"
            + " taking turns; prints CSV with the median epoch time of each, after comment lines"
            + " naming the kernels and timing the dense network's relational layer against bare"
            + " OpenBLAS and oneDNN sgemm loops (a '# WARNING' line, also on stderr, where the"
            + " baseline is more than 10%% slower than the faster). --model cnn, resnet20 (or another"
            + " conv model) times that network on the data's images instead (without that check),"
            + " --steps a few batches an epoch.",
        "With --backend cuda the same configurations train on the GPU (the comment line names the"
            + " device and cuBLAS's math mode; no bare sgemm lines).",
        "OpenBLAS detects the CPU's own kernel unless -Drelgraph.openblas.coretype=TYPE is given"
            + " (RELGRAPH_JAVA_OPTS)."
      })
  static final class Epochs implements Callable<Integer> {
    @Spec CommandSpec spec;

    @picocli.CommandLine.Mixin TrainCommand.DataOptions data = new TrainCommand.DataOptions();

    @Option(names = "--repeats", defaultValue = "3", description = "epochs per configuration (3)")
    int repeats;

    @Option(names = "--k-over-n", defaultValue = "0.125", description = "sparse graph k/n (0.125)")
    double kOverN;

    @Option(names = "--p", defaultValue = "0.3", description = "sparse graph rewiring (0.3)")
    double p;

    @Option(names = "--graph-seed", defaultValue = "1", description = "sparse graph seed (1)")
    long graphSeed;

    @Option(
        names = "--model",
        defaultValue = "mlp",
        paramLabel = "NAME",
        description =
            "mlp, or a conv model of 'relgraph train --model' (on the data's images; graphs of"
                + " 16 nodes for resnet20) (default: mlp)")
    String model = "mlp";

    @Option(
        names = "--steps",
        paramLabel = "N",
        description = "train N steps (batches) an epoch, on the first N x 128 samples (all)")
    Integer steps;

    @picocli.CommandLine.Mixin BackendOption backend = new BackendOption();

    @picocli.CommandLine.Mixin KernelOptions kernels = new KernelOptions();

    @Option(names = "--threads", paramLabel = "T", description = "threads (all processors)")
    Integer threads;

    @Option(
        names = {"-o", "--out"},
        paramLabel = "FILE.csv",
        description = "Also write the CSV to this file.")
    Path out;

    @Override
    public Integer call() throws IOException {
      return guarded(spec.commandLine().getErr(), "bench epochs", this::measure);
    }

    private int measure() throws IOException {
      kernels.check(); // before anything loads OpenBLAS, which reads its settings once
      requireNativeBackend(backend.name, "bench epochs");
      org.relgraph.train.RunConfig.checkNetwork(model);
      if (steps != null && steps < 1) {
        throw new IllegalArgumentException("--steps = " + steps + " must be >= 1");
      }
      if (Backends.find(backend.name).name().equals("cuda")) {
        return measureCuda();
      }
      PrintWriter stdout = spec.commandLine().getOut();
      PrintWriter stderr = spec.commandLine().getErr();
      if (!ready("epochs", out, null, threads, null, null, stderr)) {
        return Main.INPUT;
      }
      int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
      CpuBackend.Isa isa = kernels.isa();
      org.relgraph.train.Dataset d = data.load();
      if (steps != null) {
        d = EpochSubset.first(d, steps);
      }
      int width = org.relgraph.bench.EpochBench.denseWidth(d);
      DenseChoice dense =
          DenseChoice.choose(
              kernels.denseLibrary,
              List.of(new int[] {width, width, 128}),
              t,
              LayerBench.Timing.QUICK);
      CpuBackend backend = CpuBackend.create(isa, t, dense.library());
      org.relgraph.bench.EpochBench bench =
          new org.relgraph.bench.EpochBench(d, backend, repeats, kOverN, p, graphSeed)
              .forModel(model);
      // a conv model's dense baseline also on oneDNN's convolution primitives, where it loads
      String convBaseline = "";
      if (!org.relgraph.train.RunConfig.MLP.equals(model)) {
        String why = null;
        try {
          bench = bench.withConvBaseline(CpuBackend.withConvolutionPrimitives(isa, t));
        } catch (IllegalStateException e) {
          why = e.getMessage().lines().findFirst().orElse("");
        }
        convBaseline =
            "; dense convolutions: im2col + "
                + dense.library().label()
                + (why == null
                    ? " sgemm, and oneDNN's convolution primitives ("
                        + org.relgraph.bench.EpochBench.CONV_BASELINE
                        + "); time_vs_baseline against the faster"
                    : " sgemm (oneDNN's convolution primitives unavailable: " + why + ")");
      }
      String comment =
          String.format(
              Locale.ROOT,
              "# %s%s, %d train samples%s, batch 128; dense: %s threads=%d; %s; %s; blocksparse: %s"
                  + " threads=%d%s%s",
              d.name(),
              EpochSubset.modelText(model, d),
              d.train().size(),
              steps == null ? "" : " (--steps " + steps + ")",
              CpuBackend.blasDescription(),
              t,
              LayerBench.oneDnnText(),
              dense.describe(),
              backend.isa(),
              t,
              isa == CpuBackend.bestIsa() ? "" : " (forced; CPU best " + CpuBackend.bestIsa() + ")",
              convBaseline);
      stdout.println(comment);
      stdout.flush();
      List<org.relgraph.bench.EpochBench.Row> rows =
          bench.run(
              line -> {
                stderr.println("relgraph: " + line);
                stderr.flush();
              });
      String comments = comment;
      var times = bench.denseTimes(LayerBench.Timing.QUICK);
      if (times.isPresent()) {
        List<String> lines = new java.util.ArrayList<>();
        times.get().bareLines().forEach(l -> lines.add("# " + l));
        BaselineCheck check = times.get().check();
        lines.add("# " + check.line());
        for (String line : lines) {
          comments = comments + "\n" + line;
          stdout.println(line);
        }
        stderr.println("relgraph: " + check.line());
        stderr.flush();
      }
      printRows(stdout, comments, rows);
      return 0;
    }

    /** The CSV of {@code rows} on stdout, and with the comment lines in {@code --out}. */
    private void printRows(
        PrintWriter stdout, String comments, List<org.relgraph.bench.EpochBench.Row> rows)
        throws IOException {
      stdout.println(org.relgraph.bench.EpochBench.HEADER);
      for (var r : rows) {
        stdout.println(r.csv());
      }
      stdout.flush();
      if (out != null) {
        writeCsv(
            out,
            comments,
            org.relgraph.bench.EpochBench.HEADER,
            rows.stream().map(org.relgraph.bench.EpochBench.Row::csv).toList());
      }
    }

    /**
     * {@code bench epochs --backend cuda}: the same configurations trained on the CUDA backend (its
     * comment line names the device and cuBLAS's math mode; there is no bare-sgemm check).
     */
    private int measureCuda() throws IOException {
      PrintWriter stdout = spec.commandLine().getOut();
      PrintWriter stderr = spec.commandLine().getErr();
      if (out != null) {
        OutputFiles.checkFile(out, "--out");
      }
      org.relgraph.train.Dataset d = data.load();
      if (steps != null) {
        d = EpochSubset.first(d, steps);
      }
      try (org.relgraph.engine.cuda.CudaBackend cuda =
          (org.relgraph.engine.cuda.CudaBackend) Backends.find("cuda").create(1)) {
        org.relgraph.bench.EpochBench bench =
            new org.relgraph.bench.EpochBench(d, cuda, repeats, kOverN, p, graphSeed)
                .forModel(model);
        String comment =
            String.format(
                Locale.ROOT,
                "# %s%s, %d train samples%s, batch 128; cuda: %s; cuBLAS SGEMM math %s",
                d.name(),
                EpochSubset.modelText(model, d),
                d.train().size(),
                steps == null ? "" : " (--steps " + steps + ")",
                cuda.device().description(),
                cuda.device().mathMode().name().toLowerCase(Locale.ROOT));
        stdout.println(comment);
        stdout.flush();
        List<org.relgraph.bench.EpochBench.Row> rows =
            bench.run(
                line -> {
                  stderr.println("relgraph: " + line);
                  stderr.flush();
                });
        printRows(stdout, comment, rows);
      }
      return 0;
    }
  }

  /**
   * {@code relgraph bench convs}: relational convolutions against the fastest dense convolution, at
   * the shapes of the paper's CIFAR CNN and ResNet-34.
   */
  @Command(
      name = "convs",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Time the forward pass of 3x3 and 1x1 convolutions (stride 1) at the stages of the paper's"
            + " CIFAR CNN (64/128/256 channels at 32/16/8 pixels) and of ResNet-34 (64/128/256/512"
            + " at 56/28/14/7): the dense convolution at the stage's width as oneDNN's own"
            + " convolution primitive (its preferred layouts, reorders untimed; where oneDNN"
            + " loads) and as the engine's im2col + sgemm; then the relational convolution over the"
            + " 64-node WS-flex graph with k/n = 0.125 at the FLOP-matched width, block-sparse and"
            + " masked, and the dense convolution at that width. The dense convolutions at the"
            + " stage's width and the block-sparse one are timed side by side, their samples taken"
            + " in turns, so that a busy spell of the machine falls on all of them alike.",
        "Prints CSV ("
            + ConvBench.HEADER
            + ") after a comment line naming the libraries and the baseline (per configuration the"
            + " faster dense convolution at the stage's width); closing '#' lines, also on"
            + " stderr, give each configuration's baseline, the ratios block-sparse/baseline"
            + " and masked/block-sparse, and the memory floor: the time of a ReLU from the"
            + " block-sparse convolution's input into its output (no convolution can read the"
            + " one and write the other faster where they do not stay in cache), as a share of"
            + " the baseline's time.",
        "Everything is checked before the first measurement: exit status 2 for an invalid option,"
            + " 1 when the largest configuration needs more memory than the JVM may use."
      })
  static final class Convs implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--quick",
        description = "The last CIFAR and ResNet-34 stages only, batch 32, shorter measurements.")
    boolean quick;

    @Option(
        names = "--batch",
        arity = "1..*",
        split = ",",
        paramLabel = "N",
        description = "Batch sizes (default: 32 128; 32 with --quick).")
    List<Integer> batches;

    @picocli.CommandLine.Mixin KernelOptions kernels = new KernelOptions();

    @Option(
        names = "--threads",
        paramLabel = "T",
        description = "Threads of the kernels and of oneDNN (default: all processors).")
    Integer threads;

    @Option(
        names = {"-o", "--out"},
        paramLabel = "FILE.csv",
        description = "Also write the CSV (and the closing lines) to this file.")
    Path out;

    @Option(
        names = "--plot",
        paramLabel = "DIR",
        description =
            "Write DIR/convs_k<kernel>_b<batch>.{png,svg}: each row's time over its baseline's.")
    Path plot;

    @Override
    public Integer call() throws IOException {
      return guarded(spec.commandLine().getErr(), "bench convs", this::measure);
    }

    private int measure() throws IOException {
      kernels.check(); // before anything loads OpenBLAS, which reads its settings once
      int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
      ConvBench.Config base = quick ? ConvBench.Config.quick(t) : ConvBench.Config.full(t);
      if (batches != null) {
        base = base.withBatches(batches.stream().mapToInt(Integer::intValue).toArray());
      }
      ConvBench.Config config = base;
      PrintWriter stdout = spec.commandLine().getOut();
      PrintWriter stderr = spec.commandLine().getErr();
      if (!ready(
          "convs", out, plot, threads, ConvBench.memory(config), "smaller batches", stderr)) {
        return Main.INPUT;
      }
      CpuBackend.Isa isa = kernels.isa();
      DenseChoice dense =
          DenseChoice.choose(
              kernels.denseLibrary, ConvBench.sgemmShapes(config), t, LayerBench.Timing.QUICK);
      ConvBench bench =
          new ConvBench(config, CpuBackend.create(isa, t, dense.library()), dense.describe());
      String comment = bench.comment();
      stdout.println(comment);
      stdout.println(ConvBench.HEADER);
      stdout.flush();
      List<ConvBench.Row> rows =
          bench.run(
              r -> {
                stdout.println(r.csv());
                stdout.flush();
              });
      List<String> summary = ConvBench.summary(rows, bench.floors());
      for (String line : summary) {
        stdout.println("# " + line);
        stderr.println("relgraph: " + line);
      }
      stdout.flush();
      stderr.flush();
      if (out != null) {
        List<String> lines =
            new java.util.ArrayList<>(rows.stream().map(ConvBench.Row::csv).toList());
        summary.forEach(l -> lines.add("# " + l));
        writeCsv(out, comment, ConvBench.HEADER, lines);
      }
      if (plot != null) {
        ConvPlot.write(rows, plot);
      }
      return 0;
    }
  }

  /** A benchmark's body. */
  @FunctionalInterface
  interface Body {
    int run() throws IOException;
  }

  /**
   * Runs a benchmark so that every failure is one line on {@code err}. What the command line
   * reports in one line already passes through: invalid options ({@link IllegalArgumentException},
   * status 2), unreadable input and I/O errors (status 1). Out of memory is status 1, like a
   * resource the machine lacks; anything else, a failure inside the engine, is status 70 in one
   * line, with the stack trace only under {@code RELGRAPH_DEBUG}.
   */
  static int guarded(PrintWriter err, String command, Body body) throws IOException {
    try {
      return body.run();
    } catch (IllegalArgumentException
        | java.io.UncheckedIOException
        | org.relgraph.train.DatasetException e) {
      throw e;
    } catch (OutOfMemoryError e) {
      err.println(
          "relgraph: "
              + command
              + ": out of memory ("
              + e.getMessage()
              + "); measure smaller configurations, or give the JVM more (e.g."
              + " RELGRAPH_JAVA_OPTS=-Xmx32g)");
      err.flush();
      return Main.INPUT;
    } catch (RuntimeException e) {
      if (System.getenv("RELGRAPH_DEBUG") != null) {
        throw e;
      }
      String message = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
      err.println(
          "relgraph: "
              + command
              + " failed: "
              + e.getClass().getSimpleName()
              + ": "
              + message
              + " (RELGRAPH_DEBUG=1 shows where)");
      err.flush();
      return INTERNAL;
    }
  }

  /** Exit status of a failure inside the engine (EX_SOFTWARE), as the command line gives it. */
  static final int INTERNAL = 70;

  /** Writes a benchmark's comment line, header and rows to {@code out}, all or nothing. */
  static void writeCsv(Path out, String comment, String header, List<String> lines)
      throws IOException {
    OutputFiles.writeText(
        out,
        w -> {
          w.write(comment + "\n");
          w.write(header + "\n");
          for (String line : lines) {
            w.write(line + "\n");
          }
        });
  }

  /** The {@code --backend} option of both bench commands (see {@link #requireNativeBackend}). */
  static final class BackendOption {
    @Option(
        names = "--backend",
        defaultValue = "cpu",
        paramLabel = "NAME",
        description =
            "Backend to time: cpu (the default: the native kernels against OpenBLAS), or cuda"
                + " (the CUDA kernels against cuBLAS; an unavailable GPU is a usage error with its"
                + " cause; --threads, --isa and --dense-library do not apply); java is refused.")
    String name;
  }

  /**
   * The kernels both bench commands time: {@code --isa} forces the block-sparse kernels'
   * instruction set (standing in for a narrower CPU), {@code --dense-library} the dense baseline's
   * library.
   */
  static final class KernelOptions {
    @Option(
        names = "--isa",
        defaultValue = "auto",
        paramLabel = "ISA",
        description =
            "Instruction set of the block-sparse kernels: portable, avx2, avx512 or auto (the"
                + " CPU's best, the default). avx2 on an AVX-512 CPU stands in for an AVX2"
                + " machine: unless -D"
                + CpuBackend.CORETYPE_PROPERTY
                + " is given, OpenBLAS is loaded with its Haswell kernel, and oneDNN is capped"
                + " at AVX2 (ONEDNN_MAX_CPU_ISA) unless -D"
                + BareSgemm.ONEDNN_MAX_ISA_PROPERTY
                + " is given.")
    String isa;

    @Option(
        names = "--dense-library",
        defaultValue = "auto",
        paramLabel = "LIB",
        description =
            "Library of the dense baseline's products: openblas, onednn, or auto (the default):"
                + " the faster of the two on this machine, measured before the benchmark as bare"
                + " loops of the dense layers it times; the comment line says which and why.")
    String denseLibrary;

    /**
     * The instruction set asked for; {@code auto} the CPU's best. Call after loading.
     *
     * @throws IllegalArgumentException for one this CPU lacks
     */
    CpuBackend.Isa isa() {
      String v = isa.trim().toLowerCase(Locale.ROOT);
      if (v.equals("auto")) {
        return CpuBackend.bestIsa();
      }
      CpuBackend.Isa i = CpuBackend.Isa.valueOf(v.toUpperCase(Locale.ROOT));
      if (i.ordinal() > CpuBackend.bestIsa().ordinal()) {
        throw new IllegalArgumentException(
            "--isa " + v + ": not supported by this CPU (best: " + CpuBackend.bestIsa() + ")");
      }
      return i;
    }

    /**
     * Checks both values (status 2 for a bad one) and sets how the dense libraries load: for {@code
     * --isa avx2} their stand-in settings (OpenBLAS's Haswell kernel, oneDNN capped at AVX2),
     * otherwise OpenBLAS's own detection of the CPU, unless -Drelgraph.openblas.coretype says
     * otherwise. Called first, before anything loads OpenBLAS, which reads them once.
     */
    void check() {
      String v = isa.trim().toLowerCase(Locale.ROOT);
      if (!List.of("portable", "avx2", "avx512", "auto").contains(v)) {
        throw new IllegalArgumentException(
            "--isa '" + isa + "' is not portable, avx2, avx512 or auto");
      }
      DenseChoice.parse(denseLibrary);
      if (v.equals("avx2")) {
        if (System.getProperty(CpuBackend.CORETYPE_PROPERTY) == null) {
          System.setProperty(CpuBackend.CORETYPE_PROPERTY, "Haswell");
        }
        if (System.getProperty(BareSgemm.ONEDNN_MAX_ISA_PROPERTY) == null) {
          System.setProperty(BareSgemm.ONEDNN_MAX_ISA_PROPERTY, "AVX2");
        }
      }
      if (System.getProperty(CpuBackend.CORETYPE_PROPERTY) == null) {
        System.setProperty(CpuBackend.CORETYPE_PROPERTY, "auto");
      }
    }
  }

  /**
   * Checks that {@code --backend} names a backend the benchmarks time: the native CPU backend
   * (against OpenBLAS) or an available cuda backend (against cuBLAS); an unknown name, another
   * backend or an unavailable cuda is a usage error. Loads nothing for cpu, so that {@link
   * #nativeReady} still sets OpenBLAS's core type first.
   */
  static void requireNativeBackend(String name, String command) {
    BackendProvider p = Backends.discovered().known(name);
    if (p.name().equals("cuda")) {
      Backends.discovered().lookup(name); // unavailable: a usage error with the cause
      return;
    }
    if (!p.name().equals("cpu")) {
      throw new IllegalArgumentException(
          command
              + " times the native kernels against OpenBLAS: --backend "
              + p.name()
              + " is not supported (only cpu)");
    }
  }

  /**
   * What every native timing command checks before it measures: its output paths (status 2 when one
   * cannot be written), the thread count (a warning when it oversubscribes), the instruction-set
   * options, the native backend, and the memory of its largest configuration.
   *
   * @return false, after printing why, where the native backend or the memory is missing
   */
  static boolean ready(
      String command,
      Path out,
      Path plot,
      Integer threads,
      LayerBench.Memory need,
      String smaller,
      PrintWriter stderr) {
    if (out != null) {
      OutputFiles.checkFile(out, "--out");
    }
    if (plot != null) {
      OutputFiles.checkDirectory(plot, "--plot");
    }
    Processors.warnIfOversubscribed(threads, stderr);
    if (!nativeReady(stderr)) {
      return false;
    }
    Optional<String> shortfall =
        need == null
            ? Optional.empty()
            : MemoryLimits.shortfall(need.heapBytes(), need.nativeBytes());
    if (shortfall.isPresent()) {
      stderr.println(
          "relgraph: bench "
              + command
              + ": the largest configuration ("
              + need.largest()
              + ") needs "
              + shortfall.get()
              + "; measure "
              + smaller
              + ", or give the JVM more (e.g. RELGRAPH_JAVA_OPTS=-Xmx32g)");
      return false;
    }
    return true;
  }

  /**
   * Lets OpenBLAS pick its own kernel for this CPU unless the user chose one (before CpuBackend's
   * static initialiser runs, which is when OpenBLAS reads it), then says whether the native backend
   * loaded; if not, prints why.
   */
  static boolean nativeReady(PrintWriter err) {
    if (System.getProperty(CpuBackend.CORETYPE_PROPERTY) == null) {
      System.setProperty(CpuBackend.CORETYPE_PROPERTY, "auto");
    }
    if (!CpuBackend.isAvailable()) {
      err.println("relgraph: native CPU backend unavailable: " + CpuBackend.unavailabilityCause());
      return false;
    }
    return true;
  }
}
