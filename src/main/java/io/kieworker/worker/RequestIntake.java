package io.kieworker.worker;

import io.kieworker.config.WorkerConfig;
import io.kieworker.kafka.OffsetTracker;
import io.kieworker.kafka.ProduceRefusal;
import io.kieworker.ledger.LedgerRecord;
import io.kieworker.ledger.TaskLedger;
import io.kieworker.logging.RequestLog;
import io.kieworker.metrics.WorkerMetrics;
import io.kieworker.request.ParseOutcome;
import io.kieworker.request.RequestParser;
import io.kieworker.result.HeaderValue;
import io.kieworker.result.PassThroughHeaders;
import io.kieworker.result.ResultError;
import io.kieworker.result.ResultEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.kieworker.request.GenerationRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Request intake: each record read from the request topic is parsed and validated, then either
 * answered at once (REJECTED + dead letter, a stored result for a repeated id, nothing for a record
 * read again, a cancel applied) or becomes a pending task accepted into the create queue. One
 * record's failure never skips the rest of its batch. Event-loop confined.
 *
 * <p>Accepting a request writes it to the ledger (a RELEASED record, attempts 0) before it is queued,
 * and its offset is committable from then on: the backlog waiting for creates lives in the ledger,
 * not in uncommitted offsets, so it survives restarts and hand-overs (the next owner's replay queues
 * it again) and the consumer reads far enough ahead to see every tenant's requests behind another's
 * backlog. The read-ahead is bounded by WORKER_MAX_PENDING and WORKER_MAX_PENDING_BYTES.
 */
final class RequestIntake {
  private static final Logger LOG = LoggerFactory.getLogger(RequestIntake.class);

  private final WorkerConfig config;
  private final PartitionOwnership ownership;
  private final OffsetTracker offsets;
  private final RequestParser parser;
  private final Outbox outbox;
  private final TaskLedger ledger;
  private final Submitter submitter;
  private final TaskOutcomes outcomes;
  private final Cancels cancels;
  private final IntakePause pause;
  private final WorkerMetrics metrics;
  private final String instanceId;
  private final BooleanSupplier stopping;

  RequestIntake(WorkerConfig config, PartitionOwnership ownership, OffsetTracker offsets, RequestParser parser,
      Outbox outbox, TaskLedger ledger, Submitter submitter, TaskOutcomes outcomes, IntakePause pause,
      WorkerMetrics metrics, String instanceId, BooleanSupplier stopping) {
    this.config = config;
    this.ownership = ownership;
    this.offsets = offsets;
    this.parser = parser;
    this.outbox = outbox;
    this.ledger = ledger;
    this.submitter = submitter;
    this.outcomes = outcomes;
    this.cancels = new Cancels(offsets, submitter, outcomes, metrics);
    this.pause = pause;
    this.metrics = metrics;
    this.instanceId = instanceId;
    this.stopping = stopping;
  }

  void onRecords(List<ConsumerRecord<String, byte[]>> records) {
    for (ConsumerRecord<String, byte[]> record : records) {
      PartitionState state = ownership.state(record.partition());
      if (state == null || stopping.getAsBoolean()) {
        continue; // no longer ours, or shutting down: the next owner reads it again
      }
      offsets.received(record.partition(), record.offset());
      metrics.requestConsumed();
      try {
        intake(state, record);
      } catch (RuntimeException e) {
        // A bug handling one record must not skip the rest of the batch nor stop the partition.
        internalFailure(state, record, e);
      }
      ownership.readUpTo(record.partition(), record.offset());
    }
    ownership.pendingChanged();
  }

