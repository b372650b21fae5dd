package io.kieworker.request;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A valid cancel message, {@code {"requestId": "<id>", "action": "cancel"}}: end the request
 * {@code requestId} CANCELLED if its task has not been created yet.
 *
 * @param metadata the cancel message's own {@code metadata} (for logs; a request's result carries
 *     the request's metadata, not this)
 */
public record CancelRequest(String requestId, Map<String, String> metadata) {
  public CancelRequest {
    Objects.requireNonNull(requestId, "requestId");
    metadata = metadata == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }
}
