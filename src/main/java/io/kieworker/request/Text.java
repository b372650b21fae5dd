package io.kieworker.request;

/** Small text helpers for messages that go into logs and headers. */
final class Text {
  private Text() {}

  /** Control characters become spaces; longer text is cut to {@code max} characters ending in "…". */
  static String oneLine(String text, int max) {
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

  /** A caller's string inside a message, quoted and shortened. */
  static String quoted(String value) {
    return '"' + oneLine(value, 60) + '"';
  }
}
