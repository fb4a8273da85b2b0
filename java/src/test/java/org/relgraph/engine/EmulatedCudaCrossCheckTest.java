package org.relgraph.engine;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.relgraph.engine.cuda.CudaBackend;
import org.relgraph.engine.cuda.EmulatedDevice;
import org.relgraph.graph.ClassicGenerators;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.graph.WsFlex;
import org.relgraph.model.ChannelPartition;

/**
 * The emulated CUDA backend's three block-sparse products against {@link JavaBackend} on the
 * layouts the kernels find hardest: partitions far from even (a 1-channel node beside wide ones,
 * nodes wider than a tile, the 24/25 split of width 1539), rectangular layers, batches that end
 * inside a tile, and patterns from the diagonal alone to complete, directed ones included. (The
 * contract suite covers batch 1, 3, 17, 128, 257 over n = 1, 2, 16, 64, 100.)
 */
class EmulatedCudaCrossCheckTest {
  private final List<Backend> made = new ArrayList<>();

  private Backend cuda() {
    Backend b = new CudaBackend(new EmulatedDevice());
    made.add(b);
    return b;
  }

  @AfterEach
  void close() {
    made.forEach(Backend::close);
  }

  @Test
  void unevenPartitionsEveryPattern() {
    Backend b = cuda();
    ChannelPartition[][] partitions = {
      {ChannelPartition.ofSizes(1, 40, 3, 33), ChannelPartition.ofSizes(70, 1, 2, 5)},
      {ChannelPartition.ofSizes(33, 31, 65, 1), ChannelPartition.ofSizes(9, 64, 32, 2)},
      {ChannelPartition.ofSizes(2, 1, 1, 1), ChannelPartition.ofSizes(1, 1, 1, 97)},
    };
    long seed = 100;
    for (ChannelPartition[] p : partitions) {
      for (RelationalGraph g : BackendContractTest.patterns(4, seed)) {
        try (BlockSparseLayout l = BlockSparseLayout.of(g, p[0], p[1])) {
          for (int batch : new int[] {1, 63, 65, 130}) {
            BackendContractTest.checkLayer(b, l, batch, seed++, (x, op) -> {});
          }
        }
      }
    }
  }

  @Test
  void theTwentyFourTwentyFiveSplitOfWidth1539() {
    Backend b = cuda();
    ChannelPartition p = ChannelPartition.of(1539, 64, 1);
    for (RelationalGraph g :
        new RelationalGraph[] {WsFlex.generate(64, 8, 0.3, 1), RelationalGraph.empty(64, false)}) {
      try (BlockSparseLayout l = BlockSparseLayout.of(g, p, ChannelPartition.of(512, 64, 2))) {
        BackendContractTest.checkLayer(b, l, 17, 7, (x, op) -> {});
      }
    }
    try (BlockSparseLayout l =
        BlockSparseLayout.of(
            ClassicGenerators.complete(8),
            ChannelPartition.ofSizes(24, 25, 24, 25, 24, 25, 24, 25),
            ChannelPartition.ofSizes(25, 24, 25, 24, 25, 24, 25, 24))) {
      BackendContractTest.checkLayer(b, l, 129, 8, (x, op) -> {});
    }
  }
}
