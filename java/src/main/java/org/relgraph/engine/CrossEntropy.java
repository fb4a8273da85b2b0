package org.relgraph.engine;

/**
 * The result of a softmax cross-entropy over one batch.
 *
 * @param loss mean loss over the batch (natural log)
 * @param correct samples whose largest logit is their label
 */
public record CrossEntropy(double loss, int correct) {}
