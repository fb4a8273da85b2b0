package org.relgraph.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.junit.jupiter.api.Test;
import org.relgraph.engine.BlockSparseLayout;
import org.relgraph.engine.Tensor;
import org.relgraph.graph.ClassicGenerators;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.graph.WsFlex;
import org.relgraph.model.ChannelPartition;

/**
 * cuSPARSE's BSR product as the emulated device runs it (a host reference), held to float64 sums
 * over random structures, and {@link BsrProduct}'s reordering of a layer's blocks, held to the
 * layer's dense weights. The error of each output is measured against the sum of its terms'
 * magnitudes (limit 1e-5).
 */
class BsrProductTest {
  private static final long SEED = System.nanoTime();

  @Test
  void emulatedBsrmmMatchesAFloat64Reference() {
    SplittableRandom rng = new SplittableRandom(SEED);
    int[][] shapes = { // mb, kb, n, blockDim
      {1, 1, 1, 1}, {3, 5, 17, 2}, {4, 4, 40, 3}, {2, 7, 3, 8}, {6, 3, 129, 5}
    };
    try (EmulatedDevice d = new EmulatedDevice()) {
      for (int[] s : shapes) {
        int mb = s[0];
        int kb = s[1];
        int n = s[2];
        int bs = s[3];
        int[] rowPtr = new int[mb + 1];
        int[] cols = new int[mb * kb];
        int nnzb = 0;
        for (int i = 0; i < mb; i++) {
          for (int j = 0; j < kb; j++) {
            if (rng.nextInt(3) > 0 || j == i % kb) {
              cols[nnzb++] = j;
            }
          }
          rowPtr[i + 1] = nnzb;
        }
        int ldb = n + 2;
        int ldc = mb * bs + 3;
        float[] values = random(rng, nnzb * bs * bs);
        float[] b = random(rng, ldb * kb * bs);
        float[] c = new float[ldc * n];
        java.util.Arrays.fill(c, Float.NaN);
        long va = put(d, values);
        long ra = put(d, rowPtr);
        long ca = put(d, java.util.Arrays.copyOf(cols, Math.max(1, nnzb)));
        long ba = put(d, b);
        long cc = put(d, c);
        d.bsrmm(mb, kb, n, nnzb, bs, va, ra, ca, ba, ldb, cc, ldc);
        float[] got = get(d, cc, c.length);
        String what = "shape " + java.util.Arrays.toString(s) + " seed " + SEED;
        for (int row = 0; row < mb * bs; row++) {
          int i = row / bs;
          int r = row % bs;
          for (int col = 0; col < n; col++) {
            double sum = 0;
            double mag = 0;
            for (int j = rowPtr[i]; j < rowPtr[i + 1]; j++) {
              for (int q = 0; q < bs; q++) {
                double t =
                    (double) values[j * bs * bs + r * bs + q] * b[col + (cols[j] * bs + q) * ldb];
                sum += t;
                mag += Math.abs(t);
              }
            }
            float y = got[row + col * ldc];
            assertTrue(
                Math.abs(y - sum) <= 1e-5 * Math.max(mag, 1e-30),
                what + " at " + row + "," + col + ": " + y + " vs " + sum);
          }
          for (int row2 = mb * bs; row2 < ldc; row2++) {
            assertTrue(Float.isNaN(got[row2]), what + ": C below its rows was written");
          }
        }
      }
    }
  }

