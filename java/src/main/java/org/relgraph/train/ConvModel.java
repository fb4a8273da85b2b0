package org.relgraph.train;

import org.relgraph.graph.RelationalGraph;
import org.relgraph.model.ConvNet;
import org.relgraph.nn.ExecutionMode;
import org.relgraph.nn.Network;

/**
 * A relational convolutional network with what describes it: its layout ({@link ConvNet}: the
 * model, input channels, classes, stage widths, resolution, partition seed), its graph and its
 * execution mode. What {@link ModelFile#save(ConvModel, java.nio.file.Path,
 * com.google.gson.JsonObject)} writes and {@link ModelFile#loadAny} reads back.
 *
 * @param layout the network's operations, as {@link RelationalConvNet#create} built them
 * @param graph the relational graph
 * @param mode how the relational convolutions run
 * @param network the network, which this record owns: {@link #close()} closes it
 */
public record ConvModel(ConvNet layout, RelationalGraph graph, ExecutionMode mode, Network network)
    implements AutoCloseable {

  /** Builds the network of {@code layout} over {@code graph} ({@link RelationalConvNet#create}). */
  public static ConvModel create(
      org.relgraph.engine.Backend backend,
      ConvNet layout,
      RelationalGraph graph,
      ExecutionMode mode,
      long seed) {
    return new ConvModel(
        layout, graph, mode, RelationalConvNet.create(backend, layout, graph, mode, seed));
  }

  /** The widest stage's channels. */
  public int width() {
    return layout.stageWidths().get(layout.stageWidths().size() - 1);
  }

  /** Closes the network. */
  @Override
  public void close() {
    network.close();
  }
}
