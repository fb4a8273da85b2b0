package org.relgraph.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.relgraph.engine.BackendContractTest.assertClose;
import static org.relgraph.engine.BackendContractTest.random;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The convolution operations of a {@link Backend} held to the float64 {@link JavaBackend} on odd
 * and edge image shapes (1 × 1 images, odd sides, stride 2, one channel, one sample), and their
 * shape checks. Apart from {@link BackendContractTest} so that a backend can keep the products'
 * contract before it has convolutions.
 */
public abstract class ConvolutionContractTest {
  private static final JavaBackend REF = BackendContractTest.REF;

  /** A new backend of the kind under test, with up to {@code threads} threads. */
  protected abstract Backend create(int threads);

  /** Called after each operation on a backend under test. */
  protected void ran(Backend b, String op) {}

  private final List<Backend> made = new ArrayList<>();
  private Backend backend;

  @BeforeEach
  void makeBackend() {
    backend = create(3);
    made.add(backend);
  }

  @AfterEach
  void closeBackends() {
    for (Backend b : made) {
      b.close();
      assertEquals(0, b.liveTensors(), b + " kept tensors after close");
    }
  }

  /**
   * channels, batch, H, W, stride: odd, even, 1 × 1, wide, tall; two at stride 2 over 16 and 17
   * output columns, whose phase planes the native backend splits row by row (shorter rows image by
   * image; odd sides get a last row or column of zeros in the planes); and batches of 8 × 8 and 17
   * × 16 images that the native depthwise convolution takes in several runs of images.
   */
  static final int[][] IMAGES = {
    {1, 1, 1, 1, 1},
    {1, 1, 1, 1, 2},
    {3, 2, 5, 7, 1},
    {3, 2, 5, 7, 2},
    {2, 3, 4, 4, 2},
    {5, 1, 1, 6, 2},
    {4, 2, 9, 1, 1},
    {17, 2, 8, 8, 2},
    {2, 1, 4, 32, 2},
    {2, 2, 5, 33, 2},
    {3, 6, 8, 8, 1},
    {2, 3, 17, 16, 1},
  };

  /** Runs {@code op} on copies of {@code values} in the backend and the reference; compares all. */
  private void compare(
      String what, int reduction, float[][] values, int[][] shapes, OpOnTensors op) {
    compare(what, reduction, values, shapes, op, true);
  }

  /** As above; {@code kernels}: whether the op runs the engine's own kernels ({@link #ran}). */
  private void compare(
      String what,
      int reduction,
      float[][] values,
      int[][] shapes,
      OpOnTensors op,
      boolean kernels) {
    Tensor[] mine = new Tensor[values.length];
    Tensor[] ref = new Tensor[values.length];
    try (TensorScope ms = backend.newScope();
        TensorScope rs = REF.newScope()) {
      for (int i = 0; i < values.length; i++) {
        mine[i] = ms.of(values[i], shapes[i]);
        ref[i] = rs.of(values[i], shapes[i]);
      }
      op.call(REF, ref);
      op.call(backend, mine);
      if (kernels) {
        ran(backend, what);
      }
      for (int i = 0; i < values.length; i++) {
        assertClose(ref[i].toArray(), mine[i].toArray(), reduction, what + " argument " + i);
      }
    }
  }

  @FunctionalInterface
  interface OpOnTensors {
    void call(Backend b, Tensor[] t);
  }

  private static int size(int... shape) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  private static float[] rand(SplittableRandom r, int... shape) {
    return random(r, size(shape));
  }

