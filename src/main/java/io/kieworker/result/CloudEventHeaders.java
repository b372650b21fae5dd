package io.kieworker.result;

import io.kieworker.text.IsoInstant;
import java.util.ArrayList;
import java.util.List;

/** CloudEvents Kafka binding, binary mode: the event attributes as {@code ce_*} headers. */
public final class CloudEventHeaders {
  public static final String SOURCE = "kie-worker";

  private CloudEventHeaders() {}

  /** ce_time is left out when the event has no publishedAt yet (it is optional in CloudEvents). */
  public static List<HeaderValue> forResult(ResultEvent event, List<HeaderValue> passThrough) {
    List<HeaderValue> headers = new ArrayList<>();
    headers.add(HeaderValue.of("ce_specversion", "1.0"));
    headers.add(HeaderValue.of("ce_id", event.requestId()));
    headers.add(HeaderValue.of("ce_type", event.status().ceType()));
    headers.add(HeaderValue.of("ce_source", SOURCE));
    headers.add(HeaderValue.of("ce_subject", event.requestId()));
    if (event.timings().publishedAt() != null) {
      headers.add(HeaderValue.of("ce_time", IsoInstant.format(event.timings().publishedAt())));
    }
    headers.add(HeaderValue.of("content-type", "application/json"));
    if (passThrough != null) {
      headers.addAll(passThrough);
    }
    return List.copyOf(headers);
  }
}
