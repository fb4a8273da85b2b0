package org.relgraph.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvRowsTest {
  static final class Problem extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Problem(int line, String problem) {
      super("f.csv:" + line + ": " + problem);
    }
  }

  static List<CsvRows.Row> rows(String text) throws IOException {
    List<CsvRows.Row> out = new ArrayList<>();
    try (CsvRows in = CsvRows.open(new StringReader(text), Problem::new)) {
      for (CsvRows.Row r; (r = in.next()) != null; ) {
        out.add(r);
      }
    }
    return out;
  }

  static String problem(String text) {
    return assertThrows(Problem.class, () -> rows(text)).getMessage();
  }

  @Test
  void plainRowsWithTheirLines() throws IOException {
    List<CsvRows.Row> r = rows("a,b,c\n1,2,3\n\n  \n4, 5 ,\n");
    assertEquals(3, r.size());
    assertEquals(new CsvRows.Row(1, List.of("a", "b", "c")), r.get(0));
    assertEquals(new CsvRows.Row(2, List.of("1", "2", "3")), r.get(1));
    assertEquals(new CsvRows.Row(5, List.of("4", "5", "")), r.get(2));
  }

  @Test
  void quotedFieldsAsRAndPythonWriteThem() throws IOException {
    // R's write.csv: a quoted row-name column and quoted strings; Python's QUOTE_ALL: everything
    List<CsvRows.Row> r =
        rows(
            "\"\",\"model\",\"x\"\r\n\"1\",\"mlp, wide\",0.5\r\n"
                + "\"2\",\"say \"\"hi\"\"\",\"3\"\r\n\"3\",\"two\nlines\",\"4\"\r\n\"4\",\"z\",\"5\"");
    assertEquals(List.of("", "model", "x"), r.get(0).fields());
    assertEquals(new CsvRows.Row(2, List.of("1", "mlp, wide", "0.5")), r.get(1));
    assertEquals(new CsvRows.Row(3, List.of("2", "say \"hi\"", "3")), r.get(2));
    assertEquals(new CsvRows.Row(4, List.of("3", "two\nlines", "4")), r.get(3));
    assertEquals(new CsvRows.Row(6, List.of("4", "z", "5")), r.get(4));
  }

  @Test
  void aByteOrderMarkIsSkipped() throws IOException {
    List<CsvRows.Row> r = rows("\uFEFFn,p\n1,2\n");
    assertEquals(List.of("n", "p"), r.get(0).fields());
    assertEquals(1, r.get(0).line());
    assertEquals(List.of("1", "2"), r.get(1).fields());
    assertEquals(List.of(), rows("\uFEFF"));
    assertEquals(List.of(), rows(""));
  }

  @Test
  void malformedCsvNamesTheLine() {
    assertEquals("f.csv:3: malformed CSV: a quoted field is not closed", problem("a\nb\n\"c,d\n"));
    assertEquals(
        "f.csv:2: malformed CSV: text after the closing quote of a field (a quote inside a quoted"
            + " field is written \"\")",
        problem("a,b\n\"x\"y,z\n"));
  }

  @Test
  void textThatIsNotUtf8IsAProblem() {
    byte[] bytes = {'a', ',', 'b', '\n', (byte) 0xff, (byte) 0xfe, '\n'};
    Problem p =
        assertThrows(
            Problem.class,
            () -> {
              var decoder =
                  StandardCharsets.UTF_8
                      .newDecoder()
                      .onMalformedInput(CodingErrorAction.REPORT)
                      .onUnmappableCharacter(CodingErrorAction.REPORT);
              try (CsvRows in =
                  CsvRows.open(
                      new InputStreamReader(new ByteArrayInputStream(bytes), decoder),
                      Problem::new)) {
                while (in.next() != null) {
                  // read to the end
                }
              }
            });
    assertEquals("f.csv:0: not UTF-8 text", p.getMessage()); // decoded ahead: no line
  }
}
