package org.relgraph.graph;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The three biological networks of the paper (graph2nn's "bio" configurations), shipped with
 * relgraph: the cat cortex (52 areas), the macaque visual cortex (30) and the macaque whole cortex
 * (71), as directed 0/1 adjacency matrices (an edge u→v: area v receives from area u). Source:
 * facebookresearch/graph2nn, {@code pycls/datasets/{cat,mcvisual,mcwhole}.txt}, MIT licence; see
 * {@code org/relgraph/graph/brain/NOTICE}.
 *
 * <p>Named on the command line as {@code brain:cat}, {@code brain:macaque-visual} and {@code
 * brain:macaque-whole}. The graph read is the file's graph exactly, so a sweep keys its runs the
 * same whether it was given the name or a copy of the file.
 */
public final class BrainNetworks {
  private static final String RESOURCES = "/org/relgraph/graph/brain/";
  private static final Map<String, String> FILES =
      Map.of(
          "cat", "cat.txt",
          "macaque-visual", "macaque_visual.txt",
          "macaque-whole", "macaque_whole.txt");

  private BrainNetworks() {}

  /** The names, in the paper's order. */
  public static List<String> names() {
    return List.of("cat", "macaque-visual", "macaque-whole");
  }

  /**
   * One network by name ({@code cat}, {@code macaque-visual}, {@code macaque-whole}).
   *
   * @throws IllegalArgumentException for another name
   */
  public static RelationalGraph load(String name) {
    String file = FILES.get(name.strip().toLowerCase(Locale.ROOT));
    if (file == null) {
      throw new IllegalArgumentException(
          "no brain network '"
              + name
              + "': there are brain:cat, brain:macaque-visual and brain:macaque-whole");
    }
    try (InputStream in = BrainNetworks.class.getResourceAsStream(RESOURCES + file)) {
      if (in == null) {
        throw new IllegalStateException("resource " + RESOURCES + file + " missing from the jar");
      }
      return GraphIO.read(
          new InputStreamReader(in, StandardCharsets.UTF_8),
          "brain:" + name,
          GraphFormat.ADJACENCY_MATRIX);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
