package org.relgraph.train;

import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.commons.math3.special.Erf;

/**
 * A seeded synthetic classification task: Gaussian clusters in a random low-dimensional subspace
 * plus noise in every feature, with an overlap calibrated so the best classifier errs on 6–8%.
 *
 * <p>With {@code r = min(features, classes)}, a random orthonormal basis {@code Q} ({@code features
 * × r}) spans the subspace. Class means sit at the corners of a simplex in it (all pairs equally
 * far apart), or at random points when there are more classes than features. A sample of class
 * {@code c} is {@code Q (m_c + z) + n} with {@code z} and {@code n} standard normal in {@code r}
 * and {@code features} dimensions, so along any direction of the subspace the noise has variance 2.
 * The means are scaled until the union bound on the Bayes error, the sum over other classes of
 * {@code Φ(-d / (2√2))} for means {@code d} apart, is 8%; the true Bayes error is a little lower,
 * and the nearest-class-mean classifier reaches about 92–94% test accuracy.
 *
 * <p>Values are quantised to bytes over a range that clips only beyond 6 noise standard deviations,
 * so the split API is the same as for images; the quantisation step is about 2% of the noise.
 * Labels cycle through the classes, so splits are balanced.
 */
final class SyntheticData {
  static final double BAYES_ERROR = 0.08;

  private SyntheticData() {}

  static Dataset generate(int trainSize, int testSize, int features, int classes, long seed) {
    if (trainSize < 1 || testSize < 1) {
      throw new IllegalArgumentException(
          "train = " + trainSize + ", test = " + testSize + ": both must be >= 1");
    }
    if (features < 1) {
      throw new IllegalArgumentException("features = " + features + " must be >= 1");
    }
    if (classes < 2 || classes > 256) {
      throw new IllegalArgumentException("classes = " + classes + " must be in 2..256");
    }
    if ((long) trainSize * features > Integer.MAX_VALUE - 8
        || (long) testSize * features > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          trainSize + " or " + testSize + " samples x " + features + " features is too many");
    }
    SplittableRandom random = new SplittableRandom(seed);
    int rank = Math.min(features, classes);
    double[][] basis = orthonormalBasis(rank, features, random);
    double[][] means = classMeans(classes, rank, random);
    double delta = closestPair(means);
    // A feature is a mean's projection (at most its norm) plus noise of standard deviation √2.
    double range = largestNorm(means) + 6 * Math.sqrt(2);

    byte[] trainData = new byte[trainSize * features];
    byte[] trainLabels = new byte[trainSize];
    sample(trainData, trainLabels, basis, means, range, random);
    byte[] testData = new byte[testSize * features];
    byte[] testLabels = new byte[testSize];
    sample(testData, testLabels, basis, means, range, random);

