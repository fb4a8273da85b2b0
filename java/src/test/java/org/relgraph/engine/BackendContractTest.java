package org.relgraph.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.relgraph.graph.ClassicGenerators;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.graph.WsFlex;
import org.relgraph.model.ChannelPartition;

/**
 * What every {@link Backend} must do, held against the float64 {@link JavaBackend} reference: every
 * product and training operation on odd and edge shapes (tolerance 1e-5 · reduction length,
 * relative to the values' scale), tensors and scopes, loss accumulators, and misuse (wrong shapes,
 * aliased, closed or foreign tensors, a closed backend), which must throw before any work.
 *
 * <p>A backend runs it with a subclass of a few lines that says how to make one ({@link
 * #create(int)}) and, optionally, what to check after each call ({@link #ran}).
 */
public abstract class BackendContractTest {
  /** The reference every product is held to. */
  protected static final JavaBackend REF = new JavaBackend();

  private final List<Backend> made = new ArrayList<>();

  /** A new backend of the kind under test, with up to {@code threads} threads. */
  protected abstract Backend create(int threads);

  /** Called after each operation on a backend under test, e.g. to check which code path ran. */
  protected void ran(Backend b, String op) {}

  /**
   * The thread counts of the full sweep of block-sparse products: 1 and 2 (the 2-thread pass alone
   * covers the largest shapes), or only 2 for a backend on which threads change nothing (a GPU's).
   */
  protected int[] sweepThreads() {
    return new int[] {1, 2};
  }

  /** A backend under test, closed after the test. */
  protected final Backend backend(int threads) {
    Backend b = create(threads);
    made.add(b);
    return b;
  }

  private Backend backend;

  @BeforeEach
  void makeBackend() {
    backend = backend(2);
  }

