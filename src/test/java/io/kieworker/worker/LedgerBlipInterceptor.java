package io.kieworker.worker;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A broker blip for one kind of ledger record, injected in the worker's own producer (set through
 * {@code interceptor.classes}; the consumers get it too, hence both interfaces, and pass through).
 * While armed, every record of {@link #type} (SUBMITTED unless a test says otherwise) for
 * {@link #topic} is sent to a partition that does not exist: the producer fails it after
 * {@code max.block.ms} with a (retriable) TimeoutException, as it would a write to a broker that
 * does not answer.
 */
public final class LedgerBlipInterceptor<K, V> implements ProducerInterceptor<K, V>, ConsumerInterceptor<K, V> {
  static volatile String topic;
  static volatile String type = "SUBMITTED";
  static final AtomicInteger diverted = new AtomicInteger();

  @Override
  public ProducerRecord<K, V> onSend(ProducerRecord<K, V> record) {
    String armed = topic;
    if (armed != null && armed.equals(record.topic()) && record.value() != null
        && record.value().toString().contains("\"type\":\"" + type + "\"")) {
      diverted.incrementAndGet();
      return new ProducerRecord<>(record.topic(), 999, record.key(), record.value(), record.headers());
    }
    return record;
  }

  @Override
  public void onAcknowledgement(RecordMetadata metadata, Exception exception) {}

  @Override
  public ConsumerRecords<K, V> onConsume(ConsumerRecords<K, V> records) {
    return records;
  }

  @Override
  public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {}

  @Override
  public void close() {}

  @Override
  public void configure(Map<String, ?> configs) {}
}
