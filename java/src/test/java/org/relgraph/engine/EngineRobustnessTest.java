package org.relgraph.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.relgraph.graph.ClassicGenerators;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.graph.WsFlex;
import org.relgraph.model.ChannelPartition;

/**
 * Misuse of the engine fails with a Java exception before any work and never reaches native code
 * with bad sizes: wrong shapes, aliased or closed tensors, mismatched partitions, on both backends;
 * a seeded fuzz of random, partly invalid calls on the CPU backend; and native memory that stays
 * bounded over many tensor and layout lifetimes.
 */
class EngineRobustnessTest {
  private static final JavaBackend REF = new JavaBackend();

  @BeforeAll
  static void nativeLoads() {
    assertTrue(
        CpuBackend.isAvailable(),
        "native backend failed to load: " + CpuBackend.unavailabilityCause());
  }

  // ---------------------------------------------------------------------------------------------
  // The nine Backend methods, as data: argument names, valid shapes, validity, outputs.

  enum Op {
    FORWARD(true, "W", "X", "Y"),
    BACKWARD_DATA(true, "W", "dY", "dX"),
    BACKWARD_WEIGHT(true, "dY", "X", "dW"),
    DENSE_FORWARD(false, "W", "X", "Y"),
    DENSE_BACKWARD_DATA(false, "W", "dY", "dX"),
    DENSE_BACKWARD_WEIGHT(false, "dY", "X", "dW"),
    MASKED_FORWARD(false, "W", "mask", "X", "Y", "scratch"),
    MASKED_BACKWARD_DATA(false, "W", "mask", "dY", "dX", "scratch"),
    MASKED_BACKWARD_WEIGHT(false, "mask", "dY", "X", "dW");

    final boolean blockSparse;
    final String[] names;

    Op(boolean blockSparse, String... names) {
      this.blockSparse = blockSparse;
      this.names = names;
    }

    int arity() {
      return names.length;
    }

    void call(Backend b, BlockSparseLayout l, Tensor[] a) {
      switch (this) {
        case FORWARD -> b.forward(l, a[0], a[1], a[2]);
        case BACKWARD_DATA -> b.backwardData(l, a[0], a[1], a[2]);
        case BACKWARD_WEIGHT -> b.backwardWeight(l, a[0], a[1], a[2]);
        case DENSE_FORWARD -> b.denseForward(a[0], a[1], a[2]);
        case DENSE_BACKWARD_DATA -> b.denseBackwardData(a[0], a[1], a[2]);
        case DENSE_BACKWARD_WEIGHT -> b.denseBackwardWeight(a[0], a[1], a[2]);
        case MASKED_FORWARD -> b.maskedForward(a[0], a[1], a[2], a[3], a[4]);
        case MASKED_BACKWARD_DATA -> b.maskedBackwardData(a[0], a[1], a[2], a[3], a[4]);
        case MASKED_BACKWARD_WEIGHT -> b.maskedBackwardWeight(a[0], a[1], a[2], a[3]);
        default -> throw new AssertionError(this);
      }
    }

    /** Valid {rows, cols} of each argument: the layout's channels (dense: out × in), a batch. */
    int[][] shapes(BlockSparseLayout l, int batch) {
      int out = l.out().channels();
      int in = l.in().channels();
      int[] bw = {1, (int) l.weightCount()};
      int[] dw = {out, in};
      int[] xs = {in, batch};
      int[] ys = {out, batch};
      return switch (this) {
        case FORWARD -> new int[][] {bw, xs, ys};
        case BACKWARD_DATA -> new int[][] {bw, ys, xs};
        case BACKWARD_WEIGHT -> new int[][] {ys, xs, bw};
        case DENSE_FORWARD -> new int[][] {dw, xs, ys};
        case DENSE_BACKWARD_DATA -> new int[][] {dw, ys, xs};
        case DENSE_BACKWARD_WEIGHT -> new int[][] {ys, xs, dw};
        case MASKED_FORWARD -> new int[][] {dw, dw, xs, ys, dw};
        case MASKED_BACKWARD_DATA -> new int[][] {dw, dw, ys, xs, dw};
        case MASKED_BACKWARD_WEIGHT -> new int[][] {dw, ys, xs, dw};
        default -> throw new AssertionError(this);
      };
    }

