package org.relgraph.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.relgraph.bench.DenseChoice;
import org.relgraph.bench.LayerBench;
import org.relgraph.engine.Backend;
import org.relgraph.engine.BackendProvider;
import org.relgraph.engine.Backends;
import org.relgraph.engine.BareSgemm;
import org.relgraph.engine.CpuBackendProvider;
import org.relgraph.engine.LossAccumulator;
import org.relgraph.graph.GraphMeasures;
import org.relgraph.graph.GraphSpec;
import org.relgraph.io.OutputFiles;
import org.relgraph.model.BudgetMatching;
import org.relgraph.model.MlpSpec;
import org.relgraph.nn.ExecutionMode;
import org.relgraph.train.ConvModel;
import org.relgraph.train.Dataset;
import org.relgraph.train.Datasets;
import org.relgraph.train.EpochResult;
import org.relgraph.train.ModelFile;
import org.relgraph.train.RelationalMlp;
import org.relgraph.train.RunConfig;
import org.relgraph.train.TrainConfig;
import org.relgraph.train.Trainer;
import org.relgraph.train.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code relgraph train}: trains the paper's MLP, a CNN or a ResNet over one graph, natively. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Train the paper's relational MLP (stem, 3 relational layers over the graph, head), or its"
          + " CNNs and ResNets (--model), on a data set, FLOP-matched to the complete-graph"
          + " baseline unless --no-match.",
      "Example: relgraph train --graph ws-flex:k=8,p=0.3,seed=1 --dataset fashion-mnist --epochs 10"
    })
final class TrainCommand implements Runnable {
  @Spec CommandSpec spec;

  @Option(
      names = "--graph",
      required = true,
      paramLabel = "SPEC",
      description =
          "complete, ws-flex:k=K,p=P,seed=S (k the average degree; n=64 unless given), er:m=M,"
              + " ws:k=K,p=P, ba:m=M, harary:k=K, ring:k=K, or a graph file")
  String graph;

  @Option(
      names = "--model",
      defaultValue = RunConfig.MLP,
      paramLabel = "NAME",
      description =
          "mlp (the paper's MLP), cnn (its CNN: 3x3 stem, 3 stages of 2 relational 3x3"
              + " convolutions), resnet20 (ResNet-20 of relational basic blocks), or the ImageNet"
              + " models cnn-imagenet, resnet34, resnet34-sep and resnet50 (strided stems and max"
              + " pooling), on the data's images (docs/models.md) (default: ${DEFAULT-VALUE})")
  String model = RunConfig.MLP;

  @picocli.CommandLine.Mixin DataOptions data = new DataOptions();

  @picocli.CommandLine.Mixin TrainingOptions training = new TrainingOptions();

  @Option(names = "--seed", defaultValue = "1", description = "training seed (default: 1)")
  long seed;

  @Option(
      names = "--save",
      paramLabel = "FILE",
      description = "save the trained model (docs/model-format.md)")
  Path save;

  @Option(
      names = "--save-every",
      paramLabel = "E",
      description =
          "with --save FILE, also keep the model every E epochs as FILE-epoch<e> (before FILE's"
              + " extension), e.g. for 'relgraph extract' over training")
  Integer saveEvery;

  @Option(names = "--json", description = "print a JSON summary as the last line of stdout")
  boolean json;

