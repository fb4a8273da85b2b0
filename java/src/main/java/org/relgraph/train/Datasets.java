package org.relgraph.train;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.relgraph.io.Quoting;

/**
 * Loads the data sets that training knows by name: {@code fashion-mnist}, {@code mnist}, {@code
 * cifar10} and {@code synthetic}.
 *
 * <p>Fashion-MNIST and MNIST are read from the four IDX files of their distribution ({@code
 * train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte}, {@code
 * t10k-labels-idx1-ubyte}, each gzip-compressed or not, with or without {@code .gz}). Their pixels
 * become {@code x/255} standardised by the mean and standard deviation of all training pixels; for
 * Fashion-MNIST these are 0.2860 and 0.3530 (72.94 and 90.02 on 0..255).
 *
 * <p>CIFAR-10 is read from its binary version ({@code data_batch_1.bin .. data_batch_5.bin}, {@code
 * test_batch.bin}) and normalised per channel with the paper's mean (125.3, 123.0, 113.9) and std
 * (63.0, 62.1, 66.7) on 0..255. Its training split augments as the paper's code does (see {@link
 * DataSplit#fillBatch}): a horizontal flip with probability 1/2, then a 32×32 crop of the image
 * zero-padded by 4 pixels. Unlike torchvision's {@code RandomCrop(32, padding=4)} before {@code
 * Normalize}, that code pads the normalised image, so padding is 0 after normalisation (the mean
 * colour, not black), and it draws offsets with {@code np.random.randint(0, 8)}, i.e. shifts of
 * -4..3 pixels.
 */
public final class Datasets {
  /** Where the Debian package {@code dataset-fashion-mnist} installs Fashion-MNIST. */
  public static final Path FASHION_MNIST_DIR = Path.of("/usr/share/datasets/fashion-mnist");

  /** Training samples of {@code load("synthetic", null)}. */
  public static final int SYNTHETIC_TRAIN = 4096;

  /** Test samples of {@code load("synthetic", null)}. */
  public static final int SYNTHETIC_TEST = 1024;

  /** Features of {@code load("synthetic", null)}. */
  public static final int SYNTHETIC_FEATURES = 64;

  /** Classes of {@code load("synthetic", null)}. */
  public static final int SYNTHETIC_CLASSES = 4;

  /** Seed of {@code load("synthetic", null)}. */
  public static final long SYNTHETIC_SEED = 1;

  private Datasets() {}

  /** The names {@link #load} accepts. */
  public static List<String> names() {
    return List.of("fashion-mnist", "mnist", "cifar10", "synthetic");
  }

  /**
   * Loads a data set by name (case-insensitive).
   *
   * @param name one of {@link #names()}
   * @param dirOrNull the directory holding its files, or {@code null} for the default: {@link
   *     #FASHION_MNIST_DIR} for {@code fashion-mnist}; {@code mnist} and {@code cifar10} have none;
   *     {@code synthetic} takes no directory and uses the {@code SYNTHETIC_*} sizes
   * @throws DatasetException when the files are missing or malformed
   * @throws IllegalArgumentException for an unknown name
   */
  public static Dataset load(String name, Path dirOrNull) {
    switch (name.toLowerCase(Locale.ROOT)) {
      case "fashion-mnist":
        return fashionMnist(dirOrNull == null ? FASHION_MNIST_DIR : dirOrNull);
      case "mnist":
        if (dirOrNull == null) {
          throw new DatasetException(
              "mnist has no default location (no Debian package installs it): pass --data DIR, a"
                  + " directory with "
                  + MnistLoader.FILES);
        }
        return mnist(dirOrNull);
      case "cifar10":
        if (dirOrNull == null) {
          throw new DatasetException(
              "cifar10 has no default location: pass --data DIR, a directory with "
                  + CifarLoader.FILES
                  + " (the binary version of CIFAR-10) or with "
                  + CifarLoader.SUBDIRECTORY
                  + "/ holding them");
        }
        return cifar10(dirOrNull);
      case "synthetic":
        if (dirOrNull != null) {
          throw new DatasetException(
              "synthetic is generated, it reads no files: drop --data " + dirOrNull);
        }
        return synthetic(
            SYNTHETIC_TRAIN, SYNTHETIC_TEST, SYNTHETIC_FEATURES, SYNTHETIC_CLASSES, SYNTHETIC_SEED);
      default:
        throw new IllegalArgumentException(
            "unknown dataset "
                + Quoting.quote(name, '\'')
                + "; known: "
                + String.join(", ", names()));
    }
  }

  /** Fashion-MNIST: 60000 training and 10000 test 28×28 images, 784 features, 10 classes. */
  public static Dataset fashionMnist(Path dir) {
    return MnistLoader.load(
        "fashion-mnist",
        dir,
        10,
        "install them with `apt-get install dataset-fashion-mnist` or" + " pass --data DIR");
  }

  /** MNIST: 60000 training and 10000 test 28×28 images, 784 features, 10 classes. */
  public static Dataset mnist(Path dir) {
    return MnistLoader.load("mnist", dir, 10, "pass --data DIR with the MNIST files");
  }

  /**
   * CIFAR-10: 50000 training and 10000 test 32×32 RGB images, 3072 features in CHW order, 10
   * classes, from {@code dir} or its {@code cifar-10-batches-bin} subdirectory.
   */
  public static Dataset cifar10(Path dir) {
    return CifarLoader.load(
        dir, "unpack cifar-10-binary.tar.gz and pass --data DIR with the directory");
  }

  /**
   * A seeded, deterministic synthetic task: Gaussian class clusters in a random low-dimensional
   * subspace plus noise, calibrated so the best classifier errs on at most 8%; a nearest-class-mean
   * classifier reaches about 92–94% test accuracy, not 100%.
   *
   * @param train training samples, >= 1
   * @param test test samples, >= 1
   * @param features features per sample, >= 1
   * @param classes classes, 2..256; labels cycle through them, so splits are balanced
   * @param seed fixes every random draw
   */
  public static Dataset synthetic(int train, int test, int features, int classes, long seed) {
    return SyntheticData.generate(train, test, features, classes, seed);
  }
}
