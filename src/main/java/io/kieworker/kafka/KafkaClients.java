package io.kieworker.kafka;

import io.kieworker.config.KafkaConfig;
import io.vertx.kafka.client.serialization.BufferSerializer;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The settings of the worker's Kafka clients, in one place with the consumers' own
 * ({@code RequestConsumer.consumerProperties}, {@code LedgerTail.consumerProperties}): the
 * configured {@code kafka.properties} pass straight through; what the worker relies on is set over them.
 */
public final class KafkaClients {
  /** The producer's own default {@code batch.size}. */
  static final int DEFAULT_BATCH_SIZE = 16_384;

  private KafkaClients() {}

  /** Every client's base: the brokers and the configured pass-through properties (TLS, SASL, …). */
  public static Properties base(KafkaConfig kafka) {
    Properties props = new Properties();
    props.put("bootstrap.servers", kafka.bootstrapServers());
    props.putAll(kafka.properties());
    return props;
  }

  /**
   * The one producer (results, dead letters, ledger): acks=all and idempotence are not negotiable
   * (the ledger protocol needs both); linger and the request size may be tuned.
   */
  public static Properties producer(Properties base, int maxRequestBytes) {
    Properties props = new Properties();
    props.putAll(base);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
    props.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(maxRequestBytes + 64 * 1024));
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, BufferSerializer.class.getName());
    return props;
  }

  /**
   * Lowers the producer's {@code batch.size} to {@code maxMessageBytes} (the smallest
   * {@code max.message.bytes} among the topics it writes) when that is smaller, and says whether it
   * did. Kafka's producer (3.9) answers a batch the broker refuses as too large by splitting it into
   * batches of {@code batch.size} again: two records that fit {@code batch.size} together but not
   * the topic are re-sent forever (KAFKA-8350), and neither send ever completes. With {@code batch.size}
   * at most the topic's limit, only a single record can be too large, and its send fails with
   * RecordTooLargeException. (An unreadable {@code batch.size} is left for the producer to report.)
   */
  public static boolean capBatchSize(Properties producer, int maxMessageBytes) {
    Object configured = producer.get(ProducerConfig.BATCH_SIZE_CONFIG);
    int batchSize;
    try {
      batchSize = configured == null ? DEFAULT_BATCH_SIZE : Integer.parseInt(configured.toString().trim());
    } catch (NumberFormatException e) {
      return false;
    }
    if (maxMessageBytes >= batchSize) {
      return false;
    }
    producer.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(Math.max(0, maxMessageBytes)));
    return true;
  }
}
