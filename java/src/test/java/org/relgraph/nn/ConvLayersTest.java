package org.relgraph.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.relgraph.engine.Backend;
import org.relgraph.engine.ConvGeometry;
import org.relgraph.engine.CpuBackend;
import org.relgraph.engine.JavaBackend;
import org.relgraph.engine.SgdSettings;
import org.relgraph.engine.Tensor;
import org.relgraph.engine.TensorFactory;
import org.relgraph.graph.ClassicGenerators;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.graph.WsFlex;
import org.relgraph.model.ChannelPartition;

/**
 * The convolution layers: every layer on every CPU instruction set against the float64 reference
 * (odd sizes, stride 2, 1 × 1 images, uneven partitions, diagonal to complete patterns); the
 * relational convolution in its three modes against a direct convolution; a relational ResNet basic
 * block's gradients against finite differences; masked and block-sparse training alike.
 */
class ConvLayersTest {
  private static final JavaBackend REF = new JavaBackend();

  /** The native backends of every instruction set this CPU has (none where it cannot load). */
  private static List<Backend> cpuBackends() {
    List<Backend> out = new ArrayList<>();
    if (CpuBackend.isAvailable()) {
      for (CpuBackend.Isa isa : CpuBackend.Isa.values()) {
        if (isa.ordinal() <= CpuBackend.bestIsa().ordinal()) {
          out.add(CpuBackend.create(isa, 2));
        }
      }
    }
    return out;
  }

  private static float[] random(SplittableRandom r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return a;
  }

  private static void assertClose(float[] expected, float[] actual, int reduction, String what) {
    assertEquals(expected.length, actual.length, what);
    double tol = 1e-5 * Math.max(1, reduction);
    for (int i = 0; i < expected.length; i++) {
      double scale = Math.max(1, Math.abs(expected[i]));
      if (Math.abs(expected[i] - actual[i]) > tol * scale) {
        throw new AssertionError(
            what + ": index " + i + " expected " + expected[i] + " got " + actual[i]);
      }
    }
  }

