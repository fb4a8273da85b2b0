package org.relgraph.graph;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.relgraph.io.Quoting;

/**
 * A graph named on a command line: {@code complete}, a generator with parameters such as {@code
 * ws-flex:k=8,p=0.3,seed=1} ({@code k} the average degree, {@code n} the node count, 64 unless
 * given), or the path of a graph file (edge list, adjacency matrix or GraphML; {@code file:PATH}
 * when the path contains a colon), or one of the brain networks shipped with relgraph ({@code
 * brain:cat}, {@code brain:macaque-visual}, {@code brain:macaque-whole}; {@link BrainNetworks}).
 * Generators: {@code complete}, {@code ws-flex} (k, p, seed), {@code er} (m, seed), {@code ws} (k,
 * p, seed), {@code ba} (m, seed), {@code harary} (k), {@code ring} (k).
 *
 * @param kind the generator's name, {@code file} or {@code brain}
 * @param params the parameters as given, n included (for a file: {@code path}; for a brain network:
 *     {@code name})
 * @param graph the graph
 */
public record GraphSpec(String kind, Map<String, String> params, RelationalGraph graph) {
  /** Nodes when a generator's {@code n} is not given: the paper's 64. */
  public static final int DEFAULT_NODES = 64;

  private static final Map<String, Set<String>> KEYS =
      Map.of(
          "complete", Set.of("n"),
          "ws-flex", Set.of("n", "k", "p", "seed"),
          "er", Set.of("n", "m", "seed"),
          "ws", Set.of("n", "k", "p", "seed"),
          "ba", Set.of("n", "m", "seed"),
          "harary", Set.of("n", "k"),
          "ring", Set.of("n", "k"));

  /**
   * Parses and builds a graph.
   *
   * @throws IllegalArgumentException for an unknown generator, a missing, unknown or invalid
   *     parameter
   * @throws GraphFormatException for a malformed graph file
   */
  public static GraphSpec parse(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("empty graph spec");
    }
    String s = spec.strip();
    if (s.startsWith("file:")) {
      return file(Path.of(s.substring(5)));
    }
    if (s.toLowerCase(Locale.ROOT).startsWith("brain:")) {
      String name = s.substring("brain:".length()).strip().toLowerCase(Locale.ROOT);
      return new GraphSpec("brain", Map.of("name", name), BrainNetworks.load(name));
    }
    int colon = s.indexOf(':');
    String kind = (colon < 0 ? s : s.substring(0, colon)).toLowerCase(Locale.ROOT);
    if (!KEYS.containsKey(kind)) {
      Path p = Path.of(s);
      if (colon < 0 && (Files.exists(p) || s.contains("/") || s.contains("."))) {
        return file(p);
      }
      throw new IllegalArgumentException(
          "unknown graph "
              + Quoting.quote(s, '\'')
              + ": expected complete, ws-flex:k=K,p=P,seed=S, er:..., ws:..., ba:..., harary:...,"
              + " ring:..., brain:cat|macaque-visual|macaque-whole or a graph file");
    }
    Map<String, String> params = new LinkedHashMap<>();
    if (colon >= 0) {
      for (String part : s.substring(colon + 1).split(",")) {
        String[] kv = part.split("=", 2);
        if (kv.length != 2 || kv[0].isBlank() || kv[1].isBlank()) {
          throw new IllegalArgumentException(
              "graph spec "
                  + Quoting.quote(s, '\'')
                  + ": expected key=value, got "
                  + Quoting.quote(part, '\''));
        }
        String key = kv[0].strip().toLowerCase(Locale.ROOT);
        if (!KEYS.get(kind).contains(key)) {
          throw new IllegalArgumentException(
              "graph spec "
                  + Quoting.quote(s, '\'')
                  + ": "
                  + kind
                  + " has no parameter "
                  + Quoting.quote(key, '\''));
        }
        params.put(key, kv[1].strip());
      }
    }
    Reader r = new Reader(s, params);
    int n = r.integer("n", DEFAULT_NODES);
    RelationalGraph g =
        switch (kind) {
          case "complete" -> ClassicGenerators.complete(n);
          case "ws-flex" -> WsFlex.generate(n, r.real("k"), r.real("p"), r.integer("seed", 0));
          case "er" -> ClassicGenerators.erdosRenyi(n, r.integer("m"), r.integer("seed", 0));
          case "ws" ->
              ClassicGenerators.wattsStrogatz(n, r.integer("k"), r.real("p"), r.integer("seed", 0));
          case "ba" -> ClassicGenerators.barabasiAlbert(n, r.integer("m"), r.integer("seed", 0));
          case "harary" -> ClassicGenerators.harary(r.integer("k"), n);
          case "ring" -> ClassicGenerators.ringLattice(n, r.integer("k"));
          default -> throw new AssertionError(kind);
        };
    params.putIfAbsent("n", Integer.toString(n));
    return new GraphSpec(kind, Map.copyOf(params), g);
  }

  private static GraphSpec file(Path p) {
    return new GraphSpec("file", Map.of("path", p.toString()), GraphIO.read(p));
  }

  /** A parameter's value, or null. */
  public String param(String key) {
    return params.get(key);
  }

  /** Typed parameter access with messages naming the spec. */
  private record Reader(String spec, Map<String, String> params) {
    String raw(String key) {
      String v = params.get(key);
      if (v == null) {
        throw new IllegalArgumentException(
            "graph spec " + Quoting.quote(spec, '\'') + " needs " + key + "=...");
      }
      return v;
    }

    int integer(String key) {
      String v = raw(key);
      try {
        return Integer.parseInt(v);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "graph spec "
                + Quoting.quote(spec, '\'')
                + ": "
                + key
                + " = "
                + Quoting.quote(v, '\'')
                + " is not an integer");
      }
    }

    int integer(String key, int fallback) {
      return params.containsKey(key) ? integer(key) : fallback;
    }

    double real(String key) {
      String v = raw(key);
      try {
        double d = Double.parseDouble(v);
        if (!Double.isFinite(d)) {
          throw new NumberFormatException();
        }
        return d;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "graph spec "
                + Quoting.quote(spec, '\'')
                + ": "
                + key
                + " = "
                + Quoting.quote(v, '\'')
                + " is not a number");
      }
    }
  }
}
