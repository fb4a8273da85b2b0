package org.relgraph.train;

import java.util.SplittableRandom;

/**
 * One split (training or test) of a classification data set: {@code size()} samples of {@code
 * features()} byte values each, a label per sample in {@code 0 .. classes()-1}, and the {@link
 * Normalization} that turns bytes into network inputs.
 *
 * <p>Samples stay bytes in memory (Fashion-MNIST's training split is 47 MB this way, four times
 * that as floats); {@link #fillBatch} normalises them while it writes a batch. Labels are stored as
 * bytes too, so at most 256 classes.
 *
 * <p>A split is immutable, and {@link #fillBatch} may be called from several threads at once with
 * different output arrays.
 */
public final class DataSplit {
  // Samples per tile in the plain fill: each feature then writes this many consecutive floats.
  private static final int TILE = 8;

  private final byte[] data;
  private final byte[] labels;
  private final int features;
  private final int classes;
  private final Normalization normalization;
  private final float[] table;
  private final int plane;
  private final FlipCrop augmentation;

  private DataSplit(
      byte[] data,
      byte[] labels,
      int features,
      int classes,
      Normalization normalization,
      FlipCrop augmentation) {
    if (features < 1) {
      throw new IllegalArgumentException("features = " + features + " must be >= 1");
    }
    if (classes < 2 || classes > 256) {
      throw new IllegalArgumentException("classes = " + classes + " must be in 2..256");
    }
    if ((long) labels.length * features != data.length) {
      throw new IllegalArgumentException(
          "data has "
              + data.length
              + " bytes, expected "
              + labels.length
              + " samples x "
              + features
              + " features");
    }
    if (features % normalization.channels() != 0) {
      throw new IllegalArgumentException(
          features + " features do not split into " + normalization.channels() + " channels");
    }
    if (augmentation != null && augmentation.features() != features) {
      throw new IllegalArgumentException(
          "augmentation images have " + augmentation.features() + " features, not " + features);
    }
    for (int i = 0; i < labels.length; i++) {
      if ((labels[i] & 0xff) >= classes) {
        throw new IllegalArgumentException(
            "label " + (labels[i] & 0xff) + " of sample " + i + " outside 0.." + (classes - 1));
      }
    }
    this.data = data;
    this.labels = labels;
    this.features = features;
    this.classes = classes;
    this.normalization = normalization;
    this.table = normalization.table();
    this.plane = features / normalization.channels();
    this.augmentation = augmentation;
  }

  /**
   * A split without augmentation.
   *
   * @param data {@code labels.length * features} bytes, sample after sample; kept, not copied
   * @param labels one class index (read unsigned) per sample; kept, not copied
   * @param features values per sample
   * @param classes number of classes, 2..256
   * @param normalization maps bytes to inputs; its channel count must divide {@code features}
   */
  public static DataSplit of(
      byte[] data, byte[] labels, int features, int classes, Normalization normalization) {
    return new DataSplit(data, labels, features, classes, normalization, null);
  }

  /** A split of CHW images whose {@link #fillBatch} can apply {@link FlipCrop}. */
  static DataSplit augmented(
      byte[] data, byte[] labels, int classes, Normalization normalization, FlipCrop augmentation) {
    return new DataSplit(
        data, labels, augmentation.features(), classes, normalization, augmentation);
  }

  /**
   * A split of this one's first {@code samples} samples, with its normalisation and augmentation
   * (e.g. to time a few steps of an epoch).
   *
   * @throws IllegalArgumentException for fewer than 1 or more than {@link #size()} samples
   */
  public DataSplit first(int samples) {
    if (samples < 1 || samples > size()) {
      throw new IllegalArgumentException("samples = " + samples + " outside [1, " + size() + "]");
    }
    return new DataSplit(
        java.util.Arrays.copyOf(data, samples * features),
        java.util.Arrays.copyOf(labels, samples),
        features,
        classes,
        normalization,
        augmentation);
  }

  /** The number of samples. */
  public int size() {
    return labels.length;
  }

  /** The number of input features per sample. */
  public int features() {
    return features;
  }

  /** The number of classes; labels are {@code 0 .. classes()-1}. */
  public int classes() {
    return classes;
  }

  /** The label of sample {@code i}. */
  public int label(int i) {
    return labels[i] & 0xff;
  }

  /** The raw byte value (0..255) of feature {@code f} of sample {@code i}, before normalisation. */
  public int raw(int i, int f) {
    if (f < 0 || f >= features) {
      throw new IndexOutOfBoundsException("feature " + f + " outside 0.." + (features - 1));
    }
    return data[i * features + f] & 0xff;
  }

  /** The normalisation {@link #fillBatch} applies. */
  public Normalization normalization() {
    return normalization;
  }

  /**
   * Whether {@link #fillBatch} augments when given a random source (CIFAR-10's training split);
   * otherwise the random source is ignored.
   */
  public boolean augments() {
    return augmentation != null;
  }

