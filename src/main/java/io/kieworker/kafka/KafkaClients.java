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
}
