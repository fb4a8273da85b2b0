package org.relgraph.train;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.relgraph.engine.LossAccumulator;
import org.relgraph.nn.Network;

/**
 * Trains a {@link Network} (such as a {@link RelationalMlp}'s) on a {@link Dataset} with a {@link
 * TrainConfig}: every epoch shuffles the training split with a generator seeded from the config (so
 * a fixed seed and thread count give the same steps), trains on whole batches only, then evaluates
 * on the test split.
 *
 * <p>Losses and correct counts add up on the backend ({@link LossAccumulator}); the trainer reads
 * them to the host once per logging interval ({@link Listener#logInterval()} steps, and at an
 * epoch's last step), checks divergence there, and once after each evaluation. A backend that
 * computes asynchronously never waits for the host between those reads.
 */
public final class Trainer {
  private Trainer() {}

  /** The largest evaluation batch of a network on images, whatever the recipe says. */
  public static final int IMAGE_EVAL_BATCH = 128;

  /** Steps between two reads of the loss, unless a listener asks otherwise. */
  public static final int DEFAULT_LOG_INTERVAL = 50;

  /** Progress callbacks; all optional. */
  public interface Listener {
    /**
     * Steps per logging interval, at least 1: the loss is read to the host (and checked for
     * divergence) after every this many steps and after an epoch's last step.
     */
    default int logInterval() {
      return DEFAULT_LOG_INTERVAL;
    }

    /** Before the first step of an epoch (1-based) of {@code steps} steps. */
    default void epochStarted(int epoch, int steps) {}

    /**
     * After each logging interval: {@code step} is its last step (1-based), {@code interval} the
     * totals of its steps (batches, samples, summed batch losses, correct samples).
     */
    default void logged(int epoch, int step, LossAccumulator.Totals interval) {}

    /** After an epoch's evaluation. */
    default void epochEnded(EpochResult result) {}

    /**
     * After an epoch's evaluation, with the network as it stands (to keep snapshots of it); calls
     * {@link #epochEnded(EpochResult)} unless overridden.
     */
    default void epochEnded(EpochResult result, RelationalMlp net) {
      epochEnded(result);
    }

    /**
     * After an epoch's evaluation of a network trained by {@link #train(Network, Dataset,
     * TrainConfig, Listener)}, with the network as it stands; calls {@link
     * #epochEnded(EpochResult)} unless overridden.
     */
    default void epochEnded(EpochResult result, Network net) {
      epochEnded(result);
    }
  }

  /** Loss and error of a model on a split. */
  public record Evaluation(double loss, double errorPercent, int samples) {}

  /**
   * Trains {@code net} for {@code config.epochs()} epochs.
   *
   * @return one result per epoch
   * @throws IllegalArgumentException when the data and the network do not fit each other
   */
  public static List<EpochResult> train(
      RelationalMlp net, Dataset data, TrainConfig config, Listener listener) {
    return train(net.network(), data, config, listener, r -> listener.epochEnded(r, net));
  }

  /**
   * Trains {@code net} for {@code config.epochs()} epochs; the listener's {@link
   * Listener#epochEnded(EpochResult, Network)} is called after each.
   *
   * @return one result per epoch
   * @throws IllegalArgumentException when the data and the network do not fit each other
   */
  public static List<EpochResult> train(
      Network net, Dataset data, TrainConfig config, Listener listener) {
    return train(net, data, config, listener, r -> listener.epochEnded(r, net));
  }

