package io.kieworker.hostile;

import static io.kieworker.testing.WorkerHarness.header;
import static io.kieworker.testing.WorkerHarness.marker;
import static io.kieworker.testing.WorkerHarness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.sim.SimOptions;
import io.kieworker.testing.KafkaBroker;
import io.kieworker.testing.Readiness;
import io.kieworker.testing.WorkerHarness;
import io.kieworker.worker.WorkerApp;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Results the broker itself refuses for good: the result topic's {@code max.message.bytes} is set
 * below the worker's record bound (1,000,000 bytes), so the worker's own fitting lets the record
 * through and the broker answers {@code RecordTooLargeException}. The request must still end: a bare
 * result when that fits, else a {@code RESULT_REFUSED} dead letter; either way paid once, its offset
 * moves on and the instance stays ready.
 */
@ExtendWith(KafkaBroker.class)
class HostileResultRefusedTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  /** Below every result (a bare SUCCEEDED result is about 500 bytes with its CloudEvents headers). */
  private static final int BELOW_ANY_RESULT = 100;

  private static SimOptions fastSim() {
    return new SimOptions().latency(SimOptions.ANY_MODEL, Duration.ofMillis(100), Duration.ofMillis(300)).seed(13L);
  }

  @Test
  void aResultRefusedWithItsMetadataIsWrittenBareAndTheWorkerGoesOn() throws Exception {
    try (WorkerHarness h = new WorkerHarness(1, fastSim())) {
      limitTopic(h.results, 20_000);
      WorkerApp worker = h.startWorker(Map.of());
      h.send("big-meta", withMetadata("big-meta", "m".repeat(30_000)), Map.of("x-trace", "t-1"));
      h.send("after-big-meta", request("after-big-meta", "google/nano-banana", ""));

      Map<String, JsonObject> byId = h.awaitResultsFor(List.of("big-meta", "after-big-meta"), WAIT);

      JsonObject bare = byId.get("big-meta");
      assertThat(bare.getString("status")).as(bare.encode()).isEqualTo("SUCCEEDED");
      assertThat(bare.getString("taskId")).isNotBlank();
      assertThat(bare.getJsonArray("resultUrls")).isNotEmpty();
      assertThat(bare.getJsonObject("metadata", new JsonObject()).isEmpty()).as("written without metadata").isTrue();
      ConsumerRecord<String, byte[]> record = h.resultsFor("big-meta").get(0);
      assertThat(header(record, "x-trace")).as("written without pass-through headers").isNull();
      assertThat(header(record, "ce_type")).isEqualTo("ai.kie.generation.succeeded");
      assertThat(h.resultsFor("big-meta")).hasSize(1);
      assertThat(byId.get("after-big-meta").getString("status")).isEqualTo("SUCCEEDED");
      assertThat(h.deadLetters()).as("the bare result went through: no dead letter").isEmpty();
      assertThat(h.simTasksWithPrompt(marker("big-meta"))).isEqualTo(1);
      assertThat(counter(worker, "kie_worker_produce_refused_total")).isGreaterThanOrEqualTo(1);
      assertThat(Readiness.status(worker)).isEqualTo(200);

      // Seen again inside the dedupe window: the stored result is refused the same way and written bare again.
      h.send("big-meta", withMetadata("big-meta", "m".repeat(30_000)), Map.of("x-trace", "t-1"));
      Awaitility.await().atMost(WAIT).until(() -> h.resultsFor("big-meta").size() == 2);
      JsonObject again = json(h.resultsFor("big-meta").get(1));
      assertThat(again.getString("status")).isEqualTo("SUCCEEDED");
      assertThat(again.getString("taskId")).isEqualTo(bare.getString("taskId"));
      assertThat(again.getJsonObject("metadata", new JsonObject()).isEmpty()).isTrue();
      assertThat(h.simTasksWithPrompt(marker("big-meta"))).as("not paid again").isEqualTo(1);
      assertThat(h.deadLetters()).isEmpty();
    }
  }

  @Test
  void aResultRefusedEvenBareIsDeadLetteredAsResultRefusedAndTheRequestStillEndsPaidOnce() throws Exception {
    try (WorkerHarness h = new WorkerHarness(1, fastSim())) {
      limitTopic(h.results, BELOW_ANY_RESULT);
      WorkerApp first = h.startWorker(Map.of());
      h.send("refused-meta", withMetadata("refused-meta", "tenant-acme"), Map.of("x-trace", "t-2"));
      h.send("refused-plain", request("refused-plain", "google/nano-banana", ""));

      Map<String, ConsumerRecord<String, byte[]>> letters = awaitDeadLetters(h, Map.of("refused-meta", 1, "refused-plain", 1));

      for (String id : List.of("refused-meta", "refused-plain")) {
        assertRefusedLetter(id, letters.get(id));
        assertThat(h.simTasksWithPrompt(marker(id))).as(id + " paid once").isEqualTo(1);
        Awaitility.await().atMost(WAIT).alias(id + " recorded as finished")
            .until(() -> ledgerType(h, id), "TERMINAL"::equals);
      }
      assertThat(json(letters.get("refused-meta")).getJsonObject("metadata", new JsonObject()).isEmpty())
          .as("the dead letter carries the bare result, as last tried").isTrue();
      assertThat(KafkaBroker.records(h.results, 0)).as("nothing reached the result topic").isEmpty();
      Awaitility.await().atMost(WAIT).until(() -> committed(h) >= 2);
      Awaitility.await().atMost(WAIT).until(() -> first.worker().pendingCount() == 0);
      assertThat(counter(first, "kie_worker_produce_refused_total")).isGreaterThanOrEqualTo(2);
      assertThat(Readiness.status(first)).isEqualTo(200);

      // Both seen again in one poll: their stored results are republished together, in one producer
      // batch that the broker refuses as a whole. Each still ends as its own RESULT_REFUSED dead letter
      // (the producer used to split and re-send that batch forever: KAFKA-8350).
      sendTogether(h, List.of("refused-meta", "refused-plain"));
      letters = awaitDeadLetters(h, Map.of("refused-meta", 2, "refused-plain", 2));
      assertRefusedLetter("refused-meta", letters.get("refused-meta"));
      assertRefusedLetter("refused-plain", letters.get("refused-plain"));
      Awaitility.await().atMost(WAIT).until(() -> committed(h) >= 4);
      assertThat(Readiness.status(first)).isEqualTo(200);

      // The next instance starts past all four records: none is read, paid or dead-lettered again.
      h.stopWorker(first);
      WorkerApp second = h.startWorker(Map.of());
      h.send("refused-next", request("refused-next", "google/nano-banana", ""));
      awaitDeadLetters(h, Map.of("refused-next", 1));
      Awaitility.await().atMost(WAIT).until(() -> committed(h) >= 5);
      assertThat(h.deadLetters()).extracting(ConsumerRecord::key).containsExactlyInAnyOrder(
          "refused-meta", "refused-plain", "refused-meta", "refused-plain", "refused-next");
      for (String id : List.of("refused-meta", "refused-plain", "refused-next")) {
        assertThat(h.simTasksWithPrompt(marker(id))).as(id + " paid once").isEqualTo(1);
      }
      assertThat(Readiness.status(second)).isEqualTo(200);
    }
  }

  private static void assertRefusedLetter(String id, ConsumerRecord<String, byte[]> letter) {
    assertThat(header(letter, "dlq.reason")).as(id).isEqualTo("RESULT_REFUSED");
    assertThat(header(letter, "dlq.exception")).as(id).contains("RecordTooLargeException").hasSizeLessThanOrEqualTo(500);
    assertThat(Instant.parse(header(letter, "dlq.time"))).as(id).isAfter(Instant.now().minus(Duration.ofMinutes(5)));
    assertThat(letter.headers()).extracting(Header::key).as(id + ": documented as carrying no dlq.original.*")
        .noneMatch(k -> k.startsWith("dlq.original."));
    JsonObject result = json(letter);
    assertThat(result.getString("requestId")).as(id).isEqualTo(id);
    assertThat(result.getString("status")).as(id).isEqualTo("SUCCEEDED");
    assertThat(result.getString("taskId")).as(id).isNotBlank();
  }

  // ---- helpers -------------------------------------------------------------------------------------

  private static String withMetadata(String id, String value) {
    return new JsonObject().put("requestId", id).put("model", "google/nano-banana")
        .put("input", new JsonObject().put("prompt", marker(id) + " a banana"))
        .put("metadata", new JsonObject().put("blob", value)).encode();
  }

  /** Waits until the DLQ holds at least the given number of dead letters per key; returns the last of each. */
  private static Map<String, ConsumerRecord<String, byte[]>> awaitDeadLetters(WorkerHarness h, Map<String, Integer> counts) {
    Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).alias("dead letters " + counts)
        .until(() -> counts.entrySet().stream().allMatch(c ->
            h.deadLetters().stream().filter(r -> c.getKey().equals(r.key())).count() >= c.getValue()));
    Map<String, ConsumerRecord<String, byte[]>> byKey = new HashMap<>();
    h.deadLetters().forEach(r -> byKey.put(r.key(), r));
    return byKey;
  }

  /** Plain requests for {@code ids}, written in one producer batch so that the worker reads them in one poll. */
  private static void sendTogether(WorkerHarness h, List<String> ids) throws Exception {
    Properties props = new Properties();
    props.putAll(KafkaBroker.producerConfig());
    props.put("linger.ms", "1000");
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      List<java.util.concurrent.Future<?>> sends = ids.stream().<java.util.concurrent.Future<?>>map(id -> producer.send(
          new ProducerRecord<>(h.requests, id, request(id, "google/nano-banana", "").getBytes(StandardCharsets.UTF_8))))
          .toList();
      producer.flush();
      for (java.util.concurrent.Future<?> send : sends) {
        send.get(10, TimeUnit.SECONDS);
      }
    }
  }

  /** The type of the latest ledger record of {@code requestId} ("" when none). */
  private static String ledgerType(WorkerHarness h, String requestId) {
    String value = KafkaBroker.latestValue(h.ledger, 0, requestId);
    return value.isEmpty() ? "" : new JsonObject(value).getString("type", "");
  }

  /** The group's committed offset on request partition 0 (-1 when none). */
  private static long committed(WorkerHarness h) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> offsets = KafkaBroker.admin().listConsumerGroupOffsets(h.group)
        .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
    OffsetAndMetadata offset = offsets.get(new TopicPartition(h.requests, 0));
    return offset == null ? -1 : offset.offset();
  }

  private static JsonObject json(ConsumerRecord<String, byte[]> record) {
    return new JsonObject(new String(record.value(), StandardCharsets.UTF_8));
  }

  private static void limitTopic(String topic, int maxMessageBytes) throws Exception {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    AlterConfigOp op = new AlterConfigOp(new ConfigEntry("max.message.bytes", Integer.toString(maxMessageBytes)),
        AlterConfigOp.OpType.SET);
    KafkaBroker.admin().incrementalAlterConfigs(Map.of(resource, (Collection<AlterConfigOp>) List.of(op)))
        .all().get(30, TimeUnit.SECONDS);
  }

  private static double counter(WorkerApp worker, String prometheusName) {
    return worker.registry().scrape().lines().filter(l -> l.startsWith(prometheusName))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }
}
