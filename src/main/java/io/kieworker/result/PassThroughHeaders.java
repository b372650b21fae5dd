package io.kieworker.result;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.apache.kafka.common.header.Header;

/**
 * The request headers copied onto the result: names starting with {@code x-} and the W3C trace
 * context ({@code traceparent}, {@code tracestate}), matched without regard to case.
 *
 * <p>Bounded, because they are stored in the ledger (base64) and written on the result: a header
 * whose name is over {@value #MAX_NAME_BYTES} bytes or whose value is over {@value #MAX_VALUE_BYTES}
 * bytes is dropped, and so is every header once the kept ones reach {@value #MAX_TOTAL_BYTES} bytes
 * (names plus values) in total. A header with a null value is dropped too: Kafka allows it, but the
 * Vert.x producer cannot write one. Trace context stays far below these bounds (W3C caps
 * tracestate at 512 characters).
 */
public final class PassThroughHeaders {
  public static final int MAX_NAME_BYTES = 256;
  public static final int MAX_VALUE_BYTES = 4 * 1024;
  public static final int MAX_TOTAL_BYTES = 16 * 1024;

  /** Why a header was not copied (the {@code reason} tag of {@code kie_worker.headers.dropped}). */
  public enum Drop {
    NULL_VALUE, NAME_TOO_LONG, VALUE_TOO_LARGE, TOTAL_TOO_LARGE;

    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private PassThroughHeaders() {}

  public static boolean passes(String name) {
    if (name == null) {
      return false;
    }
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.startsWith("x-") || lower.equals("traceparent") || lower.equals("tracestate");
  }

  public static List<HeaderValue> select(Iterable<Header> requestHeaders) {
    return select(requestHeaders, drop -> { });
  }

  /** The passing headers within the bounds, in their order; {@code dropped} hears of each one left out. */
  public static List<HeaderValue> select(Iterable<Header> requestHeaders, Consumer<Drop> dropped) {
    List<HeaderValue> kept = new ArrayList<>();
    if (requestHeaders == null) {
      return List.of();
    }
    int total = 0;
    for (Header h : requestHeaders) {
      if (!passes(h.key())) {
        continue;
      }
      Drop drop = check(h, total);
      if (drop != null) {
        dropped.accept(drop);
        continue;
      }
      total += size(h);
      kept.add(new HeaderValue(h.key(), h.value()));
    }
    return List.copyOf(kept);
  }

  private static Drop check(Header h, int totalSoFar) {
    if (h.value() == null) {
      return Drop.NULL_VALUE;
    }
    if (h.key().getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
      return Drop.NAME_TOO_LONG;
    }
    if (h.value().length > MAX_VALUE_BYTES) {
      return Drop.VALUE_TOO_LARGE;
    }
    return totalSoFar + size(h) > MAX_TOTAL_BYTES ? Drop.TOTAL_TOO_LARGE : null;
  }

  private static int size(Header h) {
    return h.key().getBytes(StandardCharsets.UTF_8).length + h.value().length;
  }

  /** {@code [{"name": …, "value": <base64 or null>}]}, for the task ledger. */
  public static JsonArray toJson(List<HeaderValue> headers) {
    JsonArray array = new JsonArray();
    for (HeaderValue h : headers) {
      byte[] value = h.value();
      array.add(new JsonObject()
          .put("name", h.name())
          .put("value", value == null ? null : Base64.getEncoder().encodeToString(value)));
    }
    return array;
  }

  /**
   * Reads what {@link #toJson} wrote. A stored null value (written by versions that kept null
   * headers) is skipped: it could not be written on a record.
   *
   * @throws IllegalArgumentException when an entry has no name or a value that is not base64
   */
  public static List<HeaderValue> fromJson(JsonArray array) {
    if (array == null) {
      return List.of();
    }
    List<HeaderValue> headers = new ArrayList<>(array.size());
    for (Object entry : array) {
      if (!(entry instanceof JsonObject json) || json.getString("name") == null) {
        throw new IllegalArgumentException("a stored header needs a name: " + entry);
      }
      String value = json.getString("value");
      if (value != null) {
        headers.add(new HeaderValue(json.getString("name"), Base64.getDecoder().decode(value)));
      }
    }
    return List.copyOf(headers);
  }
}
