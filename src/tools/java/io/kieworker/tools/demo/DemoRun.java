package io.kieworker.tools.demo;

import io.kieworker.config.ConfigLoader;
import io.kieworker.config.WorkerConfig;
import io.kieworker.tools.broker.EmbeddedKafka;
import io.kieworker.kafka.Topics;
import io.kieworker.net.FreePorts;
import io.kieworker.sim.KieSimulator;
import io.kieworker.sim.SimOptions;
import io.kieworker.worker.WorkerApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One demo run: an embedded Kafka broker, the Kie.ai simulator and a worker, all in this JVM; a
 * sample of requests produced, their results followed live on the results topic, then a summary.
 *
 * <p><b>Threading:</b> everything here blocks; run it from a main thread or a test, never from an
 * event loop. {@link #close} may also run from a shutdown hook (Ctrl-C): it is idempotent.
 */
public final class DemoRun implements AutoCloseable {
  public static final String REQUESTS = "kie.generation.requests";
  public static final String RESULTS = "kie.generation.results";
  public static final String DLQ = "kie.generation.dlq";
  public static final String LEDGER = "kie.worker.tasks";
  static final int PARTITIONS = 3;
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration SETTLE = Duration.ofSeconds(1);
  private static final Duration QUIET_NOTICE = Duration.ofSeconds(10);
  private static final Duration STEP_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
  /**
   * The account's create limit in the demo: Kie.ai's pace (2 creates per second) on a shorter window
   * than its 20 per 10 s, so that the sample's two dozen requests form a queue (ten start at once, the
   * rest wait) and its order shows: the small tenant's turns, the high-priority request overtaking.
   */
  static final int CREATE_LIMIT = 10;
  static final Duration CREATE_WINDOW = Duration.ofSeconds(5);

  private final DemoOptions options;
  private final PrintStream out;
  private final long begin = System.nanoTime();
  private final Thread owner = Thread.currentThread();
  private final DemoTally tally = new DemoTally();
  private final List<String> closeProblems = new ArrayList<>();
  private EmbeddedKafka kafka;
  private Vertx simVertx;
  private KieSimulator sim;
  private WorkerApp worker;
  private KafkaProducer<String, byte[]> producer;
  private KafkaConsumer<String, byte[]> results;
  private final String webhookKey = secret();
  private String apiKey;
  private String createLimit;
  private boolean closed;

  public DemoRun(DemoOptions options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  /** What a finished run saw; {@code timedOut} = the results were still incomplete at the deadline. */
  public record Outcome(DemoTally tally, boolean timedOut, Duration elapsed) {
    public boolean ok() {
      return !timedOut && tally.ok();
    }
  }

  public static Outcome run(DemoOptions options, PrintStream out) {
    try (DemoRun run = new DemoRun(options, out)) {
      return run.execute();
    }
  }

  /** Where the broker keeps its data (a temporary directory {@link #close} deletes); null before start. */
  public java.nio.file.Path brokerDataDir() {
    return kafka == null ? null : kafka.dataDir();
  }

  public Outcome execute() {
    startBroker();
    startSimulator();
    startWorker();
    openResults();
    produce(DemoSample.of(options.requests()));
    boolean timedOut = !follow();
    Duration elapsed = Duration.ofNanos(System.nanoTime() - begin);
    new DemoSummary(tally, sim.counters(), options.callbacks(), createLimit, options.store() != null).print(out);
    if (timedOut) {
      out.println();
      out.printf("TIMEOUT: after %s only %d of %d requests have a result.%n", DemoSummary.seconds(elapsed),
          tally.arrivals().size(), tally.sent().size());
    }
    return new Outcome(tally, timedOut, elapsed);
  }

  private void startBroker() {
    long t = System.nanoTime();
    kafka = EmbeddedKafka.start(EmbeddedKafka.Options.defaults().withDefaultPartitions(PARTITIONS));
    kafka.createTopics(Topics.Spec.plain(REQUESTS, PARTITIONS), Topics.Spec.plain(RESULTS, PARTITIONS),
        Topics.Spec.plain(DLQ, PARTITIONS), Topics.Spec.compacted(LEDGER, PARTITIONS));
    step(t, "Kafka broker (KRaft, in-process) at %s; topics %s (%d partitions), %s, %s, %s (compacted)",
        kafka.bootstrapServers(), REQUESTS, PARTITIONS, RESULTS, DLQ, LEDGER);
  }

  private void startSimulator() {
    long t = System.nanoTime();
    simVertx = Vertx.vertx();
    SimOptions simOptions = new SimOptions().port(0).apiKey(secret()).webhookHmacKey(webhookKey)
        .latency(SimOptions.ANY_MODEL, options.latencyMin(), options.latencyMax()).seed(options.seed())
        .rateLimit(CREATE_LIMIT, CREATE_WINDOW);
    sim = await(KieSimulator.start(simVertx, simOptions), "the Kie.ai simulator");
    apiKey = simOptions.apiKeys().get(0);
    createLimit = simOptions.rateLimitCount() + " per " + DemoSummary.seconds(simOptions.rateLimitWindow());
    step(t, "Kie.ai simulator at %s (latency %s..%s, create limit %s, random API key, signed callbacks)",
        sim.baseUrl(), DemoSummary.seconds(options.latencyMin()), DemoSummary.seconds(options.latencyMax()),
        createLimit);
  }

  private void startWorker() {
    long t = System.nanoTime();
    WorkerConfig config = ConfigLoader.load(null, workerEnv());
    worker = await(WorkerApp.start(config), "the worker");
    step(t, "Worker on HTTP port %d (/health, /metrics), %s%s", worker.httpPort(), options.callbacks()
        ? "callbacks to http://127.0.0.1:" + worker.httpPort() + "/callbacks/kie/..., polling as safety net"
        : "poll only (--no-callbacks)", options.store() == null ? ""
        : "; result images copied to " + options.store() + " ("
            + (options.storeEndpoint() == null ? "AWS S3" : options.storeEndpoint()) + ")");
  }

  Map<String, String> workerEnv() {
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put("KIE_API_KEY", apiKey);
    env.put("KIE_BASE_URL", sim.baseUrl());
    env.put("KIE_UPLOAD_BASE_URL", sim.baseUrl());
    env.put("KIE_WEBHOOK_HMAC_KEY", webhookKey);
    env.put("WORKER_REQUEST_TOPIC", REQUESTS);
    env.put("WORKER_RESULT_TOPIC", RESULTS);
    env.put("WORKER_DLQ_TOPIC", DLQ);
    env.put("WORKER_LEDGER_TOPIC", LEDGER);
    env.put("WORKER_GROUP_ID", "kie-worker-demo");
    env.put("HTTP_HOST", "127.0.0.1");
    int port = FreePorts.pick();
    env.put("HTTP_PORT", Integer.toString(port));
    if (options.callbacks()) {
      env.put("KIE_CALLBACK_BASE_URL", "http://127.0.0.1:" + port);
    }
    // The per-model defaults (15-40 s, real Kie.ai times) would delay the first poll far past the
    // simulator's short latencies; the worker learns real times from then on anyway.
    long expected = (options.latencyMin().toMillis() + options.latencyMax().toMillis()) / 2;
    env.put("WORKER_EXPECTED_DURATION", Math.max(100, expected) + "ms");
    env.put("WORKER_POLL_MIN_GAP", "500ms");
    env.put("WORKER_CREATE_RATE_LIMIT", Integer.toString(CREATE_LIMIT));
    env.put("WORKER_CREATE_RATE_WINDOW", CREATE_WINDOW.toMillis() + "ms");
    env.put("WORKER_COMMIT_INTERVAL", "500ms");
    env.put("WORKER_SHUTDOWN_TIMEOUT", "10s");
    if (options.store() != null) {
      env.put("WORKER_RESULT_STORE", options.store());
      env.put("WORKER_RESULT_FETCH_ALLOW_HTTP", "127.0.0.1"); // the simulator's image URLs
      if (options.storeEndpoint() != null) {
        env.put("WORKER_RESULT_STORE_ENDPOINT", options.storeEndpoint());
      }
      for (String name : List.of("WORKER_RESULT_STORE_PUBLIC_BASE", "WORKER_RESULT_STORE_PRESIGN",
          "WORKER_RESULT_STORE_MAX_WAIT")) {
        String value = System.getenv(name);
        if (value != null && !value.isBlank()) {
          env.put(name, value);
        }
      }
    }
    return env;
  }

  private void openResults() {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "demo-results");
    results = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions =
        IntStream.range(0, PARTITIONS).mapToObj(p -> new TopicPartition(RESULTS, p)).toList();
    results.assign(partitions);
    results.seekToBeginning(partitions);
  }

  private void produce(List<DemoRequest> sample) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "demo-requests");
    producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    for (DemoRequest request : sample) {
      long sentAt = System.nanoTime();
      long sentAtMillis = System.currentTimeMillis();
      ProducerRecord<String, byte[]> record = new ProducerRecord<>(REQUESTS, request.key(), request.value());
      record.headers().add(new RecordHeader("x-demo", "kie-worker demo".getBytes()));
      RecordMetadata where = await(producer.send(record), "producing " + request.key(), STEP_TIMEOUT);
      String id = request.requestId() != null ? request.requestId()
          : REQUESTS + "-" + where.partition() + "-" + where.offset();
      tally.sent(request, id, sentAt, sentAtMillis);
    }
    long valid = sample.stream().filter(DemoRequest::valid).count();
    long large = sample.stream().filter(r -> DemoSample.LARGE_TENANT.equals(r.tenant())).count();
    long small = sample.stream().filter(r -> DemoSample.SMALL_TENANT.equals(r.tenant())).count();
    out.printf("%nProduced %d requests to %s: %d valid (every model, legacy endpoint, inline images, "
        + "one scripted 5xx failure), %d invalid; tenants %s (%d) and %s (%d)%s.%n%n", sample.size(), REQUESTS,
        valid, sample.size() - valid, DemoSample.LARGE_TENANT, large, DemoSample.SMALL_TENANT, small,
        sample.stream().anyMatch(DemoRequest::highPriority) ? ", the last one high priority" : "");
    out.println(DemoSummary.progressHeader());
  }

  /** Prints each result as it arrives; returns false if the deadline passed first. */
  private boolean follow() {
    long deadline = begin + options.timeout().toNanos();
    long lastArrival = System.nanoTime();
    while (!tally.complete() && System.nanoTime() < deadline) {
      if (pollOnce()) {
        lastArrival = System.nanoTime();
      } else if (System.nanoTime() - lastArrival > QUIET_NOTICE.toNanos()) {
        out.printf("  … waiting for %d more result(s)%n", tally.missing().size());
        lastArrival = System.nanoTime();
      }
    }
    if (!tally.complete()) {
      return false;
    }
    // A duplicate would come right behind the first result; look a little longer before judging.
    long settleUntil = System.nanoTime() + SETTLE.toNanos();
    while (System.nanoTime() < settleUntil) {
      pollOnce();
    }
    return true;
  }

  private boolean pollOnce() {
    boolean any = false;
    for (ConsumerRecord<String, byte[]> record : results.poll(POLL)) {
      int duplicatesBefore = tally.duplicates();
      var arrival = tally.received(record.value(), System.nanoTime());
      if (arrival.isPresent()) {
        out.println(DemoSummary.progressLine(arrival.get()));
        any = true;
      } else if (tally.duplicates() > duplicatesBefore) {
        out.println("  DUPLICATE result for " + record.key());
      } else {
        out.println("  result for an id the demo never sent: " + record.key());
      }
    }
    return any;
  }

  /** Stops the worker (graceful), the simulator and the broker, each bounded; deletes the broker's data. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    long t = System.nanoTime();
    if (Thread.currentThread() != owner) {
      out.println();
      out.println("Interrupted: stopping the worker, the simulator and the broker");
    }
    quietly("results consumer", this::closeResults);
    quietly("producer", () -> { if (producer != null) producer.close(Duration.ofSeconds(5)); });
    quietly("worker", () -> { if (worker != null) await(worker.stop(), "stopping the worker", STOP_TIMEOUT); });
    quietly("simulator", () -> { if (sim != null) await(sim.close(), "stopping the simulator", STOP_TIMEOUT); });
    // Not awaited: Vertx.close() completes on an event loop it is shutting down (see WorkerApp.stop()).
    quietly("simulator Vert.x", () -> { if (simVertx != null) simVertx.close(); });
    quietly("Kafka broker", () -> { if (kafka != null) kafka.close(); });
    out.println();
    if (closeProblems.isEmpty()) {
      step(t, "Stopped worker, simulator and broker; broker data deleted");
    } else {
      step(t, "Stopped, with problems: %s", String.join("; ", closeProblems));
    }
  }

  /** KafkaConsumer is single-threaded: from a shutdown hook only wake the owner's poll up. */
  private void closeResults() {
    if (results == null) {
      return;
    }
    if (Thread.currentThread() == owner) {
      results.close(Duration.ofSeconds(5));
    } else {
      results.wakeup();
    }
  }

  private void quietly(String what, Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      closeProblems.add(what + ": " + e.getMessage());
    }
  }

  private void step(long startedAt, String format, Object... args) {
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt);
    out.printf("  %-6s %s%n", String.format("%.1fs", millis / 1000.0), String.format(format, args));
  }

  private static <T> T await(Future<T> future, String what) {
    return await(future, what, STEP_TIMEOUT);
  }

  private static <T> T await(Future<T> future, String what, Duration timeout) {
    return await(future.toCompletionStage().toCompletableFuture(), what, timeout);
  }

  private static <T> T await(java.util.concurrent.Future<T> future, String what, Duration timeout) {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(what + " failed: " + e.getCause().getMessage(), e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(what + " did not finish within " + DemoSummary.seconds(timeout), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while " + what, e);
    }
  }

  private static String secret() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
