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
  /** Header naming the instance that wrote a record, so it can skip its own without parsing them. */
  public static final String WRITER_HEADER = "kie-writer";

  private final KafkaProducer<String, Buffer> producer;
  private final String topic;
  private final String writer;

  public TaskLedger(KafkaProducer<String, Buffer> producer, String topic, String writer) {
    this.producer = producer;
    this.topic = topic;
    this.writer = writer;
  }

  /** True when {@code record} was written by the instance named {@code writer}. */
  public static boolean writtenBy(org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> record, String writer) {
    var header = record.headers().lastHeader(WRITER_HEADER);
    return header != null && writer.equals(new String(header.value(), java.nio.charset.StandardCharsets.UTF_8));
  }

  public String topic() {
    return topic;
  }

  public Future<Void> write(int partition, LedgerRecord record) {
    return write(partition, record, null);
  }

  /**
   * Like {@link #write(int, LedgerRecord)}, with the record's result already encoded
   * ({@code result().toBuffer()}, or null): see {@link LedgerRecord#toBuffer(Buffer)}.
   */
  public Future<Void> write(int partition, LedgerRecord record, Buffer encodedResult) {
    KafkaProducerRecord<String, Buffer> out =
        KafkaProducerRecord.create(topic, record.key(), record.toBuffer(encodedResult), partition);
    out.addHeader(WRITER_HEADER, writer);
    return producer.send(out).mapEmpty();
  }

  /** Deletes a key once compaction runs. */
  public Future<Void> tombstone(int partition, String key) {
    return producer.send(KafkaProducerRecord.<String, Buffer>create(topic, key, null, partition)).mapEmpty();
  }
}
