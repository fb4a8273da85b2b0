package org.relgraph.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.relgraph.engine.Backend;
import org.relgraph.engine.CpuBackend;
import org.relgraph.engine.JavaBackend;
import org.relgraph.graph.WsFlex;
import org.relgraph.model.MlpSpec;
import org.relgraph.nn.ExecutionMode;

/**
 * A model file written by an earlier relgraph still loads and computes what it computed then.
 *
 * <p>{@code models/format1-wsflex8.rgm} was written by the code of format 1 before the layers
 * became a public API: {@code RelationalMlp.create(new JavaBackend(), new MlpSpec(10, 16, 2, 4, 5),
 * WsFlex.generate(8, 3.5, 0.3, 2), 20, BLOCKSPARSE, 11)}, trained 60 SGD steps (lr 0.3, momentum
 * 0.9, weight decay 5e-4) on seeded Gaussian batches of 8, and saved with {@code ModelFile.save}.
 * {@link #LOGITS} are the logits that code computed for {@link #input()} in evaluation mode on the
 * Java backend, as float bits. The file is never rewritten: it stands for the files users have.
 */
class ModelFileCompatibilityTest {
  private static final int BATCH = 4;

  /** {@code classes × batch}, row-major, recorded from the code that wrote the file. */
  private static final int[] LOGITS = {
    0x3f214162, 0x3dc46150, 0xbf2c0d81, 0xbf8c93cb, //
    0xbfb6a083, 0xbf5f7c8c, 0x3e428f18, 0x3f38c37e, //
    0x3fab9818, 0x3f56dae9, 0xbe7242a8, 0xbf407aad, //
    0xbf05edac, 0xbd4acb40, 0x3f394582, 0x3f906f67
  };

  private static Path file() throws URISyntaxException {
    return Path.of(
        ModelFileCompatibilityTest.class.getResource("/models/format1-wsflex8.rgm").toURI());
  }

  /** Features, feature-major ({@code 10 × batch}). */
  private static float[] input() {
    float[] x = new float[10 * BATCH];
    for (int f = 0; f < 10; f++) {
      for (int b = 0; b < BATCH; b++) {
        x[f * BATCH + b] = ((f * 5 + b * 3) % 11 - 5) * 0.3f;
      }
    }
    return x;
  }

  private static float[] expected() {
    float[] v = new float[LOGITS.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = Float.intBitsToFloat(LOGITS[i]);
    }
    return v;
  }

  @Test
  void loadsAsSavedAndComputesTheRecordedLogitsBitForBit() throws Exception {
    ModelFile.Loaded m = ModelFile.load(file(), new JavaBackend(), null);
    try (RelationalMlp net = m.net()) {
      assertEquals(new MlpSpec(10, 16, 2, 4, 5), net.spec());
      assertEquals(20, net.width());
      assertEquals(ExecutionMode.BLOCKSPARSE, net.mode());
      assertArrayEquals(
          WsFlex.generate(8, 3.5, 0.3, 2).edges().toArray(int[][]::new),
          net.graph().edges().toArray(int[][]::new));
      assertEquals("synthetic", m.info().get("dataset").getAsString());
      assertArrayEquals(expected(), net.logits(input(), BATCH));
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = ExecutionMode.class,
      names = {"BLOCKSPARSE", "MASKED"})
  void loadsInEveryModeOnEveryBackend(ExecutionMode mode) throws Exception {
    check(new JavaBackend(), mode);
    if (CpuBackend.isAvailable()) {
      check(CpuBackend.create(), mode);
    }
  }

  private static void check(Backend backend, ExecutionMode mode) throws Exception {
    try (RelationalMlp net = ModelFile.load(file(), backend, mode).net()) {
      assertEquals(mode, net.mode());
      float[] got = net.logits(input(), BATCH);
      float[] want = expected();
      for (int i = 0; i < want.length; i++) {
        assertEquals(want[i], got[i], 1e-5, backend.name() + " " + mode.label() + " logit " + i);
      }
    }
  }
}