  private static List<EpochResult> train(
      Network net,
      Dataset data,
      TrainConfig config,
      Listener listener,
      Consumer<EpochResult> epochEnded) {
    DataSplit train = data.train();
    checkFits(net, data);
    int batch = config.batchSize();
    int steps = train.size() / batch;
    if (steps < 1) {
      throw new IllegalArgumentException(
          data.name()
              + " has "
              + train.size()
              + " training samples, fewer than one batch of "
              + batch);
    }
    SplittableRandom shuffle = new SplittableRandom(config.seed() ^ 0x5DEECE66DL);
    SplittableRandom augment = new SplittableRandom(config.seed() ^ 0xA5A5A5A5L);
    int[] order = new int[train.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    int interval = listener.logInterval();
    if (interval < 1) {
      throw new IllegalArgumentException("log interval = " + interval + " must be >= 1");
    }
    boolean images = isImage(net);
    float[] x = new float[train.features() * batch];
    int[] labels = new int[batch];
    List<EpochResult> results = new ArrayList<>();
    try (LossAccumulator totals = net.backend().newLossAccumulator()) {
      for (int e = 0; e < config.epochs(); e++) {
        shuffle(order, shuffle);
        float lr = config.learningRate(e);
        listener.epochStarted(e + 1, steps);
        totals.reset();
        LossAccumulator.Totals read = LossAccumulator.Totals.ZERO;
        long start = System.nanoTime();
        for (int s = 0; s < steps; s++) {
          fill(train, images, order, s * batch, batch, x, labels, augment);
          net.trainStep(x, labels, lr, config.sgd(), totals);
          if ((s + 1) % interval == 0 || s + 1 == steps) {
            LossAccumulator.Totals now = totals.read();
            LossAccumulator.Totals since = now.since(read);
            if (!Double.isFinite(now.batchLossSum())) {
              throw new TrainingDivergedException(
                  "training diverged: mean loss "
                      + since.meanBatchLoss()
                      + " over steps "
                      + (read.batches() + 1)
                      + "-"
                      + (s + 1)
                      + " of epoch "
                      + (e + 1));
            }
            read = now;
            listener.logged(e + 1, s + 1, since);
          }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Evaluation test = evaluate(net, data.test(), config.evalBatchSize());
        EpochResult r =
            new EpochResult(
                e + 1,
                lr,
                read.batchLossSum() / steps,
                100.0 * (1 - read.correct() / (double) (steps * batch)),
                test.loss(),
                test.errorPercent(),
                seconds,
                steps * batch / seconds);
        results.add(r);
        epochEnded.accept(r);
      }
    }
    return results;
  }

  /** Evaluation-mode loss and top-1 error of {@code net} on every sample of {@code split}. */
  public static Evaluation evaluate(RelationalMlp net, DataSplit split, int evalBatch) {
    return evaluate(net.network(), split, evalBatch);
  }

  /** Evaluation-mode loss and top-1 error of {@code net} on every sample of {@code split}. */
  public static Evaluation evaluate(Network net, DataSplit split, int evalBatch) {
    int n = split.size();
    boolean images = isImage(net);
    if (images) {
      // A convolution keeps its im2col matrix: at the recipe's 1000 images of 28 × 28 one layer's
      // is gigabytes. Evaluation mode gives each sample the same result in any batch.
      evalBatch = Math.min(evalBatch, IMAGE_EVAL_BATCH);
    }
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    try (LossAccumulator totals = net.backend().newLossAccumulator()) {
      for (int start = 0; start < n; start += evalBatch) {
        int b = Math.min(evalBatch, n - start);
        float[] x = new float[split.features() * b];
        int[] labels = new int[b];
        fill(split, images, order, start, b, x, labels, null);
        net.evaluate(x, labels, totals);
      }
      LossAccumulator.Totals t = totals.read();
      return new Evaluation(t.sampleLossSum() / n, 100.0 * (1 - t.correct() / (double) n), n);
    }
  }

  /** Whether {@code net} takes images {@code {C, H, W}} (channel-major batches). */
  private static boolean isImage(Network net) {
    return net.inputShape().length == 3;
  }

  /**
   * A batch of {@code split} in the layout {@code net} takes: channel-major images ({@link
   * DataSplit#fillImageBatch}) or feature-major vectors ({@link DataSplit#fillBatch}); augmented
   * with {@code augment} where the split augments (null: never).
   */
  public static void fillBatch(
      Network net,
      DataSplit split,
      int[] order,
      int start,
      int batch,
      float[] x,
      int[] labels,
      SplittableRandom augment) {
    fill(split, isImage(net), order, start, batch, x, labels, augment);
  }

  private static void fill(
      DataSplit split,
      boolean images,
      int[] order,
      int start,
      int batch,
      float[] x,
      int[] labels,
      SplittableRandom augment) {
    SplittableRandom random = split.augments() ? augment : null;
    if (images) {
      split.fillImageBatch(order, start, batch, x, labels, random);
    } else {
      split.fillBatch(order, start, batch, x, labels, random);
    }
  }

  private static void checkFits(Network net, Dataset data) {
    if (net.inputs() != data.features()) {
      throw new IllegalArgumentException(
          "the network takes "
              + net.inputs()
              + " features, "
              + data.name()
              + " has "
              + data.features());
    }
    if (isImage(net) && !java.util.Arrays.equals(net.inputShape(), data.train().imageShape())) {
      throw new IllegalArgumentException(
          "the network takes images "
              + java.util.Arrays.toString(net.inputShape())
              + ", "
              + data.name()
              + " has "
              + java.util.Arrays.toString(data.train().imageShape()));
    }
    if (net.outputs() != data.classes()) {
      throw new IllegalArgumentException(
          "the network has "
              + net.outputs()
              + " classes, "
              + data.name()
              + " has "
              + data.classes());
    }
  }

  private static void shuffle(int[] a, SplittableRandom r) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** Thrown when the loss stops being finite. */
  public static final class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TrainingDivergedException(String message) {
      super(message);
    }
  }
}
