package io.kieworker.tools.bench;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Produces bench requests (key = request id) with plain kafka-clients, acks=all like the worker. */
final class RequestProducer implements AutoCloseable {
  private final KafkaProducer<String, byte[]> producer;
  private final String topic;
  private final AtomicReference<Exception> failure = new AtomicReference<>();

  RequestProducer(String bootstrap, String topic) {
    this.topic = topic;
    Properties config = config(bootstrap, "bench-requests");
    // One request in flight: the first batch sent to a just-created topic was now and then written
    // but answered with an error, and its retry, arriving behind five newer batches, was refused as
    // out of order until the batch expired (the broker dedupes only the last five). The backlog's
    // speed does not matter; the copy loop keeps the default.
    config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
    producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
  }

  static Properties config(String bootstrap, String clientId) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(128 * 1024));
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
    return p;
  }

  /** Sends without waiting; {@link #flush} waits for all and reports the first failure. */
  void send(String requestId, byte[] value) {
    producer.send(new ProducerRecord<>(topic, requestId, value), (meta, e) -> {
      if (e != null) {
        failure.compareAndSet(null, e);
      }
    });
  }

  void flush() {
    producer.flush();
    Exception e = failure.get();
    if (e != null) {
      throw new IllegalStateException("producing bench requests failed: " + e, e);
    }
  }

  /** Sends {@code count} requests spread evenly over {@code over} (a steady arrival stream). */
  void sendPaced(int count, Duration over, java.util.function.IntFunction<String> id,
      java.util.function.IntFunction<byte[]> value) {
    long begin = System.nanoTime();
    long stepNanos = count <= 1 ? 0 : over.toNanos() / count;
    for (int i = 0; i < count; i++) {
      long due = begin + i * stepNanos;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(wait);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while producing", e);
        }
      }
      send(id.apply(i), value.apply(i));
    }
    flush();
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
