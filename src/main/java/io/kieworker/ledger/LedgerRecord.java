package io.kieworker.ledger;

import io.kieworker.text.IsoInstant;
import io.vertx.core.buffer.Buffer;
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
 * record in favour of them. {@code HANDLED} records mark a request record answered without a task
 * of its own (rejected, or a repeat answered from the dedupe window), under
 * {@link #handledKey(long)}; see {@link #handled}.
 *
 * <p>A reader that meets a type it does not know (a newer version's, after a rollback) or a value
 * it cannot parse skips that record and keeps what it knew of the key: only a null value (a
 * tombstone) deletes.
 *
 * @param epoch the writer's ownership epoch of the partition (fences a stale owner)
 * @param result the published result event (TERMINAL), the callback's data object (CALLBACK), or
 *     the result store's note {@code {taskId, stored}} on a SUBMITTED record written after the
 *     images were copied (issue 13: a new owner publishes that copy instead of copying again)
 * @param sourceTopic the request topic of the record this one is about (null when unknown: older records)
 * @param sourceOffset that request record's offset (its partition is this record's), -1 when unknown
 * @param queue where the request stands in the create queue (issue 10), on the records of a request
 *     not yet created: {@code {priority, tenant, expiresAt?, queuedAt}}; null on other records and on
 *     records of older versions (which then queue as {@code normal} in the default tenant)
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
    JsonObject result,
    String sourceTopic,
    long sourceOffset,
    JsonObject queue) {

  /**
   * RELEASED: a request whose create was never sent, so the next owner queues it for its create:
   * either an accepted request waiting in the create queue (written at intake, attempts 0, so that
   * its offset can be committed while it waits), or a SUBMITTING record whose create was never sent
   * (the partition moved between the ledger write and the paid call; the next owner submits at once
   * instead of waiting for a callback that cannot come). One type for both on purpose: a version
   * from before the queue restores a queued request too.
   */
  public enum Type { SUBMITTING, SUBMITTED, TERMINAL, CALLBACK, OWNERSHIP, RELEASED, HANDLED }

  /** Request ids never hold control characters (the parser refuses them), so this cannot collide. */
  private static final String CALLBACK_KEY_PREFIX = "\u0001cb:";
  /** The key of a partition's ownership record: the latest owner's epoch survives compaction. */
  public static final String OWNERSHIP_KEY = "\u0001owner";

  private static final String HANDLED_KEY_PREFIX = "\u0001src:";

  public static String callbackKey(String requestId) {
    return CALLBACK_KEY_PREFIX + requestId;
  }

  public static boolean isCallbackKey(String key) {
    return key != null && key.startsWith(CALLBACK_KEY_PREFIX);
  }

  /** The key of the HANDLED marker of the request record at {@code offset} (of this partition). */
  public static String handledKey(long offset) {
    return HANDLED_KEY_PREFIX + offset;
  }

  public static boolean isHandledKey(String key) {
    return key != null && key.startsWith(HANDLED_KEY_PREFIX);
  }

  /** The request offset a HANDLED key names, or -1 when {@code key} is not one. */
  public static long offsetOfHandledKey(String key) {
    if (!isHandledKey(key)) {
      return -1;
    }
    try {
      return Long.parseLong(key.substring(HANDLED_KEY_PREFIX.length()));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Keys that do not name a request: callbacks, handled markers and the ownership record. */
  public static boolean isRequestKey(String key) {
    return key != null && !isCallbackKey(key) && !isHandledKey(key) && !OWNERSHIP_KEY.equals(key);
  }

  public static String requestIdOfKey(String key) {
    return isCallbackKey(key) ? key.substring(CALLBACK_KEY_PREFIX.length()) : key;
  }

  public String key() {
    switch (type) {
      case CALLBACK: return callbackKey(requestId);
      case OWNERSHIP: return OWNERSHIP_KEY;
      case HANDLED: return handledKey(sourceOffset);
      default: return requestId;
    }
  }

  /**
   * Written by a new owner of a partition once it has replayed it: every later record of a
   * previous owner is fenced (see README "Ownership epochs").
   */
  public static LedgerRecord ownership(String writer, long epoch, Instant at) {
    return new LedgerRecord(Type.OWNERSHIP, "", null, null, null, null, null, at, null, 0, null, writer,
        epoch, null, null, -1, null);
  }

  /**
   * The request record {@code sourceTopic}-partition@{@code sourceOffset} has been answered (its
   * REJECTED result and dead letter, or a republished stored result, are durable) and must not be
   * answered again when it is read again before its offset was committed. About 150 bytes (the
   * request id is at most a few hundred). Lives until the partition's committed offset has passed
   * it: the worker's sweep tombstones it then (see README "Handled markers").
   */
  public static LedgerRecord handled(String requestId, String sourceTopic, long sourceOffset, String writer,
      long epoch, Instant at) {
    return new LedgerRecord(Type.HANDLED, requestId == null ? "" : requestId, null, null, null, null, null, at,
        null, 0, null, writer, epoch, null, sourceTopic, sourceOffset, null);
  }

  /** This record with its source request record set. */
  public LedgerRecord withSource(String topic, long offset) {
    return new LedgerRecord(type, requestId, model, endpoint, input, metadata, headers, receivedAt, submittedAt,
        attempts, taskId, writer, epoch, result, topic, offset, queue);
  }

  /**
   * A callback note; {@code data} is the callback's {@code data} object (kept in {@code result}),
   * {@code attempt} the attempt its URL was made for (kept in {@code attempts}), 0 for a URL
   * written before attempts were bound.
   */
  public static LedgerRecord callback(String requestId, String taskId, int attempt, String writer, Instant at,
      JsonObject data) {
    return new LedgerRecord(Type.CALLBACK, requestId, null, null, null, null, null, at, null, attempt, taskId,
        writer, 0, data, null, -1, null);
  }

  public JsonObject toJson() {
    JsonObject json = head();
    putIfSet(json, "result", result);
    return tail(json);
  }

  /**
   * {@code toJson().toBuffer()}, with the result given as already encoded: {@code encodedResult} is
   * {@code result().toBuffer()} (a TERMINAL record carries the result as published, whose bytes were
   * just written to the result topic). The same bytes; the result is not encoded a second time.
   * Without a result, or without {@code encodedResult}, it is {@code toJson().toBuffer()}.
   */
  public Buffer toBuffer(Buffer encodedResult) {
    if (encodedResult == null || result == null) {
      return toJson().toBuffer();
    }
    // Compact JSON: {head},"result":R,{tail} joined is {head,"result":R,tail}; head is never empty.
    Buffer head = head().toBuffer();
    Buffer tail = tail(new JsonObject()).toBuffer();
    Buffer out = Buffer.buffer(head.length() + encodedResult.length() + tail.length() + 11)
        .appendBuffer(head, 0, head.length() - 1)
        .appendString(",\"result\":")
        .appendBuffer(encodedResult);
    return tail.length() > 2 ? out.appendString(",").appendBuffer(tail, 1, tail.length() - 1) : out.appendString("}");
  }

  /** The fields before {@code result}, in their order on the wire. */
  private JsonObject head() {
    JsonObject json = new JsonObject().put("v", 1).put("type", type.name()).put("requestId", requestId);
    putIfSet(json, "model", model);
    putIfSet(json, "endpoint", endpoint);
    putIfSet(json, "input", input);
    putIfSet(json, "metadata", metadata);
    putIfSet(json, "headers", headers);
    putIfSet(json, "receivedAt", receivedAt == null ? null : IsoInstant.format(receivedAt));
    putIfSet(json, "submittedAt", submittedAt == null ? null : IsoInstant.format(submittedAt));
    json.put("attempts", attempts);
    putIfSet(json, "taskId", taskId);
    putIfSet(json, "writer", writer);
    json.put("epoch", epoch);
    return json;
  }

  /** The fields after {@code result}, added to {@code json} in their order on the wire. */
  private JsonObject tail(JsonObject json) {
    putIfSet(json, "sourceTopic", sourceTopic);
    if (sourceOffset >= 0) {
      json.put("sourceOffset", sourceOffset);
    }
    putIfSet(json, "queue", queue);
    return json;
  }

  /**
   * Parses a ledger value; throws IllegalArgumentException (or a ClassCastException / DateTimeException
   * for a field of the wrong kind) for anything that is not one this version knows, e.g. a type
   * added by a newer version.
   */
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
        json.getJsonObject("result"),
        json.getString("sourceTopic"),
        json.getLong("sourceOffset", -1L),
        json.getJsonObject("queue"));
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
