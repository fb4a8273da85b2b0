package org.relgraph.engine;

/**
 * SGD hyper-parameters other than the learning rate, with PyTorch's semantics (dampening 0): {@code
 * d = g + weightDecay·w; v = momentum·v + d; d = nesterov ? d + momentum·v : v; w -= lr·d}.
 *
 * @param momentum in [0, 1)
 * @param weightDecay >= 0
 * @param nesterov Nesterov momentum (needs momentum > 0)
 */
public record SgdSettings(float momentum, float weightDecay, boolean nesterov) {
  /** Validates. */
  public SgdSettings {
    Shapes.require(momentum >= 0 && momentum < 1, "momentum = " + momentum + " outside [0, 1)");
    Shapes.require(weightDecay >= 0, "weight decay = " + weightDecay + " must be >= 0");
    Shapes.require(!nesterov || momentum > 0, "Nesterov momentum needs momentum > 0");
  }
}