    /** Whether argument i is written. */
    boolean isOutput(int i) {
      return switch (this) {
        case MASKED_FORWARD, MASKED_BACKWARD_DATA -> i == 3 || i == 4;
        case MASKED_BACKWARD_WEIGHT -> i == 3;
        default -> i == 2;
      };
    }

    /**
     * The specification, written independently of the engine: all tensors open and distinct, block
     * weights of the layout's weight count (any shape), activations of the right channels and one
     * batch, mask and scratch of W's shape.
     */
    boolean valid(BlockSparseLayout l, Tensor[] a) {
      for (int i = 0; i < a.length; i++) {
        if (a[i].isClosed()) {
          return false;
        }
        for (int j = i + 1; j < a.length; j++) {
          if (a[i] == a[j]) {
            return false;
          }
        }
      }
      return shapesValid(l, a);
    }

    /** {@link #valid} without the open and distinct conditions. */
    boolean shapesValid(BlockSparseLayout l, Tensor[] a) {
      return switch (this) {
        case FORWARD -> layer(l, a[0], a[1], a[2]);
        case BACKWARD_DATA -> layer(l, a[0], a[2], a[1]);
        case BACKWARD_WEIGHT -> layer(l, a[2], a[1], a[0]);
        case DENSE_FORWARD -> dense(a[0], a[1], a[2]);
        case DENSE_BACKWARD_DATA -> dense(a[0], a[2], a[1]);
        case DENSE_BACKWARD_WEIGHT -> dense(a[2], a[1], a[0]);
        case MASKED_FORWARD -> same(a[0], a[1]) && same(a[0], a[4]) && dense(a[0], a[2], a[3]);
        case MASKED_BACKWARD_DATA ->
            same(a[0], a[1]) && same(a[0], a[4]) && dense(a[0], a[3], a[2]);
        case MASKED_BACKWARD_WEIGHT -> same(a[3], a[0]) && dense(a[3], a[2], a[1]);
        default -> throw new AssertionError(this);
      };
    }

    private static boolean layer(BlockSparseLayout l, Tensor w, Tensor x, Tensor y) {
      return w.size() == l.weightCount()
          && x.rows() == l.in().channels()
          && y.rows() == l.out().channels()
          && x.cols() == y.cols();
    }

    private static boolean dense(Tensor w, Tensor x, Tensor y) {
      return x.rows() == w.cols() && y.rows() == w.rows() && x.cols() == y.cols();
    }

    private static boolean same(Tensor a, Tensor b) {
      return a.rows() == b.rows() && a.cols() == b.cols();
    }
  }

  static Stream<Arguments> backendsAndOps() {
    List<Arguments> out = new ArrayList<>();
    for (Backend b : new Backend[] {new JavaBackend(), CpuBackend.create()}) {
      for (Op op : Op.values()) {
        out.add(Arguments.of(b, op));
      }
    }
    return out.stream();
  }

