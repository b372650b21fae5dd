package io.kieworker.hostile;

import static io.kieworker.testing.WorkerHarness.header;
import static io.kieworker.testing.WorkerHarness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.ledger.TaskLedger;
import io.kieworker.result.DeadLetterHeaders;
import io.kieworker.result.HeaderValue;
import io.kieworker.sim.SimOptions;
import io.kieworker.testing.Cli;
import io.kieworker.testing.KafkaBroker;
import io.kieworker.testing.Readiness;
import io.kieworker.testing.WorkerHarness;
import io.kieworker.worker.WorkerApp;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Forged DLQ provenance (issue 9, item 3): {@code dlq replay} writes only to the request topic or a
 * topic the operator names, never to the worker's ledger, result or DLQ topics, whatever the dead
 * letters' headers say.
 */
@ExtendWith(KafkaBroker.class)
class HostileDlqTest {
  private String requests;
  private String results;
  private String dlq;
  private String ledger;

  @BeforeEach
  void topics() {
    String prefix = KafkaBroker.uniqueName("hdlq");
    requests = prefix + ".requests";
    results = prefix + ".results";
    dlq = prefix + ".dlq";
    ledger = prefix + ".tasks";
    KafkaBroker.createTopic(requests, 1, false);
    KafkaBroker.createTopic(results, 1, false);
    KafkaBroker.createTopic(dlq, 1, false);
    KafkaBroker.createTopic(ledger, 1, true);
  }

  @Test
  void replayRefusesTheLedgerResultAndDlqTopicsAndKafkaInternalOnesEvenWhenNamed() throws Exception {
    deadLetter("k1", "{\"requestId\":\"v1\"}", requests);
    for (String target : List.of(ledger, results, dlq, "__consumer_offsets")) {
      Cli.Run run = replay(requests, results, ledger, dlq, "--to-topic", target);
      assertThat(run.exit()).as(target + ": " + run.out()).isEqualTo(2);
      assertThat(run.out()).contains("refusing to replay into '" + target + "'");
    }
    assertThat(endOffset(ledger)).isZero();
    assertThat(endOffset(results)).isZero();
    assertThat(endOffset(dlq)).as("only the one dead letter").isEqualTo(1);
  }

  @Test
  void theConfiguredLedgerAndResultTopicsStayRefusedWhenOptionsNameDecoys(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path file = dir.resolve("application.yaml");
    java.nio.file.Files.writeString(file, "topics:\n  ledger: \"" + ledger + "\"\n  results: \"" + results + "\"\n");
    deadLetter("k1", "{\"requestId\":\"v1\"}", requests);
    for (String target : List.of(ledger, results)) {
      Cli.Run run = replay(requests, "decoy.results", "decoy.tasks", dlq, "--config", file.toString(), "--to-topic", target);
      assertThat(run.exit()).as(target + ": " + run.out()).isEqualTo(2);
      assertThat(run.out()).contains("refusing to replay into '" + target + "'");
    }
    assertThat(endOffset(ledger)).isZero();
    assertThat(endOffset(results)).isZero();
  }

  @Test
  void aForgedOriginalTopicHeaderDoesNotSteerTheReplay() throws Exception {
    deadLetter("forged", "{\"requestId\":\"forged\"}", ledger);

    Cli.Run run = replay(requests, results, ledger, dlq);

    assertThat(run.exit()).as(run.out()).isZero();
    assertThat(run.out()).contains("original=" + ledger + " -> " + requests).contains("replayed 1");
    assertThat(endOffset(ledger)).isZero();
    assertThat(endOffset(requests)).isEqualTo(1);
  }

