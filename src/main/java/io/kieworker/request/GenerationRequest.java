package io.kieworker.request;

import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A valid request: {@code input} is exactly Kie.ai's input object for {@code model} (for
 * {@link Endpoint#LEGACY}, the flat body's fields without {@code model}).
 */
public record GenerationRequest(
    String requestId, String model, Endpoint endpoint, JsonObject input, Map<String, String> metadata) {

  public GenerationRequest {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(endpoint, "endpoint");
    input = input == null ? new JsonObject() : input.copy();
    metadata = metadata == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }

  /** A copy: JsonObject is mutable, and the record must not change under other holders. */
  @Override
  public JsonObject input() {
    return input.copy();
  }
}
