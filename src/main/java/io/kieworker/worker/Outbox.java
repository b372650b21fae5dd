package io.kieworker.worker;

import io.kieworker.result.CloudEventHeaders;
import io.kieworker.result.DeadLetterHeaders;
import io.kieworker.result.HeaderValue;
import io.kieworker.result.ResultEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.kafka.client.producer.KafkaHeader;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes result events (CloudEvents binary mode) and dead letters. Futures complete once the
 * broker acknowledged the record; a failed send is retried with backoff until it goes through,
 * because an offset is committed only after its result or dead letter is durable.
 */
final class Outbox {
  private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
  private static final long MAX_BACKOFF_MS = 30_000;

  private final Vertx vertx;
  private final KafkaProducer<String, Buffer> producer;
  private final String resultTopic;
  private final String dlqTopic;

  Outbox(Vertx vertx, KafkaProducer<String, Buffer> producer, String resultTopic, String dlqTopic) {
    this.vertx = vertx;
    this.producer = producer;
    this.resultTopic = resultTopic;
    this.dlqTopic = dlqTopic;
  }

  Future<ResultEvent> publishResult(ResultEvent event, List<HeaderValue> passThrough) {
    ResultEvent stamped = event.withPublishedAt(Instant.now());
    return durably("result " + event.requestId(), () -> {
      KafkaProducerRecord<String, Buffer> record =
          KafkaProducerRecord.create(resultTopic, stamped.requestId(), stamped.toJson().toBuffer());
      record.addHeaders(kafkaHeaders(CloudEventHeaders.forResult(stamped, passThrough)));
      return producer.send(record).mapEmpty();
    }).map(stamped);
  }

  Future<Void> publishDeadLetter(ConsumerRecord<String, byte[]> original, String reason, String detail) {
    List<KafkaHeader> headers = kafkaHeaders(DeadLetterHeaders.of(reason, detail, original.topic(),
        original.partition(), original.offset(), Instant.now(), original.headers()));
    Buffer value = original.value() == null ? null : Buffer.buffer(original.value());
    return durably("dead letter " + original.topic() + "-" + original.partition() + "@" + original.offset(),
        () -> sendDeadLetter(original.key(), value, headers).recover(e -> {
          if (e instanceof RecordTooLargeException) {
            List<KafkaHeader> dropped = new ArrayList<>(headers);
            dropped.add(KafkaHeader.header("dlq.value-dropped", "too large for the DLQ topic"));
            return sendDeadLetter(original.key(), null, dropped);
          }
          return Future.failedFuture(e);
        }));
  }

  private Future<Void> sendDeadLetter(String key, Buffer value, List<KafkaHeader> headers) {
    KafkaProducerRecord<String, Buffer> record = KafkaProducerRecord.create(dlqTopic, key, value);
    record.addHeaders(headers);
    return producer.send(record).mapEmpty();
  }

  /** Retries {@code send} with capped exponential backoff until it succeeds. */
  Future<Void> durably(String what, Supplier<Future<Void>> send) {
    return durably(what, send, () -> true);
  }

  /**
   * Like {@link #durably(String, Supplier)}, but gives up (the future fails) once {@code wanted}
   * answers false before an attempt: e.g. a ledger write for a partition that was revoked or fenced
   * meanwhile, which is the next owner's to make.
   */
  Future<Void> durably(String what, Supplier<Future<Void>> send, BooleanSupplier wanted) {
    Promise<Void> promise = Promise.promise();
    attempt(what, send, wanted, 0, promise);
    return promise.future();
  }

  private void attempt(String what, Supplier<Future<Void>> send, BooleanSupplier wanted, int attempt,
      Promise<Void> promise) {
    if (!wanted.getAsBoolean()) {
      promise.fail("not written: " + what + " is no longer this instance's to write");
      return;
    }
    send.get().onComplete(ar -> {
      if (ar.succeeded()) {
        promise.complete();
        return;
      }
      long backoff = Math.min(MAX_BACKOFF_MS, 200L << Math.min(attempt, 10));
      LOG.warn("Writing {} failed ({}); retrying in {} ms", what, ar.cause().toString(), backoff);
      vertx.setTimer(backoff, id -> attempt(what, send, wanted, attempt + 1, promise));
    });
  }

  private static List<KafkaHeader> kafkaHeaders(List<HeaderValue> values) {
    List<KafkaHeader> headers = new ArrayList<>(values.size());
    values.forEach(h -> headers.add(KafkaHeader.header(h.name(), h.value())));
    return headers;
  }
}
