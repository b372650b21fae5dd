package io.kieworker.tools.broker;

import io.kieworker.kafka.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Its own broker (not the shared one): restarts and closes it. */
class EmbeddedKafkaTest {

  @Test
  void restartKeepsAddressAndData_closeDeletesTheTempDir() throws Exception {
    Path dataDir;
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.defaults().withDefaultPartitions(1))) {
      dataDir = kafka.dataDir();
      String bootstrap = kafka.bootstrapServers();
      kafka.createTopics(Map.of("restart", 1), false);
      produce(bootstrap, "restart", "before");

      kafka.restart();

      assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
      produce(bootstrap, "restart", "after");
      assertThat(readAll(bootstrap, "restart", 2)).containsExactly("before", "after");
      assertThat(dataDir).isDirectory();
    }
    assertThat(dataDir).doesNotExist();
  }

  @Test
  void aNewBrokerOnAGivenDirectoryKeepsItsData(@TempDir Path dir) throws Exception {
    EmbeddedKafka.Options options = EmbeddedKafka.Options.defaults().withDataDir(dir);
    try (EmbeddedKafka first = EmbeddedKafka.start(options)) {
      first.createTopics(Topics.Spec.compacted("kept", 1));
      produce(first.bootstrapServers(), "kept", "v1");
    }
    assertThat(dir).isDirectoryContaining(path -> path.endsWith("server.properties"));

    try (EmbeddedKafka second = EmbeddedKafka.start(options)) {
      assertThat(readAll(second.bootstrapServers(), "kept", 1)).containsExactly("v1");
    }
  }

  @Test
  void producingToAMissingTopicFailsInsteadOfCreatingIt() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      Map<String, Object> config = Map.of("bootstrap.servers", kafka.bootstrapServers(), "max.block.ms", 1000);
      try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
        assertThatThrownBy(() -> producer.send(new ProducerRecord<>("missing", "x")).get(5, TimeUnit.SECONDS))
            .hasCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class)
            .hasMessageContaining("not present in metadata");
      }
      try (var admin = Topics.admin(kafka.bootstrapServers(), Duration.ofSeconds(10))) {
        assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).doesNotContain("missing");
      }
    }
  }

  private static void produce(String bootstrap, String topic, String value) throws Exception {
    Map<String, Object> config = Map.of("bootstrap.servers", bootstrap, "max.block.ms", 10_000,
        "delivery.timeout.ms", 15_000, "request.timeout.ms", 10_000);
    try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(topic, value, value)).get(20, TimeUnit.SECONDS);
    }
  }

  private static List<String> readAll(String bootstrap, String topic, int expected) {
    Map<String, Object> config = Map.of("bootstrap.servers", bootstrap, "auto.offset.reset", "earliest");
    try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
      consumer.assign(List.of(new TopicPartition(topic, 0)));
      List<String> values = new java.util.ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (values.size() < expected && System.nanoTime() < deadline) {
        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
        records.forEach(record -> values.add(record.value()));
      }
      return values;
    }
  }
}
