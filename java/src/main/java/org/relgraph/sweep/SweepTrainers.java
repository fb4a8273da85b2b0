package org.relgraph.sweep;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.relgraph.engine.Backend;
import org.relgraph.engine.Backends;
import org.relgraph.graph.GraphSpec;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.train.ConvTrainingRun;
import org.relgraph.train.Dataset;
import org.relgraph.train.EpochResult;
import org.relgraph.train.RunConfig;
import org.relgraph.train.Trainer;
import org.relgraph.train.TrainingRun;

/**
 * Where sweeps get their trainer. Both kinds of trainer, and the configuration key their runs are
 * stored under, derive from one {@link RunConfig}: {@link #real} trains the paper's MLP natively
 * through {@link TrainingRun}, or its CNN or ResNet-20 ({@link RunConfig#network()}) through {@link
 * ConvTrainingRun}, the widest stage's channels being the run's width; the test trainer {@value
 * #FAKE} ({@link #forOptions}) sleeps instead, for tests of the sweep machinery. A worker that gets
 * one run's {@link RunConfig} (its {@link RunConfig#toJson() JSON form}, say, on another machine)
 * trains it with {@link #train(RunConfig, Consumer)}.
 */
public final class SweepTrainers {
  /** The test trainer's name: sleeps instead of training, returns a made-up error. */
  public static final String FAKE = "fake";

  private SweepTrainers() {}

  /**
   * Options of the test trainer.
   *
   * @param trainer {@value #FAKE} (any case; {@link #forOptions} refuses other names)
   * @param model the model's name, e.g. {@code mlp-fashion-mnist}
   * @param epochs epochs per run
   * @param fakeEpochMillis the test trainer's milliseconds per epoch
   * @param fakeFailSeed the test trainer fails every run with this training seed (null: none)
   */
  public record Options(
      String trainer, String model, int epochs, long fakeEpochMillis, Integer fakeFailSeed) {
    public Options {
      Objects.requireNonNull(trainer, "trainer");
      RunConfig.checkModelName(model);
      if (epochs < 1) {
        throw new IllegalArgumentException("epochs = " + epochs + " must be >= 1");
      }
      if (fakeEpochMillis < 0) {
        throw new IllegalArgumentException("fake epoch milliseconds must be >= 0");
      }
    }

    /** The run configuration: only the trainer, the model and the epochs count. */
    public RunConfig runConfig() {
      return RunConfig.testTrainer(trainer, model, epochs);
    }

    /**
     * The configuration key, {@code trainer=fake;model=M;epochs=E} ({@link RunConfig#configKey()}):
     * the test trainer's delays change no number, so a sweep may resume with other values.
     */
    public String configKey() {
      return runConfig().configKey();
    }
  }

  /** A trainer with the key and model name its runs are recorded under. */
  public record Configured(SweepTrainer trainer, String configKey, String model) {}

  /**
   * The real trainer of {@code config} (whose graph and seed each run replaces by its own, {@link
   * RunConfig#forRun}), training on {@code data}, the data set {@code config} names, already
   * loaded. {@code backends} gives each worker thread its own backend (the native pool serialises
   * calls that use more than one thread, so parallel workers should use one thread each).
   *
   * @throws IllegalArgumentException when {@code config} names a test trainer
   */
  public static Configured real(RunConfig config, Dataset data, Supplier<Backend> backends) {
    if (config.trainer() != null) {
      throw new IllegalArgumentException(
          "trainer '" + config.trainer() + "' is not the real one: use forOptions()");
    }
    ThreadLocal<Backend> perThread = ThreadLocal.withInitial(backends);
    SweepTrainer trainer =
        (graph, trainSeed, onEpoch) ->
            train(
                config.forRun(graph.spec(), trainSeed),
                graph.graph(),
                data,
                perThread.get(),
                onEpoch);
    return new Configured(trainer, config.configKey(), config.model());
  }

  /**
   * Trains one run as a worker gets it: the graph from {@link RunConfig#graph()}, the data set
   * loaded from where the configuration says, a backend of its name and threads.
   *
   * @throws IllegalArgumentException when the configuration names no graph, or a test trainer
   */
  public static RunResult train(RunConfig run, Consumer<EpochMetrics> onEpoch)
      throws InterruptedException {
    if (run.trainer() != null) {
      throw new IllegalArgumentException("trainer '" + run.trainer() + "' is not the real one");
    }
    if (run.graph() == null) {
      throw new IllegalArgumentException("the run configuration names no graph");
    }
    RelationalGraph g = GraphSpec.parse(run.graph()).graph();
    Backend backend = Backends.find(run.backend()).create(run.threads());
    return train(run, g, run.loadData(), backend, onEpoch);
  }

