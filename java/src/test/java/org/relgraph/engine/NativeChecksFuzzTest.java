package org.relgraph.engine;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.relgraph.nativecpu.RelgraphKernels;

/**
 * The native side's own checks, the second line behind Java's: the binding called directly,
 * bypassing every Java check, with inconsistent layouts, short and null buffers and bad scalars.
 * Every such call must end in {@link NativeException} (through {@link CpuBackend#run}, the mapping
 * the backend uses), never in a crash or an access out of range; unmutated calls must pass and
 * compute the reference's result. Seeded ({@code -Drelgraph.fuzz.seed}); a failure names the seed,
 * the case and the mutation.
 */
class NativeChecksFuzzTest {
  static final long SEED = Long.getLong("relgraph.fuzz.seed", 0xC4EC5L);
  static final int LAYER_CASES = 3000;
  static final int OP_CASES = 2000;

  private static final String[] LAYOUT_NAMES = {
    "outOff",
    "inOff",
    "rowPtr",
    "colIdx",
    "blockCol",
    "rowBase",
    "rowK",
    "tPtr",
    "tBlock",
    "blockRow"
  };
  private static final int OUT_OFF = 0;
  private static final int IN_OFF = 1;
  private static final int ROW_PTR = 2;
  private static final int COL_IDX = 3;
  private static final int BLOCK_COL = 4;
  private static final int ROW_BASE = 5;
  private static final int ROW_K = 6;
  private static final int T_PTR = 7;
  private static final int T_BLOCK = 8;
  private static final int BLOCK_ROW = 9;

  @BeforeAll
  static void nativeLoads() {
    assertTrue(
        CpuBackend.isAvailable(),
        "native backend failed to load: " + CpuBackend.unavailabilityCause());
  }

  /** A layout's arrays and counts as the binding takes them; long[] for rowBase, int[] else. */
  static final class RawLayout {
    int nOut;
    int nIn;
    int nnz;
    final long[][] arrays = new long[10][];
    long weights;

    static RawLayout of(BlockSparseLayout l) {
      RawLayout r = new RawLayout();
      r.nOut = l.out().nodes();
      r.nIn = l.in().nodes();
      r.nnz = l.blockCount();
      r.weights = l.weightCount();
      BlockSparseLayout.NativeCopy c = l.nativeCopy();
      Pointer[] p = {
        c.outOff,
        c.inOff,
        c.rowPtr,
        c.colIdx,
        c.blockCol,
        c.rowBase,
        c.rowK,
        c.tPtr,
        c.tBlock,
        c.blockRow
      };
      for (int i = 0; i < p.length; i++) {
        long[] a = new long[(int) p[i].limit()];
        for (int k = 0; k < a.length; k++) {
          a[k] = p[i] instanceof LongPointer lp ? lp.get(k) : ((IntPointer) p[i]).get(k);
        }
        r.arrays[i] = a;
      }
      return r;
    }

    RawLayout copy() {
      RawLayout r = new RawLayout();
      r.nOut = nOut;
      r.nIn = nIn;
      r.nnz = nnz;
      r.weights = weights;
      for (int i = 0; i < arrays.length; i++) {
        r.arrays[i] = arrays[i].clone();
      }
      return r;
    }

    int get(int array, int i) {
      return (int) arrays[array][i];
    }

    int outChannels() {
      return get(OUT_OFF, nOut);
    }

    int inChannels() {
      return get(IN_OFF, nIn);
    }

    /** The output node whose CSR row holds block j. */
    int rowOf(int j) {
      int v = 0;
      while (get(ROW_PTR, v + 1) <= j) {
        v++;
      }
      return v;
    }
  }

  /** One raw call: the scalars, the layout, and the lengths of its three float buffers. */
  static final class LayerCall {
    int op; // 0 forward, 1 backward-data, 2 weight gradient
    int isa;
    int threads;
    int batch;
    long ld;
    int nOut;
    int nIn;
    int nnz;
    RawLayout layout;
    final long[] bufferLength = new long[3];
    int nullArray = -1; // a layout array passed as null
    int nullBuffer = -1;
    final int[] arrayLength = new int[10];

