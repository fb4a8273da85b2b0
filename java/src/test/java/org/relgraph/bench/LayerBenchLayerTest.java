package org.relgraph.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.relgraph.engine.JavaBackend;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.model.MlpSpec;
import org.relgraph.nn.ExecutionMode;
import org.relgraph.nn.Layer;
import org.relgraph.nn.Linear;
import org.relgraph.train.RelationalMlp;

/**
 * The benchmark times the layers training runs: a {@link LayerBench.Layer} is the {@link Linear}
 * that {@link Linear#relational} builds for the trainer's networks, of the same kind in each mode,
 * and its rows describe it as before.
 */
class LayerBenchLayerTest {
  @ParameterizedTest
  @EnumSource(ExecutionMode.class)
  void aBenchLayerIsTheTrainersRelationalLayer(ExecutionMode mode) {
    double pattern = mode == ExecutionMode.DENSE ? LayerBench.COMPLETE : 0.125;
    RelationalGraph g = LayerBench.graph(LayerBench.NODES, pattern);
    JavaBackend java = new JavaBackend();
    try (LayerBench.Layer layer =
            LayerBench.Layer.create(java, mode, g, 64, 64, 4, LayerBench.DATA_SEED);
        RelationalMlp net =
            RelationalMlp.create(java, new MlpSpec(5, 64, 1, 2, 0), g, 64, mode, 1)) {
      Layer trained = net.network().layers().get(2);
      assertSame(trained.getClass(), layer.linear().getClass());
      double density = mode == ExecutionMode.DENSE ? 1 : 576 / 4096.0; // 64 + 2 · 256 blocks
      LayerBench.Row row = layer.row(LayerBench.Op.STEP, 1e-3);
      assertEquals(mode.label(), row.backend());
      assertEquals("step", row.op());
      assertEquals(4, row.batch());
      assertEquals(64, row.width());
      assertEquals(64, row.nodes());
      assertEquals(density, row.density(), 1e-12);
      assertEquals(1.0, row.ms(), 1e-12);
      assertEquals(6.0 * layer.usefulMultiplyAdds() / 1e6, row.gflops(), 1e-9 * row.gflops());
      assertEquals((long) (density * 64 * 64) * 4, layer.usefulMultiplyAdds());
      // the benchmark's products are the layer's own
      layer.run(LayerBench.Op.STEP);
      Linear l = layer.linear();
      float[] dense = l.denseWeights();
      try (LayerBench.Layer again =
          LayerBench.Layer.create(java, mode, g, 64, 64, 4, LayerBench.DATA_SEED)) {
        again.linear().setDenseWeights(dense);
        again.forward();
        assertArrayEquals(layer.output(), again.output());
      }
    }
  }
}
