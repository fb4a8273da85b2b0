package org.relgraph.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.relgraph.graph.ClassicGenerators;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.graph.WsFlex;
import org.relgraph.model.ChannelPartition;

/**
 * Every native kernel and instruction-set path against the plain-Java reference (float64
 * accumulation), on odd shapes: tolerance 1e-5 · (reduction length), relative to the values' scale.
 */
class CpuBackendTest {
  private static final JavaBackend REF = new JavaBackend();

  @BeforeAll
  static void nativeLoads() {
    assertTrue(
        CpuBackend.isAvailable(),
        "native backend failed to load: " + CpuBackend.unavailabilityCause());
  }

  static List<RelationalGraph> patterns(int n, long seed) {
    List<RelationalGraph> out = new ArrayList<>();
    out.add(RelationalGraph.empty(n, false)); // the diagonal alone
    out.add(ClassicGenerators.complete(n));
    if (n >= 4) {
      out.add(WsFlex.generate(n, Math.max(2, n / 8.0), 0.3, seed));
    }
    // a directed pattern
    SplittableRandom r = new SplittableRandom(seed);
    RelationalGraph.Builder b = RelationalGraph.builder(n, true);
    for (int u = 0; u < n; u++) {
      for (int v = 0; v < n; v++) {
        if (u != v && r.nextInt(3) == 0) {
          b.addEdge(u, v);
        }
      }
    }
    out.add(b.build());
    return out;
  }

  static float[] random(SplittableRandom r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return a;
  }

  static void assertClose(float[] expected, float[] actual, int reduction, String what) {
    assertEquals(expected.length, actual.length, what);
    double tol = 1e-5 * Math.max(1, reduction);
    for (int i = 0; i < expected.length; i++) {
      double scale = Math.max(1, Math.abs(expected[i]));
      if (Math.abs(expected[i] - actual[i]) > tol * scale) {
        throw new AssertionError(
            what
                + ": index "
                + i
                + " expected "
                + expected[i]
                + " got "
                + actual[i]
                + " (tolerance "
                + tol * scale
                + ")");
      }
    }
  }

  private static void ranOwnIsa(Backend b, String op) {
    if (b instanceof CpuBackend cpu) {
      TrainingOpsTest.assertRanOn(cpu, op);
    }
  }

  static void checkLayer(Backend cpu, BlockSparseLayout l, int batch, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int out = l.out().channels();
    int in = l.in().channels();
    String what = cpu + " " + l + " batch " + batch + " seed " + seed;
    try (Tensor w = Tensor.of(1, (int) l.weightCount(), random(r, (int) l.weightCount()));
        Tensor x = Tensor.of(in, batch, random(r, in * batch));
        Tensor dy = Tensor.of(out, batch, random(r, out * batch));
        Tensor y1 = Tensor.zeros(out, batch);
        Tensor y2 = Tensor.zeros(out, batch);
        Tensor dx1 = Tensor.zeros(in, batch);
        Tensor dx2 = Tensor.zeros(in, batch);
        Tensor dw1 = Tensor.zeros(1, (int) l.weightCount());
        Tensor dw2 = Tensor.zeros(1, (int) l.weightCount())) {
      REF.forward(l, w, x, y1);
      cpu.forward(l, w, x, y2);
      ranOwnIsa(cpu, "forward");
      assertClose(y1.toArray(), y2.toArray(), in, "forward " + what);
      REF.backwardData(l, w, dy, dx1);
      cpu.backwardData(l, w, dy, dx2);
      ranOwnIsa(cpu, "backward-data");
      assertClose(dx1.toArray(), dx2.toArray(), out, "backward-data " + what);
      REF.backwardWeight(l, dy, x, dw1);
      cpu.backwardWeight(l, dy, x, dw2);
      ranOwnIsa(cpu, "weight-gradient");
      assertClose(dw1.toArray(), dw2.toArray(), batch, "weight-gradient " + what);
    }
  }

  @ParameterizedTest
  @EnumSource(CpuBackend.Isa.class)
  void blockSparseKernelsMatchTheReference(CpuBackend.Isa isa) {
    assumeTrue(isa.ordinal() <= CpuBackend.bestIsa().ordinal(), isa + " not supported by this CPU");
    long seed = 1;
    for (int threads : new int[] {1, 2}) {
      Backend cpu = CpuBackend.create(isa, threads);
      for (int n : new int[] {1, 2, 16, 64, 100}) {
        int[][] widths = {{n * 3 + 1, n * 2 + 3}, {Math.max(n, 37), Math.max(n, 45)}};
        for (int[] wd : widths) {
          ChannelPartition outP = ChannelPartition.of(wd[0], n, seed);
          ChannelPartition inP = ChannelPartition.of(wd[1], n, seed + 1);
          for (RelationalGraph g : patterns(n, seed)) {
            try (BlockSparseLayout l = BlockSparseLayout.of(g, outP, inP)) {
              for (int batch : new int[] {1, 3, 17, 128, 257}) {
                if (n >= 64 && batch > 128 && threads == 1) {
                  continue; // keep the suite fast; the 2-thread pass covers it
                }
                checkLayer(cpu, l, batch, seed++);
              }
            }
          }
        }
      }
    }
  }

