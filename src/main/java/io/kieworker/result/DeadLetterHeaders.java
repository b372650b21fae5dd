package io.kieworker.result;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.header.Header;

/**
 * Provenance headers of a dead-lettered record, followed by the original record's headers.
 *
 * <p>The worker's own {@code dlq.*} headers always win: an original header named {@code dlq.*}
 * (any case) is dropped, never copied, so a producer cannot forge the provenance that
 * {@code dlq replay} and operators rely on. Original headers with a null value are dropped (the
 * Vert.x producer cannot write them), and the copied ones are bounded to
 * {@value #MAX_ORIGINAL_BYTES} bytes (names plus values) in total so that the DLQ record has a known
 * maximum size. When anything was dropped, {@code dlq.headers-dropped} says how many and why, e.g.
 * {@code forged=2,null=1,oversize=1}.
 */
public final class DeadLetterHeaders {
  static final int MAX_EXCEPTION = 500;
  public static final int MAX_ORIGINAL_BYTES = 64 * 1024;
  public static final String PREFIX = "dlq.";
  public static final String HEADERS_DROPPED = "dlq.headers-dropped";

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
    copyOriginal(original, headers);
    return List.copyOf(headers);
  }

  /** True for a header name the worker reserves for its own provenance headers. */
  public static boolean reserved(String name) {
    return name != null && name.toLowerCase(Locale.ROOT).startsWith(PREFIX);
  }

  private static void copyOriginal(Iterable<Header> original, List<HeaderValue> headers) {
    if (original == null) {
      return;
    }
    int forged = 0;
    int nulls = 0;
    int oversize = 0;
    int total = 0;
    List<HeaderValue> copied = new ArrayList<>();
    for (Header h : original) {
      if (reserved(h.key())) {
        forged++;
      } else if (h.value() == null) {
        nulls++;
      } else {
        int size = h.key().getBytes(StandardCharsets.UTF_8).length + h.value().length;
        if (total + size > MAX_ORIGINAL_BYTES) {
          oversize++;
        } else {
          total += size;
          copied.add(new HeaderValue(h.key(), h.value()));
        }
      }
    }
    if (forged + nulls + oversize > 0) {
      headers.add(HeaderValue.of(HEADERS_DROPPED, "forged=" + forged + ",null=" + nulls + ",oversize=" + oversize));
    }
    headers.addAll(copied);
  }

  /** At most 500 characters on one line: stack traces and payload dumps do not belong in a header. */
  private static String oneLine(String text) {
    return io.kieworker.text.Quote.oneLine(text, MAX_EXCEPTION);
  }
}
