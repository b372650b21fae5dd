package io.kieworker.worker;

import io.kieworker.kafka.ProduceRefusal;
import io.kieworker.ledger.LedgerRecord;
import io.kieworker.ledger.TaskLedger;
import io.kieworker.metrics.WorkerMetrics;
import io.kieworker.result.PassThroughHeaders;
import io.kieworker.result.ResultError;
import io.kieworker.result.ResultEvent;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A task's way out: [result images copied to the store] → fence → result published → TERMINAL in
 * the ledger → kept for the dedupe window. Also the other outcomes the submitter and the tracker
 * decide (durable task id, resubmission, tracking). Event-loop confined.
 */
final class Finisher implements TaskOutcomes {
  private static final Logger LOG = LoggerFactory.getLogger(Finisher.class);

  private final PartitionOwnership ownership;
  private final TaskLedger ledger;
  private final Outbox outbox;
  private final IntakePause pause;
  private final WorkerMetrics metrics;
  private final String instanceId;
  private Submitter submitter;
  private Tracker tracker;
  /** Null when the result store is off. */
  private StoreStage store;

  Finisher(PartitionOwnership ownership, TaskLedger ledger, Outbox outbox, IntakePause pause,
      WorkerMetrics metrics, String instanceId) {
    this.ownership = ownership;
    this.ledger = ledger;
    this.outbox = outbox;
    this.pause = pause;
    this.metrics = metrics;
    this.instanceId = instanceId;
  }

  /** The parts a resubmission and tracking go to; set once at start (they need this class too). */
  void attach(Submitter submitter, Tracker tracker) {
    this.submitter = submitter;
    this.tracker = tracker;
  }

  /** The result store's stage, or null when it is off; set once at start, before any request. */
  void store(StoreStage store) {
    this.store = store;
  }

  @Override
  public void durable(PendingTask task) {
    ownership.durable(task);
  }

  @Override
  public void refusedBeforeCreate(PendingTask task, Throwable cause) {
    outbox.refused("ledger record of " + task.requestId, cause);
    boolean tooLarge = ProduceRefusal.tooLarge(cause);
    finish(task, Results.rejected(task, tooLarge ? ResultError.TOO_LARGE : ResultError.PRODUCE_REFUSED,
        "Kafka refused the request's ledger record (" + cause.getClass().getSimpleName() + "); nothing was paid"));
  }

  @Override
  public void track(PendingTask task) {
    tracker.track(task, false);
  }

  @Override
  public void pollNow(PendingTask task) {
    tracker.pollNow(task);
  }

  @Override
  public void resubmit(PendingTask task, String reason) {
    metrics.resubmit(reason);
    tracker.untrack(task);
    task.resubmitted();
    submitter.enqueue(task);
  }

  @Override
  public void finish(PendingTask task, ResultEvent result) {
    if (task.phase() == PendingTask.Phase.FINISHING || !ownership.owns(task)) {
      return;
    }
    task.finishing();
    tracker.untrack(task);
    (store == null ? Future.succeededFuture(result) : store.copy(task, result))
        .compose(toPublish -> ownership.fence(task).compose(stillOurs -> stillOurs
            ? outbox.publishResult(toPublish, PassThroughHeaders.fromJson(task.headers))
            : Future.failedFuture("fenced: partition " + task.partition + " has a newer owner")))
        .compose(published -> {
          // Known as finished from the moment its result is out: a repeat of the request read while
          // the TERMINAL record is being written gets that result again, not "already being processed".
          rememberTerminal(task, published);
          return recordTerminal(task, result, published);
        })
        .onComplete(ar -> {
          durable(task);
          PartitionState state = ownership.state(task.partition);
          if (state != null && state.removePending(task)) {
            if (task.callbackRecorded) {
              ledger.tombstone(task.partition, LedgerRecord.callbackKey(task.requestId));
            }
          }
          ownership.pendingChanged();
        });
  }

  private void rememberTerminal(PendingTask task, Outbox.Published published) {
    PartitionState state = ownership.state(task.partition);
    if (state != null && state.pending.get(task.requestId) == task) {
      state.terminals.put(task.requestId, PartitionState.Terminal.ofEncoded(published.value(), task.headers,
          Instant.now(), task.sourceTopic, task.sourceOffset));
    }
  }

  /** The published result into the ledger: with it, the request's record read again gets nothing. */
  private Future<Outbox.Published> recordTerminal(PendingTask task, ResultEvent result, Outbox.Published published) {
    metrics.result(result.status().name(), task.model,
        Duration.between(task.receivedAt, published.event().timings().publishedAt()));
    TaskLog.info(LOG, task, "Result {} for {} (task {}, attempts {})", result.status(), task.requestId,
        task.taskId, task.attempts());
    // Carries the task's source record (in toLedger): read again, that record gets nothing.
    LedgerRecord terminal = task.toLedger(LedgerRecord.Type.TERMINAL, instanceId, ownership.epoch(task.partition),
        published.json());
    return outbox.durably("ledger TERMINAL " + task.requestId,
            () -> ledger.write(task.partition, terminal, published.value()))
        .map(published);
  }

  @Override
  public Future<Void> writeLedgerWhileOwned(PendingTask task, LedgerRecord record, BooleanSupplier wanted) {
    return outbox.durably("ledger " + record.type() + " " + task.requestId,
        () -> ledger.write(task.partition, record)
            .onFailure(e -> metrics.counter("kie_worker.ledger.write.failed").increment()),
        () -> ownership.owns(task) && wanted.getAsBoolean());
  }
}
