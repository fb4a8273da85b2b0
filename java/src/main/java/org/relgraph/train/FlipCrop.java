package org.relgraph.train;

import java.util.SplittableRandom;

/**
 * The CIFAR-10 training augmentation of the paper's code (graph2nn's {@code pycls}): the image is
 * normalised, then flipped horizontally with probability 1/2, then zero-padded by {@code pad}
 * pixels on each side and cropped back to its size at a random offset.
 *
 * <p>Two details follow that code rather than torchvision's {@code RandomCrop}: padding is applied
 * after normalisation, so padded pixels are 0 in the normalised space (the channel's mean colour,
 * not black); and the offsets are drawn as {@code np.random.randint(0, 2 * pad)}, so each axis
 * shifts by {@code -pad .. pad-1}. Per image the draws are, in order: the flip ({@code nextDouble()
 * < 0.5}), the row offset, the column offset.
 */
final class FlipCrop {
  private final int channels;
  private final int height;
  private final int width;
  private final int pad;

  FlipCrop(int channels, int height, int width, int pad) {
    if (channels < 1 || height < 1 || width < 1 || pad < 1) {
      throw new IllegalArgumentException(
          "image " + channels + "x" + height + "x" + width + ", pad " + pad + ": all must be >= 1");
    }
    this.channels = channels;
    this.height = height;
    this.width = width;
    this.pad = pad;
  }

  /** The number of features of one image, {@code channels * height * width}. */
  int features() {
    return channels * height * width;
  }

  /**
   * Writes one augmented image, read at {@code data[base ..]} in CHW order, normalised through
   * {@code table}: feature {@code f} goes to {@code x[offset + f * stride]}.
   */
  void fill(
      byte[] data,
      int base,
      float[] table,
      float[] x,
      int offset,
      int stride,
      SplittableRandom random) {
    boolean flip = random.nextDouble() < 0.5;
    int rowOffset = random.nextInt(2 * pad) - pad;
    int columnOffset = random.nextInt(2 * pad) - pad;
    // Output column xo reads (flipped) input column xo + columnOffset; these bounds keep it inside.
    int from = Math.max(0, -columnOffset);
    int to = Math.min(width, width - columnOffset);
    int plane = height * width;
    for (int c = 0; c < channels; c++) {
      int lut = c << 8;
      for (int y = 0; y < height; y++) {
        int out = offset + (c * plane + y * width) * stride;
        int sourceRow = y + rowOffset;
        if (sourceRow < 0 || sourceRow >= height) {
          for (int xo = 0; xo < width; xo++) {
            x[out + xo * stride] = 0f;
          }
          continue;
        }
        int rowBase = base + c * plane + sourceRow * width;
        for (int xo = 0; xo < from; xo++) {
          x[out + xo * stride] = 0f;
        }
        if (flip) {
          for (int xo = from; xo < to; xo++) {
            int p = data[rowBase + width - 1 - (xo + columnOffset)] & 0xff;
            x[out + xo * stride] = table[lut + p];
          }
        } else {
          for (int xo = from; xo < to; xo++) {
            int p = data[rowBase + xo + columnOffset] & 0xff;
            x[out + xo * stride] = table[lut + p];
          }
        }
        for (int xo = to; xo < width; xo++) {
          x[out + xo * stride] = 0f;
        }
      }
    }
  }
}
