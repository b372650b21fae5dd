package io.kieworker.request;

import io.kieworker.queue.Priority;
import io.kieworker.queue.Tenants;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A valid request: {@code input} is exactly Kie.ai's input object for {@code model} (for
 * {@link Endpoint#LEGACY}, the flat body's fields without {@code model}).
 *
 * @param priority the request's {@code priority}, {@link Priority#NORMAL} when absent
 * @param tenant the resolved tenant, never null: the request's {@code tenant}, else a valid
 *     {@code metadata.tenant}, else {@link Tenants#DEFAULT}
 * @param expiresAt the request's {@code expiresAt}, or null when it has none (a time in the past is
 *     valid: the request then ends EXPIRED without a paid call)
 */
public record GenerationRequest(
    String requestId, String model, Endpoint endpoint, JsonObject input, Map<String, String> metadata,
    Priority priority, String tenant, Instant expiresAt) {

  public GenerationRequest {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(endpoint, "endpoint");
    input = input == null ? new JsonObject() : input.copy();
    metadata = metadata == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    priority = priority == null ? Priority.NORMAL : priority;
    tenant = tenant == null ? Tenants.DEFAULT : tenant;
  }

  /** Normal priority, the default tenant, no expiry. */
  public GenerationRequest(String requestId, String model, Endpoint endpoint, JsonObject input,
      Map<String, String> metadata) {
    this(requestId, model, endpoint, input, metadata, Priority.NORMAL, Tenants.DEFAULT, null);
  }

  /** A copy: JsonObject is mutable, and the record must not change under other holders. */
  @Override
  public JsonObject input() {
    return input.copy();
  }
}
