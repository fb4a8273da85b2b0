package org.relgraph.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import org.relgraph.analysis.Analysis;
import org.relgraph.analysis.AnalysisPlots;
import org.relgraph.analysis.ResultRow;
import org.relgraph.analysis.SweetSpot;
import org.relgraph.engine.JavaBackend;
import org.relgraph.graph.GraphFormat;
import org.relgraph.graph.GraphIO;
import org.relgraph.graph.GraphMeasures;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.io.CsvText;
import org.relgraph.io.OutputFiles;
import org.relgraph.train.GraphExtraction;
import org.relgraph.train.ModelFile;
import org.relgraph.train.RelationalMlp;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code relgraph extract}: the relational graph a trained model's weights hold (the paper's "prior
 * vs. learning", Fig. 7); see {@link GraphExtraction}.
 */
@Command(
    name = "extract",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Read relational graphs back out of trained models (the paper's Fig. 7): the relational"
          + " layers' weights are cut into node blocks by the model's channel partition, each"
          + " block is summed with its transpose's block, the edge value is the Frobenius norm over"
          + " all layers, and a threshold binarises it.",
      "Writes DIR/graphs.csv (model, threshold, degrees, C, L), one edge list per graph, and"
          + " DIR/extracted.png/svg: the graphs on the (C, L) plane, over the sweet-spot heat map"
          + " of --results/--db when given, else over the paper's CIFAR-10 sweet spot."
    })
final class ExtractCommand implements Callable<Integer> {
  /** The paper's MLP sweet spot on CIFAR-10 (its own results file, per bin). */
  static final SweetSpot.Range PAPER_C = new SweetSpot.Range(0.100, 0.500);

  static final SweetSpot.Range PAPER_L = new SweetSpot.Range(1.817, 2.750);

  /** Columns of graphs.csv. */
  static final String HEADER =
      "model,threshold,target_degree,average_degree,edges,clustering,path_length,file";

  @Spec CommandSpec spec;

  @Option(
      names = "--model",
      required = true,
      arity = "1..*",
      paramLabel = "FILE",
      description =
          "Model files saved by 'relgraph train --save' (several: snapshots in training order).")
  List<Path> models;

  static final class Cuts {
    @Option(
        names = "--thresholds",
        split = ",",
        paramLabel = "T",
        description = "Edge-value thresholds: u-v is an edge when its value exceeds T.")
    double[] thresholds;

    @Option(
        names = "--degrees",
        split = ",",
        paramLabel = "D",
        description =
            "Average degrees to reach: the threshold keeps the round(D*n/2) largest edge values"
                + " (default: 8,16,32).")
    double[] degrees;
  }

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Cuts cuts;

  @Option(
      names = {"-o", "--out"},
      required = true,
      paramLabel = "DIR",
      description = "Output directory (created if needed).")
  Path out;

  /** The results whose heat map the figure draws: AnalyzeCommand's --results or --db. */
  @ArgGroup(exclusive = true, multiplicity = "0..1")
  AnalyzeCommand.Input heat;

  @Option(
      names = "--results-model",
      paramLabel = "NAME",
      description = "Model of the results to analyse (default: the only one).")
  String resultsModel;

