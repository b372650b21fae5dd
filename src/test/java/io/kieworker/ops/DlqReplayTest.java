package io.kieworker.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.result.DeadLetterHeaders;
import io.kieworker.result.HeaderValue;
import io.kieworker.testing.Cli;
import io.kieworker.testing.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaBroker.class)
class DlqReplayTest {
  private static final Instant T1 = Instant.parse("2025-01-01T10:00:00Z");
  private static final Instant T2 = Instant.parse("2025-01-01T11:00:00Z");
  private static final Instant T3 = Instant.parse("2025-01-01T12:00:00Z");

  private String requests;
  private String dlq;

  /** Three dead letters as the worker writes them: two INVALID (T1, T3), one UNPARSEABLE (T2). */
  @BeforeEach
  void deadLetters() throws Exception {
    requests = KafkaBroker.uniqueName("dlqr") + ".requests";
    dlq = KafkaBroker.uniqueName("dlqr") + ".dlq";
    KafkaBroker.createTopic(requests, 2, false);
    KafkaBroker.createTopic(dlq, 2, false);
    Properties props = new Properties();
    props.putAll(KafkaBroker.producerConfig());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      producer.send(deadLetter("k1", "{\"requestId\":\"v1\"}", "INVALID", T1, 0)).get();
      producer.send(deadLetter("k2", "not json", "UNPARSEABLE", T2, 1)).get();
      producer.send(deadLetter("k3", "{\"requestId\":\"v3\"}", "INVALID", T3, 1)).get();
    }
  }

  @Test
  void dryRunPrintsTheMatchesAndPublishesNothing() {
    Cli.Run run = replay("--reason", "invalid", "--dry-run");
    assertThat(run.exit()).as(run.out()).isZero();
    assertThat(run.out()).contains("would replay " + dlq).contains("key=k1").contains("key=k3").doesNotContain("key=k2")
        .contains("scanned 3, matched 2, would replay 2, skipped 1");
    assertThat(endOffset(requests)).isZero();
  }

  @Test
  void replaysFilteredRecordsToTheRequestTopicWithTheirOwnHeaders() {
    Cli.Run run = replay("--reason", "INVALID", "--since", T2.toString());
    assertThat(run.exit()).as(run.out()).isZero();
    assertThat(run.out()).contains("scanned 3, matched 1, replayed 1");

    List<ConsumerRecord<String, String>> replayed = read(requests, 1);
    ConsumerRecord<String, String> r = replayed.get(0);
    assertThat(r.key()).isEqualTo("k3");
    assertThat(r.value()).isEqualTo("{\"requestId\":\"v3\"}");
    assertThat(header(r, "x-trace")).isEqualTo("trace-k3");
    assertThat(header(r, "x-kie-replayed-from")).startsWith(dlq + "-");
    r.headers().forEach(h -> assertThat(h.key()).doesNotStartWith("dlq."));
  }

  @Test
  void aRefusedResultIsNotReplayedAsARequestUnlessItsReasonIsNamed() throws Exception {
    Properties props = new Properties();
    props.putAll(KafkaBroker.producerConfig());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      ProducerRecord<String, String> refused = new ProducerRecord<>(dlq, 0, "r-1",
          "{\"requestId\":\"r-1\",\"status\":\"SUCCEEDED\"}");
      refused.headers().add("dlq.reason", "RESULT_REFUSED".getBytes(StandardCharsets.UTF_8));
      refused.headers().add("dlq.time", T2.toString().getBytes(StandardCharsets.UTF_8));
      producer.send(refused).get();
    }

    Cli.Run all = replay();
    assertThat(all.exit()).as(all.out()).isZero();
    assertThat(all.out()).contains("scanned 4, matched 3, replayed 3").contains("skip " + dlq + "-0@1 key=r-1 reason=RESULT_REFUSED");
    assertThat(read(requests, 3)).extracting(ConsumerRecord::key).containsExactlyInAnyOrder("k1", "k2", "k3");

    Cli.Run named = replay("--reason", "result_refused", "--dry-run");
    assertThat(named.exit()).as(named.out()).isZero();
    assertThat(named.out()).contains("scanned 4, matched 1, would replay 1").contains("key=r-1 reason=RESULT_REFUSED");
  }

  @Test
  void maxAndUntilAndAnExplicitTargetTopic() {
    String other = KafkaBroker.uniqueName("dlqr") + ".other";
    KafkaBroker.createTopic(other, 1, false);
    Cli.Run run = replay("--until", T3.toString(), "--max", "1", "--to-topic", other);
    assertThat(run.exit()).as(run.out()).isZero();
    assertThat(run.out()).contains("matched 1, replayed 1");
    assertThat(read(other, 1)).hasSize(1);
    assertThat(endOffset(requests)).isZero();
  }

  /** Brokers, client properties and topics come from the same file as {@code run}'s; options win. */
  @Test
  void readsTheSameConfigurationFileAsRun(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("app.yaml"), "kafka:\n  bootstrapServers: \"" + KafkaBroker.bootstrapServers()
        + "\"\n  properties:\n    client.id: from-config\ntopics:\n  requests: " + requests + "\n  dlq: " + dlq + "\n");
    Cli.Run run = Cli.run("dlq", "replay", "--config", file.toString(), "--reason", "UNPARSEABLE", "--timeout", "30s");

    assertThat(run.exit()).as(run.out()).isZero();
    assertThat(run.out()).contains("replay " + dlq).contains("-> " + requests).contains("replayed 1");
    assertThat(read(requests, 1).get(0).key()).isEqualTo("k2");
  }

  @Test
  void anInvalidConfigurationFileIsAUsageError(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("app.yaml"), "topics:\n  dlq: \"bad topic!\"\n");
    Cli.Run run = replay("--config", file.toString());
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.out()).contains("topics.dlq must be a Kafka topic name");
  }

  @Test
  void badTimeIsAUsageError() {
    Cli.Run run = replay("--since", "yesterday");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.out()).contains("ISO-8601");
  }

  private ProducerRecord<String, String> deadLetter(String key, String value, String reason, Instant time, int partition) {
    List<org.apache.kafka.common.header.Header> original = List.of(
        new RecordHeader("x-trace", ("trace-" + key).getBytes(StandardCharsets.UTF_8)));
    ProducerRecord<String, String> record = new ProducerRecord<>(dlq, partition, key, value);
    for (HeaderValue h : DeadLetterHeaders.of(reason, "detail", requests, partition, 7, time, original)) {
      record.headers().add(h.name(), h.value());
    }
    return record;
  }

  private Cli.Run replay(String... extra) {
    List<String> args = new ArrayList<>(List.of("dlq", "replay", "--bootstrap", KafkaBroker.bootstrapServers(),
        "--from-topic", dlq, "--request-topic", requests, "--timeout", "30s"));
    args.addAll(List.of(extra));
    return Cli.run(args.toArray(String[]::new));
  }

  private static long endOffset(String topic) {
    try (KafkaConsumer<String, String> consumer = consumer()) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private static List<ConsumerRecord<String, String>> read(String topic, int n) {
    List<ConsumerRecord<String, String>> records = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = consumer()) {
      consumer.subscribe(List.of(topic));
      Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
        consumer.poll(Duration.ofMillis(100)).forEach(records::add);
        return records.size() >= n;
      });
    }
    return records;
  }

  private static KafkaConsumer<String, String> consumer() {
    Properties props = new Properties();
    props.putAll(KafkaBroker.consumerConfig(KafkaBroker.uniqueName("dlqr-reader")));
    return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
  }

  private static String header(ConsumerRecord<?, ?> record, String name) {
    var h = record.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