  @Test
  void im2colAndCol2imMatchTheReference() {
    SplittableRandom r = new SplittableRandom(1);
    for (int[] g : IMAGES) {
      for (int k : new int[] {1, 3, 7}) {
        int s = g[4];
        int[] x = {g[0], g[1], g[2], g[3]};
        int[] cols = {
          g[0] * k * k, g[1] * ConvGeometry.outputSize(g[2], s) * ConvGeometry.outputSize(g[3], s)
        };
        String at = " of " + java.util.Arrays.toString(g) + " kernel " + k;
        compare(
            "im2col" + at,
            1,
            new float[][] {rand(r, x), rand(r, cols)},
            new int[][] {x, cols},
            (b, t) -> b.im2col(t[0], k, s, t[1]));
        compare(
            "col2im" + at,
            9,
            new float[][] {rand(r, cols), rand(r, x)},
            new int[][] {cols, x},
            (b, t) -> b.col2im(t[0], k, s, t[1]));
      }
    }
  }

  /**
   * Dense convolutions (a dense network's, and every stem's: any odd kernel), forward and both
   * backward passes, the input gradient also skipped: every image shape, kernels 1, 3 and 7. A
   * backend with convolution primitives (oneDNN's) runs them there, the others through im2col.
   */
  @Test
  void denseConvolutionsMatchTheReference() {
    SplittableRandom r = new SplittableRandom(11);
    for (int[] g : IMAGES) {
      for (int k : new int[] {1, 3, 7}) {
        int s = g[4];
        int out = 5;
        int ho = ConvGeometry.outputSize(g[2], s);
        int wo = ConvGeometry.outputSize(g[3], s);
        int[] x = {g[0], g[1], g[2], g[3]};
        int[] w = {out, g[0] * k * k};
        int[] y = {out, g[1], ho, wo};
        float[] xv = rand(r, x);
        float[] wv = rand(r, w);
        float[] dy = rand(r, y);
        String at = " of " + java.util.Arrays.toString(g) + " kernel " + k;
        int back = Math.max(g[1] * ho * wo, out * k * k);
        boolean kernels = !backend.hasDenseConvolution();
        compare(
            "denseConvForward" + at,
            g[0] * k * k,
            new float[][] {wv, xv, rand(r, y)},
            new int[][] {w, x, y},
            (b, t) -> b.denseConvForward(t[0], t[1], k, s, t[2]),
            kernels);
        compare(
            "denseConvBackward" + at,
            back,
            new float[][] {wv, xv, dy, rand(r, w), rand(r, x)},
            new int[][] {w, x, y, w, x},
            (b, t) -> b.denseConvBackward(t[0], t[1], t[2], k, s, t[3], t[4]),
            kernels);
        compare(
            "denseConvBackward without dX" + at,
            back,
            new float[][] {wv, xv, dy, rand(r, w)},
            new int[][] {w, x, y, w},
            (b, t) -> b.denseConvBackward(t[0], t[1], t[2], k, s, t[3], null),
            kernels);
      }
    }
  }

  @Test
  void denseConvolutionsRejectBadShapes() {
    try (TensorScope s = backend.newScope()) {
      Tensor x = s.zeros(3, 2, 5, 5);
      Tensor w = s.zeros(4, 27);
      Tensor y = s.zeros(4, 2, 3, 3);
      assertBad("not X's 3 channels times 1 taps", () -> backend.denseConvForward(w, x, 1, 2, y));
      assertBad(
          "expected 4 channels x 50 output pixels", () -> backend.denseConvForward(w, x, 3, 1, y));
      assertBad("kernel = 4", () -> backend.denseConvForward(w, x, 4, 2, y));
      assertBad("stride = 3", () -> backend.denseConvForward(w, x, 3, 3, y));
      Tensor flat = s.zeros(3, 50);
      assertBad("expected an image", () -> backend.denseConvForward(w, flat, 3, 2, y));
      Tensor dw = s.zeros(4, 9);
      assertBad("W and dW", () -> backend.denseConvBackward(w, x, y, 3, 2, dw, null));
      Tensor dx = s.zeros(3, 2, 4, 5);
      Tensor goodDw = s.zeros(4, 27);
      assertBad("X and dX", () -> backend.denseConvBackward(w, x, y, 3, 2, goodDw, dx));
      assertBad("the same tensor", () -> backend.denseConvBackward(w, x, y, 3, 2, w, null));
    }
  }

