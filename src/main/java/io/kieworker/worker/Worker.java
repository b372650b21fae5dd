package io.kieworker.worker;

import io.kieworker.health.Health;
import io.kieworker.kafka.ProduceRefusal;
import io.kieworker.config.WorkerConfig;
import io.kieworker.callback.CallbackRoute;
import io.kieworker.callback.CallbackToken;
import io.kieworker.http.HttpApi;
import io.kieworker.kafka.OffsetTracker;
import io.kieworker.kafka.RequestConsumer;
import io.kieworker.kie.KieClient;
import io.kieworker.kie.KieClientOptions;
import io.kieworker.kie.TaskRecord;
import io.kieworker.ledger.LedgerRecord;
import io.kieworker.ledger.LedgerTail;
import io.kieworker.ledger.TaskLedger;
import io.kieworker.logging.RequestLog;
import io.kieworker.metrics.WorkerMetrics;
import io.kieworker.model.ModelRegistry;
import io.kieworker.request.ParseOutcome;
import io.kieworker.request.RequestParser;
import io.kieworker.result.HeaderValue;
import io.kieworker.result.PassThroughHeaders;
import io.kieworker.result.RecordSize;
import io.kieworker.result.ResultError;
import io.kieworker.result.ResultEvent;
import io.kieworker.tracking.CompletionTimes;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.serialization.BufferSerializer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker: owns request partitions (and the ledger partitions numbered like them), turns each
 * request into one Kie.ai task and each task into one terminal result.
 *
 * <p>Threading: one verticle, one event loop. All state (partitions, pending tasks, queues,
 * timers) is touched only on this verticle's context; the two Kafka poll threads and the HTTP
 * callback route reach it through {@code runOnContext} or the verticle's own context.
 *
 * <p>Order of durable steps for one request: [uploads] → ledger SUBMITTING → createTask → ledger
 * SUBMITTED → offset committable → … → [result store: images copied → ledger SUBMITTED with the
 * copy noted] → result published → ledger TERMINAL. A crash between any two
 * steps is resolved from the ledger by the next owner (see docs in README "Design").
 */
