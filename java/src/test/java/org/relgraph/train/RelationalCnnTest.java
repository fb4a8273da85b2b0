package org.relgraph.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.relgraph.engine.Backend;
import org.relgraph.engine.CpuBackend;
import org.relgraph.engine.JavaBackend;
import org.relgraph.engine.SgdSettings;
import org.relgraph.graph.ClassicGenerators;
import org.relgraph.graph.WsFlex;
import org.relgraph.nn.ExecutionMode;
import org.relgraph.nn.Network;

/** The relational CNN builds as described and learns synthetic images in one epoch. */
class RelationalCnnTest {
  private static final int SIDE = 28;
  private static final int CLASSES = 4;

  /**
   * 1 × 28 × 28 images, one channel, so a batch is {@code x[b·784 + pixel]}: stripes of period 4 at
   * a random phase in Gaussian noise, horizontal (class 0), vertical (1), diagonal (2) or
   * anti-diagonal (3). Orientation is local, so pooled convolution features can tell the classes
   * apart wherever the stripes fall.
   */
  static float[] images(SplittableRandom r, int[] labels) {
    float[] x = new float[labels.length * SIDE * SIDE];
    for (int b = 0; b < labels.length; b++) {
      int phase = r.nextInt(4);
      for (int y = 0; y < SIDE; y++) {
        for (int xx = 0; xx < SIDE; xx++) {
          int t =
              switch (labels[b]) {
                case 0 -> y;
                case 1 -> xx;
                case 2 -> xx + y;
                default -> xx - y + SIDE;
              };
          double v = r.nextGaussian() + ((t + phase) % 4 < 2 ? 1 : -1);
          x[b * SIDE * SIDE + y * SIDE + xx] = (float) v;
        }
      }
    }
    return x;
  }

  @Test
  void oneEpochOnSyntheticImagesFallsWellBelowChance() {
    Backend b = CpuBackend.isAvailable() ? CpuBackend.create() : new JavaBackend();
    try (b;
        Network net =
            RelationalCnn.create(
                b,
                new int[] {1, SIDE, SIDE},
                CLASSES,
                WsFlex.generate(8, 3, 0.3, 1),
                new int[] {8, 16, 32},
                1,
                ExecutionMode.BLOCKSPARSE,
                7)) {
      SplittableRandom r = new SplittableRandom(3);
      SgdSettings sgd = new SgdSettings(0.9f, 5e-4f, true);
      int batch = 32;
      for (int step = 0; step < 24; step++) { // one epoch of 768 images
        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++) {
          labels[i] = r.nextInt(CLASSES);
        }
        net.trainStep(images(r, labels), labels, 0.05f, sgd);
      }
      int[] labels = new int[256];
      for (int i = 0; i < labels.length; i++) {
        labels[i] = i % CLASSES;
      }
      int correct = net.evaluate(images(r, labels), labels).correct();
      double error = 1 - correct / (double) labels.length;
      assertTrue(error < 0.4, "test error " + error + " after one epoch; chance is 0.75");
    }
  }

  @Test
  void stagesDownsampleAndEndInTheHead() {
    JavaBackend b = new JavaBackend();
    try (Network net =
        RelationalCnn.create(
            b,
            new int[] {3, 32, 32},
            10,
            ClassicGenerators.complete(4),
            new int[] {8, 12, 16},
            2,
            ExecutionMode.DENSE,
            1)) {
      // stem + BN, 3 stages of 2 (conv + BN), pooling, head
      assertEquals(2 + 3 * 2 * 2 + 2, net.layers().size());
      assertEquals(3 * 32 * 32, net.inputs());
      assertEquals(10, net.outputs());
      assertTrue(net.state().containsKey("stage3.conv2.weight"));
      assertEquals(16 * 12 * 9, net.state().get("stage3.conv1.weight").length);
    }
    assertThrows(
        IllegalArgumentException.class,
        () ->
            RelationalCnn.create(
                b,
                new int[] {1, 8, 8},
                2,
                ClassicGenerators.complete(4),
                new int[] {8},
                0,
                ExecutionMode.BLOCKSPARSE,
                1));
  }
}
