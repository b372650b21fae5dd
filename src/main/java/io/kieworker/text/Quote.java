package io.kieworker.text;

/**
 * Outside text inside our own messages (validation errors, config problems, log lines, DLQ
 * headers): on one line and of bounded length, so a hostile value can neither forge a log line
 * nor blow up a record. The one home of this rule.
 */
public final class Quote {
  private Quote() {}

  /** Control characters become spaces; longer text is cut to {@code max} characters ending in "…". */
  public static String oneLine(String text, int max) {
    StringBuilder sb = new StringBuilder(Math.min(text.length(), max));
    for (int i = 0; i < text.length() && sb.length() < max; i++) {
      char c = text.charAt(i);
      sb.append(Character.isISOControl(c) ? ' ' : c);
    }
    if (text.length() > max) {
      sb.setLength(max - 1);
      sb.append('…');
    }
    return sb.toString();
  }

  /** {@code "value"}, made one line and cut to {@code max} characters. */
  public static String quoted(String value, int max) {
    return '"' + oneLine(value, max) + '"';
  }
}
