package org.relgraph.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relgraph.train.RunConfig;
import org.relgraph.train.RunConfigTest;
import org.sqlite.SQLiteConfig;

/**
 * The committed study databases resume: the configuration key that {@link RunConfig} builds for
 * each study's command is the one stored in its rows, and the sweep that command starts names every
 * stored run by its stored key, so it skips them all. The databases are read from copies, opened
 * immutable and read-only (the originals may be growing under a sweep).
 */
class StudyKeysTest {
  /** What {@code relgraph sweep --dataset fashion-mnist --epochs 10 ...} runs: the paper's MLP. */
  private static final RunConfig STUDY = RunConfigTest.paper();

  private record Row(String runKey, String configKey, String model, String graphFile, int seed) {}

  @Test
  void fashionMnistStudyResumesUnderItsKeys(@TempDir Path tmp) throws Exception {
    List<Row> rows = read(study("fashion-mnist-mlp"), tmp);
    check(
        rows,
        SweepGraphs.load(
            List.of("paper:52", "brain:cat", "brain:macaque-visual", "brain:macaque-whole")));
  }

  @Test
  void priorVersusLearningStudyResumesUnderItsKeys(@TempDir Path tmp) throws Exception {
    List<Row> rows = read(study("prior-vs-learning"), tmp);
    Set<String> files = new TreeSet<>();
    for (Row r : rows) {
      if (r.graphFile() != null) {
        files.add(root().resolve(r.graphFile()).toString());
      }
    }
    assertFalse(files.isEmpty());
    check(rows, SweepGraphs.load(new ArrayList<>(files)));
  }

  private static void check(List<Row> rows, List<SweepGraph> graphs) {
    Set<Integer> seeds = new TreeSet<>();
    for (Row r : rows) {
      assertEquals(STUDY.configKey(), r.configKey(), r.runKey());
      assertEquals(STUDY.model(), r.model(), r.runKey());
      seeds.add(r.seed());
    }
    SweepSpec sweep =
        new SweepSpec(graphs, new ArrayList<>(seeds), STUDY.configKey(), STUDY.model(), true);
    Set<String> planned = new HashSet<>();
    for (SweepSpec.Run run : sweep.runs()) {
      planned.add(run.key());
    }
    for (Row r : rows) {
      assertTrue(planned.contains(r.runKey()), "the sweep would train again: " + r.runKey());
    }
  }

  private static Path study(String name) {
    return root().resolve("docs/studies").resolve(name).resolve("results.db");
  }

  /** The project's root: the first directory up from here that holds docs/studies. */
  private static Path root() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("docs/studies"))) {
        return p;
      }
    }
    throw new IllegalStateException("no docs/studies above " + Path.of("").toAbsolutePath());
  }

  /** Every row of a copy of {@code db}, opened immutable and read-only. */
  private static List<Row> read(Path db, Path tmp) throws Exception {
    Path copy = tmp.resolve("results.db");
    Files.copy(db, copy);
    SQLiteConfig config = new SQLiteConfig();
    config.setReadOnly(true);
    List<Row> rows = new ArrayList<>();
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:sqlite:" + copy.toUri() + "?mode=ro&immutable=1", config.toProperties());
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery("SELECT run_key, config_key, model, graph_file, train_seed FROM runs")) {
      while (r.next()) {
        rows.add(
            new Row(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getInt(5)));
      }
    } catch (SQLException e) {
      throw new AssertionError(db + ": " + e.getMessage(), e);
    }
    assertFalse(rows.isEmpty(), db + " holds no runs");
    return rows;
  }
}
