package io.kieworker.testing;

import io.kieworker.config.ConfigLoader;
import io.kieworker.config.WorkerConfig;
import io.kieworker.net.FreePorts;
import io.kieworker.sim.KieSimulator;
import io.kieworker.sim.SimOptions;
import io.kieworker.worker.WorkerApp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;

/**
 * One integration scenario: fresh topics on the shared test broker, an in-process Kie.ai
 * simulator, any number of workers, a producer of requests and a collector of results and dead
 * letters (each on its own thread). Close it at the end of the test.
 */
public final class WorkerHarness implements AutoCloseable {
  public static final String API_KEY = "harness-key-0123456789";

  public final String requests;
  public final String results;
  public final String dlq;
  public final String ledger;
  /** Created by the workers (one partition); unique per harness, so scenarios never share a create limit. */
  public final String demand;
  public final String group;
  public final int partitions;
  private final Vertx simVertx = Vertx.vertx();
  private KieSimulator sim;
  private final List<WorkerApp> workers = new ArrayList<>();
  private final KafkaProducer<String, byte[]> producer;
  private final Collector resultCollector;
  private final Collector dlqCollector;

  public WorkerHarness(int partitions, SimOptions simOptions) {
    String prefix = KafkaBroker.uniqueName("h");
    this.requests = prefix + ".requests";
    this.results = prefix + ".results";
    this.dlq = prefix + ".dlq";
    this.ledger = prefix + ".tasks";
    this.demand = prefix + ".demand";
    this.group = prefix + ".group";
    this.partitions = partitions;
    KafkaBroker.createTopic(requests, partitions, false);
    KafkaBroker.createTopic(results, partitions, false);
    KafkaBroker.createTopic(dlq, partitions, false);
    KafkaBroker.createTopic(ledger, partitions, true);
    this.sim = Await.result(KieSimulator.start(simVertx, simOptions.apiKey(API_KEY).port(0)));
    Properties props = new Properties();
    props.putAll(KafkaBroker.producerConfig());
    this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    this.resultCollector = new Collector(results);
    this.dlqCollector = new Collector(dlq);
  }

  public KieSimulator sim() {
    return sim;
  }

  /** Settings every worker of this scenario gets; {@code overrides} win. */
  public Map<String, String> env(Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", KafkaBroker.bootstrapServers());
    env.put("KIE_API_KEY", API_KEY);
    env.put("KIE_BASE_URL", sim.baseUrl());
    env.put("KIE_UPLOAD_BASE_URL", sim.baseUrl());
    env.put("WORKER_REQUEST_TOPIC", requests);
    env.put("WORKER_RESULT_TOPIC", results);
    env.put("WORKER_DLQ_TOPIC", dlq);
    env.put("WORKER_LEDGER_TOPIC", ledger);
    env.put("WORKER_DEMAND_TOPIC", demand);
    env.put("WORKER_GROUP_ID", group);
    env.put("HTTP_HOST", "127.0.0.1");
    env.put("HTTP_PORT", "0");
    env.put("WORKER_COMMIT_INTERVAL", "200ms");
    env.put("WORKER_CREATE_RATE_LIMIT", "1000");
    env.put("WORKER_POLL_RATE", "200");
    env.put("WORKER_POLL_MIN_GAP", "100ms");
    env.put("WORKER_EXPECTED_DURATION", "300ms");
    env.putAll(overrides);
    return env;
  }

  public WorkerApp startWorker(Map<String, String> overrides) {
    WorkerConfig config = ConfigLoader.load(null, env(overrides));
    WorkerApp app = Await.result(WorkerApp.start(config), Duration.ofSeconds(60));
    workers.add(app);
    return app;
  }

  /** Env overrides that turn callbacks on, to a port chosen now (the worker binds it). */
  public static Map<String, String> callbackMode() {
    int port = FreePorts.pick();
    return Map.of("HTTP_PORT", Integer.toString(port), "KIE_CALLBACK_BASE_URL", "http://127.0.0.1:" + port);
  }

  public void stopWorker(WorkerApp app) {
    Await.result(app.stop(), Duration.ofSeconds(40));
    workers.remove(app);
  }

  public void send(String key, String value, Map<String, String> headers) {
    ProducerRecord<String, byte[]> record =
        new ProducerRecord<>(requests, key, value == null ? null : value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    headers.forEach((k, v) -> record.headers().add(new RecordHeader(k, v.getBytes())));
    try {
      producer.send(record).get();
    } catch (Exception e) {
      throw new AssertionError("send failed", e);
    }
  }

  public void send(String key, String value) {
    send(key, value, Map.of());
  }

  public void sendBytes(String key, byte[] value) {
    try {
      producer.send(new ProducerRecord<>(requests, key, value)).get();
    } catch (Exception e) {
      throw new AssertionError("send failed", e);
    }
  }

  /** Waits until at least {@code n} results arrived; returns all of them (as JSON, with headers). */
  public List<ConsumerRecord<String, byte[]>> awaitResults(int n, Duration atMost) {
    Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(50))
        .until(() -> resultCollector.records.size() >= n);
    return List.copyOf(resultCollector.records);
  }

  public List<ConsumerRecord<String, byte[]>> results() {
    return List.copyOf(resultCollector.records);
  }

