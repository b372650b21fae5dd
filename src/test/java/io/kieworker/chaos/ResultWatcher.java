package io.kieworker.chaos;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the result topic from the beginning on its own thread, as a downstream service would,
 * and keeps every record (duplicates included). Survives a broker restart (the client reconnects).
 */
final class ResultWatcher implements AutoCloseable {
  /** One result record; {@code timestamp} is the producer's create time (the worker's clock). */
  record Result(String requestId, String status, String ceId, int partition, long offset, long timestamp) {}

  final List<Result> results = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;

  ResultWatcher(String bootstrap, String topic) {
    Map<String, Object> config = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.GROUP_ID_CONFIG, "chaos-watcher-" + System.nanoTime(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(topic));
    thread = new Thread(() -> {
      try (consumer) {
        while (running) {
          try {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
              results.add(parse(r));
            }
          } catch (RuntimeException e) {
            // broker restarting: the next poll reconnects
          }
        }
      }
    }, "chaos-result-watcher");
    thread.setDaemon(true);
    thread.start();
  }

  private static Result parse(ConsumerRecord<String, byte[]> r) {
    JsonObject json = new JsonObject(new String(r.value(), StandardCharsets.UTF_8));
    var ce = r.headers().lastHeader("ce_id");
    return new Result(json.getString("requestId"), json.getString("status"),
        ce == null ? null : new String(ce.value(), StandardCharsets.UTF_8), r.partition(), r.offset(), r.timestamp());
  }

  Set<String> distinctIds() {
    Set<String> ids = new HashSet<>();
    results.forEach(r -> ids.add(r.requestId()));
    return ids;
  }

  /** The first result on {@code partition} stamped after {@code since}. */
  OptionalLong firstOnPartitionAfter(int partition, long since) {
    return results.stream().filter(r -> r.partition() == partition && r.timestamp() > since)
        .mapToLong(Result::timestamp).min();
  }

  OptionalLong firstAfter(long since) {
    return results.stream().filter(r -> r.timestamp() > since).mapToLong(Result::timestamp).min();
  }

  long countFor(Set<String> ids) {
    return results.stream().filter(r -> ids.contains(r.requestId())).count();
  }

  @Override
  public void close() {
    running = false;
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