    /** A valid call of op on the layout, buffers exactly as long as needed. */
    static LayerCall valid(int op, RawLayout l, int isa, int threads, int batch) {
      LayerCall c = new LayerCall();
      c.op = op;
      c.isa = isa;
      c.threads = threads;
      c.batch = batch;
      c.ld = batch;
      c.nOut = l.nOut;
      c.nIn = l.nIn;
      c.nnz = l.nnz;
      c.layout = l;
      long in = (long) l.inChannels() * batch;
      long out = (long) l.outChannels() * batch;
      long[][] byOp = {{l.weights, in, out}, {l.weights, out, in}, {out, in, l.weights}};
      System.arraycopy(byOp[op], 0, c.bufferLength, 0, 3);
      for (int i = 0; i < 10; i++) {
        c.arrayLength[i] = l.arrays[i].length;
      }
      return c;
    }

    /** Random contents for the three float buffers, of their (possibly mutated) lengths. */
    float[][] randomData(SplittableRandom r) {
      float[][] d = new float[3][];
      for (int i = 0; i < 3; i++) {
        d[i] = BackendContractTest.random(r, (int) Math.max(0, bufferLength[i]));
      }
      return d;
    }

    /** Runs it on fresh native memory holding {@code data}; returns the output buffer's values. */
    float[] run(float[][] data) {
      try (PointerScope scope = new PointerScope()) {
        Pointer[] p = new Pointer[10];
        for (int i = 0; i < 10; i++) {
          if (i == nullArray) {
            p[i] = i == ROW_BASE ? new LongPointer((Pointer) null) : new IntPointer((Pointer) null);
            continue;
          }
          long[] a = layout.arrays[i];
          int n = arrayLength[i];
          if (i == ROW_BASE) {
            LongPointer lp = new LongPointer(Math.max(n, 1)).limit(n);
            for (int k = 0; k < n; k++) {
              lp.put(k, k < a.length ? a[k] : 0);
            }
            p[i] = lp;
          } else {
            IntPointer ip = new IntPointer(Math.max(n, 1)).limit(n);
            for (int k = 0; k < n; k++) {
              ip.put(k, k < a.length ? (int) a[k] : 0);
            }
            p[i] = ip;
          }
        }
        FloatPointer[] f = new FloatPointer[3];
        for (int i = 0; i < 3; i++) {
          if (i == nullBuffer) {
            f[i] = new FloatPointer((Pointer) null);
            continue;
          }
          int n = (int) bufferLength[i];
          f[i] = new FloatPointer(Math.max(n, 1)).limit(n);
          f[i].put(data[i], 0, n);
        }
        IntPointer outOff = (IntPointer) p[OUT_OFF];
        IntPointer inOff = (IntPointer) p[IN_OFF];
        IntPointer rowPtr = (IntPointer) p[ROW_PTR];
        IntPointer colIdx = (IntPointer) p[COL_IDX];
        IntPointer blockCol = (IntPointer) p[BLOCK_COL];
        LongPointer rowBase = (LongPointer) p[ROW_BASE];
        IntPointer rowK = (IntPointer) p[ROW_K];
        IntPointer tPtr = (IntPointer) p[T_PTR];
        IntPointer tBlock = (IntPointer) p[T_BLOCK];
        IntPointer blockRow = (IntPointer) p[BLOCK_ROW];
        CpuBackend.run(
            () -> {
              switch (op) {
                case 0 ->
                    RelgraphKernels.bs_forward(
                        isa, threads, batch, ld, nOut, nIn, nnz, outOff, inOff, rowPtr, colIdx,
                        blockCol, rowBase, rowK, tPtr, tBlock, blockRow, f[0], f[1], f[2]);
                case 1 ->
                    RelgraphKernels.bs_backward_data(
                        isa, threads, batch, ld, nOut, nIn, nnz, outOff, inOff, rowPtr, colIdx,
                        blockCol, rowBase, rowK, tPtr, tBlock, blockRow, f[0], f[1], f[2]);
                default ->
                    RelgraphKernels.bs_backward_weight(
                        isa, threads, batch, ld, nOut, nIn, nnz, outOff, inOff, rowPtr, colIdx,
                        blockCol, rowBase, rowK, tPtr, tBlock, blockRow, f[0], f[1], f[2]);
              }
            });
        float[] out = new float[(int) bufferLength[2]];
        f[2].get(out);
        return out;
      }
    }
  }

