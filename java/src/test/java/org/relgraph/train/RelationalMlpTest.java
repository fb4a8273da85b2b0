package org.relgraph.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.relgraph.engine.Backend;
import org.relgraph.engine.CpuBackend;
import org.relgraph.engine.CrossEntropy;
import org.relgraph.engine.JavaBackend;
import org.relgraph.graph.ClassicGenerators;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.graph.WsFlex;
import org.relgraph.model.ChannelPartition;
import org.relgraph.model.MlpSpec;
import org.relgraph.nn.ExecutionMode;

/**
 * A whole relational MLP: its analytic gradients against central finite differences of a float64
 * forward pass written here from the definitions (not from the backends), the native backend
 * against the Java one, and the three execution modes against each other.
 */
class RelationalMlpTest {
  static final MlpSpec SPEC = new MlpSpec(6, 8, 2, 3, 7);
  private static final int BATCH = 5;

  /** A graph over 4 nodes with two edges and a directed one left out: uneven, not complete. */
  private static RelationalGraph graph() {
    return RelationalGraph.builder(4, false).addEdge(0, 1).addEdge(1, 3).build();
  }

  private static float[] features(long seed, int batch) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[SPEC.inputSize() * batch];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    return x;
  }

  private static final int[] LABELS = {0, 2, 1, 1, 0};

  /**
   * The loss of the MLP in training mode (batch statistics), in float64 from dense weights. The
   * graph enters only through the zeros of the state's relational weights and through {@code mask},
   * which the finite differences respect.
   */
  static double loss(Map<String, double[]> s, double[] x, int[] labels, int width) {
    int batch = labels.length;
    double[] a = linear(s.get("stem.weight"), SPEC.stemWidth(), SPEC.inputSize(), x, batch);
    a = bnRelu(a, s.get("stem.bn.gamma"), s.get("stem.bn.beta"), SPEC.stemWidth(), batch);
    int in = SPEC.stemWidth();
    for (int i = 0; i < SPEC.relationalLayers(); i++) {
      String p = "relational" + i;
      a = linear(s.get(p + ".weight"), width, in, a, batch);
      a = bnRelu(a, s.get(p + ".bn.gamma"), s.get(p + ".bn.beta"), width, batch);
      in = width;
    }
    double[] z = linear(s.get("head.weight"), SPEC.classes(), width, a, batch);
    double[] bias = s.get("head.bias");
    double loss = 0;
    for (int b = 0; b < batch; b++) {
      double sum = 0;
      for (int c = 0; c < SPEC.classes(); c++) {
        sum += Math.exp(z[c * batch + b] + bias[c]);
      }
      loss += Math.log(sum) - z[labels[b] * batch + b] - bias[labels[b]];
    }
    return loss / batch;
  }

  private static double[] linear(double[] w, int out, int in, double[] x, int batch) {
    double[] y = new double[out * batch];
    for (int o = 0; o < out; o++) {
      for (int c = 0; c < in; c++) {
        for (int b = 0; b < batch; b++) {
          y[o * batch + b] += w[o * in + c] * x[c * batch + b];
        }
      }
    }
    return y;
  }

  private static double[] bnRelu(double[] x, double[] gamma, double[] beta, int c, int batch) {
    double[] y = new double[x.length];
    for (int ch = 0; ch < c; ch++) {
      double m = 0;
      double v = 0;
      for (int b = 0; b < batch; b++) {
        m += x[ch * batch + b] / batch;
      }
      for (int b = 0; b < batch; b++) {
        v += Math.pow(x[ch * batch + b] - m, 2) / batch;
      }
      for (int b = 0; b < batch; b++) {
        double t = gamma[ch] * (x[ch * batch + b] - m) / Math.sqrt(v + 1e-5) + beta[ch];
        y[ch * batch + b] = Math.max(0, t);
      }
    }
    return y;
  }

  /** Whether dense weight (o, c) of relational layer {@code i} exists, from the definitions. */
  private static boolean exists(RelationalGraph g, int layer, int width, int o, int c) {
    int n = g.nodeCount();
    ChannelPartition out = ChannelPartition.of(width, n, SPEC.partitionSeed());
    ChannelPartition in =
        ChannelPartition.of(layer == 0 ? SPEC.stemWidth() : width, n, SPEC.partitionSeed());
    int v = nodeOf(out, o);
    int u = nodeOf(in, c);
    return u == v || g.hasEdge(u, v);
  }

  private static int nodeOf(ChannelPartition p, int ch) {
    int node = 0;
    while (p.offset(node + 1) <= ch) {
      node++;
    }
    return node;
  }

  private static Map<String, double[]> toDouble(Map<String, float[]> s) {
    Map<String, double[]> d = new java.util.LinkedHashMap<>();
    s.forEach(
        (k, v) -> {
          double[] a = new double[v.length];
          for (int i = 0; i < v.length; i++) {
            a[i] = v[i];
          }
          d.put(k, a);
        });
    return d;
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    RelationalGraph g = graph();
    int width = 10; // 10 channels over 4 nodes: uneven
    try (RelationalMlp net =
        RelationalMlp.create(new JavaBackend(), SPEC, g, width, ExecutionMode.BLOCKSPARSE, 3)) {
      // Larger weights than the paper's init, so that every path carries signal.
      Map<String, float[]> state = net.state();
      SplittableRandom r = new SplittableRandom(4);
      state.replaceAll(
          (k, v) -> {
            if (k.endsWith("running_mean") || k.endsWith("running_var")) {
              return v;
            }
            float[] w = v.clone();
            for (int i = 0; i < w.length; i++) {
              w[i] =
                  w[i] == 0 && k.startsWith("relational") && k.endsWith("weight")
                      ? 0
                      : (float)
                          (k.endsWith("gamma")
                              ? 1 + 0.3 * r.nextGaussian()
                              : 0.5 * r.nextGaussian());
            }
            return w;
          });
      net.load(state);
      float[] xf = features(1, BATCH);
      CrossEntropy ce = net.forwardBackward(xf, LABELS);
      Map<String, float[]> grads = net.gradients();
      Map<String, double[]> s = toDouble(net.state());
      double[] x = toDouble(Map.of("x", xf)).get("x");
      assertEquals(loss(s, x, LABELS, width), ce.loss(), 1e-5);
      int checked = 0;
      for (Map.Entry<String, double[]> e : s.entrySet()) {
        String name = e.getKey();
        if (name.endsWith("running_mean") || name.endsWith("running_var")) {
          continue;
        }
        double[] p = e.getValue();
        float[] analytic = grads.get(name);
        assertEquals(p.length, analytic.length, name);
        for (int i = 0; i < p.length; i++) {
          if (name.startsWith("relational") && name.endsWith("weight")) {
            int layer = name.charAt("relational".length()) - '0';
            int in = layer == 0 ? SPEC.stemWidth() : width;
            if (!exists(g, layer, width, i / in, i % in)) {
              assertEquals(0f, analytic[i], name + "[" + i + "] outside the graph");
              continue;
            }
          }
          double saved = p[i];
          double h = 1e-6;
          p[i] = saved + h;
          double plus = loss(s, x, LABELS, width);
          p[i] = saved - h;
          double minus = loss(s, x, LABELS, width);
          p[i] = saved;
          double fd = (plus - minus) / (2 * h);
          double tol = 1e-4 + 1e-3 * Math.abs(fd);
          if (Math.abs(fd - analytic[i]) > tol) {
            throw new AssertionError(
                name + "[" + i + "]: finite difference " + fd + ", analytic " + analytic[i]);
          }
          checked++;
        }
      }
      assertTrue(checked > 200, "checked " + checked);
    }
  }

  record Run(double[] losses, Map<String, float[]> grads, Map<String, float[]> state) {}

  /** Three training steps, then the gradients of a fourth batch and the state. */
  static Run run(Backend b, RelationalGraph g, int width, ExecutionMode mode) {
    try (RelationalMlp net = RelationalMlp.create(b, SPEC, g, width, mode, 42)) {
      double[] losses = new double[4];
      org.relgraph.engine.SgdSettings sgd = new org.relgraph.engine.SgdSettings(0.9f, 5e-4f, true);
      for (int step = 0; step < 3; step++) {
        losses[step] = net.trainStep(features(10 + step, BATCH), LABELS, 0.1f, sgd).loss();
      }
      losses[3] = net.forwardBackward(features(20, BATCH), LABELS).loss();
      return new Run(losses, net.gradients(), net.state());
    }
  }

  static void assertSameRun(Run a, Run b, String what) {
    for (int i = 0; i < a.losses.length; i++) {
      assertEquals(a.losses[i], b.losses[i], 1e-4 * Math.max(1, Math.abs(a.losses[i])), what);
    }
    for (String k : a.grads.keySet()) {
      assertClose(a.grads.get(k), b.grads.get(k), what + " gradient " + k);
    }
    for (String k : a.state.keySet()) {
      assertClose(a.state.get(k), b.state.get(k), what + " " + k);
    }
  }

  private static void assertClose(float[] e, float[] a, String what) {
    assertEquals(e.length, a.length, what);
    double scale = 0;
    for (float v : e) {
      scale = Math.max(scale, Math.abs(v));
    }
    for (int i = 0; i < e.length; i++) {
      if (Math.abs(e[i] - a[i]) > 1e-4 * Math.max(scale, 1e-3)) {
        throw new AssertionError(what + "[" + i + "]: " + e[i] + " vs " + a[i]);
      }
    }
  }

  @Test
  void nativeBackendMatchesReferenceAndModesAgree() {
    Backend java = new JavaBackend();
    Backend cpu = CpuBackend.create(CpuBackend.bestIsa(), 2);
    RelationalGraph ws = WsFlex.generate(8, 3, 0.4, 2);
    RelationalGraph complete = ClassicGenerators.complete(8);
    for (RelationalGraph g : new RelationalGraph[] {ws, graph(), complete}) {
      int width = 21;
      if (g.nodeCount() > SPEC.stemWidth()) {
        continue;
      }
      Run ref = run(java, g, width, ExecutionMode.BLOCKSPARSE);
      assertSameRun(ref, run(cpu, g, width, ExecutionMode.BLOCKSPARSE), "cpu blocksparse " + g);
      assertSameRun(ref, run(cpu, g, width, ExecutionMode.MASKED), "cpu masked " + g);
      assertSameRun(ref, run(java, g, width, ExecutionMode.MASKED), "java masked " + g);
      if (g == complete) {
        assertSameRun(ref, run(cpu, g, width, ExecutionMode.DENSE), "cpu dense");
      }
    }
  }

  @Test
  void rejectsImpossibleNetworks() {
    Backend java = new JavaBackend();
    RelationalGraph ws = WsFlex.generate(8, 3, 0.4, 2);
    assertThrows(
        IllegalArgumentException.class,
        () -> RelationalMlp.create(java, SPEC, ws, 21, ExecutionMode.DENSE, 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> RelationalMlp.create(java, SPEC, ws, 7, ExecutionMode.BLOCKSPARSE, 1));
    var tooWide =
        assertThrows(
            IllegalArgumentException.class,
            () -> RelationalMlp.create(java, SPEC, ws, 50_000, ExecutionMode.BLOCKSPARSE, 1));
    assertTrue(tooWide.getMessage().contains("too large"), tooWide.getMessage());
    try (RelationalMlp net = RelationalMlp.create(java, SPEC, ws, 8, ExecutionMode.MASKED, 1)) {
      assertThrows(IllegalArgumentException.class, () -> net.evaluate(new float[5], new int[1]));
      Map<String, float[]> s = net.state();
      s.remove("head.bias");
      var e = assertThrows(IllegalArgumentException.class, () -> net.load(s));
      assertTrue(e.getMessage().contains("head.bias"), e.getMessage());
    }
  }
}