  static List<RelationalGraph> patterns(int n, long seed) {
    List<RelationalGraph> out = new ArrayList<>();
    out.add(RelationalGraph.empty(n, false));
    out.add(ClassicGenerators.complete(n));
    if (n >= 4) {
      out.add(WsFlex.generate(n, 2, 0.3, seed));
    }
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

  private static int[] tensorShape(int[] sample, int batch) {
    return Network.batchShape(sample, batch);
  }

  /**
   * Builds the layer on the reference and on {@code b}, gives both the same random parameters and
   * inputs, and compares the output, the input gradient, every parameter gradient and buffer.
   */
  private static void checkLayer(
      Backend b,
      Function<TensorFactory, Layer> make,
      int[] sample,
      int batch,
      int reduction,
      long seed,
      String what) {
    SplittableRandom r = new SplittableRandom(seed);
    try (Layer ref = make.apply(REF);
        Layer mine = make.apply(b)) {
      for (int i = 0; i < ref.parameters().size(); i++) {
        Parameter pr = ref.parameters().get(i);
        float[] v = random(r, ref.denseValue(pr).length);
        ref.setDenseValue(pr, v);
        mine.setDenseValue(mine.parameters().get(i), v);
      }
      int[] xs = tensorShape(sample, batch);
      int[] ys = tensorShape(ref.outputShape(sample), batch);
      float[] x = random(r, product(xs));
      float[] dy = random(r, product(ys));
      Tensor[] rt = {REF.of(x, xs), REF.zeros(ys), REF.of(dy, ys), REF.zeros(xs)};
      Tensor[] mt = {b.of(x, xs), b.zeros(ys), b.of(dy, ys), b.zeros(xs)};
      try {
        ref.forward(REF, rt[0], rt[1], true);
        mine.forward(b, mt[0], mt[1], true);
        assertClose(rt[1].toArray(), mt[1].toArray(), reduction, what + " forward");
        ref.backward(REF, rt[0], rt[1], rt[2], rt[3]);
        mine.backward(b, mt[0], mt[1], mt[2], mt[3]);
        assertClose(rt[3].toArray(), mt[3].toArray(), reduction, what + " dX");
        for (int i = 0; i < ref.parameters().size(); i++) {
          Parameter pr = ref.parameters().get(i);
          assertClose(
              ref.denseGradient(pr),
              mine.denseGradient(mine.parameters().get(i)),
              reduction * 4,
              what + " gradient of " + pr.name());
        }
        List<Tensor> rb = new ArrayList<>(ref.buffers().values());
        List<Tensor> mb = new ArrayList<>(mine.buffers().values());
        for (int i = 0; i < rb.size(); i++) {
          assertClose(rb.get(i).toArray(), mb.get(i).toArray(), reduction, what + " buffer " + i);
        }
      } finally {
        for (Tensor t : rt) {
          t.close();
        }
        for (Tensor t : mt) {
          t.close();
        }
      }
    }
  }

  private static int product(int[] s) {
    int n = 1;
    for (int d : s) {
      n *= d;
    }
    return n;
  }

  /** batch, H, W, stride: odd, 1 × 1, stride 2 on odd and even sides. */
  private static final int[][] IMAGES = {
    {2, 5, 7, 1}, {3, 5, 5, 2}, {1, 1, 1, 1}, {2, 1, 1, 2}, {2, 4, 6, 2}, {1, 3, 1, 1}
  };

  @Test
  void relationalConvolutionsMatchTheReferenceOnEveryIsa() {
    List<Backend> cpus = cpuBackends();
    try {
      long seed = 10;
      for (RelationalGraph g : patterns(4, 7)) {
        ChannelPartition out = ChannelPartition.ofSizes(3, 1, 2, 1);
        ChannelPartition in = ChannelPartition.of(6, 4, 5); // uneven: 2, 2, 1, 1 in some order
        for (int[] img : IMAGES) {
          for (int k : new int[] {1, 3}) {
            for (ExecutionMode mode : List.of(ExecutionMode.BLOCKSPARSE, ExecutionMode.MASKED)) {
              int s = img[3];
              Function<TensorFactory, Layer> make =
                  f -> Conv.relational(f, "c", mode, g, out, in, k, s);
              for (Backend b : cpus) {
                checkLayer(
                    b,
                    make,
                    new int[] {6, img[1], img[2]},
                    img[0],
                    9 * 6 + img[0] * img[1] * img[2],
                    seed++,
                    "conv "
                        + k
                        + "x"
                        + k
                        + "/"
                        + s
                        + " "
                        + mode.label()
                        + " on "
                        + b
                        + " "
                        + Arrays.toString(img));
              }
            }
          }
        }
      }
    } finally {
      cpus.forEach(Backend::close);
    }
  }

  /**
   * The native backend's convolutions without an im2col matrix run in column chunks of at most 2048
   * columns: images of 5 × 31 × 29 pixels (4495 columns at stride 1) span several chunks, and
   * backward-data's chunks, which scatter into each other's input rows, run in two phases over two
   * threads. Every ISA against the reference's explicit im2col.
   */
  @Test
  void convolutionsWithoutIm2colSpanSeveralColumnChunks() {
    List<Backend> cpus = cpuBackends();
    try {
      long seed = 70;
      RelationalGraph g = patterns(4, 7).get(2);
      ChannelPartition out = ChannelPartition.ofSizes(3, 1, 2, 1);
      ChannelPartition in = ChannelPartition.of(6, 4, 5);
      for (int[] ks : new int[][] {{3, 1}, {3, 2}, {1, 2}}) {
        Function<TensorFactory, Layer> make =
            f -> Conv.relational(f, "c", ExecutionMode.BLOCKSPARSE, g, out, in, ks[0], ks[1]);
        for (Backend b : cpus) {
          assertTrue(b.convolvesWithoutIm2col(), b + " convolves without im2col");
          checkLayer(
              b,
              make,
              new int[] {6, 31, 29},
              5,
              9 * 6 + 5 * 31 * 29,
              seed++,
              "conv " + ks[0] + "x" + ks[0] + "/" + ks[1] + " on " + b);
        }
      }
    } finally {
      cpus.forEach(Backend::close);
    }
  }

  @Test
  void theOtherLayersMatchTheReferenceOnEveryIsa() {
    List<Backend> cpus = cpuBackends();
    RelationalGraph g = WsFlex.generate(4, 2, 0.3, 3);
    ChannelPartition p5 = ChannelPartition.ofSizes(2, 1, 1, 1);
    try {
      long seed = 20;
      for (Backend b : cpus) {
        for (int[] img : IMAGES) {
          int s = img[3];
          int[] sample = {5, img[1], img[2]};
          int n = img[0] * img[1] * img[2];
          String at = " on " + b + " " + Arrays.toString(img);
          checkLayer(
              b,
              f -> Conv.dense(f, "stem", 3, 5, 3, s),
              sample,
              img[0],
              45 + n,
              seed++,
              "dense conv" + at);
          checkLayer(
              b,
              f -> new DepthwiseConv(f, "dw", 5, s),
              sample,
              img[0],
              9 + n,
              seed++,
              "depthwise" + at);
          checkLayer(
              b,
              f -> Conv.dense(f, "stem7", 3, 5, 7, s),
              sample,
              img[0],
              245 + n,
              seed++,
              "dense 7x7 conv" + at);
          checkLayer(b, f -> new MaxPool(5), sample, img[0], 4, seed++, "max pool" + at);
          checkLayer(b, f -> new GlobalAvgPool(5), sample, img[0], n, seed++, "pool" + at);
          if (n >= 2) {
            checkLayer(
                b, f -> new BatchNormRelu(f, "bn", 5), sample, img[0], n, seed++, "bn relu" + at);
            checkLayer(
                b, f -> new BatchNormalization(f, "bn", 5), sample, img[0], n, seed++, "bn" + at);
            checkLayer(
                b,
                f -> basicBlock(f, ExecutionMode.BLOCKSPARSE, g, p5, p5, s),
                sample,
                img[0],
                50 + n,
                seed++,
                "basic block" + at);
          }
        }
      }
    } finally {
      cpus.forEach(Backend::close);
    }
  }

  /** y[o][b][oy][ox] = Σ w[o][c][ky][kx] x[c][b][oy·s + ky − p][ox·s + kx − p], in float64. */
  private static double[] directConv(
      float[] x, float[] w, int cin, int cout, int batch, int h, int wd, int k, int s) {
    int ho = (h - 1) / s + 1;
    int wo = (wd - 1) / s + 1;
    int p = k / 2;
    double[] y = new double[cout * batch * ho * wo];
    for (int o = 0; o < cout; o++) {
      for (int b = 0; b < batch; b++) {
        for (int oy = 0; oy < ho; oy++) {
          for (int ox = 0; ox < wo; ox++) {
            double acc = 0;
            for (int c = 0; c < cin; c++) {
              for (int ky = 0; ky < k; ky++) {
                for (int kx = 0; kx < k; kx++) {
                  int iy = oy * s + ky - p;
                  int ix = ox * s + kx - p;
                  if (iy >= 0 && iy < h && ix >= 0 && ix < wd) {
                    acc +=
                        (double) w[((o * cin + c) * k + ky) * k + kx]
                            * x[((c * batch + b) * h + iy) * wd + ix];
                  }
                }
              }
            }
            y[((o * batch + b) * ho + oy) * wo + ox] = acc;
          }
        }
      }
    }
    return y;
  }

  @Test
  void everyModeIsTheDirectConvolutionWithTheGraphsKernelBlocks() {
    SplittableRandom r = new SplittableRandom(30);
    int batch = 2;
    int h = 5;
    int wd = 4;
    for (RelationalGraph g : patterns(3, 9)) {
      ChannelPartition out = ChannelPartition.ofSizes(2, 1, 3);
      ChannelPartition in = ChannelPartition.ofSizes(1, 2, 2);
      for (int k : new int[] {1, 3}) {
        for (int s : new int[] {1, 2}) {
          List<ExecutionMode> modes =
              new ArrayList<>(List.of(ExecutionMode.BLOCKSPARSE, ExecutionMode.MASKED));
          if (g.isComplete()) {
            modes.add(ExecutionMode.DENSE);
          }
          float[] w = random(r, 6 * 5 * k * k);
          float[] x = random(r, 5 * batch * h * wd);
          for (ExecutionMode mode : modes) {
            try (Conv c = Conv.relational(REF, "c", mode, g, out, in, k, s);
                Tensor xt = REF.of(x, 5, batch, h, wd);
                Tensor yt = REF.zeros(tensorShape(c.outputShape(new int[] {5, h, wd}), batch))) {
              c.setDenseValue(c.parameters().get(0), w);
              float[] masked = c.denseValue(c.parameters().get(0));
              // outside the graph's blocks the kernel is zero, inside it is w
              for (int o = 0; o < 6; o++) {
                for (int ci = 0; ci < 5; ci++) {
                  int v = node(out, o);
                  int u = node(in, ci);
                  boolean block = u == v || Arrays.stream(g.predecessors(v)).anyMatch(q -> q == u);
                  for (int t = 0; t < k * k; t++) {
                    int i = (o * 5 + ci) * k * k + t;
                    assertEquals(block ? w[i] : 0f, masked[i], 0f, mode + " weight " + i);
                  }
                }
              }
              c.forward(REF, xt, yt, true);
              double[] expected = directConv(x, masked, 5, 6, batch, h, wd, k, s);
              float[] e = new float[expected.length];
              for (int i = 0; i < e.length; i++) {
                e[i] = (float) expected[i];
              }
              assertClose(e, yt.toArray(), 50, mode + " " + k + "x" + k + "/" + s);
            }
          }
        }
      }
    }
  }

  private static int node(ChannelPartition p, int channel) {
    int v = 0;
    while (p.offset(v + 1) <= channel) {
      v++;
    }
    return v;
  }

  /** A relational ResNet basic block; a projection shortcut when the shape changes. */
  static Residual basicBlock(
      TensorFactory f,
      ExecutionMode mode,
      RelationalGraph g,
      ChannelPartition out,
      ChannelPartition in,
      int stride) {
    List<Layer> branch =
        List.of(
            Conv.relational(f, "b.conv1", mode, g, out, in, 3, stride),
            new BatchNormRelu(f, "b.bn1", out.channels()),
            Conv.relational(f, "b.conv2", mode, g, out, out, 3, 1),
            new BatchNormalization(f, "b.bn2", out.channels()));
    List<Layer> shortcut =
        stride == 1 && out.channels() == in.channels()
            ? List.of()
            : List.of(
                Conv.relational(f, "b.proj", mode, g, out, in, 1, stride),
                new BatchNormalization(f, "b.proj_bn", out.channels()));
    return new Residual(branch, shortcut, true);
  }

  /** stem conv, BN + ReLU, a projecting basic block of stride 2, pooling, a dense head. */
  static Network smallResNet(Backend b, ExecutionMode mode) {
    RelationalGraph g = RelationalGraph.builder(3, false).addEdge(0, 1).addEdge(1, 2).build();
    ChannelPartition in = ChannelPartition.ofSizes(2, 1, 1);
    ChannelPartition out = ChannelPartition.ofSizes(2, 3, 1);
    return new Network(
        b,
        new int[] {1, 5, 5},
        List.of(
            Conv.dense(b, "stem", 4, 1, 3, 1),
            new BatchNormRelu(b, "stem_bn", 4),
            basicBlock(b, mode, g, out, in, 2),
            new GlobalAvgPool(6),
            Linear.denseWithBias(b, "head", 3, 6)));
  }

  private static Map<String, float[]> randomState(Network n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    Map<String, float[]> s = new LinkedHashMap<>();
    for (Map.Entry<String, float[]> e : n.state().entrySet()) {
      float[] v = random(r, e.getValue().length);
      if (e.getKey().endsWith("running_var") || e.getKey().endsWith("gamma")) {
        for (int i = 0; i < v.length; i++) {
          v[i] = 1 + 0.3f * v[i];
        }
      }
      s.put(e.getKey(), v);
    }
    return s;
  }

  /**
   * The ImageNet models' other layers: a 7 × 7 stem of stride 2, max pooling, a separable block of
   * stride 2 (depthwise 3 × 3, relational 1 × 1; a relational projection) and a bottleneck block of
   * stride 2 (relational 1 × 1, 3 × 3, 1 × 1; a dense projection), pooling, a dense head.
   */
  static Network smallImageNetNet(Backend b, ExecutionMode mode) {
    RelationalGraph g = RelationalGraph.builder(3, false).addEdge(0, 1).addEdge(1, 2).build();
    ChannelPartition p4 = ChannelPartition.ofSizes(2, 1, 1);
    ChannelPartition p6 = ChannelPartition.ofSizes(2, 3, 1);
    ChannelPartition p3 = ChannelPartition.ofSizes(1, 1, 1);
    ChannelPartition p8 = ChannelPartition.ofSizes(3, 3, 2);
    Residual separable =
        new Residual(
            List.of(
                new DepthwiseConv(b, "s.a_3x3", 4, 2),
                Conv.relational(b, "s.a_1x1", mode, g, p6, p4, 1, 1),
                new BatchNormRelu(b, "s.a_bn", 6),
                new DepthwiseConv(b, "s.b_3x3", 6, 1),
                Conv.relational(b, "s.b_1x1", mode, g, p6, p6, 1, 1),
                new BatchNormalization(b, "s.b_bn", 6)),
            List.of(
                Conv.relational(b, "s.proj", mode, g, p6, p4, 1, 2),
                new BatchNormalization(b, "s.proj_bn", 6)),
            true);
    Residual bottleneck =
        new Residual(
            List.of(
                Conv.relational(b, "t.a", mode, g, p3, p6, 1, 1),
                new BatchNormRelu(b, "t.a_bn", 3),
                Conv.relational(b, "t.b", mode, g, p3, p3, 3, 2),
                new BatchNormRelu(b, "t.b_bn", 3),
                Conv.relational(b, "t.c", mode, g, p8, p3, 1, 1),
                new BatchNormalization(b, "t.c_bn", 8)),
            List.of(Conv.dense(b, "t.proj", 8, 6, 1, 2), new BatchNormalization(b, "t.proj_bn", 8)),
            true);
    return new Network(
        b,
        new int[] {1, 9, 9},
        List.of(
            Conv.dense(b, "stem", 4, 1, 7, 2),
            new BatchNormRelu(b, "stem_bn", 4),
            new MaxPool(4),
            separable,
            bottleneck,
            new GlobalAvgPool(8),
            Linear.denseWithBias(b, "head", 3, 8)));
  }

  @Test
  void aRelationalBasicBlocksGradientsMatchFiniteDifferences() {
    try (Network net = smallResNet(REF, ExecutionMode.BLOCKSPARSE)) {
      assertGradientsMatchFiniteDifferences(net, 40, 60);
    }
  }

  @Test
  void theImageNetLayersGradientsMatchFiniteDifferences() {
    try (Network net = smallImageNetNet(REF, ExecutionMode.BLOCKSPARSE)) {
      assertGradientsMatchFiniteDifferences(net, 43, 100);
    }
  }

  /** Six entries of every parameter's gradient against central differences of the loss. */
  private static void assertGradientsMatchFiniteDifferences(Network net, long seed, int least) {
    Map<String, float[]> state = randomState(net, seed);
    net.load(state);
    int batch = 3;
    float[] x = random(new SplittableRandom(seed + 1), net.inputs() * batch);
    int[] labels = {0, 2, 1};
    net.forwardBackward(x, labels);
    Map<String, float[]> grads = net.gradients();
    SplittableRandom pick = new SplittableRandom(seed + 2);
    int checked = 0;
    for (Map.Entry<String, float[]> e : grads.entrySet()) {
      float[] g = e.getValue();
      for (int t = 0; t < 6; t++) {
        int i = pick.nextInt(g.length);
        float[] v = state.get(e.getKey());
        float saved = v[i];
        double h = 1e-3;
        v[i] = (float) (saved + h);
        net.load(state);
        double plus = net.forwardBackward(x, labels).loss();
        v[i] = (float) (saved - h);
        net.load(state);
        double minus = net.forwardBackward(x, labels).loss();
        v[i] = saved;
        double fd = (plus - minus) / (2 * h);
        assertTrue(
            Math.abs(fd - g[i]) <= 2e-4 + 0.03 * Math.abs(fd),
            e.getKey() + "[" + i + "]: finite difference " + fd + ", gradient " + g[i]);
        checked++;
      }
    }
    net.load(state);
    assertTrue(checked >= least, "checked " + checked);
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void maskedAndBlockSparseTrainTheSameConvNetwork(boolean imageNetLayers) {
    Backend b = CpuBackend.isAvailable() ? CpuBackend.create() : REF;
    java.util.function.BiFunction<Backend, ExecutionMode, Network> make =
        imageNetLayers ? ConvLayersTest::smallImageNetNet : ConvLayersTest::smallResNet;
    try (Network bs = make.apply(b, ExecutionMode.BLOCKSPARSE);
        Network masked = make.apply(b, ExecutionMode.MASKED)) {
      Map<String, float[]> state = randomState(bs, 50);
      bs.load(state);
      masked.load(state); // values outside the graph's blocks too, which the mask must hide
      SplittableRandom r = new SplittableRandom(51);
      SgdSettings sgd = new SgdSettings(0.9f, 5e-4f, true);
      for (int step = 0; step < 5; step++) {
        float[] x = random(r, bs.inputs() * 4);
        int[] labels = {r.nextInt(3), r.nextInt(3), r.nextInt(3), r.nextInt(3)};
        double l1 = bs.trainStep(x, labels, 0.05f, sgd).loss();
        double l2 = masked.trainStep(x, labels, 0.05f, sgd).loss();
        assertEquals(l1, l2, 1e-4 * Math.max(1, Math.abs(l1)), "loss at step " + step);
      }
      Map<String, float[]> a = bs.state();
      Map<String, float[]> c = masked.state();
      for (String name : a.keySet()) {
        assertClose(a.get(name), c.get(name), 20, name + " after training");
      }
    } finally {
      if (b != REF) {
        b.close();
      }
    }
  }

  private static void assertOneLine(Executable call, String part) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().contains(part), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  @Test
  void badShapesAndOptionsGetOneLineErrors() {
    RelationalGraph g = WsFlex.generate(4, 2, 0.3, 3);
    ChannelPartition p = ChannelPartition.ofSizes(1, 1, 1, 1);
    assertOneLine(
        () -> Conv.relational(REF, "c", ExecutionMode.BLOCKSPARSE, g, p, p, 5, 1), "kernel = 5");
    assertOneLine(
        () -> Conv.relational(REF, "c", ExecutionMode.BLOCKSPARSE, g, p, p, 3, 3), "stride = 3");
    assertOneLine(
        () -> Conv.relational(REF, "c", ExecutionMode.DENSE, g, p, p, 3, 1), "complete graph");
    assertOneLine(() -> new DepthwiseConv(REF, "d", 4, 0), "stride = 0");
    assertOneLine(() -> new GlobalAvgPool(0), "channels = 0");
    assertOneLine(
        () ->
            new Network(
                REF,
                new int[] {3, 8, 8},
                List.of(Conv.dense(REF, "stem", 4, 1, 3, 1), new GlobalAvgPool(4))),
        "layer 0: a convolution of 1 channels takes images {1, H, W}, got [3, 8, 8]");
    assertOneLine(
        () -> new Network(REF, List.of(Conv.dense(REF, "stem", 4, 1, 3, 1))), "takes images");
    assertOneLine(
        () -> new Network(REF, new int[] {1, 0, 8}, List.of(Conv.dense(REF, "s", 4, 1, 3, 1))),
        "below 1");
    assertOneLine(
        () -> new Residual(List.of(Conv.dense(REF, "a", 4, 2, 3, 1)), List.of(), true),
        "the branch gives 4 channels, the shortcut 2");
    assertOneLine(
        () ->
            new Network(
                REF,
                new int[] {2, 5, 5},
                List.of(
                    new Residual(List.of(Conv.dense(REF, "a", 2, 2, 3, 2)), List.of(), false),
                    new GlobalAvgPool(2))),
        "the branch gives [2, 3, 3], the shortcut [2, 5, 5]");
    try (Network n =
        new Network(
            REF,
            new int[] {1, 4, 4},
            List.of(Conv.dense(REF, "s", 2, 1, 3, 1), new GlobalAvgPool(2)))) {
      assertEquals(16, n.inputs());
      assertOneLine(() -> n.logits(new float[15], 1), "expected 16 values");
    }
  }

  @Test
  void theOutputSideIsTheFloorOfSizeMinusOneOverStrideplusOne() {
    assertEquals(3, ConvGeometry.outputSize(5, 2));
    assertEquals(1, ConvGeometry.outputSize(1, 2));
  }
}
