package io.kieworker.chaos;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The upstream service: sends {@code total} requests at a steady pace (every 100 ms a few), keyed by
 * request id, on a scheduler thread of its own. A send the broker did not acknowledge is sent again
 * (same id: the worker's dedupe makes a repeat harmless); {@link #acked} holds what Kafka confirmed.
 */
final class RequestFeeder implements AutoCloseable {
  static final String MODEL = "google/nano-banana";

  final List<String> ids;
  final Set<String> acked = ConcurrentHashMap.newKeySet();
  final AtomicInteger handedOver = new AtomicInteger();
  final AtomicInteger resends = new AtomicInteger();
  private final Set<String> withoutCallback;
  private final KafkaProducer<String, byte[]> producer;
  private final String topic;
  private final int perTick;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "chaos-feeder");
    t.setDaemon(true);
    return t;
  });

  /** @param noCallbackEvery every n-th request asks the simulator to drop its callback (0 = none) */
  RequestFeeder(String bootstrap, String topic, int total, int perSecond, int noCallbackEvery) {
    this.topic = topic;
    this.ids = IntStream.range(0, total).mapToObj(i -> String.format("chaos-%05d", i)).toList();
    this.withoutCallback = ConcurrentHashMap.newKeySet();
    if (noCallbackEvery > 0) {
      for (int i = 0; i < total; i += noCallbackEvery) {
        withoutCallback.add(ids.get(i));
      }
    }
    this.perTick = Math.max(1, perSecond / 10);
    this.producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000,
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000), new StringSerializer(), new ByteArraySerializer());
  }

  Set<String> withoutCallback() {
    return withoutCallback;
  }

  void start() {
    timer.scheduleAtFixedRate(this::tick, 0, 100, TimeUnit.MILLISECONDS);
  }

  int sent() {
    return handedOver.get();
  }

  boolean done() {
    return handedOver.get() >= ids.size() && acked.size() >= ids.size();
  }

  private void tick() {
    for (int i = 0; i < perTick && handedOver.get() < ids.size(); i++) {
      send(ids.get(handedOver.getAndIncrement()));
    }
  }

  private void send(String id) {
    producer.send(new ProducerRecord<>(topic, id, body(id).getBytes(StandardCharsets.UTF_8)), (meta, error) -> {
      if (error == null) {
        acked.add(id);
      } else {
        resends.incrementAndGet();
        timer.schedule(() -> send(id), 1, TimeUnit.SECONDS);
      }
    });
  }

  String body(String id) {
    String prompt = "[id:" + id + "] a banana on a chaos monkey" + (withoutCallback.contains(id) ? " [sim:no-callback]" : "");
    return new JsonObject().put("requestId", id).put("model", MODEL)
        .put("input", new JsonObject().put("prompt", prompt))
        .put("metadata", new JsonObject().put("suite", "chaos")).encode();
  }

  @Override
  public void close() {
    timer.shutdownNow();
    producer.close(java.time.Duration.ofSeconds(5));
  }
}
