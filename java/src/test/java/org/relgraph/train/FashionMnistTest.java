package org.relgraph.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** Checks the real Fashion-MNIST where the Debian package installed it; skipped elsewhere. */
class FashionMnistTest {
  @Test
  void loadsTheInstalledDataSet() {
    assumeTrue(
        Files.isDirectory(Datasets.FASHION_MNIST_DIR),
        "no " + Datasets.FASHION_MNIST_DIR + " (apt-get install dataset-fashion-mnist)");
    Dataset data = Datasets.load("fashion-mnist", null);
    System.out.println(data.description());

    assertEquals(60000, data.train().size());
    assertEquals(10000, data.test().size());
    assertEquals(784, data.features());
    assertEquals(10, data.classes());
    int[] counts = new int[10];
    for (int i = 0; i < data.train().size(); i++) {
      counts[data.train().label(i)]++;
    }
    for (int c = 0; c < 10; c++) {
      assertEquals(6000, counts[c], "class " + c);
    }
    assertEquals(0.2860, data.train().normalization().mean(0) / 255, 5e-5);
    assertEquals(0.3530, data.train().normalization().std(0) / 255, 5e-5);

    // The normalised training inputs, filled batch by batch, have mean 0 and std 1.
    int n = data.train().size();
    int batch = 1000;
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    float[] x = new float[784 * batch];
    int[] labels = new int[batch];
    double sum = 0;
    double squares = 0;
    for (int start = 0; start < n; start += batch) {
      data.train().fillBatch(order, start, batch, x, labels, null);
      for (float v : x) {
        sum += v;
        squares += (double) v * v;
      }
    }
    double count = (double) n * 784;
    double mean = sum / count;
    assertEquals(0, mean, 1e-4);
    assertEquals(1, Math.sqrt(squares / count - mean * mean), 1e-4);
  }
}
