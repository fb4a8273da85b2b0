package org.relgraph.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MnistLoaderTest {
  private static final int ROWS = 3;
  private static final int COLUMNS = 2;
  private static final byte[] TRAIN_PIXELS = DataFiles.ramp(6 * ROWS * COLUMNS, 7);
  private static final byte[] TRAIN_LABELS = {0, 1, 2, 9, 3, 4};
  private static final byte[] TEST_PIXELS = DataFiles.ramp(4 * ROWS * COLUMNS, 200);
  private static final byte[] TEST_LABELS = {5, 6, 7, 8};

  @TempDir Path dir;

  /** Writes the four files, each gzip-compressed when {@code gz}, named with {@code suffix}. */
  private void writeAll(boolean gz, String suffix) {
    put("train-images-idx3-ubyte" + suffix, idx(6, TRAIN_PIXELS), gz);
    put("train-labels-idx1-ubyte" + suffix, DataFiles.idxLabels(TRAIN_LABELS), gz);
    put("t10k-images-idx3-ubyte" + suffix, idx(4, TEST_PIXELS), gz);
    put("t10k-labels-idx1-ubyte" + suffix, DataFiles.idxLabels(TEST_LABELS), gz);
  }

  private static byte[] idx(int count, byte[] pixels) {
    return DataFiles.idxImages(count, ROWS, COLUMNS, pixels);
  }

  private void put(String name, byte[] bytes, boolean gz) {
    DataFiles.write(dir, name, gz ? DataFiles.gzip(bytes) : bytes);
  }

  private DatasetException failure() {
    return assertThrows(DatasetException.class, () -> Datasets.load("fashion-mnist", dir));
  }

  @ParameterizedTest(name = "gzip {0}, suffix ''{1}''")
  @CsvSource({"true, .gz", "false, ''", "false, .gz", "true, ''"})
  void loadsGzipAndRawUnderEitherName(boolean gz, String suffix) {
    writeAll(gz, suffix);
    Dataset data = Datasets.load("fashion-mnist", dir);

    assertEquals("fashion-mnist", data.name());
    assertEquals(6, data.train().size());
    assertEquals(4, data.test().size());
    assertEquals(ROWS * COLUMNS, data.features());
    assertEquals(10, data.classes());
    for (int i = 0; i < 6; i++) {
      assertEquals(TRAIN_LABELS[i], data.train().label(i));
      for (int f = 0; f < data.features(); f++) {
        assertEquals(TRAIN_PIXELS[i * 6 + f] & 0xff, data.train().raw(i, f));
      }
    }
    assertEquals(8, data.test().label(3));
    assertEquals(TEST_PIXELS[23] & 0xff, data.test().raw(3, 5));
    assertFalse(data.train().augments());
  }

  @Test
  void standardisesByTheTrainingPixels() {
    writeAll(true, ".gz");
    Dataset data = Datasets.mnist(dir);
    double mean = 0;
    for (byte p : TRAIN_PIXELS) {
      mean += p & 0xff;
    }
    mean /= TRAIN_PIXELS.length;
    double variance = 0;
    for (byte p : TRAIN_PIXELS) {
      variance += ((p & 0xff) - mean) * ((p & 0xff) - mean);
    }
    double std = Math.sqrt(variance / TRAIN_PIXELS.length);

    Normalization normalization = data.train().normalization();
    assertEquals(mean, normalization.mean(0), 1e-9);
    assertEquals(std, normalization.std(0), 1e-9);
    assertEquals(normalization, data.test().normalization());

    float[] x = new float[6 * 2];
    int[] labels = new int[2];
    data.test().fillBatch(new int[] {3, 1}, 0, 2, x, labels, null);
    assertEquals(8, labels[0]);
    assertEquals(6, labels[1]);
    for (int f = 0; f < 6; f++) {
      // x/255 standardised by mean/255 and std/255 is the same as standardising x on 0..255.
      double expected3 = ((TEST_PIXELS[3 * 6 + f] & 0xff) / 255.0 - mean / 255) / (std / 255);
      double expected1 = ((TEST_PIXELS[6 + f] & 0xff) / 255.0 - mean / 255) / (std / 255);
      assertEquals(expected3, x[f * 2], 1e-5);
      assertEquals(expected1, x[f * 2 + 1], 1e-5);
    }
    assertTrue(data.description().contains("mean"), data.description());
  }

  @Test
  void missingFileIsNamed() throws IOException {
    writeAll(true, ".gz");
    Files.delete(dir.resolve("t10k-images-idx3-ubyte.gz"));
    assertEquals("no t10k-images-idx3-ubyte[.gz] in " + dir, failure().getMessage());
  }

  @Test
  void missingDirectorySaysWhatToInstall() {
    Path absent = dir.resolve("absent");
    String message =
        assertThrows(DatasetException.class, () -> Datasets.load("fashion-mnist", absent))
            .getMessage();
    assertTrue(message.startsWith("fashion-mnist: no directory " + absent), message);
    assertTrue(message.contains("t10k-labels-idx1-ubyte[.gz]"), message);
    assertTrue(message.contains("apt-get install dataset-fashion-mnist"), message);
    assertTrue(message.contains("--data DIR"), message);
  }

  @Test
  void mnistWithoutDirectoryAsksForOne() {
    String message =
        assertThrows(DatasetException.class, () -> Datasets.load("mnist", null)).getMessage();
    assertTrue(message.contains("pass --data DIR"), message);
    assertTrue(message.contains("train-images-idx3-ubyte[.gz]"), message);
  }

  @Test
  void truncatedLabels() {
    writeAll(true, ".gz");
    put("t10k-labels-idx1-ubyte.gz", DataFiles.cut(DataFiles.idxLabels(TEST_LABELS), 2), true);
    assertEquals(
        "t10k-labels-idx1-ubyte.gz: truncated: expected 4 labels, found 2", failure().getMessage());
  }

  @Test
  void truncatedImages() {
    writeAll(false, "");
    put("train-images-idx3-ubyte", DataFiles.cut(idx(6, TRAIN_PIXELS), 7), false);
    assertEquals(
        "train-images-idx3-ubyte: truncated: expected 6 images of 3x2, found 4 complete ones",
        failure().getMessage());
  }

  @Test
  void truncatedGzipStream() {
    writeAll(true, ".gz");
    byte[] gz = DataFiles.gzip(idx(6, TRAIN_PIXELS));
    DataFiles.write(dir, "train-images-idx3-ubyte.gz", DataFiles.cut(gz, 12));
    String message = failure().getMessage();
    assertTrue(message.startsWith("train-images-idx3-ubyte.gz: truncated"), message);
  }

  @Test
  void truncatedHeader() {
    writeAll(false, "");
    put("t10k-images-idx3-ubyte", DataFiles.cut(idx(4, TEST_PIXELS), 4 * 6 + 5), false);
    assertEquals(
        "t10k-images-idx3-ubyte: truncated header: 11 bytes, expected 16", failure().getMessage());
  }

  @Test
  void badMagic() {
    writeAll(false, "");
    put("train-images-idx3-ubyte", DataFiles.idxLabels(TRAIN_LABELS), false);
    assertEquals(
        "train-images-idx3-ubyte: bad magic 0x00000801, expected 0x00000803 (IDX images)",
        failure().getMessage());
  }

  @Test
  void badDimensions() {
    writeAll(true, ".gz");
    put("t10k-images-idx3-ubyte.gz", DataFiles.idxImages(4, 0, COLUMNS, new byte[0]), true);
    assertEquals(
        "t10k-images-idx3-ubyte.gz: bad dimensions 4 images of 0x2", failure().getMessage());
  }

  @Test
  void trailingBytes() {
    writeAll(true, ".gz");
    byte[] labels = DataFiles.idxLabels(new byte[] {0, 1, 2, 9, 3, 4, 5});
    labels[7] = 6; // declares 6 labels, holds 7
    put("train-labels-idx1-ubyte.gz", labels, true);
    assertEquals(
        "train-labels-idx1-ubyte.gz: 1 bytes after the 6 labels the header declares",
        failure().getMessage());
  }

  @Test
  void labelOutOfRange() {
    writeAll(true, ".gz");
    put("t10k-labels-idx1-ubyte.gz", DataFiles.idxLabels(new byte[] {5, 11, 7, 8}), true);
    assertEquals(
        "t10k-labels-idx1-ubyte.gz: label 11 at index 1 outside 0..9", failure().getMessage());
  }

  @Test
  void imagesAndLabelsCountMismatch() {
    writeAll(true, ".gz");
    put("train-labels-idx1-ubyte.gz", DataFiles.idxLabels(new byte[] {0, 1, 2, 3, 4}), true);
    assertEquals(
        "train-labels-idx1-ubyte.gz: 5 labels but train-images-idx3-ubyte.gz has 6 images",
        failure().getMessage());
  }

  @Test
  void emptyFile() {
    writeAll(true, ".gz");
    DataFiles.write(dir, "train-labels-idx1-ubyte.gz", new byte[0]);
    assertEquals("train-labels-idx1-ubyte.gz: empty file", failure().getMessage());
  }

  @Test
  void trainTestShapeMismatch() {
    writeAll(true, ".gz");
    put("t10k-images-idx3-ubyte.gz", DataFiles.idxImages(4, 2, 3, TEST_PIXELS), true);
    assertEquals(
        "t10k-images-idx3-ubyte.gz: images are 2x3 but train-images-idx3-ubyte.gz has 3x2",
        failure().getMessage());
  }

  @Test
  void unknownName() {
    String message =
        assertThrows(IllegalArgumentException.class, () -> Datasets.load("imagenet", null))
            .getMessage();
    assertTrue(message.contains("fashion-mnist, mnist, cifar10, synthetic"), message);
  }
}