  private static int isaOther(SplittableRandom r) {
    int[] bad = {-1, 3, 7, Integer.MIN_VALUE};
    return bad[r.nextInt(bad.length)];
  }

  private static int differentValue(SplittableRandom r, int old, int lo, int hi) {
    int v;
    do {
      v = lo + r.nextInt(hi - lo + 1);
    } while (v == old);
    return v;
  }

  /**
   * Applies one mutation that no consistent call can contain, and returns its description. Each
   * family below breaks a rule the native checks state (see make() in relgraph_kernels.h).
   */
  private static String mutateInvalid(LayerCall c, SplittableRandom r) {
    RawLayout l = c.layout;
    switch (r.nextInt(8)) {
      case 0 -> { // a layout array shorter than the counts say
        int a = r.nextInt(10);
        c.arrayLength[a] = r.nextInt(c.arrayLength[a]);
        return LAYOUT_NAMES[a] + " truncated to " + c.arrayLength[a];
      }
      case 1 -> {
        c.nullArray = r.nextInt(10);
        return LAYOUT_NAMES[c.nullArray] + " null";
      }
      case 2 -> { // a float buffer too short
        int b = r.nextInt(3);
        c.bufferLength[b] -= 1 + r.nextInt((int) c.bufferLength[b]);
        return "buffer " + b + " truncated to " + c.bufferLength[b];
      }
      case 3 -> {
        c.nullBuffer = r.nextInt(3);
        return "buffer " + c.nullBuffer + " null";
      }
      case 4 -> { // scalars
        switch (r.nextInt(9)) {
          case 0 -> c.batch = -r.nextInt(3);
          case 1 -> c.ld = c.batch - 1 - r.nextInt(3);
          case 2 -> c.nOut += 1 + r.nextInt(3);
          case 3 -> c.nIn += 1 + r.nextInt(3);
          case 4 -> c.nnz += 1 + r.nextInt(3);
          case 5 -> c.nnz -= 1 + r.nextInt(c.nnz + 2);
          case 6 -> c.nOut -= 1 + r.nextInt(c.nOut + 1);
          case 7 -> c.nIn -= 1 + r.nextInt(c.nIn + 1);
          default -> c.threads = new int[] {0, -1, 1025, Integer.MIN_VALUE}[r.nextInt(4)];
        }
        return "scalars batch="
            + c.batch
            + " ld="
            + c.ld
            + " nOut="
            + c.nOut
            + " nIn="
            + c.nIn
            + " nnz="
            + c.nnz
            + " threads="
            + c.threads;
      }
      case 5 -> {
        c.isa = isaOther(r);
        return "isa " + c.isa;
      }
      default -> { // one value of the layout
        RawLayout m = l.copy();
        c.layout = m;
        int a = r.nextInt(10);
        int i = r.nextInt(m.arrays[a].length);
        int old = m.get(a, i);
        long value;
        switch (a) {
          case OUT_OFF -> {
            if (i == 0) {
              value = differentValue(r, 0, -3, 3);
            } else if (i == m.nOut) {
              value = old + 1 + r.nextInt(3); // the output activations no longer fit
            } else {
              value = r.nextBoolean() ? m.get(a, i - 1) - 1 - r.nextInt(2) : m.get(a, i + 1) + 1;
            }
          }
          case ROW_BASE -> {
            int v = i;
            long rows = m.get(OUT_OFF, v + 1) - m.get(OUT_OFF, v);
            value =
                switch (r.nextInt(3)) {
                  case 0 -> -1 - r.nextInt(5);
                  case 1 -> (1L << 56) + 1 + r.nextInt(5);
                  default -> m.weights - rows * m.get(ROW_K, v) + 1 + r.nextInt(5);
                };
          }
          case T_BLOCK -> {
            int u = 0;
            while (m.get(T_PTR, u + 1) <= i) {
              u++;
            }
            int j;
            do {
              j = -3 + r.nextInt(m.nnz + 6);
            } while (j >= 0 && j < m.nnz && m.get(COL_IDX, j) == u);
            value = j;
          }
          case COL_IDX -> value = differentValue(r, old, -3, m.nIn + 3);
          case IN_OFF -> value = differentValue(r, old, -3, m.inChannels() + 3);
          case ROW_PTR, T_PTR -> value = differentValue(r, old, -3, m.nnz + 3);
          case BLOCK_COL, ROW_K -> value = differentValue(r, old, -3, m.inChannels() + 3);
          default -> value = differentValue(r, old, -3, m.nOut + 3); // blockRow
        }
        m.arrays[a][i] = value;
        return LAYOUT_NAMES[a] + "[" + i + "] " + old + " -> " + value;
      }
    }
  }

