package io.kieworker.result;

import static org.assertj.core.api.Assertions.assertThat;

import io.kieworker.model.Violation;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.IntStream;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The size bounds of what the worker writes: pass-through headers, DLQ headers, violations. */
@Tag("unit")
class RecordBoundsTest {
  private static final Instant AT = Instant.parse("2025-12-08T07:24:26Z");

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    java.util.Arrays.fill(b, (byte) 'a');
    return b;
  }

  @Test
  void passThroughDropsOversizeValuesLongNamesAndWhatExceedsTheTotal() {
    RecordHeaders in = new RecordHeaders();
    in.add("x-big", bytes(PassThroughHeaders.MAX_VALUE_BYTES + 1));
    in.add("x-" + "n".repeat(PassThroughHeaders.MAX_NAME_BYTES), bytes(1));
    for (int i = 0; i < 5; i++) {
      in.add("x-h" + i, bytes(PassThroughHeaders.MAX_VALUE_BYTES - 4)); // 4 fit in 16 KB, the 5th does not
    }
    in.add("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".getBytes(StandardCharsets.UTF_8));
    List<PassThroughHeaders.Drop> drops = new ArrayList<>();

    List<HeaderValue> kept = PassThroughHeaders.select(in, drops::add);

    assertThat(kept).extracting(HeaderValue::name).containsExactly("x-h0", "x-h1", "x-h2", "x-h3");
    assertThat(drops).containsExactly(PassThroughHeaders.Drop.VALUE_TOO_LARGE,
        PassThroughHeaders.Drop.NAME_TOO_LONG, PassThroughHeaders.Drop.TOTAL_TOO_LARGE,
        PassThroughHeaders.Drop.TOTAL_TOO_LARGE);
    int total = kept.stream().mapToInt(h -> h.name().length() + h.value().length).sum();
    assertThat(total).isLessThanOrEqualTo(PassThroughHeaders.MAX_TOTAL_BYTES);
  }

  @Test
  void storedNullHeaderValuesAreSkippedWhenReadBack() {
    var stored = new io.vertx.core.json.JsonArray().add(new JsonObject().put("name", "x-trace").putNull("value"))
        .add(new JsonObject().put("name", "x-ok").put("value", "Zm9v"));

    assertThat(PassThroughHeaders.fromJson(stored)).containsExactly(HeaderValue.of("x-ok", "foo"));
  }

  @Test
  void forgedDlqHeadersAreDroppedSoTheWorkersOwnWin() {
    RecordHeaders in = new RecordHeaders();
    in.add("dlq.original.topic", "kie.worker.tasks".getBytes(StandardCharsets.UTF_8));
    in.add("DLQ.reason", "INVALID".getBytes(StandardCharsets.UTF_8));
    in.add("dlq.time", "2000-01-01T00:00:00Z".getBytes(StandardCharsets.UTF_8));
    in.add("x-keep", "yes".getBytes(StandardCharsets.UTF_8));

    List<HeaderValue> headers = DeadLetterHeaders.of("UNPARSEABLE", "bad", "real.requests", 2, 9, AT, in);

    assertThat(headers.stream().filter(h -> h.name().equalsIgnoreCase("dlq.original.topic")))
        .extracting(HeaderValue::text).containsExactly("real.requests");
    assertThat(headers.stream().filter(h -> h.name().equalsIgnoreCase("dlq.reason")))
        .extracting(HeaderValue::text).containsExactly("UNPARSEABLE");
    assertThat(headers.stream().filter(h -> h.name().equalsIgnoreCase("dlq.time")))
        .extracting(HeaderValue::text).containsExactly(AT.toString());
    assertThat(headers).contains(HeaderValue.of(DeadLetterHeaders.HEADERS_DROPPED, "forged=3,null=0,oversize=0"),
        HeaderValue.of("x-keep", "yes"));
  }

  @Test
  void originalHeadersOnADeadLetterAreBoundedInTotal() {
    RecordHeaders in = new RecordHeaders();
    in.add("x-huge", bytes(800 * 1024));
    in.add("x-small", bytes(10));

    List<HeaderValue> headers = DeadLetterHeaders.of("INVALID", null, "t", 0, 0, AT, in);

    assertThat(headers).extracting(HeaderValue::name).doesNotContain("x-huge").contains("x-small");
    assertThat(RecordSize.estimate("k", 0, headers)).isLessThan(DeadLetterHeaders.MAX_ORIGINAL_BYTES + 2048);
  }

  @Test
  void violationsAreCappedWithACountOfTheRest() {
    List<Violation> many = IntStream.range(0, 12_000)
        .mapToObj(i -> new Violation("input.k" + i + "x".repeat(300), "unknown field; " + "y".repeat(900)))
        .toList();

    ResultEvent rejected = ResultEvent.rejected("r", "google/nano-banana", Map.of(), many, AT);
    JsonObject json = rejected.toJson();

    assertThat(json.getJsonArray("violations")).hasSize(ResultEvent.MAX_VIOLATIONS);
    assertThat(json.getInteger("violationsOmitted")).isEqualTo(12_000 - ResultEvent.MAX_VIOLATIONS);
    assertThat(json.toBuffer().length()).isLessThan(45_000);
    assertThat(ResultEvent.fromJson(json).violationsOmitted()).isEqualTo(12_000 - ResultEvent.MAX_VIOLATIONS);
    assertThat(rejected.error().code()).isEqualTo(ResultError.VALIDATION);
  }

  @Test
  void withoutExtrasDropsMetadataAndViolationsButCountsThem() {
    ResultEvent rejected = ResultEvent.rejected("r", "m", Map.of("big", "z".repeat(100_000)),
        List.of(new Violation("input.a", "bad")), AT);

    JsonObject bare = rejected.withoutExtras().toJson();

    assertThat(bare.getJsonObject("metadata").isEmpty()).isTrue();
    assertThat(bare.containsKey("violations")).isFalse();
    assertThat(bare.getInteger("violationsOmitted")).isEqualTo(1);
    assertThat(bare.getJsonObject("error").getString("code")).isEqualTo("VALIDATION");
  }

  @Test
  void theRecordBoundIsTheDefaultUnlessTheProducerMaxRequestSizeIsSet() {
    assertThat(RecordSize.maxRecordBytes(new Properties())).isEqualTo(RecordSize.DEFAULT_MAX_RECORD_BYTES);
    Properties raised = new Properties();
    raised.put("max.request.size", "5242880");
    assertThat(RecordSize.maxRecordBytes(raised)).isEqualTo(5242880 - RecordSize.BATCH_OVERHEAD);
  }

  @Test
  void estimateCountsKeyValueAndHeaders() {
    int bare = RecordSize.estimate("key", 100, List.of());
    int withHeader = RecordSize.estimate("key", 100, List.of(HeaderValue.of("x-a", "12345")));

    assertThat(bare).isGreaterThanOrEqualTo(103);
    assertThat(withHeader - bare).isGreaterThanOrEqualTo(8);
  }
}
