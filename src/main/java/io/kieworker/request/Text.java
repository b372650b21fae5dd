package io.kieworker.request;

import io.kieworker.text.Quote;

/** Small text helpers for messages that go into logs and headers. */
final class Text {
  private Text() {}

  /** Control characters become spaces; longer text is cut to {@code max} characters ending in "…". */
  static String oneLine(String text, int max) {
    return Quote.oneLine(text, max);
  }

  /** A caller's string inside a message, quoted and shortened. */
  static String quoted(String value) {
    return Quote.quoted(value, 60);
  }
}
