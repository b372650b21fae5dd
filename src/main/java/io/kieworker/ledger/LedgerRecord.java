package io.kieworker.ledger;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One value of the task-ledger topic ({@code kie.worker.tasks}), keyed by request id and written to
 * the partition numbered like the request's. It carries everything the result will need, because
 * once the request's offset is committed the ledger is the only copy of the request.
 *
 * <p>Types, in the order a request goes through them: {@code SUBMITTING} (written before the paid
 * call), {@code SUBMITTED} (task id known), {@code TERMINAL} (result published; kept for the dedupe
 * window, then tombstoned). {@code CALLBACK} records are appended by whichever instance received a
 * Kie.ai callback, under {@link #callbackKey(String)} so compaction never drops the request's own
 * record in favour of them.
 *
 * @param epoch the writer's ownership epoch of the partition (fences a stale owner)
 * @param result the published result event (TERMINAL), or the callback's data object (CALLBACK)
 */
public record LedgerRecord(
    Type type,
    String requestId,
    String model,
    String endpoint,
    JsonObject input,
    JsonObject metadata,
    JsonArray headers,
    Instant receivedAt,
    Instant submittedAt,
    int attempts,
    String taskId,
    String writer,
    long epoch,
    JsonObject result) {

  /**
   * RELEASED: a SUBMITTING record whose create was never sent (the partition moved between the
   * ledger write and the paid call); the next owner submits at once instead of waiting for a
   * callback that cannot come.
   */
  public enum Type { SUBMITTING, SUBMITTED, TERMINAL, CALLBACK, OWNERSHIP, RELEASED }

  /** Request ids never hold control characters (the parser refuses them), so this cannot collide. */
  private static final String CALLBACK_KEY_PREFIX = "\u0001cb:";
  /** The key of a partition's ownership record: the latest owner's epoch survives compaction. */
  public static final String OWNERSHIP_KEY = "\u0001owner";

  public static String callbackKey(String requestId) {
    return CALLBACK_KEY_PREFIX + requestId;
  }

  public static boolean isCallbackKey(String key) {
    return key != null && key.startsWith(CALLBACK_KEY_PREFIX);
  }

  /** Keys that do not name a request: callbacks and the ownership record. */
  public static boolean isRequestKey(String key) {
    return key != null && !isCallbackKey(key) && !OWNERSHIP_KEY.equals(key);
  }

  public static String requestIdOfKey(String key) {
    return isCallbackKey(key) ? key.substring(CALLBACK_KEY_PREFIX.length()) : key;
  }

  public String key() {
    switch (type) {
      case CALLBACK: return callbackKey(requestId);
      case OWNERSHIP: return OWNERSHIP_KEY;
      default: return requestId;
    }
  }

  /**
   * Written by a new owner of a partition once it has replayed it: every later record of a
   * previous owner is fenced (see README "Ownership epochs").
   */
  public static LedgerRecord ownership(String writer, long epoch, Instant at) {
    return new LedgerRecord(Type.OWNERSHIP, "", null, null, null, null, null, at, null, 0, null, writer,
        epoch, null);
  }

  /** A callback note; {@code data} is the callback's {@code data} object (kept in {@code result}). */
  public static LedgerRecord callback(String requestId, String taskId, String writer, Instant at, JsonObject data) {
    return new LedgerRecord(Type.CALLBACK, requestId, null, null, null, null, null, at, null, 0, taskId,
        writer, 0, data);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("v", 1).put("type", type.name()).put("requestId", requestId);
    putIfSet(json, "model", model);
    putIfSet(json, "endpoint", endpoint);
    putIfSet(json, "input", input);
    putIfSet(json, "metadata", metadata);
    putIfSet(json, "headers", headers);
    putIfSet(json, "receivedAt", receivedAt == null ? null : receivedAt.toString());
    putIfSet(json, "submittedAt", submittedAt == null ? null : submittedAt.toString());
    json.put("attempts", attempts);
    putIfSet(json, "taskId", taskId);
    putIfSet(json, "writer", writer);
    json.put("epoch", epoch);
    putIfSet(json, "result", result);
    return json;
  }

  /** Parses a ledger value; throws IllegalArgumentException for anything that is not one. */
  public static LedgerRecord fromJson(JsonObject json) {
    String type = json.getString("type");
    String requestId = json.getString("requestId");
    if (type == null || requestId == null) {
      throw new IllegalArgumentException("ledger record without type or requestId");
    }
    return new LedgerRecord(
        Type.valueOf(type),
        requestId,
        json.getString("model"),
        json.getString("endpoint"),
        json.getJsonObject("input"),
        json.getJsonObject("metadata"),
        json.getJsonArray("headers"),
        instant(json.getString("receivedAt")),
        instant(json.getString("submittedAt")),
        json.getInteger("attempts", 0),
        json.getString("taskId"),
        json.getString("writer"),
        json.getLong("epoch", 0L),
        json.getJsonObject("result"));
  }

  private static void putIfSet(JsonObject json, String name, Object value) {
    if (value != null) {
      json.put(name, value);
    }
  }

  private static Instant instant(String text) {
    return text == null ? null : Instant.parse(text);
  }
}