  /** Several random values anywhere in the layout: valid or not, the call must not crash. */
  private static String mutateAnything(LayerCall c, SplittableRandom r) {
    RawLayout m = c.layout.copy();
    c.layout = m;
    StringBuilder s = new StringBuilder("random values:");
    int changes = 1 + r.nextInt(4);
    for (int k = 0; k < changes; k++) {
      int a = r.nextInt(10);
      int i = r.nextInt(m.arrays[a].length);
      long value =
          r.nextInt(4) == 0
              ? r.nextInt()
              : m.arrays[a][i] + (r.nextBoolean() ? 1 : -1) * (1 + r.nextInt(3));
      m.arrays[a][i] = value;
      s.append(' ').append(LAYOUT_NAMES[a]).append('[').append(i).append("]=").append(value);
    }
    return s.toString();
  }

  private static List<CpuBackend.Isa> isas() {
    List<CpuBackend.Isa> out = new ArrayList<>();
    for (CpuBackend.Isa isa : CpuBackend.Isa.values()) {
      if (isa.ordinal() <= CpuBackend.bestIsa().ordinal()) {
        out.add(isa);
      }
    }
    return out;
  }

  @Test
  void inconsistentLayoutsAndShortBuffersAreNativeExceptions() {
    SplittableRandom r = new SplittableRandom(SEED);
    List<BlockSparseLayout> layouts = new ArrayList<>();
    List<RawLayout> raws = new ArrayList<>();
    List<CpuBackend.Isa> isas = isas();
    int rejected = 0;
    int valid = 0;
    try {
      for (int i = 0; i < 16; i++) {
        int n = 1 + r.nextInt(12);
        BlockSparseLayout l =
            BlockSparseLayout.of(
                EngineRobustnessTest.randomGraph(n, r),
                EngineRobustnessTest.randomPartition(n, r),
                EngineRobustnessTest.randomPartition(n, r));
        layouts.add(l);
        raws.add(RawLayout.of(l));
      }
      for (int k = 0; k < LAYER_CASES; k++) {
        int which = r.nextInt(layouts.size());
        int op = r.nextInt(3);
        CpuBackend.Isa isa = isas.get(r.nextInt(isas.size()));
        int threads = 1 + r.nextInt(3);
        int batch = 1 + r.nextInt(9);
        LayerCall c = LayerCall.valid(op, raws.get(which), isa.ordinal(), threads, batch);
        String where =
            "seed "
                + SEED
                + " (-Drelgraph.fuzz.seed), case "
                + k
                + ", op "
                + op
                + " "
                + isa
                + " threads "
                + threads
                + " batch "
                + batch
                + ", "
                + layouts.get(which)
                + ": ";
        int kind = r.nextInt(10);
        if (kind == 0) { // unmutated: passes, and computes the reference's result
          float[][] data = c.randomData(r);
          float[] got = c.run(data);
          BackendContractTest.assertClose(
              reference(layouts.get(which), op, batch, data), got, 64, where + "valid call");
          valid++;
        } else if (kind == 1) {
          String what = mutateAnything(c, r);
          try {
            c.run(c.randomData(r));
          } catch (NativeException e) {
            rejected++;
          } catch (RuntimeException e) {
            throw new AssertionError(where + what + ": not a NativeException", e);
          }
        } else {
          String what = mutateInvalid(c, r);
          float[][] data = c.randomData(r);
          NativeException e = assertThrows(NativeException.class, () -> c.run(data), where + what);
          assertTrue(e.getMessage().contains("relgraph native: "), where + e.getMessage());
          rejected++;
        }
      }
    } finally {
      layouts.forEach(BlockSparseLayout::close);
    }
    assertTrue(
        rejected > LAYER_CASES / 2 && valid > 0, "rejected " + rejected + ", valid " + valid);
  }

