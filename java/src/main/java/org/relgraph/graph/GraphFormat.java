package org.relgraph.graph;

/** The graph file formats {@link GraphIO} reads and writes. */
public enum GraphFormat {
  /**
   * One edge {@code u v} per line (0-based node indices); {@code #} starts a comment; an optional
   * {@code # relgraph nodes=N directed=true|false} header sets the node count and directedness.
   */
  EDGE_LIST,
  /**
   * One row of {@code 0}/{@code 1} characters per line, {@code n} rows of {@code n} columns; row
   * {@code u}, column {@code v} is the arc {@code u -> v}. Directed exactly when not symmetric.
   */
  ADJACENCY_MATRIX,
  /** GraphML XML with one {@code <graph>}; directedness from its {@code edgedefault}. */
  GRAPHML
}
