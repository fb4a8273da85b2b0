package org.relgraph.model;

/**
 * The shape of a relational MLP (the paper's "5-layer MLP"): a dense stem {@code inputSize →
 * stemWidth} with BatchNorm and ReLU, {@code relationalLayers} relational layers over one graph
 * ({@code stemWidth → w}, then {@code w → w}), each with BatchNorm and ReLU, and a dense head
 * {@code w → classes} with bias. The relational width {@code w} is not part of the spec: it comes
 * from budget matching ({@link BudgetMatching}) or is given.
 *
 * @param inputSize features per sample (784 for Fashion-MNIST, 3072 for CIFAR-10)
 * @param stemWidth width of the stem, and of the complete-graph baseline's relational layers (the
 *     paper's 512); a graph needs at most this many nodes, since every node owns at least one stem
 *     channel
 * @param relationalLayers R, at least 1 (3)
 * @param classes output classes, at least 2
 * @param partitionSeed seed of the channel partitions ({@link ChannelPartition#of})
 */
public record MlpSpec(
    int inputSize, int stemWidth, int relationalLayers, int classes, long partitionSeed) {
  /** The paper's stem width. */
  public static final int DEFAULT_STEM_WIDTH = 512;

  /** The paper's number of relational layers. */
  public static final int DEFAULT_RELATIONAL_LAYERS = 3;

  /**
   * The widest stem: its complete-graph baseline has {@code 32768²} weights per relational layer,
   * near the 2^31 values a layer may hold.
   */
  public static final int MAX_STEM_WIDTH = 1 << 15;

  /** The most relational layers (the paper has 3). */
  public static final int MAX_RELATIONAL_LAYERS = 1 << 10;

  /** The most features per sample (a 224 × 224 RGB image has 150528). */
  public static final int MAX_INPUT_SIZE = 1 << 24;

  /** The most classes. */
  public static final int MAX_CLASSES = 1 << 20;

  /** Validates. */
  public MlpSpec {
    inRange(inputSize, 1, MAX_INPUT_SIZE, "input size");
    inRange(stemWidth, 1, MAX_STEM_WIDTH, "stem width");
    inRange(relationalLayers, 1, MAX_RELATIONAL_LAYERS, "relational layers");
    inRange(classes, 2, MAX_CLASSES, "classes");
  }

  /** The paper's MLP for {@code inputSize} features and {@code classes} classes. */
  public static MlpSpec paper(int inputSize, int classes) {
    return new MlpSpec(inputSize, DEFAULT_STEM_WIDTH, DEFAULT_RELATIONAL_LAYERS, classes, 0);
  }

  /**
   * A copy with another stem width: the stem and the complete-graph baseline (whose FLOPs budget
   * matching reaches) both get {@code width} channels.
   */
  public MlpSpec withStemWidth(int width) {
    return new MlpSpec(inputSize, width, relationalLayers, classes, partitionSeed);
  }

  /** Whether a graph of {@code nodes} nodes fits: at most one node per stem channel. */
  public boolean fits(int nodes) {
    return nodes <= stemWidth;
  }

  /**
   * Checks that a graph of {@code nodes} nodes fits this spec ({@link #fits}).
   *
   * @throws IllegalArgumentException saying that n ≤ stem width is needed, and how to widen it
   */
  public void checkFits(int nodes) {
    checkFits(stemWidth, nodes);
  }

  /**
   * Checks that a graph of {@code nodes} nodes fits a stem of {@code stemWidth} channels: every
   * node owns at least one channel of every layer, so n ≤ stem width.
   *
   * @throws IllegalArgumentException otherwise, naming {@code --stem-width} as the way out
   */
  public static void checkFits(int stemWidth, int nodes) {
    if (nodes > stemWidth) {
      throw new IllegalArgumentException(
          "the graph has "
              + nodes
              + " nodes, more than the stem width "
              + stemWidth
              + ": every node needs a channel, so n <= stem width; give --stem-width "
              + nodes
              + " (or more, up to "
              + MAX_STEM_WIDTH
              + ") to train it");
    }
  }

  private static void inRange(int v, int min, int max, String name) {
    if (v < min || v > max) {
      throw new IllegalArgumentException(name + " = " + v + " outside [" + min + ", " + max + "]");
    }
  }
}