  /** The Java reference's output of op on the given buffers (W or dW, activations). */
  private static float[] reference(BlockSparseLayout l, int op, int batch, float[][] data) {
    int in = l.in().channels();
    int out = l.out().channels();
    int w = (int) l.weightCount();
    int[][] shapes =
        switch (op) {
          case 0 -> new int[][] {{1, w}, {in, batch}, {out, batch}};
          case 1 -> new int[][] {{1, w}, {out, batch}, {in, batch}};
          default -> new int[][] {{out, batch}, {in, batch}, {1, w}};
        };
    try (JavaBackend ref = new JavaBackend()) {
      Tensor a = ref.of(shapes[0][0], shapes[0][1], data[0]);
      Tensor b = ref.of(shapes[1][0], shapes[1][1], data[1]);
      Tensor c = ref.zeros(shapes[2][0], shapes[2][1]);
      switch (op) {
        case 0 -> ref.forward(l, a, b, c);
        case 1 -> ref.backwardData(l, a, b, c);
        default -> ref.backwardWeight(l, a, b, c);
      }
      return c.toArray();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The training operations and the masked baseline's product.

  private static final String[] OPS = {
    "bn_relu_forward",
    "bn_relu_backward",
    "softmax_xent",
    "add_bias",
    "bias_gradient",
    "sgd_step",
    "multiply"
  };

  /** Buffer lengths of op for dims c x b (n = c b for the elementwise ops); ints for labels. */
  private static long[] opBuffers(int op, long c, long b) {
    long m = c * b;
    return switch (op) {
      case 0 -> new long[] {m, c, c, m, c, c, c, c};
      case 1 -> new long[] {m, m, m, c, c, c, m, c, c};
      case 2 -> new long[] {m, b, m, 1};
      case 3 -> new long[] {m, c};
      case 4 -> new long[] {m, c};
      default -> new long[] {m, m, m};
    };
  }

  /** Whether buffer i of op is an int buffer (labels and the correct count). */
  private static boolean isIntBuffer(int op, int i) {
    return op == 2 && (i == 1 || i == 3);
  }

  /** One raw call of a training op; {@code length[i] < 0} passes buffer i as null. */
  private static void callOp(
      int op,
      int isa,
      int threads,
      int c,
      int b,
      long[] length,
      int badLabel,
      float eps,
      int training) {
    try (PointerScope scope = new PointerScope()) {
      Pointer[] p = new Pointer[length.length];
      for (int i = 0; i < p.length; i++) {
        int n = (int) length[i];
        if (n < 0) {
          p[i] =
              isIntBuffer(op, i)
                  ? new IntPointer((Pointer) null)
                  : new FloatPointer((Pointer) null);
        } else if (isIntBuffer(op, i)) {
          IntPointer ip = new IntPointer(Math.max(n, 1)).limit(n);
          for (int k = 0; k < n; k++) {
            ip.put(k, i == 1 ? (k == 0 && badLabel != 0 ? badLabel : k % Math.max(c, 1)) : 0);
          }
          p[i] = ip;
        } else {
          FloatPointer fp = new FloatPointer(Math.max(n, 1)).limit(n);
          for (int k = 0; k < n; k++) {
            fp.put(k, 0.5f + (k % 7) * 0.25f);
          }
          p[i] = fp;
        }
      }
      FloatPointer[] f = new FloatPointer[p.length];
      for (int i = 0; i < p.length; i++) {
        f[i] = p[i] instanceof FloatPointer fp ? fp : null;
      }
      long n = (long) c * b;
      CpuBackend.run(
          () -> {
            switch (op) {
              case 0 ->
                  RelgraphKernels.bn_relu_forward(
                      isa, threads, c, b, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], 0.1f, eps,
                      training);
              case 1 ->
                  RelgraphKernels.bn_relu_backward(
                      isa, threads, c, b, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8]);
              case 2 ->
                  RelgraphKernels.softmax_xent(
                      isa, c, b, f[0], (IntPointer) p[1], f[2], (IntPointer) p[3]);
              case 3 -> RelgraphKernels.add_bias(isa, threads, c, b, f[0], f[1]);
              case 4 -> RelgraphKernels.bias_gradient(isa, threads, c, b, f[0], f[1]);
              case 5 ->
                  RelgraphKernels.sgd_step(isa, threads, n, f[0], f[1], f[2], 0.1f, 0.9f, 0, 1);
              default -> RelgraphKernels.multiply(isa, threads, n, f[0], f[1], f[2]);
            }
          });
    }
  }

