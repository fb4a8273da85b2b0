package org.relgraph.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiFunction;

/**
 * Reads the binary version of CIFAR-10: files of records of one label byte and 3072 pixel bytes
 * (1024 red, then 1024 green, then 1024 blue, each 32×32 row-major), so a record's pixels are
 * already the CHW feature order. Training is {@code data_batch_1.bin .. data_batch_5.bin}, test is
 * {@code test_batch.bin}.
 */
final class CifarLoader {
  static final int CLASSES = 10;
  static final int CHANNELS = 3;
  static final int SIDE = 32;
  static final int IMAGE = CHANNELS * SIDE * SIDE;
  static final int RECORD = 1 + IMAGE;
  static final String SUBDIRECTORY = "cifar-10-batches-bin";
  static final String FILES = "data_batch_1.bin .. data_batch_5.bin and test_batch.bin";

  /** Per-channel mean and standard deviation on 0..255 (RGB), those of the paper's code. */
  static final Normalization NORMALIZATION =
      Normalization.of(new double[] {125.3, 123.0, 113.9}, new double[] {63.0, 62.1, 66.7});

  // The paper's code pads by 4 pixels before cropping back to 32×32.
  private static final int PAD = 4;

  private CifarLoader() {}

  /** Loads CIFAR-10 from {@code dir} or from its {@code cifar-10-batches-bin} subdirectory. */
  static Dataset load(Path dir, String howToGet) {
    if (!Files.isDirectory(dir)) {
      throw new DatasetException(
          "cifar10: no directory "
              + dir
              + "; it needs "
              + FILES
              + " (the binary version of CIFAR-10), there or in its "
              + SUBDIRECTORY
              + "/; "
              + howToGet);
    }
    Path inner = dir.resolve(SUBDIRECTORY);
    Path batches = Files.isDirectory(inner) ? inner : dir;
    Path[] trainFiles = new Path[5];
    for (int i = 0; i < trainFiles.length; i++) {
      trainFiles[i] = require(batches, "data_batch_" + (i + 1) + ".bin");
    }
    Path[] testFiles = {require(batches, "test_batch.bin")};

    DataSplit train = read(trainFiles, CifarLoader::augmentedSplit);
    DataSplit test =
        read(
            testFiles, (data, labels) -> DataSplit.of(data, labels, IMAGE, CLASSES, NORMALIZATION));
    String description =
        "cifar10 from "
            + batches
            + ": "
            + train.size()
            + " train / "
            + test.size()
            + " test RGB 32x32 images (CHW features), 10 classes; per-channel mean (125.3, 123.0,"
            + " 113.9) std (63.0, 62.1, 66.7) on 0..255; training flip + crop after 4-pixel"
            + " padding";
    return new Dataset("cifar10", train, test, CLASSES, IMAGE, description);
  }

  private static DataSplit augmentedSplit(byte[] data, byte[] labels) {
    return DataSplit.augmented(
        data, labels, CLASSES, NORMALIZATION, new FlipCrop(CHANNELS, SIDE, SIDE, PAD));
  }

  private static Path require(Path dir, String name) {
    Path file = dir.resolve(name);
    if (!Files.isRegularFile(file)) {
      throw new DatasetException("no " + name + " in " + dir);
    }
    return file;
  }

  // Sizes are checked for all files first, so the arrays are allocated once at their final size.
  private static DataSplit read(Path[] files, BiFunction<byte[], byte[], DataSplit> factory) {
    long records = 0;
    long[] sizes = new long[files.length];
    for (int i = 0; i < files.length; i++) {
      String file = files[i].getFileName().toString();
      try {
        sizes[i] = Files.size(files[i]);
      } catch (IOException e) {
        throw DatasetException.inFile(file, "cannot read: " + e, e);
      }
      if (sizes[i] == 0) {
        throw DatasetException.inFile(file, "empty file");
      }
      if (sizes[i] % RECORD != 0) {
        throw DatasetException.inFile(
            file,
            "size " + sizes[i] + " bytes is not a multiple of " + RECORD + " (CIFAR-10 record)");
      }
      records += sizes[i] / RECORD;
    }
    if (records * IMAGE > Integer.MAX_VALUE - 8) {
      throw new DatasetException("cifar10: " + records + " records do not fit in memory arrays");
    }
    byte[] data = new byte[(int) records * IMAGE];
    byte[] labels = new byte[(int) records];
    int next = 0;
    for (int i = 0; i < files.length; i++) {
      String file = files[i].getFileName().toString();
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(files[i]);
      } catch (IOException e) {
        throw DatasetException.inFile(file, "cannot read: " + e, e);
      }
      if (bytes.length != sizes[i]) {
        throw DatasetException.inFile(file, "changed size while being read");
      }
      for (int r = 0; r < bytes.length / RECORD; r++, next++) {
        int label = bytes[r * RECORD] & 0xff;
        if (label >= CLASSES) {
          throw DatasetException.inFile(
              file, "label " + label + " at record " + r + " outside 0.." + (CLASSES - 1));
        }
        labels[next] = (byte) label;
        System.arraycopy(bytes, r * RECORD + 1, data, next * IMAGE, IMAGE);
      }
    }
    return factory.apply(data, labels);
  }
}
