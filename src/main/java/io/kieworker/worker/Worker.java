package io.kieworker.worker;

import io.kieworker.callback.CallbackRoute;
import io.kieworker.callback.CallbackToken;
import io.kieworker.config.WorkerConfig;
import io.kieworker.demand.DemandSharing;
import io.kieworker.health.Health;
import io.kieworker.http.HttpApi;
import io.kieworker.kafka.KafkaClients;
import io.kieworker.kafka.OffsetTracker;
import io.kieworker.kafka.RequestConsumer;
import io.kieworker.kie.ErrorClass;
import io.kieworker.kie.KieClient;
import io.kieworker.kie.KieClientOptions;
import io.kieworker.ledger.LedgerTail;
import io.kieworker.ledger.TaskLedger;
import io.kieworker.metrics.MetricsSetup;
import io.kieworker.metrics.QueueGauges;
import io.kieworker.metrics.WorkerMetrics;
import io.kieworker.model.ModelRegistry;
import io.kieworker.request.RequestParser;
import io.kieworker.result.RecordSize;
import io.kieworker.tracking.CompletionTimes;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.kafka.client.producer.KafkaProducer;
import java.net.BindException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker: wiring and lifecycle. It owns request partitions (and the ledger partitions numbered
 * like them), turns each request into one Kie.ai task and each task into one terminal result —
 * through the parts it builds and connects:
 * <ul>
 *   <li>{@link PartitionOwnership}: partitions owned, ledger replay, epochs and fencing, hand-over;</li>
 *   <li>{@link RequestIntake}: each request record parsed, answered or queued;</li>
 *   <li>{@link Submitter} (with {@link InlineImageUploader}): the paid create under the rate limit;</li>
 *   <li>{@link Tracker}: polls and callbacks until a terminal state;</li>
 *   <li>{@link Finisher} (with {@link StoreStage}): the result published, then recorded;</li>
 *   <li>{@link IntakePause}: why the request partitions are paused.</li>
 * </ul>
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
  private static final long SWEEP_PERIOD_MS = 60_000;
  /** The queue gauges are a snapshot this old at most (a full count of the queue each time). */
  private static final long QUEUE_GAUGES_PERIOD_MS = 5_000;

  private final WorkerConfig config;
  private final ModelRegistry registry;
  private final WorkerMetrics metrics;
  private final PrometheusMeterRegistry prometheus;
  private final String instanceId = UUID.randomUUID().toString();
  private final OffsetTracker offsets = new OffsetTracker();
  private final Health health = new Health();
  private volatile int partitionCount;
  private HttpServer httpServer;

  private KafkaProducer<String, Buffer> producer;
  private KafkaClientMetrics producerMetrics;
  private KieClient kie;
  private RequestConsumer consumer;
  private LedgerTail ledgerTail;
  private IntakePause pause;
  private PartitionOwnership ownership;
  private RequestIntake intake;
  private Finisher finisher;
  private Submitter submitter;
  private Tracker tracker;
  private CallbackRoute callbacks;
  private DemandSharing demand;
  /** Null when the result store is off. */
  private StoreStage store;
  private long commitTimer = -1;
  private long sweepTimer = -1;
  private long queueGaugesTimer = -1;
  private QueueGauges queueGauges;
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

  /** Requests owned and not finished (the autoscaling signal). Event-loop state: read it quiescent. */
  public int pendingCount() {
    return ownership == null ? 0 : ownership.pendingCount();
  }

  /** What the poll plan has learned of each model's durations (event-loop state: read it quiescent). */
  CompletionTimes completionTimes() {
    return tracker.completionTimes();
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  @Override
  public Future<?> start() {
    Properties kafka = KafkaClients.base(config.kafka());
    return vertx.executeBlocking(() -> TopicSetup.ensure(config, kafka))
        .compose(topics -> {
          partitionCount = topics.partitions();
          return assemble(kafka, topics);
        })
        .compose(v -> listenHttp())
        .compose(server -> {
          httpServer = server;
          return checkKey();
        })
        .onSuccess(v -> startConsuming(kafka));
  }

  /**
   * The producer and every part around it, then the result store's stage. After the topic check:
   * the producer's batch size depends on what the written topics accept.
   */
  private Future<Void> assemble(Properties kafka, TopicSetup.Checked topics) {
    producer = KafkaProducer.create(vertx, producerProperties(kafka, topics));
    producerMetrics = MetricsSetup.bindProducer(producer.unwrap(), metrics.registry(), "producer");
    producer.exceptionHandler(e -> {
      LOG.warn("Kafka producer: {}", e.toString());
      health.producerFailed(e);
    });
    TaskLedger ledger = new TaskLedger(producer, config.topics().ledger(), instanceId);
    Outbox outbox = new Outbox(vertx, producer, config.topics().results(), config.topics().dlq(),
        RecordSize.maxRecordBytes(kafka), metrics);
    kie = new KieClient(vertx, kieOptions());
    CallbackToken token = new CallbackToken(config.worker().callbackSecret() != null
        ? config.worker().callbackSecret() : CallbackToken.deriveSecret(config.kie().apiKey()));
    wire(kafka, ledger, outbox, token);
    callbacks = new CallbackRoute(ledger, token, config.kie().webhookHmacKey(), metrics, instanceId,
        () -> partitionCount);
    registerGauges();
    return StoreStage.create(vertx, config.store(), ownership, ledger, outbox, metrics, instanceId)
        .map(stage -> {
          store = stage;
          finisher.store(stage);
          return null;
        });
  }

  private Properties producerProperties(Properties kafka, TopicSetup.Checked topics) {
    Properties props = KafkaClients.producer(kafka, config.worker().maxRequestBytes());
    if (KafkaClients.capBatchSize(props, topics.smallestMessageLimit())) {
      LOG.warn("Topic {} accepts batches of at most {} bytes (max.message.bytes), less than the producer's"
          + " batch.size: batch.size lowered to {} so that a record too large for it fails instead of being"
          + " retried forever", topics.smallestTopic(), topics.smallestMessageLimit(), topics.smallestMessageLimit());
    }
    return props;
  }

  /** The HTTP server on HTTP_HOST:HTTP_PORT; a port that cannot be bound is a {@link StartupFailure} naming it. */
  private Future<HttpServer> listenHttp() {
    String host = config.http().host();
    int port = config.http().port();
    return HttpApi.listen(vertx, HttpApi.router(vertx, callbacks, health, prometheus), host, port)
        .recover(e -> Future.failedFuture(bindFailure(host, port, e)));
  }

  private static StartupFailure bindFailure(String host, int port, Throwable cause) {
    String detail = cause.getClass().getName() + ": " + cause.getMessage();
    boolean inUse = cause instanceof BindException && String.valueOf(cause.getMessage()).contains("in use");
    return new StartupFailure(inUse
        ? "HTTP_PORT " + port + " is already in use on " + host + " (" + detail + "): free it or set another HTTP_PORT"
        : "cannot listen on HTTP_HOST " + host + ", HTTP_PORT " + port + " (" + detail + ")", cause);
  }

  /**
   * Builds the parts and connects them. Ownership, finishing, submitting and tracking need each
   * other (a restored task is tracked, a tracked task is finished, a finished one leaves its
   * partition): the cycle is closed once here with {@code attach}, not by passing the worker around.
   */
  private void wire(Properties kafka, TaskLedger ledger, Outbox outbox, CallbackToken token) {
    pause = new IntakePause(health, config.worker().maxPending(), config.worker().resumeMark(),
        config.queue().maxPendingBytes(), config.worker().resumeRatio());
    ledgerTail = new LedgerTail(kafka, config.topics().ledger(), context, this);
    ownership = new PartitionOwnership(vertx, config, metrics, instanceId, ledger, outbox, ledgerTail, offsets,
        health, pause, () -> partitionCount);
    finisher = new Finisher(ownership, ledger, outbox, pause, metrics, instanceId);
    tracker = new Tracker(ownership, finisher, pause, vertx, kie, registry, metrics, config);
    submitter = new Submitter(ownership, finisher, pause, vertx, kie, ledger, registry, metrics, config, token,
        instanceId);
    finisher.attach(submitter, tracker);
    ownership.attach(submitter, tracker,
        new CallbackRecords(submitter, tracker, metrics, config.worker().trustCallbacks()));
    demand = new DemandSharing(vertx, context, producer, kafka, config.topics().demand(), instanceId,
        config.worker().createRateLimit(), config.worker().createRateWindow(), config.worker().demandInterval(),
        submitter::createDemand, metrics, submitter::groupShare);
    intake = new RequestIntake(config, ownership, offsets, new RequestParser(registry, config.worker().maxRequestBytes()),
        outbox, ledger, submitter, finisher, pause, metrics, instanceId, () -> stopping);
    queueGauges = new QueueGauges(metrics, config.queue().tenantLabels());
  }

  private void registerGauges() {
    metrics.gauge("kie_worker.pending.tasks", "Requests owned and not finished (the autoscaling signal)",
        this::pendingCount);
    metrics.gauge("kie_worker.creates.inflight", "createTask calls under way", () -> submitter.inFlight());
    metrics.gauge("kie_worker.partitions.paused", "1 while the request partitions are paused",
        () -> pause.paused() ? 1 : 0);
    metrics.gauge("kie_worker.rate_limit.share", "This instance's share of the account's create limit",
        () -> submitter.limiter().share());
  }

  private void startConsuming(Properties kafka) {
    ledgerTail.bindMetrics(metrics.registry());
    ledgerTail.start();
    demand.start(); // before the consumer: the view is live by the time partitions are assigned
    consumer = new RequestConsumer(kafka, config.kafka().groupId(), config.kafka().groupInstanceId(),
        config.topics().requests(), context, this);
    pause.consumer(consumer); // paused at once when a reason came first (e.g. the key was refused)
    consumer.bindMetrics(metrics.registry());
    consumer.start();
    health.consumerStarted();
    commitTimer = vertx.setPeriodic(config.worker().commitInterval().toMillis(), id -> commitOffsets());
    sweepTimer = vertx.setPeriodic(SWEEP_PERIOD_MS, id -> ownership.sweepAll());
    queueGaugesTimer = vertx.setPeriodic(QUEUE_GAUGES_PERIOD_MS, id -> queueGauges.refresh(submitter.queue().counts()));
    LOG.info("Worker {} consuming {} (callbacks {})", instanceId, config.topics().requests(),
        config.kie().callbacksEnabled() ? "on" : "off: poll only");
  }

  private void commitOffsets() {
    Map<Integer, Long> positions = offsets.commitPositions();
    ownership.committed(positions);
    consumer.commit(positions, offsets::commitFailed);
  }

  /** Asks Kie.ai for the credits once: proves the key works and fills the credits gauge. */
  private Future<Void> checkKey() {
    return kie.credits().map(r -> {
      if (r.isOk()) {
        metrics.creditsRemaining(r.value());
        health.keyAccepted(true);
      } else {
        LOG.warn("Kie.ai key check at start: {}", r.error());
        health.keyAccepted(r.errorClass() != ErrorClass.AUTH);
        if (r.errorClass() == ErrorClass.AUTH) {
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
    pause.stopping();
    health.stopping();
    vertx.cancelTimer(commitTimer);
    vertx.cancelTimer(sweepTimer);
    vertx.cancelTimer(queueGaugesTimer);
    if (consumer != null) {
      consumer.pauseAll();
    }
    long budget = config.worker().shutdownTimeout().toMillis();
    long creates = Math.max(1000, budget / 2);
    return submitter.drain(Duration.ofMillis(creates))
        .compose(v -> demand.stop()) // after the last create: the others take the share a window later
        .compose(v -> Future.fromCompletionStage(
            consumer == null ? CompletableFuture.completedFuture(null)
                : consumer.stop(offsets.commitPositions(), Duration.ofSeconds(5)), context))
        .transform(ar -> producer.flush())
        .transform(ar -> {
          tracker.stopAll();
          ledgerTail.close();
          kie.close();
          producerMetrics.close();
          return Future.all(producer.close(5_000), store == null ? Future.succeededFuture() : store.close(),
              httpServer == null ? Future.succeededFuture() : httpServer.close());
        });
  }

  // ---- the request consumer (RequestConsumer.Listener) -------------------------------------------

  @Override
  public void onBacklog(Map<Integer, Long> readFrom, Map<Integer, Long> endAt) {
    ownership.onBacklog(readFrom, endAt);
  }

  @Override
  public Future<Void> onAssigned(Set<Integer> partitions) {
    return ownership.onAssigned(partitions);
  }

  @Override
  public Future<Map<Integer, Long>> onRevoked(Set<Integer> partitions, boolean lost) {
    return ownership.onRevoked(partitions, lost);
  }

  @Override
  public void onRecords(List<ConsumerRecord<String, byte[]>> records) {
    intake.onRecords(records);
  }

  // ---- the ledger tail (LedgerTail.Listener) -------------------------------------------------------

  @Override
  public void onLedgerRecords(int partition, List<ConsumerRecord<String, byte[]>> records, boolean replay) {
    ownership.onLedgerRecords(partition, records, replay);
  }

  @Override
  public void onReplayed(int partition) {
    ownership.onReplayed(partition);
  }

  // ---- configuration plumbing ------------------------------------------------------------------

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