  @Override
  public void run() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter log = json ? err : out;
    // Options first, so that a mistake is reported before seconds of data loading.
    if (saveEvery != null && (saveEvery < 1 || save == null)) {
      throw new IllegalArgumentException(
          saveEvery < 1 ? "--save-every must be at least 1" : "--save-every needs --save FILE");
    }
    RunConfig.checkNetwork(model);
    boolean conv = !RunConfig.MLP.equals(model);
    GraphSpec g = GraphSpec.parse(graph);
    int stemWidth = training.stemWidth();
    if (conv && stemWidth != MlpSpec.DEFAULT_STEM_WIDTH) {
      throw new IllegalArgumentException(
          "--stem-width is the MLP's; " + model + " keeps the paper's stem");
    }
    if (!conv) {
      MlpSpec.checkFits(stemWidth, g.graph().nodeCount());
    }
    // Checked here, before the data loads; runConfig() below reads them again.
    training.config(seed);
    training.mode();
    training.width();
    if (save != null) {
      OutputFiles.checkFile(save, "--save");
      if (saveEvery != null) {
        OutputFiles.checkFile(snapshotPath(save, saveEvery), "--save-every");
      }
    }
    Backend backend = training.backend();
    training.reportDenseLibrary(err);
    Processors.warnIfOversubscribed(training.threads, err);
    Dataset d = data.load();
    RunConfig rc =
        training.runConfig(
            d.name(), data.dir, model + "-" + d.name(), graph, seed, training.threads(), model);
    if (conv) {
      new ConvTraining(this, g, d, rc, backend, out, log, err).run();
      return;
    }
    TrainingRun run = rc.trainingRun(g.graph(), d);
    BudgetMatching.Match m = run.match();
    GraphMeasures.Measures measures = GraphMeasures.of(g.graph());
    log.printf(
        Locale.ROOT,
        "%s: %s; graph %s (n=%d, C=%.4f, L=%s); width %d, %,d FLOPs (%+.3f%%"
            + " of the baseline's %,d); mode %s on %s%n",
        d.name(),
        d.description(),
        graph,
        g.graph().nodeCount(),
        measures.clustering(),
        measures.pathLength().isPresent()
            ? String.format(Locale.ROOT, "%.4f", measures.pathLength().getAsDouble())
            : "none",
        m.width(),
        m.flops(),
        100 * m.deviation(),
        m.budget(),
        training.mode().label(),
        backend);
    long start = System.nanoTime();
    Trainer.Listener listener = new EpochBars(log, err);
    if (saveEvery != null) {
      listener = snapshots(listener, d, log);
    }
    try (TrainingRun.Outcome o = run.run(m, backend, listener)) {
      double wall = (System.nanoTime() - start) / 1e9;
      EpochResult last = o.epochs().get(o.epochs().size() - 1);
      log.printf(
          Locale.ROOT,
          "test top-1 error %.2f%% after %d epochs (%.1f s)%n",
          last.testError(),
          last.epoch(),
          wall);
      JsonObject summary = summary(g, d, rc, run, o, measures, backend, wall);
      if (save != null) {
        JsonObject info = summary.deepCopy();
        ModelFile.save(o.model(), save, info);
        log.println("model saved to " + save);
      }
      if (json) {
        out.println(new GsonBuilder().disableHtmlEscaping().create().toJson(summary));
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e.getMessage(), e);
    }
  }

  /** {@code FILE-epoch<e>.ext} beside {@code FILE.ext}. */
  static Path snapshotPath(Path save, int epoch) {
    String name = save.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String stem = dot > 0 ? name.substring(0, dot) : name;
    String ext = dot > 0 ? name.substring(dot) : "";
    return save.resolveSibling(stem + "-epoch" + epoch + ext);
  }

  /** Writes a model with its info to a file. */
  private interface ModelWriter {
    void write(Path file, JsonObject info) throws IOException;
  }

  /** Wraps {@code inner} to save the network every {@link #saveEvery} epochs. */
  private Trainer.Listener snapshots(Trainer.Listener inner, Dataset d, PrintWriter log) {
    return snapshots(inner, d, log, null);
  }

  /**
   * Wraps {@code inner} to save the network every {@link #saveEvery} epochs: the MLP, or a
   * convolutional network as {@code conv} describes it (null: the MLP only).
   */
  Trainer.Listener snapshots(
      Trainer.Listener inner,
      Dataset d,
      PrintWriter log,
      java.util.function.Function<org.relgraph.nn.Network, ConvModel> conv) {
    return new Trainer.Listener() {
      @Override
      public void epochStarted(int epoch, int steps) {
        inner.epochStarted(epoch, steps);
      }

      @Override
      public int logInterval() {
        return inner.logInterval();
      }

      @Override
      public void logged(int epoch, int step, LossAccumulator.Totals interval) {
        inner.logged(epoch, step, interval);
      }

      @Override
      public void epochEnded(EpochResult r, RelationalMlp net) {
        inner.epochEnded(r, net);
        snapshot(r, (file, info) -> ModelFile.save(net, file, info));
      }

      @Override
      public void epochEnded(EpochResult r, org.relgraph.nn.Network net) {
        inner.epochEnded(r, net);
        if (conv != null) {
          snapshot(r, (file, info) -> ModelFile.save(conv.apply(net), file, info));
        }
      }

      private void snapshot(EpochResult r, ModelWriter writer) {
        if (r.epoch() % saveEvery != 0) {
          return;
        }
        JsonObject info = new JsonObject();
        info.addProperty("dataset", d.name());
        info.addProperty("graph", graph);
        info.addProperty("epoch", r.epoch());
        info.addProperty("top1_error", r.testError());
        Path file = snapshotPath(save, r.epoch());
        try {
          writer.write(file, info);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(file + ": " + e.getMessage(), e);
        }
        log.println("snapshot saved to " + file);
      }
    };
  }

  private JsonObject summary(
      GraphSpec g,
      Dataset d,
      RunConfig rc,
      TrainingRun run,
      TrainingRun.Outcome o,
      GraphMeasures.Measures measures,
      Backend backend,
      double wall) {
    JsonObject s = new JsonObject();
    s.addProperty("top1_error", o.top1Error());
    s.addProperty("model", RunConfig.MLP);
    s.addProperty("width", o.match().width());
    s.addProperty("flops", o.match().flops());
    s.addProperty("baseline_flops", o.match().budget());
    s.addProperty("stem_width", run.stemWidth());
    s.addProperty("flops_deviation", o.match().deviation());
    addCommon(s, g, d, rc, run.mode(), run.config(), o.epochs(), measures, backend, wall);
    return s;
  }

  /** The summary's fields that every model has, after its width and FLOPs. */
  void addCommon(
      JsonObject s,
      GraphSpec g,
      Dataset d,
      RunConfig rc,
      ExecutionMode mode,
      TrainConfig config,
      java.util.List<EpochResult> epochResults,
      GraphMeasures.Measures measures,
      Backend backend,
      double wall) {
    JsonArray seconds = new JsonArray();
    JsonArray errors = new JsonArray();
    JsonArray losses = new JsonArray();
    JsonArray rates = new JsonArray();
    for (EpochResult e : epochResults) {
      seconds.add(e.trainSeconds());
      errors.add(e.testError());
      losses.add(e.trainLoss());
      rates.add(e.samplesPerSecond());
    }
    s.add("epoch_seconds", seconds);
    s.add("test_errors", errors);
    s.add("train_losses", losses);
    s.add("samples_per_second", rates);
    s.addProperty("mode", mode.label());
    JsonObject graph = new JsonObject();
    graph.addProperty("spec", this.graph);
    graph.addProperty("kind", g.kind());
    graph.addProperty("nodes", g.graph().nodeCount());
    graph.addProperty("edges", g.graph().edgeCount());
    graph.addProperty("clustering", measures.clustering());
    if (measures.pathLength().isPresent()) {
      graph.addProperty("path_length", measures.pathLength().getAsDouble());
    } else {
      graph.add("path_length", com.google.gson.JsonNull.INSTANCE);
    }
    s.add("graph", graph);
    s.addProperty("dataset", d.name());
    s.addProperty("epochs", config.epochs());
    s.addProperty("seed", config.seed());
    s.addProperty("config", rc.recipeKey());
    s.addProperty("backend", backend.toString());
    s.addProperty("wall_seconds", wall);
  }

  /** The graph part of the first line: {@code graph SPEC (n=N, C=..., L=...)}. */
  String graphLine(GraphSpec g, GraphMeasures.Measures measures) {
    return String.format(
        Locale.ROOT,
        "graph %s (n=%d, C=%.4f, L=%s)",
        graph,
        g.graph().nodeCount(),
        measures.clustering(),
        measures.pathLength().isPresent()
            ? String.format(Locale.ROOT, "%.4f", measures.pathLength().getAsDouble())
            : "none");
  }

  /** A progress bar per epoch on a terminal; one line per epoch otherwise. */
  static final class EpochBars implements Trainer.Listener {
    private final PrintWriter log;
    private final PrintWriter err;
    private ProgressBar bar;
    private long samples;
    private long correct;
    private double lossSum;
    private int steps;
    private long start;

    EpochBars(PrintWriter log, PrintWriter err) {
      this.log = log;
      this.err = err;
    }

    @Override
    public void epochStarted(int epoch, int steps) {
      samples = 0;
      correct = 0;
      lossSum = 0;
      this.steps = 0;
      start = System.nanoTime();
      if (System.console() != null) {
        bar =
            new ProgressBarBuilder()
                .setTaskName("epoch " + epoch)
                .setInitialMax(steps)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250)
                .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
                .build();
      }
    }

    @Override
    public void logged(int epoch, int step, LossAccumulator.Totals interval) {
      samples += interval.samples();
      correct += interval.correct();
      lossSum += interval.batchLossSum();
      steps += (int) interval.batches();
      if (bar != null) {
        bar.stepTo(step);
        double secs = (System.nanoTime() - start) / 1e9;
        bar.setExtraMessage(
            String.format(
                Locale.ROOT,
                " loss %.4f acc %.2f%% %.0f samples/s",
                lossSum / steps,
                100.0 * correct / samples,
                samples / secs));
      }
    }

    @Override
    public void epochEnded(EpochResult r) {
      if (bar != null) {
        bar.close();
        bar = null;
      }
      log.printf(
          Locale.ROOT,
          "epoch %d: lr %.4f, train loss %.4f, train error %.2f%%, test error %.2f%%, %.1f s,"
              + " %.0f samples/s%n",
          r.epoch(),
          r.learningRate(),
          r.trainLoss(),
          r.trainError(),
          r.testError(),
          r.trainSeconds(),
          r.samplesPerSecond());
      log.flush();
      err.flush();
    }
  }

  /** The data set options shared by {@code train}, {@code sweep} and {@code quickstart}. */
  static final class DataOptions {
    @Option(
        names = "--dataset",
        defaultValue = "fashion-mnist",
        description = "fashion-mnist, mnist, cifar10 or synthetic (default: ${DEFAULT-VALUE})")
    String dataset = "fashion-mnist";

    @Option(
        names = "--data",
        paramLabel = "DIR",
        description = "data directory (fashion-mnist defaults to the Debian package's)")
    Path dir;

    Dataset load() {
      return Datasets.load(dataset, dir);
    }
  }

  /** The training options shared by {@code train} and {@code sweep}. */
  static final class TrainingOptions {
    // Field values equal the defaults, for code that builds options without picocli.
    @Option(names = "--epochs", defaultValue = "10", description = "epochs (default: 10)")
    int epochs = 10;

    @Option(
        names = "--mode",
        defaultValue = "blocksparse",
        description = "blocksparse, masked or dense (complete graph only) (default: blocksparse)")
    String mode = "blocksparse";

    @Option(
        names = "--no-match",
        description = "keep the stem width in the relational layers instead of matching FLOPs")
    boolean noMatch;

    @Option(names = "--width", description = "relational width (instead of budget matching)")
    Integer width;

    @Option(
        names = "--stem-width",
        paramLabel = "W",
        defaultValue = "512",
        description =
            "width of the stem and of the complete-graph baseline whose FLOPs the relational"
                + " layers are matched to (stem W, relational layers W x W); a graph needs at most"
                + " W nodes (default: 512, the paper's)")
    int stemWidth = MlpSpec.DEFAULT_STEM_WIDTH;

    @Option(names = "--batch", defaultValue = "128", description = "batch size (default: 128)")
    int batch = 128;

    @Option(names = "--lr", defaultValue = "0.1", description = "base learning rate (0.1)")
    float lr = 0.1f;

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum (0.9)")
    float momentum = 0.9f;

    @Option(names = "--weight-decay", defaultValue = "5e-4", description = "weight decay (5e-4)")
    float weightDecay = 5e-4f;

    @Option(names = "--no-nesterov", description = "plain momentum instead of Nesterov")
    boolean noNesterov;

    @Option(names = "--threads", description = "CPU threads (default: all processors)")
    Integer threads;

    @Option(
        names = "--backend",
        defaultValue = "cpu",
        paramLabel = "NAME",
        description =
            "a backend that `relgraph backends` lists as available: cpu (native) or java (the slow"
                + " reference) (default: cpu)")
    String backend = "cpu";

    @Option(
        names = "--dense-library",
        paramLabel = "LIB",
        description =
            "library of the cpu backend's dense products (the dense and masked modes' layers, and"
                + " every mode's stem and head): openblas (the default), onednn, or auto: the"
                + " faster of the two on this machine, measured first as bare loops of a 512 x 512"
                + " layer at the run's batch. Time a dense baseline against block-sparse with the"
                + " faster (auto), as `relgraph bench` does.")
    String denseLibrary;

    @Option(
        names = "--conv-primitives",
        description =
            "run the cpu backend's dense convolutions (a dense network's, and every network's stem)"
                + " on oneDNN's own convolution primitives, not im2col + sgemm: the fastest dense"
                + " convolution on most machines, as `relgraph bench epochs` times a conv model's"
                + " dense baseline. Needs oneDNN: --dense-library onednn (the default with this"
                + " option) or auto choosing it.")
    boolean convPrimitives;

    /** How the cpu backend's dense library was chosen: by the first backend made; else null. */
    DenseChoice denseChoice;

    TrainConfig config(long seed) {
      return new TrainConfig(epochs, batch, lr, momentum, weightDecay, !noNesterov, seed, 1000);
    }

    /**
     * The run these options describe (after their checks: {@link #config}, {@link #mode}, {@link
     * #width}, {@link #stemWidth}), over {@code graph} ({@code null} for a sweep's) with training
     * seed {@code seed}, on {@code threads} threads of the backend.
     */
    RunConfig runConfig(
        String dataset, Path dataDir, String model, String graph, long seed, int threads) {
      return runConfig(dataset, dataDir, model, graph, seed, threads, RunConfig.MLP);
    }

    /** {@link #runConfig(String, Path, String, String, long, int)} of {@code network}. */
    RunConfig runConfig(
        String dataset,
        Path dataDir,
        String model,
        String graph,
        long seed,
        int threads,
        String network) {
      return new RunConfig(
          null,
          dataset,
          dataDir == null ? null : dataDir.toString(),
          model,
          graph,
          mode(),
          backend,
          threads,
          width(),
          stemWidth(),
          config(seed),
          network);
    }

    ExecutionMode mode() {
      return ExecutionMode.parse(mode);
    }

    /** The stem width, checked: the bound for a graph's node count (n ≤ stem width). */
    int stemWidth() {
      if (stemWidth < 1 || stemWidth > MlpSpec.MAX_STEM_WIDTH) {
        throw new IllegalArgumentException(
            "--stem-width = " + stemWidth + " outside [1, " + MlpSpec.MAX_STEM_WIDTH + "]");
      }
      return stemWidth;
    }

    int width() {
      if (width != null && noMatch) {
        throw new IllegalArgumentException("--width and --no-match exclude each other");
      }
      if (width != null) {
        if (width < 1) {
          throw new IllegalArgumentException("--width = " + width + " must be >= 1");
        }
        return width;
      }
      return noMatch ? TrainingRun.NO_MATCH : TrainingRun.MATCH;
    }

    Backend backend() {
      return backend(threads());
    }

    /** {@code --threads}, or all processors. */
    int threads() {
      return threads == null ? Runtime.getRuntime().availableProcessors() : threads;
    }

    /**
     * Threads for each of {@code workers} parallel runs: {@code --threads} if given, else the
     * processors divided among the workers (at least 1).
     */
    int threadsPerWorker(int workers) {
      if (threads != null) {
        return threads;
      }
      return Math.max(1, Runtime.getRuntime().availableProcessors() / workers);
    }

    /** Says which dense library {@code --dense-library} chose, and how (nothing without it). */
    void reportDenseLibrary(PrintWriter err) {
      if (denseChoice != null) {
        err.println(
            "relgraph: dense products on "
                + denseChoice.library().label()
                + " ("
                + denseChoice.how()
                + ")"
                + (convPrimitives
                    ? "; dense convolutions on oneDNN's convolution primitives"
                    : ""));
        err.flush();
      }
    }

    /**
     * A backend on {@code t} threads; with {@code --dense-library}, a cpu backend whose dense
     * products call that library (chosen once, by the first call, which with {@code auto} times
     * both).
     *
     * @throws IllegalArgumentException for a bad thread count or library, or a library given for
     *     another backend
     */
    Backend backend(int t) {
      if (t < 1 || t > 1024) {
        throw new IllegalArgumentException("--threads = " + t + " outside [1, 1024]");
      }
      BackendProvider provider = Backends.find(backend);
      if (denseLibrary == null && !convPrimitives) {
        return provider.create(t);
      }
      String library = denseLibrary != null ? denseLibrary : "onednn";
      DenseChoice.parse(library);
      if (!(provider instanceof CpuBackendProvider cpu)) {
        throw new IllegalArgumentException(
            (denseLibrary != null ? "--dense-library" : "--conv-primitives")
                + " applies to the cpu backend, not --backend "
                + provider.name());
      }
      if (denseChoice == null) {
        cpu.requireAvailable(); // before the libraries are timed
        denseChoice =
            DenseChoice.choose(
                library, List.of(new int[] {512, 512, batch}), t, LayerBench.Timing.QUICK);
      }
      if (convPrimitives && denseChoice.library() != BareSgemm.Library.DNNL) {
        throw new IllegalArgumentException(
            "--conv-primitives runs on oneDNN, but --dense-library "
                + library
                + " chose "
                + denseChoice.library().label());
      }
      return cpu.create(t, denseChoice.library(), convPrimitives);
    }
  }
}
