package io.kieworker.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a results topic from the beginning on its own thread and keeps what the figures need: the
 * distinct request ids, statuses, arrival times and, for each result, the time from Kie.ai's
 * completion ({@code timings.completedAt}) to the arrival here.
 */
final class ResultCollector implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Set<String> ids = ConcurrentHashMap.newKeySet();
  private final ConcurrentHashMap<String, Integer> statuses = new ConcurrentHashMap<>();
  private final List<Long> completionLatencies = new ArrayList<>();
  private final Map<Integer, List<Long>> completionLatenciesByPartition = new HashMap<>();
  /** {@code timings.submittedAt} of the ids a scenario asked for ({@link #watch}); bounded by those. */
  private final Set<String> watched = ConcurrentHashMap.newKeySet();
  private final Map<String, Instant> submittedAt = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile long duplicates;
  private volatile long firstArrivalNanos;
  private volatile long lastArrivalNanos;

  ResultCollector(String bootstrap, String topic, int partitions) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-results");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
    p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
    KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> tps = IntStream.range(0, partitions).mapToObj(i -> new TopicPartition(topic, i)).toList();
    consumer.assign(tps);
    consumer.seekToBeginning(tps);
    thread = new Thread(() -> {
      try (consumer) {
        while (running) {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
            received(r.partition(), r.value());
          }
        }
      }
    }, "bench-results");
    thread.setDaemon(true);
    thread.start();
  }

  private void received(int partition, byte[] value) {
    long nanos = System.nanoTime();
    long wall = System.currentTimeMillis();
    JsonNode json;
    try {
      json = JSON.readTree(value);
    } catch (java.io.IOException e) {
      return;
    }
    String id = json.path("requestId").asText();
    if (!ids.add(id)) {
      duplicates++;
      return;
    }
    statuses.merge(json.path("status").asText(), 1, Integer::sum);
    String submitted = json.path("timings").path("submittedAt").asText(null);
    if (submitted != null && watched.contains(id)) {
      submittedAt.put(id, Instant.parse(submitted));
    }
    String completed = json.path("timings").path("completedAt").asText(null);
    if (completed != null) {
      long latency = wall - Instant.parse(completed).toEpochMilli();
      synchronized (completionLatencies) {
        completionLatencies.add(latency);
        completionLatenciesByPartition.computeIfAbsent(partition, p -> new ArrayList<>()).add(latency);
      }
    }
    if (firstArrivalNanos == 0) {
      firstArrivalNanos = nanos;
    }
    lastArrivalNanos = nanos;
  }

  /** Keep the {@code timings.submittedAt} of this request's result (call before it is produced). */
  void watch(String requestId) {
    watched.add(requestId);
  }

  /** When the create of a watched request started, or null (no result yet, or none started). */
  Instant submittedAt(String requestId) {
    return submittedAt.get(requestId);
  }

  int count() {
    return ids.size();
  }

  long duplicates() {
    return duplicates;
  }

  int status(String status) {
    return statuses.getOrDefault(status, 0);
  }

  long firstArrivalNanos() {
    return firstArrivalNanos;
  }

  long lastArrivalNanos() {
    return lastArrivalNanos;
  }

  boolean awaitCount(int n, Duration timeout) {
    return Bench.waitUntil(() -> count() >= n, timeout, Duration.ofMillis(20));
  }

  /** Completion → arrival latencies, in ms, sorted. */
  long[] completionLatencies() {
    synchronized (completionLatencies) {
      return completionLatencies.stream().mapToLong(Long::longValue).sorted().toArray();
    }
  }

  /** Completion → arrival latencies of the results on one partition, in ms, sorted. */
  long[] completionLatencies(int partition) {
    synchronized (completionLatencies) {
      return completionLatenciesByPartition.getOrDefault(partition, List.of()).stream().mapToLong(Long::longValue)
          .sorted().toArray();
    }
  }

  static long percentile(long[] sorted, double q) {
    return io.kieworker.tools.Percentiles.of(sorted, q);
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
