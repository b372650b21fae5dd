package io.kieworker.result;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;

/** Provenance headers of a dead-lettered record, followed by the original record's headers. */
public final class DeadLetterHeaders {
  static final int MAX_EXCEPTION = 500;

  private DeadLetterHeaders() {}

  public static List<HeaderValue> of(String reason, String exceptionText, String topic, int partition,
      long offset, Instant time, Iterable<Header> original) {
    List<HeaderValue> headers = new ArrayList<>();
    headers.add(HeaderValue.of("dlq.reason", reason));
    if (exceptionText != null) {
      headers.add(HeaderValue.of("dlq.exception", oneLine(exceptionText)));
    }
    headers.add(HeaderValue.of("dlq.original.topic", topic));
    headers.add(HeaderValue.of("dlq.original.partition", Integer.toString(partition)));
    headers.add(HeaderValue.of("dlq.original.offset", Long.toString(offset)));
    headers.add(HeaderValue.of("dlq.time", (time == null ? Instant.now() : time).toString()));
    if (original != null) {
      for (Header h : original) {
        headers.add(new HeaderValue(h.key(), h.value()));
      }
    }
    return List.copyOf(headers);
  }

  /** At most 500 characters on one line: stack traces and payload dumps do not belong in a header. */
  private static String oneLine(String text) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < text.length() && sb.length() < MAX_EXCEPTION; i++) {
      char c = text.charAt(i);
      sb.append(Character.isISOControl(c) ? ' ' : c);
    }
    if (text.length() > MAX_EXCEPTION) {
      sb.setLength(MAX_EXCEPTION - 1);
      sb.append('…');
    }
    return sb.toString();
  }
}
