package io.kieworker.worker;

import io.kieworker.config.WorkerConfig;
import io.kieworker.health.Health;
import io.kieworker.kafka.OffsetTracker;
import io.kieworker.ledger.LedgerRecord;
import io.kieworker.ledger.LedgerTail;
import io.kieworker.ledger.TaskLedger;
import io.kieworker.metrics.WorkerMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request partitions this instance owns and what it knows of each: pending tasks, finished
 * requests kept for the dedupe window, answered records, ownership epochs. Replays a newly assigned
 * partition's ledger before any of its requests is read, fences itself out when a newer owner's
 * OWNERSHIP record appears, and hands partitions over on a revoke.
 *
 * <p>Event-loop confined (the worker's context); the ledger tail delivers its records there.
 */
final class PartitionOwnership implements TaskOwnership {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionOwnership.class);
  /**
   * Bound on waiting for in-flight creates at a hand-over: a create answers in well under a second;
   * one that hangs must not stall the group's rebalance (its SUBMITTED, if it comes, is adopted by
   * the next owner from the ledger).
   */
  private static final long HANDOVER_WAIT_MS = 2_000;
  /**
   * Bound on holding a restored queue until intake has read the partition's records produced before
   * the assignment (a cancel of a restored request among them): a backlog too deep to read in this
   * time (or a paused consumer) must not hold creates back for longer.
   */
  private static final long CATCH_UP_MAX_MS = 5_000;

  private final Vertx vertx;
  private final WorkerConfig config;
  private final WorkerMetrics metrics;
  private final String instanceId;
  private final TaskLedger ledger;
  private final Outbox outbox;
  private final LedgerTail ledgerTail;
  private final OffsetTracker offsets;
  private final Health health;
  private final IntakePause pause;
  private final IntSupplier partitionCount;
  private final LedgerReader reader;
  private final Map<Integer, PartitionState> partitions = new HashMap<>();
  private final Map<Integer, Promise<Void>> replays = new HashMap<>();
  private final Map<Integer, Long> backlogFrom = new HashMap<>();
  private final Map<Integer, Long> backlogEnd = new HashMap<>();
  private Submitter submitter;
  private Tracker tracker;
  private CallbackRecords callbacks;

  PartitionOwnership(Vertx vertx, WorkerConfig config, WorkerMetrics metrics, String instanceId, TaskLedger ledger,
      Outbox outbox, LedgerTail ledgerTail, OffsetTracker offsets, Health health, IntakePause pause,
      IntSupplier partitionCount) {
    this.vertx = vertx;
    this.config = config;
    this.metrics = metrics;
    this.instanceId = instanceId;
    this.ledger = ledger;
    this.outbox = outbox;
    this.ledgerTail = ledgerTail;
    this.offsets = offsets;
    this.health = health;
    this.pause = pause;
    this.partitionCount = partitionCount;
    this.reader = new LedgerReader(metrics);
  }

  /** The parts that act on restored and dropped tasks; set once at start (they need this class too). */
  void attach(Submitter submitter, Tracker tracker, CallbackRecords callbacks) {
    this.submitter = submitter;
    this.tracker = tracker;
    this.callbacks = callbacks;
  }

  // ---- what the other parts ask ------------------------------------------------------------------

  /** The state of an owned partition, or null when it is not (or no longer) ours. */
  PartitionState state(int partition) {
    return partitions.get(partition);
  }

  Collection<PartitionState> owned() {
    return partitions.values();
  }

  /** Backpressure follows the tasks (and their bytes) held. */
  void pendingChanged() {
    long bytes = 0;
    for (PartitionState state : partitions.values()) {
      bytes += state.pendingBytes;
    }
    pause.pending(pendingCount(), bytes);
  }

  int pendingCount() {
    int n = 0;
    for (PartitionState state : partitions.values()) {
      n += state.pending.size();
    }
    return n;
  }

  @Override
  public boolean owns(PendingTask task) {
    PartitionState state = partitions.get(task.partition);
    return state != null && state.pending.get(task.requestId) == task;
  }

  @Override
  public boolean handingOver(PendingTask task) {
    PartitionState state = partitions.get(task.partition);
    return state != null && state.revoking;
  }

  @Override
  public long epoch(int partition) {
    PartitionState state = partitions.get(partition);
    return state == null ? 0 : state.epoch;
  }

  @Override
  public Future<Boolean> fence(PendingTask task) {
    return ledgerTail.barrier(task.partition).transform(ar -> Future.succeededFuture(ar.succeeded() && owns(task)));
  }

  /** Nothing is lost if the task's request record is never read again: its offset may be committed. */
  void durable(PendingTask task) {
    if (task.offset != null) {
      offsets.finished(task.partition, task.offset);
      task.offset = null;
    }
    if (task.cancelOffset != null && task.phase() == PendingTask.Phase.FINISHING) {
      offsets.finished(task.partition, task.cancelOffset); // the cancel that ended it, once its result is durable
      task.cancelOffset = null;
    }
  }

  /** Stops every timer and queue entry of a task that is no longer ours to finish. */
  void forget(PendingTask task) {
    tracker.untrack(task);
    submitter.forget(task);
  }

  // ---- assignment and hand-over --------------------------------------------------------------------

  /** Where reading new partitions resumes and ends (just before {@link #onAssigned}). */
  void onBacklog(Map<Integer, Long> readFrom, Map<Integer, Long> endAt) {
    backlogFrom.putAll(readFrom);
    backlogEnd.putAll(endAt);
  }

  /** New partitions: completes when their ledger is replayed; until then they stay paused. */
  Future<Void> onAssigned(Set<Integer> assigned) {
    List<Future<Void>> done = new ArrayList<>();
    for (int p : assigned) {
      PartitionState state = new PartitionState(p);
      Long from = backlogFrom.remove(p);
      Long end = backlogEnd.remove(p);
      // Unknown offsets: hold the restored queue for the catch-up timeout only.
      state.catchUpTo = from == null || end == null ? Long.MAX_VALUE : end > from ? end - 1 : -1;
      partitions.put(p, state);
      Promise<Void> replayed = Promise.promise();
      replays.put(p, replayed);
      done.add(replayed.future());
    }
    ledgerTail.assign(assigned);
    sharesChanged();
    return Future.all(done).mapEmpty();
  }

  /** Partitions are going: drop their work and answer the offsets to commit for them. */
  Future<Map<Integer, Long>> onRevoked(Set<Integer> revoked, boolean lost) {
    if (lost) {
      return Future.succeededFuture(release(revoked));
    }
    // Still ours until this future completes: start no new create there, but let creates already
    // under way finish and record their task ids, so the next owner finds SUBMITTED, not an
    // ambiguous SUBMITTING (which in poll-only mode would wait out the whole grace period).
    revoked.forEach(p -> {
      PartitionState state = partitions.get(p);
      if (state != null) {
        state.revoking = true;
      }
    });
    Promise<Map<Integer, Long>> released = Promise.promise();
    long deadline = System.currentTimeMillis() + HANDOVER_WAIT_MS;
    awaitDurableSteps(revoked, deadline, () -> released.complete(release(revoked)));
    return released.future();
  }

  /**
   * Waits (bounded) for the steps whose ledger record the next owner must see in its replay: creates
   * (their SUBMITTED), results being published (their TERMINAL), rejections and republishes (their
   * HANDLED marker). Without it the next owner answers those requests a second time.
   */
  private void awaitDurableSteps(Set<Integer> revoked, long deadline, Runnable then) {
    boolean busy = revoked.stream().map(partitions::get).filter(Objects::nonNull)
        .anyMatch(s -> s.answering > 0 || s.pending.values().stream().anyMatch(t ->
            t.phase() == PendingTask.Phase.CREATING || t.phase() == PendingTask.Phase.FINISHING || t.submittedWriting
            || t.accepting));
    if (!busy || System.currentTimeMillis() >= deadline) {
      then.run();
    } else {
      vertx.setTimer(20, id -> awaitDurableSteps(revoked, deadline, then));
    }
  }

  private Map<Integer, Long> release(Set<Integer> revoked) {
    Map<Integer, Long> positions = new HashMap<>();
    for (int p : revoked) {
      PartitionState state = partitions.remove(p);
      replays.remove(p);
      if (state != null) {
        state.pending.values().forEach(this::forget);
      }
      Long position = offsets.release(p);
      if (position != null) {
        positions.put(p, position);
      }
    }
    ledgerTail.unassign(revoked);
    sharesChanged();
    pendingChanged();
    return positions;
  }

  /** Readiness and the rate shares follow the partitions owned. */
  private void sharesChanged() {
    health.assigned(partitions.keySet());
    submitter.partitions(partitions.keySet(), partitionCount.getAsInt());
    tracker.partitions(partitions.size(), partitionCount.getAsInt());
  }

  // ---- the ledger -------------------------------------------------------------

  /** Ledger records of an owned partition, in order ({@code replay}: restoring after assignment). */
  void onLedgerRecords(int partition, List<ConsumerRecord<String, byte[]>> records, boolean replay) {
    PartitionState state = partitions.get(partition);
    if (state == null) {
      return;
    }
    for (ConsumerRecord<String, byte[]> record : records) {
      if (!replay && !LedgerRecord.isCallbackKey(record.key()) && TaskLedger.writtenBy(record, instanceId)) {
        continue; // our own request or ownership record coming back: nothing to learn from it
      }
      onLedgerRecord(state, record, replay);
      if (partitions.get(partition) != state) {
        return; // fenced by the record just read
      }
    }
  }

  /**
   * Only a null value deletes what is known of a key. A value this version cannot read (malformed,
   * or a type of a newer version after a rollback) is skipped: the key keeps its earlier state.
   */
  private void onLedgerRecord(PartitionState state, ConsumerRecord<String, byte[]> record, boolean replay) {
    if (record.value() == null) {
      long handledOffset = LedgerRecord.offsetOfHandledKey(record.key());
      if (handledOffset >= 0) {
        state.handled.remove(handledOffset);
      } else if (replay) {
        state.replayedTombstone(record.key());
      }
      return;
    }
    LedgerRecord entry = reader.read(record.partition(), record.offset(), record.value());
    if (entry == null) {
      return;
    }
    if (entry.type() == LedgerRecord.Type.OWNERSHIP) {
      onOwnership(state, entry);
    } else if (entry.type() == LedgerRecord.Type.HANDLED) {
      onHandledMarker(state, entry);
    } else if (replay) {
      state.replayed(record.key(), record.value(), record.timestamp());
    } else {
      onLiveLedgerRecord(state, entry, record.timestamp());
    }
  }

  /** A request record answered without a task (by us before a restart, or by a previous owner). */
  private void onHandledMarker(PartitionState state, LedgerRecord marker) {
    if (marker.sourceOffset() >= 0 && config.topics().requests().equals(marker.sourceTopic())) {
      state.handled.add(marker.sourceOffset());
    }
  }

  /**
   * Ownership epochs: a new owner writes OWNERSHIP(epoch = highest seen + 1) after replaying. A
   * newer epoch by someone else means this instance lost the partition (it may not have noticed
   * yet: long pause, network cut): drop everything at once, commit nothing.
   */
  private void onOwnership(PartitionState state, LedgerRecord ownership) {
    state.maxEpochSeen = Math.max(state.maxEpochSeen, ownership.epoch());
    if (state.epoch > 0 && ownership.epoch() >= state.epoch && !instanceId.equals(ownership.writer())) {
      LOG.warn("Fenced out of partition {}: epoch {} written by {} (ours {})", state.partition,
          ownership.epoch(), ownership.writer(), state.epoch);
      metrics.counter("kie_worker.fenced").increment();
      partitions.remove(state.partition);
      state.pending.values().forEach(this::forget);
      offsets.release(state.partition);
      pendingChanged();
    }
  }

  /** Every record up to the end offset seen at assignment has been delivered: restore, then claim. */
  void onReplayed(int partition) {
    PartitionState state = partitions.get(partition);
    Promise<Void> replayed = replays.remove(partition);
    if (state == null || replayed == null) {
      return;
    }
    int restored = 0;
    // One key's value parsed at a time: its JSON tree is garbage before the next one is parsed.
    for (PartitionState.Replayed replayedValue : state.takeReplayed()) {
      LedgerRecord r = reader.read(partition, -1, replayedValue.value());
      if (r == null) {
        continue;
      }
      if (r.type() == LedgerRecord.Type.TERMINAL) {
        state.terminals.put(r.requestId(), PartitionState.Terminal.of(r.result(), r.headers(),
            Instant.ofEpochMilli(replayedValue.timestamp()), r.sourceTopic(), r.sourceOffset()));
        tracker.learnFromStoredResult(r.model(), r.result());
      } else if (r.type() != LedgerRecord.Type.CALLBACK) {
        restore(state, r, replayedValue.value().length);
        restored++;
      }
    }
    for (PartitionState.Replayed callback : state.takeReplayedCallbacks()) {
      LedgerRecord r = reader.read(partition, -1, callback.value());
      if (r != null) {
        callbacks.onCallbackRecord(state, r);
      }
    }
    long epoch = state.maxEpochSeen + 1;
    LOG.info("Ledger partition {} replayed: {} pending restored, {} terminal kept for dedupe, {} handled"
        + " request records; epoch {}", partition, restored, state.terminals.size(), state.handled.size(), epoch);
    sweep(state); // terminals whose window ended while nobody owned the partition
    if (state.catchUpTo < 0) {
      releaseHeld(state);
    } else {
      vertx.setTimer(CATCH_UP_MAX_MS, id -> releaseHeld(state));
    }
    pendingChanged();
    outbox.durably("ledger OWNERSHIP " + partition,
            () -> ledger.write(partition, LedgerRecord.ownership(instanceId, epoch, Instant.now())))
        .onComplete(ar -> {
          state.epoch = epoch;
          replayed.complete();
        });
  }

  private void restore(PartitionState state, LedgerRecord r, int bytes) {
    PendingTask task = PendingTask.restore(r, state.partition);
    task.bytes = bytes;
    state.addPending(task);
    task.deadlineAt = (task.submittedAt == null ? Instant.now() : task.submittedAt)
        .plus(config.worker().deadline()).toEpochMilli();
    if (r.type() == LedgerRecord.Type.SUBMITTED && task.taskId != null) {
      tracker.track(task, true);
    } else if (r.type() == LedgerRecord.Type.RELEASED) {
      // Queued at intake (attempts 0), or a released attempt never sent (restore did not count it);
      // queued once intake has caught up with the records produced before the assignment.
      state.heldUntilCaughtUp.add(task);
    } else {
      submitter.ambiguous(task, "restored from a SUBMITTING record");
    }
  }

  /** Intake has read {@code partition} up to {@code offset}: a restored queue held for it may be created from. */
  void readUpTo(int partition, long offset) {
    PartitionState state = partitions.get(partition);
    if (state != null && state.heldUntilCaughtUp != null && offset >= state.catchUpTo) {
      releaseHeld(state);
    }
  }

  /** The restored queue of {@code state} joins the create queue (once; nothing if the partition went). */
  private void releaseHeld(PartitionState state) {
    List<PendingTask> held = state.heldUntilCaughtUp;
    if (held == null || partitions.get(state.partition) != state) {
      return;
    }
    state.heldUntilCaughtUp = null;
    for (PendingTask task : held) {
      if (owns(task) && task.phase() == PendingTask.Phase.QUEUED) { // not cancelled or expired meanwhile
        submitter.enqueue(task);
      }
    }
    if (!held.isEmpty()) {
      LOG.info("Partition {}: {} restored queued requests join the create queue", state.partition, held.size());
    }
  }

  /** Records appended while we own the partition: callbacks, and other writers' progress. */
  private void onLiveLedgerRecord(PartitionState state, LedgerRecord r, long timestamp) {
    if (r.type() == LedgerRecord.Type.CALLBACK) {
      callbacks.onCallbackRecord(state, r);
      return;
    }
    if (instanceId.equals(r.writer())) {
      return;
    }
    PendingTask task = state.pending.get(r.requestId());
    if (r.type() == LedgerRecord.Type.SUBMITTED && task != null && task.taskId == null && r.taskId() != null) {
      // The previous owner's create came back after the hand-over: adopt its task.
      submitter.forget(task);
      submitter.adopt(task, r.taskId());
    } else if (r.type() == LedgerRecord.Type.RELEASED && task != null && task.taskId == null
        && task.phase() == PendingTask.Phase.AMBIGUOUS) {
      // The previous owner gave the partition up before its create went out: submit now.
      submitter.forget(task);
      task.releasedUnsent();
      submitter.enqueue(task);
    } else if (r.type() == LedgerRecord.Type.TERMINAL && task != null) {
      forget(task);
      durable(task);
      state.removePending(task);
      state.terminals.put(r.requestId(), PartitionState.Terminal.of(r.result(), r.headers(),
          Instant.ofEpochMilli(timestamp), r.sourceTopic(), r.sourceOffset()));
    }
  }

  // ---- housekeeping --------------------------------------------------------------------------------

  /** Remembers how far each partition's committed offset has moved (HANDLED markers behind it can go). */
  void committed(Map<Integer, Long> positions) {
    positions.forEach((p, position) -> {
      PartitionState state = partitions.get(p);
      if (state != null) {
        state.lastCommitPosition = Math.max(state.lastCommitPosition, position);
      }
    });
  }

  void sweepAll() {
    partitions.values().forEach(this::sweep);
  }

  /**
   * Keeps the compacted ledger small: tombstones TERMINAL records whose dedupe window (from the
   * record's own time) has ended, and HANDLED markers the committed offset has passed.
   */
  private void sweep(PartitionState state) {
    Instant cutoff = Instant.now().minus(config.worker().dedupeWindow());
    state.terminals.entrySet().removeIf(e -> {
      if (e.getValue().since().isBefore(cutoff)) {
        ledger.tombstone(state.partition, e.getKey());
        return true;
      }
      return false;
    });
    for (long offset : state.commitPassed()) {
      ledger.tombstone(state.partition, LedgerRecord.handledKey(offset));
    }
  }
}
