package io.kieworker.demand;

import io.kieworker.kafka.ConsumerThread;
import io.kieworker.metrics.MetricsSetup;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads every instance's demand reports (partition 0 of the demand topic) on a thread of its own
 * ("kie-demand-reader"). No consumer group, no commits: the partition is assigned by hand and read
 * from {@code lookback} ago (by record time; the end when nothing is that recent), so a new reader
 * sees the report of every instance that was alive during the last window before its own first one.
 * Broker trouble surfaces as exceptions in the loop, which {@link ConsumerThread} logs and retries;
 * the position is kept, so after a broker restart reading resumes where it stopped.
 *
 * <p>Threading: the consumer is touched only by the reader thread; records reach the listener on
 * the worker's context, in log order.
 */
final class DemandReader implements AutoCloseable {
  private final TopicPartition partition;
  private final long lookbackMillis;
  private final Context context;
  private final Consumer<List<ConsumerRecord<String, byte[]>>> listener;
  private final org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer;
  private final ConsumerThread<String, byte[]> thread;
  /** Reader-thread state. */
  private boolean positioned;

  DemandReader(Properties kafka, String topic, Duration lookback, Context context,
      Consumer<List<ConsumerRecord<String, byte[]>>> listener) {
    this.partition = new TopicPartition(topic, 0);
    this.lookbackMillis = lookback.toMillis();
    this.context = context;
    this.listener = listener;
    this.consumer = new KafkaConsumer<>(consumerProperties(kafka));
    this.thread = new ConsumerThread<>("kie-demand-reader", consumer, this::pollOnce);
  }

  /** No group, no commits; a small fetch wait so a report reaches every reader within ~100 ms. */
  static Properties consumerProperties(Properties kafka) {
    Properties props = new Properties();
    props.putAll(kafka);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return props;
  }

  void start() {
    thread.start();
  }

  /** Kafka client metrics in {@code registry} until the consumer closes; call before {@link #start()}. */
  void bindMetrics(MeterRegistry registry) {
    thread.metrics(MetricsSetup.bindConsumer(consumer, registry, "demand"));
  }

  @Override
  public void close() {
    thread.stop();
  }

  /** One turn: positioned once (an exception leaves it for the next turn), then a short poll. */
  private void pollOnce(org.apache.kafka.clients.consumer.Consumer<String, byte[]> c) {
    if (!positioned) {
      position(c);
      positioned = true;
    }
    ConsumerRecords<String, byte[]> records = c.poll(Duration.ofMillis(50));
    if (!records.isEmpty()) {
      List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>(records.count());
      records.forEach(batch::add);
      context.runOnContext(v -> listener.accept(batch));
    }
  }

  private void position(org.apache.kafka.clients.consumer.Consumer<String, byte[]> c) {
    c.assign(Set.of(partition));
    long since = System.currentTimeMillis() - lookbackMillis;
    Map<TopicPartition, OffsetAndTimestamp> found =
        c.offsetsForTimes(Map.of(partition, since), Duration.ofSeconds(30));
    OffsetAndTimestamp at = found.get(partition);
    if (at != null) {
      c.seek(partition, at.offset());
    } else {
      c.seekToEnd(Set.of(partition));
    }
  }
}
