package org.relgraph.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FlipCropTest {
  // One 2×3 channel, values 11..16; with mean 10 and std 1 they normalise to 1..6, so padding
  // (0 after normalisation) stays apart from every pixel, and from black (-10).
  private static final byte[] IMAGE = {11, 12, 13, 14, 15, 16};
  private static final Normalization NORMALIZATION =
      Normalization.of(new double[] {10}, new double[] {1});
  private static final FlipCrop FLIP_CROP = new FlipCrop(1, 2, 3, 1);

  /** The draws {@link FlipCrop} makes from a fresh random source of this seed. */
  private static String draws(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    boolean flip = random.nextDouble() < 0.5;
    return flip + " " + random.nextInt(2) + " " + random.nextInt(2);
  }

  /** The first seed whose draws are {@code flip top left}. */
  private static long seedFor(String wanted) {
    for (long seed = 0; ; seed++) {
      if (draws(seed).equals(wanted)) {
        return seed;
      }
    }
  }

  private static float[] augment(long seed) {
    float[] x = new float[6];
    FLIP_CROP.fill(IMAGE, 0, NORMALIZATION.table(), x, 0, 1, new SplittableRandom(seed));
    return x;
  }

  @Test
  void everyFlipAndOffsetByHand() {
    // Padded by one: the 4×5 frame around the image, cropped to 2×3 at (top, left) in {0,1}².
    assertArrayEquals(new float[] {0, 0, 0, 0, 1, 2}, augment(seedFor("false 0 0")));
    assertArrayEquals(new float[] {0, 0, 0, 1, 2, 3}, augment(seedFor("false 0 1")));
    assertArrayEquals(new float[] {0, 1, 2, 0, 4, 5}, augment(seedFor("false 1 0")));
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, augment(seedFor("false 1 1")));
    // Flipped first: rows read 3 2 1 / 6 5 4 before padding.
    assertArrayEquals(new float[] {0, 0, 0, 0, 3, 2}, augment(seedFor("true 0 0")));
    assertArrayEquals(new float[] {0, 0, 0, 3, 2, 1}, augment(seedFor("true 0 1")));
    assertArrayEquals(new float[] {0, 3, 2, 0, 6, 5}, augment(seedFor("true 1 0")));
    assertArrayEquals(new float[] {3, 2, 1, 6, 5, 4}, augment(seedFor("true 1 1")));
  }

  @Test
  void writesOneColumnOfTheBatch() {
    float[] x = new float[6 * 3];
    java.util.Arrays.fill(x, 99);
    FLIP_CROP.fill(
        IMAGE, 0, NORMALIZATION.table(), x, 1, 3, new SplittableRandom(seedFor("true 1 1")));
    float[] expected = {3, 2, 1, 6, 5, 4};
    for (int f = 0; f < 6; f++) {
      assertEquals(99, x[f * 3]);
      assertEquals(expected[f], x[f * 3 + 1]);
      assertEquals(99, x[f * 3 + 2]);
    }
  }

  @Test
  void cifarShiftsCoverMinusFourToThreeAndBothFlips() {
    // Pixel (y, x) of this 1×32×32 image is 100 + x, so a row of the output shows the flip (values
    // falling) and the shift (which input column lands where); padding is 0.
    FlipCrop cifar = new FlipCrop(1, 32, 32, 4);
    byte[] image = new byte[1024];
    for (int i = 0; i < 1024; i++) {
      image[i] = (byte) (100 + i % 32);
    }
    float[] table = Normalization.of(new double[] {0}, new double[] {1}).table();
    SplittableRandom random = new SplittableRandom(42);
    Set<String> seen = new HashSet<>();
    float[] x = new float[1024];
    int row = 16 * 32; // the middle row is never padding
    for (int round = 0; round < 4000; round++) {
      cifar.fill(image, 0, table, x, 0, 1, random);
      int first = 0;
      while (x[row + first] == 0) {
        first++;
      }
      int column = (int) x[row + first] - 100;
      boolean flipped = x[row + first + 1] < x[row + first];
      // Output column xo reads input column xo + shift, or 31 - (xo + shift) when flipped.
      int shift = flipped ? 31 - column - first : column - first;
      assertTrue(shift >= -4 && shift <= 3, "shift " + shift);
      seen.add(flipped + " " + shift);
    }
    assertEquals(16, seen.size(), seen.toString());
  }
}
