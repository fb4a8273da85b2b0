package org.relgraph.model;

/**
 * The shape of a relational MLP (the paper's "5-layer MLP"): a dense stem {@code inputSize →
 * stemWidth} with BatchNorm and ReLU, {@code relationalLayers} relational layers over one graph
 * ({@code stemWidth → w}, then {@code w → w}), each with BatchNorm and ReLU, and a dense head
 * {@code w → classes} with bias. The relational width {@code w} is not part of the spec: it comes
 * from budget matching ({@link BudgetMatching}) or is given.
 *
 * @param inputSize features per sample (784 for Fashion-MNIST, 3072 for CIFAR-10)
 * @param stemWidth width of the stem, and of the complete-graph baseline's relational layers (512)
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

  /** Validates. */
  public MlpSpec {
    positive(inputSize, "input size");
    positive(stemWidth, "stem width");
    positive(relationalLayers, "relational layers");
    if (classes < 2) {
      throw new IllegalArgumentException("classes = " + classes + " must be >= 2");
    }
  }

  /** The paper's MLP for {@code inputSize} features and {@code classes} classes. */
  public static MlpSpec paper(int inputSize, int classes) {
    return new MlpSpec(inputSize, DEFAULT_STEM_WIDTH, DEFAULT_RELATIONAL_LAYERS, classes, 0);
  }

  private static void positive(int v, String name) {
    if (v < 1) {
      throw new IllegalArgumentException(name + " = " + v + " must be >= 1");
    }
  }
}