    Normalization normalization = Normalization.fromData(trainData, "synthetic");
    DataSplit train = DataSplit.of(trainData, trainLabels, features, classes, normalization);
    DataSplit test = DataSplit.of(testData, testLabels, features, classes, normalization);
    String description =
        String.format(
            Locale.ROOT,
            "synthetic (seed %d): %d train / %d test samples, %d features, %d classes; Gaussian"
                + " clusters (closest means %.3f apart) in a random %d-dimensional subspace plus"
                + " noise (Bayes error at most %.0f%%), standardised by the training mean and std",
            seed,
            trainSize,
            testSize,
            features,
            classes,
            delta,
            rank,
            100 * BAYES_ERROR);
    return new Dataset("synthetic", train, test, classes, features, description);
  }

  /**
   * The union bound on the Bayes error: each ordered pair of classes {@code a, b} contributes
   * {@code Φ(-d_ab / (2√2))}, the chance that noise of variance 2 along their axis carries a sample
   * of {@code a} past the midpoint, averaged over the classes.
   */
  static double unionBoundError(double[][] means) {
    double sum = 0;
    for (int a = 0; a < means.length; a++) {
      for (int b = 0; b < means.length; b++) {
        if (a != b) {
          double d = 0;
          for (int j = 0; j < means[a].length; j++) {
            d += (means[a][j] - means[b][j]) * (means[a][j] - means[b][j]);
          }
          // Φ(-t) = erfc(t / √2) / 2 with t = d / (2√2).
          sum += 0.5 * Erf.erfc(Math.sqrt(d) / 4);
        }
      }
    }
    return sum / means.length;
  }

  // Gram-Schmidt on Gaussian vectors; rank <= features keeps them independent almost surely.
  private static double[][] orthonormalBasis(int rank, int features, SplittableRandom random) {
    double[][] basis = new double[rank][features];
    for (int k = 0; k < rank; k++) {
      double[] v = basis[k];
      double norm;
      do {
        for (int f = 0; f < features; f++) {
          v[f] = random.nextGaussian();
        }
        for (int j = 0; j < k; j++) {
          double dot = 0;
          for (int f = 0; f < features; f++) {
            dot += v[f] * basis[j][f];
          }
          for (int f = 0; f < features; f++) {
            v[f] -= dot * basis[j][f];
          }
        }
        norm = 0;
        for (double value : v) {
          norm += value * value;
        }
        norm = Math.sqrt(norm);
      } while (norm < 1e-6);
      for (int f = 0; f < features; f++) {
        v[f] /= norm;
      }
    }
    return basis;
  }

  // Corners of a simplex when the subspace has room for them (all pairs equally hard), random
  // points otherwise; then scaled until the union bound on the Bayes error is BAYES_ERROR.
  private static double[][] classMeans(int classes, int rank, SplittableRandom random) {
    double[][] means = new double[classes][rank];
    for (int c = 0; c < classes; c++) {
      for (int j = 0; j < rank; j++) {
        means[c][j] = classes <= rank ? (c == j ? 1 : 0) : random.nextGaussian();
      }
    }
    double low = 0;
    double high = 1;
    while (unionBoundError(scaled(means, high)) > BAYES_ERROR) {
      high *= 2;
    }
    for (int step = 0; step < 60; step++) {
      double middle = (low + high) / 2;
      if (unionBoundError(scaled(means, middle)) > BAYES_ERROR) {
        low = middle;
      } else {
        high = middle;
      }
    }
    return scaled(means, high);
  }

  private static double[][] scaled(double[][] means, double scale) {
    double[][] result = new double[means.length][];
    for (int c = 0; c < means.length; c++) {
      result[c] = means[c].clone();
      for (int j = 0; j < result[c].length; j++) {
        result[c][j] *= scale;
      }
    }
    return result;
  }

  // The distance between the two closest class means.
  private static double closestPair(double[][] means) {
    double closest = Double.POSITIVE_INFINITY;
    for (int a = 0; a < means.length; a++) {
      for (int b = a + 1; b < means.length; b++) {
        double d = 0;
        for (int j = 0; j < means[a].length; j++) {
          d += (means[a][j] - means[b][j]) * (means[a][j] - means[b][j]);
        }
        closest = Math.min(closest, Math.sqrt(d));
      }
    }
    return closest;
  }

  // The largest distance of a class mean from the origin.
  private static double largestNorm(double[][] means) {
    double largest = 0;
    for (double[] mean : means) {
      double d = 0;
      for (double v : mean) {
        d += v * v;
      }
      largest = Math.max(largest, Math.sqrt(d));
    }
    return largest;
  }

  private static void sample(
      byte[] data,
      byte[] labels,
      double[][] basis,
      double[][] means,
      double range,
      SplittableRandom random) {
    int rank = basis.length;
    int features = basis[0].length;
    int classes = means.length;
    double[] latent = new double[rank];
    for (int i = 0; i < labels.length; i++) {
      int c = i % classes;
      labels[i] = (byte) c;
      for (int j = 0; j < rank; j++) {
        latent[j] = means[c][j] + random.nextGaussian();
      }
      for (int f = 0; f < features; f++) {
        double value = random.nextGaussian();
        for (int j = 0; j < rank; j++) {
          value += basis[j][f] * latent[j];
        }
        long q = Math.round((value + range) / (2 * range) * 255);
        data[i * features + f] = (byte) Math.max(0, Math.min(255, q));
      }
    }
  }
}
