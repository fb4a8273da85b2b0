package org.relgraph.train;

import org.junit.jupiter.api.Test;
import org.relgraph.engine.Backend;
import org.relgraph.engine.JavaBackend;
import org.relgraph.engine.cuda.CudaBackend;
import org.relgraph.engine.cuda.EmulatedDevice;
import org.relgraph.graph.ClassicGenerators;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.graph.WsFlex;
import org.relgraph.model.BudgetMatching;
import org.relgraph.nn.ExecutionMode;

/**
 * Whole training steps of a FLOP-matched relational MLP on the emulated CUDA backend against the
 * Java reference: three SGD steps (Nesterov momentum, weight decay), then the gradients of a fourth
 * batch and the whole state, in the block-sparse and masked modes, and dense on the complete graph.
 */
class EmulatedCudaTrainingTest {
  @Test
  void trainingStepsMatchTheReferenceInEveryMode() {
    Backend java = new JavaBackend();
    RelationalGraph directed =
        RelationalGraph.builder(5, true).addEdge(0, 3).addEdge(3, 1).addEdge(4, 2).build();
    RelationalGraph complete = ClassicGenerators.complete(8);
    try (Backend cuda = new CudaBackend(new EmulatedDevice())) {
      for (RelationalGraph g :
          new RelationalGraph[] {WsFlex.generate(8, 3, 0.4, 2), directed, complete}) {
        int width = BudgetMatching.match(RelationalMlpTest.SPEC, g).width();
        RelationalMlpTest.Run ref =
            RelationalMlpTest.run(java, g, width, ExecutionMode.BLOCKSPARSE);
        RelationalMlpTest.assertSameRun(
            ref,
            RelationalMlpTest.run(cuda, g, width, ExecutionMode.BLOCKSPARSE),
            "cuda blocksparse " + g);
        RelationalMlpTest.assertSameRun(
            ref, RelationalMlpTest.run(cuda, g, width, ExecutionMode.MASKED), "cuda masked " + g);
        if (g == complete) {
          RelationalMlpTest.assertSameRun(
              ref, RelationalMlpTest.run(cuda, g, width, ExecutionMode.DENSE), "cuda dense");
        }
      }
    }
  }
}
