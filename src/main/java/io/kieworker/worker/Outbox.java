package io.kieworker.worker;

import io.kieworker.kafka.ProduceRefusal;
import io.kieworker.metrics.WorkerMetrics;
import io.kieworker.result.CloudEventHeaders;
import io.kieworker.result.DeadLetterHeaders;
import io.kieworker.result.HeaderValue;
import io.kieworker.result.RecordSize;
import io.kieworker.result.ResultEvent;
import io.kieworker.retry.Backoff;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.producer.KafkaHeader;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes result events (CloudEvents binary mode) and dead letters. Futures complete once the
 * broker acknowledged the record; a failed send is retried with backoff until it goes through,
 * because an offset is committed only after its result or dead letter is durable — unless Kafka
 * refuses the record for good ({@link ProduceRefusal}: too large, not authorized, invalid topic):
 * that is logged, counted in {@code kie_worker.produce.refused} and never retried forever.
 *
 * <p>Sizes: a result record is at most the record bound ({@link RecordSize}, 1,000,000 bytes by
 * default): when the full one would not fit, the pass-through headers and then the metadata and
 * violations are left out. A dead letter is at most the bound too: original headers are capped
 * ({@link DeadLetterHeaders}) and the original value is omitted, with {@code dlq.value-dropped},
 * when it does not fit.
 */
final class Outbox {
  private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
  /** A Kafka write retried: 100–200 ms at first, at most 30 s apart (a broker restart takes tens of seconds). */
  private static final Backoff BACKOFF = new Backoff(200, 30_000, false);
  static final String VALUE_DROPPED = "dlq.value-dropped";

  private final Vertx vertx;
  private final KafkaProducer<String, Buffer> producer;
  private final String resultTopic;
  private final String dlqTopic;
  private final int maxRecordBytes;
  private final WorkerMetrics metrics;

  Outbox(Vertx vertx, KafkaProducer<String, Buffer> producer, String resultTopic, String dlqTopic,
      int maxRecordBytes, WorkerMetrics metrics) {
    this.vertx = vertx;
    this.producer = producer;
    this.resultTopic = resultTopic;
    this.dlqTopic = dlqTopic;
    this.maxRecordBytes = maxRecordBytes;
    this.metrics = metrics;
  }

  int maxRecordBytes() {
    return maxRecordBytes;
  }

  /**
   * Writes the result (reduced to fit the record bound). When Kafka refuses it for good, the result
   * without extras is tried once, then the result goes to the DLQ ({@code dlq.reason=RESULT_REFUSED});
   * the future still completes with the result as fitted, so the request ends and its offset moves on.
   */
  Future<Published> publishResult(ResultEvent event, List<HeaderValue> passThrough) {
    ResultEvent stamped = event.withPublishedAt(Instant.now());
    Fitted fitted = fit(stamped, passThrough);
    return sendResult(fitted).recover(e -> {
      if (!ProduceRefusal.refused(e)) {
        return Future.failedFuture(e);
      }
      ResultEvent withoutExtras = fitted.event.withoutExtras();
      boolean hadExtras = !fitted.passThrough.isEmpty() || !withoutExtras.equals(fitted.event);
      Fitted bare = hadExtras ? Fitted.of(withoutExtras, List.of()) : fitted;
      return (hadExtras ? sendResult(bare) : Future.<Void>failedFuture(e))
          .recover(again -> resultToDeadLetters(bare, again));
    }).map(fitted.published());
  }

  /**
   * A result as published: the event, its JSON value and that value encoded (the bytes written).
   * Callers keep the JSON and the bytes (the ledger's TERMINAL record, the dedupe window) instead of
   * encoding the event again. Nobody changes {@code json} once it is here.
   */
  record Published(ResultEvent event, JsonObject json, Buffer value) {}

  /** A result as it will be written: value and headers made once, here, and sent as measured. */
  private record Fitted(ResultEvent event, JsonObject json, Buffer value, List<HeaderValue> passThrough,
      List<HeaderValue> headers) {
    static Fitted of(ResultEvent event, List<HeaderValue> passThrough) {
      JsonObject json = event.toJson();
      return new Fitted(event, json, json.toBuffer(), passThrough, CloudEventHeaders.forResult(event, passThrough));
    }

    Fitted withoutPassThrough() {
      return new Fitted(event, json, value, List.of(), CloudEventHeaders.forResult(event, List.of()));
    }

    Published published() {
      return new Published(event, json, value);
    }
  }

  private Fitted fit(ResultEvent event, List<HeaderValue> passThrough) {
    Fitted full = Fitted.of(event, passThrough == null ? List.of() : passThrough);
    if (fits(full)) {
      return full;
    }
    metrics.counter("kie_worker.results.reduced", "dropped", "headers").increment();
    Fitted noHeaders = full.withoutPassThrough();
    if (fits(noHeaders)) {
      LOG.warn("Result {} would exceed {} bytes: written without its pass-through headers", event.requestId(),
          maxRecordBytes);
      return noHeaders;
    }
    metrics.counter("kie_worker.results.reduced", "dropped", "metadata").increment();
    LOG.warn("Result {} would exceed {} bytes: written without headers, metadata and violations",
        event.requestId(), maxRecordBytes);
    return Fitted.of(event.withoutExtras(), List.of());
  }

