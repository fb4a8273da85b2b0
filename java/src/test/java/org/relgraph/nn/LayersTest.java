package org.relgraph.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.relgraph.engine.Backend;
import org.relgraph.engine.CrossEntropy;
import org.relgraph.engine.JavaBackend;
import org.relgraph.engine.SgdSettings;
import org.relgraph.engine.Tensor;
import org.relgraph.graph.ClassicGenerators;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.graph.WsFlex;
import org.relgraph.model.ChannelPartition;

/** The public layers and the network built from them. */
class LayersTest {
  private static final Backend JAVA = new JavaBackend();

  private static float[] gaussian(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  private static Linear relational(ExecutionMode mode, RelationalGraph g, int out, int in) {
    int n = g.nodeCount();
    return Linear.relational(
        JAVA, "r", mode, g, ChannelPartition.of(out, n, 3), ChannelPartition.of(in, n, 3));
  }

  @Test
  void relationalPicksTheKindOfItsMode() {
    RelationalGraph g = WsFlex.generate(8, 3, 0.3, 1);
    try (Linear bs = relational(ExecutionMode.BLOCKSPARSE, g, 20, 12);
        Linear m = relational(ExecutionMode.MASKED, g, 20, 12);
        Linear d = relational(ExecutionMode.DENSE, ClassicGenerators.complete(8), 20, 12)) {
      assertInstanceOf(Linear.BlockSparse.class, bs);
      assertInstanceOf(Linear.Masked.class, m);
      assertInstanceOf(Linear.Dense.class, d);
      assertEquals("r.weight", bs.weight().name());
      assertEquals(1, bs.weight().value().rows());
      assertEquals(20 * 12, m.weight().value().size());
      assertEquals(bs.blockDensity(), m.blockDensity());
      assertTrue(bs.blockDensity() < 1);
      assertEquals(bs.multiplyAddsPerSample(), m.multiplyAddsPerSample());
      assertEquals(1.0, d.blockDensity());
      assertEquals(20L * 12, d.multiplyAddsPerSample());
    }
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> relational(ExecutionMode.DENSE, g, 20, 12));
    assertTrue(e.getMessage().contains("complete graph only"), e.getMessage());
  }

  /** Same dense weights, same products, in every mode; the masked weights outside blocks vanish. */
  @Test
  void theModesComputeTheSameProducts() {
    RelationalGraph g = WsFlex.generate(8, 3, 0.3, 1);
    int out = 20;
    int in = 12;
    int batch = 3;
    float[] dense = gaussian(out * in, 1);
    float[] x = gaussian(in * batch, 2);
    float[] dy = gaussian(out * batch, 3);
    float[][] results = new float[2][];
    ExecutionMode[] modes = {ExecutionMode.BLOCKSPARSE, ExecutionMode.MASKED};
    for (int k = 0; k < modes.length; k++) {
      try (Linear l = relational(modes[k], g, out, in);
          Tensor tx = JAVA.of(in, batch, x);
          Tensor ty = JAVA.zeros(out, batch);
          Tensor tdy = JAVA.of(out, batch, dy);
          Tensor tdx = JAVA.zeros(in, batch)) {
        l.setDenseWeights(dense);
        l.forward(JAVA, tx, ty, true);
        l.backward(JAVA, tx, ty, tdy, tdx);
        float[] w = l.denseWeights();
        float[] y = ty.toArray();
        float[] dx = tdx.toArray();
        float[] dw = l.denseGradient();
        float[] all = new float[w.length + y.length + dx.length + dw.length];
        System.arraycopy(w, 0, all, 0, w.length);
        System.arraycopy(y, 0, all, w.length, y.length);
        System.arraycopy(dx, 0, all, w.length + y.length, dx.length);
        System.arraycopy(dw, 0, all, w.length + y.length + dx.length, dw.length);
        results[k] = all;
        assertEquals(List.of(l.weight()), l.parameters());
        assertArrayEquals(w, l.denseValue(l.weight()));
      }
    }
    assertArrayEquals(results[0], results[1], 1e-5f);
  }

