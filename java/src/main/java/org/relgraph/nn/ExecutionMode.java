package org.relgraph.nn;

import java.util.Locale;

/** How a relational layer runs; every mode computes the same function of the same weights. */
public enum ExecutionMode {
  /** Only the graph's blocks are stored and multiplied (relgraph's kernels). */
  BLOCKSPARSE,
  /** Dense weights times a 0/1 mask before every product: the paper's method. */
  MASKED,
  /** Dense weights: the complete graph only. */
  DENSE;

  /** The name used on the command line and in results: lower case. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a label, case-insensitively. */
  public static ExecutionMode parse(String s) {
    for (ExecutionMode m : values()) {
      if (m.label().equalsIgnoreCase(s.strip())) {
        return m;
      }
    }
    throw new IllegalArgumentException("mode '" + s + "' is not one of blocksparse, masked, dense");
  }
}