  private boolean fits(Fitted fitted) {
    return RecordSize.estimate(fitted.event.requestId(), fitted.value.length(), fitted.headers) <= maxRecordBytes;
  }

  private Future<Void> sendResult(Fitted fitted) {
    ResultEvent stamped = fitted.event;
    return durably("result " + stamped.requestId(), () -> {
      KafkaProducerRecord<String, Buffer> record =
          KafkaProducerRecord.create(resultTopic, stamped.requestId(), fitted.value);
      record.addHeaders(kafkaHeaders(fitted.headers));
      return producer.send(record).mapEmpty();
    });
  }

  private Future<Void> resultToDeadLetters(Fitted fitted, Throwable refusal) {
    ResultEvent event = fitted.event;
    List<HeaderValue> headers = List.of(
        HeaderValue.of("dlq.reason", "RESULT_REFUSED"),
        HeaderValue.of("dlq.exception", oneLine(refusal.toString())),
        HeaderValue.of("dlq.time", Instant.now().toString()));
    return durably("dead letter of result " + event.requestId(),
            () -> sendDeadLetter(event.requestId(), fitted.value, kafkaHeaders(headers)))
        .recover(e -> {
          LOG.error("Result {} could not be written to {} nor to {}: it is lost ({})", event.requestId(),
              resultTopic, dlqTopic, e.toString());
          return Future.succeededFuture();
        });
  }

  /**
   * Dead-letters {@code original}: its key, its value when it fits the record bound, the worker's
   * {@code dlq.*} headers and the (bounded) original headers. Completes once written, or once Kafka
   * refused it for good (logged and counted): either way the record's handling has ended.
   */
  Future<Void> publishDeadLetter(ConsumerRecord<String, byte[]> original, String reason, String detail) {
    List<HeaderValue> values = new ArrayList<>(DeadLetterHeaders.of(reason, detail, original.topic(),
        original.partition(), original.offset(), Instant.now(), original.headers()));
    Buffer value = original.value() == null ? null : Buffer.buffer(original.value());
    if (value != null && RecordSize.estimate(original.key(), value.length(), values) > maxRecordBytes) {
      values.add(HeaderValue.of(VALUE_DROPPED, "the value of " + value.length()
          + " bytes would exceed the " + maxRecordBytes + "-byte record bound"));
      value = null;
    }
    List<KafkaHeader> headers = kafkaHeaders(values);
    Buffer firstValue = value;
    String what = "dead letter " + original.topic() + "-" + original.partition() + "@" + original.offset();
    return durably(what, () -> sendDeadLetter(original.key(), firstValue, headers).recover(e -> {
      if (firstValue != null && ProduceRefusal.tooLarge(e)) {
        List<KafkaHeader> dropped = new ArrayList<>(headers);
        dropped.add(KafkaHeader.header(VALUE_DROPPED, "too large for the DLQ topic"));
        return sendDeadLetter(original.key(), null, dropped);
      }
      return Future.failedFuture(e);
    })).recover(e -> {
      LOG.error("Kafka refused the {} for good ({}); the record is skipped without one", what, e.toString());
      return Future.succeededFuture();
    });
  }

  private Future<Void> sendDeadLetter(String key, Buffer value, List<KafkaHeader> headers) {
    KafkaProducerRecord<String, Buffer> record = KafkaProducerRecord.create(dlqTopic, key, value);
    record.addHeaders(headers);
    return producer.send(record).mapEmpty();
  }

  /**
   * Retries {@code send} with capped exponential backoff until it succeeds, or fails it at once when
   * Kafka refused the record for good (see {@link ProduceRefusal}): such an error is logged at ERROR
   * and counted in {@code kie_worker.produce.refused{error}}, and the caller ends its request another way.
   */
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
      if (ProduceRefusal.refused(ar.cause())) {
        refused(what, ar.cause());
        promise.fail(ar.cause());
        return;
      }
      long backoff = BACKOFF.delayMillis(attempt);
      LOG.warn("Writing {} failed ({}); retrying in {} ms", what, ar.cause().toString(), backoff);
      vertx.setTimer(backoff, id -> attempt(what, send, wanted, attempt + 1, promise));
    });
  }

  /** Logs and counts a record Kafka will never accept; for callers that write outside {@link #durably}. */
  void refused(String what, Throwable cause) {
    metrics.counter("kie_worker.produce.refused", "error", ProduceRefusal.tag(cause)).increment();
    LOG.error("Kafka refused {} for good, not retrying: {}", what, cause.toString());
  }

  /** Null header values are skipped: the Vert.x producer cannot write them (and they carry no value). */
  private static List<KafkaHeader> kafkaHeaders(List<HeaderValue> values) {
    List<KafkaHeader> headers = new ArrayList<>(values.size());
    values.stream().filter(h -> h.value() != null)
        .forEach(h -> headers.add(KafkaHeader.header(h.name(), h.value())));
    return headers;
  }

  private static String oneLine(String text) {
    String line = text.replaceAll("\\p{Cntrl}", " ");
    return line.length() <= 500 ? line : line.substring(0, 499) + "…";
  }
}