  /**
   * Handling {@code record} threw: it is dead-lettered ({@code dlq.reason=INTERNAL}) and gets a
   * REJECTED result with code INTERNAL under the request id the parser finds (else
   * topic-partition-offset); its offset then finishes like any other's.
   */
  private void internalFailure(PartitionState state, ConsumerRecord<String, byte[]> record, RuntimeException e) {
    String requestId = record.topic() + "-" + record.partition() + "-" + record.offset();
    try {
      requestId = parser.parse(record.topic(), record.partition(), record.offset(), record.value()).requestId();
      PendingTask started = state.pending.get(requestId);
      if (started != null && Long.valueOf(record.offset()).equals(started.offset)) {
        state.removePending(started);
        ownership.forget(started);
      }
      LOG.error("Handling {}-{}@{} ({}) failed; dead-lettering it as INTERNAL", record.topic(),
          record.partition(), record.offset(), requestId, e);
      metrics.rejected("internal");
      ResultEvent result = ResultEvent.rejected(requestId, null, Map.of(), ResultError.INTERNAL,
          "the worker failed to handle this request (" + e.getClass().getSimpleName() + "); it was dead-lettered",
          Instant.now());
      finishRejected(record, result, ResultError.INTERNAL, e.toString(), passThrough(record));
    } catch (RuntimeException again) {
      LOG.error("Dead-lettering {}-{}@{} ({}) failed too; skipping it", record.topic(), record.partition(),
          record.offset(), requestId, again);
      offsets.finished(record.partition(), record.offset());
    }
  }

  /** The record's pass-through headers within their bounds; each one dropped is counted. */
  private List<HeaderValue> passThrough(ConsumerRecord<String, byte[]> record) {
    return PassThroughHeaders.select(record.headers(),
        drop -> metrics.counter("kie_worker.headers.dropped", "reason", drop.tag()).increment());
  }

  /** The DLQ record and the REJECTED result, then (see {@link #answered}) the offset: the record's handling has ended. */
  private void finishRejected(ConsumerRecord<String, byte[]> record, ResultEvent result, String reason,
      String detail, List<HeaderValue> headers) {
    answered(record, result.requestId(), Future.all(
            outbox.publishDeadLetter(record, reason, detail),
            outbox.publishResult(result, headers)))
        .onComplete(ar -> metrics.result("REJECTED", result.model(), null));
  }

  private void intake(PartitionState state, ConsumerRecord<String, byte[]> record) {
    if (alreadyAnswered(state, record)) {
      return;
    }
    Instant receivedAt = Instant.now();
    ParseOutcome outcome = parser.parse(record.topic(), record.partition(), record.offset(), record.value());
    if (outcome.isCancel()) {
      cancel(state, record, outcome);
      return;
    }
    if (!outcome.accepted()) {
      reject(record, outcome, receivedAt);
      return;
    }
    String requestId = outcome.requestId();
    PartitionState.Terminal done = state.terminals.get(requestId);
    if (done != null) {
      republish(record, done);
      return;
    }
    if (state.pending.containsKey(requestId)) {
      RequestLog.info(LOG, requestId, null, record.partition(), record.offset(),
          "Request {} ({}-{}@{}) is already being processed; duplicate ignored", requestId,
          record.topic(), record.partition(), record.offset());
      offsets.finished(record.partition(), record.offset());
      return;
    }
    var request = outcome.request();
    PendingTask task = new PendingTask(requestId, record.partition(), record.offset(), request.model(),
        request.endpoint(), request.input(), new JsonObject(new HashMap<>(request.metadata())),
        PassThroughHeaders.toJson(passThrough(record)), receivedAt);
    task.deadlineAt = receivedAt.plus(config.worker().deadline()).toEpochMilli();
    task.source(record.topic(), record.offset());
    queueFields(task, request, record, receivedAt);
    int largest = DurableSize.largestLedgerRecord(task, instanceId);
    if (largest > outbox.maxRecordBytes()) {
      tooLarge(record, outcome, largest, receivedAt);
      return;
    }
    state.addPending(task);
    if (task.expired(receivedAt.toEpochMilli())) {
      metrics.counter("kie_worker.expired").increment();
      outcomes.finish(task, Results.expired(task)); // nothing queued, nothing paid
      return;
    }
    accept(task);
  }

