package org.relgraph.sweep;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.relgraph.engine.Backend;
import org.relgraph.model.MlpSpec;
import org.relgraph.nn.ExecutionMode;
import org.relgraph.train.Dataset;
import org.relgraph.train.EpochResult;
import org.relgraph.train.TrainConfig;
import org.relgraph.train.Trainer;
import org.relgraph.train.TrainingRun;

/**
 * Where sweeps get their trainer: {@link #forOptions(Options)} turns the training options of the
 * {@code sweep} command into a trainer, the canonical configuration key its runs are stored under,
 * and the model name.
 *
 * <p>The real trainer ({@link #real}) trains the paper's MLP natively through {@link TrainingRun};
 * the test trainer {@value #FAKE} sleeps instead, for tests of the sweep machinery. Every option
 * that changes the trained numbers is part of the configuration key.
 */
public final class SweepTrainers {
  /** The test trainer's name: sleeps instead of training, returns a made-up error. */
  public static final String FAKE = "fake";

  private SweepTrainers() {}

  /**
   * Training options of a sweep.
   *
   * @param trainer {@value #FAKE} (null: none; the real trainer comes from {@link #real})
   * @param model the model's name, e.g. {@code mlp-fashion-mnist}
   * @param epochs epochs per run
   * @param fakeEpochMillis the test trainer's milliseconds per epoch
   * @param fakeFailSeed the test trainer fails every run with this training seed (null: none)
   */
  public record Options(
      String trainer, String model, int epochs, long fakeEpochMillis, Integer fakeFailSeed) {
    public Options {
      checkModelName(model);
      if (epochs < 1) {
        throw new IllegalArgumentException("epochs = " + epochs + " must be >= 1");
      }
      if (fakeEpochMillis < 0) {
        throw new IllegalArgumentException("fake epoch milliseconds must be >= 0");
      }
    }

    /**
     * The canonical configuration key: every option that changes the trained numbers, as {@code
     * name=value} pairs joined by {@code ;} in a fixed order (for the test trainer also {@code
     * trainer=fake}, so that its rows never pass for real ones). Options that change only speed or
     * display (the test trainer's delays, workers) stay out: a sweep may resume with other values.
     */
    public String configKey() {
      List<String> parts = new ArrayList<>();
      if (trainer != null) {
        parts.add("trainer=" + trainer);
      }
      parts.add("model=" + model);
      parts.add("epochs=" + epochs);
      return String.join(";", parts);
    }
  }

  private static void checkModelName(String model) {
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException("no model named");
    }
    if (!model.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException(
          "model name '" + model + "' may use only letters, digits, '.', '_' and '-'");
    }
  }

  /** A trainer with the key and model name its runs are recorded under. */
  public record Configured(SweepTrainer trainer, String configKey, String model) {}

  /**
   * The real trainer: the paper's MLP on {@code data}, FLOP-matched unless {@code width} says
   * otherwise ({@link TrainingRun#MATCH}, {@link TrainingRun#NO_MATCH} or a width), with the recipe
   * {@code recipe} whose seed each run replaces by its training seed. {@code backends} gives each
   * worker thread its own backend (the native pool serialises calls that use more than one thread,
   * so parallel workers should use one thread each).
   *
   * @param model the model name the runs are recorded under, e.g. {@code mlp-fashion-mnist}
   */
  public static Configured real(
      String model,
      Dataset data,
      ExecutionMode mode,
      int width,
      TrainConfig recipe,
      java.util.function.Supplier<Backend> backends) {
    return real(model, data, mode, width, MlpSpec.DEFAULT_STEM_WIDTH, recipe, backends);
  }

  /**
   * As {@link #real(String, Dataset, ExecutionMode, int, TrainConfig,
   * java.util.function.Supplier)}, with the stem width (and the complete-graph baseline's) {@code
   * stemWidth}. The configuration key names it ({@code stem_width=W}) only when it is not the
   * paper's {@value MlpSpec#DEFAULT_STEM_WIDTH}, so that databases written before the option
   * existed resume under the same keys.
   */
  public static Configured real(
      String model,
      Dataset data,
      ExecutionMode mode,
      int width,
      int stemWidth,
      TrainConfig recipe,
      java.util.function.Supplier<Backend> backends) {
    checkModelName(model);
    String widthKey =
        width == TrainingRun.MATCH
            ? "matched"
            : width == TrainingRun.NO_MATCH ? "stem" : Integer.toString(width);
    List<String> parts = new ArrayList<>();
    parts.add("model=" + model);
    parts.add("dataset=" + data.name());
    parts.add("mode=" + mode.label());
    parts.add("width=" + widthKey);
    if (stemWidth != MlpSpec.DEFAULT_STEM_WIDTH) {
      parts.add("stem_width=" + stemWidth);
    }
    parts.add(recipe.key().replace(',', ';'));
    String key = String.join(";", parts);
    ThreadLocal<Backend> perThread = ThreadLocal.withInitial(backends);
    SweepTrainer trainer =
        (graph, trainSeed, onEpoch) -> {
          Backend backend = perThread.get();
          TrainingRun run =
              new TrainingRun(
                  graph.graph(), data, mode, width, recipe.withSeed(trainSeed), stemWidth);
          List<EpochMetrics> epochs = new ArrayList<>();
          Trainer.Listener listener =
              new Trainer.Listener() {
                @Override
                public void stepped(int epoch, int step, double loss, int correct, int batch) {
                  if (Thread.currentThread().isInterrupted()) {
                    throw new Stopped();
                  }
                }

                @Override
                public void epochEnded(EpochResult r) {
                  EpochMetrics m =
                      new EpochMetrics(
                          r.epoch(),
                          r.trainLoss(),
                          r.trainError(),
                          r.testError(),
                          r.trainSeconds());
                  epochs.add(m);
                  onEpoch.accept(m);
                }
              };
          try (TrainingRun.Outcome o = run.run(backend, listener)) {
            return new RunResult(
                o.top1Error(),
                o.match().width(),
                o.match().flops(),
                o.match().deviation(),
                epochs,
                backend.toString(),
                mode.label(),
                model);
          } catch (Stopped e) {
            throw new InterruptedException("sweep stopped");
          }
        };
    return new Configured(trainer, key, model);
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
