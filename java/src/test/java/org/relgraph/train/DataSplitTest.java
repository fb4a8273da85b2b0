package org.relgraph.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DataSplitTest {
  // Four samples of two channels × three features; sample s, feature f holds 10 s + f.
  private static final int FEATURES = 6;
  private static final byte[] DATA = new byte[4 * FEATURES];
  private static final byte[] LABELS = {2, 0, 1, 2};
  private static final Normalization NORMALIZATION =
      Normalization.of(new double[] {1, 20}, new double[] {2, 4});

  static {
    for (int s = 0; s < 4; s++) {
      for (int f = 0; f < FEATURES; f++) {
        DATA[s * FEATURES + f] = (byte) (10 * s + f);
      }
    }
  }

  private static final DataSplit SPLIT = DataSplit.of(DATA, LABELS, FEATURES, 3, NORMALIZATION);

  @Test
  void fillsFeatureMajorWithPerChannelNormalisation() {
    int[] order = {3, 0, 2, 1, 3};
    float[] x = new float[FEATURES * 3];
    int[] labels = new int[3];
    SPLIT.fillBatch(order, 1, 3, x, labels, null);

    assertArrayEquals(new int[] {2, 1, 0}, labels);
    int[] samples = {0, 2, 1};
    for (int f = 0; f < FEATURES; f++) {
      for (int b = 0; b < 3; b++) {
        int p = 10 * samples[b] + f;
        float expected = f < 3 ? (p - 1) / 2f : (p - 20) / 4f;
        assertEquals(expected, x[f * 3 + b], "feature " + f + " column " + b);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 8, 9, 17, 64})
  void tiledFillMatchesOneSampleAtATime(int batch) {
    // Odd batch sizes around the tile of 8: every column must equal a one-sample fill.
    SplittableRandom random = new SplittableRandom(batch);
    int[] order = new int[batch];
    for (int b = 0; b < batch; b++) {
      order[b] = random.nextInt(4);
    }
    float[] x = new float[FEATURES * batch];
    int[] labels = new int[batch];
    SPLIT.fillBatch(order, 0, batch, x, labels, null);
    float[] one = new float[FEATURES];
    int[] label = new int[1];
    for (int b = 0; b < batch; b++) {
      SPLIT.fillBatch(order, b, 1, one, label, null);
      assertEquals(label[0], labels[b]);
      for (int f = 0; f < FEATURES; f++) {
        assertEquals(one[f], x[f * batch + b], "batch " + batch + " column " + b);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 8, 9})
  void imageFillIsTheFeatureMajorFillChannelMajor(int batch) {
    // Two channels of three pixels: x[(c·B + b)·3 + p] must be feature c·3 + p of sample b.
    SplittableRandom random = new SplittableRandom(batch);
    int[] order = new int[batch + 2];
    for (int i = 0; i < order.length; i++) {
      order[i] = random.nextInt(4);
    }
    float[] featureMajor = new float[FEATURES * batch];
    float[] channelMajor = new float[FEATURES * batch];
    int[] labels = new int[batch];
    int[] imageLabels = new int[batch];
    SPLIT.fillBatch(order, 2, batch, featureMajor, labels, null);
    SPLIT.fillImageBatch(order, 2, batch, channelMajor, imageLabels, null);
    assertArrayEquals(labels, imageLabels);
    int plane = FEATURES / 2;
    for (int c = 0; c < 2; c++) {
      for (int b = 0; b < batch; b++) {
        for (int p = 0; p < plane; p++) {
          int f = c * plane + p;
          assertEquals(
              featureMajor[f * batch + b],
              channelMajor[(c * batch + b) * plane + p],
              "batch " + batch + " channel " + c + " sample " + b + " pixel " + p);
        }
      }
    }
  }

  @Test
  void imageShapeSplitsTheChannelsIntoSquares() {
    byte[] data = new byte[2 * 12];
    DataSplit rgb =
        DataSplit.of(
            data, new byte[2], 12, 2, Normalization.of(new double[3], new double[] {1, 1, 1}));
    assertArrayEquals(new int[] {3, 2, 2}, rgb.imageShape());
    DataSplit grey =
        DataSplit.of(
            new byte[64], new byte[1], 64, 2, Normalization.of(new double[1], new double[] {1}));
    assertArrayEquals(new int[] {1, 8, 8}, grey.imageShape());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, SPLIT::imageShape);
    assertEquals("6 features in 2 channels are not square images", e.getMessage());
  }

  @Test
  void randomSourceUnusedWithoutAugmentation() {
    SplittableRandom used = new SplittableRandom(3);
    float[] x = new float[FEATURES * 2];
    float[] y = new float[FEATURES * 2];
    SPLIT.fillBatch(new int[] {1, 2}, 0, 2, x, new int[2], used);
    SPLIT.fillBatch(new int[] {1, 2}, 0, 2, y, new int[2], null);
    assertArrayEquals(y, x);
    assertEquals(new SplittableRandom(3).nextLong(), used.nextLong());
  }

  @Test
  void longerOutputArraysKeepTheirTail() {
    float[] x = new float[FEATURES * 2 + 3];
    Arrays.fill(x, 7f);
    SPLIT.fillBatch(new int[] {0, 1}, 0, 2, x, new int[4], null);
    assertArrayEquals(new float[] {7f, 7f, 7f}, Arrays.copyOfRange(x, FEATURES * 2, x.length));
  }

  @Test
  void rejectsBadArguments() {
    float[] x = new float[FEATURES * 2];
    int[] labels = new int[2];
    assertThrows(
        IllegalArgumentException.class,
        () -> SPLIT.fillBatch(new int[] {0, 1}, 1, 2, x, labels, null));
    assertThrows(
        IllegalArgumentException.class,
        () -> SPLIT.fillBatch(new int[] {0, 1}, 0, 0, x, labels, null));
    assertThrows(
        IllegalArgumentException.class,
        () -> SPLIT.fillBatch(new int[] {0, 1}, 0, 2, new float[FEATURES], labels, null));
    assertThrows(
        IllegalArgumentException.class,
        () -> SPLIT.fillBatch(new int[] {0, 1}, 0, 2, x, new int[1], null));
    assertThrows(
        IndexOutOfBoundsException.class,
        () -> SPLIT.fillBatch(new int[] {0, 4}, 0, 2, x, labels, null));
    assertThrows(
        IllegalArgumentException.class,
        () -> DataSplit.of(DATA, new byte[] {0, 0, 3, 0}, FEATURES, 3, NORMALIZATION));
    assertThrows(
        IllegalArgumentException.class, () -> DataSplit.of(DATA, LABELS, 5, 3, NORMALIZATION));
    assertThrows(
        IllegalArgumentException.class,
        () -> DataSplit.of(new byte[20], new byte[4], 5, 3, NORMALIZATION));
  }

  @Test
  void normalisationTableIsExact() {
    for (int p = 0; p < 256; p++) {
      assertEquals((float) ((p - 20) / 4.0), NORMALIZATION.apply(1, p));
    }
    Normalization fromData = Normalization.fromData(new byte[] {0, 2, 4, 6}, "x");
    assertEquals(3, fromData.mean(0));
    assertEquals(Math.sqrt(5), fromData.std(0), 1e-12);
    DatasetException constant =
        assertThrows(DatasetException.class, () -> Normalization.fromData(new byte[3], "t.gz"));
    assertEquals("t.gz: all 3 values are equal", constant.getMessage());
  }
}
