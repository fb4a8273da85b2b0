package org.relgraph.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Assembles MNIST-style data sets from the four IDX files of their usual layout, and normalises
 * them as {@code x/255} standardised by the mean and standard deviation of all training pixels.
 */
final class MnistLoader {
  static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
  static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
  static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
  static final String TEST_LABELS = "t10k-labels-idx1-ubyte";
  static final String FILES =
      TRAIN_IMAGES
          + "[.gz], "
          + TRAIN_LABELS
          + "[.gz], "
          + TEST_IMAGES
          + "[.gz], "
          + TEST_LABELS
          + "[.gz]";

  private MnistLoader() {}

  /**
   * Loads {@code name} from {@code dir}.
   *
   * @param howToGet appended to the message when the directory is missing
   */
  static Dataset load(String name, Path dir, int classes, String howToGet) {
    if (!Files.isDirectory(dir)) {
      throw new DatasetException(
          name + ": no directory " + dir + "; it needs " + FILES + "; " + howToGet);
    }
    // Find all four before reading any, so a missing one is reported at once.
    Path trainImagesFile = IdxFiles.find(dir, TRAIN_IMAGES);
    Path trainLabelsFile = IdxFiles.find(dir, TRAIN_LABELS);
    Path testImagesFile = IdxFiles.find(dir, TEST_IMAGES);
    Path testLabelsFile = IdxFiles.find(dir, TEST_LABELS);

    IdxFiles.Images trainImages = IdxFiles.readImages(trainImagesFile);
    byte[] trainLabels = IdxFiles.readLabels(trainLabelsFile, classes);
    checkCounts(trainImages, trainLabels, trainLabelsFile);
    IdxFiles.Images testImages = IdxFiles.readImages(testImagesFile);
    byte[] testLabels = IdxFiles.readLabels(testLabelsFile, classes);
    checkCounts(testImages, testLabels, testLabelsFile);
    if (testImages.rows() != trainImages.rows() || testImages.columns() != trainImages.columns()) {
      throw DatasetException.inFile(
          testImages.file(),
          "images are "
              + testImages.rows()
              + "x"
              + testImages.columns()
              + " but "
              + trainImages.file()
              + " has "
              + trainImages.rows()
              + "x"
              + trainImages.columns());
    }
    if (trainImages.count() == 0) {
      throw DatasetException.inFile(trainImages.file(), "no images");
    }
    if (testImages.count() == 0) {
      throw DatasetException.inFile(testImages.file(), "no images");
    }

    Normalization normalization = Normalization.fromData(trainImages.pixels(), trainImages.file());
    int features = trainImages.pixelsPerImage();
    DataSplit train =
        DataSplit.of(trainImages.pixels(), trainLabels, features, classes, normalization);
    DataSplit test =
        DataSplit.of(testImages.pixels(), testLabels, features, classes, normalization);
    String description =
        String.format(
            Locale.ROOT,
            "%s from %s: %d train / %d test grey %dx%d images, %d classes;"
                + " x/255 standardised by the training mean %.4f and std %.4f",
            name,
            dir,
            train.size(),
            test.size(),
            trainImages.rows(),
            trainImages.columns(),
            classes,
            normalization.mean(0) / 255,
            normalization.std(0) / 255);
    return new Dataset(name, train, test, classes, features, description);
  }

  private static void checkCounts(IdxFiles.Images images, byte[] labels, Path labelsFile) {
    if (images.count() != labels.length) {
      throw DatasetException.inFile(
          labelsFile.getFileName().toString(),
          labels.length + " labels but " + images.file() + " has " + images.count() + " images");
    }
  }
}
