package io.kieworker.result;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.header.Header;

/**
 * The request headers copied onto the result: names starting with {@code x-} and the W3C trace
 * context ({@code traceparent}, {@code tracestate}), matched without regard to case.
 */
public final class PassThroughHeaders {
  private PassThroughHeaders() {}

  public static boolean passes(String name) {
    if (name == null) {
      return false;
    }
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.startsWith("x-") || lower.equals("traceparent") || lower.equals("tracestate");
  }

  public static List<HeaderValue> select(Iterable<Header> requestHeaders) {
    List<HeaderValue> kept = new ArrayList<>();
    if (requestHeaders != null) {
      for (Header h : requestHeaders) {
        if (passes(h.key())) {
          kept.add(new HeaderValue(h.key(), h.value()));
        }
      }
    }
    return List.copyOf(kept);
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

  /** @throws IllegalArgumentException when an entry has no name or a value that is not base64 */
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
      headers.add(new HeaderValue(json.getString("name"), value == null ? null : Base64.getDecoder().decode(value)));
    }
    return List.copyOf(headers);
  }
}