  /**
   * Priority, tenant and deadline: the earlier of the request's {@code expiresAt} and
   * WORKER_MAX_QUEUE_TIME after the record was produced (its timestamp; a timestamp in the future
   * counts as now, so a wrong producer clock cannot extend the wait).
   */
  private void queueFields(PendingTask task, GenerationRequest request, ConsumerRecord<String, byte[]> record,
      Instant receivedAt) {
    task.priority = request.priority();
    task.tenant = request.tenant();
    task.queuedAt = receivedAt.toEpochMilli();
    task.bytes = record.value() == null ? 0 : record.value().length;
    long expires = request.expiresAt() == null ? Long.MAX_VALUE : request.expiresAt().toEpochMilli();
    Duration maxQueueTime = config.queue().maxQueueTime();
    if (maxQueueTime != null) {
      long producedAt = record.timestamp() > 0 ? Math.min(record.timestamp(), task.queuedAt) : task.queuedAt;
      expires = Math.min(expires, producedAt + maxQueueTime.toMillis());
    }
    task.expiresAtMillis = expires;
  }

  /**
   * The request into the ledger (RELEASED, attempts 0: "not created yet"), then its offset is
   * committable and it joins the create queue. Retried while it is still ours and still queued: a
   * cancel or an expiry may end it meanwhile (then the late write is not sent: it could land after
   * the TERMINAL record and bring the request back). A request whose create can start at once
   * (empty queue, free slots; not while a restored queue waits for intake to catch up) skips this record: its
   * SUBMITTING record, written next, accepts it.
   */
  private void accept(PendingTask task) {
    PartitionState state = ownership.state(task.partition);
    if (state != null && !state.restoredQueueWaits() && submitter.createsAtOnce(task)) {
      submitter.enqueue(task); // its create starts now; the SUBMITTING record accepts it
      return;
    }
    task.accepting = true;
    LedgerRecord queued = task.toLedger(LedgerRecord.Type.RELEASED, instanceId, ownership.epoch(task.partition), null);
    outcomes.writeLedgerWhileOwned(task, queued, () -> task.phase() == PendingTask.Phase.QUEUED)
        .onComplete(ar -> {
          task.accepting = false;
          if (!ownership.owns(task) || task.phase() != PendingTask.Phase.QUEUED) {
            return; // no longer ours (the next owner reads the request again) or ended meanwhile
          }
          if (ar.failed()) {
            if (ProduceRefusal.refused(ar.cause())) {
              outcomes.refusedBeforeCreate(task, ar.cause()); // Kafka will never take it: REJECTED, unpaid
            }
            return;
          }
          outcomes.durable(task);
          submitter.enqueue(task);
        });
  }

  /**
   * A cancel message: applied to a pending request of this partition (see {@link Cancels}). A
   * malformed one is dead-lettered only, without a REJECTED result: that result would carry the id
   * of, and look like the answer to, the request it names.
   */
  private void cancel(PartitionState state, ConsumerRecord<String, byte[]> record, ParseOutcome outcome) {
    if (outcome.accepted()) {
      cancels.apply(state, record, outcome.requestId());
      return;
    }
    metrics.cancel("rejected");
    RequestLog.info(LOG, outcome.requestId(), null, record.partition(), record.offset(),
        "Rejected cancel ({}-{}@{}): {}", record.topic(), record.partition(), record.offset(), outcome.detail());
    answered(record, outcome.requestId(), outbox.publishDeadLetter(record, outcome.reason().name(), outcome.detail()));
  }

  private void reject(ConsumerRecord<String, byte[]> record, ParseOutcome outcome, Instant receivedAt) {
    String reason = outcome.reason().name();
    metrics.rejected(reason.toLowerCase());
    RequestLog.info(LOG, outcome.requestId(), null, record.partition(), record.offset(),
        "Rejected {} ({}-{}@{}): {}", outcome.requestId(), record.topic(), record.partition(),
        record.offset(), outcome.detail());
    ResultEvent result = ResultEvent.rejected(outcome.requestId(), outcome.model(), outcome.metadata(),
        outcome.violations(), receivedAt);
    finishRejected(record, result, reason, outcome.detail(), passThrough(record));
  }

