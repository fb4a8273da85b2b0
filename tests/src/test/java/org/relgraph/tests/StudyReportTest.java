package org.relgraph.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Fashion-MNIST study's committed report holds what its documented command makes of the
 * committed database: the command (from the study's README) runs on a copy of the database, and the
 * headline numbers (sweet spots per graph and per bin, baseline and best graph, the test between
 * them, the brain networks, the early-epoch correlation, the comparison with the paper's CIFAR-10
 * results) must equal the committed {@code headline.json}'s, which must in turn be the numbers
 * {@code report.md} states. After a new database is committed, rerun the command.
 */
class StudyReportTest {
  static final Path STUDY = Path.of("docs", "studies", "fashion-mnist-mlp");

  @TempDir Path dir;

  private static Path root() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("relgraph"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("project root with ./relgraph not found");
    }
    return p;
  }

  /** The study README's {@code relgraph analyze} command, continuation lines joined, as words. */
  static List<String> documentedCommand(Path readme) throws IOException {
    List<String> lines = Files.readAllLines(readme);
    StringBuilder command = null;
    for (String line : lines) {
      String l = line.strip();
      if (command == null && l.startsWith("relgraph analyze")) {
        command = new StringBuilder();
      }
      if (command != null) {
        boolean more = l.endsWith("\\");
        command.append(more ? l.substring(0, l.length() - 1) : l).append(' ');
        if (!more) {
          break;
        }
      }
    }
    assertTrue(command != null, readme + " documents no 'relgraph analyze' command");
    return new ArrayList<>(Arrays.asList(command.toString().strip().split("\\s+")));
  }

  private static String replaceValue(List<String> words, String option, String value) {
    int i = words.indexOf(option);
    assertTrue(i >= 0 && i + 1 < words.size(), "the documented command has no " + option);
    return words.set(i + 1, value);
  }

  @Test
  void committedReportIsWhatTheDocumentedCommandMakesOfTheCommittedDatabase() throws Exception {
    Path study = root().resolve(STUDY);
    List<String> words = documentedCommand(study.resolve("README.md"));
    assertEquals("relgraph", words.remove(0));
    String db = replaceValue(words, "--db", "");
    String out = replaceValue(words, "--out", "");
    assertEquals(STUDY.resolve("results.db").toString(), db, "the command reads the committed db");
    assertEquals(STUDY.toString(), out, "the command writes beside the committed db");
    Path copy = Files.copy(study.resolve("results.db"), dir.resolve("results.db"));
    Path regenerated = dir.resolve("out");
    replaceValue(words, "--db", copy.toString());
    replaceValue(words, "--out", regenerated.toString());

    Cli r = Cli.run(words.toArray(new String[0]));
    assertEquals(0, r.status(), r.err());

    JsonObject now = read(regenerated.resolve("headline.json"));
    JsonObject committed = read(study.resolve("headline.json"));
    String report = Files.readString(study.resolve("report.md"));
    assertEquals(committed.get("runs").getAsInt(), now.get("runs").getAsInt(), "runs");

    // sweet spots, per graph and per bin
    for (String mode : List.of("graph", "bin")) {
      JsonObject a = committed.getAsJsonObject("sweet_spots").getAsJsonObject(mode);
      JsonObject b = now.getAsJsonObject("sweet_spots").getAsJsonObject(mode);
      String c = range(a.getAsJsonArray("clustering"));
      String l = range(a.getAsJsonArray("path_length"));
      assertEquals(c, range(b.getAsJsonArray("clustering")), "sweet spot C per " + mode);
      assertEquals(l, range(b.getAsJsonArray("path_length")), "sweet spot L per " + mode);
      assertContains(report, "| " + c + " | " + l + " |");
    }

    // baseline and best graph, mean ± std
    for (String what : List.of("baseline", "best_graph")) {
      String a = meanStd(committed.getAsJsonObject(what));
      assertEquals(a, meanStd(now.getAsJsonObject(what)), what);
      assertContains(report, a);
    }

    // the best graph against the baseline
    JsonObject v = committed.getAsJsonObject("best_vs_baseline");
    JsonObject w = now.getAsJsonObject("best_vs_baseline");
    for (String p : List.of("p_two_sided", "p_bonferroni")) {
      assertEquals(pValue(v.get(p)), pValue(w.get(p)), p);
      if (!v.get(p).isJsonNull()) {
        assertContains(report, "p = " + pValue(v.get(p)));
      }
    }
    assertEquals(v.get("significant"), w.get("significant"), "significant");

    // the brain networks against their baselines and the best graph
    JsonArray others = committed.getAsJsonArray("others");
    JsonArray othersNow = now.getAsJsonArray("others");
    assertEquals(3, others.size(), "the three brain networks");
    assertEquals(others.size(), othersNow.size());
    for (int i = 0; i < others.size(); i++) {
      JsonObject a = others.get(i).getAsJsonObject();
      JsonObject b = othersNow.get(i).getAsJsonObject();
      String name = a.get("name").getAsString();
      assertTrue(name.startsWith("brain:"), name);
      assertEquals(name, b.get("name").getAsString());
      assertEquals(meanStd(a), meanStd(b), name);
      for (String p : List.of("p_vs_baseline", "p_worse_than_best")) {
        assertEquals(pValue(a.get(p)), pValue(b.get(p)), name + " " + p);
      }
      assertContains(
          report,
          "| " + name + " | " + a.get("nodes").getAsInt() + " | " + f3(a.get("clustering")));
      assertContains(report, meanStd(a) + " (" + a.get("runs").getAsInt() + ")");
    }

    // early-epoch prediction
    String early =
        f3(committed.getAsJsonObject("correlations").getAsJsonObject("epoch").get("pearson"));
    assertEquals(
        early, f3(now.getAsJsonObject("correlations").getAsJsonObject("epoch").get("pearson")));
    assertContains(report, "Pearson r = " + early);

    // the paper's CIFAR-10 results beside ours
    JsonObject cmp = committed.getAsJsonObject("comparison");
    JsonObject cmpNow = now.getAsJsonObject("comparison");
    assertEquals(f3(cmp.get("shared_pearson")), f3(cmpNow.get("shared_pearson")));
    assertEquals(52, cmp.get("shared_graphs").getAsInt(), "the 52 graphs are in both");
  }

  private static JsonObject read(Path file) throws IOException {
    return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
  }

  private static void assertContains(String report, String text) {
    assertTrue(report.contains(text), "report.md does not state '" + text + "'");
  }

  private static String range(JsonArray a) {
    return "[" + f3(a.get(0)) + ", " + f3(a.get(1)) + "]";
  }

  private static String meanStd(JsonObject o) {
    return String.format(
        Locale.ROOT,
        "%.2f ± %.2f",
        o.get("mean_error").getAsDouble(),
        o.get("std_error").getAsDouble());
  }

  private static String f3(JsonElement e) {
    return e.isJsonNull() ? "null" : String.format(Locale.ROOT, "%.3f", e.getAsDouble());
  }

  private static String pValue(JsonElement e) {
    if (e.isJsonNull()) {
      return "untested";
    }
    double p = e.getAsDouble();
    return p < 1e-4 ? String.format(Locale.ROOT, "%.1e", p) : String.format(Locale.ROOT, "%.4f", p);
  }
}
