package org.relgraph.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.relgraph.graph.ClassicGenerators;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.graph.WsFlex;
import org.relgraph.model.ChannelPartition;

/**
 * Misuse of the engine beyond one backend's contract ({@link BackendContractTest}): mismatched
 * partitions and layouts, bad CPU backend settings; a seeded fuzz of random, partly invalid calls
 * on the CPU backend, which must never reach native code with bad sizes; and native memory that
 * stays bounded over many tensor and layout lifetimes.
 */
class EngineRobustnessTest {
  private static final JavaBackend REF = new JavaBackend();

  static String shape(Tensor t) {
    return t.shapeText();
  }

  static Tensor[] args(
      ProductOp op, Backend b, BlockSparseLayout l, int batch, SplittableRandom r) {
    return op.args(b, l, batch, r);
  }

  static void closeAll(Tensor[] a) {
    BackendContractTest.closeAll(a);
  }

  static Map<Tensor, float[]> snapshot(Tensor[] a) {
    return BackendContractTest.snapshot(a);
  }

  static void assertUnchanged(Map<Tensor, float[]> before, String what) {
    BackendContractTest.assertUnchanged(before, what);
  }

  /**
   * The arguments again on the reference: a copy of each open tensor (same values as {@code
   * before}), a closed tensor for each closed one, the same tensor where {@code a} repeats one.
   */
  static Tensor[] mirror(Tensor[] a, Map<Tensor, float[]> before, List<Tensor> made) {
    Map<Tensor, Tensor> copies = new IdentityHashMap<>();
    Tensor[] out = new Tensor[a.length];
    for (int i = 0; i < a.length; i++) {
      Tensor t = a[i];
      Tensor c = copies.get(t);
      if (c == null) {
        c = REF.zeros(t.shape());
        if (t.isClosed()) {
          c.close();
        } else {
          c.copyFrom(before.get(t));
        }
        copies.put(t, c);
        made.add(c);
      }
      out[i] = c;
    }
    return out;
  }

  @BeforeAll
  static void nativeLoads() {
    assertTrue(
        CpuBackend.isAvailable(),
        "native backend failed to load: " + CpuBackend.unavailabilityCause());
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
    try (BlockSparseLayout l = BackendContractTest.layer()) {
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

  static String describe(ProductOp op, Backend b, BlockSparseLayout l, Tensor[] a) {
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
        ProductOp op = ProductOp.values()[r.nextInt(ProductOp.values().length)];
        BlockSparseLayout l = layouts.get(r.nextInt(layouts.size()));
        int batch = r.nextInt(8) == 0 ? 1 + r.nextInt(70) : 1 + r.nextInt(6);
        Backend cpu = cpus.get(r.nextInt(cpus.size()));
        Tensor[] a = args(op, cpu, l, batch, r);
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
                a[i] = cpu.of(rows, cols, BackendContractTest.random(r, rows * cols));
                made.add(a[i]);
              }
              case 1 -> a[i] = a[(i + 1 + r.nextInt(a.length - 1)) % a.length]; // aliased
              case 2 -> a[i].close();
              default -> l = layouts.get(r.nextInt(layouts.size())); // another layer
            }
          }
        }
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
            Tensor[] mirrored = mirror(a, before, made);
            RuntimeException ref =
                assertThrows(RuntimeException.class, () -> op.call(REF, layout, mirrored), what);
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
      ProductOp op,
      BlockSparseLayout l,
      Tensor[] a,
      Map<Tensor, float[]> before,
      int batch,
      String what) {
    Tensor[] copies = new Tensor[a.length];
    try {
      for (int i = 0; i < a.length; i++) {
        copies[i] = REF.of(a[i].rows(), a[i].cols(), before.get(a[i]));
      }
      op.call(REF, l, copies);
      int reduction = Math.max(batch, Math.max(l.out().channels(), l.in().channels()));
      for (int i = 0; i < a.length; i++) {
        BackendContractTest.assertClose(
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
          REF.zeros(rows, cols).close();
        } else {
          assertThrows(
              IllegalArgumentException.class,
              () -> REF.zeros(rows, cols),
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
      for (ProductOp op :
          new ProductOp[] {ProductOp.FORWARD, ProductOp.BACKWARD_DATA, ProductOp.BACKWARD_WEIGHT}) {
        Tensor[] a = args(op, cpu, l, maxBatch, r);
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
    try (Tensor big = cpu.zeros(1024, 1024)) {
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
        assertThrows(IllegalArgumentException.class, () -> cpu.of(rows, cols, wrong));
      }
      Tensor t = cpu.zeros(rows, cols);
      assertEquals(0f, t.get(rows - 1, cols - 1));
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
      ProductOp op =
          new ProductOp[] {ProductOp.FORWARD, ProductOp.BACKWARD_DATA, ProductOp.BACKWARD_WEIGHT}
              [r.nextInt(3)];
      Tensor[] a = args(op, cpu, l, 1 + r.nextInt(maxBatch), r);
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
