package org.relgraph.io;

import java.util.Locale;

/**
 * Input quoted into messages, made safe to print: cut to about {@value #EXCERPT_LENGTH} characters
 * (a 1 MB line does not become a 1 MB message) and with control characters escaped (escape codes in
 * a file do not reach the terminal).
 *
 * <p>Escapes: {@code \t}, {@code \n}, {@code \r}; other C0 and C1 controls and DEL as {@code \xNN}
 * (ESC is {@code \x1b}); Unicode format characters (bidirectional overrides, zero-width spaces, a
 * byte-order mark), line and paragraph separators and unpaired surrogates as {@code \}{@code
 * uNNNN}. Everything else, non-ASCII letters included, is kept.
 */
public final class Quoting {
  /** How many characters of quoted input a message shows. */
  public static final int EXCERPT_LENGTH = 80;

  /** How many characters of a whole message {@link #forTerminal(String)} keeps. */
  public static final int MESSAGE_LENGTH = 1000;

  private Quoting() {}

  /**
   * {@code s} in double quotes, escaped, and cut to {@value #EXCERPT_LENGTH} characters; a cut one
   * ends in {@code ...} and is followed by its length: {@code "0 1 2 3 ..." (1048576 characters)}.
   * Null gives {@code null}.
   */
  public static String quote(String s) {
    return quote(s, '"');
  }

  /** As {@link #quote(String)}, between {@code mark}s, e.g. single quotes. */
  public static String quote(String s, char mark) {
    if (s == null) {
      return "null";
    }
    String q = mark + excerpt(s) + mark;
    return s.length() > EXCERPT_LENGTH ? q + " (" + s.length() + " characters)" : q;
  }

  /**
   * {@code s} escaped and cut to {@value #EXCERPT_LENGTH} characters (then ending in {@code ...}),
   * without quotes or length: for input shown inside other text.
   */
  public static String excerpt(String s) {
    return cut(s, EXCERPT_LENGTH, false, false);
  }

  /**
   * A whole message made fit for one terminal line: every control character but tab escaped,
   * newlines included, and cut to {@value #MESSAGE_LENGTH} characters with its length noted. The
   * last line of defence where messages are printed; the places that quote input cut it shorter
   * first.
   */
  public static String forTerminal(String message) {
    if (message == null) {
      return "null";
    }
    return cut(message, MESSAGE_LENGTH, true, true);
  }

  /** {@code s} with every control character escaped, whatever its length. */
  public static String escape(String s) {
    return cut(s, Integer.MAX_VALUE, false, false);
  }

  private static boolean needsEscaping(String s, boolean keepTabs) {
    for (int i = 0; i < s.length(); i++) {
      if (escapes(s, i) && !(keepTabs && s.charAt(i) == '\t')) {
        return true;
      }
    }
    return false;
  }

  private static String cut(String s, int max, boolean noteLength, boolean keepTabs) {
    boolean tooLong = s.length() > max;
    int end = tooLong ? max : s.length();
    if (tooLong && Character.isHighSurrogate(s.charAt(end - 1))) {
      end--; // keep a surrogate pair whole
    }
    if (!tooLong && !needsEscaping(s, keepTabs)) {
      return s;
    }
    StringBuilder sb = new StringBuilder(end + 32);
    appendEscaped(sb, s, end, keepTabs);
    if (tooLong) {
      sb.append("...");
      if (noteLength) {
        sb.append(" (").append(s.length()).append(" characters)");
      }
    }
    return sb.toString();
  }

  private static void appendEscaped(StringBuilder sb, String s, int end, boolean keepTabs) {
    for (int i = 0; i < end; i++) {
      char c = s.charAt(i);
      if (!escapes(s, i) || keepTabs && c == '\t') {
        sb.append(c);
        continue;
      }
      switch (c) {
        case '\t' -> sb.append("\\t");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        default -> {
          if (c < 0x100) {
            sb.append("\\x")
                .append(Character.forDigit(c >> 4, 16))
                .append(Character.forDigit(c & 15, 16));
          } else {
            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          }
        }
      }
    }
  }

  /** Whether the character at {@code i} must be escaped. */
  private static boolean escapes(String s, int i) {
    char c = s.charAt(i);
    if (c >= 0x20 && c < 0x7f) {
      return false; // printable ASCII: the common case
    }
    if (Character.isHighSurrogate(c)) {
      return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
    }
    if (Character.isLowSurrogate(c)) {
      return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
    }
    return switch (Character.getType(c)) {
      case Character.CONTROL,
          Character.FORMAT,
          Character.LINE_SEPARATOR,
          Character.PARAGRAPH_SEPARATOR ->
          true;
      default -> false;
    };
  }
}
