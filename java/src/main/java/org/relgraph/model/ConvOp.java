package org.relgraph.model;

/**
 * One operation of a convolutional network ({@link ConvNet}), in forward order: what a network
 * builder needs to create the layer, and what {@link ConvFlops} counts. Activations are square
 * images, {@code inSize × inSize} in and {@code outSize × outSize} out; a convolution or pooling of
 * kernel k, stride s and padding p gives {@code outSize = ⌊(inSize + 2p − k) / s⌋ + 1}.
 *
 * <p>Each operation reads the output of the operation at index {@link #input} ({@code -1}: the
 * network's input image); a residual addition also reads the one at {@link #shortcut}. An
 * operation's index is always greater than those of the operations it reads, so a builder can walk
 * the list once, keeping every output it will need again.
 *
 * @param name a dotted name, unique in the network, in the paper's terms: {@code stem.conv}, {@code
 *     s2.b1.a}, {@code s2.b1.proj}, {@code head.fc}
 * @param kind what the operation computes
 * @param input index of the operation whose output this one reads, or {@code -1} for the image
 * @param shortcut for {@link Kind#RESIDUAL_ADD}, the index of the other summand; otherwise {@code
 *     -1}
 * @param inChannels channels read
 * @param outChannels channels written (the classes, for {@link Kind#DENSE})
 * @param kernel kernel side (1 for the operations without one)
 * @param stride stride (1 for the operations without one)
 * @param padding zero padding on every side (0 for the operations without one)
 * @param inSize input height and width (1 for {@link Kind#DENSE})
 * @param outSize output height and width
 * @param relu whether a ReLU follows ({@link Kind#BATCH_NORM} and {@link Kind#RESIDUAL_ADD} only)
 */
public record ConvOp(
    String name,
    Kind kind,
    int input,
    int shortcut,
    int inChannels,
    int outChannels,
    int kernel,
    int stride,
    int padding,
    int inSize,
    int outSize,
    boolean relu) {

  /** What an operation computes. */
  public enum Kind {
    /**
     * An ordinary dense convolution without bias: the stem, and ResNet-50's projection shortcuts,
     * which the paper's code keeps dense.
     */
    DENSE_CONV,
    /**
     * A relational convolution without bias (3×3 or 1×1): input and output channels are each
     * partitioned over the graph's nodes ({@link ConvNetSpec#partition}), and the kernel's block
     * (v, u) exists only where the graph has the edge u → v or u = v.
     */
    RELATIONAL_CONV,
    /** A depthwise 3×3 convolution without bias (separable blocks): one filter per channel. */
    DEPTHWISE_CONV,
    /** Batch norm over channels × (batch · H · W), a ReLU after it when {@link #relu}. */
    BATCH_NORM,
    /** Max pooling (the ImageNet stems: 3×3, stride 2, padding 1). */
    MAX_POOL,
    /** The sum of {@link #input} and {@link #shortcut}, a ReLU after it when {@link #relu}. */
    RESIDUAL_ADD,
    /** Global average pooling: {@code inSize × inSize} to 1 × 1. */
    GLOBAL_AVG_POOL,
    /** The dense head {@code inChannels → outChannels} (the classes), with bias. */
    DENSE
  }

  /** Whether this is a convolution (dense, relational or depthwise). */
  public boolean isConv() {
    return kind == Kind.DENSE_CONV || kind == Kind.RELATIONAL_CONV || kind == Kind.DEPTHWISE_CONV;
  }

  /** Output positions per sample: {@code outSize²}. */
  public long outPositions() {
    return (long) outSize * outSize;
  }

  /** The output side of a window of {@code kernel}, {@code stride} and {@code padding}. */
  static int outSize(int inSize, int kernel, int stride, int padding) {
    return (inSize + 2 * padding - kernel) / stride + 1;
  }
}
