package io.kieworker.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.config.ConfigLoader;
import io.kieworker.config.WorkerConfig;
import io.kieworker.kafka.Topics;
import io.kieworker.sim.KieSimulator;
import io.kieworker.sim.SimOptions;
import io.kieworker.testing.Await;
import io.kieworker.testing.WorkerHarness;
import io.kieworker.tools.broker.EmbeddedKafka;
import io.kieworker.worker.WorkerApp;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 10 item 1 across a broker restart: three instances share the account's create limit by
 * demand, one key holds the backlog; the broker stops mid-backlog. Every instance's view goes stale
 * (its own reports are no longer read back) and falls back to its partition share; when the broker
 * is back the reports flow again and the views become live. No create is answered 429 at any point,
 * and every request is created. A broker of its own: the shared test broker must not be restarted.
 */
@Tag("chaos")
class DemandShareBrokerRestartTest {
  private static final Logger LOG = LoggerFactory.getLogger(DemandShareBrokerRestartTest.class);
  private static final int LIMIT = 10;
  private static final Duration WINDOW = Duration.ofSeconds(5);
  private static final int PARTITIONS = 3;

  @Test
  void aBrokerRestartMidBacklogNeverOvershootsTheAccountsLimit() {
    Vertx simVertx = Vertx.vertx();
    List<WorkerApp> apps = new ArrayList<>();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.defaults().withDefaultPartitions(PARTITIONS))) {
      kafka.createTopics(Topics.Spec.plain("r.requests", PARTITIONS));
      KieSimulator sim = Await.result(KieSimulator.start(simVertx, new SimOptions().apiKey(WorkerHarness.API_KEY).port(0)
          .rateLimit(LIMIT, WINDOW).latency(SimOptions.ANY_MODEL, Duration.ofMillis(100), Duration.ofMillis(300))
          .seed(12L)));
      WorkerConfig config = ConfigLoader.load(null, env(kafka.bootstrapServers(), sim.baseUrl()));
      for (int i = 0; i < 3; i++) {
        apps.add(Await.result(WorkerApp.start(config), Duration.ofSeconds(60)));
      }
      Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
          .until(() -> apps.stream().allMatch(a -> gauge(a, "kie_worker.demand.live") == 1
              && gauge(a, "kie_worker.demand.instances") == 3
              && a.worker().health().toJson().getJsonArray("partitions").size() == 1));

      int backlog = 8 * LIMIT;
      Set<String> ids = new HashSet<>();
      try (KafkaProducer<String, byte[]> producer = producer(kafka.bootstrapServers())) {
        for (int i = 0; i < backlog; i++) {
          String id = "restart-" + i;
          ids.add(id);
          producer.send(new ProducerRecord<>("r.requests", "one-key",
              WorkerHarness.request(id, "google/nano-banana", "").getBytes()));
        }
        producer.flush();
      }
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> sim.counters().createsAccepted() >= 2 * LIMIT);
      kafka.stop();
      // Down long enough that every view goes stale and falls back to the partition shares.
      Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
          .until(() -> apps.stream().allMatch(a -> gauge(a, "kie_worker.demand.live") == 0));
      long acceptedWhileDown = sim.counters().createsAccepted();
      kafka.restart();
      Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
          .until(() -> apps.stream().allMatch(a -> gauge(a, "kie_worker.demand.live") == 1));
      Awaitility.await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200))
          .until(() -> ids.stream().allMatch(id -> created(sim, id)));

      LOG.info("demand share across a broker restart: {} creates ({} when the views went stale), {} answered 429",
          sim.counters().createsAccepted(), acceptedWhileDown, sim.counters().rateLimited());
      assertThat(sim.counters().rateLimited()).as("creates answered 429").isZero();
      apps.forEach(a -> Await.result(a.stop(), Duration.ofSeconds(40)));
      apps.clear();
      Await.result(sim.close(), Duration.ofSeconds(20));
    } finally {
      apps.forEach(a -> a.stop());
      simVertx.close();
    }
  }

  private static boolean created(KieSimulator sim, String id) {
    String marker = WorkerHarness.marker(id);
    return sim.tasks().all().stream().anyMatch(t -> t.promptHead() != null && t.promptHead().contains(marker));
  }

  private static Map<String, String> env(String bootstrap, String simUrl) {
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
    env.put("KIE_API_KEY", WorkerHarness.API_KEY);
    env.put("KIE_BASE_URL", simUrl);
    env.put("KIE_UPLOAD_BASE_URL", simUrl);
    env.put("WORKER_REQUEST_TOPIC", "r.requests");
    env.put("WORKER_RESULT_TOPIC", "r.results");
    env.put("WORKER_DLQ_TOPIC", "r.dlq");
    env.put("WORKER_LEDGER_TOPIC", "r.tasks");
    env.put("WORKER_DEMAND_TOPIC", "r.demand");
    env.put("WORKER_GROUP_ID", "r.group");
    env.put("HTTP_HOST", "127.0.0.1");
    env.put("HTTP_PORT", "0");
    env.put("WORKER_COMMIT_INTERVAL", "200ms");
    env.put("WORKER_CREATE_RATE_LIMIT", Integer.toString(LIMIT));
    env.put("WORKER_CREATE_RATE_WINDOW", WINDOW.toMillis() + "ms");
    env.put("WORKER_DEMAND_INTERVAL", "250ms");
    env.put("WORKER_POLL_RATE", "200");
    env.put("WORKER_POLL_MIN_GAP", "100ms");
    env.put("WORKER_EXPECTED_DURATION", "300ms");
    return env;
  }

  private static KafkaProducer<String, byte[]> producer(String bootstrap) {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("acks", "all");
    return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }

  private static double gauge(WorkerApp app, String name) {
    var g = app.registry().find(name).gauge();
    return g == null ? -1 : g.value();
  }
}
