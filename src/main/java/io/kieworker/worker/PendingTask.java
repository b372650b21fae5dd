package io.kieworker.worker;

import io.kieworker.ledger.LedgerRecord;
import io.kieworker.request.Endpoint;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One request the worker owns and has not finished. Mutable; confined to the worker's event loop.
 */
public final class PendingTask {
  /** Where the request is in its life; each phase has one owner of the next step. */
  public enum Phase {
    /** Waiting for a create slot (rate limit, in-flight bound) or a retry. */
    QUEUED,
    /** Uploading inline images, writing SUBMITTING, or creating. */
    CREATING,
    /** Task id known; the tracker polls it. */
    TRACKED,
    /** The create's answer was lost; waiting for a callback or the grace period. */
    AMBIGUOUS,
    /** The result is being published. */
    FINISHING
  }

  final String requestId;
  final int partition;
  /** The request record's offset, or null when restored from the ledger (already committed). */
  Long offset;
  final String model;
  final Endpoint endpoint;
  JsonObject input;
  final JsonObject metadata;
  final JsonArray headers;
  final Instant receivedAt;
  Instant submittedAt;
  int attempts;
  String taskId;
  Phase phase = Phase.QUEUED;
  long deadlineAt;
  int polls;
  int createRetries;
  /** When this task's create slot in the rate limiter was taken (then: when the create was sent). */
  long createSlotAt;
  int notFoundPolls;
  /** Bumped whenever a poll is (re)scheduled; a stale scheduler entry no longer matches it. */
  long pollGeneration;
  long ambiguousTimer = -1;
  /** A CALLBACK ledger record exists for this request; its key is tombstoned when the task ends. */
  boolean callbackRecorded;
  /**
   * The request record this task came from (topic, and offset in {@link #partition}); kept after
   * {@link #offset} is cleared and carried by every ledger record, so that reading that same record
   * again after its result was published answers nothing. Null / -1 when not known (older ledger).
   */
  String sourceTopic;
  long sourceOffset = -1;
  /** The SUBMITTED ledger write is under way (retried until acknowledged or the task is no longer ours). */
  boolean submittedWriting;
  /** The result store's ledger note {@code {taskId, stored}} once the images are copied (issue 13). */
  JsonObject storedCopy;

  PendingTask(String requestId, int partition, Long offset, String model, Endpoint endpoint,
      JsonObject input, JsonObject metadata, JsonArray headers, Instant receivedAt) {
    this.requestId = requestId;
    this.partition = partition;
    this.offset = offset;
    this.model = model;
    this.endpoint = endpoint;
    this.input = input;
    this.metadata = metadata;
    this.headers = headers;
    this.receivedAt = receivedAt;
  }

  static PendingTask restore(LedgerRecord r, int partition) {
    PendingTask task = new PendingTask(r.requestId(), partition, null, r.model(),
        "legacy".equals(r.endpoint()) ? Endpoint.LEGACY : Endpoint.MARKET, r.input(),
        r.metadata() == null ? new JsonObject() : r.metadata(),
        r.headers() == null ? new JsonArray() : r.headers(), r.receivedAt());
    task.submittedAt = r.submittedAt();
    task.attempts = r.attempts();
    task.taskId = r.taskId();
    task.sourceTopic = r.sourceTopic();
    task.sourceOffset = r.sourceOffset();
    if (r.type() == LedgerRecord.Type.SUBMITTED && r.result() != null && r.result().containsKey(StoreStage.LEDGER_FIELD)) {
      task.storedCopy = r.result();
    }
    return task;
  }

  LedgerRecord toLedger(LedgerRecord.Type type, String writer, long epoch, JsonObject result) {
    return new LedgerRecord(type, requestId, model, endpoint == Endpoint.LEGACY ? "legacy" : "market",
        input, metadata, headers, receivedAt, submittedAt, attempts, taskId, writer, epoch, result,
        sourceTopic, sourceOffset);
  }

  /** Names the request record this task was read from. */
  void source(String topic, long offset) {
    sourceTopic = topic;
    sourceOffset = offset;
  }

  public String requestId() {
    return requestId;
  }

  public String taskId() {
    return taskId;
  }

  public int partition() {
    return partition;
  }

  @Override
  public String toString() {
    return "PendingTask[" + requestId + " p" + partition + (offset == null ? "" : "@" + offset)
        + " " + phase + (taskId == null ? "" : " task=" + taskId) + " attempts=" + attempts + "]";
  }
}
