package io.kieworker.worker;

import io.kieworker.ledger.LedgerRecord;
import io.kieworker.queue.Priority;
import io.kieworker.queue.Tenants;
import io.kieworker.request.Endpoint;
import io.kieworker.tracking.PollPlan;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One request the worker owns and has not finished. Mutable; confined to the worker's event loop.
 *
 * <p>Its life, in one place (the transition methods below; nothing else writes {@code phase} or
 * {@code attempts}):
 * <pre>
 *   QUEUED ──startCreate──► CREATING ──created──► TRACKED ──finishing──► FINISHING
 *     ▲                       │  │                  │
 *     │◄──────notCreated──────┘  └─ambiguousCreate─► AMBIGUOUS ──created (confirmed)──► TRACKED
 *     │◄──────────────────────resubmitted─────────────┘ (grace over) / TRACKED (5xx failure)
 * </pre>
 * An attempt counts once its create has left for Kie.ai and may have made a paid task: when Kie.ai
 * answered with a task id ({@link #created}) or the answer was lost ({@link #ambiguousCreate}). A
 * create Kie.ai refused (429, 401, 402, 433, a transient error) or that never left is not an
 * attempt ({@link #notCreated}): nothing is undone, because nothing was counted.
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
  /** Attempts that may have made a paid task (the result's {@code attempts}). */
  private int attempts;
  /** The number of the attempt being created while {@link Phase#CREATING} (attempts + 1), else 0. */
  private int creatingAttempt;
  String taskId;
  private Phase phase = Phase.QUEUED;
  long deadlineAt;
  int polls;
  int createRetries;
  /** When this task's create slot in the rate limiter was taken (then: when the create was sent). */
  long createSlotAt;
  int notFoundPolls;
  /** What the last status read said of the running task (state and since when), or null. */
  PollPlan.Seen seen;
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

  // ---- the create queue (issue 10) -------------------------------------------------------------
  Priority priority = Priority.NORMAL;
  String tenant = Tenants.DEFAULT;
  /** When the task ends EXPIRED if its create has not started (epoch ms); Long.MAX_VALUE: never. */
  long expiresAtMillis = Long.MAX_VALUE;
  /** When the request was first accepted into the queue (epoch ms): its queue wait and its age for priority aging. */
  long queuedAt;
  /** The request record's value size: what this task holds in memory, for WORKER_MAX_PENDING_BYTES. */
  int bytes;
  /** Its acceptance into the ledger is being written (a hand-over waits for it). */
  boolean accepting;
  /** The offset of a cancel message that ended this task: committable once the CANCELLED result is durable. */
  Long cancelOffset;

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
    // SUBMITTED and SUBMITTING carry an attempt that was (or may have been) sent; RELEASED one that was not.
    task.attempts = r.type() == LedgerRecord.Type.RELEASED ? Math.max(0, r.attempts() - 1) : r.attempts();
    task.taskId = r.taskId();
    task.sourceTopic = r.sourceTopic();
    task.sourceOffset = r.sourceOffset();
    if (r.type() == LedgerRecord.Type.SUBMITTED && r.result() != null && r.result().containsKey(StoreStage.LEDGER_FIELD)) {
      task.storedCopy = r.result();
    }
    task.restoreQueue(r.queue());
    return task;
  }

  /** The queue fields from a ledger record's {@code queue} object; defaults for older records or odd values. */
  private void restoreQueue(JsonObject queue) {
    queuedAt = receivedAt == null ? System.currentTimeMillis() : receivedAt.toEpochMilli();
    if (queue == null) {
      return;
    }
    try {
      priority = Priority.fromWire(queue.getString("priority")).orElse(Priority.NORMAL);
      String named = queue.getString("tenant");
      tenant = Tenants.valid(named) ? named : Tenants.DEFAULT;
      expiresAtMillis = queue.getLong("expiresAt", Long.MAX_VALUE);
      queuedAt = queue.getLong("queuedAt", queuedAt);
    } catch (ClassCastException e) {
      // written by this worker, so never expected; a record of another shape queues with the defaults
    }
  }

  /** The queue fields as stored with every ledger record of the task (about 100 bytes). */
  private JsonObject queueJson() {
    JsonObject json = new JsonObject().put("priority", priority.wireName()).put("tenant", tenant)
        .put("queuedAt", queuedAt);
    if (expiresAtMillis != Long.MAX_VALUE) {
      json.put("expiresAt", expiresAtMillis);
    }
    return json;
  }

  /** True once its create may no longer start: the request's deadline or WORKER_MAX_QUEUE_TIME passed. */
  boolean expired(long now) {
    return attempts == 0 && now >= expiresAtMillis;
  }

  /**
   * A ledger record of this task. SUBMITTING and RELEASED are written while creating: they carry the
   * number of the attempt being made (a next owner restoring SUBMITTING knows that attempt may have
   * been sent; one restoring RELEASED knows it was not).
   */
  LedgerRecord toLedger(LedgerRecord.Type type, String writer, long epoch, JsonObject result) {
    return new LedgerRecord(type, requestId, model, endpoint == Endpoint.LEGACY ? "legacy" : "market",
        input, metadata, headers, receivedAt, submittedAt, attempt(), taskId, writer, epoch, result,
        sourceTopic, sourceOffset, queueJson());
  }

  // ---- the state machine -------------------------------------------------------------------------

  Phase phase() {
    return phase;
  }

  /** Attempts that may have made a paid task. */
  int attempts() {
    return attempts;
  }

  /** The current attempt's number: the one being created, else the last one made (its callback URL, its ledger records). */
  int attempt() {
    return phase == Phase.CREATING ? creatingAttempt : attempts;
  }

  /** Waiting for a create slot (new, retried, or resubmitted). */
  void queued() {
    phase = Phase.QUEUED;
    creatingAttempt = 0;
  }

  /** A create slot was taken: the next attempt is being made (SUBMITTING, then the paid call). */
  void startCreate(Instant now, java.time.Duration deadline) {
    phase = Phase.CREATING;
    creatingAttempt = attempts + 1;
    if (submittedAt == null) {
      submittedAt = now;
      deadlineAt = now.plus(deadline).toEpochMilli();
    }
  }

  /** The create went nowhere (refused by Kie.ai, never sent, ledger write failed): not an attempt. */
  void notCreated() {
    queued();
  }

  /** Kie.ai named the task: the attempt being made counts (a confirmed ambiguous one was counted already). */
  void created(String taskId) {
    countCreatingAttempt();
    this.taskId = taskId;
    phase = Phase.TRACKED;
  }

  /** The create's answer was lost after it was sent: it counts, Kie.ai may have made the task. */
  void ambiguousCreate() {
    countCreatingAttempt();
    phase = Phase.AMBIGUOUS;
  }

  /** Followed by the tracker (a task id is known). */
  void tracked() {
    phase = Phase.TRACKED;
  }

  /** Another paid attempt: after a 5xx failure, or an ambiguous create whose grace ran out. */
  void resubmitted() {
    taskId = null;
    seen = null;
    queued();
  }

  /**
   * The previous owner says the attempt restored from its SUBMITTING record was never sent
   * (RELEASED): it does not count after all.
   */
  void releasedUnsent() {
    attempts = Math.max(0, attempts - 1);
    queued();
  }

  /** The result is being published; nothing else happens to the task. */
  void finishing() {
    phase = Phase.FINISHING;
  }

  private void countCreatingAttempt() {
    if (phase == Phase.CREATING) {
      attempts = creatingAttempt;
      creatingAttempt = 0;
    }
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