public final class Worker extends VerticleBase implements RequestConsumer.Listener, LedgerTail.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(Worker.class);

  private final WorkerConfig config;
  private final ModelRegistry registry;
  private final WorkerMetrics metrics;
  private final PrometheusMeterRegistry prometheus;
  private final String instanceId = UUID.randomUUID().toString();
  private volatile int partitionCount;
  private HttpServer httpServer;

  private KafkaProducer<String, Buffer> producer;
  private io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics producerMetrics;
  private TaskLedger ledger;
  private Outbox outbox;
  private KieClient kie;
  private RequestParser parser;
  private RequestConsumer consumer;
  private LedgerTail ledgerTail;
  private Submitter submitter;
  private Tracker tracker;
  private CallbackRoute callbacks;
  /** Null when the result store is off. */
  private StoreStage store;
  private final OffsetTracker offsets = new OffsetTracker();
  private final Map<Integer, PartitionState> partitions = new HashMap<>();
  private final Map<Integer, Promise<Void>> replays = new HashMap<>();
  private final Set<String> pauseReasons = new HashSet<>();
  private final Health health = new Health();
  private long commitTimer = -1;
  private long sweepTimer = -1;
  private boolean stopping;

  /** @param prometheus served at /metrics, or null to serve no metrics */
  public Worker(WorkerConfig config, ModelRegistry registry, WorkerMetrics metrics, PrometheusMeterRegistry prometheus) {
    this.config = config;
    this.registry = registry;
    this.metrics = metrics;
    this.prometheus = prometheus;
  }

  /** The port the HTTP server listens on (useful when HTTP_PORT is 0). */
  public int httpPort() {
    return httpServer == null ? -1 : httpServer.actualPort();
  }

  public String instanceId() {
    return instanceId;
  }

  public Health health() {
    return health;
  }

  /** What the poll plan has learned of each model's durations (event-loop state: read it quiescent). */
  CompletionTimes completionTimes() {
    return tracker.completionTimes();
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  @Override
  public Future<?> start() {
    Properties kafka = kafkaProperties();
    producer = KafkaProducer.create(vertx, producerProperties(kafka));
    producerMetrics = io.kieworker.metrics.MetricsSetup.bindProducer(producer.unwrap(), metrics.registry(), "producer");
    producer.exceptionHandler(e -> {
      LOG.warn("Kafka producer: {}", e.toString());
      health.producerFailed(e);
    });
    ledger = new TaskLedger(producer, config.topics().ledger(), instanceId);
    outbox = new Outbox(vertx, producer, config.topics().results(), config.topics().dlq(),
        RecordSize.maxRecordBytes(kafka), metrics);
    kie = new KieClient(vertx, kieOptions());
    parser = new RequestParser(registry, config.worker().maxRequestBytes());
    String secret = config.worker().callbackSecret() != null
        ? config.worker().callbackSecret() : CallbackToken.deriveSecret(config.kie().apiKey());
    CallbackToken token = new CallbackToken(secret);
    tracker = new Tracker(this, vertx, kie, registry, metrics, config);
    submitter = new Submitter(this, vertx, kie, ledger, registry, metrics, config, token, instanceId);
    callbacks = new CallbackRoute(ledger, token, config.kie().webhookHmacKey(), metrics, instanceId,
        () -> partitionCount);
    metrics.gauge("kie_worker.pending.tasks", "Requests owned and not finished (the autoscaling signal)",
        this::pendingCount);
    metrics.gauge("kie_worker.creates.inflight", "createTask calls under way", () -> submitter.inFlight());
    metrics.gauge("kie_worker.partitions.paused", "1 while the request partitions are paused",
        () -> pauseReasons.isEmpty() ? 0 : 1);
    metrics.gauge("kie_worker.rate_limit.share", "This instance's share of the account's create limit",
        () -> submitter.limiter().share());

    return vertx.executeBlocking(() -> TopicSetup.ensure(config, kafka))
        .compose(n -> StoreStage.create(vertx, config.store(), this, ledger, outbox, metrics, instanceId).map(stage -> {
          store = stage;
          return n;
        }))
        .compose(n -> {
          partitionCount = n;
          return HttpApi.listen(vertx, HttpApi.router(vertx, callbacks, health, prometheus),
              config.http().host(), config.http().port());
        })
        .compose(server -> {
          httpServer = server;
          return checkKey();
        })
        .onSuccess(v -> startConsuming(kafka));
  }

  private void startConsuming(Properties kafka) {
    ledgerTail = new LedgerTail(kafka, config.topics().ledger(), context, this);
    ledgerTail.bindMetrics(metrics.registry());
    ledgerTail.start();
    consumer = new RequestConsumer(kafka, config.kafka().groupId(), config.kafka().groupInstanceId(),
        config.topics().requests(), context, this);
    if (!pauseReasons.isEmpty()) {
      consumer.pauseAll(); // e.g. the key was refused at start
    }
    consumer.bindMetrics(metrics.registry());
    consumer.start();
    health.consumerStarted();
    commitTimer = vertx.setPeriodic(config.worker().commitInterval().toMillis(), id -> commitOffsets());
    sweepTimer = vertx.setPeriodic(SWEEP_PERIOD_MS, id -> partitions.values().forEach(this::sweep));
    LOG.info("Worker {} consuming {} (callbacks {})", instanceId, config.topics().requests(),
        config.kie().callbacksEnabled() ? "on" : "off: poll only");
  }

  private void commitOffsets() {
    Map<Integer, Long> positions = offsets.commitPositions();
    positions.forEach((p, position) -> {
      PartitionState state = partitions.get(p);
      if (state != null) {
        state.lastCommitPosition = Math.max(state.lastCommitPosition, position);
      }
    });
    consumer.commit(positions);
  }

  /** Asks Kie.ai for the credits once: proves the key works and fills the credits gauge. */
  private Future<Void> checkKey() {
    return kie.credits().map(r -> {
      if (r.isOk()) {
        metrics.creditsRemaining(r.value());
        health.keyAccepted(true);
      } else {
        LOG.warn("Kie.ai key check at start: {}", r.error());
        health.keyAccepted(r.errorClass() != io.kieworker.kie.ErrorClass.AUTH);
        if (r.errorClass() == io.kieworker.kie.ErrorClass.AUTH) {
          submitter.keyRefused();
        }
      }
      return null;
    });
  }

  /**
   * Graceful stop: no new requests, in-flight creates finish (bounded), final offsets committed
   * synchronously, producer flushed. Pending tasks stay in the ledger for the next owner.
   */
  @Override
  public Future<?> stop() {
    stopping = true;
    health.stopping();
    vertx.cancelTimer(commitTimer);
    vertx.cancelTimer(sweepTimer);
    if (consumer != null) {
      consumer.pauseAll();
    }
    long budget = config.worker().shutdownTimeout().toMillis();
    long creates = Math.max(1000, budget / 2);
    return submitter.drain(Duration.ofMillis(creates))
        .compose(v -> Future.fromCompletionStage(
            consumer == null ? java.util.concurrent.CompletableFuture.completedFuture(null)
                : consumer.stop(offsets.commitPositions(), Duration.ofSeconds(5)), context))
        .transform(ar -> producer.flush())
        .transform(ar -> {
          tracker.stopAll();
          if (ledgerTail != null) {
            ledgerTail.close();
          }
          kie.close();
          producerMetrics.close();
          return Future.all(producer.close(5_000), store == null ? Future.succeededFuture() : store.close(),
              httpServer == null ? Future.succeededFuture() : httpServer.close());
        });
  }

  // ---- partitions (RequestConsumer.Listener, LedgerTail.Listener) ------------------------------

  @Override
  public Future<Void> onAssigned(Set<Integer> assigned) {
    List<Future<Void>> done = new ArrayList<>();
    for (int p : assigned) {
      partitions.put(p, new PartitionState(p));
      Promise<Void> replayed = Promise.promise();
      replays.put(p, replayed);
      done.add(replayed.future());
    }
    ledgerTail.assign(assigned);
    health.assigned(partitions.keySet());
    submitter.partitions(partitions.keySet(), partitionCount);
    tracker.partitions(partitions.size(), partitionCount);
    return Future.all(done).mapEmpty();
  }

  @Override
  public Future<Map<Integer, Long>> onRevoked(Set<Integer> revoked, boolean lost) {
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
    awaitCreates(revoked, deadline, () -> released.complete(release(revoked)));
    return released.future();
  }

  /**
   * Bound on waiting for in-flight creates at a hand-over: a create answers in well under a second;
   * one that hangs must not stall the group's rebalance (its SUBMITTED, if it comes, is adopted by
   * the next owner from the ledger).
   */
  private static final long HANDOVER_WAIT_MS = 2_000;

  /**
   * Waits (bounded) for the steps whose ledger record the next owner must see in its replay: creates
   * (their SUBMITTED), results being published (their TERMINAL), rejections and republishes (their
   * HANDLED marker). Without it the next owner answers those requests a second time.
   */
  private void awaitCreates(Set<Integer> revoked, long deadline, Runnable then) {
    boolean busy = revoked.stream().map(partitions::get).filter(java.util.Objects::nonNull)
        .anyMatch(s -> s.answering > 0 || s.pending.values().stream().anyMatch(t ->
            t.phase == PendingTask.Phase.CREATING || t.phase == PendingTask.Phase.FINISHING || t.submittedWriting));
    if (!busy || System.currentTimeMillis() >= deadline) {
      then.run();
    } else {
      vertx.setTimer(20, id -> awaitCreates(revoked, deadline, then));
    }
  }

  /** Partitions gone: drop their work and answer the offsets to commit for them. */
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
    health.assigned(partitions.keySet());
    submitter.partitions(partitions.keySet(), partitionCount);
    tracker.partitions(partitions.size(), partitionCount);
    updatePause();
    return positions;
  }

  /** True while the task's partition is being handed over: no new create may start there. */
  boolean handingOver(PendingTask task) {
    PartitionState state = partitions.get(task.partition);
    return state != null && state.revoking;
  }

  @Override
  public void onLedgerRecords(int partition, List<ConsumerRecord<String, byte[]>> records, boolean replay) {
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
    LedgerRecord entry = parseLedger(record);
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
      updatePause();
    }
  }

  @Override
  public void onReplayed(int partition) {
    PartitionState state = partitions.get(partition);
    Promise<Void> replayed = replays.remove(partition);
    if (state == null || replayed == null) {
      return;
    }
    int restored = 0;
    // One key's value parsed at a time: its JSON tree is garbage before the next one is parsed.
    for (PartitionState.Replayed replayedValue : state.takeReplayed()) {
      LedgerRecord r = parseReplayed(partition, replayedValue);
      if (r == null) {
        continue;
      }
      if (r.type() == LedgerRecord.Type.TERMINAL) {
        state.terminals.put(r.requestId(), PartitionState.Terminal.of(r.result(), r.headers(),
            Instant.ofEpochMilli(replayedValue.timestamp()), r.sourceTopic(), r.sourceOffset()));
        tracker.learnFromStoredResult(r.model(), r.result());
      } else if (r.type() != LedgerRecord.Type.CALLBACK) {
        restore(state, r);
        restored++;
      }
    }
    for (PartitionState.Replayed callback : state.takeReplayedCallbacks()) {
      LedgerRecord r = parseReplayed(partition, callback);
      if (r != null) {
        onCallbackRecord(state, r);
      }
    }
    long epoch = state.maxEpochSeen + 1;
    LOG.info("Ledger partition {} replayed: {} pending restored, {} terminal kept for dedupe, {} handled"
        + " request records; epoch {}", partition, restored, state.terminals.size(), state.handled.size(), epoch);
    sweep(state); // terminals whose window ended while nobody owned the partition
    updatePause();
    outbox.durably("ledger OWNERSHIP " + partition,
            () -> ledger.write(partition, LedgerRecord.ownership(instanceId, epoch, Instant.now())))
        .onComplete(ar -> {
          state.epoch = epoch;
          replayed.complete();
        });
  }

  private void restore(PartitionState state, LedgerRecord r) {
    PendingTask task = PendingTask.restore(r, state.partition);
    state.pending.put(task.requestId, task);
    task.deadlineAt = (task.submittedAt == null ? Instant.now() : task.submittedAt)
        .plus(config.worker().deadline()).toEpochMilli();
    if (r.type() == LedgerRecord.Type.SUBMITTED && task.taskId != null) {
      tracker.track(task, true);
    } else if (r.type() == LedgerRecord.Type.RELEASED) {
      task.attempts--; // the released attempt was never sent
      submitter.enqueue(task);
    } else {
      submitter.ambiguous(task, "restored from a SUBMITTING record");
    }
  }

  /** A value kept during replay (it was readable when read). */
  private LedgerRecord parseReplayed(int partition, PartitionState.Replayed value) {
    try {
      return LedgerRecord.fromJson(new JsonObject(Buffer.buffer(value.value())));
    } catch (RuntimeException e) {
      unreadableLedgerRecord(partition, -1, e);
      return null;
    }
  }

  /** Records appended while we own the partition: callbacks, and other writers' progress. */
  private void onLiveLedgerRecord(PartitionState state, LedgerRecord r, long timestamp) {
    if (r.type() == LedgerRecord.Type.CALLBACK) {
      onCallbackRecord(state, r);
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
        && task.phase == PendingTask.Phase.AMBIGUOUS) {
      // The previous owner gave the partition up before its create went out: submit now.
      submitter.forget(task);
      task.attempts--;
      submitter.enqueue(task);
    } else if (r.type() == LedgerRecord.Type.TERMINAL && task != null) {
      forget(task);
      durable(task);
      state.pending.remove(task.requestId);
      state.terminals.put(r.requestId(), PartitionState.Terminal.of(r.result(), r.headers(),
          Instant.ofEpochMilli(timestamp), r.sourceTopic(), r.sourceOffset()));
    }
  }

  private void onCallbackRecord(PartitionState state, LedgerRecord callback) {
    PendingTask task = state.pending.get(callback.requestId());
    if (task == null || callback.taskId() == null) {
      metrics.callback("ignored", "no-pending-task");
      return;
    }
    task.callbackRecorded = true;
    if (!ofCurrentAttempt(callback, task)) {
      // A callback of an earlier attempt (say the task that failed with a 5xx and was resubmitted)
      // must not be adopted for the current one: it would end the request with that task's result.
      metrics.callback("ignored", "stale-attempt");
      return;
    }
    if (task.taskId == null) {
      submitter.confirmAmbiguous(task, callback.taskId());
    } else if (task.taskId.equals(callback.taskId())) {
      TaskRecord reported = reportedByCallback(callback);
      if (config.worker().trustCallbacks() && reported != null && reported.state().terminal()) {
        tracker.complete(task, reported);
      } else {
        tracker.pollNow(task);
      }
    } else {
      metrics.callback("ignored", "other-task");
    }
  }

  /**
   * The callback's URL was made for the task's current attempt. A URL without attempt (written
   * before attempts were bound, recorded as 0) can only be the first attempt's.
   */
  private static boolean ofCurrentAttempt(LedgerRecord callback, PendingTask task) {
    return callback.attempts() == 0 ? task.attempts <= 1 : callback.attempts() == task.attempts;
  }

  private static TaskRecord reportedByCallback(LedgerRecord callback) {
    JsonObject data = callback.result();
    if (data == null) {
      return null;
    }
    return data.containsKey("successFlag") ? TaskRecord.fromLegacy(data) : TaskRecord.fromMarket(data);
  }

  /** The record's value, or null (counted, logged rate-limited) when this version cannot read it. */
  private LedgerRecord parseLedger(ConsumerRecord<String, byte[]> record) {
    try {
      return LedgerRecord.fromJson(new JsonObject(Buffer.buffer(record.value())));
    } catch (RuntimeException e) {
      unreadableLedgerRecord(record.partition(), record.offset(), e);
      return null;
    }
  }

  /** At most one log line per {@link #UNREADABLE_LOG_EVERY_MS}: a ledger full of them must not flood the log. */
  private void unreadableLedgerRecord(int partition, long offset, RuntimeException e) {
    metrics.counter("kie_worker.ledger.unreadable").increment();
    unreadableSinceLog++;
    long now = System.currentTimeMillis();
    if (now - unreadableLoggedAt >= UNREADABLE_LOG_EVERY_MS) {
      LOG.warn("Unreadable ledger record {}@{} kept and skipped (state of its key unchanged): {}"
          + " ({} unreadable since the last such line)", partition, offset < 0 ? "replay" : offset,
          e.toString(), unreadableSinceLog);
      unreadableLoggedAt = now;
      unreadableSinceLog = 0;
    }
  }

  private static final long UNREADABLE_LOG_EVERY_MS = 10_000;
  private long unreadableLoggedAt = Long.MIN_VALUE / 2;
  private long unreadableSinceLog;

  // ---- requests ---------------------------------------------------------------------------------

  @Override
  public void onRecords(List<ConsumerRecord<String, byte[]>> records) {
    for (ConsumerRecord<String, byte[]> record : records) {
      PartitionState state = partitions.get(record.partition());
      if (state == null || stopping) {
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
    }
    updatePause();
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
        state.pending.remove(requestId);
        forget(started);
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
    int largest = DurableSize.largestLedgerRecord(task, instanceId);
    if (largest > outbox.maxRecordBytes()) {
      tooLarge(record, outcome, largest, receivedAt);
      return;
    }
    state.pending.put(requestId, task);
    submitter.enqueue(task);
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
    PartitionState state = partitions.get(record.partition());
    if (state == null) {
      return outputs.mapEmpty();
    }
    state.answering++;
    long offset = record.offset();
    return outputs.transform(ar -> outbox.durably("ledger HANDLED " + record.partition() + "@" + offset,
            () -> ledger.write(state.partition, LedgerRecord.handled(requestId, record.topic(), offset, instanceId,
                state.epoch, Instant.now())),
            () -> partitions.get(state.partition) == state))
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

  // ---- called by Submitter and Tracker -----------------------------------------------------------

  /**
   * Kafka refused the task's SUBMITTING record for good (too large for the broker, not authorized):
   * no create was sent. The request ends REJECTED (TOO_LARGE or PRODUCE_REFUSED) instead of being
   * retried until its deadline.
   */
  void refusedBeforeCreate(PendingTask task, Throwable cause) {
    outbox.refused("ledger SUBMITTING " + task.requestId, cause);
    task.attempts = 0;
    boolean tooLarge = ProduceRefusal.tooLarge(cause);
    finish(task, Results.rejected(task, tooLarge ? ResultError.TOO_LARGE : ResultError.PRODUCE_REFUSED,
        "Kafka refused the request's ledger record (" + cause.getClass().getSimpleName() + "); nothing was paid"));
  }

  /** The task id is durable: the request's offset may be committed. */
  void durable(PendingTask task) {
    if (task.offset != null) {
      offsets.finished(task.partition, task.offset);
      task.offset = null;
    }
  }

  /**
   * Passes once the ledger tail has read everything written to the task's partition so far, then
   * tells whether the task is still ours. Called after writing a record and before an action a
   * stale owner must not take (a paid create, a result): a newer owner's OWNERSHIP record written
   * before ours has then been seen and has fenced us.
   */
  Future<Boolean> fence(PendingTask task) {
    return ledgerTail.barrier(task.partition).transform(ar -> Future.succeededFuture(ar.succeeded() && owns(task)));
  }

  long epoch(int partition) {
    PartitionState state = partitions.get(partition);
    return state == null ? 0 : state.epoch;
  }

  /** True while this instance owns the task's partition and the task is still live. */
  boolean owns(PendingTask task) {
    PartitionState state = partitions.get(task.partition);
    return state != null && state.pending.get(task.requestId) == task;
  }

  void pollNow(PendingTask task) {
    tracker.pollNow(task);
  }

  void track(PendingTask task) {
    tracker.track(task, false);
  }

  void resubmit(PendingTask task, String reason) {
    metrics.resubmit(reason);
    tracker.untrack(task);
    task.taskId = null;
    submitter.enqueue(task);
  }

  /** Publishes the terminal result, then records it in the ledger. Exactly once per live task. */
  void finish(PendingTask task, ResultEvent result) {
    if (task.phase == PendingTask.Phase.FINISHING || !owns(task)) {
      return;
    }
    task.phase = PendingTask.Phase.FINISHING;
    tracker.untrack(task);
    (store == null ? Future.succeededFuture(result) : store.copy(task, result))
        .compose(toPublish -> fence(task).compose(stillOurs -> stillOurs
            ? outbox.publishResult(toPublish, PassThroughHeaders.fromJson(task.headers))
            : Future.failedFuture("fenced: partition " + task.partition + " has a newer owner")))
        .compose(published -> {
          metrics.result(result.status().name(), task.model,
              Duration.between(task.receivedAt, published.timings().publishedAt()));
          TaskLog.info(LOG, task, "Result {} for {} (task {}, attempts {})", result.status(), task.requestId,
              task.taskId, task.attempts);
          // Carries the task's source record (in toLedger): read again, that record gets nothing.
          LedgerRecord terminal = task.toLedger(LedgerRecord.Type.TERMINAL, instanceId, epoch(task.partition),
              published.toJson());
          return outbox.durably("ledger TERMINAL " + task.requestId,
                  () -> ledger.write(task.partition, terminal))
              .map(published);
        })
        .onComplete(ar -> {
          durable(task);
          PartitionState state = partitions.get(task.partition);
          if (state != null && state.pending.remove(task.requestId, task)) {
            if (ar.succeeded()) {
              state.terminals.put(task.requestId, PartitionState.Terminal.of(ar.result().toJson(), task.headers,
                  Instant.now(), task.sourceTopic, task.sourceOffset));
            }
            if (task.callbackRecorded) {
              ledger.tombstone(task.partition, LedgerRecord.callbackKey(task.requestId));
            }
          }
          updatePause();
        });
  }

  // ---- pause / resume ----------------------------------------------------------------------------

  void pauseFor(String reason) {
    if (pauseReasons.add(reason)) {
      LOG.warn("Pausing request partitions: {}", reason);
      health.paused(pauseReasons);
      if (consumer != null) {
        consumer.pauseAll();
      }
    }
  }

  void resumeFrom(String reason) {
    if (pauseReasons.remove(reason)) {
      LOG.info("Resuming request partitions: {} cleared", reason);
      health.paused(pauseReasons);
      if (pauseReasons.isEmpty() && consumer != null && !stopping) {
        consumer.resumeAll();
      }
    }
  }

  void keyAccepted(boolean accepted) {
    health.keyAccepted(accepted);
  }

  /** Backpressure: pause at the high mark of pending tasks, resume at the low mark. */
  private void updatePause() {
    int pending = pendingCount();
    if (pending >= config.worker().maxPending()) {
      pauseFor("backpressure");
    } else if (pending <= config.worker().resumeMark()) {
      resumeFrom("backpressure");
    }
  }

  public int pendingCount() {
    int n = 0;
    for (PartitionState state : partitions.values()) {
      n += state.pending.size();
    }
    return n;
  }

  private void forget(PendingTask task) {
    tracker.untrack(task);
    submitter.forget(task);
  }

  private static final long SWEEP_PERIOD_MS = 60_000;

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

  /**
   * A ledger write for {@code task} retried until acknowledged, given up once the task is no longer
   * this instance's (partition revoked or fenced, task finished) or {@code wanted} answers false.
   */
  Future<Void> writeLedgerWhileOwned(PendingTask task, LedgerRecord record, java.util.function.BooleanSupplier wanted) {
    return outbox.durably("ledger " + record.type() + " " + task.requestId,
        () -> ledger.write(task.partition, record)
            .onFailure(e -> metrics.counter("kie_worker.ledger.write.failed").increment()),
        () -> owns(task) && wanted.getAsBoolean());
  }

  // ---- configuration plumbing ------------------------------------------------------------------

  private Properties kafkaProperties() {
    Properties props = new Properties();
    props.put("bootstrap.servers", config.kafka().bootstrapServers());
    props.putAll(config.kafka().properties());
    return props;
  }

  private Properties producerProperties(Properties kafka) {
    Properties props = new Properties();
    props.putAll(kafka);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
    props.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
        Integer.toString(config.worker().maxRequestBytes() + 64 * 1024));
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, BufferSerializer.class.getName());
    return props;
  }

  private KieClientOptions kieOptions() {
    return KieClientOptions.builder()
        .apiKey(config.kie().apiKey())
        .baseUrl(config.kie().baseUrl())
        .uploadBaseUrl(config.kie().uploadBaseUrl())
        .userAgent(config.kie().userAgent())
        .connectTimeout(config.kie().connectTimeout())
        .requestTimeout(config.kie().requestTimeout())
        .build();
  }
}