  /** Trains {@code run} over {@code g} on {@code backend}; stops when the thread is interrupted. */
  private static RunResult train(
      RunConfig run,
      RelationalGraph g,
      Dataset data,
      Backend backend,
      Consumer<EpochMetrics> onEpoch)
      throws InterruptedException {
    List<EpochMetrics> epochs = new ArrayList<>();
    Trainer.Listener listener =
        new Trainer.Listener() {
          @Override
          public void logged(
              int epoch, int step, org.relgraph.engine.LossAccumulator.Totals interval) {
            if (Thread.currentThread().isInterrupted()) {
              throw new Stopped();
            }
          }

          @Override
          public void epochEnded(EpochResult r) {
            EpochMetrics m =
                new EpochMetrics(
                    r.epoch(), r.trainLoss(), r.trainError(), r.testError(), r.trainSeconds());
            epochs.add(m);
            onEpoch.accept(m);
          }
        };
    if (run.convolutional()) {
      try (ConvTrainingRun.Outcome o = run.convTrainingRun(g, data).run(backend, listener)) {
        List<Integer> widths = o.match().stageWidths();
        return new RunResult(
            o.top1Error(),
            widths.get(widths.size() - 1),
            o.match().flops(),
            o.match().deviation(),
            epochs,
            backend.toString(),
            run.mode().label(),
            run.model());
      } catch (Stopped e) {
        throw new InterruptedException("sweep stopped");
      }
    }
    try (TrainingRun.Outcome o = run.trainingRun(g, data).run(backend, listener)) {
      return new RunResult(
          o.top1Error(),
          o.match().width(),
          o.match().flops(),
          o.match().deviation(),
          epochs,
          backend.toString(),
          run.mode().label(),
          run.model());
    } catch (Stopped e) {
      throw new InterruptedException("sweep stopped");
    }
  }

  /** Thrown from inside training when the worker is interrupted. */
  private static final class Stopped extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Stopped() {
      super(null, null, false, false);
    }
  }

  /**
   * The test trainer for {@code options} ({@code options.trainer()} must be {@value #FAKE}).
   *
   * @throws IllegalArgumentException for another trainer name
   */
  public static Configured forOptions(Options options) {
    String name = options.trainer();
    if (name == null) {
      throw new IllegalArgumentException("no trainer named: use real() for the real trainer");
    }
    if (name.toLowerCase(Locale.ROOT).equals(FAKE)) {
      return new Configured(
          new FakeTrainer(
              options.model(), options.epochs(), options.fakeEpochMillis(), options.fakeFailSeed()),
          options.configKey(),
          options.model());
    }
    throw new IllegalArgumentException("unknown trainer '" + name + "'");
  }

  /**
   * The test trainer: "trains" by sleeping a fixed time per epoch and returns an error that depends
   * only on the graph's C and L and the seeds, with a minimum near C = 0.3, L = 2.3 (roughly where
   * the paper's sweet spot is), so that sweeps, resumption and analysis can be tested end to end
   * without training anything.
   */
  static final class FakeTrainer implements SweepTrainer {
    private final String model;
    private final int epochs;
    private final long epochMillis;
    private final Integer failSeed;

    FakeTrainer(String model, int epochs, long epochMillis, Integer failSeed) {
      this.model = model;
      this.epochs = epochs;
      this.epochMillis = epochMillis;
      this.failSeed = failSeed;
    }

    @Override
    public RunResult train(
        SweepGraph graph, int trainSeed, java.util.function.Consumer<EpochMetrics> onEpoch)
        throws InterruptedException {
      if (failSeed != null && failSeed == trainSeed) {
        throw new IllegalStateException("fake failure of training seed " + trainSeed);
      }
      double error = error(graph, trainSeed);
      List<EpochMetrics> out = new ArrayList<>(epochs);
      for (int e = 1; e <= epochs; e++) {
        long t0 = System.nanoTime();
        Thread.sleep(epochMillis);
        double progress = (double) e / epochs;
        double testError = error + (90 - error) * Math.pow(1 - progress, 2);
        EpochMetrics m =
            new EpochMetrics(
                e,
                2.3 * Math.pow(1 - progress, 2) + 0.05,
                testError * 0.8,
                testError,
                (System.nanoTime() - t0) / 1e9);
        out.add(m);
        onEpoch.accept(m);
      }
      int n = graph.n();
      // A stand-in for budget matching: sparser graphs get wider layers.
      double density = Math.min(1, (graph.kOverN() * n + 1) / n);
      int width = (int) Math.round(512 / Math.sqrt(density));
      return new RunResult(error, width, 1_192_448L, 0.0, out, FAKE, FAKE, model);
    }

    /** The made-up final error: a bowl in (C, L) plus seed noise, in percent. */
    static double error(SweepGraph graph, int trainSeed) {
      double c = graph.clustering();
      double l = Double.isNaN(graph.pathLength()) ? 5 : graph.pathLength();
      long h = graph.key().hashCode() * 0x9E3779B97F4A7C15L + trainSeed;
      double noise = new SplittableRandom(h).nextGaussian() * 0.3;
      return 33 + 8 * (c - 0.3) * (c - 0.3) + 3 * (l - 2.3) * (l - 2.3) + noise;
    }
  }
}
