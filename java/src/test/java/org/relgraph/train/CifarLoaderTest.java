package org.relgraph.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarLoaderTest {
  private static final int IMAGE = CifarLoader.IMAGE;
  private static final String[] FILES = {
    "data_batch_1.bin",
    "data_batch_2.bin",
    "data_batch_3.bin",
    "data_batch_4.bin",
    "data_batch_5.bin",
    "test_batch.bin"
  };
  // Records per file: 7 training images over five files, 3 test images.
  private static final int[] RECORDS = {2, 1, 1, 1, 2, 3};
  private static final double[] MEAN = {125.3, 123.0, 113.9};
  private static final double[] STD = {63.0, 62.1, 66.7};

  @TempDir Path dir;

  /** Image {@code i} of the whole set (training then test), label {@code (3 i + 1) mod 10}. */
  private static byte[] pixels(int i) {
    return DataFiles.ramp(IMAGE, 17 * i);
  }

  private static int labelOf(int i) {
    return (3 * i + 1) % 10;
  }

  private void writeAll(Path into) {
    int image = 0;
    for (int file = 0; file < FILES.length; file++) {
      byte[] labels = new byte[RECORDS[file]];
      byte[] pixels = new byte[RECORDS[file] * IMAGE];
      for (int r = 0; r < RECORDS[file]; r++, image++) {
        labels[r] = (byte) labelOf(image);
        System.arraycopy(pixels(image), 0, pixels, r * IMAGE, IMAGE);
      }
      DataFiles.write(into, FILES[file], DataFiles.cifarRecords(labels, pixels));
    }
  }

  private DatasetException failure() {
    return assertThrows(DatasetException.class, () -> Datasets.load("cifar10", dir));
  }

  @Test
  void loadsRecordsAcrossTheSixFiles() {
    writeAll(dir);
    Dataset data = Datasets.load("cifar10", dir);

    assertEquals(7, data.train().size());
    assertEquals(3, data.test().size());
    assertEquals(3072, data.features());
    assertEquals(10, data.classes());
    for (int i = 0; i < 10; i++) {
      DataSplit split = i < 7 ? data.train() : data.test();
      int index = i < 7 ? i : i - 7;
      assertEquals(labelOf(i), split.label(index));
      byte[] expected = pixels(i);
      for (int f = 0; f < IMAGE; f += 97) {
        assertEquals(expected[f] & 0xff, split.raw(index, f), "image " + i + " feature " + f);
      }
    }
    assertTrue(data.train().augments());
    assertFalse(data.test().augments());
  }

  @Test
  void acceptsTheDirectoryAboveTheBatches() {
    writeAll(dir.resolve("cifar-10-batches-bin"));
    assertEquals(3, Datasets.cifar10(dir).test().size());
  }

  @Test
  void normalisesPerChannel() {
    writeAll(dir);
    Dataset data = Datasets.load("cifar10", dir);
    float[] x = new float[IMAGE * 2];
    int[] labels = new int[2];
    data.train().fillBatch(new int[] {0, 6, 4}, 1, 2, x, labels, null);
    assertArrayEquals(new int[] {labelOf(6), labelOf(4)}, labels);
    for (int f = 0; f < IMAGE; f++) {
      int c = f / 1024;
      for (int b = 0; b < 2; b++) {
        int p = pixels(b == 0 ? 6 : 4)[f] & 0xff;
        assertEquals((float) ((p - MEAN[c]) / STD[c]), x[f * 2 + b], "feature " + f);
      }
    }
  }

  @Test
  void augmentationKeepsLabelsAndChangesPixels() {
    writeAll(dir);
    Dataset data = Datasets.load("cifar10", dir);
    int[] order = {0, 1, 2, 3, 4, 5, 6};
    float[] plain = new float[IMAGE * 7];
    float[] augmented = new float[IMAGE * 7];
    int[] plainLabels = new int[7];
    int[] augmentedLabels = new int[7];
    data.train().fillBatch(order, 0, 7, plain, plainLabels, null);
    SplittableRandom random = new SplittableRandom(5);
    for (int round = 0; round < 20; round++) {
      data.train().fillBatch(order, 0, 7, augmented, augmentedLabels, random);
      assertArrayEquals(plainLabels, augmentedLabels);
    }
    assertFalse(Arrays.equals(plain, augmented));

    // The test split never augments, whatever random source it is given.
    float[] test = new float[IMAGE * 3];
    float[] testWithRandom = new float[IMAGE * 3];
    data.test().fillBatch(new int[] {0, 1, 2}, 0, 3, test, new int[3], null);
    data.test()
        .fillBatch(new int[] {0, 1, 2}, 0, 3, testWithRandom, new int[3], new SplittableRandom(5));
    assertArrayEquals(test, testWithRandom);
  }

  @Test
  void augmentedImageFillIsTheFeatureMajorFillChannelMajor() {
    writeAll(dir);
    DataSplit train = Datasets.cifar10(dir).train();
    assertArrayEquals(new int[] {3, 32, 32}, train.imageShape());
    int[] order = {3, 0, 6, 2, 5};
    int batch = order.length;
    int plane = IMAGE / 3;
    for (long seed : new long[] {-1, 7}) {
      float[] featureMajor = new float[IMAGE * batch];
      float[] channelMajor = new float[IMAGE * batch];
      int[] labels = new int[batch];
      train.fillBatch(order, 0, batch, featureMajor, labels, random(seed));
      train.fillImageBatch(order, 0, batch, channelMajor, labels, random(seed));
      for (int c = 0; c < 3; c++) {
        for (int b = 0; b < batch; b++) {
          for (int p = 0; p < plane; p++) {
            assertEquals(
                featureMajor[(c * plane + p) * batch + b],
                channelMajor[(c * batch + b) * plane + p],
                "channel " + c + " sample " + b + " pixel " + p);
          }
        }
      }
    }
  }

  private static SplittableRandom random(long seed) {
    return seed < 0 ? null : new SplittableRandom(seed);
  }

  @Test
  void augmentationMatchesFlipPadCropOfThePaperCode() {
    writeAll(dir);
    DataSplit train = Datasets.cifar10(dir).train();
    int[] order = {3, 0, 6, 2, 5};
    int batch = order.length;
    float[] x = new float[IMAGE * batch];
    int[] labels = new int[batch];
    for (long seed = 0; seed < 40; seed++) {
      train.fillBatch(order, 0, batch, x, labels, new SplittableRandom(seed));
      SplittableRandom replay = new SplittableRandom(seed);
      for (int b = 0; b < batch; b++) {
        float[] expected = FlipPadCrop.apply(pixels(order[b]), replay);
        for (int f = 0; f < IMAGE; f++) {
          assertEquals(expected[f], x[f * batch + b], "seed " + seed + " sample " + b + " f " + f);
        }
      }
    }
  }

  /**
   * The paper code's steps done literally on arrays: normalise, flip with probability 1/2, pad by 4
   * with zeros, crop 32×32 at offsets drawn from {@code 0..7}.
   */
  private static final class FlipPadCrop {
    static float[] apply(byte[] image, SplittableRandom random) {
      float[][][] normalised = new float[3][32][32];
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < 32; y++) {
          for (int x = 0; x < 32; x++) {
            int p = image[c * 1024 + y * 32 + x] & 0xff;
            normalised[c][y][x] = (float) ((p - MEAN[c]) / STD[c]);
          }
        }
      }
      boolean flip = random.nextDouble() < 0.5;
      float[][][] flipped = new float[3][32][32];
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < 32; y++) {
          for (int x = 0; x < 32; x++) {
            flipped[c][y][x] = normalised[c][y][flip ? 31 - x : x];
          }
        }
      }
      float[][][] padded = new float[3][40][40];
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < 32; y++) {
          System.arraycopy(flipped[c][y], 0, padded[c][y + 4], 4, 32);
        }
      }
      int top = random.nextInt(8);
      int left = random.nextInt(8);
      float[] out = new float[IMAGE];
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < 32; y++) {
          for (int x = 0; x < 32; x++) {
            out[c * 1024 + y * 32 + x] = padded[c][y + top][x + left];
          }
        }
      }
      return out;
    }
  }

  @Test
  void sizeNotAMultipleOfTheRecord() throws IOException {
    writeAll(dir);
    Files.write(dir.resolve("data_batch_3.bin"), new byte[3074]);
    assertEquals(
        "data_batch_3.bin: size 3074 bytes is not a multiple of 3073 (CIFAR-10 record)",
        failure().getMessage());
  }

  @Test
  void truncatedRecord() throws IOException {
    writeAll(dir);
    byte[] bytes = Files.readAllBytes(dir.resolve("test_batch.bin"));
    Files.write(dir.resolve("test_batch.bin"), DataFiles.cut(bytes, 100));
    assertEquals(
        "test_batch.bin: size 9119 bytes is not a multiple of 3073 (CIFAR-10 record)",
        failure().getMessage());
  }

  @Test
  void labelOutOfRange() throws IOException {
    writeAll(dir);
    byte[] bytes = Files.readAllBytes(dir.resolve("test_batch.bin"));
    bytes[CifarLoader.RECORD] = 11;
    Files.write(dir.resolve("test_batch.bin"), bytes);
    assertEquals("test_batch.bin: label 11 at record 1 outside 0..9", failure().getMessage());
  }

  @Test
  void emptyFile() throws IOException {
    writeAll(dir);
    Files.write(dir.resolve("data_batch_5.bin"), new byte[0]);
    assertEquals("data_batch_5.bin: empty file", failure().getMessage());
  }

  @Test
  void missingFile() throws IOException {
    writeAll(dir);
    Files.delete(dir.resolve("data_batch_4.bin"));
    assertEquals("no data_batch_4.bin in " + dir, failure().getMessage());
  }

  @Test
  void missingDirectoryAndNoDefault() {
    Path absent = dir.resolve("absent");
    String message =
        assertThrows(DatasetException.class, () -> Datasets.load("cifar10", absent)).getMessage();
    assertTrue(message.startsWith("cifar10: no directory " + absent), message);
    assertTrue(message.contains("data_batch_1.bin"), message);
    assertTrue(message.contains("--data DIR"), message);
    message =
        assertThrows(DatasetException.class, () -> Datasets.load("cifar10", null)).getMessage();
    assertTrue(message.contains("pass --data DIR"), message);
    assertNotEquals(-1, message.indexOf("test_batch.bin"), message);
  }
}
