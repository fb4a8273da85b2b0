package org.relgraph.space;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.relgraph.io.CsvText;
import org.relgraph.io.OutputFiles;

/** Writes a swept design space and its samples as CSV files. */
public final class DesignSpaceFiles {
  /** Header of the sweep's CSV. */
  public static final String GRAPHS_HEADER = "generator,n,k,p,seed,clustering,path_length";

  /** Header of a sample, the columns of the paper's released graph sets. */
  public static final String SAMPLE_HEADER = "n,k_over_n,p,seed,clustering,path_length";

  private DesignSpaceFiles() {}

  /**
   * Writes every connected graph of the sweep, one row each, to {@code file} (through a temporary
   * file, so a reader never sees half a file).
   */
  public static void writeGraphs(DesignSpace.Result space, Path file) throws IOException {
    int n = space.config().nodes();
    String prefix = CsvText.field("ws-flex") + "," + n + ",";
    String[] degreeText = new String[space.config().degreeSteps()];
    double[] degrees = space.config().degrees();
    for (int i = 0; i < degrees.length; i++) {
      degreeText[i] = Double.toString(degrees[i]);
    }
    double[] probabilities = space.config().probabilities();
    String[] probabilityText = new String[probabilities.length];
    for (int i = 0; i < probabilities.length; i++) {
      probabilityText[i] = Double.toString(probabilities[i]);
    }
    int seeds = space.config().seeds();
    atomically(
        file,
        out -> {
          out.write(GRAPHS_HEADER);
          out.write('\n');
          StringBuilder line = new StringBuilder(128);
          for (int i = 0; i < space.size(); i++) {
            double c = space.clustering(i);
            if (Double.isNaN(c)) {
              continue;
            }
            line.setLength(0);
            line.append(prefix)
                .append(degreeText[space.degreeStep(i)])
                .append(',')
                .append(probabilityText[space.probabilityStep(i)])
                .append(',')
                .append(i % seeds)
                .append(',')
                .append(c)
                .append(',')
                .append(space.pathLength(i))
                .append('\n');
            out.append(line);
          }
        });
  }

  /** Writes the graphs {@code indices} of the sweep in the paper's graph-set format. */
  public static void writeSample(DesignSpace.Result space, int[] indices, Path file)
      throws IOException {
    int n = space.config().nodes();
    atomically(
        file,
        out -> {
          out.write(SAMPLE_HEADER);
          out.write('\n');
          for (int i : indices) {
            out.write(
                n
                    + ","
                    + space.degree(i) / n
                    + ","
                    + space.probability(i)
                    + ","
                    + space.seed(i)
                    + ","
                    + space.clustering(i)
                    + ","
                    + space.pathLength(i)
                    + "\n");
          }
        });
  }

  /** Writes the classic generators' graphs; {@code p} and {@code path_length} may be empty. */
  public static void writeClassic(List<ClassicCoverage.Row> rows, Path file) throws IOException {
    atomically(
        file,
        out -> {
          out.write(GRAPHS_HEADER);
          out.write('\n');
          for (ClassicCoverage.Row r : rows) {
            out.write(
                CsvText.field(r.generator())
                    + ","
                    + r.n()
                    + ","
                    + r.k()
                    + ","
                    + (Double.isNaN(r.p()) ? "" : Double.toString(r.p()))
                    + ","
                    + r.seed()
                    + ","
                    + r.clustering()
                    + ","
                    + (Double.isNaN(r.pathLength()) ? "" : Double.toString(r.pathLength()))
                    + "\n");
          }
        });
  }

  /** Something that writes a whole text file. */
  @FunctionalInterface
  public interface Body {
    void write(Writer out) throws IOException;
  }

  /** Writes {@code file} through {@link OutputFiles#writeText} (atomic for regular files). */
  public static void atomically(Path file, Body body) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    OutputFiles.writeText(file, body::write);
  }
}
