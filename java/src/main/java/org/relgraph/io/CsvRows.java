package org.relgraph.io;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * The rows of a CSV text, read by Apache Commons CSV as RFC 4180 has it: fields in double quotes
 * (as R's {@code write.csv} and Python's {@code QUOTE_ALL} write them) may hold commas, doubled
 * quotes and line breaks; a UTF-8 byte-order mark at the start is skipped; {@code \n} and {@code
 * \r\n} line ends; blank lines are skipped. Every field is stripped of surrounding whitespace.
 *
 * <p>Each row knows the line it starts on, so that readers can report {@code file:line} problems.
 * Malformed CSV (a quote left open, text after a closing quote) and text that is not UTF-8 (when
 * the reader's decoder reports it) become the reader's own exception, through {@link Problems}; the
 * line of undecodable text is not known (0), since text is decoded ahead of the parser.
 */
public final class CsvRows implements Closeable {
  private static final Pattern WHERE =
      Pattern.compile("\\(startline (\\d{1,9})\\)|at line: (\\d{1,9})");
  private static final CSVFormat FORMAT =
      CSVFormat.RFC4180.builder().setIgnoreEmptyLines(true).get();

  /** Makes the reader's exception for a problem at a line (0 when no line applies). */
  @FunctionalInterface
  public interface Problems {
    /** The exception to throw for {@code problem} at 1-based {@code line}. */
    RuntimeException at(int line, String problem);
  }

  /**
   * One row.
   *
   * @param line the 1-based line the row starts on
   * @param fields its fields, stripped of surrounding whitespace
   */
  public record Row(int line, List<String> fields) {
    /** The number of fields. */
    public int size() {
      return fields.size();
    }

    /** Field {@code i}. */
    public String get(int i) {
      return fields.get(i);
    }
  }

  private final CSVParser parser;
  private final Iterator<CSVRecord> records;
  private final Problems problems;

  private CsvRows(CSVParser parser, Problems problems) {
    this.parser = parser;
    this.records = parser.iterator();
    this.problems = problems;
  }

  /**
   * Starts reading {@code in} (which {@link #close()} closes).
   *
   * @param problems makes the exception thrown for malformed input
   */
  public static CsvRows open(Reader in, Problems problems) throws IOException {
    BufferedReader buffered = in instanceof BufferedReader b ? b : new BufferedReader(in, 1 << 16);
    buffered.mark(1);
    int first;
    try {
      first = buffered.read();
    } catch (CharacterCodingException e) {
      throw problems.at(0, "not UTF-8 text");
    }
    if (first != '\uFEFF') {
      buffered.reset();
    }
    return new CsvRows(CSVParser.parse(buffered, FORMAT), problems);
  }

  /**
   * The next row that is not blank, or null at the end.
   *
   * @throws RuntimeException from {@link Problems} for malformed CSV or text that is not UTF-8
   * @throws IOException when reading fails
   */
  public Row next() throws IOException {
    while (true) {
      CSVRecord r;
      try {
        if (!records.hasNext()) {
          return null;
        }
        r = records.next();
      } catch (UncheckedIOException e) {
        throw problemOrSelf(e.getCause());
      }
      int breaks = 0;
      List<String> fields = new ArrayList<>(r.size());
      for (String value : r) {
        breaks += lineBreaks(value);
        fields.add(value.strip());
      }
      if (fields.size() == 1 && fields.get(0).isEmpty()) {
        continue; // a line of spaces
      }
      // The parser counts the line ends it has consumed: the row's last line; its quoted line
      // breaks lead back to its first.
      int end = (int) Math.min(parser.getCurrentLineNumber(), Integer.MAX_VALUE);
      return new Row(Math.max(1, end - breaks), List.copyOf(fields));
    }
  }

  /** A malformed record or undecodable text as the reader's problem; other failures as they are. */
  private IOException problemOrSelf(IOException e) {
    int line = (int) Math.min(parser.getCurrentLineNumber() + 1, Integer.MAX_VALUE);
    if (e instanceof CSVException) {
      // Its message says where: "... at line: 3, position: 7" or "(startline 3) EOF reached ...".
      Matcher m = WHERE.matcher(String.valueOf(e.getMessage()));
      if (m.find()) {
        line = Integer.parseInt(m.group(m.group(1) != null ? 1 : 2));
      }
      throw problems.at(line, "malformed CSV: " + csvProblem(e.getMessage()));
    }
    if (e instanceof CharacterCodingException) {
      throw problems.at(0, "not UTF-8 text"); // decoded a buffer ahead: the line is unknown
    }
    return e;
  }

  private static String csvProblem(String message) {
    if (message == null) {
      return "unreadable record";
    }
    if (message.contains("EOF reached before encapsulated token finished")) {
      return "a quoted field is not closed";
    }
    if (message.contains("Invalid character between encapsulated token and delimiter")) {
      return "text after the closing quote of a field (a quote inside a quoted field is"
          + " written \"\")";
    }
    return Quoting.excerpt(message);
  }

  private static int lineBreaks(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\n' || c == '\r' && (i + 1 == s.length() || s.charAt(i + 1) != '\n')) {
        n++;
      }
    }
    return n;
  }

  @Override
  public void close() throws IOException {
    parser.close();
  }
}