  @AfterEach
  void closeBackends() {
    for (Backend b : made) {
      b.close();
      assertEquals(0, b.liveTensors(), b + " kept tensors after close");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

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

  static List<RelationalGraph> patterns(int n, long seed) {
    List<RelationalGraph> out = new ArrayList<>();
    out.add(RelationalGraph.empty(n, false)); // the diagonal alone
    out.add(ClassicGenerators.complete(n));
    if (n >= 4) {
      out.add(WsFlex.generate(n, Math.max(2, n / 8.0), 0.3, seed));
    }
    SplittableRandom r = new SplittableRandom(seed); // a directed pattern
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

  /** A layer over a 3-node path with 5 output and 7 input channels. */
  static BlockSparseLayout layer() {
    RelationalGraph g = RelationalGraph.builder(3, false).addEdge(0, 1).addEdge(1, 2).build();
    return BlockSparseLayout.of(
        g, ChannelPartition.ofSizes(1, 3, 1), ChannelPartition.ofSizes(2, 2, 3));
  }

  /** One node, 2 channels in and out, batch 2: every argument can be a 2 × 2 tensor. */
  static BlockSparseLayout squareLayer() {
    return BlockSparseLayout.of(
        RelationalGraph.empty(1, false), ChannelPartition.ofSizes(2), ChannelPartition.ofSizes(2));
  }

  static void closeAll(Tensor[] a) {
    for (Tensor t : a) {
      t.close();
    }
  }

  static Map<Tensor, float[]> snapshot(Tensor[] a) {
    Map<Tensor, float[]> m = new IdentityHashMap<>();
    for (Tensor t : a) {
      if (!t.isClosed()) {
        m.put(t, t.toArray());
      }
    }
    return m;
  }

  static void assertUnchanged(Map<Tensor, float[]> before, String what) {
    for (Map.Entry<Tensor, float[]> e : before.entrySet()) {
      assertArrayEquals(e.getValue(), e.getKey().toArray(), what + ": " + e.getKey() + " changed");
    }
  }

  /**
   * Runs {@code op} on the backend under test and on the reference, on copies of the same values,
   * and compares every argument afterwards (outputs and inputs alike).
   */
  static void compare(
      Backend b,
      BiConsumer<Backend, String> ran,
      ProductOp op,
      BlockSparseLayout l,
      float[][] values,
      int[][] shapes,
      int reduction,
      String what) {
    Tensor[] mine = new Tensor[values.length];
    Tensor[] ref = new Tensor[values.length];
    try {
      for (int i = 0; i < values.length; i++) {
        mine[i] = b.of(shapes[i][0], shapes[i][1], values[i]);
        ref[i] = REF.of(shapes[i][0], shapes[i][1], values[i]);
      }
      op.call(REF, l, ref);
      op.call(b, l, mine);
      ran.accept(b, op.name());
      for (int i = 0; i < values.length; i++) {
        assertClose(ref[i].toArray(), mine[i].toArray(), reduction, op + " " + op.names[i] + what);
      }
    } finally {
      for (Tensor t : mine) {
        if (t != null) {
          t.close();
        }
      }
      for (Tensor t : ref) {
        if (t != null) {
          t.close();
        }
      }
    }
  }

  /** The three block-sparse products of {@code b} against the reference on random values. */
  static void checkLayer(
      Backend b, BlockSparseLayout l, int batch, long seed, BiConsumer<Backend, String> ran) {
    int reduction = Math.max(batch, Math.max(l.in().channels(), l.out().channels()));
    checkLayer(b, l, batch, seed, ran, reduction);
  }

  /** The same, to the tolerance of a reduction of {@code reduction} terms. */
  static void checkLayer(
      Backend b,
      BlockSparseLayout l,
      int batch,
      long seed,
      BiConsumer<Backend, String> ran,
      int reduction) {
    SplittableRandom r = new SplittableRandom(seed);
    String what = " on " + b + " " + l + " batch " + batch + " seed " + seed;
    for (ProductOp op :
        new ProductOp[] {ProductOp.FORWARD, ProductOp.BACKWARD_DATA, ProductOp.BACKWARD_WEIGHT}) {
      int[][] shapes = op.shapes(l, batch);
      float[][] values = new float[shapes.length][];
      for (int i = 0; i < shapes.length; i++) {
        values[i] = random(r, shapes[i][0] * shapes[i][1]);
      }
      compare(b, ran, op, l, values, shapes, reduction, what);
    }
  }

  private void checkLayer(Backend b, BlockSparseLayout l, int batch, long seed) {
    checkLayer(b, l, batch, seed, this::ran);
  }

  // ---------------------------------------------------------------------------------------------
  // 1. The products against the reference

  @Test
  void blockSparseProductsMatchTheReference() {
    long seed = 1;
    for (int threads : sweepThreads()) {
      Backend b = backend(threads);
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
                checkLayer(b, l, batch, seed++);
              }
            }
          }
        }
      }
    }
  }

  @Test
  void realisticLayerShapes() {
    RelationalGraph g = WsFlex.generate(64, 8, 0.5, 3);
    int[][] shapes = {{512, 512}, {1539, 512}, {1539, 1539}};
    for (int[] s : shapes) {
      try (BlockSparseLayout l =
          BlockSparseLayout.of(
              g, ChannelPartition.of(s[0], 64, 7), ChannelPartition.of(s[1], 64, 8))) {
        checkLayer(backend, l, 128, s[0] + s[1]);
      }
    }
  }

  /**
   * A convolution's batch · H · W columns (8192 and more, which the native kernels cut into column
   * chunks that every node takes in turn): nodes of one channel over input nodes of nine (a 3 × 3
   * convolution's im2col, one channel per node), and uneven nodes of a directed pattern, at a batch
   * that ends inside a chunk and inside a vector. The tolerance is that of a reduction of 100, not
   * of the batch's length, so that a chunk counted twice or left out fails. Output nodes of about 4
   * channels and fewer take the native weight gradient without a transpose; the third layout, of 6
   * per node, keeps the transposing one. The fourth, a relational CNN's first stage (172 channels
   * over the 64 nodes of a WS-flex graph), has thin neighbours that the native forward pass runs in
   * pairs, their segments built once for all chunks, and which merging would leave thin and narrow,
   * so its weight gradient goes without a transpose over the nodes as they are.
   */
  @Test
  void wideBatchesOfConvolutionColumns() {
    RelationalGraph directed = patterns(8, 5).get(3);
    BlockSparseLayout[] layouts = {
      ConvGeometry.im2colLayout(
          ClassicGenerators.complete(16),
          ChannelPartition.of(16, 16, 1),
          ChannelPartition.of(16, 16, 2),
          3),
      BlockSparseLayout.of(directed, ChannelPartition.of(30, 8, 2), ChannelPartition.of(45, 8, 3)),
      BlockSparseLayout.of(directed, ChannelPartition.of(48, 8, 4), ChannelPartition.of(37, 8, 5)),
      BlockSparseLayout.of(
          WsFlex.generate(64, 8, 0.3, 1),
          ChannelPartition.of(172, 64, 9),
          ChannelPartition.of(172, 64, 10))
    };
    try {
      for (int threads : sweepThreads()) {
        Backend b = backend(threads);
        for (BlockSparseLayout l : layouts) {
          checkLayer(b, l, 8192 + 37, threads, this::ran, 100);
        }
      }
    } finally {
      for (BlockSparseLayout l : layouts) {
        l.close();
      }
    }
  }

  /**
   * Narrower batches whose activations outgrow the caches (here 2085 columns of 1601 and 1530
   * channels: 13 MB of X, 12.8 MB of dY), which the native kernels cut into column chunks too, in
   * all three products; a batch that ends inside a chunk and inside a vector.
   */
  @Test
  void cacheSizedBatchesOfWideLayers() {
    try (BlockSparseLayout l =
        BlockSparseLayout.of(
            WsFlex.generate(64, 2, 0.5, 5),
            ChannelPartition.of(1601, 64, 3),
            ChannelPartition.of(1530, 64, 4))) {
      checkLayer(backend, l, 2085, 11, this::ran, 100);
    }
  }

  /**
   * A complete graph over uneven partitions at 1031 columns (ending inside a chunk and inside a
   * vector): 2.1 MB of weights, over which the native AVX2 backward-data in column chunks runs as
   * the forward pass of the transposed kernel.
   */
  @Test
  void wideBatchesOfDenseLayers() {
    checkLayout(
        ClassicGenerators.complete(16),
        ChannelPartition.of(760, 16, 3),
        ChannelPartition.of(700, 16, 4),
        1031,
        17);
  }

  /**
   * Complete graphs over 1100 input channels at 1031 columns (4.5 MB of X; every node reads all of
   * it), whose native AVX-512 forward pass goes in column chunks though the batch is narrow, and
   * over 1030 output channels (4.2 MB of dY), whose AVX-512 backward-data runs as the forward pass
   * of the transposed kernel, in such chunks.
   */
  @Test
  void longNodesOverWideActivations() {
    checkLayout(
        ClassicGenerators.complete(16),
        ChannelPartition.of(90, 16, 3),
        ChannelPartition.of(1100, 16, 4),
        1031,
        19);
    checkLayout(
        ClassicGenerators.complete(16),
        ChannelPartition.of(1030, 16, 5),
        ChannelPartition.of(70, 16, 6),
        1031,
        23);
  }

  /**
   * 2200 input channels at batch 1000: 8.8 MB of X, more than the native weight gradient lets each
   * worker transpose for itself, and with dY (4 MB) too little for column chunks, so its workers
   * share one transpose. (Smaller layers, as in the tests above, take a transpose per worker.)
   * Output nodes of 16 channels, which take the transposing weight gradient on every ISA.
   */
  @Test
  void weightGradientsShareOneTransposeOfLargeLayers() {
    checkLayout(
        WsFlex.generate(64, 8, 0.3, 1),
        ChannelPartition.of(1024, 64, 5),
        ChannelPartition.of(2200, 64, 6),
        1000,
        13);
  }

  /** {@link #checkLayer} on the layout of {@code g} over these partitions, closed afterwards. */
  private void checkLayout(
      RelationalGraph g, ChannelPartition out, ChannelPartition in, int batch, long seed) {
    try (BlockSparseLayout l = BlockSparseLayout.of(g, out, in)) {
      checkLayer(backend, l, batch, seed);
    }
  }

  /** Reductions longer than a kernel's cache slices: the slices' partial sums must add up. */
  @Test
  void longReductions() {
    checkLayout(
        ClassicGenerators.complete(16),
        ChannelPartition.of(90, 16, 3),
        ChannelPartition.of(1100, 16, 4),
        40,
        11);
    checkLayout(
        RelationalGraph.empty(1, false),
        ChannelPartition.ofSizes(13),
        ChannelPartition.ofSizes(1300),
        33,
        12);
  }

  @Test
  void denseAndMaskedProductsMatchTheReference() {
    SplittableRandom r = new SplittableRandom(5);
    RelationalGraph g = WsFlex.generate(16, 4, 0.5, 1);
    try (BlockSparseLayout l =
        BlockSparseLayout.of(g, ChannelPartition.of(70, 16, 1), ChannelPartition.of(53, 16, 2))) {
      for (int batch : new int[] {1, 3, 128}) {
        int reduction = Math.max(batch, 70);
        String what = " on " + backend + " batch " + batch;
        for (ProductOp op : ProductOp.values()) {
          if (op.blockSparse) {
            continue;
          }
          int[][] shapes = op.shapes(l, batch);
          float[][] values = new float[shapes.length][];
          for (int i = 0; i < shapes.length; i++) {
            values[i] =
                op.names[i].equals("mask") ? l.denseMask() : random(r, shapes[i][0] * shapes[i][1]);
          }
          compare(backend, this::ran, op, l, values, shapes, reduction, what);
        }
      }
    }
  }

  /** Masked products on a weight matrix equal the block-sparse ones on the same weights. */
  @Test
  void maskedEqualsBlockSparse() {
    SplittableRandom r = new SplittableRandom(8);
    RelationalGraph g = WsFlex.generate(16, 4, 0.5, 1);
    int batch = 9;
    try (BlockSparseLayout l =
            BlockSparseLayout.of(
                g, ChannelPartition.of(40, 16, 1), ChannelPartition.of(33, 16, 2));
        TensorScope s = backend.newScope()) {
      float[] dense = random(r, 40 * 33);
      Tensor w = s.of(40, 33, dense);
      Tensor mask = s.of(40, 33, l.denseMask());
      Tensor scratch = s.zeros(40, 33);
      Tensor bw = s.of(1, (int) l.weightCount(), l.fromDense(dense));
      Tensor x = s.of(33, batch, random(r, 33 * batch));
      Tensor dy = s.of(40, batch, random(r, 40 * batch));
      Tensor a = s.zeros(40, batch);
      Tensor b = s.zeros(40, batch);
      Tensor da = s.zeros(33, batch);
      Tensor db = s.zeros(33, batch);
      Tensor ga = s.zeros(40, 33);
      Tensor gb = s.zeros(1, (int) l.weightCount());
      backend.maskedForward(w, mask, x, a, scratch);
      ran(backend, "masked forward");
      backend.forward(l, bw, x, b);
      assertClose(b.toArray(), a.toArray(), 33, "masked forward");
      backend.maskedBackwardData(w, mask, dy, da, scratch);
      backend.backwardData(l, bw, dy, db);
      assertClose(db.toArray(), da.toArray(), 40, "masked backward-data");
      backend.maskedBackwardWeight(mask, dy, x, ga);
      backend.backwardWeight(l, dy, x, gb);
      assertClose(l.toDense(gb.toArray()), ga.toArray(), batch, "masked weight gradient");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // 2. The training operations against the reference

  private static final int[][] SHAPES = {{1, 2}, {3, 5}, {17, 128}, {64, 257}, {1539, 128}};

  /** Fills gamma, beta and running statistics with non-trivial values. */
  static void randomize(BatchNorm bn, SplittableRandom r) {
    int c = bn.channels();
    float[] g = random(r, c);
    for (int i = 0; i < c; i++) {
      g[i] += 1.5f;
    }
    bn.gamma().copyFrom(g);
    bn.beta().copyFrom(random(r, c));
    bn.runningMean().copyFrom(random(r, c));
    float[] v = random(r, c);
    for (int i = 0; i < c; i++) {
      v[i] = 0.5f + Math.abs(v[i]);
    }
    bn.runningVar().copyFrom(v);
  }

  /** y, running mean, running var, and in training dx, dgamma, dbeta. */
  private float[][] runBatchNorm(
      Backend be, int[] shape, float[] xv, float[] dyv, long seed, boolean training) {
    String what = Tensor.describe(shape);
    int c = shape[0];
    try (TensorScope s = be.newScope();
        BatchNorm bn = new BatchNorm(s, c)) {
      Tensor x = s.of(xv, shape);
      Tensor y = s.zeros(shape);
      Tensor dy = s.of(dyv, shape);
      Tensor dx = s.zeros(shape);
      randomize(bn, new SplittableRandom(seed));
      be.batchNormReluForward(bn, x, y, training);
      ran(be, "batch norm forward " + what);
      float[][] out = new float[training ? 6 : 3][];
      out[0] = y.toArray();
      out[1] = bn.runningMean().toArray();
      out[2] = bn.runningVar().toArray();
      if (training) {
        be.batchNormReluBackward(bn, x, y, dy, dx);
        ran(be, "batch norm backward " + what);
        out[3] = dx.toArray();
        out[4] = bn.gammaGrad().toArray();
        out[5] = bn.betaGrad().toArray();
      }
      return out;
    }
  }

  @Test
  void batchNormMatchesTheReference() {
    SplittableRandom r = new SplittableRandom(11);
    List<int[]> shapes = new ArrayList<>(List.of(SHAPES));
    shapes.add(new int[] {6, 4, 3, 5}); // channels × batch × H × W: statistics over all but C
    for (int threads : new int[] {1, 3}) {
      Backend be = backend(threads);
      for (int[] shape : shapes) {
        int n = 1;
        for (int d : shape) {
          n *= d;
        }
        float[] x = random(r, n);
        for (int i = 0; i < x.length; i++) {
          x[i] = 3 * x[i] + 0.5f; // off-centre, not unit scale
        }
        float[] dy = random(r, n);
        long seed = r.nextLong();
        int perChannel = n / shape[0];
        for (boolean training : new boolean[] {true, false}) {
          float[][] ref = runBatchNorm(REF, shape, x, dy, seed, training);
          float[][] got = runBatchNorm(be, shape, x, dy, seed, training);
          String what = be + " " + Tensor.describe(shape) + (training ? " training" : " eval");
          String[] names = {"y", "running mean", "running var", "dx", "dgamma", "dbeta"};
          for (int k = 0; k < ref.length; k++) {
            assertClose(ref[k], got[k], perChannel, what + " " + names[k]);
          }
        }
      }
    }
  }

  @Test
  void evaluationUsesRunningStatistics() {
    try (TensorScope s = backend.newScope();
        BatchNorm bn = new BatchNorm(s, 2)) {
      Tensor x = s.of(2, 2, new float[] {1, 3, -1, 5});
      Tensor y = s.zeros(2, 2);
      bn.runningMean().copyFrom(new float[] {1, 1});
      bn.runningVar().copyFrom(new float[] {4, 16});
      backend.batchNormReluForward(bn, x, y, false);
      double s0 = 1 / Math.sqrt(4 + 1e-5);
      double s1 = 1 / Math.sqrt(16 + 1e-5);
      float[] expected = {0, (float) (2 * s0), 0, (float) (4 * s1)};
      assertArrayEquals(expected, y.toArray(), 1e-6f);
      assertArrayEquals(new float[] {1, 1}, bn.runningMean().toArray());
    }
  }

  @Test
  void trainingUpdatesRunningStatisticsWithUnbiasedVariance() {
    try (TensorScope s = backend.newScope();
        BatchNorm bn = new BatchNorm(s, 1, 0.25f, 1e-5f)) {
      Tensor x = s.of(1, 4, new float[] {1, 2, 3, 6});
      Tensor y = s.zeros(1, 4);
      backend.batchNormReluForward(bn, x, y, true);
      // mean 3, biased variance 3.5, unbiased 14/3
      assertEquals(0.75f * 0 + 0.25f * 3, bn.runningMean().get(0, 0), 1e-6);
      assertEquals(0.75f * 1 + 0.25f * 14 / 3f, bn.runningVar().get(0, 0), 1e-6);
    }
  }

  @Test
  void crossEntropyMatchesTheReferenceAndAccumulates() {
    SplittableRandom r = new SplittableRandom(9);
    for (int threads : new int[] {1, 3}) {
      Backend be = backend(threads);
      for (int[] s : new int[][] {{2, 1}, {10, 3}, {10, 128}, {7, 257}}) {
        int classes = s[0];
        int batch = s[1];
        float[] z = random(r, classes * batch);
        for (int i = 0; i < z.length; i++) {
          z[i] *= 8;
        }
        int[] labels = r.ints(batch, 0, classes).toArray();
        try (Tensor logits1 = REF.of(classes, batch, z);
            Tensor g1 = REF.zeros(classes, batch);
            LossAccumulator a1 = REF.newLossAccumulator();
            Tensor logits2 = be.of(classes, batch, z);
            Tensor g2 = be.zeros(classes, batch);
            LossAccumulator a2 = be.newLossAccumulator()) {
          for (int twice = 0; twice < 2; twice++) {
            REF.softmaxCrossEntropy(logits1, labels, g1, a1);
            be.softmaxCrossEntropy(logits2, labels, g2, a2);
            ran(be, "cross-entropy");
          }
          LossAccumulator.Totals ref = a1.read();
          LossAccumulator.Totals got = a2.read();
          assertEquals(2, got.batches());
          assertEquals(2L * batch, got.samples());
          assertEquals(ref.correct(), got.correct());
          double tol = 1e-6 * Math.max(1, ref.batchLossSum());
          assertEquals(ref.batchLossSum(), got.batchLossSum(), tol);
          assertEquals(ref.sampleLossSum(), got.sampleLossSum(), tol * batch);
          assertEquals(got.batchLossSum() / 2, got.meanBatchLoss(), 1e-12);
          assertClose(g1.toArray(), g2.toArray(), classes, "dlogits " + be);
          a2.reset();
          assertEquals(LossAccumulator.Totals.ZERO, a2.read());
        }
      }
    }
  }

  @Test
  void biasAndSgdMatchTheReference() {
    SplittableRandom r = new SplittableRandom(21);
    SgdSettings[] settings = {
      new SgdSettings(0.9f, 5e-4f, true),
      new SgdSettings(0.9f, 0, false),
      new SgdSettings(0, 0, false)
    };
    for (int threads : new int[] {1, 3}) {
      Backend be = backend(threads);
      for (int[] s : SHAPES) {
        float[] y = random(r, s[0] * s[1]);
        float[] bias = random(r, s[0]);
        try (TensorScope ref = REF.newScope();
            TensorScope mine = be.newScope()) {
          Tensor y1 = ref.of(s[0], s[1], y);
          Tensor y2 = mine.of(s[0], s[1], y);
          Tensor d1 = ref.zeros(s[0], 1);
          Tensor d2 = mine.zeros(s[0], 1);
          REF.addBias(y1, ref.of(s[0], 1, bias));
          be.addBias(y2, mine.of(s[0], 1, bias));
          ran(be, "add bias");
          assertClose(y1.toArray(), y2.toArray(), 1, "add bias");
          assertEquals(y[y.length - 1] + bias[s[0] - 1], y2.get(s[0] - 1, s[1] - 1), 1e-6);
          REF.biasGradient(y1, d1);
          be.biasGradient(y2, d2);
          ran(be, "bias gradient");
          assertClose(d1.toArray(), d2.toArray(), s[1], "bias gradient");
          for (SgdSettings set : settings) {
            int n = s[0] * s[1];
            float[] w = random(r, n);
            float[] g = random(r, n);
            float[] v = random(r, n);
            Tensor w1 = ref.of(s[0], s[1], w);
            Tensor w2 = mine.of(s[0], s[1], w);
            Tensor g1 = ref.of(s[0], s[1], g);
            Tensor g2 = mine.of(s[0], s[1], g);
            Tensor v1 = ref.of(s[0], s[1], v);
            Tensor v2 = mine.of(s[0], s[1], v);
            for (int step = 0; step < 3; step++) {
              REF.sgdStep(w1, g1, v1, set, 0.1f);
              be.sgdStep(w2, g2, v2, set, 0.1f);
              ran(be, "SGD step");
            }
            assertClose(w1.toArray(), w2.toArray(), 3, "sgd weights " + set);
            assertClose(v1.toArray(), v2.toArray(), 3, "sgd velocity " + set);
          }
        }
      }
    }
  }

  @Test
  void biasAndSgdTakeFourDimensionalTensors() {
    SplittableRandom r = new SplittableRandom(4);
    int[] shape = {3, 2, 4, 5};
    float[] y = random(r, 120);
    float[] bias = {1, 2, 3};
    try (TensorScope s = backend.newScope()) {
      Tensor t = s.of(y, shape);
      backend.addBias(t, s.of(3, 1, bias));
      float[] got = t.toArray();
      for (int i = 0; i < 120; i++) {
        assertEquals(y[i] + bias[i / 40], got[i], 1e-6, "value " + i);
      }
      Tensor db = s.zeros(3, 1);
      backend.biasGradient(t, db);
      Tensor w = s.of(y, shape);
      backend.sgdStep(w, s.of(y, shape), s.zeros(shape), new SgdSettings(0, 0, false), 0.5f);
      assertEquals(y[7] * 0.5f, w.toArray()[7], 1e-6);
    }
  }

  @Test
  void sgdFollowsPyTorchOnOneValue() {
    // PyTorch SGD(lr=0.1, momentum=0.9, weight_decay=0.5, nesterov=True), w = 2, grad = 1, twice:
    // d = 1 + 0.5*2 = 2; buf = 2; step = 2 + 0.9*2 = 3.8; w = 1.62
    // d = 1 + 0.5*1.62 = 1.81; buf = 0.9*2 + 1.81 = 3.61; step = 1.81 + 0.9*3.61 = 5.059
    try (Tensor w = backend.of(1, 1, new float[] {2});
        Tensor g = backend.of(1, 1, new float[] {1});
        Tensor v = backend.zeros(1, 1)) {
      SgdSettings s = new SgdSettings(0.9f, 0.5f, true);
      backend.sgdStep(w, g, v, s, 0.1f);
      assertEquals(1.62f, w.get(0, 0), 1e-6);
      backend.sgdStep(w, g, v, s, 0.1f);
      assertEquals(1.62f - 0.5059f, w.get(0, 0), 1e-6);
      assertEquals(3.61f, v.get(0, 0), 1e-6);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // 3. Tensors, scopes, accumulators, lifecycle

  @Test
  void tensorsHoldTwoOrFourDimensions() {
    try (Tensor t = backend.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 1, 1, 2)) {
      assertEquals(backend, t.backend());
      assertEquals(4, t.rank());
      assertArrayEquals(new int[] {3, 1, 1, 2}, t.shape());
      assertEquals(3, t.rows());
      assertEquals(2, t.cols());
      assertEquals(6, t.size());
      assertEquals(6f, t.get(2, 1));
      assertEquals("Tensor(3 x 1 x 1 x 2)", t.toString());
      t.zero();
      assertArrayEquals(new float[6], t.toArray());
    }
    for (int[] s : new int[][] {{3}, {1, 2, 3}, {1, 1, 1, 1, 1}}) {
      assertTrue(
          assertThrows(IllegalArgumentException.class, () -> backend.zeros(s))
              .getMessage()
              .contains("2 or 4 dimensions"));
    }
    assertEquals(
        "tensor shape 2 x 0 x 1 x 1 must be >= 1 x 1 x 1 x 1",
        assertThrows(IllegalArgumentException.class, () -> backend.zeros(2, 0, 1, 1)).getMessage());
  }

  @Test
  void tensorsRejectBadShapesAndIndices() {
    for (int[] s : new int[][] {{0, 1}, {1, 0}, {-1, 5}, {5, -1}, {0, 0}}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> backend.zeros(s[0], s[1]));
      assertEquals("tensor shape " + s[0] + " x " + s[1] + " must be >= 1 x 1", e.getMessage());
    }
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> backend.zeros(65_536, 65_536))
            .getMessage()
            .contains("too large"));
    try (Tensor t = backend.zeros(2, 3)) {
      for (int[] rc : new int[][] {{-1, 0}, {2, 0}, {0, -1}, {0, 3}, {Integer.MAX_VALUE, 0}}) {
        assertEquals(
            "(" + rc[0] + ", " + rc[1] + ") outside 2 x 3",
            assertThrows(IndexOutOfBoundsException.class, () -> t.get(rc[0], rc[1])).getMessage());
      }
      assertEquals(
          "expected 6 values for 2 x 3, got 5",
          assertThrows(IllegalArgumentException.class, () -> t.copyFrom(new float[5]))
              .getMessage());
      assertThrows(IllegalArgumentException.class, () -> t.copyFrom(new float[7]));
      assertArrayEquals(new float[6], t.toArray(), "a rejected copy changed the tensor");
    }
    int live = backend.liveTensors();
    assertThrows(IllegalArgumentException.class, () -> backend.of(2, 3, new float[5]));
    assertThrows(NullPointerException.class, () -> backend.of(2, 3, null));
    assertEquals(live, backend.liveTensors(), "of with a wrong length left its tensor open");
  }

  @Test
  void closeIsIdempotentAndUseAfterCloseThrows() {
    Tensor t = backend.of(2, 3, new float[] {1, 2, 3, 4, 5, 6});
    assertFalse(t.isClosed());
    t.close();
    t.close();
    assertTrue(t.isClosed());
    assertEquals("Tensor(2 x 3, closed)", t.toString());
    assertEquals(6, t.size());
    String closed = "tensor 2 x 3 is closed";
    assertEquals(closed, assertThrows(IllegalStateException.class, () -> t.get(0, 0)).getMessage());
    // closed first: an index out of range still reports the closed tensor
    assertEquals(closed, assertThrows(IllegalStateException.class, () -> t.get(9, 9)).getMessage());
    assertEquals(closed, assertThrows(IllegalStateException.class, t::toArray).getMessage());
    assertEquals(
        closed,
        assertThrows(IllegalStateException.class, () -> t.copyFrom(new float[6])).getMessage());
    assertEquals(closed, assertThrows(IllegalStateException.class, t::zero).getMessage());
  }

  @Test
  void aScopeClosesItsTensorsTogether() {
    int before = backend.liveTensors();
    Tensor outside = backend.zeros(2, 2);
    List<Tensor> inside = new ArrayList<>();
    try (TensorScope s = backend.newScope()) {
      assertEquals(backend, s.backend());
      for (int i = 0; i < 5; i++) {
        inside.add(s.zeros(3, i + 1));
      }
      inside.add(s.of(new float[4], 1, 1, 2, 2));
      inside.get(0).close(); // closing one early is fine
      assertEquals(5, s.liveTensors());
      assertEquals(before + 6, backend.liveTensors());
      s.close();
      assertThrows(IllegalStateException.class, () -> s.zeros(1, 1));
    }
    inside.forEach(t -> assertTrue(t.isClosed(), t + " outlived its scope"));
    assertFalse(outside.isClosed());
    assertEquals(before + 1, backend.liveTensors());
    outside.close();
    assertEquals(before, backend.liveTensors());
  }

  @Test
  void closingTheBackendClosesEverythingItHolds() {
    Backend b = backend(1);
    Tensor t = b.zeros(2, 2);
    TensorScope s = b.newScope();
    Tensor u = s.zeros(3, 3);
    LossAccumulator a = b.newLossAccumulator();
    assertFalse(b.isClosed());
    b.close();
    b.close();
    assertTrue(b.isClosed());
    assertTrue(t.isClosed());
    assertTrue(u.isClosed());
    assertTrue(a.isClosed());
    assertEquals(0, b.liveTensors());
    String closed = "backend " + b.name() + " is closed";
    assertEquals(
        closed, assertThrows(IllegalStateException.class, () -> b.zeros(1, 1)).getMessage());
    assertThrows(IllegalStateException.class, b::newScope);
    assertThrows(IllegalStateException.class, b::newLossAccumulator);
    assertThrows(IllegalStateException.class, b::synchronize);
    assertThrows(IllegalStateException.class, a::read);
    assertThrows(IllegalStateException.class, () -> b.addBias(t, t));
  }

  @Test
  void accumulatorReadsAreCounted() {
    try (TensorScope s = backend.newScope();
        LossAccumulator a = backend.newLossAccumulator()) {
      Tensor logits = s.of(2, 2, new float[] {1, 0, 0, 1});
      Tensor grad = s.zeros(2, 2);
      long reads = backend.accumulatorReads();
      for (int i = 0; i < 10; i++) {
        backend.softmaxCrossEntropy(logits, new int[] {0, 1}, grad, a);
      }
      assertEquals(reads, backend.accumulatorReads(), "an operation read the loss to the host");
      LossAccumulator.Totals t = a.read();
      assertEquals(reads + 1, backend.accumulatorReads());
      assertEquals(10, t.batches());
      assertEquals(20, t.correct());
      double one = Math.log(1 + Math.exp(-1));
      assertEquals(10 * one, t.batchLossSum(), 1e-6);
      assertEquals(20 * one, t.sampleLossSum(), 1e-6);
      assertEquals(5, t.since(new LossAccumulator.Totals(5, 10, 5 * one, 10 * one, 10)).batches());
      a.close();
      assertEquals(
          "loss accumulator is closed",
          assertThrows(IllegalStateException.class, a::read).getMessage());
      assertThrows(
          IllegalStateException.class,
          () -> backend.softmaxCrossEntropy(logits, new int[] {0, 1}, grad, a));
    }
  }

  @Test
  void aClosedLayoutStaysUsable() {
    SplittableRandom r = new SplittableRandom(6);
    BlockSparseLayout l = layer();
    try (TensorScope s = backend.newScope()) {
      Tensor w = s.of(1, 30, random(r, 30));
      Tensor x = s.of(7, 3, random(r, 21));
      Tensor y1 = s.zeros(5, 3);
      Tensor y2 = s.zeros(5, 3);
      backend.forward(l, w, x, y1);
      l.close();
      l.close();
      backend.forward(l, w, x, y2); // remakes the native copy where there is one
      assertArrayEquals(y1.toArray(), y2.toArray());
    } finally {
      l.close();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // 4. Misuse throws before any work

  /** Runs {@code check} for every product, on the two test layouts. */
  private static void forEachOp(Consumer<ProductOp> check) {
    for (ProductOp op : ProductOp.values()) {
      check.accept(op);
    }
  }

  @Test
  void theFixturesAreValid() {
    SplittableRandom r = new SplittableRandom(1);
    forEachOp(
        op -> {
          for (BlockSparseLayout l : new BlockSparseLayout[] {layer(), squareLayer()}) {
            Tensor[] a = op.args(backend, l, 2, r);
            try {
              assertTrue(op.valid(l, a));
              assertDoesNotThrow(() -> op.call(backend, l, a));
            } finally {
              closeAll(a);
              l.close();
            }
          }
        });
  }

  @ParameterizedTest
  @EnumSource(ProductOp.class)
  void aWrongShapeInAnyPositionThrowsIllegalArgument(ProductOp op) {
    SplittableRandom r = new SplittableRandom(2);
    try (BlockSparseLayout l = layer()) {
      int batch = 3;
      for (int i = 0; i < op.arity(); i++) {
        int[] s = op.shapes(l, batch)[i];
        int[][] wrong = {
          {s[0] + 1, s[1]}, {s[0], s[1] + 1}, {s[0] + 2, s[1]}, {s[0], s[1] + 2}, {s[1], s[0]}
        };
        for (int[] w : wrong) {
          if (s[0] == w[0] && s[1] == w[1]) {
            continue;
          }
          Tensor[] a = op.args(backend, l, batch, r);
          Tensor bad = backend.zeros(w[0], w[1]);
          a[i].close();
          a[i] = bad;
          String what = backend + " " + op + " " + op.names[i] + " of " + bad.shapeText();
          try {
            if (op.valid(l, a)) {
              continue; // e.g. block weights of 2 × (n/2): still n values, which is valid
            }
            Map<Tensor, float[]> before = snapshot(a);
            IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> op.call(backend, l, a), what);
            String m = e.getMessage();
            assertTrue(
                m.contains(bad.shapeText()) || m.contains(bad.size() + " values"),
                what + ": message does not name the bad tensor: " + m);
            assertUnchanged(before, what);
          } finally {
            closeAll(a);
          }
        }
      }
    }
  }

  /** Weights, masks and scratch are matrices; activations are channels × batch·H·W. */
  private static boolean isActivation(String name) {
    return name.equals("X") || name.equals("Y") || name.equals("dX") || name.equals("dY");
  }

  @ParameterizedTest
  @EnumSource(ProductOp.class)
  void aFourDimensionalWeightInAProductThrowsIllegalArgument(ProductOp op) {
    SplittableRandom r = new SplittableRandom(12);
    try (BlockSparseLayout l = layer()) {
      for (int i = 0; i < op.arity(); i++) {
        if (isActivation(op.names[i])) {
          continue;
        }
        Tensor[] a = op.args(backend, l, 4, r);
        int[] s = a[i].shape();
        Tensor four = backend.zeros(s[0], s[1], 1, 1);
        a[i].close();
        a[i] = four;
        try {
          Map<Tensor, float[]> before = snapshot(a);
          IllegalArgumentException e =
              assertThrows(IllegalArgumentException.class, () -> op.call(backend, l, a));
          assertTrue(e.getMessage().contains("2-D"), e.getMessage());
          assertUnchanged(before, op + " " + op.names[i]);
        } finally {
          closeAll(a);
        }
      }
    }
  }

  /**
   * A 4-D activation ({@code channels × batch × H × W}) is its matrix {@code channels × batch·H·W}:
   * a 1 × 1 convolution is the product over every pixel.
   */
  @ParameterizedTest
  @EnumSource(ProductOp.class)
  void aFourDimensionalActivationIsItsMatrixView(ProductOp op) {
    try (BlockSparseLayout l = layer()) {
      Tensor[] flat = op.args(backend, l, 6, new SplittableRandom(13));
      Tensor[] image = op.args(backend, l, 6, new SplittableRandom(13));
      try {
        for (int i = 0; i < op.arity(); i++) {
          if (isActivation(op.names[i])) {
            Tensor four = backend.of(image[i].toArray(), image[i].rows(), 2, 1, 3);
            image[i].close();
            image[i] = four;
          }
        }
        op.call(backend, l, flat);
        op.call(backend, l, image);
        for (int i = 0; i < op.arity(); i++) {
          assertArrayEquals(flat[i].toArray(), image[i].toArray(), op + " " + op.names[i]);
        }
      } finally {
        closeAll(flat);
        closeAll(image);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(ProductOp.class)
  void aClosedTensorInAnyPositionThrowsIllegalState(ProductOp op) {
    SplittableRandom r = new SplittableRandom(3);
    try (BlockSparseLayout l = layer()) {
      for (int i = 0; i < op.arity(); i++) {
        Tensor[] a = op.args(backend, l, 4, r);
        try {
          a[i].close();
          Map<Tensor, float[]> before = snapshot(a);
          IllegalStateException e =
              assertThrows(IllegalStateException.class, () -> op.call(backend, l, a), op.names[i]);
          assertEquals("tensor " + a[i].shapeText() + " is closed", e.getMessage());
          assertUnchanged(before, backend + " " + op + " closed " + op.names[i]);
        } finally {
          closeAll(a);
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(ProductOp.class)
  void aForeignTensorInAnyPositionThrowsIllegalArgument(ProductOp op) {
    SplittableRandom r = new SplittableRandom(13);
    Backend other = backend(1);
    try (BlockSparseLayout l = layer()) {
      for (int i = 0; i < op.arity(); i++) {
        Tensor[] a = op.args(backend, l, 4, r);
        Tensor foreign = other.of(a[i].rows(), a[i].cols(), a[i].toArray());
        Tensor mine = a[i];
        a[i] = foreign;
        try {
          Map<Tensor, float[]> before = snapshot(a);
          IllegalArgumentException e =
              assertThrows(
                  IllegalArgumentException.class, () -> op.call(backend, l, a), op.names[i]);
          assertTrue(e.getMessage().contains("belongs to another backend"), e.getMessage());
          assertUnchanged(before, backend + " " + op + " foreign " + op.names[i]);
          // and the other way round: the reference refuses this backend's tensors
          a[i] = mine;
          assertThrows(IllegalArgumentException.class, () -> op.call(REF, l, a));
        } finally {
          closeAll(a);
          foreign.close();
          mine.close();
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(ProductOp.class)
  void theSameTensorTwiceThrowsIllegalArgument(ProductOp op) {
    SplittableRandom r = new SplittableRandom(4);
    try (BlockSparseLayout l = squareLayer()) {
      for (int i = 0; i < op.arity(); i++) {
        for (int j = 0; j < op.arity(); j++) {
          if (i == j) {
            continue;
          }
          try (TensorScope s = backend.newScope()) {
            Tensor[] a = op.args(s, l, 2, r);
            // block weights are 1 x 4; a 2 x 2 tensor holds them as well, so every pair aliases
            for (int k = 0; k < a.length; k++) {
              if (a[k].rows() == 1) {
                a[k] = s.zeros(2, 2);
              }
            }
            a[j] = a[i];
            String what = backend + " " + op + " " + op.names[i] + " as " + op.names[j];
            assertTrue(op.shapesValid(l, a), what);
            Map<Tensor, float[]> before = snapshot(a);
            IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> op.call(backend, l, a), what);
            assertEquals(
                "the same tensor is passed twice (in-place products unsupported)",
                e.getMessage(),
                what);
            assertUnchanged(before, what);
          }
        }
      }
    }
  }

  @Test
  void messagesNameTheProblem() {
    SplittableRandom r = new SplittableRandom(5);
    Backend b = backend;
    try (BlockSparseLayout l = layer();
        TensorScope s = b.newScope()) {
      Tensor w = s.of(1, 30, random(r, 30));
      Tensor shortW = s.zeros(1, 29);
      Tensor x = s.zeros(7, 3);
      Tensor x8 = s.zeros(8, 3);
      Tensor x4 = s.zeros(7, 4);
      Tensor y = s.zeros(5, 3);
      Tensor dense = s.zeros(5, 7);
      Tensor dense6 = s.zeros(6, 7);
      Tensor mask = s.zeros(5, 6);
      Tensor scratch = s.zeros(5, 7);
      assertEquals(30, l.weightCount()); // 1 x (2 + 2) + 3 x (2 + 2 + 3) + 1 x (2 + 3)
      assertEquals(
          "W has 29 values, the layout has 30 weights",
          assertThrows(IllegalArgumentException.class, () -> b.forward(l, shortW, x, y))
              .getMessage());
      assertEquals(
          "dW has 29 values, the layout has 30 weights",
          assertThrows(IllegalArgumentException.class, () -> b.backwardWeight(l, y, x, shortW))
              .getMessage());
      assertEquals(
          "X is 8 x 3, expected 7 input channels as rows",
          assertThrows(IllegalArgumentException.class, () -> b.forward(l, w, x8, y)).getMessage());
      assertEquals(
          "dX is 8 x 3, expected 7 input channels as rows",
          assertThrows(IllegalArgumentException.class, () -> b.backwardData(l, w, y, x8))
              .getMessage());
      assertEquals(
          "batch mismatch: 7 x 4 and 5 x 3 must have the same columns",
          assertThrows(IllegalArgumentException.class, () -> b.forward(l, w, x4, y)).getMessage());
      assertEquals(
          "Y is 5 x 3, expected 6 output channels as rows, for W of 6 x 7",
          assertThrows(IllegalArgumentException.class, () -> b.denseForward(dense6, x, y))
              .getMessage());
      assertEquals(
          "dY is 5 x 3, expected 6 output channels as rows, for W of 6 x 7",
          assertThrows(IllegalArgumentException.class, () -> b.denseBackwardData(dense6, y, x))
              .getMessage());
      assertEquals(
          "dY is 5 x 3, expected 6 output channels as rows, for dW of 6 x 7",
          assertThrows(IllegalArgumentException.class, () -> b.denseBackwardWeight(y, x, dense6))
              .getMessage());
      assertEquals(
          "W and mask: 5 x 7 and 5 x 6 must have the same shape",
          assertThrows(
                  IllegalArgumentException.class, () -> b.maskedForward(dense, mask, x, y, scratch))
              .getMessage());
      assertEquals(
          "W and scratch: 5 x 7 and 6 x 7 must have the same shape",
          assertThrows(
                  IllegalArgumentException.class,
                  () -> b.maskedBackwardData(dense, scratch, y, x, dense6))
              .getMessage());
      assertEquals(
          "dW and mask: 5 x 7 and 5 x 6 must have the same shape",
          assertThrows(
                  IllegalArgumentException.class, () -> b.maskedBackwardWeight(mask, y, x, dense))
              .getMessage());
    }
  }

  @Test
  void badTrainingArgumentsAreJavaExceptions() {
    Backend be = backend;
    Backend other = backend(1);
    try (TensorScope s = be.newScope();
        BatchNorm bn = new BatchNorm(s, 4);
        BatchNorm foreignBn = new BatchNorm(other, 4);
        LossAccumulator acc = be.newLossAccumulator();
        LossAccumulator foreignAcc = other.newLossAccumulator()) {
      Tensor x = s.zeros(4, 8);
      Tensor y = s.zeros(4, 8);
      Tensor wrong = s.zeros(5, 8);
      Tensor one = s.zeros(4, 1);
      Tensor y1 = s.zeros(4, 1);
      Tensor logits = s.zeros(3, 2);
      Tensor g = s.zeros(3, 2);
      Tensor x4 = s.zeros(4, 2, 1, 4);
      assertThrows(
          IllegalArgumentException.class, () -> be.batchNormReluForward(bn, wrong, y, true));
      assertThrows(IllegalArgumentException.class, () -> be.batchNormReluForward(bn, x, x, true));
      assertThrows(IllegalArgumentException.class, () -> be.batchNormReluForward(bn, x4, y, true));
      assertThrows(
          IllegalArgumentException.class, () -> be.batchNormReluForward(bn, one, y1, true));
      be.batchNormReluForward(bn, one, y1, false); // a batch of one is fine in evaluation
      assertThrows(
          IllegalArgumentException.class, () -> be.batchNormReluBackward(bn, x, y, wrong, y));
      assertTrue(
          assertThrows(
                  IllegalArgumentException.class,
                  () -> be.batchNormReluForward(foreignBn, x, y, true))
              .getMessage()
              .contains("belongs to another backend"));
      var e =
          assertThrows(
              IllegalArgumentException.class,
              () -> be.softmaxCrossEntropy(logits, new int[] {0, 3}, g, acc));
      assertTrue(e.getMessage().contains("label 3"), e.getMessage());
      assertThrows(
          IllegalArgumentException.class,
          () -> be.softmaxCrossEntropy(logits, new int[] {0}, g, acc));
      assertThrows(
          IllegalArgumentException.class,
          () -> be.softmaxCrossEntropy(logits, new int[] {0, 1}, g, foreignAcc));
      assertThrows(
          IllegalArgumentException.class,
          () -> be.softmaxCrossEntropy(logits, new int[] {0, 1}, g, null));
      assertEquals(LossAccumulator.Totals.ZERO, acc.read(), "a rejected call added to the totals");
      assertThrows(IllegalArgumentException.class, () -> be.addBias(x, wrong));
      assertThrows(
          IllegalArgumentException.class,
          () -> be.sgdStep(x, wrong, y, new SgdSettings(0.9f, 0, true), 0.1f));
      assertThrows(
          IllegalArgumentException.class,
          () -> be.sgdStep(x, y, x, new SgdSettings(0.9f, 0, true), 0.1f));
      assertThrows(
          IllegalArgumentException.class,
          () -> be.sgdStep(x, y, one, new SgdSettings(0.9f, 0, true), Float.NaN));
      x.close();
      assertThrows(IllegalStateException.class, () -> be.batchNormReluForward(bn, x, y, true));
    }
  }
}