  @Test
  void badStructuresFailInOneLine() {
    try (EmulatedDevice d = new EmulatedDevice()) {
      long ra = put(d, new int[] {0, 1});
      long ca = put(d, new int[] {4});
      long v = put(d, new float[4]);
      long b = put(d, new float[16]);
      long c = put(d, new float[16]);
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> d.bsrmm(1, 2, 2, 1, 2, v, ra, ca, b, 2, c, 2));
      assertEquals("bsrmm: colInd[0] = 4 outside 0..1", e.getMessage());
      assertThrows(
          IllegalArgumentException.class, () -> d.bsrmm(1, 1, 2, 1, 2, v, ra, ca, b, 2, c, 1));
    }
  }

  @Test
  void aLayersBlocksGiveItsForwardProductBatchMajor() {
    SplittableRandom rng = new SplittableRandom(SEED + 1);
    RelationalGraph[] graphs = {
      WsFlex.generate(16, 4, 0.3, 2),
      ClassicGenerators.complete(5),
      RelationalGraph.builder(4, true).addEdge(0, 3).addEdge(3, 1).build()
    };
    int[] blockSizes = {1, 3, 7};
    int[] batches = {1, 17, 40};
    EmulatedDevice device = new EmulatedDevice();
    try (CudaBackend cuda = new CudaBackend(device)) {
      for (int t = 0; t < graphs.length; t++) {
        RelationalGraph g = graphs[t];
        int width = g.nodeCount() * blockSizes[t];
        int batch = batches[t];
        ChannelPartition p = ChannelPartition.of(width, g.nodeCount(), 1);
        BlockSparseLayout layout = BlockSparseLayout.of(g, p, p);
        assertTrue(BsrProduct.unsupported(layout).isEmpty());
        float[] w = random(rng, (int) layout.weightCount());
        float[] x = random(rng, width * batch);
        float[] dense = layout.toDense(w);
        int before = device.liveAllocations();
        float[] got;
        try (BsrProduct bsr = BsrProduct.create(cuda, layout, w);
            Tensor xt = cuda.of(width, batch, x);
            Tensor yt = cuda.zeros(batch, width)) {
          bsr.forward(xt, yt);
          got = yt.toArray();
          assertThrows(IllegalArgumentException.class, () -> bsr.forward(yt, xt));
        }
        assertEquals(before, device.liveAllocations(), "BsrProduct frees its device copies");
        String what = g + " width " + width + " batch " + batch + " seed " + SEED;
        for (int o = 0; o < width; o++) {
          for (int s = 0; s < batch; s++) {
            double sum = 0;
            double mag = 0;
            for (int i = 0; i < width; i++) {
              double term = (double) dense[o * width + i] * x[i * batch + s];
              sum += term;
              mag += Math.abs(term);
            }
            float y = got[s * width + o];
            assertTrue(
                Math.abs(y - sum) <= 1e-5 * Math.max(mag, 1e-30),
                what + " at " + o + "," + s + ": " + y + " vs " + sum);
          }
        }
      }
    }
  }

  @Test
  void unevenBlocksDoNotFitBsr() {
    RelationalGraph g = WsFlex.generate(64, 8, 0.3, 1);
    ChannelPartition p = ChannelPartition.of(1539, 64, 1);
    BlockSparseLayout layout = BlockSparseLayout.of(g, p, p);
    String why = BsrProduct.unsupported(layout).orElseThrow();
    assertEquals(
        "blocks of uneven size (24 to 25 channels per node); BSR holds equal square blocks only",
        why);
    try (CudaBackend cuda = new CudaBackend(new EmulatedDevice())) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> BsrProduct.create(cuda, layout, new float[(int) layout.weightCount()]));
      assertTrue(e.getMessage().endsWith(why), e.getMessage());
    }
    ChannelPartition in = ChannelPartition.of(128, 64, 1);
    assertEquals(
        "blocks of 3 × 2 channels; BSR holds equal square blocks only",
        BsrProduct.unsupported(BlockSparseLayout.of(g, ChannelPartition.of(192, 64, 1), in))
            .orElseThrow());
  }

  private static float[] random(SplittableRandom rng, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rng.nextDouble(-1, 1);
    }
    return v;
  }

  private static long put(CudaDevice d, float[] v) {
    long a = d.malloc(4L * v.length);
    try (FloatPointer h = new FloatPointer(v)) {
      d.copyToDevice(a, h, 4L * v.length);
    }
    return a;
  }

  private static long put(CudaDevice d, int[] v) {
    long a = d.malloc(4L * v.length);
    try (IntPointer h = new IntPointer(v)) {
      d.copyToDevice(a, h, 4L * v.length);
    }
    return a;
  }

  private static float[] get(CudaDevice d, long a, int n) {
    float[] v = new float[n];
    try (FloatPointer h = new FloatPointer(n)) {
      d.copyToHost(h, a, 4L * n);
      h.get(v);
    }
    return v;
  }
}