  @Test
  void realisticLayerShapes() {
    Backend cpu = CpuBackend.create();
    RelationalGraph g = WsFlex.generate(64, 8, 0.5, 3);
    int[][] shapes = {{512, 512}, {1539, 512}, {1539, 1539}};
    for (int[] s : shapes) {
      try (BlockSparseLayout l =
          BlockSparseLayout.of(
              g, ChannelPartition.of(s[0], 64, 7), ChannelPartition.of(s[1], 64, 8))) {
        checkLayer(cpu, l, 128, s[0] + s[1]);
      }
    }
  }

  /** Reductions longer than the kernels' cache slices: the slices' partial sums must add up. */
  @Test
  void longReductionsAreSlicedCorrectly() {
    for (CpuBackend.Isa isa : CpuBackend.Isa.values()) {
      if (isa.ordinal() > CpuBackend.bestIsa().ordinal()) {
        continue;
      }
      Backend cpu = CpuBackend.create(isa, 2);
      // complete graph: every node reduces over all 1100 input channels in 16 blocks
      try (BlockSparseLayout l =
          BlockSparseLayout.of(
              ClassicGenerators.complete(16),
              ChannelPartition.of(90, 16, 3),
              ChannelPartition.of(1100, 16, 4))) {
        checkLayer(cpu, l, 40, 11);
      }
      // one node: a single block longer than a slice
      try (BlockSparseLayout l =
          BlockSparseLayout.of(
              RelationalGraph.empty(1, false),
              ChannelPartition.ofSizes(13),
              ChannelPartition.ofSizes(1300))) {
        checkLayer(cpu, l, 33, 12);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(CpuBackend.Isa.class)
  void denseAndMaskedBaselinesMatchTheReference(CpuBackend.Isa isa) {
    assumeTrue(isa.ordinal() <= CpuBackend.bestIsa().ordinal(), isa + " not supported by this CPU");
    CpuBackend cpu = CpuBackend.create(isa, 2);
    SplittableRandom r = new SplittableRandom(5);
    RelationalGraph g = WsFlex.generate(16, 4, 0.5, 1);
    for (int batch : new int[] {1, 3, 128}) {
      try (BlockSparseLayout l =
              BlockSparseLayout.of(
                  g, ChannelPartition.of(70, 16, 1), ChannelPartition.of(53, 16, 2));
          Tensor w = Tensor.of(70, 53, random(r, 70 * 53));
          Tensor mask = Tensor.of(70, 53, l.denseMask());
          Tensor scratch = Tensor.zeros(70, 53);
          Tensor x = Tensor.of(53, batch, random(r, 53 * batch));
          Tensor dy = Tensor.of(70, batch, random(r, 70 * batch));
          Tensor a = Tensor.zeros(70, batch);
          Tensor b = Tensor.zeros(70, batch);
          Tensor da = Tensor.zeros(53, batch);
          Tensor db = Tensor.zeros(53, batch);
          Tensor ga = Tensor.zeros(70, 53);
          Tensor gb = Tensor.zeros(70, 53);
          Tensor bw = Tensor.of(1, (int) l.weightCount(), l.fromDense(w.toArray()));
          Tensor bgrad = Tensor.zeros(1, (int) l.weightCount())) {
        REF.denseForward(w, x, a);
        cpu.denseForward(w, x, b);
        assertClose(a.toArray(), b.toArray(), 53, "dense forward");
        REF.denseBackwardData(w, dy, da);
        cpu.denseBackwardData(w, dy, db);
        assertClose(da.toArray(), db.toArray(), 70, "dense backward-data");
        REF.denseBackwardWeight(dy, x, ga);
        cpu.denseBackwardWeight(dy, x, gb);
        assertClose(ga.toArray(), gb.toArray(), batch, "dense weight gradient");
        // masked = block-sparse on the same weights
        cpu.maskedForward(w, mask, x, b, scratch);
        ranOwnIsa(cpu, "masked forward's weight-times-mask product");
        REF.forward(l, bw, x, a);
        assertClose(a.toArray(), b.toArray(), 53, "masked forward");
        cpu.maskedBackwardData(w, mask, dy, db, scratch);
        REF.backwardData(l, bw, dy, da);
        assertClose(da.toArray(), db.toArray(), 70, "masked backward-data");
        cpu.maskedBackwardWeight(mask, dy, x, gb);
        REF.backwardWeight(l, dy, x, bgrad);
        assertClose(l.toDense(bgrad.toArray()), gb.toArray(), batch, "masked weight gradient");
      }
    }
  }
}
