package org.relgraph.nn;

import org.relgraph.engine.ConvGeometry;

/** The image-shape checks of the layers on images ({@link Layer#outputShape}). */
final class Images {
  private Images() {}

  /**
   * Checks that {@code input} is an image {@code {channels, H, W}}.
   *
   * @param what the layer, as a message starts ("max pooling")
   * @throws IllegalArgumentException otherwise, naming {@code what}
   */
  static void check(String what, int channels, int[] input) {
    if (input.length != 3 || input[0] != channels) {
      throw new IllegalArgumentException(
          what
              + " of "
              + channels
              + " channels takes images {"
              + channels
              + ", H, W}, got "
              + java.util.Arrays.toString(input));
    }
  }

  /**
   * The output {@code {outChannels, Ho, Wo}} of a window of {@code stride} (padding kernel / 2)
   * over the image {@code input}, checked as {@link #check}.
   */
  static int[] strided(String what, int channels, int[] input, int outChannels, int stride) {
    check(what, channels, input);
    return new int[] {
      outChannels,
      ConvGeometry.outputSize(input[1], stride),
      ConvGeometry.outputSize(input[2], stride)
    };
  }
}
