package org.relgraph.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SyntheticDataTest {
  /** All of a split's normalised inputs, feature-major ({@code [f * size + i]}). */
  private static float[] inputs(DataSplit split, int[] labels) {
    int n = split.size();
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    float[] x = new float[split.features() * n];
    split.fillBatch(order, 0, n, x, labels, null);
    return x;
  }

  /** Test accuracy of the nearest-class-mean classifier fitted on the training split. */
  static double nearestMeanAccuracy(Dataset data) {
    int features = data.features();
    int classes = data.classes();
    int n = data.train().size();
    int[] labels = new int[n];
    float[] x = inputs(data.train(), labels);
    double[][] means = new double[classes][features];
    int[] counts = new int[classes];
    for (int i = 0; i < n; i++) {
      counts[labels[i]]++;
      for (int f = 0; f < features; f++) {
        means[labels[i]][f] += x[f * n + i];
      }
    }
    for (int c = 0; c < classes; c++) {
      for (int f = 0; f < features; f++) {
        means[c][f] /= counts[c];
      }
    }
    int m = data.test().size();
    int[] testLabels = new int[m];
    float[] t = inputs(data.test(), testLabels);
    int correct = 0;
    for (int i = 0; i < m; i++) {
      int best = -1;
      double bestDistance = Double.POSITIVE_INFINITY;
      for (int c = 0; c < classes; c++) {
        double d = 0;
        for (int f = 0; f < features; f++) {
          double diff = t[f * m + i] - means[c][f];
          d += diff * diff;
        }
        if (d < bestDistance) {
          bestDistance = d;
          best = c;
        }
      }
      correct += best == testLabels[i] ? 1 : 0;
    }
    return (double) correct / m;
  }

  @Test
  void deterministicPerSeed() {
    Dataset a = Datasets.synthetic(300, 100, 16, 3, 7);
    Dataset b = Datasets.synthetic(300, 100, 16, 3, 7);
    Dataset c = Datasets.synthetic(300, 100, 16, 3, 8);
    int[] labels = new int[300];
    assertArrayEquals(inputs(a.train(), labels), inputs(b.train(), labels));
    assertArrayEquals(inputs(a.test(), labels), inputs(b.test(), labels));
    assertFalse(java.util.Arrays.equals(inputs(a.train(), labels), inputs(c.train(), labels)));
    assertEquals(a.description(), b.description());
  }

  @ParameterizedTest(name = "{0} features, {1} classes, seed {2}")
  @CsvSource({"64, 4, 1", "64, 4, 2", "64, 10, 3", "784, 10, 4", "8, 2, 5", "3, 6, 6"})
  void learnableButNotTrivially(int features, int classes, long seed) {
    Dataset data = Datasets.synthetic(4096, 2048, features, classes, seed);
    double accuracy = nearestMeanAccuracy(data);
    System.out.printf(
        "synthetic %d features, %d classes, seed %d: nearest-mean accuracy %.4f%n",
        features, classes, seed, accuracy);
    assertTrue(accuracy > 0.75 && accuracy < 0.99, "accuracy " + accuracy + ", seed " + seed);
  }

  @Test
  void standardisedAndBalanced() {
    Dataset data = Datasets.load("synthetic", null);
    assertEquals(Datasets.SYNTHETIC_TRAIN, data.train().size());
    assertEquals(Datasets.SYNTHETIC_TEST, data.test().size());
    assertEquals(Datasets.SYNTHETIC_FEATURES, data.features());
    assertEquals(Datasets.SYNTHETIC_CLASSES, data.classes());
    int n = data.train().size();
    int[] labels = new int[n];
    float[] x = inputs(data.train(), labels);
    double sum = 0;
    double squares = 0;
    for (float v : x) {
      sum += v;
      squares += v * v;
    }
    double mean = sum / x.length;
    assertEquals(0, mean, 1e-4);
    assertEquals(1, Math.sqrt(squares / x.length - mean * mean), 1e-4);
    int[] counts = new int[data.classes()];
    for (int label : labels) {
      counts[label]++;
    }
    assertArrayEquals(new int[] {1024, 1024, 1024, 1024}, counts);
  }

  @Test
  void rejectsBadSizesAndDirectories() {
    assertThrows(IllegalArgumentException.class, () -> Datasets.synthetic(0, 10, 4, 2, 1));
    assertThrows(IllegalArgumentException.class, () -> Datasets.synthetic(10, 10, 0, 2, 1));
    assertThrows(IllegalArgumentException.class, () -> Datasets.synthetic(10, 10, 4, 1, 1));
    assertThrows(
        DatasetException.class, () -> Datasets.load("synthetic", Path.of("some", "where")));
  }
}
