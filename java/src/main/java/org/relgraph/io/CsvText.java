package org.relgraph.io;

/**
 * Free-text fields of the CSV files relgraph writes (graph names, file names, specs, labels): made
 * safe for spreadsheets and quoted as RFC 4180 needs.
 *
 * <p>A field that starts with {@code =}, {@code +}, {@code -}, {@code @}, a tab or a carriage
 * return would be taken for a formula by a spreadsheet (CSV or formula injection): it gets a
 * leading single quote, as OWASP recommends, so that it reads as text. Apply this only to text:
 * numbers, negative ones included, are written as they are.
 */
public final class CsvText {
  private CsvText() {}

  /**
   * {@code s} as a CSV field: neutralised (see the class comment), and in double quotes, inner
   * quotes doubled, when it holds a comma, a quote or a line break.
   */
  public static String field(String s) {
    String t = neutralised(s);
    return needsQuotes(t) ? quoted(t) : t;
  }

  /** {@code s} as a CSV field always in double quotes, neutralised (see the class comment). */
  public static String quotedField(String s) {
    return quoted(neutralised(s));
  }

  /** {@code s} with a leading single quote when it would start a formula; else {@code s}. */
  public static String neutralised(String s) {
    if (s.isEmpty()) {
      return s;
    }
    return switch (s.charAt(0)) {
      case '=', '+', '-', '@', '\t', '\r' -> "'" + s;
      default -> s;
    };
  }

  private static boolean needsQuotes(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == ',' || c == '"' || c == '\n' || c == '\r') {
        return true;
      }
    }
    return false;
  }

  private static String quoted(String s) {
    return '"' + s.replace("\"", "\"\"") + '"';
  }
}
