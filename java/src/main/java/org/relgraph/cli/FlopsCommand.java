package org.relgraph.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.stream.Collectors;
import org.relgraph.graph.ClassicGenerators;
import org.relgraph.graph.GraphSpec;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.model.ConvFlops;
import org.relgraph.model.ConvMatching;
import org.relgraph.model.ConvNet;
import org.relgraph.model.ConvNetSpec;
import org.relgraph.model.ConvOp;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code relgraph flops}: a convolutional model's FLOPs and parameters over a graph, and the stage
 * widths that match its complete-graph baseline (docs/models.md). Needs no layers: the counts come
 * from {@link ConvNetSpec}, {@link ConvFlops} and {@link ConvMatching}.
 */
@Command(
    name = "flops",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Count a convolutional model's multiply-adds per image and parameters over a relational"
          + " graph (existing blocks only), against its complete-graph baseline, and the stage"
          + " widths that match the baseline's FLOPs as the paper did (docs/models.md).",
      "Models: cnn, cnn-imagenet, resnet20, resnet34, resnet34-sep, resnet50."
    })
final class FlopsCommand implements Runnable {
  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "MODEL", description = "The model.")
  String model;

  @Option(
      names = "--graph",
      paramLabel = "SPEC",
      description =
          "The relational graph (as in 'train'; default: the complete graph on 64 nodes, or on as"
              + " many as the narrowest layer has channels when fewer: 16 for resnet20).")
  String graph;

  @Option(
      names = "--resolution",
      paramLabel = "PIXELS",
      description = "Input side (default: the model's, 32 or 224).")
  Integer resolution;

  @Option(
      names = "--channels",
      paramLabel = "C",
      description = "Input channels (default 3; 1 for Fashion-MNIST and MNIST).")
  Integer channels;

  @Option(
      names = "--classes",
      paramLabel = "K",
      description = "Output classes (default: the model's, 10 or 1000).")
  Integer classes;

  @Option(
      names = "--no-match",
      description = "Count the graph's network at the baseline widths only, without matching.")
  boolean noMatch;

  @Option(names = "--layers", description = "Also print the layers, one per line.")
  boolean layers;

  @Override
  public void run() {
    ConvNetSpec s = ConvNetSpec.named(model);
    checkPositive("--channels", channels);
    checkPositive("--classes", classes);
    if (channels != null || classes != null) {
      s =
          s.withInput(
              channels == null ? s.inputChannels() : channels,
              classes == null ? s.classes() : classes);
    }
    int res = resolution == null ? s.resolution() : resolution;
    if (res < 1 || res > ConvNetSpec.MAX_RESOLUTION) {
      throw new IllegalArgumentException(
          "--resolution = " + res + " outside [1, " + ConvNetSpec.MAX_RESOLUTION + "]");
    }
    RelationalGraph g;
    String graphName;
    if (graph == null) {
      int n = Math.min(ConvNetSpec.DEFAULT_NODES, s.maxNodes());
      g = ClassicGenerators.complete(n);
      graphName = "complete";
    } else {
      g = GraphSpec.parse(graph).graph();
      graphName = graph.strip();
    }
    ConvNet base = s.baseline(res);
    ConvFlops.Complexity baseline = ConvFlops.dense(base);
    ConvMatching.Match m =
        noMatch ? ConvMatching.at(s, g, s.stageWidths(), res) : ConvMatching.match(s, g, res);
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        "model %s: %s; %dx%dx%d, %d classes%n",
        s.name(), s.description(), s.inputChannels(), res, res, s.classes());
    out.printf("graph %s: %d nodes, %d edges%n", graphName, g.nodeCount(), g.edgeCount());
    out.printf(
        "baseline  widths %s: %,d multiply-adds, %,d parameters%n",
        widths(s.stageWidths()), baseline.flops(), baseline.params());
    out.printf(
        "%s widths %s: %,d multiply-adds (%+.3f%%), %,d parameters%n",
        noMatch ? "unmatched" : "matched  ",
        widths(m.stageWidths()),
        m.flops(),
        100 * m.deviation(),
        m.params());
    if (layers) {
      List<ConvOp> ops = s.at(m.stageWidths(), res).ops();
      for (ConvOp o : ops) {
        out.printf(
            "  %-16s %-15s %5d -> %5d  k%d s%d  %dx%d -> %dx%d%s%s%n",
            o.name(),
            o.kind().name().toLowerCase(java.util.Locale.ROOT),
            o.inChannels(),
            o.outChannels(),
            o.kernel(),
            o.stride(),
            o.inSize(),
            o.inSize(),
            o.outSize(),
            o.outSize(),
            o.shortcut() >= 0 ? "  + " + ops.get(o.shortcut()).name() : "",
            o.relu() ? "  relu" : "");
      }
    }
    out.flush();
  }

  private static void checkPositive(String option, Integer value) {
    if (value != null && value < (option.equals("--classes") ? 2 : 1)) {
      throw new IllegalArgumentException(
          option + " = " + value + " must be at least " + (option.equals("--classes") ? 2 : 1));
    }
  }

  private static String widths(List<Integer> w) {
    return w.stream().map(String::valueOf).collect(Collectors.joining(","));
  }
}