  /** A valid request whose ledger records could never be written: REJECTED TOO_LARGE, nothing paid. */
  private void tooLarge(ConsumerRecord<String, byte[]> record, ParseOutcome outcome, int bytes, Instant receivedAt) {
    String message = "the request's ledger record would be about " + bytes + " bytes; the record bound is "
        + outbox.maxRecordBytes() + " (input, metadata and pass-through headers count; inline images once"
        + " uploaded do not)";
    metrics.rejected("too_large");
    RequestLog.info(LOG, outcome.requestId(), null, record.partition(), record.offset(),
        "Rejected {} ({}-{}@{}): {}", outcome.requestId(), record.topic(), record.partition(), record.offset(), message);
    ResultEvent result = ResultEvent.rejected(outcome.requestId(), outcome.model(), outcome.metadata(),
        ResultError.TOO_LARGE, message, receivedAt);
    finishRejected(record, result, ResultError.TOO_LARGE, message, passThrough(record));
  }

  /**
   * This exact request record (topic, partition, offset) was answered already and is being read
   * again because its offset was not committed (restart, rebalance): a HANDLED marker names it. It
   * gets nothing new: its outputs are durable.
   */
  private boolean alreadyAnswered(PartitionState state, ConsumerRecord<String, byte[]> record) {
    if (!state.handled.contains(record.offset())) {
      return false;
    }
    RequestLog.info(LOG, null, null, record.partition(), record.offset(),
        "Request record {}-{}@{} was answered before; read again, nothing is written", record.topic(),
        record.partition(), record.offset());
    metrics.counter("kie_worker.requests.reread").increment();
    offsets.finished(record.partition(), record.offset());
    return true;
  }

  /**
   * After {@code outputs} (a REJECTED result and dead letter, or a republished result) of a record
   * answered without a task: its HANDLED marker, then its offset may be committed. The marker is
   * written after the outputs (a crash in between repeats them rather than lose them) and only while
   * the partition is ours; a hand-over waits for {@code answering} to reach zero.
   */
  private Future<Void> answered(ConsumerRecord<String, byte[]> record, String requestId, Future<?> outputs) {
    PartitionState state = ownership.state(record.partition());
    if (state == null) {
      return outputs.mapEmpty();
    }
    state.answering++;
    long offset = record.offset();
    return outputs.transform(ar -> outbox.durably("ledger HANDLED " + record.partition() + "@" + offset,
            () -> ledger.write(state.partition, LedgerRecord.handled(requestId, record.topic(), offset, instanceId,
                state.epoch, Instant.now())),
            () -> ownership.state(state.partition) == state))
        .onComplete(ar -> {
          state.answering--;
          if (ar.succeeded()) {
            state.handled.add(offset);
          }
          offsets.finished(record.partition(), offset);
        });
  }

  /**
   * A request id seen again inside the dedupe window: a new record gets the stored result again, no
   * new task; the very record whose result that is (read again before its offset was committed)
   * gets nothing.
   */
  private void republish(ConsumerRecord<String, byte[]> record, PartitionState.Terminal done) {
    if (done.result() == null || done.answered(record.topic(), record.offset())) {
      if (done.result() != null) {
        metrics.counter("kie_worker.requests.reread").increment();
        RequestLog.info(LOG, null, null, record.partition(), record.offset(),
            "Request record {}-{}@{} was answered before; read again, nothing is written (its result is"
            + " published)", record.topic(), record.partition(), record.offset());
      }
      offsets.finished(record.partition(), record.offset());
      return;
    }
    ResultEvent stored = ResultEvent.fromJson(done.resultJson());
    RequestLog.info(LOG, stored.requestId(), stored.taskId(), record.partition(), record.offset(),
        "Request {} already finished; republishing its result", stored.requestId());
    answered(record, stored.requestId(),
        outbox.publishResult(stored, PassThroughHeaders.fromJson(done.headersJson())));
  }
}
