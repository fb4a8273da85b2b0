package org.relgraph.analysis;

import java.util.Map;

/**
 * Names for graphs a sweep read from files: the brain networks shipped with relgraph go by their
 * command-line names ({@code brain:cat}, {@code brain:macaque-visual}, {@code brain:macaque-whole})
 * whether the sweep was given the name or the network's file ({@code .../brain/cat.txt}).
 */
public final class GraphNames {
  private static final Map<String, String> BRAIN_FILES =
      Map.of(
          "cat.txt", "brain:cat",
          "macaque_visual.txt", "brain:macaque-visual",
          "macaque_whole.txt", "brain:macaque-whole");

  private GraphNames() {}

  /**
   * The name of the graph read from {@code graphFile}, or null when it has none: a {@code brain:}
   * name as given, or a shipped brain network's file in a folder named {@code brain}.
   */
  public static String of(String graphFile) {
    if (graphFile == null) {
      return null;
    }
    if (graphFile.startsWith("brain:")) {
      return graphFile;
    }
    String[] parts = graphFile.split("[/\\\\]");
    if (parts.length >= 2 && parts[parts.length - 2].equals("brain")) {
      return BRAIN_FILES.get(parts[parts.length - 1]);
    }
    return null;
  }
}
