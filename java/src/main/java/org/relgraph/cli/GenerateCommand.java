package org.relgraph.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Supplier;
import org.relgraph.graph.ClassicGenerators;
import org.relgraph.graph.GraphFormat;
import org.relgraph.graph.GraphIO;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.graph.WsFlex;
import org.relgraph.io.OutputFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code relgraph generate GENERATOR ...}: one graph, printed or written to a file. */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description = "Generate one graph and print it (edge list, u < v, 0-based) or write it.",
    subcommands = {
      GenerateCommand.WsFlexCommand.class,
      GenerateCommand.ErCommand.class,
      GenerateCommand.WsCommand.class,
      GenerateCommand.BaCommand.class,
      GenerateCommand.HararyCommand.class,
      GenerateCommand.RingCommand.class,
      GenerateCommand.CompleteCommand.class
    })
final class GenerateCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "missing generator: ws-flex, er, ws, ba, harary, ring or complete");
  }

  /** The node count every generator takes. */
  static final class Nodes {
    @Option(
        names = {"-n", "--nodes"},
        required = true,
        paramLabel = "N",
        description = "Number of nodes.")
    int n;
  }

  /** The rewiring probability of the Watts-Strogatz-like generators. */
  static final class Rewire {
    @Option(
        names = {"-p", "--rewire"},
        required = true,
        paramLabel = "P",
        description = "Rewiring probability in [0, 1].")
    double p;
  }

  /** The seed of the randomised generators. */
  static final class Seed {
    @Option(
        names = {"-s", "--seed"},
        defaultValue = "0",
        paramLabel = "SEED",
        description = "Seed of the Python-compatible random stream (default: ${DEFAULT-VALUE}).")
    long value;
  }

  /** Options every generator shares: where the graph goes and in which format. */
  static final class Output {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(
        names = "--format",
        defaultValue = "edgelist",
        description = "edgelist, matrix or graphml (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(
        names = {"-o", "--out"},
        description = "Write to this file instead of standard output.")
    Path out;

    /**
     * Checks the format and the output path, then generates the graph and prints or writes it: a
     * mistake in the options is reported before a large graph is generated.
     */
    void emit(Supplier<RelationalGraph> generator, String comment) {
      GraphFormat f =
          switch (format.toLowerCase(Locale.ROOT)) {
            case "edgelist", "edge-list" -> GraphFormat.EDGE_LIST;
            case "matrix", "adjacency" -> GraphFormat.ADJACENCY_MATRIX;
            case "graphml" -> GraphFormat.GRAPHML;
            default ->
                throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(),
                    "--format = " + format + " is not one of edgelist, matrix, graphml");
          };
      if (out != null) {
        OutputFiles.checkFile(out, "-o");
      }
      RelationalGraph g = generator.get();
      if (out == null) {
        PrintWriter w = spec.commandLine().getOut();
        GraphIO.write(g, w, f, comment);
        w.flush();
        if (w.checkError()) {
          throw new UncheckedIOException(
              new IOException("cannot write the graph to standard output"));
        }
        return;
      }
      try {
        // A regular file is replaced atomically: a failed write never leaves half a graph in place.
        OutputFiles.writeText(out, w -> GraphIO.write(g, w, f, comment));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
      }
    }
  }

  @Command(
      name = "ws-flex",
      mixinStandardHelpOptions = true,
      description = "WS-flex graph of the paper: real average degree, rewiring, Python stream.")
  static final class WsFlexCommand implements Runnable {
    @Mixin Nodes nodes;

    @Option(
        names = {"-k", "--degree"},
        required = true,
        description = "Average degree, a real number in [2, n-1].")
    double degree;

    @Mixin Rewire rewire;

    @Mixin Seed seed;

    @Mixin Output output;

    @Override
    public void run() {
      output.emit(
          () -> WsFlex.generate(nodes.n, degree, rewire.p, seed.value),
          String.format(
              Locale.ROOT,
              "ws-flex n=%d k=%s p=%s seed=%d",
              nodes.n,
              degree,
              rewire.p,
              seed.value));
    }
  }

  @Command(
      name = "er",
      mixinStandardHelpOptions = true,
      description = "Erdos-Renyi G(n, m): uniform among graphs with exactly m edges.")
  static final class ErCommand implements Runnable {
    @Mixin Nodes nodes;

    @Option(
        names = {"-m", "--edges"},
        required = true,
        description = "Number of edges, in [0, n(n-1)/2].")
    int edges;

    @Mixin Seed seed;

    @Mixin Output output;

    @Override
    public void run() {
      output.emit(
          () -> ClassicGenerators.erdosRenyi(nodes.n, edges, seed.value),
          "er n=" + nodes.n + " m=" + edges + " seed=" + seed.value);
    }
  }

  @Command(
      name = "ws",
      mixinStandardHelpOptions = true,
      description = "Watts-Strogatz small-world graph (networkx semantics).")
  static final class WsCommand implements Runnable {
    @Mixin Nodes nodes;

    @Option(
        names = {"-k", "--degree"},
        required = true,
        description = "Even degree of the ring lattice, 2 <= k < n.")
    int degree;

    @Mixin Rewire rewire;

    @Mixin Seed seed;

    @Mixin Output output;

    @Override
    public void run() {
      output.emit(
          () -> ClassicGenerators.wattsStrogatz(nodes.n, degree, rewire.p, seed.value),
          "ws n=" + nodes.n + " k=" + degree + " p=" + rewire.p + " seed=" + seed.value);
    }
  }

  @Command(
      name = "ba",
      mixinStandardHelpOptions = true,
      description = "Barabasi-Albert preferential attachment (networkx semantics).")
  static final class BaCommand implements Runnable {
    @Mixin Nodes nodes;

    @Option(
        names = {"-m", "--attach"},
        required = true,
        description = "Edges from each new node, 1 <= m < n.")
    int attach;

    @Mixin Seed seed;

    @Mixin Output output;

    @Override
    public void run() {
      output.emit(
          () -> ClassicGenerators.barabasiAlbert(nodes.n, attach, seed.value),
          "ba n=" + nodes.n + " m=" + attach + " seed=" + seed.value);
    }
  }

  @Command(
      name = "harary",
      mixinStandardHelpOptions = true,
      description = "Harary graph: k-connected with the fewest edges, ceil(k n / 2).")
  static final class HararyCommand implements Runnable {
    @Mixin Nodes nodes;

    @Option(
        names = {"-k", "--connectivity"},
        required = true,
        description = "Vertex connectivity, 1 <= k < n.")
    int connectivity;

    @Mixin Output output;

    @Override
    public void run() {
      output.emit(
          () -> ClassicGenerators.harary(connectivity, nodes.n),
          "harary n=" + nodes.n + " k=" + connectivity);
    }
  }

  @Command(
      name = "ring",
      mixinStandardHelpOptions = true,
      description = "Ring lattice: each node linked to its k/2 nearest neighbours on each side.")
  static final class RingCommand implements Runnable {
    @Mixin Nodes nodes;

    @Option(
        names = {"-k", "--degree"},
        required = true,
        description = "Even degree, 2 <= k <= n-1.")
    int degree;

    @Mixin Output output;

    @Override
    public void run() {
      output.emit(
          () -> ClassicGenerators.ringLattice(nodes.n, degree),
          "ring n=" + nodes.n + " k=" + degree);
    }
  }

  @Command(
      name = "complete",
      mixinStandardHelpOptions = true,
      description = "Complete graph: the dense baseline.")
  static final class CompleteCommand implements Runnable {
    @Mixin Nodes nodes;

    @Mixin Output output;

    @Override
    public void run() {
      output.emit(() -> ClassicGenerators.complete(nodes.n), "complete n=" + nodes.n);
    }
  }
}
