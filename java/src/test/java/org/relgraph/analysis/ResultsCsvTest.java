package org.relgraph.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsCsvTest {
  static final String HEADER =
      "model,kind,k_over_n,p,graph_seed,clustering,path_length,train_seed,epoch,top1_error,width\n";
  static final String TEXT =
      HEADER
          + "mlp,ws-flex,0.125,0.0081,22,0.63,4.0,1,200,32.44,1539\n"
          + "mlp,complete,1.0,0.0,,1.0,1.0,2,200,33.91,512\n";

  static List<ResultRow> parse(String text) throws IOException {
    return ResultsCsv.read(new StringReader(text), "r.csv");
  }

  static String error(String text) {
    return assertThrows(ResultsFormatException.class, () -> parse(text)).getMessage();
  }

  @Test
  void readsRowsAndGraphIdentity() throws IOException {
    List<ResultRow> rows = parse(TEXT);
    assertEquals(2, rows.size());
    ResultRow a = rows.get(0);
    assertEquals("mlp", a.model());
    assertEquals("ws-flex", a.kind());
    assertEquals(0.125, a.kOverN());
    assertEquals(0.0081, a.p());
    assertEquals(22L, a.graphSeed());
    assertEquals(0.63, a.clustering());
    assertEquals(4.0, a.pathLength());
    assertEquals(1, a.trainSeed());
    assertEquals(200, a.epoch());
    assertEquals(32.44, a.top1Error());
    assertEquals(1539, a.width());
    ResultRow c = rows.get(1);
    assertTrue(c.isComplete());
    assertNull(c.graphSeed());
    assertEquals("complete", c.graph());
    assertEquals(1.0, c.clustering());
    assertEquals(1.0, c.pathLength());
  }

  @Test
  void columnsInAnyOrderExtraIgnoredWidthOptional() throws IOException {
    List<ResultRow> rows =
        parse(
            "epoch,top1_error,extra,model,kind,k_over_n,p,graph_seed,clustering,path_length,"
                + "train_seed\n"
                + "3,40.5,x,m,complete,,,,,,7\n");
    ResultRow r = rows.get(0);
    assertEquals(3, r.epoch());
    assertEquals(40.5, r.top1Error());
    assertEquals(7, r.trainSeed());
    assertEquals(1.0, r.clustering());
    assertNull(r.width());
  }

  @Test
  void errorsNameSourceAndLine() {
    assertEquals(
        "r.csv:1: missing column 'top1_error'",
        error(HEADER.replace("top1_error", "error") + "x\n"));
    assertEquals(
        "r.csv:4: column 'top1_error': not a number: 'abc'",
        error(TEXT + "mlp,ws-flex,0.125,0.0081,22,0.63,4.0,1,200,abc,1539\n"));
    assertEquals(
        "r.csv:2: expected 11 fields, found 10",
        error(HEADER + "mlp,ws-flex,0.125,0.0081,22,0.63,4.0,1,200,32.4\n"));
    assertEquals(
        "r.csv:2: column 'epoch': not an integer: '2.5'",
        error(HEADER + "mlp,ws-flex,0.125,0.0081,22,0.63,4.0,1,2.5,32.4,1\n"));
    assertEquals(
        "r.csv:2: empty value in column 'graph_seed'",
        error(HEADER + "mlp,ws-flex,0.125,0.0081,,0.63,4.0,1,2,32.4,1\n"));
    assertEquals(
        "r.csv:2: empty value in column 'clustering'",
        error(HEADER + "mlp,ws-flex,0.125,0.0081,3,,4.0,1,2,32.4,1\n"));
    assertEquals(
        "r.csv:2: column 'top1_error': not a finite number: 'NaN'",
        error(HEADER + "mlp,ws-flex,0.125,0.0081,3,0.5,4.0,1,2,NaN,1\n"));
    assertEquals("r.csv:1: empty file, expected a header line", error(""));
    assertEquals("r.csv: no result rows", error(HEADER));
  }

  @Test
  void readsQuotedFieldsAsRAndPythonWriteThem() throws IOException {
    List<ResultRow> expected = parse(TEXT);
    // R: write.csv(df) quotes strings and adds a quoted row-name column named ""
    String r =
        "\"\",\"model\",\"kind\",\"k_over_n\",\"p\",\"graph_seed\",\"clustering\","
            + "\"path_length\",\"train_seed\",\"epoch\",\"top1_error\",\"width\"\r\n"
            + "\"1\",\"mlp\",\"ws-flex\",0.125,0.0081,22,0.63,4,1,200,32.44,1539\r\n"
            + "\"2\",\"mlp\",\"complete\",1,0,NA,1,1,2,200,33.91,512\r\n";
    List<ResultRow> fromR = parse(r.replace("NA", ""));
    assertEquals(expected, fromR);
    // Python: csv.writer(f, quoting=csv.QUOTE_ALL), with a BOM as utf-8-sig writes it
    StringBuilder py = new StringBuilder("\uFEFF");
    for (String line : TEXT.split("\n")) {
      py.append('"').append(line.replace(",", "\",\"")).append("\"\r\n");
    }
    assertEquals(expected, parse(py.toString()));
    // a quoted comma inside a model name
    List<ResultRow> comma = parse(TEXT.replace("mlp,ws-flex", "\"mlp, 3 layers\",ws-flex"));
    assertEquals("mlp, 3 layers", comma.get(0).model());
    assertEquals(
        "r.csv:4: malformed CSV: a quoted field is not closed",
        error(TEXT + "\"mlp,ws-flex,0.125,0.0081,22,0.63,4.0,1,200,32.44,1539\n"));
  }

  @Test
  void valuesOutOfRangeNameTheLine() {
    String row = "mlp,ws-flex,0.125,0.0081,22,C,L,1,200,E,1539\n";
    String ok = row.replace("C", "0.5").replace("L", "2.0").replace("E", "30");
    assertEquals(
        "r.csv:4: column 'clustering': 1.5 out of range, expected in [0, 1]",
        error(TEXT + ok.replace("0.5", "1.5")));
    assertEquals(
        "r.csv:2: column 'clustering': -0.1 out of range, expected in [0, 1]",
        error(HEADER + ok.replace("0.5", "-0.1")));
    assertEquals(
        "r.csv:2: column 'path_length': -2 out of range, expected at least 1",
        error(HEADER + ok.replace("2.0", "-2")));
    assertEquals(
        "r.csv:2: column 'path_length': 0.5 out of range, expected at least 1",
        error(HEADER + ok.replace(",2.0,", ",0.5,")));
    assertEquals(
        "r.csv:2: column 'top1_error': 100.5 out of range, expected in [0, 100]",
        error(HEADER + ok.replace(",30,", ",100.5,")));
    assertEquals(
        "r.csv:2: column 'top1_error': -3 out of range, expected in [0, 100]",
        error(HEADER + ok.replace(",30,", ",-3,")));
    assertEquals(
        "r.csv:2: column 'p': 1.5 out of range, expected in [0, 1]",
        error(HEADER + ok.replace("0.0081", "1.5")));
    assertEquals(
        "r.csv:2: column 'epoch': 0 out of range, expected at least 1",
        error(HEADER + ok.replace(",200,", ",0,")));
    assertEquals(
        "r.csv:2: column 'clustering': not a finite number: 'Infinity'",
        error(HEADER + ok.replace("0.5", "Infinity")));
    assertEquals(
        "r.csv:2: column 'path_length': not a finite number: 'NaN'",
        error(HEADER + ok.replace("2.0", "NaN")));
    assertEquals(
        "r.csv:2: column 'k_over_n': not a finite number: '-Infinity'",
        error(HEADER + ok.replace("0.125", "-Infinity")));
  }

  @Test
  void quotedInputIsCutAndEscapedInMessages() {
    String junk = "\u001b[2J" + "x".repeat(1_000_000);
    String m = error(HEADER + "mlp,ws-flex,0.125,0.0081,22,0.63,4.0,1,200," + junk + ",1539\n");
    assertTrue(m.startsWith("r.csv:2: column 'top1_error': not a number: '\\x1b[2Jxxx"), m);
    assertTrue(m.endsWith("...' (1000004 characters)"), m);
    assertTrue(m.length() < 200, m);
    assertFalse(m.contains("\u001b"), m);
  }

  @Test
  void readsGzipAndReportsMissingFiles(@TempDir Path dir) throws IOException {
    Path gz = dir.resolve("r.csv.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(TEXT.getBytes(StandardCharsets.UTF_8));
    }
    assertEquals(2, ResultsCsv.read(gz).size());
    Path plain = dir.resolve("plain.csv");
    Files.writeString(plain, TEXT);
    assertEquals(parse(TEXT), ResultsCsv.read(plain));
    UncheckedIOException e =
        assertThrows(UncheckedIOException.class, () -> ResultsCsv.read(dir.resolve("none.csv")));
    assertTrue(e.getMessage().contains("none.csv"), e.getMessage());
    Path bad = dir.resolve("bad.csv");
    Files.writeString(bad, HEADER + "a,b\n");
    assertEquals(
        bad + ":2: expected 11 fields, found 2",
        assertThrows(ResultsFormatException.class, () -> ResultsCsv.read(bad)).getMessage());
  }
}
