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
import org.relgraph.model.ConvOp;
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

  /** {@code model} with one block a stage, 8-channel stem, stages of 8 (16 for resnet50). */
  static ConvNetSpec small(String model, int channels, int classes) {
    ConvNetSpec spec = ConvNetSpec.named(model).withInput(channels, classes);
    int stages = spec.blocksPerStage().size();
    int width = model.equals("resnet50") ? 16 : 8;
    return spec.withStages(
        java.util.Collections.nCopies(stages, 1), java.util.Collections.nCopies(stages, width), 8);
  }

  @ParameterizedTest
  @CsvSource({"cnn-imagenet, 9", "resnet34, 5", "resnet34-sep, 5", "resnet50, 5"})
  void buildsTheImageNetModelsAndEveryModeTrainsTheSame(String model, int resolution) {
    // Max pooling, 7x7 stems, depthwise convolutions and bottlenecks; odd sides on the way down.
    RelationalGraph g = WsFlex.generate(4, 2, 0, 1);
    ConvNetSpec spec = small(model, 2, 3);
    ConvNet net = spec.at(spec.stageWidths(), resolution);
    int batch = 3;
    float[] x = new float[2 * batch * resolution * resolution];
    SplittableRandom r = new SplittableRandom(3);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    int[] labels = {0, 1, 2};
    double[] losses = new double[2];
    ExecutionMode[] modes = {ExecutionMode.MASKED, ExecutionMode.BLOCKSPARSE};
    for (int m = 0; m < 2; m++) {
      try (Network n = RelationalConvNet.create(JAVA, net, g, modes[m], 7)) {
        if (modes[m] == ExecutionMode.BLOCKSPARSE) {
          assertEquals(ConvFlops.of(net, g).params(), parameterCount(n), model);
        }
        assertEquals(
            List.copyOf(RelationalConvNet.stateLengths(net).keySet()),
            List.copyOf(n.state().keySet()),
            model + " state");
        SgdSettings sgd = new SgdSettings(0.9f, 5e-4f, true);
        n.trainStep(x, labels, 0.1f, sgd);
        losses[m] = n.trainStep(x, labels, 0.1f, sgd).loss();
      }
    }
    assertEquals(losses[0], losses[1], 1e-4, model);
  }

  @Test
  void refusesAMaxPoolOfAnotherWindow() {
    ConvNet net = small("cnn-imagenet", 1, 2).at(List.of(8, 8, 8), 16);
    List<ConvOp> ops = new java.util.ArrayList<>(net.ops());
    for (int i = 0; i < ops.size(); i++) {
      ConvOp o = ops.get(i);
      if (o.kind() == ConvOp.Kind.MAX_POOL) {
        ops.set(
            i,
            new ConvOp(
                o.name(),
                o.kind(),
                o.input(),
                o.shortcut(),
                o.inChannels(),
                o.outChannels(),
                2,
                2,
                0,
                o.inSize(),
                o.outSize(),
                false));
      }
    }
    ConvNet other = new ConvNet(net.spec(), net.stageWidths(), net.resolution(), ops);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                RelationalConvNet.create(
                    JAVA, other, ClassicGenerators.complete(4), ExecutionMode.MASKED, 1));
    assertTrue(e.getMessage().contains("stem.pool: max pooling 2x2"), e.getMessage());
  }
}
