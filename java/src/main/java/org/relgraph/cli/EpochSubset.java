package org.relgraph.cli;

import java.util.Locale;
import org.relgraph.train.Dataset;
import org.relgraph.train.RunConfig;

/** What {@code bench epochs --model} and {@code --steps} change in the data and the comment. */
final class EpochSubset {
  private EpochSubset() {}

  /**
   * {@code d} with the first {@code steps} batches of 128 of its training split (all of it if it
   * has fewer), and as many test samples (at most its own): the evaluation after each timed epoch
   * then takes no longer than the epoch.
   */
  static Dataset first(Dataset d, int steps) {
    int samples = (int) Math.min((long) steps * 128, d.train().size());
    return new Dataset(
        d.name(),
        d.train().first(samples),
        d.test().first(Math.min(samples, d.test().size())),
        d.classes(),
        d.features(),
        d.description());
  }

  /** Nothing for the MLP; {@code " cnn on 1x28x28 images"} for a conv model. */
  static String modelText(String model, Dataset d) {
    if (RunConfig.MLP.equals(model)) {
      return "";
    }
    int[] s = d.train().imageShape();
    return String.format(Locale.ROOT, " %s on %dx%dx%d images", model, s[0], s[1], s[2]);
  }
}
