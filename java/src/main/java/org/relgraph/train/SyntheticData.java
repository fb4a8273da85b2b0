package org.relgraph.train;

import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.commons.math3.special.Erf;

/**
 * A seeded synthetic classification task: Gaussian clusters in a random low-dimensional subspace
 * plus noise in every feature, with an overlap calibrated for a Bayes error of about 8%.
 *
 * <p>With {@code r = min(features, classes)}, a random orthonormal basis {@code Q} ({@code features
 * × r}) spans the subspace. Class means sit at the corners of a scaled simplex in it (pairwise
 * distance {@code Δ}; when there are more classes than features, at random points with nearest
 * neighbours {@code Δ} apart). A sample of class {@code c} is {@code Q (m_c + z) + n} with {@code
 * z} and {@code n} standard normal in {@code r} and {@code features} dimensions, so along any
 * direction of the subspace the noise has variance 2. Each pair of classes is then confused with
 * probability {@code Φ(-Δ / (2√2))}, and {@code Δ} is chosen so that this is {@code 8% / (classes -
 * 1)}: the optimal (nearest-mean) classifier errs on at most about 8%, a learnt one a little more.
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
    double delta = separation(classes);
    double[][] means = classMeans(classes, rank, delta, random);
    double noise = Math.sqrt(2);
    double range = delta / Math.sqrt(2) + 6 * noise;

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
                + " clusters %.3f apart in a random %d-dimensional subspace plus noise (Bayes"
                + " error about %.0f%%), standardised by the training mean and std",
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

  /** The pairwise mean distance {@code Δ} giving each pair {@code BAYES_ERROR/(classes-1)}. */
  static double separation(int classes) {
    double pairError = BAYES_ERROR / (classes - 1);
    // Φ⁻¹(1 - e) = √2 erf⁻¹(1 - 2e); the noise along the pair's axis has standard deviation √2.
    double z = Math.sqrt(2) * Erf.erfInv(1 - 2 * pairError);
    return 2 * Math.sqrt(2) * z;
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

  private static double[][] classMeans(
      int classes, int rank, double delta, SplittableRandom random) {
    double[][] means = new double[classes][rank];
    if (classes <= rank) {
      for (int c = 0; c < classes; c++) {
        means[c][c] = delta / Math.sqrt(2);
      }
      return means;
    }
    // More classes than dimensions: random points, scaled so the closest pair is Δ apart.
    for (double[] mean : means) {
      for (int j = 0; j < rank; j++) {
        mean[j] = random.nextGaussian();
      }
    }
    double closest = Double.POSITIVE_INFINITY;
    for (int a = 0; a < classes; a++) {
      for (int b = a + 1; b < classes; b++) {
        double d = 0;
        for (int j = 0; j < rank; j++) {
          d += (means[a][j] - means[b][j]) * (means[a][j] - means[b][j]);
        }
        closest = Math.min(closest, Math.sqrt(d));
      }
    }
    double scale = closest > 0 ? delta / closest : 1;
    for (double[] mean : means) {
      for (int j = 0; j < rank; j++) {
        mean[j] *= scale;
      }
    }
    return means;
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