  @Test
  void trainingOpsRejectShortBuffersAndBadScalars() {
    SplittableRandom r = new SplittableRandom(SEED + 1);
    List<CpuBackend.Isa> isas = isas();
    for (int k = 0; k < OP_CASES; k++) {
      int op = r.nextInt(OPS.length);
      int isa = isas.get(r.nextInt(isas.size())).ordinal();
      int threads = 1 + r.nextInt(3);
      int c = 1 + r.nextInt(40);
      int b = 2 + r.nextInt(40);
      long[] length = opBuffers(op, c, b);
      int badLabel = 0;
      float eps = 1e-5f;
      int training = 1;
      String what;
      int kind = r.nextInt(8);
      if (kind == 0) { // unmutated: passes
        callOp(op, isa, threads, c, b, length, 0, eps, training);
        continue;
      }
      switch (kind) {
        case 1 -> {
          int i = r.nextInt(length.length);
          length[i] = r.nextInt((int) length[i]);
          what = "buffer " + i + " truncated to " + length[i];
        }
        case 2 -> {
          int i = r.nextInt(length.length);
          length[i] = -1;
          what = "buffer " + i + " null";
        }
        case 3 -> { // the buffers stay, the dimensions grow
          if (r.nextBoolean()) {
            c += 1 + r.nextInt(3);
          } else {
            b += 1 + r.nextInt(3);
          }
          what = "dims " + c + " x " + b + " for buffers of " + java.util.Arrays.toString(length);
        }
        case 4 -> { // no matrix (the elementwise product accepts n = 0, not n < 0)
          if (op == 6) {
            c = -1 - r.nextInt(3);
          } else if (r.nextBoolean()) {
            c = -r.nextInt(3);
          } else {
            b = -r.nextInt(3);
          }
          what = "dims " + c + " x " + b;
        }
        case 5 -> {
          isa = isaOther(r);
          what = "isa " + isa;
        }
        case 6 -> {
          if (op == 2) { // cross-entropy has no threads: a label outside the classes instead
            badLabel = r.nextBoolean() ? -1 - r.nextInt(3) : c + r.nextInt(3);
            what = "label " + badLabel;
          } else {
            threads = new int[] {0, -1, 1025, Integer.MIN_VALUE}[r.nextInt(4)];
            what = "threads " + threads;
          }
        }
        default -> {
          if (op == 0 && r.nextBoolean()) {
            eps = new float[] {0, -1, Float.NaN}[r.nextInt(3)];
            what = "eps " + eps;
          } else if (op == 0) {
            b = 1;
            length = opBuffers(op, c, b);
            what = "training on a batch of 1";
          } else {
            isa = isaOther(r);
            what = "isa " + isa;
          }
        }
      }
      final int fc = c;
      final int fb = b;
      final int fisa = isa;
      final int fthreads = threads;
      final int flabel = badLabel;
      final float feps = eps;
      final long[] flength = length;
      String where = "seed " + SEED + " + 1, case " + k + ", " + OPS[op] + ": " + what;
      NativeException e =
          assertThrows(
              NativeException.class,
              () -> callOp(op, fisa, fthreads, fc, fb, flength, flabel, feps, training),
              where);
      assertTrue(e.getMessage().contains("relgraph native: "), where + ": " + e.getMessage());
    }
  }
}