  @Test
  void aDenseLayerWithBiasAddsItAndItsGradient() {
    try (Linear.Dense head = Linear.denseWithBias(JAVA, "head", 2, 3);
        Tensor x = JAVA.of(3, 1, new float[] {1, 2, 3});
        Tensor y = JAVA.zeros(2, 1);
        Tensor dy = JAVA.of(2, 1, new float[] {1, -1})) {
      head.setDenseWeights(new float[] {1, 0, 0, 0, 1, 1});
      head.bias().value().copyFrom(new float[] {10, 20});
      head.forward(JAVA, x, y, false);
      assertArrayEquals(new float[] {11, 25}, y.toArray());
      head.backward(JAVA, x, y, dy, null);
      assertArrayEquals(new float[] {1, -1}, head.bias().grad().toArray());
      assertEquals(List.of("head.weight", "head.bias"), names(head.parameters()));
    }
  }

  private static List<String> names(List<Parameter> ps) {
    return ps.stream().map(Parameter::name).toList();
  }

  @Test
  void aNetworkChecksThatItsLayersFitAndClosesThemWhenTheyDoNot() {
    Linear a = Linear.dense(JAVA, "a", 4, 3);
    Linear b = Linear.dense(JAVA, "b", 2, 5);
    var e = assertThrows(IllegalArgumentException.class, () -> Network.of(JAVA, a, b));
    assertEquals("layer 1 takes 5 channels, layer 0 gives 4", e.getMessage());
    assertTrue(a.weight().value().isClosed());
    assertTrue(b.weight().value().isClosed());
    assertThrows(IllegalArgumentException.class, () -> new Network(JAVA, List.of()));
  }

  /** A network of hand-picked layers trains, and keeps its state by name in layer order. */
  @Test
  void aNetworkOfAnyLayersTrainsAndKeepsItsState() {
    RelationalGraph g = WsFlex.generate(8, 4, 0.2, 5);
    int n = g.nodeCount();
    int batch = 16;
    try (Network net =
        Network.of(
            JAVA,
            new BatchNormRelu(JAVA, "in.bn", 10),
            Linear.relational(
                JAVA,
                "rel",
                ExecutionMode.BLOCKSPARSE,
                g,
                ChannelPartition.of(16, n, 0),
                ChannelPartition.of(10, n, 0)),
            new BatchNormRelu(JAVA, "rel.bn", 16),
            Linear.denseWithBias(JAVA, "head", 2, 16))) {
      assertEquals(10, net.inputs());
      assertEquals(2, net.outputs());
      assertEquals(7, net.parameters().size());
      ((Linear) net.layers().get(1)).setDenseWeights(gaussian(16 * 10, 7));
      SplittableRandom r = new SplittableRandom(9);
      float[] x = new float[10 * batch];
      int[] labels = new int[batch];
      double first = 0;
      double last = 0;
      for (int s = 0; s < 60; s++) {
        for (int b = 0; b < batch; b++) {
          labels[b] = r.nextInt(2);
          for (int f = 0; f < 10; f++) {
            x[f * batch + b] = (float) r.nextGaussian() + (labels[b] == 1 ? 1f : -1f);
          }
        }
        CrossEntropy ce = net.trainStep(x, labels, 0.1f, new SgdSettings(0.9f, 0, false));
        if (s == 0) {
          first = ce.loss();
        }
        last = ce.loss();
      }
      assertTrue(last < first / 2, first + " -> " + last);
      Map<String, float[]> state = net.state();
      assertEquals(
          List.of(
              "in.bn.gamma",
              "in.bn.beta",
              "rel.weight",
              "rel.bn.gamma",
              "rel.bn.beta",
              "head.weight",
              "head.bias",
              "in.bn.running_mean",
              "in.bn.running_var",
              "rel.bn.running_mean",
              "rel.bn.running_var"),
          List.copyOf(state.keySet()));
      assertEquals(16 * 10, state.get("rel.weight").length);
      float[] logits = net.logits(x, batch);
      net.load(state);
      assertArrayEquals(logits, net.logits(x, batch));
      state.remove("rel.bn.running_var");
      var e = assertThrows(IllegalArgumentException.class, () -> net.load(state));
      assertEquals("missing parameter rel.bn.running_var", e.getMessage());
    }
  }

  @Test
  void aParameterAllocatesItsMomentumOnlyWhenAnOptimizerAsks() {
    try (Parameter p = Parameter.zeros(JAVA, "p", 2, 3)) {
      Tensor v = p.velocity();
      assertEquals(6, v.size());
      assertTrue(p.velocity() == v);
    }
  }
}
