package org.relgraph.sweep;

/**
 * What a trainer reports after one epoch of a run.
 *
 * @param epoch the epoch, counted from 1
 * @param trainLoss mean training loss over the epoch
 * @param trainError training top-1 error over the epoch, in percent
 * @param testError test top-1 error after the epoch, in percent
 * @param seconds wall-clock seconds the epoch took (training and evaluation)
 */
public record EpochMetrics(
    int epoch, double trainLoss, double trainError, double testError, double seconds) {}
