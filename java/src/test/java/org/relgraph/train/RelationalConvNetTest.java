package org.relgraph.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.relgraph.engine.Backend;
import org.relgraph.engine.JavaBackend;
import org.relgraph.engine.SgdSettings;
import org.relgraph.graph.ClassicGenerators;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.graph.WsFlex;
import org.relgraph.model.ConvFlops;
import org.relgraph.model.ConvNet;
import org.relgraph.model.ConvNetSpec;
import org.relgraph.nn.ExecutionMode;
import org.relgraph.nn.Network;
import org.relgraph.nn.Parameter;
import org.relgraph.nn.Residual;

/** The paper's conv models build as ConvNetSpec lays them out, and train. */
class RelationalConvNetTest {
  private static final Backend JAVA = new JavaBackend();

  private static long parameterCount(Network net) {
    long n = 0;
    for (Parameter p : net.parameters()) {
      n += p.value().size();
    }
    return n;
  }

  @ParameterizedTest
  @CsvSource({"cnn, 16, 3, 4", "resnet20, 16, 1, 4", "resnet20, 32, 3, 3"})
  void blockSparseParametersAreTheCountedOnes(String model, int widest, int channels, int nodes) {
    // Blocksparse layers store only the graph's blocks: their values add up to ConvFlops' count.
    RelationalGraph g = WsFlex.generate(nodes, 2, 0, 1);
    ConvNetSpec spec = ConvNetSpec.named(model).withInput(channels, 5);
    ConvNet net = spec.at(spec.widthsFor(widest), 8);
    try (Network n = RelationalConvNet.create(JAVA, net, g, ExecutionMode.BLOCKSPARSE, 1)) {
      assertEquals(ConvFlops.of(net, g).params(), parameterCount(n), model);
      assertArrayEquals(new int[] {channels, 8, 8}, n.inputShape());
      assertEquals(5, n.outputs());
      long residuals = n.layers().stream().filter(l -> l instanceof Residual).count();
      assertEquals(model.equals("cnn") ? 0 : 9, residuals);
    }
  }

  @Test
  void everyModeStartsFromTheSameFunction() {
    RelationalGraph g = WsFlex.generate(4, 2, 0, 1);
    ConvNetSpec spec = ConvNetSpec.named("resnet20").withInput(1, 3);
    ConvNet net = spec.at(spec.widthsFor(16), 4);
    int batch = 3;
    float[] x = new float[16 * batch];
    SplittableRandom r = new SplittableRandom(2);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    int[] labels = {0, 1, 2};
    double[] losses = new double[2];
    ExecutionMode[] modes = {ExecutionMode.MASKED, ExecutionMode.BLOCKSPARSE};
    for (int m = 0; m < 2; m++) {
      try (Network n = RelationalConvNet.create(JAVA, net, g, modes[m], 7)) {
        losses[m] = n.trainStep(x, labels, 0.1f, new SgdSettings(0.9f, 5e-4f, true)).loss();
      }
    }
    assertEquals(losses[0], losses[1], 1e-4);
  }

  @Test
  void refusesModelsItDoesNotBuild() {
    ConvNetSpec spec = ConvNetSpec.named("cnn-imagenet");
    ConvNet net = spec.at(List.of(8, 8, 8), 16);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                RelationalConvNet.create(
                    JAVA, net, ClassicGenerators.complete(4), ExecutionMode.MASKED, 1));
    assertTrue(e.getMessage().contains("cnn-imagenet is not built yet"), e.getMessage());
  }
}
