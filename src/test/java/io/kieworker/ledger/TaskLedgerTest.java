package io.kieworker.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kieworker.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.serialization.BufferSerializer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Ledger writes against a MockProducer that acknowledges only when the test says so; no broker. */
@Tag("unit")
class TaskLedgerTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Instant AT = Instant.parse("2026-12-01T12:00:00Z");

  private final MockProducer<String, Buffer> mock = new MockProducer<>(false, new StringSerializer(), new BufferSerializer());
  private Vertx vertx;
  private TaskLedger ledger;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    KafkaProducer<String, Buffer> producer = KafkaProducer.create(vertx, mock);
    // As the worker does: a failed send is also reported here, and would be logged as unhandled.
    producer.exceptionHandler(e -> {});
    ledger = new TaskLedger(producer, "ledger", "worker-a");
  }

  @AfterEach
  void tearDown() {
    Await.result(vertx.close());
  }

  private ProducerRecord<String, Buffer> awaitSent(int count) {
    await().atMost(WAIT).until(() -> mock.history().size() == count);
    return mock.history().get(count - 1);
  }

  @Test
  void aWriteGoesToTheRequestsPartitionMarkedWithItsWriterAndCompletesOnlyOnceAcknowledged() {
    LedgerRecord record = LedgerRecord.ownership("worker-a", 7, AT);

    Future<Void> write = ledger.write(3, record);

    ProducerRecord<String, Buffer> sent = awaitSent(1);
    assertThat(sent.topic()).isEqualTo("ledger");
    assertThat(sent.partition()).isEqualTo(3);
    assertThat(sent.key()).isEqualTo(LedgerRecord.OWNERSHIP_KEY);
    assertThat(new String(sent.headers().lastHeader(TaskLedger.WRITER_HEADER).value(), StandardCharsets.UTF_8))
        .isEqualTo("worker-a");
    assertThat(LedgerRecord.fromJson(new JsonObject(sent.value()))).isEqualTo(record);
    assertThat(write.isComplete()).as("durable only once the broker has acknowledged").isFalse();

    assertThat(mock.completeNext()).isTrue();
    Await.result(write);
  }

  @Test
  void aWriteTheBrokerRefusesFails() {
    Future<Void> write = ledger.write(0, LedgerRecord.ownership("worker-a", 1, AT));
    awaitSent(1);

    mock.errorNext(new TimeoutException("not enough replicas"));

    await().atMost(WAIT).until(write::isComplete);
    assertThat(write.failed()).isTrue();
    assertThat(write.cause()).hasMessageContaining("not enough replicas");
  }

  @Test
  void aTombstoneIsANullValueUnderTheKeyInItsPartition() {
    Future<Void> tombstone = ledger.tombstone(5, "request-1");

    ProducerRecord<String, Buffer> sent = awaitSent(1);
    assertThat(sent.partition()).isEqualTo(5);
    assertThat(sent.key()).isEqualTo("request-1");
    assertThat(sent.value()).isNull();
    mock.completeNext();
    Await.result(tombstone);
  }

  @Test
  void writtenByReadsTheWriterHeader() {
    ConsumerRecord<String, byte[]> mine = new ConsumerRecord<>("ledger", 0, 0, "k", new byte[0]);
    mine.headers().add(TaskLedger.WRITER_HEADER, "worker-a".getBytes(StandardCharsets.UTF_8));
    ConsumerRecord<String, byte[]> unmarked = new ConsumerRecord<>("ledger", 0, 1, "k", new byte[0]);

    assertThat(TaskLedger.writtenBy(mine, "worker-a")).isTrue();
    assertThat(TaskLedger.writtenBy(mine, "worker-b")).isFalse();
    assertThat(TaskLedger.writtenBy(unmarked, "worker-a")).isFalse();
  }
}
