package org.relgraph.train;

import org.relgraph.engine.SgdSettings;

/**
 * A training recipe. {@link #paper} gives the paper's: SGD with momentum 0.9, Nesterov, weight
 * decay 5e-4 on all parameters, learning rate 0.1 with a per-epoch cosine schedule {@code 0.5·lr·(1
 * + cos(π·e/E))}, batch 128 dropping the last partial batch.
 *
 * @param epochs E, at least 1
 * @param batchSize samples per step, at least 2 (batch statistics need two)
 * @param learningRate base learning rate
 * @param momentum SGD momentum
 * @param weightDecay L2 weight decay
 * @param nesterov Nesterov momentum
 * @param seed seeds initialisation, shuffling and augmentation
 * @param evalBatchSize samples per evaluation batch
 */
public record TrainConfig(
    int epochs,
    int batchSize,
    float learningRate,
    float momentum,
    float weightDecay,
    boolean nesterov,
    long seed,
    int evalBatchSize) {
  /** Validates. */
  public TrainConfig {
    if (epochs < 1) {
      throw new IllegalArgumentException("epochs = " + epochs + " must be >= 1");
    }
    if (batchSize < 2) {
      throw new IllegalArgumentException("batch size = " + batchSize + " must be >= 2");
    }
    if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
      throw new IllegalArgumentException("learning rate = " + learningRate + " must be > 0");
    }
    if (evalBatchSize < 1) {
      throw new IllegalArgumentException("evaluation batch = " + evalBatchSize + " must be >= 1");
    }
    new SgdSettings(momentum, weightDecay, nesterov); // validates
  }

  /** The paper's recipe for {@code epochs} epochs and a seed. */
  public static TrainConfig paper(int epochs, long seed) {
    return new TrainConfig(epochs, 128, 0.1f, 0.9f, 5e-4f, true, seed, 1000);
  }

  /** The SGD settings of this recipe. */
  public SgdSettings sgd() {
    return new SgdSettings(momentum, weightDecay, nesterov);
  }

  /** The learning rate of epoch {@code e} (0-based): {@code 0.5·lr·(1 + cos(π·e/E))}. */
  public float learningRate(int e) {
    return (float) (0.5 * learningRate * (1 + Math.cos(Math.PI * e / epochs)));
  }

  /** A copy with another epoch count. */
  public TrainConfig withEpochs(int e) {
    return new TrainConfig(
        e, batchSize, learningRate, momentum, weightDecay, nesterov, seed, evalBatchSize);
  }

  /** A copy with another seed. */
  public TrainConfig withSeed(long s) {
    return new TrainConfig(
        epochs, batchSize, learningRate, momentum, weightDecay, nesterov, s, evalBatchSize);
  }
}
