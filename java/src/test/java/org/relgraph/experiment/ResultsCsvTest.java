package org.relgraph.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
