package io.kieworker.kafka;

import static io.kieworker.testing.KafkaBroker.consumerConfig;
import static io.kieworker.testing.KafkaBroker.createTopic;
import static io.kieworker.testing.KafkaBroker.producerConfig;
import static io.kieworker.testing.KafkaBroker.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kieworker.testing.Await;
import io.kieworker.testing.KafkaBroker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import io.vertx.kafka.client.producer.RecordMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Vert.x 5.0.7 Kafka client against a real broker with kafka-clients 3.9 (4.x silently breaks
 * {@code committed(tp)}). Test methods run on the JUnit thread, so the bounded blocking waits are allowed.
 */
@ExtendWith({KafkaBroker.class, VertxExtension.class})
class VertxKafkaClientTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private final List<Supplier<Future<Void>>> closers = new ArrayList<>();

  @AfterEach
  void closeClients() {
    closers.forEach(close -> Await.result(close.get()));
  }

  @Test
  void producesConsumesCommitsAndReadsCommittedOffsets(Vertx vertx) {
    String topic = uniqueName("roundtrip");
    createTopic(topic, 3, false);
    KafkaProducer<String, String> producer = producer(vertx);
    List<RecordMetadata> sent = Await.result(Future.all(IntStream.range(0, 100)
            .mapToObj(i -> producer.send(KafkaProducerRecord.create(topic, "k" + i, "v" + i)))
            .toList()))
        .list();
    Map<Integer, Long> sentPerPartition = sent.stream()
        .collect(Collectors.groupingBy(RecordMetadata::getPartition, Collectors.counting()));

    KafkaConsumer<String, String> consumer = consumer(vertx, uniqueName("roundtrip-group"));
    Set<String> keys = ConcurrentHashMap.newKeySet();
    consumer.handler(record -> keys.add(record.key()));
    Await.result(consumer.subscribe(topic));
    await().atMost(WAIT).until(() -> keys.size() == 100);

    Await.result(consumer.commit());

    assertThat(sentPerPartition).hasSize(3);
    sentPerPartition.forEach((partition, count) -> {
      OffsetAndMetadata committed = Await.result(consumer.committed(new TopicPartition(topic, partition)));
      assertThat(committed.getOffset()).as("committed offset of partition %d", partition).isEqualTo(count);
    });
  }

  @Test
  void partitionPauseKeepsTheConsumerInItsGroup(Vertx vertx) {
    String topic = uniqueName("pause");
    createTopic(topic, 2, false);
    TopicPartition p0 = new TopicPartition(topic, 0);
    KafkaProducer<String, String> producer = producer(vertx);
    Map<String, String> config = consumerConfig(uniqueName("pause-group"));
    // Short, so a consumer that stopped polling while p0 is paused would be thrown out during the pause.
    config.put("max.poll.interval.ms", "4000");
    KafkaConsumer<String, String> consumer = consumer(vertx, config);
    Queue<KafkaConsumerRecord<String, String>> received = new ConcurrentLinkedQueue<>();
    AtomicInteger revocations = new AtomicInteger();
    consumer.partitionsRevokedHandler(partitions -> revocations.incrementAndGet());
    consumer.handler(received::add);
    Await.result(consumer.subscribe(topic));

    sendToBothPartitions(producer, topic, "first", 5);
    await().atMost(WAIT).until(() -> received.size() == 10);

    Await.result(consumer.pause(Set.of(p0)));
    sendToBothPartitions(producer, topic, "second", 5);
    await().atMost(WAIT).until(() -> countFrom(received, 1) == 10);
    await().during(Duration.ofMillis(5000)).atMost(Duration.ofSeconds(8))
        .until(() -> countFrom(received, 0) == 5 && revocations.get() == 0);

    Await.result(consumer.resume(Set.of(p0)));
    await().atMost(WAIT).until(() -> countFrom(received, 0) == 10);
    assertThat(revocations).hasValue(0);
    assertThat(received).filteredOn(record -> record.partition() == 0)
        .extracting(KafkaConsumerRecord::value)
        .containsExactly("first-0", "first-1", "first-2", "first-3", "first-4",
            "second-0", "second-1", "second-2", "second-3", "second-4");
  }

  private static void sendToBothPartitions(KafkaProducer<String, String> producer, String topic, String batch, int n) {
    Function<Integer, Future<RecordMetadata>> send = i -> Future.all(
            producer.send(KafkaProducerRecord.create(topic, "a", batch + "-" + i, 0)),
            producer.send(KafkaProducerRecord.create(topic, "b", batch + "-" + i, 1)))
        .map(all -> all.resultAt(0));
    // One pair at a time keeps each partition's values in order.
    for (int i = 0; i < n; i++) {
      Await.result(send.apply(i));
    }
  }

  private static long countFrom(Queue<KafkaConsumerRecord<String, String>> records, int partition) {
    return records.stream().filter(record -> record.partition() == partition).count();
  }

  private KafkaProducer<String, String> producer(Vertx vertx) {
    KafkaProducer<String, String> producer = KafkaProducer.create(vertx, producerConfig(), String.class, String.class);
    closers.add(producer::close);
    return producer;
  }

  private KafkaConsumer<String, String> consumer(Vertx vertx, String groupId) {
    return consumer(vertx, consumerConfig(groupId));
  }

  private KafkaConsumer<String, String> consumer(Vertx vertx, Map<String, String> config) {
    KafkaConsumer<String, String> consumer = KafkaConsumer.create(vertx, config, String.class, String.class)
        // Commit, committed, pause and resume wait for the running poll to return: the default 1 s
        // poll timeout would add up to 1 s to each of them.
        .pollTimeout(Duration.ofMillis(100));
    closers.add(consumer::close);
    return consumer;
  }
}