  @Override
  public Integer call() throws IOException {
    double[] degrees = cuts == null || cuts.thresholds == null ? degrees() : null;
    double[] thresholds = degrees == null ? cuts.thresholds : null;
    for (double t : thresholds == null ? new double[0] : thresholds) {
      if (!Double.isFinite(t) || t < 0) {
        throw new IllegalArgumentException("--thresholds: " + t + " is not a number >= 0");
      }
    }
    OutputFiles.checkDirectory(out, "--out", "graphs.csv", "extracted.png", "extracted.svg");
    SweetSpot.Result heatMap = null;
    if (heat != null) {
      List<ResultRow> rows = heat.rows();
      heatMap = Analysis.of(rows, new Analysis.Options(resultsModel, null, null, null)).result();
    }

    List<Row> rows = new ArrayList<>();
    for (Path model : models) {
      double[][] values;
      ModelFile.Loaded loaded = ModelFile.load(model, new JavaBackend(), null);
      try (RelationalMlp net = loaded.net()) {
        values =
            GraphExtraction.edgeValues(
                net.state(), net.spec(), net.graph().nodeCount(), net.width());
      }
      List<GraphExtraction.Extracted> graphs =
          degrees != null
              ? GraphExtraction.atDegrees(values, degrees)
              : GraphExtraction.atThresholds(values, thresholds);
      for (int i = 0; i < graphs.size(); i++) {
        GraphExtraction.Extracted e = graphs.get(i);
        Double target = degrees != null ? degrees[i] : null;
        rows.add(new Row(model, target, e));
      }
    }

    Files.createDirectories(out);
    PrintWriter stdout = spec.commandLine().getOut();
    StringWriter csv = new StringWriter();
    csv.write(HEADER + "\n");
    for (Row r : rows) {
      String name = edgeListName(r);
      GraphIO.write(r.extracted.graph(), out.resolve(name), GraphFormat.EDGE_LIST);
      csv.write(
          String.join(
                  ",",
                  CsvText.field(r.model.toString()),
                  number(r.extracted.threshold()),
                  r.target == null ? "" : number(r.target),
                  number(r.averageDegree()),
                  Integer.toString(r.extracted.graph().edgeCount()),
                  number(r.clustering()),
                  Double.isNaN(r.pathLength()) ? "" : number(r.pathLength()),
                  CsvText.field(name))
              + "\n");
      stdout.printf(
          Locale.ROOT,
          "%s: threshold %.6g, average degree %.3f, C %.4f, L %s -> %s%n",
          r.model,
          r.extracted.threshold(),
          r.averageDegree(),
          r.clustering(),
          Double.isNaN(r.pathLength())
              ? "none (disconnected)"
              : String.format(Locale.ROOT, "%.4f", r.pathLength()),
          out.resolve(name));
    }
    OutputFiles.writeString(out.resolve("graphs.csv"), csv.toString());

    List<AnalysisPlots.Trail> trails = trails(rows, degrees, thresholds);
    String title =
        "Graphs extracted from "
            + (models.size() == 1 ? models.get(0).getFileName() : models.size() + " snapshots");
    Path figure = out.resolve("extracted");
    if (heatMap != null) {
      AnalysisPlots.heatMap(figure, title, heatMap, trails);
    } else {
      AnalysisPlots.trails(figure, title, PAPER_C, PAPER_L, "paper's CIFAR-10 sweet spot", trails);
    }
    stdout.println(
        "wrote "
            + out.resolve("graphs.csv")
            + ", "
            + rows.size()
            + " edge lists and "
            + figure
            + ".png/.svg");
    stdout.flush();
    return 0;
  }

  private double[] degrees() {
    double[] d = cuts != null && cuts.degrees != null ? cuts.degrees : new double[] {8, 16, 32};
    for (double v : d) {
      if (!Double.isFinite(v) || v < 0) {
        throw new IllegalArgumentException("--degrees: " + v + " is not a number >= 0");
      }
    }
    return d;
  }

  /** One trail per degree (or threshold), through the snapshots in order. */
  private List<AnalysisPlots.Trail> trails(List<Row> rows, double[] degrees, double[] thresholds) {
    double[] cuts = degrees != null ? degrees : thresholds;
    List<AnalysisPlots.Trail> trails = new ArrayList<>();
    for (int i = 0; i < cuts.length; i++) {
      double[] c = new double[models.size()];
      double[] l = new double[models.size()];
      for (int m = 0; m < models.size(); m++) {
        Row r = rows.get(m * cuts.length + i);
        c[m] = r.clustering();
        l[m] = r.pathLength();
      }
      String name =
          (degrees != null ? "degree " : "threshold ")
              + String.format(Locale.ROOT, "%.6g", cuts[i]).replaceAll("\\.?0+$", "");
      trails.add(new AnalysisPlots.Trail(name, c, l));
    }
    return trails;
  }

  private String edgeListName(Row r) {
    String stem = r.model.getFileName().toString().replaceFirst("\\.[^.]*$", "");
    String cut =
        r.target != null
            ? "degree" + String.format(Locale.ROOT, "%.6g", r.target).replaceAll("\\.?0+$", "")
            : "threshold" + String.format(Locale.ROOT, "%.6g", r.extracted.threshold());
    int index = models.indexOf(r.model);
    return String.format(Locale.ROOT, "%02d-%s-%s.txt", index + 1, stem, cut);
  }

  private static String number(double v) {
    return Double.toString(v);
  }

  /** One extracted graph and its measures. */
  private static final class Row {
    final Path model;
    final Double target;
    final GraphExtraction.Extracted extracted;
    final GraphMeasures.Measures measures;

    Row(Path model, Double target, GraphExtraction.Extracted extracted) {
      this.model = model;
      this.target = target;
      this.extracted = extracted;
      this.measures = GraphMeasures.of(extracted.graph());
    }

    double averageDegree() {
      RelationalGraph g = extracted.graph();
      return g.nodeCount() == 0 ? 0 : 2.0 * g.edgeCount() / g.nodeCount();
    }

    double clustering() {
      return measures.clustering();
    }

    double pathLength() {
      OptionalDouble l = measures.pathLength();
      return l.isPresent() ? l.getAsDouble() : Double.NaN;
    }
  }
}