  /** Values from {-1, 0, 1}: max pooling's windows then hold ties. */
  private static float[] ties(SplittableRandom r, int... shape) {
    float[] v = new float[size(shape)];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextInt(3) - 1;
    }
    return v;
  }

  @Test
  void maxPoolingMatchesTheReference() {
    SplittableRandom r = new SplittableRandom(5);
    for (int[] g : IMAGES) {
      int[] x = {g[0], g[1], g[2], g[3]};
      int[] y = {g[0], g[1], ConvGeometry.outputSize(g[2], 2), ConvGeometry.outputSize(g[3], 2)};
      for (boolean tied : new boolean[] {false, true}) {
        String at = " of " + java.util.Arrays.toString(g) + (tied ? " with ties" : "");
        float[] in = tied ? ties(r, x) : rand(r, x);
        compare(
            "maxPool" + at,
            1,
            new float[][] {in, rand(r, y)},
            new int[][] {x, y},
            (b, t) -> b.maxPool(t[0], t[1]));
        compare(
            "maxPoolBackward" + at,
            4,
            new float[][] {in, rand(r, y), rand(r, x)},
            new int[][] {x, y, x},
            (b, t) -> b.maxPoolBackward(t[0], t[1], t[2]));
      }
    }
  }

  @Test
  void maxPoolingTakesTheFirstGreatestPixelAndPropagatesNaN() {
    // 1 x 1 x 3 x 4: the windows cover rows {0, 1} and {1, 2}, columns {0, 1} and {1, 2, 3}.
    float nan = Float.NaN;
    float[] image = {
      5, 1, 2, 2, //
      5, 0, 7, 7, //
      -1, -3, nan, 9
    };
    try (TensorScope s = backend.newScope()) {
      Tensor x = s.of(image, 1, 1, 3, 4);
      Tensor y = s.zeros(1, 1, 2, 2);
      Tensor dy = s.of(new float[] {1, 10, 100, 1000}, 1, 1, 2, 2);
      Tensor dx = s.of(new float[12], 1, 1, 3, 4);
      backend.maxPool(x, y);
      float[] out = y.toArray();
      assertEquals(5f, out[0]);
      assertEquals(7f, out[1]);
      assertEquals(5f, out[2]);
      assertTrue(Float.isNaN(out[3]), "a window with a NaN gives NaN, got " + out[3]);
      backend.maxPoolBackward(x, dy, dx);
      // Each window's gradient goes to the pixel it took: the top right window's to the first of
      // its two 7s, the bottom right one's to the NaN.
      float[] expected = {
        1, 0, 0, 0, //
        100, 0, 10, 0, //
        0, 0, 1000, 0
      };
      assertEquals(java.util.Arrays.toString(expected), java.util.Arrays.toString(dx.toArray()));
    }
  }

  @Test
  void depthwiseConvolutionMatchesTheReference() {
    SplittableRandom r = new SplittableRandom(2);
    for (int[] g : IMAGES) {
      int s = g[4];
      int[] x = {g[0], g[1], g[2], g[3]};
      int[] y = {g[0], g[1], ConvGeometry.outputSize(g[2], s), ConvGeometry.outputSize(g[3], s)};
      int[] w = {g[0], 9};
      String at = " of " + java.util.Arrays.toString(g);
      int reduction = g[1] * y[2] * y[3];
      compare(
          "depthwiseForward" + at,
          9,
          new float[][] {rand(r, w), rand(r, x), rand(r, y)},
          new int[][] {w, x, y},
          (b, t) -> b.depthwiseForward(t[0], t[1], s, t[2]));
      compare(
          "depthwiseBackwardData" + at,
          9,
          new float[][] {rand(r, w), rand(r, y), rand(r, x)},
          new int[][] {w, y, x},
          (b, t) -> b.depthwiseBackwardData(t[0], t[1], s, t[2]));
      compare(
          "depthwiseBackwardWeight" + at,
          reduction,
          new float[][] {rand(r, y), rand(r, x), rand(r, w)},
          new int[][] {y, x, w},
          (b, t) -> b.depthwiseBackwardWeight(t[0], t[1], s, t[2]));
    }
  }

  /** Runs {@code op} on copies of {@code values} in {@code b}; returns the last tensor's values. */
  private static float[] result(Backend b, float[][] values, int[][] shapes, OpOnTensors op) {
    try (TensorScope s = b.newScope()) {
      Tensor[] t = new Tensor[values.length];
      for (int i = 0; i < values.length; i++) {
        t[i] = s.of(values[i], shapes[i]);
      }
      op.call(b, t);
      return t[t.length - 1].toArray();
    }
  }

  /** {@code op}'s last tensor, exactly as the reference computes it (infinities, NaNs included). */
  private void assertSameAsReference(
      String what, float[][] values, int[][] shapes, OpOnTensors op) {
    assertEquals(
        java.util.Arrays.toString(result(REF, values, shapes, op)),
        java.util.Arrays.toString(result(backend, values, shapes, op)),
        what);
  }

  /**
   * A value off a pixel's 3 × 3 window never reaches that pixel's sum, not even as zero times an
   * infinity or a NaN, in the depthwise convolution and its adjoint: infinities and a NaN at an
   * image's corners and row ends, where a shifted image (the native route at stride 1) would read
   * them for the next row's first pixel or the next image's.
   */
  @Test
  void depthwiseConvolutionLeavesValuesOffTheWindowOut() {
    float[] special = new float[40];
    special[4] = Float.POSITIVE_INFINITY; // image 0, row 0, last column
    special[19] = Float.NaN; // image 0, last pixel
    special[20] = Float.NEGATIVE_INFINITY; // image 1, first pixel
    special[29] = Float.POSITIVE_INFINITY; // image 1, row 1, last column
    float[] ones = new float[9];
    java.util.Arrays.fill(ones, 1f);
    int[] x = {1, 2, 4, 5};
    for (int s : new int[] {1, 2}) {
      int[] y = {1, 2, ConvGeometry.outputSize(4, s), ConvGeometry.outputSize(5, s)};
      float[] dy = new float[size(y)];
      System.arraycopy(special, 0, dy, 0, Math.min(dy.length, special.length));
      assertSameAsReference(
          "depthwiseForward, stride " + s,
          new float[][] {ones, special, new float[size(y)]},
          new int[][] {{1, 9}, x, y},
          (b, t) -> b.depthwiseForward(t[0], t[1], s, t[2]));
      assertSameAsReference(
          "depthwiseBackwardData, stride " + s,
          new float[][] {ones, dy, new float[size(x)]},
          new int[][] {{1, 9}, y, x},
          (b, t) -> b.depthwiseBackwardData(t[0], t[1], s, t[2]));
    }
  }

  @Test
  void batchNormWithoutReluMatchesTheReferenceOnImages() {
    SplittableRandom r = new SplittableRandom(3);
    for (int[] g : IMAGES) {
      int[] x = {g[0], g[1], g[2], g[3]};
      if (g[1] * g[2] * g[3] < 2) {
        continue; // training needs two values per channel
      }
      int n = g[1] * g[2] * g[3];
      for (boolean training : new boolean[] {true, false}) {
        try (BatchNorm mine = new BatchNorm(backend, g[0]);
            BatchNorm ref = new BatchNorm(REF, g[0])) {
          long seed = r.nextLong();
          BackendContractTest.randomize(mine, new SplittableRandom(seed));
          BackendContractTest.randomize(ref, new SplittableRandom(seed));
          String at = " of " + java.util.Arrays.toString(g) + (training ? " training" : "");
          compare(
              "batchNormForward" + at,
              n,
              new float[][] {rand(r, x), rand(r, x)},
              new int[][] {x, x},
              (b, t) -> b.batchNormForward(b == REF ? ref : mine, t[0], t[1], training));
          for (int i = 0; i < 8 && training; i++) {
            assertClose(
                ref.tensors()[i].toArray(), mine.tensors()[i].toArray(), n, "bn state " + i + at);
          }
          if (training) {
            compare(
                "batchNormBackward" + at,
                n,
                new float[][] {rand(r, x), rand(r, x), rand(r, x)},
                new int[][] {x, x, x},
                (b, t) -> b.batchNormBackward(b == REF ? ref : mine, t[0], t[1], t[2]));
            assertClose(ref.gammaGrad.toArray(), mine.gammaGrad.toArray(), n, "dgamma" + at);
            assertClose(ref.betaGrad.toArray(), mine.betaGrad.toArray(), n, "dbeta" + at);
          }
        }
      }
    }
  }

  @Test
  void batchNormWithoutReluKeepsNegativeValues() {
    try (BatchNorm bn = new BatchNorm(REF, 1);
        Tensor x = REF.of(new float[] {-1, 1}, 1, 1, 1, 2);
        Tensor y = REF.zeros(1, 1, 1, 2)) {
      REF.batchNormForward(bn, x, y, true);
      assertTrue(y.get(0, 0) < -0.99f, "got " + y.get(0, 0));
    }
  }

  @Test
  void elementwiseAndPoolingMatchTheReference() {
    SplittableRandom r = new SplittableRandom(4);
    for (int[] g : IMAGES) {
      int[] x = {g[0], g[1], g[2], g[3]};
      int[] p = {g[0], g[1]};
      String at = " of " + java.util.Arrays.toString(g);
      compare(
          "add" + at,
          1,
          new float[][] {rand(r, x), rand(r, x), rand(r, x)},
          new int[][] {x, x, x},
          (b, t) -> b.add(t[0], t[1], t[2]));
      compare(
          "relu" + at,
          1,
          new float[][] {rand(r, x), rand(r, x)},
          new int[][] {x, x},
          (b, t) -> b.relu(t[0], t[1]));
      compare(
          "reluBackward" + at,
          1,
          new float[][] {rand(r, x), rand(r, x), rand(r, x)},
          new int[][] {x, x, x},
          (b, t) -> b.reluBackward(t[0], t[1], t[2]));
      compare(
          "globalAvgPool" + at,
          g[2] * g[3],
          new float[][] {rand(r, x), rand(r, p)},
          new int[][] {x, p},
          (b, t) -> b.globalAvgPool(t[0], t[1]));
      compare(
          "globalAvgPoolBackward" + at,
          1,
          new float[][] {rand(r, p), rand(r, x)},
          new int[][] {p, x},
          (b, t) -> b.globalAvgPoolBackward(t[0], t[1]));
    }
  }

  /** Each call throws a one-line IllegalArgumentException naming what is wrong. */
  private void assertBad(String expectedPart, Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().contains(expectedPart), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  /**
   * The relational convolution's three products from the image ({@link Backend#convForward} and the
   * two backward ones; the native backend's run without an im2col matrix) against the reference's,
   * which go through a temporary im2col matrix: every image shape, both kernels, on a directed
   * pattern with uneven nodes.
   */
  @Test
  void convolutionProductsFromTheImageMatchTheReference() {
    SplittableRandom r = new SplittableRandom(5);
    for (int[] g : IMAGES) {
      for (int k : new int[] {1, 3}) {
        int n = Math.min(3, g[0]);
        List<org.relgraph.graph.RelationalGraph> graphs = BackendContractTest.patterns(n, 9);
        try (BlockSparseLayout l =
            ConvGeometry.im2colLayout(
                graphs.get(graphs.size() - 1),
                org.relgraph.model.ChannelPartition.of(5, n, 2),
                org.relgraph.model.ChannelPartition.of(g[0], n, 3),
                k)) {
          compareProducts(r, l, g, k);
        }
      }
    }
  }

  /**
   * The three products over nodes of 2 to 4 channels of a sparse graph, whose 3 × 3 forward pass
   * and weight gradient the native backend takes tap by tap straight from the image (or its phase
   * planes, at stride 2) where it can, and whose backward-data at stride 2 it takes phase plane by
   * phase plane, tap by tap over dY: stride 1, stride 2 over even and odd sizes, a 1-pixel image,
   * wide ones at stride 2.
   */
  @Test
  void convolutionProductsOverThinNodesOfASparseGraphMatchTheReference() {
    SplittableRandom r = new SplittableRandom(7);
    org.relgraph.graph.RelationalGraph graph = org.relgraph.graph.WsFlex.generate(8, 2, 0.3, 4);
    int[][] images = {
      {19, 2, 6, 6, 1},
      {19, 2, 6, 8, 2},
      {19, 1, 5, 7, 1},
      {19, 3, 7, 5, 2},
      {19, 2, 1, 1, 1},
      {19, 1, 4, 32, 2},
      {19, 1, 3, 33, 2}
    };
    for (int[] g : images) {
      try (BlockSparseLayout l =
          ConvGeometry.im2colLayout(
              graph,
              org.relgraph.model.ChannelPartition.of(21, 8, 2),
              org.relgraph.model.ChannelPartition.of(g[0], 8, 3),
              3)) {
        compareProducts(r, l, g, 3);
      }
    }
  }

  /**
   * The three products over output nodes of 1 to 8 channels (4.5 on average) of a sparse graph:
   * with AVX-512 the native forward pass runs them tap by tap in register tiles of every height up
   * to 6 rows, each with its own width in pixels, and splits the nodes of 7 and 8 rows in two; at
   * stride 1 it runs the nodes of up to 3 rows a row of taps at a time, with loads either side of a
   * tile. The images leave whole tiles, single vectors and single pixels at a chunk's end, and the
   * last starts chunks in the middle of an image row.
   */
  @Test
  void convolutionProductsOverNodesOfEveryTileHeightMatchTheReference() {
    SplittableRandom r = new SplittableRandom(11);
    org.relgraph.graph.RelationalGraph graph = org.relgraph.graph.WsFlex.generate(8, 2, 0.3, 4);
    int[][] images = {
      {13, 2, 10, 11, 1}, {13, 3, 9, 13, 2}, {13, 1, 16, 16, 1}, {13, 2, 20, 21, 1}
    };
    for (int[] g : images) {
      try (BlockSparseLayout l =
          ConvGeometry.im2colLayout(
              graph,
              org.relgraph.model.ChannelPartition.ofSizes(5, 8, 1, 6, 2, 7, 3, 4),
              org.relgraph.model.ChannelPartition.of(g[0], 8, 3),
              3)) {
        compareProducts(r, l, g, 3);
      }
    }
  }

  /** convForward and its two backward products on image shape g (C, B, H, W, stride), kernel k. */
  private void compareProducts(SplittableRandom r, BlockSparseLayout l, int[] g, int k) {
    int s = g[4];
    int out = l.out().channels();
    int[] x = {g[0], g[1], g[2], g[3]};
    int[] y = {out, g[1], ConvGeometry.outputSize(g[2], s), ConvGeometry.outputSize(g[3], s)};
    int[] w = {1, (int) l.weightCount()};
    String at = " of " + java.util.Arrays.toString(g) + " kernel " + k + ", " + l;
    int reduction = g[0] * k * k + size(y) / out;
    compare(
        "convForward" + at,
        reduction,
        new float[][] {rand(r, w), rand(r, x), rand(r, y)},
        new int[][] {w, x, y},
        (b, t) -> b.convForward(l, t[0], t[1], k, s, t[2]));
    compare(
        "convBackwardData" + at,
        reduction,
        new float[][] {rand(r, w), rand(r, y), rand(r, x)},
        new int[][] {w, y, x},
        (b, t) -> b.convBackwardData(l, t[0], t[1], k, s, t[2]));
    compare(
        "convBackwardWeight" + at,
        reduction,
        new float[][] {rand(r, y), rand(r, x), rand(r, w)},
        new int[][] {y, x, w},
        (b, t) -> b.convBackwardWeight(l, t[0], t[1], k, s, t[2]));
  }

  @Test
  void badShapesThrowOneLineIllegalArguments() {
    try (TensorScope s = backend.newScope()) {
      Tensor x = s.zeros(2, 1, 5, 5);
      Tensor flat = s.zeros(2, 25);
      Tensor cols = s.zeros(18, 9);
      Tensor w = s.zeros(2, 9);
      Tensor y = s.zeros(2, 1, 3, 3);
      Tensor p = s.zeros(2, 1);
      assertBad("kernel = 4 must be odd", () -> backend.im2col(x, 4, 2, cols));
      assertBad("kernel = 17 must be odd", () -> backend.im2col(x, 17, 2, cols));
      assertBad("expected 50 x 9", () -> backend.im2col(x, 5, 2, cols));
      assertBad("stride = 3", () -> backend.im2col(x, 3, 3, cols));
      assertBad("expected an image", () -> backend.im2col(flat, 3, 2, cols));
      assertBad("expected 18 x 25", () -> backend.im2col(x, 3, 1, cols));
      assertBad("expected 18 x 25", () -> backend.col2im(cols, 3, 1, x));
      try (BlockSparseLayout l =
          ConvGeometry.im2colLayout(
              org.relgraph.graph.ClassicGenerators.complete(2),
              org.relgraph.model.ChannelPartition.of(2, 2, 1),
              org.relgraph.model.ChannelPartition.of(2, 2, 1),
              3)) {
        Tensor lw = s.zeros(1, (int) l.weightCount());
        assertBad(
            "not the layout's 18 inputs",
            () -> backend.convForward(l, lw, s.zeros(3, 1, 5, 5), 3, 1, y));
        assertBad("expected 25 columns", () -> backend.convForward(l, lw, x, 3, 1, y));
        assertBad("kernel = 5", () -> backend.convBackwardData(l, lw, y, 5, 2, x));
        assertBad("values, the layout has", () -> backend.convBackwardWeight(l, y, x, 3, 2, w));
      }
      assertBad("expected 2 x 9", () -> backend.depthwiseForward(s.zeros(3, 9), x, 2, y));
      assertBad("expected 2 x 1 x 5 x 5", () -> backend.depthwiseForward(w, x, 1, y));
      assertBad("expected 2 x 1 x 5 x 5", () -> backend.depthwiseBackwardData(w, y, 1, x));
      assertBad("dY is 2 x 1 x 3 x 3", () -> backend.depthwiseBackwardWeight(y, x, 1, w));
      assertBad("Y is 2 x 1 x 5 x 5, expected 2 x 1 x 3 x 3", () -> backend.maxPool(x, x));
      assertBad("expected an image", () -> backend.maxPool(flat, y));
      assertBad("dY is 2 x 1 x 5 x 5", () -> backend.maxPoolBackward(x, x, s.zeros(2, 1, 5, 5)));
      assertBad("X and dX", () -> backend.maxPoolBackward(x, y, s.zeros(2, 1, 5, 4)));
      assertBad("same tensor", () -> backend.maxPoolBackward(x, y, x));
      assertBad("must have the same shape", () -> backend.add(x, s.zeros(2, 1, 5, 4), y));
      assertBad("same tensor", () -> backend.add(x, x, s.zeros(2, 1, 5, 5)));
      assertBad("must have the same shape", () -> backend.relu(x, y));
      assertBad("expected 2 x 1", () -> backend.globalAvgPool(x, s.zeros(2, 2)));
      assertBad("expected an image", () -> backend.globalAvgPoolBackward(p, flat));
      try (BatchNorm bn = new BatchNorm(backend, 3)) {
        assertBad("expected 3 batch-norm channels", () -> backend.batchNormForward(bn, x, x, true));
      }
    }
  }
}