  static Stream<Backend> backends() {
    return Stream.of(new JavaBackend(), CpuBackend.create());
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

  static Tensor[] args(Op op, BlockSparseLayout l, int batch, SplittableRandom r) {
    int[][] s = op.shapes(l, batch);
    Tensor[] a = new Tensor[s.length];
    for (int i = 0; i < s.length; i++) {
      a[i] = Tensor.of(s[i][0], s[i][1], CpuBackendTest.random(r, s[i][0] * s[i][1]));
    }
    return a;
  }

  static void closeAll(Tensor[] a) {
    for (Tensor t : a) {
      t.close();
    }
  }

  static String shape(Tensor t) {
    return t.rows() + " x " + t.cols();
  }

  /** Values of the open tensors, by identity. */
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

  // ---------------------------------------------------------------------------------------------
  // 1. Every misuse throws the documented Java exception, before any work.

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("backendsAndOps")
  void theFixturesAreValid(Backend b, Op op) {
    SplittableRandom r = new SplittableRandom(1);
    for (BlockSparseLayout l : new BlockSparseLayout[] {layer(), squareLayer()}) {
      Tensor[] a = args(op, l, 2, r);
      try {
        assertTrue(op.valid(l, a));
        assertDoesNotThrow(() -> op.call(b, l, a));
      } finally {
        closeAll(a);
        l.close();
      }
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("backendsAndOps")
  void aWrongShapeInAnyPositionThrowsIllegalArgument(Backend b, Op op) {
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
          Tensor[] a = args(op, l, batch, r);
          Tensor bad = Tensor.zeros(w[0], w[1]);
          a[i].close();
          a[i] = bad;
          String what = b + " " + op + " " + op.names[i] + " of " + shape(bad);
          try {
            if (op.valid(l, a)) {
              continue; // e.g. block weights of 2 × (n/2): still n values, which is valid
            }
            Map<Tensor, float[]> before = snapshot(a);
            IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> op.call(b, l, a), what);
            String m = e.getMessage();
            assertTrue(
                m.contains(shape(bad)) || m.contains(bad.size() + " values"),
                what + ": message does not name the bad tensor: " + m);
            assertUnchanged(before, what);
          } finally {
            closeAll(a);
          }
        }
      }
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("backendsAndOps")
  void aClosedTensorInAnyPositionThrowsIllegalState(Backend b, Op op) {
    SplittableRandom r = new SplittableRandom(3);
    try (BlockSparseLayout l = layer()) {
      for (int i = 0; i < op.arity(); i++) {
        Tensor[] a = args(op, l, 4, r);
        try {
          a[i].close();
          Map<Tensor, float[]> before = snapshot(a);
          IllegalStateException e =
              assertThrows(IllegalStateException.class, () -> op.call(b, l, a), op.names[i]);
          assertEquals("tensor " + shape(a[i]) + " is closed", e.getMessage());
          assertUnchanged(before, b + " " + op + " closed " + op.names[i]);
        } finally {
          closeAll(a);
        }
      }
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("backendsAndOps")
  void theSameTensorTwiceThrowsIllegalArgument(Backend b, Op op) {
    SplittableRandom r = new SplittableRandom(4);
    try (BlockSparseLayout l = squareLayer()) {
      for (int i = 0; i < op.arity(); i++) {
        for (int j = 0; j < op.arity(); j++) {
          if (i == j) {
            continue;
          }
          Tensor[] a = args(op, l, 2, r);
          Tensor[] all = a.clone();
          // block weights are 1 x 4; a 2 x 2 tensor holds them as well, so every pair aliases
          for (int k = 0; k < a.length; k++) {
            if (a[k].rows() == 1) {
              a[k] = Tensor.zeros(2, 2);
            }
          }
          Tensor[] made = a.clone();
          a[j] = a[i];
          String what = b + " " + op + " " + op.names[i] + " as " + op.names[j];
          try {
            assertTrue(op.shapesValid(l, a), what);
            Map<Tensor, float[]> before = snapshot(a);
            IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> op.call(b, l, a), what);
            assertEquals(
                "the same tensor is passed twice (in-place products unsupported)",
                e.getMessage(),
                what);
            assertUnchanged(before, what);
          } finally {
            closeAll(all);
            closeAll(made);
          }
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void messagesNameTheProblem(Backend b) {
    SplittableRandom r = new SplittableRandom(5);
    try (BlockSparseLayout l = layer();
        Tensor w = Tensor.of(1, 30, CpuBackendTest.random(r, 30));
        Tensor shortW = Tensor.zeros(1, 29);
        Tensor x = Tensor.zeros(7, 3);
        Tensor x8 = Tensor.zeros(8, 3);
        Tensor x4 = Tensor.zeros(7, 4);
        Tensor y = Tensor.zeros(5, 3);
        Tensor dense = Tensor.zeros(5, 7);
        Tensor dense6 = Tensor.zeros(6, 7);
        Tensor mask = Tensor.zeros(5, 6);
        Tensor scratch = Tensor.zeros(5, 7)) {
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
  void layoutsRejectPartitionsOverOtherNodeCounts() {
    RelationalGraph g = ClassicGenerators.complete(5);
    ChannelPartition p5 = ChannelPartition.of(9, 5, 1);
    ChannelPartition p4 = ChannelPartition.of(9, 4, 1);
    ChannelPartition p6 = ChannelPartition.of(9, 6, 1);
    assertEquals(
        "partitions over 4 and 5 nodes do not match a graph of 5 nodes",
        assertThrows(IllegalArgumentException.class, () -> BlockSparseLayout.of(g, p4, p5))
            .getMessage());
    assertEquals(
        "partitions over 5 and 6 nodes do not match a graph of 5 nodes",
        assertThrows(IllegalArgumentException.class, () -> BlockSparseLayout.of(g, p5, p6))
            .getMessage());
    assertThrows(IllegalArgumentException.class, () -> BlockSparseLayout.of(g, p6, p6));
    // more weights than a tensor holds: refused before any weight array exists
    ChannelPartition huge = ChannelPartition.ofSizes(40_000, 40_000);
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> BlockSparseLayout.of(ClassicGenerators.complete(2), huge, huge))
            .getMessage()
            .contains("more than a tensor holds"));
  }

  @Test
  void layoutConversionsCheckTheirArguments() {
    try (BlockSparseLayout l = layer()) {
      assertThrows(IndexOutOfBoundsException.class, () -> l.weightIndex(5, 0));
      assertThrows(IndexOutOfBoundsException.class, () -> l.weightIndex(0, -1));
      assertThrows(IndexOutOfBoundsException.class, () -> l.weightIndex(0, 7));
      assertEquals(
          "block weights: expected 30, got 12",
          assertThrows(IllegalArgumentException.class, () -> l.toDense(new float[12]))
              .getMessage());
      assertEquals(
          "dense weights: expected 35, got 36",
          assertThrows(IllegalArgumentException.class, () -> l.fromDense(new float[36]))
              .getMessage());
    }
  }

  @Test
  void channelPartitionsRejectEmptyNodes() {
    assertEquals(
        "channels = 3 fewer than nodes = 4 (every node needs one)",
        assertThrows(IllegalArgumentException.class, () -> ChannelPartition.of(3, 4, 0))
            .getMessage());
    assertEquals(
        "nodes = 0 must be >= 1",
        assertThrows(IllegalArgumentException.class, () -> ChannelPartition.of(5, 0, 0))
            .getMessage());
    assertThrows(IllegalArgumentException.class, () -> ChannelPartition.of(-1, -1, 0));
    assertEquals(
        "node 1 has 0 channels, need >= 1",
        assertThrows(IllegalArgumentException.class, () -> ChannelPartition.ofSizes(2, 0, 1))
            .getMessage());
    assertEquals(
        "node 0 has -3 channels, need >= 1",
        assertThrows(IllegalArgumentException.class, () -> ChannelPartition.ofSizes(-3))
            .getMessage());
    assertThrows(IllegalArgumentException.class, ChannelPartition::ofSizes);
    assertEquals(
        "more than 2^31 - 1 channels",
        assertThrows(
                IllegalArgumentException.class,
                () -> ChannelPartition.ofSizes(Integer.MAX_VALUE, 1))
            .getMessage());
  }

  @Test
  void tensorsRejectBadShapesAndIndices() {
    for (int[] s : new int[][] {{0, 1}, {1, 0}, {-1, 5}, {5, -1}, {0, 0}}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(s[0], s[1]));
      assertEquals("tensor shape " + s[0] + " x " + s[1] + " must be >= 1 x 1", e.getMessage());
    }
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(65_536, 65_536))
            .getMessage()
            .contains("too large"));
    try (Tensor t = Tensor.zeros(2, 3)) {
      for (int[] rc : new int[][] {{-1, 0}, {2, 0}, {0, -1}, {0, 3}, {Integer.MAX_VALUE, 0}}) {
        assertEquals(
            "(" + rc[0] + ", " + rc[1] + ") outside 2 x 3",
            assertThrows(IndexOutOfBoundsException.class, () -> t.get(rc[0], rc[1])).getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> t.set(rc[0], rc[1], 1f));
      }
      assertEquals(
          "expected 6 values for 2 x 3, got 5",
          assertThrows(IllegalArgumentException.class, () -> t.set(new float[5])).getMessage());
      assertThrows(IllegalArgumentException.class, () -> t.set(new float[7]));
      assertArrayEquals(new float[6], t.toArray(), "a rejected set changed the tensor");
    }
    long count = Pointer.totalCount();
    assertThrows(IllegalArgumentException.class, () -> Tensor.of(2, 3, new float[5]));
    assertThrows(NullPointerException.class, () -> Tensor.of(2, 3, null));
    assertTrue(
        Pointer.totalCount() <= count, "Tensor.of with a wrong length left its native memory");
  }

  @Test
  void closeIsIdempotentAndUseAfterCloseThrows() {
    Tensor t = Tensor.of(2, 3, new float[] {1, 2, 3, 4, 5, 6});
    assertFalse(t.isClosed());
    t.close();
    t.close();
    assertTrue(t.isClosed());
    assertEquals("Tensor(2 x 3, closed)", t.toString());
    assertEquals(6, t.size());
    String closed = "tensor 2 x 3 is closed";
    assertEquals(closed, assertThrows(IllegalStateException.class, () -> t.get(0, 0)).getMessage());
    assertEquals(
        closed, assertThrows(IllegalStateException.class, () -> t.set(0, 0, 1f)).getMessage());
    // closed first: an index out of range still reports the closed tensor
    assertEquals(closed, assertThrows(IllegalStateException.class, () -> t.get(9, 9)).getMessage());
    assertEquals(closed, assertThrows(IllegalStateException.class, t::toArray).getMessage());
    assertEquals(
        closed, assertThrows(IllegalStateException.class, () -> t.set(new float[6])).getMessage());
    assertEquals(closed, assertThrows(IllegalStateException.class, t::zero).getMessage());
    assertEquals(closed, assertThrows(IllegalStateException.class, t::pointer).getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void aClosedLayoutStaysUsable(Backend b) {
    SplittableRandom r = new SplittableRandom(6);
    BlockSparseLayout l = layer();
    try (Tensor w = Tensor.of(1, 30, CpuBackendTest.random(r, 30));
        Tensor x = Tensor.of(7, 3, CpuBackendTest.random(r, 21));
        Tensor y1 = Tensor.zeros(5, 3);
        Tensor y2 = Tensor.zeros(5, 3)) {
      b.forward(l, w, x, y1);
      l.close();
      l.close();
      b.forward(l, w, x, y2); // remakes the native copy
      assertArrayEquals(y1.toArray(), y2.toArray());
    } finally {
      l.close();
    }
    l.close();
  }

  @Test
  void cpuBackendRejectsBadSettings() {
    assertThrows(
        IllegalArgumentException.class, () -> CpuBackend.create(CpuBackend.Isa.PORTABLE, 0));
    assertThrows(
        IllegalArgumentException.class, () -> CpuBackend.create(CpuBackend.Isa.PORTABLE, 1025));
    assertThrows(
        IllegalArgumentException.class, () -> CpuBackend.create(CpuBackend.Isa.PORTABLE, -1));
    assumeTrue(CpuBackend.bestIsa() != CpuBackend.Isa.AVX512, "this CPU has AVX-512");
    assertThrows(IllegalArgumentException.class, () -> CpuBackend.create(CpuBackend.Isa.AVX512, 1));
  }

  // ---------------------------------------------------------------------------------------------
  // 2. Fuzz: random, partly invalid calls.

  static final long FUZZ_SEED = Long.getLong("relgraph.fuzz.seed", 0x5EEDL);
  static final int FUZZ_CALLS = 10_000;

  static RelationalGraph randomGraph(int n, SplittableRandom r) {
    long seed = r.nextLong();
    try {
      return switch (r.nextInt(6)) {
        case 0 -> RelationalGraph.empty(n, r.nextBoolean());
        case 1 -> ClassicGenerators.complete(n);
        case 2 ->
            n >= 3
                ? WsFlex.generate(n, 2 + r.nextDouble() * (n - 3), r.nextDouble(), seed)
                : ClassicGenerators.complete(n);
        case 3 -> ClassicGenerators.erdosRenyi(n, r.nextInt(n * (n - 1) / 2 + 1), seed);
        case 4 ->
            n >= 2
                ? ClassicGenerators.barabasiAlbert(n, 1 + r.nextInt(n - 1), seed)
                : RelationalGraph.empty(1, false);
        default -> {
          RelationalGraph.Builder b = RelationalGraph.builder(n, true);
          for (int u = 0; u < n; u++) {
            for (int v = 0; v < n; v++) {
              if (u != v && r.nextInt(4) == 0) {
                b.addEdge(u, v);
              }
            }
          }
          yield b.build();
        }
      };
    } catch (WsFlex.DisconnectedGraphException e) {
      return ClassicGenerators.complete(n);
    }
  }

  static ChannelPartition randomPartition(int n, SplittableRandom r) {
    if (r.nextBoolean()) {
      return ChannelPartition.of(n + r.nextInt(2 * n + 1), n, r.nextLong());
    }
    int[] sizes = new int[n];
    for (int i = 0; i < n; i++) {
      sizes[i] = 1 + r.nextInt(3);
    }
    return ChannelPartition.ofSizes(sizes);
  }

  static String describe(Op op, Backend b, BlockSparseLayout l, Tensor[] a) {
    StringBuilder s = new StringBuilder(op + " on " + b + ", " + l + ":");
    for (int i = 0; i < a.length; i++) {
      s.append(' ').append(op.names[i]).append('=').append(shape(a[i]));
      if (a[i].isClosed()) {
        s.append("(closed)");
      }
      for (int j = 0; j < i; j++) {
        if (a[j] == a[i]) {
          s.append("(same as ").append(op.names[j]).append(')');
        }
      }
    }
    return s.toString();
  }

  @Test
  void fuzzRandomCallsOnTheCpuBackend() {
    long seed = FUZZ_SEED;
    SplittableRandom r = new SplittableRandom(seed);
    List<Backend> cpus = new ArrayList<>();
    for (CpuBackend.Isa isa : CpuBackend.Isa.values()) {
      if (isa.ordinal() <= CpuBackend.bestIsa().ordinal()) {
        for (int threads = 1; threads <= 3; threads++) {
          cpus.add(CpuBackend.create(isa, threads));
        }
      }
    }
    List<BlockSparseLayout> layouts = new ArrayList<>();
    int valid = 0;
    int compared = 0;
    int constructions = 0;
    try {
      for (int i = 0; i < 32; i++) {
        int n = 1 + r.nextInt(20);
        layouts.add(
            BlockSparseLayout.of(randomGraph(n, r), randomPartition(n, r), randomPartition(n, r)));
      }
      for (int call = 0; call < FUZZ_CALLS; call++) {
        String where = "fuzz seed " + seed + " (-Drelgraph.fuzz.seed), call " + call + ": ";
        if (r.nextInt(16) == 0) {
          constructions++;
          fuzzConstruction(r, where);
        }
        Op op = Op.values()[r.nextInt(Op.values().length)];
        BlockSparseLayout l = layouts.get(r.nextInt(layouts.size()));
        int batch = r.nextInt(8) == 0 ? 1 + r.nextInt(70) : 1 + r.nextInt(6);
        Tensor[] a = args(op, l, batch, r);
        List<Tensor> made = new ArrayList<>(Arrays.asList(a));
        if (r.nextBoolean()) {
          int faults = 1 + (r.nextInt(4) == 0 ? 1 : 0);
          for (int f = 0; f < faults; f++) {
            int i = r.nextInt(a.length);
            switch (r.nextInt(4)) {
              case 0 -> { // another shape
                int rows = a[i].rows();
                int cols = a[i].cols();
                switch (r.nextInt(4)) {
                  case 0 ->
                      rows = Math.max(1, rows + (r.nextBoolean() ? 1 : -1) * (1 + r.nextInt(2)));
                  case 1 ->
                      cols = Math.max(1, cols + (r.nextBoolean() ? 1 : -1) * (1 + r.nextInt(2)));
                  case 2 -> {
                    int t = rows;
                    rows = cols;
                    cols = t;
                  }
                  default -> {
                    rows = 1 + r.nextInt(30);
                    cols = 1 + r.nextInt(30);
                  }
                }
                a[i] = Tensor.of(rows, cols, CpuBackendTest.random(r, rows * cols));
                made.add(a[i]);
              }
              case 1 -> a[i] = a[(i + 1 + r.nextInt(a.length - 1)) % a.length]; // aliased
              case 2 -> a[i].close();
              default -> l = layouts.get(r.nextInt(layouts.size())); // another layer
            }
          }
        }
        Backend cpu = cpus.get(r.nextInt(cpus.size()));
        BlockSparseLayout layout = l;
        String what = where + describe(op, cpu, layout, a);
        boolean ok = op.valid(layout, a);
        Map<Tensor, float[]> before = snapshot(a);
        RuntimeException thrown = null;
        try {
          op.call(cpu, layout, a);
        } catch (RuntimeException e) {
          thrown = e;
        }
        try {
          if (ok) {
            valid++;
            if (thrown != null) {
              throw new AssertionError(what + ": a valid call threw " + thrown, thrown);
            }
            for (int i = 0; i < a.length; i++) {
              if (!op.isOutput(i)) {
                assertArrayEquals(before.get(a[i]), a[i].toArray(), what + ": input changed");
              }
            }
            if (r.nextInt(8) == 0) {
              compared++;
              compareWithReference(op, layout, a, before, batch, what);
            }
          } else {
            if (!(thrown instanceof IllegalArgumentException
                || thrown instanceof IllegalStateException)) {
              throw new AssertionError(
                  what
                      + ": expected IllegalArgumentException or IllegalStateException, got "
                      + thrown,
                  thrown);
            }
            assertUnchanged(before, what + ": rejected call did work");
            // the reference rejects it the same way (the checks are shared)
            RuntimeException ref =
                assertThrows(RuntimeException.class, () -> op.call(REF, layout, a), what);
            assertEquals(thrown.getClass(), ref.getClass(), what);
            assertEquals(thrown.getMessage(), ref.getMessage(), what);
          }
        } finally {
          made.forEach(Tensor::close);
        }
      }
    } finally {
      layouts.forEach(BlockSparseLayout::close);
    }
    System.out.printf(
        "fuzz seed %d: %d calls, %d valid, %d compared with the reference, %d constructions%n",
        seed, FUZZ_CALLS, valid, compared, constructions);
    assertTrue(
        valid > FUZZ_CALLS / 3 && valid < FUZZ_CALLS * 2 / 3,
        "fuzz seed " + seed + ": " + valid + " valid calls of " + FUZZ_CALLS);
  }

  /** Runs the call again on copies with the reference backend; every argument must match. */
  static void compareWithReference(
      Op op, BlockSparseLayout l, Tensor[] a, Map<Tensor, float[]> before, int batch, String what) {
    Tensor[] copies = new Tensor[a.length];
    try {
      for (int i = 0; i < a.length; i++) {
        copies[i] = Tensor.of(a[i].rows(), a[i].cols(), before.get(a[i]));
      }
      op.call(REF, l, copies);
      int reduction = Math.max(batch, Math.max(l.out().channels(), l.in().channels()));
      for (int i = 0; i < a.length; i++) {
        CpuBackendTest.assertClose(
            copies[i].toArray(), a[i].toArray(), reduction, what + " " + op.names[i]);
      }
    } finally {
      for (Tensor t : copies) {
        if (t != null) {
          t.close();
        }
      }
    }
  }

  /** A random layout, partition or tensor construction, often invalid. */
  static void fuzzConstruction(SplittableRandom r, String where) {
    int n = 1 + r.nextInt(20);
    switch (r.nextInt(3)) {
      case 0 -> {
        int nOut = Math.max(1, n + r.nextInt(3) - 1);
        int nIn = Math.max(1, n + r.nextInt(3) - 1);
        RelationalGraph g = randomGraph(n, r);
        ChannelPartition out = randomPartition(nOut, r);
        ChannelPartition in = randomPartition(nIn, r);
        if (nOut == n && nIn == n) {
          BlockSparseLayout.of(g, out, in).close();
        } else {
          assertThrows(
              IllegalArgumentException.class,
              () -> BlockSparseLayout.of(g, out, in),
              where + nOut + "/" + nIn + " nodes for " + n);
        }
      }
      case 1 -> {
        int channels = r.nextInt(2 * n + 1) - 1;
        int nodes = n - 1;
        if (channels >= nodes && nodes >= 1) {
          assertEquals(channels, ChannelPartition.of(channels, nodes, r.nextLong()).channels());
        } else {
          assertThrows(
              IllegalArgumentException.class,
              () -> ChannelPartition.of(channels, nodes, r.nextLong()),
              where + channels + " channels over " + nodes);
        }
      }
      default -> {
        int rows = r.nextInt(5) - 1;
        int cols = r.nextInt(5) - 1;
        if (rows >= 1 && cols >= 1) {
          Tensor.zeros(rows, cols).close();
        } else {
          assertThrows(
              IllegalArgumentException.class,
              () -> Tensor.zeros(rows, cols),
              where + rows + " x " + cols);
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // 3. Native memory stays bounded.

  private static final long MIB = 1L << 20;

  /** Memory the JVM itself has committed (heap and non-heap): part of the resident size. */
  static long jvmCommitted() {
    MemoryMXBean m = ManagementFactory.getMemoryMXBean();
    return m.getHeapMemoryUsage().getCommitted() + m.getNonHeapMemoryUsage().getCommitted();
  }

  /** Resident size after returning free heap pages of malloc to the system. */
  static long resident() {
    Pointer.trimMemory();
    return Pointer.physicalBytes();
  }

  @Test
  void nativeMemoryStaysBoundedOverManyLifetimes() {
    CpuBackend cpu = CpuBackend.create();
    SplittableRandom r = new SplittableRandom(7);
    int maxBatch = 40;
    List<RelationalGraph> graphs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      graphs.add(randomGraph(20, r));
    }
    // Warm-up at the largest sizes: the kernels' grow-only buffers and pool threads, OpenBLAS.
    try (BlockSparseLayout l =
        BlockSparseLayout.of(
            ClassicGenerators.complete(20),
            ChannelPartition.ofSizes(fill(20, 3)),
            ChannelPartition.ofSizes(fill(20, 3)))) {
      for (Op op : new Op[] {Op.FORWARD, Op.BACKWARD_DATA, Op.BACKWARD_WEIGHT}) {
        Tensor[] a = args(op, l, maxBatch, r);
        try {
          op.call(cpu, l, a);
        } finally {
          closeAll(a);
        }
      }
    }
    // What the metrics measure: totalBytes/totalCount, the live JavaCPP allocations, move with a
    // tensor; physicalBytes is the resident size of the process.
    long bytes0 = Pointer.totalBytes();
    long count0 = Pointer.totalCount();
    try (Tensor big = Tensor.zeros(1024, 1024)) {
      assertTrue(Pointer.totalBytes() - bytes0 >= 4 * MIB, "totalBytes does not see tensors");
      assertTrue(Pointer.totalCount() > count0, "totalCount does not see tensors");
      assertEquals(0f, big.get(1023, 1023));
    }
    assertTrue(Pointer.totalBytes() < bytes0 + MIB, "totalBytes does not see a close");
    long jvm0 = jvmCommitted();
    long rss0 = resident();
    bytes0 = Pointer.totalBytes();
    count0 = Pointer.totalCount();

    for (int i = 0; i < 100_000; i++) {
      long count = Pointer.totalCount();
      int cols = 1 + r.nextInt(64);
      int rows = 1 + r.nextInt(4096 / cols);
      if (i % 100 == 0) {
        float[] wrong = new float[rows * cols + 1];
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(rows, cols, wrong));
      }
      Tensor t = Tensor.zeros(rows, cols);
      t.set(rows - 1, cols - 1, i);
      t.close();
      t.close();
      if (Pointer.totalCount() > count) {
        fail("tensor " + rows + " x " + cols + " (cycle " + i + ") left native memory behind");
      }
    }

    for (int i = 0; i < 1_000; i++) {
      long count = Pointer.totalCount();
      RelationalGraph g = graphs.get(r.nextInt(graphs.size()));
      BlockSparseLayout l = BlockSparseLayout.of(g, randomPartition(20, r), randomPartition(20, r));
      Op op = new Op[] {Op.FORWARD, Op.BACKWARD_DATA, Op.BACKWARD_WEIGHT}[r.nextInt(3)];
      Tensor[] a = args(op, l, 1 + r.nextInt(maxBatch), r);
      try {
        op.call(cpu, l, a);
        // (counting JavaCPP allocations here would be flaky: the garbage collector may free
        // unrelated pointers at any moment)
        assertTrue(l.hasNativeCopy(), "no native copy was made");
      } finally {
        closeAll(a);
        l.close();
      }
      if (Pointer.totalCount() > count) {
        fail("layout " + l + " (cycle " + i + ") left native memory behind");
      }
    }

    long grownBytes = Pointer.totalBytes() - bytes0;
    long grownCount = Pointer.totalCount() - count0;
    long grownResident = resident() - rss0 - Math.max(0, jvmCommitted() - jvm0);
    System.out.printf(
        "native memory: %+d bytes, %+d allocations tracked by JavaCPP; resident %+.1f MiB outside"
            + " the JVM's own%n",
        grownBytes, grownCount, grownResident / (double) MIB);
    assertTrue(grownBytes < MIB, "JavaCPP allocations grew by " + grownBytes + " bytes");
    assertTrue(grownCount <= 0, "JavaCPP allocations grew by " + grownCount);
    assertTrue(
        grownResident < 64 * MIB,
        "resident size grew by " + grownResident / MIB + " MiB beyond the JVM's own memory");
  }

  static int[] fill(int n, int value) {
    int[] a = new int[n];
    Arrays.fill(a, value);
    return a;
  }
}
