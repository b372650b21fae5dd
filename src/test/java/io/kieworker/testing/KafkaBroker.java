package io.kieworker.testing;

import io.kieworker.tools.broker.EmbeddedKafka;
import io.kieworker.kafka.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One real Kafka broker for the whole test JVM: {@code @ExtendWith(KafkaBroker.class)} on a test class,
 * then the static accessors. The broker is, in order of preference:
 * <ol>
 *   <li>an external one, when {@code KIE_TEST_KAFKA_BOOTSTRAP} is set (it should allow topic creation);</li>
 *   <li>a Testcontainers {@code apache/kafka} container, when a Docker engine answers
 *       (image override: {@code KIE_TEST_KAFKA_IMAGE});</li>
 *   <li>an in-process {@link EmbeddedKafka} otherwise (the usual case on the project's machines).</li>
 * </ol>
 * It lives in the root extension store, so JUnit closes it once, after the last test class. Tests share
 * it: use {@link #uniqueName} for every topic and consumer group. Tests must not stop or restart it;
 * a chaos test that needs to restart a broker starts its own {@link EmbeddedKafka}.
 */
public final class KafkaBroker implements BeforeAllCallback {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
  private static final String DEFAULT_IMAGE = "apache/kafka:3.9.1";
  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  private static final String RUN_ID = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));

  private static volatile Broker broker;

  @Override
  public void beforeAll(ExtensionContext context) {
    ExtensionContext.Store store = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL);
    broker = store.getOrComputeIfAbsent(KafkaBroker.class.getName(), key -> Broker.start(), Broker.class);
  }

  public static String bootstrapServers() {
    return broker().bootstrapServers;
  }

  /** {@code prefix-<n>-<run id>}: distinct per call, and per run on a shared external broker. */
  public static String uniqueName(String prefix) {
    return prefix + "-" + SEQUENCE.incrementAndGet() + "-" + RUN_ID;
  }

  /** Creates the topic (blocking, bounded); an existing one is left as it is. */
  public static void createTopic(String name, int partitions, boolean compacted) {
    Topics.createIfAbsent(broker().admin, List.of(new Topics.Spec(name, partitions, compacted)), ADMIN_TIMEOUT);
  }

  /** Producer settings for this broker: acks=all, idempotent, failures within 15 s. */
  public static Map<String, String> producerConfig() {
    Map<String, String> config = new HashMap<>();
    config.put("bootstrap.servers", bootstrapServers());
    config.put("acks", "all");
    config.put("enable.idempotence", "true");
    config.put("linger.ms", "0");
    config.put("max.block.ms", "10000");
    config.put("request.timeout.ms", "10000");
    config.put("delivery.timeout.ms", "15000");
    return config;
  }

  /** Consumer settings for this broker and group: manual commits, from the earliest offset. */
  public static Map<String, String> consumerConfig(String groupId) {
    Map<String, String> config = new HashMap<>();
    config.put("bootstrap.servers", bootstrapServers());
    config.put("group.id", groupId);
    config.put("enable.auto.commit", "false");
    config.put("auto.offset.reset", "earliest");
    config.put("default.api.timeout.ms", "15000");
    config.put("request.timeout.ms", "10000");
    return config;
  }

  /**
   * Every record of one partition, from its beginning to the end offset at the call; gives up (with
   * what it has) after 10 s.
   */
  public static List<ConsumerRecord<String, byte[]>> records(String topic, int partition) {
    Properties props = new Properties();
    props.putAll(consumerConfig(uniqueName("reader")));
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, partition);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp), ADMIN_TIMEOUT).get(tp);
      long deadline = System.currentTimeMillis() + 10_000;
      while (consumer.position(tp) < end && System.currentTimeMillis() < deadline) {
        consumer.poll(Duration.ofMillis(100)).forEach(records::add);
      }
    }
    return records;
  }

  /** The latest value of {@code key} in one partition ("" when none, or a tombstone). */
  public static String latestValue(String topic, int partition, String key) {
    String value = "";
    for (ConsumerRecord<String, byte[]> r : records(topic, partition)) {
      if (key.equals(r.key())) {
        value = r.value() == null ? "" : new String(r.value(), StandardCharsets.UTF_8);
      }
    }
    return value;
  }

  /** A shared admin client; do not close it. */
  public static Admin admin() {
    return broker().admin;
  }

  /** Which kind of broker serves this JVM: {@code external}, {@code testcontainers} or {@code embedded}. */
  public static String kind() {
    return broker().kind;
  }

  private static Broker broker() {
    Broker current = broker;
    if (current == null) {
      throw new IllegalStateException("No Kafka broker: annotate the test class with @ExtendWith(KafkaBroker.class)");
    }
    return current;
  }

  /** The running broker and what must be closed with it. */
  static final class Broker implements ExtensionContext.Store.CloseableResource {
    private final String kind;
    private final String bootstrapServers;
    private final AutoCloseable owned;
    private final Admin admin;

    private Broker(String kind, String bootstrapServers, AutoCloseable owned) {
      this.kind = kind;
      this.bootstrapServers = bootstrapServers;
      this.owned = owned;
      this.admin = Topics.admin(bootstrapServers, ADMIN_TIMEOUT);
    }

    static Broker start() {
      long begin = System.nanoTime();
      Broker started = choose();
      LOG.info("Kafka for tests: {} at {} (ready in {} ms)", started.kind, started.bootstrapServers,
          (System.nanoTime() - begin) / 1_000_000);
      return started;
    }

    private static Broker choose() {
      String external = System.getenv("KIE_TEST_KAFKA_BOOTSTRAP");
      if (external != null && !external.isBlank()) {
        return new Broker("external", external.trim(), () -> { });
      }
      if (dockerAvailable()) {
        try {
          return startContainer();
        } catch (RuntimeException e) {
          // A Docker engine without a reachable registry (CI machines reach only Maven Central,
          // Debian and npm) cannot pull the image: the embedded broker is the same Kafka.
          LOG.warn("Kafka container did not start ({}); using the embedded broker", e.toString());
        }
      }
      EmbeddedKafka kafka = EmbeddedKafka.start();
      return new Broker("embedded", kafka.bootstrapServers(), kafka);
    }

    private static boolean dockerAvailable() {
      try {
        return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
      } catch (Throwable e) {
        LOG.info("Docker check failed ({}); using the embedded broker", e.toString());
        return false;
      }
    }

    private static Broker startContainer() {
      String image = Optional.ofNullable(System.getenv("KIE_TEST_KAFKA_IMAGE")).orElse(DEFAULT_IMAGE);
      var container = new org.testcontainers.kafka.KafkaContainer(image)
          .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
          .withEnv("KAFKA_NUM_PARTITIONS", "3")
          .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0");
      container.start();
      return new Broker("testcontainers", container.getBootstrapServers(), container::stop);
    }

    @Override
    public void close() throws Exception {
      try {
        admin.close(ADMIN_TIMEOUT);
      } finally {
        owned.close();
        LOG.info("Kafka for tests ({}) closed", kind);
      }
    }
  }
}
