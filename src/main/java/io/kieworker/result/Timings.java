package io.kieworker.result;

import io.kieworker.text.IsoInstant;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** When the worker received, submitted, saw completion of and published a request; any may be null. */
public record Timings(Instant receivedAt, Instant submittedAt, Instant completedAt, Instant publishedAt) {
  public static final Timings NONE = new Timings(null, null, null, null);

  public Timings withPublishedAt(Instant at) {
    return new Timings(receivedAt, submittedAt, completedAt, at);
  }

  JsonObject toJson() {
    return new JsonObject()
        .put("receivedAt", iso(receivedAt))
        .put("submittedAt", iso(submittedAt))
        .put("completedAt", iso(completedAt))
        .put("publishedAt", iso(publishedAt));
  }

  static Timings fromJson(JsonObject json) {
    if (json == null) {
      return NONE;
    }
    return new Timings(instant(json, "receivedAt"), instant(json, "submittedAt"),
        instant(json, "completedAt"), instant(json, "publishedAt"));
  }

  private static String iso(Instant at) {
    return at == null ? null : IsoInstant.format(at);
  }

  private static Instant instant(JsonObject json, String field) {
    String text = json.getString(field);
    return text == null ? null : Instant.parse(text);
  }
}