  /**
   * Fills one batch in feature-major layout, the engine's channels × batch activations: the
   * normalised feature {@code f} of sample {@code order[start + b]} goes to {@code x[f * batch +
   * b]}, and its label to {@code labels[b]}.
   *
   * <p>When this split {@link #augments()} and {@code augment} is not null, each image is first
   * flipped horizontally with probability 1/2, then cropped back to its size from the image padded
   * by 4 pixels of value 0 <em>after</em> normalisation (the mean colour), at offsets {@code 0..7}
   * per axis: the order and padding of the paper's code. Labels are never changed.
   *
   * @param order sample indices, typically a shuffled permutation of {@code 0 .. size()-1}
   * @param start the first position of {@code order} in this batch
   * @param batch the number of samples; also the row stride of {@code x}
   * @param x receives {@code features() * batch} values; longer arrays keep their tail
   * @param labels receives {@code batch} labels
   * @param augment random source for training augmentation (if this split {@link #augments()}), or
   *     {@code null} for none; it is advanced only when augmentation applies
   */
  public void fillBatch(
      int[] order, int start, int batch, float[] x, int[] labels, SplittableRandom augment) {
    fillLabels(order, start, batch, x, labels);
    if (augment != null && augmentation != null) {
      fillAugmented(order, start, batch, x, augment);
    } else {
      fillPlain(order, start, batch, x);
    }
  }

  /**
   * Fills one batch in channel-major layout, the engine's images {@code channels × batch × H × W}
   * with the channels of {@link #normalization()}: pixel {@code p} of channel {@code c} of sample
   * {@code order[start + b]} (its feature {@code f = c · plane + p}, {@code plane = features() /
   * channels}) goes to {@code x[(c · batch + b) · plane + p]}, its label to {@code labels[b]}. The
   * values, the augmentation and its random draws are {@link #fillBatch}'s; only the layout
   * differs.
   *
   * @throws IllegalArgumentException as {@link #fillBatch}
   */
  public void fillImageBatch(
      int[] order, int start, int batch, float[] x, int[] labels, SplittableRandom augment) {
    fillLabels(order, start, batch, x, labels);
    int channels = normalization.channels();
    float[] image = new float[features];
    boolean augmenting = augment != null && augmentation != null;
    for (int b = 0; b < batch; b++) {
      int base = order[start + b] * features;
      if (augmenting) {
        augmentation.fill(data, base, table, image, 0, 1, augment);
      } else {
        for (int c = 0, f = 0; c < channels; c++) {
          int lut = c << 8;
          for (int end = f + plane; f < end; f++) {
            image[f] = table[lut + (data[base + f] & 0xff)];
          }
        }
      }
      for (int c = 0; c < channels; c++) {
        System.arraycopy(image, c * plane, x, (c * batch + b) * plane, plane);
      }
    }
  }

  /**
   * The shape {@code {C, H, W}} of this split's samples as images: {@code C} the channels of {@link
   * #normalization()}, {@code H = W} the side of the square of {@code features() / C} pixels (28 ×
   * 28 for MNIST, 3 × 32 × 32 for CIFAR-10, 1 × 8 × 8 for 64 synthetic features).
   *
   * @throws IllegalArgumentException when the pixels of a channel do not form a square
   */
  public int[] imageShape() {
    int channels = normalization.channels();
    int side = (int) Math.round(Math.sqrt(plane));
    if (side * side != plane) {
      throw new IllegalArgumentException(
          features
              + " features in "
              + channels
              + (channels == 1 ? " channel" : " channels")
              + " are not square images");
    }
    return new int[] {channels, side, side};
  }

  // Checks the arguments of a fill and writes the labels.
  private void fillLabels(int[] order, int start, int batch, float[] x, int[] labels) {
    if (batch < 1 || start < 0 || start > order.length - batch) {
      throw new IllegalArgumentException(
          "batch "
              + batch
              + " from position "
              + start
              + " does not fit an order of length "
              + order.length);
    }
    if (x.length < (long) features * batch) {
      throw new IllegalArgumentException(
          "x has " + x.length + " values, need " + features + " x " + batch);
    }
    if (labels.length < batch) {
      throw new IllegalArgumentException("labels has " + labels.length + " slots, need " + batch);
    }
    for (int b = 0; b < batch; b++) {
      int sample = order[start + b];
      if (sample < 0 || sample >= size()) {
        throw new IndexOutOfBoundsException(
            "order[" + (start + b) + "] = " + sample + " outside 0.." + (size() - 1));
      }
      labels[b] = this.labels[sample] & 0xff;
    }
  }

  // Each image of a tile is augmented into a contiguous scratch row, then the tile is transposed
  // into x: both passes then write consecutive floats, unlike augmenting straight into x.
  private void fillAugmented(
      int[] order, int start, int batch, float[] x, SplittableRandom augment) {
    float[] scratch = new float[TILE * features];
    for (int b0 = 0; b0 < batch; b0 += TILE) {
      int tile = Math.min(TILE, batch - b0);
      for (int j = 0; j < tile; j++) {
        augmentation.fill(
            data, order[start + b0 + j] * features, table, scratch, j * features, 1, augment);
      }
      for (int f = 0; f < features; f++) {
        int out = f * batch + b0;
        for (int j = 0; j < tile; j++) {
          x[out + j] = scratch[j * features + f];
        }
      }
    }
  }

  // Tiles of a few samples: for each feature the tile's values land next to each other in x, so
  // writes fill whole cache lines while reads walk a few sample rows forwards.
  private void fillPlain(int[] order, int start, int batch, float[] x) {
    int[] bases = new int[TILE];
    int channels = normalization.channels();
    for (int b0 = 0; b0 < batch; b0 += TILE) {
      int tile = Math.min(TILE, batch - b0);
      for (int j = 0; j < tile; j++) {
        bases[j] = order[start + b0 + j] * features;
      }
      for (int c = 0; c < channels; c++) {
        int lut = c << 8;
        for (int f = c * plane, end = f + plane; f < end; f++) {
          int out = f * batch + b0;
          for (int j = 0; j < tile; j++) {
            x[out + j] = table[lut + (data[bases[j] + f] & 0xff)];
          }
        }
      }
    }
  }
}
