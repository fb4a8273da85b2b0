package org.relgraph.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import org.relgraph.graph.GraphIO;
import org.relgraph.graph.GraphMeasures;
import org.relgraph.graph.RelationalGraph;
import org.relgraph.io.CsvText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code relgraph measure FILE...}: the measures of graph files as CSV. */
@Command(
    name = "measure",
    mixinStandardHelpOptions = true,
    description = {
      "Measure graph files (edge list, 0/1 adjacency matrix or GraphML, recognised from the"
          + " content) and print CSV, one row per file.",
      "Directed graphs are measured on their symmetrised graph; 'edges' counts its edges.",
      "A disconnected graph has no path length or diameter: those cells stay empty."
    })
final class MeasureCommand implements Runnable {
  /** The CSV header. */
  static final String HEADER =
      "graph,nodes,edges,clustering,path_length,efficiency,diameter,density,degree_mean,"
          + "degree_std,directed";

  @Spec CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "Graph files.")
  List<Path> files;

  @Override
  public void run() {
    PrintWriter out = spec.commandLine().getOut();
    StringBuilder csv = new StringBuilder(HEADER).append('\n');
    for (Path file : files) {
      RelationalGraph g = GraphIO.read(file);
      GraphMeasures.Measures m = GraphMeasures.of(g);
      csv.append(CsvText.field(file.toString()))
          .append(',')
          .append(m.nodes())
          .append(',')
          .append(m.edges())
          .append(',')
          .append(m.clustering())
          .append(',')
          .append(m.pathLength().isPresent() ? Double.toString(m.pathLength().getAsDouble()) : "")
          .append(',')
          .append(m.efficiency())
          .append(',')
          .append(m.diameter().isPresent() ? Integer.toString(m.diameter().getAsInt()) : "")
          .append(',')
          .append(m.density())
          .append(',')
          .append(m.degreeMean())
          .append(',')
          .append(m.degreeStd())
          .append(',')
          .append(g.isDirected())
          .append('\n');
    }
    // All files are read before anything is printed: one bad file gives one error line, no
    // half-printed table.
    out.print(csv);
    out.flush();
  }
}
