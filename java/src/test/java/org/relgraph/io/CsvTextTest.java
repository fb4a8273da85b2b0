package org.relgraph.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CsvTextTest {
  @Test
  void formulaStartsAreNeutralised() {
    assertEquals("'=HYPERLINK(\"\"x\"\")", CsvText.neutralised("=HYPERLINK(\"\"x\"\")"));
    assertEquals("'=1+2", CsvText.field("=1+2"));
    assertEquals("'+1", CsvText.field("+1"));
    assertEquals("'-cmd.txt", CsvText.field("-cmd.txt"));
    assertEquals("'@SUM(A1)", CsvText.field("@SUM(A1)"));
    assertEquals("'\tx", CsvText.field("\tx"));
    assertEquals("\"'\rx\"", CsvText.field("\rx"));
  }

  @Test
  void otherTextIsKept() {
    assertEquals("graphs/cat.txt", CsvText.field("graphs/cat.txt"));
    assertEquals("a=b", CsvText.field("a=b"));
    assertEquals("", CsvText.field(""));
    assertEquals("complete", CsvText.field("complete"));
  }

  @Test
  void fieldsAreQuotedWhenTheyNeedIt() {
    assertEquals("\"a,b\"", CsvText.field("a,b"));
    assertEquals("\"say \"\"hi\"\"\"", CsvText.field("say \"hi\""));
    assertEquals("\"two\nlines\"", CsvText.field("two\nlines"));
    assertEquals("\"'=1,2\"", CsvText.field("=1,2"));
    assertEquals("\"complete\"", CsvText.quotedField("complete"));
    assertEquals("\"'-x\"", CsvText.quotedField("-x"));
  }
}