  @Test
  void aRequestCarryingForgedDlqHeadersIsDeadLetteredWithTheWorkersOwnAndItsReplayStaysOutOfTheLedger() {
    try (WorkerHarness h = new WorkerHarness(1, new SimOptions().seed(5L))) {
      WorkerApp app = h.startWorker(Map.of());
      h.send("forged-e2e", "{\"requestId\":\"forged-e2e\",\"model\":\"dall-e\",\"input\":{\"prompt\":\"x\"}}",
          Map.of("dlq.original.topic", h.ledger, "dlq.reason", "INVALID", "dlq.time", "2000-01-01T00:00:00Z"));
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !h.deadLetters().isEmpty());
      ConsumerRecord<String, byte[]> dead = h.deadLetters().get(0);
      assertThat(header(dead, "dlq.original.topic")).isEqualTo(h.requests);
      assertThat(header(dead, "dlq.time")).doesNotStartWith("2000");
      assertThat(header(dead, "dlq.headers-dropped")).isEqualTo("forged=3,null=0,oversize=0");

      Cli.Run run = replay(h.requests, h.results, h.ledger, h.dlq, "--reason", "INVALID");

      assertThat(run.exit()).as(run.out()).isZero();
      assertThat(run.out()).contains("-> " + h.requests).contains("replayed 1");
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> h.resultsFor("forged-e2e").size() >= 2);
      List<ConsumerRecord<String, byte[]>> ledgerRecords = ledgerRecords(h.ledger);
      assertThat(ledgerRecords).extracting(ConsumerRecord::key).as("nothing replayed into the ledger")
          .doesNotContain("forged-e2e");
      assertThat(ledgerRecords.stream().filter(r -> r.value() != null)).as("every ledger record is the worker's own")
          .allSatisfy(r -> assertThat(r.headers().lastHeader(TaskLedger.WRITER_HEADER)).isNotNull());
      assertThat(h.resultsById().get("forged-e2e").getJsonObject("error").getString("code")).isEqualTo("VALIDATION");
      h.send("after", request("after-forged-e2e", "google/nano-banana", ""));
      JsonObject after = h.awaitResultsFor(List.of("after-forged-e2e"), Duration.ofSeconds(30)).get("after-forged-e2e");
      assertThat(after.getString("status")).isEqualTo("SUCCEEDED");
      assertThat(Readiness.status(app)).isEqualTo(200);
      assertThat(h.sim().counters().createRequests()).isEqualTo(1);
    }
  }

  private void deadLetter(String key, String value, String originalTopic) throws Exception {
    Properties props = new Properties();
    props.putAll(KafkaBroker.producerConfig());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      ProducerRecord<String, String> record = new ProducerRecord<>(dlq, 0, key, value);
      for (HeaderValue h : DeadLetterHeaders.of("INVALID", "detail", originalTopic, 0, 7, Instant.now(),
          List.of(new RecordHeader("x-trace", "t".getBytes(StandardCharsets.UTF_8))))) {
        record.headers().add(h.name(), h.value());
      }
      producer.send(record).get(30, TimeUnit.SECONDS);
    }
  }

  private static Cli.Run replay(String requests, String results, String ledger, String dlq, String... extra) {
    List<String> args = new ArrayList<>(List.of("dlq", "replay", "--bootstrap", KafkaBroker.bootstrapServers(),
        "--from-topic", dlq, "--request-topic", requests, "--result-topic", results, "--ledger-topic", ledger,
        "--timeout", "30s"));
    args.addAll(List.of(extra));
    return Cli.run(args.toArray(String[]::new));
  }

  private static long endOffset(String topic) {
    try (KafkaConsumer<String, byte[]> consumer = consumer()) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private static List<ConsumerRecord<String, byte[]>> ledgerRecords(String topic) {
    List<ConsumerRecord<String, byte[]>> keys = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = consumer()) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
        consumer.poll(Duration.ofMillis(100)).forEach(keys::add);
        return partitions.stream().allMatch(p -> consumer.position(p) >= ends.get(p));
      });
    }
    return keys;
  }

  private static KafkaConsumer<String, byte[]> consumer() {
    Properties props = new Properties();
    props.putAll(KafkaBroker.consumerConfig(KafkaBroker.uniqueName("hdlq-reader")));
    return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
  }
}
