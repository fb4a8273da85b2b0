package org.relgraph.spark;

import java.io.Serializable;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.sweep.SweepGraph;
import org.relgraph.sweep.SweepSpec;

/**
 * One run as it travels to an executor: the run configuration in its JSON wire form (graph and seed
 * set), and what the executor needs to rebuild the graph exactly: a WS-flex graph's parameters, a
 * complete graph's size, or a file graph's edges (the file itself need not be on the executor).
 *
 * @param index the run's place in the driver's list of pending runs (its partition)
 * @param runKey the run's key, to check the graph rebuilt and to name the run in errors
 * @param configJson {@link org.relgraph.train.RunConfig#toJson()} of the run
 * @param graphKind {@link SweepGraph#kind()}
 * @param graphKey {@link SweepGraph#key()}, which the rebuilt graph must have
 * @param edges a file graph's edges, else null
 * @param fakeEpochMillis the test trainer's milliseconds per epoch
 * @param fakeFailSeed the test trainer's failing seed, or null
 * @param shipData whether the data set's files were shipped with the job (read from SparkFiles)
 */
record RunTask(
    int index,
    String runKey,
    String configJson,
    String graphKind,
    String graphKey,
    int n,
    double kOverN,
    Double p,
    Long graphSeed,
    String graphFile,
    boolean directed,
    int[][] edges,
    int trainSeed,
    long fakeEpochMillis,
    Integer fakeFailSeed,
    boolean shipData)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The task of {@code run}, the {@code index}-th pending run. */
  static RunTask of(
      int index,
      SweepSpec.Run run,
      String configJson,
      long fakeEpochMillis,
      Integer fakeFailSeed,
      boolean shipData) {
    SweepGraph g = run.graph();
    int[][] edges = null;
    if (g.kind().equals(SweepGraph.FILE)) {
      edges = g.graph().edges().toArray(int[][]::new);
    }
    return new RunTask(
        index,
        run.key(),
        configJson,
        g.kind(),
        g.key(),
        g.n(),
        g.kOverN(),
        g.p(),
        g.graphSeed(),
        g.graphFile(),
        g.graph().isDirected(),
        edges,
        run.trainSeed(),
        fakeEpochMillis,
        fakeFailSeed,
        shipData);
  }

  /**
   * The graph, rebuilt and measured.
   *
   * @throws IllegalStateException when it is not the graph the driver named (its key differs)
   */
  SweepGraph graph() {
    SweepGraph g =
        switch (graphKind) {
          case SweepGraph.WS_FLEX -> SweepGraph.wsFlex(n, kOverN, p, graphSeed);
          case SweepGraph.COMPLETE -> SweepGraph.complete(n);
          default ->
              SweepGraph.file(
                  graphFile, RelationalGraph.fromEdges(n, directed, java.util.List.of(edges)));
        };
    if (!g.key().equals(graphKey)) {
      throw new IllegalStateException(
          "the graph rebuilt on the executor is " + g.key() + ", not " + graphKey);
    }
    return g;
  }
}