  public List<ConsumerRecord<String, byte[]>> deadLetters() {
    return List.copyOf(dlqCollector.records);
  }

  /** The results by request id (the last one of each); duplicates are counted by {@link #duplicates}. */
  public Map<String, JsonObject> resultsById() {
    Map<String, JsonObject> byId = new HashMap<>();
    for (ConsumerRecord<String, byte[]> r : results()) {
      JsonObject json = new JsonObject(new String(r.value(), java.nio.charset.StandardCharsets.UTF_8));
      byId.put(json.getString("requestId"), json);
    }
    return byId;
  }

  public int duplicates() {
    return results().size() - resultsById().size();
  }

  /** Waits until every id in {@code ids} has a result; returns the last result of each known id. */
  public Map<String, JsonObject> awaitResultsFor(Collection<String> ids, Duration atMost) {
    Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(50))
        .alias("results for every request; missing " + ids.size() + " at most")
        .until(() -> missing(ids).isEmpty());
    return resultsById();
  }

  /** The ids among {@code ids} that have no result yet (sorted, for readable failures). */
  public Set<String> missing(Collection<String> ids) {
    Set<String> missing = new TreeSet<>(ids);
    missing.removeAll(resultsById().keySet());
    return missing;
  }

  /** Results received for one request id (duplicates included). */
  public List<ConsumerRecord<String, byte[]>> resultsFor(String requestId) {
    return results().stream().filter(r -> requestId.equals(idOf(r))).toList();
  }

  /** The types of {@code requestId}'s ledger records in {@code partition}, oldest first (tombstones left out). */
  public List<String> ledgerTypes(String requestId, int partition) {
    return KafkaBroker.records(ledger, partition).stream()
        .filter(r -> requestId.equals(r.key()) && r.value() != null)
        .map(r -> new JsonObject(new String(r.value(), java.nio.charset.StandardCharsets.UTF_8)).getString("type"))
        .toList();
  }

  /** Tasks the simulator created (Market or legacy) whose prompt contains {@code marker}. */
  public long simTasksWithPrompt(String marker) {
    return sim.tasks().all().stream().filter(t -> t.promptHead() != null && t.promptHead().contains(marker)).count();
  }

  /** A Market request whose prompt carries {@link #marker(String)} so its simulator tasks can be counted. */
  public static String request(String requestId, String model, String promptExtra) {
    return new JsonObject().put("requestId", requestId).put("model", model)
        .put("input", new JsonObject().put("prompt", marker(requestId) + " a banana " + promptExtra))
        .encode();
  }

  /** The prompt marker of a request built by {@link #request}: "[id:&lt;requestId&gt;]". */
  public static String marker(String requestId) {
    return "[id:" + requestId + "]";
  }

  /**
   * The unbound URL token (of a URL without {@code attempt}, as written before attempts were bound)
   * for a worker of this harness (no WORKER_CALLBACK_SECRET set): still good for a first attempt.
   */
  public static String callbackToken(String requestId) {
    return harnessToken().unboundToken(requestId);
  }

  /** The URL token a worker of this harness puts into the callback URL of that attempt. */
  public static String callbackToken(String requestId, int attempt) {
    return harnessToken().token(requestId, attempt);
  }

  private static io.kieworker.callback.CallbackToken harnessToken() {
    return new io.kieworker.callback.CallbackToken(io.kieworker.callback.CallbackToken.deriveSecret(API_KEY));
  }

  /** The merged maps, later ones winning. */
  @SafeVarargs
  public static Map<String, String> with(Map<String, String>... maps) {
    Map<String, String> merged = new HashMap<>();
    for (Map<String, String> m : maps) {
      merged.putAll(m);
    }
    return merged;
  }

  private static String idOf(ConsumerRecord<String, byte[]> record) {
    return new JsonObject(new String(record.value(), java.nio.charset.StandardCharsets.UTF_8)).getString("requestId");
  }

  public static String header(ConsumerRecord<String, byte[]> record, String name) {
    var header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), java.nio.charset.StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    for (WorkerApp app : List.copyOf(workers)) {
      try {
        Await.result(app.stop(), Duration.ofSeconds(40));
      } catch (AssertionError e) {
        // keep closing the rest
      }
    }
    resultCollector.close();
    dlqCollector.close();
    producer.close(Duration.ofSeconds(5));
    Await.result(sim.close(), Duration.ofSeconds(20));
    simVertx.close(); // not awaited: see WorkerApp.stop()
  }

  /** Reads a topic from the beginning on its own thread into a list. */
  private static final class Collector {
    final List<ConsumerRecord<String, byte[]>> records = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;
    private final Thread thread;

    Collector(String topic) {
      Properties props = new Properties();
      props.putAll(KafkaBroker.consumerConfig(KafkaBroker.uniqueName("collector")));
      KafkaConsumer<String, byte[]> consumer =
          new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
      consumer.subscribe(List.of(topic));
      thread = new Thread(() -> {
        try (consumer) {
          while (running) {
            consumer.poll(Duration.ofMillis(100)).forEach(records::add);
          }
        }
      }, "collector-" + topic);
      thread.setDaemon(true);
      thread.start();
    }

    void close() {
      running = false;
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
