package org.relgraph.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Where sweeps get their trainer: {@link #forOptions(Options)} turns the training options of the
 * {@code sweep} command into a trainer, the canonical configuration key its runs are stored under,
 * and the model name.
 *
 * <p><b>This is the seam for the real trainer.</b> Until the {@code train} package exists, only the
 * test trainer {@value #FAKE} is available; the real one plugs in by handling {@link
 * Options#trainer()} {@code == null} (the default) in {@link #forOptions(Options)}: build the
 * trainer from the options (adding fields to {@link Options}, and options to the command, as the
 * recipe needs them) and put every option that changes the trained numbers into {@link
 * Options#configKey()}. Nothing else in the sweep machinery changes.
 */
public final class SweepTrainers {
  /** The test trainer's name: sleeps instead of training, returns a made-up error. */
  public static final String FAKE = "fake";

  private SweepTrainers() {}

  /**
   * Training options of a sweep.
   *
   * @param trainer null for the real trainer (not available yet), or {@value #FAKE}
   * @param model the model's name, e.g. {@code mlp-fashion-mnist}
   * @param epochs epochs per run
   * @param fakeEpochMillis the test trainer's milliseconds per epoch
   * @param fakeFailSeed the test trainer fails every run with this training seed (null: none)
   */
  public record Options(
      String trainer, String model, int epochs, long fakeEpochMillis, Integer fakeFailSeed) {
    public Options {
      if (model == null || model.isBlank()) {
        throw new IllegalArgumentException("no model named");
      }
      if (!model.matches("[A-Za-z0-9._-]+")) {
        throw new IllegalArgumentException(
            "model name '" + model + "' may use only letters, digits, '.', '_' and '-'");
      }
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

  /** A trainer with the key and model name its runs are recorded under. */
  public record Configured(SweepTrainer trainer, String configKey, String model) {}

  /**
   * The trainer for {@code options}.
   *
   * @throws IllegalArgumentException for an unknown trainer, or when the real trainer is asked for
   *     (not available yet)
   */
  public static Configured forOptions(Options options) {
    String name = options.trainer();
    if (name == null) {
      // The real trainer plugs in here.
      throw new IllegalArgumentException(
          "training is not available in this build yet (no trainer for model "
              + options.model()
              + ")");
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
