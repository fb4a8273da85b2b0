package org.relgraph.train;

import java.util.Arrays;

/**
 * Per-channel standardisation of byte-valued inputs: a byte {@code p} (0..255) of channel {@code c}
 * becomes {@code (p - mean[c]) / std[c]}, with mean and standard deviation on the 0..255 scale.
 * Channels are contiguous blocks of equal size in the feature order (CHW for images), so a
 * one-channel normalisation applies to every feature.
 *
 * <p>Since inputs are bytes, the whole map is a table of {@code channels × 256} floats, computed
 * once in double precision; filling a batch is then one table look-up per value.
 */
public final class Normalization {
  private final double[] mean;
  private final double[] std;
  private final float[] table;

  private Normalization(double[] mean, double[] std) {
    if (mean.length == 0 || mean.length != std.length) {
      throw new IllegalArgumentException(
          "mean has " + mean.length + " channels, std " + std.length + "; need the same, >= 1");
    }
    this.mean = mean.clone();
    this.std = std.clone();
    table = new float[mean.length * 256];
    for (int c = 0; c < mean.length; c++) {
      if (!(std[c] > 0) || !Double.isFinite(std[c]) || !Double.isFinite(mean[c])) {
        throw new IllegalArgumentException(
            "channel " + c + ": mean " + mean[c] + ", std " + std[c] + " (std must be > 0)");
      }
      for (int p = 0; p < 256; p++) {
        table[c * 256 + p] = (float) ((p - mean[c]) / std[c]);
      }
    }
  }

  /** Per-channel mean and standard deviation, both on the 0..255 scale. */
  public static Normalization of(double[] mean, double[] std) {
    return new Normalization(mean, std);
  }

  /**
   * One channel whose mean and standard deviation are those of all the given bytes (population
   * standard deviation), as {@code x/255} standardised by the training set's statistics.
   */
  public static Normalization fromData(byte[] data, String source) {
    long sum = 0;
    long sumSquares = 0;
    for (byte v : data) {
      int p = v & 0xff;
      sum += p;
      sumSquares += (long) p * p;
    }
    double n = data.length;
    double mean = sum / n;
    double variance = sumSquares / n - mean * mean;
    if (!(variance > 0)) {
      throw new DatasetException(source + ": all " + data.length + " values are equal");
    }
    return new Normalization(new double[] {mean}, new double[] {Math.sqrt(variance)});
  }

  /** The number of channels. */
  public int channels() {
    return mean.length;
  }

  /** The mean of channel {@code c} on the 0..255 scale. */
  public double mean(int c) {
    return mean[c];
  }

  /** The standard deviation of channel {@code c} on the 0..255 scale. */
  public double std(int c) {
    return std[c];
  }

  /** The normalised value of byte {@code p} (0..255) in channel {@code c}. */
  public float apply(int c, int p) {
    return table[c * 256 + p];
  }

  /** The look-up table, {@code [c * 256 + p]}; shared, not copied: callers only read it. */
  float[] table() {
    return table;
  }

  @Override
  public String toString() {
    return "mean " + Arrays.toString(mean) + ", std " + Arrays.toString(std) + " (0..255 scale)";
  }
}
