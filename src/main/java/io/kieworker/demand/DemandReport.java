package io.kieworker.demand;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * One instance's report on the demand topic, keyed by its instance id:
 * {@code {"instance": "<id>", "demand": <requests waiting for a create + creates in flight>, "at": <ms>}}.
 * A tombstone (null value) under the key says the instance left. At most {@link #MAX_BYTES} bytes.
 *
 * <p>{@code at} is the writer's clock, for people reading the topic; liveness is judged on the
 * reader's clock (see {@link DemandView}), so clock skew between instances does not matter.
 */
public record DemandReport(String instance, int demand, long at) {
  /** Bound on a report read back: an instance id (a UUID, 36 characters) and two numbers fit easily. */
  static final int MAX_BYTES = 512;
  static final int MAX_INSTANCE_CHARS = 100;

  public Buffer encode() {
    return new JsonObject().put("instance", instance).put("demand", demand).put("at", at).toBuffer();
  }

  /**
   * The report under {@code key}, or null when the value is not a valid report (too large, not
   * JSON, another key's instance, a negative or non-integer demand). The topic is internal, but
   * anything on it is still read as untrusted: a bad record is skipped, never fatal.
   */
  static DemandReport parse(String key, byte[] value) {
    if (key == null || value == null || value.length > MAX_BYTES || key.length() > MAX_INSTANCE_CHARS) {
      return null;
    }
    try {
      JsonObject json = new JsonObject(new String(value, StandardCharsets.UTF_8));
      if (!(json.getValue("instance") instanceof String instance) || !instance.equals(key)
          || !(json.getValue("demand") instanceof Number demand) || !(json.getValue("at") instanceof Number at)) {
        return null;
      }
      long d = demand.longValue();
      if (d < 0 || d > Integer.MAX_VALUE || d != demand.doubleValue()) {
        return null;
      }
      return new DemandReport(instance, (int) d, at.longValue());
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }
}
