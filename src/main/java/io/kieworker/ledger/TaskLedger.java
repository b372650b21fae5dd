package io.kieworker.ledger;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;

/**
 * Writes ledger records. A write's future completes when the broker acknowledged it (acks=all on
 * the shared producer), which is what makes "durable" mean durable in the offset protocol.
 */
public final class TaskLedger {
  private final KafkaProducer<String, Buffer> producer;
  private final String topic;

  public TaskLedger(KafkaProducer<String, Buffer> producer, String topic) {
    this.producer = producer;
    this.topic = topic;
  }

  public String topic() {
    return topic;
  }

  public Future<Void> write(int partition, LedgerRecord record) {
    return producer
        .send(KafkaProducerRecord.create(topic, record.key(), record.toJson().toBuffer(), partition))
        .mapEmpty();
  }

  /** Deletes a key once compaction runs. */
  public Future<Void> tombstone(int partition, String key) {
    return producer.send(KafkaProducerRecord.<String, Buffer>create(topic, key, null, partition)).mapEmpty();
  }
}
