package org.relgraph.train;

/**
 * What one epoch measured.
 *
 * @param epoch 1-based
 * @param learningRate the epoch's learning rate
 * @param trainLoss mean loss over the epoch's training batches
 * @param trainError training top-1 error, percent, over the epoch's batches (as they were seen)
 * @param testLoss mean loss on the test split, evaluation mode
 * @param testError test top-1 error, percent
 * @param trainSeconds wall time of the training steps (evaluation excluded)
 * @param samplesPerSecond training samples per second
 */
public record EpochResult(
    int epoch,
    float learningRate,
    double trainLoss,
    double trainError,
    double testLoss,
    double testError,
    double trainSeconds,
    double samplesPerSecond) {}
