package org.relgraph.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class QuotingTest {
  @Test
  void shortPrintableTextIsQuotedAsItIs() {
    assertEquals("\"0 x\"", Quoting.quote("0 x"));
    assertEquals("'héllo wörld'", Quoting.quote("héllo wörld", '\''));
    assertEquals("", Quoting.excerpt(""));
    assertEquals("null", Quoting.quote(null));
  }

  @Test
  void longTextIsCutToEightyCharactersWithItsLength() {
    String line = "0 1 ".repeat(250_000); // a 1 MB line
    String q = Quoting.quote(line);
    assertEquals("\"" + line.substring(0, 80) + "...\" (1000000 characters)", q);
    assertEquals(line.substring(0, 80) + "...", Quoting.excerpt(line));
    String exact = "x".repeat(80);
    assertEquals("\"" + exact + "\"", Quoting.quote(exact));
  }

  @Test
  void controlCharactersAreEscaped() {
    assertEquals(
        "\"\\x1b[31mred\\x1b[0m\\x07\\x00\\x7f\\x9b\"",
        Quoting.quote("\u001b[31mred\u001b[0m\u0007\u0000\u007f\u009b"));
    assertEquals("a\\tb\\r\\nc", Quoting.excerpt("a\tb\r\nc"));
    // bidirectional override, zero-width space, byte-order mark, line separator
    assertEquals(
        "\\u202egnp.exe\\u200b\\ufeff\\u2028", Quoting.excerpt("\u202egnp.exe\u200b\uFEFF\u2028"));
    // an unpaired surrogate is escaped, a pair (an emoji) kept
    assertEquals("\\ud800 \uD83D\uDE00", Quoting.excerpt("\uD800 \uD83D\uDE00"));
    assertEquals("\\x1b".repeat(80) + "...", Quoting.excerpt("\u001b".repeat(100)));
  }

  @Test
  void cutNeverSplitsASurrogatePair() {
    String s = "x".repeat(79) + "\uD83D\uDE00" + "tail";
    assertEquals("x".repeat(79) + "...", Quoting.excerpt(s));
  }

  @Test
  void messagesForTheTerminalAreOneCappedLine() {
    assertEquals(
        "g.txt:1: bad\\nline\\x1b[2J\tend",
        Quoting.forTerminal("g.txt:1: bad\nline\u001b[2J\tend"));
    String huge = "e".repeat(2_000_000);
    String m = Quoting.forTerminal(huge);
    assertEquals("e".repeat(Quoting.MESSAGE_LENGTH) + "... (2000000 characters)", m);
    assertFalse(m.contains("\n"));
    assertTrue(Quoting.forTerminal(null).equals("null"));
    assertEquals("ok", Quoting.escape("ok"));
    assertEquals("a\\x1bb", Quoting.escape("a\u001bb"));
  }
}
